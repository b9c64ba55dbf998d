"""What the browser tests share: Debian's Chromium through Playwright, and a local server that mounts
built sites under a URL prefix, the way GitHub Pages serves a project site (/REPO/)."""

from __future__ import annotations

import http.server
import os
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def require_chromium() -> None:
    """Skip where Chromium is missing, except in CI, which must have it (a skipped browser test there
    would hide a broken setup)."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


class MountHandler(http.server.SimpleHTTPRequestHandler):
    """Serves each mounted folder under its URL prefix; everything else is a 404. As GitHub Pages does,
    a missing path under a prefix gets that folder's 404.html (with the status 404) where it has one."""

    mounts: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        path = urllib.parse.urlsplit(path).path
        for prefix, folder in self.mounts.items():
            if path.startswith(prefix):
                return str(folder / urllib.parse.unquote(path[len(prefix):]))
        return str(Path("/nonexistent"))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        path = urllib.parse.urlsplit(self.path).path
        page = next((folder / "404.html" for prefix, folder in self.mounts.items() if path.startswith(prefix)),
                    None)
        if code != 404 or page is None or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(mounts: dict[str, Path]) -> Iterator[tuple[str, type[MountHandler]]]:
    """An HTTP server on 127.0.0.1 (a free port) for the mounts; yields its origin and handler class."""
    handler = type("Handler", (MountHandler,), {"mounts": dict(mounts)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", handler
    finally:
        httpd.shutdown()


@contextmanager
def launch() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def open_page(browser: object, origin: str, console_types: tuple[str, ...] = ("error",),
              **context_options: object) -> Iterator[object]:
    """A fresh tab that may load only `origin`. Page errors, and console messages of `console_types`
    logged by our own pages, fail the test (requests to elsewhere are refused on purpose, so the
    browser's "Failed to load resource" lines are not counted)."""
    context = browser.new_context(**context_options)  # type: ignore[attr-defined]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin)
                  else route.abort())
    tab = context.new_page()
    errors: list[str] = []

    def on_console(msg: object) -> None:
        where = msg.location.get("url") or origin  # type: ignore[attr-defined]
        if msg.type in console_types and where.startswith(origin) \
                and "Failed to load resource" not in msg.text:  # type: ignore[attr-defined]
            errors.append(f"console {msg.type}: {msg.text} ({where})")  # type: ignore[attr-defined]

    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    tab.on("console", on_console)
    tab.set_default_timeout(120_000)  # a margin no load reaches: a failing wait still fails, only later
    try:
        yield tab
    finally:
        context.close()
    assert not errors, errors
