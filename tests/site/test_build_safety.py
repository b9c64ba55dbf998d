"""A failed, interrupted or killed build never costs the last good site, leaves no process behind, and
hand-written pages can neither smuggle in a symlink nor take a generated output's path.

The kill tests run the real `dailypapers build` of the demo site as a subprocess over a good site and
SIGKILL it at several moments, then compare site/ with a copy of the tree taken before, and walk /proc
for any process of that build. A moment that must be caught (MkDocs half-way through writing, the
search child inside its work) is held open by the build itself, which touches a marker file there and
waits, rather than polled for in a window whose length depends on the machine's load; waits for what
a build does have a margin no load reaches (WAIT) and end as soon as it happens.

Where outputs go and the swap itself, without a build: tests/unit/test_site_swap.py.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.factories import SITE_URL, new_project
from support.paths import REPO

from generator.cli import main
from generator.core.errors import UserError
from generator.core.project import Project
from generator.publish import build as build_module
from generator.publish import jobs
from generator.publish import swap as site_swap
from generator.publish.build import build_site
from generator.publish.jobs import ForkedJob

WAIT = 600.0  # seconds; a wait ends as soon as what it waits for happens
CHILD_END = 120.0  # what a killed build's children get to end: well inside a paused child's ten minutes
EDITED = ("Fictional Chains of Thought", "Rebuilt After The Kill")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; forks with prctl")


def tree(site: Path) -> dict[str, str]:
    """Every file and folder under `site` with a digest of its bytes (folders: "dir")."""
    return {p.relative_to(site).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*"))}


def edit_demo(root: Path) -> None:
    snapshot = root / "content/snapshots/2026/2026-11-16.yaml"
    snapshot.write_text(snapshot.read_text(encoding="utf-8").replace(*EDITED), encoding="utf-8")


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.root.iterdir() if p.name.startswith(("site.new-", "site.old-")))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, str], dict[str, str]]:
    """A demo project with a good site whose snapshots have since been edited, the good site's tree,
    and the tree a complete build of the edited snapshots gives."""
    base = tmp_path_factory.mktemp("safety")
    project = Project.at(new_project(base / "project", with_demo=True))
    build_site(project, site_url=SITE_URL)
    good = tree(project.site_dir)
    edit_demo(project.root)
    reference = Project.at(base / "reference")
    shutil.copytree(project.root, reference.root, ignore=shutil.ignore_patterns("site", "build"))
    build_site(reference, site_url=SITE_URL)
    edited = tree(reference.site_dir)
    assert edited != good and any(EDITED[1] in p.read_text() for p in reference.site_dir.rglob("index.html"))
    return project, good, edited


PAUSED_BUILD = """
import os, sys, time
from pathlib import Path
import mkdocs.commands.build
from generator.publish import jobs
from generator.cli import main

def pause(*args, **kwargs):
    Path(os.environ["PAUSE_MARKER"]).touch()
    time.sleep(600)

if os.environ["PAUSE_AT"] == "mkdocs":  # the theme's assets are copied; the first page comes next
    mkdocs.commands.build._build_page = pause
else:  # the search child, inside its work
    jobs.build_search_index = pause
