"""A monotonic clock that a test moves itself, for pacing, retries and deadlines.

With it a test asserts on the waits the code asked for and on what the code did once a given time had
passed, never on how long the run took: a loaded machine makes every real step slower, so a test that
measures real time fails by chance.
"""

from __future__ import annotations

import threading


class FakeClock:
    """Stands for `time.monotonic` and `time.sleep`. Time moves only when the test says so: `advance`,
    a `sleep` (which records its wait and returns at once), and, with `tick`, each look at the clock
    (as if every step of the code took `tick` seconds). Thread-safe: a test's server may move it."""

    def __init__(self, start: float = 1000.0, tick: float = 0.0):
        self.now = start
        self.tick = tick
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            seen = self.now
            self.now += self.tick
            return seen

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
