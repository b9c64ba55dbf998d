"""The build profile's table (publish/timings.py): steps in the order they started, their own numbers."""

from __future__ import annotations

import sys

import pytest

from generator.publish.timings import Step, Timings


def test_a_step_is_measured_even_when_it_raises_and_the_table_orders_steps_by_start() -> None:
    timings = Timings(origin=0.0)
    with pytest.raises(ValueError), timings.step("fails"):
        raise ValueError("no")
    timings.extend([Step("search index", "index", 2.5, 2.0, 300_000_000, 200_000_000, 0.0)])
    assert [s.name for s in timings.steps] == ["fails", "index"]
    lines = timings.table().splitlines()
    assert lines[0] == "| process | step | started at | wall | CPU | RSS after | PSS after |"
    assert lines[2] == "| search index | index | 0.0 s | 2.50 s | 2.00 s | 300 MB | 200 MB |"
    assert lines[3].startswith("| build | fails | ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memory is read from /proc")
def test_a_step_records_the_memory_it_ends_with() -> None:
    timings = Timings()
    with timings.step("allocate"):
        block = bytearray(50_000_000)
        block[::4096] = b"x" * len(block[::4096])  # touched: resident
    step = timings.steps[0]
    assert step.rss >= 50_000_000 and 0 < step.pss <= step.rss
