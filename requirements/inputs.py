"""Writes site.in and test.in from pyproject.toml, so pyproject.toml stays the one list of dependencies.

pip-compile (`make lock`, and Dependabot's weekly updates) resolves these inputs into the hash-pinned
lock files site.txt and test.txt. test.in takes site.txt as a constraint, so every package the site
build installs is pinned to the same version in both locks. Run by `make lock`; tests/unit/test_workflows.py
checks that the committed inputs are what this writes.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "# Written by `make lock` (requirements/inputs.py) from pyproject.toml: edit that, not this file.\n"


def inputs(pyproject: dict) -> dict[str, str]:
    """File name -> content. The site's input adds what installs the project from the lock without
    build isolation: the build backend (pyproject.toml's build requirements) and pip itself."""
    project = pyproject["project"]
    site = [*project["dependencies"], *pyproject["build-system"]["requires"], "pip"]
    test = project["optional-dependencies"]["test"]
    return {
        "site.in": HEADER + "# The site build: `make site`, `make fetch`, `make validate`, the daily workflow.\n"
        + "".join(f"{requirement}\n" for requirement in site),
        "test.in": HEADER + "# The tests: the site's packages at the versions site.txt pins, and the test extra.\n"
        + "-c site.txt\n-r site.in\n" + "".join(f"{requirement}\n" for requirement in test),
    }


def main() -> int:
    pyproject = tomllib.loads((HERE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    for name, text in inputs(pyproject).items():
        path = HERE / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
