"""A digest's HTML part in Chromium, 1200 and 400 px wide: its title fits, every paper is there, and on
a phone nothing scrolls sideways. The message itself: tests/site/test_digest.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.factories import hostile_project, stored_paper, write_day
from support.mail import digest_bytes, parse_message, parts


@pytest.fixture(autouse=True)
def no_mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMTP_URL", "MAIL_FROM", "MAIL_TO", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.browser
def test_digest_html_reads_well_wide_and_on_a_phone(tmp_path: Path, browser: Any) -> None:
    """Screenshots at 1200 and 400 px (kept in tmp_path to look at); on a phone nothing scrolls sideways."""
    from support.browser_support import open_page, require_chromium, serve

    require_chromium()
    root = hostile_project(tmp_path / "project")
    write_day(root, "2026-11-19", [stored_paper(f"2611.{n:05d}", n * 7, f"A long paper title number {n} about "
                                                "reasoning, retrieval and evaluation of language models",
                                                ai_summary="A one-sentence summary of what the paper does. " * 3)
                                   for n in range(10, 22)])
    _, html = parts(parse_message(digest_bytes(root, "--date", "2026-11-19")))
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "digest.html").write_text(html, encoding="utf-8")
    with serve({"/mail/": folder}) as (origin, _):
        for width in (1200, 400):
            with open_page(browser, origin, viewport={"width": width, "height": 900}) as tab:
                tab.goto(f"{origin}/mail/digest.html")
                assert tab.evaluate("document.documentElement.scrollWidth") <= width
                box = tab.locator("h1").bounding_box()
                assert box and box["width"] <= min(width, 640)
                assert tab.locator("h2").count() == 10
                tab.screenshot(path=str(tmp_path / f"digest-{width}.png"), full_page=True)
    assert (tmp_path / "digest-1200.png").stat().st_size > 10_000
