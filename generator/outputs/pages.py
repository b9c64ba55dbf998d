"""Every Markdown page of the site made from the model, in a fixed order, and the permalinks: which
templates render which views. The build writes them; this module only renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.core.urls import url
from generator.domain import views
from generator.domain.collections import KINDS
from generator.domain.model import Archive
from generator.domain.orgs import org_urls
from generator.domain.site import Site
from generator.outputs.charts import stats_charts
from generator.outputs.digest import subscribe_page_context
from generator.outputs.export import DataListing, data_page_context
from generator.outputs.feeds import (
    feeds_page_context,
)
from generator.outputs.render import Page, relative_root, render


def generate_pages(site: Site, links: dict[str, list[dict[str, str]]]) -> list[Page]:
    """Every Markdown page of the site but the Data page (`data_page`), in a fixed order. `links` are
    each page's feed links (the `<link rel="alternate">` entries its head gets), by page URL."""
    settings = site.settings
    days = views.day_views(site.archive)
    months = views.month_views(days, settings.top_month)
    years = views.year_views(months, settings.top_year)
    weeks = views.week_views(days, settings.top_week)
    listed = [d for d in days if d.papers]
    totals: dict[str, Any] = {"paper_count": len(site.archive.appearances), "listed_days": len(listed)}
    cards: dict[str, Any] = {"topics": site.taxonomy.by_slug,  # what a card links to, and shows
                             "org_urls": org_urls(list(site.orgs), lambda slug: url("org", slug=slug)),
                             "keyword_urls": {c.slug: url("keyword", slug=c.slug) for c in site.collections["keyword"]},
                             "images": settings.remote_images}

    pages = [
        render("home.md.j2", url("home"), latest=listed[-1] if listed else None, cards=cards,
               recent=list(reversed(days))[:settings.home_days], months=list(reversed(months))[:12], **totals),
        render("archive.md.j2", url("archive"), years=years, weeks=weeks,
               first=days[0].date if days else None, last=days[-1].date if days else None, **totals),
    ]
    pages += [render("day.md.j2", view.url, view=view, cards=cards) for view in days]
    pages += [render("week.md.j2", view.url, view=view, cards=cards) for view in weeks]
    pages += [render("month.md.j2", view.url, view=view, cards=cards) for view in months]
    pages += [render("year.md.j2", view.url, view=view) for view in years]
    pages += collection_pages(site, links)
    pages += [
        render("feeds.md.j2", url("feeds"), site_url=site.url, **feeds_page_context(site)),
        render("search.md.j2", url("search")),
        render("saved.md.j2", url("saved")),
    ]
    stats = views.stats_view(site.archive, site.taxonomy, site.orgs, settings.top_orgs_per_year)
    pages.append(render("stats.md.j2", stats.url, view=stats, charts=stats_charts(stats),
                        top_orgs=settings.top_orgs_per_year))
    return pages


def data_page(site: Site, listing: DataListing) -> Page:
    """The Data page, apart: it lists the downloads' sizes and checksums, which a forked job may still
    be computing while the other pages are made."""
    return render("data.md.j2", url("data"), **data_page_context(listing, site.url))


def collection_pages(site: Site, links: dict[str, list[dict[str, str]]]) -> list[Page]:
    """For every collection kind, its index page, then each collection's pages (its feeds in their
    heads): one pair of templates for all of them, and each kind's words (collections/<kind>.html.j2)."""
    pages = []
    for kind in KINDS:
        members = site.collections[kind.name]
        pages.append(render("collections.md.j2", url(f"{kind.name}-index"), kind=kind, collections=members))
        pages += [render("collection.md.j2", view.url, view=view, kind=kind,
                         feeds=links[url(kind.name, slug=view.collection.slug)])
                  for view in views.collection_views(members, site.settings.page_size)]
    return pages


def _permalink_path(paper_id: str) -> str:
    return url("permalink", id=paper_id) + "index.html"


def permalink_paths(archive: Archive) -> list[str]:
    """Where `permalink_pages` writes, known before they are rendered, so they are claimed first."""
    return [_permalink_path(paper.id) for paper in archive.papers]


def permalink_pages(archive: Archive) -> list[Page]:
    pages = []
    for view in views.permalink_views(archive):
        target = relative_root(view.url) + url("card", id=view.paper.id, date=view.paper.day)
        pages.append(render("permalink.html.j2", view.url, path=_permalink_path(view.paper.id), view=view,
                            target=target))
    return pages


def subscribe_page(extra: Mapping[str, Any], site_url: str) -> Page:
    """/subscribe/, with a sign-up form when mkdocs.yml's `extra` names a newsletter provider's form."""
    context = subscribe_page_context(extra, site_url)
    return render("subscribe.md.j2", url("subscribe"), **context)
