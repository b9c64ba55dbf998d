"""Shared test helpers: where the real API fixtures are, and tiny project folders in tmp_path."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.core.project import Project

REPO = Path(__file__).resolve().parent.parent


def fixtures_root() -> Path:
    """The real API responses, read in place (never copied into the repository)."""
    return Path(os.environ.get("DAILYPAPERS_FIXTURES", REPO.parent / "shared" / "fixtures" / "hf-api"))


def require_fixtures() -> Path:
    root = fixtures_root()
    if not (root / "days").is_dir():
        pytest.skip(f"real API fixtures not found at {root} (set DAILYPAPERS_FIXTURES to their hf-api folder)")
    return root


def new_project(root: Path, with_demo: bool = False) -> Path:
    """A project folder holding this repository's config, theme and taxonomy, and no snapshots
    unless `with_demo`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")
    (root / "content").mkdir()
    shutil.copy(REPO / "content" / "topics.yaml", root / "content" / "topics.yaml")
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    if with_demo:
        shutil.copytree(REPO / "content" / "snapshots", root / "content" / "snapshots")
    else:
        (root / "content" / "snapshots").mkdir()
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return new_project(tmp_path / "project")


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    return new_project(tmp_path / "project", with_demo=True)


@pytest.fixture
def store(project: Path) -> Project:
    """The `project` folder as the snapshot store sees it (fetch, import, merge tests)."""
    return Project.at(project)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (browser tests call require_chromium)."""
    from browser_support import launch

    with launch() as chromium:
        yield chromium


SITE_URL = "https://user.github.io/archive/"


@dataclass(frozen=True)
class BuiltSite:
    """A site built once per test session and shared: read it, never change it."""

    project: Project
    site_url: str

    @property
    def site_dir(self) -> Path:
        return self.project.site_dir


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's demo snapshots, built as `make site` builds them (under a project path)."""
    from generator.publish.build import build_site

    project = Project.at(new_project(tmp_path_factory.mktemp("demo-site") / "project", with_demo=True))
    build_site(project, site_url=SITE_URL)
    return BuiltSite(project, SITE_URL)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Every real API response in the fixtures, imported and built; skipped where they are absent."""
    from generator.cli import main
    from generator.publish.build import build_site

    files = sorted((require_fixtures() / "days").glob("*.json"))
    root = new_project(tmp_path_factory.mktemp("real-site") / "project")
    assert main(["--root", str(root), "import", *map(str, files)]) == 0
    project = Project.at(root)
    build_site(project, site_url=SITE_URL)
    return BuiltSite(project, SITE_URL)
