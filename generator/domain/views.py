"""Group the archive into the site's pages: days, ISO weeks, months, years, topics and permalinks.

Pure functions from the model to frozen dataclasses, tested on their keys and contents rather than on
HTML. Each view knows its own URL (relative to the site root, with a trailing slash) and nothing about
files or templates.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from generator.core import text
from generator.core.urls import url
from generator.domain.collections import Collection
from generator.domain.model import HF_PAPERS, Archive, Day, DayStatus, Paper
from generator.domain.orgs import Organization
from generator.domain.topics import Taxonomy, Topic

# Upvote ranges of the stats page's spread chart: each bin is [edge, next edge); the last is open.
UPVOTE_EDGES = (0, 1, 5, 10, 20, 50, 100, 200, 500, 1000)

PageStatus = DayStatus | Literal["missing"]
"""A day page: a stored day's status, or `missing` for a weekday inside the archive never fetched."""
CellStatus = PageStatus | Literal["pad", "weekend", "outside"]
"""A calendar cell: a day page's status, or a cell without a page (padding, a weekend, outside the archive)."""
K = TypeVar("K")


def week_key(date: dt.date) -> str:
    iso = date.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def top_papers(papers: Iterable[Paper], limit: int | None = None) -> list[Paper]:
    """Most upvoted first; ties by newer day then id, so the order is stable. A paper listed on several
    of the days counts once, at its best place (one card, one id on a page)."""
    seen: set[str] = set()
    ranked = []
    for paper in sorted(papers, key=lambda p: p.period_rank):
        if paper.id not in seen:
            seen.add(paper.id)
            ranked.append(paper)
            if limit is not None and len(ranked) == limit:
                break
    return ranked


@dataclass(frozen=True, slots=True)
class DayView:
    """A calendar day's page. `status` adds "missing" (a weekday never fetched) to the snapshot's."""

    date: dt.date
    status: PageStatus
    papers: tuple[Paper, ...]
    previous: dt.date | None
    next: dt.date | None
    error: str = ""

    @property
    def url(self) -> str:
        return url("day", date=self.date)

    @property
    def hf_url(self) -> str:
        """The day's list on Hugging Face: where a reader goes while this archive has not got it."""
        return f"{HF_PAPERS}date/{self.date.isoformat()}"


@dataclass(frozen=True, slots=True)
class CalendarCell:
    date: dt.date | None  # None pads the first and last week
    status: CellStatus
    count: int = 0


@dataclass(frozen=True, slots=True)
class MonthView:
    year: int
    month: int
    weeks: tuple[tuple[CalendarCell, ...], ...]
    days: tuple[DayView, ...]
    top: tuple[Paper, ...]
    """The most upvoted papers, shown as cards; `rest` are the others, ranked, shown as a list."""
    rest: tuple[Paper, ...]
    paper_count: int
    previous: tuple[int, int] | None
    next: tuple[int, int] | None

    @property
    def url(self) -> str:
        return url("month", date=dt.date(self.year, self.month, 1))

    @property
    def previous_url(self) -> str | None:
        return url("month", date=dt.date(*self.previous, 1)) if self.previous else None

    @property
    def next_url(self) -> str | None:
        return url("month", date=dt.date(*self.next, 1)) if self.next else None

    @property
    def previous_name(self) -> str | None:
        return text.month_name(*self.previous) if self.previous else None

    @property
    def next_name(self) -> str | None:
        return text.month_name(*self.next) if self.next else None

    @property
    def name(self) -> str:
        return text.month_name(self.year, self.month)


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    months: tuple[MonthView, ...]
    top: tuple[Paper, ...]
    paper_count: int
    day_count: int
    previous: int | None = None  # the years before and after with a page
    next: int | None = None

    @property
    def url(self) -> str:
        return url("year", date=dt.date(self.year, 1, 1))

    @property
    def previous_url(self) -> str:
        return url("year", date=dt.date(self.previous, 1, 1)) if self.previous else ""

    @property
    def next_url(self) -> str:
        return url("year", date=dt.date(self.next, 1, 1)) if self.next else ""


@dataclass(frozen=True, slots=True)
class WeekView:
    key: str
    start: dt.date
    days: tuple[DayView, ...]
    top: tuple[Paper, ...]
    """As MonthView's: the cards, then the list of the others."""
    rest: tuple[Paper, ...]
    paper_count: int
    previous: str | None
    next: str | None

    @property
    def url(self) -> str:
        return url("week", week=self.key)

    @property
    def previous_url(self) -> str | None:
        return url("week", week=self.previous) if self.previous else None

    @property
    def next_url(self) -> str | None:
        return url("week", week=self.next) if self.next else None

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


