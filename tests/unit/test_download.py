"""download.py: bounded decoding of what a server sends, the encodings it reads and the bodies it refuses,
and a gzip bomb stopped having decoded little more than the limit.

The deadline against a real socket server: tests/site/test_download_deadline.py."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from generator.ingest.download import DownloadError, read_body

BODY = b'[{"paper": {"id": "2509.01234", "title": "Made-up"}}]' * 50


def _pieces(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        ("", BODY),
        ("identity", BODY),
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("deflate", zlib.compress(BODY)),
        ("gzip, gzip", gzip.compress(gzip.compress(BODY))),
        ("GZIP", gzip.compress(BODY[:100]) + gzip.compress(BODY[100:])),  # two gzip members, one body
    ],
    ids=["none", "identity", "gzip", "x-gzip", "deflate", "gzip-twice", "multi-member"],
)
def test_encodings_the_fetcher_reads(encoding: str, encoded: bytes) -> None:
    assert read_body(_pieces(encoded), encoding, limit=len(BODY)) == BODY


@pytest.mark.parametrize(
    ("encoding", "encoded", "reason"),
    [
        ("br", b"\x0b\x02\x80hello\x03", "the response is 'br'-encoded, which this fetcher does not decode"),
        ("gzip, gzip, gzip, gzip", BODY, "the response is encoded 4 times over"),
        ("gzip", BODY, "the response says it is gzip-encoded, but it is not"),
        ("deflate", gzip.compress(BODY), "the response says it is deflate-encoded, but it is not"),
        ("gzip", gzip.compress(BODY)[:-12], "the gzip-encoded response ends before its gzip data does"),
        ("", BODY + b" ", f"the response is more than {len(BODY):,} bytes"),
        ("gzip", gzip.compress(BODY + b" "), f"the response is more than {len(BODY):,} bytes once decoded"),
    ],
    ids=["brotli", "too-many-layers", "plain-said-gzip", "gzip-said-deflate", "gzip-cut-short",
         "too-long", "too-long-decoded"],
)
def test_bodies_the_fetcher_refuses(encoding: str, encoded: bytes, reason: str) -> None:
    with pytest.raises(DownloadError) as caught:
        read_body(_pieces(encoded, 1000), encoding, limit=len(BODY))
    assert caught.value.reason.startswith(reason)
    assert not caught.value.transient, "the same bytes again would fail the same way"


def test_a_bomb_is_refused_having_decoded_little_more_than_the_limit() -> None:
    bomb = gzip.compress(gzip.compress(bytes(64 * 1024 * 1024)))  # two layers, 64 MB inside
    produced = 0

    def counting(chunks: list[bytes]) -> Iterator[bytes]:
        nonlocal produced
        for chunk in chunks:
            produced += len(chunk)
            yield chunk

    tracemalloc.start()
    try:
        with pytest.raises(DownloadError, match="once decoded"):
            read_body(counting(_pieces(bomb, 4096)), "gzip, gzip", limit=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert produced <= len(bomb), "the raw body is read at most once"
    assert peak < 8 * 1024 * 1024, f"decoding held {peak:,} bytes for a 1 MB limit"  # not the 64 MB inside
