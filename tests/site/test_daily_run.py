"""scripts/daily_run.sh, the sequence CI's daily workflow runs: fetch, validate, commit the changed
snapshots, build. What it promises:

- every day fetched: snapshots committed (as the bot, pushed), site built, exit 0;
- some days fail: the good days are still committed and built into the site, exit 1;
- validation (or commit, or build) fails: nothing committed, no site/ left to deploy, exit 2.

Two kinds of test. The fast ones replace `make` with a stub that records what it was asked and fails
on request, so the order and the exit codes are checked in milliseconds. The end-to-end ones run the
real Makefile, `dailypapers fetch` against a local fake API serving made-up papers, and the real build,
in a copy of this working tree with its own git repository and a bare "origin" to push to.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.checkout import clean_env, commit_all, git, make_checkout, make_repo
from support.fake_api import FakeAPI, Fault
from support.paths import REPO as ROOT

SCRIPT = ROOT / "scripts" / "daily_run.sh"
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
SNAPSHOT = "format: 1\ndate: '{day}'\nstatus: empty\npapers: []\n"
BROKEN_SNAPSHOT = "format: 1\ndate: '2024-03-01'\nstatus: listed\npapers: not a list\n"


def run_script(repo: Path, *args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(repo / "scripts" / "daily_run.sh"), *args],
        cwd=repo, capture_output=True, text=True, timeout=timeout, env=clean_env(**env),
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


# --- fast: the sequence, with `make` stubbed --------------------------------------------------------

FAKE_MAKE = r"""#!/bin/sh
# Stands in for make: logs its arguments, plays the target, exits as the test asks.
printf '%s\n' "$*" >> "$FAKE_LOG"
for word; do case $word in fetch|validate|site) target=$word ;; esac; done
case $target in
  fetch)
    for day in $FAKE_FETCH_DAYS; do
      mkdir -p "content/snapshots/${day%%-*}"
      printf "format: 1\ndate: '%s'\nstatus: empty\npapers: []\n" "$day" \
        > "content/snapshots/${day%%-*}/$day.yaml"
    done
    exit "${FAKE_FETCH_EXIT:-0}" ;;
  validate) exit "${FAKE_VALIDATE_EXIT:-0}" ;;
  site) mkdir -p site && echo built > site/index.html; exit "${FAKE_SITE_EXIT:-0}" ;;
