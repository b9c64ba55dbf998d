"""The CI workflows keep their promises: valid for GitHub, least privilege, pinned actions, a daily run
that publishes the good days and never deploys a site that failed validation or its build, only
commands that exist (make targets in the Makefile, subcommands in the `dailypapers` CLI), and Python
packages installed only from the hash-checked lock files in requirements/, which Dependabot updates.

These read the YAML, the Makefile and the locks; they cannot run GitHub. What `make -n` would run and the
schemas (check-jsonschema): tests/site/test_workflows_make.py; the same sequence for real:
tests/site/test_daily_run.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shlex
import tomllib
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from support.paths import REPO as ROOT
from support.workflows import (
    CI_RUN,
    DEPENDABOT,
    LOCKS,
    MAKE_CALL,
    PIP_INSTALL,
    REQUIREMENTS,
    SCRIPT,
    WORKFLOWS,
    all_workflows,
    load,
    step_running,
    step_using,
    steps,
)

from generator.cli import _parser

PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")


def run_scripts() -> list[str]:
    """Every shell script the workflows run, plus the daily script they call."""
    scripts = [SCRIPT.read_text(encoding="utf-8")]
    for name in all_workflows():
        for job in load(name)["jobs"].values():
            scripts += [s["run"] for s in job.get("steps", []) if "run" in s]
    return scripts


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, flags=re.MULTILINE))


def cli_commands() -> dict[str, argparse.ArgumentParser]:
    """The `dailypapers` subcommands, read from the real parser rather than a copy of the list."""
    parser = _parser()
    for action in parser._actions:  # argparse has no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the dailypapers parser has no subcommands")


def options_of(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def test_the_two_workflows_exist() -> None:
    assert {"test.yml", "daily.yml"} <= set(all_workflows())


@pytest.mark.parametrize("name", all_workflows())
def test_token_is_read_only_unless_a_job_says_why(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    for job_name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        assert isinstance(granted, dict), f"{job_name}: permissions must be listed, not {granted!r}"
        assert set(granted.values()) <= {"read", "write", "none"}, job_name


def test_daily_jobs_get_exactly_what_they_need() -> None:
    jobs = load("daily.yml")["jobs"]
    assert jobs["update"]["permissions"] == {"contents": "write", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_test_job_cannot_write() -> None:
    for job in load("test.yml")["jobs"].values():
        assert "write" not in job.get("permissions", {}).values()


@pytest.mark.parametrize("name", all_workflows())
def test_every_action_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    """A tag can be moved to other code; a commit cannot. The comment says which release it is."""
    lines = (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"^\s*(-\s+)?uses:", line)]
    assert uses, "no actions used?"
    for line in uses:
        reference = line.split("uses:", 1)[1].split("#", 1)[0].strip()
        assert PINNED.match(reference), f"not pinned to a full commit SHA: {line.strip()}"
        assert VERSION_COMMENT.search(line), f"say which release the SHA is: {line.strip()}"


# The first release of each action that runs on Node 24 (GitHub deprecated the Node 20 runtime).
# upload-pages-artifact is a composite action: v4 still uploads through upload-artifact v4.6.2 (Node 20);
# v5 uploads through upload-artifact v7 (Node 24).
NODE24_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "actions/cache": 5,
}


def pinned_actions(name: str) -> list[tuple[str, int]]:
    """(action, major version from its comment) for every `uses:` line of a workflow."""
    found = []
    for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(-\s+)?uses:", line):
            action = line.split("uses:", 1)[1].split("@", 1)[0].strip()
            found.append((action, int(VERSION_COMMENT.search(line)[0].split("v")[1].split(".")[0])))
    return found


@pytest.mark.parametrize("name", all_workflows())
def test_every_action_runs_on_node_24(name: str) -> None:
    """An action not in NODE24_MAJOR must be looked at (its runtime) and added there first."""
    for action, major in pinned_actions(name):
        assert action in NODE24_MAJOR, f"{action}: which release runs on Node 24? add it to NODE24_MAJOR"
        assert major >= NODE24_MAJOR[action], f"{action} v{major} runs on Node 20; use v{NODE24_MAJOR[action]} or later"


def test_the_node_24_check_sees_every_action() -> None:
    """Guards the check above: both workflows' actions are found, with their majors."""
    used = dict(pinned_actions("daily.yml") + pinned_actions("test.yml"))
    assert set(used) == set(NODE24_MAJOR)
    assert all(major >= 5 for major in used.values())


