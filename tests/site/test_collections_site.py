"""The AI keyword collections in the built demo site: a frequent keyword has its page, listed on the
index, the cards that carry it link there, and its feeds parse. In memory: tests/unit/test_collections.py."""

from __future__ import annotations

import feedparser
from support.htmltext import parse

from generator.core.settings import DEFAULTS


def test_keyword_pages_and_links_in_a_built_site(demo_site) -> None:
    """A frequent keyword of the demo snapshots has its page, listed on the index, and the cards that
    carry it link there; a keyword without a page stays text."""
    site = demo_site.site_dir
    index = parse((site / "keywords" / "index.html").read_text())
    links = [link for li in index.by_tag["li"] for link in li.links if link.startswith("../keywords/")]
    assert links and len({link for link in links if link.endswith("/")}) <= DEFAULTS.keyword_pages
    first = next(link for link in links if link.endswith("/"))
    page = parse((site / first.removeprefix("../")).joinpath("index.html").read_text())
    assert page.by_tag["h1"][-1].content and page.by_tag["ol"], first
    card_links = [link for html in site.glob("2026/11/*/index.html")
                  for card in parse(html.read_text()).by_tag["article"]
                  for link in card.links if link.endswith(first.removeprefix("../"))]
    assert card_links, f"no card links to {first}"
    for kind in ("feed.xml", "atom.xml"):
        assert feedparser.parse((site / first.removeprefix("../") / kind).read_bytes()).bozo == 0
