"""Grouping by period and topic, tested on keys and contents rather than HTML."""

from __future__ import annotations

import datetime as dt

from support.factories import make_paper

from generator.core.settings import DEFAULTS
from generator.core.urls import url
from generator.domain import views
from generator.domain.collections import topic_collections
from generator.domain.model import Archive, Day
from generator.domain.topics import Taxonomy, Topic

MON, TUE, WED, FRI = dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18), dt.date(2026, 11, 20)


def archive() -> Archive:
    video = ("video",)
    return Archive((
        Day(MON, "listed", (make_paper("2611.00001", MON, upvotes=5, topics=video),
                            make_paper("2611.00002", MON, upvotes=9, topics=video))),
        Day(TUE, "empty", ()),
        Day(FRI, "listed", (make_paper("2611.00001", FRI, upvotes=20, topics=video),
                            make_paper("2611.00003", FRI, upvotes=1, topics=video))),
    ))


def test_a_weekday_never_fetched_is_missing_and_prev_next_skip_to_listed_days() -> None:
    days = {d.date: d for d in views.day_views(archive())}
    assert [d.isoformat() for d in days] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
    assert days[WED].status == "missing"
    assert days[TUE].status == "empty"
    assert days[TUE].previous == MON and days[TUE].next == FRI
    assert days[MON].previous is None and days[FRI].next is None


def test_a_paper_on_two_days_belongs_to_its_first_day() -> None:
    a = archive()
    assert a.first_day("2611.00001") == MON
    assert [p.id for p in a.papers] == ["2611.00001", "2611.00002", "2611.00003"]
    (permalink,) = [v for v in views.permalink_views(a) if v.paper.id == "2611.00001"]
    assert permalink.days == (MON, FRI)
    assert permalink.url == "p/2611.00001/"
    assert url("card", id=permalink.paper.id, date=permalink.paper.day) == "2026/11/16/#2611.00001"


def test_month_calendar_cells_and_top_papers() -> None:
    (month,) = views.month_views(views.day_views(archive()), DEFAULTS.top_month)
    assert month.url == "2026/11/"
    cells = {c.date: c for week in month.weeks for c in week if c.date}
    assert cells[MON].status == "listed" and cells[MON].count == 2
    assert cells[TUE].status == "empty"
    assert cells[WED].status == "missing"
    assert cells[dt.date(2026, 11, 21)].status == "weekend"
    # 2611.00001 is listed twice (5 and 20 upvotes): one card, at its best; the rest follow, ranked
    assert [(p.id, p.upvotes) for p in month.top] == [("2611.00001", 20), ("2611.00002", 9), ("2611.00003", 1)]
    assert month.rest == ()
    (few,) = views.month_views(views.day_views(archive()), 1)
    assert [p.id for p in few.top] == ["2611.00001"] and [p.id for p in few.rest] == ["2611.00002", "2611.00003"]


def test_iso_weeks_and_years() -> None:
    days = views.day_views(archive())
    (week,) = views.week_views(days, DEFAULTS.top_week)
    assert week.key == "2026-W47" and week.url == "weeks/2026-W47/"
    assert week.start == MON and week.end == dt.date(2026, 11, 22)
    (year,) = views.year_views(views.month_views(days, DEFAULTS.top_month), DEFAULTS.top_year)
    assert year.paper_count == 4 and year.day_count == 2


def test_topic_pages_hold_at_most_100_papers_newest_first() -> None:
    start = dt.date(2026, 1, 1)
    many = tuple(Day(start + dt.timedelta(days=i), "listed",
                     (make_paper(f"2601.{i:05d}", start + dt.timedelta(days=i), topics=("video",)),))
                 for i in range(250))
    taxonomy = Taxonomy((Topic("video", "Video", ""),))
    pages = [v for v in views.collection_views(topic_collections(Archive(many), taxonomy), DEFAULTS.page_size)
             if v.collection.slug == "video"]
    assert [(v.page, len(v.papers)) for v in pages] == [(1, 100), (2, 100), (3, 50)]
    assert pages[0].papers[0].id == "2601.00249"
    assert pages[1].url == "topics/video/page/2/"
    other = [v for v in views.collection_views(topic_collections(Archive(many), taxonomy), DEFAULTS.page_size)
             if v.collection.slug == "other"]
    assert other[0].papers == () and other[0].pages == 1
