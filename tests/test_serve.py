"""`dailypapers serve`: serves the built site and rebuilds when a snapshot changes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO

import generator.serve
from generator.build import BuildReport
from generator.cli import main
from generator.site_swap import BuildBusy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_rebuilds_when_a_snapshot_changes(demo_project: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(demo_project), "serve",
                                "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/2026/11/16/"
        assert "Fictional Chains of Thought" in fetch(url)
        snapshot = demo_project / "content/snapshots/2026/2026-11-16.yaml"
        snapshot.write_text(snapshot.read_text().replace("Fictional Chains of Thought", "Edited While Serving"))
        deadline = time.monotonic() + 60
        while "Edited While Serving" not in fetch(url):
            assert time.monotonic() < deadline, "the page was not rebuilt"
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_serving_never_misses_a_page_across_rebuilds_and_keeps_the_last_good_site(demo_project: Path) -> None:
    """Each rebuild swaps a new site in for site/ in one step; the server looks site/ up by path on every
    request, so it serves the new site at once and never finds the folder missing or half-written."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(demo_project), "serve",
                                "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(line.decode() for line in process.stdout), daemon=True).start()
    url = f"http://127.0.0.1:{port}/2026/11/16/"
    results: list[str] = []
    polling = threading.Event()

    def poll() -> None:
        while not polling.is_set():
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    results.append("ok" if "<article" in response.read().decode() else "incomplete page")
            except OSError as error:
                results.append(f"failed: {error}")
            time.sleep(0.02)

    snapshot = demo_project / "content/snapshots/2026/2026-11-16.yaml"
    try:
        assert "Fictional Chains of Thought" in fetch(url)
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        previous = "Fictional Chains of Thought"
        for title in ("Edited Once", "Edited Twice"):
            snapshot.write_text(snapshot.read_text().replace(previous, title))
            previous = title
            deadline = time.monotonic() + 60
            while title not in fetch(url):
                assert time.monotonic() < deadline, "the page was not rebuilt"
                time.sleep(0.2)
        polling.set()
        poller.join(timeout=20)
        assert len(results) > 20 and set(results) == {"ok"}, sorted(set(results))

        good = snapshot.read_text()
        snapshot.write_text(good.replace("papers:", "papers: [unclosed", 1))
        deadline = time.monotonic() + 60
        while not any("not rebuilt" in line for line in output):
            assert time.monotonic() < deadline, "the broken snapshot was not reported"
            time.sleep(0.2)
        assert "Edited Twice" in fetch(url)  # the last good site is still served
        assert not [p for p in demo_project.iterdir() if p.name.startswith("site.")]
    finally:
        polling.set()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_a_rebuild_that_fails_unexpectedly_is_one_line_and_serving_goes_on(
    demo_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error nobody foresaw (a ValueError or RuntimeError from an in-process build) is one line, not
    a traceback that stops the preview."""
    def broken_build(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the index broke\nacross lines")

    def stop(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator.serve, "build_site", broken_build)
    monkeypatch.setattr(generator.serve.time, "sleep", stop)
    port = free_port()
    assert main(["--root", str(demo_project), "serve", "--port", str(port)]) == 0
    out, err = capsys.readouterr()
    first, second = err.splitlines()
    assert re.fullmatch(r"dailypapers: unexpected error \(RuntimeError: the index broke across lines\) "
                        r"in generator/serve\.py:\d+", first), first
    assert second == "dailypapers: not rebuilt; the previous build is still served"
    assert out == (f"serving {demo_project / 'site'} at http://127.0.0.1:{port}/ (Ctrl-C stops); "
                   "rebuilding when content/ changes\n")


def test_a_rebuild_that_finds_another_build_running_is_tried_again(
    demo_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit saved while another build of the project runs is built once that one ends, not forgotten."""
    calls: list[str] = []

    def build_site(*args: object, **kwargs: object) -> BuildReport:
        calls.append("build")
        if len(calls) == 2:
            raise BuildBusy(f"another build of {demo_project} is running: wait for it to end, then build again")
        return BuildReport()

    sleeps = iter(range(10))

    def sleep(seconds: float) -> None:
        if next(sleeps) == 0:  # an edit, once
            page = demo_project / "content" / "pages" / "about.md"
            os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 10))
        elif len(calls) >= 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(generator.serve, "build_site", build_site)
    monkeypatch.setattr(generator.serve.time, "sleep", sleep)
    assert main(["--root", str(demo_project), "serve", "--port", str(free_port())]) == 0
    assert calls == ["build", "build", "build"]  # the first, the one that found the lock, the retry
    assert "another build of" in capsys.readouterr().err


def test_a_port_in_use_is_one_line(
    demo_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.serve, "build_site", lambda *args, **kwargs: BuildReport(days=6, papers=20))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--root", str(demo_project), "serve", "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("built 20 papers on 6 days: ")
    assert err == f"dailypapers: cannot serve at 127.0.0.1:{port}: Address already in use\n"
