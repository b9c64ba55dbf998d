"""The archive's settings: how many of each thing its pages and feeds show, and its name. Read once, from
mkdocs.yml (the site's `site_name`, and the options of the `dailypapers` plugin, which MkDocs checks
and reports by key: publish/mkdocs_plugin.py), and handed down as this one frozen object, so a fork tunes
its archive without editing code. The defaults are what the archive was designed and measured with.

    plugins:
      - dailypapers:
          page_size: 100
          collection_feed_items: {topic: 50, org: 20, keyword: 20}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

DEFAULT_SITE_NAME = "Daily Papers Archive"


def _feed_items() -> Mapping[str, int]:
    # two feeds per organization: at 50 items they added ~32 MB at full size
    return MappingProxyType({"topic": 50, "org": 20, "keyword": 20})


@dataclass(frozen=True)
class Settings:
    """Every number a fork may tune, each with what it counts."""

    site_name: str = DEFAULT_SITE_NAME
    page_size: int = 100
    """Papers on one page of a topic, an organization or any collection; more make more pages."""
    home_days: int = 10
    """Recent days the home page links to."""
    top_week: int = 10
    top_month: int = 10
    """The most upvoted papers a week's and a month's page show as cards; the others follow as a list."""
    top_year: int = 30
    """The most upvoted papers a year's page lists."""
    top_orgs_per_year: int = 10
    """Organizations with the most papers, per year, on the stats page."""
    feed_items: int = 100
    """Papers in the site-wide feeds (RSS, Atom, JSON Feed)."""
    collection_feed_items: Mapping[str, int] = field(default_factory=_feed_items)
    """Papers in each collection's feeds, by kind (domain/collections.py)."""
    daily_feed_days: int = 30
    weekly_feed_weeks: int = 20
    weekly_top: int = 10
    """Days in the daily digest feed; weeks in the weekly one, and papers of each week it lists."""
    digest_top: int = 10
    """Papers in one email digest: a day's median list is about 15, so most days show nearly all."""
    keyword_pages: int = 30
    """The most frequent AI keywords that get a page (and feeds) of their own; search finds the rest."""
    remote_images: bool = True
    """Paper thumbnails on cards, loaded from Hugging Face's image hosts; false for pages that make the
    reader's browser load nothing from elsewhere (privacy)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            numbers = value.values() if isinstance(value, Mapping) else [value]
            if isinstance(item.default, str | bool):  # the name and the switches; the rest count things
                continue
            if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in numbers):
                raise ValueError(f"{item.name} must be a whole number of at least 1, not {value!r}")


DEFAULTS = Settings()
