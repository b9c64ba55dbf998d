"""download.py: bounded decoding of what a server sends, and the deadline against a real socket server
that accepts connections and then says nothing, or trickles its answer."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest
from fake_api import FakeAPI

from generator.download import Downloader, DownloadError, read_body

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


@pytest.fixture
def silent_server() -> Iterator[tuple[str, threading.Event]]:
    """A TCP server on 127.0.0.1 that accepts, reads the request, then sends the status line one byte
    per 0.1 s and never finishes: only a deadline on the whole try ends a request to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 10_000:
                    if stop.wait(0.1):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/daily_papers?date=2025-09-08", stop
    stop.set()
    thread.join(5)
    listener.close()


def test_the_deadline_covers_the_headers(silent_server: tuple[str, threading.Event]) -> None:
    url, _ = silent_server
    with Downloader(user_agent="test", timeout=0.6, max_body=1024) as downloader:
        started = time.monotonic()
        with pytest.raises(DownloadError) as caught:
            downloader.get(url)
        elapsed = time.monotonic() - started
    assert caught.value.reason == "no complete response within 0.6 s"
    assert caught.value.transient
    assert elapsed < 0.6 + 1.0, f"one try of 0.6 s took {elapsed:.2f} s (each byte arrives within 0.1 s)"


def test_the_pacing_wait_is_not_taken_from_the_deadline(silent_server: tuple[str, threading.Event]) -> None:
    url, _ = silent_server
    with Downloader(user_agent="test", timeout=0.3, max_body=1024) as downloader:
        started = time.monotonic()

        def pace() -> float:
            time.sleep(0.5)
            return 0.5

        with pytest.raises(DownloadError, match="no complete response within 0.3 s"):
            downloader.get(url, before_request=pace)
        elapsed = time.monotonic() - started
    assert elapsed >= 0.5 + 0.3 - 0.05, "the try had its whole 0.3 s after the polite wait"


def test_a_host_name_is_resolved_and_each_of_its_addresses_tried() -> None:
    """`localhost` goes through the resolver thread; if it names ::1 first, the server (on 127.0.0.1
    only) refuses that address and the next one is tried."""
    api = FakeAPI()
    api.bodies["2025-09-08"] = BODY
    api.start()
    try:
        url = api.url.replace("127.0.0.1", "localhost") + "?date=2025-09-08&limit=100&p=0"
        with Downloader(user_agent="test", timeout=5, max_body=len(BODY) * 2) as downloader:
            answer = downloader.get(url)
    finally:
        api.stop()
    assert answer.status == 200 and answer.body.startswith(b'[{"paper": {"id": "2509.01234"')
