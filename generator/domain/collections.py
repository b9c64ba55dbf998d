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

from dataclasses import dataclass
from typing import Literal

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
KINDS: tuple[CollectionKind, ...] = (TOPIC, ORG)
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


def org_collections(orgs: list[Organization]) -> list[Collection]:
    """Every organization (domain/orgs.py groups them and gives each its slug), most papers first."""
    what = "Papers of a Hugging Face organization in the Daily Papers archive, newest first."
    return [Collection(ORG.name, org.slug, org.title, what, org.papers, org.name) for org in orgs]


def collections_of(archive: Archive, taxonomy: Taxonomy, orgs: list[Organization]) -> dict[str, list[Collection]]:
    """Every collection of the archive by kind, in KINDS' order: what pages, feeds and the OPML list."""
    return {TOPIC.name: topic_collections(archive, taxonomy), ORG.name: org_collections(orgs)}
