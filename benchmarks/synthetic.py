"""A synthetic full-size archive, made at run time so the benchmark needs no committed data.

The archive has the size of the real one in a few years (1,300 days x 25 papers by default) and
realistic text: titles, abstracts, author lists, keywords and summaries are recycled from the real API
responses in `../shared/fixtures/hf-api/days/` (never copied into the repository), under new fictional
arXiv ids and synthetic dates. Without the fixtures it falls back to pseudo-text and says so, because a
benchmark on lorem ipsum measures less than one on real abstracts (LaTeX, long author lists, Unicode).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.core import dates

try:
    from yaml import CSafeDumper as FastDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    FastDumper = yaml.SafeDumper  # type: ignore[misc]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "hf-api"
FIXTURES_ENV = "DAILYPAPERS_FIXTURES"
# The synthetic archive starts where the list began, one listed day after another (weekends too: only
# about 940 weekdays lie between 2023-05-04 and today, and snapshots outside that range are refused).
FIRST_DAY = dates.FIRST_DAY
# Top-level files and folders of a checkout that a build needs besides the snapshots.
PROJECT_FILES = ("mkdocs.yml", "overrides")


@dataclass
class TextPool:
    """Pieces of real papers to recycle; `real` is False when they are generated pseudo-text."""

    titles: list[str] = field(default_factory=list)
    abstracts: list[str] = field(default_factory=list)
    author_lists: list[list[dict[str, Any]]] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)  # ai_keywords, ai_summary, github_repo, ...
    real: bool = True
    source: str = ""

    def __len__(self) -> int:
        return len(self.titles)


def fixtures_days_dir() -> Path | None:
    """The folder of real API day responses: $DAILYPAPERS_FIXTURES (hf-api or its days/), else the default."""
    override = os.environ.get(FIXTURES_ENV)
    base = Path(override) if override else DEFAULT_FIXTURES
    for candidate in (base / "days", base / "hf-api" / "days", base):
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    return None


def _author(raw: dict[str, Any]) -> dict[str, Any]:
    author: dict[str, Any] = {"name": str(raw.get("name", ""))}
    if raw.get("hidden"):
        author["hidden"] = True
    user = raw.get("user")
    if isinstance(user, dict) and user.get("user"):
        author["user"] = str(user["user"])
    return author


def _extras(paper: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if paper.get("ai_keywords"):
        extras["ai_keywords"] = [str(k) for k in paper["ai_keywords"]]
    if paper.get("ai_summary"):
        extras["ai_summary"] = str(paper["ai_summary"])
    if paper.get("githubRepo"):
        extras["github_repo"] = str(paper["githubRepo"])
        if isinstance(paper.get("githubStars"), int):
            extras["github_stars"] = paper["githubStars"]
    if paper.get("projectPage"):
        extras["project_page"] = str(paper["projectPage"])
    org = paper.get("organization") or entry.get("organization")
    if isinstance(org, dict) and org.get("name"):
        extras["organization"] = {"name": str(org["name"])}
        if org.get("fullname"):
            extras["organization"]["fullname"] = str(org["fullname"])
    submitter = entry.get("submittedBy")
    if isinstance(submitter, dict) and submitter.get("name"):
        extras["submitted_by"] = {"name": str(submitter["name"])}
        if submitter.get("fullname"):
            extras["submitted_by"]["fullname"] = str(submitter["fullname"])
    return extras  # no thumbnail: its URL names the real paper's id, not the synthetic one


def load_real_pool(days_dir: Path) -> TextPool:
    """Every paper of the saved API responses, as pieces to recycle (the 694 real papers)."""
    pool = TextPool(source=str(days_dir))
    for path in sorted(days_dir.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entries, list):
            continue
        for entry in entries:
            paper = entry.get("paper") if isinstance(entry, dict) else None
            if not isinstance(paper, dict) or not paper.get("title"):
                continue
            pool.titles.append(str(paper["title"]))
            pool.abstracts.append(str(paper.get("summary", "")))
            pool.author_lists.append([_author(a) for a in paper.get("authors", []) if isinstance(a, dict)])
            pool.extras.append(_extras(paper, entry))
    return pool


_WORDS = (
    "model", "language", "vision", "learning", "large", "diffusion", "agent", "reasoning", "benchmark",
    "data", "training", "robust", "efficient", "scalable", "multimodal", "transformer", "attention",
    "policy", "reward", "video", "image", "token", "retrieval", "generation", "evaluation", "alignment",
    "inference", "sparse", "dense", "graph", "neural", "network", "physics", "code",
)


def pseudo_pool(seed: int, size: int = 700) -> TextPool:
    """Generated stand-in text of roughly real lengths, for when the fixtures are absent."""
    rng = random.Random(seed)
    pool = TextPool(real=False, source="generated pseudo-text (fixtures not found)")

    def words(n: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(n))

    for _ in range(size):
        pool.titles.append(words(rng.randint(6, 14)).capitalize())
        pool.abstracts.append(". ".join(words(rng.randint(12, 25)).capitalize() for _ in range(8)) + ".")
        pool.author_lists.append(
            [{"name": f"{words(1).capitalize()} {words(1).capitalize()}"} for _ in range(rng.randint(1, 15))]
        )
        extras: dict[str, Any] = {}
        if rng.random() < 0.6:
            extras["ai_keywords"] = [words(2) for _ in range(rng.randint(3, 12))]
            extras["ai_summary"] = words(40).capitalize() + "."
        if rng.random() < 0.4:
            extras["github_repo"] = f"https://github.com/example/{words(1)}-{rng.randint(1, 999)}"
        pool.extras.append(extras)
    return pool


def text_pool(seed: int = 1, warn: bool = True) -> TextPool:
    """The real pool when the fixtures are there, else pseudo-text (with a warning on stderr)."""
    days_dir = fixtures_days_dir()
    if days_dir is not None:
        pool = load_real_pool(days_dir)
        if len(pool):
            return pool
    if warn:
        print(
            f"WARNING: no real fixtures found (set ${FIXTURES_ENV} or put them at {DEFAULT_FIXTURES}); "
            "using generated pseudo-text, which is less realistic",
            file=sys.stderr,
        )
    return pseudo_pool(seed)


def weekdays_back(end: dt.date, count: int) -> list[dt.date]:
    """`count` weekdays ending at `end` (or the weekday before), oldest first: Daily Papers skips weekends."""
    days: list[dt.date] = []
    day = end
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


def archive_days(count: int, first: dt.date = FIRST_DAY) -> list[dt.date]:
    """`count` consecutive days from `first`, oldest first: the synthetic archive's days."""
    return [first + dt.timedelta(days=n) for n in range(count)]


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iter_snapshots(
    days: int, per_day: int, seed: int = 1, pool: TextPool | None = None, first: dt.date = FIRST_DAY
) -> Iterator[dict[str, Any]]:
    """Snapshot data for each synthetic day, oldest first; deterministic for a given seed and pool."""
    rng = random.Random(seed)
    pool = pool if pool is not None else text_pool(seed)
    size = len(pool)
    next_number: dict[str, int] = {}
    for day in archive_days(days, first):
        midnight = dt.datetime(day.year, day.month, day.day)
        fetched = midnight + dt.timedelta(hours=23, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))
        upvotes = sorted((int(rng.paretovariate(1.2) * 3) for _ in range(per_day)), reverse=True)
        papers = []
        for rank in range(per_day):
            month_key = f"{day:%y%m}"
            number = next_number.get(month_key, rng.randint(100, 900)) + rng.randint(1, 3)
            next_number[month_key] = number
            paper_id = f"{month_key}.{number:05d}"
            source = rng.randrange(size)
            published = midnight - dt.timedelta(days=rng.randint(1, 4)) + dt.timedelta(hours=17)
            featured = midnight + dt.timedelta(
                seconds=rng.randint(0, 20 * 3600), milliseconds=rng.randint(0, 999)
            )
            paper: dict[str, Any] = {
                "id": paper_id,
                "title": pool.titles[rng.randrange(size)],
                "authors": [dict(a) for a in pool.author_lists[rng.randrange(size)]],
                "abstract": pool.abstracts[source],
                "published_at": _stamp(published),
                "featured_at": _stamp(featured),
                "upvotes": upvotes[rank],
                "comments": rng.randint(0, 3) if rng.random() < 0.4 else 0,
                "first_seen": _stamp(fetched),
                "last_updated": _stamp(fetched),
            }
            for key, value in pool.extras[source].items():
                paper[key] = json.loads(json.dumps(value))  # a private copy: dumpers must not share nodes
            papers.append(paper)
        yield {
            "format": 1,
            "date": day.isoformat(),
            "status": "listed",
            "first_fetched": _stamp(fetched),
            "last_fetched": _stamp(fetched),
            "papers": papers,
        }


def dump_snapshot(data: dict[str, Any]) -> str:
    """YAML text of one snapshot, written with the C dumper: tens of thousands of papers in seconds."""
    return yaml.dump(data, Dumper=FastDumper, sort_keys=False, allow_unicode=True, width=4096)


def copy_project_files(root: Path, repo: Path = REPO_ROOT) -> None:
    """Copy what a build needs besides the snapshots: mkdocs.yml, overrides/, content/ except snapshots."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = repo / name
        if source.is_dir():
            shutil.copytree(source, root / name, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, root / name)
    content = repo / "content"
    if content.is_dir():
        for item in content.iterdir():
            if item.name == "snapshots":
                continue
            target = root / "content" / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(item, target)


def make_project(root: Path, days: int, per_day: int, seed: int = 1) -> int:
    """Write a synthetic project folder at `root` (snapshots plus the repo's build files); returns papers."""
    copy_project_files(root)
    snapshots = root / "content" / "snapshots"
    count = 0
    for data in iter_snapshots(days, per_day, seed):
        path = snapshots / data["date"][:4] / f"{data['date']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_snapshot(data), encoding="utf-8")
        count += len(data["papers"])
    return count
