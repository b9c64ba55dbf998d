"""normalize.py on the real API responses: every saved day becomes valid snapshot papers, each era's
fields land where they belong, and the saved bad bodies are refused. On entries written here:
tests/unit/test_normalize.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.fake_api import FIXED_NOW
from support.paths import fixture_day_params, require_fixtures

from generator.ingest.normalize import ResponseError, normalize_day
from generator.store.check import check_snapshot
from generator.store.format import PAPER_KEYS
from generator.store.write import dump_round_trip

DAY = dt.date(2025, 9, 8)


def _day_of(path: Path) -> dt.date:
    return dt.date.fromisoformat(path.name[:10])


def _papers(name: str) -> dict[str, dict[str, Any]]:
    path = require_fixtures() / "days" / f"{name}.json"
    return {p["id"]: p for p in normalize_day(path.read_bytes(), _day_of(path), FIXED_NOW).papers}


def _entry(**paper: Any) -> dict[str, Any]:
    """The smallest entry the API could send, with `paper` fields added."""
    return {"paper": {"id": "2509.01234", "title": "A title", **paper}, "numComments": 0}


def _one(entry: dict[str, Any]) -> dict[str, Any]:
    return normalize_day(json.dumps([entry]), DAY, FIXED_NOW).papers[0]


def _no_empty_values(value: Any) -> bool:
    if isinstance(value, dict):
        return all(v not in (None, "", [], {}) and _no_empty_values(v) for k, v in value.items()
                   if k not in ("authors", "abstract"))
    if isinstance(value, list):
        return all(_no_empty_values(v) for v in value)
    return True


@pytest.mark.parametrize("path", fixture_day_params(), ids=lambda p: p.name if p else "no-fixtures")
def test_every_fixture_day_normalizes_to_valid_snapshot_papers(path: Path) -> None:
    raw = json.loads(path.read_bytes())
    day = normalize_day(path.read_bytes(), _day_of(path), FIXED_NOW)
    assert [p["id"] for p in day.papers] == [e["paper"]["id"] for e in raw]
    snapshot = {"format": 1, "date": day.date.isoformat(), "status": "listed", "papers": day.papers}
    text = dump_round_trip(snapshot)
    assert check_snapshot(path, text, yaml.load(text, Loader=yaml.CSafeLoader), day.date) == []
    for paper, entry in zip(day.papers, raw, strict=True):
        assert list(paper) == [k for k in PAPER_KEYS if k in paper], "keys in the format's order"
        assert _no_empty_values(paper)
        assert "\n" not in paper["title"] and paper["title"] == paper["title"].strip()
        assert "\n" not in paper["abstract"]  # no fixture abstract has a paragraph break
        assert len(paper["authors"]) == len(entry["paper"]["authors"])
        assert paper["upvotes"] == entry["paper"]["upvotes"]
        assert paper["comments"] == entry["numComments"]


def test_old_shape_mediaurl_is_the_thumbnail_and_no_submitter() -> None:
    paper = _papers("2024-05-27")["2405.15738"]
    assert paper["thumbnail"] == "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.15738.png"
    assert "submitted_by" not in paper and "media" not in paper
    assert paper["title"] == "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models"
    # no submittedOnDailyAt yet: the entry's top-level publishedAt
    assert paper["featured_at"] == "2024-05-27T03:50:58.348Z"
    assert paper["published_at"] == "2024-05-24T17:34:15.000Z"
    assert paper["authors"][0] == {"name": "Chunjiang Ge", "user": "ChunjiangGe"}
    assert paper["authors"][2] == {"name": "Ziming Wang"}


def test_submitted_by_from_the_entry_and_from_the_paper() -> None:
    entry_era = _papers("2024-06-13")["2406.06523"]
    assert entry_era["submitted_by"] == {"name": "yulunliu", "fullname": "Yu-Lun Liu"}
    later = _papers("2025-03-17")["2503.07677"]
    assert later["submitted_by"] == {"name": "kwanyoung", "fullname": "Kwanyoung"}
    assert later["featured_at"] == "2025-03-17T00:44:05.364Z"  # paper.submittedOnDailyAt
    by = {"user": "someone", "fullname": "Some One", "avatarUrl": "/a"}
    only_paper = _one(_entry(submittedOnDailyBy=by))
    assert only_paper["submitted_by"] == {"name": "someone", "fullname": "Some One"}


def test_organization_from_each_era() -> None:
    assert _papers("2025-09-30")["2509.24006"]["organization"] == {
        "name": "Tsinghua", "fullname": "Tsinghua University"
    }  # the API gave this one no avatar
    bytedance = _papers("2025-10-03")["2510.02283"]["organization"]
    assert bytedance.pop("avatar").startswith("https://cdn-uploads.huggingface.co/production/uploads/")
    assert bytedance == {"name": "ByteDance-Seed", "fullname": "ByteDance Seed"}
    assert "organization" not in _papers("2025-03-17")["2503.07677"]


def test_new_era_fields() -> None:
    paper = _papers("2025-10-03")["2510.02283"]
    assert paper["github_repo"] == "https://github.com/justincui03/Self-Forcing-Plus-Plus"
    assert paper["project_page"] == "https://self-forcing-plus-plus.github.io/"
    assert paper["github_stars"] == 1
    assert paper["ai_summary"].startswith("A method is proposed")
    assert paper["ai_keywords"][0] == "diffusion models"
    assert len(paper["media"]) == 2 and all(u.endswith(".mp4") for u in paper["media"])


def test_hidden_author_is_kept_and_marked() -> None:
    authors = _papers("2024-07-23")["2407.14561"]["authors"]
    hidden = [a for a in authors if a.get("hidden")]
    assert [a["name"] for a in hidden] == ["Caden Juang"]
    assert hidden[0]["hidden"] is True
    assert all(a.get("hidden") in (None, True) for a in authors), "hidden is stored only when true"


def test_url_with_stray_whitespace_is_cleaned() -> None:
    pages = [p.get("project_page") for p in _papers("2025-03-17").values()]
    assert "https://sites.google.com/view/adc-robot" in pages
    assert all(p is None or p == p.strip() for p in pages)


def test_a_saved_body_may_hold_any_number_of_papers_up_to_the_bound() -> None:
    path = require_fixtures() / "days" / "2025-09-30.json"
    day = normalize_day(path.read_bytes(), _day_of(path), FIXED_NOW)
    assert len(day.papers) == 50 and day.warnings == [], "fifty is no longer a sign of a cut list"
    many = json.dumps([_entry(id=f"2509.{n:05d}") for n in range(130)])
    day = normalize_day(many, DAY, FIXED_NOW)
    assert len(day.papers) == 130 and day.warnings == []


@pytest.mark.parametrize("name", ["2024-12-12.python-repr.json", "2025-01-11.no-data-wrapper.json"])
def test_bad_fixtures_are_refused(name: str) -> None:
    path = require_fixtures() / "bad" / name
    with pytest.raises(ResponseError) as caught:
        normalize_day(path.read_bytes(), _day_of(path), FIXED_NOW)
    assert str(caught.value).startswith(f"{name[:10]}: ")
    assert "\n" not in str(caught.value)
