"""Where things are: this repository, and the real API responses the tests read in place (never copied
into the repository)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def fixtures_root() -> Path:
    """The real API responses' folder, from DAILYPAPERS_FIXTURES, else ../shared/fixtures/hf-api."""
    return Path(os.environ.get("DAILYPAPERS_FIXTURES") or REPO.parent / "shared" / "fixtures" / "hf-api")


def _absent_reason(root: Path) -> str:
    return f"real API fixtures not found at {root} (set DAILYPAPERS_FIXTURES to their hf-api folder)"


def require_fixtures() -> Path:
    """The real API responses' folder; the test skips where they are absent."""
    root = fixtures_root()
    if not (root / "days").is_dir():
        pytest.skip(_absent_reason(root))
    return root


def fixture_days() -> list[Path]:
    """Every saved day's response, oldest first."""
    return sorted((require_fixtures() / "days").glob("*.json"))


def fixture_day_params() -> list[Any]:
    """The saved days for `pytest.mark.parametrize`, read at collection: where the fixtures are absent,
    one parameter that skips with the reason (a skip raised while collecting would be an error)."""
    root = fixtures_root()
    if not (root / "days").is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=_absent_reason(root)), id="no-fixtures")]
    return sorted((root / "days").glob("*.json"))
