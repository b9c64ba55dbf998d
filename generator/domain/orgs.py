"""Organizations: the Hugging Face organization each paper names, its URL slug, and its papers.

A slug is the organization's URL (`orgs/<slug>/`, its feeds) and must never change, so it comes from the
organization's account `name` alone (never the display name, which its owners edit). Hugging Face names
are ASCII letters, digits, "-", "_" and "."; the slug is the name in lower case. Anything else a snapshot
may hold is mapped deterministically (`~` and the code point in hex), and a leading "." too, so no slug
is "." or ".." or a hidden folder; a mapped name longer than MAX_SLUG is cut and ends in a hash of
the whole name.

A slug never names a file the organizations' folder holds itself: `index.html` and `index.md` (legal
Hugging Face names) would put an organization's page where the index of organizations is, so their
first "." is mapped too (`index~2ehtml`).

Hugging Face account names are case-insensitive, and the API really spells one organization two ways on
different days (`SJTU-DENG-Lab`, `SJTU-Deng-Lab`): names equal but for ASCII case are one organization
(`org_key`), with one page under the slug they share, shown with its newest spelling. Names that differ
otherwise but map to one slug (only possible for characters Hugging Face does not allow, such as the
Kelvin sign, whose lower case is "k") are different accounts: each still gets a page and the build
warns. The slug goes to the name Hugging Face allows, else to the first name in code point order, so
which account has it never depends on the order days were fetched in; the others' slugs end in a hash
of their name. Nothing fetched can stop the build here.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from generator.core.errors import one_line
from generator.domain.model import Archive, Paper

_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
_HF_NAME = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | _KEEP  # what Hugging Face allows in an account name
_FOLDER_FILES = frozenset({"index.html", "index.md"})  # the organizations' own index, in the site and in docs
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
MAX_SLUG = 100  # a folder name must stay well under the file systems' 255 bytes
_HASH_CHARS = 12


def _name_hash(name: str, salt: str = "") -> str:
    return hashlib.sha256((salt + name).encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]


def org_key(name: str) -> str:
    """Which account a name is: Hugging Face compares account names without ASCII case, so `Qwen` and
    `qwen` are one organization (and the Kelvin sign is not a "k")."""
    return name.translate(_ASCII_LOWER)


def org_slug(name: str) -> str:
    """The URL slug of an organization account name; the same name always gives the same slug, and so
    does every spelling of it in another ASCII case."""
    out = []
    for index, char in enumerate(name.lower()):
        if char in _KEEP and not (index == 0 and char == "."):
            out.append(char)
        else:
            out.append(f"~{ord(char):x}")
    slug = "".join(out)
    if slug in _FOLDER_FILES:
        slug = slug.replace(".", "~2e", 1)
    if len(slug) > MAX_SLUG:  # only mapped (non-Hugging-Face) names get this long
        slug = slug[: MAX_SLUG - _HASH_CHARS - 1] + "~" + _name_hash(name)
    return slug or "~"


def _quoted(name: str) -> str:
    """A name for a warning line, every character beyond ASCII escaped: the names it tells apart may
    differ only in look-alikes (the Kelvin sign and "K") or in control characters."""
    return ascii(name if len(name) <= 80 else name[:79] + "…")


def _distinct_slug(name: str, taken: set[str]) -> str:
    """A slug for the account `name` whose own slug another account already has: that slug cut to make
    room, then `~` and a hash of the name (salted again in the unlikely case that is taken too)."""
    base = org_slug(name)[: MAX_SLUG - _HASH_CHARS - 1]
    salt = ""
    while True:
        slug = f"{base}~{_name_hash(name, salt)}"
        if slug not in taken:
            return slug
        salt += "~"


@dataclass(frozen=True, slots=True)
class Organization:
    """One organization and its papers, newest first (each paper once, on its first day). `name` is
    its account name as most recently spelled; `spellings` every spelling the archive holds."""

    name: str
    label: str
    slug: str
    papers: tuple[Paper, ...]
    spellings: tuple[str, ...] = ()
    avatar: str = ""
    """Its picture's URL as last given (an organization changes it), "" for none."""

    @property
    def title(self) -> str:
        """The label on one line, for page titles; falls back to the account name, then the slug."""
        return one_line(self.label) or one_line(self.name) or self.slug


def organizations(archive: Archive, warn: Callable[[str], None] | None = None) -> list[Organization]:
    """Every organization named by a paper, most papers first, then by slug.

    A paper belongs to every organization it was listed under on any of its days (a re-listed paper
    can name one it did not before), so every card's organization link has a page; it is listed once,
    as on its first day, like on topic pages. Names equal but for ASCII case are one organization
    (`org_key`). Its name and label are the ones it had when last listed (organizations rename
    themselves; the newest name is the one readers know); the label is followed by the account name
    when another organization has the same display name. Two accounts whose names share a slug both
    get a page (see the module docstring for which keeps the slug), and `warn` hears one line about each
    other one.
    """
    first = {paper.id: paper for paper in archive.papers}
    newest_first = {paper.id: index for index, paper in enumerate(reversed(archive.papers))}
    by_key: dict[str, dict[str, Paper]] = defaultdict(dict)
    names: dict[str, str] = {}
    labels: dict[str, str] = {}
    spellings: dict[str, set[str]] = defaultdict(set)
    avatars: dict[str, str] = {}
    for day in archive.days:  # oldest first, so the last name and label seen are the newest
        for paper in sorted(day.papers, key=lambda p: p.id):  # a day's own order never decides
            account = paper.organization
            if account is None or not account.name:
                continue
            key = org_key(account.name)
            by_key[key].setdefault(paper.id, first[paper.id])
            names[key], labels[key] = account.name, account.label
            spellings[key].add(account.name)
            if account.avatar:
                avatars[key] = account.avatar
    owners: dict[str, str] = {}  # slug -> the key of the account that has it
    orgs = []
    for key in sorted(by_key, key=lambda k: (not _HF_NAME.issuperset(k), k)):  # see the module docstring
        name = names[key]
        slug = org_slug(name)
        if slug in owners:
            other = names[owners[slug]]
            slug = _distinct_slug(name, set(owners))
            if warn is not None:
                warn(f"organizations {_quoted(other)} and {_quoted(name)} are different accounts whose names "
                     f"share the page orgs/{org_slug(name)}/; {_quoted(name)} is at orgs/{slug}/")
        owners[slug] = key
        ranked = sorted(by_key[key].values(), key=lambda paper: newest_first[paper.id])
        orgs.append(Organization(name, labels[key], slug, tuple(ranked), tuple(sorted(spellings[key])),
                                 avatars.get(key, "")))
    # Two accounts may share a display name (Hugging Face has both "zju" and "ZhejiangUniversity" as
    # "Zhejiang University"): each then shows its account name too, so no two pages look alike.
    shared = Counter(org.title.casefold() for org in orgs)
    orgs = [replace(org, label=f"{org.title} ({org.name})") if shared[org.title.casefold()] > 1 else org
            for org in orgs]
    return sorted(orgs, key=lambda org: (-len(org.papers), org.slug))


def org_urls(orgs: list[Organization], url: Callable[[str], str]) -> dict[str, str]:
    """Every spelling of every organization's account name -> its page (`url` of its slug): what a
    card's organization links to."""
    return {spelling: url(org.slug) for org in orgs for spelling in org.spellings}
