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
from generator.outputs.export import DataListing, build_data_export
from generator.outputs.pages import permalink_pages
from generator.outputs.search import SEARCH_DIR, build_search_index
from generator.outputs.similar import similar_papers
from generator.publish.memory import release_freed_memory
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

    Each job names its `FOLDERS`, its `LABEL` (for error lines) and its `_files()`. A job's `_files` may
    also hand the build a value before the job ends (`_send_early`), which the build waits for with
    `early()`: the downloads' listing, for the Data page, while the same child goes on with the index.
    """

    FOLDERS: tuple[str, ...]
    LABEL: str
    written_early = 0  # files a job's `_files` wrote into the staging folder itself (counted by `_write`)

    def __init__(self, archive: Archive, taxonomy: Taxonomy, staging: Path, timings: Timings) -> None:
        self.staging = staging
        self.timings = timings  # the build's: the job's steps join them when it finishes
        shutil.rmtree(staging, ignore_errors=True)
        self.process: multiprocessing.process.BaseProcess | None = None
        self._outcome: Connection | None = None
        self._report: Connection | None = None  # in the child: its end of the pipe
        self.stage = self.LABEL  # what the job is making: the error line names it
        self._early: list[object] = []  # the value `_send_early` handed over, once it has
        own = Timings(self.LABEL, timings.origin)
        if not self.can_fork():
            try:
                self.count = self._write(archive, taxonomy, own)
            except Exception as error:
                raise UserError(f"building the {self.stage} failed: {_problem(error)}") from None
            timings.extend(own.steps)
            return
        context = multiprocessing.get_context("fork")
        # the child sends ("early", value) at most once, then ("done", file count, stage, error, steps)
        self._outcome, report = context.Pipe(duplex=False)
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
        return len(files) + self.written_early

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
        self._report = report
        try:
            self._die_with(parent)
            report.send(("done", self._write(archive, taxonomy, timings), self.stage, "", timings.steps))
        except Exception as error:  # one short line: a long message would also fill the pipe
            report.send(("done", 0, self.stage, _problem(error), []))
            raise SystemExit(1) from None

    def _send_early(self, value: object) -> None:
        """From `_files`: hand the build `value` now (see `early`), and go on."""
        if self._report is not None:
            self._report.send(("early", value))
        self._early.append(value)

    def early(self) -> object:
        """The value the job's `_files` handed over early, waiting for it if it is still coming; a job
        that failed first raises its one line (the caller cancels it)."""
        if not self._early:
            self._collect(until_early=True)
        if not self._early:
            raise UserError(f"building the {self.LABEL} failed: it ended without its early result")
        return self._early[0]

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

    def _collect(self, until_early: bool = False) -> None:
        """The child's words first (it blocks until the child sends or ends), then its exit; with
        `until_early`, only until its early value, if it sends one before it ends."""
        if self.process is None or self._outcome is None:
            return
        steps: list[Step]
        while True:
            try:
                message = self._outcome.recv()
            except EOFError:  # the child ended without a word (killed outright)
                count, stage, problem, steps = 0, self.stage, "", []
                break
            if message[0] == "early":
                self._early.append(message[1])
                self.stage = self.LABEL  # what came before the early value is done
                if until_early:
                    return
                continue
            _, count, stage, problem, steps = message
            break
        self.stage = stage
        self._outcome.close()
        self._outcome = None
        self.process.join()
        code = self.process.exitcode or 0
        if code or problem:
            raise UserError(f"building the {self.stage} failed: " + (problem or (
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
    """The search index (outputs/search.py) into the site's search/, and first, given a `site_url`, the
    data downloads (outputs/export.py) into data/.

    The downloads are ~9 s of CPU at full size that the build's own process need not spend: this child
    makes them, writes them, hands their listing over early (the Data page shows their sizes and
    checksums), and then makes the index. A child of their own measured no faster and held ~450 MB more:
    a forked child that reads every paper copies the pages they are on, so one child more is one copy
    of the archive more."""

    FOLDERS = (SEARCH_DIR, url("data"))
    LABEL = "search index"
    DOWNLOADS = "data downloads"

    def __init__(self, archive: Archive, taxonomy: Taxonomy, staging: Path, timings: Timings,
                 site_url: str | None = None) -> None:
        self.site_url = site_url  # None: the build makes the downloads itself
        super().__init__(archive, taxonomy, staging, timings)
        if self.process is not None and site_url is not None:
            self.stage = self.DOWNLOADS  # until their listing comes: a child killed before names them

    def _files(self, archive: Archive, taxonomy: Taxonomy, timings: Timings) -> dict[str, bytes]:
        if self.site_url is not None:
            self.stage = self.DOWNLOADS
            with timings.step("downloads"):
                export = build_data_export(archive, self.site_url)
            with timings.step(f"write {len(export.files):,} files"):
                write_files(self.staging, export.files)  # now: their bytes need not wait for the index
            self.written_early = len(export.files)
            self._send_early(export.listing)
            del export
            release_freed_memory()  # the downloads' tables and bytes, before the index is made
            self.stage = self.LABEL
        with timings.step("index"):
            return build_search_index(archive, taxonomy)

    def listing(self) -> DataListing:
        """The downloads' listing (for a job given a `site_url`), once they are written."""
        listing = self.early()
        assert isinstance(listing, DataListing)
        return listing


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
        files = {page.path: page.data for page in permalink_pages(archive)}
    with timings.step("similar papers"):
        similar = similar_papers(archive.papers)
        release_freed_memory()  # the text matrix and its neighbours
    with timings.step("card data"):
        files.update(card_data_files(archive, similar))
    return files

