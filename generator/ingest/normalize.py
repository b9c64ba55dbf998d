"""Turn one Daily Papers API response body into snapshot paper records.

The API changed shape many times between 2024 and 2026 (see the fixture README): keys were renamed
(`mediaUrl` became `thumbnail`), moved (`submittedBy` and `paper.submittedOnDailyBy`), or appeared
(`organization`, `ai_summary`, ...). This module is the one place that knows those shapes; everything
after it sees only the snapshot format of `generator/store/schema/snapshot.schema.json`.

Every string is untrusted text and is stored as written, with only these changes:

- titles: arXiv's hard line breaks (a newline and the spaces around it) become one space;
- abstracts and AI summaries: a single hard-wrap newline becomes a space, a blank line between
  paragraphs is kept as one blank line, and the ends are stripped;
- all text: characters XML and YAML cannot hold are removed (C0 controls except tab and newline,
  U+FFFE, U+FFFF, lone surrogates); a carriage return, and U+0085 (which YAML readers take for a line
  break, so it would not read back as written), become a newline;
- URLs: whitespace inside or around them is removed; only absolute `http(s)` URLs are kept for the
  repository, project page, thumbnail and media. Relative paths (the API uses them only for avatars,
  which are not stored) are dropped rather than guessed at.

A response that is not what the API sends raises `ResponseError`, whose message is one line naming the
day and the reason; nothing is stored from it. Identifiers and timestamps must match their pattern
whole (`re.fullmatch`): `$` would also match before a trailing newline, and `2401.00001\n` would
become a second paper.

`parse_response` reads one body (one page of the API, or a saved file) into its list of entries and
`normalize_entries` turns entries into papers, so a day fetched in several pages is normalized as one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from generator.core.errors import DayError, one_line
from generator.store.format import COUNT_MAXIMUM, MAX_PAPERS, PAPER_KEYS

MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = MAX_PAPERS  # a day's list, every page together (fetch asks for pages of 100 up to this)
MAX_COUNT = COUNT_MAXIMUM  # the schema's: no real paper has more upvotes, comments or stars
MAX_TITLE = 2000
MAX_TEXT = 100_000
MAX_URL = 4000
MAX_AUTHORS = 5000
MAX_AUTHOR_NAME = 1000
MAX_ACCOUNT_NAME = 200
MAX_ACCOUNT_FULLNAME = 500
MAX_KEYWORDS = 200
MAX_KEYWORD = 500
MAX_MEDIA = 100

# Used with fullmatch only (see the module docstring).
ARXIV_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7}")
_VERSION_SUFFIX = re.compile(r"v[0-9]+\Z")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z")
# C0 controls but tab and newline, DEL and the C1 controls (which XML discourages and readers show as
# Windows-1252 letters: U+0086 as "†"), the two non-characters XML forbids, and UTF-16 surrogates, which
# can only reach a Python str as lone halves (json.loads accepts "\ud800"). U+0085 is a line break,
# turned into one before this applies.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t\n]*")
_WRAP = re.compile(r"[ \t]*\n[ \t]*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_HTTP_URL = re.compile(r"^https?://[^/?#\s]+", re.IGNORECASE)



class ResponseError(DayError):
    """A response body that cannot be stored; the message is one line: `<day>: <reason>`."""

    def __init__(self, day: dt.date, reason: str):
        super().__init__(day, reason)
        self.reason = self.what


@dataclass
class NormalizedDay:
    """What one response says about one day: its papers in the response's order, and warnings."""

    date: dt.date
    papers: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def clean_text(value: str) -> str:
    """The text with only what XML and YAML cannot hold removed (carriage returns become newlines)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")
    return _UNSTORABLE.sub("", value)


def fold_title(value: str) -> str:
    """One line: arXiv's hard line breaks, with the indentation after them, become one space."""
    return _LINE_BREAK.sub(" ", clean_text(value)).strip()


