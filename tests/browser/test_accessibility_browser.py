"""WCAG 2.2 AA on every page kind, checked by axe-core (npm, the engine Lighthouse and most audits use) in
Debian's Chromium: light and dark, desktop and phone. A serious or critical violation fails the test and
names the rule, the element and axe's own explanation (the colours and the ratio it measured).

axe-core comes from the committed package-lock.json (`npm ci`, which `make test` runs before the tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.browser_support import open_page, require_chromium, serve
from support.factories import SITE_URL, BuiltSite
from support.paths import REPO

require_chromium()
pytestmark = pytest.mark.browser
PREFIX = urlsplit(SITE_URL).path  # where the sites' site_url puts them: the 404 page's links are absolute
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Every kind of page the archive generates, plus the hand-written ones, on the demo site.
DEMO_PAGES = ["", "2026/11/16/", "2026/11/17/", "2026/11/23/", "weeks/2026-W47/", "2026/11/", "2026/",
              "archive/", "topics/", "topics/agents/", "orgs/", "orgs/demo-lab/", "keywords/",
              "keywords/agents/", "stats/", "search/?q=agents", "feeds/", "data/", "subscribe/", "saved/",
              "about/", "2026/11/14/"]  # the last is a weekend: the 404 page, with its nearest days
# The real archive's largest pages of each kind: many cards, calendars and organizations.
REAL_PAGES = ["", "2025/09/30/", "2025/09/", "2025/", "weeks/2025-W40/", "orgs/", "topics/agents/", "feeds/"]
MODES = {"light-desktop": ("light", 1280, 900), "dark-desktop": ("dark", 1280, 900),
         "light-phone": ("light", 390, 844), "dark-phone": ("dark", 390, 844)}


def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            raise AssertionError(f"{AXE} is missing: `npm ci` installs it from package-lock.json")
        pytest.skip("axe-core is not installed: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(browser, origin: str, paths: list[str], mode: str) -> list[str]:
    """axe's serious and critical findings on each page in one mode, one line per element."""
    scheme, width, height = MODES[mode]
    source = axe_source()
    found: list[str] = []
    phone = width < 600
    with open_page(browser, origin, viewport={"width": width, "height": height}, color_scheme=scheme,
                   is_mobile=phone, has_touch=phone) as page:
        for path in paths:
            page.goto(f"{origin}{PREFIX}{path}")
            page.add_script_tag(content=source)
            violations = page.evaluate(
                """async tags => (await axe.run(document, {runOnly: {type: "tag", values: tags}})).violations
                   .filter(v => v.impact === "serious" || v.impact === "critical")
                   .flatMap(v => v.nodes.map(n => `${v.id}: ${n.target.join(" ")}: ${n.failureSummary}`))""",
                WCAG_AA)
            found += [f"/{path} ({mode}) {line}" for line in violations]
    return found


@pytest.fixture(scope="module")
def demo_origin(demo_site: BuiltSite) -> Iterator[str]:
    with serve({PREFIX: demo_site.site_dir}) as (address, _):
        yield address


@pytest.mark.parametrize("mode", MODES)
def test_every_demo_page_kind_passes_wcag_aa(browser, demo_origin: str, mode: str) -> None:
    assert serious_violations(browser, demo_origin, DEMO_PAGES, mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_the_real_archives_largest_pages_pass_wcag_aa(browser, real_site: BuiltSite, mode: str) -> None:
    with serve({PREFIX: real_site.site_dir}) as (origin, _):
        assert serious_violations(browser, origin, REAL_PAGES, mode) == []


def test_the_check_sees_a_contrast_failure(browser, tmp_path: Path) -> None:
    """The harness itself: a page with grey-on-white text fails, so a clean result above means something."""
    (tmp_path / "index.html").write_text('<!doctype html><html lang="en"><title>t</title><main>'
                                         '<p style="color:#bbb;background:#fff">faint text</p></main></html>')
    with serve({PREFIX: tmp_path}) as (origin, _):
        found = serious_violations(browser, origin, [""], "light-desktop")
    assert len(found) == 1 and found[0].startswith("/ (light-desktop) color-contrast: p:")