esac
exit 99
"""


@dataclass
class Stubbed:
    """A small repository holding only the daily script, with a stub `make`."""

    repo: Path
    origin: Path
    log: Path
    make: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run_script(self.repo, *args, timeout=600, MAKE=str(self.make), FAKE_LOG=str(self.log), **env)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def targets(self) -> list[str]:
        return [next(w for w in call.split() if w in ("fetch", "validate", "site")) for call in self.calls()]


@pytest.fixture
def stubbed(tmp_path: Path) -> Stubbed:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(SCRIPT, repo / "scripts" / "daily_run.sh")
    (repo / "content" / "snapshots" / "2024").mkdir(parents=True)
    first = repo / "content" / "snapshots" / "2024" / "2024-03-01.yaml"
    first.write_text(SNAPSHOT.format(day="2024-03-01"))
    (repo / ".gitignore").write_text("/site/\n")
    make_repo(repo, tmp_path / "origin.git")
    make = tmp_path / "bin" / "make"
    make.parent.mkdir()
    make.write_text(FAKE_MAKE)
    make.chmod(0o755)
    return Stubbed(repo, tmp_path / "origin.git", tmp_path / "make.log", make)


def test_good_run_fetches_validates_commits_and_builds(stubbed: Stubbed) -> None:
    before = git(stubbed.repo, "rev-parse", "HEAD")
    result = stubbed.run("--since", "2024-03-04", "--until", "2024-03-05", "--push",
                         FAKE_FETCH_DAYS="2024-03-04 2024-03-05")
    assert result.returncode == 0, output(result)
    assert stubbed.targets() == ["fetch", "validate", "site"]
    assert git(stubbed.repo, "log", "-1", "--format=%an <%ae>") == BOT
    assert git(stubbed.repo, "log", "-1", "--format=%s") == "Snapshots: 2024-03-04, 2024-03-05"
    assert git(stubbed.repo, "diff", "--name-only", before, "HEAD").splitlines() == [
        "content/snapshots/2024/2024-03-04.yaml", "content/snapshots/2024/2024-03-05.yaml"]
    assert git(stubbed.repo, "status", "--porcelain") == ""
    assert git(stubbed.origin, "rev-parse", "main") == git(stubbed.repo, "rev-parse", "HEAD")
    assert (stubbed.repo / "site" / "index.html").exists()


def test_dates_and_api_url_become_fetch_args(stubbed: Stubbed) -> None:
    result = stubbed.run("fetch", "--since", "2024-03-04", "--until", "2024-03-05",
                         "--api-url", "http://127.0.0.1:9/api/daily_papers", FETCH_ARGS="--retries 0")
    assert result.returncode == 0, output(result)
    assert stubbed.calls() == [
        "--no-print-directory fetch FETCH_ARGS=--since 2024-03-04 --until 2024-03-05 "
        "--api-url http://127.0.0.1:9/api/daily_papers --retries 0"
    ]


def test_no_dates_fetch_the_default_window(stubbed: Stubbed) -> None:
    result = stubbed.run("fetch")
    assert result.returncode == 0, output(result)
    assert stubbed.calls() == ["--no-print-directory fetch FETCH_ARGS= "]


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "2024-3-4"],
        ["--since", "2024-03-04; touch pwned"],
        ["--until", "2024-03-05"],
        ["--date", "2024-03-04", "--since", "2024-03-01"],
        ["--api-url", "http://127.0.0.1/$(touch pwned)"],
        ["--api-url", "file:///etc/passwd"],
        ["--site-url", "https://example.org/a b/"],
        ["--since"],
        ["--frobnicate"],
        ["deploy"],
    ],
)
def test_bad_arguments_stop_before_anything_runs(stubbed: Stubbed, args: list[str]) -> None:
    """Dispatch inputs end up in a make command line: anything but a date or a plain URL is refused."""
    result = stubbed.run(*args)
    assert result.returncode == 64, output(result)
    assert stubbed.calls() == []
    assert not (stubbed.repo / "pwned").exists()


def test_failed_days_still_publish_the_good_ones_and_fail_the_run(stubbed: Stubbed) -> None:
    result = stubbed.run("--push", FAKE_FETCH_DAYS="2024-03-04", FAKE_FETCH_EXIT="1")
    assert result.returncode == 1, output(result)
    assert stubbed.targets() == ["fetch", "validate", "site"]
    assert "content/snapshots/2024/2024-03-04.yaml" in git(stubbed.repo, "ls-files")
    assert git(stubbed.origin, "rev-parse", "main") == git(stubbed.repo, "rev-parse", "HEAD")
    assert (stubbed.repo / "site" / "index.html").exists()
    assert "some days failed" in result.stderr


def test_failed_validation_commits_nothing_and_leaves_no_site(stubbed: Stubbed) -> None:
    (stubbed.repo / "site").mkdir()
    (stubbed.repo / "site" / "index.html").write_text("stale")
    before = git(stubbed.repo, "rev-parse", "HEAD")
    result = stubbed.run("--push", FAKE_FETCH_DAYS="2024-03-04", FAKE_VALIDATE_EXIT="1")
    assert result.returncode == 2, output(result)
    assert stubbed.targets() == ["fetch", "validate"]
    assert git(stubbed.repo, "rev-parse", "HEAD") == before
    assert git(stubbed.origin, "rev-parse", "main") == before
    assert not (stubbed.repo / "site").exists()


def test_failed_build_leaves_no_half_built_site(stubbed: Stubbed) -> None:
    result = stubbed.run(FAKE_FETCH_DAYS="2024-03-04", FAKE_SITE_EXIT="1")
    assert result.returncode == 2, output(result)
    assert stubbed.targets() == ["fetch", "validate", "site"]
    assert not (stubbed.repo / "site").exists()


def test_nothing_changed_makes_no_commit(stubbed: Stubbed) -> None:
    before = git(stubbed.repo, "rev-parse", "HEAD")
    result = stubbed.run("commit", "--push")
    assert result.returncode == 0, output(result)
    assert git(stubbed.repo, "rev-parse", "HEAD") == before
    assert "no snapshot changed" in result.stderr


def test_commit_takes_only_snapshots(stubbed: Stubbed) -> None:
    """Other work in the index stays there, uncommitted: the bot commits the days it fetched."""
    (stubbed.repo / "notes.txt").write_text("work in progress\n")
    git(stubbed.repo, "add", "notes.txt")
    day = stubbed.repo / "content" / "snapshots" / "2024" / "2024-03-02.yaml"
    day.write_text(SNAPSHOT.format(day="2024-03-02"))
    result = stubbed.run("commit")
    assert result.returncode == 0, output(result)
    committed = git(stubbed.repo, "show", "--name-only", "--format=", "HEAD")
    assert committed == "content/snapshots/2024/2024-03-02.yaml"
    assert git(stubbed.repo, "status", "--porcelain") == "A  notes.txt"


def test_commit_uses_the_clones_own_identity_when_it_has_one(stubbed: Stubbed) -> None:
    git(stubbed.repo, "config", "user.name", "Local Maintainer")
    git(stubbed.repo, "config", "user.email", "maintainer@example.invalid")
    (stubbed.repo / "content" / "snapshots" / "2024" / "2024-03-02.yaml").write_text(
        SNAPSHOT.format(day="2024-03-02"))
    result = stubbed.run("commit")
    assert result.returncode == 0, output(result)
    assert git(stubbed.repo, "log", "-1", "--format=%an") == "Local Maintainer"


def test_a_deleted_snapshot_is_never_committed(stubbed: Stubbed) -> None:
    """Nothing stored is ever lost: a day that vanished is a mistake to report, not to publish."""
    before = git(stubbed.repo, "rev-parse", "HEAD")
    (stubbed.repo / "content" / "snapshots" / "2024" / "2024-03-01.yaml").unlink()
    result = stubbed.run(FAKE_FETCH_DAYS="2024-03-04")
    assert result.returncode == 2, output(result)
    assert git(stubbed.repo, "rev-parse", "HEAD") == before
    assert not (stubbed.repo / "site").exists()
    assert "2024-03-01.yaml" in result.stderr


def test_push_after_someone_else_pushed_rebases(stubbed: Stubbed, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(stubbed.origin), str(other)], check=True, env=clean_env())
    (other / "README").write_text("meanwhile\n")
    commit_all(other, "meanwhile")
    git(other, "push", "-q", "origin", "main")
    (stubbed.repo / "content" / "snapshots" / "2024" / "2024-03-02.yaml").write_text(
        SNAPSHOT.format(day="2024-03-02"))
    result = stubbed.run("commit", "--push")
    assert result.returncode == 0, output(result)
    assert git(stubbed.origin, "log", "-2", "--format=%s", "main").splitlines() == [
        "Snapshots: 2024-03-02", "meanwhile"], output(result)


def test_a_failed_push_fails_the_run_and_builds_nothing(stubbed: Stubbed) -> None:
    """Publishing days the repository does not hold would lose them at the next run's checkout."""
    git(stubbed.repo, "remote", "set-url", "origin", str(stubbed.origin.parent / "gone.git"))
    result = stubbed.run("--push", FAKE_FETCH_DAYS="2024-03-04")
    assert result.returncode == 2, output(result)
    assert stubbed.targets() == ["fetch", "validate"]
    assert not (stubbed.repo / "site").exists()