@dataclass(frozen=True, slots=True)
class CollectionPageView:
    """One page of a collection's papers (a topic's, an organization's), newest first."""

    collection: Collection
    page: int
    pages: int
    papers: tuple[Paper, ...]

    @property
    def url(self) -> str:
        return url(self.collection.kind, slug=self.collection.slug, page=self.page)

    @property
    def total(self) -> int:
        return self.collection.size

    def page_url(self, page: int) -> str:
        """Another page of the same collection."""
        return url(self.collection.kind, slug=self.collection.slug, page=page)


@dataclass(frozen=True, slots=True)
class PermalinkView:
    paper: Paper
    days: tuple[dt.date, ...]

    @property
    def url(self) -> str:
        return url("permalink", id=self.paper.id)


def day_views(archive: Archive) -> list[DayView]:
    """Every stored day, plus every weekday between the first and last stored day that was never fetched.

    Previous/next link to the nearest days that have papers, so readers step from list to list.
    """
    stored: dict[dt.date, Day] = {day.date: day for day in archive.days}
    if not stored:
        return []
    first, last = min(stored), max(stored)
    dates = sorted(set(stored) | {
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() < 5
    })
    listed = [d for d in dates if d in stored and stored[d].papers]
    views = []
    for date in dates:
        day = stored.get(date)
        before, after = bisect.bisect_left(listed, date), bisect.bisect_right(listed, date)
        previous = listed[before - 1] if before else None
        following = listed[after] if after < len(listed) else None
        if day is None:
            views.append(DayView(date, "missing", (), previous, following))
        else:
            status: PageStatus = "listed" if day.papers else day.status
            views.append(DayView(date, status, day.papers, previous, following, day.error))
    return views


def _neighbours(keys: Sequence[K], index: int) -> tuple[K | None, K | None]:
    return (keys[index - 1] if index > 0 else None, keys[index + 1] if index + 1 < len(keys) else None)


def month_views(days: list[DayView], top: int) -> list[MonthView]:
    """Each month with a day page, its calendar, its `top` most upvoted papers and the rest, ranked."""
    by_month: dict[tuple[int, int], list[DayView]] = defaultdict(list)
    for day in days:
        by_month[(day.date.year, day.date.month)].append(day)
    keys = sorted(by_month)
    views = []
    for index, (year, month) in enumerate(keys):
        month_days = by_month[(year, month)]
        known = {d.date: d for d in month_days}
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for date in week:
                if date.month != month:
                    cells.append(CalendarCell(None, "pad"))
                elif date in known:
                    cells.append(CalendarCell(date, known[date].status, len(known[date].papers)))
                else:
                    cells.append(CalendarCell(date, "weekend" if date.weekday() >= 5 else "outside"))
            weeks.append(tuple(cells))
        papers = [p for d in month_days for p in d.papers]
        previous, following = _neighbours(keys, index)
        ranked = top_papers(papers)
        views.append(MonthView(year, month, tuple(weeks), tuple(month_days), tuple(ranked[:top]),
                               tuple(ranked[top:]), len(papers), previous, following))
    return views


def year_views(months: list[MonthView], top: int) -> list[YearView]:
    by_year: dict[int, list[MonthView]] = defaultdict(list)
    for month in months:
        by_year[month.year].append(month)
    views = []
    years = sorted(by_year)
    for index, year in enumerate(years):
        year_months = by_year[year]
        papers = [p for m in year_months for d in m.days for p in d.papers]
        day_count = sum(1 for m in year_months for d in m.days if d.papers)
        previous, following = _neighbours(years, index)
        views.append(YearView(year, tuple(year_months), tuple(top_papers(papers, top)),
                              len(papers), day_count, previous, following))
    return views


def week_views(days: list[DayView], top: int) -> list[WeekView]:
    by_week: dict[str, list[DayView]] = defaultdict(list)
    for day in days:
        by_week[week_key(day.date)].append(day)
    keys = sorted(by_week)
    views = []
    for index, key in enumerate(keys):
        week_days = by_week[key]
        start = week_days[0].date - dt.timedelta(days=week_days[0].date.weekday())
        papers = [p for d in week_days for p in d.papers]
        previous, following = _neighbours(keys, index)
        ranked = top_papers(papers)
        views.append(WeekView(key, start, tuple(week_days), tuple(ranked[:top]), tuple(ranked[top:]),
                              len(papers), previous, following))
    return views


