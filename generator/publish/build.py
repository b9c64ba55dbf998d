"""`dailypapers build`: load the whole archive, then write everything from it.

1. load and validate every snapshot into one Archive (nothing is written if any is invalid);
2. make every page, feed and permalink in memory, and claim each output path (`outputs.SitePaths`):
   a hand-written page on a generated path stops the build here, before anything is written;
3. render the Markdown pages into the git-ignored docs folder, rewriting only changed files;
4. run MkDocs (mkdocs-material) over them into a fresh sibling of site/, `site.new-<pid>`;
5. write what MkDocs need not render straight into it: permalink redirects, feeds, data
   downloads, search index, similar papers and the card tools' data;
6. swap it in place of site/ in one step (`site_swap`). A failed, interrupted or killed build never
   touches site/: the last good site stays whole, and the next build removes what a killed one left.

Nothing derived from the snapshots may stop the build: design/build-stops.md lists every stop on this
path and why it is the maintainer's (or the machine's), and what degrades instead for the data.

Permalinks are small HTML files written directly: one MkDocs page per paper would add ~45 s and
~260 MB at 35,000 papers (5,000 one-line MkDocs pages took 6.4 s and 7.5 KiB each here). The search
index and the similar papers (~10 s of CPU each at full size) need only the loaded archive, so where the
OS can fork they are built in child processes started right after loading, while this process makes
the downloads and pages and MkDocs renders: on 2 cores the build then takes no longer than without them.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import logging
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import jinja2

from generator.core import text
from generator.core.errors import UserError, one_line
from generator.core.project import Project
from generator.domain import views
from generator.domain.model import Archive
from generator.domain.orgs import Organization, org_urls, organizations
from generator.domain.topics import Taxonomy
from generator.outputs.cards import card_data_files
from generator.outputs.charts import stats_charts
from generator.outputs.digest import subscribe_page_context
from generator.outputs.export import DataExport, build_data_export, data_page_context
from generator.outputs.feeds import (
    KIND_LABELS,
    FeedInfo,
    build_feeds,
    feed_catalog,
    feeds_page_context,
    head_links_by_page,
)
from generator.outputs.render import Page, relative_root, render, sync_tree, write_files
from generator.outputs.search import SEARCH_DIR, build_search_index
from generator.outputs.similar import similar_papers
from generator.publish.paths import MKDOCS_FILES, SitePaths, clash, site_path
from generator.publish.swap import BuildLock, clean_stale, staging_dir, swap_in
from generator.store.format import SCHEMA_RESOURCE, schema_bytes
from generator.store.load import load_archive
from generator.store.snapshots import shown

HOME_RECENT_DAYS = 10
SCHEMA_PATH = SCHEMA_RESOURCE  # published at the path it has in the package
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PROBLEM_LIMIT = 300  # characters of a child's error that reach the build's one line


@dataclass
class BuildReport:
    days: int = 0
    papers: int = 0
    pages: int = 0
    written: int = 0
    removed: int = 0
    extra_files: int = 0
    seconds: float = 0.0
    site_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)
    """What the build worked around in the data (it never stops for it): one line each."""

    def summary(self) -> str:
        where = f" into {self.site_dir}" if self.site_dir else " (Markdown only)"
        return (f"built {self.papers} papers on {self.days} days: {self.pages} pages ({self.written} rewritten, "
                f"{self.removed} removed), {self.extra_files} permalinks, feeds, downloads and index files{where} "
                f"in {self.seconds:.1f} s")


def generate_pages(archive: Archive, taxonomy: Taxonomy, site_url: str, export: DataExport,
                   orgs: list[Organization], links: dict[str, list[dict[str, str]]]) -> list[Page]:
    """Every Markdown page of the site, in a fixed order."""
    days = views.day_views(archive)
    months = views.month_views(days)
    years = views.year_views(months)
    weeks = views.week_views(days)
    topics = taxonomy.by_slug
    listed = [d for d in days if d.papers]
    totals: dict[str, Any] = {"paper_count": len(archive.appearances), "listed_days": len(listed)}
    cards: dict[str, Any] = {"topics": topics, "org_urls": org_urls(orgs, views.org_url)}  # what a card links to

    pages = [
        render("home.md.j2", views.HOME_URL, latest=listed[-1] if listed else None, **cards,
               recent=list(reversed(days))[:HOME_RECENT_DAYS], months=list(reversed(months))[:12], **totals),
        render("archive.md.j2", views.ARCHIVE_URL, years=years, weeks=weeks,
               first=days[0].date if days else None, last=days[-1].date if days else None, **totals),
        render("topics.md.j2", views.TOPICS_URL, topics=taxonomy.all_topics,
               counts=views.topic_counts(archive, taxonomy)),
    ]
    pages += [render("day.md.j2", view.url, view=view, **cards) for view in days]
    pages += [render("week.md.j2", view.url, view=view) for view in weeks]
    pages += [render("month.md.j2", view.url, view=view) for view in months]
    pages += [render("year.md.j2", view.url, view=view) for view in years]
    pages += [render("topic.md.j2", view.url, view=view, feeds=links[views.topic_url(view.topic.slug)])
              for view in views.topic_views(archive, taxonomy)]
    pages += _feature_pages(taxonomy, site_url, orgs)
    pages += discovery_pages(archive, taxonomy, orgs, links)
    pages.append(render("data.md.j2", views.DATA_URL, **data_page_context(export, site_url)))
    return pages


def _feature_pages(taxonomy: Taxonomy, site_url: str, orgs: list[Organization]) -> list[Page]:
    """Pages whose templates belong to the feeds, search and reading-list features."""
    return [
        render("feeds.md.j2", views.FEEDS_URL, site_url=site_url, **feeds_page_context(taxonomy, orgs)),
        render("search.md.j2", views.SEARCH_URL),
        render("saved.md.j2", views.SAVED_URL),
    ]


def discovery_pages(archive: Archive, taxonomy: Taxonomy, orgs: list[Organization],
                    links: dict[str, list[dict[str, str]]]) -> list[Page]:
    """The organization index, each organization's pages (their feeds in the head), and the stats page
    with its charts."""

    pages = [render("orgs.md.j2", views.ORGS_URL, orgs=orgs)]
    pages += [render("org.md.j2", view.url, view=view, feeds=links[views.org_url(view.org.slug)])
              for view in views.org_views(orgs)]
    stats = views.stats_view(archive, taxonomy, orgs)
    pages.append(render("stats.md.j2", stats.url, view=stats, charts=stats_charts(stats),
                        top_orgs=views.TOP_ORGS_YEAR))
    return pages


def _permalink_path(paper_id: str) -> str:
    return f"{views.permalink_url(paper_id)}index.html"


def permalink_paths(archive: Archive) -> list[str]:
    """Where `permalink_pages` writes, known before they are rendered, so they are claimed first."""
    return [_permalink_path(paper.id) for paper in archive.papers]


def permalink_pages(archive: Archive) -> list[Page]:
    pages = []
    for view in views.permalink_views(archive):
        target = f"{relative_root(view.url)}{views.card_url(view.paper)}"
        pages.append(render("permalink.html.j2", view.url, path=_permalink_path(view.paper.id), view=view,
                            target=target))
    return pages


def similar_files(archive: Archive) -> dict[str, bytes]:
    """The permalinks and the card tools' day shards, which hold the similar papers (CardDataJob's)."""
    files = {page.path: page.text.encode() for page in permalink_pages(archive)}
    files.update(card_data_files(archive, similar_papers(archive.papers)))
    return files


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
        name = KIND_LABELS[kinds[path]]  # "RSS", "Atom", "JSON Feed"
        paths.claim(path, f"the generated {name if name.endswith('Feed') else name + ' feed'} {path}")
    for path in downloads:
        paths.claim(path, f"the generated file {path}")
    for path in permalinks:
        paths.claim(path, f"the permalink page {path}")
    paths.claim(SCHEMA_PATH, f"the published snapshot schema {SCHEMA_PATH}")
    for path in MKDOCS_FILES:
        paths.claim(path, f"MkDocs' {path}")
    paths.claim_folder(SEARCH_DIR, f"the search index (everything under {SEARCH_DIR})")
    paths.claim_folder(views.CARD_DATA_URL, f"the card tools' data (everything under {views.CARD_DATA_URL})")
    for pattern, what in _data_owned_paths():
        paths.reserve_for_data(pattern, what)
    for path in hand_written:
        paths.claim(site_path(path), shown(Path(f"{pages_label}/{path}")), hand_written=True)


def _data_owned_paths() -> list[tuple[str, str]]:
    """Where the snapshots name the pages (a day, a paper, an organization, a week): no hand-written page
    may be there, even before the data that would take its path arrives."""
    return [(r"[0-9]{4}/", "the folders of days, months and years (YYYY/)")] + [
        (re.escape(folder), f"the folder {folder}, whose pages the data names")
        for folder in (views.PERMALINKS_URL, views.ORGS_URL, views.WEEKS_URL, views.TOPICS_URL)]


def _problem(error: Exception) -> str:
    """What went wrong in a job, as the build's one line shows it, forked or not."""
    return one_line(f"{type(error).__name__}: {error}", _PROBLEM_LIMIT)


