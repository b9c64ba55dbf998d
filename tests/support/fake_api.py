"""A real HTTP server on 127.0.0.1 that plays the Daily Papers API from the saved fixture responses.

It pages like the real API: `limit` (default 50, at most 100; more is HTTP 400) entries from page `p`
(from 0) of the day's list. Tests point `--api-url` at it and inject faults per request: HTTP
500/503/404, 429 with Retry-After, a body cut short (with or without a Content-Length that promises
more), a hang until the client's read timeout, a connection reset, headers trickled one byte at a time,
gzip that is not gzip, gzip bombs in one and two layers, redirect loops and redirects to another host.
Every request is recorded, so a test can count retries and pages.
"""

from __future__ import annotations

import functools
import gzip
import json
import socket
import struct
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

API_DEFAULT_LIMIT = 50
API_MAX_LIMIT = 100
BOMB_BYTES = 64 * 1024 * 1024  # what a gzip bomb expands to: more than the fetcher's 20 MB cap


@dataclass
class Fault:
    """What the server does instead of answering normally: `kind` is one of
    ok (answers normally: queue it before a fault to fail a later page), 500, 503, 404,
    429 (with `retry_after`), truncate (Content-Length promises more than is sent),
    truncate-close (no Content-Length, the connection closes mid-body), hang, reset,
    trickle-headers (the status line and headers one byte every `interval` seconds, never ending),
    gzip (the right answer, gzip-encoded), gzip-lies (says gzip, is plain JSON),
    gzip-of-gzip (says gzip once, is gzip twice), gzip-bomb (says gzip, expands to BOMB_BYTES),
    gzip-bomb-twice (says "gzip, gzip": a bomb inside gzip), redirect (302 to the same path on this
    server, `location` or /moved), redirect-loop (302 to itself), redirect-away (302 to `location`)."""

    kind: str
    retry_after: str | None = None
    location: str | None = None
    interval: float = 0.2


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-answer (a deadline, a refused bomb) is expected, not a server error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Recorded:
    date: str
    fault: str
    user_agent: str
    page: str = ""
    limit: str = ""
    path: str = ""


@functools.cache
def _bomb() -> bytes:
    """gzip of BOMB_BYTES zeros (about 64 KB on the wire)."""
    return gzip.compress(bytes(BOMB_BYTES), compresslevel=9)


def page_of(body: bytes, page: int, limit: int) -> bytes:
    """The slice of a day's JSON list the API serves as page `page`; a body that is not a JSON list
    (the hostile ones) is served whole for every page."""
    try:
        listed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(listed, list):
        return body
    return json.dumps(listed[page * limit : (page + 1) * limit]).encode()


@dataclass
class FakeAPI:
    """Bodies by date; faults queued per date (each request takes the next one) or for every request."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    always: dict[str, Fault] = field(default_factory=dict)
    page_cap: int = API_MAX_LIMIT  # a server that pages by 50 whatever `limit` asks: 50
    ignores_page: bool = False  # a server that sends the first page whatever `p` asks
    requests: list[Recorded] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/daily_papers"

    def serve_days(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.json")):
            self.bodies[path.name[:10]] = path.read_bytes()

    def fail(self, date: str, *kinds: str | Fault) -> None:
        self.faults[date].extend(k if isinstance(k, Fault) else Fault(k) for k in kinds)

    def count(self, date: str | None = None) -> int:
        return sum(1 for r in self.requests if date is None or r.date == date)

    def start(self) -> FakeAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                date = (query.get("date") or [""])[0]
                page_arg = (query.get("p") or [""])[0]
                limit_arg = (query.get("limit") or [""])[0]
                with api.lock:
                    queued = api.faults.get(date)
                    fault = queued.pop(0) if queued else api.always.get(date)
                    api.requests.append(
                        Recorded(date, fault.kind if fault else "", self.headers.get("User-Agent", ""),
                                 page_arg, limit_arg, parts.path)
                    )
                try:
                    page = int(page_arg or 0)
                    limit = int(limit_arg or API_DEFAULT_LIMIT)
                except ValueError:
                    self._send(400, b'{"error": "p and limit must be numbers"}')
                    return
                if limit > API_MAX_LIMIT or limit < 1 or page < 0:
                    self._send(400, b'{"error": "limit must be 1 to 100, p 0 or more"}')
                    return
                body = page_of(api.bodies.get(date, b"[]"), 0 if api.ignores_page else page, min(limit, api.page_cap))
                if fault is None or fault.kind == "ok":
                    self._send(200, body)
                elif fault.kind in ("500", "503", "404", "429"):
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                    self._send(int(fault.kind), b'{"error": "injected"}', headers)
                elif fault.kind == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif fault.kind == "truncate-close":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif fault.kind == "hang":
                    api.released.wait(30)
                    self.close_connection = True
                elif fault.kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                elif fault.kind == "trickle-headers":
                    self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: "
                                  + b"x" * 100_000 + b"\r\n\r\n" + body, fault.interval)
                elif fault.kind == "gzip":
                    self._send(200, gzip.compress(body), {"Content-Encoding": "gzip"})
                elif fault.kind == "gzip-lies":
                    self._send(200, body, {"Content-Encoding": "gzip"})
                elif fault.kind == "gzip-of-gzip":
                    self._send(200, gzip.compress(gzip.compress(body)), {"Content-Encoding": "gzip"})
                elif fault.kind == "gzip-bomb":
                    self._send(200, _bomb(), {"Content-Encoding": "gzip"})
                elif fault.kind == "gzip-bomb-twice":
                    self._send(200, gzip.compress(_bomb()), {"Content-Encoding": "gzip, gzip"})
                elif fault.kind in ("redirect", "redirect-loop", "redirect-away"):
                    if fault.kind == "redirect-loop":
                        location = self.path
                    elif fault.kind == "redirect":
                        location = f"{fault.location or '/moved'}?{parts.query}"
                    else:
                        location = fault.location or "http://127.0.0.2:9/api/daily_papers"
                    self._send(302, b"", {"Location": location})
                else:
                    raise AssertionError(f"unknown fault {fault.kind}")

            def _trickle(self, data: bytes, interval: float) -> None:
                """One byte every `interval` seconds until the client hangs up or the server stops."""
                self.close_connection = True
                for byte in data:
                    if api.released.wait(interval):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the client gave up: what a deadline is for
                        return

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


FIXED_NOW = "2026-06-05T12:00:00Z"


def fixed_clock(stamp: str = FIXED_NOW):
    """A clock that always says `stamp` (tests never depend on the real time)."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return lambda: moment


HEALTHY_DEADLINE = 30.0  # seconds: far more than any answer from 127.0.0.1 takes, loaded or not


def fast_options(api: FakeAPI, days: list, **overrides: object):
    """FetchOptions for tests: tiny backoff, no pacing, a fixed clock, and a deadline no load reaches
    (a test about the deadline sets its own)."""
    import datetime as dt

    from generator.ingest.fetch import FetchOptions

    settings: dict[str, object] = {
        "api_url": api.url,
        "rate": 1000.0,
        "timeout": HEALTHY_DEADLINE,
        "retries": 3,
        "backoff": 0.01,
        "backoff_cap": 0.05,
        "retry_after_cap": 2.0,
        "lock_wait": 0.2,
        "clock": fixed_clock(),
    }
    settings.update(overrides)
    parsed = [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in days]
    return FetchOptions(days=parsed, **settings)  # type: ignore[arg-type]
