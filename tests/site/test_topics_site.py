"""Topics on the real fixtures, spread well; and through the command line: a broken taxonomy named on its
line, `dailypapers topics`, and an unexpected error as one line."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from support.paths import require_fixtures

import generator.cli
from generator.cli import main
from generator.core.project import Project
from generator.ingest.normalize import fold_paragraphs, fold_title


def test_real_fixture_papers_are_well_spread(taxonomy) -> None:
    root = require_fixtures()
    counts: Counter[str] = Counter()
    papers = 0
    for path in sorted((root / "days").glob("*.json")):
        for entry in json.loads(path.read_text()):
            paper = entry["paper"]
            topics = taxonomy.assign(fold_title(paper["title"]), paper.get("ai_keywords", []),
                                     fold_paragraphs(paper["summary"]))
            assert 1 <= len(topics) <= 3
            counts.update(topics)
            papers += 1
    assert papers == 694
    assert (papers - counts["other"]) / papers >= 0.95
    assert max(count for slug, count in counts.items()) / papers <= 0.40


def test_a_broken_taxonomy_names_its_line_and_points_to_validate_which_reports_it(
    demo_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topics = Project.at(demo_project).topics_file
    topics.write_text(topics.read_text().replace("slug: video", "slug: Video Pages", 1))
    assert main(["--root", str(demo_project), "topics"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    (problem, advice) = err.splitlines()
    assert problem.startswith(f"{topics}:") and ": topics[" in problem and "'Video Pages' is not a URL slug" in problem
    assert advice == ("dailypapers: 1 problem(s) in the topic taxonomy; fix them (see `dailypapers validate`) "
                      "and run again")
    assert main(["--root", str(demo_project), "validate"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [problem], "the command the advice names reports the same problem"
    assert out.endswith(", 1 problem(s)\n")


def test_topics_command_prints_the_spread_with_examples(demo_project: Path, capsys) -> None:
    assert main(["--root", str(demo_project), "topics", "--examples", "1"]) == 0
    out = capsys.readouterr().out
    assert "20 papers, 20 topics; 90.0% have a topic other than Other" in out
    assert "    - Strawberry Counting Considered Fictional" in out
    other = next(line for line in out.splitlines() if line.startswith("other "))
    assert other.split()[1] == "2"


def test_an_unexpected_error_is_one_line_naming_where_it_was_raised(
    demo_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug nobody foresaw\nspanning lines")

    monkeypatch.setattr(generator.cli, "distribution", broken)
    assert main(["--root", str(demo_project), "topics"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert re.fullmatch(r"dailypapers: unexpected error \(ValueError: a bug nobody foresaw spanning lines\) "
                        r"in generator/cli\.py:\d+\n", err), err
