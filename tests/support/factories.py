"""What the tests are made of: papers and archives in memory, snapshots and project folders in tmp_path,
the site URLs they are built for, and the real API responses as the build sees them. One definition of
each, so a test spells out only what it changes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.core.project import Project
from generator.domain.model import Account, Archive, Author, Day, Paper
from generator.domain.site import Site, make_site
from generator.domain.topics import Taxonomy, Topic
from generator.store.taxonomy import load_taxonomy
from support.paths import REPO, require_fixtures

# --- site URLs -----------------------------------------------------------------------------------------

SITE_URL = "https://user.github.io/archive/"
"""The site the tests build: a GitHub project site, served under /archive/."""

REPO_SITE_URL = "https://user.github.io/repo/"
"""The feed and download tests' site: those tests spell out its host and its /repo/ path."""

DIGEST_SITE_URL = "https://example.github.io/daily-papers-archive/"
"""The email digests' site: a digest's Message-ID, which their tests check, is made of its host and path."""


# --- papers and archives in memory ---------------------------------------------------------------------

DAY = dt.date(2025, 3, 3)  # a Monday


def make_paper(paper_id: str, day: dt.date = DAY, **fields: Any) -> Paper:
    """A valid paper titled "Paper <id>", without authors, with the abstract "Abstract." and one upvote;
    `fields` override any attribute."""
    values: dict[str, Any] = {"title": f"Paper {paper_id}", "authors": (), "abstract": "Abstract.", "upvotes": 1}
    values.update(fields)
    return Paper(id=paper_id, day=day, **values)


TAXONOMY = Taxonomy((
    Topic("reasoning", "Reasoning", "Step by step."),
    Topic("agents", "Agents & tool use", "Agents that act."),
))
"""Two topics, and Other: the taxonomy of feed_paper's papers."""


def feed_paper(paper_id: str, day: dt.date, **fields: Any) -> Paper:
    """A paper as a feed or a download shows one: by Ada Lovelace and Alan Turing, with an abstract naming
    it, 10 upvotes and TAXONOMY's topic reasoning; `fields` override any attribute."""
    values: dict[str, Any] = {"authors": (Author("Ada Lovelace"), Author("Alan Turing")),
                              "abstract": f"The abstract of {paper_id}.", "upvotes": 10, "topics": ("reasoning",)}
    values.update(fields)
    return make_paper(paper_id, day, **values)


def make_archive(papers: Iterable[Paper]) -> Archive:
    """A listed day for each of the papers' `day`, its papers in the order load.py gives them (most upvoted
    first, then by id)."""
    by_day: dict[dt.date, list[Paper]] = {}
    for paper in papers:
        by_day.setdefault(paper.day, []).append(paper)
    return Archive(tuple(Day(date, "listed", tuple(sorted(ps, key=lambda p: p.day_rank)))
                         for date, ps in sorted(by_day.items())))


def topics_only(taxonomy: Taxonomy = TAXONOMY) -> Site:
    """The site of an empty archive: every topic's feeds, no organization's."""
    return make_site(Archive(()), taxonomy, REPO_SITE_URL)


def stats_archive(taxonomy: Taxonomy) -> Archive:
    """The stats tests' archive: five papers of two organizations over two years, with two empty weeks, the
    first paper listed again, and upvotes in five of the chart's bins."""
    slugs = [t.slug for t in taxonomy.all_topics]
    alpha, beta = Account("alpha", "Alpha"), Account("beta", "Beta")
    days = {
        dt.date(2025, 3, 31): [make_paper("1", dt.date(2025, 3, 31), upvotes=0, topics=(slugs[0],), organization=alpha),
                               make_paper("2", dt.date(2025, 3, 31), upvotes=4, topics=(slugs[0], slugs[1]),
                                          organization=beta)],
        dt.date(2025, 4, 1): [make_paper("3", dt.date(2025, 4, 1), upvotes=5, topics=(slugs[1],), organization=alpha)],
        # two weeks without papers in between
        dt.date(2025, 4, 22): [make_paper("4", dt.date(2025, 4, 22), upvotes=1000, topics=(slugs[1],),
                                          organization=alpha),
                               make_paper("1", dt.date(2025, 4, 22), upvotes=999, topics=(slugs[0],),
                                          organization=alpha)],  # listed again
        dt.date(2026, 1, 5): [make_paper("5", dt.date(2026, 1, 5), upvotes=999, topics=(slugs[2],), organization=beta)],
    }
    return Archive(tuple(Day(date, "listed", tuple(papers)) for date, papers in sorted(days.items())))


