"""export.py on the real API responses (through the importer), as files on disk that pyarrow, pandas,
gzip and sha256sum read, and in the built site: the Data page with every download, checksum and column,
and the README's pandas line over HTTP. In memory: tests/unit/test_export.py."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pytest
from support.export_files import FILES, NAMES, check_export, expected_rows
from support.factories import REPO_SITE_URL as SITE
from support.factories import built_demo, feed_paper, make_archive
from support.htmltext import Element
from support.htmltext import parse as parse_html
from support.paths import REPO, fixtures_root

from generator.core.project import Project
from generator.domain.model import Archive
from generator.outputs.export import COLUMNS, build_data_export
from generator.store.load import load_archive
from generator.store.taxonomy import load_taxonomy


def test_real_fixtures_read_back_row_by_row(capsys: pytest.CaptureFixture[str]) -> None:
    days_dir = fixtures_root() / "days"
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
        n = export.listing.paper_count
        sizes = ", ".join(f"{name} {len(export.files['data/' + name]) / n:.0f} B/paper "
                          f"(x 35,000 = {len(export.files['data/' + name]) / n * 35_000 / 1e6:.1f} MB)"
                          for name in FILES)
        print(f"\ndownloads of the real fixtures ({n} papers): {sizes}; budget 30 MB each")


def test_the_whole_files_read_in_pyarrow_and_pandas_as_one_table(tmp_path: Path) -> None:
    """The whole-archive gzip files are the years' gzip members one after another: readers given the file
    must see one table with one header."""
    papers = [feed_paper(f"{y % 100}01.{n:05d}", dt.date(y, 3, 2 + n), abstract="Line one\nline two, \"q\"")
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


def test_sha256sum_checks_every_file(tmp_path: Path) -> None:
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    papers = [feed_paper(f"2{y % 10}01.00001", dt.date(y, 5, 6)) for y in (2023, 2024)]
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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return built_demo(tmp_path_factory.mktemp("export") / "project", SITE)


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