class ForkedJob:
    """Files built from the loaded Archive alone (the search index, the similar papers), written into a
    staging folder and moved into the site's `FOLDERS` by `finish()`.

    Where the OS can fork and this process runs one thread, a child builds them from right after loading
    while this process makes the downloads and pages and MkDocs renders: on 2 cores that takes their
    ~10 s of Python each off the build's critical path; the child shares the loaded Archive
    copy-on-write and sends its file count, or its error, back through a pipe. Elsewhere (`serve` has a
    server thread, and forking a threaded process can copy a held lock) it is built in this process,
    after the checks that can fail the build.

    The child never outlives the build, even if the build is killed with SIGKILL (which runs no
    cleanup code): it asks the Linux kernel to kill it when its parent dies (prctl PR_SET_PDEATHSIG),
    then checks it still has that parent, since the parent may have died before the request took
    effect. The kernel does this even while the child is busy inside C code; a pipe the child watches
    would need a thread of its own and the GIL. So jobs are forked only on Linux.

    Each job names its `FOLDERS`, its `LABEL` (for error lines) and its `_files()`.
    """

    FOLDERS: tuple[str, ...]
    LABEL: str

    def __init__(self, archive: Archive, taxonomy: Taxonomy, staging: Path) -> None:
        self.staging = staging
        shutil.rmtree(staging, ignore_errors=True)
        self.process: multiprocessing.process.BaseProcess | None = None
        self._outcome: Connection | None = None
        if not self.can_fork():
            try:
                self.count = self._write(archive, taxonomy)
            except Exception as error:
                raise UserError(f"building the {self.LABEL} failed: {_problem(error)}") from None
            return
        context = multiprocessing.get_context("fork")
        self._outcome, report = context.Pipe(duplex=False)  # the child sends (file count, error) once
        self.process = context.Process(target=self._run, args=(archive, taxonomy, os.getpid(), report),
                                       daemon=True)
        self.process.start()
        report.close()  # the child's end: with it closed here, a dead child reads as "nothing sent"

    @staticmethod
    def can_fork() -> bool:
        return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
                and threading.active_count() == 1)

    def _files(self, archive: Archive, taxonomy: Taxonomy) -> dict[str, bytes]:
        raise NotImplementedError

    def _write(self, archive: Archive, taxonomy: Taxonomy) -> int:
        files = self._files(archive, taxonomy)
        if any(not path.startswith(self.FOLDERS) for path in files):
            raise ValueError(f"the {self.LABEL} must live under {', '.join(self.FOLDERS)}")
        write_files(self.staging, files)
        return len(files)

    @staticmethod
    def _die_with(parent: int) -> None:
        """In the child: be killed by the kernel when `parent` dies (see the class docstring)."""
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:
            os._exit(1)  # the parent is already gone: nobody wants these files

    def _run(self, archive: Archive, taxonomy: Taxonomy, parent: int, report: Connection) -> None:
        """The forked child: sends its file count, or what went wrong, to the parent, which reports it
        (library code never prints; a child cannot raise into its parent)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it cancels us
        try:
            self._die_with(parent)
            report.send((self._write(archive, taxonomy), ""))
        except Exception as error:  # one short line: a long message would also fill the pipe
            report.send((0, _problem(error)))
            raise SystemExit(1) from None

    def finish(self, site_dir: Path) -> int:
        """Wait for the child if there is one, then move the files into the site's `FOLDERS`; returns how
        many."""
        try:
            self._collect()
            self._move_into(site_dir)
        except BaseException:
            self.cancel()  # the staging folder goes, and a child still running (Ctrl-C in join) is stopped
            raise
        shutil.rmtree(self.staging, ignore_errors=True)
        return self.count

    def _collect(self) -> None:
        """The child's word first (it blocks until the child sends or ends), then its exit."""
        if self.process is None or self._outcome is None:
            return
        try:
            count, problem = self._outcome.recv()
        except EOFError:  # the child ended without a word (killed outright)
            count, problem = 0, ""
        self._outcome.close()
        self._outcome = None
        self.process.join()
        code = self.process.exitcode or 0
        if code or problem:
            raise UserError(f"building the {self.LABEL} failed: " + (problem or (
                f"its process was killed by signal {-code}" if code < 0 else f"its process exited with {code}")))
        self.count = count

    def _move_into(self, site_dir: Path) -> None:
        for folder in self.FOLDERS:
            source, target = self.staging / folder, site_dir / folder
            if not source.is_dir():
                continue
            if not target.exists():
                os.replace(source, target)  # MkDocs wrote nothing here: the folder moves whole
                continue
            for entry in sorted(source.iterdir()):
                if (target / entry.name).exists():  # claim_outputs keeps pages out; this keeps MkDocs out
                    raise clash(f"{folder}{entry.name}", "MkDocs", f"the {self.LABEL}")
                os.replace(entry, target / entry.name)  # a rename: folders of 30,000 files move at once

    def cancel(self) -> None:
        """Stop the child and remove what it wrote, with the work folder if that leaves it empty: a build
        stopped before writing leaves nothing behind."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
        if self._outcome is not None:
            self._outcome.close()
            self._outcome = None
        shutil.rmtree(self.staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.staging.parent.rmdir()  # only if empty


class SearchIndexJob(ForkedJob):
    """The search index (generator/search.py) into the site's search/."""

    FOLDERS = (SEARCH_DIR,)
    LABEL = "search index"

    def _files(self, archive: Archive, taxonomy: Taxonomy) -> dict[str, bytes]:
        return build_search_index(archive, taxonomy)


