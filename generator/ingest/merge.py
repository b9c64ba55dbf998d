"""Merge what a response says about a day into the stored snapshot, never losing what was stored.

This is the one path from a response to `content/snapshots/YYYY/YYYY-MM-DD.yaml`, shared by
`dailypapers fetch` (`store_entries`, a day's pages joined) and `dailypapers import` (`store_response`,
one saved body). Its rules:

- a paper in the response and not stored is added, with `first_seen` and `last_updated` set to now;
- a stored paper in the response gets every field the response has (counts grow, links appear);
  `last_updated` moves only when one of its fields really changed. A field the response lacks is
  kept as stored: the API adds keys over time, it does not take facts back;
- a stored paper the response no longer lists is kept, with `missing_since`; it is cleared when a
  later response lists the paper again. `first_seen` never changes;
- papers are ordered by upvotes (most first), then id;
- `last_fetched` is the last fetch that changed something in the file, so storing the same response
  twice changes no byte; `first_fetched` is the first fetch that wrote the file;
- a day the API lists nothing for is `status: empty`, unless papers were stored before: they stay,
  and so does `status: listed`;
- a failed fetch of a day with no snapshot writes `status: failed` with `error`; a failed fetch of a
  stored day leaves its file byte-identical.

The stored file is edited in place through ruamel's round-trip data, so a maintainer's comments and
key order survive, and `snapshots.write_snapshot` validates it and replaces it atomically.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from ruamel.yaml.error import YAMLError as RuamelYAMLError

from generator.core.dates import format_timestamp
from generator.core.errors import DayError, SnapshotError, UserError, brief, unexpected
from generator.core.project import Project, flock_within
from generator.ingest.normalize import (
    NormalizedDay,
    ResponseError,
    normalize_entries,
    parse_response,
)
from generator.store import safe_yaml
from generator.store.files import snapshot_path
from generator.store.format import FORMAT_VERSION, PAPER_KEYS, TOP_KEYS
from generator.store.write import read_round_trip, write_snapshot

OutcomeKind = Literal["new", "updated", "unchanged", "empty", "failed"]
KINDS: tuple[OutcomeKind, ...] = ("new", "updated", "unchanged", "empty", "failed")
_MERGE_KEEPS = ("first_seen", "last_updated", "missing_since")  # set by the merge, not the response


@dataclass(frozen=True)
class DayOutcome:
    """What storing one day did. `kind` is one of KINDS; the counts describe the papers."""

    day: dt.date
    kind: OutcomeKind
    papers: int = 0
    added: int = 0
    changed: int = 0
    missing: int = 0
    warnings: tuple[str, ...] = ()
    error: str = ""

    def describe(self) -> str:
        """One line for the person running the command."""
        if self.kind == "failed":
            return f"{self.day.isoformat()}: failed: {self.error}"
        if self.kind == "empty" and not self.papers:
            return f"{self.day.isoformat()}: empty (the API lists no papers for this day)"
        parts = [f"{self.papers} paper(s)"]
        if self.added and self.kind != "new":
            parts.append(f"{self.added} added")
        if self.changed:
            parts.append(f"{self.changed} changed")
        if self.missing:
            parts.append(f"{self.missing} no longer listed (kept)")
        label = "empty response, stored papers kept" if self.kind == "empty" else self.kind
        return f"{self.day.isoformat()}: {label}, {', '.join(parts)}"


@dataclass(frozen=True)
class MergeStats:
    added: int
    changed: int
    missing: int


def summary_line(
    command: str, outcomes: list[DayOutcome], what: str = "day(s) asked", unread: int = 0
) -> str:
    """`fetch: 8 day(s) asked: 1 new, 2 updated, 3 unchanged, 1 empty, 1 failed`.

    The five counts add up to the total; `unread` counts inputs that failed before naming a day.
    """
    counts = {kind: sum(1 for o in outcomes if o.kind == kind) for kind in KINDS}
    counts["failed"] += unread
    total = len(outcomes) + unread
    return f"{command}: {total} {what}: " + ", ".join(f"{counts[k]} {k}" for k in KINDS)


# --- locking -------------------------------------------------------------------------------------


@contextlib.contextmanager
def project_lock(project: Project, wait: float = 60.0) -> Iterator[None]:
    """Hold the project's write lock, so two runs never read-merge-write the same snapshot at once.

    Waits up to `wait` seconds for another run to let go, then fails with one line. The lock is an
    fcntl lock on `.dailypapers.lock`; the kernel drops it when its holder dies, so there is never a
    stale lock to clean up.
    """
    try:
        project.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(project.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise UserError(f"cannot open the lock file {project.lock_file}: {error.strerror or error}") from None
    try:
        if not flock_within(fd, wait):
            raise UserError(
                f"another dailypapers fetch or import is writing snapshots in {project.root} "
                f"(it holds {project.lock_file.name}); run again when it has finished"
            )
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- merging -------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """ruamel's commented data as plain dicts, lists and scalars, for comparing."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def _put(mapping: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set mapping[key]; a new key goes where the format's key order puts it, not at the end."""
    if key in mapping or not hasattr(mapping, "insert"):
        mapping[key] = value
        return
    later = order[order.index(key) + 1 :] if key in order else ()
    keys = list(mapping.keys())
    position = next((i for i, k in enumerate(keys) if k in later), len(keys))
    mapping.insert(position, key, value)


def _new_mapping(items: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    out = CommentedMap()
    for key, value in items.items():
        out[key] = value
    return out


def _update_paper(stored: Any, fresh: dict[str, Any], stamp: str) -> bool:
    """Bring one stored paper up to date with the response; returns whether anything changed."""
    changed = False
    for key in PAPER_KEYS:
        if key in _MERGE_KEEPS or key not in fresh:
            continue
        if key not in stored or plain(stored[key]) != fresh[key]:
            _put(stored, key, fresh[key], PAPER_KEYS)
            changed = True
    if "missing_since" in stored:
        del stored["missing_since"]
        changed = True
    if changed:
        _put(stored, "last_updated", stamp, PAPER_KEYS)
    return changed


def _sort_key(paper: Any) -> tuple[int, str]:
    if not isinstance(paper, dict):  # a hand-broken entry; validation will name it
        return (0, "")
    upvotes = paper.get("upvotes", 0)
    return (-(upvotes if isinstance(upvotes, int) else 0), str(paper.get("id", "")))


def merge_day(stored: Any, fresh: NormalizedDay, stamp: str) -> tuple[Any, MergeStats]:
    """The stored snapshot (ruamel data, or None) updated in place with `fresh`, fetched at `stamp`."""
    from ruamel.yaml.comments import CommentedSeq

    if not isinstance(stored, dict):
        stored = _new_mapping({"format": FORMAT_VERSION, "date": fresh.date.isoformat()})
    before = plain(stored)
    papers = stored.get("papers")
    if not isinstance(papers, list):
        papers = CommentedSeq()
        _put(stored, "papers", papers, TOP_KEYS)
    by_id = {paper.get("id"): paper for paper in papers if isinstance(paper, dict)}
    added = changed = missing = 0
    for record in fresh.papers:
        existing = by_id.get(record["id"])
        if existing is None:
            papers.append(_new_mapping(record))
            by_id[record["id"]] = papers[-1]
            added += 1
        elif _update_paper(existing, record, stamp):
            changed += 1
    listed = {record["id"] for record in fresh.papers}
    for paper in papers:
        if isinstance(paper, dict) and paper.get("id") not in listed and "missing_since" not in paper:
            _put(paper, "missing_since", stamp, PAPER_KEYS)
            _put(paper, "last_updated", stamp, PAPER_KEYS)
            missing += 1
    ordered = sorted(papers, key=_sort_key)
    if [id(p) for p in ordered] != [id(p) for p in papers]:
        papers[:] = ordered

    _put(stored, "format", FORMAT_VERSION, TOP_KEYS)
    _put(stored, "date", fresh.date.isoformat(), TOP_KEYS)
    _put(stored, "status", "listed" if papers else "empty", TOP_KEYS)
    if "error" in stored:
        del stored["error"]
    if "first_fetched" not in stored:
        _put(stored, "first_fetched", stamp, TOP_KEYS)
    if plain(stored) != before or "last_fetched" not in stored:
        _put(stored, "last_fetched", stamp, TOP_KEYS)
    return stored, MergeStats(added, changed, missing)


# --- storing -------------------------------------------------------------------------------------


def _read_stored(project: Project, day: dt.date) -> Any:
    """The stored snapshot as round-trip data, None when there is none; DayError when unreadable."""
    path = snapshot_path(project.snapshots_dir, day)
    if not path.exists():
        return None
    try:
        data = read_round_trip(path)
    except Exception as error:  # ruamel raises many kinds; any of them means "do not touch this file"
        reason = brief(error)
        raise DayError(
            day, f"the stored {path.name} cannot be read ({reason}); fix it (see `dailypapers validate`) and run again"
        ) from None
    if not isinstance(data, dict):
        raise DayError(day, f"the stored {path.name} is not a snapshot mapping; fix it first")
    return data


def _write(project: Project, day: dt.date, data: Any) -> bool:
    """Validate and atomically store `day`'s snapshot; whether a byte changed. DayError when it cannot be."""
    path = snapshot_path(project.snapshots_dir, day)
    try:
        return write_snapshot(path, data)
    except SnapshotError as error:
        first = error.problems[0] if error.problems else "invalid snapshot"
        raise DayError(day, f"not stored, the result would be invalid: {first}") from None
    except OSError as error:
        raise DayError(day, f"cannot write {path}: {error.strerror or error}") from None
    except (yaml.YAMLError, RuamelYAMLError, ValueError, RecursionError) as error:
        raise DayError(day, f"not stored, it cannot be written as YAML ({brief(error)})") from None


