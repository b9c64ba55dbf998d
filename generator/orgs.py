"""Organizations: the Hugging Face organization each paper names, its URL slug, and its papers.

A slug is the organization's URL (`orgs/<slug>/`, its feeds) and must never change, so it comes from the
organization's account `name` alone (never the display name, which its owners edit). Hugging Face names
are ASCII letters, digits, "-", "_" and "."; the slug is the name in lower case. Anything else a snapshot
may hold is mapped deterministically (`~` and the code point in hex), and a leading "." too, so no slug
is "." or ".." or a hidden folder; a mapped name longer than MAX_SLUG is cut and ends in a hash of
the whole name. Two different names with the same slug (e.g. "Qwen" and "qwen") would
share one page, so that fails the build with a line naming both.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from generator.errors import UserError, one_line
from generator.model import Archive, Paper

_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
MAX_SLUG = 100  # a folder name must stay well under the file systems' 255 bytes


class OrgSlugClash(UserError):
    """Two organization names that would share one page."""


def org_slug(name: str) -> str:
    """The URL slug of an organization account name; the same name always gives the same slug."""
    out = []
    for index, char in enumerate(name.lower()):
        if char in _KEEP and not (index == 0 and char == "."):
            out.append(char)
        else:
            out.append(f"~{ord(char):x}")
    slug = "".join(out)
    if len(slug) > MAX_SLUG:  # only mapped (non-Hugging-Face) names get this long
        slug = slug[: MAX_SLUG - 13] + "~" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return slug or "~"


@dataclass(frozen=True, slots=True)
class Organization:
    """One organization and its papers, newest first (each paper once, on its first day)."""

    name: str
    label: str
    slug: str
    papers: tuple[Paper, ...]

    @property
    def title(self) -> str:
        """The label on one line, for page titles; falls back to the account name, then the slug."""
        return one_line(self.label) or one_line(self.name) or self.slug


def organizations(archive: Archive) -> list[Organization]:
    """Every organization named by a paper, most papers first, then by slug.

    A paper belongs to every organization it was listed under on any of its days (a re-listed paper
    can name one it did not before), so every card's organization link has a page; it is listed once,
    as on its first day, like on topic pages. Its label is the display name it had when last listed
    (organizations rename themselves; the newest name is the one readers know), followed by the account
    name when another organization has the same display name. Raises OrgSlugClash when two names share
    a slug.
    """
    first = {paper.id: paper for paper in archive.papers}
    newest_first = {paper.id: index for index, paper in enumerate(reversed(archive.papers))}
    by_name: dict[str, dict[str, Paper]] = defaultdict(dict)
    labels: dict[str, str] = {}
    for day in archive.days:  # oldest first, so the last label seen is the newest
        for paper in day.papers:
            if paper.organization is not None and paper.organization.name:
                by_name[paper.organization.name].setdefault(paper.id, first[paper.id])
                labels[paper.organization.name] = paper.organization.label
    names_by_slug: dict[str, str] = {}
    orgs = []
    for name in sorted(by_name):
        slug = org_slug(name)
        if slug in names_by_slug:
            raise OrgSlugClash(f"organizations {names_by_slug[slug]!r} and {name!r} would share the page "
                               f"orgs/{slug}/; their names differ only in case or in characters a URL cannot hold")
        names_by_slug[slug] = name
        papers = sorted(by_name[name].values(), key=lambda paper: newest_first[paper.id])
        orgs.append(Organization(name, labels[name], slug, tuple(papers)))
    # Two accounts may share a display name (Hugging Face has both "zju" and "ZhejiangUniversity" as
    # "Zhejiang University"): each then shows its account name too, so no two pages look alike.
    shared = Counter(org.title.casefold() for org in orgs)
    orgs = [replace(org, label=f"{org.title} ({org.name})") if shared[org.title.casefold()] > 1 else org
            for org in orgs]
    return sorted(orgs, key=lambda org: (-len(org.papers), org.slug))
