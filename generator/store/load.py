"""Turn validated snapshot data into the model: the one place that knows both the YAML keys and the
dataclasses. Topics are assigned here, once, so every view, feed and index agrees on them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import partial
from importlib import resources
from typing import Any

from generator.core.project import Project
from generator.domain.model import Account, Archive, Author, Day, Paper
from generator.domain.topics import Taxonomy
from generator.store.format import PAPER_KEYS
from generator.store.snapshots import load_snapshots
from generator.store.taxonomy import read_taxonomy


def _account(value: dict[str, Any]) -> Account:
    return Account(value["name"], value.get("fullname", ""), value.get("avatar", ""))


def _authors(value: list[dict[str, Any]]) -> tuple[Author, ...]:
    return tuple(Author(a["name"], a.get("hidden", False), a.get("user", "")) for a in value)


# How a snapshot value becomes a model value, for the keys that are not kept as they are. Every other
# key of the format (snapshot_format.PAPER_KEYS) goes to the Paper field of the same name.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "authors": _authors,
    "submitted_by": _account,
    "organization": _account,
    "ai_keywords": tuple,
    "media": tuple,
}


def paper_from_snapshot(entry: dict[str, Any], day: dt.date, topics: tuple[str, ...]) -> Paper:
    """One snapshot paper entry as a Paper: each key of the format into the field of its name (a key the
    entry leaves out keeps the field's default)."""
    values = {key: _CONVERT.get(key, _same)(entry[key]) for key in PAPER_KEYS if key in entry}
    return Paper(day=day, topics=topics, **values)


def _same(value: Any) -> Any:
    return value


ClassifiedSnapshot = tuple[dict[str, Any], list[tuple[str, ...]]]


def classify(data: dict[str, Any], taxonomy: Taxonomy) -> ClassifiedSnapshot:
    """A snapshot's data with each paper's topics. Plain data on purpose: the cache keeps it as JSON
    and worker processes send it back, and frozen dataclasses pickle about ten times slower."""
    topics = [taxonomy.assign(e["title"], e.get("ai_keywords", ()), e["abstract"]) for e in data["papers"]]
    return data, topics


def day_from_snapshot(classified: ClassifiedSnapshot) -> Day:
    """A snapshot as a Day; papers ranked by upvotes (then id, so the order never depends on file order)."""
    data, topics = classified
    date = dt.date.fromisoformat(data["date"])
    papers = sorted(
        (paper_from_snapshot(entry, date, tuple(paper_topics))  # a cached entry holds lists (JSON)
         for entry, paper_topics in zip(data["papers"], topics, strict=True)),
        key=lambda p: p.day_rank,
    )
    return Day(date, data["status"], tuple(papers), data.get("last_fetched", ""), data.get("error", ""))


def _loader_fingerprint(taxonomy_bytes: bytes) -> str:
    """What a cached classification depends on besides its snapshot: the taxonomy, and the code and
    schema that check and classify it (a file the new rules refuse must not come back from the cache)."""
    digest = hashlib.sha256(taxonomy_bytes)
    for module in ("store/load.py", "domain/topics.py", "store/taxonomy.py", "store/snapshots.py", "store/check.py",
                   "store/safe_yaml.py", "core/dates.py", "store/schema/snapshot.schema.json"):
        digest.update(resources.files("generator").joinpath(module).read_bytes())
    return digest.hexdigest()


def load_archive(project: Project) -> tuple[Archive, Taxonomy]:
    """Every snapshot, validated, with its topics, as one Archive; raises SnapshotError naming every problem.

    Classified snapshots are cached by content, so a rebuild parses and classifies only changed days.
    """
    taxonomy, taxonomy_bytes = read_taxonomy(project.topics_file)
    classified = load_snapshots(project.snapshots_dir, project.cache_dir,
                                convert=partial(classify, taxonomy=taxonomy), salt=_loader_fingerprint(taxonomy_bytes),
                                key_file=project.cache_key_file)
    return Archive(tuple(day_from_snapshot(item) for item in classified)), taxonomy