class CardDataJob(ForkedJob):
    """Similar papers (~10 s of CPU at full size), the card tools' day shards that carry them, and the
    permalinks: like the search index they need only the Archive, so they are built while this process
    makes the downloads and pages and MkDocs renders, and the permalinks' 35,000 files leave this
    process's critical path."""

    FOLDERS = (views.PERMALINKS_URL, views.CARD_DATA_URL)
    LABEL = "similar papers"

    def _files(self, archive: Archive, taxonomy: Taxonomy) -> dict[str, bytes]:
        return similar_files(archive)


def hand_written_pages(project: Project) -> dict[str, bytes]:
    """content/pages/ as it is (about, snapshot format, ...), keyed by path below it.

    Only plain files are pages: a symbolic link could publish any file of the machine, so it stops the
    build. Hidden files (editor swap files, .DS_Store) are not pages; MkDocs leaves them out too.
    """
    root = project.pages_dir
    if root.is_symlink():
        raise UserError(f"{_shown(project, root)}: is a symbolic link; hand-written pages must be a plain folder")
    files: dict[str, bytes] = {}
    if not root.is_dir():
        return files
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            _read_pages_folder(project, root, folder, files, pending)
        except OSError as error:  # unreadable: a maintainer's to fix, named in one line
            where = Path(error.filename) if error.filename else folder
            raise UserError(f"{_shown(project, where)}: cannot read: {error.strerror or error}") from None
    return dict(sorted(files.items()))


