"""The snapshot format, defined once: the JSON Schema in generator/store/schema/snapshot.schema.json.

Every other module takes its keys from here rather than spelling them: the normalizer writes papers'
keys in PAPER_KEYS order, the merge inserts a new key where this order puts it, the loader turns each
key into the model field of the same name. tests/unit/test_snapshot_format.py checks that the schema, the
normalizer, the merge, the model and the loader agree field by field, so a field added to the schema
and the model is carried through every stage, and one added to only one of them fails a test.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_RESOURCE = "schema/snapshot.schema.json"  # in this package; the site publishes it at the same path


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema (it keeps its keys in the order a snapshot writes them)."""
    loaded: dict[str, Any] = json.loads(schema_bytes())
    return loaded


def schema_bytes() -> bytes:
    return resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_bytes()


def _keys(definition: dict[str, Any]) -> tuple[str, ...]:
    return tuple(definition["properties"])


FORMAT_VERSION: int = schema()["properties"]["format"]["const"]
TOP_KEYS = _keys(schema())
"""A snapshot's top-level keys, in the order a written file has them."""
PAPER_KEYS = _keys(schema()["$defs"]["paper"])
"""A stored paper's keys, in the order a written file has them."""
AUTHOR_KEYS = _keys(schema()["$defs"]["author"])
ACCOUNT_KEYS = _keys(schema()["$defs"]["account"])
MAX_PAPERS: int = schema()["properties"]["papers"]["maxItems"]
COUNT_MAXIMUM: int = schema()["$defs"]["count"]["maximum"]
"""The largest count (upvotes, comments, stars) a snapshot holds: 10^12, far below 2^53, where the site's
JavaScript stops reading whole numbers exactly."""
"""The most papers a day can hold: what a fetch of every page, or one saved response, may store."""
