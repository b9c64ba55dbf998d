"""Similar papers: for each paper, the few most similar other papers in the whole archive, by their text.

TF-IDF (scikit-learn) over the title (counted twice, so it weighs more), the AI keywords and the
abstract; each paper keeps its `_TERMS_PER_PAPER` strongest terms; then exact cosine nearest neighbours
over those vectors: a sparse product of the matrix with itself, one block of rows at a time, so memory
stays bounded. Keeping every term made the product nearly dense: ~45 s of CPU at 32,500 papers;
40 terms take 9.5 s, and on the real papers neighbours share an AI keyword 26.0% of the time against
26.7% with every term (random pairs: 5.3%). Measured by benchmarks/similar_bench.py.

Same input, same output: scores are rounded to `_SCORE_DIGITS` decimals before ranking, so float noise
(float32, BLAS or summation order) never reorders near-ties, and equal scores rank by paper id. Only
papers that share at least one term count as similar: a paper with nothing in common gets fewer than
`SIMILAR_COUNT` neighbours, never arbitrary ones. A paper is never its own neighbour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from generator.domain.model import Paper

SIMILAR_COUNT = 5
_BLOCK_CELLS = 4_000_000  # rows per block x papers: the product's rows held at a time
_SCORE_DIGITS = 4
_MAX_DF = 0.5  # terms in more than half the papers say nothing about any one of them
_TERMS_PER_PAPER = 40  # what a paper is most about; see the module docstring for the measurements
_MAX_FEATURES = 60_000  # bounds the vocabulary's memory at full size (35,000 papers: ~45,000 terms survive min_df)


def paper_text(paper: Paper) -> str:
    """What two papers are compared on; the title twice, so it outweighs a long abstract's side topics."""
    return "\n".join((paper.title, paper.title, " ".join(paper.ai_keywords), paper.abstract))


def _tfidf(texts: list[str]):  # -> scipy.sparse.csr_matrix | None (scipy has no public type to name here)
    """L2-normalized TF-IDF rows; None when the papers share no term at all (nothing is similar)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        sublinear_tf=True, stop_words="english", strip_accents="unicode", min_df=2, max_df=_MAX_DF,
        max_features=_MAX_FEATURES, dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # "empty vocabulary": no term is in two papers (or all are stop words)
        return None
    return _strongest_terms(matrix, _TERMS_PER_PAPER)


def _strongest_terms(matrix, terms: int):  # csr_matrix -> csr_matrix
    """Keep each row's `terms` highest weights (all of them when tied at the cut), then L2-normalize
    again: a paper is described by what is most its own, and the product below stays sparse."""
    from sklearn.preprocessing import normalize

    data, indptr = matrix.data, matrix.indptr
    for row in range(matrix.shape[0]):
        lo, hi = indptr[row], indptr[row + 1]
        if hi - lo > terms:
            weights = data[lo:hi]
            kth = np.partition(weights, hi - lo - terms)[hi - lo - terms]
            weights[weights < kth] = 0
    matrix.eliminate_zeros()
    return normalize(matrix)


def similar_papers(papers: Sequence[Paper], count: int = SIMILAR_COUNT) -> dict[str, tuple[str, ...]]:
    """Each paper's id mapped to the ids of its `count` most similar other papers, most similar first.

    `papers` must hold each paper once (Archive.papers); the result has an entry for every one.
    """
    ids = [paper.id for paper in papers]
    if len(set(ids)) != len(ids):
        raise ValueError("similar_papers needs each paper once")
    result: dict[str, tuple[str, ...]] = dict.fromkeys(ids, ())
    if len(ids) < 2:
        return result
    matrix = _tfidf([paper_text(paper) for paper in papers])
    if matrix is None:
        return result
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(np.array(ids), kind="stable")] = np.arange(len(ids))
    transposed = matrix.T.tocsr()
    scale = 10.0 ** _SCORE_DIGITS
    rows_per_block = max(1, _BLOCK_CELLS // len(ids))
    for start in range(0, len(ids), rows_per_block):
        block = (matrix[start:start + rows_per_block] @ transposed).tocsr()
        for offset in range(block.shape[0]):
            row = start + offset
            lo, hi = block.indptr[offset], block.indptr[offset + 1]
            columns = block.indices[lo:hi]
            scores = np.rint(block.data[lo:hi] * scale).astype(np.int64)
            keep = (scores > 0) & (columns != row)  # never the paper itself
            columns, scores = columns[keep], scores[keep]
            if columns.size > count:
                kth = np.partition(scores, columns.size - count)[columns.size - count]
                columns, scores = columns[scores >= kth], scores[scores >= kth]  # every tie at the cut stays
            best = columns[np.lexsort((id_rank[columns], -scores))][:count]
            result[ids[row]] = tuple(ids[i] for i in best)
    return result
