"""The cards of a built site, read from its files: thumbnails only from Hugging Face's https hosts (and none
when mkdocs.yml turns remote images off), `$...$` as MathML on pages while feeds, search, the card tools'
data and downloads keep the text, compact cards, and week and month pages with cards then the rest."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import feedparser
import pytest
from support.factories import SITE_URL, new_project, stored_paper, write_day
from support.htmltext import element_by_id

from generator.cli import main

THUMB = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{}.png"
AVATAR = "https://cdn-avatars.huggingface.co/v1/production/uploads/demo-lab.png"
MATH_TITLE = "$\\nabla^2$DFT: a $L_2$ Norm-Based Model"
HOSTILE_MATH = "Tags $\\text{<img src=x onerror=alert(1)>}$ and $\\href{javascript:alert(1)}{click}$"


def papers_with_images() -> list[dict]:
    return [
        stored_paper("2611.00001", 50, MATH_TITLE, thumbnail=THUMB.format("2611.00001"),
                     abstract="We bound $O(N^2)$ attention. A run costs $5 to $10.",
                     organization={"name": "demo-lab", "fullname": "Demo Lab", "avatar": AVATAR}),
        stored_paper("2611.00002", 40, HOSTILE_MATH, thumbnail="http://cdn-thumbnails.huggingface.co/x.png",
                     organization={"name": "other-lab", "avatar": "https://www.gravatar.com/avatar/x"}),
        stored_paper("2611.00003", 30, thumbnail="https://tracker.example.com/pixel.png"),
        stored_paper("2611.00004", 20, thumbnail="https://cdn-thumbnails.huggingface.co.evil.example/x.png"),
    ]


def build(tmp_path: Path, options: str = "") -> Path:
    root = new_project(tmp_path / "project")
    write_day(root, "2026-11-16", papers_with_images())
    write_day(root, "2026-11-17", [stored_paper("2611.00001", 55, MATH_TITLE),  # again, more upvotes
                                   *[stored_paper(f"2611.001{n:02d}", n) for n in range(1, 15)]])
    if options:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text().replace("\n  - dailypapers\n", f"\n  - dailypapers:\n{options}"))
    assert main(["--root", str(root), "build", "--site-url", SITE_URL]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("cards"))


def day_page(site: Path) -> str:
    return (site / "2026" / "11" / "16" / "index.html").read_text(encoding="utf-8")


def test_only_an_https_thumbnail_of_hugging_faces_hosts_is_shown(site: Path) -> None:
    html = day_page(site)
    images = re.findall(r"<img [^>]*>", html.split('class="md-content"', 1)[1])
    assert images == [f'<img src="{THUMB.format("2611.00001")}" alt="" width="160" height="90" loading="lazy">']
    assert "tracker.example.com" not in html and "evil.example" not in html and "http://cdn" not in html


def test_an_organization_shows_its_avatar_on_its_page_and_in_the_index(site: Path) -> None:
    page = (site / "orgs" / "demo-lab" / "index.html").read_text(encoding="utf-8")
    image = f'<img class="dp-avatar" src="{AVATAR}" alt="" width="40" height="40" loading="lazy">'
    assert f"<h1>{image} Demo Lab</h1>" in page
    index = (site / "orgs" / "index.html").read_text(encoding="utf-8")
    assert f'<img class="dp-avatar" src="{AVATAR}" alt="" width="20" height="20" loading="lazy">' in index
    other = (site / "orgs" / "other-lab" / "index.html").read_text(encoding="utf-8")
    assert "gravatar" not in other and "gravatar" not in index  # not one of Hugging Face's hosts


def test_remote_images_off_in_mkdocs_yml_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    site = build(tmp_path, "      remote_images: false\n")
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "huggingface.co/social-thumbnails" not in html and AVATAR not in html, page
    snapshot = (tmp_path / "project" / "content" / "snapshots" / "2026" / "2026-11-16.yaml").read_text()
    assert THUMB.format("2611.00001") in snapshot  # the snapshot keeps the URL it has


def test_a_formula_is_mathml_on_the_page_and_hostile_math_stays_text(site: Path) -> None:
    card = element_by_id(day_page(site), "2611.00001")
    assert card is not None
    assert card.tags.count("math") == 3  # two in the title, one in the abstract; the money is not math
    assert "msup" in card.tags and "msub" in card.tags
    assert "A run costs $5 to $10." in "".join(card.text)
    hostile = element_by_id(day_page(site), "2611.00002")
    assert hostile is not None
    assert "img" not in hostile.tags and not any("javascript:" in link for link in hostile.links)
    assert "$\\text{<img src=x onerror=alert(1)>}$" in "".join(hostile.text)


def test_feeds_search_card_data_and_downloads_keep_the_formulas_as_text(site: Path) -> None:
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert MATH_TITLE in [entry.title for entry in feed.entries]
    shard = json.loads((site / "cards" / "2026" / "11" / "16.json").read_text())
    assert shard["2611.00001"]["t"] == MATH_TITLE  # BibTeX and Save are made from it
    index_text = "".join(p.read_text(encoding="utf-8") for p in (site / "search").rglob("*.json"))
    assert "<math" not in index_text
    rows = [json.loads(line) for line in gzip.decompress((site / "data" / "papers.jsonl.gz").read_bytes()).splitlines()]
    assert {row["title"] for row in rows if row["id"] == "2611.00001"} == {MATH_TITLE}


def test_a_card_is_compact_with_one_disclosure_for_the_rest(site: Path) -> None:
    html = day_page(site)
    card = html[html.index('id="2611.00001"'):html.index("</article>", html.index('id="2611.00001"'))]
    head, details = card.split('<details><summary>', 1)
    assert "dp-summary" not in details and "dp-meta" in head and "dp-authors" in head
    assert "We bound" in details and "arXiv" in details and "Permalink" in details and "dp-topics" in details
    assert "<details open" not in html


def test_week_and_month_show_their_top_papers_as_cards_then_the_rest(site: Path) -> None:
    for page in ("weeks/2026-W47", "2026/11"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        cards = re.findall(r'<article class="dp-card" id="([^"]+)" data-cards="([^"]+)"', html)
        assert len(cards) == 10, page
        assert cards[0] == ("2611.00001", "cards/2026/11/17.json")  # listed twice: once, at its best
        rest = html.split("dp-compact-list", 1)[1]
        assert '<ol class="dp-compact-list" start="11">' in html
        listed = re.findall(r'href="[^"]*#([^"]+)"', rest.split("</ol>", 1)[0])
        assert len(listed) == 18 - 10 and not set(listed) & {pid for pid, _ in cards}, page
