"""Where things live in a project checkout; one place so no module hard-codes a path."""

from __future__ import annotations

import fcntl
import os
import time
from dataclasses import dataclass
from pathlib import Path


def flock_within(fd: int, wait: float) -> bool:
    """Take an exclusive `flock` on `fd`, waiting up to `wait` seconds for its holder to let go; returns
    whether it was taken. The project's two locks (snapshot writes, builds) wait this one way; the kernel
    drops either when its holder dies, so there is never a stale lock to clean up."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.1, max(wait, 0.01)))


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, root: Path) -> Project:
        return cls(root.resolve())

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def snapshots_dir(self) -> Path:
        return self.content_dir / "snapshots"

    @property
    def topics_file(self) -> Path:
        return self.content_dir / "topics.yaml"

    @property
    def pages_dir(self) -> Path:
        """Hand-written pages (about, snapshot format, ...) copied into the generated docs."""
        return self.content_dir / "pages"

    @property
    def docs_dir(self) -> Path:
        """Generated Markdown: git-ignored, `docs_dir` in mkdocs.yml points here."""
        return self.root / "build" / "docs"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        """Signed JSON entries of loaded snapshots; git-ignored, and an entry that did not come from this
        machine is never used (see snapshots.SnapshotCache)."""
        return self.root / ".cache" / "snapshots"

    @property
    def cache_key_file(self) -> Path:
        """The per-machine key that signs cache entries: outside every checkout, so no pull request can
        bring or change it ($XDG_CACHE_HOME, else ~/.cache)."""
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base).resolve() / "dailypapers" / "cache-key"

    @property
    def mkdocs_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def lock_file(self) -> Path:
        return self.root / ".dailypapers.lock"
