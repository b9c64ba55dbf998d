"""Every path the build puts into site/, claimed before anything is written.

Generated pages, permalinks, feeds, the published schema, MkDocs' own files and the search index's
folder are claimed first, hand-written pages last; a path claimed twice stops the build with one line
naming both claimants, so nothing is ever silently replaced (as Pelican's writer tracks the paths it
has written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.core.errors import UserError, shown
from generator.core.urls import url
from generator.domain.collections import KINDS
from generator.outputs.feeds import FORMATS, FeedInfo
from generator.outputs.render import Page
from generator.outputs.search import SEARCH_DIR
from generator.store.format import SCHEMA_RESOURCE

SCHEMA_PATH = SCHEMA_RESOURCE  # the snapshot schema, published at the path it has in the store package
# What MkDocs writes besides the pages (mkdocs-material's 404 page and the sitemap).
MKDOCS_FILES = ("404.html", "sitemap.xml", "sitemap.xml.gz")
# Markdown suffixes MkDocs renders into pages (mkdocs.utils.markdown_extensions).
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def site_path(docs_path: str) -> str:
    """Where MkDocs (use_directory_urls) writes the file found at `docs_path` in the docs folder."""
    path = PurePosixPath(docs_path)
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        return docs_path
    if path.stem in ("index", "README"):
        return (path.parent / "index.html").as_posix()
    return (path.parent / path.stem / "index.html").as_posix()


def clash(path: str, first: str, second: str) -> UserError:
    """The error for two generated outputs on one path: a bug in the generator, not in the content."""
    return UserError(f"two outputs claim {path}: {first} and {second}")


class SitePaths:
    """The owner of each output path, folders owned whole (nothing claimed later may go inside), and
    folders whose paths the data names (no hand-written page may go inside: a page there would clash
    only on the day a paper arrived whose page has its path)."""

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}
        self._folders: dict[str, str] = {}
        self._parents: dict[str, str] = {}  # every folder a claimed path lies in -> the first claim in it
        self._data_owned: list[tuple[re.Pattern[str], str]] = []

    def claim(self, path: str, owner: str, hand_written: bool = False) -> None:
        """Record that `owner` writes `path`. Generated owners name their path ("the generated RSS feed
        feed.xml"), so the one line a clash gives says where both come from. A path is taken when it is
        claimed, lies in a folder claimed whole, is a folder other claims lie in, or lies "inside" a
        claimed file (`orgs/index.html/index.html`): a file system cannot hold both."""
        taken = self._taken(path, hand_written)
        if taken is not None:
            raise UserError(f"{owner}: {taken} has this path; rename the page") if hand_written \
                else clash(path, taken, owner)
        self._owners[path] = owner
        folder = path
        while "/" in folder:
            folder = folder.rsplit("/", 1)[0]
            self._parents.setdefault(folder, owner)

    def _taken(self, path: str, hand_written: bool) -> str | None:
        if path in self._owners:
            return self._owners[path]
        if path in self._parents:
            return f"{self._parents[path]} (in the folder {path}/)"
        for folder, owner in self._folders.items():
            if path.startswith(folder):
                return owner
        parent = path
        while "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            if parent in self._owners:
                return f"{self._owners[parent]} (a file, where this path needs a folder)"
        if hand_written:
            for pattern, owner in self._data_owned:
                if pattern.match(path):
                    return owner
        return None

    def claim_folder(self, folder: str, owner: str) -> None:
        """Reserve everything below `folder` (ending in "/") for claims made before this one."""
        self._folders[folder] = owner

    def reserve_for_data(self, pattern: str, owner: str) -> None:
        """Keep hand-written pages out of paths matching `pattern` (a regular expression matched at the
        start): folders where the data names the pages, so a clash is found when the page is added."""
        self._data_owned.append((re.compile(pattern), owner))


def claim_outputs(pages: list[Page], feeds: Iterable[str], downloads: Iterable[str], hand_written: dict[str, bytes],
                  catalog: Iterable[FeedInfo], pages_label: str, permalinks: Iterable[str] = ()) -> None:
    """Claim every path the site will have, generated outputs first and hand-written pages last, so
    a clash fails in one line naming both before a single file is written. `feeds` and `downloads` are
    the paths of the files written straight into the site after MkDocs (the OPML file among the feeds);
    `permalinks` are the paths CardDataJob will write (`permalink_paths`)."""
    kinds = {info.path: info.kind for info in catalog}
    paths = SitePaths()
    for page in pages:
        paths.claim(site_path(page.path), f"the generated page {site_path(page.path)}")
    for path in feeds:
        if path not in kinds:  # the OPML list of the feeds
            paths.claim(path, f"the generated file {path}")
            continue
        name = FORMATS[kinds[path]].label  # "RSS", "Atom", "JSON Feed"
        paths.claim(path, f"the generated {name if name.endswith('Feed') else name + ' feed'} {path}")
    for path in downloads:
        paths.claim(path, f"the generated file {path}")
    for path in permalinks:
        paths.claim(path, f"the permalink page {path}")
    paths.claim(SCHEMA_PATH, f"the published snapshot schema {SCHEMA_PATH}")
    for path in MKDOCS_FILES:
        paths.claim(path, f"MkDocs' {path}")
    paths.claim_folder(SEARCH_DIR, f"the search index (everything under {SEARCH_DIR})")
    cards = url("card-data-index")
    paths.claim_folder(cards, f"the card tools' data (everything under {cards})")
    for pattern, what in _data_owned_paths():
        paths.reserve_for_data(pattern, what)
    for path in hand_written:
        paths.claim(site_path(path), shown(Path(f"{pages_label}/{path}")), hand_written=True)


def _data_owned_paths() -> list[tuple[str, str]]:
    """Where the snapshots name the pages (a day, a paper, an organization, a week): no hand-written page
    may be there, even before the data that would take its path arrives."""
    folders = [url("permalink-index"), url("week-index")] + [url(f"{kind.name}-index") for kind in KINDS]
    return [(r"[0-9]{4}/", "the folders of days, months and years (YYYY/)")] + [
        (re.escape(folder), f"the folder {folder}, whose pages the data names") for folder in folders]