def unexpected_failure(day: dt.date, error: Exception) -> DayOutcome:
    """The last resort: an error nobody foresaw fails its day alone, as one line, not a traceback."""
    return DayOutcome(day, "failed", error=unexpected(error))


def _unchanged_papers(project: Project, day: dt.date, fresh: NormalizedDay, stamp: str) -> int | None:
    """How many papers are stored when merging `fresh` would change nothing; None when it would.

    ruamel's round-trip loader is 10x slower; a daily refresh finds most days unchanged, so they are
    answered from plain data and the file is not even rewritten. Any doubt (a file PyYAML cannot read,
    or a value it reads differently) falls through to the full round-trip merge.
    """
    path = snapshot_path(project.snapshots_dir, day)
    try:  # the bounded reader: a stored file may have come from a pull request (a symlink, 50 MB, an alias)
        quick = safe_yaml.load(safe_yaml.read_regular_file(path))
    except (OSError, yaml.YAMLError, safe_yaml.InputProblem):
        return None
    if not isinstance(quick, dict) or not isinstance(quick.get("papers"), list):
        return None
    trial, _ = merge_day(copy.deepcopy(quick), fresh, stamp)
    return len(quick["papers"]) if plain(trial) == quick else None


def store_response(
    project: Project, day: dt.date, body: bytes | str, now: dt.datetime, *, record_failure: bool = False
) -> DayOutcome:
    """Read one response body for `day` (a saved file) and merge it into the stored snapshot.

    It goes through `store_entries`, as a fetched day's pages do, so a saved file and a live response
    with the same entries are stored identically.
    """
    try:
        entries = parse_response(body, day)
    except ResponseError as error:
        if record_failure:
            return store_failure(project, day, error.reason, now)
        return DayOutcome(day, "failed", error=error.reason)
    return store_entries(project, day, entries, now, record_failure=record_failure)


