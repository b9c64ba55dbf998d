"""Turn validated snapshot data into the model: the one place that knows both the YAML keys and the
dataclasses. Topics are assigned here, once, so every view, feed and index agrees on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.model import Account, Archive, Author, Day, Paper
from generator.project import Project
from generator.snapshots import load_snapshots
from generator.topics import Taxonomy, load_taxonomy


def _account(value: dict[str, Any] | None) -> Account | None:
    if not value:
        return None
    return Account(value["name"], value.get("fullname", ""))


def paper_from_snapshot(entry: dict[str, Any], day: dt.date, taxonomy: Taxonomy) -> Paper:
    """One snapshot paper entry as a Paper, with its topics."""
    keywords = tuple(entry.get("ai_keywords", ()))
    return Paper(
        id=entry["id"],
        title=entry["title"],
        authors=tuple(Author(a["name"], a.get("hidden", False), a.get("user", "")) for a in entry["authors"]),
        abstract=entry["abstract"],
        day=day,
        upvotes=entry["upvotes"],
        comments=entry["comments"],
        published_at=entry.get("published_at", ""),
        featured_at=entry.get("featured_at", ""),
        submitted_by=_account(entry.get("submitted_by")),
        organization=_account(entry.get("organization")),
        github_repo=entry.get("github_repo", ""),
        github_stars=entry.get("github_stars"),
        project_page=entry.get("project_page", ""),
        ai_summary=entry.get("ai_summary", ""),
        ai_keywords=keywords,
        thumbnail=entry.get("thumbnail", ""),
        media=tuple(entry.get("media", ())),
        first_seen=entry["first_seen"],
        last_updated=entry["last_updated"],
        missing_since=entry.get("missing_since", ""),
        topics=taxonomy.assign(entry["title"], keywords, entry["abstract"]),
    )


def day_from_snapshot(data: dict[str, Any], taxonomy: Taxonomy) -> Day:
    """A snapshot as a Day; papers ranked by upvotes (then id, so the order never depends on file order)."""
    date = dt.date.fromisoformat(data["date"])
    papers = sorted(
        (paper_from_snapshot(entry, date, taxonomy) for entry in data["papers"]),
        key=lambda p: (-p.upvotes, p.id),
    )
    return Day(date, data["status"], tuple(papers), data.get("last_fetched", ""), data.get("error", ""))


def load_archive(project: Project) -> tuple[Archive, Taxonomy]:
    """Every snapshot, validated, as one Archive; raises SnapshotError naming every problem."""
    taxonomy = load_taxonomy(project.topics_file)
    snapshots = load_snapshots(project.snapshots_dir, project.cache_dir)
    return Archive(tuple(day_from_snapshot(data, taxonomy) for data in snapshots)), taxonomy
