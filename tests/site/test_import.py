"""ingest.py: saved responses are stored exactly as fetch stores them; bad files are one line each."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support.fake_api import FakeAPI, fast_options, fixed_clock
from support.paths import fixture_days, require_fixtures

import generator.ingest.importer
from generator.cli import main
from generator.core.project import Project
from generator.ingest.fetch import fetch_days
from generator.ingest.importer import date_from_name, import_files
from generator.store.check import parse_snapshot
from generator.store.files import snapshot_path
from generator.store.snapshots import validate_all


def _path(root: Path, day: str) -> Path:
    return snapshot_path(Project.at(root).snapshots_dir, dt.date.fromisoformat(day))


def test_every_fixture_day_imports_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in fixture_days()]
    assert main(["--root", str(tmp_path), "import", *files]) == 0
    out, err = capsys.readouterr()
    n = len(files)
    assert out.splitlines()[-1] == f"import: {n} file(s): {n} new, 0 updated, 0 unchanged, 0 empty, 0 failed"
    assert err == "", "no warnings: fifty papers is no longer a sign of a cut list"
    for path in fixture_days():
        data, problems = parse_snapshot(_path(tmp_path, path.name[:10]))
        assert problems == []
        listed = [e["paper"]["id"] for e in json.loads(path.read_bytes())]
        assert sorted(p["id"] for p in data["papers"]) == sorted(listed)
    assert validate_all(Project.at(tmp_path).snapshots_dir) == []
    before = {p: p.read_bytes() for p in Project.at(tmp_path).snapshots_dir.rglob("*.yaml")}
    assert main(["--root", str(tmp_path), "import", *files]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(f"0 new, 0 updated, {n} unchanged, 0 empty, 0 failed")
    assert {p: p.read_bytes() for p in before} == before


def test_import_and_fetch_store_identical_bytes(tmp_path: Path) -> None:
    days = ["2024-05-27", "2025-03-17", "2025-10-03"]
    api = FakeAPI()
    api.serve_days(require_fixtures() / "days")
    api.start()
    try:
        fetch_days(Project.at(tmp_path / "fetched"), fast_options(api, days))
    finally:
        api.stop()
    files = [require_fixtures() / "days" / f"{d}.json" for d in days]
    results = import_files(Project.at(tmp_path / "imported"), files, None, clock=fixed_clock())
    assert [(r.path, r.outcome.kind if r.outcome else None, r.problem) for r in results] == [
        (path, "new", None) for path in files
    ]
    for day in days:
        assert _path(tmp_path / "imported", day).read_bytes() == _path(tmp_path / "fetched", day).read_bytes()


def test_partial_then_complete_files_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partial = require_fixtures() / "revisions" / "2025-01-22.partial.json"
    complete = require_fixtures() / "days" / "2025-01-22.json"
    assert main(["--root", str(tmp_path), "import", str(partial), str(complete)]) == 0
    out = capsys.readouterr().out
    assert f"{partial}: 2025-01-22: new, 1 paper(s)" in out
    assert f"{complete}: 2025-01-22: updated, 13 paper(s), 12 added, 1 changed" in out
    data, _ = parse_snapshot(_path(tmp_path, "2025-01-22"))
    assert len(data["papers"]) == 13 and all("missing_since" not in p for p in data["papers"])


def test_date_option_and_names(tmp_path: Path) -> None:
    assert date_from_name(Path("2025-01-22.json")) == dt.date(2025, 1, 22)
    assert date_from_name(Path("x/2024-06-12.partial.json")) == dt.date(2024, 6, 12)
    assert date_from_name(Path("2024-13-12.json")) is None
    assert date_from_name(Path("response.json")) is None
    saved = tmp_path / "saved-response.json"
    saved.write_bytes((require_fixtures() / "days" / "2025-01-13.json").read_bytes())
    assert main(["--root", str(tmp_path), "import", "--date", "2025-01-13", str(saved)]) == 0
    assert _path(tmp_path, "2025-01-13").exists()


def test_bad_files_are_one_line_each_and_others_continue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    bad = sorted((require_fixtures() / "bad").glob("*.json"))
    good = require_fixtures() / "days" / "2025-01-13.json"
    # the bad days already hold data, which must come through byte-identical
    stored = tmp_path / "stored"
    stored.mkdir()
    for path in bad:
        (stored / f"{path.name[:10]}.json").write_text(
            json.dumps([{"paper": {"id": "2412.00001", "title": "Kept"}, "numComments": 0}])
        )
    assert main(["--root", str(root), "import", *map(str, sorted(stored.iterdir()))]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in Project.at(root).snapshots_dir.rglob("*.yaml")}
    undated = tmp_path / "notes.json"
    undated.write_text("[]")
    missing = tmp_path / "2025-02-02.json"
    code = main(["--root", str(root), "import", str(bad[0]), str(undated), str(good), str(missing), str(bad[1])])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.splitlines()
    assert lines == [
        f"{bad[0]}: 2024-12-12: failed: entry 0 is a string, not a paper object (a saved Python repr?)",
        f"{undated}: cannot tell the day from the name; name it YYYY-MM-DD.json or pass --date YYYY-MM-DD",
        f"{missing}: 2025-02-02: cannot read: No such file or directory",
        f"{bad[1]}: 2025-01-11: failed: expected a JSON list of papers, got an object (keys: date, message, status)",
    ]
    assert out.splitlines() == [
        f"{good}: 2025-01-13: new, 5 paper(s)",
        "import: 5 file(s): 1 new, 0 updated, 0 unchanged, 0 empty, 4 failed",
    ]
    assert {p: p.read_bytes() for p in before} == before
    assert not _path(root, "2025-02-02").exists()


def test_only_regular_files_within_the_cap_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A device that never ends, a FIFO nobody writes to, a folder and a file over the 20 MiB a day's
    response can be are each one line, read no further than the cap and stall nothing; a link someone
    names is followed to what it leads to, which must be a plain file too."""
    import os

    root = tmp_path / "project"
    fifo = tmp_path / "2025-09-01.json"
    os.mkfifo(fifo)
    folder = tmp_path / "2025-09-02.json"
    folder.mkdir()
    huge = tmp_path / "2025-09-03.json"
    with huge.open("wb") as handle:  # sparse: 100 MiB that cost no disk
        handle.truncate(100 * 1024 * 1024)
    to_zero = tmp_path / "2025-09-04.json"
    to_zero.symlink_to("/dev/zero")
    good = tmp_path / "saved.json"
    good.write_text(json.dumps([{"paper": {"id": "2509.00001", "title": "T", "summary": "A.", "authors": [],
                                           "publishedAt": "2025-09-04T00:00:00.000Z", "upvotes": 1},
                                 "publishedAt": "2025-09-04T00:00:00.000Z", "title": "T", "numComments": 0}]))
    link = tmp_path / "2025-09-05.json"
    link.symlink_to(good)
    code = main(["--root", str(root), "import", str(fifo), str(folder), str(huge), str(to_zero), str(link)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == [
        f"{fifo}: 2025-09-01: is not a plain file; only plain files are read",
        f"{folder}: 2025-09-02: is not a plain file; only plain files are read",
        f"{huge}: 2025-09-03: is 100.0 MiB; the limit is 20.0 MiB",
        f"{to_zero}: 2025-09-04: is not a plain file; only plain files are read",
    ]
    assert out.splitlines()[0] == f"{link}: 2025-09-05: new, 1 paper(s)"
    code = main(["--root", str(root), "import", "--date", "2025-09-08", "/dev/zero"])
    assert code == 1
    assert capsys.readouterr().err == "/dev/zero: 2025-09-08: is not a plain file; only plain files are read\n"


def test_bad_file_for_a_new_day_writes_nothing(tmp_path: Path) -> None:
    bad = require_fixtures() / "bad" / "2025-01-11.no-data-wrapper.json"
    (result,) = import_files(Project.at(tmp_path), [bad], None)
    assert result.failed and result.problem is None and result.outcome is not None
    assert result.outcome.describe() == ("2025-01-11: failed: expected a JSON list of papers, got an object "
                                         "(keys: date, message, status)")
    assert not _path(tmp_path, "2025-01-11").exists()


def test_days_outside_the_list_are_refused_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    body = (require_fixtures() / "days" / "2025-01-13.json").read_bytes()
    early, late, good = saved / "2023-05-03.json", saved / "2099-01-01.json", saved / "2023-05-04.json"
    for path in (early, late, good):
        path.write_bytes(body)
    root = tmp_path / "project"
    before = dt.datetime.now(dt.UTC).date()
    code = main(["--root", str(root), "import", str(early), str(good), str(late)])
    out, err = capsys.readouterr()
    after = dt.datetime.now(dt.UTC).date()  # the run may cross midnight: either day is right
    assert code == 1 and "Traceback" not in err
    assert err.splitlines() in ([
        f"{early}: 2023-05-03 is before 2023-05-04, the first day of the Daily Papers list",
        f"{late}: 2099-01-01 is after tomorrow (today is {today} UTC); there is no list for it yet",
    ] for today in {before, after})
    assert out.splitlines() == [
        f"{good}: 2023-05-04: new, 5 paper(s)",
        "import: 3 file(s): 1 new, 0 updated, 0 unchanged, 0 empty, 2 failed",
    ]
    assert [p.name for p in Project.at(root).snapshots_dir.rglob("*.yaml")] == ["2023-05-04.yaml"]

    code = main(["--root", str(root), "import", "--date", "2022-12-31", str(good)])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == "dailypapers: --date 2022-12-31 is before 2023-05-04, the first day of the Daily Papers list\n"


def test_hostile_saved_bodies_fail_their_file_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "project"
    saved = tmp_path / "saved"
    saved.mkdir()
    good = require_fixtures() / "days" / "2025-01-13.json"
    stored = saved / "2025-01-12.json"
    stored.write_text(json.dumps([{"paper": {"id": "2501.00001", "title": "Kept"}}]))
    assert main(["--root", str(root), "import", str(stored)]) == 0
    before = _path(root, "2025-01-12").read_bytes()
    capsys.readouterr()
    huge = saved / "2025-01-12.huge.json"
    huge.write_bytes(b'[{"paper": {"id": "2501.00001", "title": "T", "upvotes": ' + b"7" * 4301 + b"}}]")
    newline = saved / "2025-01-12.newline.json"
    newline.write_text(json.dumps([{"paper": {"id": "2501.00001\nv2", "title": "T"}}]))
    code = main(["--root", str(root), "import", str(huge), str(newline), str(good)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert err.splitlines() == [
        f"{huge}: 2025-01-12: failed: response JSON holds a number of more than 4300 digits",
        f"{newline}: 2025-01-12: failed: entry 0 (no id): paper.id '2501.00001\\nv2' is not an arXiv id",
    ]
    assert out.splitlines()[-1] == "import: 3 file(s): 1 new, 0 updated, 0 unchanged, 0 empty, 2 failed"
    assert _path(root, "2025-01-12").read_bytes() == before


def test_an_unexpected_error_fails_one_file_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = generator.ingest.importer.store_response

    def store_response(project: Project, day: dt.date, *args: object, **kwargs: object):
        if day == dt.date(2025, 1, 13):
            raise MemoryError()
        return real(project, day, *args, **kwargs)

    monkeypatch.setattr(generator.ingest.importer, "store_response", store_response)
    first, second = require_fixtures() / "days" / "2025-01-13.json", require_fixtures() / "days" / "2025-01-22.json"
    code = main(["--root", str(tmp_path), "import", str(first), str(second)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert err == f"{first}: 2025-01-13: failed: unexpected error (MemoryError: MemoryError)\n"
    assert out.splitlines() == [
        f"{second}: 2025-01-22: new, 13 paper(s)",
        "import: 2 file(s): 1 new, 0 updated, 0 unchanged, 0 empty, 1 failed",
    ]


def test_a_saved_day_longer_than_one_page_is_stored_as_fetch_would(tmp_path: Path, capsys) -> None:
    """A saved response may hold a whole day of pages (more than 500 papers): import takes what a
    paged fetch takes, up to the same bound."""
    entry = json.loads((require_fixtures() / "days" / "2025-01-13.json").read_bytes())[0]
    entries = []
    for n in range(600):
        copy = json.loads(json.dumps(entry))
        copy["paper"]["id"] = f"2501.{n:05d}"
        entries.append(copy)
    saved = tmp_path / "2025-01-13.json"
    saved.write_text(json.dumps(entries), encoding="utf-8")
    assert main(["--root", str(tmp_path / "project"), "import", str(saved)]) == 0
    assert "new, 600 paper(s)" in capsys.readouterr().out
