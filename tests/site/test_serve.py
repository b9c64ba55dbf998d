"""`dailypapers serve`: serves the built site and rebuilds when a snapshot changes.

The subprocess tests wait for what serve does (a page served, a rebuilt page, a line printed), polling,
never for a set time: how long a build takes depends on the machine's load, so each wait has a margin
(WAIT) no load reaches, and ends at once, with serve's output, if serve has exited."""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from support.paths import REPO

import generator.publish.serve
from generator.cli import main
from generator.publish.build import BuildReport
from generator.publish.swap import BuildBusy

WAIT = 600.0  # seconds; a wait ends as soon as what it waits for happens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(project: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "generator", "--root", str(project), "serve",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop_serve(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a person stops it; killed if it has not ended by WAIT (the test has failed then)."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def fetch(url: str, serving: subprocess.Popen[bytes]) -> str:
    """The page at `url`, waiting for the server to come up; fails at once if serve has exited."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=WAIT) as response:
                return response.read().decode()
        except OSError:
            if serving.poll() is not None:
                output = serving.stdout.read().decode() if serving.stdout else ""
                pytest.fail(f"serve exited ({serving.returncode}): {output}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def wait_until(condition: Callable[[], object], what: str, serving: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert serving.poll() is None, f"serve exited ({serving.returncode}) before {what}"
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT:g} s"
        time.sleep(0.2)


def test_serve_rebuilds_when_a_snapshot_changes(demo_project: Path) -> None:
    port = free_port()
    process = start_serve(demo_project, port)
    try:
        url = f"http://127.0.0.1:{port}/2026/11/16/"
        assert "Fictional Chains of Thought" in fetch(url, process)
        snapshot = demo_project / "content/snapshots/2026/2026-11-16.yaml"
        snapshot.write_text(snapshot.read_text().replace("Fictional Chains of Thought", "Edited While Serving"))
        wait_until(lambda: "Edited While Serving" in fetch(url, process), "the page's rebuild", process)
    finally:
        stop_serve(process)


def test_serving_never_misses_a_page_across_rebuilds_and_keeps_the_last_good_site(demo_project: Path) -> None:
    """Each rebuild swaps a new site in for site/ in one step; the server looks site/ up by path on every
    request, so it serves the new site at once and never finds the folder missing or half-written.

    A reader polls the page throughout; it must see each of the three versions in turn (so it was
    reading across both swaps) and never a failure or a page without its article."""
    port = free_port()
    process = start_serve(demo_project, port)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(line.decode() for line in process.stdout), daemon=True).start()
    url = f"http://127.0.0.1:{port}/2026/11/16/"
    titles = ("Fictional Chains of Thought", "Edited Once", "Edited Twice")
    results: list[str] = []
    polling = threading.Event()

    def poll() -> None:
        while not polling.is_set():
            try:
                with urllib.request.urlopen(url, timeout=WAIT) as response:
                    page = response.read().decode()
            except OSError as error:
                results.append(f"failed: {error}")
            else:
                seen = [title for title in titles if title in page]
                results.append(seen[0] if "<article" in page and len(seen) == 1 else "incomplete page")
            time.sleep(0.02)

    snapshot = demo_project / "content/snapshots/2026/2026-11-16.yaml"
    try:
        assert titles[0] in fetch(url, process)
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        wait_until(lambda: titles[0] in results, "the reader's first page", process)
        for previous, title in itertools.pairwise(titles):
            snapshot.write_text(snapshot.read_text().replace(previous, title))
            wait_until(lambda title=title: title in results, f"the reader's page titled {title!r}", process)
        polling.set()
        poller.join(timeout=WAIT)
        assert not poller.is_alive()
        assert set(results) == set(titles), sorted(set(results))
        shown = [title for n, title in enumerate(results) if n == 0 or results[n - 1] != title]
        assert shown == list(titles), "each swap shows the new site from the next request on"

        good = snapshot.read_text()
        snapshot.write_text(good.replace("papers:", "papers: [unclosed", 1))
        wait_until(lambda: any("not rebuilt" in line for line in output), "the broken snapshot's report", process)
        assert titles[2] in fetch(url, process)  # the last good site is still served
        assert not [p for p in demo_project.iterdir() if p.name.startswith("site.")]
    finally:
        polling.set()
        stop_serve(process)


def test_a_rebuild_that_fails_unexpectedly_is_one_line_and_serving_goes_on(
    demo_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error nobody foresaw (a ValueError or RuntimeError from an in-process build) is one line, not
    a traceback that stops the preview."""
    def broken_build(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the index broke\nacross lines")

    def stop(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator.publish.serve, "build_site", broken_build)
    monkeypatch.setattr(generator.publish.serve.time, "sleep", stop)
    port = free_port()
    assert main(["--root", str(demo_project), "serve", "--port", str(port)]) == 0
    out, err = capsys.readouterr()
    first, second = err.splitlines()
    assert re.fullmatch(r"dailypapers: unexpected error \(RuntimeError: the index broke across lines\) "
                        r"in generator/publish/serve\.py:\d+", first), first
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

    monkeypatch.setattr(generator.publish.serve, "build_site", build_site)
    monkeypatch.setattr(generator.publish.serve.time, "sleep", sleep)
    assert main(["--root", str(demo_project), "serve", "--port", str(free_port())]) == 0
    assert calls == ["build", "build", "build"]  # the first, the one that found the lock, the retry
    assert "another build of" in capsys.readouterr().err


def test_a_port_in_use_is_one_line(
    demo_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.publish.serve, "build_site", lambda *args, **kwargs: BuildReport(days=6, papers=20))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--root", str(demo_project), "serve", "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("built 20 papers on 6 days: ")
    assert err == f"dailypapers: cannot serve at 127.0.0.1:{port}: Address already in use\n"
