"""RSS 2.0, Atom and JSON Feed 1.1 feeds of the archive, and an OPML list of them, from the model alone.

Feed readers keep what they have seen by id and sort by date, so the promises here are about those:

- ids (RSS guid, Atom id, JSON Feed id) are URLs under site_url that never change: a paper's permalink
  `{site_url}p/<arXiv id>/`, a day's page `{site_url}YYYY/MM/DD/`, a week's page `{site_url}weeks/YYYY-Www/`.
  A paper listed on two days is one item, dated and linked by its first day.
- an item's date is its Daily-Papers day: the paper's `featured_at` time when that falls on the day,
  else the day at 00:00 UTC. A feed's own date (lastBuildDate, updated) is its newest item's date, and
  nothing reads the clock, so building unchanged data twice gives the same bytes.
- every string from the API is text: characters XML cannot hold are removed, only http(s) URLs become
  links, and no reader ever obeys markup from the data. It is HTML-escaped wherever a reader may take it
  for HTML (`_as_html`): item descriptions, Atom content, RSS channel descriptions (an organization's
  name is in its feed's), Atom titles and subtitles, which say so (`type="html"`, so every Atom reader
  shows them exactly as written), and OPML's text attributes. RSS titles cannot say whether they are
  text or HTML, and readers guess both ways (newsboat shows them as text; feedparser as HTML when they
  look like it, so `<b>x</b>` would turn bold): `_rss_title` escapes a title exactly when HTML would
  read something in it as markup. JSON Feed's `title` and `description` are plain text by its
  specification, so they stay as written there.
- every feed holds a bounded number of items and stays under MAX_FEED_BYTES; when long texts would push
  it over, the oldest items are dropped.

One function (`_write_feed`) writes every feed, so site-wide, topic and digest feeds, and their RSS,
Atom (both by feedgen) and JSON Feed versions, cannot drift apart: each format serializes the same items.

The OPML file (url("opml")) is made from `feed_catalog`, so every feed added there is listed in it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from lxml import etree

from generator.core import text
from generator.core.settings import Settings
from generator.core.urls import url
from generator.domain import views
from generator.domain.collections import KINDS, Collection, CollectionKind, FeedKind
from generator.domain.model import Archive, Paper
from generator.domain.site import Site
from generator.domain.topics import Topic


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """One feed format, every fact about it in one row: the file a feed of it has (site-wide, and in a
    collection's folder), its media type, its name in a sentence ("RSS") and in full ("RSS 2.0"), and
    how the OPML file names it. `opml_rank` says which version of a feed the OPML file lists (the
    lowest there is): Atom, whose titles say how to show them, else RSS; JSON Feed never (newsboat,
    for one, reads none)."""

    kind: FeedKind
    file: str
    media_type: str
    label: str
    name: str
    opml_version: str | None
    opml_rank: int | None


FORMATS: dict[FeedKind, FeedFormat] = {f.kind: f for f in (
    FeedFormat("rss", "feed.xml", "application/rss+xml", "RSS", "RSS 2.0", "RSS2", 1),
    FeedFormat("atom", "atom.xml", "application/atom+xml", "Atom", "Atom", "ATOM", 0),
    FeedFormat("json", "feed.json", "application/feed+json", "JSON Feed", "JSON Feed 1.1", None, None),
)}
SITE_FORMATS: tuple[FeedKind, ...] = ("rss", "atom", "json")  # the site-wide paper feeds
DAILY_FILE = "daily.xml"  # the daily and weekly digests: RSS 2.0 only
WEEKLY_FILE = "weekly.xml"
SITE_WIDE_FOLDER = "Site-wide"  # the OPML file's folder of the site-wide feeds; a collection's is its kind's label
MAX_FEED_BYTES = 512 * 1024
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

# Caps on one item's text, so one hostile paper cannot crowd out the rest of a feed.
ITEM_TITLE_CHARS = 1000
MAX_ABSTRACT = 2000  # arXiv allows 1,920 characters; only hostile input is cut
MAX_AI_SUMMARY = 1000
MAX_NAME = 200
AUTHORS_SHOWN = 10
DIGEST_AUTHORS_SHOWN = 3
KEYWORDS_SHOWN = 12

# Before any item exists (an empty archive or topic) a feed still needs a fixed date: Daily Papers began
# in May 2023.
EPOCH = dt.datetime(2023, 5, 1, tzinfo=dt.UTC)

# XML 1.0 forbids C0 controls but tab, newline and carriage return, U+FFFE, U+FFFF and surrogates (a
# Python str can only hold them as lone halves). lxml refuses them, so they are removed, never escaped.
# DEL and the C1 controls (but U+0085, a line break) go too: XML discourages them, and readers show them
# as Windows-1252 letters (feedparser turns U+0086 into "†"). Snapshots stored before normalize dropped
# them may still hold some.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """One feed as the Feeds page and the `<link rel="alternate">` tags describe it."""

    path: str
    title: str
    kind: FeedKind
    description: str
    max_items: int
    page: str = url("home")
    """The page the feed follows, whose head advertises it: the home page for site-wide feeds."""
    folder: str = SITE_WIDE_FOLDER
    """Its folder in the OPML file: Site-wide, or its collection kind's label (Topics, Organizations)."""

    @property
    def media_type(self) -> str:
        return FORMATS[self.kind].media_type


@dataclass(frozen=True, slots=True)
class _Item:
    """One feed item, format-neutral: `_write_feed` turns it into RSS, Atom or JSON Feed."""

    guid: str
    title: str
    link: str
    date: dt.datetime
    html: str
    author: str = ""  # the authors as one line ("A, B and 3 more"): RSS dc:creator, Atom author
    authors: tuple[str, ...] = ()  # the names that line shows, one by one: JSON Feed's authors
    categories: tuple[str, ...] = ()


# --- text and URLs -------------------------------------------------------------------------------------


def xml_text(value: str) -> str:
    """The text with only the characters XML cannot hold removed."""
    return _XML_FORBIDDEN.sub("", value or "")


def _text(value: str, limit: int = 0) -> str:
    """Untrusted text ready for a feed field; cut at `limit` characters with an ellipsis."""
    value = xml_text(value)
    if limit and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def _esc(value: str, limit: int = 0) -> str:
    """Untrusted text as HTML text: `<think>` stays visible as text in every reader."""
    return html.escape(_text(value, limit), quote=False)


def _as_html(value: str) -> str:
    """Text already cleaned for XML, as HTML text: for the fields a reader may render as HTML (see the
    module docstring)."""
    return html.escape(value, quote=False)


_TAG_START = re.compile(r"<[A-Za-z/!?]")


def _rss_title(value: str) -> str:
    """An RSS title (cleaned for XML) that reads the same as text and as HTML, and never as markup: as
    written when HTML would see no tag or character reference in it (`Q&A`, `1 < 2`: what most titles
    with these characters hold, shown right by every reader), escaped otherwise (`<think>`, `&copy`,
    `&amp;`), so an HTML reader shows it as written and a text reader (newsboat) shows the entities.
    `html.unescape` knows every reference HTML5 reads, the legacy ones without a semicolon too."""
    return _as_html(value) if _TAG_START.search(value) or html.unescape(value) != value else value


def _pid(paper_id: str) -> str:
    return quote(xml_text(paper_id), safe="/")


# Where things are on the site: the page views' own URLs, so a feed never links to a page that is not there.
def permalink_path(paper_id: str) -> str:
    return url("permalink", id=_pid(paper_id))


def card_path(paper_id: str, date: dt.date) -> str:
    return url("card", id=_pid(paper_id), date=date)


def collection_feed_path(collection: Collection, kind: FeedKind) -> str:
    """The path of a collection's own feed of `kind`, in its page's folder."""
    return url(f"{collection.kind}-feed", slug=collection.slug, file=FORMATS[kind].file)


# --- dates ---------------------------------------------------------------------------------------------


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def item_date(paper: Paper, day: dt.date) -> dt.datetime:
    """When the paper appeared on its Daily-Papers `day`: featured_at if it falls on that day (UTC).

    Older API responses give the submission time of the evening before, or even a week before, as
    featured_at; dating the item then would put it on another day than the page it links to.
    """
    try:
        moment = dt.datetime.fromisoformat(paper.featured_at)
    except (TypeError, ValueError):
        return _midnight(day)
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return moment if moment.date() == day else _midnight(day)


# --- the catalog ---------------------------------------------------------------------------------------


def _site_feeds(settings: Settings) -> list[FeedInfo]:
    name = settings.site_name
    papers = "The newest papers of every day, one item per paper, with abstract, AI summary and links."
    return [FeedInfo(FORMATS[kind].file, name, kind, papers, settings.feed_items) for kind in SITE_FORMATS] + [
        FeedInfo(DAILY_FILE, f"{name}: daily digest", "rss",
                 "One item per Daily-Papers day, listing that day's papers by upvotes.", settings.daily_feed_days),
        FeedInfo(WEEKLY_FILE, f"{name}: weekly top papers", "rss",
                 f"One item per ISO week, with the week's {settings.weekly_top} most upvoted papers.",
                 settings.weekly_feed_weeks),
    ]


def collection_feeds(kind: CollectionKind, collection: Collection, settings: Settings) -> list[FeedInfo]:
    """A collection's own feeds, one per format of its kind, all with the same items, title and page."""
    title = f"{settings.site_name}: {collection.title}"
    what = kind.feed_description.format(title=collection.title)
    page = url(kind.name, slug=collection.slug)
    items = settings.collection_feed_items[kind.name]
    return [FeedInfo(collection_feed_path(collection, fmt), title, fmt, what, items, page, kind.label)
            for fmt in kind.feeds]


def feed_catalog(site: Site) -> list[FeedInfo]:
    """Every feed the build writes: the site-wide ones first, then each collection's (domain/collections.py:
    topics in the taxonomy's order, organizations most papers first). Versions of one feed in other
    formats share its title and page."""
    feeds = _site_feeds(site.settings)
    for kind in KINDS:
        for collection in site.collections[kind.name]:
            feeds += collection_feeds(kind, collection, site.settings)
    return feeds


def head_links_by_page(catalog: list[FeedInfo]) -> dict[str, list[dict[str, str]]]:
    """The `<link rel="alternate">` entries of every page that has feeds (the home page: the site-wide
    feeds, which every page advertises), as the theme partial overrides/partials/feed-links.html writes
    them. A feed sharing its title with another of the same page is told apart by its format. Grouped
    in one pass: a build asks for the links of every topic and organization page."""
    by_page: dict[str, list[FeedInfo]] = {}
    for info in catalog:
        by_page.setdefault(info.page, []).append(info)
    out = {}
    for page, mine in by_page.items():
        titles = [info.title for info in mine]
        out[page] = [
            {"href": info.path, "type": info.media_type,
             "title": f"{info.title} ({FORMATS[info.kind].label})" if titles.count(info.title) > 1 else info.title}
            for info in mine
        ]
    return out


def feeds_page_context(site: Site) -> dict[str, Any]:
    """What feeds.md.j2 needs: the feeds grouped as the page shows them, with their units and limits;
    `collections` is each kind with its collections' feeds by format."""
    catalog = feed_catalog(site)
    by_path = {info.path: info for info in catalog}
    units = {DAILY_FILE: "days", WEEKLY_FILE: "weeks"}
    site_wide = [{"info": info, "unit": units.get(info.path, "papers"), "format": FORMATS[info.kind].name}
                 for info in _site_feeds(site.settings)]
    opml = opml_feeds(site)
    collections = [
        {"kind": kind, "per_feed": site.settings.collection_feed_items[kind.name], "entries": [
            {"collection": c, "page": url(kind.name, slug=c.slug),
             **{fmt: by_path[collection_feed_path(c, fmt)] for fmt in kind.feeds}}
            for c in site.collections[kind.name]]}
        for kind in KINDS
    ]
    return {
        "site_name": site.settings.site_name,
        "site_wide": site_wide,
        "collections": collections,
        "opml_path": url("opml"),
        "opml_count": len(opml),
        "opml_folders": list(dict.fromkeys(info.folder for info in opml)),
        "data_page": url("data"),
        "weekly_top": site.settings.weekly_top,
        "max_feed_kib": MAX_FEED_BYTES // 1024,
    }


# --- items ---------------------------------------------------------------------------------------------


def _author_names(paper: Paper) -> list[str]:
    names = [_text(a.name, MAX_NAME) for a in paper.visible_authors]
    return [name for name in names if name.strip()]


def _link_or_text(label: str, value: str) -> str:
    """A link for an http(s) URL; anything else the API put there is shown as text, never linked."""
    url = text.http_url(xml_text(value))
    if url:
        return f'<a href="{html.escape(url)}">{label}</a>'
    shown = _text(value, MAX_NAME).strip()
    return f"{label}: {html.escape(shown, quote=False)}" if shown else ""


class _Items:
    """Makes a site's feed items: each needs the site's URL for its links and the taxonomy for its
    categories."""

    def __init__(self, site: Site):
        self.url = site.url
        self.taxonomy = site.taxonomy

    def topics_of(self, paper: Paper) -> list[Topic]:
        return [self.taxonomy.by_slug[slug] for slug in paper.topics if slug in self.taxonomy.by_slug]

    def paper_item(self, paper: Paper, day: dt.date) -> _Item:
        """One paper as an item: id its permalink, link its card on its first day."""
        card = self.url + card_path(paper.id, day)
        permalink = self.url + permalink_path(paper.id)
        topics = self.topics_of(paper)
        names = _author_names(paper)
        authors = text.author_line(names, AUTHORS_SHOWN)
        parts = []
        if authors:
            parts.append(f"<p><strong>Authors:</strong> {html.escape(authors, quote=False)}</p>")
        if paper.organization and _text(paper.organization.label).strip():
            parts.append(f"<p><strong>Organization:</strong> {_esc(paper.organization.label, MAX_NAME)}</p>")
        if topics:
            topic_links = ", ".join(f'<a href="{html.escape(self.url + url("topic", slug=t.slug))}">{_esc(t.title)}</a>'
                              for t in topics)
            parts.append(f"<p><strong>Topics:</strong> {topic_links}</p>")
        if _text(paper.ai_summary).strip():
            parts.append(f"<p><strong>AI summary:</strong> {_esc(paper.ai_summary, MAX_AI_SUMMARY)}</p>")
        for paragraph in _PARAGRAPH_BREAK.split(_text(paper.abstract, MAX_ABSTRACT)):
            if paragraph.strip():
                parts.append(f"<p>{html.escape(paragraph.strip(), quote=False)}</p>")
        keywords = [k for k in (_text(k, MAX_NAME) for k in paper.ai_keywords) if k.strip()]
        if keywords:
            more = f" and {len(keywords) - KEYWORDS_SHOWN} more" if len(keywords) > KEYWORDS_SHOWN else ""
            shown = ", ".join(html.escape(k, quote=False) for k in keywords[:KEYWORDS_SHOWN])
            parts.append(f"<p><strong>Keywords:</strong> {shown}{more}</p>")
        links = [
            f'<a href="{html.escape(card)}">Daily Papers, {day:%Y-%m-%d}</a>',
            f'<a href="{html.escape(permalink)}">Permalink</a>',
            _link_or_text("arXiv", paper.arxiv_url),
            _link_or_text("PDF", paper.pdf_url),
            _link_or_text("Hugging Face", paper.hf_url),
        ]
        if paper.github_repo:
            links.append(_link_or_text("GitHub", paper.github_repo))
        if paper.project_page:
            links.append(_link_or_text("Project page", paper.project_page))
        parts.append("<p>" + " · ".join(link for link in links if link) + "</p>")
        parts.append(f"<p>{paper.upvotes:,} upvotes · {paper.comments:,} comments</p>")
        return _Item(
            guid=permalink,
            title=_text(paper.title, ITEM_TITLE_CHARS).strip() or _text(paper.id),
            link=card,
            date=item_date(paper, day),
            html="\n".join(parts),
            author=authors,
            authors=tuple(names[:AUTHORS_SHOWN]),
            categories=tuple(_text(t.title) for t in topics),
        )

    def digest_line(self, paper: Paper, day: dt.date) -> str:
        """One paper in a digest: its title linked to its card, upvotes and first authors."""
        card = self.url + card_path(paper.id, day)
        title = _esc(paper.title, ITEM_TITLE_CHARS).strip() or _esc(paper.id)
        authors = text.author_line(_author_names(paper), DIGEST_AUTHORS_SHOWN)
        by = f" · {html.escape(authors, quote=False)}" if authors else ""
        return f'<li><a href="{html.escape(card)}">{title}</a> · {paper.upvotes:,} upvotes{by}</li>'


def _newest_first(items: Iterable[_Item]) -> list[_Item]:
    return sorted(items, key=lambda item: (-item.date.timestamp(), item.guid))


def _by_item_date(papers: Iterable[Paper]) -> list[tuple[dt.datetime, Paper]]:
    """Papers (each once, on its first day) newest item first, ties by id: what `_paper_items` takes."""
    return sorted(((item_date(p, p.day), p) for p in papers), key=lambda pair: (-pair[0].timestamp(), pair[1].id))


def _paper_items(items: _Items, papers: Iterable[Paper], limit: int) -> list[_Item]:
    """The `limit` newest of `papers` (each once, on its first day) as items, newest first."""
    return _newest_first(items.paper_item(p, p.day) for _, p in _by_item_date(papers)[:limit])


def _daily_items(site: _Items, archive: Archive, days: int) -> list[_Item]:
    """The newest `days` days with papers, each listing every paper of that day's list."""
    items = []
    listed = [day for day in archive.days if day.papers]
    for day in listed[-days:]:
        papers = sorted(day.papers, key=lambda p: p.day_rank)
        lines = "\n".join(site.digest_line(p, day.date) for p in papers)
        when = text.long_date(day.date)
        count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
        items.append(_Item(
            guid=site.url + url("day", date=day.date),
            title=f"Daily Papers for {when} ({count})",
            link=site.url + url("day", date=day.date),
            date=max(item_date(p, day.date) for p in day.papers),
            html=f"<p>{count}, most upvoted first:</p>\n<ol>\n{lines}\n</ol>",
        ))
    return _newest_first(items)


def _weekly_items(site: _Items, papers: Sequence[Paper], weeks_shown: int, top_shown: int) -> list[_Item]:
    """The newest `weeks_shown` ISO weeks: each week's `top_shown` most upvoted papers, counted from their
    first day."""
    weeks: dict[str, list[Paper]] = {}
    for paper in papers:
        weeks.setdefault(views.week_key(paper.day), []).append(paper)
    items = []
    for key in sorted(weeks)[-weeks_shown:]:
        week = weeks[key]
        top = views.top_papers(week, top_shown)
        lines = "\n".join(site.digest_line(p, p.day) for p in top)
        first, last = min(p.day for p in week), max(p.day for p in week)
        span = text.short_date(first)
        if first != last:
            span = f"{text.short_date(first, year=False)} to {text.short_date(last)}"
        page = site.url + url("week", week=key)
        items.append(_Item(
            guid=page,
            title=f"Week {key} ({span}): top {len(top)} of {len(week)} papers",
            link=page,
            date=max(item_date(p, p.day) for p in week),
            html=f"<p>The {len(top)} most upvoted of the week's {len(week)} papers:</p>\n"
                 f"<ol>\n{lines}\n</ol>",
        ))
    return _newest_first(items)


# --- writing -------------------------------------------------------------------------------------------


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _json_feed(info: FeedInfo, page_url: str, site: Site, items: list[_Item]) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the same items, fields and ids as RSS and Atom.

    Keys are written in a fixed order and empty optional fields are left out, as the spec asks."""
    entries = []
    for item in items:
        entry: dict[str, object] = {"id": item.guid, "url": item.link, "title": item.title,
                                    "content_html": item.html, "date_published": _rfc3339(item.date)}
        if item.authors:
            entry["authors"] = [{"name": name} for name in item.authors]
        if item.categories:
            entry["tags"] = list(item.categories)
        entries.append(entry)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": _text(info.title),
        "home_page_url": page_url,
        "feed_url": site.url + info.path,
        "description": _text(info.description),
        "language": "en",
        "authors": [{"name": site.settings.site_name}],
        "items": entries,
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _serialize(info: FeedInfo, page_url: str, site: Site, items: list[_Item]) -> bytes:
    if info.kind == "json":
        return _json_feed(info, page_url, site, items)
    name = site.settings.site_name
    feed = FeedGenerator()
    self_url = site.url + info.path
    feed.id(self_url)
    title = _as_html if info.kind == "atom" else _rss_title
    feed.title(title(_text(info.title)))  # an organization's name is in its feed's title and description
    feed.description(_as_html(_text(info.description)))  # RSS description, Atom subtitle
    feed.link(href=self_url, rel="self", type=FORMATS[info.kind].media_type)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.author(name=name)  # Atom wants an author; papers without visible authors inherit this one
    feed.language("en")
    feed.generator(name)  # constant: feedgen's default carries its version
    feed.updated(items[0].date if items else EPOCH)  # also lastBuildDate; never "now"
    if info.kind == "rss":
        feed.load_extension("dc", atom=False, rss=True)  # dc:creator: RSS's author needs an e-mail address
    for item in items:
        entry = feed.add_entry(order="append")
        entry.guid(item.guid, permalink=True)
        entry.title(title(item.title))
        entry.link(href=item.link, rel="alternate", type="text/html")
        entry.published(item.date)
        entry.updated(item.date)
        if info.kind == "atom":
            entry.content(item.html, type="html")
            if item.author:
                entry.author(name=item.author)
            for term in item.categories:
                entry.category(term=term, label=term, scheme=site.url + url("topic-index"))
        else:
            entry.description(item.html)
            if item.author:
                entry.dc.dc_creator(item.author)
            for term in item.categories:
                entry.category(term=term)
    if info.kind == "atom":
        return _atom_bytes(feed)
    return feed.rss_str(pretty=True)


_ATOM_TEXT_CONSTRUCTS = ("title", "subtitle")  # feedgen names Atom's elements without their namespace


def _atom_bytes(feed: FeedGenerator) -> bytes:
    """The Atom feed, its titles and subtitle marked `type="html"` (they hold escaped text, `_as_html`).
    feedgen writes them without a type and has no option for one, so the tree it serializes in
    `atom_str` is taken from `_create_atom` (feedgen 1.0, pinned in the lock files) and marked first."""
    _, document = feed._create_atom(extensions=True)
    for element in document.iter(*_ATOM_TEXT_CONSTRUCTS):
        element.set("type", "html")
    return etree.tostring(document, pretty_print=True, encoding="UTF-8", xml_declaration=True)


def _write_feed(info: FeedInfo, page_url: str, site: Site, items: list[_Item]) -> bytes:
    """The feed's bytes: at most info.max_items items, fewer (the oldest dropped) if over MAX_FEED_BYTES."""
    items = items[: info.max_items]
    data = _serialize(info, page_url, site, items)
    while len(data) > MAX_FEED_BYTES and len(items) > 1:
        # Shrink in proportion to the overshoot (5% margin), at least by one item.
        keep = min(len(items) - 1, max(1, int(len(items) * MAX_FEED_BYTES / len(data) * 0.95)))
        items = items[:keep]
        data = _serialize(info, page_url, site, items)
    return data


# --- OPML ----------------------------------------------------------------------------------------------

def opml_feeds(site: Site) -> list[FeedInfo]:
    """Every feed of the catalog once, in one format, in the catalog's order.

    The RSS, Atom and JSON Feed versions of a feed (same page, same title) carry the very same items, so
    subscribing to them all would show each paper two or three times; a reader gets the version of the
    lowest `FeedFormat.opml_rank`: Atom, or RSS where there is none (the digests).
    """
    chosen: dict[tuple[str, str], FeedInfo] = {}
    for info in feed_catalog(site):
        rank = FORMATS[info.kind].opml_rank
        if rank is None:
            continue
        key = (info.page, info.title)
        best = chosen.get(key)
        if best is None or rank < (FORMATS[best.kind].opml_rank or 0):
            chosen[key] = info
    return list(chosen.values())


def build_opml(site: Site) -> bytes:
    """OPML 2.0 listing every feed once (`opml_feeds`), in folders: site-wide, then one per collection
    kind. A feed's htmlUrl is the page it follows."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = f"{site.settings.site_name}: every feed"
    ElementTree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    for info in opml_feeds(site):
        if info.folder not in folders:
            folders[info.folder] = ElementTree.SubElement(body, "outline", text=info.folder, title=info.folder)
        # OPML 2.0: "text attributes may contain encoded HTML markup", so the data in them is escaped
        title, description = _as_html(_text(info.title)), _as_html(_text(info.description))
        outline = {"type": "rss", "text": title, "title": title, "description": description,
                   "xmlUrl": site.url + info.path, "htmlUrl": site.url + info.page}
        version = FORMATS[info.kind].opml_version
        if version:
            outline["version"] = version
        ElementTree.SubElement(folders[info.folder], "outline", outline)
    ElementTree.indent(root, space="  ")
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def build_feeds(site: Site) -> dict[str, bytes]:
    """Every feed file, keyed by its path under the site root (see feed_catalog for the list), then the
    OPML list of them at url("opml")."""
    items = _Items(site)
    settings = site.settings
    catalog = feed_catalog(site)
    out: dict[str, bytes] = {}
    papers = site.archive.papers  # each paper once, from its first day
    everything = _paper_items(items, papers, settings.feed_items)
    for info in catalog:
        if info.page != url("home"):
            break  # the collections' feeds follow the site-wide ones
        if info.path == DAILY_FILE:
            feed_items = _daily_items(items, site.archive, settings.daily_feed_days)
        elif info.path == WEEKLY_FILE:
            feed_items = _weekly_items(items, papers, settings.weekly_feed_weeks, settings.weekly_top)
        else:
            feed_items = everything
        out[info.path] = _write_feed(info, site.url, site, feed_items)
    for kind in KINDS:  # one loop for every collection's feeds
        for collection in site.collections[kind.name]:
            feed_items = _paper_items(items, collection.papers, settings.collection_feed_items[kind.name])
            page = site.url + url(kind.name, slug=collection.slug)
            for info in collection_feeds(kind, collection, settings):
                out[info.path] = _write_feed(info, page, site, feed_items)
    out[url("opml")] = build_opml(site)
    return out
