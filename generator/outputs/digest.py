"""A day's or an ISO week's digest as an email: an HTML part with inline styles and a plain-text part.

Pure rendering, no I/O: the model in, an `EmailMessage` out. Mail clients strip `<style>` and
scripts, so the HTML part is a table layout with inline styles. Every string from the data is text:
the HTML part is autoescaped, the plain-text part shows it as written (one line per field, control
characters removed), and no paper text ever reaches a header. Same data, same bytes: the Date header
is the digest's newest paper time, the Message-ID is built from the digest's key and site_url, and the
MIME boundary from the parts' own hash, never the clock or a random number.

The /subscribe/ page's context is here too: it tells readers how to get this digest.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from generator.core.errors import UserError, one_line
from generator.core.settings import DEFAULTS, Settings
from generator.core.text import author_line, http_url, long_date, short_date
from generator.core.urls import url
from generator.domain import views
from generator.domain.model import Archive, Paper
from generator.outputs.feeds import DAILY_FILE, WEEKLY_FILE, item_date
from generator.outputs.render import environment

AUTHORS_SHOWN = 5
DIGEST_TITLE_CHARS = 500  # an email shows less than a feed
MAX_SUMMARY = 600  # the AI summary is one or two sentences; an abstract excerpt is cut here
MAX_NAME = 120
FORM_FIELD = re.compile(r"^[A-Za-z0-9_.\[\]-]{1,64}$")

WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")
DAY_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNSUBSCRIBE_ANCHOR = "unsubscribe"  # the subscribe page's section on leaving the list


class DigestError(UserError):
    """No digest for what was asked: an unknown day or week, or one without papers."""


# --- what a digest holds -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestPaper:
    """One paper as the digest shows it: single-line text fields and absolute http(s) links."""

    rank: int
    id: str
    title: str
    authors: str
    upvotes: int
    comments: int
    summary: str
    summary_label: str  # "AI summary", or "Abstract" for papers from before Hugging Face wrote them
    card_url: str
    arxiv_url: str
    hf_url: str


@dataclass(frozen=True, slots=True)
class Digest:
    """A day's (key "YYYY-MM-DD") or an ISO week's (key "YYYY-Www") most upvoted papers."""

    key: str
    kind: str  # "day" or "week"
    heading: str
    page_url: str
    papers: tuple[DigestPaper, ...]
    total: int
    date: dt.datetime
    site_url: str
    site_name: str

    @property
    def subject(self) -> str:
        """Fixed wording and the date only: a paper title never reaches a header."""
        shown = f"top {len(self.papers)} of {self.total}" if len(self.papers) < self.total else str(self.total)
        noun = "paper" if self.total == 1 else "papers"
        when = self.heading if self.kind == "day" else f"week {self.key}"  # short: a folded Subject reads badly
        return f"Daily Papers, {when}: {shown} {noun}"

    @property
    def subscribe_url(self) -> str:
        return self.site_url + url("subscribe")

    @property
    def unsubscribe_url(self) -> str:
        return self.site_url + url("subscribe") + "#" + UNSUBSCRIBE_ANCHOR

    @property
    def feed_url(self) -> str:
        return self.site_url + url("feed", file=DAILY_FILE)

    @property
    def message_id(self) -> str:
        """`<digest-KEY.PATH@HOST>` from site_url: stable, and two archives on one host never clash."""
        parts = urlsplit(self.site_url)
        path = ".".join(re.sub(r"[^A-Za-z0-9-]", "-", s) for s in parts.path.split("/") if s)
        local = f"digest-{self.key}" + (f".{path}" if path else "")
        return f"<{local}@{parts.hostname}>"


def _authors(paper: Paper) -> str:
    return author_line([n for n in (one_line(a.name, MAX_NAME) for a in paper.visible_authors) if n], AUTHORS_SHOWN)


def _digest_paper(paper: Paper, rank: int, site_url: str) -> DigestPaper:
    summary = one_line(paper.ai_summary, MAX_SUMMARY)
    label = "AI summary"
    if not summary:
        summary, label = one_line(paper.abstract, MAX_SUMMARY), "Abstract"
    pid = quote(paper.id, safe="/")  # the schema allows only arXiv ids; quoting keeps any other id inert
    return DigestPaper(
        rank=rank, id=paper.id, title=one_line(paper.title, DIGEST_TITLE_CHARS) or paper.id, authors=_authors(paper),
        upvotes=paper.upvotes, comments=paper.comments, summary=summary, summary_label=label,
        card_url=site_url + url("card", id=pid, date=paper.day),
        arxiv_url=paper.arxiv_url, hf_url=paper.hf_url,
    )


def _ranked(papers: list[Paper], site_url: str, top: int) -> tuple[DigestPaper, ...]:
    return tuple(_digest_paper(p, rank, site_url) for rank, p in enumerate(views.top_papers(papers, top), start=1))


def latest_day(archive: Archive) -> dt.date | None:
    """The newest day whose list has papers: what the daily email sends."""
    listed = [day.date for day in archive.days if day.papers]
    return listed[-1] if listed else None


def day_digest(archive: Archive, date: dt.date, site_url: str, settings: Settings = DEFAULTS) -> Digest:
    """The day's most upvoted papers; DigestError when the day is not stored or has no papers."""
    day = next((d for d in archive.days if d.date == date), None)
    if day is None:
        raise DigestError(f"{date}: no snapshot for this day (fetch it first: dailypapers fetch --date {date})")
    if not day.papers:
        why = f"its fetch failed: {one_line(day.error, 200)}" if day.status == "failed" else \
            "Hugging Face published no list that day"
        raise DigestError(f"{date}: the day has no papers ({why})")
    return Digest(
        key=date.isoformat(), kind="day", heading=long_date(date), page_url=site_url + url("day", date=date),
        papers=_ranked(list(day.papers), site_url, settings.digest_top), total=len(day.papers),
        date=max(item_date(p, date) for p in day.papers), site_url=site_url, site_name=settings.site_name,
    )


