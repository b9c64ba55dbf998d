"""A copy of this working tree in a repository of its own, for the tests that run the daily script
(tests/site/test_daily_run.py, tests/site/test_unattended_month.py): git with no identity or config from
this machine, and a `.venv` whose `dailypapers` runs this interpreter on the copy's code, so `make`
neither creates a venv nor installs anything."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from support.paths import REPO


def clean_env(**extra: str) -> dict[str, str]:
    """No git identity or config from the machine (so the bot identity is what a clean CI runner
    would use), no make state from an outer `make test`, UTC."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "MAKE", "MFLAGS", "FETCH_ARGS", "SITE_URL", "DAILY_RUN_"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", TZ="UTC")
    env.update(extra)
    return env


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=clean_env()).stdout.strip()


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-qm", message)


def make_repo(path: Path, origin: Path) -> None:
    """Turn `path` into a repository with one commit, pushed to a new bare `origin`."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True, env=clean_env())
    git(path, "init", "-q", "-b", "main")
    commit_all(path, "base")
    git(path, "remote", "add", "origin", str(origin))
    git(path, "push", "-q", "-u", "origin", "main")


def working_tree_files() -> list[Path]:
    """What `git status` would show as the project: tracked and untracked files, not ignored ones,
    and no stored snapshots (each test brings its own)."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True, env=clean_env(),
    ).stdout.decode().split("\0")
    return [Path(p) for p in listed
            if p and not p.startswith("content/snapshots/") and (REPO / p).is_file()]


def make_checkout(target: Path) -> Path:
    """`target/project`: this working tree without its snapshots, in a repository pushed to the bare
    `target/origin.git`, with a `.venv` that runs this interpreter on the copy's code."""
    project = target / "project"
    for relative in working_tree_files():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, project / relative)
    (project / "content" / "snapshots").mkdir(parents=True, exist_ok=True)
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    launcher = bin_dir / "dailypapers"
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{project}" exec "{sys.executable}" -m generator "$@"\n')
    launcher.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    # The stamps that say .venv is installed, whatever the Makefile names them: the targets' prerequisites
    # under .venv/, from make's own database (-p), made without running anything (-q).
    database = subprocess.run(["make", "-pq", "fetch", "validate", "site"], cwd=project, capture_output=True,
                              text=True, env=clean_env()).stdout
    stamps = {word for line in database.splitlines() if re.match(r"(fetch|validate|site): ", line)
              for word in line.split(":", 1)[1].split() if word.startswith(".venv/")}
    assert stamps, "the Makefile's fetch, validate and site targets name no .venv stamp"
    for stamp in stamps:  # now: newer than every copied file, which keeps its own time
        (project / stamp).touch()
    make_repo(project, target / "origin.git")
    return project
