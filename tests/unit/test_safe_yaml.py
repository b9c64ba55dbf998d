"""safe_yaml's two ways of reading a file agree: the event builder (`_build`, the fast path for plain
data) gives exactly the data the full loader gives, of the same types, or leaves the file to it; and
`load` answers every file as the full loader alone would, data or the same problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import REPO

from generator.store import safe_yaml
from generator.store.safe_yaml import InputProblem


def outcome(read: Any, raw: bytes) -> tuple[str, Any]:
    """What a reader makes of `raw`: ("data", value, with types) or ("problem", the problem's text and place)."""
    try:
        return "data", typed(read(raw))
    except InputProblem as problem:
        return "problem", (str(problem), problem.line, problem.col)


def typed(value: Any) -> Any:
    """The value with every scalar's type beside it (True == 1 and 1 == 1.0 in Python; not here)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


def agree(raw: bytes) -> tuple[str, Any]:
    fast, full = outcome(safe_yaml.load, raw), outcome(safe_yaml._load_with_loader, raw)
    assert fast == full, raw[:200]
    return fast


# Plain scalars of every kind YAML 1.1 resolves, as keys and values: the builder must resolve each as
# PyYAML does, or hand the file over.
PLAIN = ["~", "null", "Null", "NULL", "", "true", "True", "TRUE", "false", "FALSE", "yes", "No", "on", "OFF",
         "y", "n", "0", "-0", "+0", "7", "-12", "+12", "007", "0o17", "0x1F", "0b101", "1_000", "1:30",
         "190:20:30", "1.5", "-.inf", ".NaN", "1e3", "2025-01-02", "2025-1-2", "2001-12-14t21:59:43.10-05:00",
         "<<", "=", "12345678901234567890", "123456789012345678901", "abc", "a b", "Q&A", "-", "a:b", "!", "NULL!"]


@pytest.mark.parametrize("word", PLAIN)
def test_each_plain_scalar_is_read_as_the_full_loader_reads_it(word: str) -> None:
    for raw in (f"v: {word}\n", f"{word}: v\n", f"- {word}\n- '{word}'\n", f"[{word}, x]\n", f"{{k: {word}}}\n"):
        agree(raw.encode())


@pytest.mark.parametrize("raw", [
    b"", b"---\n", b"# only a comment\n", b"a: 1\n---\nb: 2\n", b"a: 1\na: 2\n", b"? [a]\n: 1\n", b"{[a]: 1}\n",
    b"<<: {a: 1}\n", b"a: &x 1\nb: *x\n", b"a: !!str 1\n", b"a: !x 1\n", b"%TAG !e! tag:e.org,2000:\n--- {}\n",
    b"%YAML 1.1\n--- {a: 1}\n", b"a: [1, 2\n", b"a: 'open\n", b"\tb: 1\n", b"a:\n  - b:\n      - c: {d: [e]}\n",
    b"[" * 40 + b"]" * 40 + b"\n", b"[" * 1100 + b"]" * 1100 + b"\n", b"a: |\n  two\n  lines\n", b"a: >\n  folded\n",
    b"\xef\xbb\xbfa: 1\n", b"a: \xff\n", b"a: \"\\x07\"\n", b"a: \"\\ud800\"\n", b"1: a\n2: b\n", b"true: 1\n1: 2\n",
    b"null: 1\n~: 2\n", b"a: " + b"9" * 5000 + b"\n", b"- " * 33 + b"x\n",
])
def test_edge_documents_get_the_same_answer(raw: bytes) -> None:
    agree(raw)


def test_the_builder_handles_plain_data_itself_and_hands_over_what_is_unusual() -> None:
    """So the fast path is really taken for snapshots, and really left for a date or a duplicate."""
    assert safe_yaml._build(b"format: 1\npapers:\n- {id: '2501.00001', upvotes: 3, tags: [a, b]}\n") == {
        "format": 1, "papers": [{"id": "2501.00001", "upvotes": 3, "tags": ["a", "b"]}]}
    for raw in (b"d: 2025-01-02\n", b"a: 1\na: 2\n", b"a: 1.5\n", b"<<: {}\n", b"a: 0x1F\n", b"[a]: 1\n"):
        with pytest.raises(safe_yaml._Unusual):
            safe_yaml._build(raw)
    assert safe_yaml.load(b"d: 2025-01-02\n") == {"d": dt.date(2025, 1, 2)}  # the full loader's answer


def test_every_snapshot_in_the_repository_reads_the_same_both_ways() -> None:
    files = sorted((REPO / "content" / "snapshots").rglob("*.yaml"))
    assert files
    for path in files:
        assert agree(path.read_bytes())[0] == "data", path


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(PLAIN)
_scalars = st.none() | st.booleans() | st.integers(-10**25, 10**25) | _text
_data = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
                     max_leaves=20)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_data, st.sampled_from([None, False, True]), st.sampled_from([None, "'", '"']))
def test_any_dumped_data_reads_the_same_both_ways(data: Any, flow: bool | None, style: str | None) -> None:
    """PyYAML's own dumper writes the data in block or flow style, plain or quoted: whatever it writes,
    the two readers agree (the dumper quotes what would resolve otherwise, so mostly it reads back)."""
    raw = yaml.safe_dump(data, default_flow_style=flow, default_style=style, allow_unicode=True).encode()
    agree(raw)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([*PLAIN, "a", "- ", ": ", "\n", "  ", "[", "]", "{", "}", ",", "'", '"', "#", "?",
                                 "&a ", "*a", "!t ", "|", ">", "---\n", "\t", "\\", "x: ", "- [", "é", "\u2028"]),
                max_size=30))
def test_random_near_yaml_gets_the_same_answer(parts: list[str]) -> None:
    """Fragments of YAML glued at random: mostly errors, which must be the full loader's own."""
    agree("".join(parts).encode())
