"""The data the card tools load on demand: one small JSON shard per listed day (`views.card_data_url`).

A day's page names its shard once (`data-cards` on the element around the cards); Save, Copy BibTeX
and Similar papers fetch the shard when first used, so day pages stay small however much the tools
need: the full author list, the BibTeX year, and the similar papers with their titles and card links. Every value is
plain JSON text; the script puts it into pages only as text (textContent), never as HTML.

A shard maps each paper id listed that day to:
  t: title, a: visible author names, y: year (for BibTeX), d: first day (ISO), u: its card (first day),
  x: its arXiv page, s: similar papers as [id, title, card], most similar first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from generator.core.urls import url
from generator.domain.model import Archive, Paper

_ARXIV_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}(v\d+)?")


def citation_year(paper: Paper) -> int:
    """The year arXiv's BibTeX export gives: the id's YYMM for new-style ids, else when it was published,
    else the day it was first listed."""
    match = _ARXIV_ID.fullmatch(paper.id)
    if match and 1 <= int(match.group(2)) <= 12:
        return 2000 + int(match.group(1))
    if paper.published_at[:4].isdigit():
        return int(paper.published_at[:4])
    return paper.day.year


def paper_record(paper: Paper, similar: tuple[Paper, ...]) -> dict[str, object]:
    return {
        "t": paper.title,
        "a": [author.name for author in paper.visible_authors],
        "y": citation_year(paper),
        "d": paper.day.isoformat(),
        "u": url("card", id=paper.id, date=paper.day),
        "x": paper.arxiv_url,
        "s": [[other.id, other.title, url("card", id=other.id, date=other.day)] for other in similar],
    }


def card_data_files(archive: Archive, similar: Mapping[str, tuple[str, ...]]) -> dict[str, bytes]:
    """Every listed day's shard, path -> bytes; keys sorted and no whitespace, so rebuilds are identical."""
    first = {paper.id: paper for paper in archive.papers}
    records = {pid: paper_record(paper, tuple(first[o] for o in similar.get(pid, ())))
               for pid, paper in first.items()}
    files = {}
    for day in archive.days:
        if day.papers:
            shard = {paper.id: records[paper.id] for paper in day.papers}
            text = json.dumps(shard, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            files[url("card-data", date=day.date)] = text.encode()
    return files
