"""Read built pages the way a reader sees them: text and links of elements, using only the stdlib."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        return " ".join("".join(self.text).split())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.by_id: dict[str, Element] = {}
        self.by_tag: dict[str, list[Element]] = {}
        self.all_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.all_tags.append(tag)
        for open_element in self.stack:
            open_element.tags.append(tag)
            if tag == "a" and "href" in values:
                open_element.links.append(values["href"])
        if tag in VOID:
            return
        element = Element(tag, values)
        if "id" in values:
            self.by_id.setdefault(values["id"], element)
        self.by_tag.setdefault(tag, []).append(element)
        self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def element_by_id(html: str, element_id: str) -> Element | None:
    return parse(html).by_id.get(element_id)


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def pager_links(site: Path, page_path: str) -> dict[str, str]:
    """The rel="prev" and rel="next" links of the page at `page_path` (a folder under `site`), each as
    the site path it leads to: what the ← and → keys follow."""
    links = parse((site / page_path / "index.html").read_text(encoding="utf-8")).by_tag.get("a", [])
    return {a.attrs["rel"]: posixpath.normpath(posixpath.join(page_path, a.attrs["href"]))
            for a in links if a.attrs.get("rel") in ("prev", "next")}
