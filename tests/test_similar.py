"""Similar papers and the card tools' data: deterministic, never the paper itself, always existing
papers; the shards and permalinks that carry them; and what they cost the pages."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import random
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import new_project
from scipy.sparse import csr_matrix

from benchmarks.similar_bench import _shares
from generator.core.errors import UserError
from generator.core.project import Project
from generator.domain.model import Archive, Author, Day, Paper
from generator.outputs import similar as similar_module
from generator.outputs.cards import card_data_files, citation_year
from generator.outputs.similar import similar_papers
from generator.publish import jobs
from generator.publish.build import build_site
from generator.publish.jobs import ForkedJob
from generator.store.load import load_archive

SITE_URL = "https://example.github.io/daily-papers-archive/"
DAY = dt.date(2025, 3, 3)


def paper(paper_id: str, title: str, abstract: str = "", keywords: tuple[str, ...] = (), day: dt.date = DAY,
          **extra: object) -> Paper:
    extra.setdefault("authors", (Author("Ada Lovelace"),))
    return Paper(id=paper_id, title=title, abstract=abstract, day=day, ai_keywords=keywords,
                 **extra)  # type: ignore[arg-type]


def archive_of(*papers: Paper) -> Archive:
    by_day: dict[dt.date, list[Paper]] = {}
    for item in papers:
        by_day.setdefault(item.day, []).append(item)
    return Archive(tuple(Day(day, "listed", tuple(items)) for day, items in sorted(by_day.items())))


CORPUS = [
    paper("2503.00001", "Diffusion transformers for video generation", "We scale diffusion transformers to "
          "generate long videos with temporal attention.", ("diffusion", "video generation")),
    paper("2503.00002", "Long video generation with diffusion", "A diffusion model generates minute-long "
          "videos using temporal attention and transformers.", ("video generation",)),
    paper("2503.00003", "Reinforcement learning for reasoning in language models", "Policy optimization "
          "improves chain-of-thought reasoning of large language models.", ("reinforcement learning",)),
    paper("2503.00004", "Reasoning language models trained with reinforcement learning", "We train language "
          "models to reason with reinforcement learning and verifiable rewards.", ("reasoning",)),
    paper("2503.00005", "Protein structure prediction with geometric networks", "Geometric graph networks "
          "predict protein structure from sequence.", ("protein",)),
    paper("2503.00006", "Geometric deep learning for protein design", "Protein design with geometric "
          "networks and structure prediction.", ("protein design",)),
    paper("2503.00007", "Speech recognition for low-resource languages", "Multilingual speech recognition "
          "with self-supervised audio encoders.", ("speech",)),
    paper("2503.00008", "Self-supervised audio encoders for multilingual speech", "Audio encoders trained "
          "without labels improve speech recognition across languages.", ("speech recognition",)),
]


def test_neighbours_are_the_papers_on_the_same_subject_most_similar_first() -> None:
    result = similar_papers(CORPUS)
    assert result["2503.00001"][0] == "2503.00002"
    assert result["2503.00003"][0] == "2503.00004"
    assert result["2503.00005"][0] == "2503.00006"
    assert result["2503.00008"][0] == "2503.00007"


def test_never_the_paper_itself_always_existing_papers_at_most_five_each_once() -> None:
    result = similar_papers(CORPUS)
    ids = {p.id for p in CORPUS}
    assert result.keys() == ids
    for paper_id, neighbours in result.items():
        assert paper_id not in neighbours
        assert set(neighbours) <= ids
        assert len(neighbours) == len(set(neighbours)) <= 5


def test_the_result_is_the_same_whatever_the_order_of_the_papers() -> None:
    expected = similar_papers(CORPUS)
    for seed in range(3):
        shuffled = CORPUS[:]
        random.Random(seed).shuffle(shuffled)
        assert similar_papers(shuffled) == expected


def test_equal_scores_rank_by_paper_id() -> None:
    twins = [paper(f"2503.{n:05d}", "Sparse attention kernels", f"Sparse attention kernels on GPUs, take {n}.")
             for n in (19, 13, 17, 11, 15, 18, 12)]  # the same words, but for one only each has
    result = similar_papers([*twins, *CORPUS])
    assert result["2503.00019"] == ("2503.00011", "2503.00012", "2503.00013", "2503.00015", "2503.00017")
    assert result["2503.00011"] == ("2503.00012", "2503.00013", "2503.00015", "2503.00017", "2503.00018")


def test_a_paper_that_shares_no_word_gets_no_neighbours_rather_than_arbitrary_ones() -> None:
    lonely = paper("2503.00099", "Quokka zymurgy", "Xylophone yodelling.")
    result = similar_papers([*CORPUS, lonely])
    assert result["2503.00099"] == ()
    assert "2503.00099" not in {n for ids in result.values() for n in ids}
    assert similar_papers([lonely]) == {"2503.00099": ()}
    assert similar_papers([]) == {}


def test_each_paper_must_be_given_once() -> None:
    with pytest.raises(ValueError, match="each paper once"):
        similar_papers([CORPUS[0], CORPUS[0]])


def test_rows_are_ranked_the_same_in_small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = similar_papers(CORPUS)
    monkeypatch.setattr(similar_module, "_BLOCK_CELLS", 1)  # one row per block
    assert similar_papers(CORPUS) == expected


def test_the_citation_year_comes_from_the_arxiv_id_then_the_publication_date() -> None:
    assert citation_year(paper("2409.01234", "x")) == 2024
    assert citation_year(paper("2409.01234v2", "x")) == 2024
    assert citation_year(paper("hep-th/9901001", "x", published_at="1999-01-04T00:00:00Z")) == 1999
    assert citation_year(paper("weird", "x", day=dt.date(2023, 6, 1))) == 2023


def test_a_day_shard_holds_each_listed_paper_with_its_similar_papers_as_text() -> None:
    hostile = paper("2503.00010", '</script><b>{{ x }}</b> \\input{/etc/passwd} "quoted" video generation',
                    "Diffusion transformers generate long videos.", day=dt.date(2025, 3, 4),
                    authors=(Author("Tom and Jerry"), Author("Smith, J."), Author("Hidden", hidden=True)))
    again = paper("2503.00001", CORPUS[0].title, CORPUS[0].abstract, day=dt.date(2025, 3, 4))
    archive = archive_of(*CORPUS, hostile, again)
    files = card_data_files(archive, similar_papers(archive.papers))
    assert sorted(files) == ["cards/2025/03/03.json", "cards/2025/03/04.json"]
    first, second = (json.loads(files[p]) for p in sorted(files))
    assert sorted(first) == sorted(p.id for p in CORPUS)
    assert sorted(second) == ["2503.00001", "2503.00010"]  # a paper featured again is in both days' shards
    assert second["2503.00001"] == first["2503.00001"]
    assert second["2503.00001"]["u"] == "2025/03/03/#2503.00001"  # its card on its first day
    record = second["2503.00010"]
    assert record["t"] == hostile.title
    assert record["a"] == ["Tom and Jerry", "Smith, J."]
    assert record["y"] == 2025 and record["d"] == "2025-03-04" and record["x"] == "https://arxiv.org/abs/2503.00010"
    known = {p.id: p for p in archive.papers}
    for shard in (first, second):
        for paper_id, data in shard.items():
            for other_id, title, url in data["s"]:
                assert other_id != paper_id and title == known[other_id].title
                assert url == f"{known[other_id].day:%Y/%m/%d}/#{other_id}"
    assert card_data_files(archive, similar_papers(archive.papers)) == files


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


def test_each_paper_keeps_its_strongest_terms_every_tie_at_the_cut_and_unit_length() -> None:
    weights = csr_matrix(np.array([[0.9, 0.5, 0.5, 0.1, 0.0], [0.2, 0.0, 0.0, 0.0, 0.7]], dtype=np.float32))
    kept = similar_module._strongest_terms(weights.copy(), 2).toarray()
    assert (kept[0] > 0).tolist() == [True, True, True, False, False]  # 0.9 and both 0.5s, tied at the cut
    assert (kept[1] > 0).tolist() == [True, False, False, False, True]  # no more than 2: untouched
    assert np.allclose(np.linalg.norm(kept, axis=1), 1.0)


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
