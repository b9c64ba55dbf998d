"""Fixtures every folder of tests shares: tiny project folders in tmp_path, the demo and real sites built
once per session, the topic taxonomy, and Chromium. What they are made of is in support/factories.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import SITE_URL, BuiltSite, built_demo, new_project
from support.paths import REPO, require_fixtures

from generator.core.project import Project
from generator.domain.topics import Taxonomy
from generator.store.taxonomy import load_taxonomy


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


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """This repository's topic taxonomy, content/topics.yaml."""
    return load_taxonomy(REPO / "content" / "topics.yaml")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (browser tests call require_chromium)."""
    from support.browser_support import launch

    with launch() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's demo snapshots, built as `make site` builds them (under a project path)."""
    return BuiltSite(built_demo(tmp_path_factory.mktemp("demo-site") / "project", SITE_URL), SITE_URL)


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
