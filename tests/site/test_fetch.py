"""fetch.py against a real local HTTP server playing the API: complete days, bounded retries, faults that
never leave a partial or changed snapshot, and the command line's summary and exit codes.

No assertion here depends on how fast the machine is. Pacing, backoff and Retry-After are asserted on
the waits asked of an injected clock (tests/support/fake_clock.py), and a healthy request always has a
deadline no load reaches (HEALTHY_DEADLINE). A server that hangs is ended by the real deadline
(HANG_DEADLINE); a test that sets it sends nothing healthy, or, where it must (a hang, then the retry that
works), sets it far above the few milliseconds a healthy answer from 127.0.0.1 takes. The options alone,
without a server: tests/unit/test_fetch_options.py."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_api import HEALTHY_DEADLINE, FakeAPI, Fault, fast_options, fixed_clock
from support.fake_clock import FakeClock
from support.paths import fixture_days, require_fixtures

import generator.ingest.fetch
from generator.cli import fetch_command, main
from generator.core.errors import UserError
from generator.core.project import Project
from generator.ingest.fetch import DayFetcher, fetch_days, user_agent
from generator.ingest.merge import DayOutcome, project_lock
from generator.store.check import parse_snapshot
from generator.store.files import snapshot_path
from generator.store.snapshots import validate_all

DAY = "2025-10-03"
HANG_DEADLINE = 2.0  # a hang costs this much real time per try


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    server = FakeAPI()
    server.serve_days(require_fixtures() / "days")
    server.start()
    yield server
    server.stop()


def _path(store: Project, day: str = DAY) -> Path:
    return snapshot_path(store.snapshots_dir, dt.date.fromisoformat(day))


def _ids(body: bytes) -> list[str]:
    return [e["paper"]["id"] for e in json.loads(body)]


def test_every_fixture_day_arrives_complete_over_http(api: FakeAPI, store: Project) -> None:
    days = [p.name[:10] for p in fixture_days()]
    outcomes = fetch_days(store, fast_options(api, days))
    assert [o.kind for o in outcomes] == ["new"] * len(days)
    fifty = sum(1 for path in fixture_days() if len(json.loads(path.read_bytes())) == 50)
    assert api.count() == len(days) + fifty, "no retries; a day of exactly 50 asks for one more page"
    for path in fixture_days():
        data, problems = parse_snapshot(_path(store, path.name[:10]))
        assert problems == []
        assert sorted(p["id"] for p in data["papers"]) == sorted(_ids(path.read_bytes()))
    assert validate_all(store.snapshots_dir) == []


def test_fetching_twice_is_byte_identical(api: FakeAPI, store: Project) -> None:
    days = ["2024-05-27", "2025-09-30", DAY, "2026-06-04"]
    fetch_days(store, fast_options(api, days))
    before = {d: _path(store, d).read_bytes() for d in days}
    later = fast_options(api, days, clock=fixed_clock("2026-06-07T00:00:00Z"))
    assert [o.kind for o in fetch_days(store, later)] == ["unchanged"] * 4
    assert {d: _path(store, d).read_bytes() for d in days} == before


@pytest.mark.parametrize(
    "faults",
    [
        ["500"], ["503", "503"], ["502"], ["reset"], ["truncate"], ["hang"],
        [Fault("429", retry_after="0")], ["reset", "500", "truncate"],
    ],
    ids=lambda f: "+".join(x if isinstance(x, str) else f"{x.kind}" for x in f),
)
def test_transient_faults_are_retried_until_the_day_arrives(
    api: FakeAPI, store: Project, faults: list
) -> None:
    api.fail(DAY, *faults)
    deadline = HANG_DEADLINE if "hang" in faults else HEALTHY_DEADLINE  # the retry after a hang is healthy
    (outcome,) = fetch_days(store, fast_options(api, [DAY], timeout=deadline))
    assert outcome.kind == "new"
    assert api.count(DAY) == len(faults) + 1
    data, _ = parse_snapshot(_path(store))
    assert sorted(p["id"] for p in data["papers"]) == sorted(_ids(api.bodies[DAY]))


def test_retry_after_seconds_is_honoured(api: FakeAPI, store: Project) -> None:
    clock = FakeClock()
    api.fail(DAY, Fault("429", retry_after="1"), Fault("503", retry_after="2"))
    options = fast_options(api, [DAY], monotonic=clock.monotonic, sleep=clock.sleep)
    assert fetch_days(store, options)[0].kind == "new"
    assert clock.slept == [1.0, 2.0], "each retry waits what its Retry-After asked, not a backoff"
    assert api.count(DAY) == 3


def test_retry_after_http_date_and_cap(api: FakeAPI) -> None:
    options = fast_options(api, [DAY], clock=fixed_clock("2026-06-05T12:00:00Z"), retry_after_cap=30)
    fetcher = DayFetcher(None, options)  # type: ignore[arg-type]
    assert fetcher._retry_after("Fri, 05 Jun 2026 12:00:07 GMT") == 7
    assert fetcher._retry_after("3600") == 30
    assert fetcher._retry_after("Thu, 04 Jun 2026 12:00:00 GMT") == 0
    assert fetcher._retry_after("soon") is None
    assert fetcher._retry_after("nan") is None
    assert fetcher._retry_after(None) is None


def test_backoff_grows_with_jitter_and_is_capped(api: FakeAPI) -> None:
    fetcher = DayFetcher(None, fast_options(api, [DAY], backoff=1.0, backoff_cap=8.0))  # type: ignore[arg-type]
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 8)]:
        delays = {fetcher._backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1, "jitter"


@pytest.mark.parametrize("kind", ["500", "503", "429", "reset", "truncate", "truncate-close", "hang"])
def test_a_persistent_fault_is_bounded_and_changes_no_stored_byte(
    api: FakeAPI, store: Project, kind: str
) -> None:
    fetch_days(store, fast_options(api, [DAY]))
    before = _path(store).read_bytes()
    api.always[DAY] = Fault(kind, retry_after="0" if kind == "429" else None)
    deadline = HANG_DEADLINE if kind == "hang" else HEALTHY_DEADLINE  # a late answer would be a timeout
    (outcome,) = fetch_days(store, fast_options(api, [DAY], retries=2, timeout=deadline))
    assert outcome.kind == "failed"
    assert "\n" not in outcome.describe()
    expected_tries = 1 if kind == "truncate-close" else 3  # a complete HTTP answer holding bad JSON is final
    assert api.count(DAY) == 1 + expected_tries
    assert _path(store).read_bytes() == before
    assert [p.name for p in _path(store).parent.iterdir()] == [_path(store).name], "no partial file"


def test_a_persistent_fault_on_a_new_day_records_status_failed(api: FakeAPI, store: Project) -> None:
    api.always[DAY] = Fault("503")
    (outcome,) = fetch_days(store, fast_options(api, [DAY], retries=1))
    assert outcome.error == "the API answered HTTP 503 (2 tries)"
    data, problems = parse_snapshot(_path(store))
    assert problems == [] and data["status"] == "failed" and data["error"] == outcome.error
    assert data["papers"] == []


def test_client_errors_are_not_retried(api: FakeAPI, store: Project) -> None:
    api.always[DAY] = Fault("404")
    (outcome,) = fetch_days(store, fast_options(api, [DAY]))
    assert outcome.kind == "failed" and api.count(DAY) == 1
    assert outcome.error == "the API answered HTTP 404"


def test_one_failing_day_does_not_stop_the_others(api: FakeAPI, store: Project) -> None:
    api.always["2025-10-02"] = Fault("500")
    outcomes = fetch_days(store, fast_options(api, ["2025-10-01", "2025-10-02", DAY], retries=1))
    assert [o.kind for o in outcomes] == ["new", "failed", "new"]


def test_bad_fixture_bodies_fail_the_day_with_one_line(api: FakeAPI, store: Project) -> None:
    for path in sorted((require_fixtures() / "bad").glob("*.json")):
        api.bodies[path.name[:10]] = path.read_bytes()
    outcomes = fetch_days(store, fast_options(api, ["2024-12-12", "2025-01-11"]))
    assert [o.kind for o in outcomes] == ["failed", "failed"]
    assert api.count() == 2, "a bad body is not retried"
    assert outcomes[0].describe().startswith("2024-12-12: failed: entry 0 is a string")
    assert outcomes[1].describe().startswith("2025-01-11: failed: expected a JSON list of papers, got an object")


def test_user_agent_names_the_project(api: FakeAPI, store: Project) -> None:
    fetch_days(store, fast_options(api, [DAY]))
    assert api.requests[0].user_agent == user_agent()
    assert api.requests[0].user_agent.startswith("dailypapers-archive/")


def test_requests_are_paced_to_the_rate(api: FakeAPI, store: Project) -> None:
    """At 10 requests a second each request waits until 0.1 s after the one before; a request that
    comes later than that anyway (here: 0.25 s pass after the second day) waits nothing. The clock
    moves only by the waits and that 0.25 s, so the waits asked for are exact."""
    clock = FakeClock()
    days = ["2025-01-13", "2025-01-22", "2025-03-04", "2025-03-17"]

    def on_day(outcome: DayOutcome) -> None:
        if outcome.day.isoformat() == days[1]:
            clock.advance(0.25)

    options = fast_options(api, days, rate=10, monotonic=clock.monotonic, sleep=clock.sleep)
    assert [o.kind for o in fetch_days(store, options, on_day=on_day)] == ["new"] * 4
    assert api.count() == 4, "one page a day"
    assert clock.slept == pytest.approx([0.1, 0.1]), "a wait before the 2nd and the 4th request"


def test_a_second_run_fails_with_one_line_while_the_lock_is_held(api: FakeAPI, store: Project) -> None:
    with project_lock(store), pytest.raises(UserError) as caught:
        fetch_days(store, fast_options(api, [DAY], lock_wait=0.1))
    assert "another dailypapers fetch or import" in str(caught.value)
    assert api.count() == 0 and not _path(store).exists()


def test_cli_summary_and_exit_code(api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(tmp_path), "fetch", "--since", "2025-09-29", "--until", DAY,
                 "--api-url", api.url, "--rate", "1000", "--timeout", "30"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "fetch: 5 day(s) asked: 5 new, 0 updated, 0 unchanged, 0 empty, 0 failed\n"
    assert "[2/5] 2025-09-30: new, 50 paper(s)" in err
    assert "warning" not in err, "days are fetched whole, page by page: no day is cut short"

    api.fail("2025-10-01", "500", "500")
    api.bodies["2025-10-02"] = b"[]"  # stored papers stay
    code = main(["--root", str(tmp_path), "fetch", "--since", "2025-09-29", "--until", "2025-10-04",
                 "--api-url", api.url, "--rate", "1000", "--timeout", "30", "--retries", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == "fetch: 6 day(s) asked: 0 new, 0 updated, 3 unchanged, 2 empty, 1 failed\n"
    assert "2025-10-01: failed: the API answered HTTP 500 (2 tries)" in err
    assert "2025-10-02: empty response, stored papers kept" in err
    assert "2025-10-04: empty (the API lists no papers for this day)" in err


def test_cli_default_run_uses_the_refresh_window(api: FakeAPI, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    def window() -> set[str]:
        today = dt.datetime.now(dt.UTC).date()
        return {(today - dt.timedelta(days=n)).isoformat() for n in range(3)}

    before = window()  # the run may cross midnight (UTC): then its window is the one after
    code = main(["--root", str(tmp_path), "fetch", "--api-url", api.url, "--rate", "1000", "--refresh-days", "2"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("fetch: 3 day(s) asked: ")
    assert api.count() == 3
    assert {r.date for r in api.requests} in (before, window())


def test_cli_bad_option_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(tmp_path), "fetch", "--until", "2025-01-01"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == "dailypapers: --until needs --since (the first day of the backfill)\n"


def test_fetch_command_progress_lines_when_not_a_terminal(api: FakeAPI, store: Project,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert fetch_command(store, fast_options(api, ["2025-01-13", "2025-01-22"])) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == ["[1/2] 2025-01-13: new, 5 paper(s)", "[2/2] 2025-01-22: new, 13 paper(s)"]
    assert out == "fetch: 2 day(s) asked: 2 new, 0 updated, 0 unchanged, 0 empty, 0 failed\n"


def test_fetch_days_reports_each_day_to_its_callback_and_prints_nothing(
    api: FakeAPI, store: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    heard = []
    outcomes = fetch_days(store, fast_options(api, ["2025-01-13", "2025-01-22"]), on_day=heard.append)
    assert heard == outcomes
    assert [o.describe() for o in heard] == ["2025-01-13: new, 5 paper(s)", "2025-01-22: new, 13 paper(s)"]
    assert capsys.readouterr() == ("", ""), "the library reports through the callback; only the CLI prints"


LONG_DAY = "2025-11-20"


def _made_up_entry(n: int) -> dict:
    """A made-up paper (never fixture data) with id 2511.1nnnn; upvotes fall with n so the order is known."""
    pid = f"2511.1{n:04d}"
    return {"paper": {"id": pid, "title": f"Made-Up Paper Number {n}", "upvotes": 1000 - n,
                      "authors": [{"name": "Ada Placeholder"}], "summary": "Nothing real."},
            "numComments": n % 3}


def _made_up_day(count: int) -> bytes:
    return json.dumps([_made_up_entry(n) for n in range(count)]).encode()


@pytest.mark.parametrize("page_cap", [100, 50], ids=["pages-of-100", "pages-of-50"])
def test_a_long_day_is_fetched_page_by_page_and_stored_whole(
    api: FakeAPI, store: Project, capsys: pytest.CaptureFixture[str], page_cap: int
) -> None:
    api.bodies[LONG_DAY] = _made_up_day(130)
    api.page_cap = page_cap
    code = main(["--root", str(store.root), "fetch", "--date", LONG_DAY, "--api-url", api.url,
                 "--rate", "1000", "--timeout", "30"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == f"[1/1] {LONG_DAY}: new, 130 paper(s)\n"
    assert out == "fetch: 1 day(s) asked: 1 new, 0 updated, 0 unchanged, 0 empty, 0 failed\n"
    data, problems = parse_snapshot(_path(store, LONG_DAY))
    assert problems == []
    assert [p["id"] for p in data["papers"]] == [f"2511.1{n:04d}" for n in range(130)]
    pages = [(r.page, r.limit) for r in api.requests]
    expected = [("0", "100"), ("1", "100")] if page_cap == 100 else [("0", "100"), ("1", "100"), ("2", "100")]
    assert pages == expected


def test_a_page_of_exactly_fifty_asks_for_the_next_page(api: FakeAPI, store: Project) -> None:
    api.bodies[LONG_DAY] = _made_up_day(50)
    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY]))
    assert (outcome.kind, outcome.papers, outcome.warnings) == ("new", 50, ())
    assert [r.page for r in api.requests] == ["0", "1"]


def test_papers_listed_on_two_pages_are_stored_once(api: FakeAPI, store: Project) -> None:
    entries = [_made_up_entry(n) for n in range(100)] + [_made_up_entry(99), _made_up_entry(100)]
    api.bodies[LONG_DAY] = json.dumps(entries).encode()
    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY]))
    assert outcome.kind == "new" and outcome.papers == 101
    assert outcome.warnings == (f"{LONG_DAY}: 2511.10099 is listed twice (entries 99 and 100); keeping the first",)


def test_a_day_whose_later_page_fails_is_never_stored_half(api: FakeAPI, store: Project) -> None:
    api.bodies[LONG_DAY] = _made_up_day(130)
    api.fail(LONG_DAY, "ok", "500", "500")
    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY], retries=1))
    assert outcome.describe() == f"{LONG_DAY}: failed: page 2: the API answered HTTP 500 (2 tries)"
    data, _ = parse_snapshot(_path(store, LONG_DAY))
    assert data["status"] == "failed" and data["papers"] == [], "no half day"

    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY]))  # stored whole once the pages arrive
    assert outcome.kind == "new" and outcome.papers == 130
    before = _path(store, LONG_DAY).read_bytes()
    api.bodies[LONG_DAY] = _made_up_day(131)
    api.fail(LONG_DAY, "ok", "truncate-close")
    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY]))
    assert outcome.describe().startswith(f"{LONG_DAY}: failed: page 2: response is truncated JSON")
    assert _path(store, LONG_DAY).read_bytes() == before


def test_a_day_longer_than_the_page_bound_fails_whole(api: FakeAPI, store: Project) -> None:
    api.bodies[LONG_DAY] = json.dumps([{"paper": {"id": f"2511.{n:05d}", "title": "T"}} for n in range(2001)]).encode()
    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY]))
    assert outcome.describe() == f"{LONG_DAY}: failed: the list goes on past 20 pages of 100 papers"
    assert api.count() == 20


def test_a_server_that_ignores_the_page_number_fails_the_day_after_two_requests(api: FakeAPI,
                                                                                  store: Project) -> None:
    api.bodies[LONG_DAY] = _made_up_day(130)
    api.ignores_page = True
    (outcome,) = fetch_days(store, fast_options(api, [LONG_DAY]))
    assert outcome.describe() == (f"{LONG_DAY}: failed: page 2 repeats page 1: the API ignores the page "
                                  "number, so the day cannot be read whole")
    assert api.count() == 2
    data, _ = parse_snapshot(_path(store, LONG_DAY))
    assert data["status"] == "failed" and data["papers"] == [], "never the first 100 as if they were all"


BEFORE, AFTER = "2025-10-02", "2025-10-03"
HUGE_INT = b'[{"paper": {"id": "2510.00001", "title": "T", "upvotes": ' + b"9" * 5000 + b"}}]"


@pytest.fixture
def elsewhere() -> Iterator[FakeAPI]:
    """Another host (another port) a hostile redirect points at; it must never be asked."""
    server = FakeAPI()
    server.serve_days(require_fixtures() / "days")
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("fault", "body", "line"),
    [
        ("gzip-lies", None, "the response says it is gzip-encoded, but it is not (Error -3 while decompressing"),
        ("gzip-of-gzip", None, "response is not UTF-8 text (byte 1)"),
        ("gzip-bomb", None, "the response is more than 20,971,520 bytes once decoded"),
        ("gzip-bomb-twice", None, "the response is more than 20,971,520 bytes once decoded"),
        ("redirect-loop", None, "more than 5 redirects (a redirect loop?); last to http://127.0.0.1:"),
        ("redirect-away", None, "the API redirected to another host (http://127.0.0.1:"),
        (None, HUGE_INT, "response JSON holds a number of more than 4300 digits"),
        (None, b'[{"paper": {"id": "2510.00001", "title": "T", "upvotes": 1e400}}]',
         "entry 0 (2510.00001): paper.upvotes should be a whole number, not inf"),
        (None, b'[{"paper": {"id": "2510.00001", "title": "T", "upvotes": ' + b"9" * 4000 + b"}}]",
         "entry 0 (2510.00001): paper.upvotes is 4000 digits long, too large to be a count"),
        (None, b'[{"paper": {"id": "2510.00001\\nv2", "title": "T"}}]',
         "entry 0 (no id): paper.id '2510.00001\\nv2' is not an arXiv id"),
    ],
    ids=["gzip-that-is-plain", "gzip-of-gzip", "gzip-bomb", "gzip-bomb-in-gzip",
         "redirect-loop", "redirect-to-another-host", "int-over-4300-digits", "infinite-count",
         "count-too-large", "id-with-newline-inside"],
)
def test_a_hostile_response_fails_that_day_alone_with_one_line(
    api: FakeAPI, elsewhere: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    fault: str | None, body: bytes | None, line: str,
) -> None:
    store = Project.at(tmp_path)
    fetch_days(store, fast_options(api, [BEFORE]))
    stored = _path(store, BEFORE).read_bytes()
    if fault is not None:
        api.always[BEFORE] = Fault(fault, location=f"{elsewhere.url}?date={BEFORE}")
    else:
        api.bodies[BEFORE] = body
    code = main(["--root", str(tmp_path), "fetch", "--since", BEFORE, "--until", AFTER, "--api-url", api.url,
                 "--rate", "1000", "--timeout", "30", "--retries", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert lines[0].startswith(f"[1/2] {BEFORE}: failed: {line}"), lines[0]
    assert lines[1].startswith(f"[2/2] {AFTER}: new, 39 paper(s)")
    assert out == "fetch: 2 day(s) asked: 1 new, 0 updated, 0 unchanged, 0 empty, 1 failed\n"
    assert _path(store, BEFORE).read_bytes() == stored, "the stored day is byte-identical"
    assert elsewhere.count() == 0, "nothing is asked of another host"


def test_a_new_day_with_a_hostile_response_records_only_the_failure(api: FakeAPI, store: Project) -> None:
    api.always[BEFORE] = Fault("gzip-bomb-twice")
    (outcome,) = fetch_days(store, fast_options(api, [BEFORE]))
    data, problems = parse_snapshot(_path(store, BEFORE))
    assert problems == [] and data["status"] == "failed" and data["papers"] == []
    assert data["error"] == outcome.error == "the response is more than 20,971,520 bytes once decoded"
    assert api.count(BEFORE) == 1, "a body past the cap is not retried"


@pytest.mark.parametrize("kind", ["gzip", "redirect"])
def test_gzip_and_redirects_within_the_api_are_followed(api: FakeAPI, store: Project, kind: str) -> None:
    api.fail(AFTER, kind)
    (outcome,) = fetch_days(store, fast_options(api, [AFTER]))
    assert outcome.kind == "new" and outcome.papers == 39
    data, _ = parse_snapshot(_path(store, AFTER))
    assert sorted(p["id"] for p in data["papers"]) == sorted(_ids(api.bodies[AFTER]))
    if kind == "redirect":
        assert [r.path for r in api.requests] == ["/api/daily_papers", "/moved"]


def test_an_unexpected_error_fails_one_day_with_one_line(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = generator.ingest.fetch.store_entries

    def store_entries(store: Project, day: dt.date, *args: object, **kwargs: object):
        if day.isoformat() == BEFORE:
            raise RuntimeError("a bug nobody foresaw\nspanning lines")
        return real(store, day, *args, **kwargs)

    monkeypatch.setattr(generator.ingest.fetch, "store_entries", store_entries)
    code = main(["--root", str(tmp_path), "fetch", "--since", BEFORE, "--until", AFTER, "--api-url", api.url,
                 "--rate", "1000"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert err.splitlines() == [
        f"[1/2] {BEFORE}: failed: unexpected error (RuntimeError: a bug nobody foresaw spanning lines)",
        f"[2/2] {AFTER}: new, 39 paper(s)",
    ]
    assert not _path(Project.at(tmp_path), BEFORE).exists()


def test_a_trickled_answer_ends_by_the_deadline_on_every_try(api: FakeAPI, store: Project) -> None:
    """Headers trickled a byte a millisecond keep every socket read short, so only the deadline on the
    whole try ends one; and it ends each of the three, then the next day is fetched as usual.

    The deadline is measured on a clock that moves 0.3 s at each look (each socket operation looks
    once): a try gets about 100 operations whatever the machine's speed. A healthy answer needs about
    a dozen. The trickled headers are 100 KB, minutes at a byte a millisecond: without the deadline
    the day would arrive whole after them, and 100 reads of the byte or few each finds come nowhere
    near."""
    api.always[BEFORE] = Fault("trickle-headers", interval=0.001)
    clock = FakeClock(tick=0.3)
    options = fast_options(api, [BEFORE, AFTER], retries=2, monotonic=clock.monotonic, sleep=clock.sleep)
    trickled, after = fetch_days(store, options)
    assert trickled.describe() == f"{BEFORE}: failed: no complete response within {HEALTHY_DEADLINE:g} s (3 tries)"
    assert api.count(BEFORE) == 3 and len(clock.slept) == 2, "three tries, a backoff between them"
    assert (after.kind, after.papers) == ("new", 39), "the trickle fails its day alone"
