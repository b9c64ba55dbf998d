"""`dailypapers build`: load the whole archive, then write everything from it. The steps, and where
each one's work is:

1. load and validate every snapshot into one Archive (store/load.py; nothing is written if any is
   invalid); start the search index (with the data downloads first) and the similar papers in forked
   children (jobs.py), which write into staging folders;
2. make every page (outputs/pages.py) and feed in memory, the Data page last (it lists the downloads'
   checksums, which the search index's child sends as soon as it has them), and claim each output path
   (paths.py): a hand-written page (content.py) on a generated path stops the build here, before
   anything is written;
3. render the Markdown pages into the git-ignored docs folder, rewriting only changed files;
4. run MkDocs (mkdocs-material) over them into a fresh sibling of site/, `site.new-<pid>`;
5. write what MkDocs need not render straight into it (mkdocs_plugin.py calls `PreparedBuild.finish`):
   the feeds, and the jobs' downloads, search index, similar papers, card data and permalinks;
6. swap it in place of site/ in one step (swap.py). A failed, interrupted or killed build never
   touches site/: the last good site stays whole, and the next build removes what a killed one left.

Nothing derived from the snapshots may stop the build: design/build-stops.md lists every stop on this
path and why it is the maintainer's (or the machine's), and what degrades instead for the data.

Permalinks are small HTML files written directly: one MkDocs page per paper would add ~45 s and
~260 MB at 35,000 papers (5,000 one-line MkDocs pages took 6.4 s and 7.5 KiB each here).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator.core.errors import UserError
from generator.core.project import Project
from generator.core.urls import url
from generator.domain.model import Archive
from generator.domain.site import make_site
from generator.domain.topics import Taxonomy
from generator.outputs.export import build_data_export
from generator.outputs.feeds import (
    build_feeds,
    feed_catalog,
    head_links_by_page,
)
from generator.outputs.pages import data_page, generate_pages, permalink_paths, subscribe_page
from generator.publish.config import PLUGIN, SiteConfig, read_config
from generator.publish.content import hand_written_pages, shown_in
from generator.publish.jobs import CardDataJob, ForkedJob, SearchIndexJob
from generator.publish.memory import release_freed_memory
from generator.publish.paths import SCHEMA_PATH, claim_outputs
from generator.publish.swap import BuildLock, clean_stale, staging_dir, swap_in
from generator.publish.timings import Timings
from generator.publish.writing import sync_tree, write_files
from generator.store.format import schema_bytes
from generator.store.load import load_archive


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
    timings: Timings = field(default_factory=Timings)
    """Each step's time and memory, the forked jobs' too (`dailypapers build --timings` prints them)."""

    def summary(self) -> str:
        where = f" into {self.site_dir}" if self.site_dir else " (Markdown only)"
        return (f"built {self.papers} papers on {self.days} days: {self.pages} pages ({self.written} rewritten, "
                f"{self.removed} removed), {self.extra_files} permalinks, feeds, downloads and index files{where} "
                f"in {self.seconds:.1f} s")


def published_schema() -> dict[str, bytes]:
    """The snapshot JSON Schema, published on the site next to the page that documents it."""
    return {SCHEMA_PATH: schema_bytes()}


def _source_date(archive: Archive) -> int:
    """A build timestamp taken from the data (the newest day), so sitemaps never change on a rebuild."""
    newest = archive.days[-1].date if archive.days else dt.date(2023, 5, 1)
    return int(dt.datetime.combine(newest, dt.time(), dt.UTC).timestamp())


# Tracked in git, so that the docs folder mkdocs.yml names exists on a fresh clone for a plain `mkdocs build`.
DOCS_KEEP = ".gitkeep"


def mkdocs_build(prepared: PreparedBuild, site_dir: Path) -> None:
    """Run MkDocs, with the config the build read (publish/config.py), over the generated docs folder into
    `site_dir` (MkDocs empties it first). mkdocs.yml lists the `dailypapers` plugin, which is handed
    `prepared` and completes it after MkDocs' pages: the same plugin makes a plain `mkdocs build` build
    the whole archive."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    config = prepared.config.mkdocs
    config["site_dir"], config["site_url"] = str(site_dir), prepared.site_url
    try:
        config.plugins[PLUGIN].prepared = prepared
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

    config: SiteConfig
    site_feeds: list[dict[str, str]]
    source_date: int
    extras: dict[str, bytes]  # the feeds, the OPML list, and the downloads where no job made them
    report: BuildReport
    jobs: list[ForkedJob] = field(default_factory=list)  # the search index and the similar papers
    lock: BuildLock | None = None  # this project's one build at a time, until `close`

    @property
    def site_url(self) -> str:
        return self.config.site_url

    def finish(self, site_dir: Path) -> int:
        """Feeds, downloads, the search index, permalinks and card data into `site_dir`; returns how many
        files. A job is taken off the list only once it has finished, so `close` stops any that failed."""
        timings = self.report.timings
        with timings.step("post-build: feeds and downloads written"):
            write_files(site_dir, self.extras)
        count = len(self.extras)
        while self.jobs:
            with timings.step(f"post-build: {self.jobs[0].LABEL} waited for and moved in"):
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


