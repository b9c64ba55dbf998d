"""Reading feeds back as a reader would: RSS and Atom parsed with feedparser and held to their formats,
JSON Feed to the JSON Feed 1.1 rules, a title shown as text, and a page's <link rel="alternate"> tags."""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
import time
from html.parser import HTMLParser
from typing import Any

import feedparser

from generator.core.urls import url
from generator.domain.topics import Taxonomy, Topic
from generator.outputs.feeds import MAX_FEED_BYTES, feed_catalog, head_links_by_page
from support.factories import topics_only

MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


def parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, f"not well-formed: {parsed.get('bozo_exception')!r}"
    return parsed


TAG_START = re.compile(r"<[A-Za-z/!?]")


def assert_title_is_text(decoded: str, text: str, kind: str) -> None:
    """A title, as its XML holds it once decoded, shows `text` and never markup: in Atom always escaped
    (it says type="html"); in RSS, which cannot say, as written when HTML would read it the same (so
    text readers show it as written too), else escaped."""
    escaped = html.escape(text, quote=False)
    if kind == "atom":
        assert decoded == escaped, (decoded, text)
        return
    assert not TAG_START.search(decoded), (decoded, text)  # nothing an HTML reader would obey
    assert decoded == text if html.unescape(text) == text and not TAG_START.search(text) else decoded == escaped


def as_read(parsed: Any, key: str) -> str:
    """What a reader shows of a text field feedparser parsed (`entry`/`feed`, "title"): HTML rendered as
    text (these fields hold escaped text and never a tag, so unescaping renders them), text as it is."""
    value, detail = parsed[key], parsed[f"{key}_detail"]
    assert detail.type in ("text/html", "text/plain"), detail.type
    if detail.type == "text/html":
        assert not TAG_START.search(value), f"markup in {key}: {value!r}"  # what a reader would obey
        return html.unescape(value)
    return value


def stamp(struct: time.struct_time) -> int:
    return calendar.timegm(struct)


JSON_FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
                  "icon", "favicon", "authors", "language", "expired", "hubs", "items"}
JSON_ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
                  "banner_image", "date_published", "date_modified", "authors", "tags", "language", "attachments"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _absolute(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://")) and " " not in url


def check_json_feed(data: bytes) -> dict[str, Any]:
    """The JSON Feed 1.1 rules (https://jsonfeed.org/version/1.1): UTF-8 JSON; version, title and items
    required; every item has a unique string id and content_html or content_text; dates RFC 3339; authors
    are objects with a name; no keys the spec does not define (extensions would start with "_"). Also this
    site's promises: absolute URLs, newest first, under the size limit."""
    assert len(data) < MAX_FEED_BYTES
    feed = json.loads(data.decode("utf-8"))
    assert isinstance(feed, dict) and set(feed) <= JSON_FEED_KEYS, set(feed) - JSON_FEED_KEYS
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert _absolute(feed["home_page_url"]) and _absolute(feed["feed_url"])
    assert isinstance(feed["items"], list)
    for author in feed.get("authors", []):
        assert isinstance(author, dict) and isinstance(author["name"], str) and author["name"]
    ids, dates = [], []
    for item in feed["items"]:
        assert set(item) <= JSON_ITEM_KEYS, set(item) - JSON_ITEM_KEYS
        assert isinstance(item["id"], str) and item["id"]
        ids.append(item["id"])
        assert _absolute(item["url"])
        assert isinstance(item["title"], str)
        assert isinstance(item.get("content_html", item.get("content_text")), str)
        assert RFC3339.match(item["date_published"]), item["date_published"]
        dates.append(dt.datetime.fromisoformat(item["date_published"].replace("Z", "+00:00")))
        for author in item.get("authors", []):
            assert set(author) == {"name"} and isinstance(author["name"], str) and author["name"]
        assert all(isinstance(tag, str) and tag for tag in item.get("tags", []))
    assert len(ids) == len(set(ids)), "an id appears twice"
    assert dates == sorted(dates, reverse=True), "items are not newest first"
    return feed


def item_ids(data: bytes, kind: str) -> list[str]:
    """The ids of a feed's items in order, in any of the three formats."""
    if kind == "json":
        return [item["id"] for item in json.loads(data)["items"]]
    return [entry.id for entry in parse(data).entries]


def check_feed(data: bytes, kind: str) -> Any:
    """Parsed, well-formed, of the right format, ids unique, newest first, under the size limit."""
    if kind == "json":
        return check_json_feed(data)
    assert len(data) < MAX_FEED_BYTES
    parsed = parse(data)
    assert parsed.version == ("atom10" if kind == "atom" else "rss20")
    ids = [entry.id for entry in parsed.entries]
    assert len(ids) == len(set(ids)), "an id appears twice"
    dates = [stamp(entry.published_parsed) for entry in parsed.entries]
    assert dates == sorted(dates, reverse=True), "items are not newest first"
    if parsed.entries:
        assert stamp(parsed.feed.updated_parsed) == dates[0], "the feed's date is not its newest item's"
    return parsed


class LinkTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link":
            self.links.append(dict(attrs))


def hostile_topic_links() -> list[dict[str, str]]:
    hostile = Taxonomy((Topic("agents", 'Agents & <tool> "use"', "d", ("agent",)),))
    return head_links_by_page(feed_catalog(topics_only(hostile)))[url("topic", slug="agents")]
