"""merge.py: storing a day again adds and updates but never drops, and writes are atomic and locked."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_api import fixture_days, fixtures_dir

from generator.core.errors import UserError
from generator.core.project import Project
from generator.ingest.merge import project_lock, store_entries, store_failure, store_response
from generator.store.check import parse_snapshot
from generator.store.files import snapshot_path

T1 = dt.datetime(2026, 6, 5, 8, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 6, 5, 9, 30, tzinfo=dt.UTC)
T3 = dt.datetime(2026, 6, 6, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2025, 9, 8)


def _path(store: Project, day: dt.date = DAY) -> Path:
    return snapshot_path(store.snapshots_dir, day)


def _load(store: Project, day: dt.date = DAY) -> dict[str, Any]:
    data, problems = parse_snapshot(_path(store, day), day)
    assert problems == []
    return data


def _entry(pid: str, upvotes: int = 1, **paper: Any) -> dict[str, Any]:
    return {"paper": {"id": pid, "title": f"Paper {pid}", "upvotes": upvotes, **paper}, "numComments": 0}


def _body(*entries: dict[str, Any]) -> bytes:
    return json.dumps(list(entries)).encode()


def test_new_day_is_stored_with_its_times(store: Project) -> None:
    outcome = store_response(store, DAY, _body(_entry("2509.00001", 3), _entry("2509.00002", 7)), T1)
    assert outcome.kind == "new" and outcome.papers == 2 and outcome.added == 2
    data = _load(store)
    assert list(data) == ["format", "date", "status", "first_fetched", "last_fetched", "papers"]
    assert data["status"] == "listed"
    assert data["first_fetched"] == data["last_fetched"] == "2026-06-05T08:00:00Z"
    assert [p["id"] for p in data["papers"]] == ["2509.00002", "2509.00001"], "most upvotes first"
    assert all(p["first_seen"] == p["last_updated"] == "2026-06-05T08:00:00Z" for p in data["papers"])


@pytest.mark.parametrize("path", fixture_days(), ids=lambda p: p.name)
def test_storing_the_same_response_twice_changes_no_byte(store: Project, path: Path) -> None:
    day = dt.date.fromisoformat(path.name[:10])
    first = store_response(store, day, path.read_bytes(), T1)
    assert first.kind == "new"
    stored = _path(store, day).read_bytes()
    again = store_response(store, day, path.read_bytes(), T2)
    assert again.kind == "unchanged"
    assert _path(store, day).read_bytes() == stored


def test_ties_are_ordered_by_id(store: Project) -> None:
    body = _body(_entry("2509.00009", 2), _entry("2509.00001", 2), _entry("2509.00005", 4))
    store_response(store, DAY, body, T1)
    assert [p["id"] for p in _load(store)["papers"]] == ["2509.00005", "2509.00001", "2509.00009"]


def test_changed_counts_update_only_that_paper(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 3), _entry("2509.00002", 7)), T1)
    outcome = store_response(store, DAY, _body(_entry("2509.00001", 9), _entry("2509.00002", 7)), T2)
    assert outcome.kind == "updated" and outcome.changed == 1 and outcome.added == 0
    data = _load(store)
    by_id = {p["id"]: p for p in data["papers"]}
    assert by_id["2509.00001"]["upvotes"] == 9
    assert by_id["2509.00001"]["last_updated"] == "2026-06-05T09:30:00Z"
    assert by_id["2509.00001"]["first_seen"] == "2026-06-05T08:00:00Z"
    assert by_id["2509.00002"]["last_updated"] == "2026-06-05T08:00:00Z"
    assert [p["id"] for p in data["papers"]] == ["2509.00001", "2509.00002"], "re-ordered by upvotes"
    assert data["first_fetched"] == "2026-06-05T08:00:00Z"
    assert data["last_fetched"] == "2026-06-05T09:30:00Z"


def test_a_paper_missing_later_is_kept_then_cleared_when_back(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 3), _entry("2509.00002", 7)), T1)
    outcome = store_response(store, DAY, _body(_entry("2509.00002", 8)), T2)
    assert outcome.missing == 1 and outcome.papers == 2
    gone = {p["id"]: p for p in _load(store)["papers"]}["2509.00001"]
    assert gone["missing_since"] == "2026-06-05T09:30:00Z"
    assert gone["upvotes"] == 3 and gone["first_seen"] == "2026-06-05T08:00:00Z"
    store_response(store, DAY, _body(_entry("2509.00002", 8)), T3)
    still = {p["id"]: p for p in _load(store)["papers"]}["2509.00001"]
    assert still["missing_since"] == "2026-06-05T09:30:00Z", "the first time it went missing"
    store_response(store, DAY, _body(_entry("2509.00001", 4), _entry("2509.00002", 8)), T3)
    back = {p["id"]: p for p in _load(store)["papers"]}["2509.00001"]
    assert "missing_since" not in back and back["upvotes"] == 4
    assert back["last_updated"] == "2026-06-06T09:30:00Z"


def test_fields_the_response_lacks_are_kept(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 3, githubRepo="https://github.com/a/b")), T1)
    store_response(store, DAY, _body(_entry("2509.00001", 3)), T2)
    assert _load(store)["papers"][0]["github_repo"] == "https://github.com/a/b"


def test_a_new_field_goes_to_its_place_in_the_key_order(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 3)), T1)
    store_response(store, DAY, _body(_entry("2509.00001", 3, githubRepo="https://github.com/a/b")), T2)
    keys = list(_load(store)["papers"][0])
    assert keys.index("github_repo") == keys.index("comments") + 1


@pytest.mark.parametrize("day", ["2024-06-12", "2025-01-22"])
def test_partial_then_complete_revisions_lose_nothing(store: Project, day: str) -> None:
    folder = fixtures_dir()
    partial = folder / "revisions" / f"{day}.partial.json"
    complete = folder / "days" / f"{day}.json"
    date = dt.date.fromisoformat(day)
    assert store_response(store, date, partial.read_bytes(), T1).kind == "new"
    assert store_response(store, date, complete.read_bytes(), T2).kind == "updated"
    data = _load(store, date)
    ids = [e["paper"]["id"] for e in json.loads(complete.read_bytes())]
    early = {e["paper"]["id"] for e in json.loads(partial.read_bytes())}
    stored = {p["id"]: p for p in data["papers"]}
    assert set(stored) == set(ids)
    assert all("missing_since" not in p for p in stored.values())
    assert all(stored[i]["first_seen"] == "2026-06-05T08:00:00Z" for i in early)
    assert all(stored[i]["first_seen"] == "2026-06-05T09:30:00Z" for i in set(ids) - early)
    upvotes = {e["paper"]["id"]: e["paper"]["upvotes"] for e in json.loads(complete.read_bytes())}
    assert {i: p["upvotes"] for i, p in stored.items()} == upvotes


def test_complete_then_partial_keeps_every_paper(store: Project) -> None:
    folder = fixtures_dir()
    date = dt.date(2024, 6, 12)
    store_response(store, date, (folder / "days" / "2024-06-12.json").read_bytes(), T1)
    store_response(store, date, (folder / "revisions" / "2024-06-12.partial.json").read_bytes(), T2)
    papers = _load(store, date)["papers"]
    assert len(papers) == 16
    assert sorted(p["id"] for p in papers if "missing_since" in p) == ["2406.07188", "2406.07520"]


def test_maintainer_comments_survive_a_refetch(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 3), _entry("2509.00002", 7)), T1)
    path = _path(store)
    text = path.read_text()
    text = "# Checked by hand: the 2509.00002 title is right.\n" + text
    text = text.replace("    upvotes: 3\n", "    upvotes: 3  # was 2 on the site\n")
    path.write_text(text)
    outcome = store_response(store, DAY, _body(_entry("2509.00001", 3), _entry("2509.00002", 8)), T2)
    assert outcome.kind == "updated"
    after = path.read_text()
    assert after.startswith("# Checked by hand: the 2509.00002 title is right.\n")
    assert "    upvotes: 3  # was 2 on the site\n" in after
    assert "    upvotes: 8\n" in after
    assert store_response(store, DAY, _body(_entry("2509.00001", 3), _entry("2509.00002", 8)), T3).kind == (
        "unchanged"
    )
    assert path.read_text() == after


def test_empty_list_for_a_new_day_is_status_empty(store: Project) -> None:
    outcome = store_response(store, DAY, b"[]", T1)
    assert outcome.kind == "empty"
    data = _load(store)
    assert data["status"] == "empty" and data["papers"] == []
    assert store_response(store, DAY, b"[]", T2).kind == "empty"
    assert _load(store) == data


def test_empty_list_after_papers_keeps_them_listed(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 3)), T1)
    outcome = store_response(store, DAY, b"[]", T2)
    assert outcome.kind == "empty" and outcome.papers == 1
    data = _load(store)
    assert data["status"] == "listed"
    assert data["papers"][0]["missing_since"] == "2026-06-05T09:30:00Z"


def test_empty_day_that_later_lists_papers_becomes_listed(store: Project) -> None:
    store_response(store, DAY, b"[]", T1)
    assert store_response(store, DAY, _body(_entry("2509.00001")), T2).kind == "new"
    assert _load(store)["status"] == "listed"


def test_failed_fetch_of_a_new_day_writes_status_failed(store: Project) -> None:
    outcome = store_failure(store, DAY, "the API answered HTTP 503 (5 tries)", T1)
    assert outcome.kind == "failed"
    data = _load(store)
    assert data["status"] == "failed" and data["error"] == "the API answered HTTP 503 (5 tries)"
    assert data["papers"] == []
    before = _path(store).read_bytes()
    store_failure(store, DAY, "something else", T2)
    assert _path(store).read_bytes() == before, "a failed day that fails again is left alone"
    assert store_response(store, DAY, _body(_entry("2509.00001")), T3).kind == "new"
    data = _load(store)
    assert data["status"] == "listed" and "error" not in data


def test_failed_fetch_of_a_stored_day_changes_no_byte(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001")), T1)
    before = _path(store).read_bytes()
    assert store_failure(store, DAY, "timeout", T2).kind == "failed"
    assert _path(store).read_bytes() == before


@pytest.mark.parametrize("name", ["2024-12-12.python-repr.json", "2025-01-11.no-data-wrapper.json"])
def test_bad_response_leaves_stored_data_byte_identical(store: Project, name: str) -> None:
    date = dt.date.fromisoformat(name[:10])
    store_response(store, date, _body(_entry("2412.00001")), T1)
    before = _path(store, date).read_bytes()
    bad = (fixtures_dir() / "bad" / name).read_bytes()
    for record in (False, True):
        outcome = store_response(store, date, bad, T2, record_failure=record)
        assert outcome.kind == "failed"
        assert "\n" not in outcome.describe() and outcome.describe().startswith(f"{name[:10]}: failed: ")
        assert _path(store, date).read_bytes() == before


def test_bad_response_for_a_new_day_records_failure_only_when_asked(store: Project) -> None:
    assert store_response(store, DAY, b"{}", T1).kind == "failed"
    assert not _path(store).exists()
    assert store_response(store, DAY, b"{}", T1, record_failure=True).kind == "failed"
    assert "got an object" in _load(store)["error"]


def test_a_broken_stored_snapshot_is_not_overwritten(store: Project) -> None:
    path = _path(store)
    path.parent.mkdir(parents=True)
    path.write_text("format: 1\npapers: [unclosed\n")
    outcome = store_response(store, DAY, _body(_entry("2509.00001")), T1)
    assert outcome.kind == "failed" and outcome.error.startswith(f"the stored {path.name} cannot be read (")
    assert outcome.describe().startswith(f"{DAY}: failed: the stored"), "the day is named once"
    assert path.read_text() == "format: 1\npapers: [unclosed\n"
    path.write_text("format: 1\ndate: '2025-09-08'\nstatus: listed\npapers:\n  - id: x\n")
    outcome = store_response(store, DAY, _body(_entry("2509.00001")), T1)
    assert outcome.kind == "failed" and outcome.error.startswith("not stored, the result would be invalid: ")
    assert path.read_text().endswith("  - id: x\n")


def test_a_failure_that_cannot_be_recorded_says_both_in_one_line(store: Project) -> None:
    year = _path(store).parent
    year.parent.mkdir(parents=True, exist_ok=True)
    year.write_text("a file where the year's folder belongs\n")
    outcome = store_failure(store, DAY, "the API answered HTTP 503\n(5 tries)", T1)
    assert outcome.kind == "failed"
    assert outcome.error.startswith(f"the API answered HTTP 503 (5 tries); and cannot write {_path(store)}: ")
    assert "\n" not in outcome.describe() and outcome.describe().count(str(DAY)) == 2  # the line's day, the path's


def test_an_id_with_a_trailing_newline_never_becomes_a_second_paper(store: Project) -> None:
    store_response(store, DAY, _body(_entry("2509.00001", 2)), T1)
    outcome = store_response(store, DAY, _body(_entry("2509.00001\n", 3)), T2)
    assert (outcome.kind, outcome.papers, outcome.added, outcome.changed) == ("updated", 1, 0, 1)
    assert [(p["id"], p["upvotes"]) for p in _load(store)["papers"]] == [("2509.00001", 3)]


def test_entries_and_the_same_saved_body_are_stored_byte_identically(tmp_path: Path) -> None:
    entries = [_entry("2509.00001", 2), _entry("2509.00002", 9)]
    one, two = Project.at(tmp_path / "entries"), Project.at(tmp_path / "body")
    assert store_entries(one, DAY, entries, T1).kind == "new"
    assert store_response(two, DAY, _body(*entries), T1).kind == "new"
    assert _path(one).read_bytes() == _path(two).read_bytes()


def test_a_yaml_error_while_writing_fails_the_day_and_keeps_the_file(
    store: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruamel.yaml.representer import RepresenterError

    import generator.store.write

    store_response(store, DAY, _body(_entry("2509.00001")), T1)
    before = _path(store).read_bytes()

    def dump_round_trip(data: Any) -> str:
        raise RepresenterError("cannot represent an object:\n <object at 0x1>")

    monkeypatch.setattr(generator.store.write, "dump_round_trip", dump_round_trip)
    outcome = store_response(store, DAY, _body(_entry("2509.00001", 5)), T2)
    assert outcome.describe() == (
        "2025-09-08: failed: not stored, it cannot be written as YAML "
        "(cannot represent an object: <object at 0x1>)"
    )
    assert _path(store).read_bytes() == before
    assert [p.name for p in _path(store).parent.iterdir()] == [_path(store).name], "no temporary file left"


def test_second_writer_waits_then_fails_with_one_line(store: Project) -> None:
    with project_lock(store, wait=0):
        started = time.monotonic()
        with pytest.raises(UserError) as caught, project_lock(store, wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    assert "\n" not in str(caught.value) and "another dailypapers fetch or import" in str(caught.value)
    with project_lock(store, wait=0):
        pass  # released


def test_lock_is_held_across_processes(store: Project) -> None:
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from generator.ingest.merge import project_lock
        from generator.core.project import Project
        with project_lock(Project.at(Path({str(store.root)!r})), wait=0):
            print("locked", flush=True)
            time.sleep(30)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        with pytest.raises(UserError), project_lock(store, wait=0.1):
            pass
    finally:
        child.kill()
        child.wait()
    with project_lock(store, wait=2):
        pass  # the kernel let go of the dead holder's lock


def _big_snapshot(marker: str, papers: int = 150) -> bytes:
    data = {
        "format": 1, "date": "2025-09-08", "status": "listed",
        "first_fetched": "2026-06-05T08:00:00Z", "last_fetched": "2026-06-05T08:00:00Z",
        "papers": [
            {"id": f"2509.{n:05d}", "title": f"{marker} {n}", "authors": [{"name": "A"}],
             "abstract": (marker + " ") * 4000, "upvotes": 1000 - n, "comments": 0,
             "first_seen": "2026-06-05T08:00:00Z", "last_updated": "2026-06-05T08:00:00Z"}
            for n in range(papers)
        ],
    }
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, width=10**9).encode()


def test_sigkill_while_writing_leaves_the_old_or_the_new_file(store: Project, tmp_path: Path) -> None:
    path = _path(store)
    old, new = _big_snapshot("old"), _big_snapshot("new")
    assert len(old) > 2_000_000
    (tmp_path / "old.yaml").write_bytes(old)
    (tmp_path / "new.yaml").write_bytes(new)
    path.parent.mkdir(parents=True)
    path.write_bytes(old)
    writer = textwrap.dedent(f"""
        from pathlib import Path
        from generator.store.files import atomic_write_bytes
        path = Path({str(path)!r})
        folder = Path({str(tmp_path)!r})
        versions = [(folder / "new.yaml").read_bytes(), (folder / "old.yaml").read_bytes()]
        print("writing", flush=True)
        n = 0
        while True:
            atomic_write_bytes(path, versions[n % 2])
            n += 1
    """)
    seen = set()
    for delay in (0.05, 0.13, 0.21, 0.34):
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        child = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        content = path.read_bytes()
        assert content in (old, new), f"a kill after {delay}s left a broken file of {len(content)} bytes"
        seen.add(content == new)
        data, problems = parse_snapshot(path, DAY)
        assert problems == [] and len(data["papers"]) == 150
    leftovers = [p.name for p in path.parent.iterdir() if p.name != path.name]
    assert all(name.startswith(f".{path.name}.") and name.endswith(".tmp") for name in leftovers)
