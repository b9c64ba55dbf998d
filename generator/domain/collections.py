"""Collections: the papers of a topic, of an organization, of any grouping readers follow, as one kind
of thing. Each collection has a page (split into pages of `Settings.page_size`), its own feeds, an entry
on its kind's index page, on the Feeds page and in the OPML file.

A kind is one row of KINDS and one grouping function that makes its collections from the archive
(`collections_of`). Everything after that is shared: one view function (views.collection_views), one
feed loop (outputs/feeds.py), one pair of templates (collection.md.j2, collections.md.j2). What a kind
says in words (the lede of its pages, its index entries, its part of the Feeds page) is in its own
small template, `collections/<kind>.html.j2`, because templates hold the look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from generator.core.settings import DEFAULTS, Settings
from generator.core.text import hf_image_url
from generator.domain.model import Archive, Paper
from generator.domain.orgs import Organization
from generator.domain.topics import Taxonomy

FeedKind = Literal["rss", "atom", "json"]
"""A feed format (outputs/feeds.py has each one's facts): what a collection kind's feeds are written in."""


@dataclass(frozen=True, slots=True)
class Collection:
    """One collection: its kind (a KINDS name), slug (its URL), title, description ("" for none), and
    its papers newest first, each once, as listed on its first day. `name` is what the collection is
    known by besides its title (an organization's account name), "" for most."""

    kind: str
    slug: str
    title: str
    description: str
    papers: tuple[Paper, ...]
    name: str = ""
    total: int = -1
    """How many papers it has in all, when it lists only the newest of them (keywords); else len(papers)."""
    image: str = ""
    """A picture a page may show beside its title (an organization's avatar): an https URL of Hugging
    Face's hosts (core/text.hf_image_url), and "" for none or when mkdocs.yml's remote_images is off."""

    @property
    def size(self) -> int:
        return len(self.papers) if self.total < 0 else self.total


@dataclass(frozen=True, slots=True)
class CollectionKind:
    """One kind of collection. `name` is also the name of its URL patterns (core/urls.py: `<name>`,
    `<name>-page`, `<name>-index`, `<name>-feed`), of its words' template and of its feed settings.

    `label` titles its index page and its folder in the OPML file; `one` is the word for one of them;
    `ranked` lists the index most papers first (else in the collections' own order, as curated);
    `feeds` are the formats each collection's feed is written in; `feed_description` says what the
    feed holds (`{title}`: the collection's); `index_description` is the index page's description
    (`{count}`: how many collections)."""

    name: str
    label: str
    one: str
    ranked: bool
    feeds: tuple[FeedKind, ...]
    feed_description: str
    index_description: str


TOPIC = CollectionKind(
    "topic", "Topics", "topic", ranked=False, feeds=("rss", "atom", "json"),
    feed_description="The newest papers on {title}, one item per paper.",
    index_description="Every paper in the archive filed under 1 to 3 of {count} curated topics.")
ORG = CollectionKind(
    "org", "Organizations", "organization", ranked=True, feeds=("rss", "atom"),
    feed_description="The newest papers of the Hugging Face organization {title}, one item per paper.",
    index_description="Every Hugging Face organization named by a paper in the archive, with its paper count.")
KEYWORD = CollectionKind(
    "keyword", "Keywords", "keyword", ranked=True, feeds=("rss", "atom"),
    feed_description="The newest papers with the AI keyword {title}, one item per paper.",
    index_description="The {count} AI keywords Hugging Face gives the most papers of the archive, with their newest "
                      "papers.")
KINDS: tuple[CollectionKind, ...] = (TOPIC, ORG, KEYWORD)
KIND: dict[str, CollectionKind] = {kind.name: kind for kind in KINDS}


def topic_collections(archive: Archive, taxonomy: Taxonomy) -> list[Collection]:
    """Every topic of the taxonomy, in its curated order ("Other" last), with the papers filed under it;
    a topic without papers still has its (empty) collection."""
    by_topic: dict[str, list[Paper]] = {topic.slug: [] for topic in taxonomy.all_topics}
    for paper in reversed(archive.papers):  # newest first
        for slug in paper.topics:
            by_topic.setdefault(slug, []).append(paper)
    return [Collection(TOPIC.name, topic.slug, topic.title, topic.description, tuple(by_topic[topic.slug]))
            for topic in taxonomy.all_topics]


def org_collections(orgs: list[Organization], images: bool = True) -> list[Collection]:
    """Every organization (domain/orgs.py groups them and gives each its slug), most papers first, with
    its avatar where `images` allows and the URL is one of Hugging Face's."""
    what = "Papers of a Hugging Face organization in the Daily Papers archive, newest first."
    return [Collection(ORG.name, org.slug, org.title, what, org.papers, org.name,
                       image=hf_image_url(org.avatar) if images else "") for org in orgs]


_NOT_IN_SLUG = re.compile(r"[^a-z0-9]+")
MAX_KEYWORD_SLUG = 80


@cache
def keyword_slug(keyword: str) -> str:
    """A keyword's URL: its ASCII letters and digits, lower case, words joined by "-" ("Large Language
    Models" and "large-language models" are one keyword); "" when nothing of it is left to name a page."""
    return _NOT_IN_SLUG.sub("-", keyword.lower()).strip("-")[:MAX_KEYWORD_SLUG].strip("-")


def keyword_collections(archive: Archive, count: int, shown: int) -> list[Collection]:
    """The `count` AI keywords the most papers have (Hugging Face gives papers since 2025 a few each), most
    papers first, then by slug; each lists its `shown` newest papers (one page: search finds all of
    them, and a page per 100 papers of "large language models" would be hundreds of pages). Spellings
    that slug alike are one keyword, shown as the most used spelling (the first in code point order on a
    tie); a keyword of which no letter or digit is left gets no page."""
    papers: dict[str, list[Paper]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for paper in reversed(archive.papers):  # newest first
        for keyword in dict.fromkeys(" ".join(k.split()) for k in paper.ai_keywords):
            slug = keyword_slug(keyword)
            if not slug:
                continue
            if not papers.get(slug) or papers[slug][-1] is not paper:  # once a paper, however many spellings
                papers.setdefault(slug, []).append(paper)
            names = spellings.setdefault(slug, {})
            names[keyword] = names.get(keyword, 0) + 1
    ranked = sorted(papers, key=lambda slug: (-len(papers[slug]), slug))[:count]
    out = []
    for slug in ranked:
        title = min(spellings[slug], key=lambda name: (-spellings[slug][name], name))
        total = len(papers[slug])
        what = f"{total:,} paper{'' if total == 1 else 's'} of the archive have the AI keyword {title}."
        out.append(Collection(KEYWORD.name, slug, title, what, tuple(papers[slug][:shown]), total=total))
    return out


def collections_of(archive: Archive, taxonomy: Taxonomy, orgs: list[Organization],
                   settings: Settings = DEFAULTS) -> dict[str, list[Collection]]:
    """Every collection of the archive by kind, in KINDS' order: what pages, feeds and the OPML list."""
    return {TOPIC.name: topic_collections(archive, taxonomy), ORG.name: org_collections(orgs, settings.remote_images),
            KEYWORD.name: keyword_collections(archive, settings.keyword_pages, settings.page_size)}