def collection_views(collections: Iterable[Collection], page_size: int) -> list[CollectionPageView]:
    """Each collection's papers (newest first) in pages of `page_size`; a collection without papers is
    one empty page (the page still exists and says so)."""
    views = []
    for collection in collections:
        papers = collection.papers
        chunks = [papers[start:start + page_size] for start in range(0, max(len(papers), 1), page_size)]
        views += [CollectionPageView(collection, page, len(chunks), chunk) for page, chunk in enumerate(chunks, 1)]
    return views


def permalink_views(archive: Archive) -> list[PermalinkView]:
    """One per distinct paper, pointing at its first day's card and listing every day it was featured."""
    return [PermalinkView(paper, archive.appearances[paper.id]) for paper in archive.papers]


@dataclass(frozen=True, slots=True)
class TopicShare:
    topic: Topic
    counts: tuple[int, ...]  # papers per quarter filed under the topic, in StatsView.quarters' order


@dataclass(frozen=True, slots=True)
class OrgYear:
    year: int
    top: tuple[tuple[Organization, int], ...]  # most papers that year first
    papers_with_org: int


@dataclass(frozen=True, slots=True)
class StatsView:
    """The numbers behind the stats page's charts; every paper counted once, on its first day."""

    paper_count: int
    weeks: tuple[tuple[dt.date, int], ...]  # Monday of each ISO week since the first, papers that week
    quarters: tuple[str, ...]  # "2024 Q1", oldest first
    quarter_totals: tuple[int, ...]
    topic_shares: tuple[TopicShare, ...]
    org_years: tuple[OrgYear, ...]
    upvote_bins: tuple[tuple[str, int], ...]

    @property
    def url(self) -> str:
        return url("stats")


def _quarter(date: dt.date) -> str:
    return f"{date.year} Q{(date.month - 1) // 3 + 1}"


def _upvote_labels() -> list[str]:
    labels = []
    for low, high in zip(UPVOTE_EDGES, UPVOTE_EDGES[1:], strict=False):
        labels.append(f"{low:,}" if high - low == 1 else f"{low:,}–{high - 1:,}")
    return labels + [f"{UPVOTE_EDGES[-1]:,}+"]


def stats_view(archive: Archive, taxonomy: Taxonomy, orgs: Iterable[Organization], top_orgs: int) -> StatsView:
    """Papers per week (weeks without papers count 0), topic shares per quarter, each year's top
    organizations and how upvotes spread."""
    papers = archive.papers
    per_week: dict[dt.date, int] = defaultdict(int)
    for paper in papers:
        per_week[paper.day - dt.timedelta(days=paper.day.weekday())] += 1
    weeks: list[tuple[dt.date, int]] = []
    if per_week:
        monday, last = min(per_week), max(per_week)
        while monday <= last:
            weeks.append((monday, per_week.get(monday, 0)))
            monday += dt.timedelta(days=7)

    quarters = sorted({_quarter(p.day) for p in papers})
    column = {q: i for i, q in enumerate(quarters)}
    totals = [0] * len(quarters)
    by_topic = {t.slug: [0] * len(quarters) for t in taxonomy.all_topics}
    for paper in papers:
        index = column[_quarter(paper.day)]
        totals[index] += 1
        for slug in paper.topics:
            if slug in by_topic:
                by_topic[slug][index] += 1
    shares = tuple(TopicShare(t, tuple(by_topic[t.slug])) for t in taxonomy.all_topics)

    per_year: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    org_by_name = {}
    for org in orgs:
        org_by_name[org.name] = org
        for paper in org.papers:
            per_year[paper.day.year][org.name] += 1
    org_years = []
    for year in sorted(per_year):
        counts = per_year[year]
        ranked = sorted(counts.items(), key=lambda item: (-item[1], org_by_name[item[0]].slug))
        org_years.append(OrgYear(year, tuple((org_by_name[name], n) for name, n in ranked[:top_orgs]),
                                 sum(counts.values())))

    bins = [0] * len(UPVOTE_EDGES)
    for paper in papers:
        bins[bisect.bisect_right(UPVOTE_EDGES, max(paper.upvotes, 0)) - 1] += 1
    return StatsView(len(papers), tuple(weeks), tuple(quarters), tuple(totals), shares, tuple(org_years),
                     tuple(zip(_upvote_labels(), bins, strict=True)))