@pytest.mark.parametrize("name", all_workflows())
def test_every_job_has_a_timeout(name: str) -> None:
    for job_name, job in load(name)["jobs"].items():
        minutes = job.get("timeout-minutes")
        assert isinstance(minutes, int) and 0 < minutes <= 120, f"{job_name}: timeout-minutes {minutes!r}"


def test_deploy_fits_in_pages_limits() -> None:
    """GitHub Pages gives a deployment 10 minutes; the deploy job should not wait much longer."""
    assert load("daily.yml")["jobs"]["deploy"]["timeout-minutes"] <= 20


def test_tests_run_on_every_push_and_pull_request() -> None:
    workflow = load("test.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    for event in ("push", "pull_request"):
        assert not (workflow["on"][event] or {}).get("branches"), f"{event} should not be limited to branches"


def test_superseded_test_runs_are_cancelled() -> None:
    concurrency = load("test.yml")["concurrency"]
    assert "github.ref" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_tests_run_the_readme_command_with_cached_pip() -> None:
    job_steps = steps(load("test.yml"), "test")
    _, python = step_using(job_steps, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "requirements/test.txt"
    assert str(python["with"]["python-version"]) == "3.11"
    index, run = step_running(job_steps, "make test")
    assert index == len(job_steps) - 1, "make test is the last step"
    assert run["run"].strip() == "make test"


def test_debian_packages_are_installed_with_sudo() -> None:
    """Runners are not root: the Makefile's `system-deps` would only print a note and the browser and
    reader tests would skip."""
    job_steps = steps(load("test.yml"), "test")
    _, step = step_running(job_steps, "newsboat")
    assert "sudo" in step["run"]
    install, _ = step_running(job_steps, "newsboat")
    test, _ = step_running(job_steps, "make test")
    assert install < test


def test_runs_once_a_day_on_a_schedule() -> None:
    schedule = load("daily.yml")["on"]["schedule"]
    assert len(schedule) == 1
    minute, hour, day, month, weekday = schedule[0]["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*")
    assert minute.isdigit() and 0 <= int(minute) < 60
    assert hour.isdigit() and 0 <= int(hour) < 24


def test_backfill_inputs_are_optional_dates() -> None:
    inputs = load("daily.yml")["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"since", "until"}
    for name, spec in inputs.items():
        assert spec.get("required", False) is False, name
        assert spec.get("type", "string") == "string", name
        assert "YYYY-MM-DD" in spec["description"], name


def test_runs_queue_and_are_never_cancelled_half_way() -> None:
    assert load("daily.yml")["concurrency"] == {"group": "pages-daily", "cancel-in-progress": False}


def test_update_job_fetches_validates_commits_then_builds() -> None:
    job_steps = steps(load("daily.yml"), "update")
    order = [
        step_using(job_steps, "actions/checkout")[0],
        step_using(job_steps, "actions/setup-python")[0],
        step_running(job_steps, "scripts/daily_run.sh fetch")[0],
        step_running(job_steps, "make validate")[0],
        step_running(job_steps, "scripts/daily_run.sh commit")[0],
        step_using(job_steps, "actions/configure-pages")[0],
        step_running(job_steps, "make site")[0],
        step_using(job_steps, "actions/upload-pages-artifact")[0],
    ]
    assert order == sorted(order)


def test_backfill_inputs_reach_fetch_as_environment_not_as_code() -> None:
    """`${{ inputs.x }}` pasted into a script is a code injection; an env variable is only data."""
    _, fetch = step_running(steps(load("daily.yml"), "update"), "scripts/daily_run.sh fetch")
    assert fetch["env"] == {"SINCE": "${{ inputs.since }}", "UNTIL": "${{ inputs.until }}"}
    assert "${{" not in fetch["run"]
    assert '--since "$SINCE"' in fetch["run"] and '--until "$UNTIL"' in fetch["run"]


def test_only_a_failed_fetch_may_let_the_job_go_on() -> None:
    """Failed days still publish the good ones; a failed validation, commit or build stops the job,
    so the deploy job (which needs it) never runs and the last good site stays online."""
    workflow = load("daily.yml")
    job_steps = steps(workflow, "update")
    _, fetch = step_running(job_steps, "scripts/daily_run.sh fetch")
    assert fetch["id"] == "fetch" and fetch["continue-on-error"] is True
    others = [s for s in job_steps if s is not fetch]
    assert not any(s.get("continue-on-error") for s in others)
    assert not any("if" in s for s in others), "every step after fetch runs only if all before succeeded"
    assert workflow["jobs"]["update"]["outputs"]["fetch_failed"] == "${{ steps.fetch.outcome == 'failure' }}"


def test_snapshots_are_committed_by_the_bot() -> None:
    _, commit = step_running(steps(load("daily.yml"), "update"), "scripts/daily_run.sh commit")
    assert "--push" in commit["run"]
    env = commit["env"]
    assert env["GIT_AUTHOR_NAME"] == env["GIT_COMMITTER_NAME"] == "github-actions[bot]"
    assert (env["GIT_AUTHOR_EMAIL"] == env["GIT_COMMITTER_EMAIL"]
            == "41898282+github-actions[bot]@users.noreply.github.com")


def test_site_is_built_for_the_pages_url_and_uploaded() -> None:
    job_steps = steps(load("daily.yml"), "update")
    _, pages = step_using(job_steps, "actions/configure-pages")
    _, build = step_running(job_steps, "make site")
    assert f"steps.{pages['id']}.outputs.base_url" in build["env"]["SITE_URL"]
    _, upload = step_using(job_steps, "actions/upload-pages-artifact")
    assert upload["with"]["path"].rstrip("/") == "site"


def test_deploy_job_deploys_the_uploaded_site_then_reports_failed_days() -> None:
    workflow = load("daily.yml")
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] in ("update", ["update"])
    assert "if" not in deploy, "deploy must not run when the update job failed"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    index, step = step_using(deploy["steps"], "actions/deploy-pages")
    assert step["id"] == "deployment"
    last = deploy["steps"][-1]
    assert index < len(deploy["steps"]) - 1
    assert last["if"] == "needs.update.outputs.fetch_failed == 'true'"
    assert re.search(r"^\s*exit 1\s*$", last["run"], flags=re.MULTILINE)


def make_targets_run() -> set[str]:
    targets = set()
    for script in run_scripts():
        for line in script.splitlines():
            line = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
            for match in MAKE_CALL.finditer(line):
                words = [w for w in shlex.split(match[1]) if not w.startswith("-") and "=" not in w]
                targets.update(w for w in words if re.fullmatch(r"[a-z][\w-]*", w))
    return targets


def test_found_the_make_targets_the_workflows_run() -> None:
    """Guards the scan below: it must see the targets that are certainly there."""
    assert {"test", "validate", "site", "fetch"} <= make_targets_run()


def test_every_make_target_run_exists() -> None:
    missing = make_targets_run() - makefile_targets()
    assert not missing, f"make targets run by CI but not in the Makefile: {sorted(missing)}"


def test_every_dailypapers_command_used_exists() -> None:
    """Commands named in the workflows, the daily script and the Makefile recipes CI runs."""
    texts = [*run_scripts(), (ROOT / "Makefile").read_text(encoding="utf-8")]
    used = {m for text in texts for m in re.findall(r"dailypapers\s+([a-z][\w-]*)", text)}
    assert {"fetch", "validate", "build"} <= used
    unknown = used - set(cli_commands())
    assert not unknown, f"unknown dailypapers commands: {sorted(unknown)}"


def test_fetch_options_the_daily_script_passes_exist() -> None:
    options = options_of(cli_commands()["fetch"])
    passed = set(re.findall(r"args\+=\((--[a-z-]+)", SCRIPT.read_text(encoding="utf-8")))
    assert passed == {"--date", "--since", "--until", "--api-url"}
    assert passed <= options


def test_build_takes_a_site_url() -> None:
    """The workflow hands the Pages URL to the build; `dailypapers build --site-url` must take it."""
    assert "--site-url" in options_of(cli_commands()["build"])


def test_script_stages_the_workflow_calls_exist() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    stages = set(re.search(r"case \$stage in ([\w |]+)\)", text)[1].replace(" ", "").split("|"))
    called = {m for script in run_scripts() for m in re.findall(r"scripts/daily_run\.sh\s+([a-z]+)", script)}
    assert called == {"fetch", "commit"}
    assert called <= stages


def test_daily_script_is_executable() -> None:
    assert SCRIPT.stat().st_mode & 0o111, "the workflow runs scripts/daily_run.sh directly"


LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})+)$")


