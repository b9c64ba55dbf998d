"""How `dailypapers fetch` shows its days as they are stored: a tqdm bar on a terminal, plain
`[n/total] ...` lines otherwise (logs, CI, pipes). Only the command line uses it; the library reports
each day through a callback and never prints.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm

from generator.ingest.merge import DayOutcome


class Progress:
    """A tqdm bar on a terminal, plain `[n/total] ...` lines otherwise; failures and warnings always show."""

    def __init__(self, total: int, enabled: bool | None, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        tty = enabled if enabled is not None else self.stream.isatty()
        self.bar = None
        if tty and total > 1:
            self.bar = tqdm(total=total, unit="day", file=self.stream, leave=False, dynamic_ncols=True)

    def report(self, outcome: DayOutcome) -> None:
        """Show one stored (or failed) day; the callback `fetch_days` calls."""
        self.done += 1
        lines = [outcome.describe()] + [f"warning: {w}" for w in outcome.warnings]
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(outcome.day.isoformat())
            for line in lines:
                if outcome.kind == "failed" or line.startswith("warning"):
                    self.bar.write(line, file=self.stream)
        else:
            for line in lines:
                print(f"[{self.done}/{self.total}] {line}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
