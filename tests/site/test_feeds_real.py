"""feeds.py on the real API responses, read in place (DAILYPAPERS_FIXTURES, else ../shared/fixtures/hf-api;
skipped without them), and the feed links in a real mkdocs-material build. In memory: tests/unit/test_feeds.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import REPO_SITE_URL as SITE
from support.factories import real_archive, topics_only
from support.feed_checks import MEDIA_TYPES, LinkTags, check_feed, hostile_topic_links, parse
from support.paths import REPO

from generator.core.settings import DEFAULTS
from generator.core.urls import url
from generator.domain.site import make_site
from generator.outputs.feeds import build_feeds, feed_catalog, head_links_by_page
from generator.outputs.render import front_matter
from generator.publish.mkdocs_plugin import theme_urls


def test_real_fixtures_make_valid_feeds(capsys: pytest.CaptureFixture[str]) -> None:
    archive, taxonomy = real_archive()
    out = build_feeds(make_site(archive, taxonomy, SITE))
    catalog = {info.path: info for info in feed_catalog(make_site(archive, taxonomy, SITE))}
    assert set(out) == set(catalog) | {url("opml")}
    for path, info in catalog.items():
        check_feed(out[path], info.kind)
    main = parse(out["feed.xml"])
    assert len(main.entries) == DEFAULTS.feed_items
    relisted = [e for e in main.entries if e.id == f"{SITE}p/2604.07429/"]
    assert len(relisted) == 1 and relisted[0].link == f"{SITE}2026/04/10/#2604.07429"
    daily = parse(out["daily.xml"])
    assert len(daily.entries) == DEFAULTS.daily_feed_days
    assert daily.entries[0].link == f"{SITE}2026/06/04/"
    assert out == build_feeds(make_site(archive, taxonomy, SITE))
    with capsys.disabled():
        total = sum(len(d) for d in out.values())
        largest = max(out, key=lambda p: len(out[p]))
        print(f"\nfeeds on the real fixtures ({len(archive.days)} days, {len(archive.papers)} papers): "
              f"{len(out)} files, {total / 1024:.0f} KiB in all; feed.xml {len(out['feed.xml']) / 1024:.0f} KiB, "
              f"atom.xml {len(out['atom.xml']) / 1024:.0f} KiB, daily.xml {len(out['daily.xml']) / 1024:.0f} KiB, "
              f"weekly.xml {len(out['weekly.xml']) / 1024:.0f} KiB; largest {largest} "
              f"{len(out[largest]) / 1024:.0f} KiB")


def test_head_links_in_a_real_mkdocs_material_build(tmp_path: Path) -> None:
    """The partial inside mkdocs-material's head, through this repository's overrides/main.html."""
    mkdocs = pytest.importorskip("mkdocs.commands.build")
    from mkdocs.config import load_config

    pytest.importorskip("material")
    docs = tmp_path / "docs"
    (docs / "topics" / "agents").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    (docs / "topics" / "agents" / "index.md").write_text(
        front_matter({"feeds": hostile_topic_links()}) + "# Agents\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: Daily Papers Archive\nsite_url: https://user.github.io/repo\ndocs_dir: docs\n"
        f"site_dir: site\ntheme:\n  name: material\n  custom_dir: {REPO / 'overrides'}\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config.extra["dailypapers_feeds"] = head_links_by_page(feed_catalog(topics_only()))[url("home")]
    config.extra["dailypapers_urls"] = theme_urls()  # as the plugin sets them
    mkdocs.build(config)

    def alternates(page: Path) -> list[tuple[str | None, str | None]]:
        parser = LinkTags()
        parser.feed(page.read_text(encoding="utf-8"))
        return [(link.get("href"), link.get("type")) for link in parser.links
                if (link.get("rel") or "").split() == ["alternate"]]

    site_wide = [(SITE + i.path, MEDIA_TYPES[i.kind]) for i in feed_catalog(topics_only())
                 if not i.path.startswith("topics/")]
    assert alternates(tmp_path / "site" / "index.html") == site_wide
    assert alternates(tmp_path / "site" / "topics" / "agents" / "index.html") == site_wide + [
        (f"{SITE}topics/agents/feed.xml", "application/rss+xml"),
        (f"{SITE}topics/agents/atom.xml", "application/atom+xml"),
        (f"{SITE}topics/agents/feed.json", "application/feed+json"),
    ]
    head = (tmp_path / "site" / "topics" / "agents" / "index.html").read_text(encoding="utf-8")
    assert "Agents &amp; &lt;tool&gt; &#34;use&#34; (RSS)" in head
