"""The snapshot store: finding, reading, validating and atomically writing
`content/snapshots/YYYY/YYYY-MM-DD.yaml`.

Snapshots arrive in pull requests from strangers, so one function (`collect_snapshots`) decides which
files are snapshots and what is wrong with each (name, folder, date, size, content); `validate` and
`build` both call it, so the build refuses exactly what `validate` refuses. Files are read through
`safe_yaml`, which bounds what a file can cost. Bulk reading uses PyYAML's C parser behind a cache keyed
by the file's hash, so a rebuild re-parses only files that changed. Writing goes through ruamel.yaml
round-trip so a maintainer's comments and key order survive every later fetch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

import fastjsonschema
import jsonschema
import yaml

from generator.core.dates import day_problem
from generator.core.errors import SnapshotError, UserError
from generator.store import format as snapshot_format
from generator.store import safe_yaml

YEAR_FOLDER = re.compile(r"^\d{4}$")
SNAPSHOT_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.yaml$")
YAML_SUFFIXES = (".yaml", ".yml")
EXPECTED_PLACE = "expected content/snapshots/YYYY/YYYY-MM-DD.yaml"
CACHE_VERSION = "2"
T = TypeVar("T")
MAX_SCHEMA_PROBLEMS = 100  # per file; a file with more is hostile or very broken, and the rest cost time
PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves
TIMESTAMP_FIELDS = ("first_fetched", "last_fetched")
PAPER_TIMESTAMP_FIELDS = ("published_at", "featured_at", "first_seen", "last_updated", "missing_since")

try:
    from yaml import CSafeLoader as FastLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    FastLoader = yaml.SafeLoader  # type: ignore[misc, assignment]
    print(
        "WARNING: PyYAML was built without libyaml; reading snapshots will be 5-15x slower. "
        "Reinstall PyYAML with libyaml available.",
        file=sys.stderr,
    )


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    date: dt.date


@cache
def snapshot_schema() -> dict[str, Any]:
    """The published JSON Schema: the one declarative definition of the format."""
    return snapshot_format.schema()


@cache
def _fast_validator() -> Any:
    return fastjsonschema.compile(snapshot_schema())


@cache
def _exact_patterns() -> dict[str, re.Pattern[str]]:
    """The schema's string patterns, matched whole: JSON Schema's `$` means the end, but Python's
    re.search also lets `$` match before a trailing newline, so `'2401.00001\\n'` would pass as an id."""
    schema = snapshot_schema()
    defs = schema["$defs"]
    return {
        "id": re.compile(defs["paper"]["properties"]["id"]["pattern"]),
        "day": re.compile(defs["day"]["pattern"]),
        "timestamp": re.compile(defs["timestamp"]["pattern"]),
    }


def snapshot_path(snapshots_dir: Path, day: dt.date) -> Path:
    return snapshots_dir / f"{day:%Y}" / f"{day.isoformat()}.yaml"


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# --- which files are snapshots -------------------------------------------------------------------


@dataclass
class Found:
    """What `find_snapshots` saw: the snapshot files with their bytes, and one problem line per refused file."""

    files: list[tuple[SnapshotFile, bytes]] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def refuse(self, path: Path, message: str) -> None:
        self.problems.append((path, f"{shown(path)}:1:1: {message}"))


def shown(path: Path) -> str:
    """A path fit for one log line. File names come from pull requests too: a newline in one could
    forge a second line (or a CI workflow command), so unprintable characters are shown escaped."""
    text = str(path)
    return text if text.isprintable() else text.encode("unicode_escape", "backslashreplace").decode("ascii")


def _is_yaml_name(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


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
        top_fd = os.open(snapshots_dir, _DIR_FLAGS)
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
        year_fd = os.open(folder.name, _DIR_FLAGS, dir_fd=top_fd)
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


# --- what is wrong inside a snapshot -------------------------------------------------------------


class _Positions:
    """Lines and columns of values in one file, found on its node tree. The tree is composed once, and
    only when a problem needs a position: composing a 4 MiB file for each of hundreds of problems
    would take minutes. Only used on files that already passed safe_yaml, so composing them is safe."""

    def __init__(self, raw: bytes | str):
        self.raw = raw
        self._root: Any = None
        self._composed = False

    def __call__(self, path_parts: list[Any]) -> tuple[int, int]:
        if not self._composed:
            self._composed = True
            with contextlib.suppress(yaml.YAMLError):
                self._root = yaml.compose(self.raw, Loader=FastLoader)
        node = self._root
        for part in path_parts:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == part:
                        child = value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
        if node is None:
            return (1, 1)
        return (node.start_mark.line + 1, node.start_mark.column + 1)


def _describe(path_parts: list[Any]) -> str:
    out = ""
    for part in path_parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            plain = isinstance(part, str) and part.isidentifier() and len(part) <= 40
            name = part if plain else safe_yaml.excerpt(part)
            out += f".{name}" if out else name
    return out or "snapshot"


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message with the value it quotes cut to a short escaped excerpt: a 100 KB title
    must not land whole in a CI log."""
    message = error.message.replace(repr(error.instance), safe_yaml.excerpt(error.instance), 1)
    message = " ".join(message.split())
    return message if len(message) <= 200 else message[:197] + "..."


