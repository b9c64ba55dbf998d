"""The `dailypapers` MkDocs plugin: `mkdocs build`, the first command a MkDocs user types, builds the same
site as `dailypapers build`, byte for byte, and reports a bad snapshot in one line."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.factories import SITE_URL, new_project
from support.htmltext import pager_links
from support.paths import REPO

from generator.cli import main
from generator.core.project import Project
from generator.publish.build import build_site

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--quiet"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    (root / "build" / "docs").mkdir(parents=True, exist_ok=True)  # a fresh clone has it (its .gitkeep)
    env = {**os.environ, "SITE_URL": SITE_URL, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(MKDOCS, cwd=root, env=env, capture_output=True, text=True, timeout=600)


def test_mkdocs_build_gives_the_same_site_as_dailypapers_build(tmp_path: Path) -> None:
    ours = new_project(tmp_path / "ours", with_demo=True)
    theirs = new_project(tmp_path / "theirs", with_demo=True)
    build_site(Project.at(ours), site_url=SITE_URL)
    done = _mkdocs_build(theirs)
    assert done.returncode == 0, done.stderr
    mine, plain = _tree(ours / "site"), _tree(theirs / "site")
    assert sorted(mine) == sorted(plain)
    assert [path for path in mine if mine[path] != plain[path]] == []
    assert "p/2611.90001/index.html" in plain and "feed.xml" in plain and "search/manifest.json" in plain
    assert "data/papers.parquet" in plain
    assert filecmp.cmp(ours / "build" / "docs" / "index.md", theirs / "build" / "docs" / "index.md", shallow=False)


def test_mkdocs_build_reports_a_bad_snapshot_in_one_line(tmp_path: Path) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    bad = root / "content" / "snapshots" / "2026" / "2026-11-18.yaml"
    bad.write_text(bad.read_text().replace("status: listed", "status: [listed"), encoding="utf-8")
    done = _mkdocs_build(root)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "2026-11-18.yaml" in done.stderr and "YAML" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (root / "site").exists()


def test_a_project_without_the_plugin_is_told_how_to_add_it(tmp_path: Path, capsys) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins:\n  - dailypapers", "plugins: []"), encoding="utf-8")
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "add `plugins: [dailypapers]`" in err[0], err
    assert not (root / "site").exists()
    shutil.rmtree(root / "build", ignore_errors=True)


def _with_options(root: Path, options: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  - dailypapers\n" in text
    config.write_text(text.replace("\n  - dailypapers\n", f"\n  - dailypapers:\n{options}"), encoding="utf-8")


def test_the_archives_settings_are_the_plugins_options_in_mkdocs_yml(tmp_path: Path, capsys) -> None:
    """A fork tunes its archive in mkdocs.yml: the same options for `dailypapers build` and a plain
    `mkdocs build` (one settings object, read by MkDocs' own loader, so `!ENV` works too)."""
    root = new_project(tmp_path / "project", with_demo=True)
    _with_options(root, "      feed_items: !ENV [DP_FEED_ITEMS, 5]\n      collection_feed_items: {org: 2}\n"
                        "      home_days: 2\n")
    os.environ.pop("DP_FEED_ITEMS", None)
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0, capsys.readouterr().err
    import feedparser

    site = root / "site"
    assert len(feedparser.parse((site / "feed.xml").read_bytes()).entries) == 5
    assert len(feedparser.parse((site / "orgs" / "demo-lab" / "atom.xml").read_bytes()).entries) == 2
    assert len(feedparser.parse((site / "topics" / "agents" / "atom.xml").read_bytes()).entries) <= 50
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.count('class="dp-day-links"') == 1 and home.split('class="dp-day-links"')[1].count("<li>") == 2
    done = _mkdocs_build(root)  # the plain MkDocs build reads the same options
    assert done.returncode == 0, done.stderr
    assert len(feedparser.parse((site / "feed.xml").read_bytes()).entries) == 5


def test_a_collection_split_into_pages_leads_to_the_newer_and_older_pages(tmp_path: Path, capsys) -> None:
    """With page_size 2, the demo's organization of most papers spans pages: each page has "Newer" and
    "Older" links (rel prev/next, which the arrow keys follow) where there is such a page."""
    root = new_project(tmp_path / "project", with_demo=True)
    _with_options(root, "      page_size: 2\n")
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0, capsys.readouterr().err
    org = root / "site" / "orgs" / "demo-lab"
    pages = sorted(org.glob("page/*/index.html"))
    assert pages, "the organization's papers span several pages"
    last = len(pages) + 1

    site = root / "site"
    assert pager_links(site, "orgs/demo-lab") == {"next": "orgs/demo-lab/page/2"}
    assert pager_links(site, "orgs/demo-lab/page/2") == {
        "prev": "orgs/demo-lab", **({"next": "orgs/demo-lab/page/3"} if last > 2 else {})}
    assert pager_links(site, f"orgs/demo-lab/page/{last}") == {"prev": f"orgs/demo-lab/page/{last - 1}"
                                                              if last > 2 else "orgs/demo-lab"}


def test_a_bad_option_is_one_line_naming_it(tmp_path: Path, capsys) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    for options, said in (("      page_size: 0\n", "option 'page_size': expected a whole number of at least 1, not 0"),
                          ("      collection_feed_items: {venue: 3}\n",
                           "option 'collection_feed_items': no collection kind 'venue'; the kinds are topic, org, "
                           "keyword"),
                          ("      remote_images: maybe\n",
                           "option 'remote_images': expected true or false, not 'maybe'"),
                          ("      no_such_option: 1\n", "no_such_option")):
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        _with_options(root, options)
        code = main(["--root", str(root), "build", "--site-url", SITE_URL])
        err = capsys.readouterr().err.splitlines()
        if "no_such_option" in options:  # MkDocs warns of an unknown option (a typo?) and goes on
            assert code == 0 and err == ["dailypapers: warning: mkdocs.yml: Config value 'plugins': Plugin "
                                         "'dailypapers' option 'no_such_option': Unrecognised configuration name: "
                                         "no_such_option"], err
            continue
        assert code == 1 and len(err) == 1 and err[0].startswith("dailypapers: mkdocs.yml: ") and said in err[0], err


def test_a_build_for_the_placeholder_site_url_says_so_in_one_line(tmp_path: Path, capsys) -> None:
    """mkdocs.yml ships a placeholder site_url so that a fresh clone builds; a fork that builds for it
    is told where its links point, and how to set its own, and the build goes on."""
    root = new_project(tmp_path / "project", with_demo=True)
    assert "\nsite_url: https://example.github.io/" in (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "placeholder" in line]
    assert lines == [
        "dailypapers: warning: the site's URL is the placeholder https://example.github.io/daily-papers-archive/: "
        "feeds, the Data page and canonical links point there. Set your site's site_url in mkdocs.yml, or pass "
        "--site-url (the daily workflow passes GitHub Pages' URL; `dailypapers serve` uses its own address)"]
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    assert "placeholder" not in capsys.readouterr().err
