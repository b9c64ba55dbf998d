"""`dailypapers build`: load the whole archive, then write everything from it.

1. load and validate every snapshot into one Archive (nothing is written if any is invalid);
2. render the Markdown pages into the git-ignored docs folder, rewriting only changed files;
3. run MkDocs (mkdocs-material) over them into site/;
4. write what MkDocs need not render straight into site/: permalink redirects, feeds, search index.

Permalinks are small HTML files written directly: one MkDocs page per paper would add ~45 s and
~260 MB at 35,000 papers (DESIGN.md). The search index (~10 s of pure Python at full size) does not
depend on MkDocs' output, so where the OS can fork it is built in a child process while MkDocs runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator import text, views
from generator.errors import UserError
from generator.feeds import FeedInfo, build_feeds, feed_catalog, feeds_page_context, head_links
from generator.load import load_archive
from generator.model import Archive
from generator.orgs import Organization, organizations
from generator.project import Project
from generator.render import Page, relative_root, render, sync_tree, write_files
from generator.topics import Taxonomy

HOME_RECENT_DAYS = 10


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

    def summary(self) -> str:
        where = f" into {self.site_dir}" if self.site_dir else " (Markdown only)"
        return (f"built {self.papers} papers on {self.days} days: {self.pages} pages ({self.written} rewritten, "
                f"{self.removed} removed), {self.extra_files} permalinks, feeds and index files{where} "
                f"in {self.seconds:.1f} s")


def generate_pages(archive: Archive, taxonomy: Taxonomy, site_url: str) -> list[Page]:
    """Every Markdown page of the site, in a fixed order."""
    days = views.day_views(archive)
    months = views.month_views(days)
    years = views.year_views(months)
    weeks = views.week_views(days)
    topics = taxonomy.by_slug
    orgs = organizations(archive)  # fails the build, with one line, when two names share a slug
    listed = [d for d in days if d.papers]
    totals = {"paper_count": len(archive.appearances), "listed_days": len(listed)}

    pages = [
        render("home.md.j2", "", latest=listed[-1] if listed else None, topics=topics,
               recent=list(reversed(days))[:HOME_RECENT_DAYS], months=list(reversed(months))[:12], **totals),
        render("archive.md.j2", "archive/", years=years, weeks=weeks,
               first=days[0].date if days else None, last=days[-1].date if days else None, **totals),
        render("topics.md.j2", "topics/", topics=taxonomy.all_topics,
               counts=views.topic_counts(archive, taxonomy)),
    ]
    pages += [render("day.md.j2", view.url, view=view, topics=topics) for view in days]
    pages += [render("week.md.j2", view.url, view=view) for view in weeks]
    pages += [render("month.md.j2", view.url, view=view) for view in months]
    pages += [render("year.md.j2", view.url, view=view) for view in years]
    catalog = feed_catalog(taxonomy, orgs)
    pages += [render("topic.md.j2", view.url, view=view, feeds=head_links(catalog, views.topic_url(view.topic.slug)))
              for view in views.topic_views(archive, taxonomy)]
    pages += _feature_pages(taxonomy, site_url, orgs)
    pages += discovery_pages(archive, taxonomy, orgs, catalog)
    return pages


def _feature_pages(taxonomy: Taxonomy, site_url: str, orgs: list[Organization]) -> list[Page]:
    """Pages whose templates belong to the feeds and search features."""
    return [
        render("feeds.md.j2", "feeds/", site_url=site_url, **feeds_page_context(taxonomy, orgs)),
        render("search.md.j2", "search/"),
    ]


def discovery_pages(archive: Archive, taxonomy: Taxonomy, orgs: list[Organization],
                    catalog: list[FeedInfo]) -> list[Page]:
    """The organization index, each organization's pages (their feeds in the head), and the stats page
    with its charts."""
    from generator.charts import stats_charts

    pages = [render("orgs.md.j2", views.ORGS_URL, orgs=orgs)]
    pages += [render("org.md.j2", view.url, view=view, feeds=head_links(catalog, views.org_url(view.org.slug)))
              for view in views.org_views(orgs)]
    stats = views.stats_view(archive, taxonomy, orgs)
    pages.append(render("stats.md.j2", stats.url, view=stats, charts=stats_charts(stats),
                        top_orgs=views.TOP_ORGS_YEAR))
    return pages


def permalink_pages(archive: Archive) -> list[Page]:
    pages = []
    for view in views.permalink_views(archive):
        root = relative_root(view.url)
        target = f"{root}{views.card_url(view.paper)}"
        pages.append(render("permalink.html.j2", view.url, path=f"{view.url}index.html", view=view, target=target))
    return pages


def extra_files(archive: Archive, taxonomy: Taxonomy, site_url: str) -> dict[str, bytes]:
    """Files written straight into site/ after MkDocs: permalinks and feeds (the search index is
    SearchIndexJob's)."""
    files = {page.path: page.text.encode() for page in permalink_pages(archive)}
    feeds = build_feeds(archive, taxonomy, site_url)
    clash = files.keys() & feeds.keys()
    if clash:
        raise UserError(f"two outputs claim the same path: {sorted(clash)[0]}")
    files.update(feeds)
    return files


class SearchIndexJob:
    """The search index, written into a staging folder and moved into site/search/ by `finish()`.

    Where the OS can fork and this process runs one thread, a child builds it while this process runs
    MkDocs: on 2 cores that takes the index (~10 s of Python) off the build's critical path (full size,
    side by side on an idle machine: 53 s inline, 38 s alongside); the child shares the loaded Archive
    copy-on-write. Elsewhere (`serve` has a server thread, and forking a threaded process can copy a
    held lock) it is built right away, in this process.
    """

    def __init__(self, archive: Archive, taxonomy: Taxonomy, staging: Path) -> None:
        self.staging = staging
        shutil.rmtree(staging, ignore_errors=True)
        self.process: multiprocessing.process.BaseProcess | None = None
        if not self.can_fork():
            self.count = self._write(archive, taxonomy)
            return
        context = multiprocessing.get_context("fork")
        self.shared_count = context.Value("q", 0)
        self.process = context.Process(target=self._run, args=(archive, taxonomy), daemon=True)
        self.process.start()

    @staticmethod
    def can_fork() -> bool:
        return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1

    def _write(self, archive: Archive, taxonomy: Taxonomy) -> int:
        from generator.search import build_search_index

        files = build_search_index(archive, taxonomy)
        if any(not path.startswith("search/") for path in files):
            raise ValueError("the search index must live under search/")
        write_files(self.staging, files)
        return len(files)

    def _run(self, archive: Archive, taxonomy: Taxonomy) -> None:
        """The forked child: the parent reports a failure; one line here, never a traceback."""
        try:
            self.shared_count.value = self._write(archive, taxonomy)
        except Exception as error:
            print(f"search index: {type(error).__name__}: {error}", file=sys.stderr)
            raise SystemExit(1) from None

    def finish(self, site_dir: Path) -> int:
        """Wait for the child if there is one, then move the files into site/search/; returns how many."""
        if self.process is not None:
            self.process.join()
            if self.process.exitcode != 0:
                raise UserError("building the search index failed (see the line above)")
            self.count = int(self.shared_count.value)
        target = site_dir / "search"
        target.mkdir(parents=True, exist_ok=True)
        for entry in sorted((self.staging / "search").iterdir()):
            os.replace(entry, target / entry.name)  # a rename: folders of 30,000 files move at once
        shutil.rmtree(self.staging, ignore_errors=True)
        return self.count

    def cancel(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
        shutil.rmtree(self.staging, ignore_errors=True)


def hand_written_pages(project: Project) -> dict[str, bytes]:
    """content/pages/ as it is (about, snapshot format, ...), plus the published snapshot schema."""
    from importlib import resources

    files = {}
    if project.pages_dir.is_dir():
        for path in sorted(project.pages_dir.rglob("*")):
            if path.is_file():
                files[path.relative_to(project.pages_dir).as_posix()] = path.read_bytes()
    schema = resources.files("generator").joinpath("schema/snapshot.schema.json").read_bytes()
    files["schema/snapshot.schema.json"] = schema
    return files


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
    from generator.digest import subscribe_page_context

    extra = _mkdocs_config(project).get("extra")
    context = subscribe_page_context(extra if isinstance(extra, dict) else {}, site_url)
    return render("subscribe.md.j2", views.subscribe_url(), **context)


def _source_date(archive: Archive) -> int:
    """A build timestamp taken from the data (the newest day), so sitemaps never change on a rebuild."""
    newest = archive.days[-1].date if archive.days else dt.date(2023, 5, 1)
    return int(dt.datetime.combine(newest, dt.time(), dt.UTC).timestamp())


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


def mkdocs_build(project: Project, site_url: str, source_date: int, site_feeds: list[dict[str, str]]) -> None:
    """Run MkDocs over the generated docs folder; MkDocs empties site/ first, so nothing stale survives.

    `site_feeds` (feeds.head_links of the home page) reaches the theme as `extra.dailypapers_feeds`, so
    the head of every page advertises the feeds the catalog lists, and no template spells a feed path."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.mkdocs_plugin import RawHtmlPassthrough, ThemeWhitespaceTrim, UnusedThemeAssets

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        with _environment("SOURCE_DATE_EPOCH", str(source_date)):
            config = load_config(config_file=str(project.mkdocs_file), site_url=site_url,
                                 docs_dir=str(project.docs_dir), site_dir=str(project.site_dir))
            config.extra["dailypapers_feeds"] = site_feeds
            config.plugins["dailypapers-raw-html"] = RawHtmlPassthrough()
            config.plugins["dailypapers-trim"] = ThemeWhitespaceTrim()
            config.plugins["dailypapers-unused-assets"] = UnusedThemeAssets()
            build(config)
    except MkDocsException as error:
        raise UserError(f"mkdocs build failed: {error}") from None


def build_site(project: Project, site_url: str | None = None, run_mkdocs: bool = True) -> BuildReport:
    started = time.perf_counter()
    site_url = resolve_site_url(project, site_url)
    archive, taxonomy = load_archive(project)
    pages = generate_pages(archive, taxonomy, site_url)
    pages.append(subscribe_page(project, site_url))
    files = {page.path: page.text.encode() for page in pages}
    for path, data in hand_written_pages(project).items():
        if path in files:
            raise UserError(f"content/pages/{path} would replace a generated page; rename it")
        files[path] = data
    stats = sync_tree(project.docs_dir, files)
    report = BuildReport(days=len(archive.days), papers=len(archive.appearances), pages=len(pages),
                         written=stats.written, removed=stats.removed)
    if run_mkdocs:
        search_index = SearchIndexJob(archive, taxonomy, project.docs_dir.parent / "search-index")
        try:
            mkdocs_build(project, site_url, _source_date(archive), head_links(feed_catalog(taxonomy), views.HOME_URL))
            extras = extra_files(archive, taxonomy, site_url)
            write_files(project.site_dir, extras)
        except BaseException:
            search_index.cancel()
            raise
        report.extra_files = len(extras) + search_index.finish(project.site_dir)
        report.site_dir = project.site_dir
    report.seconds = time.perf_counter() - started
    return report

