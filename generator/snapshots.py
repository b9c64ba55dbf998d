"""The snapshot store: reading, validating and atomically writing `content/snapshots/YYYY/YYYY-MM-DD.yaml`.

Bulk reading uses PyYAML's C loader (5-15x faster than pure Python) behind a cache keyed by the file's
hash, so a rebuild re-parses only files that changed. Writing goes through ruamel.yaml round-trip so a
maintainer's comments and key order survive every later fetch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import fastjsonschema
import jsonschema
import yaml

FORMAT_VERSION = 1
SNAPSHOT_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.yaml$")
CACHE_VERSION = "1"
T = TypeVar("T")
PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves

try:
    from yaml import CSafeLoader as FastLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    FastLoader = yaml.SafeLoader  # type: ignore[misc]
    print(
        "WARNING: PyYAML was built without libyaml; reading snapshots will be 5-15x slower. "
        "Reinstall PyYAML with libyaml available.",
        file=sys.stderr,
    )


class SnapshotError(Exception):
    """Snapshots that cannot be used; `problems` holds one `path:line:col: message` line each."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in snapshots")
        self.problems = problems


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    date: dt.date


@cache
def snapshot_schema() -> dict[str, Any]:
    """The published JSON Schema: the one declarative definition of the format."""
    return json.loads(resources.files("generator").joinpath("schema/snapshot.schema.json").read_text())


@cache
def _fast_validator() -> Any:
    return fastjsonschema.compile(snapshot_schema())


def snapshot_path(snapshots_dir: Path, day: dt.date) -> Path:
    return snapshots_dir / f"{day:%Y}" / f"{day.isoformat()}.yaml"


def find_snapshots(snapshots_dir: Path) -> list[SnapshotFile]:
    """Every `YYYY/YYYY-MM-DD.yaml` below the folder, oldest first. Other files are not snapshots."""
    found = []
    for path in snapshots_dir.glob("*/*.yaml"):
        match = SNAPSHOT_NAME.match(path.name)
        if not match:
            continue
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        found.append(SnapshotFile(path, day))
    return sorted(found, key=lambda f: f.date)


def _position(text: str, path_parts: list[Any]) -> tuple[int, int]:
    """Line and column (1-based) of the node at a JSON-pointer-like path, or of its nearest parent."""
    try:
        node = yaml.compose(text, Loader=FastLoader)
    except yaml.YAMLError:
        return (1, 1)
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
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "snapshot"


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def check_snapshot(path: Path, text: str, data: Any, expected: dt.date | None) -> list[str]:
    """Every problem in one parsed snapshot, as `path:line:col: message` lines (empty when valid)."""
    problems: list[tuple[int, int, str]] = []
    try:
        _fast_validator()(data)
        schema_ok = True
    except fastjsonschema.JsonSchemaException:
        schema_ok = False
    if not schema_ok:
        validator = jsonschema.Draft202012Validator(snapshot_schema())
        for error in validator.iter_errors(data):
            parts = list(error.absolute_path)
            line, col = _position(text, parts)
            problems.append((line, col, f"{_describe(parts)}: {_short(error.message)}"))
    if isinstance(data, dict):
        if expected is not None and data.get("date") != expected.isoformat() and schema_ok:
            line, col = _position(text, ["date"])
            problems.append((line, col, f"date: {data.get('date')!r} does not match the file name"))
        papers = data.get("papers")
        if isinstance(papers, list):
            seen: set[str] = set()
            for index, paper in enumerate(papers):
                pid = paper.get("id") if isinstance(paper, dict) else None
                if isinstance(pid, str):
                    if pid in seen:
                        line, col = _position(text, ["papers", index, "id"])
                        problems.append((line, col, f"papers[{index}].id: {pid} is listed twice on this day"))
                    seen.add(pid)
            if data.get("status") == "listed" and not papers and schema_ok:
                problems.append((*_position(text, ["status"]), "status: 'listed' but there are no papers"))
            if data.get("status") in ("empty", "failed") and papers:
                problems.append((*_position(text, ["status"]), f"status: {data['status']!r} but papers are listed"))
    return [f"{path}:{line}:{col}: {message}" for line, col, message in sorted(problems)]


