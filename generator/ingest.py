"""`dailypapers import`: store saved API responses exactly as `fetch` would.

A saved response goes through the very same function as a live day's joined pages
(`merge.store_response` reads it, then `merge.store_entries` stores it), so a backfill from files and a
backfill from the API give byte-identical snapshots for the same entries.
Files are stored in the order given: a later file is a later fetch of its day. A file that cannot be
used is one line naming it and the problem; the other files are still stored.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path

from generator.dates import day_problem
from generator.errors import UserError
from generator.merge import DayOutcome, project_lock, store_response, summary_line, unexpected_failure
from generator.normalize import MAX_BODY_BYTES
from generator.project import Project

# `2025-09-08.json`, and also `2025-09-08.partial.json` or `2025-09-08.anything.json` (fullmatch only)
DATED_NAME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(\.[^/]*)?\.json", re.IGNORECASE)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def date_from_name(path: Path) -> dt.date | None:
    """The day a saved response is for, from a name like `2025-09-08.json`; None when it has none."""
    match = DATED_NAME.fullmatch(path.name)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match[1])
    except ValueError:
        return None


def import_file(project: Project, path: Path, date: dt.date | None, now: dt.datetime) -> DayOutcome | str:
    """Store one saved response; returns the outcome, or a one-line problem when it was not stored."""
    day = date or date_from_name(path)
    if day is None:
        return "cannot tell the day from the name; name it YYYY-MM-DD.json or pass --date YYYY-MM-DD"
    problem = day_problem(day, now.astimezone(dt.UTC).date())
    if problem:
        return problem
    try:
        size = path.stat().st_size
        if size > MAX_BODY_BYTES:
            return f"{day}: file is {size:,} bytes, more than the {MAX_BODY_BYTES:,} a day's response can be"
        body = path.read_bytes()
    except OSError as error:
        return f"cannot read it: {error.strerror or error}"
    return store_response(project, day, body, now)


def import_command(
    project: Project,
    files: list[Path],
    date: dt.date | None,
    *,
    clock: Callable[[], dt.datetime] = _utcnow,
    lock_wait: float = 30.0,
) -> int:
    """`dailypapers import`: one line per file, a summary; exit 1 if any file was not stored."""
    problem = None if date is None else day_problem(date, clock().astimezone(dt.UTC).date())
    if problem:
        raise UserError(f"--date {problem}")
    outcomes: list[DayOutcome] = []
    failed_files = 0
    with project_lock(project, wait=lock_wait):
        for path in files:
            try:
                result = import_file(project, path, date, clock())
            except Exception as error:  # the last resort: whatever goes wrong fails this file alone
                day = date or date_from_name(path)
                result = unexpected_failure(day, error) if day else f"unexpected error ({type(error).__name__})"
            if isinstance(result, str):
                failed_files += 1
                print(f"{path}: {result}", file=sys.stderr)
                continue
            outcomes.append(result)
            line = f"{path}: {result.describe()}"
            print(line, file=sys.stderr if result.kind == "failed" else sys.stdout)
            for warning in result.warnings:
                print(f"{path}: warning: {warning}", file=sys.stderr)
            if result.kind == "failed":
                failed_files += 1
    print(summary_line("import", outcomes, "file(s)", unread=len(files) - len(outcomes)))
    return 1 if failed_files else 0
