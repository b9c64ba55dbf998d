"""Collections as one kind of thing (domain/collections.py): topics, organizations and AI keywords share
one view, one feed loop and one pair of templates; the keyword kind shows what a new kind takes."""

from __future__ import annotations

import datetime as dt

import feedparser
from conftest import SITE_URL
from htmltext import parse

from generator.core.settings import DEFAULTS, Settings
from generator.domain.collections import KINDS, keyword_collections, keyword_slug
from generator.domain.model import Archive, Day, Paper
from generator.domain.site import make_site
from generator.domain.topics import Taxonomy
from generator.outputs.feeds import build_feeds, feed_catalog


def _paper(pid: str, day: dt.date, *keywords: str, upvotes: int = 1) -> Paper:
    return Paper(pid, f"Paper {pid}", (), "Abstract.", day, upvotes=upvotes, ai_keywords=keywords)


def _archive(*papers: Paper) -> Archive:
    days: dict[dt.date, list[Paper]] = {}
    for paper in papers:
        days.setdefault(paper.day, []).append(paper)
    return Archive(tuple(Day(d, "listed", tuple(ps)) for d, ps in sorted(days.items())))


def test_keyword_slugs_are_ascii_words_joined_by_hyphens() -> None:
    assert keyword_slug("Large Language Models") == "large-language-models"
    assert keyword_slug("large-language  models") == "large-language-models"
    assert keyword_slug("pass@1") == "pass-1"
    assert keyword_slug("<script>alert(1)</script>") == "script-alert-1-script"
    assert keyword_slug("中文") == "" and keyword_slug("—") == ""
    assert len(keyword_slug("x" * 500)) == 80


def test_the_most_frequent_keywords_get_a_collection_each_newest_papers_first() -> None:
    d1, d2, d3 = dt.date(2025, 3, 11), dt.date(2025, 3, 12), dt.date(2025, 3, 13)
    archive = _archive(
        _paper("2503.00001", d1, "Diffusion models", "RL"),
        _paper("2503.00002", d2, "diffusion models", "Diffusion-Models"),  # one keyword, counted once
        _paper("2503.00003", d3, "diffusion models", "RL", "中文"),
        _paper("2503.00004", d3, "rare"),
    )
    found = keyword_collections(archive, count=2, shown=2)
    assert [(c.slug, c.title, c.size, [p.id for p in c.papers]) for c in found] == [
        ("diffusion-models", "diffusion models", 3, ["2503.00003", "2503.00002"]),  # the most used spelling
        ("rl", "RL", 2, ["2503.00003", "2503.00001"]),
    ]
    assert found[0].description == "3 papers of the archive have the AI keyword diffusion models."


def test_every_kind_has_its_feeds_in_the_catalog_and_they_parse() -> None:
    day = dt.date(2025, 3, 11)
    archive = _archive(*(_paper(f"2503.{n:05d}", day, "agents", upvotes=n) for n in range(30)))
    site = make_site(archive, Taxonomy(()), SITE_URL, Settings(collection_feed_items={"topic": 50, "org": 20,
                                                                                      "keyword": 5}))
    catalog = feed_catalog(site)
    assert {info.folder for info in catalog} >= {"Site-wide", "Topics"} | {"Keywords"}
    out = build_feeds(site)
    feed = feedparser.parse(out["keywords/agents/atom.xml"])
    assert feed.bozo == 0 and len(feed.entries) == 5  # the kind's own feed size, from the settings
    assert [kind.name for kind in KINDS] == ["topic", "org", "keyword"]


def test_keyword_pages_and_links_in_a_built_site(demo_site) -> None:
    """A frequent keyword of the demo snapshots has its page, listed on the index, and the cards that
    carry it link there; a keyword without a page stays text."""
    site = demo_site.site_dir
    index = parse((site / "keywords" / "index.html").read_text())
    links = [link for li in index.by_tag["li"] for link in li.links if link.startswith("../keywords/")]
    assert links and len({link for link in links if link.endswith("/")}) <= DEFAULTS.keyword_pages
    first = next(link for link in links if link.endswith("/"))
    page = parse((site / first.removeprefix("../")).joinpath("index.html").read_text())
    assert page.by_tag["h1"][-1].content and page.by_tag["ol"], first
    card_links = [link for html in site.glob("2026/11/*/index.html")
                  for card in parse(html.read_text()).by_tag["article"]
                  for link in card.links if link.endswith(first.removeprefix("../"))]
    assert card_links, f"no card links to {first}"
    for kind in ("feed.xml", "atom.xml"):
        assert feedparser.parse((site / first.removeprefix("../") / kind).read_bytes()).bozo == 0
