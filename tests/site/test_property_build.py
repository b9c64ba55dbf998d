"""The property of issue 17: whatever `import` accepts, `build` builds, and builds right.

Hypothesis draws saved API responses in every shape the API has had, with hostile values
(tests/support/api_strategies.py: naughty strings, organization names in case and punctuation variants, one paper
on several days under different organizations, strings at import's caps, huge counts, missing optional
keys). For each drawn archive, in a fresh project: `import` the files, then `validate` must pass and
`build` must succeed, and in the built site

- every stored paper has its card (`<article id="<arXiv id>">`) on its day page, with a permalink that
  leads to a page;
- a paper stored with an organization has exactly one organization link on that card (none without),
  and the page it leads to (or one of its `page/N/` pages) links to the paper's card;
- every feed parses: RSS and Atom with feedparser (`bozo == 0`), JSON Feed with `json.loads` and its
  required keys;
- no data string is live markup in a feed, read the way readers read each field:
  RSS `<title>` and `<description>` (channel and item) may be rendered as HTML by a reader (the RSS
  spec allows entity-encoded HTML in descriptions, says nothing of titles, and readers differ: the RSS
  Advisory Board notes some strip or render markup in titles), so their decoded text, rendered as HTML,
  must show the data as written and hold no element but the feed's own (`<p>`, `<strong>`, `<a href>`,
  `<ol>`, `<li>` in item bodies; none in titles and channel descriptions). Atom text constructs follow
  their `type`: `text` is shown as written (so it must equal the data, never be escaped twice), `html`
  as HTML. JSON Feed titles and descriptions are plain text by its spec, `content_html` HTML; OPML's
  text attributes "may contain encoded HTML markup" (OPML 2.0). And as feedparser (the library most
  Python readers use) delivers each field: its HTML-typed values hold no element from the data, and a
  paper's or an organization's title shows as written, allowing for what feedparser does to any text
  (`feedparser_text`: C1 controls become cp1252 characters).

Only what import stored is checked: a file it refuses is skipped, and counted (the strategies add a
near miss now and then; `--hypothesis-show-statistics` lists "import refused a file meant to be
stored" when it refuses one the strategies meant to be accepted). An example where nothing was stored
is rejected (`assume`).

Profiles: by default a fixed set of DEFAULT_EXAMPLES examples (derandomized, no example database), so
`make test` sees the same ones every run and stays within its budget (35 to 55 s on the shared 2-core
machine, a build of a tiny project being about 1.5 s). `DAILYPAPERS_DEEP=1` runs DEEP_EXAMPLES random
examples (or `DAILYPAPERS_DEEP_EXAMPLES`) of larger archives, with Hypothesis's example database in
.hypothesis/ so a failure found is replayed, and its shrinking resumed, first next time:

    DAILYPAPERS_DEEP=1 DAILYPAPERS_DEEP_EXAMPLES=500 .venv/bin/pytest -q tests/site/test_property_build.py
"""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
from feedparser.html import _cp1252
from hypothesis import HealthCheck, assume, event, given, note, settings
from lxml import etree
from support.api_strategies import GeneratedArchive, archives
from support.factories import SITE_URL, new_project
from support.htmltext import parse as parse_html

from generator.cli import main
from generator.core.project import Project
from generator.store.snapshots import load_snapshots

SITE_NAME = "Daily Papers Archive"
DEEP = os.environ.get("DAILYPAPERS_DEEP", "") not in ("", "0")
DEFAULT_EXAMPLES = 12
DEEP_EXAMPLES = int(os.environ.get("DAILYPAPERS_DEEP_EXAMPLES", "200"))

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
         HealthCheck.filter_too_much]
if DEEP:
    PROFILE = settings(max_examples=DEEP_EXAMPLES, deadline=None, suppress_health_check=_SLOW)
    MAX_DAYS, MAX_ENTRIES = 6, 12
else:
    PROFILE = settings(max_examples=DEFAULT_EXAMPLES, derandomize=True, database=None, deadline=None,
                       suppress_health_check=_SLOW)
    MAX_DAYS, MAX_ENTRIES = 4, 6

