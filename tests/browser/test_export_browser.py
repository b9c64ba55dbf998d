"""The data downloads in Chromium: from the Feeds page to the Data page, a download whose bytes match the
checksum the page shows and the rows the build wrote."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from support.export_files import read_parquet
from support.factories import REPO_SITE_URL as SITE
from support.factories import built_demo

from generator.core.project import Project
from generator.outputs.export import build_data_export
from generator.store.load import load_archive


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return built_demo(tmp_path_factory.mktemp("export") / "project", SITE)


@pytest.mark.browser
def test_a_reader_finds_the_data_page_and_downloads_a_file_that_matches_its_checksum(
        built: Project, browser: Any, tmp_path: Path) -> None:
    """In Chromium, served under the project path as on GitHub Pages: Feeds page -> Data page -> download."""
    from support.browser_support import open_page, require_chromium, serve

    require_chromium()
    prefix = "/repo/"  # SITE's path
    with serve({prefix: built.site_dir}) as (origin, _), open_page(browser, origin) as tab:
        tab.goto(f"{origin}{prefix}feeds/")
        tab.get_by_role("link", name="data downloads").click()
        tab.wait_for_url(f"{origin}{prefix}data/")
        assert tab.get_by_role("heading", level=1).inner_text() == "Data"
        row = tab.locator("tr", has=tab.get_by_role("link", name="papers.parquet", exact=True)).first
        shown = row.locator("code").inner_text()
        with tab.expect_download() as event:
            row.get_by_role("link", name="papers.parquet").click()
        saved = tmp_path / "papers.parquet"
        event.value.save_as(saved)
    data = saved.read_bytes()
    assert hashlib.sha256(data).hexdigest() == shown
    archive, _ = load_archive(built)
    assert sorted(read_parquet(data), key=lambda r: r["id"]) == sorted(
        read_parquet(build_data_export(archive, SITE).files["data/papers.parquet"]), key=lambda r: r["id"])
    assert len(read_parquet(data)) == len(archive.papers) == 20
