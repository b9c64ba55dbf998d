"""The MkDocs plugins `dailypapers build` adds: one hands the generated pages' HTML bodies around
Python-Markdown instead of through it, one drops the theme's indentation from every page, and one
leaves out theme files this site never loads.

Generated pages are front matter plus raw HTML that the templates already escaped. Markdown would
pass that HTML through unchanged anyway, but only after parsing it with Python's HTMLParser twice:
at 35,000 papers that took 90 of a 175-second build. Everything after MARKER is therefore kept aside
when MkDocs reads the page and appended to the converted content afterwards. A plain `mkdocs build`
without the plugin renders the same pages, only slower (the marker is an HTML comment).
"""

from __future__ import annotations

import os
import re
from typing import Any

from mkdocs.plugins import BasePlugin

MARKER = "<!-- dailypapers:raw-html -->"
INDENTATION = re.compile(r"\n\s+")
# mkdocs-material's own search (its worker and lunr language packs) is replaced by the archive's search,
# and source maps only serve the theme's developers.
UNUSED_THEME_FILES = re.compile(r"^assets/javascripts/(lunr|workers)/|\.map$")


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


class ThemeWhitespaceTrim(BasePlugin):
    """Drops the indentation and blank lines of mkdocs-material's templates around each page's content.

    The theme's Jinja templates leave about 3 KiB of whitespace on every page; at 2,500 pages that is
    7 MB of the site. Only the theme's part is touched: the page's own content, which may hold `<pre>`
    blocks, is found by identity and kept byte for byte. Each line break survives as one newline, so
    words and inline scripts are never joined.
    """

    def on_post_page(self, output: str, page: Any, **_: Any) -> str:
        content = page.content or ""
        start = output.find(content) if content else -1
        if start < 0:
            return output
        end = start + len(content)
        return INDENTATION.sub("\n", output[:start]) + content + INDENTATION.sub("\n", output[end:])


class UnusedThemeAssets(BasePlugin):
    """Leaves mkdocs-material's search files and source maps out of the site: 2.3 MB nobody loads."""

    def on_files(self, files: Any, config: Any, **_: Any) -> Any:
        docs = os.path.join(os.path.abspath(config.docs_dir), "")
        for file in list(files):
            from_theme = not os.path.abspath(file.abs_src_path or "").startswith(docs)
            if from_theme and UNUSED_THEME_FILES.search(file.src_uri):
                files.remove(file)
        return files
