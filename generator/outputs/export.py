"""Data downloads: every paper of the archive as JSON Lines, CSV and Parquet, whole and per year.

A researcher should be able to load the archive in one line, so the files are the formats pandas,
`datasets`, DuckDB and spreadsheets read as they are: one row per paper, with every day it was listed.

- The columns are defined once, in COLUMNS: the writers, the machine-readable schema (`schema.json`,
  JSON Schema) and the table on the /data/ page are all made from it.
- Same data, same bytes: gzip without a timestamp or file name, Parquet with fixed writer options, CSV
  with fixed quoting and line endings, rows in a fixed order. `SHA256SUMS` (`sha256sum -c` reads it) and
  the page publish each file's checksum.
- JSON Lines and Parquet keep every text exactly as stored. CSV is opened in spreadsheets, where a cell
  starting with = + - @ tab or carriage return is run as a formula, so such cells get a leading `'`
  (OWASP's advice against CSV injection). The one change in every format: UTF-8 cannot hold a lone
  surrogate, so one would become U+FFFD (snapshots never hold them; the model could).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from generator.core import text
from generator.core.urls import url
from generator.domain.model import Archive, Paper

PAPERS_JSONL = "papers.jsonl.gz"
PAPERS_CSV = "papers.csv.gz"
PAPERS_PARQUET = "papers.parquet"
SCHEMA_FILE = "schema.json"
SUMS_FILE = "SHA256SUMS"
CSV_LIST_SEPARATOR = "; "
# zlib's default level. The real fixtures' JSON Lines, scaled to 35,000 papers: 25.6 MB at level 6, 26.9 MB
# at 4, 30.8 MB at 1 (over the 30 MB budget); level 9 saves under 1% and takes much longer.
GZIP_LEVEL = 6
GZIP_WBITS = 31  # zlib's gzip container
CHUNK_ROWS = 500  # rows turned into text and compressed at a time (_gzip_chunks)
PARQUET_COMPRESSION = "zstd"
# zstd level 3 without dictionary encoding: on the real fixtures 715 bytes a paper, against 813 with
# pyarrow's defaults (level 1, dictionaries, which only grow unique texts) and 652 at level 9, which took
# eight times as long.
PARQUET_LEVEL = 3
# Cells starting with these are formulas to Excel, LibreOffice and Google Sheets (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that JSON leaves raw inside strings but that some line readers (Python's str.splitlines, for
# one) take for line ends: written as escapes, so every JSON Lines reader sees one paper per line.
_JSON_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column of every download, as the schema file and the /data/ page document it."""

    name: str
    kind: str  # "string", "integer", "date", "strings" or "dates" (lists)
    description: str
    nullable: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", "string", "The arXiv id, e.g. 2509.06160. One row per id."),
    Column("title", "string", "The title as Hugging Face lists it."),
    Column("authors", "strings", "Author names in order; names their owners hid on Hugging Face are left out."),
    Column("abstract", "string", "The abstract; paragraphs are separated by a blank line."),
    Column("days", "dates", "Every Daily-Papers day the paper was listed on, oldest first."),
    Column("first_day", "date", "The first of those days: the day its permalink and feed items point to."),
    Column("upvotes", "integer", "Upvotes on Hugging Face, as last fetched: from its record on the last of its "
                                 "days (each day's list is fetched again while its counts grow)."),
    Column("comments", "integer", "Comments on Hugging Face, as last fetched (like upvotes)."),
    Column("github_stars", "integer", "Stars of its GitHub repository, as last fetched (like upvotes).",
           nullable=True),
    Column("organization", "string", "The Hugging Face organization it was submitted under (its account name).",
           nullable=True),
    Column("organization_name", "string", "That organization's display name.", nullable=True),
    Column("submitted_by", "string", "The Hugging Face user who submitted it to Daily Papers.", nullable=True),
    Column("github_repo", "string", "Its code repository's URL.", nullable=True),
    Column("project_page", "string", "Its project page's URL.", nullable=True),
    Column("ai_summary", "string", "Hugging Face's one-line AI summary (since 2025).", nullable=True),
    Column("ai_keywords", "strings", "Hugging Face's AI keywords (since 2025)."),
    Column("topics", "strings", "This archive's topics, as slugs (a topic's page is /topics/<slug>/)."),
    Column("published_at", "string", "When it was published on arXiv, ISO 8601 as the API gave it.",
           nullable=True),
    Column("featured_at", "string", "When it was featured on Daily Papers, ISO 8601 as the API gave it.",
           nullable=True),
    Column("arxiv_url", "string", "Its arXiv page."),
    Column("hf_url", "string", "Its Hugging Face paper page."),
    Column("permalink", "string", "Its permanent link in this archive, which lists every day it was featured."),
)
"""Every column except upvotes, comments and github_stars comes from the paper's record on its first
day, the record the site's pages and feeds show; the counts come from its last day's, the newest."""

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "strings": {"type": "array", "items": {"type": "string"}},
    "dates": {"type": "array", "items": {"type": "string", "format": "date"}},
}
TYPE_LABELS = {"string": "text", "integer": "integer", "date": "date (YYYY-MM-DD)", "strings": "list of text",
               "dates": "list of dates"}


