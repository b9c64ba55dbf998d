"""`dailypapers fetch`: ask the Hugging Face Daily Papers API for days and store them.

The API is someone else's service reached over an unreliable network, so every request has connect
and read timeouts, transient failures (timeouts, broken connections, 429 and 5xx) are retried a
bounded number of times with exponential backoff and jitter, a `Retry-After` header is honoured (up
to a cap), requests are spaced to a polite rate, and the User-Agent says who is asking. One failing
day never stops the others, and a failure never changes a stored snapshot (see merge.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx

from generator.cli import DEFAULT_API_URL
from generator.errors import UserError
from generator.merge import DayOutcome, project_lock, store_failure, store_response, summary_line
from generator.normalize import MAX_BODY_BYTES
from generator.project import Project

DEFAULT_REFRESH_DAYS = 7
DEFAULT_RATE = 1.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 4
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))


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
        f"one request per day listed; python-httpx/{httpx.__version__})"
    )


class FetchError(Exception):
    """A day that could not be fetched; `reason` is one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class FetchOptions:
    """Which days to ask for and how to treat the API. Times are in seconds."""

    days: list[dt.date]
    api_url: str = DEFAULT_API_URL
    rate: float = DEFAULT_RATE
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 120.0
    lock_wait: float = 30.0
    progress: bool | None = None  # None: a progress bar when stderr is a terminal, plain lines otherwise
    clock: Callable[[], dt.datetime] = field(default=_utcnow, repr=False)
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
        if date is not None:
            days = [date]
        elif since is not None:
            last = until or today
            if since > last:
                raise UserError(f"--since {since} is after --until {last}; swap them")
            days = [since + dt.timedelta(days=n) for n in range((last - since).days + 1)]
        else:
            days = [today - dt.timedelta(days=n) for n in range(refresh, -1, -1)]
        future = [d for d in days if d > today]
        if future:
            raise UserError(f"{future[0]} is in the future (today is {today} UTC); there is no list yet")
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
        if self.rate <= 0:
            raise UserError("--rate must be more than 0 requests per second")
        if self.timeout <= 0:
            raise UserError("--timeout must be more than 0 seconds")
        if self.retries < 0:
            raise UserError("--retries must be 0 or more")
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserError(f"--api-url {self.api_url!r} is not an http(s) URL")


def _option(args: argparse.Namespace, name: str, default: Any) -> Any:
    value = getattr(args, name, None)
    return default if value is None else value


class DayFetcher:
    """GETs one day's list with timeouts, bounded retries, backoff, Retry-After and a polite rate."""

    def __init__(self, client: httpx.Client, options: FetchOptions):
        self.client = client
        self.options = options
        self._next_request = 0.0
        self.requests = 0

    def _pace(self) -> None:
        wait = self._next_request - time.monotonic()
        if wait > 0:
            self.options.sleep(wait)
        self._next_request = time.monotonic() + 1.0 / self.options.rate

    def _backoff(self, attempt: int) -> float:
        delay = min(self.options.backoff_cap, self.options.backoff * 2**attempt)
        return delay / 2 + random.uniform(0, delay / 2)

    def _retry_after(self, headers: httpx.Headers) -> float | None:
        value = headers.get("retry-after", "").strip()
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

    def _request(self, day: dt.date) -> tuple[int, httpx.Headers, bytes]:
        self.requests += 1
        started = time.monotonic()
        with self.client.stream("GET", self.options.api_url, params={"date": day.isoformat()}) as response:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_BODY_BYTES:
                raise FetchError(f"response would be {int(length):,} bytes, more than {MAX_BODY_BYTES:,}")
            chunks = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise FetchError(f"response is more than {MAX_BODY_BYTES:,} bytes")
                if time.monotonic() - started > 10 * self.options.timeout:
                    raise httpx.ReadTimeout("the response trickled in too slowly")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    def get(self, day: dt.date) -> bytes:
        """The response body for `day`; raises FetchError once retrying has not helped."""
        tries = self.options.retries + 1
        for attempt in range(tries):
            self._pace()
            retry_after = None
            try:
                status, headers, body = self._request(day)
            except httpx.UnsupportedProtocol as error:
                raise FetchError(f"cannot fetch {self.options.api_url}: {error}") from None
            except httpx.TransportError as error:
                reason = _describe_transport(error, self.options.timeout)
            else:
                if status == 200:
                    return body
                reason = f"the API answered HTTP {status}"
                if status not in RETRY_STATUSES:
                    raise FetchError(reason)
                retry_after = self._retry_after(headers)
            if attempt + 1 >= tries:
                raise FetchError(f"{reason} ({tries} tries)" if tries > 1 else reason)
            self.options.sleep(retry_after if retry_after is not None else self._backoff(attempt))
        raise AssertionError("unreachable")


def _describe_transport(error: httpx.TransportError, timeout: float) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"could not connect within {timeout:g} s"
    if isinstance(error, httpx.TimeoutException):
        return f"no response within {timeout:g} s"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect: {' '.join(str(error).split())[:200]}"
    detail = " ".join(str(error).split())[:200] or type(error).__name__
    return f"the connection broke off ({detail})"


class Progress:
    """A tqdm bar on a terminal, plain `[n/total] ...` lines otherwise (logs, CI, pipes)."""

    def __init__(self, total: int, enabled: bool | None, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        tty = enabled if enabled is not None else self.stream.isatty()
        self.bar = None
        if tty and total > 1:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="day", file=self.stream, leave=False, dynamic_ncols=True)

    def report(self, outcome: DayOutcome) -> None:
        self.done += 1
        lines = [outcome.describe()] + [f"warning: {w}" for w in outcome.warnings]
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(outcome.day.isoformat())
            for line in lines:
                if outcome.kind == "failed" or line.startswith("warning"):
                    self.bar.write(line, file=self.stream)
        else:
            for line in lines:
                print(f"[{self.done}/{self.total}] {line}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fetch_days(project: Project, options: FetchOptions, progress: Progress | None = None) -> list[DayOutcome]:
    """Fetch and store every asked day, holding the project lock; one outcome per day, in order."""
    options.check()
    outcomes = []
    timeout = httpx.Timeout(options.timeout)
    headers = {"User-Agent": user_agent(), "Accept": "application/json"}
    with (
        project_lock(project, wait=options.lock_wait),
        httpx.Client(timeout=timeout, headers=headers, follow_redirects=True) as client,
    ):
        fetcher = DayFetcher(client, options)
        for day in options.days:
            try:
                body = fetcher.get(day)
            except FetchError as error:
                outcome = store_failure(project, day, error.reason, options.clock())
            else:
                outcome = store_response(project, day, body, options.clock(), record_failure=True)
            outcomes.append(outcome)
            if progress is not None:
                progress.report(outcome)
    return outcomes


def fetch_command(project: Project, options: FetchOptions) -> int:
    """`dailypapers fetch`: store each day, print a one-line summary; exit 1 if any day failed."""
    progress = Progress(len(options.days), options.progress)
    try:
        outcomes = fetch_days(project, options, progress)
    finally:
        progress.close()
    print(summary_line("fetch", outcomes))
    return 1 if any(o.kind == "failed" for o in outcomes) else 0
