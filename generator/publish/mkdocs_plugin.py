"""The `dailypapers` MkDocs plugin (mkdocs.yml: `plugins: [dailypapers]`): `mkdocs build` and
`mkdocs serve`, the commands a MkDocs user types first, build the whole archive, as `dailypapers build`
does.

On `config` it runs the generator (generator/publish/build.py `prepare_build`: load the snapshots, write the
Markdown pages into docs_dir, make permalinks, feeds, downloads and the search index); after MkDocs has
built the pages it writes the rest into the site (`on_post_build`). `dailypapers build` prepares first
and hands the plugin its PreparedBuild, so a bad snapshot is reported before MkDocs starts, and builds
into a sibling folder it swaps in whole. The generator itself does not depend on MkDocs: it writes
Markdown any successor could build; this module is the only adapter.

Besides, the plugin hands the generated pages' HTML bodies around Python-Markdown instead of through
it, drops the theme's indentation from every page, and leaves out theme files this site never loads.

Generated pages are front matter plus raw HTML that the templates already escaped. Markdown would
pass that HTML through unchanged anyway, but only after parsing it with Python's HTMLParser twice:
at 35,000 papers that took 90 of a 175-second build. Everything after MARKER is therefore kept aside
when MkDocs reads the page and appended to the converted content afterwards. A plain `mkdocs build`
without the plugin renders the same pages, only slower (the marker is an HTML comment).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from generator.core import text
from generator.core.errors import SnapshotError, UserError
from generator.core.project import Project
from generator.core.settings import DEFAULTS, Settings
from generator.core.urls import PATTERNS, url
from generator.domain.collections import KIND
from generator.outputs.render import RAW_HTML_MARKER as MARKER
from generator.publish.build import PreparedBuild, prepare_build
from generator.publish.config import SiteConfig
from generator.store.snapshots import iter_problems

INDENTATION = re.compile(r"\n\s+")
# mkdocs-material's own search (its worker and lunr language packs) is replaced by the archive's search,
# and source maps only serve the theme's developers.
UNUSED_THEME_FILES = re.compile(r"^assets/javascripts/(lunr|workers)/|\.map$")
log = logging.getLogger("mkdocs.plugins.dailypapers")  # MkDocs shows its plugins' warnings this way


def theme_urls() -> dict[str, str]:
    """The theme's own links (overrides/, as `config.extra.dailypapers_urls`): the header's search box,
    the reading list's page, and the 404 page's ways back in (with the month pattern its script fills
    to find the nearest listed days), from core/urls.py like every other URL."""
    links = {kind: url(kind) for kind in ("search", "saved", "archive", "topic-index", "org-index")}
    return {**links, "month_pattern": PATTERNS["month"]}


class RawHtmlPassthrough:
    """Hands the HTML after MARKER in a generated page to the page's output untouched by Markdown.

    MkDocs converts every page before it renders the first one, and holds each page's content until
    the end: at 32,500 papers the bodies alone were about 200 MB. So only the body's length and digest
    are kept between the events; the body is read again from the page's file just before its template
    is rendered (`on_page_context`) and let go once the page is written (`on_post_page`).
    """

    def __init__(self) -> None:
        super().__init__()
        self._bodies: dict[str, tuple[int, bytes]] = {}

    def on_page_markdown(self, markdown: str, page: Any, **_: Any) -> str:
        head, marker, body = markdown.partition(MARKER)
        if not marker:
            return markdown
        self._bodies[page.file.src_uri] = (len(body), _digest(body))
        return head

    def on_page_context(self, context: Any, page: Any, **_: Any) -> Any:
        kept = self._bodies.pop(page.file.src_uri, None)
        if kept is not None:
            body = page.file.content_string.partition(MARKER)[2]
            if (len(body), _digest(body)) != kept:  # the file changed while MkDocs was building
                raise PluginError(f"dailypapers: {page.file.src_uri} changed during the build")
            page.content = (page.content or "") + body
        return context

def _digest(body: str) -> bytes:
    return hashlib.blake2b(body.encode(), digest_size=16).digest()


class ThemeWhitespaceTrim:
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


class UnusedThemeAssets:
    """Leaves mkdocs-material's search files and source maps out of the site: 2.3 MB nobody loads."""

    def on_files(self, files: Any, config: Any, **_: Any) -> Any:
        docs = os.path.join(os.path.abspath(config.docs_dir), "")
        for file in list(files):
            from_theme = not os.path.abspath(file.abs_src_path or "").startswith(docs)
            if from_theme and UNUSED_THEME_FILES.search(file.src_uri):
                files.remove(file)
        return files


class _AtLeastOne(c.Type[int]):
    """A whole number of at least 1 (the settings count things: pages, papers, days)."""

    def __init__(self, default: int) -> None:
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        number = super().run_validation(value)
        if isinstance(number, bool) or number < 1:
            raise ValidationError(f"expected a whole number of at least 1, not {number!r}")
        return number


