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
import threading
import time
from pathlib import Path
from typing import Protocol

from generator.core.errors import UserError
from generator.core.project import Project
from generator.publish.build import BuildReport, build_site
from generator.publish.swap import BuildBusy


class ServeListener(Protocol):
    """Hears what the preview does; the command line prints it, so this module never prints."""

    def built(self, report: BuildReport) -> None:
        """A build finished and its site is served."""

    def not_built(self, error: Exception) -> None:
        """A build failed; the previous site, if any, is still served."""

    def serving(self, folder: Path, url: str) -> None:
        """The server is listening."""


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


def _rebuild(project: Project, site_url: str, listener: ServeListener) -> bool:
    """Build once; a failure of any kind is reported and the last good site stays served. False when
    the build could not start because another build of the project was running: it is due again."""
    try:
        report = build_site(project, site_url=site_url)
    except Exception as error:  # the last resort: a preview outlives a bad edit, or a bug, and says why
        listener.not_built(error)
        return not isinstance(error, BuildBusy)
    listener.built(report)
    return True


def serve(project: Project, listener: ServeListener, host: str = "127.0.0.1", port: int = 8000,
          poll: float = 1.0) -> int:
    """Build, serve site/ at host:port, and rebuild when content changes, until Ctrl-C (exit 0).

    Raises UserError when it cannot listen there (a port in use, a host that is not this machine).
    """
    site_url = f"http://{host}:{port}/"
    state = content_state(project)  # before the first build: an edit saved while it runs is built next
    _rebuild(project, site_url, listener)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(project.site_dir))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise UserError(f"cannot serve at {host}:{port}: {error.strerror or error}") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    listener.serving(project.site_dir, site_url)
    try:
        while True:
            time.sleep(poll)
            current = content_state(project)
            if current != state and _rebuild(project, site_url, listener):
                state = current  # a build that could not start (another one ran) is tried again
    except KeyboardInterrupt:
        return 0
    finally:
        server.shutdown()
