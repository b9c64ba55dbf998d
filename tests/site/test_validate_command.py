"""`dailypapers validate` and the build refuse a bad snapshot: exit 1, the problem as
`path:line:col: message`, never a traceback."""

from __future__ import annotations

from pathlib import Path

from support.factories import GOOD, write_snapshot

from generator.cli import main


def test_validate_command_exits_1_and_build_refuses_without_traceback(project: Path, capsys) -> None:
    write_snapshot(project, "2026-11-16", GOOD.replace("comments: 0", "comments: -1"))
    assert main(["--root", str(project), "validate"]) == 1
    out = capsys.readouterr()
    assert "papers[0].comments: -1 is less than the minimum of 0" in out.err
    assert "1 snapshot(s) checked, 1 problem(s)" in out.out

    assert main(["--root", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "papers[0].comments: -1 is less than the minimum of 0" in err
    assert "Traceback" not in err
    assert not (project / "site").exists()