def fold_paragraphs(value: str) -> str:
    """Hard-wrapped lines joined with spaces; blank lines between paragraphs kept as one blank line."""
    text = clean_text(value).strip()
    paragraphs = (_WRAP.sub(" ", part).strip() for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(part for part in paragraphs if part)


def clean_url(value: str) -> str:
    """The URL without stray whitespace, or "" when it is not an absolute http(s) URL."""
    url = re.sub(r"\s+", "", clean_text(value))
    return url if _HTTP_URL.match(url) else ""


class _Entry:
    """Typed access to one entry of the response, raising ResponseError with the entry's place."""

    def __init__(self, day: dt.date, index: int, label: str):
        self.day = day
        self.index = index
        self.label = label

    def fail(self, reason: str) -> ResponseError:
        return ResponseError(self.day, f"entry {self.index} ({self.label}): {reason}")

    def get(self, obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
        """obj[key] when present and not null; raises when it has the wrong type."""
        value = obj.get(key)
        if value is None:
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(f"{where}{key} should be {_kind_name(kind)}, not {_type_name(value)}")
        return value

    def text(self, obj: dict[str, Any], key: str, where: str, limit: int) -> str:
        value = self.get(obj, key, str, where)
        if value is None:
            return ""
        if len(value) > limit:
            raise self.fail(f"{where}{key} is {len(value)} characters long (at most {limit} expected)")
        return value

    def count(self, obj: dict[str, Any], key: str, where: str) -> int | None:
        value = self.get(obj, key, (int, float), where)
        if value is None:
            return None
        if isinstance(value, float):
            if not value.is_integer():
                raise self.fail(f"{where}{key} should be a whole number, not {value!r}")
            value = int(value)
        if value < 0:
            raise self.fail(f"{where}{key} is negative ({value})")
        if value > MAX_COUNT:
            raise self.fail(f"{where}{key} is {len(str(value))} digits long, too large to be a count")
        return value

    def timestamp(self, obj: dict[str, Any], key: str, where: str) -> str:
        value = self.text(obj, key, where, 100).strip()
        if not value:
            return ""
        if _TIMESTAMP.fullmatch(value):
            return value
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{where}{key} is not a timestamp: {value[:40]!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(dt.UTC)
        millis = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"

    def url(self, value: Any, where: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{where} should be a string, not {_type_name(value)}")
        url = clean_url(value)
        if len(url) > MAX_URL:
            raise self.fail(f"{where} is {len(url)} characters long (at most {MAX_URL} expected)")
        return url


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if kind == (int, float) or kind is int:
        return "a number"
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}[kind]  # type: ignore[index]


def _parse(body: bytes | str, day: dt.date) -> Any:
    size = len(body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body)
    if size > MAX_BODY_BYTES:
        raise ResponseError(day, f"response is {size:,} bytes, more than the {MAX_BODY_BYTES:,} a day can be")
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ResponseError(day, f"response is not UTF-8 text (byte {error.start})") from None
    else:
        text = body.removeprefix("\ufeff")
    if not text.strip():
        raise ResponseError(day, "response is empty, not JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
            raise ResponseError(
                day, f"response is truncated JSON (it ends after {size:,} bytes, in the middle of a value)"
            ) from None
        raise ResponseError(
            day, f"response is not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except ValueError as error:  # json.loads refuses ints of more than sys.get_int_max_str_digits() digits
        if "digits" in str(error):
            limit = sys.get_int_max_str_digits()
            raise ResponseError(day, f"response JSON holds a number of more than {limit} digits") from None
        raise ResponseError(day, f"response JSON cannot be read ({one_line(str(error), 120)})") from None
    except RecursionError:
        raise ResponseError(day, "response JSON is nested too deeply") from None


def parse_response(body: bytes | str, day: dt.date) -> list[Any]:
    """The entries of one response body for `day` (one page, or a saved file): its JSON list.

    Raises ResponseError (one line: day and reason) when the body is not a JSON list of at most
    MAX_ENTRIES entries.
    """
    data = _parse(body, day)
    if isinstance(data, dict):
        keys = ", ".join(sorted(str(k) for k in data)[:6]) or "none"
        raise ResponseError(day, f"expected a JSON list of papers, got an object (keys: {keys})")
    if not isinstance(data, list):
        raise ResponseError(day, f"expected a JSON list of papers, got {_type_name(data)}")
    if len(data) > MAX_ENTRIES:
        raise ResponseError(
            day, f"response lists {len(data)} entries, more than the {MAX_ENTRIES} a day can have"
        )
    return data


def normalize_day(body: bytes | str, day: dt.date, fetched_at: str) -> NormalizedDay:
    """The papers one response body lists for `day`, as snapshot records first seen at `fetched_at`.

    Raises ResponseError (one line: day and reason) for anything the API would not send, so a broken
    response never reaches the store.
    """
    return normalize_entries(parse_response(body, day), day, fetched_at)


def normalize_entries(entries: list[Any], day: dt.date, fetched_at: str) -> NormalizedDay:
    """The papers `entries` (one response's, or a day's pages' joined) list for `day`.

    A paper listed twice (in one page, or on two pages when the ranking moved while paging) is kept
    once, as first listed, with a warning. Raises ResponseError for an entry the API would not send.
    """
    warnings = []
    papers: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            hint = " (a saved Python repr?)" if entry.lstrip().startswith("{'") else ""
            raise ResponseError(day, f"entry {index} is a string, not a paper object{hint}")
        if not isinstance(entry, dict):
            raise ResponseError(day, f"entry {index} is {_type_name(entry)}, not a paper object")
        paper = _paper(entry, _Entry(day, index, "no id"), fetched_at)
        if paper["id"] in seen:
            first = seen[paper["id"]]
            warnings.append(
                f"{day.isoformat()}: {paper['id']} is listed twice (entries {first} and {index}); "
                "keeping the first"
            )
            continue
        seen[paper["id"]] = index
        papers.append(paper)
    return NormalizedDay(day, papers, warnings)


def _paper(entry: dict[str, Any], ctx: _Entry, fetched_at: str) -> dict[str, Any]:
    raw = ctx.get(entry, "paper", dict, "")
    if raw is None:
        raise ctx.fail("has no paper object")
    raw_id = ctx.get(raw, "id", str, "paper.")
    if raw_id is None:
        raise ctx.fail("paper has no id")
    paper_id = _VERSION_SUFFIX.sub("", raw_id.strip())  # "2405.15738v2" is still that paper
    if not ARXIV_ID.fullmatch(paper_id):
        raise ctx.fail(f"paper.id {raw_id[:40]!r} is not an arXiv id")
    ctx.label = paper_id

    title = fold_title(ctx.text(raw, "title", "paper.", MAX_TITLE * 4))
    if not title:
        title = fold_title(ctx.text(entry, "title", "", MAX_TITLE * 4))
    if not title:
        raise ctx.fail("has no title")
    if len(title) > MAX_TITLE:
        raise ctx.fail(f"title is {len(title)} characters long (at most {MAX_TITLE} expected)")

    out: dict[str, Any] = {"id": paper_id, "title": title, "authors": _authors(raw, ctx)}
    abstract = ctx.text(raw, "summary", "paper.", MAX_TEXT) or ctx.text(entry, "summary", "", MAX_TEXT)
    out["abstract"] = fold_paragraphs(abstract)

    published = ctx.timestamp(raw, "publishedAt", "paper.")
    if published:
        out["published_at"] = published
    featured = ctx.timestamp(raw, "submittedOnDailyAt", "paper.") or ctx.timestamp(entry, "publishedAt", "")
    if featured:
        out["featured_at"] = featured

    submitter = _account(ctx, entry, "submittedBy", "name") or _account(
        ctx, raw, "submittedOnDailyBy", "user", "paper."
    )
    if submitter:
        out["submitted_by"] = submitter
    organization = (
        _account(ctx, entry, "organization", "name", avatar=True)
        or _account(ctx, raw, "organization", "name", "paper.", avatar=True)
        or _account(ctx, entry, "submitterOrganization", "name", avatar=True)
    )
    if organization:
        out["organization"] = organization

    upvotes = ctx.count(raw, "upvotes", "paper.")
    comments = ctx.count(entry, "numComments", "")
    out["upvotes"] = upvotes or 0
    out["comments"] = comments or 0

    github = ctx.url(raw.get("githubRepo"), "paper.githubRepo")
    if github:
        out["github_repo"] = github
    stars = ctx.count(raw, "githubStars", "paper.")
    if stars is not None:
        out["github_stars"] = stars
    page = ctx.url(raw.get("projectPage"), "paper.projectPage")
    if page:
        out["project_page"] = page
    summary = fold_paragraphs(ctx.text(raw, "ai_summary", "paper.", MAX_TEXT))
    if summary:
        out["ai_summary"] = summary
    keywords = _keywords(raw, ctx)
    if keywords:
        out["ai_keywords"] = keywords
    thumbnail = ctx.url(entry.get("thumbnail"), "thumbnail") or ctx.url(entry.get("mediaUrl"), "mediaUrl")
    if thumbnail:
        out["thumbnail"] = thumbnail
    media = _media(entry, ctx, "") or _media(raw, ctx, "paper.")
    if media:
        out["media"] = media
    out["first_seen"] = fetched_at
    out["last_updated"] = fetched_at
    return _in_format_order(out)


def _in_format_order(record: dict[str, Any]) -> dict[str, Any]:
    """The record's keys in the snapshot format's order; a key the format lacks is a bug here, not data."""
    ordered = {key: record[key] for key in PAPER_KEYS if key in record}
    if len(ordered) != len(record):
        raise AssertionError(f"keys outside the snapshot format: {sorted(set(record) - set(ordered))}")
    return ordered


def _authors(raw: dict[str, Any], ctx: _Entry) -> list[dict[str, Any]]:
    authors = ctx.get(raw, "authors", list, "paper.") or []
    if len(authors) > MAX_AUTHORS:
        raise ctx.fail(f"lists {len(authors)} authors (at most {MAX_AUTHORS} expected)")
    out = []
    for number, author in enumerate(authors):
        where = f"paper.authors[{number}]."
        if not isinstance(author, dict):
            raise ctx.fail(f"paper.authors[{number}] should be an object, not {_type_name(author)}")
        name = fold_title(ctx.text(author, "name", where, MAX_AUTHOR_NAME))
        record: dict[str, Any] = {"name": name}
        if ctx.get(author, "hidden", bool, where):
            record["hidden"] = True
        user = ctx.get(author, "user", dict, where)
        if user is not None:
            username = fold_title(ctx.text(user, "user", f"{where}user.", MAX_ACCOUNT_NAME))
            if username:
                record["user"] = username
        if name or "user" in record:
            out.append(record)
    return out


def _account(
    ctx: _Entry, obj: dict[str, Any], key: str, name_key: str, where: str = "", avatar: bool = False
) -> dict[str, str] | None:
    account = ctx.get(obj, key, dict, where)
    if account is None:
        return None
    inner = f"{where}{key}."
    name = fold_title(ctx.text(account, name_key, inner, MAX_ACCOUNT_NAME))
    if not name and name_key != "name":
        name = fold_title(ctx.text(account, "name", inner, MAX_ACCOUNT_NAME))
    if not name:
        return None
    out = {"name": name}
    fullname = fold_title(ctx.text(account, "fullname", inner, MAX_ACCOUNT_FULLNAME))
    if fullname:
        out["fullname"] = fullname
    picture = ctx.url(account.get("avatar"), f"{inner}avatar") if avatar else ""
    if picture:
        out["avatar"] = picture
    return out


def _keywords(raw: dict[str, Any], ctx: _Entry) -> list[str]:
    keywords = ctx.get(raw, "ai_keywords", list, "paper.") or []
    if len(keywords) > MAX_KEYWORDS:
        raise ctx.fail(f"lists {len(keywords)} AI keywords (at most {MAX_KEYWORDS} expected)")
    out = []
    for number, keyword in enumerate(keywords):
        if not isinstance(keyword, str):
            raise ctx.fail(f"paper.ai_keywords[{number}] should be a string, not {_type_name(keyword)}")
        if len(keyword) > MAX_KEYWORD:
            raise ctx.fail(f"paper.ai_keywords[{number}] is {len(keyword)} characters long")
        text = fold_title(keyword)
        if text:
            out.append(text)
    return out


def _media(obj: dict[str, Any], ctx: _Entry, where: str) -> list[str]:
    urls = ctx.get(obj, "mediaUrls", list, where) or []
    out: list[str] = []
    for number, value in enumerate(urls):
        url = ctx.url(value, f"{where}mediaUrls[{number}]")
        if url and url not in out:
            out.append(url)
    if len(out) > MAX_MEDIA:
        raise ctx.fail(f"{where}mediaUrls lists {len(out)} media (at most {MAX_MEDIA} expected)")
    return out
