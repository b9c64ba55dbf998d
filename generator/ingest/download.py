"""One HTTP GET that no server can stretch, redirect elsewhere or inflate past a bound.

Three bounds, each one a thing httpx's client does not give:

- **A hard deadline per try**, from resolving the host name to the last byte of the body. httpx's
  timeouts bound each socket operation, so a server that sends its headers one byte at a time keeps a
  request open forever, and httpx offers no public way to change its socket layer. httpcore (the
  engine under httpx) does: `ConnectionPool(network_backend=...)`. `DeadlineBackend` gives every
  socket operation (connect, TLS handshake, send, receive) only the time left until the deadline, so a
  blocked call returns by then on its own; nothing has to interrupt a socket from another thread
  (closing a socket another thread is blocked on does not wake it on Linux, and its descriptor number
  can be reused meanwhile). Only name resolution (`getaddrinfo`) takes no timeout; it runs in a helper
  thread that is waited for until the deadline and then left to finish on its own.
- **Redirects only within the same origin** (scheme, host and port), at most MAX_REDIRECTS: a redirect
  to another host is refused, never followed, so nothing another host says is ever stored.
- **The decoded size.** gzip and deflate are decoded here, layer by layer, in pieces of at most
  _PIECE bytes, and the decoded bytes are counted: a gzip bomb, or gzip inside gzip, stops at the
  limit instead of filling memory. Encodings other than gzip and deflate are refused (only gzip is
  asked for).

A try that fails raises `DownloadError`: one line, and whether trying again may help.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from generator.core.errors import brief

MAX_REDIRECTS = 5
MAX_ENCODINGS = 3  # Content-Encoding layers decoded at most ("gzip, gzip" is two)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PIECE = 64 * 1024  # the most one decoding step produces at once
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class DownloadError(Exception):
    """A try that failed; `reason` is one line, `transient` says whether trying again may help."""

    def __init__(self, reason: str, *, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True)
class Answer:
    """A final (non-redirect) answer: status, headers (names in lower case) and the decoded body.

    The body is read only for status 200; other answers carry b"".
    """

    status: int
    headers: dict[str, str]
    body: bytes


# --- the deadline, at the socket layer ------------------------------------------------------------


class _Deadline:
    """The time the current try must end by on `monotonic` (None between tries)."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.monotonic = monotonic
        self.at: float | None = None

    def left(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """`timeout` shortened to the time left; raises `expired` when none is left."""
        if self.at is None:
            return timeout
        remaining = self.at - self.monotonic()
        if remaining <= 0:
            raise expired("the try's deadline passed")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline):
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        limit = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, limit), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's blocking sockets, with every operation cut to the time left until the deadline."""

    def __init__(self, deadline: _Deadline):
        self._deadline = deadline
        self._sync = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port, self._deadline.left(timeout, httpcore.ConnectTimeout))
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            limit = self._deadline.left(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._sync.connect_tcp(address, port, limit, local_address, socket_options)
            except httpcore.ConnectError as failed:  # try the host's next address
                error = failed
                continue
            return _DeadlineStream(stream, self._deadline)
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The host's addresses, waited for at most `timeout` seconds (getaddrinfo itself has no timeout)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    found: list[str] = []
    failure: list[OSError] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
                if sockaddr[0] not in found:
                    found.append(str(sockaddr[0]))
        except OSError as error:
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    if not done.wait(timeout):
        raise httpcore.ConnectTimeout(f"no address for {host} within the deadline")
    if failure:
        raise httpcore.ConnectError(f"cannot resolve {host}: {failure[0]}")
    return found


# --- decoding, bounded ----------------------------------------------------------------------------


def _inflate(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    """Decode one gzip or deflate layer, never producing more than _PIECE bytes at a time."""
    wbits = _WBITS[name]
    decoder = zlib.decompressobj(wbits)
    try:
        for chunk in chunks:
            data = chunk
            while True:
                out = decoder.decompress(data, _PIECE)
                if out:
                    yield out
                if decoder.eof:
                    data = decoder.unused_data
                    if not data:
                        break
                    decoder = zlib.decompressobj(wbits)  # the next member of a multi-member gzip
                    continue
                data = decoder.unconsumed_tail
                if not data and len(out) < _PIECE:
                    break
        if not decoder.eof:
            raise DownloadError(f"the {name}-encoded response ends before its {name} data does")
    except zlib.error as error:
        raise DownloadError(f"the response says it is {name}-encoded, but it is not ({error})") from None


def _encodings(header: str) -> list[str]:
    """The Content-Encoding layers to undo, in the order they were applied; raises for unknown ones."""
    names = [part.strip().lower() for part in header.split(",") if part.strip()]
    names = [name for name in names if name != "identity"]
    if len(names) > MAX_ENCODINGS:
        raise DownloadError(f"the response is encoded {len(names)} times over ({header[:80]!r})")
    for name in names:
        if name not in _WBITS:
            raise DownloadError(f"the response is {name[:40]!r}-encoded, which this fetcher does not decode")
    return names


def read_body(raw: Iterable[bytes], content_encoding: str, limit: int) -> bytes:
    """The decoded body from its raw chunks; raises DownloadError past `limit` bytes, raw or decoded."""
    names = _encodings(content_encoding)

    def counted(chunks: Iterable[bytes]) -> Iterator[bytes]:
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise DownloadError(f"the response is more than {limit:,} bytes")
            yield chunk

    stream: Iterable[bytes] = counted(raw)
    for name in reversed(names):
        stream = _inflate(stream, name)
    body = bytearray()
    for piece in stream:
        body += piece
        if len(body) > limit:
            raise DownloadError(f"the response is more than {limit:,} bytes once decoded")
    return bytes(body)


# --- one GET ----------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def _describe(error: Exception, timeout: float) -> str:
    if isinstance(error, httpcore.ConnectTimeout):
        return f"could not connect within {timeout:g} s"
    if isinstance(error, httpcore.TimeoutException):
        return f"no complete response within {timeout:g} s"
    detail = brief(error)
    if isinstance(error, httpcore.ConnectError):
        return f"cannot connect: {detail}"
    return f"the connection broke off ({detail})"


class Downloader:
    """GETs URLs over kept-alive connections, each try bounded by `timeout` seconds in all.

    `monotonic` is the clock the deadline is measured on: the real one, except in tests that move time
    themselves so that no assertion depends on how fast the machine is.
    """

    def __init__(self, *, user_agent: str, timeout: float, max_body: int,
                 monotonic: Callable[[], float] = time.monotonic):
        self.timeout = timeout
        self.monotonic = monotonic
        self.max_body = max_body
        self._headers = [
            (b"User-Agent", user_agent.encode("ascii", "replace")),
            (b"Accept", b"application/json"),
            (b"Accept-Encoding", b"gzip"),
        ]
        self._deadline = _Deadline(monotonic)
        self._pool = httpcore.ConnectionPool(
            network_backend=DeadlineBackend(self._deadline), max_connections=2, keepalive_expiry=30.0
        )

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    def get(self, url: str, before_request: Callable[[], float] | None = None) -> Answer:
        """One try at `url`: the final answer, following same-origin redirects, within the deadline.

        `before_request` runs before each request (the first and each redirect) and returns the seconds
        it waited (the polite pacing); that wait is added to the deadline, not taken from it.
        """
        self._deadline.at = self.monotonic() + self.timeout
        try:
            return self._follow(url, before_request)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.RemoteProtocolError) as error:
            raise DownloadError(_describe(error, self.timeout), transient=True) from None
        except (httpcore.UnsupportedProtocol, httpcore.LocalProtocolError, httpcore.ProxyError) as error:
            raise DownloadError(f"cannot fetch {url}: {brief(error)}") from None
        finally:
            self._deadline.at = None

    def _follow(self, url: str, before_request: Callable[[], float] | None) -> Answer:
        origin = _origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            if before_request is not None and self._deadline.at is not None:
                self._deadline.at += before_request()
            status, headers, body = self._request(url)
            if status not in REDIRECT_STATUSES:
                return Answer(status, headers, body)
            location = headers.get("location", "").strip()
            if not location:
                raise DownloadError(f"the API answered HTTP {status}, a redirect without a Location")
            try:
                target = urljoin(url, location)
                target_origin = _origin(target)
            except ValueError:
                raise DownloadError(f"the API redirected to an unreadable address {location[:100]!r}") from None
            if target_origin != origin:
                raise DownloadError(
                    f"the API redirected to another host ({target[:120]}); redirects are followed "
                    "only within the same scheme, host and port"
                )
            url = target
        raise DownloadError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?); last to {url[:120]}")

    def _request(self, url: str) -> tuple[int, dict[str, str], bytes]:
        try:
            target = httpcore.URL(url)
        except Exception as error:  # httpcore's URL parsing raises several kinds; all mean "not a URL"
            raise DownloadError(f"cannot fetch {url[:120]!r}: {error}") from None
        timeouts = {"connect": self.timeout, "read": self.timeout, "write": self.timeout, "pool": self.timeout}
        with self._pool.stream("GET", target, headers=self._headers, extensions={"timeout": timeouts}) as response:
            headers: dict[str, str] = {}
            for raw_name, raw_value in response.headers:  # a repeated header is one comma-separated list
                name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            if response.status != 200:
                return response.status, headers, b""
            length = headers.get("content-length", "").strip()
            if length.isdigit() and int(length) > self.max_body:
                raise DownloadError(f"the response would be {int(length):,} bytes, more than {self.max_body:,}")
            body = read_body(response.iter_stream(), headers.get("content-encoding", ""), self.max_body)
            return response.status, headers, body