def _read_pages_folder(project: Project, root: Path, folder: Path, files: dict[str, bytes],
                       pending: list[Path]) -> None:
    """One folder of hand-written pages into `files`; its subfolders onto `pending`."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                raise UserError(f"{_shown(project, path)}: is a symbolic link; hand-written pages must be "
                                "plain files (copy the file in instead)")
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
            else:
                raise UserError(f"{_shown(project, path)}: not a plain file; hand-written pages must be "
                                "plain files")


def _shown(project: Project, path: Path) -> str:
    """A path as the person running the build knows it: relative to the project folder."""
    try:
        return shown(Path(path.relative_to(project.root).as_posix()))
    except ValueError:
        return shown(path)


def published_schema() -> dict[str, bytes]:
    """The snapshot JSON Schema, published on the site next to the page that documents it."""
    return {SCHEMA_PATH: schema_bytes()}


def resolve_site_url(project: Project, given: str | None) -> str:
    """--site-url, else $SITE_URL, else site_url in mkdocs.yml; always with a trailing slash."""
    return text.site_url(given or os.environ.get("SITE_URL") or _mkdocs_site_url(project))


def _mkdocs_config(project: Project) -> dict:
    import yaml

    try:
        data = yaml.safe_load(project.mkdocs_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"{project.mkdocs_file}: cannot read: {error}") from None
    return data if isinstance(data, dict) else {}


def _mkdocs_site_url(project: Project) -> str:
    return str(_mkdocs_config(project).get("site_url") or "")


def subscribe_page(project: Project, site_url: str) -> Page:
    """/subscribe/, with a sign-up form when mkdocs.yml's `extra` names a newsletter provider's form."""

    extra = _mkdocs_config(project).get("extra")
    context = subscribe_page_context(extra if isinstance(extra, dict) else {}, site_url)
    return render("subscribe.md.j2", views.subscribe_url(), **context)


def _source_date(archive: Archive) -> int:
    """A build timestamp taken from the data (the newest day), so sitemaps never change on a rebuild."""
    newest = archive.days[-1].date if archive.days else dt.date(2023, 5, 1)
    return int(dt.datetime.combine(newest, dt.time(), dt.UTC).timestamp())


# Tracked in git, so that the docs folder mkdocs.yml names exists on a fresh clone for a plain `mkdocs build`.
DOCS_KEEP = ".gitkeep"
PLUGIN = "dailypapers"  # its name in mkdocs.yml's `plugins` (an entry point of this package)


def mkdocs_build(project: Project, prepared: PreparedBuild, site_dir: Path) -> None:
    """Run MkDocs over the generated docs folder into `site_dir` (MkDocs empties it first). The project's
    mkdocs.yml lists the `dailypapers` plugin, which is handed `prepared` and completes it after MkDocs'
    pages: the same plugin makes a plain `mkdocs build` build the whole archive."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(config_file=str(project.mkdocs_file), site_url=prepared.site_url,
                             docs_dir=str(project.docs_dir), site_dir=str(site_dir))
        plugin = config.plugins.get(PLUGIN)
        if plugin is None:
            raise UserError(f"{project.mkdocs_file.name} does not list the {PLUGIN} plugin: add `plugins: "
                            f"[{PLUGIN}]` (it writes permalinks, feeds and the search index into the site)")
        plugin.prepared = prepared
        build(config)
    except MkDocsException as error:
        raise UserError(f"mkdocs build failed: {error}") from None
    except jinja2.TemplateError as error:  # a theme override (overrides/) that does not render
        where = f"{error.filename}:{error.lineno}: " if isinstance(error, jinja2.TemplateSyntaxError) else ""
        raise UserError(f"mkdocs build failed: {where}{type(error).__name__}: {error.message}") from None


