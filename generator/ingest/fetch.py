"""`dailypapers fetch`: ask the Hugging Face Daily Papers API for days and store them.

The API is someone else's service reached over an unreliable network. Each request (one try) has a
hard deadline from connecting to its last byte, follows redirects only within the API's own origin, and
its decoded body is capped (all three in download.py). Transient failures (timeouts, broken
connections, 429 and 5xx) are retried a bounded number of times with exponential backoff and jitter, a
`Retry-After` header is honoured (up to a cap), every request is spaced to a polite rate, and the
User-Agent says who is asking.

The API gives at most PAGE_SIZE papers per request, so a day is asked for page by page (`limit=100&p=0`,
`p=1`, ...) until a page comes back short (fewer than 100 entries, and not exactly the API's default 50,
in case the server ignored `limit`); the pages are stored as one response, and a day whose pages
cannot all be fetched fails whole and is never stored half. A page listing the same papers as the one
before means the server ignores `p`: the day fails at once rather than after 20 copies of its first
page. One failing day never stops the others, and a failure never changes a stored snapshot (see
merge.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpcore

from generator.core.dates import day_problem
from generator.core.errors import UserError
from generator.core.project import Project
from generator.ingest.download import Downloader, DownloadError
from generator.ingest.merge import (
    DayOutcome,
    project_lock,
    store_entries,
    store_failure,
    unexpected_failure,
)
from generator.ingest.normalize import MAX_BODY_BYTES, MAX_ENTRIES, ResponseError, parse_response

DEFAULT_API_URL = "https://huggingface.co/api/daily_papers"
DEFAULT_REFRESH_DAYS = 7
DEFAULT_RATE = 1.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 4
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))
PAGE_SIZE = 100  # the API's largest `limit`; a page with fewer entries is the day's last ...
API_DEFAULT_LIMIT = 50  # ... unless it holds exactly the API's default page size, which a server
# paging by its default whatever `limit` asks would also send: then the next page is asked for too.
MAX_PAGES = MAX_ENTRIES // PAGE_SIZE  # 20 pages; the busiest days list about 100 papers


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def user_agent() -> str:
    """An honest User-Agent: which program, which version, and what it is for."""
    try:
        version = metadata.version("dailypapers-archive")
    except metadata.PackageNotFoundError:
        version = "0"
    return (
        f"dailypapers-archive/{version} (Daily Papers Archive: a static archive of huggingface.co/papers; "
        f"one request per day and page listed; httpcore/{httpcore.__version__})"
    )


def page_url(api_url: str, day: dt.date, page: int) -> str:
    """The URL of one page of `day`'s list: `api_url?date=YYYY-MM-DD&limit=100&p=N`.

    Query parameters already in `api_url` are kept, except the three this sets.
    """
    parts = urlsplit(api_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("date", "limit", "p")]
    query += [("date", day.isoformat()), ("limit", str(PAGE_SIZE)), ("p", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


class FetchError(Exception):
    """A day that could not be fetched; `reason` is one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class FetchOptions:
    """Which days to ask for and how to treat the API. Times are in seconds.

    `clock` gives the time stamped into snapshots; `monotonic` is the clock the pacing and each try's
    deadline are measured on, and `sleep` waits on it (a backoff, a Retry-After, a pacing wait). Tests
    replace them to assert on the waits asked for rather than on how long a run took.
    """

    days: list[dt.date]
    api_url: str = DEFAULT_API_URL
    rate: float = DEFAULT_RATE
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 120.0
    lock_wait: float = 30.0
    clock: Callable[[], dt.datetime] = field(default=_utcnow, repr=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @classmethod
    def from_args(
        cls, args: argparse.Namespace, clock: Callable[[], dt.datetime] = _utcnow
    ) -> FetchOptions:
        """Options from the `fetch` command line; None means the default. Bad values raise UserError."""
        today = clock().astimezone(dt.UTC).date()
        date = getattr(args, "date", None)
        since = getattr(args, "since", None)
        until = getattr(args, "until", None)
        refresh = _option(args, "refresh_days", DEFAULT_REFRESH_DAYS)
        if refresh < 0:
            raise UserError("--refresh-days must be 0 or more")
        if until is not None and since is None:
            raise UserError("--until needs --since (the first day of the backfill)")
        for name, value in (("--date", date), ("--since", since), ("--until", until)):
            problem = None if value is None else day_problem(value, today)
            if problem:
                raise UserError(f"{name} {problem}")
        if date is not None:
            days = [date]
        elif since is not None:
            last = until or today
            if since > last:
                raise UserError(f"--since {since} is after --until {last}; swap them")
            days = [since + dt.timedelta(days=n) for n in range((last - since).days + 1)]
        else:  # the refresh window; it never reaches back before the list began
            days = [day for day in (today - dt.timedelta(days=n) for n in range(refresh, -1, -1))
                    if day_problem(day, today) is None]
        options = cls(
            days=days,
            api_url=getattr(args, "api_url", None) or DEFAULT_API_URL,
            rate=_option(args, "rate", DEFAULT_RATE),
            timeout=_option(args, "timeout", DEFAULT_TIMEOUT),
            retries=_option(args, "retries", DEFAULT_RETRIES),
            clock=clock,
        )
        options.check()
        return options

    def check(self) -> None:
        """Raise UserError for values no run could use."""
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise UserError("--rate must be more than 0 requests per second")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise UserError("--timeout must be more than 0 seconds")
        if self.retries < 0:
            raise UserError("--retries must be 0 or more")
        try:
            parts = urlsplit(self.api_url)
            usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
        except ValueError:  # a port that is not a number from 0 to 65535
            usable = False
        if not usable:
            raise UserError(f"--api-url {self.api_url!r} is not an http(s) URL")


def _option(args: argparse.Namespace, name: str, default: Any) -> Any:
    value = getattr(args, name, None)
    return default if value is None else value


class DayFetcher:
    """GETs one day's pages with a deadline per try, bounded retries, backoff, Retry-After and a polite rate."""

    def __init__(self, downloader: Downloader, options: FetchOptions):
        self.downloader = downloader
        self.options = options
        self._next_request = 0.0

    def _pace(self) -> float:
        """Wait until the next request is polite; returns the seconds waited."""
        wait = self._next_request - self.options.monotonic()
        if wait > 0:
            self.options.sleep(wait)
        self._next_request = self.options.monotonic() + 1.0 / self.options.rate
        return max(wait, 0.0)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.options.backoff_cap, self.options.backoff * 2**attempt)
        return delay / 2 + random.uniform(0, delay / 2)

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds a `Retry-After` value (seconds or an HTTP date) asks to wait, capped; None if unreadable."""
        value = (value or "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            seconds = (when - self.options.clock()).total_seconds()
        if not math.isfinite(seconds):
            return None
        return min(max(seconds, 0.0), self.options.retry_after_cap)

    def get(self, url: str) -> bytes:
        """The 200 body at `url`; raises FetchError once retrying has not helped."""
        tries = self.options.retries + 1
        for attempt in range(tries):
            retry_after = None
            try:
                answer = self.downloader.get(url, before_request=self._pace)
            except DownloadError as error:
                if not error.transient:
                    raise FetchError(error.reason) from None
                reason = error.reason
            else:
                if answer.status == 200:
                    return answer.body
                reason = f"the API answered HTTP {answer.status}"
                if answer.status not in RETRY_STATUSES:
                    raise FetchError(reason)
                retry_after = self._retry_after(answer.headers.get("retry-after"))
            if attempt + 1 >= tries:
                raise FetchError(f"{reason} ({tries} tries)" if tries > 1 else reason)
            self.options.sleep(retry_after if retry_after is not None else self._backoff(attempt))
        raise AssertionError("unreachable")

    def entries(self, day: dt.date) -> list[Any]:
        """Every entry the API lists for `day`, its pages joined; raises FetchError unless all arrive."""
        entries: list[Any] = []
        previous: list[Any] = []
        for page in range(MAX_PAGES):
            try:
                listed = parse_response(self.get(page_url(self.options.api_url, day, page)), day)
            except (FetchError, ResponseError) as error:  # a later page names itself: `page 2: ...`
                raise FetchError(f"page {page + 1}: {error.reason}" if page else error.reason) from None
            if page and _same_papers(listed, previous):  # a server that ignores `p` sends page 1 again
                raise FetchError(f"page {page + 1} repeats page {page}: the API ignores the page number, so "
                                 "the day cannot be read whole")
            entries.extend(listed)
            previous = listed
            if len(listed) < PAGE_SIZE and len(listed) != API_DEFAULT_LIMIT:
                return entries
        raise FetchError(f"the list goes on past {MAX_PAGES} pages of {PAGE_SIZE} papers")


def _same_papers(listed: list[Any], previous: list[Any]) -> bool:
    """Whether two pages list the same papers in the same order, by paper id (upvotes may move between
    two requests); pages whose entries name no id are compared whole."""

    def ids(entries: list[Any]) -> list[Any]:
        return [entry["paper"].get("id") if isinstance(entry, dict) and isinstance(entry.get("paper"), dict)
                else None for entry in entries]

    mine = ids(listed)
    return mine == ids(previous) if any(mine) else listed == previous


def fetch_days(
    project: Project, options: FetchOptions, on_day: Callable[[DayOutcome], None] | None = None
) -> list[DayOutcome]:
    """Fetch and store every asked day, holding the project lock; one outcome per day, in order.

    `on_day` hears of each day as soon as it is stored, so a long backfill can show its progress.
    """
    options.check()
    outcomes = []
    with (
        project_lock(project, wait=options.lock_wait),
        Downloader(user_agent=user_agent(), timeout=options.timeout, max_body=MAX_BODY_BYTES,
                   monotonic=options.monotonic) as downloader,
    ):
        fetcher = DayFetcher(downloader, options)
        for day in options.days:
            try:
                outcome = _fetch_day(project, fetcher, day)
            except Exception as error:  # the last resort: whatever goes wrong fails this day alone
                outcome = unexpected_failure(day, error)
            outcomes.append(outcome)
            if on_day is not None:
                on_day(outcome)
    return outcomes


def _fetch_day(project: Project, fetcher: DayFetcher, day: dt.date) -> DayOutcome:
    """Fetch one day's pages and store them as one response; a failure is recorded, not raised."""
    try:
        entries = fetcher.entries(day)
    except FetchError as error:
        return store_failure(project, day, error.reason, fetcher.options.clock())
    return store_entries(project, day, entries, fetcher.options.clock(), record_failure=True)
