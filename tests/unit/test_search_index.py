"""The search index files: deterministic, complete, and laid out as the browser expects."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support.factories import make_paper

from generator.core.urls import PATTERNS, url
from generator.domain.model import Account, Archive, Author, Day
from generator.domain.topics import Taxonomy, Topic
from generator.outputs.search import (
    FORMAT,
    SNIPPET_CHARS,
    analyze,
    build_search_index,
    id_bucket,
    js_sort_key,
    js_stem,
    shard_start,
    tokenize,
)

AUTHORS = (Author("Ada Lovelace"), Author("Hidden Person", hidden=True))  # a hidden author is never shown


@pytest.fixture
def small() -> tuple[Archive, Taxonomy]:
    d1, d2, d3 = dt.date(2024, 12, 30), dt.date(2025, 1, 2), dt.date(2025, 1, 3)
    p1 = make_paper("2412.00001", d1, title="Diffusion models for video", upvotes=5, authors=AUTHORS,
                    abstract="An abstract about Diffusion models for video.", topics=("video",))
    p2 = make_paper("2501.00002", d2, title="Language agents that plan", upvotes=9, authors=AUTHORS,
                    abstract="An abstract about Language agents that plan.", topics=("other",),
                    ai_keywords=("planning", "LLM agents"), organization=Account("acme", "ACME Research"))
    p3 = make_paper("2501.00003", d3, title="Scaling laws revisited", upvotes=2, authors=AUTHORS,
                    abstract="An abstract about Scaling laws revisited.", topics=("other",))
    days = (Day(d1, "listed", (p1,)), Day(d2, "listed", (p2,)), Day(d3, "listed", (p3, p1)))
    taxonomy = Taxonomy((Topic("video", "Video", "Video papers", ("video",)),))
    return Archive(days), taxonomy


def test_same_archive_gives_byte_identical_files(small) -> None:
    assert build_search_index(*small) == build_search_index(*small)


def test_an_empty_archive_has_no_shards() -> None:
    files = build_search_index(Archive(()), Taxonomy(()))
    assert json.loads(files["search/manifest.json"])["shards"] == ""  # search-core.js: no shard to fetch
    assert not any(path.startswith("search/shards/") for path in files)


def test_every_file_is_under_search_and_the_manifest_describes_them(small) -> None:
    files = build_search_index(*small)
    assert all(path.startswith("search/") for path in files)
    manifest = json.loads(files["search/manifest.json"])
    assert sum(1 for p in files if p.startswith("search/docs/")) == 3  # a paper listed twice: once, first day
    assert manifest["years"] == {"2024": [0, 1], "2025": [1, 3]}
    assert manifest["topics"][0] == ["video", "Video"]
    assert len(manifest["shards"].split(" ")) == sum(1 for p in files if p.startswith("search/shards/"))
    assert b'lunr.version="2.3.9"' in files["search/lunr.js"]  # minified (tests/site/test_search_pipeline.py)


def test_the_manifest_tells_the_browser_how_to_read_every_file(small) -> None:
    """search-core.js knows only the manifest's path: every other file, key and code comes from it."""
    files = build_search_index(*small)
    manifest = json.loads(files["search/manifest.json"])
    assert manifest["format"] == FORMAT
    paths = manifest["paths"]
    expected = {"search/manifest.json", "search/lunr.js"}
    expected |= {"search/" + paths["shard"].format(shard=i) for i in range(len(manifest["shards"].split(" ")))}
    expected |= {"search/" + paths["doc"].format(dir=n // manifest["docsPerDir"], doc=n) for n in range(3)}
    expected |= {"search/" + paths["facets"].format(file=0)}
    expected |= {"search/" + paths["ids"].format(bucket=i[:manifest["idBucketChars"]]) for i in ("2412.", "2501.")}
    assert set(files) == expected
    names = manifest["record"]
    record = {name: json.loads(files["search/docs/0/1.json"])[key] for name, key in names.items()}
    assert record == {"id": "2501.00002", "title": "Language agents that plan", "day": "2025-01-02",
                      "upvotes": 9, "authors": ["Ada Lovelace"], "organization": "ACME Research",
                      "snippet": "An abstract about Language agents that plan."}
    facets = json.loads(files["search/facets/0.json"])
    assert facets[manifest["facets"]["upvotes"]] == [5, 9, 2]
    assert [bits & 1 for bits in facets[manifest["facets"]["topics"]]] == [1, 0, 0]  # bit 0: "video"
    year, month, day = record["day"].split("-")
    link = manifest["card"].format(yyyy=year, mm=month, dd=day, id=record["id"])
    assert link == url("card", id="2501.00002", date=dt.date(2025, 1, 2))
    digits = {chr(c) for low, high in manifest["postings"]["digits"] for c in range(low, high + 1)}
    assert len(digits) == 91 and not digits & {'"', "\\"}
    assert all(set(code) <= digits for i in range(len(manifest["shards"].split(" ")))
               for _, code in json.loads(files[f"search/shards/{i}.json"]))


def test_documents_are_numbered_by_first_day_and_carry_what_a_result_shows(small) -> None:
    files = build_search_index(*small)
    first = json.loads(files["search/docs/0/0.json"])
    assert first["id"] == "2412.00001" and first["d"] == "2024-12-30" and first["u"] == 5
    second = json.loads(files["search/docs/0/1.json"])
    assert second["a"] == ["Ada Lovelace"]  # hidden authors stay hidden
    assert second["o"] == "ACME Research" and "k" not in second  # keywords are searched, not shown
    assert json.loads(files["search/ids/2501.json"]) == {"2501.00002": 1, "2501.00003": 2}
    facets = json.loads(files["search/facets/0.json"])
    assert facets["u"] == [5, 9, 2] and facets["t"][0] == 1  # bit 0: the first topic, "video"


def test_a_record_carries_a_short_snippet_source_not_the_abstract() -> None:
    day = dt.date(2025, 1, 2)
    long_abstract = " ".join(f"word{i}" for i in range(200))  # ~1,400 characters
    summarized = make_paper("2501.00001", day, title="Summarized", authors=AUTHORS, abstract=long_abstract,
                            topics=("other",), ai_summary="  A short\nAI summary.  ")
    long = make_paper("2501.00002", day, title="Long abstract", authors=AUTHORS, abstract=long_abstract,
                      topics=("other",))
    short = make_paper("2501.00003", day, title="Short abstract", authors=AUTHORS, abstract="Tiny\n  abstract.",
                       topics=("other",))
    files = build_search_index(Archive((Day(day, "listed", (summarized, long, short)),)), Taxonomy(()))
    records = [json.loads(files[f"search/docs/0/{n}.json"]) for n in range(3)]
    assert records[0]["s"] == "A short AI summary."
    cut = records[1]["s"]
    assert cut.endswith("…") and SNIPPET_CHARS - 10 <= len(cut) <= SNIPPET_CHARS + 1
    assert long_abstract.startswith(cut[:-1]) and long_abstract[len(cut) - 1] == " "  # cut between words
    assert records[2]["s"] == "Tiny abstract."
    assert all("x" not in r and "p" not in r for r in records)  # no abstract, no topics (facets have them)


def test_every_term_is_in_the_shard_the_manifest_points_to(small) -> None:
    files = build_search_index(*small)
    starts = json.loads(files["search/manifest.json"])["shards"].split(" ")
    for i in range(len(starts)):
        for entry in json.loads(files[f"search/shards/{i}.json"]):
            term = entry[0]
            assert starts[i] <= term and (i + 1 == len(starts) or term < starts[i + 1])
    indexed = {e[0] for i in range(len(starts)) for e in json.loads(files[f"search/shards/{i}.json"])}
    assert {"diffus", "lovelac", "acm", "research", "plan", "llm"} <= indexed


def test_pipeline_examples() -> None:
    assert tokenize("Chain-of-Thought  reasoning") == ["chain", "of", "thought", "reasoning"]
    assert analyze("The (naïve) Transformers, e.g. ViT!") == ["naïv", "transform", "e.g", "vit"]
    assert js_stem("key") == "key" and js_stem("cry") == "cri" and js_stem("generalization") == "gener"
    assert id_bucket("2501.01234") == "2501" and id_bucket("weird/id") == "other"


def test_a_shard_starts_at_the_shortest_prefix_above_the_shard_before() -> None:
    assert shard_start(None, "0.5") == "0"  # the first shard: any start at or below its first term
    assert shard_start("avoid", "baselin") == "b"
    assert shard_start("chang", "chito") == "chi"
    assert shard_start("model", "models") == "models"  # a term and its extension: the whole term
    assert shard_start("\uff01", "😀x") == "😀"  # one code point, though JavaScript sees two units
    for previous, first in [("avoid", "baselin"), ("chang", "chito"), ("model", "models"), ("a\uffff", "b")]:
        start = shard_start(previous, first)
        assert js_sort_key(previous) < js_sort_key(start) <= js_sort_key(first) and first.startswith(start)


def test_the_manifest_carries_the_card_pattern_of_the_url_table(small, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser fills in the very pattern core/urls.py has, so a result opens the card the page has."""
    manifest = json.loads(build_search_index(*small)["search/manifest.json"])
    assert manifest["card"] == PATTERNS["card"] == "{yyyy}/{mm}/{dd}/#{id}"
    monkeypatch.setitem(PATTERNS, "card", "days/{yyyy}-{mm}-{dd}/#{id}")
    manifest = json.loads(build_search_index(*small)["search/manifest.json"])
    assert manifest["card"] == "days/{yyyy}-{mm}-{dd}/#{id}"
