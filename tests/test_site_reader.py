"""The whole site, read as a reader reads it: every page titled after itself, no front matter or
template syntax showing, every internal link and anchor leading somewhere, every advertised feed there
and its items' links resolving. Over the demo site and the site of every real API response."""

from __future__ import annotations

import pytest
from conftest import BuiltSite
from site_reader import SiteReader, read_page

SITE_NAME = "Daily Papers Archive"


def _reader(site: BuiltSite) -> SiteReader:
    return SiteReader(site.site_dir, site.site_url, SITE_NAME)


@pytest.mark.parametrize("which", ["demo_site", "real_site"])
def test_a_reader_finds_every_page_titled_and_every_link_resolving(which: str,
                                                                   request: pytest.FixtureRequest) -> None:
    site: BuiltSite = request.getfixturevalue(which)
    reader = _reader(site)
    assert len(reader.pages) > 30
    problems = reader.problems()
    assert not problems, f"{len(problems)} problem(s), the first:\n" + "\n".join(problems[:25])


@pytest.mark.parametrize("which", ["demo_site", "real_site"])
def test_month_and_year_pages_are_titled_and_show_no_front_matter(which: str,
                                                                  request: pytest.FixtureRequest) -> None:
    site: BuiltSite = request.getfixturevalue(which)
    reader = _reader(site)
    periods = {name: page for name, page in reader.pages.items()
               if name.count("/") in (1, 2) and name.split("/")[0].isdigit() and name.endswith("/index.html")
               and len(name.split("/")) <= 3}
    assert any(name.count("/") == 1 for name in periods) and any(name.count("/") == 2 for name in periods)
    for name, page in periods.items():
        assert page.h1 and page.title == f"{page.h1} - {SITE_NAME}", (name, page.title)
        text = " ".join("".join(page.text).split())
        assert "description:" not in text and "hide:" not in text, name


def test_the_reader_itself_catches_what_it_is_for(tmp_path) -> None:
    """The checks fail on the defects they exist for: a page showing front matter and titled Index, a
    broken link and a missing anchor."""
    site = tmp_path / "site"
    (site / "2025" / "09").mkdir(parents=True)
    (site / "index.html").write_text('<title>Home</title><h1>Home</h1><a href="2025/09/#nowhere">x</a>'
                                     '<a href="missing/">y</a><a href="https://elsewhere.example/">z</a>')
    (site / "2025" / "09" / "index.html").write_text(
        "<title>Index - S</title><hr><h2>title: September 2025 description: x: 1 papers. hide: [toc]</h2>"
        "<p>{{ view.name }}</p>")
    reader = SiteReader(site, "https://user.github.io/archive/", "S")
    problems = "\n".join(reader.problems())
    assert "2025/09/index.html: titled 'Index - S'" in problems
    assert "front matter shows as text" in problems and "template syntax shows as text" in problems
    assert "has no element with id 'nowhere'" in problems
    assert "leads to missing/, which is not in the site" in problems
    assert "elsewhere" not in problems
    assert read_page("<title> A <b>x</b></title><h1>A</h1>").title == "A x"