# What a feed's own HTML is made of; anything else in an HTML field came from the data.
ITEM_TAGS = frozenset({"p", "strong", "a", "ol", "li"})
# Feeds cut long fields (README, "Small"): title 1,000 characters, abstract 2,000, AI summary 1,000, names 200.
CUT_TITLE, CUT_ABSTRACT, CUT_SUMMARY, CUT_NAME = 1000, 2000, 1000, 200
ATOM = "{http://www.w3.org/2005/Atom}"


# --- running the command line --------------------------------------------------------------------------


def _run(root: Path, *args: str) -> tuple[int, str]:
    """`dailypapers --root ROOT ARGS`: its exit code and everything it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


# --- reading HTML as a reader does -------------------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(text.split())


def cut(text: str, limit: int) -> str:
    """A long field as feeds show it: cut with an ellipsis (the README's caps)."""
    return text[: limit - 1].rstrip() + "…" if len(text) > limit else text


class _Render(html.parser.HTMLParser):
    """What an HTML fragment shows (its text) and the elements it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def feedparser_text(text: str) -> str:
    """What feedparser makes of any text it delivers (mixin.pop): a string that is all Latin-1 and reads
    as UTF-8 in those bytes is taken for UTF-8 decoded wrongly and decoded again, and C1 controls become
    the cp1252 characters of their bytes. Its readers see that, whatever the feed says."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def shown(value: str, as_html: bool) -> tuple[str, list[tuple[str, dict[str, str | None]]]]:
    """The field's text as a reader shows it (whitespace collapsed) and, rendered as HTML, its elements."""
    if not as_html:
        return norm(value), []
    render = _Render()
    render.feed(value)
    render.close()
    return norm("".join(render.text)), render.elements


def foreign_elements(elements: list[tuple[str, dict[str, str | None]]], allowed: frozenset[str]) -> list[str]:
    """The elements a feed's own HTML does not make: another tag, or a link with more than an http(s) href."""
    bad = []
    for tag, attrs in elements:
        link = set(attrs) == {"href"} and re.match(r"https?://", attrs["href"] or "", re.IGNORECASE)
        if tag not in allowed or (tag == "a" and not link):
            bad.append(f"<{tag} {attrs}>")
    return bad


# --- what was stored -----------------------------------------------------------------------------------


@dataclass
class Stored:
    """The stored snapshots: each day's papers, and each paper as on its first day (what feeds show)."""

    days: list[dict[str, Any]]
    first: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for day in sorted(self.days, key=lambda d: d["date"]):
            for paper in day.get("papers", []):
                self.first.setdefault(paper["id"], paper)


def label(record: dict[str, Any]) -> str:
    org = record.get("organization")
    return (org.get("fullname") or org["name"]) if org else ""


def item_title(record: dict[str, Any]) -> str:
    return norm(cut(record["title"], CUT_TITLE)) or record["id"]


def item_body_texts(record: dict[str, Any]) -> dict[str, str]:
    """Data an item's HTML must show as written, by what it is."""
    wanted = {"organization": cut(label(record), CUT_NAME),
              "AI summary": cut(record.get("ai_summary", ""), CUT_SUMMARY),
              "abstract": cut(record.get("abstract", ""), CUT_ABSTRACT)}
    names = [a["name"] for a in record.get("authors", []) if not a.get("hidden") and a["name"].strip()]
    if names:
        wanted["first author"] = cut(names[0], CUT_NAME)
    return {what: norm(text) for what, text in wanted.items() if norm(text)}


# --- the site ------------------------------------------------------------------------------------------


class Site:
    def __init__(self, site_dir: Path) -> None:
        self.dir = site_dir
        self._pages: dict[Path, Any] = {}

    def file_for(self, url: str) -> Path:
        """The file GitHub Pages serves for an absolute URL under the site."""
        assert url.startswith(SITE_URL), url
        path = unquote(urlsplit(url).path[len(urlsplit(SITE_URL).path):])
        return self.dir / path / "index.html" if path.endswith("/") or not path else self.dir / path

    def page(self, path: Path) -> Any:
        if path not in self._pages:
            self._pages[path] = parse_html(path.read_text(encoding="utf-8"))
        return self._pages[path]

    def links(self, path: Path, url: str) -> list[str]:
        """Every relative link of a page, made absolute (relative links are the site's own)."""
        hrefs = [a.attrs.get("href", "") for a in self.page(path).by_tag.get("a", [])]
        return [urljoin(url, h) for h in hrefs if h and not urlsplit(h).scheme]


def _day_url(date: str) -> str:
    return f"{SITE_URL}{date.replace('-', '/')}/"


@dataclass
class OrgPage:
    folder: Path
    title: str  # its <h1>, as the page shows it


def check_day_pages(site: Site, stored: Stored) -> dict[Path, OrgPage]:
    """Every stored paper's card on its day page; its organization link and page. Returns the
    organization pages found, by folder."""
    orgs: dict[Path, OrgPage] = {}
    for day in stored.days:
        if not day.get("papers"):
            continue
        url = _day_url(day["date"])
        path = site.file_for(url)
        assert path.is_file(), f"{day['date']}: no day page {path}"
        page = site.page(path)
        for record in day["papers"]:
            pid = record["id"]
            card = page.by_id.get(pid)
            assert card is not None and card.tag == "article", f"{day['date']}: no card with id {pid!r}"
            hrefs = [urljoin(url, h) for h in card.links if not urlsplit(h).scheme]
            permalinks = [h for h in hrefs if h.startswith(SITE_URL + "p/")]
            assert permalinks and all(site.file_for(h).is_file() for h in permalinks), (pid, permalinks)
            org_links = [h for h in hrefs if h.startswith(SITE_URL + "orgs/")]
            if "organization" not in record:
                assert org_links == [], f"{day['date']} {pid}: an organization link without one: {org_links}"
                continue
            assert len(org_links) == 1, f"{day['date']} {pid} ({record['organization']}): links {org_links}"
            org_url = org_links[0]
            org_index = site.file_for(org_url)
            assert org_index.is_file(), f"{day['date']} {pid}: its organization link {org_url} leads nowhere"
            pages = [(org_index, org_url)] + [
                (p, urljoin(org_url, p.parent.relative_to(org_index.parent).as_posix() + "/"))
                for p in sorted((org_index.parent / "page").glob("*/index.html"))]
            linked = [h for p, u in pages for h in site.links(p, u) if unquote(urlsplit(h).fragment) == pid]
            assert linked, (f"{day['date']} {pid}: not listed on the page of its organization "
                            f"{record['organization']} ({org_url})")
            h1 = site.page(org_index).by_tag.get("h1", [])
            orgs[org_index.parent] = OrgPage(org_index.parent, h1[0].content if h1 else "")
    return orgs


# --- the feeds -----------------------------------------------------------------------------------------


def paper_id_of(guid: str) -> str | None:
    prefix = SITE_URL + "p/"
    return unquote(guid[len(prefix):].rstrip("/")) if guid and guid.startswith(prefix) else None


@dataclass
class FeedField:
    """One text field of one feed: where it is, its decoded text, and whether a reader renders it as HTML."""

    where: str
    value: str
    as_html: bool
    allowed: frozenset[str] = frozenset()
    expected: str | None = None  # the whole text it must show, or
    contains: dict[str, str] = field(default_factory=dict)  # texts it must show among others


def _atom_html(element: Any) -> bool:
    kind = element.get("type", "text")
    assert kind in ("text", "html"), f"Atom {element.tag} of type {kind!r}"
    return kind == "html"


def feed_fields(path: Path, data: bytes, stored: Stored, org: OrgPage | None) -> Iterator[FeedField]:
    """Every title and description of an RSS or Atom feed, with what it must show."""
    root = etree.fromstring(data)
    channel_title = f"{SITE_NAME}: {org.title}" if org else None
    channel_has = {"organization": org.title} if org else {}
    if root.tag == "rss":
        channel = root.find("channel")
        yield FeedField(f"{path} channel title", channel.findtext("title", ""), True, expected=channel_title)
        yield FeedField(f"{path} channel description", channel.findtext("description", ""), True,
                        contains=channel_has)
        entries = [(item.findtext("guid", ""), item.find("title"), item.find("description"))
                   for item in channel.iter("item")]
    else:
        assert root.tag == f"{ATOM}feed", root.tag
        title, subtitle = root.find(f"{ATOM}title"), root.find(f"{ATOM}subtitle")
        yield FeedField(f"{path} feed title", title.text or "", _atom_html(title), expected=channel_title)
        if subtitle is not None:
            yield FeedField(f"{path} feed subtitle", subtitle.text or "", _atom_html(subtitle), contains=channel_has)
        entries = [(e.findtext(f"{ATOM}id", ""), e.find(f"{ATOM}title"), e.find(f"{ATOM}content"))
                   for e in root.iter(f"{ATOM}entry")]
    for guid, title, body in entries:
        pid = paper_id_of(guid)
        record = stored.first.get(pid) if pid else None
        assert pid is None or record is not None, f"{path}: an item for {pid!r}, which is not stored"
        for what, element, allowed in (("title", title, frozenset()), ("description", body, ITEM_TAGS)):
            if element is None:
                continue
            as_html = True if root.tag == "rss" else _atom_html(element)
            expected = item_title(record) if record is not None and what == "title" else None
            contains = item_body_texts(record) if record is not None and what == "description" else {}
            yield FeedField(f"{path} item {guid} {what}", element.text or "", as_html, allowed, expected, contains)


def parsed_fields(path: Path, parsed: Any, stored: Stored, org: OrgPage | None) -> Iterator[FeedField]:
    """The titles and descriptions as feedparser delivers them (its `*_detail.type` says which are HTML):
    none holds an element from the data, and a paper's or an organization's title shows as written (as
    feedparser changes any text: `feedparser_text`)."""

    def detail(where: str, value: Any, allowed: frozenset[str] = frozenset(), expected: str | None = None) -> FeedField:
        as_html = value.type in ("text/html", "application/xhtml+xml")
        wanted = None if expected is None else feedparser_text(expected)
        return FeedField(f"{path} (feedparser) {where}", value.value, as_html, allowed, wanted)

    feed = parsed.feed
    if "title_detail" in feed:
        yield detail("channel title", feed.title_detail, expected=f"{SITE_NAME}: {org.title}" if org else None)
    if "subtitle_detail" in feed:
        yield detail("channel description", feed.subtitle_detail)
    for entry in parsed.entries:
        pid = paper_id_of(entry.get("id", ""))
        record = stored.first.get(pid) if pid else None
        if "title_detail" in entry:
            yield detail(f"item {pid} title", entry.title_detail,
                         expected=item_title(record) if record is not None else None)
        bodies = list(entry.get("content", [])) or ([entry.summary_detail] if "summary_detail" in entry else [])
        for body in bodies:
            yield detail(f"item {pid} description", body, ITEM_TAGS)


def check_field(f: FeedField) -> None:
    text, elements = shown(f.value, f.as_html)
    foreign = foreign_elements(elements, f.allowed)
    assert not foreign, f"{f.where}: data is live markup in a field readers render as HTML: {foreign}; {f.value!r:.300}"
    if f.expected is not None:
        assert text == norm(f.expected), (
            f"{f.where} ({'HTML' if f.as_html else 'text'}) shows {text!r:.300}, not the data as written "
            f"{norm(f.expected)!r:.300}; its text is {f.value!r:.300}")
    for what, wanted in f.contains.items():
        assert wanted in text, f"{f.where} does not show its {what} as written: {wanted!r:.200} not in {text!r:.400}"


def check_json_feed(path: Path, data: bytes, stored: Stored) -> None:
    feed = json.loads(data.decode("utf-8"))
    assert isinstance(feed, dict) and str(feed.get("version", "")).startswith("https://jsonfeed.org/version/1"), path
    assert isinstance(feed.get("title"), str) and isinstance(feed.get("items"), list), path
    for item in feed["items"]:
        assert isinstance(item.get("id"), str) and item["id"], (path, item)
        body = item.get("content_html", item.get("content_text"))
        assert isinstance(body, str), (path, item["id"])
        pid = paper_id_of(item["id"])
        record = stored.first.get(pid) if pid else None
        title = item.get("title", "")
        if record is not None:
            check_field(FeedField(f"{path} item {pid} title", title, False, expected=item_title(record)))
        if "content_html" in item:
            check_field(FeedField(f"{path} item {item['id']} content_html", item["content_html"], True, ITEM_TAGS,
                                  contains=item_body_texts(record) if record else {}))


def check_feeds(site: Site, stored: Stored, orgs: dict[Path, OrgPage]) -> int:
    """Every feed of the site parses, and no field of it is live markup from the data. Returns how many."""
    xml_files = [p for p in sorted(site.dir.rglob("*.xml")) if p.is_file() and p.name != "sitemap.xml"]
    json_files = [p for p in sorted(site.dir.rglob("feed.json")) if p.is_file()]  # orgs/feed.json/ is a page
    for folder in orgs:
        for name in ("feed.xml", "atom.xml"):
            assert (folder / name).is_file(), f"organization page {folder} has no {name}"
    for path in xml_files:
        data = path.read_bytes()
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, f"{path}: feedparser: {parsed.get('bozo_exception')!r}"
        org = orgs.get(path.parent)
        for f in feed_fields(path.relative_to(site.dir), data, stored, org):
            check_field(f)
        for f in parsed_fields(path.relative_to(site.dir), parsed, stored, org):
            check_field(f)
    for path in json_files:
        check_json_feed(path.relative_to(site.dir), path.read_bytes(), stored)
    opml = site.dir / "feeds.opml"
    if opml.exists():  # OPML 2.0: "text attributes may contain encoded HTML markup"
        for outline in etree.fromstring(opml.read_bytes()).iter("outline"):
            for name in ("text", "title", "description"):
                value = outline.get(name)
                if value is not None:
                    check_field(FeedField(f"feeds.opml outline {outline.get('xmlUrl')} {name}", value, True))
    return len(xml_files) + len(json_files)


# --- the property --------------------------------------------------------------------------------------


def _refused(output: str, files: list[Path]) -> list[Path]:
    """The files import says it did not store (a line naming the file that is not a warning or a success)."""
    stored = re.compile(r": \d{4}-\d{2}-\d{2}: (new|updated|unchanged|empty)\b")
    refused = []
    for path in files:
        lines = [line for line in output.splitlines() if line.startswith(f"{path}: ")]
        if not any(stored.search(line) for line in lines):
            refused.append(path)
    return refused


@PROFILE
@given(archive=archives(max_days=MAX_DAYS, max_entries=MAX_ENTRIES))
def test_whatever_import_accepts_build_builds(archive: GeneratedArchive) -> None:
    with tempfile.TemporaryDirectory(prefix="dp-property-") as tmp:
        root = new_project(Path(tmp) / "project")
        saved = Path(tmp) / "saved"
        saved.mkdir()
        files = []
        for day_file in archive.files:
            path = saved / day_file.name
            path.write_bytes(day_file.data())
            files.append(path)
        code, output = _run(root, "import", *map(str, files))
        note(f"import (exit {code}):\n{output}")
        refused = set(_refused(output, files))
        for day_file, path in zip(archive.files, files, strict=True):
            if (path in refused) == day_file.should_store:
                event("import refused a file meant to be stored" if day_file.should_store
                      else "import stored a file meant to be refused")
        project = Project.at(root)
        stored = Stored(load_snapshots(project.snapshots_dir))
        assume(any(day.get("papers") for day in stored.days))
        event(f"{len(stored.first)} paper(s) stored")

        code, output = _run(root, "validate")
        assert code == 0, f"validate failed after import accepted the files:\n{output}"
        code, output = _run(root, "build", "--site-url", SITE_URL)
        assert code == 0, f"build failed after import accepted the files:\n{output}"

        site = Site(project.site_dir)
        orgs = check_day_pages(site, stored)
        event(f"{len(orgs)} organization page(s)")
        check_feeds(site, stored, orgs)
