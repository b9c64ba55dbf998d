"""The benchmark's synthetic archive must be a valid archive, or its numbers measure an error path."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import synthetic  # noqa: E402
from generator.core import dates  # noqa: E402

SCHEMA = json.loads((REPO / "generator" / "store" / "schema" / "snapshot.schema.json").read_text(encoding="utf-8"))


def _load_all(root: Path) -> dict[Path, dict]:
    return {
        path: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for path in sorted((root / "content" / "snapshots").rglob("*.yaml"))
    }


def _check(root: Path, count: int, days: int, per_day: int) -> None:
    snapshots = _load_all(root)
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


def test_make_project_with_real_text_is_valid(tmp_path: Path) -> None:
    if synthetic.fixtures_days_dir() is None:
        pytest.skip(f"real API fixtures not found (set ${synthetic.FIXTURES_ENV} or put them at "
                    f"{synthetic.DEFAULT_FIXTURES})")
    count = synthetic.make_project(tmp_path, days=3, per_day=4)
    _check(tmp_path, count, 3, 4)
    real_titles = set(synthetic.load_real_pool(synthetic.fixtures_days_dir()).titles)
    for data in _load_all(tmp_path).values():
        assert all(paper["title"] in real_titles for paper in data["papers"]), "text is recycled, not made up"


def test_make_project_with_pseudo_text_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(synthetic.FIXTURES_ENV, str(tmp_path / "no-fixtures-here"))
    monkeypatch.setattr(synthetic, "DEFAULT_FIXTURES", tmp_path / "no-fixtures-here")
    count = synthetic.make_project(tmp_path / "project", days=3, per_day=4)
    _check(tmp_path / "project", count, 3, 4)


def test_same_seed_same_archive(tmp_path: Path) -> None:
    synthetic.make_project(tmp_path / "a", days=2, per_day=3, seed=7)
    synthetic.make_project(tmp_path / "b", days=2, per_day=3, seed=7)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.yaml")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.yaml")}
    assert a == b


def test_build_files_are_copied_but_not_the_repo_snapshots(tmp_path: Path) -> None:
    synthetic.make_project(tmp_path, days=1, per_day=1)
    for name in synthetic.PROJECT_FILES:
        assert (tmp_path / name).exists() == (REPO / name).exists()
    assert len(list((tmp_path / "content" / "snapshots").rglob("*.yaml"))) == 1