@dataclass
class PreparedBuild:
    """What a build makes before MkDocs runs: the Markdown pages are in the docs folder, every other file
    is in memory with its path already claimed, and the search index is on its way. The MkDocs plugin
    (generator/mkdocs_plugin.py) hands it the folder MkDocs built into, and `finish` completes it."""

    site_url: str
    site_feeds: list[dict[str, str]]
    source_date: int
    extras: dict[str, bytes]
    report: BuildReport
    jobs: list[ForkedJob] = field(default_factory=list)  # the search index and the similar papers
    lock: BuildLock | None = None  # this project's one build at a time, until `close`

    def finish(self, site_dir: Path) -> int:
        """Feeds, downloads, the search index, permalinks and card data into `site_dir`; returns how many
        files. A job is taken off the list only once it has finished, so `close` stops any that failed."""
        write_files(site_dir, self.extras)
        count = len(self.extras)
        while self.jobs:
            count += self.jobs[0].finish(site_dir)
            self.jobs.pop(0)
        return count

    def close(self) -> None:
        """Stop what still runs (nothing, after `finish`) and let the next build start: called once the
        site is in place, or on the way out of a failed build."""
        while self.jobs:
            self.jobs.pop(0).cancel()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def prepare_build(project: Project, site_url: str, search: bool = True) -> PreparedBuild:
    """Load the archive, make every page, feed, permalink and download, claim every output path, and
    write the Markdown into the docs folder; with `search`, the search index and the similar papers
    (permalinks, card data) are started first, right after loading, so that on 2 cores they are built
    while this process makes the rest. Holds the project's BuildLock until `close`: a second
    build of the same project fails in one line while this one runs. Raises SnapshotError or UserError,
    in one line each, before anything but the docs folder is written (a failure here cancels the started
    jobs and releases the lock)."""
    lock = BuildLock(project.root)
    jobs: list[ForkedJob] = []
    try:
        archive, taxonomy = load_archive(project)
        early = search and ForkedJob.can_fork()
        if early:
            _start_jobs(project, archive, taxonomy, jobs)
        prepared = _prepare(project, site_url, archive, taxonomy)
        if search and not early:  # built here and now: after the checks, so a mistake is reported first
            _start_jobs(project, archive, taxonomy, jobs)
    except BaseException:
        for job in jobs:
            job.cancel()
        lock.release()
        raise
    prepared.jobs, prepared.lock = jobs, lock
    return prepared


