"""Where a build writes and how a new site replaces the old: no two outputs claim one path (nor a file
and a folder), MkDocs' path for each docs file, and the swap that puts site/ in place whole, by
renameat2 on Linux or by two renames, and with no previous site.

Killed and failed builds, run for real: tests/site/test_build_safety.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.core.errors import UserError
from generator.publish import swap as site_swap
from generator.publish.paths import SitePaths, site_path

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; forks with prctl")


def test_two_generated_outputs_on_one_path_fail_in_one_line() -> None:
    paths = SitePaths()
    paths.claim("topics/x/feed.xml", "the generated RSS feed topics/x/feed.xml")
    with pytest.raises(UserError) as raised:
        paths.claim("topics/x/feed.xml", "the generated RSS feed topics/x/feed.xml (a second topic x)")
    assert str(raised.value) == ("two outputs claim topics/x/feed.xml: the generated RSS feed topics/x/feed.xml "
                                 "and the generated RSS feed topics/x/feed.xml (a second topic x)")


def test_a_file_and_a_folder_on_one_path_fail_in_one_line() -> None:
    """`orgs/index.html` is a file, so nothing can be written at `orgs/index.html/index.html` (an
    organization named index.html once stopped the build as MkDocs wrote it); and the reverse."""
    paths = SitePaths()
    paths.claim("orgs/index.html", "the generated page orgs/index.html")
    with pytest.raises(UserError, match=r"^two outputs claim orgs/index.html/index.html: the generated page "
                                        r"orgs/index.html \(a file, where this path needs a folder\) and x$"):
        paths.claim("orgs/index.html/index.html", "x")
    paths.claim("p/a/b/index.html", "the permalink page p/a/b/index.html")
    with pytest.raises(UserError, match=r"^two outputs claim p/a: the permalink page p/a/b/index.html "
                                        r"\(in the folder p/a/\) and y$"):
        paths.claim("p/a", "y")


@pytest.mark.parametrize(("docs_path", "site"), [
    ("about.md", "about/index.html"), ("index.md", "index.html"), ("a/b/README.md", "a/b/index.html"),
    ("notes/x.markdown", "notes/x/index.html"), ("img/logo.png", "img/logo.png"), ("feed.xml", "feed.xml"),
])
def test_where_mkdocs_writes_a_docs_file(docs_path: str, site: str) -> None:
    assert site_path(docs_path) == site


def make_site(folder: Path, text: str) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "sub" / "page.html").write_text(text)
    return folder


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_swap_in_replaces_the_site_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(site_swap, "_exchange", lambda a, b: False)
    site = make_site(tmp_path / "site", "old")
    new = make_site(site_swap.staging_dir(site), "new")
    site_swap.swap_in(new, site)
    assert (site / "index.html").read_text() == (site / "sub" / "page.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@linux_only
def test_the_exchange_is_used_on_linux(tmp_path: Path) -> None:
    a, b = make_site(tmp_path / "a", "a"), make_site(tmp_path / "b", "b")
    assert site_swap._exchange(a, b)
    assert (a / "index.html").read_text() == "b" and (b / "index.html").read_text() == "a"


def test_swap_in_with_no_previous_site(tmp_path: Path) -> None:
    new = make_site(site_swap.staging_dir(tmp_path / "site"), "first")
    site_swap.swap_in(new, tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