@dataclass(frozen=True, slots=True)
class Download:
    """One published file, as the /data/ page lists it."""

    path: str  # under the site root
    format: str
    year: int | None  # None: the whole archive
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True)
class DataListing:
    """What the /data/ page says of the files, and every file's path: all the build needs of the
    downloads before it writes them (they may be made in a forked job, which sends back only this)."""

    paths: tuple[str, ...]
    downloads: tuple[Download, ...]
    paper_count: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class DataExport:
    """Every file under data/ (keyed by its path under the site root) and their listing."""

    files: dict[str, bytes]
    listing: DataListing


# --- rows ----------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """The text as written; only a lone surrogate, which no UTF-8 file can hold, becomes U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value


def _optional(value: str) -> str | None:
    return _text(value) if value else None


def paper_rows(archive: Archive, site_url: str) -> list[dict[str, Any]]:
    """One row per paper, ordered by first day then id; values are Python values (dates, lists, None)."""
    latest: dict[str, Paper] = {}
    for day in archive.days:
        for paper in day.papers:
            latest[paper.id] = paper  # days run oldest first: the last record wins
    rows = []
    for paper in sorted(archive.papers, key=lambda p: (p.day, p.id)):
        newest = latest[paper.id]
        org = paper.organization
        rows.append({
            "id": _text(paper.id),
            "title": _text(paper.title),
            "authors": [_text(a.name) for a in paper.visible_authors],
            "abstract": _text(paper.abstract),
            "days": list(archive.appearances[paper.id]),
            "first_day": paper.day,
            "upvotes": newest.upvotes,
            "comments": newest.comments,
            "github_stars": newest.github_stars,
            "organization": _optional(org.name) if org else None,
            "organization_name": _optional(org.label) if org else None,
            "submitted_by": _optional(paper.submitted_by.name) if paper.submitted_by else None,
            "github_repo": _optional(paper.github_repo),
            "project_page": _optional(paper.project_page),
            "ai_summary": _optional(paper.ai_summary),
            "ai_keywords": [_text(k) for k in paper.ai_keywords],
            "topics": list(paper.topics),
            "published_at": _optional(paper.published_at),
            "featured_at": _optional(paper.featured_at),
            "arxiv_url": _text(paper.arxiv_url),
            "hf_url": _text(paper.hf_url),
            "permalink": site_url + url("permalink", id=_text(paper.id)),
        })
    return rows


# --- the three formats ---------------------------------------------------------------------------------


def _gzip(data: bytes) -> bytes:
    """gzip with no timestamp and no file name in its header, so the same data gives the same bytes."""
    return _gzip_chunks((data,))


def _gzip_chunks(chunks: Iterable[bytes]) -> bytes:
    """`_gzip` of the chunks joined, byte for byte, without ever holding their whole text: a year of
    rows is megabytes of text, and the three formats are made at once. zlib writes the gzip header
    itself (wbits 31: mtime 0, no file name), as Python 3.11's gzip.compress(mtime=0) does."""
    stream = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WBITS)
    parts = [stream.compress(chunk) for chunk in chunks]
    parts.append(stream.flush())
    return b"".join(parts)


def _in_chunks(rows: Sequence[dict[str, Any]], to_text: Callable[[Sequence[dict[str, Any]]], bytes]) -> Iterator[bytes]:
    """The rows' text, CHUNK_ROWS rows at a time."""
    for start in range(0, len(rows), CHUNK_ROWS):
        yield to_text(rows[start:start + CHUNK_ROWS])


def _join_members(header: bytes, members: dict[int, bytes]) -> bytes:
    """The whole archive's file from the years' gzip members, oldest year first.

    A gzip file may hold several members, read one after the other as one stream (RFC 1952, section
    2.2; gzip, zlib, Python, pandas and pyarrow all do), so each year is compressed once, not twice.
    """
    whole = header + b"".join(members[year] for year in sorted(members))
    return whole or _gzip(b"")


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def jsonl_text(rows: Sequence[dict[str, Any]]) -> bytes:
    """JSON Lines: one JSON object per line, keys in column order, text exactly as stored."""
    return "".join(json.dumps({c.name: _json_value(row[c.name]) for c in COLUMNS}, ensure_ascii=False,
                              separators=(",", ":")).translate(_JSON_LINE_BREAKS) + "\n"
                   for row in rows).encode("utf-8")


