"""The real API responses, imported and built: every paper has its card on its day page, a permalink
to its first day, its topics, and its text shown exactly as written."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from support.factories import BuiltSite
from support.htmltext import parse
from support.paths import require_fixtures

from generator.cli import main
from generator.core.project import Project
from generator.ingest.normalize import fold_title


@pytest.fixture(scope="module")
def real(real_site: BuiltSite) -> tuple[Project, dict[str, list[tuple[str, dict]]]]:
    """The real-fixture site built once for the session (conftest.real_site), and every listing of every
    paper in the responses it was built from."""
    files = sorted((require_fixtures() / "days").glob("*.json"))
    project = real_site.project
    listed: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for path in files:
        for entry in json.loads(path.read_text()):
            listed[entry["paper"]["id"]].append((path.stem, entry["paper"]))
    return project, listed


def test_every_real_paper_has_its_card_on_its_day_page(real) -> None:
    project, listed = real
    assert sum(len(days) for days in listed.values()) == 694
    pages: dict[str, dict] = {}
    for paper_id, appearances in listed.items():
        for day, raw in appearances:
            if day not in pages:
                pages[day] = parse((project.site_dir / day.replace("-", "/") / "index.html").read_text()).by_id
            card = pages[day].get(paper_id)
            assert card is not None, f"{paper_id} has no card on {day}"
            assert fold_title(raw["title"]) in card.content  # escaped in HTML, shown as written
            assert f"https://arxiv.org/abs/{paper_id}" in card.links
            assert any("/topics/" in link for link in card.links), f"{paper_id} shows no topic"


def test_every_real_paper_has_a_permalink_to_its_first_day(real) -> None:
    project, listed = real
    for paper_id, appearances in listed.items():
        first = min(day for day, _ in appearances)
        html = (project.site_dir / "p" / paper_id / "index.html").read_text()
        assert f'url=../../{first.replace("-", "/")}/#{paper_id}"' in html
        for day, _ in appearances:
            assert f'href="../../{day.replace("-", "/")}/#{paper_id}"' in html


def test_a_paper_listed_twice_is_on_both_days(real) -> None:
    project, listed = real
    days = sorted(day for day, _ in listed["2604.07429"])
    assert days == ["2026-04-10", "2026-04-16"]


def test_text_that_looks_like_markup_stays_text(real) -> None:
    project, listed = real
    tricky = [(pid, day, raw) for pid, apps in listed.items() for day, raw in apps
              if any(s in raw["title"] + raw["summary"] for s in ("<think>", "$", "\\&", "`", "**"))]
    assert tricky, "the fixtures are known to hold such text"
    for paper_id, day, raw in tricky:
        html = (project.site_dir / day.replace("-", "/") / "index.html").read_text()
        card = parse(html).by_id[paper_id]
        assert fold_title(raw["title"]) in card.content
        assert "think" not in card.tags and "answer" not in card.tags


def test_no_real_page_is_larger_than_300_kib(real) -> None:
    project, _ = real
    largest = max(project.site_dir.rglob("*.html"), key=lambda p: p.stat().st_size)
    assert largest.stat().st_size < 300 * 1024, largest


def test_real_archive_validates(real, capsys) -> None:
    project, _ = real
    assert main(["--root", str(project.root), "validate"]) == 0
    assert "35 snapshot(s) checked, 0 problem(s)" in capsys.readouterr().out

