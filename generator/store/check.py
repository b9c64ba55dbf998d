"""What is wrong inside one snapshot: the JSON Schema (generator/store/schema/), the patterns matched
whole, and the rules a schema cannot say (the date matches the file name, an id is listed once a day,
a status agrees with its papers); every problem a `path:line:col: message` line.

Bulk reading uses PyYAML's C loader (FastLoader): 5-15x faster than the pure-Python one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from generator.store import format as snapshot_format
from generator.store import safe_yaml

MAX_SCHEMA_PROBLEMS = 100  # per file; a file with more is hostile or very broken, and the rest cost time


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
