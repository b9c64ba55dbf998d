"""The feeds in a real feed reader: Debian's newsboat fetches them over HTTP from 127.0.0.1, headless,
and the items it stored in its SQLite cache must have the titles, links, ids and dates we meant.

newsboat keys its cache by guid across all feeds, so each feed gets its own cache here, as it would
for a reader subscribed to just that feed. It exits 0 even when a download fails, so every test checks
that items arrived.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import html
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.factories import TAXONOMY, feed_paper, make_archive, real_archive

from generator.core.urls import url
from generator.domain.model import Account, Archive, Author
from generator.domain.orgs import organizations
from generator.domain.site import make_site
from generator.outputs.feeds import build_feeds, item_date, opml_feeds

pytestmark = pytest.mark.reader


@pytest.fixture(scope="module")
def newsboat() -> str:
    path = shutil.which("newsboat")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("newsboat is not installed; CI must install it (apt-get install -y newsboat)")
        pytest.skip("newsboat is not installed (apt-get install newsboat)")
    return path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served at http://127.0.0.1:<free port>/, and that URL (the feeds' site_url)."""
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def publish(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def read_with_newsboat(newsboat: str, url: str, work: Path) -> list[sqlite3.Row]:
    """Subscribe newsboat to `url` alone, reload once headless, and return the items it stored."""
    work.mkdir(parents=True)
    (work / "home").mkdir()
    urls = work / "urls"
    urls.write_text(url + "\n", encoding="utf-8")
    cache = work / "cache.db"
    env = {"HOME": str(work / "home"), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
           "TERM": "dumb"}
    done = subprocess.run([newsboat, "-u", str(urls), "-c", str(cache), "-C", "/dev/null", "-x", "reload"],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert cache.exists(), f"newsboat wrote no cache: {done.stdout} {done.stderr}"
    with sqlite3.connect(cache) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT guid, title, url, author, pubDate, content, feedurl FROM rss_item "
                          "ORDER BY pubDate DESC, guid").fetchall()
    assert rows, f"newsboat stored no items from {url}: {done.stdout} {done.stderr}"
    assert {row["feedurl"] for row in rows} == {url}
    return rows


def _sample() -> Archive:
    d1, d2 = dt.date(2025, 10, 2), dt.date(2025, 10, 3)
    return make_archive([
        feed_paper("2510.00001", d1, title="Why <think> tags & $x^2$ matter: μ-bench for FürElise",
                   upvotes=12, featured_at="2025-10-02T00:21:50.292Z",
                   authors=(Author("Zoë Ångström"), Author("hidden", hidden=True), Author("Li Wei")),
                   abstract="Models emit <answer> and <EOS> tokens.", organization=Account("acme", "ACME"),
                   topics=("reasoning", "agents")),
        feed_paper("2510.00002", d2, title="A second paper", upvotes=40, featured_at="2025-10-03T06:00:00Z",
                   github_repo="https://github.com/o/r", topics=("agents",)),
        feed_paper("2510.00001", d2, title="Why <think> tags & $x^2$ matter: μ-bench for FürElise",
                   upvotes=99, featured_at="2025-10-03T01:00:00Z", topics=("reasoning", "agents")),
    ])


def _epoch(*args: int) -> int:
    return calendar.timegm(dt.datetime(*args, tzinfo=dt.UTC).timetuple())


@pytest.mark.parametrize("path", ["feed.xml", "atom.xml", "topics/reasoning/feed.xml",
                                  "topics/reasoning/atom.xml"])
def test_newsboat_reads_each_paper_once_with_its_title_link_and_id(newsboat: str, site: tuple[Path, str],
                                                                  tmp_path: Path, path: str) -> None:
    root, base = site
    publish(root, build_feeds(make_site(_sample(), TAXONOMY, base)))
    rows = read_with_newsboat(newsboat, base + path, tmp_path / "reader")
    if path.startswith("topics/"):
        assert [row["guid"] for row in rows] == [f"{base}p/2510.00001/"]
    else:
        assert [row["guid"] for row in rows] == [f"{base}p/2510.00002/", f"{base}p/2510.00001/"]
        assert rows[0]["title"] == "A second paper"
        assert rows[0]["url"] == f"{base}2025/10/03/#2510.00002"
        assert rows[0]["pubDate"] == _epoch(2025, 10, 3, 6, 0, 0)
        assert 'href="https://github.com/o/r"' in rows[0]["content"]
    paper = rows[-1]
    # The text as written, never markup. Atom says its titles are HTML, and newsboat renders them: the
    # title shows "<think>", never obeyed. RSS cannot say, and newsboat shows RSS titles as text, so a
    # title that HTML would read as markup, escaped in RSS (feeds.py, _rss_title), shows its entities
    # there; feeds.opml subscribes readers to the Atom feeds. The HTML it renders holds the escaped form.
    title = "Why <think> tags & $x^2$ matter: μ-bench for FürElise"
    assert paper["title"] == (title if path.endswith("atom.xml") else html.escape(title, quote=False))
    assert paper["url"] == f"{base}2025/10/02/#2510.00001"  # its first day, though listed again on the 3rd
    assert paper["pubDate"] == _epoch(2025, 10, 2, 0, 21, 50)
    assert paper["author"] == "Zoë Ångström, Li Wei"
    assert "&lt;answer&gt; and &lt;EOS&gt;" in paper["content"]
    assert "<answer>" not in paper["content"]


def test_newsboat_reads_the_daily_and_weekly_digests(newsboat: str, site: tuple[Path, str],
                                                     tmp_path: Path) -> None:
    root, base = site
    publish(root, build_feeds(make_site(_sample(), TAXONOMY, base)))
    daily = read_with_newsboat(newsboat, base + "daily.xml", tmp_path / "daily")
    assert [(row["guid"], row["url"]) for row in daily] == [
        (f"{base}2025/10/03/", f"{base}2025/10/03/"), (f"{base}2025/10/02/", f"{base}2025/10/02/")]
    assert daily[0]["title"] == "Daily Papers for Friday, 3 October 2025 (2 papers)"
    # that day's papers by upvotes, each linked to its card on that day
    first, second = f'href="{base}2025/10/03/#2510.00001"', f'href="{base}2025/10/03/#2510.00002"'
    assert daily[0]["content"].index(first) < daily[0]["content"].index(second)
    weekly = read_with_newsboat(newsboat, base + "weekly.xml", tmp_path / "weekly")
    assert [row["url"] for row in weekly] == [f"{base}weeks/2025-W40/"]
    assert html.unescape(weekly[0]["content"]).count("<li>") == 2


def test_newsboat_reads_the_real_archive(newsboat: str, site: tuple[Path, str], tmp_path: Path) -> None:
    archive, taxonomy = real_archive()
    root, base = site
    files = build_feeds(make_site(archive, taxonomy, base))
    publish(root, files)
    newest = sorted(archive.papers, key=lambda p: (-item_date(p, p.day).timestamp(), p.id))[:100]
    rows = read_with_newsboat(newsboat, base + "feed.xml", tmp_path / "main")
    assert len(rows) == 100
    assert {row["guid"] for row in rows} == {f"{base}p/{p.id}/" for p in newest}
    titles = {f"{base}p/{p.id}/": p.title for p in newest}
    for row in rows:
        assert row["title"] == titles[row["guid"]]
        assert row["url"].startswith(base) and row["url"].endswith("#" + row["guid"].split("/")[-2])
    topic = [p for p in archive.papers if "reasoning" in p.topics]
    topic = sorted(topic, key=lambda p: (-item_date(p, p.day).timestamp(), p.id))[:50]
    rows = read_with_newsboat(newsboat, base + "topics/reasoning/atom.xml", tmp_path / "topic")
    assert [row["guid"] for row in rows] == [f"{base}p/{p.id}/" for p in topic]


def test_newsboat_imports_the_opml_and_reads_every_feed_it_lists(newsboat: str, site: tuple[Path, str],
                                                                 tmp_path: Path) -> None:
    """`newsboat -i feeds.opml` subscribes to each feed once, tagged with its folder; then every one of
    them is fetched over HTTP and has the items it should."""
    root, base = site
    papers = [p for day in _sample().days for p in day.papers]
    papers.append(feed_paper("2510.00003", dt.date(2025, 10, 2), upvotes=1, topics=("other",)))
    archive = make_archive(papers)
    publish(root, build_feeds(make_site(archive, TAXONOMY, base)))
    orgs = organizations(archive)  # the organization feeds are listed too, in their own folder
    assert orgs
    work = tmp_path / "import"
    (work / "home").mkdir(parents=True)
    urls = work / "urls"
    urls.touch()
    env = {"HOME": str(work / "home"), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
           "TERM": "dumb"}
    done = subprocess.run([newsboat, "-u", str(urls), "-c", str(work / "cache.db"), "-C", "/dev/null",
                           "-i", str(root / url("opml"))], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    imported = [line.split(" ", 1) for line in urls.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = opml_feeds(make_site(archive, TAXONOMY, base))
    assert [url for url, _ in imported] == [base + info.path for info in expected]
    assert [tag for _, tag in imported] == ['"Site-wide"'] * 3 + ['"Topics"'] * len(TAXONOMY.all_topics) \
        + ['"Organizations"'] * len(orgs)
    items = {"atom.xml": 3, "daily.xml": 2, "weekly.xml": 1, "topics/reasoning/atom.xml": 1,
             "topics/agents/atom.xml": 2, "topics/other/atom.xml": 1}
    items |= {url("org-feed", slug=org.slug, file="atom.xml"): len(org.papers) for org in orgs}
    assert {address.removeprefix(base) for address, _ in imported} == set(items)
    for number, (address, _) in enumerate(imported):
        rows = read_with_newsboat(newsboat, address, tmp_path / f"feed-{number}")
        assert len(rows) == items[address.removeprefix(base)], address
        for row in rows:  # every title exactly as written, markup and all, through the OPML's feeds
            assert "&lt;" not in row["title"] and "&amp;" not in row["title"], (address, row["title"])
