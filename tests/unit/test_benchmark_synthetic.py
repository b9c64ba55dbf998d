"""The benchmark's synthetic archive must be a valid archive, or its numbers measure an error path. Made of
pseudo text here; of the real API responses' text in tests/site/test_benchmark_synthetic_real.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import REPO
from support.synthetic_project import check_synthetic

from benchmarks import synthetic


def test_make_project_with_pseudo_text_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(synthetic.FIXTURES_ENV, str(tmp_path / "no-fixtures-here"))
    monkeypatch.setattr(synthetic, "DEFAULT_FIXTURES", tmp_path / "no-fixtures-here")
    count = synthetic.make_project(tmp_path / "project", days=3, per_day=4)
    check_synthetic(tmp_path / "project", count, 3, 4)


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
