"""Organization pages and feeds in built sites: every paper on its organization's page (the real API
responses), feeds a reader accepts, and hostile organization names shown as text everywhere."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from pathlib import Path

import feedparser
import pytest
import yaml
from support.factories import SITE_URL, new_project
from support.htmltext import parse
from support.paths import require_fixtures

from generator.cli import main
from generator.core.project import Project
from generator.core.settings import DEFAULTS
from generator.domain.orgs import org_slug
from generator.publish.build import build_site

SLUG = re.compile(r"^[a-z0-9_~-][a-z0-9_.~-]*$")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, dict], dict[str, set[str]]]:
    """The built site; each paper as listed on its first day; each organization's papers, from every
    day a paper was listed (a re-listed paper can name another organization)."""
    fixtures = require_fixtures()
    files = sorted((fixtures / "days").glob("*.json"))
    root = new_project(tmp_path_factory.mktemp("real-orgs") / "project")
    assert main(["--root", str(root), "import", *map(str, files)]) == 0
    project = Project.at(root)
    build_site(project, site_url=SITE_URL)
    first: dict[str, dict] = {}
    named: dict[str, set[str]] = defaultdict(set)
    for path in files:
        for entry in json.loads(path.read_text()):
            # where the API has put it over the years, in the order normalize.py reads it
            org = (entry.get("organization") or entry["paper"].get("organization")
                   or entry.get("submitterOrganization"))
            first.setdefault(entry["paper"]["id"], {**entry["paper"], "organization": org, "day": path.stem})
            if isinstance(org, dict) and org.get("name"):
                named[org["name"].lower()].add(entry["paper"]["id"])  # one account, whatever the case
    return project, first, named


def _org_of(raw: dict) -> dict | None:
    org = raw.get("organization")
    return org if isinstance(org, dict) and org.get("name") else None


def _org_page_links(site: Path, slug: str) -> list[str]:
    links: list[str] = []
    page = site / "orgs" / slug / "index.html"
    number = 1
    while page.exists():
        links += parse(page.read_text()).by_tag["ol"][0].links
        number += 1
        page = site / "orgs" / slug / "page" / str(number) / "index.html"
    return links


def test_every_real_paper_with_an_organization_is_on_its_page(real) -> None:
    project, first, named = real
    assert len(named) > 50, "the fixtures name many organizations"
    for name, ids in named.items():
        links = _org_page_links(project.site_dir, org_slug(name))
        assert len(links) == len(ids), name
        for paper_id in ids:
            day = first[paper_id]["day"].replace("-", "/")
            assert f"../../{day}/#{paper_id}" in links, (name, paper_id)


def test_the_org_index_lists_every_organization_most_papers_first(real) -> None:
    project, _, named = real
    counts = {name: len(ids) for name, ids in named.items()}
    html = parse((project.site_dir / "orgs" / "index.html").read_text())
    shown = [(li.links[0], int(re.search(r"(\d+) papers?", li.content).group(1))) for li in html.by_tag["li"]
             if li.links and li.links[0].startswith("../orgs/") and li.links[-1].endswith("/feed.xml")]
    assert sorted(shown) == sorted((f"../orgs/{org_slug(n)}/", c) for n, c in counts.items())
    assert [c for _, c in shown] == sorted((c for _, c in shown), reverse=True)


def test_a_card_links_its_organization(real) -> None:
    project, first, _ = real
    paper_id, raw = next((pid, raw) for pid, raw in sorted(first.items()) if _org_of(raw))
    card = parse((project.site_dir / raw["day"].replace("-", "/") / "index.html").read_text()).by_id[paper_id]
    assert f"../../../orgs/{org_slug(_org_of(raw)['name'])}/" in card.links


def test_org_feeds_parse_and_hold_its_newest_papers(real) -> None:
    project, _, named = real
    for slug, ids in ((org_slug(name), ids) for name, ids in named.items()):
        for kind in ("feed.xml", "atom.xml"):
            feed = feedparser.parse((project.site_dir / "orgs" / slug / kind).read_bytes())
            assert feed.bozo == 0, (slug, kind, feed.get("bozo_exception"))
            assert {e.id.rstrip("/").rsplit("/", 1)[1] for e in feed.entries} <= ids
            assert len(feed.entries) == min(len(ids), DEFAULTS.collection_feed_items["org"])
    page = (project.site_dir / "orgs" / "nvidia" / "index.html").read_text()
    rss = f'title="Daily Papers Archive: NVIDIA (RSS)" href="{SITE_URL}orgs/nvidia/feed.xml"'
    assert f'type="application/rss+xml" {rss}' in page
    assert f'href="{SITE_URL}orgs/nvidia/atom.xml"' in page
    feeds_page = (project.site_dir / "feeds" / "index.html").read_text()
    assert "orgs/nvidia/feed.xml" in feeds_page and "orgs/nvidia/atom.xml" in feeds_page


HOSTILE_FULLNAME = '</title><script>alert(1)</script> "Lab": $x^2$ **bold** {{ 7*7 }} \\& [x](y) --- &amp;'
HOSTILE_NAME = "Evil.Lab_<b>"


def _with_org(project_root: Path, name: str, fullname: str, paper: int = 0) -> None:
    path = project_root / "content" / "snapshots" / "2026" / "2026-11-16.yaml"
    data = yaml.safe_load(path.read_text())
    data["papers"][paper]["organization"] = {"name": name, "fullname": fullname}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_hostile_organization_names_stay_text(tmp_path: Path) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    _with_org(root, HOSTILE_NAME, HOSTILE_FULLNAME)
    build_site(Project.at(root), site_url=SITE_URL)
    site = root / "site"
    slug = org_slug(HOSTILE_NAME)
    assert slug == "evil.lab_~3cb~3e"
    page = parse((site / "orgs" / slug / "index.html").read_text())
    assert not any("alert(1)" in script.content for script in page.by_tag["script"])
    assert page.by_tag["h1"][-1].content == " ".join(HOSTILE_FULLNAME.split())
    assert page.by_tag["title"][0].content == f"{' '.join(HOSTILE_FULLNAME.split())} - Daily Papers Archive"
    assert page.by_tag["code"][0].content == HOSTILE_NAME
    alternates = [ln for ln in (site / "orgs" / slug / "index.html").read_text().split("<link") if slug in ln]
    assert any("alert(1)" in ln and "&lt;/title&gt;" in ln for ln in alternates)
    index = parse((site / "orgs" / "index.html").read_text())
    assert any(li.content.startswith(" ".join(HOSTILE_FULLNAME.split())) for li in index.by_tag["li"])
    day = parse((site / "2026" / "11" / "16" / "index.html").read_text())
    assert f"../../../orgs/{slug}/" in day.by_id["2611.90001"].links
    for kind in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((site / "orgs" / slug / kind).read_bytes())
        assert feed.bozo == 0
        assert feed.feed.title_detail.type == "text/html" and "<" not in feed.feed.title  # escaped: never obeyed
        assert html.unescape(feed.feed.title) == f"Daily Papers Archive: {HOSTILE_FULLNAME}"  # what readers show
    feeds_page = parse((site / "feeds" / "index.html").read_text())
    assert any(li.content.startswith(" ".join(HOSTILE_FULLNAME.split()) + ": RSS · Atom")
               for li in feeds_page.by_tag["li"] if f"../orgs/{slug}/" in li.links)
    stats = (site / "stats" / "index.html").read_text()
    assert "<script>alert(1)" not in stats and "$x^2$" in stats


@pytest.mark.parametrize("name", ["index.html", "INDEX.MD"])
def test_an_organization_named_like_the_index_file_builds(tmp_path: Path, capsys, name: str) -> None:
    """`index.html` is a legal Hugging Face name, and its page once took the path of the organizations'
    index: the build stopped as MkDocs wrote it."""
    root = new_project(tmp_path / "project", with_demo=True)
    _with_org(root, name, "The index lab", paper=1)
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0, capsys.readouterr().err
    site = root / "site"
    slug = org_slug(name)
    assert (site / "orgs" / "index.html").is_file() and (site / "orgs" / slug / "index.html").is_file()
    assert parse((site / "orgs" / slug / "index.html").read_text()).by_tag["h1"][-1].content == "The index lab"


def test_an_organization_name_in_a_script_the_charts_font_lacks_prints_nothing(tmp_path: Path, capsys) -> None:
    """matplotlib warns on stderr for every character DejaVu Sans lacks; a build shows one summary line."""
    root = new_project(tmp_path / "project", with_demo=True)
    _with_org(root, "cn-lab", "\u6e05\u534e\u5927\u5b66\u5b9e\u9a8c\u5ba4", paper=1)
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    out, err = capsys.readouterr()
    assert err == "" and len(out.splitlines()) == 1, (out, err)
    assert "\u6e05\u534e\u5927\u5b66" in (root / "site" / "stats" / "index.html").read_text()  # in its table


def test_a_name_in_another_case_builds_one_page(tmp_path: Path, capsys) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    _with_org(root, "Demo-Lab", "Another lab", paper=1)
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    assert capsys.readouterr().err == ""
    site = root / "site"
    assert sorted(p.name for p in (site / "orgs").iterdir() if p.is_dir()) == ["demo-lab"]
    day = parse((site / "2026" / "11" / "16" / "index.html").read_text())
    paper = yaml.safe_load((root / "content" / "snapshots" / "2026" / "2026-11-16.yaml").read_text())["papers"][1]
    assert "../../../orgs/demo-lab/" in day.by_id[paper["id"]].links
    assert f"../../2026/11/16/#{paper['id']}" in _org_page_links(site, "demo-lab")


def test_accounts_sharing_a_slug_build_two_pages_with_one_warning_line(tmp_path: Path, capsys) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    _with_org(root, "kelvin-lab", "Kelvin lab", paper=1)
    _with_org(root, "\u212aelvin-lab", "Kelvin sign lab", paper=2)  # its lower case is "kelvin-lab"
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("dailypapers: warning: organizations ") and "orgs/" in err[0], err
    pages = sorted(p.name for p in (root / "site" / "orgs").iterdir() if p.is_dir())
    assert pages[:2] == ["demo-lab", "kelvin-lab"] and len(pages) == 3, pages
    assert pages[2].startswith("kelvin-lab~") and SLUG.match(pages[2]) and f"orgs/{pages[2]}/" in err[0]


def test_real_fixtures_with_an_organization_respelled_on_another_day_build(tmp_path: Path, capsys) -> None:
    """The real 35 days, with one organization's name in another case on one of its days (as the API
    really does on other days): the build succeeds, and the organization has one page with all papers."""
    files = sorted((require_fixtures() / "days").glob("*.json"))
    saved = tmp_path / "saved"
    saved.mkdir()
    respelled = 0
    for path in files:
        entries = json.loads(path.read_text())
        if path.stem == "2026-01-07":  # nvidia is listed on 2025-10-03, 2026-01-07, 2026-06-03 and 06-04
            for entry in entries:
                for org in (entry.get("organization"), entry["paper"].get("organization")):
                    if isinstance(org, dict) and org.get("name") == "nvidia":
                        org["name"] = "NVIDIA"
                        respelled += 1
        (saved / path.name).write_text(json.dumps(entries))
    assert respelled
    root = new_project(tmp_path / "project")
    assert main(["--root", str(root), "import", *map(str, sorted(saved.iterdir()))]) == 0
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    assert "warning" not in capsys.readouterr().err
    site = root / "site"
    assert not (site / "orgs" / "NVIDIA").exists()
    ids = {e["paper"]["id"] for p in saved.iterdir() for e in json.loads(p.read_text())
           if ((e.get("organization") or e["paper"].get("organization") or e.get("submitterOrganization")
                or {}).get("name", "").lower() == "nvidia")}
    links = _org_page_links(site, "nvidia")
    assert len(links) == len(ids) > 4 and {link.rsplit("#", 1)[1] for link in links} == ids
    day = parse((site / "2026" / "01" / "07" / "index.html").read_text())
    nvidia = [pid for pid in ids if pid in day.by_id]
    assert nvidia and all("../../../orgs/nvidia/" in day.by_id[pid].links for pid in nvidia)
