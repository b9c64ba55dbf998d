"""merge.py on the real API responses (storing one twice changes no byte, revisions lose nothing, a bad
one leaves the stored day as it was), and against other processes: a lock held across processes and a
SIGKILL while writing. The rest: tests/unit/test_merge.py."""

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

import pytest
import yaml
from support.paths import REPO, fixture_day_params, require_fixtures
from support.stored_days import DAY, T1, T2, api_body, api_entry, day_path, load_day

from generator.core.errors import UserError
from generator.core.project import Project
from generator.ingest.merge import project_lock, store_response
from generator.store.check import parse_snapshot


@pytest.mark.parametrize("path", fixture_day_params(), ids=lambda p: p.name if p else "no-fixtures")
def test_storing_the_same_response_twice_changes_no_byte(store: Project, path: Path) -> None:
    day = dt.date.fromisoformat(path.name[:10])
    first = store_response(store, day, path.read_bytes(), T1)
    assert first.kind == "new"
    stored = day_path(store, day).read_bytes()
    again = store_response(store, day, path.read_bytes(), T2)
    assert again.kind == "unchanged"
    assert day_path(store, day).read_bytes() == stored


@pytest.mark.parametrize("day", ["2024-06-12", "2025-01-22"])
def test_partial_then_complete_revisions_lose_nothing(store: Project, day: str) -> None:
    folder = require_fixtures()
    partial = folder / "revisions" / f"{day}.partial.json"
    complete = folder / "days" / f"{day}.json"
    date = dt.date.fromisoformat(day)
    assert store_response(store, date, partial.read_bytes(), T1).kind == "new"
    assert store_response(store, date, complete.read_bytes(), T2).kind == "updated"
    data = load_day(store, date)
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
    folder = require_fixtures()
    date = dt.date(2024, 6, 12)
    store_response(store, date, (folder / "days" / "2024-06-12.json").read_bytes(), T1)
    store_response(store, date, (folder / "revisions" / "2024-06-12.partial.json").read_bytes(), T2)
    papers = load_day(store, date)["papers"]
    assert len(papers) == 16
    assert sorted(p["id"] for p in papers if "missing_since" in p) == ["2406.07188", "2406.07520"]


@pytest.mark.parametrize("name", ["2024-12-12.python-repr.json", "2025-01-11.no-data-wrapper.json"])
def test_bad_response_leaves_stored_data_byte_identical(store: Project, name: str) -> None:
    date = dt.date.fromisoformat(name[:10])
    store_response(store, date, api_body(api_entry("2412.00001")), T1)
    before = day_path(store, date).read_bytes()
    bad = (require_fixtures() / "bad" / name).read_bytes()
    for record in (False, True):
        outcome = store_response(store, date, bad, T2, record_failure=record)
        assert outcome.kind == "failed"
        assert "\n" not in outcome.describe() and outcome.describe().startswith(f"{name[:10]}: failed: ")
        assert day_path(store, date).read_bytes() == before


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
    env = {**os.environ, "PYTHONPATH": str(REPO)}
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
    path = day_path(store)
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
        env = {**os.environ, "PYTHONPATH": str(REPO)}
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