def _start_jobs(project: Project, archive: Archive, taxonomy: Taxonomy, jobs: list[ForkedJob]) -> None:
    """The search index and the similar papers, each added to `jobs` as soon as it exists (so a failure
    of the second still cancels the first)."""
    work = project.docs_dir.parent
    jobs.append(SearchIndexJob(archive, taxonomy, work / "search-index"))
    jobs.append(CardDataJob(archive, taxonomy, work / "card-data"))


def _prepare(project: Project, site_url: str, archive: Archive, taxonomy: Taxonomy) -> PreparedBuild:
    """Everything of `prepare_build` but the background jobs."""
    warnings: list[str] = []
    export = build_data_export(archive, site_url)  # the Data page lists the files' checksums
    orgs = organizations(archive, warn=warnings.append)  # two accounts sharing a slug: a warning, two pages
    catalog = feed_catalog(taxonomy, orgs)
    links = head_links_by_page(catalog)  # each page's feed links (the home page's: the site-wide feeds)
    pages = generate_pages(archive, taxonomy, site_url, export, orgs, links)
    pages.append(subscribe_page(project, site_url))
    hand_written = hand_written_pages(project)
    feeds = build_feeds(archive, taxonomy, site_url, orgs)  # kept in memory, with the downloads, until
    claim_outputs(pages, feeds, export.files, hand_written, catalog, _shown(project, project.pages_dir),
                  permalink_paths(archive))  # every path is checked; MkDocs' plugin writes them after its pages
    files = {page.path: page.text.encode() for page in pages}
    files.update(hand_written)
    files.update(published_schema())
    try:
        stats = sync_tree(project.docs_dir, files, keep=(DOCS_KEEP,))
    except OSError as error:
        raise UserError(f"writing the generated pages into {project.docs_dir} failed: {error}") from None
    report = BuildReport(days=len(archive.days), papers=len(archive.appearances), pages=len(pages),
                         written=stats.written, removed=stats.removed, warnings=warnings)
    return PreparedBuild(site_url, links[views.HOME_URL], _source_date(archive), {**feeds, **export.files}, report)


def build_site(project: Project, site_url: str | None = None, run_mkdocs: bool = True) -> BuildReport:
    """`dailypapers build`: the whole site into a sibling of site/, swapped in when complete."""
    started = time.perf_counter()
    prepared = prepare_build(project, resolve_site_url(project, site_url), search=run_mkdocs)
    report = prepared.report
    if run_mkdocs:
        _build_into_site(project, prepared)  # the plugin's on_post_build counts report.extra_files
        report.site_dir = project.site_dir
    else:
        prepared.close()  # the Markdown is written; nothing else to do
    report.seconds = time.perf_counter() - started
    return report


def _build_into_site(project: Project, prepared: PreparedBuild) -> None:
    """MkDocs, permalinks, feeds, downloads and search index into a fresh sibling folder, swapped in only
    when complete; on any failure the sibling is removed and site/ is left as it was."""
    site_dir = project.site_dir
    staging = staging_dir(site_dir)
    try:
        try:
            clean_stale(site_dir)
        except OSError as error:
            raise UserError(f"cannot clean up after an earlier build next to {site_dir}: {error}") from None
        try:
            mkdocs_build(project, prepared, staging)
            swap_in(staging, site_dir)
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError):
                raise UserError(f"writing the site failed, {site_dir} left as it was: {error}") from None
            raise
    finally:
        prepared.close()  # after the swap: the next build of this project may start
