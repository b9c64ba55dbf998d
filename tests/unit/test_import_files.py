"""importer.py as a library: each file's problem is returned, never printed. The `import` command on saved
responses: tests/site/test_import.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import FileError
from generator.core.project import Project
from generator.ingest.importer import import_files


def test_import_files_returns_each_files_problem_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    undated = tmp_path / "notes.json"
    undated.write_text("[]")
    missing = tmp_path / "2025-02-02.json"
    heard = []
    results = import_files(Project.at(tmp_path / "project"), [undated, missing], None, on_file=heard.append)
    assert heard == results
    assert all(r.failed and r.outcome is None and isinstance(r.problem, FileError) for r in results)
    assert [(r.problem.where, r.problem.what) for r in results if r.problem] == [
        (str(undated), "cannot tell the day from the name; name it YYYY-MM-DD.json or pass --date YYYY-MM-DD"),
        (str(missing), "2025-02-02: cannot read: No such file or directory"),
    ]
    assert capsys.readouterr() == ("", ""), "the library returns problems; only the CLI prints"
