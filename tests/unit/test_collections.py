"""Collections as one kind of thing (domain/collections.py): topics, organizations and AI keywords share
one view, one feed loop and one pair of templates; the keyword kind shows what a new kind takes.

In memory; the built demo site's keyword pages are tests/site/test_collections_site.py's."""

from __future__ import annotations

import datetime as dt

import feedparser
from support.factories import SITE_URL, make_archive, make_paper

from generator.core.settings import Settings
from generator.domain.collections import KINDS, keyword_collections, keyword_slug
from generator.domain.site import make_site
from generator.domain.topics import Taxonomy
from generator.outputs.feeds import build_feeds, feed_catalog


def test_keyword_slugs_are_ascii_words_joined_by_hyphens() -> None:
    assert keyword_slug("Large Language Models") == "large-language-models"
    assert keyword_slug("large-language  models") == "large-language-models"
    assert keyword_slug("pass@1") == "pass-1"
    assert keyword_slug("<script>alert(1)</script>") == "script-alert-1-script"
    assert keyword_slug("中文") == "" and keyword_slug("—") == ""
    assert len(keyword_slug("x" * 500)) == 80


def test_the_most_frequent_keywords_get_a_collection_each_newest_papers_first() -> None:
    d1, d2, d3 = dt.date(2025, 3, 11), dt.date(2025, 3, 12), dt.date(2025, 3, 13)
    archive = make_archive([
        make_paper("2503.00001", d1, ai_keywords=("Diffusion models", "RL")),
        make_paper("2503.00002", d2, ai_keywords=("diffusion models", "Diffusion-Models")),  # one keyword, counted once
        make_paper("2503.00003", d3, ai_keywords=("diffusion models", "RL", "中文")),
        make_paper("2503.00004", d3, ai_keywords=("rare",)),
    ])
    found = keyword_collections(archive, count=2, shown=2)
    assert [(c.slug, c.title, c.size, [p.id for p in c.papers]) for c in found] == [
        ("diffusion-models", "diffusion models", 3, ["2503.00003", "2503.00002"]),  # the most used spelling
        ("rl", "RL", 2, ["2503.00003", "2503.00001"]),
    ]
    assert found[0].description == "3 papers of the archive have the AI keyword diffusion models."


def test_every_kind_has_its_feeds_in_the_catalog_and_they_parse() -> None:
    day = dt.date(2025, 3, 11)
    archive = make_archive(make_paper(f"2503.{n:05d}", day, ai_keywords=("agents",), upvotes=n) for n in range(30))
    site = make_site(archive, Taxonomy(()), SITE_URL, Settings(collection_feed_items={"topic": 50, "org": 20,
                                                                                      "keyword": 5}))
    catalog = feed_catalog(site)
    assert {info.folder for info in catalog} >= {"Site-wide", "Topics"} | {"Keywords"}
    out = build_feeds(site)
    feed = feedparser.parse(out["keywords/agents/atom.xml"])
    assert feed.bozo == 0 and len(feed.entries) == 5  # the kind's own feed size, from the settings
    assert [kind.name for kind in KINDS] == ["topic", "org", "keyword"]