def parse_week(value: str) -> str:
    """`YYYY-Www` checked against the calendar (week 53 only in years that have one)."""
    match = WEEK_KEY.match(value or "")
    if match:
        try:
            dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return value
        except ValueError:
            pass
    raise DigestError(f"{value!r} is not an ISO week; use YYYY-Www, e.g. 2025-W37")


def week_digest(archive: Archive, key: str, site_url: str, settings: Settings = DEFAULTS) -> Digest:
    """The week's most upvoted papers, each paper once on its first day, as the weekly feed counts them."""
    key = parse_week(key)
    papers = [p for p in archive.papers if views.week_key(p.day) == key]
    if not papers:
        raise DigestError(f"week {key}: no papers in the archive for this week")
    first, last = min(p.day for p in papers), max(p.day for p in papers)
    span = short_date(first) if first == last else f"{short_date(first, year=False)} to {short_date(last)}"
    return Digest(
        key=key, kind="week", heading=f"week {key} ({span})", page_url=site_url + url("week", week=key),
        papers=_ranked(papers, site_url, settings.digest_top), total=len(papers),
        date=max(item_date(p, p.day) for p in papers), site_url=site_url, site_name=settings.site_name,
    )


# --- rendering -----------------------------------------------------------------------------------------


def render_parts(digest: Digest, sender: Address | None = None) -> tuple[str, str]:
    """The plain-text and the HTML part of the digest's email."""
    context = {"digest": digest, "site_name": digest.site_name, "reply_to": sender.addr_spec if sender else ""}
    env = environment()
    return (env.get_template("email/digest.txt.j2").render(**context),
            env.get_template("email/digest.html.j2").render(**context))


def list_unsubscribe(digest: Digest, sender: Address | None) -> str:
    """RFC 2369: a mail to the sender (the maintainer keeps the list) and the page that explains it."""
    links = []
    if sender:
        links.append(f"<mailto:{quote(sender.addr_spec, safe='@')}?subject=unsubscribe>")
    links.append(f"<{digest.unsubscribe_url}>")
    return ", ".join(links)


def build_message(digest: Digest, sender: Address | None, recipients: tuple[Address, ...]) -> EmailMessage:
    """The digest as a multipart/alternative message; From and To are left out when not given (a preview).

    One recipient is named in To; several get `undisclosed-recipients:;` so they never see each other.
    """
    text, html = render_parts(digest, sender)
    message = EmailMessage(policy=email.policy.SMTP)
    if sender:
        message["From"] = sender
    if len(recipients) == 1:
        message["To"] = recipients[0]
    elif recipients:
        message["To"] = Group("undisclosed-recipients")
    message["Subject"] = digest.subject
    message["Date"] = format_datetime(digest.date)
    message["Message-ID"] = digest.message_id
    message["List-Id"] = f"{one_line(digest.site_name)} digest <digest.{urlsplit(digest.site_url).hostname}>"
    message["List-Unsubscribe"] = list_unsubscribe(digest, sender)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # The default boundary is random. "=_" can never occur in quoted-printable text, so this one is safe.
    message.set_boundary("=_digest_" + hashlib.sha256((text + "\0" + html).encode()).hexdigest()[:40])
    return message


def message_bytes(message: EmailMessage) -> bytes:
    """RFC 5322 bytes with CRLF line ends, as they go over SMTP."""
    return message.as_bytes(policy=email.policy.SMTP)


def is_digest_key(value: str) -> bool:
    return bool(DAY_KEY.match(value) or WEEK_KEY.match(value))


# --- the /subscribe/ page ------------------------------------------------------------------------------


def subscribe_page_context(extra: Mapping[str, Any], site_url: str) -> dict[str, Any]:
    """What subscribe.md.j2 needs. `extra.newsletter_form_url` (mkdocs.yml) adds a sign-up form posting
    there; anything but an http(s) URL stops the build rather than put an unchecked URL in a form."""
    form_url = extra.get("newsletter_form_url") or ""
    form_field = extra.get("newsletter_form_field") or "email"
    if form_url and (not isinstance(form_url, str) or not http_url(form_url)):
        raise UserError(f"mkdocs.yml: extra.newsletter_form_url must be an http(s) URL (a newsletter "
                        f"provider's sign-up form address), got {str(form_url)[:80]!r}")
    if not isinstance(form_field, str) or not FORM_FIELD.match(form_field):
        raise UserError(f"mkdocs.yml: extra.newsletter_form_field must be a form field name such as email "
                        f"(letters, digits, _ . - [ ]), got {str(form_field)[:80]!r}")
    return {
        "site_url": site_url,
        "form_url": form_url.strip(),
        "form_host": urlsplit(form_url.strip()).hostname if form_url else "",
        "form_field": form_field,
        "daily_feed": url("feed", file=DAILY_FILE),
        "weekly_feed": url("feed", file=WEEKLY_FILE),
        "feeds_page": url("feeds"),
        "unsubscribe_anchor": UNSUBSCRIBE_ANCHOR,
    }
