"""The stats page as Chromium shows it on a phone, in light and dark mode: charts that fit, labels that
can be read, in the page's text colour."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import BuiltSite


@pytest.fixture(scope="module")
def demo_site(demo_site: BuiltSite) -> Path:
    """The session's demo site (tests/conftest.py), as the project folder whose site/ the test serves."""
    return demo_site.project.root


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_charts_render_readably_in_light_and_dark(demo_site: Path, browser, scheme: str) -> None:
    from support.browser_support import open_page, require_chromium, serve

    require_chromium()
    with serve({"/archive/": demo_site / "site"}) as (origin, _), \
            open_page(browser, origin, viewport={"width": 390, "height": 900}) as tab:
        tab.add_init_script(f"localStorage.setItem('dailypapers.scheme', '{scheme}')")
        tab.goto(f"{origin}/archive/stats/")
        charts = tab.evaluate("""() => [...document.querySelectorAll('figure.dp-chart svg')].map(svg => {
            const box = svg.getBoundingClientRect();
            const text = svg.querySelector('text');
            const smallest = Math.min(...[...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height));
            const page = getComputedStyle(document.querySelector('.md-typeset'));
            return {width: box.width, height: box.height, smallest, fill: getComputedStyle(text).fill,
                    color: page.color, background: getComputedStyle(document.body).backgroundColor,
                    scheme: document.body.getAttribute('data-md-color-scheme')};
        })""")
    assert len(charts) == 4
    for chart in charts:
        assert chart["scheme"] == scheme
        assert 300 <= chart["width"] <= 390 and chart["height"] > 50  # fits the phone, scaled, not cut
        assert chart["smallest"] >= 8, "labels readable on a phone"
        assert chart["fill"] == chart["color"]  # labels in the page's text colour, in either scheme
        assert _luminance_gap(chart["fill"], chart["background"]) > 0.4


def _luminance_gap(a: str, b: str) -> float:
    def lum(css: str) -> float:
        r, g, b_ = (int(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b_) / 255

    return abs(lum(a) - lum(b))
