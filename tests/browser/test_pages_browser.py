"""The archive's pages in a real browser (Debian's Chromium via Playwright), served under a project
path as on GitHub Pages: what a reader sees, clicks and lands on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.browser_support import open_page, require_chromium, serve
from support.factories import BuiltSite

require_chromium()
pytestmark = pytest.mark.browser
PREFIX = "/daily-papers-archive/"


@pytest.fixture(scope="module")
def origin(demo_site: BuiltSite) -> Iterator[str]:
    """The session's demo site (conftest.demo_site), served under a project path as GitHub Pages does."""
    with serve({PREFIX: demo_site.site_dir}) as (address, _):
        yield address


@pytest.fixture
def tab(browser, origin):
    with open_page(browser, origin) as page:
        yield page


def test_a_day_page_shows_its_cards_with_hostile_text_as_text(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    cards = tab.locator("article.dp-card")
    assert cards.count() == 5
    first = tab.locator('[id="2611.90001"] h2')
    assert first.inner_text() == "1. Let's <think> about LLM Reasoning: Fictional Chains of Thought"
    second = tab.locator('[id="2611.90002"]')
    assert "A $1 Million Benchmark for \\& Agents That Use `tools`" in second.inner_text()
    assert second.locator("strong", has_text="bold").count() == 0
    assert tab.locator('[id="2611.90003"] h2').inner_text().endswith("{{ Template }} Diffusion: {% raw %} "
                                                                       "Image Generation Without Templates")


def test_a_permalink_lands_on_the_card_without_javascript(browser, origin) -> None:
    with open_page(browser, origin, java_script_enabled=False) as page:
        page.goto(f"{origin}{PREFIX}p/2611.90002/")
        page.wait_for_url("**/2026/11/16/#2611.90002")
        assert page.locator('[id="2611.90002"]:target').count() == 1


def test_a_permalink_lands_on_the_card_with_javascript(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}p/2611.90017/")
    tab.wait_for_url("**/2026/11/20/#2611.90017")
    assert tab.locator('[id="2611.90017"]').is_visible()


def test_a_long_author_list_is_one_line_until_the_card_opens(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    authors = tab.locator('[id="2611.90004"] .dp-authors')
    assert authors.inner_text().startswith("40 authors: ")
    line = authors.bounding_box()["height"]
    assert line < 30 and authors.evaluate("a => a.scrollWidth > a.clientWidth")  # clipped, with an ellipsis
    tab.locator('[id="2611.90004"] summary', has_text="Abstract").click()
    assert authors.bounding_box()["height"] > 2 * line and "Hana Dummy 40" in authors.inner_text()


def test_browsing_from_home_through_topics_to_a_card(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}")
    tab.locator(".md-tabs__link", has_text="Topics").click()
    tab.wait_for_url("**/topics/")
    tab.locator(".dp-topic-index a", has_text="Agents and tool use").first.click()
    tab.wait_for_url("**/topics/agents/")
    tab.locator(".dp-compact-list a", has_text="A $1 Million Benchmark").click()
    tab.wait_for_url("**/2026/11/16/#2611.90002")
    assert tab.locator('[id="2611.90002"]').is_visible()


def test_the_month_calendar_links_days_and_marks_statuses(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/")
    assert tab.locator("td.dp-empty").inner_text().split() == ["17", "no", "list"]
    assert tab.locator("td.dp-failed").inner_text().split() == ["23", "failed"]
    tab.locator("td.dp-listed a", has_text="18").click()
    tab.wait_for_url("**/2026/11/18/")
    assert tab.locator("article.dp-card").count() == 6


def test_a_phone_sees_no_sideways_scrolling(browser, origin) -> None:
    with open_page(browser, origin, viewport={"width": 375, "height": 740}, is_mobile=True,
                   has_touch=True) as page:
        for path in ("", "2026/11/16/", "2026/11/", "2026/", "topics/"):
            page.goto(f"{origin}{PREFIX}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path or 'home'} scrolls sideways by {overflow}px"


def test_light_or_dark_follows_the_system_until_the_reader_chooses(browser, origin) -> None:
    def scheme(page) -> str:
        return page.evaluate("document.body.getAttribute('data-md-color-scheme')")

    with open_page(browser, origin, color_scheme="dark") as page:
        page.goto(f"{origin}{PREFIX}2026/11/16/")
        assert scheme(page) == "slate"
    with open_page(browser, origin, color_scheme="light") as page:
        page.goto(f"{origin}{PREFIX}2026/11/16/")
        assert scheme(page) == "default"
        light = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.locator(".dp-scheme").click()
        assert scheme(page) == "slate"
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light  # the page turns dark
        page.goto(f"{origin}{PREFIX}topics/")  # the choice is kept from page to page
        assert scheme(page) == "slate"
        page.locator(".dp-scheme").click()
        assert scheme(page) == "default"


@pytest.mark.parametrize("path", ["2026/11/16/", "", "topics/agents/", "feeds/"])
def test_the_first_tab_stop_skips_to_the_page_content(tab, origin, path: str) -> None:
    """A keyboard reader's first Tab lands on a skip link, shown while focused, and Enter moves the focus
    past the header and tabs to the page's content; a hand-written page keeps the theme's own link."""
    tab.goto(f"{origin}{PREFIX}{path}")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("[document.activeElement.classList.contains('md-skip'),"
                           " document.activeElement.getAttribute('href'), document.activeElement.innerText]")
    assert focused == [True, "#dp-main", "Skip to content"]
    tab.wait_for_function("getComputedStyle(document.activeElement).opacity === '1'")  # shown (after the fade)
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "dp-main"
    tab.keyboard.press("Tab")  # the next stop is inside the content, not in the header's tabs
    assert tab.evaluate("document.querySelector('#dp-main').contains(document.activeElement)")


def test_a_hand_written_page_has_the_themes_one_skip_link(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}about/")
    assert tab.locator("a.md-skip").count() == 1
    assert tab.locator("a.md-skip").get_attribute("href") != "#dp-main"


@pytest.mark.parametrize("path", ["", "2026/11/16/", "topics/agents/", "orgs/demo-lab/", "keywords/",
                                  "weeks/2026-W47/"])
def test_a_page_makes_no_failing_request_and_logs_no_error(browser, origin, path: str) -> None:
    """The theme's language switcher fetched sitemap.xml beside every <link rel="alternate">: five
    requests for each page's feed links, to the site's host (here none: the test's site_url is not
    served) and under topics/ and orgs/ to a sitemap that does not exist. Now: none fail, nothing logged."""
    with open_page(browser, origin) as page:
        failed: list[str] = []
        errors: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{origin}{PREFIX}{path}")
        page.wait_for_load_state("networkidle")
        assert failed == [] and errors == []
        assert page.locator('link[type="application/rss+xml"]').count() >= 1  # the feeds are still announced