def parse_snapshot(path: Path, expected: dt.date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Read and check one snapshot; returns its data and its problems."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return {}, [f"{path}:1:1: cannot read: {error}"]
    try:
        data = yaml.load(text, Loader=FastLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return {}, [f"{path}:{line}:{col}: YAML syntax error: {error.problem}"]
    except yaml.YAMLError as error:
        return {}, [f"{path}:1:1: YAML error: {_short(str(error))}"]
    return data, check_snapshot(path, text, data, expected)


class SnapshotCache:
    """Loaded snapshots keyed by the SHA-256 of their bytes plus a salt (what the loaded form depends
    on besides the file), kept as pickles under `.cache/`."""

    def __init__(self, folder: Path | None, salt: str = ""):
        self.folder = folder
        self.salt = (CACHE_VERSION + salt).encode()

    def _entry(self, raw: bytes) -> Path | None:
        if self.folder is None:
            return None
        digest = hashlib.sha256(raw + self.salt).hexdigest()
        return self.folder / digest[:2] / f"{digest}.pickle"

    def get(self, raw: bytes) -> Any | None:
        entry = self._entry(raw)
        if entry is None or not entry.exists():
            return None
        try:
            return pickle.loads(entry.read_bytes())
        except Exception:  # a damaged cache entry is only a cache miss
            return None

    def put(self, raw: bytes, value: Any) -> None:
        entry = self._entry(raw)
        if entry is None:
            return
        with contextlib.suppress(OSError):
            entry.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def _identity(data: dict[str, Any]) -> Any:
    return data


def _load_file(file: SnapshotFile, convert: Callable[[dict[str, Any]], T]) -> tuple[T | None, list[str]]:
    data, problems = parse_snapshot(file.path, file.date)
    return (None, problems) if problems else (convert(data), [])


def _load_all(files: list[SnapshotFile], convert: Callable[[dict[str, Any]], T]) -> list[tuple[T | None, list[str]]]:
    """Parse, check and convert files, on every core when there are many: PyYAML's C loader still
    builds Python objects in Python (about 17 ms for a 25-paper day), so a cold full archive is
    20+ s of work on one core."""
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_THRESHOLD or workers < 2:
        return [_load_file(file, convert) for file in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(partial(_load_file, convert=convert), files, chunksize=16))


def load_snapshots(
    snapshots_dir: Path,
    cache_dir: Path | None = None,
    convert: Callable[[dict[str, Any]], T] = _identity,  # type: ignore[assignment]
    salt: str = "",
) -> list[T]:
    """Every snapshot, oldest first, passed through `convert` (default: the parsed data).

    Converted results are cached by file content; `salt` must change whenever what `convert`
    returns for the same file can change. Raises SnapshotError listing every problem found.
    """
    cache = SnapshotCache(cache_dir, salt)
    problems: list[str] = []
    loaded: dict[Path, T] = {}
    missing: list[tuple[SnapshotFile, bytes]] = []
    files = find_snapshots(snapshots_dir)
    for file in files:
        try:
            raw = file.path.read_bytes()
        except OSError as error:
            problems.append(f"{file.path}:1:1: cannot read: {error}")
            continue
        value = cache.get(raw)
        if value is None:
            missing.append((file, raw))
        else:
            loaded[file.path] = value
    results = _load_all([file for file, _ in missing], convert)
    for (file, raw), (value, found) in zip(missing, results, strict=True):
        if found:
            problems.extend(found)
        else:
            cache.put(raw, value)
            loaded[file.path] = value  # type: ignore[assignment]
    if problems:
        raise SnapshotError(problems)
    return [loaded[file.path] for file in files]


def validate_all(snapshots_dir: Path) -> list[str]:
    """Every problem in every snapshot, without using or filling the cache."""
    problems = []
    for path in sorted(snapshots_dir.rglob("*.yaml")):
        match = SNAPSHOT_NAME.match(path.name)
        if not match:
            problems.append(f"{path}:1:1: not a snapshot name; expected YYYY/YYYY-MM-DD.yaml")
            continue
        try:
            expected = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            problems.append(f"{path}:1:1: {path.stem} is not a calendar date")
            continue
        if path.parent.name != f"{expected:%Y}":
            problems.append(f"{path}:1:1: belongs in the folder {expected:%Y}/")
        problems.extend(parse_snapshot(path, expected)[1])
    return problems


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
    """A stored snapshot as ruamel's commented data, ready to update in place."""
    return round_trip_yaml().load(path.read_text(encoding="utf-8"))


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
    if path.exists() and path.read_bytes() == encoded:
        return False
    atomic_write_bytes(path, encoded)
    return True


def iter_problems(problems: list[str], limit: int = 200) -> Iterator[str]:
    """At most `limit` problem lines, then a count of the rest, so a broken archive stays readable."""
    yield from problems[:limit]
    if len(problems) > limit:
        yield f"... and {len(problems) - limit} more problem(s)"
