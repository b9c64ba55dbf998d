"""The benchmark's synthetic project checked as the archive's own snapshots: each file valid against the
snapshot schema, named and filed by its date, the days those the list had, every paper with its own id."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import yaml

from benchmarks import synthetic
from generator.core import dates
from support.paths import REPO

SCHEMA = json.loads((REPO / "generator" / "store" / "schema" / "snapshot.schema.json").read_text(encoding="utf-8"))


def load_snapshots(root: Path) -> dict[Path, dict]:
    return {
        path: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for path in sorted((root / "content" / "snapshots").rglob("*.yaml"))
    }


def check_synthetic(root: Path, count: int, days: int, per_day: int) -> None:
    snapshots = load_snapshots(root)
    assert count == days * per_day
    assert len(snapshots) == days
    validator = jsonschema.Draft202012Validator(SCHEMA)
    ids: list[str] = []
    days_seen = []
    for path, data in snapshots.items():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, f"{path}: {errors[:5]}"
        day = dt.date.fromisoformat(data["date"])
        assert path.name == f"{day.isoformat()}.yaml" and path.parent.name == f"{day:%Y}"
        assert day >= dates.FIRST_DAY, f"{day} is before the list began"
        assert data["status"] == "listed" and len(data["papers"]) == per_day
        for paper in data["papers"]:
            ids.append(paper["id"])
            assert paper["id"].startswith(f"{day:%y%m}."), "ids are derived from the synthetic day"
            assert paper["first_seen"].startswith(day.isoformat())
            assert paper["featured_at"].startswith(day.isoformat())
        days_seen.append(day)
    assert len(set(ids)) == len(ids), "every synthetic paper has its own id"
    assert days_seen == synthetic.archive_days(days)
    assert days_seen[0] == dates.FIRST_DAY
