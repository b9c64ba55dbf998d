"""`dailypapers serve`: serves the built site and rebuilds when a snapshot changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from conftest import REPO


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
