"""The snapshot format has one definition, the JSON Schema; the normalizer, the merge, the model and the
loader agree with it field by field. A field added to one of them and not the others fails here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from generator.domain.model import Account, Author, Paper
from generator.ingest.merge import merge_day, plain
from generator.ingest.normalize import NormalizedDay, normalize_day
from generator.store import format as snapshot_format
from generator.store.check import check_snapshot
from generator.store.format import ACCOUNT_KEYS, AUTHOR_KEYS, PAPER_KEYS, TOP_KEYS
from generator.store.load import paper_from_snapshot
from generator.store.write import dump_round_trip, round_trip_yaml

DAY = dt.date(2025, 10, 3)
DERIVED = {"day", "topics"}  # model fields the loader computes, not stored in a snapshot


def _every_field(stamp: str) -> dict:
    """A stored paper with every key of the format set to a value of its own."""
    return {
        "id": "2510.00001", "title": "A title", "authors": [{"name": "A. Author", "hidden": True, "user": "aa"}],
        "abstract": "An abstract.", "published_at": "2025-10-01T00:00:00.000Z",
        "featured_at": "2025-10-03T01:02:03.000Z",
        "submitted_by": {"name": "sub", "fullname": "Sub Mitter", "avatar": "https://cdn-avatars.huggingface.co/s.png"},
        "organization": {"name": "org", "fullname": "An Org", "avatar": "https://cdn-avatars.huggingface.co/o.png"},
        "upvotes": 7, "comments": 2,
        "github_repo": "https://github.com/a/b", "github_stars": 9, "project_page": "https://example.org/p",
        "ai_summary": "A summary.", "ai_keywords": ["k1", "k2"], "thumbnail": "https://example.org/t.png",
        "media": ["https://example.org/m.mp4"], "first_seen": stamp, "last_updated": stamp,
        "missing_since": stamp,
    }


def test_the_key_lists_are_the_schemas() -> None:
    schema = snapshot_format.schema()
    assert tuple(schema["properties"]) == TOP_KEYS
    assert tuple(schema["$defs"]["paper"]["properties"]) == PAPER_KEYS
    assert snapshot_format.FORMAT_VERSION == schema["properties"]["format"]["const"] == 1
    assert set(_every_field("2025-10-03T07:00:00Z")) == set(PAPER_KEYS), "the test sets every key"


def test_the_model_has_a_field_for_every_key_and_no_other_stored_field() -> None:
    fields = {f.name for f in dataclasses.fields(Paper)}
    assert set(PAPER_KEYS) <= fields, set(PAPER_KEYS) - fields
    assert fields - set(PAPER_KEYS) == DERIVED
    assert {f.name for f in dataclasses.fields(Author)} == set(AUTHOR_KEYS)
    assert {f.name for f in dataclasses.fields(Account)} == set(ACCOUNT_KEYS)


def test_the_loader_carries_every_key_into_its_field() -> None:
    entry = _every_field("2025-10-03T07:00:00Z")
    paper = paper_from_snapshot(entry, DAY, ("agents",))
    for key in PAPER_KEYS:
        value = getattr(paper, key)
        if isinstance(value, tuple):
            value = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
        elif dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        assert value == entry[key], key
    assert paper.day == DAY and paper.topics == ("agents",)


def test_a_written_paper_with_every_key_is_a_valid_snapshot_in_the_formats_order() -> None:
    data = {"format": 1, "date": DAY.isoformat(), "status": "listed", "first_fetched": "2025-10-03T07:00:00Z",
            "last_fetched": "2025-10-03T07:00:00Z", "papers": [_every_field("2025-10-03T07:00:00Z")]}
    text = dump_round_trip(data)
    assert check_snapshot(None, text, json.loads(json.dumps(data)), DAY) == []  # type: ignore[arg-type]


def test_the_merge_updates_every_key_a_response_carries_and_keeps_the_ones_it_sets() -> None:
    old = _every_field("2025-10-03T07:00:00Z")
    del old["missing_since"]
    stored = round_trip_yaml().load(dump_round_trip(
        {"format": 1, "date": DAY.isoformat(), "status": "listed", "papers": [old]}))
    fresh = {
        "id": old["id"], "title": "A new title", "authors": [{"name": "B. Author"}], "abstract": "New.",
        "published_at": "2025-10-02T00:00:00.000Z", "featured_at": "2025-10-03T09:09:09.000Z",
        "submitted_by": {"name": "sub2"}, "organization": {"name": "org2"}, "upvotes": 8, "comments": 3,
        "github_repo": "https://github.com/c/d", "github_stars": 10, "project_page": "https://example.org/q",
        "ai_summary": "Another summary.", "ai_keywords": ["k3"], "thumbnail": "https://example.org/u.png",
        "media": ["https://example.org/n.mp4"], "first_seen": "2025-10-04T07:00:00Z",
        "last_updated": "2025-10-04T07:00:00Z",
    }
    assert set(fresh) == set(PAPER_KEYS) - {"missing_since"}, "a response can carry every other key"
    merged, stats = merge_day(stored, NormalizedDay(DAY, [fresh]), "2025-10-04T07:00:00Z")
    paper = plain(merged["papers"][0])
    assert stats.changed == 1
    for key in PAPER_KEYS:
        if key == "first_seen":
            assert paper[key] == old[key]  # never changes
        elif key == "last_updated":
            assert paper[key] == "2025-10-04T07:00:00Z"
        elif key == "missing_since":
            assert key not in paper
        else:
            assert paper[key] == fresh[key], key
    assert list(merged) == [key for key in TOP_KEYS if key in merged]
    assert list(paper) == [key for key in PAPER_KEYS if key in paper]


def test_the_normalizer_writes_only_format_keys_in_the_formats_order() -> None:
    entry = {"paper": {"id": "2510.00002", "title": "T", "summary": "S", "authors": [{"name": "N"}],
                       "upvotes": 1, "githubRepo": "https://github.com/x/y", "githubStars": 3,
                       "projectPage": "https://p.example", "ai_summary": "A", "ai_keywords": ["k"],
                       "publishedAt": "2025-10-01T00:00:00.000Z", "submittedOnDailyAt": "2025-10-03T00:00:00.000Z",
                       "submittedOnDailyBy": {"user": "u", "fullname": "U"}, "organization": {"name": "o"}},
             "numComments": 1, "thumbnail": "https://t.example/x.png", "mediaUrls": ["https://m.example/x"]}
    day = normalize_day(json.dumps([entry]), DAY, "2025-10-03T07:00:00Z")
    paper = day.papers[0]
    assert list(paper) == [key for key in PAPER_KEYS if key in paper]
    assert set(PAPER_KEYS) - set(paper) == {"missing_since"}  # every key a response can fill is filled
