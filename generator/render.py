"""Render views through the Jinja2 templates, and write generated trees so that only changed files are
touched.

Every template is autoescaped: data reaches a page only as escaped text inside raw HTML blocks, which
Python-Markdown passes through untouched, so no string from the API can become Markdown, HTML or
template code. Links are made only from http(s) URLs (`http_url`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from generator import views
from generator.model import Paper

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def http_url(value: str) -> str:
    """The URL if it is an absolute http(s) URL without whitespace, else "" (so no link is made)."""
    value = (value or "").strip()
    if not value or any(ch.isspace() for ch in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme in ("http", "https") and parts.netloc else ""


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def long_date(value: dt.date) -> str:
    return f"{calendar.day_name[value.weekday()]}, {value.day} {calendar.month_name[value.month]} {value.year}"


def short_authors(paper: Paper, shown: int = 3) -> str:
    names = [a.name for a in paper.visible_authors]
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" and {len(names) - shown} more"


def yaml_text(value: str) -> str:
    """Text made safe inside a double-quoted YAML scalar (front matter holds curated titles only)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


STATUS_LABELS = {
    "empty": ("no list", "Hugging Face published no list this day"),
    "failed": ("failed", "Fetching this day failed"),
    "missing": ("not fetched", "Not fetched into the archive yet"),
}


def day_summary(day: views.DayView) -> str:
    if day.papers:
        return f"{len(day.papers)} paper{'' if len(day.papers) == 1 else 's'}"
    return STATUS_LABELS.get(day.status, ("", ""))[0]


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        http_url=http_url,
        paragraphs=paragraphs,
        long_date=long_date,
        short_authors=short_authors,
        yaml_text=yaml_text,
        day_summary=day_summary,
        thousands=lambda n: f"{n:,}",
        day_url=views.day_url,
        card_url=views.card_url,
        org_url_of=views.org_url_of,
        week_key=views.week_key,
        week_link=lambda d: views.week_url(views.week_key(d)),
        month_name=lambda d: f"{calendar.month_name[d.month]} {d.year}",
        month_label=lambda ym: f"{calendar.month_name[ym[1]]} {ym[0]}",
        status_short=lambda s: STATUS_LABELS[s][0],
        status_label=lambda s: STATUS_LABELS[s][1],
    )
    return env


def relative_root(url: str) -> str:
    """From a page at `url` (relative to the site root, trailing slash) back to the root."""
    depth = url.count("/")
    return "../" * depth if depth else "./"


def markdown_path(url: str) -> str:
    """Where MkDocs (use_directory_urls) must find the Markdown to serve it at `url`."""
    return f"{url}index.md" if url else "index.md"


@dataclass(frozen=True)
class Page:
    """One generated file: its path below the output folder and its text."""

    path: str
    text: str


def render(template: str, url: str, path: str | None = None, **context: Any) -> Page:
    text = environment().get_template(template).render(root=relative_root(url), **context)
    return Page(path or markdown_path(url), text)


@dataclass
class SyncStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


def sync_tree(folder: Path, files: Mapping[str, bytes], keep: Iterable[str] = ()) -> SyncStats:
    """Make `folder` hold exactly `files`: rewrite only what changed, remove what is no longer generated.

    Untouched files keep their modification times, so MkDocs' and the browser's caches stay valid.
    """
    stats = SyncStats()
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {Path(p) for p in files} | {Path(p) for p in keep}
    for existing in sorted(folder.rglob("*"), reverse=True):
        relative = existing.relative_to(folder)
        if existing.is_file() and relative not in wanted:
            existing.unlink()
            stats.removed += 1
        elif existing.is_dir() and not any(existing.iterdir()):
            existing.rmdir()
    for relative, data in files.items():
        target = folder / relative
        if target.exists() and target.read_bytes() == data:
            stats.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        stats.written += 1
    return stats


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write many files under `folder`, a tree MkDocs has just emptied, so there is nothing to compare.

    Each directory is made once and files are opened directly: at 67,000 files (permalinks, search
    index), per-file `Path.mkdir(parents=True)` and `write_bytes` took 12 s of a 45-second build; this
    takes 5.
    """
    base = str(folder)
    made: set[str] = set()
    for relative, data in files.items():
        parent = relative.rpartition("/")[0]
        if parent not in made:
            os.makedirs(os.path.join(base, parent), exist_ok=True)
            made.add(parent)
        with open(os.path.join(base, relative), "wb") as handle:
            handle.write(data)
