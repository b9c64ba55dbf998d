"""Text and URL helpers every output shares (pages, feeds, search, downloads, email), so a date reads the
same everywhere and a link is made by one rule.

Dates use fixed English names rather than strftime's %A/%B or the `calendar` module's names, which
follow the process locale: same input, same bytes on every machine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from generator.core.errors import UserError

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
# Characters no URL we link to may hold: white space, control characters, and what would end an
# attribute or a tag if a writer forgot to escape.
_NOT_IN_URL = re.compile(r'[\s\x00-\x1f\x7f"<>]')


def long_date(date: dt.date) -> str:
    """`Monday, 8 September 2025`."""
    return f"{DAY_NAMES[date.weekday()]}, {date.day} {MONTH_NAMES[date.month - 1]} {date.year}"


def short_date(date: dt.date, year: bool = True) -> str:
    """`8 Sep 2025`, or `8 Sep` without the year."""
    return f"{date.day} {MONTH_NAMES[date.month - 1][:3]}" + (f" {date.year}" if year else "")


def month_name(year: int, month: int) -> str:
    """`September 2025`."""
    return f"{MONTH_NAMES[month - 1]} {year}"


def http_url(value: str) -> str:
    """The URL when it is an absolute http(s) URL, else "": the one rule for which strings become links
    (a `javascript:` URL, a relative path or text with spaces never does)."""
    value = (value or "").strip()
    if not value or _NOT_IN_URL.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


HF_IMAGE_HOST = "huggingface.co"
"""Images a page may load come from Hugging Face's own hosts (huggingface.co and its subdomains, such as
cdn-thumbnails. and cdn-avatars.), over https: nothing else a snapshot holds makes a reader's browser
ask a third party for anything."""


def hf_image_url(value: str) -> str:
    """The URL when it is an https URL of Hugging Face's hosts (HF_IMAGE_HOST), with no user or port,
    else "": the one rule for which image URLs become `<img src>`."""
    value = http_url(value)
    if not value:
        return ""
    parts = urlsplit(value)
    host = parts.netloc.lower()  # no "@" (a user) and no ":" (a port) may be in it
    if parts.scheme.lower() != "https" or not re.fullmatch(r"[a-z0-9.-]+", host):
        return ""
    return value if host == HF_IMAGE_HOST or host.endswith("." + HF_IMAGE_HOST) else ""


def site_url(value: str | None) -> str:
    """The site's public URL with a trailing slash; a UserError saying how to set it when it is missing
    or not an absolute http(s) URL (feeds, permalinks and emails need absolute links)."""
    url = (value or "").strip()
    if not http_url(url):
        problem = f"site_url {url!r} is not an absolute http(s) URL" if url else "site_url is not set"
        raise UserError(f"{problem}: set site_url in mkdocs.yml, or pass --site-url https://USER.github.io/REPO/ "
                        "(feeds and permalinks need absolute links)")
    return url if url.endswith("/") else url + "/"


def author_line(names: Sequence[str], shown: int) -> str:
    """`A, B and 3 more`: the first `shown` names, then how many more (cards, feeds and digests alike)."""
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" and {len(names) - shown} more"
