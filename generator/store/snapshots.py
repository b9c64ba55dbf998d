"""The one decision on snapshots, for `validate` and `build` alike: which files are snapshots, what is
wrong with each (name, folder, date, size, content), and the converted value of every good one.

Snapshots arrive in pull requests from strangers, so `collect_snapshots` is the only door: `validate`
and `build` both go through it, and the build refuses exactly what `validate` refuses. Its parts:
finding and reading the files within bounds (files.py), checking one snapshot (check.py), the signed
cache of converted ones (cache.py); writing is write.py.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from generator.core.errors import SnapshotError, UserError
from generator.store.cache import SnapshotCache
from generator.store.check import parse_snapshot_bytes
from generator.store.files import SnapshotFile, find_snapshots, utc_today

T = TypeVar("T")
PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves


def _identity(data: dict[str, Any]) -> Any:
    return data


def _load_file(item: tuple[SnapshotFile, bytes], convert: Callable[[dict[str, Any]], T]) -> tuple[T | None, list[str]]:
    file, raw = item
    data, problems = parse_snapshot_bytes(file.path, raw, file.date)
    return (None, problems) if problems else (convert(data), [])


def _load_all(items: list[tuple[SnapshotFile, bytes]],
              convert: Callable[[dict[str, Any]], T]) -> list[tuple[T | None, list[str]]]:
    """Parse, check and convert files, on every core when there are many: PyYAML's C loader still
    builds Python objects in Python (about 6 ms for a 25-paper day), so a cold full archive is
    seconds of work on one core. Workers get the bytes already read, never a path to open again."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_THRESHOLD or workers < 2:
        return [_load_file(item, convert) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(partial(_load_file, convert=convert), items, chunksize=16))
    except BrokenProcessPool:  # a worker was killed (the kernel's out-of-memory killer, most likely)
        raise UserError("reading the snapshots failed: a worker process was killed (out of memory?); "
                        "run again, or free memory first") from None


@dataclass(frozen=True)
class Collected:
    """Every snapshot's converted value (oldest first), how many files were checked, every problem."""

    values: list[Any]
    checked: int
    problems: list[str]


def collect_snapshots(
    snapshots_dir: Path,
    convert: Callable[[dict[str, Any]], T] = _identity,
    cache: SnapshotCache | None = None,
    today: dt.date | None = None,
) -> Collected:
    """THE decision on snapshots, for `validate` and `build` alike: which files are snapshots, what is
    wrong with each (place, name, date, size, content), and the converted value of each good one.
    Problems are grouped by file, files in path order."""
    found = find_snapshots(snapshots_dir, today or utc_today())
    problems: dict[Path, list[str]] = {}
    for path, line in found.problems:
        problems.setdefault(path, []).append(line)
    loaded: dict[Path, Any] = {}
    missing: list[tuple[SnapshotFile, bytes]] = []
    for file, raw in found.files:
        value = cache.get(raw) if cache is not None else None
        if value is None:
            missing.append((file, raw))
        else:
            loaded[file.path] = value
    for (file, raw), (value, file_problems) in zip(missing, _load_all(missing, convert), strict=True):
        if file_problems:
            problems[file.path] = file_problems
        else:
            if cache is not None:
                cache.put(raw, value)
            loaded[file.path] = value
    lines = [line for path in sorted(problems) for line in problems[path]]
    values = [loaded[file.path] for file, _ in found.files if file.path in loaded]
    return Collected(values, len(found.files) + len(found.problems), lines)


def load_snapshots(
    snapshots_dir: Path,
    cache_dir: Path | None = None,
    convert: Callable[[dict[str, Any]], T] = _identity,
    salt: str = "",
    key_file: Path | None = None,
    today: dt.date | None = None,
) -> list[T]:
    """Every snapshot, oldest first, passed through `convert` (default: the parsed data).

    Converted results are cached by file content when `cache_dir` and `key_file` are given; `salt` must
    change whenever what `convert` returns for the same file can change. Raises SnapshotError listing
    every problem found, exactly those `validate_snapshots` reports.
    """
    with SnapshotCache(cache_dir, salt, key_file) as cache:
        collected = collect_snapshots(snapshots_dir, convert, cache, today)
    if collected.problems:
        raise SnapshotError(collected.problems)
    return collected.values


def validate_snapshots(snapshots_dir: Path, today: dt.date | None = None) -> Collected:
    """Every problem in every snapshot, without using or filling the cache."""
    return collect_snapshots(snapshots_dir, today=today)


def validate_all(snapshots_dir: Path, today: dt.date | None = None) -> list[str]:
    return validate_snapshots(snapshots_dir, today).problems


def iter_problems(problems: list[str], limit: int = 200) -> Iterator[str]:
    """At most `limit` problem lines, then a count of the rest, so a broken archive stays readable."""
    yield from problems[:limit]
    if len(problems) > limit:
        yield f"... and {len(problems) - limit} more problem(s)"
