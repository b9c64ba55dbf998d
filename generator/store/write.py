"""Writing a snapshot: ruamel.yaml round-trip, so a maintainer's comments and key order survive every
later fetch; checked against the schema before a byte is written, and replaced atomically.
"""

from __future__ import annotations

import contextlib
import io
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from generator.core.errors import SnapshotError
from generator.store import safe_yaml
from generator.store.check import FastLoader, check_snapshot
from generator.store.files import atomic_write_bytes

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
