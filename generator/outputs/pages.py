"""Every Markdown page of the site made from the model, in a fixed order, and the permalinks: which
templates render which views. The build writes them; this module only renders.
"""

from __future__ import annotations

from typing import Any

from generator.core.urls import url
from generator.domain import views
from generator.domain.model import Archive
from generator.domain.orgs import Organization, org_urls
from generator.domain.topics import Taxonomy
from generator.outputs.charts import stats_charts
from generator.outputs.digest import subscribe_page_context
from generator.outputs.export import DataExport, data_page_context
from generator.outputs.feeds import (
    feeds_page_context,
)
from generator.outputs.render import Page, relative_root, render

HOME_RECENT_DAYS = 10


def generate_pages(archive: Archive, taxonomy: Taxonomy, site_url: str, export: DataExport,
                   orgs: list[Organization], links: dict[str, list[dict[str, str]]]) -> list[Page]:
    """Every Markdown page of the site, in a fixed order."""
    days = views.day_views(archive)
    months = views.month_views(days)
    years = views.year_views(months)
    weeks = views.week_views(days)
    topics = taxonomy.by_slug
    listed = [d for d in days if d.papers]
    totals: dict[str, Any] = {"paper_count": len(archive.appearances), "listed_days": len(listed)}
    cards: dict[str, Any] = {"topics": topics,  # what a card links to
                             "org_urls": org_urls(orgs, lambda slug: url("org", slug=slug))}

    pages = [
        render("home.md.j2", url("home"), latest=listed[-1] if listed else None, **cards,
               recent=list(reversed(days))[:HOME_RECENT_DAYS], months=list(reversed(months))[:12], **totals),
        render("archive.md.j2", url("archive"), years=years, weeks=weeks,
               first=days[0].date if days else None, last=days[-1].date if days else None, **totals),
        render("topics.md.j2", url("topic-index"), topics=taxonomy.all_topics,
               counts=views.topic_counts(archive, taxonomy)),
    ]
    pages += [render("day.md.j2", view.url, view=view, **cards) for view in days]
    pages += [render("week.md.j2", view.url, view=view) for view in weeks]
    pages += [render("month.md.j2", view.url, view=view) for view in months]
    pages += [render("year.md.j2", view.url, view=view) for view in years]
    pages += [render("topic.md.j2", view.url, view=view, feeds=links[url("topic", slug=view.topic.slug)])
              for view in views.topic_views(archive, taxonomy)]
    pages += _feature_pages(taxonomy, site_url, orgs)
    pages += discovery_pages(archive, taxonomy, orgs, links)
    pages.append(render("data.md.j2", url("data"), **data_page_context(export, site_url)))
    return pages


def _feature_pages(taxonomy: Taxonomy, site_url: str, orgs: list[Organization]) -> list[Page]:
    """Pages whose templates belong to the feeds, search and reading-list features."""
    return [
        render("feeds.md.j2", url("feeds"), site_url=site_url, **feeds_page_context(taxonomy, orgs)),
        render("search.md.j2", url("search")),
        render("saved.md.j2", url("saved")),
    ]


def discovery_pages(archive: Archive, taxonomy: Taxonomy, orgs: list[Organization],
                    links: dict[str, list[dict[str, str]]]) -> list[Page]:
    """The organization index, each organization's pages (their feeds in the head), and the stats page
    with its charts."""

    pages = [render("orgs.md.j2", url("org-index"), orgs=orgs)]
    pages += [render("org.md.j2", view.url, view=view, feeds=links[url("org", slug=view.org.slug)])
              for view in views.org_views(orgs)]
    stats = views.stats_view(archive, taxonomy, orgs)
    pages.append(render("stats.md.j2", stats.url, view=stats, charts=stats_charts(stats),
                        top_orgs=views.TOP_ORGS_YEAR))
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


def subscribe_page(extra: dict[str, Any], site_url: str) -> Page:
    """/subscribe/, with a sign-up form when mkdocs.yml's `extra` names a newsletter provider's form."""
    context = subscribe_page_context(extra, site_url)
    return render("subscribe.md.j2", url("subscribe"), **context)
