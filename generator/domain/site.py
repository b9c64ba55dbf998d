"""One build's whole model: the archive with everything derived from it (topics, organizations, every
collection), the settings, and the public URL. Made once, after loading and before anything is
rendered, and handed to every output (pages, feeds, the OPML file), which read it and never change it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from generator.core import text
from generator.core.settings import DEFAULTS, Settings
from generator.domain.collections import Collection, collections_of
from generator.domain.model import Archive
from generator.domain.orgs import Organization, organizations
from generator.domain.topics import Taxonomy


@dataclass(frozen=True)
class Site:
    """The model every output reads. `url` is absolute and ends in "/"; `collections` holds every
    collection by kind, in domain/collections.py's KINDS order."""

    archive: Archive
    taxonomy: Taxonomy
    orgs: tuple[Organization, ...]
    collections: Mapping[str, tuple[Collection, ...]]
    url: str
    settings: Settings


def make_site(archive: Archive, taxonomy: Taxonomy, site_url: str, settings: Settings = DEFAULTS,
              warn: Callable[[str], None] | None = None) -> Site:
    """The model of one build; `warn` hears what the grouping worked around in the data (two accounts
    sharing a slug), one line each. Raises UserError for a `site_url` that is not an absolute http(s) URL."""
    orgs = organizations(archive, warn=warn)
    collections = {kind: tuple(members) for kind, members in collections_of(archive, taxonomy, orgs, settings).items()}
    return Site(archive, taxonomy, tuple(orgs), MappingProxyType(collections), text.site_url(site_url), settings)
