"""The benchmark's synthetic archive made of the real API responses' text must be a valid archive, its
text recycled rather than made up. Of pseudo text: tests/unit/test_benchmark_synthetic.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.synthetic_project import check_synthetic, load_snapshots

from benchmarks import synthetic


def test_make_project_with_real_text_is_valid(tmp_path: Path) -> None:
    if synthetic.fixtures_days_dir() is None:
        pytest.skip(f"real API fixtures not found (set ${synthetic.FIXTURES_ENV} or put them at "
                    f"{synthetic.DEFAULT_FIXTURES})")
    count = synthetic.make_project(tmp_path, days=3, per_day=4)
    check_synthetic(tmp_path, count, 3, 4)
    real_titles = set(synthetic.load_real_pool(synthetic.fixtures_days_dir()).titles)
    for data in load_snapshots(tmp_path).values():
        assert all(paper["title"] in real_titles for paper in data["papers"]), "text is recycled, not made up"


def test_the_full_size_benchmark_prints_the_build_profile_beside_its_totals(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A small run of benchmarks/full_size.py (this project only, cold then warm): its table, then where
    each build's time went, from the build's own `--timings`."""
    from benchmarks import full_size

    args = ["--days", "3", "--per-day", "2", "--skip-stock", "--warm", "--out", str(tmp_path / "b")]
    assert full_size.main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "|  | ours | ours, cache warm |"
    assert "| build time (wall) |" in out
    cold, warm = (out.index(f"where the build spent its time ({name},") for name in ("ours", "ours, cache warm"))
    profile = out[cold:warm]
    assert "| build | load snapshots |" in profile and "| search index | index |" in profile
    peak = re.search(r"^ours: PSS peaked \d+\.\d s in: dailypapers \d+ MB", out, re.MULTILINE)
    assert peak, "the report names the processes that held the peak"
    assert (tmp_path / "b" / "ours" / "site" / "index.html").is_file(), "the warm build built the site again"