sys.exit(main(sys.argv[1:]))
"""


def start_build(project: Project, pause_at: str = "", marker: Path | None = None) -> subprocess.Popen[bytes]:
    """`dailypapers build` in its own session, so its process group is its pid. With `pause_at`
    ("mkdocs" or "search"), the build touches `marker` there and waits ten minutes."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PAUSE_AT": pause_at, "PAUSE_MARKER": str(marker)}
    program = ["-c", PAUSED_BUILD] if pause_at else ["-m", "generator"]
    return subprocess.Popen([sys.executable, *program, "--root", str(project.root), "build",
                             "--site-url", SITE_URL], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_build(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the build (its main process only: what is left of it is the test's to find) and reap it."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=WAIT)


def end_group(process: subprocess.Popen[bytes]) -> None:
    """Whatever a failed test left running of the build's group is killed, so no paused build lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)


def proc_stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, parent, process group, session) of a live process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, parent, group, session = text.rsplit(")", 1)[1].split()[:4]
    return state, int(parent), int(group), int(session)


def processes_of(build: int) -> list[int]:
    """Running processes (zombies, which run nothing, excepted) of the build's process group or session."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := proc_stat(int(entry.name))) is not None:
            state, _, group, session = stat
            if state != "Z" and build in (group, session):
                found.append(int(entry.name))
    return found


def children_of(pid: int) -> list[int]:
    """The running children of `pid`: from its main thread's children list (one quick read, so a
    short-lived child is not missed), else by walking /proc."""
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        found = [int(e.name) for e in Path("/proc").iterdir()
                 if e.name.isdigit() and (s := proc_stat(int(e.name))) is not None and s[1] == pid]
    return [c for c in found if (s := proc_stat(c)) is not None and s[0] != "Z"]


def wait_for(condition: Callable[[], Any], what: str, build: subprocess.Popen[bytes] | None = None,
             timeout: float = WAIT) -> Any:
    """Poll `condition` until it is true; fails at once, with its error output, if `build` ends first."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if build is not None and build.poll() is not None:
            err = build.stderr.read().decode() if build.stderr else ""
            pytest.fail(f"the build ended (exit {build.returncode}) before {what}: {err}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)
    return result


def half_built(staging: Path) -> bool:
    """MkDocs has copied the theme's assets but not yet rendered the home page.
    The previous site, which the swap puts at the staging name until it is removed, has both."""
    return (staging / "assets").is_dir() and not (staging / "index.html").exists()


@linux_only
@pytest.mark.parametrize("moment", ["0.3 s", "1 s", "2 s", "MkDocs writing the new site", "search child running"])
def test_a_killed_build_leaves_the_previous_site_whole_and_no_process(sites, tmp_path: Path, moment: str) -> None:
    project, good, edited = sites
    before = tree(project.site_dir)
    assert before in (good, edited)  # what the previous kill left, checked there
    marker = tmp_path / "paused"
    pause_at = "mkdocs" if moment.startswith("MkDocs") else "search" if moment.startswith("search") else ""
    process = start_build(project, pause_at, marker)
    try:
        children: list[int] = []
        if moment.endswith(" s"):  # a kill at whatever point the build has reached by then
            time.sleep(float(moment.split()[0]))
        else:
            wait_for(marker.exists, f"the build to pause ({pause_at})", process)
            if pause_at == "mkdocs":
                assert half_built(site_swap.staging_dir(project.site_dir, process.pid))
            else:
                children = children_of(process.pid)
                assert children, "the search child is running"
        running = process.poll() is None
        kill_build(process)
        wait_for(lambda: not processes_of(process.pid), "the build's processes to end", timeout=CHILD_END)
        assert all(proc_stat(child) is None or proc_stat(child)[0] == "Z" for child in children)
        after = tree(project.site_dir)
        if not moment.endswith(" s"):
            assert running and after == before, "the site changed though the build was killed before its swap"
        else:  # a timed kill may land before or after the swap: one whole site either way, never a mix
            assert after in (before, edited)
        assert process.stderr is not None and b"Traceback" not in process.stderr.read()
    finally:
        end_group(process)


@linux_only
def test_the_search_child_dies_with_a_killed_build_even_when_busy(sites, tmp_path: Path) -> None:
    """A search index that would take ten minutes: the child must still end with its killed parent, well
    before it would have finished (the wait for it to end is shorter than what is left of its ten)."""
    project, _, _ = sites
    before = tree(project.site_dir)
    marker = tmp_path / "paused"
    process = start_build(project, "search", marker)
    try:
        wait_for(marker.exists, "the search child to be inside its work", process)
        children = children_of(process.pid)
        assert children, "the search child is running"
        kill_build(process)
        wait_for(lambda: not processes_of(process.pid), "the search child to end with its parent",
                 timeout=CHILD_END)
        assert all(proc_stat(child) is None or proc_stat(child)[0] == "Z" for child in children)
        assert tree(project.site_dir) == before
    finally:
        end_group(process)


@linux_only
def test_the_next_build_removes_what_a_killed_build_left_and_publishes(sites, tmp_path: Path) -> None:
    project, _, edited = sites
    marker = tmp_path / "paused"
    process = start_build(project, "mkdocs", marker)
    staging = site_swap.staging_dir(project.site_dir, process.pid)
    try:
        wait_for(marker.exists, "a half-built site", process)
        assert half_built(staging)
        kill_build(process)
    finally:
        end_group(process)
    assert staging.name in leftovers(project)
    assert main(["--root", str(project.root), "build", "--site-url", SITE_URL]) == 0
    assert leftovers(project) == []
    assert not (project.docs_dir.parent / "search-index").exists()
    assert tree(project.site_dir) == edited


def test_a_built_site_has_no_hidden_files(sites) -> None:
    """upload-pages-artifact (v4 and later) leaves out every name starting with "."."""
    project, _, _ = sites
    hidden = [p for p in project.site_dir.rglob("*") if p.name.startswith(".")]
    assert not hidden
    assert len(list(project.site_dir.rglob("*"))) > 100  # the scan saw the whole site


@pytest.fixture
def built(tmp_path: Path) -> tuple[Project, dict[str, str]]:
    project = Project.at(new_project(tmp_path / "project", with_demo=True))
    build_site(project, site_url=SITE_URL)
    return project, tree(project.site_dir)


@pytest.mark.parametrize("breakage", ["unknown theme", "override template"])
def test_a_failed_mkdocs_leaves_the_site_and_nothing_else(built, capsys: pytest.CaptureFixture[str],
                                                         breakage: str) -> None:
    project, good = built
    edit_demo(project.root)
    if breakage == "unknown theme":
        config = project.mkdocs_file
        config.write_text(config.read_text(encoding="utf-8").replace("name: material", "name: no-such-theme"))
    else:
        (project.root / "overrides/main.html").write_text("{% extends 'base.html' %}\n{% block content %}{{ oops(\n")
    assert main(["--root", str(project.root), "build", "--site-url", SITE_URL]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    expected = ("dailypapers: mkdocs.yml: Config value 'theme': Unrecognised theme name: 'no-such-theme'"
                if breakage == "unknown theme" else "dailypapers: mkdocs build failed")
    assert len(err) == 1 and err[0].startswith(expected), err
    assert tree(project.site_dir) == good
    assert leftovers(project) == []


def test_a_failed_search_index_leaves_the_site_and_nothing_else(
        built, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    project, good = built
    edit_demo(project.root)

    def broken(*_: object) -> dict[str, bytes]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "build_search_index", broken)  # the name the build calls
    for fork in (True, False):
        monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda fork=fork: fork))
        with pytest.raises(UserError, match="building the search index failed"):
            build_site(project, site_url=SITE_URL)
        assert tree(project.site_dir) == good
        assert leftovers(project) == []
    assert "Traceback" not in capfd.readouterr().err


def test_failed_downloads_leave_the_site_and_nothing_else(
        built, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """Made in the search index's child or, where the build cannot fork, by the build itself: a failure
    is one line naming the downloads, the last good site stays, and no staging folder is left."""
    project, good = built
    edit_demo(project.root)

    def broken(*_: object) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "build_data_export", broken)  # the names the child and the build call
    monkeypatch.setattr(build_module, "build_data_export", broken)
    for fork in (True, False):
        monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda fork=fork: fork))
        expected = (UserError, "^building the data downloads failed: RuntimeError: disk on fire$") if fork else (
            RuntimeError, "^disk on fire$")  # raised in the build's process: the CLI's one line for a bug
        with pytest.raises(expected[0], match=expected[1]):
            build_site(project, site_url=SITE_URL)
        assert tree(project.site_dir) == good
        assert leftovers(project) == []
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(("page", "owner"), [
    ("feed.xml", "the generated RSS feed feed.xml"),
    ("topics/reasoning/atom.xml", "the generated Atom feed topics/reasoning/atom.xml"),
    ("orgs/demo-lab/feed.xml", "the generated RSS feed orgs/demo-lab/feed.xml"),
    ("topics/reasoning/feed.json", "the generated JSON Feed topics/reasoning/feed.json"),
    ("p/2611.90001/index.html", "the permalink page p/2611.90001/index.html"),
    ("search/shards/0.json", "the search index (everything under search/)"),
    ("search/help.md", "the search index (everything under search/)"),
    ("2026/11/16.md", "the generated page 2026/11/16/index.html"),
    ("topics/index.md", "the generated page topics/index.html"),
    ("schema/snapshot.schema.json", "the published snapshot schema schema/snapshot.schema.json"),
    ("404.html", "MkDocs' 404.html"),
    ("about/index.md", "content/pages/about.md"),
    # where the data names the pages, even before a paper that would take the path arrives
    ("p/hep-th/9901001.md", "the folder p/, whose pages the data names"),
    ("2027.md", "the folders of days, months and years (YYYY/)"),
    ("2031/01/notes.md", "the folders of days, months and years (YYYY/)"),
    ("orgs/a-future-lab.md", "the folder orgs/, whose pages the data names"),
    ("weeks/2031-W01.md", "the folder weeks/, whose pages the data names"),
])
def test_a_hand_written_page_on_a_generated_path_stops_the_build_before_writing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str, owner: str) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    (root / "content/pages" / page).parent.mkdir(parents=True, exist_ok=True)
    (root / "content/pages" / page).write_text("hand-written\n")
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"dailypapers: content/pages/{page}: {owner} has this path; rename the page"]
    assert not (root / "site").exists() and not (root / "build").exists()


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_symlink_in_hand_written_pages_stops_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         kind: str) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.md").write_text("not for the web\n")
    (root / "content/pages/linked").symlink_to(secret / "key.md" if kind == "file" else secret)
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dailypapers: content/pages/linked: is a symbolic link"), err
    assert not (root / "site").exists() and not (root / "build").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_special_file_in_hand_written_pages_stops_the_build(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = new_project(tmp_path / "project", with_demo=True)
    os.mkfifo(root / "content/pages/pipe.md")  # reading it would hang the build
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 1
    assert capsys.readouterr().err.strip() == ("dailypapers: content/pages/pipe.md: not a plain file; "
                                               "hand-written pages must be plain files")


def make_site(folder: Path, text: str) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "sub" / "page.html").write_text(text)
    return folder


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_clean_stale_removes_dead_builds_folders_and_keeps_live_ones(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", "good")
    dead = dead_pid()
    make_site(tmp_path / f"site.new-{dead}", "half")
    make_site(tmp_path / f"site.old-{dead}", "older")
    live = make_site(site_swap.staging_dir(site), "building")  # this process: a build still running
    make_site(tmp_path / "site.new-notapid", "someone's folder")
    make_site(tmp_path / "site.new-\u00b2", "a digit, but not a pid")
    removed = site_swap.clean_stale(site)
    assert sorted(p.name for p in removed) == [f"site.new-{dead}", f"site.old-{dead}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", live.name, "site.new-notapid",
                                                                 "site.new-\u00b2"])
    assert (site / "index.html").read_text() == "good"


def test_clean_stale_puts_back_a_site_a_killed_swap_left_aside(tmp_path: Path) -> None:
    dead = dead_pid()
    make_site(tmp_path / f"site.old-{dead}", "good")
    make_site(tmp_path / f"site.new-{dead}", "new but never swapped in")
    site_swap.clean_stale(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_of_the_same_project_waits_then_fails_in_one_line_leaving_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """While one build runs (here: its lock, held by this test), another build of the same project,
    `dailypapers serve`'s or a plain `mkdocs build`, fails in one line and writes nothing; once the first
    ends, the next build runs."""
    root = new_project(tmp_path / "project", with_demo=True)
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    project = Project.at(root)
    before = tree(project.site_dir)
    monkeypatch.setattr(site_swap.BuildLock, "WAIT", 0.3)
    running = site_swap.BuildLock(project.root)
    capsys.readouterr()
    (root / "content/snapshots/2026/2026-11-16.yaml").unlink()  # what the second build would change
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"dailypapers: another build of {project.root} is running: wait for it to end, then build again"]
    assert tree(project.site_dir) == before
    running.release()
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    assert tree(project.site_dir) != before  # this build ran: the removed day is gone from the site


def test_a_failed_or_markdown_only_build_lets_the_next_one_run(tmp_path: Path) -> None:
    """The lock is released on every way out, in the same process too (`serve` and `mkdocs serve` build
    again and again)."""
    project = Project.at(new_project(tmp_path / "project", with_demo=True))
    clash = project.pages_dir / "feed.xml"
    clash.write_text("hand-written\n")
    with pytest.raises(UserError, match="the generated RSS feed feed.xml has this path"):
        build_site(project, site_url=SITE_URL)  # fails while preparing, its jobs already started
    clash.unlink()
    build_site(project, site_url=SITE_URL, run_mkdocs=False)  # Markdown only
    assert build_site(project, site_url=SITE_URL).site_dir == project.site_dir
    site_swap.BuildLock(project.root).release()  # free again afterwards


def test_a_build_of_a_folder_that_does_not_exist_is_one_line(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-project"
    assert main(["--root", str(missing), "build", "--site-url", SITE_URL]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"dailypapers: cannot open the project folder {missing}: No such file or directory"]


def test_where_the_file_system_cannot_lock_the_build_goes_on_unguarded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some network mounts refuse flock (ENOLCK): the lock guards against a second build, so its absence
    must not stop the only one."""
    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    project = Project.at(new_project(tmp_path / "project", with_demo=True))
    monkeypatch.setattr(fcntl, "flock", no_locks)
    assert build_site(project, site_url=SITE_URL).site_dir == project.site_dir
