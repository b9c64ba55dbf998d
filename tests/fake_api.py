"""A real HTTP server on 127.0.0.1 that plays the Daily Papers API from the saved fixture responses.

Tests point `--api-url` at it and inject faults per request: HTTP 500/503/404, 429 with Retry-After,
a body cut short (with or without a Content-Length that promises more), a hang until the client's
read timeout, and a connection reset. Every request is recorded, so a test can count retries.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent


def fixtures_dir() -> Path:
    """The real API responses, read in place (never copied into the repository); skips when absent."""
    folder = Path(os.environ.get("DAILYPAPERS_FIXTURES") or REPO.parent / "shared" / "fixtures" / "hf-api")
    if not (folder / "days").is_dir():
        pytest.skip(
            f"the saved API responses are not at {folder}; set DAILYPAPERS_FIXTURES to the hf-api folder"
        )
    return folder


def fixture_days() -> list[Path]:
    return sorted((fixtures_dir() / "days").glob("*.json"))


@dataclass
class Fault:
    """What the server does instead of answering normally: `kind` is one of
    500, 503, 404, 429 (with `retry_after`), truncate (Content-Length promises more than is sent),
    truncate-close (no Content-Length, the connection closes mid-body), hang, reset."""

    kind: str
    retry_after: str | None = None


@dataclass
class Recorded:
    date: str
    fault: str
    user_agent: str


@dataclass
class FakeAPI:
    """Bodies by date; faults queued per date (each request takes the next one) or for every request."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    always: dict[str, Fault] = field(default_factory=dict)
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
                query = parse_qs(urlsplit(self.path).query)
                date = (query.get("date") or [""])[0]
                with api.lock:
                    queued = api.faults.get(date)
                    fault = queued.pop(0) if queued else api.always.get(date)
                    api.requests.append(
                        Recorded(date, fault.kind if fault else "", self.headers.get("User-Agent", ""))
                    )
                body = api.bodies.get(date, b"[]")
                if fault is None:
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
                else:
                    raise AssertionError(f"unknown fault {fault.kind}")

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
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


def fast_options(api: FakeAPI, days: list, **overrides: object):
    """FetchOptions for tests: tiny timeouts and backoff, no pacing, a fixed clock, plain progress."""
    import datetime as dt

    from generator.fetch import FetchOptions

    settings: dict[str, object] = {
        "api_url": api.url,
        "rate": 1000.0,
        "timeout": 0.5,
        "retries": 3,
        "backoff": 0.01,
        "backoff_cap": 0.05,
        "retry_after_cap": 2.0,
        "lock_wait": 0.2,
        "progress": False,
        "clock": fixed_clock(),
    }
    settings.update(overrides)
    parsed = [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in days]
    return FetchOptions(days=parsed, **settings)  # type: ignore[arg-type]
