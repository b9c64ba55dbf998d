"""`dailypapers serve`: a local preview that rebuilds when content changes.

`mkdocs serve` works too (the `dailypapers` plugin in mkdocs.yml builds the whole archive), but it
empties its folder at every rebuild and stops at a bad snapshot, so for a while a reader gets 404s or
nothing. This serves the built site/ instead, rebuilt the way `dailypapers build` builds it. Changes are
found by polling file modification times once a second: simple, and the same on every platform.

The handler is given site/ as a path, which it resolves again on every request; each rebuild swaps a
complete new site in for site/ in one step (generator/site_swap.py), so the server shows the new site
at once, never a missing or half-written one, and a failed rebuild leaves the last good site served.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from generator.build import build_site
from generator.errors import UserError
from generator.project import Project
from generator.snapshots import SnapshotError, iter_problems


def content_state(project: Project) -> dict[Path, float]:
    """Modification times of everything a build reads that a person edits."""
    watched = [project.content_dir, project.root / "overrides", project.mkdocs_file]
    state: dict[Path, float] = {}
    for place in watched:
        paths = [place] if place.is_file() else place.rglob("*") if place.is_dir() else []
        for path in paths:
            if path.is_file():
                state[path] = path.stat().st_mtime
    return state


def _rebuild(project: Project, site_url: str) -> None:
    try:
        print(build_site(project, site_url=site_url).summary(), flush=True)
    except SnapshotError as error:
        for line in iter_problems(error.problems):
            print(line, file=sys.stderr)
        print("dailypapers: not rebuilt; the previous build is still served", file=sys.stderr)
    except UserError as error:
        print(f"dailypapers: {error}", file=sys.stderr)


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000, poll: float = 1.0) -> int:
    site_url = f"http://{host}:{port}/"
    _rebuild(project, site_url)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(project.site_dir))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {project.site_dir} at {site_url} (Ctrl-C stops); rebuilding when content/ changes", flush=True)
    state = content_state(project)
    try:
        while True:
            time.sleep(poll)
            current = content_state(project)
            if current != state:
                state = current
                _rebuild(project, site_url)
    except KeyboardInterrupt:
        return 0
    finally:
        server.shutdown()
