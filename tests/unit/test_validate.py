"""Snapshot validation: every problem at once, each as `path:line:col: message`; misplaced and misnamed
files; one rule for error lines. The command and the build's refusal: tests/site/test_validate_command.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from support.factories import GOOD, write_snapshot

from generator.core.errors import DayError, UserError, one_line
from generator.store.snapshots import validate_all


def test_a_good_snapshot_has_no_problems(project: Path) -> None:
    write_snapshot(project, "2026-11-16", GOOD)
    assert validate_all(project / "content" / "snapshots") == []


def test_every_problem_is_reported_with_its_line_and_column(project: Path) -> None:
    bad = GOOD.replace("upvotes: 3", "upvotes: many").replace("    authors:\n      - name: Ada Example\n",
                                                              "    authors: Ada Example\n")
    path = write_snapshot(project, "2026-11-16", bad)
    problems = validate_all(project / "content" / "snapshots")
    assert f"{path}:7:14: papers[0].authors: 'Ada Example' is not of type 'array'" in problems
    assert f"{path}:9:14: papers[0].upvotes: 'many' is not of type 'integer'" in problems
    assert len(problems) == 2


def test_yaml_syntax_errors_name_the_place(project: Path) -> None:
    path = write_snapshot(project, "2026-11-16", GOOD.replace("title: A paper", "title: [unclosed"))
    (problem,) = validate_all(project / "content" / "snapshots")
    assert problem.startswith(f"{path}:7:")
    assert "YAML syntax error" in problem


def test_date_must_match_the_file_name_and_ids_be_unique(project: Path) -> None:
    doubled = GOOD + GOOD.split("papers:\n", 1)[1]
    path = write_snapshot(project, "2026-11-17", doubled.replace("2026-11-16'", "2026-11-16'", 1))
    problems = validate_all(project / "content" / "snapshots")
    assert f"{path}:2:7: date: '2026-11-16' does not match the file name" in problems
    assert any("papers[1].id: 2611.00001 is listed twice on this day" in p for p in problems)


def test_misplaced_and_misnamed_files_are_reported(project: Path) -> None:
    write_snapshot(project, "2026-11-16", GOOD)
    stray = project / "content" / "snapshots" / "2025" / "2026-11-16.yaml"
    stray.parent.mkdir(parents=True)
    stray.write_text(GOOD)
    (project / "content" / "snapshots" / "2026" / "notes.yaml").write_text("a: 1\n")
    problems = validate_all(project / "content" / "snapshots")
    assert any(p.startswith(f"{stray}:1:1: belongs in the folder 2026/") for p in problems)
    assert any("notes.yaml:1:1: not a snapshot name" in p for p in problems)


def test_the_demo_snapshots_are_valid() -> None:
    from support.paths import REPO

    assert validate_all(REPO / "content" / "snapshots") == []


def test_one_line_turns_controls_and_line_separators_into_spaces_and_cuts_with_an_ellipsis() -> None:
    """The one rule for error lines, titles, chart labels and email text: an escape sequence or a line
    separator from the data never drives a terminal or starts a new line."""
    hostile = "bad\x1b[2J name\r\nnext\u2028line\x85end\ud800 \t tail"
    assert one_line(hostile) == "bad [2J name next line end tail"
    assert UserError(hostile).line() == "bad [2J name next line end tail"
    assert DayError(dt.date(2026, 1, 5), hostile).line() == "2026-01-05: bad [2J name next line end tail"
    assert one_line("A title that is far too long", 12) == "A title tha…"
    assert one_line("") == "" and one_line("short", 12) == "short"
