"""Compact cards in a real browser (Debian's Chromium via Playwright): what a reader scanning a day sees
first, the one disclosure that opens the rest, the compact/full switch kept in the browser, keywords as
searches, formulas laid out as math, and thumbnails that never shift the page."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from support.browser_support import open_page, require_chromium, serve
from support.factories import BuiltSite

require_chromium()
pytestmark = pytest.mark.browser
PREFIX = "/daily-papers-archive/"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def origin(demo_site: BuiltSite) -> Iterator[str]:
    with serve({PREFIX: demo_site.site_dir}) as (address, _):
        yield address


@pytest.fixture
def tab(browser, origin):
    with open_page(browser, origin) as page:
        yield page


def card(tab, paper_id: str):
    return tab.locator(f'[id="{paper_id}"]')


def test_a_card_opens_its_abstract_links_and_tools_from_one_disclosure(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    first = card(tab, "2611.90001")
    assert first.locator(".dp-summary").is_visible() and first.locator(".dp-authors").is_visible()
    for hidden in ("details > p", ".dp-links", ".dp-tools", ".dp-topics"):
        assert first.locator(hidden).first.is_hidden(), hidden
    first.locator("summary", has_text="Abstract, links").click()
    for shown in ("details > p", ".dp-links", ".dp-topics"):
        assert first.locator(shown).first.is_visible(), shown
    assert first.locator('.dp-tools button[data-tool="save"]').is_visible()
    assert card(tab, "2611.90002").locator(".dp-links").is_hidden()  # the others stay closed


def test_the_full_switch_opens_every_card_and_is_kept_for_the_next_page(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    switch = tab.locator(".dp-view")
    assert switch.locator('button[aria-pressed="true"]').inner_text() == "Compact"
    switch.locator("button", has_text="Full").click()
    assert tab.locator("article.dp-card .dp-links:visible").count() == 5
    tab.goto(f"{origin}{PREFIX}2026/11/18/")
    assert tab.locator(".dp-view button[aria-pressed='true']").inner_text() == "Full"
    assert tab.locator("article.dp-card details > p:visible").count() >= 1
    tab.locator(".dp-view button", has_text="Compact").click()
    assert tab.locator("article.dp-card .dp-links:visible").count() == 0
    tab.reload()
    assert tab.locator("article.dp-card .dp-links:visible").count() == 0


def test_a_permalink_opens_its_card_and_the_o_key_opens_the_current_one(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}p/2611.90002/")
    tab.wait_for_url("**/2026/11/16/#2611.90002")
    assert card(tab, "2611.90002").locator(".dp-links").is_visible()
    tab.keyboard.press("j")  # the next card, closed
    current = tab.locator("article.dp-card.dp-current")
    assert current.locator(".dp-links").is_hidden()
    tab.keyboard.press("o")
    assert current.locator(".dp-links").is_visible()
    tab.keyboard.press("o")
    assert current.locator(".dp-links").is_hidden()


def test_a_keyword_without_a_page_searches_the_archive(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/19/")
    paper = card(tab, "2611.90014")
    paper.locator("summary", has_text="Abstract, links").click()
    keywords = paper.locator(".dp-keywords li a")
    assert keywords.count() == 3  # each a link: a keyword page or a search
    search = paper.locator(".dp-keywords a[href*='search/?q=']").first
    word = search.inner_text()
    search.click()
    tab.wait_for_url(f"**{PREFIX}search/?q=*")
    tab.locator(".dp-hit").first.wait_for()
    assert word.split()[0].lower() in tab.locator(".dp-hit").first.inner_text().lower()


def test_a_formula_is_laid_out_as_math(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/19/")
    title = card(tab, "2611.90014").locator("h2")
    assert "$" not in title.inner_text() and "\\alpha" not in title.inner_text()
    box = title.locator("math msup").bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5


@pytest.fixture(scope="module")
def real_origin(real_site: BuiltSite) -> Iterator[str]:
    with serve({PREFIX: real_site.site_dir}) as (address, _):
        yield address


def thumbnail_png() -> bytes:
    from PIL import Image  # matplotlib's dependency

    out = io.BytesIO()
    Image.new("RGB", (1200, 648), (70, 110, 160)).save(out, "PNG")
    return out.getvalue()


def test_a_50_paper_day_is_short_on_a_phone_and_its_thumbnails_never_shift_it(browser, real_origin) -> None:
    """Hugging Face's image host is out of reach here: the browser gets a stand-in PNG of the size its
    thumbnails have, so the page is measured with its images loaded."""
    png = thumbnail_png()
    with open_page(browser, real_origin, **PHONE) as page:
        page.context.route("https://cdn-thumbnails.huggingface.co/**",
                           lambda route: route.fulfill(status=200, content_type="image/png", body=png))
        page.goto(f"{real_origin}{PREFIX}2025/09/30/")
        assert page.locator("article.dp-card").count() == 50
        before = page.evaluate("document.documentElement.scrollHeight")
        assert before <= 15_000
        assert page.locator("article.dp-card > img[loading='lazy']").count() == 50
        page.evaluate("document.querySelectorAll('article.dp-card > img').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_function("[...document.querySelectorAll('article.dp-card > img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("document.documentElement.scrollHeight") == before
        box = page.locator("article.dp-card > img").first.bounding_box()
        assert (box["width"], box["height"]) == (96, 54)
        page.locator(".dp-view button", has_text="Full").click()
        assert page.evaluate("document.documentElement.scrollHeight") > 2 * before
