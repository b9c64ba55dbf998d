"""The plugin hands a generated page's HTML body around Python-Markdown, keeping only its length and
digest while MkDocs holds every page: the page's output holds the body as written, and a file that
changed between MkDocs reading it and rendering it stops the build in one line."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from generator.outputs.render import RAW_HTML_MARKER
from generator.publish.mkdocs_plugin import DailyPapersPlugin

BODY = '\n<article class="dp-card"><h3>A <em>title</em> &amp; {{ not template }}</h3></article>\n'


class _File:
    """mkdocs.structure.files.File as the plugin uses it: the page's path and its text, read from disk."""

    def __init__(self, path: Path) -> None:
        self.src_uri = path.name
        self.path = path

    @property
    def content_string(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _page(tmp_path: Path, source: str) -> SimpleNamespace:
    path = tmp_path / "2025-01-03.md"
    path.write_text(source, encoding="utf-8")
    return SimpleNamespace(file=_File(path), content=None)


def test_the_body_reaches_the_page_and_is_let_go_once_written(tmp_path: Path) -> None:
    plugin = DailyPapersPlugin()
    source = "---\ntitle: Friday\n---\n\n# Friday" + RAW_HTML_MARKER + BODY
    page = _page(tmp_path, source)
    head = plugin.on_page_markdown(source, page=page)
    assert RAW_HTML_MARKER not in head and "dp-card" not in head
    page.content = "<h1>Friday</h1>"  # what Markdown made of the head
    plugin.on_page_context({}, page=page)
    assert page.content == "<h1>Friday</h1>" + BODY
    output = plugin.on_post_page("<html>\n    <main>" + page.content + "</main>\n  </html>", page=page)
    assert BODY in output and page.content is None


def test_a_page_without_the_marker_is_left_to_markdown(tmp_path: Path) -> None:
    plugin = DailyPapersPlugin()
    page = _page(tmp_path, "# About\n\nHand-written.")
    assert plugin.on_page_markdown("# About\n\nHand-written.", page=page) == "# About\n\nHand-written."
    page.content = "<h1>About</h1>"
    plugin.on_page_context({}, page=page)
    assert page.content == "<h1>About</h1>"


def test_a_page_changed_during_the_build_stops_it_in_one_line(tmp_path: Path) -> None:
    plugin = DailyPapersPlugin()
    source = "# Friday" + RAW_HTML_MARKER + BODY
    page = _page(tmp_path, source)
    plugin.on_page_markdown(source, page=page)
    page.file.path.write_text(source.replace("title", "titel"), encoding="utf-8")
    with pytest.raises(PluginError, match=r"^dailypapers: 2025-01-03\.md changed during the build$"):
        plugin.on_page_context({}, page=page)
