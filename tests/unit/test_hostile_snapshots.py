"""Snapshot files from strangers' pull requests, read by the store itself: what is not a snapshot is
skipped, a symlinked folder refused, cache entries signed and a forged or tampered one a miss, thousands
of problems reported as the first hundred and a count, no file name forging a log line, and the cheap
YAML pre-checks never missing what the parser sees. Each case writes its own hostile file; nothing here
is fixture data.

Every hostile file through `validate` and `build`, each in a process of its own:
tests/site/test_hostile_snapshots_cli.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import GOOD, snapshot_file

from generator.core.project import Project
from generator.store import safe_yaml, snapshots
from generator.store.cache import SnapshotCache
from generator.store.load import load_archive
from generator.store.snapshots import validate_all

GOOD_DAY = "2026-11-16"


def _snapshots(project: Path) -> Path:
    return project / "content" / "snapshots"


def test_a_readme_and_a_killed_runs_temporary_file_are_not_snapshots(project: Path) -> None:
    snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD)
    snapshot_file(project, "README.md", "# Snapshots\n")
    snapshot_file(project, f"2026/.{GOOD_DAY}.yaml.abc123.tmp", "half a file")
    assert validate_all(_snapshots(project)) == []


def test_a_symlinked_snapshots_folder_is_refused(tmp_path: Path, project: Path) -> None:
    real = _snapshots(project)
    snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD)
    moved = tmp_path / "moved"
    real.rename(moved)
    real.symlink_to(moved)
    (problem,) = validate_all(real)
    assert problem == f"{real}:1:1: is a symbolic link; the snapshots folder must be a plain folder"


@pytest.fixture
def cached_project(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-a"))
    snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD)
    return Project.at(project)


def _titles(project: Project) -> list[str]:
    archive, _ = load_archive(project)
    return [paper.title for paper in archive.papers]


def _entries(project: Project) -> list[Path]:
    return sorted(project.cache_dir.glob("*.json"))


def test_cache_entries_are_signed_json_used_on_the_next_load(cached_project: Project,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert _titles(cached_project) == ["A paper"]
    (entry,) = _entries(cached_project)
    mac, _, payload = entry.read_bytes().partition(b"\n")
    assert len(mac) == 64 and payload.startswith(b"[{")
    key = cached_project.cache_key_file
    assert key.stat().st_mode & 0o777 == 0o600
    assert cached_project.root not in key.parents, "the key lives outside the checkout"
    # a correctly signed entry is what the next load uses: nothing is parsed again
    entry.write_bytes(mac + b"\n" + payload)

    def no_parsing(missing: list[object], *_: object) -> list[object]:
        assert not missing, "a valid cache entry was not used: the snapshot was parsed again"
        return []

    monkeypatch.setattr(snapshots, "_load_all", no_parsing)
    assert _titles(cached_project) == ["A paper"]


def test_a_tampered_cache_entry_is_a_miss(cached_project: Project) -> None:
    assert _titles(cached_project) == ["A paper"]
    (entry,) = _entries(cached_project)
    entry.write_bytes(entry.read_bytes().replace(b'"A paper"', b'"FORGED"'))
    assert _titles(cached_project) == ["A paper"]
    (entry,) = _entries(cached_project)
    assert b"FORGED" not in entry.read_bytes(), "the miss rewrote the entry from the snapshot"


def test_a_committed_cache_entry_signed_elsewhere_is_a_miss(cached_project: Project, tmp_path: Path) -> None:
    """An entry made on another machine (say, the pull request author's) with a forged value."""
    raw = (cached_project.snapshots_dir / "2026" / f"{GOOD_DAY}.yaml").read_bytes()
    assert _titles(cached_project) == ["A paper"]
    (entry,) = _entries(cached_project)
    entry.unlink()
    # the salt is the real one: the attacker knows the code and topics.yaml
    from generator.store.load import _loader_fingerprint

    salt = _loader_fingerprint(cached_project.topics_file.read_bytes())
    with SnapshotCache(cached_project.cache_dir, salt, tmp_path / "machine-b" / "key") as theirs:
        theirs.put(raw, [{"format": 1, "date": GOOD_DAY, "status": "listed", "papers": []}, []])
    assert [p.name for p in _entries(cached_project)] == [entry.name]
    assert _titles(cached_project) == ["A paper"]


def test_a_symlinked_cache_folder_is_not_written_through(cached_project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (cached_project.root / ".cache").mkdir()
    cached_project.cache_dir.symlink_to(outside)
    assert _titles(cached_project) == ["A paper"]
    assert list(outside.iterdir()) == []


def test_a_file_with_thousands_of_problems_reports_the_first_hundred_and_counts_the_rest(project: Path) -> None:
    paper = GOOD.split("papers:\n", 1)[1].replace("upvotes: 3", "upvotes: many")
    papers = "".join(paper.replace("2611.00001", f"2611.{i:05d}") for i in range(1, 501))
    path = snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD.split("papers:\n", 1)[0] + "papers:\n" + papers)
    problems = validate_all(_snapshots(project))
    assert len(problems) == 101
    assert problems[0] == f"{path}:10:14: papers[0].upvotes: 'many' is not of type 'integer'"
    assert problems[-1] == f"{path}:1:1: ... and 400 more problem(s) in this file"


def test_a_file_name_cannot_forge_a_second_log_line(project: Path) -> None:
    snapshot_file(project, f"2026/{GOOD_DAY}.yaml", GOOD)
    snapshot_file(project, "2026/x\n::error file=a::forged.yaml", "a: 1\n")
    (problem,) = validate_all(_snapshots(project))
    assert "\n" not in problem
    assert problem.startswith(f"{_snapshots(project)}/2026/x\\n::error file=a::forged.yaml:1:1: not a snapshot name")


def test_the_cheap_pre_checks_never_miss_what_the_parser_sees() -> None:
    """The byte search for anchors and tags, and the node bound, decide whether the event scan runs;
    on random YAML made of the tokens that matter, neither ever under-reports what libyaml parses."""
    import random

    import yaml

    pieces = ["&a", "*a", "!", "!!str", "!x", " ", "\n", "  ", "[", "]", "{", "}", ",", ":", ": ", "- ", "? ",
              "'", '"', "x", "\ufeff", "\u2028", "\x85", "#", "|", ">", "\t", "---", "...", "-"]
    rng = random.Random(5)
    seen_properties = 0
    for _ in range(20_000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).encode()
        try:
            events = list(yaml.parse(raw, Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            continue
        nodes = [e for e in events if isinstance(e, yaml.NodeEvent)]
        assert len(nodes) <= safe_yaml._node_bound(raw), raw
        if any(isinstance(e, yaml.AliasEvent) or e.anchor or getattr(e, "tag", None) for e in nodes):
            seen_properties += 1
            assert safe_yaml._may_have_properties(raw), raw
    assert seen_properties > 500
