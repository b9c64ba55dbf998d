"""What the merge tests (tests/unit/test_merge.py, tests/site/test_merge_site.py) store and read back:
API entries and bodies as the API sends them, and the stored day as its snapshot file holds it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from generator.core.project import Project
from generator.store.check import parse_snapshot
from generator.store.files import snapshot_path

T1 = dt.datetime(2026, 6, 5, 8, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 6, 5, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2025, 9, 8)


def day_path(store: Project, day: dt.date = DAY) -> Path:
    return snapshot_path(store.snapshots_dir, day)


def load_day(store: Project, day: dt.date = DAY) -> dict[str, Any]:
    """The stored day's data; it must be a valid snapshot."""
    data, problems = parse_snapshot(day_path(store, day), day)
    assert problems == []
    return data


def api_entry(pid: str, upvotes: int = 1, **paper: Any) -> dict[str, Any]:
    return {"paper": {"id": pid, "title": f"Paper {pid}", "upvotes": upvotes, **paper}, "numComments": 0}


def api_body(*entries: dict[str, Any]) -> bytes:
    return json.dumps(list(entries)).encode()
