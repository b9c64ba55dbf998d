"""A digest as a mail client gets it: made by `dailypapers digest`, read back with the stdlib's email parser
into its plain-text and HTML parts."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from generator.cli import main
from support.factories import DIGEST_SITE_URL


def digest_bytes(root: Path, *args: str, capsys: pytest.CaptureFixture[str] | None = None) -> bytes:
    """`dailypapers digest ARGS --out FILE`, the file's bytes."""
    out = root / "digest.eml"
    assert main(["--root", str(root), "digest", *args, "--site-url", DIGEST_SITE_URL, "--out", str(out)]) == 0
    return out.read_bytes()


def parse_message(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")