def lock_pins(name: str) -> dict[str, str]:
    """Canonical package name -> pinned version, read as pip reads the file (continuation lines joined,
    comments dropped); any line that is not `name==version --hash=sha256:...` fails, options included."""
    text = (REQUIREMENTS / f"{name}.txt").read_text(encoding="utf-8").replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if not line:
            continue
        match = LOCK_LINE.match(line)
        assert match, f"requirements/{name}.txt: not a pinned, hashed requirement: {line[:100]}"
        pins[canonicalize_name(match[1])] = match[2]
    assert pins, f"requirements/{name}.txt pins nothing"
    return pins


@pytest.mark.parametrize("name", LOCKS)
def test_every_lock_pins_every_package_to_a_version_and_its_hashes(name: str) -> None:
    lock_pins(name)


def test_the_test_lock_pins_the_site_lock_at_the_same_versions() -> None:
    site, test = lock_pins("site"), lock_pins("test")
    differ = {name: (version, test.get(name)) for name, version in site.items() if test.get(name) != version}
    assert not differ, f"site.txt and test.txt disagree (site, test): {differ}; run `make lock`"


def test_the_site_lock_has_what_installs_the_project_without_build_isolation() -> None:
    assert {"pip", "setuptools"} <= set(lock_pins("site"))