def real_archive() -> tuple[Archive, Taxonomy]:
    """All saved API days, through the importer (normalize) and the loader, as the build sees them; the
    test skips where they are absent."""
    from generator.ingest.normalize import normalize_day
    from generator.store.load import classify, day_from_snapshot

    days_dir = require_fixtures() / "days"
    taxonomy = load_taxonomy(REPO / "content" / "topics.yaml")
    days = []
    for path in sorted(days_dir.glob("*.json")):
        day = dt.date.fromisoformat(path.stem)
        normalized = normalize_day(path.read_bytes(), day, "2026-06-05T00:00:00Z")
        data = {"date": path.stem, "status": "listed", "papers": normalized.papers}
        days.append(day_from_snapshot(classify(data, taxonomy)))
    return Archive(tuple(days)), taxonomy


# --- project folders and snapshot files ----------------------------------------------------------------


def new_project(root: Path, with_demo: bool = False) -> Path:
    """A project folder holding this repository's config, theme and taxonomy, and no snapshots
    unless `with_demo`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")
    (root / "content").mkdir()
    shutil.copy(REPO / "content" / "topics.yaml", root / "content" / "topics.yaml")
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    if with_demo:
        shutil.copytree(REPO / "content" / "snapshots", root / "content" / "snapshots")
    else:
        (root / "content" / "snapshots").mkdir()
    return root


def built_demo(root: Path, site_url: str) -> Project:
    """The repository's demo snapshots in a new project folder at `root`, built for `site_url`."""
    from generator.publish.build import build_site

    project = Project.at(new_project(root, with_demo=True))
    build_site(project, site_url=site_url)
    return project


@dataclass(frozen=True)
class BuiltSite:
    """A site built once per test session and shared (tests/conftest.py): read it, never change it."""

    project: Project
    site_url: str

    @property
    def site_dir(self) -> Path:
        return self.project.site_dir


GOOD = """\
format: 1
date: '2026-11-16'
status: listed
papers:
  - id: '2611.00001'
    title: A paper
    authors:
      - name: Ada Example
    abstract: Text.
    upvotes: 3
    comments: 0
    first_seen: '2026-11-16T07:00:00Z'
    last_updated: '2026-11-16T07:00:00Z'
"""
"""A valid snapshot, as its file's text: 2026-11-16, one paper."""


def snapshot_file(project: Path, relative: str, data: bytes | str) -> Path:
    """`data` written at content/snapshots/`relative` in the project folder, whatever its name or bytes."""
    path = project / "content" / "snapshots" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def write_snapshot(project: Path, day: str, text: str) -> Path:
    """`text` as the snapshot file of `day` (YYYY-MM-DD), where the store looks for it."""
    return snapshot_file(project, f"{day[:4]}/{day}.yaml", text)


def stored_paper(pid: str, upvotes: int, title: str = "", **extra: Any) -> dict[str, Any]:
    """A paper as a snapshot stores it, by Ada Example and Bram Test, featured at 03:00 (UTC);
    `extra` overrides any key."""
    entry = {
        "id": pid, "title": title or f"Paper {pid}", "authors": [{"name": "Ada Example"}, {"name": "Bram Test"}],
        "abstract": f"The abstract of {pid}.", "upvotes": upvotes, "comments": 1,
        "featured_at": "2026-11-20T03:00:00.000Z",
        "first_seen": "2026-11-20T07:00:00Z", "last_updated": "2026-11-20T07:00:00Z",
    }
    entry.update(extra)
    return entry


def write_day(root: Path, date: str, papers: list[dict[str, Any]], status: str = "listed") -> None:
    """A snapshot as the fetcher writes them (format 1), for the cases the demo data does not cover; each
    paper is featured on `date`."""
    for entry in papers:
        entry["featured_at"] = f"{date}T{entry['featured_at'][11:]}"
    data = {"format": 1, "date": date, "status": status, "first_fetched": f"{date}T07:00:00Z",
            "last_fetched": f"{date}T07:00:00Z", "papers": papers}
    path = root / "content" / "snapshots" / date[:4] / f"{date}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


HOSTILE_TITLE = 'Evil <script>alert("x")</script> & =?utf-8?b?SGFja2Vk?= {{ 7*7 }}\r\nBcc: victim@example.org'
HOSTILE_SUMMARY = "Summary <img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))\nUnsubscribe: http://evil.example"
HOSTILE_AUTHOR = "</td></tr><script>steal()</script> O'Brien"


def hostile_project(root: Path) -> Path:
    """A project whose one day, 2026-11-20, lists a paper with a hostile title, summary and author (for a
    mail client and its headers) and a calm one."""
    new_project(root)
    write_day(root, "2026-11-20", [
        stored_paper("2611.00001", 50, HOSTILE_TITLE, ai_summary=HOSTILE_SUMMARY,
                     authors=[{"name": HOSTILE_AUTHOR}, {"name": "Zoë Ünicode"}]),
        stored_paper("2611.00002", 10, "A calm title"),
    ])
    return root
