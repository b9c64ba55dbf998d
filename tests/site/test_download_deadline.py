"""download.py against a real socket server that trickles its answer: the deadline covers the headers and
cuts a blocked read short, the pacing wait is not taken from it, and each address of a host name is
tried. The deadline is measured on a clock the test moves (tests/support/fake_clock.py), so no assertion
depends on how fast the machine is."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from support.fake_api import FakeAPI
from support.fake_clock import FakeClock

from generator.ingest.download import Downloader, DownloadError

BODY = b'[{"paper": {"id": "2509.01234", "title": "Made-up"}}]' * 50


class SlowServer:
    """A TCP server on 127.0.0.1 that reads a request, then sends a complete 200 answer one byte every
    0.01 s: long headers and a two-byte body, about 30 s in all. No socket operation waits long, so only
    a deadline on the whole try ends a request to it sooner; a request that ends without the whole
    answer was ended by its deadline.

    Before byte number `pause_after` it calls `at_pause` (where a test moves its clock on); after that
    byte it says nothing for `silence` seconds, as a server that stops answering does. The client reads
    that byte, so its next socket operation starts after the clock has moved."""

    ANSWER = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 2900 + b"\r\nContent-Length: 2\r\n\r\n[]"

    def __init__(self) -> None:
        self.pause_after = 5
        self.at_pause: Callable[[], None] = lambda: None
        self.silence = 0.0
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/daily_papers?date=2025-09-08"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                for sent, byte in enumerate(self.ANSWER):
                    if self.stop.wait(0.01):
                        return
                    if sent == self.pause_after:  # moved before this byte, so the client's next look is after
                        self.at_pause()
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:  # the client hung up: what a deadline is for
                        break
                    if sent == self.pause_after and self.stop.wait(self.silence):
                        return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(60)
        self.listener.close()


@pytest.fixture
def slow_server() -> Iterator[SlowServer]:
    server = SlowServer()
    yield server
    server.close()


def test_the_deadline_covers_the_headers_and_cuts_a_blocked_read_short(slow_server: SlowServer) -> None:
    """Once a try has used all but 0.5 s of its 30 (the clock moved on, as if 29.5 s had passed), a read
    that would wait for a server gone quiet for 20 s waits only what is left: the try ends without the
    answer, which the server would have finished sending."""
    clock = FakeClock()
    slow_server.at_pause = lambda: clock.advance(29.5)
    slow_server.silence = 20
    with (Downloader(user_agent="test", timeout=30, max_body=1024, monotonic=clock.monotonic) as downloader,
          pytest.raises(DownloadError) as caught):
        downloader.get(slow_server.url)
    assert caught.value.reason == "no complete response within 30 s"
    assert caught.value.transient


def test_the_pacing_wait_is_not_taken_from_the_deadline(slow_server: SlowServer) -> None:
    """A polite wait of 40 s (longer than the whole 30 s deadline) before the request leaves the try
    its 30 s to connect and read; and those 30 s still count: once they pass, the try ends."""
    clock = FakeClock()

    def pace() -> float:
        clock.sleep(40)
        return 40

    slow_server.at_pause = lambda: clock.advance(31)
    with (Downloader(user_agent="test", timeout=30, max_body=1024, monotonic=clock.monotonic) as downloader,
          pytest.raises(DownloadError) as caught):
        downloader.get(slow_server.url, before_request=pace)  # not "could not connect": the wait was not its time
    assert caught.value.reason == "no complete response within 30 s"
    assert clock.slept == [40]


def test_a_host_name_is_resolved_and_each_of_its_addresses_tried() -> None:
    """`localhost` goes through the resolver thread; if it names ::1 first, the server (on 127.0.0.1
    only) refuses that address and the next one is tried."""
    api = FakeAPI()
    api.bodies["2025-09-08"] = BODY
    api.start()
    try:
        url = api.url.replace("127.0.0.1", "localhost") + "?date=2025-09-08&limit=100&p=0"
        with Downloader(user_agent="test", timeout=30, max_body=len(BODY) * 2) as downloader:
            answer = downloader.get(url)
    finally:
        api.stop()
    assert answer.status == 200 and answer.body.startswith(b'[{"paper": {"id": "2509.01234"')