def store_entries(
    project: Project, day: dt.date, entries: list[Any], now: dt.datetime, *, record_failure: bool = False
) -> DayOutcome:
    """Normalize the entries the API lists for `day` and merge them into the stored snapshot.

    Bad entries store nothing, except that with `record_failure` (fetch) a day that has no snapshot
    yet gets a `status: failed` one. Never raises for a problem with the day: it returns a failed
    outcome instead, so one bad day does not stop the others.
    """
    stamp = format_timestamp(now)
    try:
        fresh = normalize_entries(entries, day, stamp)
    except ResponseError as error:
        if record_failure:
            return store_failure(project, day, error.reason, now)
        return DayOutcome(day, "failed", error=error.reason)
    unchanged = _unchanged_papers(project, day, fresh, stamp)
    if unchanged is not None:
        kind: OutcomeKind = "empty" if not fresh.papers else "unchanged"
        return DayOutcome(day, kind, papers=unchanged, warnings=tuple(fresh.warnings))
    try:
        stored = _read_stored(project, day)
        had_papers = isinstance(stored, dict) and bool(stored.get("papers"))
        merged, stats = merge_day(stored, fresh, stamp)
        changed = _write(project, day, merged)
    except DayError as error:
        return DayOutcome(day, "failed", error=error.what)
    if not fresh.papers:
        kind = "empty"
    elif not had_papers:
        kind = "new"
    else:
        kind = "updated" if changed else "unchanged"
    return DayOutcome(
        day,
        kind,
        papers=len(merged["papers"]),
        added=stats.added,
        changed=stats.changed,
        missing=stats.missing,
        warnings=tuple(fresh.warnings),
    )


def store_failure(project: Project, day: dt.date, reason: str, now: dt.datetime) -> DayOutcome:
    """Record that `day` could not be fetched: a `status: failed` snapshot if there is none yet.

    An existing snapshot, whatever its status, is left byte-identical: a failure adds nothing to it.
    """
    reason = " ".join(reason.split())
    path = snapshot_path(project.snapshots_dir, day)
    if not path.exists():
        stamp = format_timestamp(now)
        data = _new_mapping(
            {
                "format": FORMAT_VERSION,
                "date": day.isoformat(),
                "status": "failed",
                "first_fetched": stamp,
                "last_fetched": stamp,
                "error": reason[:2000],
                "papers": [],
            }
        )
        try:
            _write(project, day, data)
        except DayError as error:
            reason = f"{reason}; and {error.what}"
    return DayOutcome(day, "failed", error=reason)
