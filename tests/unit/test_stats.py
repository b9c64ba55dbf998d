"""The stats page's charts: the numbers behind each, valid SVG with a title and the theme's colours, labels
that stay text, axes dated for any range, and an archive without organizations.

The page in built sites: tests/site/test_stats_site.py; in Chromium: tests/browser/test_stats_browser.py."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from support.factories import make_paper, stats_archive

from generator.core.settings import DEFAULTS
from generator.domain.model import Archive, Day
from generator.domain.orgs import organizations
from generator.domain.views import stats_view
from generator.outputs.charts import stats_charts, top_orgs_chart
from generator.outputs.render import render

SVG = "{http://www.w3.org/2000/svg}"


def test_the_numbers_behind_the_charts(taxonomy) -> None:
    archive = stats_archive(taxonomy)
    view = stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year)
    assert view.paper_count == 5  # paper 1 counted once, on its first day
    weeks = dict(view.weeks)
    assert weeks[dt.date(2025, 3, 31)] == 3 and weeks[dt.date(2025, 4, 7)] == 0 and weeks[dt.date(2025, 4, 14)] == 0
    assert weeks[dt.date(2025, 4, 21)] == 1 and weeks[dt.date(2026, 1, 5)] == 1
    assert len(view.weeks) == (dt.date(2026, 1, 5) - dt.date(2025, 3, 31)).days // 7 + 1
    assert view.quarters == ("2025 Q1", "2025 Q2", "2026 Q1") and view.quarter_totals == (2, 2, 1)
    first, second, third = view.topic_shares[:3]
    assert first.counts == (2, 0, 0) and second.counts == (1, 2, 0) and third.counts == (0, 0, 1)
    assert [(y.year, [(o.name, n) for o, n in y.top], y.papers_with_org) for y in view.org_years] == [
        (2025, [("alpha", 3), ("beta", 1)], 4), (2026, [("beta", 1)], 1)]
    bins = dict(view.upvote_bins)
    assert bins["0"] == 1 and bins["1–4"] == 1 and bins["5–9"] == 1 and bins["500–999"] == 1 and bins["1,000+"] == 1
    assert sum(bins.values()) == view.paper_count


def test_charts_are_valid_svg_with_a_title_and_theme_colours(taxonomy) -> None:
    archive = stats_archive(taxonomy)
    charts = stats_charts(stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year))
    assert set(charts) == {"weekly", "topics", "orgs", "upvotes"}
    ids: list[str] = []
    for name, svg in charts.items():
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg" and root.get("viewBox"), name
        assert root.get("role") == "img" and root.find(f"{SVG}title").text, name
        assert "<?xml" not in svg and "<metadata" not in svg and "<image" not in svg  # vector, inline-ready
        assert "currentColor" in svg and "#010203" not in svg  # text and axes follow the page's colour
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        assert texts, f"{name}: labels are text, not glyph outlines"
        ids += [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique on the page that inlines every chart"
    assert "alpha".title() in ET.fromstring(charts["orgs"]).itertext()


HOSTILE = ['$x^2$ & <b>bold</b>', '</text><script>alert(1)</script>', "{{ 7*7 }} \\& _under",
           "a" * 200, "line\nbreak\u2028sep", 'fill #010203 id="x" url(#p) href="#q"']


def test_hostile_labels_stay_text_in_charts() -> None:
    from generator.domain.orgs import Organization
    from generator.domain.views import OrgYear

    orgs = [Organization(f"org{n}", label, f"org{n}", ()) for n, label in enumerate(HOSTILE)]
    svg = top_orgs_chart([OrgYear(2025, tuple((org, 9 - n) for n, org in enumerate(orgs)), 15)])
    root = ET.fromstring(svg)  # still well-formed XML
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert "$x^2$ & <b>bold</b>" in texts  # as written: no math, no markup
    assert "</text><script>alert(1)</script>" in texts
    assert "{{ 7*7 }} \\& _under" in texts
    assert "line break sep" in texts  # one line
    assert 'fill #010203 id="x" url(#p) href="#q"' in texts  # the SVG's own rewriting leaves text alone
    assert any(t.startswith("aaaa") and t.endswith("…") and len(t) <= 40 for t in texts)
    assert not list(root.iter(f"{SVG}script"))


@pytest.mark.parametrize(("first", "weeks", "labels"), [
    (dt.date(2023, 5, 1), 162, ["2024", "2025", "2026"]),  # years when the range spans two New Years
    (dt.date(2025, 9, 29), 30, ["2025-10", "2025-12", "2026-02", "2026-04"]),  # months within a year
    (dt.date(2026, 11, 16), 2, ["2026-11-16", "2026-11-23"]),  # a few weeks: their Mondays
])
def test_weekly_chart_dates_its_axis_for_any_range(first: dt.date, weeks: int, labels: list[str]) -> None:
    from generator.outputs.charts import weekly_chart

    svg = weekly_chart([(first + dt.timedelta(days=7 * n), n % 5) for n in range(weeks)])
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert [t for t in texts if t[:2] == "20"] == labels


@pytest.mark.parametrize(("quarters", "labels"), [
    (["2025 Q3", "2025 Q4", "2026 Q1"], ["Q3", "2025", "Q4", "2025", "Q1", "2026"]),  # few: every quarter
    ([f"{y} Q{q}" for y in range(2023, 2027) for q in range(1, 5)][1:15], ["2023", "2024", "2025", "2026"]),
])
def test_topic_share_chart_labels_quarters_or_years(taxonomy, quarters: list[str], labels: list[str]) -> None:
    from generator.domain.views import TopicShare
    from generator.outputs.charts import topic_share_chart

    shares = [TopicShare(t, tuple(n % 7 for n in range(len(quarters)))) for t in taxonomy.all_topics]
    svg = topic_share_chart(quarters, [10] * len(quarters), shares)
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert [t for t in texts if t[:1] == "Q" or (t[:2] == "20" and len(t) == 4)] == labels


def test_an_archive_without_organizations_still_gets_its_stats_page(taxonomy) -> None:
    """Papers before late 2025 name no organization: the page leaves that chart out, and says so."""
    slugs = [t.slug for t in taxonomy.all_topics]
    archive = Archive((Day(dt.date(2025, 3, 31), "listed",
                           (make_paper("1", dt.date(2025, 3, 31), upvotes=3, topics=(slugs[0],)),)),))
    view = stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year)
    charts = stats_charts(view)
    assert charts["orgs"] == "" and charts["weekly"] and charts["upvotes"]
    page = render("stats.md.j2", view.url, view=view, charts=charts, top_orgs=DEFAULTS.top_orgs_per_year).text
    assert page.count('class="dp-chart-svg"') == 3
