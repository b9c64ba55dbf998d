"""Render views through the Jinja2 templates into pages (publish/writing.py writes them).

Every template is autoescaped: data reaches a page only as escaped text inside raw HTML blocks, which
Python-Markdown passes through untouched, so no string from the API can become Markdown, HTML or
template code. Links are made only from http(s) URLs (`http_url`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import markupsafe
import yaml

from generator.core import text
from generator.core.urls import url
from generator.domain import views
from generator.domain.collections import keyword_slug
from generator.domain.model import Paper
from generator.outputs.feeds import FORMATS
from generator.outputs.mathml import with_math

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def short_authors(paper: Paper, shown: int = 3) -> str:
    """A compact list's author line: its first three visible authors, then how many more."""
    return text.author_line([a.name for a in paper.visible_authors], shown)


STATUS_LABELS = {
    "empty": ("no list", "Hugging Face published no list this day"),
    "failed": ("failed", "Fetching this day failed"),
    "missing": ("not fetched", "Not fetched into the archive yet"),
}


def day_summary(day: views.DayView) -> str:
    if day.papers:
        return f"{len(day.papers)} paper{'' if len(day.papers) == 1 else 's'}"
    return STATUS_LABELS.get(day.status, ("", ""))[0]


RAW_HTML_MARKER = "<!-- dailypapers:raw-html -->"
"""What follows it in a generated page is HTML the templates escaped: the MkDocs plugin hands it to the
page untouched by Markdown (publish/mkdocs_plugin.py). An HTML comment, so any Markdown renders it too."""


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment of every template (pages/, partials/, email/): autoescaped but for the
    plain-text email part, which is not HTML (escaping would show a reader "&lt;think&gt;" where the title
    says "<think>"; its data is one_line()d text, never template code)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.outputs", "templates"),
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        http_url=text.http_url,
        hf_image_url=text.hf_image_url,
        math=with_math,
        paragraphs=paragraphs,
        long_date=text.long_date,
        short_authors=short_authors,
        day_summary=day_summary,
        thousands=lambda n: f"{n:,}",
        wrap=wrap,
        week_key=views.week_key,
        keyword_slug=keyword_slug,
        month_name=lambda d: text.month_name(d.year, d.month),
        status_short=lambda s: STATUS_LABELS[s][0],
        status_label=lambda s: STATUS_LABELS[s][1],
    )
    # Every link: `{{ root }}{{ url("day", date=view.date) }}` (core/urls.py holds the patterns).
    env.globals.update(url=url, feed_file=lambda kind: FORMATS[kind].file,
                       raw_html_marker=markupsafe.Markup(RAW_HTML_MARKER))
    return env


def wrap(text: str, indent: str = "", first: str | None = None, width: int = 72) -> str:
    """Plain-text paragraphs wrapped for mail readers (72 columns); URLs and long words are never split.
    `first` indents the first line differently (a hanging indent keeps a title's rank on its own column)."""
    return textwrap.fill(text, width=width, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def relative_root(url: str) -> str:
    """From a page at `url` (relative to the site root, trailing slash) back to the root."""
    depth = url.count("/")
    return "../" * depth if depth else "./"


def markdown_path(url: str) -> str:
    """Where MkDocs (use_directory_urls) must find the Markdown to serve it at `url`."""
    return f"{url}index.md" if url else "index.md"


@dataclass(frozen=True)
class Page:
    """One generated file: its path below the output folder and its UTF-8 bytes. Bytes, not text: every
    page is held until all are written, and one character outside Latin-1 (a name, a formula's MathML)
    makes Python store a whole string at 2 or 4 bytes a character; the files are written as bytes."""

    path: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode()


def front_matter(meta: Mapping[str, Any]) -> str:
    """A page's front matter serialized by the YAML library, never assembled as text: a title such as
    "September 2025: 347 papers" or a hostile organization name stays one string value."""
    plain = {key: _plain(value) for key, value in meta.items()}
    return "---\n" + yaml.safe_dump(plain, allow_unicode=True, sort_keys=False, width=1_000_000) + "---\n\n"


def _plain(value: Any) -> Any:
    """Template values as plain data for the YAML dumper. Markup (already escaped HTML) must never
    reach front matter: the theme would show its entities as text."""
    if isinstance(value, jinja2.runtime.Undefined):
        raise TypeError("front matter value is undefined")
    if isinstance(value, markupsafe.Markup):
        raise TypeError(f"front matter value {value!r} is escaped HTML, not text")
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"front matter value of type {type(value).__name__}")


def render(template: str, url: str, path: str | None = None, **context: Any) -> Page:
    """One page: pages/`template`'s output, preceded by front matter when the template sets `meta` (a
    dict of title, description, hide, ...)."""
    module = environment().get_template(f"pages/{template}").make_module({"root": relative_root(url), **context})
    body = str(module)
    meta = getattr(module, "meta", None)
    page = body if meta is None else front_matter(meta) + body
    return Page(path or markdown_path(url), page.encode())


