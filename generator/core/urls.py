"""Every URL of the site, as data: one pattern per kind of page or file, relative to the site root, and
`url(kind, **parts)` to fill one in. Views, templates (the `url` global), feeds, the search index (its
manifest carries the card pattern to the browser), the theme (through the MkDocs plugin's
`config.extra`) and the output claims all take their paths from here; nothing else spells one.

Page URLs end in "/" (MkDocs' directory URLs; "" is the home page). A pattern's `{names}` are filled
by `url`; a `date=` part fills `{yyyy}`, `{mm}` and `{dd}`. A kind whose pages are split (a topic's
papers, 100 a page) has a second pattern, `<kind>-page`, that `url` takes for `page=` above 1.
These are the contract of ../shared/DESIGN.md: bookmarks and feed readers rely on them, so change
one only for a reason written down, and never its meaning.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

PATTERNS: Final[dict[str, str]] = {
    # the archive by date
    "home": "",
    "day": "{yyyy}/{mm}/{dd}/",
    "month": "{yyyy}/{mm}/",
    "year": "{yyyy}/",
    "week": "weeks/{week}/",  # an ISO week, YYYY-Www
    "week-index": "weeks/",
    "archive": "archive/",
    # a paper: its card on a day's page, its permanent link, the card tools' data of its day
    "card": "{yyyy}/{mm}/{dd}/#{id}",
    "permalink": "p/{id}/",
    "permalink-index": "p/",
    "card-data": "cards/{yyyy}/{mm}/{dd}.json",
    "card-data-index": "cards/",
    # collections of papers (domain/collections.py): an index, one page each, split into pages, feeds
    "topic-index": "topics/",
    "topic": "topics/{slug}/",
    "topic-page": "topics/{slug}/page/{page}/",
    "topic-feed": "topics/{slug}/{file}",
    "org-index": "orgs/",
    "org": "orgs/{slug}/",
    "org-page": "orgs/{slug}/page/{page}/",
    "org-feed": "orgs/{slug}/{file}",
    "keyword-index": "keywords/",
    "keyword": "keywords/{slug}/",
    "keyword-page": "keywords/{slug}/page/{page}/",
    "keyword-feed": "keywords/{slug}/{file}",
    # site-wide feeds and the list of every feed
    "feed": "{file}",  # feed.xml, atom.xml, feed.json, daily.xml, weekly.xml (outputs/feeds.py)
    "opml": "feeds.opml",
    "feeds": "feeds/",
    # the reader's pages
    "search": "search/",  # the results page; the search index lives below it
    "saved": "saved/",
    "subscribe": "subscribe/",
    "stats": "stats/",
    # downloads
    "data": "data/",
    "download": "data/{file}",
    "download-year": "data/{yyyy}/{file}",
    "snapshot-schema": "schema/snapshot.schema.json",
}


def url(kind: str, /, **parts: object) -> str:
    """The URL of `kind` (a key of PATTERNS) with its parts filled in: `url("day", date=d)`,
    `url("topic", slug="agents", page=2)`. A missing part is a KeyError: a bug, never data."""
    page = parts.pop("page", 1)
    if page != 1:
        kind = f"{kind}-page"
        parts["page"] = page
    date = parts.pop("date", None)
    if isinstance(date, dt.date):
        parts.update(yyyy=f"{date.year:04d}", mm=f"{date.month:02d}", dd=f"{date.day:02d}")
    return PATTERNS[kind].format_map(parts)


def folder(kind: str) -> str:
    """What precedes a pattern's first `{name}`: the folder all its URLs live in (`p/` for permalinks,
    `orgs/` for organizations; "" for the date kinds, whose first part is the year)."""
    return PATTERNS[kind].split("{", 1)[0]
