"""Snapshot files from strangers' pull requests: every hostile file is refused by `validate` and `build`
alike, with one line naming the file, exit status 1, no traceback, within 1 GiB of memory, and the other
snapshots left as they were. Each case writes its own hostile file; nothing here is fixture data.

The store's own defences, in this process: tests/unit/test_hostile_snapshots.py."""

from __future__ import annotations

import hashlib
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.factories import GOOD, snapshot_file

from generator.store import safe_yaml

MEMORY_LIMIT = 1 << 30
GOOD_DAY = "2026-11-16"
HOSTILE_DAY = "2026-11-17"
SECRET = "TOP-SECRET-TOKEN-do-not-print"


def _paper(**fields: str) -> str:
    """GOOD's text for the hostile day with some of the paper's lines replaced."""
    text = GOOD.replace(GOOD_DAY, HOSTILE_DAY)
    for key, value in fields.items():
        text, count = re.subn(rf"^(\s*(?:- )?{key}:) .*$", lambda m, value=value: f"{m[1]} {value}", text, count=1,
                              flags=re.MULTILINE)
        assert count == 1, key
    return text


def _snapshots(project: Path) -> Path:
    return project / "content" / "snapshots"


def _day_file(data: bytes | str) -> Callable[[Path], Path]:
    return lambda project: snapshot_file(project, f"2026/{HOSTILE_DAY}.yaml", data)


def _symlink_to(target: str) -> Callable[[Path], Path]:
    def make(project: Path) -> Path:
        path = _snapshots(project) / "2026" / f"{HOSTILE_DAY}.yaml"
        path.symlink_to(target)
        return path
    return make


def _symlink_outside(project: Path) -> Path:
    secret = project.parent / "secret.yaml"
    secret.write_text(f"token: {SECRET}\n")
    return _symlink_to(str(secret))(project)


def _symlinked_year(project: Path) -> Path:
    outside = project.parent / "elsewhere" / "2025"
    outside.mkdir(parents=True)
    (outside / "2025-11-17.yaml").write_text(GOOD.replace(GOOD_DAY, "2025-11-17").replace("title: A paper",
                                                                                         f"title: {SECRET}"))
    link = _snapshots(project) / "2025"
    link.symlink_to(outside)
    return link


def _huge_file(project: Path) -> Path:
    path = _snapshots(project) / "2026" / f"{HOSTILE_DAY}.yaml"
    with path.open("wb") as handle:
        handle.write(_paper().encode())
        handle.truncate(50 * 1024 * 1024)  # a sparse 50 MB file: cheap to make, not to read
    return path


ALIAS_BOMB = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))

DEEP_BLOCK = "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "x\n"

