"""Which files are snapshots, read within bounds, and how any file of the store is written: atomically.

A snapshot is a plain file `content/snapshots/YYYY/YYYY-MM-DD.yaml`; everything else a pull request may
put there (links, misplaced or misnamed YAML, folders) is a problem with its own line. Folders are opened
without following links and files relative to them, so nothing outside the snapshots folder is read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.dates import day_problem
from generator.core.errors import shown
from generator.store import safe_yaml

YEAR_FOLDER = re.compile(r"^\d{4}$")


SNAPSHOT_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.yaml$")


YAML_SUFFIXES = (".yaml", ".yml")


EXPECTED_PLACE = "expected content/snapshots/YYYY/YYYY-MM-DD.yaml"


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    date: dt.date


def snapshot_path(snapshots_dir: Path, day: dt.date) -> Path:
    return snapshots_dir / f"{day:%Y}" / f"{day.isoformat()}.yaml"


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass
class Found:
    """What `find_snapshots` saw: the snapshot files with their bytes, and one problem line per refused file."""

    files: list[tuple[SnapshotFile, bytes]] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def refuse(self, path: Path, message: str) -> None:
        self.problems.append((path, f"{shown(path)}:1:1: {message}"))


def _is_yaml_name(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def find_snapshots(snapshots_dir: Path, today: dt.date) -> Found:
    """Every snapshot file, oldest first, read within bounds; and why each refused file was refused.

    A snapshot is a plain file `YYYY-MM-DD.yaml` in the plain folder `YYYY/` of its own year, dated from
    the list's first day to tomorrow (UTC). Any symlink, other folders and misplaced or misnamed YAML
    files are problems; other plain files (a README.md, a killed run's `.*.tmp`) are ignored.
    Folders are opened without following links and files relative to them, so nothing outside the
    snapshots folder is ever read.
    """
    found = Found()
    for folder in (snapshots_dir.parent, snapshots_dir):
        if folder.is_symlink():
            found.refuse(folder, "is a symbolic link; the snapshots folder must be a plain folder")
            return found
    try:
        top_fd = os.open(snapshots_dir, DIR_FLAGS)
    except FileNotFoundError:
        return found  # no snapshots yet
    except OSError as error:
        found.refuse(snapshots_dir, f"cannot read the snapshots folder: {error.strerror}")
        return found
    try:
        for path, entry in _entries(found, snapshots_dir, top_fd):
            if entry.is_dir(follow_symlinks=False):
                if YEAR_FOLDER.match(entry.name):
                    _find_in_year(found, path, top_fd, today)
                else:
                    found.refuse(path, f"not a year folder; {EXPECTED_PLACE}")
            elif _is_yaml_name(entry.name):
                found.refuse(path, _misplaced(path))
    finally:
        os.close(top_fd)
    found.files.sort(key=lambda item: item[0].date)
    return found


def _entries(found: Found, folder: Path, folder_fd: int) -> Iterator[tuple[Path, os.DirEntry[str]]]:
    """A folder's entries by name, each with its path; a symbolic link is refused here, never followed."""
    with os.scandir(folder_fd) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        path = folder / entry.name
        if entry.is_symlink():
            found.refuse(path, f"is a symbolic link; {EXPECTED_PLACE} as a plain file")
        else:
            yield path, entry


def _misplaced(path: Path) -> str:
    day = _name_date(path.name)
    if day is not None:
        return f"belongs in the folder {day:%Y}/; {EXPECTED_PLACE}"
    return f"not a snapshot name; {EXPECTED_PLACE}"


def _name_date(name: str) -> dt.date | None:
    match = SNAPSHOT_NAME.match(name)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _find_in_year(found: Found, folder: Path, top_fd: int, today: dt.date) -> None:
    try:
        year_fd = os.open(folder.name, DIR_FLAGS, dir_fd=top_fd)
    except OSError as error:
        found.refuse(folder, f"cannot read the folder: {error.strerror}")
        return
    try:
        for path, entry in _entries(found, folder, year_fd):
            if entry.is_dir(follow_symlinks=False):
                found.refuse(path, f"a folder inside a year folder; {EXPECTED_PLACE}")
                continue
            if not _is_yaml_name(entry.name):
                continue
            day = _name_date(entry.name)
            if day is None:
                reason = ("is not a calendar date" if SNAPSHOT_NAME.match(entry.name) else "not a snapshot name")
                found.refuse(path, f"{reason}; {EXPECTED_PLACE}")
                continue
            if folder.name != f"{day:%Y}":
                found.refuse(path, _misplaced(path))
                continue
            outside = day_problem(day, today)
            if outside is not None:
                found.refuse(path, outside)
                continue
            try:
                raw = safe_yaml.read_regular_file(entry.name, dir_fd=year_fd)
            except safe_yaml.InputProblem as problem:
                found.refuse(path, problem.message)
                continue
            found.files.append((SnapshotFile(path, day), raw))
    finally:
        os.close(year_fd)


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data` so that a reader, or a crash, sees the old file or the new, never half.

    The temporary file lives in the same folder (rename is atomic only within a file system); it is
    flushed and fsynced before the rename, and the folder is fsynced after it when `durable`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if durable:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
