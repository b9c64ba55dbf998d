"""A MkDocs plugin, added by `dailypapers build`, that hands the generated pages' HTML bodies around
Python-Markdown instead of through it.

Generated pages are front matter plus raw HTML that the templates already escaped. Markdown would
pass that HTML through unchanged anyway, but only after parsing it with Python's HTMLParser twice:
at 35,000 papers that took 90 of a 175-second build. Everything after MARKER is therefore kept aside
when MkDocs reads the page and appended to the converted content afterwards. A plain `mkdocs build`
without the plugin renders the same pages, only slower (the marker is an HTML comment).
"""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import BasePlugin

MARKER = "<!-- dailypapers:raw-html -->"


class RawHtmlPassthrough(BasePlugin):
    def __init__(self) -> None:
        super().__init__()
        self._bodies: dict[str, str] = {}

    def on_page_markdown(self, markdown: str, page: Any, **_: Any) -> str:
        head, marker, body = markdown.partition(MARKER)
        if not marker:
            return markdown
        self._bodies[page.file.src_uri] = body
        return head

    def on_page_content(self, html: str, page: Any, **_: Any) -> str:
        body = self._bodies.pop(page.file.src_uri, None)
        return html if body is None else html + body