def write_jsonl(years: dict[int, list[dict[str, Any]]]) -> tuple[bytes, dict[int, bytes]]:
    """JSON Lines, gzip: the whole archive's file and each year's."""
    members = {year: _gzip_chunks(_in_chunks(rows, jsonl_text)) for year, rows in years.items()}
    return _join_members(b"", members), members


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: lists joined with "; ", None empty, text that a spreadsheet would run as a
    formula prefixed with a single quote."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = CSV_LIST_SEPARATOR.join(_json_value(v) for v in value)
    elif isinstance(value, dt.date):
        return value.isoformat()
    elif isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(rows: Sequence[dict[str, Any]], header: bool = False) -> bytes:
    """CSV rows (RFC 4180: CRLF line ends, quotes only where needed), UTF-8; the header row alone if asked."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    if header:
        writer.writerow([c.name for c in COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(row[c.name]) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def write_csv(years: dict[int, list[dict[str, Any]]]) -> tuple[bytes, dict[int, bytes]]:
    """CSV, gzip, each file a header row and then its rows: the whole archive's file and each year's."""
    header = _gzip(csv_text((), header=True))
    members = {year: _gzip_chunks(_in_chunks(rows, csv_text)) for year, rows in years.items()}
    return _join_members(header, members), {year: header + member for year, member in members.items()}


def arrow_schema() -> Any:
    """The Parquet schema: COLUMNS' types, each field carrying its description."""
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "date": pa.date32(), "strings": pa.list_(pa.string()),
             "dates": pa.list_(pa.date32())}
    return pa.schema([pa.field(c.name, types[c.kind], nullable=c.nullable, metadata={"description": c.description})
                      for c in COLUMNS])


def arrow_table(rows: Sequence[dict[str, Any]]) -> Any:
    """The rows as one Arrow table in COLUMNS' order and types."""
    import pyarrow as pa

    schema = arrow_schema()
    return pa.table({c.name: pa.array([row[c.name] for row in rows], type=schema.field(c.name).type)
                     for c in COLUMNS}, schema=schema)


def parquet_bytes(table: Any) -> bytes:
    """One Parquet file (zstd), one row group; the writer's options are fixed so the same rows give the
    same bytes (a slice of a table gives the bytes the slice's rows would on their own)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=PARQUET_COMPRESSION, compression_level=PARQUET_LEVEL,
                   row_group_size=max(1, table.num_rows), use_dictionary=False, write_statistics=True,
                   version="2.6", data_page_version="1.0")
    return sink.getvalue().to_pybytes()


def write_parquet(years: dict[int, list[dict[str, Any]]]) -> tuple[bytes, dict[int, bytes]]:
    """Parquet: the whole archive's file and each year's (a Parquet file cannot be concatenated), each
    year's from a zero-copy slice of the whole table, so the rows are turned into Arrow once."""
    table = arrow_table([row for year in sorted(years) for row in years[year]])
    parts: dict[int, bytes] = {}
    start = 0
    for year in sorted(years):
        parts[year] = parquet_bytes(table.slice(start, len(years[year])))
        start += len(years[year])
    return parquet_bytes(table), parts


Writer = Callable[[dict[int, list[dict[str, Any]]]], tuple[bytes, dict[int, bytes]]]
FORMATS: tuple[tuple[str, str, Writer], ...] = (
    (PAPERS_JSONL, "JSON Lines (gzip)", write_jsonl),
    (PAPERS_CSV, "CSV (gzip)", write_csv),
    (PAPERS_PARQUET, "Parquet", write_parquet),
)


# --- schema, checksums, everything ---------------------------------------------------------------------


def json_schema(site_url: str) -> dict[str, Any]:
    """The JSON Schema of one row (a line of the JSON Lines files), from COLUMNS."""
    properties = {}
    for column in COLUMNS:
        spec = dict(_JSON_TYPES[column.kind])
        if column.nullable:
            spec["type"] = [spec["type"], "null"]
        properties[column.name] = {**spec, "description": column.description}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site_url + url("download", file=SCHEMA_FILE),
        "title": "A paper in the Daily Papers Archive",
        "description": ("One line of papers.jsonl.gz, one row of papers.csv.gz and papers.parquet (the whole "
                        "archive, and each year's, by first_day). In the CSV, lists are joined with "
                        f"{CSV_LIST_SEPARATOR!r}, null is an empty cell, and a text starting with "
                        f"{' '.join(repr(c) for c in FORMULA_START)} has a leading ' so that spreadsheets "
                        "show it as text."),
        "type": "object",
        "required": [c.name for c in COLUMNS],
        "additionalProperties": False,
        "properties": properties,
    }


