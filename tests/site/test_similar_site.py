"""Similar papers in built sites: a shard for every listed day that the cards point at, permalinks that
list none themselves, the saved page, a build whose similar papers are made in a forked job, the
neighbours of real papers, and what the card tools cost real day pages."""

from __future__ import annotations

import json
import multiprocessing
import random
import re
from pathlib import Path

import pytest
from support.factories import SITE_URL, new_project

from benchmarks.similar_bench import _shares
from generator.core.errors import UserError
from generator.core.project import Project
from generator.domain.model import Paper
from generator.outputs.similar import similar_papers
from generator.publish import jobs
from generator.publish.build import build_site
from generator.publish.jobs import ForkedJob
from generator.store.load import load_archive


@pytest.fixture
def demo(demo_site) -> Project:
    return demo_site.project


def test_the_built_site_has_a_shard_for_every_listed_day_and_cards_point_at_it(demo: Project) -> None:
    archive, _ = load_archive(demo)
    for day in archive.days:
        page = (demo.site_dir / f"{day.date:%Y/%m/%d}" / "index.html").read_text()
        if not day.papers:
            assert "data-cards" not in page
            continue
        shard = json.loads((demo.site_dir / f"cards/{day.date:%Y/%m/%d}.json").read_text())
        assert sorted(shard) == sorted(p.id for p in day.papers)
        for item in day.papers:
            assert f'<article class="dp-card" id="{item.id}">' in page
        assert page.count(f'data-cards="cards/{day.date:%Y/%m/%d}.json"') == 1  # once, on the day's container


def test_a_permalink_leads_to_its_card_and_lists_no_similar_papers_itself(demo: Project) -> None:
    """The permalink redirects at once to the card, which opens its similar papers (reader.js; see
    test_reader_browser): a list here would be 0.5 KiB a page that nobody sees."""
    html = (demo.site_dir / "p" / "2611.90002" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../2026/11/16/#2611.90002">' in html
    days = re.findall(r'<a href="([^"]+)">', html)
    assert days == ["../../2026/11/16/#2611.90002", "../../2026/11/19/#2611.90002"]  # its days, nothing else


def test_the_saved_page_is_built_and_every_page_names_it(demo: Project) -> None:
    saved = (demo.site_dir / "saved" / "index.html").read_text()
    assert "data-dp-saved" in saved and "Export BibTeX" in saved and "Copy links" in saved
    day = (demo.site_dir / "2026" / "11" / "16" / "index.html").read_text()
    assert '<meta name="dp-saved" content="../../../saved/">' in day
    assert "assets/javascripts/reader.js" in day
    assert ".dp-tools" in (demo.site_dir / "assets/stylesheets/archive.css").read_text()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_similar_papers_built_alongside_mkdocs_match_inline_and_fail_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    project = Project.at(new_project(tmp_path / "p", with_demo=True))

    def outputs() -> dict[str, bytes]:
        return {str(p.relative_to(project.site_dir)): p.read_bytes()
                for folder in ("cards", "p") for p in sorted((project.site_dir / folder).rglob("*")) if p.is_file()}

    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))  # both jobs
    build_site(project, site_url=SITE_URL)
    forked = outputs()
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: False))
    build_site(project, site_url=SITE_URL)
    assert outputs() == forked and len(forked) > 20
    assert not (project.docs_dir.parent / "card-data").exists()  # the staging folder is gone

    def broken(*_: object) -> dict[str, tuple[str, ...]]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))
    monkeypatch.setattr(jobs, "similar_papers", broken)  # the name the build calls
    with pytest.raises(UserError, match="^building the similar papers failed: RuntimeError: disk on fire$"):
        build_site(project, site_url=SITE_URL)
    assert capfd.readouterr().err == ""  # the child told its parent; it printed nothing


@pytest.fixture
def real(real_site) -> Project:
    return real_site.project


def test_on_real_papers_neighbours_share_keywords_and_topics_far_more_often_than_random_pairs(real) -> None:
    """Judged on the AI keywords, which the text alone decides (a topic is shared by whole groups of
    papers, so five same-topic papers picked at random would pass a topic test): measured 26.0% of
    neighbours against 5.3% of random pairs."""
    archive, _ = load_archive(real)
    papers = {p.id: p for p in archive.papers}
    result = similar_papers(archive.papers)
    assert sum(len(ids) == 5 for ids in result.values()) == len(papers)

    def keyword_share(pairs: list[tuple[Paper, Paper]]) -> float:
        keyed = [(a, b) for a, b in pairs if a.ai_keywords and b.ai_keywords]
        return sum(_shares(a, b)[0] for a, b in keyed) / len(keyed)

    neighbours = [(papers[a], papers[b]) for a, ids in result.items() for b in ids]
    rng = random.Random(1)
    ids = sorted(papers)
    randoms = [(papers[a], papers[b]) for a, b in (rng.sample(ids, 2) for _ in range(5000))]
    assert keyword_share(neighbours) > 3 * keyword_share(randoms)
    assert sum(any(_shares(a, b)) for a, b in neighbours) / len(neighbours) > 2 * (
        sum(any(_shares(a, b)) for a, b in randoms) / len(randoms))


def test_the_card_tools_grow_real_day_pages_by_less_than_5_percent(real) -> None:
    """Everything this feature adds to a day page: the shard path on the day's container, and the script
    and reading-list tags in the head (its styles are in archive.css)."""
    added = re.compile(r' data-cards="[^"]*"|<meta name="dp-saved"[^>]*>|<script[^>]*reader\.js[^>]*></script>')
    pages = sorted(real.site_dir.glob("20[0-9][0-9]/[01][0-9]/[0-3][0-9]/index.html"))
    assert len(pages) > 30
    for path in pages:
        html = path.read_text()
        before = len(added.sub("", html).encode())
        assert len(html.encode()) <= before * 1.05, path
