"""`dailypapers import`: store saved API responses exactly as `fetch` would.

A saved response goes through the very same function as a live day's joined pages
(`merge.store_response` reads it, then `merge.store_entries` stores it), so a backfill from files and a
backfill from the API give byte-identical snapshots for the same entries.
Files are stored in the order given: a later file is a later fetch of its day. A file that cannot be
used gets a FileError naming it and the problem (the CLI prints it as one line); the other files are
still stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.core.dates import day_problem
from generator.core.errors import FileError, UserError, unexpected
from generator.core.project import Project
from generator.ingest.merge import DayOutcome, project_lock, store_response, unexpected_failure
from generator.ingest.normalize import MAX_BODY_BYTES
from generator.store import safe_yaml

# `2025-09-08.json`, and also `2025-09-08.partial.json` or `2025-09-08.anything.json` (fullmatch only)
DATED_NAME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(\.[^/]*)?\.json", re.IGNORECASE)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class FileResult:
    """What importing one file did: the day's outcome, or the problem that stopped it naming a day."""

    path: Path
    outcome: DayOutcome | None = None
    problem: FileError | None = None

    @property
    def failed(self) -> bool:
        return self.outcome is None or self.outcome.kind == "failed"


def date_from_name(path: Path) -> dt.date | None:
    """The day a saved response is for, from a name like `2025-09-08.json`; None when it has none."""
    match = DATED_NAME.fullmatch(path.name)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match[1])
    except ValueError:
        return None


def import_file(project: Project, path: Path, date: dt.date | None, now: dt.datetime) -> DayOutcome | FileError:
    """Store one saved response; returns the outcome, or the file's problem when it was not stored."""
    day = date or date_from_name(path)
    if day is None:
        return FileError(path, "cannot tell the day from the name; name it YYYY-MM-DD.json or pass --date YYYY-MM-DD")
    outside = day_problem(day, now.astimezone(dt.UTC).date())
    if outside:
        return FileError(path, outside)
    try:  # a FIFO, a device such as /dev/zero or a folder is refused before a byte is read
        body = safe_yaml.read_regular_file(path, limit=MAX_BODY_BYTES, follow_symlinks=True)
    except safe_yaml.InputProblem as problem:
        return FileError(path, f"{day}: {problem.message}")
    return store_response(project, day, body, now)


def import_files(
    project: Project,
    files: list[Path],
    date: dt.date | None,
    *,
    clock: Callable[[], dt.datetime] = _utcnow,
    lock_wait: float = 30.0,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Store each file in the order given, holding the project lock; one result per file, in order.

    A bad `date` raises UserError before anything is read; a bad file fails alone. `on_file` hears of
    each file as soon as it is stored, so a long import can show its progress.
    """
    problem = None if date is None else day_problem(date, clock().astimezone(dt.UTC).date())
    if problem:
        raise UserError(f"--date {problem}")
    results: list[FileResult] = []
    with project_lock(project, wait=lock_wait):
        for path in files:
            try:
                stored = import_file(project, path, date, clock())
            except Exception as error:  # the last resort: whatever goes wrong fails this file alone
                day = date or date_from_name(path)
                stored = unexpected_failure(day, error) if day else FileError(path, unexpected(error))
            if isinstance(stored, FileError):
                result = FileResult(path, problem=stored)
            else:
                result = FileResult(path, outcome=stored)
            results.append(result)
            if on_file is not None:
                on_file(result)
    return results
