"""fetch.py against a real local HTTP server playing the API: complete days, bounded retries, faults that
never leave a partial or changed snapshot, and the command line's summary and exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_api import FakeAPI, Fault, fast_options, fixed_clock, fixture_days, fixtures_dir

from generator.cli import main
from generator.errors import UserError
from generator.fetch import DayFetcher, FetchOptions, fetch_command, fetch_days, user_agent
from generator.merge import project_lock
from generator.project import Project
from generator.snapshots import parse_snapshot, snapshot_path, validate_all

DAY = "2025-10-03"


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    server = FakeAPI()
    server.serve_days(fixtures_dir() / "days")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def _path(project: Project, day: str = DAY) -> Path:
    return snapshot_path(project.snapshots_dir, dt.date.fromisoformat(day))


def _ids(body: bytes) -> list[str]:
    return [e["paper"]["id"] for e in json.loads(body)]


def test_every_fixture_day_arrives_complete_over_http(api: FakeAPI, project: Project) -> None:
    days = [p.name[:10] for p in fixture_days()]
    outcomes = fetch_days(project, fast_options(api, days))
    assert [o.kind for o in outcomes] == ["new"] * len(days)
    assert api.count() == len(days), "no retries were needed"
    for path in fixture_days():
        data, problems = parse_snapshot(_path(project, path.name[:10]))
        assert problems == []
        assert sorted(p["id"] for p in data["papers"]) == sorted(_ids(path.read_bytes()))
    assert validate_all(project.snapshots_dir) == []


def test_fetching_twice_is_byte_identical(api: FakeAPI, project: Project) -> None:
    days = ["2024-05-27", "2025-09-30", DAY, "2026-06-04"]
    fetch_days(project, fast_options(api, days))
    before = {d: _path(project, d).read_bytes() for d in days}
    later = fast_options(api, days, clock=fixed_clock("2026-06-07T00:00:00Z"))
    assert [o.kind for o in fetch_days(project, later)] == ["unchanged"] * 4
    assert {d: _path(project, d).read_bytes() for d in days} == before


@pytest.mark.parametrize(
    "faults",
    [
        ["500"], ["503", "503"], ["502"], ["reset"], ["truncate"], ["hang"],
        [Fault("429", retry_after="0")], ["reset", "500", "truncate"],
    ],
    ids=lambda f: "+".join(x if isinstance(x, str) else f"{x.kind}" for x in f),
)
def test_transient_faults_are_retried_until_the_day_arrives(
    api: FakeAPI, project: Project, faults: list
) -> None:
    api.fail(DAY, *faults)
    (outcome,) = fetch_days(project, fast_options(api, [DAY], timeout=0.3))
    assert outcome.kind == "new"
    assert api.count(DAY) == len(faults) + 1
    data, _ = parse_snapshot(_path(project))
    assert sorted(p["id"] for p in data["papers"]) == sorted(_ids(api.bodies[DAY]))


def test_retry_after_seconds_is_honoured(api: FakeAPI, project: Project) -> None:
    slept: list[float] = []
    api.fail(DAY, Fault("429", retry_after="1"), Fault("503", retry_after="2"))
    options = fast_options(api, [DAY], sleep=slept.append)
    assert fetch_days(project, options)[0].kind == "new"
    assert [s for s in slept if s >= 0.5] == [1.0, 2.0]


def test_retry_after_http_date_and_cap(api: FakeAPI) -> None:
    options = fast_options(api, [DAY], clock=fixed_clock("2026-06-05T12:00:00Z"), retry_after_cap=30)
    fetcher = DayFetcher(None, options)  # type: ignore[arg-type]
    import httpx

    assert fetcher._retry_after(httpx.Headers({"Retry-After": "Fri, 05 Jun 2026 12:00:07 GMT"})) == 7
    assert fetcher._retry_after(httpx.Headers({"Retry-After": "3600"})) == 30
    assert fetcher._retry_after(httpx.Headers({"Retry-After": "Thu, 04 Jun 2026 12:00:00 GMT"})) == 0
    assert fetcher._retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert fetcher._retry_after(httpx.Headers({"Retry-After": "nan"})) is None
    assert fetcher._retry_after(httpx.Headers({})) is None


def test_backoff_grows_with_jitter_and_is_capped(api: FakeAPI) -> None:
    fetcher = DayFetcher(None, fast_options(api, [DAY], backoff=1.0, backoff_cap=8.0))  # type: ignore[arg-type]
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 8)]:
        delays = {fetcher._backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1, "jitter"


@pytest.mark.parametrize("kind", ["500", "503", "429", "reset", "truncate", "truncate-close", "hang"])
def test_a_persistent_fault_is_bounded_and_changes_no_stored_byte(
    api: FakeAPI, project: Project, kind: str
) -> None:
    fetch_days(project, fast_options(api, [DAY]))
    before = _path(project).read_bytes()
    api.always[DAY] = Fault(kind, retry_after="0" if kind == "429" else None)
    (outcome,) = fetch_days(project, fast_options(api, [DAY], retries=2, timeout=0.2))
    assert outcome.kind == "failed"
    assert "\n" not in outcome.describe()
    expected_tries = 1 if kind == "truncate-close" else 3  # a complete HTTP answer holding bad JSON is final
    assert api.count(DAY) == 1 + expected_tries
    assert _path(project).read_bytes() == before
    assert [p.name for p in _path(project).parent.iterdir()] == [_path(project).name], "no partial file"


def test_a_persistent_fault_on_a_new_day_records_status_failed(api: FakeAPI, project: Project) -> None:
    api.always[DAY] = Fault("503")
    (outcome,) = fetch_days(project, fast_options(api, [DAY], retries=1))
    assert outcome.error == "the API answered HTTP 503 (2 tries)"
    data, problems = parse_snapshot(_path(project))
    assert problems == [] and data["status"] == "failed" and data["error"] == outcome.error
    assert data["papers"] == []


def test_client_errors_are_not_retried(api: FakeAPI, project: Project) -> None:
    api.always[DAY] = Fault("404")
    (outcome,) = fetch_days(project, fast_options(api, [DAY]))
    assert outcome.kind == "failed" and api.count(DAY) == 1
    assert outcome.error == "the API answered HTTP 404"


def test_one_failing_day_does_not_stop_the_others(api: FakeAPI, project: Project) -> None:
    api.always["2025-10-02"] = Fault("500")
    outcomes = fetch_days(project, fast_options(api, ["2025-10-01", "2025-10-02", DAY], retries=1))
    assert [o.kind for o in outcomes] == ["new", "failed", "new"]


def test_bad_fixture_bodies_fail_the_day_with_one_line(api: FakeAPI, project: Project) -> None:
    for path in sorted((fixtures_dir() / "bad").glob("*.json")):
        api.bodies[path.name[:10]] = path.read_bytes()
    outcomes = fetch_days(project, fast_options(api, ["2024-12-12", "2025-01-11"]))
    assert [o.kind for o in outcomes] == ["failed", "failed"]
    assert api.count() == 2, "a bad body is not retried"
    assert outcomes[0].describe().startswith("2024-12-12: failed: entry 0 is a string")
    assert outcomes[1].describe().startswith("2025-01-11: failed: expected a JSON list of papers, got an object")


def test_user_agent_names_the_project(api: FakeAPI, project: Project) -> None:
    fetch_days(project, fast_options(api, [DAY]))
    assert api.requests[0].user_agent == user_agent()
    assert api.requests[0].user_agent.startswith("dailypapers-archive/")


def test_requests_are_paced_to_the_rate(api: FakeAPI, project: Project) -> None:
    started = time.monotonic()
    fetch_days(project, fast_options(api, ["2025-01-13", "2025-01-22", "2025-03-04", "2025-03-17"], rate=10))
    assert time.monotonic() - started >= 0.3, "4 requests at 10 per second take at least 0.3 s"


def test_a_second_run_fails_with_one_line_while_the_lock_is_held(api: FakeAPI, project: Project) -> None:
    with project_lock(project), pytest.raises(UserError) as caught:
        fetch_days(project, fast_options(api, [DAY], lock_wait=0.1))
    assert "another dailypapers fetch or import" in str(caught.value)
    assert api.count() == 0 and not _path(project).exists()


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
    backfill = FetchOptions.from_args(_args(since=dt.date(2026, 5, 1)), clock=clock)
    assert len(backfill.days) == 36
    options = FetchOptions.from_args(_args(date=dt.date(2025, 1, 1), rate=2.5, timeout=3, retries=0), clock=clock)
    assert (options.days, options.rate, options.timeout, options.retries) == ([dt.date(2025, 1, 1)], 2.5, 3, 0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"until": dt.date(2026, 1, 1)}, "--until needs --since"),
        ({"since": dt.date(2026, 2, 1), "until": dt.date(2026, 1, 1)}, "is after --until"),
        ({"date": dt.date(2026, 6, 6)}, "is in the future"),
        ({"refresh_days": -1}, "--refresh-days"),
        ({"rate": 0}, "--rate"),
        ({"timeout": -1}, "--timeout"),
        ({"retries": -1}, "--retries"),
        ({"api_url": "file:///etc/passwd"}, "not an http(s) URL"),
    ],
)
def test_bad_options_are_one_clear_line(values: dict, message: str) -> None:
    with pytest.raises(UserError) as caught:
        FetchOptions.from_args(_args(**values), clock=fixed_clock("2026-06-05T12:00:00Z"))
    assert message in str(caught.value)


def test_cli_summary_and_exit_code(api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(tmp_path), "fetch", "--since", "2025-09-29", "--until", DAY,
                 "--api-url", api.url, "--rate", "1000", "--timeout", "2"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "fetch: 5 day(s) asked: 5 new, 0 updated, 0 unchanged, 0 empty, 0 failed\n"
    assert "[2/5] 2025-09-30: new, 50 paper(s)" in err
    assert "warning: 2025-09-30: 50 papers, the API's page limit; the list may be cut short" in err

    api.fail("2025-10-01", "500", "500")
    api.bodies["2025-10-02"] = b"[]"  # stored papers stay
    code = main(["--root", str(tmp_path), "fetch", "--since", "2025-09-29", "--until", "2025-10-04",
                 "--api-url", api.url, "--rate", "1000", "--timeout", "2", "--retries", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == "fetch: 6 day(s) asked: 0 new, 0 updated, 3 unchanged, 2 empty, 1 failed\n"
    assert "2025-10-01: failed: the API answered HTTP 500 (2 tries)" in err
    assert "2025-10-02: empty response, stored papers kept" in err
    assert "2025-10-04: empty (the API lists no papers for this day)" in err


def test_cli_default_run_uses_the_refresh_window(api: FakeAPI, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(tmp_path), "fetch", "--api-url", api.url, "--rate", "1000", "--refresh-days", "2"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("fetch: 3 day(s) asked: ")
    assert api.count() == 3
    today = dt.datetime.now(dt.UTC).date()
    assert {r.date for r in api.requests} == {(today - dt.timedelta(days=n)).isoformat() for n in range(3)}


def test_cli_bad_option_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(tmp_path), "fetch", "--until", "2025-01-01"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == "dailypapers: --until needs --since (the first day of the backfill)\n"


def test_fetch_command_progress_lines_when_not_a_terminal(api: FakeAPI, project: Project,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert fetch_command(project, fast_options(api, ["2025-01-13", "2025-01-22"])) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == ["[1/2] 2025-01-13: new, 5 paper(s)", "[2/2] 2025-01-22: new, 13 paper(s)"]
    assert out == "fetch: 2 day(s) asked: 2 new, 0 updated, 0 unchanged, 0 empty, 0 failed\n"


def test_progress_bar_on_a_terminal_keeps_failures_and_warnings_visible() -> None:
    import io

    from generator.fetch import Progress
    from generator.merge import DayOutcome

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