# --- end to end: the real Makefile, fetcher and builder ----------------------------------------------

DAYS = {
    "2024-03-04": [("2403.90101", "Quiet Lattices for Imaginary Benchmarks"),
                   ("2403.90102", "A Fictional Survey of Placeholder Transformers")],
    "2024-03-05": [("2403.90201", "Unfetchable Results on Made-Up Data")],
    "2024-03-06": [("2403.90301", "Synthetic Gardens: Toy Agents That Water Themselves")],
}


def api_entry(arxiv_id: str, title: str, day: str) -> dict[str, object]:
    """One made-up paper in the shape the Daily Papers API answers with."""
    return {
        "paper": {
            "id": arxiv_id,
            "authors": [{"_id": f"{arxiv_id}-a", "name": "Ada Placeholder", "hidden": False},
                        {"_id": f"{arxiv_id}-b", "name": "Bo Fictional", "hidden": False}],
            "publishedAt": f"{day}T01:00:00.000Z",
            "title": title,
            "summary": f"An abstract made up for testing the daily run: {title}.\nNo real work.",
            "upvotes": 3,
        },
        "publishedAt": f"{day}T02:00:00.000Z",
        "title": title,
        "numComments": 0,
        "submittedBy": {"name": "test-submitter", "fullname": "Test Submitter"},
    }


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    """The shared fake API (tests/support/fake_api.py) serving the made-up lists of DAYS; `[]` for other days."""
    server = FakeAPI()
    for day, papers in DAYS.items():
        server.bodies[day] = json.dumps([api_entry(i, t, day) for i, t in papers]).encode()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def asked_days(api: FakeAPI) -> list[str]:
    return sorted({request.date for request in api.requests})


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of this working tree in its own repository, with a bare `origin`, and a `.venv` that
    runs this interpreter on the copy's code, so `make` neither creates a venv nor installs."""
    return make_checkout(tmp_path)


