"""The data downloads read back as a researcher reads them (pyarrow, csv, json), and the rows they must
hold, computed from snapshot data itself (YAML files, or the real API responses through the importer)
rather than through the model, so a mistake in export.py cannot hide in both."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from typing import Any

import pyarrow.parquet as pq

from generator.domain.topics import Taxonomy
from generator.outputs.export import COLUMNS, DataExport

NAMES = [c.name for c in COLUMNS]
FILES = ("papers.jsonl.gz", "papers.csv.gz", "papers.parquet")


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
    listed = {d.path for d in export.listing.downloads}
    assert listed == {f"data/{name}" for name in FILES} | {f"data/{y}/{name}" for y in years for name in FILES}
    assert set(export.files) == listed | {"data/schema.json", "data/SHA256SUMS"}
    for download in export.listing.downloads:
        assert download.sha256 == hashlib.sha256(export.files[download.path]).hexdigest()
        assert download.size == len(export.files[download.path])