class _Flag(c.Type[bool]):
    """true or false (YAML's own booleans); anything else is named in the one-line error."""

    def __init__(self, default: bool) -> None:
        super().__init__(bool, default=default)

    def run_validation(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(f"expected true or false, not {value!r}")
        return value


class _FeedItems(c.DictOfItems[int]):
    """Papers in each collection kind's feeds, `{topic: 50, org: 20}`: a kind left out keeps its default."""

    def __init__(self) -> None:
        super().__init__(_AtLeastOne(1), default={})

    def run_validation(self, value: object) -> dict[str, int]:
        given = super().run_validation(value)
        unknown = sorted(set(given) - set(KIND))
        if unknown:
            raise ValidationError(f"no collection kind {unknown[0]!r}; the kinds are {', '.join(KIND)}")
        return {**DEFAULTS.collection_feed_items, **given}


def _option(name: str) -> c.BaseConfigOption[Any]:
    """The mkdocs.yml option of a Settings field: a whole number of at least 1 (a count of something),
    or for `collection_feed_items` a mapping of them by collection kind; a switch (`remote_images`) is true or false."""
    default = getattr(DEFAULTS, name)
    if isinstance(default, bool):
        return _Flag(default)
    return _FeedItems() if name == "collection_feed_items" else _AtLeastOne(default)


# The plugin's options in mkdocs.yml: every field of core/settings.py's Settings but the site's name
# (mkdocs.yml's own `site_name`), with its defaults, made from the dataclass so that a new setting is
# one field there. MkDocs checks them and names the key of a mistake.
DailyPapersConfig: type[base.Config] = type("DailyPapersConfig", (base.Config,), {
    item.name: _option(item.name) for item in fields(Settings) if item.name != "site_name"})


class DailyPapersPlugin(RawHtmlPassthrough, ThemeWhitespaceTrim, UnusedThemeAssets, BasePlugin):
    """The archive as a MkDocs plugin: see the module docstring. The three parts above bring their own
    events (on_page_markdown, on_page_context, on_post_page, on_files); its options are the archive's
    settings (`settings`)."""

    config_class = DailyPapersConfig

    def __init__(self) -> None:
        super().__init__()
        self.prepared: PreparedBuild | None = None  # set by `dailypapers build` before MkDocs runs
        self._own = False  # whether this plugin prepared the build (a plain `mkdocs build`), so ends it
        self._old_epoch: str | None = None

    def on_post_page(self, output: str, page: Any, **kwargs: Any) -> str:
        output = super().on_post_page(output, page=page, **kwargs)  # the theme's whitespace trimmed
        page.content = None  # the page is written: nothing after this reads its HTML (RawHtmlPassthrough)
        return output

    def settings(self, site_name: str) -> Settings:
        """The archive's settings: this plugin's options in mkdocs.yml, and the site's name."""
        values = {item.name: self.config[item.name] for item in fields(Settings) if item.name != "site_name"}
        return Settings(site_name=site_name or DEFAULTS.site_name, **values)

    def on_config(self, config: Any, **_: Any) -> Any:
        if self.prepared is None:  # a plain `mkdocs build` or `mkdocs serve`
            project = Project.at(Path(config.config_file_path).parent)
            if Path(config.docs_dir).resolve() != project.docs_dir:
                raise PluginError(f"dailypapers: docs_dir must be {project.docs_dir}, where the pages are "
                                  "generated")
            try:
                site_url = text.site_url(os.environ.get("SITE_URL") or config.site_url or "")
                site = SiteConfig(self.settings(config.site_name), site_url, dict(config.extra), config)
                self.prepared = prepare_build(project, site)
                self._own = True
                for warning in self.prepared.report.warnings:  # `dailypapers build` prints its own
                    log.warning("dailypapers: %s", warning)
            except SnapshotError as error:
                raise PluginError("\n".join(iter_problems(error.problems))) from None
            except UserError as error:
                raise PluginError(f"dailypapers: {error}") from None
            config.site_url = site_url
            config.watch.extend(str(place) for place in (project.content_dir, project.root / "overrides"))
        config.extra["dailypapers_feeds"] = self.prepared.site_feeds
        config.extra["dailypapers_urls"] = theme_urls()
        # MkDocs dates the sitemap by SOURCE_DATE_EPOCH: the newest day, so a rebuild changes no byte.
        self._old_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(self.prepared.source_date)
        return config

    def on_post_build(self, config: Any, **_: Any) -> None:
        assert self.prepared is not None
        self._restore_epoch()
        try:
            self.prepared.report.extra_files = self.prepared.finish(Path(config.site_dir))
        finally:
            if self._own:  # `dailypapers build` closes its own, once the site is swapped in
                self.prepared.close()

    def on_build_error(self, error: Exception, **_: Any) -> None:
        self._restore_epoch()
        if self.prepared is not None:
            self.prepared.close()

    def _restore_epoch(self) -> None:
        if self._old_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self._old_epoch
