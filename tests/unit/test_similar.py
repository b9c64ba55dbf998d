"""Similar papers and the card tools' data: deterministic, never the paper itself, always existing
papers, ties by id, and the day shards that carry them, hostile text as text.

In the built demo site and on the real papers: tests/site/test_similar_site.py."""

from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from support.factories import make_archive, make_paper

from generator.domain.model import Author
from generator.outputs import similar as similar_module
from generator.outputs.cards import card_data_files, citation_year
from generator.outputs.similar import similar_papers

CORPUS = [
    make_paper("2503.00001", title="Diffusion transformers for video generation", abstract="We scale diffusion "
               "transformers to generate long videos with temporal attention.",
               ai_keywords=("diffusion", "video generation")),
    make_paper("2503.00002", title="Long video generation with diffusion", abstract="A diffusion model generates "
               "minute-long videos using temporal attention and transformers.", ai_keywords=("video generation",)),
    make_paper("2503.00003", title="Reinforcement learning for reasoning in language models", abstract="Policy "
               "optimization improves chain-of-thought reasoning of large language models.",
               ai_keywords=("reinforcement learning",)),
    make_paper("2503.00004", title="Reasoning language models trained with reinforcement learning", abstract="We "
               "train language models to reason with reinforcement learning and verifiable rewards.",
               ai_keywords=("reasoning",)),
    make_paper("2503.00005", title="Protein structure prediction with geometric networks", abstract="Geometric "
               "graph networks predict protein structure from sequence.", ai_keywords=("protein",)),
    make_paper("2503.00006", title="Geometric deep learning for protein design", abstract="Protein design with "
               "geometric networks and structure prediction.", ai_keywords=("protein design",)),
    make_paper("2503.00007", title="Speech recognition for low-resource languages", abstract="Multilingual speech "
               "recognition with self-supervised audio encoders.", ai_keywords=("speech",)),
    make_paper("2503.00008", title="Self-supervised audio encoders for multilingual speech", abstract="Audio "
               "encoders trained without labels improve speech recognition across languages.",
               ai_keywords=("speech recognition",)),
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
    twins = [make_paper(f"2503.{n:05d}", title="Sparse attention kernels",
                        abstract=f"Sparse attention kernels on GPUs, take {n}.")
             for n in (19, 13, 17, 11, 15, 18, 12)]  # the same words, but for one only each has
    result = similar_papers([*twins, *CORPUS])
    assert result["2503.00019"] == ("2503.00011", "2503.00012", "2503.00013", "2503.00015", "2503.00017")
    assert result["2503.00011"] == ("2503.00012", "2503.00013", "2503.00015", "2503.00017", "2503.00018")


def test_a_paper_that_shares_no_word_gets_no_neighbours_rather_than_arbitrary_ones() -> None:
    lonely = make_paper("2503.00099", title="Quokka zymurgy", abstract="Xylophone yodelling.")
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
    assert citation_year(make_paper("2409.01234", title="x")) == 2024
    assert citation_year(make_paper("2409.01234v2", title="x")) == 2024
    assert citation_year(make_paper("hep-th/9901001", title="x", published_at="1999-01-04T00:00:00Z")) == 1999
    assert citation_year(make_paper("weird", title="x", day=dt.date(2023, 6, 1))) == 2023


def test_a_day_shard_holds_each_listed_paper_with_its_similar_papers_as_text() -> None:
    hostile = make_paper("2503.00010", title='</script><b>{{ x }}</b> \\input{/etc/passwd} "quoted" video generation',
                         abstract="Diffusion transformers generate long videos.", day=dt.date(2025, 3, 4),
                         authors=(Author("Tom and Jerry"), Author("Smith, J."), Author("Hidden", hidden=True)))
    again = make_paper("2503.00001", title=CORPUS[0].title, abstract=CORPUS[0].abstract, day=dt.date(2025, 3, 4))
    archive = make_archive([*CORPUS, hostile, again])
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


def test_each_paper_keeps_its_strongest_terms_every_tie_at_the_cut_and_unit_length() -> None:
    weights = csr_matrix(np.array([[0.9, 0.5, 0.5, 0.1, 0.0], [0.2, 0.0, 0.0, 0.0, 0.7]], dtype=np.float32))
    kept = similar_module._strongest_terms(weights.copy(), 2).toarray()
    assert (kept[0] > 0).tolist() == [True, True, True, False, False]  # 0.9 and both 0.5s, tied at the cut
    assert (kept[1] > 0).tolist() == [True, False, False, False, True]  # no more than 2: untouched
    assert np.allclose(np.linalg.norm(kept, axis=1), 1.0)