def load_inputs_module() -> Any:
    spec = importlib.util.spec_from_file_location("requirements_inputs", REQUIREMENTS / "inputs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lock_inputs_are_written_from_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for name, text in load_inputs_module().inputs(pyproject).items():
        assert (REQUIREMENTS / name).read_text(encoding="utf-8") == text, f"requirements/{name} is stale: make lock"


@pytest.mark.parametrize(("lock", "extras"), [("site", ()), ("test", ("test",))])
def test_the_locks_satisfy_pyproject(lock: str, extras: tuple[str, ...]) -> None:
    """A dependency added to pyproject.toml, or a range changed, without `make lock` fails here."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    wanted += [r for extra in extras for r in pyproject["project"]["optional-dependencies"][extra]]
    pins = lock_pins(lock)
    for text in wanted:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is in pyproject.toml, not in {lock}.txt: make lock"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"pyproject.toml asks for {text}, {lock}.txt pins {pinned}: make lock")


def test_ci_and_workflows_install_python_packages_only_through_the_makefile() -> None:
    """So a later edit cannot install outside the locks: the Makefile's installs are checked above."""
    for script in [*run_scripts(), CI_RUN.read_text(encoding="utf-8")]:
        assert not PIP_INSTALL.search(script), f"installs outside the Makefile's locks:\n{script}"
        assert not re.search(r"\buv\b|\bpipx?\b\s", script), f"a package tool outside the Makefile:\n{script}"
    assert re.search(r"^make test$", CI_RUN.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_the_email_job_runs_the_cli_installed_from_the_site_lock() -> None:
    job_steps = steps(load("daily.yml"), "email")
    install, step = step_running(job_steps, "make venv")
    assert '"$PWD/.venv/bin" >> "$GITHUB_PATH"' in step["run"], "the next steps find .venv's dailypapers"
    send, _ = step_running(job_steps, "dailypapers email")
    assert install < send


def dependabot() -> dict[str, Any]:
    return yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))


def test_dependabot_proposes_weekly_grouped_updates_of_the_locks_and_the_actions() -> None:
    updates = {u["package-ecosystem"]: u for u in dependabot()["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for ecosystem, update in updates.items():
        assert update["directory"] == "/", ecosystem
        assert update["schedule"]["interval"] == "weekly", ecosystem
        groups = update["groups"].values()
        assert groups and all(g["patterns"] == ["*"] for g in groups), f"{ecosystem}: every package in a group"
    # Only the locks change: pyproject.toml's ranges and the .in files written from them stay as they are.
    assert updates["pip"]["versioning-strategy"] == "lockfile-only"
    covered = {kind for g in updates["pip"]["groups"].values() for kind in g.get("update-types", [])}
    assert covered == {"major", "minor", "patch"}
