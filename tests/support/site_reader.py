"""Read a built site the way a reader does, page by page, and list everything a reader would trip over.

A test that checks one page at a time missed that every month page showed its YAML front matter as text
and was titled "Index". This walks every HTML page and every feed of a built site and reports:

- a `<title>` that is missing, "Index", shared by two pages, or does not name the page (its `<h1>`);
- front matter or template syntax showing as text;
- an internal link, script, stylesheet or image whose file is not in the site, or whose `#anchor` is not
  an id on the page it points to (feed items included);
- a page that loads the search without the search manifest and lunr.js being there.

The walk is a plain HTML parser over the files, no server: a link resolves when the file GitHub Pages
would serve for it exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser

# Front matter lines or template syntax of this project's templates, as text a reader would see.
# (Invalid front matter reaches Markdown as text: its `---` lines become rules and setext headings, so what
# a reader sees is "title: ... description: ... hide: [...]".)
FRONT_MATTER_TEXT = re.compile(r"---\s*(title|description|hide|feeds)\s*:"
                               r"|\b(title|description)\s*:\s.{0,400}?\b(description|hide|feeds)\s*:")
TEMPLATE_TEXT = re.compile(
    r"\{\{-?\s*(root|view|paper|urls|topic|feed|entry|day|month|year|week|site_url|meta|config|page)\b"
    r"|\{%-?\s*(if|for|set|endif|endfor|macro|endmacro|from|import|include|block|extends)\b")
SKIPPED_SCHEMES = ("mailto:", "javascript:", "data:", "tel:")


@dataclass
class PageRead:
    """What a reader gets from one HTML page."""

    title: str = ""
    h1: str = ""
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    loads_search: bool = False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageRead()
        self._in: list[str] = []
        self._h1_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.page.ids.add(values[key])
        if tag in ("a", "link") and "href" in values:
            self.page.links.append(values["href"])
        if tag in ("script", "img", "iframe", "source") and values.get("src"):
            self.page.links.append(values["src"])
        if tag == "meta" and values.get("name") == "dp-root":
            self.page.loads_search = True
        if tag not in ("meta", "link", "br", "img", "input", "hr", "source", "wbr"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass
        if tag == "h1":
            self._h1_done = True

    def handle_data(self, data: str) -> None:
        if "title" in self._in and "svg" not in self._in:
            self.page.title += data
        if "h1" in self._in and not self._h1_done:
            self.page.h1 += data
        if not {"script", "style", "title"} & set(self._in):
            self.page.text.append(data)


def read_page(html: str) -> PageRead:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.title = " ".join(page.title.split())
    page.h1 = " ".join(page.h1.split())
    return page


class SiteReader:
    """Every page of a built site, read once, and the problems a reader would meet."""

    def __init__(self, site_dir: Path, site_url: str, site_name: str) -> None:
        self.site_dir = site_dir
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        self.site_name = site_name
        self.pages: dict[str, PageRead] = {}
        for path in sorted(site_dir.rglob("*.html")):
            relative = path.relative_to(site_dir).as_posix()
            self.pages[relative] = read_page(path.read_text(encoding="utf-8"))

    # --- where a link goes -----------------------------------------------------------------------------

    def _target(self, page: str, href: str) -> tuple[str, str] | None:
        """The file (relative to the site) and anchor a link from `page` leads to; None when it leaves
        the site."""
        href = href.strip()
        if not href or href.startswith(SKIPPED_SCHEMES):
            return None
        absolute = urljoin(self.site_url + page, href)
        if not absolute.startswith(self.site_url):
            return None
        parts = urlsplit(absolute)
        path = unquote(parts.path[len(urlsplit(self.site_url).path):])
        return path, unquote(parts.fragment)

    def _file(self, path: str) -> str | None:
        """The file GitHub Pages serves for `path`, or None."""
        candidates = [path + "index.html"] if path.endswith("/") or not path else [path, path + "/index.html"]
        for candidate in candidates:
            if (self.site_dir / candidate).is_file():
                return candidate
        return None

    def _ids(self, file: str) -> set[str]:
        page = self.pages.get(file)
        return page.ids if page is not None else set()

    def check_link(self, page: str, href: str) -> str | None:
        target = self._target(page, href)
        if target is None:
            return None
        path, anchor = target
        file = self._file(path)
        if file is None:
            return f"{page}: link {href!r} leads to {path or '/'}, which is not in the site"
        if anchor and file.endswith(".html") and anchor not in self._ids(file):
            return f"{page}: link {href!r}: {file} has no element with id {anchor!r}"
        return None

    # --- the checks ------------------------------------------------------------------------------------

    def title_problems(self, permalinks: str = "p/") -> list[str]:
        problems = []
        seen: dict[str, str] = {}
        suffix = f" - {self.site_name}"
        for name, page in self.pages.items():
            title = page.title
            if not title:
                problems.append(f"{name}: no <title>")
                continue
            bare = title.removesuffix(suffix)
            if bare.strip().lower() in ("index", "none", "") or bare.startswith("Index"):
                problems.append(f"{name}: titled {title!r}, which does not name the page")
            if page.h1 and page.h1 not in bare and bare not in page.h1:
                problems.append(f"{name}: titled {title!r}, but its heading is {page.h1!r}")
            if not name.startswith(permalinks) and name != "404.html":
                if title in seen:
                    problems.append(f"{name}: titled {title!r}, like {seen[title]}")
                seen[title] = name
        return problems

    def text_problems(self) -> list[str]:
        problems = []
        for name, page in self.pages.items():
            text = " ".join("".join(page.text).split())
            for pattern, what in ((FRONT_MATTER_TEXT, "front matter"), (TEMPLATE_TEXT, "template syntax")):
                found = pattern.search(text)
                if found:
                    start = max(0, found.start() - 30)
                    problems.append(f"{name}: {what} shows as text: {text[start:found.end() + 30]!r}")
        return problems

    def link_problems(self) -> list[str]:
        problems = []
        for name, page in self.pages.items():
            for href in page.links:
                problem = self.check_link(name, href)
                if problem:
                    problems.append(problem)
            if page.loads_search:
                for needed in ("search/manifest.json", "search/lunr.js"):
                    if not (self.site_dir / needed).is_file():
                        problems.append(f"{name}: loads the search, but {needed} is not in the site")
        return problems

    def feed_problems(self) -> list[str]:
        """Every feed a page advertises parses, and every link in it that stays in the site resolves."""
        problems = []
        feeds = {href for page in self.pages.values() for href in page.links
                 if href.startswith(self.site_url) and href.endswith((".xml", ".json"))}
        for href in sorted(feeds):
            path = href[len(self.site_url):]
            file = self.site_dir / path
            if not file.is_file():
                continue  # link_problems reports it
            if path.endswith(".json"):
                continue
            parsed = feedparser.parse(file.read_bytes())
            if parsed.bozo:
                problems.append(f"{path}: not a well-formed feed: {parsed.bozo_exception}")
            for entry in parsed.entries:
                for link in [entry.get("link", "")] + [ln.get("href", "") for ln in entry.get("links", [])]:
                    problem = self.check_link("", link)
                    if problem:
                        problems.append(f"{path}: item {entry.get('id', '?')}: {problem.removeprefix(': ')}")
        return problems

    def problems(self) -> list[str]:
        return self.title_problems() + self.text_problems() + self.link_problems() + self.feed_problems()