# (case id, how to make the hostile file, what its one problem line says)
CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("alias-bomb", _day_file(ALIAS_BOMB), "anchors (&a) are not allowed"),
    ("anchor-alone", _day_file(_paper(title="&t A paper")), "anchors (&t) are not allowed"),
    ("alias-in-flow", _day_file(_paper(title="[&x a, *x]")), "anchors (&x) are not allowed"),
    ("python-object-tag", _day_file(_paper(title="!!python/object/apply:os.system ['echo pwned']")),
     "explicit tags ('tag:yaml.org,2002:python/object/apply:os.system') are not allowed"),
    ("binary-tag", _day_file(_paper(abstract="!!binary aGVsbG8=")), "explicit tags"),
    ("tag-directive", _day_file("%TAG !e! tag:yaml.org,2002:\n---\n" + _paper(title="!e!str x")),
     "%TAG directives are not allowed"),
    ("duplicate-key", _day_file(_paper(title="A paper\n    title: Another")), "duplicate key 'title'"),
    ("merge-key", _day_file(_paper(title="A paper\n    <<: {abstract: x}")), "merge keys (<<) are not allowed"),
    ("deep-flow", _day_file("[" * 5000 + "]" * 5000), "nested more than 32 levels deep"),
    ("deep-flow-within-libyaml", _day_file("[" * 500 + "]" * 500), "nested more than 32 levels deep"),
    ("deep-block", _day_file(DEEP_BLOCK), "nested more than 32 levels deep"),
    ("deep-dashes", _day_file("- " * 100_000 + "x\n"), "nested more than 32 levels deep"),
    ("many-values", _day_file("[" + "[]," * (safe_yaml.MAX_BYTES // 3 - 1) + "[]]"), "more than 250,000 values"),
    ("50-MB-file", _huge_file, "is 50.0 MiB; the limit is 4.0 MiB"),
    ("symlink-to-dev-zero", _symlink_to("/dev/zero"), "is a symbolic link"),
    ("symlink-outside", _symlink_outside, "is a symbolic link"),
    ("symlinked-year-folder", _symlinked_year, "is a symbolic link"),
    ("5000-digit-integer", _day_file(_paper(upvotes="9" * 5000)), "a number of 5000 characters"),
    ("long-sexagesimal", _day_file(_paper(upvotes=":".join(["59"] * 2000))), "a number of 5999 characters"),
    ("huge-float", _day_file(_paper(upvotes="1.0e+300")), "'1.0e+300' is a fractional number"),
    ("inf", _day_file(_paper(upvotes=".inf")), "'.inf' is a fractional number"),
    ("nan", _day_file(_paper(comments=".nan")), "'.nan' is a fractional number"),
    ("count-too-large", _day_file(_paper(upvotes="99999999999999999999")),
     "papers[0].upvotes: 99999999999999999999 is greater than the maximum of 1000000000000"),
    ("before-the-list", lambda p: snapshot_file(p, "2000/2000-01-01.yaml", GOOD.replace(GOOD_DAY, "2000-01-01")),
     "2000-01-01 is before 2023-05-04, the first day of the Daily Papers list"),
    ("after-tomorrow", lambda p: snapshot_file(p, "2099/2099-01-01.yaml", GOOD.replace(GOOD_DAY, "2099-01-01")),
     "2099-01-01 is after tomorrow"),
    ("wrong-year-folder", lambda p: snapshot_file(p, "2025/2026-11-17.yaml", _paper()), "belongs in the folder 2026/"),
    ("not-a-date", lambda p: snapshot_file(p, "2026/2026-02-30.yaml", _paper()), "is not a calendar date"),
    ("misnamed", lambda p: snapshot_file(p, "2026/notes.yaml", _paper()), "not a snapshot name"),
    ("yaml-at-top", lambda p: snapshot_file(p, f"{HOSTILE_DAY}.yaml", _paper()), "belongs in the folder 2026/"),
    ("id-with-newline", _day_file(_paper(id='"2611.00001\\n"')),
     "papers[0].id: '2611.00001\\n' does not match the id pattern"),
    ("non-utf8", _day_file(_paper(title="A \xff paper").encode("latin-1")), "not UTF-8 text: byte 0xff"),
    ("nul-character", _day_file(_paper(title='"A \\0 paper"').replace("\\0", "\0")), "character #x0000"),
    ("utf16", _day_file(_paper().encode("utf-16")), "not UTF-8 text"),
    ("long-bad-title", _day_file(_paper(title="[" + "x" * 200_000 + "]")), "papers[0].title: a list"),
]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(project: Path, command: str, xdg: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(xdg), "PYTHONFAULTHANDLER": "1"}
    return subprocess.run([sys.executable, "-m", "generator", "--root", str(project), command],
                          capture_output=True, text=True, env=env, preexec_fn=_limit_memory, timeout=600)


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize(("case", "make", "expected"), CASES, ids=[case[0] for case in CASES])
def test_hostile_file_is_refused_by_validate_and_build(project: Path, tmp_path: Path, case: str,
                                                       make: Callable[[Path], Path], expected: str) -> None:
    good = snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD)
    hostile = make(project)
    before = _digests(_snapshots(project))
    for command in ("validate", "build"):
        result = _run(project, command, tmp_path / "xdg")
        assert result.returncode == 1, f"{command}: {result.stderr[-2000:]}"
        lines = result.stderr.splitlines()
        problem_lines = [line for line in lines if line.startswith(f"{hostile}:")]
        assert len(problem_lines) == 1, f"{command}: {lines[:5]}"
        (line,) = problem_lines
        assert expected in line, line
        assert len(line) < len(str(hostile)) + 250, "an error quotes an excerpt, never the file"
        assert str(good) not in result.stderr
        for text in (result.stderr, result.stdout):
            assert "Traceback" not in text and "MemoryError" not in text and SECRET not in text
        if command == "validate":
            assert lines == [line]
            assert result.stdout.strip().endswith("1 problem(s)")
        else:
            assert lines == [line, "dailypapers: 1 problem(s) in snapshots; fix them (see `dailypapers validate`) "
                                   "and run again"]
            assert not (project / "site").exists()
    assert _digests(_snapshots(project)) == before
    assert good.read_text() == GOOD


def test_topics_yaml_is_read_with_the_same_limits(project: Path, tmp_path: Path) -> None:
    snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD)
    topics = project / "content" / "topics.yaml"
    topics.write_text("topics:\n  - &t {slug: video, title: Video}\n  - *t\n")
    result = _run(project, "validate", tmp_path / "xdg")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{topics}:2:5: topic taxonomy: anchors (&t) are not allowed"]
    topics.unlink()
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"topics: [{{slug: {SECRET}, title: x}}]\n")
    topics.symlink_to(secret)
    result = _run(project, "build", tmp_path / "xdg")
    assert result.returncode == 1
    assert f"{topics}:1:1: topic taxonomy: is a symbolic link; only plain files are read" in result.stderr
    assert SECRET not in result.stderr + result.stdout
