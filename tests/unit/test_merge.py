"""merge.py: storing a day again adds and updates but never drops, and writes are atomic and locked.

The real API responses and other processes: tests/site/test_merge_site.py."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from support.stored_days import DAY, T1, T2, api_body, api_entry, day_path, load_day

from generator.core.errors import UserError
from generator.core.project import Project
from generator.ingest.merge import project_lock, store_entries, store_failure, store_response

T3 = dt.datetime(2026, 6, 6, 9, 30, tzinfo=dt.UTC)


def test_new_day_is_stored_with_its_times(store: Project) -> None:
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001", 3), api_entry("2509.00002", 7)), T1)
    assert outcome.kind == "new" and outcome.papers == 2 and outcome.added == 2
    data = load_day(store)
    assert list(data) == ["format", "date", "status", "first_fetched", "last_fetched", "papers"]
    assert data["status"] == "listed"
    assert data["first_fetched"] == data["last_fetched"] == "2026-06-05T08:00:00Z"
    assert [p["id"] for p in data["papers"]] == ["2509.00002", "2509.00001"], "most upvotes first"
    assert all(p["first_seen"] == p["last_updated"] == "2026-06-05T08:00:00Z" for p in data["papers"])


def test_ties_are_ordered_by_id(store: Project) -> None:
    body = api_body(api_entry("2509.00009", 2), api_entry("2509.00001", 2), api_entry("2509.00005", 4))
    store_response(store, DAY, body, T1)
    assert [p["id"] for p in load_day(store)["papers"]] == ["2509.00005", "2509.00001", "2509.00009"]


def test_changed_counts_update_only_that_paper(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 3), api_entry("2509.00002", 7)), T1)
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001", 9), api_entry("2509.00002", 7)), T2)
    assert outcome.kind == "updated" and outcome.changed == 1 and outcome.added == 0
    data = load_day(store)
    by_id = {p["id"]: p for p in data["papers"]}
    assert by_id["2509.00001"]["upvotes"] == 9
    assert by_id["2509.00001"]["last_updated"] == "2026-06-05T09:30:00Z"
    assert by_id["2509.00001"]["first_seen"] == "2026-06-05T08:00:00Z"
    assert by_id["2509.00002"]["last_updated"] == "2026-06-05T08:00:00Z"
    assert [p["id"] for p in data["papers"]] == ["2509.00001", "2509.00002"], "re-ordered by upvotes"
    assert data["first_fetched"] == "2026-06-05T08:00:00Z"
    assert data["last_fetched"] == "2026-06-05T09:30:00Z"


def test_a_paper_missing_later_is_kept_then_cleared_when_back(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 3), api_entry("2509.00002", 7)), T1)
    outcome = store_response(store, DAY, api_body(api_entry("2509.00002", 8)), T2)
    assert outcome.missing == 1 and outcome.papers == 2
    gone = {p["id"]: p for p in load_day(store)["papers"]}["2509.00001"]
    assert gone["missing_since"] == "2026-06-05T09:30:00Z"
    assert gone["upvotes"] == 3 and gone["first_seen"] == "2026-06-05T08:00:00Z"
    store_response(store, DAY, api_body(api_entry("2509.00002", 8)), T3)
    still = {p["id"]: p for p in load_day(store)["papers"]}["2509.00001"]
    assert still["missing_since"] == "2026-06-05T09:30:00Z", "the first time it went missing"
    store_response(store, DAY, api_body(api_entry("2509.00001", 4), api_entry("2509.00002", 8)), T3)
    back = {p["id"]: p for p in load_day(store)["papers"]}["2509.00001"]
    assert "missing_since" not in back and back["upvotes"] == 4
    assert back["last_updated"] == "2026-06-06T09:30:00Z"


def test_fields_the_response_lacks_are_kept(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 3, githubRepo="https://github.com/a/b")), T1)
    store_response(store, DAY, api_body(api_entry("2509.00001", 3)), T2)
    assert load_day(store)["papers"][0]["github_repo"] == "https://github.com/a/b"


def test_a_new_field_goes_to_its_place_in_the_key_order(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 3)), T1)
    store_response(store, DAY, api_body(api_entry("2509.00001", 3, githubRepo="https://github.com/a/b")), T2)
    keys = list(load_day(store)["papers"][0])
    assert keys.index("github_repo") == keys.index("comments") + 1


def test_maintainer_comments_survive_a_refetch(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 3), api_entry("2509.00002", 7)), T1)
    path = day_path(store)
    text = path.read_text()
    text = "# Checked by hand: the 2509.00002 title is right.\n" + text
    text = text.replace("    upvotes: 3\n", "    upvotes: 3  # was 2 on the site\n")
    path.write_text(text)
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001", 3), api_entry("2509.00002", 8)), T2)
    assert outcome.kind == "updated"
    after = path.read_text()
    assert after.startswith("# Checked by hand: the 2509.00002 title is right.\n")
    assert "    upvotes: 3  # was 2 on the site\n" in after
    assert "    upvotes: 8\n" in after
    assert store_response(store, DAY, api_body(api_entry("2509.00001", 3), api_entry("2509.00002", 8)), T3).kind == (
        "unchanged"
    )
    assert path.read_text() == after


def test_empty_list_for_a_new_day_is_status_empty(store: Project) -> None:
    outcome = store_response(store, DAY, b"[]", T1)
    assert outcome.kind == "empty"
    data = load_day(store)
    assert data["status"] == "empty" and data["papers"] == []
    assert store_response(store, DAY, b"[]", T2).kind == "empty"
    assert load_day(store) == data


def test_empty_list_after_papers_keeps_them_listed(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 3)), T1)
    outcome = store_response(store, DAY, b"[]", T2)
    assert outcome.kind == "empty" and outcome.papers == 1
    data = load_day(store)
    assert data["status"] == "listed"
    assert data["papers"][0]["missing_since"] == "2026-06-05T09:30:00Z"


def test_empty_day_that_later_lists_papers_becomes_listed(store: Project) -> None:
    store_response(store, DAY, b"[]", T1)
    assert store_response(store, DAY, api_body(api_entry("2509.00001")), T2).kind == "new"
    assert load_day(store)["status"] == "listed"


def test_failed_fetch_of_a_new_day_writes_status_failed(store: Project) -> None:
    outcome = store_failure(store, DAY, "the API answered HTTP 503 (5 tries)", T1)
    assert outcome.kind == "failed"
    data = load_day(store)
    assert data["status"] == "failed" and data["error"] == "the API answered HTTP 503 (5 tries)"
    assert data["papers"] == []
    before = day_path(store).read_bytes()
    store_failure(store, DAY, "something else", T2)
    assert day_path(store).read_bytes() == before, "a failed day that fails again is left alone"
    assert store_response(store, DAY, api_body(api_entry("2509.00001")), T3).kind == "new"
    data = load_day(store)
    assert data["status"] == "listed" and "error" not in data


def test_failed_fetch_of_a_stored_day_changes_no_byte(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001")), T1)
    before = day_path(store).read_bytes()
    assert store_failure(store, DAY, "timeout", T2).kind == "failed"
    assert day_path(store).read_bytes() == before


def test_bad_response_for_a_new_day_records_failure_only_when_asked(store: Project) -> None:
    assert store_response(store, DAY, b"{}", T1).kind == "failed"
    assert not day_path(store).exists()
    assert store_response(store, DAY, b"{}", T1, record_failure=True).kind == "failed"
    assert "got an object" in load_day(store)["error"]


def test_a_broken_stored_snapshot_is_not_overwritten(store: Project) -> None:
    path = day_path(store)
    path.parent.mkdir(parents=True)
    path.write_text("format: 1\npapers: [unclosed\n")
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001")), T1)
    assert outcome.kind == "failed" and outcome.error.startswith(f"the stored {path.name} cannot be read (")
    assert outcome.describe().startswith(f"{DAY}: failed: the stored"), "the day is named once"
    assert path.read_text() == "format: 1\npapers: [unclosed\n"
    path.write_text("format: 1\ndate: '2025-09-08'\nstatus: listed\npapers:\n  - id: x\n")
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001")), T1)
    assert outcome.kind == "failed" and outcome.error.startswith("not stored, the result would be invalid: ")
    assert path.read_text().endswith("  - id: x\n")


def test_a_failure_that_cannot_be_recorded_says_both_in_one_line(store: Project) -> None:
    year = day_path(store).parent
    year.parent.mkdir(parents=True, exist_ok=True)
    year.write_text("a file where the year's folder belongs\n")
    outcome = store_failure(store, DAY, "the API answered HTTP 503\n(5 tries)", T1)
    assert outcome.kind == "failed"
    assert outcome.error.startswith(f"the API answered HTTP 503 (5 tries); and cannot write {day_path(store)}: ")
    assert "\n" not in outcome.describe() and outcome.describe().count(str(DAY)) == 2  # the line's day, the path's


def test_an_id_with_a_trailing_newline_never_becomes_a_second_paper(store: Project) -> None:
    store_response(store, DAY, api_body(api_entry("2509.00001", 2)), T1)
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001\n", 3)), T2)
    assert (outcome.kind, outcome.papers, outcome.added, outcome.changed) == ("updated", 1, 0, 1)
    assert [(p["id"], p["upvotes"]) for p in load_day(store)["papers"]] == [("2509.00001", 3)]


def test_entries_and_the_same_saved_body_are_stored_byte_identically(tmp_path: Path) -> None:
    entries = [api_entry("2509.00001", 2), api_entry("2509.00002", 9)]
    one, two = Project.at(tmp_path / "entries"), Project.at(tmp_path / "body")
    assert store_entries(one, DAY, entries, T1).kind == "new"
    assert store_response(two, DAY, api_body(*entries), T1).kind == "new"
    assert day_path(one).read_bytes() == day_path(two).read_bytes()


def test_a_yaml_error_while_writing_fails_the_day_and_keeps_the_file(
    store: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruamel.yaml.representer import RepresenterError

    import generator.store.write

    store_response(store, DAY, api_body(api_entry("2509.00001")), T1)
    before = day_path(store).read_bytes()

    def dump_round_trip(data: Any) -> str:
        raise RepresenterError("cannot represent an object:\n <object at 0x1>")

    monkeypatch.setattr(generator.store.write, "dump_round_trip", dump_round_trip)
    outcome = store_response(store, DAY, api_body(api_entry("2509.00001", 5)), T2)
    assert outcome.describe() == (
        "2025-09-08: failed: not stored, it cannot be written as YAML "
        "(cannot represent an object: <object at 0x1>)"
    )
    assert day_path(store).read_bytes() == before
    assert [p.name for p in day_path(store).parent.iterdir()] == [day_path(store).name], "no temporary file left"


def test_second_writer_waits_then_fails_with_one_line(store: Project) -> None:
    with project_lock(store, wait=0):
        started = time.monotonic()
        with pytest.raises(UserError) as caught, project_lock(store, wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    assert "\n" not in str(caught.value) and "another dailypapers fetch or import" in str(caught.value)
    with project_lock(store, wait=0):
        pass  # released
