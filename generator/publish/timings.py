"""Where a build's time and memory go: each step's wall and CPU seconds and its process's memory when it
ends, in the parent and in each forked job. `dailypapers build --timings` prints them as a table, and
benchmarks/full_size.py shows that table beside its totals, so the profile behind a speed claim is
measured in the same run as the claim (a sampling profiler, py-spy, says why a step costs what it does).

Memory is the resident set (RSS) and the proportional set (PSS: a page shared copy-on-write between
the parent and a forked job counted once, split between them) from /proc/self; elsewhere they read 0.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """One step of one process: how long it took, on the clock and on the CPU, and the memory after it."""

    process: str
    name: str
    seconds: float
    cpu_seconds: float
    rss: int
    pss: int
    started: float  # seconds since the build started: the table shows what ran beside what


def _memory() -> tuple[int, int]:
    """This process's RSS and PSS in bytes (Linux: /proc/self/smaps_rollup), or zeros."""
    rss = pss = 0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    value = int(rest.split()[0]) * 1024
                    rss, pss = (value, pss) if key == "Rss" else (rss, value)
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


@dataclass
class Timings:
    """The steps of a build, in the order they ended; `step` measures one. A forked job measures its own
    with a `Timings` of its process's name and the parent's `origin` (perf_counter is the system's
    monotonic clock, the same in a forked child), and sends them to the parent, which `extend`s its own."""

    process: str = "build"
    origin: float = field(default_factory=time.perf_counter)
    steps: list[Step] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            rss, pss = _memory()
            self.steps.append(Step(self.process, name, time.perf_counter() - wall, time.process_time() - cpu,
                                   rss, pss, wall - self.origin))

    def extend(self, steps: list[Step]) -> None:
        self.steps.extend(steps)

    def table(self) -> str:
        """The steps as a Markdown table, in the order they started."""
        lines = ["| process | step | started at | wall | CPU | RSS after | PSS after |",
                 "|---|---|---:|---:|---:|---:|---:|"]
        for step in sorted(self.steps, key=lambda s: s.started):
            lines.append(f"| {step.process} | {step.name} | {step.started:.1f} s | {step.seconds:.2f} s | "
                         f"{step.cpu_seconds:.2f} s | {step.rss / 1e6:,.0f} MB | {step.pss / 1e6:,.0f} MB |")
        return "\n".join(lines)

