"""The reader's tools in a real browser (Debian's Chromium via Playwright), on the demo site plus one day
of hostile text, served under a project path as on GitHub Pages: Save and the /saved/ page with its
exports, Copy BibTeX, similar papers opened from a card, and the keyboard keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support.browser_support import open_page, require_chromium, serve
from support.factories import new_project

from generator.core.project import Project
from generator.publish.build import build_site

require_chromium()
pytestmark = pytest.mark.browser
PREFIX = "/daily-papers-archive/"
CLIPBOARD = {"permissions": ["clipboard-read", "clipboard-write"]}
HOSTILE_TITLE = "\\input{/etc/passwd} {{ x }} 100% of $x_1^2$ & #tags ~ <b>bold</b>"
HOSTILE_DAY = {
    "format": 1, "date": "2026-11-24", "status": "listed",
    "first_fetched": "2026-11-24T07:00:00Z", "last_fetched": "2026-11-24T07:00:00Z",
    "papers": [{
        "id": "2611.90099", "title": HOSTILE_TITLE,
        "authors": [{"name": "Émile Zoé Dupré"}, {"name": "Tom and Jerry"}, {"name": "Smith, J."},
                    {"name": "Secret Person", "hidden": True}, {"name": "}{ \\end{document}"}],
        "abstract": "DEMO. Hostile text about reasoning with chains of thought and reward models.",
        "upvotes": 3, "comments": 0,
        "first_seen": "2026-11-24T07:00:00Z", "last_updated": "2026-11-24T07:00:00Z",
    }],
}
HOSTILE_BIBTEX = (
    "@misc{dupre2026inputetc,\n"
    "      title={\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{} \\textbraceleft{}"
    "\\textbraceleft{} x \\textbraceright{}\\textbraceright{} 100\\% of \\$x\\_1\\textasciicircum{}2\\$ \\& "
    "\\#tags \\textasciitilde{} <b>bold</b>},\n"
    "      author={Émile Zoé Dupré and {Tom and Jerry} and {Smith, J.} and "
    "\\textbraceright{}\\textbraceleft{} \\textbackslash{}end\\textbraceleft{}document\\textbraceright{}},\n"
    "      year={2026},\n"
    "      eprint={2611.90099},\n"
    "      archivePrefix={arXiv},\n"
    "      url={https://arxiv.org/abs/2611.90099},\n"
    "}\n"
)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = new_project(tmp_path_factory.mktemp("reader") / "project", with_demo=True)
    path = root / "content" / "snapshots" / "2026" / "2026-11-24.yaml"
    path.write_text(yaml.safe_dump(HOSTILE_DAY, allow_unicode=True, sort_keys=False), encoding="utf-8")
    project = Project.at(root)
    build_site(project, site_url=f"https://example.github.io{PREFIX}")
    with serve({PREFIX: project.site_dir}) as (address, _):
        yield address


FULL_CARDS = "try { localStorage.setItem('dailypapers.cards', 'full') } catch (e) {}"  # about:blank has none
"""A reader who picked Full cards: every card's tools in view (compact cards hide them in the disclosure,
which test_cards_browser.py covers)."""


@pytest.fixture
def tab(browser, origin):
    with open_page(browser, origin, **CLIPBOARD) as page:
        page.add_init_script(FULL_CARDS)
        yield page


def clipboard(tab) -> str:
    return tab.evaluate("navigator.clipboard.readText()")


def tool(tab, paper_id: str, name: str):
    return tab.locator(f'[id="{paper_id}"] button[data-tool="{name}"]')


def test_every_card_gets_save_copy_bibtex_and_similar_papers(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    cards = tab.locator("article.dp-card")
    assert cards.count() == 5
    for index in range(5):
        buttons = cards.nth(index).locator(".dp-tools button")
        assert buttons.all_inner_texts() == ["Save", "Copy BibTeX", "Similar papers"]
    tab.goto(f"{origin}{PREFIX}")  # the home page shows the latest day's cards, tools included
    tool(tab, "2611.90099", "similar").click()
    tab.locator('[id="2611.90099"] .dp-similar li a').first.wait_for()


def test_copy_bibtex_gives_arxivs_form_with_hostile_text_as_text(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/24/")
    title = tab.locator('[id="2611.90099"] h2')
    assert title.locator("math msubsup").count() == 1  # its $x_1^2$ is math, the rest text as written
    assert title.evaluate("h => { const c = h.cloneNode(true); c.querySelector('math').replaceWith('$x_1^2$');"
                          " return c.textContent }") == f"1. {HOSTILE_TITLE}"
    tool(tab, "2611.90099", "bibtex").click()
    tab.locator('[id="2611.90099"] .dp-tools__status', has_text="BibTeX copied.").wait_for()
    assert clipboard(tab) == HOSTILE_BIBTEX
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    tool(tab, "2611.90002", "bibtex").click()
    tab.locator('[id="2611.90002"] .dp-tools__status', has_text="BibTeX copied.").wait_for()
    assert clipboard(tab) == (
        "@misc{placeholder2026millionbenchmark,\n"
        "      title={A \\$1 Million Benchmark for \\textbackslash{}\\& Agents That Use `tools`},\n"
        "      author={Bram Placeholder and Chiara Sample and Dev Fictional},\n"
        "      year={2026},\n      eprint={2611.90002},\n      archivePrefix={arXiv},\n"
        "      url={https://arxiv.org/abs/2611.90002},\n}\n")


def test_save_then_list_remove_and_export_from_the_saved_page(tab, origin, tmp_path: Path) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/24/")
    save = tool(tab, "2611.90099", "save")
    save.click()
    tab.wait_for_function("document.querySelector('[id=\"2611.90099\"] button[data-tool=save]')"
                          ".getAttribute('aria-pressed') === 'true'")
    assert save.inner_text() == "Saved ✓"
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    tool(tab, "2611.90003", "save").click()
    header = tab.locator(".md-header .dp-saved-link")
    header.filter(has_text="Saved 2").wait_for()
    header.click()
    tab.wait_for_url(f"**{PREFIX}saved/")
    items = tab.locator(".dp-saved__list > li")
    assert items.count() == 2
    assert items.nth(0).locator("a").inner_text() == HOSTILE_TITLE  # text, not markup
    assert items.nth(0).locator("b").count() == 0
    assert "Émile Zoé Dupré, Tom and Jerry, Smith, J. and 1 more" in items.nth(0).inner_text()
    assert "Secret Person" not in items.nth(0).inner_text()
    assert items.nth(1).locator("a").inner_text().startswith("{{ Template }} Diffusion")
    assert tab.locator(".dp-saved__status").inner_text() == "2 saved papers."

    with tab.expect_download() as info:
        tab.get_by_role("button", name="Export BibTeX").click()
    download = info.value
    assert download.suggested_filename == "saved-papers.bib"
    target = tmp_path / "saved.bib"
    download.save_as(target)
    exported = target.read_text(encoding="utf-8")
    assert exported.startswith(HOSTILE_BIBTEX + "\n@misc{sample2026templatediffusion,\n")
    assert exported.count("@misc{") == 2 and exported.count("{") == exported.count("}")

    tab.get_by_role("button", name="Copy links").click()
    tab.locator(".dp-saved__status", has_text="Links copied.").wait_for()
    assert clipboard(tab).splitlines() == [
        f"{HOSTILE_TITLE} https://arxiv.org/abs/2611.90099",
        "{{ Template }} Diffusion: {% raw %} Image Generation Without Templates https://arxiv.org/abs/2611.90003",
    ]

    items.nth(0).get_by_role("button", name="Remove").click()
    assert items.count() == 1
    tab.reload()
    assert tab.locator(".dp-saved__list > li").count() == 1  # kept in the browser
    items.nth(0).locator("a").click()  # the link leads to the card on its day, under the project path
    tab.wait_for_url(f"**{PREFIX}2026/11/16/#2611.90003")
    assert tool(tab, "2611.90003", "save").get_attribute("aria-pressed") == "true"
    assert tool(tab, "2611.90099", "save").count() == 0


def test_an_empty_or_tampered_reading_list_shows_nothing_broken(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}saved/")
    assert tab.locator(".dp-saved__status").inner_text().startswith("Nothing saved yet")
    assert tab.get_by_role("button", name="Export BibTeX").is_disabled()
    tab.evaluate("""localStorage.setItem('dailypapers.saved', JSON.stringify([
        {id: 'x', title: '<img src=x onerror=alert(1)>', authors: [], url: 'javascript:alert(1)',
         arxiv: 'javascript:x'},
        'junk', null]))""")
    tab.reload()
    item = tab.locator(".dp-saved__list > li")
    assert item.count() == 1
    assert item.locator("a").count() == 0 and item.locator("img").count() == 0  # no javascript: link
    assert "<img src=x onerror=alert(1)>" in item.inner_text()


def test_similar_papers_open_from_a_card_and_lead_to_existing_cards(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/")
    button = tool(tab, "2611.90001", "similar")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    links = tab.locator('[id="2611.90001"] .dp-similar li a')
    links.first.wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    assert 1 <= links.count() <= 5
    titles = links.all_inner_texts()
    ids = [text.strip() for text in tab.locator('[id="2611.90001"] .dp-similar__id').all_inner_texts()]
    assert "Let's <think> about LLM Reasoning: Fictional Chains of Thought" not in titles  # never itself
    href = links.first.get_attribute("href")
    assert href.startswith(f"{origin}{PREFIX}2026/11/")
    links.first.click()
    tab.wait_for_url(href)
    target = href.rsplit("#", 1)[1]
    card = tab.locator(f'[id="{target}"]')
    assert card.is_visible()
    assert target == ids[0]  # the card of the paper the link named (its title may show math as MathML)
    tab.go_back()
    tool(tab, "2611.90001", "similar").click()  # opens again from scratch after the page reloads
    tab.locator('[id="2611.90001"] .dp-similar li a').first.wait_for()
    tool(tab, "2611.90001", "similar").click()
    assert tab.locator('[id="2611.90001"] .dp-similar').is_hidden()


def test_a_permalink_lands_on_its_card_with_the_similar_papers_open(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}p/2611.90002/")
    tab.wait_for_url(f"{origin}{PREFIX}2026/11/16/#2611.90002")
    panel = tab.locator('[id="2611.90002"] .dp-similar')
    panel.locator("li a").first.wait_for()
    assert tool(tab, "2611.90002", "similar").get_attribute("aria-expanded") == "true"
    assert 1 <= panel.locator("li a").count() <= 5
    assert panel.locator("script").count() == 0
    assert "<script>alert(1)</script> & Friends" in panel.inner_text()  # a hostile title, shown as text
    assert tab.locator(".dp-similar").count() == 1  # only the card the link names


def test_a_malformed_or_foreign_fragment_opens_nothing_and_the_keys_still_work(tab, origin) -> None:
    for fragment in ("%E0%A4%A", "dp-search-input", "no-such-card"):
        tab.goto("about:blank")  # a fresh load each time, not a jump within the page
        tab.goto(f"{origin}{PREFIX}2026/11/16/#{fragment}")
        tab.wait_for_load_state("load")
        assert tab.locator(".dp-similar").count() == 0
        tab.keyboard.press("Escape")  # leave the search box if the fragment focused it
        tab.locator("h1").click()
        tab.keyboard.press("j")
        assert tab.locator("article.dp-card").first.evaluate("c => c.classList.contains('dp-current')")


def test_back_does_not_reopen_similar_papers_the_reader_closed(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/16/#2611.90002")
    panel = tab.locator('[id="2611.90002"] .dp-similar')
    panel.locator("li a").first.wait_for()
    tool(tab, "2611.90002", "similar").click()  # closed by the reader
    assert panel.is_hidden()
    tab.evaluate("location.hash = '#2611.90001'")
    tab.locator('[id="2611.90001"] .dp-similar li a').first.wait_for()
    tab.go_back()
    tab.wait_for_url(f"{origin}{PREFIX}2026/11/16/#2611.90002")
    # No waiting a while for nothing to happen: a later fragment's list opening proves the page has
    # handled the one before it (in order), which must have left the closed list closed.
    tab.evaluate("location.hash = '#2611.90003'")
    tab.locator('[id="2611.90003"] .dp-similar li a').first.wait_for()
    assert panel.is_hidden()


def test_keyboard_keys_move_between_cards_days_search_and_the_help(tab, origin) -> None:
    tab.goto(f"{origin}{PREFIX}2026/11/18/")
    cards = tab.locator("article.dp-card")
    tab.keyboard.press("j")
    assert cards.nth(0).evaluate("c => c.classList.contains('dp-current') && document.activeElement === c")
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    assert cards.nth(2).evaluate("c => document.activeElement === c")
    tab.keyboard.press("k")
    assert cards.nth(1).evaluate("c => c.classList.contains('dp-current') && document.activeElement === c")
    assert tab.locator("article.dp-card.dp-current").count() == 1

    tab.keyboard.press("?")
    dialog = tab.get_by_role("dialog", name="Keyboard keys")
    assert dialog.is_visible()
    assert "next paper" in dialog.inner_text() and "search" in dialog.inner_text()
    for key in ("Tab", "Tab", "Tab", "Shift+Tab"):  # focus stays inside the dialog
        tab.keyboard.press(key)
        assert tab.evaluate("document.querySelector('.dp-keys').contains(document.activeElement)")
    tab.keyboard.press("Escape")
    assert dialog.is_hidden()

    tab.keyboard.press("/")
    assert tab.evaluate("document.activeElement.id") == "dp-search-input"
    tab.keyboard.type("jk")  # typing in the search box moves nothing
    assert tab.locator("#dp-search-input").input_value() == "jk"
    assert cards.nth(1).evaluate("c => c.classList.contains('dp-current')")
    tab.locator("#dp-search-input").fill("")
    tab.locator("#dp-search-input").blur()

    tab.keyboard.press("ArrowRight")
    tab.wait_for_url(f"**{PREFIX}2026/11/19/")
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_url(f"**{PREFIX}2026/11/18/")
    tab.keyboard.press("Control+ArrowLeft")  # with a modifier, the browser's key, not ours
    tab.keyboard.press("ArrowRight")  # keys are handled in order: had the first moved, this lands on 11/18
    tab.wait_for_url(f"**{PREFIX}2026/11/19/")
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_url(f"**{PREFIX}2026/11/18/")
    tab.goto(f"{origin}{PREFIX}weeks/2026-W47/")
    tab.keyboard.press("ArrowRight")
    tab.wait_for_url(f"**{PREFIX}weeks/2026-W48/")
    tab.goto(f"{origin}{PREFIX}")  # home shows the latest day (11-24): ← is the listed day before it
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_url(f"**{PREFIX}2026/11/20/")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_tools_and_the_help_fit_the_screen(browser, origin, width: int) -> None:
    with open_page(browser, origin, viewport={"width": width, "height": 900}) as page:
        page.add_init_script(FULL_CARDS)
        page.goto(f"{origin}{PREFIX}2026/11/16/")
        tools = page.locator('[id="2611.90004"] .dp-tools')
        card = page.locator('[id="2611.90004"]').bounding_box()
        box = tools.bounding_box()
        assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.keyboard.press("?")
        dialog = page.locator(".dp-keys__box").bounding_box()
        assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= width and dialog["height"] < 900