def sha256sums(digests: Iterable[tuple[str, str]]) -> bytes:
    """`sha256sum -c` input: one "<hex>  <path>" line per (path, SHA-256 hex) pair, paths relative to the
    data folder."""
    return "".join(f"{digest}  {name}\n" for name, digest in digests).encode("ascii")


def build_data_export(archive: Archive, site_url: str) -> DataExport:
    """Every download: the whole archive and each year (by first day) in every format, the schema and
    the checksums. `site_url` makes the permalinks absolute (a UserError says how to set it if missing)."""
    site_url = text.site_url(site_url)
    rows = paper_rows(archive, site_url)
    by_year: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_year.setdefault(row["first_day"].year, []).append(row)
    # One thread per format: zlib, zstd and pyarrow release the GIL while they compress (half of the
    # ~9 s at full size), so the formats compress while the others are turned into text. Each file is
    # made by its own writer alone, so the bytes are the same as one after the other.
    with ThreadPoolExecutor(max_workers=len(FORMATS)) as pool:
        written = dict(zip([name for name, _, _ in FORMATS],
                           pool.map(lambda write: write(by_year), [write for _, _, write in FORMATS]), strict=True))
    files: dict[str, bytes] = {}
    digests: dict[str, str] = {}  # each file hashed once, for the page and for SHA256SUMS
    downloads: list[Download] = []
    for year in [None, *sorted(by_year, reverse=True)]:
        count = len(rows) if year is None else len(by_year[year])
        for name, label, _ in FORMATS:
            whole, years = written[name]
            path = url("download", file=name) if year is None else url("download-year", yyyy=year, file=name)
            files[path] = whole if year is None else years[year]
            digests[path] = hashlib.sha256(files[path]).hexdigest()
            downloads.append(Download(path, label, year, count, len(files[path]), digests[path]))
    schema_path = url("download", file=SCHEMA_FILE)
    files[schema_path] = (json.dumps(json_schema(site_url), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    digests[schema_path] = hashlib.sha256(files[schema_path]).hexdigest()
    folder = url("data")
    files[url("download", file=SUMS_FILE)] = sha256sums((path.removeprefix(folder), digest)
                                                       for path, digest in digests.items())
    listing = DataListing(tuple(files), tuple(downloads), len(rows), tuple(sorted(by_year, reverse=True)))
    return DataExport(files, listing)


def size_label(size: int) -> str:
    """A file size as people read it: 812 bytes, 4.2 KB, 27.9 MB (powers of 1000, like file managers)."""
    if size < 1000:
        return f"{size} bytes"
    for power, unit in ((1, "KB"), (2, "MB")):
        if size < 1000 ** (power + 1):
            return f"{size / 1000 ** power:.1f} {unit}"
    return f"{size / 1000 ** 3:.1f} GB"


def _entry(download: Download) -> dict[str, Any]:
    return {"path": download.path, "name": download.path.rsplit("/", 1)[1], "format": download.format,
            "rows": download.rows, "size": size_label(download.size), "sha256": download.sha256}


def data_page_context(listing: DataListing, site_url: str) -> dict[str, Any]:
    """What data.md.j2 needs: the downloads by year, the columns and the names of the extra files."""
    site_url = text.site_url(site_url)
    whole = [_entry(d) for d in listing.downloads if d.year is None]
    years = [(year, [_entry(d) for d in listing.downloads if d.year == year]) for year in listing.years]
    return {
        "paper_count": listing.paper_count,
        "whole": whole,
        "years": years,
        "columns": [{"name": c.name, "type": TYPE_LABELS[c.kind] + (", or null" if c.nullable else ""),
                     "description": c.description} for c in COLUMNS],
        "schema_path": url("download", file=SCHEMA_FILE),
        "sums_path": url("download", file=SUMS_FILE),
        "parquet_url": site_url + url("download", file=PAPERS_PARQUET),
        "sums_name": SUMS_FILE,
        "csv_separator": CSV_LIST_SEPARATOR,
        "formula_start": ["tab" if c == "\t" else "carriage return" if c == "\r" else c for c in FORMULA_START],
    }
