"""The stats page in built sites: each chart with its table, the same bytes on a rebuild and in a new
process, and an empty archive that says so instead of charting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.factories import SITE_URL, new_project, stats_archive
from support.htmltext import parse
from support.paths import REPO

from generator.core.project import Project
from generator.core.settings import DEFAULTS
from generator.domain.orgs import organizations
from generator.domain.views import stats_view
from generator.outputs.charts import stats_charts
from generator.publish.build import build_site


def test_charts_are_byte_identical_in_a_new_process(taxonomy) -> None:
    archive = stats_archive(taxonomy)
    here = stats_charts(stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year))
    assert here == stats_charts(stats_view(archive, taxonomy, organizations(archive), DEFAULTS.top_orgs_per_year))
    script = (
        "import sys, json; sys.path.insert(0, 'tests')\n"
        "from support.factories import stats_archive as _archive\n"
        "from support.paths import REPO\n"
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


def test_an_empty_archive_says_so_instead_of_charting(project: Path) -> None:
    build_site(Project.at(project), site_url=SITE_URL)
    stats = parse((project / "site" / "stats" / "index.html").read_text())
    assert not [svg for svg in stats.by_tag.get("svg", []) if svg.attrs.get("class") == "dp-chart-svg"]
    assert any("nothing to chart" in p.content for p in stats.by_tag["p"])
    orgs = parse((project / "site" / "orgs" / "index.html").read_text())
    assert any("names an organization yet" in p.content for p in orgs.by_tag["p"])