def _exact_problems(data: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """Patterns the schema declares, matched whole (see _exact_patterns); only run once the schema passed."""
    patterns = _exact_patterns()
    found: list[tuple[list[Any], str]] = []

    def check(parts: list[Any], value: Any, kind: str) -> None:
        if isinstance(value, str) and not patterns[kind].fullmatch(value):
            found.append((parts, f"{_describe(parts)}: {safe_yaml.excerpt(value)} does not match the {kind} pattern"))

    check(["date"], data.get("date"), "day")
    for key in TIMESTAMP_FIELDS:
        check([key], data.get(key), "timestamp")
    for index, paper in enumerate(data.get("papers", ())):
        check(["papers", index, "id"], paper.get("id"), "id")
        for key in PAPER_TIMESTAMP_FIELDS:
            check(["papers", index, key], paper.get(key), "timestamp")
    return found


def check_snapshot(path: Path, text: bytes | str, data: Any, expected: dt.date | None) -> list[str]:
    """Every problem in one parsed snapshot, as `path:line:col: message` lines (empty when valid); past
    MAX_SCHEMA_PROBLEMS schema problems, one line counts the rest."""
    problems: list[tuple[int, int, str]] = []
    position = _Positions(text)
    try:
        _fast_validator()(data)
        schema_ok = True
    except fastjsonschema.JsonSchemaException:
        schema_ok = False
    if not schema_ok:
        if safe_yaml.depth_of(data) > safe_yaml.MAX_DEPTH:
            return [f"{path}:1:1: nested more than {safe_yaml.MAX_DEPTH} levels deep"]
        validator = jsonschema.Draft202012Validator(snapshot_schema())
        more = 0
        for error in validator.iter_errors(data):
            if len(problems) == MAX_SCHEMA_PROBLEMS:
                more += 1
                continue
            parts = list(error.absolute_path)
            line, col = position(parts)
            problems.append((line, col, f"{_describe(parts)}: {_message(error)}"))
        if more:
            return [f"{path}:{line}:{col}: {message}" for line, col, message in sorted(problems)] + [
                f"{path}:1:1: ... and {more} more problem(s) in this file"]
    if not schema_ok and not problems:  # fastjsonschema matches patterns whole; jsonschema's search may not
        for parts, message in _exact_problems(data):
            problems.append((*position(parts), message))
    if isinstance(data, dict):
        if expected is not None and data.get("date") != expected.isoformat() and schema_ok:
            line, col = position(["date"])
            problems.append((line, col, f"date: {safe_yaml.excerpt(data.get('date'))} does not match the file name"))
        papers = data.get("papers")
        if isinstance(papers, list):
            seen: set[str] = set()
            for index, paper in enumerate(papers):
                pid = paper.get("id") if isinstance(paper, dict) else None
                if isinstance(pid, str):
                    if pid in seen:
                        line, col = position(["papers", index, "id"])
                        problems.append((line, col, f"papers[{index}].id: {safe_yaml.excerpt(pid)[1:-1]} "
                                                    "is listed twice on this day"))
                    seen.add(pid)
            if data.get("status") == "listed" and not papers and schema_ok:
                problems.append((*position(["status"]), "status: 'listed' but there are no papers"))
            if data.get("status") in ("empty", "failed") and papers:
                problems.append((*position(["status"]), f"status: {data['status']!r} but papers are listed"))
    return [f"{path}:{line}:{col}: {message}" for line, col, message in sorted(problems)]


def parse_snapshot_bytes(path: Path, raw: bytes, expected: dt.date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Parse and check the bytes of one snapshot; returns its data and its problems."""
    try:
        data = safe_yaml.load(raw)
    except safe_yaml.InputProblem as problem:
        return {}, [f"{path}:{problem.line}:{problem.col}: {problem.message}"]
    return data, check_snapshot(path, raw, data, expected)


def parse_snapshot(path: Path, expected: dt.date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Read (within bounds, never through a symlink) and check one snapshot; returns its data and problems."""
    try:
        raw = safe_yaml.read_regular_file(path)
    except safe_yaml.InputProblem as problem:
        return {}, [f"{path}:1:1: {problem.message}"]
    return parse_snapshot_bytes(path, raw, expected)


# --- the cache -----------------------------------------------------------------------------------


def _open_folder_chain(folder: Path, create: bool) -> int | None:
    """An fd of `folder`, opened one component at a time from / without following any symlink, so a
    crafted `.cache` link can never send reads or writes elsewhere. None when that is not possible."""
    if not folder.is_absolute():
        return None
    fd = os.open("/", _DIR_FLAGS)
    try:
        for part in folder.parts[1:]:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o700, dir_fd=fd)
            next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = next_fd
    except OSError:
        os.close(fd)
        return None
    return fd


def machine_key(key_file: Path) -> bytes | None:
    """This machine's secret for signing cache entries (created on first use, mode 0600), or None when
    it cannot be had: then nothing is cached. It lives outside the repository, so no entry that arrives
    with a checkout, or is edited in place, can carry a valid signature."""
    folder = _open_folder_chain(key_file.parent, create=True)
    if folder is None:
        return None
    try:
        try:
            fd = os.open(key_file.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        try:
            fd = os.open(key_file.name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_uid != os.getuid():
                return None
            key = os.read(fd, 64)
        finally:
            os.close(fd)
        return key if len(key) >= 32 else None
    finally:
        os.close(folder)


class SnapshotCache:
    """Converted snapshots as signed JSON entries, keyed by the SHA-256 of the snapshot's bytes plus a
    salt (the code and data the converted form depends on).

    An entry is used only when its HMAC, made with this machine's key, matches: a committed, copied or
    edited entry is a cache miss, never a result. JSON holds only data, unlike the pickles this cache
    used before, which could run code. Values must be JSON data (tuples come back as lists).
    """

    def __init__(self, folder: Path | None, salt: str = "", key_file: Path | None = None):
        self.folder = folder
        self.salt = (CACHE_VERSION + "\0" + salt).encode()
        self.key = machine_key(key_file) if folder is not None and key_file is not None else None
        self._fd: int | None = None

    def __enter__(self) -> SnapshotCache:
        if self.folder is not None and self.key is not None:
            self._fd = _open_folder_chain(self.folder, create=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _name(self, raw: bytes) -> str:
        return hashlib.sha256(self.salt + b"\0" + raw).hexdigest()

    def _mac(self, name: str, payload: bytes) -> bytes:
        assert self.key is not None
        return hmac.new(self.key, name.encode() + b"\n" + payload, hashlib.sha256).hexdigest().encode()

    def get(self, raw: bytes) -> Any | None:
        if self._fd is None:
            return None
        name = self._name(raw)
        try:
            entry = safe_yaml.read_regular_file(f"{name}.json", dir_fd=self._fd, limit=4 * safe_yaml.MAX_BYTES)
        except safe_yaml.InputProblem:
            return None
        mac, _, payload = entry.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(name, payload)):
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def put(self, raw: bytes, value: Any) -> None:
        if self._fd is None:
            return
        name = self._name(raw)
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        tmp = f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=self._fd)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._mac(name, payload) + b"\n" + payload)
            os.replace(tmp, f"{name}.json", src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self._fd)


# --- loading and validating everything: one function for both ------------------------------------


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


# --- writing -------------------------------------------------------------------------------------


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


_YAML11_RESOLVER = yaml.resolver.Resolver()


@cache
def _round_trip_representer() -> Any:
    """ruamel's round-trip representer, but quoting every plain string YAML 1.1 would read as non-text.

    ruamel writes YAML 1.2, where `yes`, `On` or `1:20` are plain strings; PyYAML (the bulk reader)
    reads YAML 1.1 and would turn them into booleans and integers, so a paper titled `Yes` or an
    author named `No` would no longer validate. Quoting them keeps the text text for both readers.
    """
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        def represent_str(self, data: str) -> Any:
            tag = _YAML11_RESOLVER.resolve(yaml.ScalarNode, data, (True, False))
            if tag != "tag:yaml.org,2002:str":
                return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
            return super().represent_str(data)

    Representer.add_representer(str, Representer.represent_str)
    return Representer


def round_trip_yaml() -> Any:
    """The ruamel.yaml round-trip dumper/loader every written snapshot goes through."""
    from ruamel.yaml import YAML

    handler = YAML(typ="rt")
    handler.Representer = _round_trip_representer()
    handler.width = 4096  # one line per field: readable diffs, and no folding to re-flow
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.preserve_quotes = True
    return handler


def read_round_trip(path: Path) -> Any:
    """A stored snapshot as ruamel's commented data, ready to update in place.

    The file passes the same bounds as every other read first (safe_yaml.InputProblem otherwise):
    ruamel is pure Python and would follow a symlink, read any size and keep anchors and tags."""
    raw = safe_yaml.read_regular_file(path)
    safe_yaml.load(raw)
    return round_trip_yaml().load(raw.decode("utf-8"))


def dump_round_trip(data: Any) -> str:
    stream = io.StringIO()
    round_trip_yaml().dump(data, stream)
    return stream.getvalue()


def write_snapshot(path: Path, data: Any) -> bool:
    """Atomically store `data` (ruamel commented data or plain dicts); returns whether the bytes changed.

    The text is checked against the schema before anything is written, so a bug upstream can never
    replace a good snapshot with an invalid one.
    """
    text = dump_round_trip(data)
    parsed = yaml.load(text, Loader=FastLoader)
    problems = check_snapshot(path, text, parsed, None)
    if problems:
        raise SnapshotError(problems)
    encoded = text.encode("utf-8")
    with contextlib.suppress(OSError, safe_yaml.InputProblem):  # never follow a link or read without bound
        if safe_yaml.read_regular_file(path) == encoded:
            return False
    atomic_write_bytes(path, encoded)
    return True


def iter_problems(problems: list[str], limit: int = 200) -> Iterator[str]:
    """At most `limit` problem lines, then a count of the rest, so a broken archive stays readable."""
    yield from problems[:limit]
    if len(problems) > limit:
        yield f"... and {len(problems) - limit} more problem(s)"
