"""The stats page: the numbers behind each chart, charts that are valid SVG with the same bytes on every
build, labels that stay text, and the page as Chromium shows it in light and dark mode."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, new_project
from htmltext import parse

from generator.core.project import Project
from generator.core.settings import DEFAULTS
from generator.domain.model import Account, Archive, Day, Paper
from generator.domain.orgs import organizations
from generator.domain.views import stats_view
from generator.outputs.charts import stats_charts, top_orgs_chart
from generator.outputs.render import render
from generator.publish.build import build_site
from generator.store.taxonomy import load_taxonomy

SVG = "{http://www.w3.org/2000/svg}"
SITE_URL = "https://user.github.io/archive/"


def _paper(pid: str, day: dt.date, upvotes: int, topics: tuple[str, ...] = (), org: str = "") -> Paper:
    return Paper(pid, f"Paper {pid}", (), "Abstract.", day, upvotes=upvotes, topics=topics,
                 organization=Account(org, org.title()) if org else None)


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(REPO / "content" / "topics.yaml")


def _archive(taxonomy) -> Archive:
    slugs = [t.slug for t in taxonomy.all_topics]
    days = {
        dt.date(2025, 3, 31): [_paper("1", dt.date(2025, 3, 31), 0, (slugs[0],), "alpha"),
                               _paper("2", dt.date(2025, 3, 31), 4, (slugs[0], slugs[1]), "beta")],
        dt.date(2025, 4, 1): [_paper("3", dt.date(2025, 4, 1), 5, (slugs[1],), "alpha")],
        # two weeks without papers in between
        dt.date(2025, 4, 22): [_paper("4", dt.date(2025, 4, 22), 1000, (slugs[1],), "alpha"),
                               _paper("1", dt.date(2025, 4, 22), 999, (slugs[0],), "alpha")],  # listed again
        dt.date(2026, 1, 5): [_paper("5", dt.date(2026, 1, 5), 999, (slugs[2],), "beta")],
    }
    return Archive(tuple(Day(date, "listed", tuple(papers)) for date, papers in sorted(days.items())))


def test_the_numbers_behind_the_charts(taxonomy) -> None:
    archive = _archive(taxonomy)
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
    archive = _archive(taxonomy)
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


def test_charts_are_byte_identical_in_a_new_process(taxonomy) -> None:
    archive = _archive(taxonomy)
    here = stats_charts(stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year))
    assert here == stats_charts(stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year))
    script = (
        "import sys, json; sys.path.insert(0, 'tests')\n"
        "from test_stats import _archive, REPO\n"
        "from generator.store.taxonomy import load_taxonomy\n"
        "from generator.domain.views import stats_view\n"
        "from generator.domain.orgs import organizations\n"
        "from generator.outputs.charts import stats_charts\n"
        "from generator.core.settings import DEFAULTS\n"
        "t = load_taxonomy(REPO / 'content' / 'topics.yaml'); a = _archive(t)\n"
        "print(json.dumps(stats_charts(stats_view(a, t, organizations(a), DEFAULTS.top_orgs_per_year))))\n"
    )
    import json

    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout) == here


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


# --- the built page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = new_project(tmp_path_factory.mktemp("stats") / "project", with_demo=True)
    build_site(Project.at(root), site_url=SITE_URL)
    return root


def test_stats_page_has_each_chart_with_its_table(demo_site: Path) -> None:
    page = (demo_site / "site" / "stats" / "index.html").read_text()
    html = parse(page)
    charts = [svg for svg in html.by_tag["svg"] if svg.attrs.get("class") == "dp-chart-svg"]
    assert len(charts) == 4 and len(html.by_tag["table"]) == 4
    assert "demo-lab" in " ".join(link for t in html.by_tag["table"] for link in t.links)
    assert any(a.content == "Stats" for a in html.by_tag["a"])  # one entry in the fixed navigation


def test_rebuilding_gives_the_same_stats_and_org_pages(demo_site: Path) -> None:
    site = demo_site / "site"
    paths = ["stats/index.html", "orgs/index.html", "orgs/demo-lab/index.html", "orgs/demo-lab/feed.xml",
             "orgs/demo-lab/atom.xml"]
    before = {p: (site / p).read_bytes() for p in paths}
    build_site(Project.at(demo_site), site_url=SITE_URL)
    assert {p: (site / p).read_bytes() for p in paths} == before


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_charts_render_readably_in_light_and_dark(demo_site: Path, browser, scheme: str) -> None:
    from browser_support import open_page, require_chromium, serve

    require_chromium()
    with serve({"/archive/": demo_site / "site"}) as (origin, _), \
            open_page(browser, origin, viewport={"width": 390, "height": 900}) as tab:
        tab.add_init_script(f"localStorage.setItem('dailypapers.scheme', '{scheme}')")
        tab.goto(f"{origin}/archive/stats/")
        charts = tab.evaluate("""() => [...document.querySelectorAll('figure.dp-chart svg')].map(svg => {
            const box = svg.getBoundingClientRect();
            const text = svg.querySelector('text');
            const smallest = Math.min(...[...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height));
            const page = getComputedStyle(document.querySelector('.md-typeset'));
            return {width: box.width, height: box.height, smallest, fill: getComputedStyle(text).fill,
                    color: page.color, background: getComputedStyle(document.body).backgroundColor,
                    scheme: document.body.getAttribute('data-md-color-scheme')};
        })""")
    assert len(charts) == 4
    for chart in charts:
        assert chart["scheme"] == scheme
        assert 300 <= chart["width"] <= 390 and chart["height"] > 50  # fits the phone, scaled, not cut
        assert chart["smallest"] >= 8, "labels readable on a phone"
        assert chart["fill"] == chart["color"]  # labels in the page's text colour, in either scheme
        assert _luminance_gap(chart["fill"], chart["background"]) > 0.4


def _luminance_gap(a: str, b: str) -> float:
    def lum(css: str) -> float:
        r, g, b_ = (int(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b_) / 255

    return abs(lum(a) - lum(b))


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


def test_an_empty_archive_says_so_instead_of_charting(project: Path) -> None:
    build_site(Project.at(project), site_url=SITE_URL)
    stats = parse((project / "site" / "stats" / "index.html").read_text())
    assert not [svg for svg in stats.by_tag.get("svg", []) if svg.attrs.get("class") == "dp-chart-svg"]
    assert any("nothing to chart" in p.content for p in stats.by_tag["p"])
    orgs = parse((project / "site" / "orgs" / "index.html").read_text())
    assert any("names an organization yet" in p.content for p in orgs.by_tag["p"])


def test_an_archive_without_organizations_still_gets_its_stats_page(taxonomy) -> None:
    """Papers before late 2025 name no organization: the page leaves that chart out, and says so."""
    slugs = [t.slug for t in taxonomy.all_topics]
    archive = Archive((Day(dt.date(2025, 3, 31), "listed", (_paper("1", dt.date(2025, 3, 31), 3, (slugs[0],)),)),))
    view = stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year)
    charts = stats_charts(view)
    assert charts["orgs"] == "" and charts["weekly"] and charts["upvotes"]
    page = render("stats.md.j2", view.url, view=view, charts=charts, top_orgs=DEFAULTS.top_orgs_per_year).text
    assert page.count('class="dp-chart-svg"') == 3