def prepare_build(project: Project, config: SiteConfig, search: bool = True,
                  lock: BuildLock | None = None, timings: Timings | None = None) -> PreparedBuild:
    """Load the archive, make every page, feed, permalink and download, claim every output path, and
    write the Markdown into the docs folder; with `search`, the search index and the similar papers
    (permalinks, card data) are started first, right after loading, so that on 2 cores they are built
    while this process makes the rest. Holds the project's BuildLock until `close`: a second
    build of the same project fails in one line while this one runs. Raises SnapshotError or UserError,
    in one line each, before anything but the docs folder is written (a failure here cancels the started
    jobs and releases the lock)."""
    lock = lock or BuildLock(project.root)
    timings = timings or Timings()
    jobs: list[ForkedJob] = []
    try:
        with timings.step("load snapshots"):
            archive, taxonomy = load_archive(project)
            release_freed_memory()  # the parsed YAML is garbage now; the forked children need not inherit it
        early = search and ForkedJob.can_fork()
        if early:
            with timings.step("fork the jobs"):
                _start_jobs(project, archive, taxonomy, jobs, timings, downloads_for=config.site_url)
        prepared = _prepare(project, config, archive, taxonomy, timings, jobs)
        if search and not early:  # built here and now: after the checks, so a mistake is reported first
            _start_jobs(project, archive, taxonomy, jobs, timings)
    except BaseException:
        for job in jobs:
            job.cancel()
        lock.release()
        raise
    prepared.jobs, prepared.lock = jobs, lock
    return prepared


def _start_jobs(project: Project, archive: Archive, taxonomy: Taxonomy, jobs: list[ForkedJob],
                timings: Timings, downloads_for: str | None = None) -> None:
    """The search index (with the downloads for the site at `downloads_for`, if given) and the similar
    papers, each added to `jobs` as soon as it exists (so a failure of the second still cancels the
    first)."""
    work = project.docs_dir.parent
    jobs.append(SearchIndexJob(archive, taxonomy, work / "search-index", timings, site_url=downloads_for))
    jobs.append(CardDataJob(archive, taxonomy, work / "card-data", timings))


def _prepare(project: Project, config: SiteConfig, archive: Archive, taxonomy: Taxonomy,
             timings: Timings, jobs: list[ForkedJob]) -> PreparedBuild:
    """Everything of `prepare_build` but the background jobs; the downloads too unless one of `jobs`
    makes them."""
    warnings: list[str] = []
    with timings.step("site model"):
        site = make_site(archive, taxonomy, config.site_url, config.settings, warn=warnings.append)
    maker = next((job for job in jobs if isinstance(job, SearchIndexJob) and job.site_url is not None), None)
    extras: dict[str, bytes] = {}  # written into the site after MkDocs' pages, with the feeds
    if maker is None:
        with timings.step("downloads"):
            export = build_data_export(archive, site.url)
        extras, listing = dict(export.files), export.listing
    with timings.step("pages"):
        catalog = feed_catalog(site)
        links = head_links_by_page(catalog)  # each page's feed links (the home page's: the site-wide feeds)
        pages = generate_pages(site, links)
    hand_written = hand_written_pages(project)
    with timings.step("feeds"):
        feeds = build_feeds(site)  # kept in memory until MkDocs' plugin writes them after its pages
    if maker is not None:
        with timings.step("wait for the downloads' listing"):
            listing = maker.listing()
    pages.append(data_page(site, listing))  # it lists the downloads' sizes and checksums
    pages.append(subscribe_page(config.extra, site.url))
    with timings.step("claim every path, write the Markdown"):
        claim_outputs(pages, feeds, listing.paths, hand_written, catalog, shown_in(project, project.pages_dir),
                      permalink_paths(archive))  # every path is checked before a file is written
        files = {page.path: page.data for page in pages}
        files.update(hand_written)
        files.update(published_schema())
        try:
            stats = sync_tree(project.docs_dir, files, keep=(DOCS_KEEP,))
        except OSError as error:
            raise UserError(f"writing the generated pages into {project.docs_dir} failed: {error}") from None
    report = BuildReport(days=len(archive.days), papers=len(archive.appearances), pages=len(pages),
                         written=stats.written, removed=stats.removed, warnings=[*config.warnings, *warnings],
                         timings=timings)
    return PreparedBuild(config, links[url("home")], _source_date(archive), {**feeds, **extras}, report)


def build_site(project: Project, site_url: str | None = None, run_mkdocs: bool = True) -> BuildReport:
    """`dailypapers build`: the whole site into a sibling of site/, swapped in when complete."""
    started = time.perf_counter()
    timings = Timings(origin=started)
    lock = BuildLock(project.root)  # first: a second build, or a missing folder, is told before anything else
    try:
        with timings.step("read mkdocs.yml"):
            config = read_config(project, site_url)
    except BaseException:
        lock.release()
        raise
    prepared = prepare_build(project, config, search=run_mkdocs, lock=lock, timings=timings)
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
            timings = prepared.report.timings
            release_freed_memory()  # the pages and feeds are written: MkDocs starts from what is still held
            with timings.step("MkDocs: its pages, then the post-build steps"):
                mkdocs_build(prepared, staging)
            with timings.step("swap in, remove the old site"):
                swap_in(staging, site_dir)
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError):
                raise UserError(f"writing the site failed, {site_dir} left as it was: {error}") from None
            raise
    finally:
        prepared.close()  # after the swap: the next build of this project may start
