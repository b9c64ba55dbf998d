"""The whole site, read as a reader reads it: every page titled after itself, no front matter or
template syntax showing, every internal link and anchor leading somewhere, every advertised feed there
and its items' links resolving. Over the demo site and the site of every real API response, with the
reader in tests/support/site_reader.py."""

from __future__ import annotations

import pytest
from support.factories import BuiltSite
from support.site_reader import SiteReader

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
