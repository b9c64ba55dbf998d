"""The 404 page in a real browser (Debian's Chromium via Playwright), served as GitHub Pages serves it: for
any missing address, with the status 404. It offers a search prefilled from the address, and for a
date-shaped one the nearest days with a list, read from the archive's month pages."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from support.browser_support import open_page, require_chromium, serve
from support.factories import SITE_URL, BuiltSite

require_chromium()
pytestmark = pytest.mark.browser
PREFIX = urlsplit(SITE_URL).path  # the 404 page's links are absolute: served where site_url says, as on Pages


@pytest.fixture(scope="module")
def origin(demo_site: BuiltSite) -> Iterator[str]:
    assert demo_site.site_url == SITE_URL
    with serve({PREFIX: demo_site.site_dir}) as (address, _):
        yield address


@pytest.fixture
def tab(browser, origin):
    # The document itself is a 404: the browser logs that one failed load, which is the point here.
    with open_page(browser, origin) as page:
        page.set_default_timeout(15_000)
        yield page


def nearest(tab) -> dict[str, str]:
    box = tab.locator(".dp-nearest")
    box.wait_for()
    return {item.inner_text().split(" ")[0]: item.locator("a").get_attribute("href")
            for item in box.locator("li").all()}


def test_a_weekend_offers_the_nearest_listed_days(tab, origin) -> None:
    response = tab.goto(f"{origin}{PREFIX}2026/11/21/")
    assert response.status == 404
    assert tab.locator("h1").inner_text() == "Page not found"
    links = nearest(tab)  # the demo's Monday after, 11-23, has no list (its fetch failed): nothing after
    assert "(a weekend)" in tab.locator(".dp-nearest p").inner_text()
    assert links == {"Before:": f"{origin}{PREFIX}2026/11/20/"}
    tab.locator(".dp-nearest a", has_text="2026-11-20").click()
    tab.wait_for_url(f"**{PREFIX}2026/11/20/")
    assert tab.locator("h1").inner_text() == "Friday, 20 November 2026"
    tab.goto(f"{origin}{PREFIX}2026/11/15/")  # the Sunday before the first day: only after
    assert nearest(tab) == {"After:": f"{origin}{PREFIX}2026/11/16/"}


def test_hugging_faces_own_date_address_leads_to_that_day(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}papers/date/2026-11-19")
    tab.locator(".dp-nearest").wait_for()
    assert tab.locator(".dp-nearest p").inner_text() == "The list of 2026-11-19 is at:"
    assert tab.locator(".dp-nearest a").get_attribute("href") == f"{origin}{PREFIX}2026/11/19/"


def test_a_date_before_the_archive_says_so(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2019/01/07/")
    tab.locator(".dp-nearest").wait_for()
    assert "no month page for 2019-01" in tab.locator(".dp-nearest").inner_text()
    assert tab.locator(".dp-nearest a").count() == 0


def test_any_other_address_prefills_the_search_with_its_words(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}topics/reasoning-agents/")
    box = tab.locator("#dp-notfound-q")
    assert box.input_value() == "topics reasoning agents"
    assert tab.locator(".dp-nearest").is_hidden()
    tab.locator(".dp-notfound-search button").click()
    tab.wait_for_url(f"**{PREFIX}search/?q=topics+reasoning+agents")


def test_a_hostile_address_is_only_ever_text(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/2026-13-45")
    assert tab.locator(".md-content img").count() == 0 and tab.locator(".dp-nearest").is_hidden()  # no such date
    assert tab.locator("#dp-notfound-q").input_value() == "src x onerror alert 1 2026 13 45"  # its last 8 words
    tab.goto(f"{origin}{PREFIX}2026/11/22%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    links = nearest(tab)  # the date is read, the rest ignored
    assert links["Before:"] == f"{origin}{PREFIX}2026/11/20/"
    assert tab.locator(".md-content script").count() == 0
