"""The archive as plain data: papers, days and the whole archive. No I/O happens here.

Every later stage (views, feeds, search) reads these objects, so they are frozen: a stage can
never change what another stage sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

HF_PAPERS = "https://huggingface.co/papers/"
"""Hugging Face's Daily Papers: a paper's page is HF_PAPERS + its id, a day's list HF_PAPERS + "date/" + the day."""

DayStatus = Literal["listed", "empty", "failed"]
"""A stored day: its list (`listed`), the API had no list (`empty`), or the fetch failed (`failed`)."""


@dataclass(frozen=True, slots=True)
class Account:
    """A Hugging Face user or organization; `avatar` is an organization's picture (its URL as the API
    gave it, "" for none)."""

    name: str
    fullname: str = ""
    avatar: str = ""

    @property
    def label(self) -> str:
        return self.fullname or self.name


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    hidden: bool = False
    user: str = ""


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as listed on one Daily-Papers day."""

    id: str
    title: str
    authors: tuple[Author, ...]
    abstract: str
    day: dt.date
    upvotes: int = 0
    comments: int = 0
    published_at: str = ""
    featured_at: str = ""
    submitted_by: Account | None = None
    organization: Account | None = None
    github_repo: str = ""
    github_stars: int | None = None
    project_page: str = ""
    ai_summary: str = ""
    ai_keywords: tuple[str, ...] = ()
    thumbnail: str = ""
    media: tuple[str, ...] = ()
    first_seen: str = ""
    last_updated: str = ""
    missing_since: str = ""
    topics: tuple[str, ...] = ()

    @property
    def visible_authors(self) -> tuple[Author, ...]:
        """Authors as Hugging Face shows them: names their owners hid are left out."""
        return tuple(a for a in self.authors if not a.hidden)

    @property
    def day_rank(self) -> tuple[int, str]:
        """Its place on a day's list: most upvoted first, then by id, so no order depends on file order."""
        return (-self.upvotes, self.id)

    @property
    def period_rank(self) -> tuple[int, int, str]:
        """Its place among papers of several days (a week's, a month's top): most upvoted first, then the
        newer day, then by id."""
        return (-self.upvotes, -self.day.toordinal(), self.id)

    @property
    def hf_url(self) -> str:
        return f"{HF_PAPERS}{self.id}"

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"


@dataclass(frozen=True, slots=True)
class Day:
    """One stored snapshot. `status` is listed, empty (the API had no list) or failed."""

    date: dt.date
    status: DayStatus
    papers: tuple[Paper, ...]
    last_fetched: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class Archive:
    """Every stored day, oldest first, with the topic assignment already applied to papers."""

    days: tuple[Day, ...]
    appearances: dict[str, tuple[dt.date, ...]] = field(init=False, repr=False, compare=False)
    papers: tuple[Paper, ...] = field(init=False, repr=False, compare=False)
    """Each paper once, as listed on its first day, oldest day first: what feeds, search, topic pages
    and permalinks list. Derived once here; every consumer reads the same tuple."""

    def __post_init__(self) -> None:
        seen: dict[str, list[dt.date]] = {}
        for day in self.days:
            for paper in day.papers:
                seen.setdefault(paper.id, []).append(day.date)
        appearances = {pid: tuple(dates) for pid, dates in seen.items()}
        object.__setattr__(self, "appearances", appearances)
        object.__setattr__(self, "papers", tuple(
            p for d in self.days for p in d.papers if appearances[p.id][0] == d.date))

    def first_day(self, paper_id: str) -> dt.date:
        """A paper listed on several days belongs to the first: its permalink, feed item and search hit."""
        return self.appearances[paper_id][0]
