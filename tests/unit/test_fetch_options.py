"""fetch.py without a server: the days a run asks for (today and the refresh window, a backfill), each bad
option as one clear line, the progress bar on a terminal, a repeated page told by its papers' ids, and
page URLs that keep the API URL's query. Against a real local server: tests/site/test_fetch.py."""

from __future__ import annotations

import argparse
import datetime as dt
import io

import pytest
from support.fake_api import fixed_clock

from generator.core.errors import UserError
from generator.ingest.fetch import FetchOptions, _same_papers, page_url
from generator.ingest.merge import DayOutcome
from generator.progress import Progress


def _args(**values: object) -> argparse.Namespace:
    base = {"date": None, "since": None, "until": None, "api_url": None, "refresh_days": None, "rate": None,
            "timeout": None, "retries": None}
    return argparse.Namespace(**{**base, **values})


def test_default_days_are_today_and_the_refresh_window() -> None:
    clock = fixed_clock("2026-06-05T23:59:00Z")
    options = FetchOptions.from_args(_args(), clock=clock)
    assert options.days[0] == dt.date(2026, 5, 29) and options.days[-1] == dt.date(2026, 6, 5)
    assert len(options.days) == 8
    assert FetchOptions.from_args(_args(refresh_days=0), clock=clock).days == [dt.date(2026, 6, 5)]
    # a window wider than the archive's life never reaches back before the list began
    wide = FetchOptions.from_args(_args(refresh_days=5000), clock=clock).days
    assert wide[0] == dt.date(2023, 5, 4) and wide[-1] == dt.date(2026, 6, 5)
    backfill = FetchOptions.from_args(_args(since=dt.date(2026, 5, 1)), clock=clock)
    assert len(backfill.days) == 36
    # the list is dated where the submitter is: tomorrow (UTC) may already be listed, and the first day is allowed
    assert FetchOptions.from_args(_args(date=dt.date(2026, 6, 6)), clock=clock).days == [dt.date(2026, 6, 6)]
    assert FetchOptions.from_args(_args(date=dt.date(2023, 5, 4)), clock=clock).days == [dt.date(2023, 5, 4)]
    options = FetchOptions.from_args(_args(date=dt.date(2025, 1, 1), rate=2.5, timeout=3, retries=0), clock=clock)
    assert (options.days, options.rate, options.timeout, options.retries) == ([dt.date(2025, 1, 1)], 2.5, 3, 0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"until": dt.date(2026, 1, 1)}, "--until needs --since"),
        ({"since": dt.date(2026, 2, 1), "until": dt.date(2026, 1, 1)}, "is after --until"),
        ({"date": dt.date(2026, 6, 7)}, "--date 2026-06-07 is after tomorrow (today is 2026-06-05 UTC)"),
        ({"since": dt.date(2023, 5, 3)}, "--since 2023-05-03 is before 2023-05-04, the first day of the"),
        ({"since": dt.date(2026, 5, 3), "until": dt.date(2026, 6, 9)}, "--until 2026-06-09 is after tomorrow"),
        ({"date": dt.date(1999, 1, 1)}, "--date 1999-01-01 is before 2023-05-04"),
        ({"refresh_days": -1}, "--refresh-days"),
        ({"rate": 0}, "--rate"),
        ({"timeout": -1}, "--timeout"),
        ({"retries": -1}, "--retries"),
        ({"api_url": "file:///etc/passwd"}, "not an http(s) URL"),
        ({"api_url": "http://127.0.0.1:99999/api"}, "not an http(s) URL"),
        ({"api_url": "http://:8000/api"}, "not an http(s) URL"),
    ],
)
def test_bad_options_are_one_clear_line(values: dict, message: str) -> None:
    with pytest.raises(UserError) as caught:
        FetchOptions.from_args(_args(**values), clock=fixed_clock("2026-06-05T12:00:00Z"))
    assert message in str(caught.value)


def test_progress_bar_on_a_terminal_keeps_failures_and_warnings_visible() -> None:
    stream = io.StringIO()
    progress = Progress(3, enabled=True, stream=stream)
    assert progress.bar is not None
    progress.report(DayOutcome(dt.date(2025, 1, 1), "new", papers=3))
    progress.report(DayOutcome(dt.date(2025, 1, 2), "failed", error="the API answered HTTP 500 (5 tries)"))
    progress.report(DayOutcome(dt.date(2025, 1, 3), "new", papers=50, warnings=("2025-01-03: 50 papers",)))
    progress.close()
    text = stream.getvalue()
    assert "2025-01-02: failed: the API answered HTTP 500 (5 tries)\n" in text
    assert "warning: 2025-01-03: 50 papers\n" in text
    assert "2025-01-01: new" not in text, "routine days only move the bar"
    assert "3/3" in text


def test_a_repeated_page_is_told_by_its_paper_ids_even_when_counts_moved_between_requests() -> None:
    first = [{"paper": {"id": "2511.00001", "upvotes": 3}}, {"paper": {"id": "2511.00002", "upvotes": 1}}]
    moved = [{"paper": {"id": "2511.00001", "upvotes": 4}}, {"paper": {"id": "2511.00002", "upvotes": 1}}]
    assert _same_papers(moved, first)
    assert not _same_papers([{"paper": {"id": "2511.00003"}}, {"paper": {"id": "2511.00004"}}], first)
    assert not _same_papers(list(reversed(first)), first)
    assert _same_papers([{"x": 1}], [{"x": 1}]) and not _same_papers([{"x": 1}], [{"x": 2}])  # no ids: whole


def test_page_urls_keep_the_api_url_query() -> None:
    day = dt.date(2025, 9, 8)
    assert page_url("https://huggingface.co/api/daily_papers", day, 0) == (
        "https://huggingface.co/api/daily_papers?date=2025-09-08&limit=100&p=0"
    )
    assert page_url("http://127.0.0.1:8000/x?token=a%26b&p=9", day, 2) == (
        "http://127.0.0.1:8000/x?token=a%26b&date=2025-09-08&limit=100&p=2"
    )