FAST_FETCH = "--retries 0 --rate 100 --timeout 30"


def site_text(checkout: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (checkout / "site").rglob("*.html"))


def test_end_to_end_good_run(checkout: Path, api: FakeAPI) -> None:
    result = run_script(checkout, "--since", "2024-03-04", "--until", "2024-03-06", "--api-url", api.url,
                        "--site-url", "http://127.0.0.1/archive/", "--push", FETCH_ARGS=FAST_FETCH)
    assert result.returncode == 0, output(result)
    assert asked_days(api) == ["2024-03-04", "2024-03-05", "2024-03-06"]
    committed = git(checkout, "ls-files", "content/snapshots").splitlines()
    for day in DAYS:
        assert f"content/snapshots/2024/{day}.yaml" in committed
    assert git(checkout, "status", "--porcelain", "content/snapshots") == ""
    assert git(checkout, "log", "-1", "--format=%an <%ae>") == BOT
    assert git(checkout.parent / "origin.git", "rev-parse", "main") == git(checkout, "rev-parse", "HEAD")
    assert (checkout / "site" / "index.html").is_file()
    # --site-url reaches the build (as SITE_URL): the feed's links are absolute on it.
    assert "http://127.0.0.1/archive/" in (checkout / "site" / "feed.xml").read_text()
    text = site_text(checkout)
    for papers in DAYS.values():
        for _, title in papers:
            assert title in text


def test_end_to_end_failed_day_publishes_the_others(checkout: Path, api: FakeAPI) -> None:
    api.always["2024-03-05"] = Fault("500")
    result = run_script(checkout, "--since", "2024-03-04", "--until", "2024-03-06", "--api-url", api.url,
                        FETCH_ARGS=FAST_FETCH)
    assert result.returncode == 1, output(result)
    committed = git(checkout, "ls-files", "content/snapshots").splitlines()
    assert "content/snapshots/2024/2024-03-04.yaml" in committed
    assert "content/snapshots/2024/2024-03-06.yaml" in committed
    assert git(checkout, "status", "--porcelain", "content/snapshots") == ""
    text = site_text(checkout)
    assert "Quiet Lattices for Imaginary Benchmarks" in text
    assert "Synthetic Gardens: Toy Agents That Water Themselves" in text
    assert "Unfetchable Results on Made-Up Data" not in text


def test_end_to_end_invalid_snapshot_deploys_nothing(checkout: Path, api: FakeAPI) -> None:
    base = git(checkout, "rev-parse", "HEAD")
    broken = checkout / "content" / "snapshots" / "2024" / "2024-03-01.yaml"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text(BROKEN_SNAPSHOT)
    commit_all(checkout, "a broken snapshot")
    (checkout / "site").mkdir()
    (checkout / "site" / "index.html").write_text("the last build, stale")
    before = git(checkout, "rev-parse", "HEAD")
    result = run_script(checkout, "--date", "2024-03-04", "--api-url", api.url, "--push",
                        FETCH_ARGS=FAST_FETCH)
    assert result.returncode == 2, output(result)
    assert "2024-03-01.yaml" in result.stderr
    assert git(checkout, "rev-parse", "HEAD") == before
    assert git(checkout.parent / "origin.git", "rev-parse", "main") == base
    assert not (checkout / "site").exists()
