"""Where the CI workflows, the daily script and the lock files are, and a workflow read as data: what the
workflow tests (tests/unit/test_workflows.py, tests/site/test_workflows_make.py) both read."""

from __future__ import annotations

import re
from typing import Any

import yaml

from support.paths import REPO as ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
SCRIPT = ROOT / "scripts" / "daily_run.sh"
CI_RUN = ROOT / ".ci" / "run"
REQUIREMENTS = ROOT / "requirements"
LOCKS = ("site", "test", "tools")

# `make X ...`, `sudo make X`, or the daily script's `"$MAKE" --no-print-directory X`.
MAKE_CALL = re.compile(r'(?:^|[\s;&|(])(?:sudo\s+)?(?:make|"\$MAKE")((?:\s+[^\s;&|)]+)+)')
PIP_INSTALL = re.compile(r"\bpip3?\s+install\b|\bpython3?\s+-m\s+pip\s+install\b")


def load(name: str) -> dict[str, Any]:
    """A workflow as data. PyYAML reads the key `on` as True (YAML 1.1), so it is put back as "on"."""
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def step_using(job_steps: list[dict[str, Any]], action: str) -> tuple[int, dict[str, Any]]:
    """Index and step of the one step that uses `action` (owner/name, any pinned version)."""
    found = [(i, s) for i, s in enumerate(job_steps) if s.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"expected one step using {action}, found {len(found)}"
    return found[0]


def step_running(job_steps: list[dict[str, Any]], command: str) -> tuple[int, dict[str, Any]]:
    """Index and step of the one `run:` step whose script contains `command`."""
    found = [(i, s) for i, s in enumerate(job_steps) if command in s.get("run", "")]
    assert len(found) == 1, f"expected one step running {command!r}, found {len(found)}"
    return found[0]


def all_workflows() -> list[str]:
    return sorted(p.name for p in WORKFLOWS.glob("*.yml"))
