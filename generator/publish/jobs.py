"""The build's background jobs: files built from the loaded Archive alone (the search index; the similar
papers with the card data and permalinks that carry them), in a forked child where the OS allows, so
on 2 cores they cost the build no time.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from generator.core.errors import UserError, one_line
from generator.core.urls import url
from generator.domain.model import Archive
from generator.domain.topics import Taxonomy
from generator.outputs.cards import card_data_files
from generator.outputs.pages import permalink_pages
from generator.outputs.search import SEARCH_DIR, build_search_index
from generator.outputs.similar import similar_papers
from generator.publish.paths import clash
from generator.publish.timings import Step, Timings
from generator.publish.writing import write_files

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


_PROBLEM_LIMIT = 300  # characters of a child's error that reach the build's one line


def _problem(error: Exception) -> str:
    """What went wrong in a job, as the build's one line shows it, forked or not."""
    return one_line(f"{type(error).__name__}: {error}", _PROBLEM_LIMIT)


class ForkedJob:
    """Files built from the loaded Archive alone (the search index, the similar papers), written into a
    staging folder and moved into the site's `FOLDERS` by `finish()`.

    Where the OS can fork and this process runs one thread, a child builds them from right after loading
    while this process makes the downloads and pages and MkDocs renders: on 2 cores that takes their
    ~10 s of Python each off the build's critical path; the child shares the loaded Archive
    copy-on-write and sends its file count, or its error, back through a pipe. Elsewhere (`serve` has a
    server thread, and forking a threaded process can copy a held lock) it is built in this process,
    after the checks that can fail the build.

    The child never outlives the build, even if the build is killed with SIGKILL (which runs no
    cleanup code): it asks the Linux kernel to kill it when its parent dies (prctl PR_SET_PDEATHSIG),
    then checks it still has that parent, since the parent may have died before the request took
    effect. The kernel does this even while the child is busy inside C code; a pipe the child watches
    would need a thread of its own and the GIL. So jobs are forked only on Linux.

    Each job names its `FOLDERS`, its `LABEL` (for error lines) and its `_files()`.
    """

    FOLDERS: tuple[str, ...]
    LABEL: str

    def __init__(self, archive: Archive, taxonomy: Taxonomy, staging: Path, timings: Timings) -> None:
        self.staging = staging
        self.timings = timings  # the build's: the job's steps join them when it finishes
        shutil.rmtree(staging, ignore_errors=True)
        self.process: multiprocessing.process.BaseProcess | None = None
        self._outcome: Connection | None = None
        own = Timings(self.LABEL, timings.origin)
        if not self.can_fork():
            try:
                self.count = self._write(archive, taxonomy, own)
            except Exception as error:
                raise UserError(f"building the {self.LABEL} failed: {_problem(error)}") from None
            timings.extend(own.steps)
            return
        context = multiprocessing.get_context("fork")
        self._outcome, report = context.Pipe(duplex=False)  # the child sends (file count, error, steps) once
        self.process = context.Process(target=self._run, args=(archive, taxonomy, own, os.getpid(), report),
                                       daemon=True)
        self.process.start()
        report.close()  # the child's end: with it closed here, a dead child reads as "nothing sent"

    @staticmethod
    def can_fork() -> bool:
        return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
                and threading.active_count() == 1)

    def _files(self, archive: Archive, taxonomy: Taxonomy, timings: Timings) -> dict[str, bytes]:
        raise NotImplementedError

    def _write(self, archive: Archive, taxonomy: Taxonomy, timings: Timings) -> int:
        files = self._files(archive, taxonomy, timings)
        if any(not path.startswith(self.FOLDERS) for path in files):
            raise ValueError(f"the {self.LABEL} must live under {', '.join(self.FOLDERS)}")
        with timings.step(f"write {len(files):,} files"):
            write_files(self.staging, files)
        return len(files)

    @staticmethod
    def _die_with(parent: int) -> None:
        """In the child: be killed by the kernel when `parent` dies (see the class docstring)."""
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:
            os._exit(1)  # the parent is already gone: nobody wants these files

    def _run(self, archive: Archive, taxonomy: Taxonomy, timings: Timings, parent: int,
             report: Connection) -> None:
        """The forked child: sends its file count and steps, or what went wrong, to the parent, which
        reports it (library code never prints; a child cannot raise into its parent)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it cancels us
        try:
            self._die_with(parent)
            report.send((self._write(archive, taxonomy, timings), "", timings.steps))
        except Exception as error:  # one short line: a long message would also fill the pipe
            report.send((0, _problem(error), []))
            raise SystemExit(1) from None

    def finish(self, site_dir: Path) -> int:
        """Wait for the child if there is one, then move the files into the site's `FOLDERS`; returns how
        many."""
        try:
            self._collect()
            self._move_into(site_dir)
        except BaseException:
            self.cancel()  # the staging folder goes, and a child still running (Ctrl-C in join) is stopped
            raise
        shutil.rmtree(self.staging, ignore_errors=True)
        return self.count

    def _collect(self) -> None:
        """The child's word first (it blocks until the child sends or ends), then its exit."""
        if self.process is None or self._outcome is None:
            return
        steps: list[Step]
        try:
            count, problem, steps = self._outcome.recv()
        except EOFError:  # the child ended without a word (killed outright)
            count, problem, steps = 0, "", []
        self._outcome.close()
        self._outcome = None
        self.process.join()
        code = self.process.exitcode or 0
        if code or problem:
            raise UserError(f"building the {self.LABEL} failed: " + (problem or (
                f"its process was killed by signal {-code}" if code < 0 else f"its process exited with {code}")))
        self.count = count
        self.timings.extend(steps)

    def _move_into(self, site_dir: Path) -> None:
        for folder in self.FOLDERS:
            source, target = self.staging / folder, site_dir / folder
            if not source.is_dir():
                continue
            if not target.exists():
                os.replace(source, target)  # MkDocs wrote nothing here: the folder moves whole
                continue
            for entry in sorted(source.iterdir()):
                if (target / entry.name).exists():  # claim_outputs keeps pages out; this keeps MkDocs out
                    raise clash(f"{folder}{entry.name}", "MkDocs", f"the {self.LABEL}")
                os.replace(entry, target / entry.name)  # a rename: folders of 30,000 files move at once

    def cancel(self) -> None:
        """Stop the child and remove what it wrote, with the work folder if that leaves it empty: a build
        stopped before writing leaves nothing behind."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
        if self._outcome is not None:
            self._outcome.close()
            self._outcome = None
        shutil.rmtree(self.staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.staging.parent.rmdir()  # only if empty


class SearchIndexJob(ForkedJob):
    """The search index (generator/search.py) into the site's search/."""

    FOLDERS = (SEARCH_DIR,)
    LABEL = "search index"

    def _files(self, archive: Archive, taxonomy: Taxonomy, timings: Timings) -> dict[str, bytes]:
        with timings.step("index"):
            return build_search_index(archive, taxonomy)


class CardDataJob(ForkedJob):
    """Similar papers (~10 s of CPU at full size), the card tools' day shards that carry them, and the
    permalinks: like the search index they need only the Archive, so they are built while this process
    makes the downloads and pages and MkDocs renders, and the permalinks' 35,000 files leave this
    process's critical path."""

    FOLDERS = (url("permalink-index"), url("card-data-index"))
    LABEL = "similar papers"

    def _files(self, archive: Archive, taxonomy: Taxonomy, timings: Timings) -> dict[str, bytes]:
        return similar_files(archive, timings)


def similar_files(archive: Archive, timings: Timings | None = None) -> dict[str, bytes]:
    """The permalinks and the card tools' day shards, which hold the similar papers (CardDataJob's)."""
    timings = timings or Timings()
    with timings.step("permalinks"):
        files = {page.path: page.text.encode() for page in permalink_pages(archive)}
    with timings.step("similar papers"):
        similar = similar_papers(archive.papers)
    with timings.step("card data"):
        files.update(card_data_files(archive, similar))
    return files

