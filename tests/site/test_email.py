"""`dailypapers email` against a real SMTP server on 127.0.0.1 (aiosmtpd): plain, STARTTLS with a login,
and TLS from the start, with a self-signed certificate made here; what the server received, the sent
record, and that a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from support.factories import DIGEST_SITE_URL as SITE_URL
from support.factories import HOSTILE_TITLE, hostile_project, new_project, stored_paper, write_day
from support.htmltext import parse
from support.mail import parse_message, parts
from support.paths import REPO

from generator.cli import main

USER, PASSWORD = "digest-bot", "s3cret:p@ss/word"
URL_PASSWORD = "s3cret%3Ap%40ss%2Fword"


@dataclass
class Inbox:
    """What the SMTP server accepted: (MAIL FROM, RCPT TOs, message bytes) per transaction, and logins."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login, data.password))
            good = (data.login, data.password) == (USER.encode(), PASSWORD.encode())
            return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd sends the 535 itself
        return AuthResult(success=False, handled=False)


WAIT = 600.0  # seconds: how long a server's start or a git step may take before it counts as hung


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert, key), which clients trust through SSL_CERT_FILE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@contextmanager
def smtp_server(mode: str = "plain", certificate: tuple[Path, Path] | None = None) -> Iterator[tuple[Inbox, int]]:
    """aiosmtpd on 127.0.0.1: "plain" (no TLS, no login), "starttls" (STARTTLS and a login required)
    or "tls" (TLS from the start, login required)."""
    inbox, port = Inbox(), free_port()
    options: dict[str, Any] = {}
    if mode != "plain":
        assert certificate
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        options = {"authenticator": inbox.authenticate, "auth_require_tls": True}
        if mode == "starttls":
            options |= {"tls_context": context, "require_starttls": True}
        else:
            # aiosmtpd's auth_require_tls looks for STARTTLS only; this connection is TLS from the start.
            options |= {"ssl_context": context, "auth_require_tls": False}
    # aiosmtpd gives its server thread 5 s to come up; a loaded machine may need more (it ends once up)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=WAIT, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMTP_URL", "MAIL_FROM", "MAIL_TO", "SITE_URL", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


def configure(monkeypatch: pytest.MonkeyPatch, smtp_url: str, to: str = "reader@example.net") -> None:
    monkeypatch.setenv("SMTP_URL", smtp_url)
    monkeypatch.setenv("MAIL_FROM", "Daily Papers <papers@example.org>")
    monkeypatch.setenv("MAIL_TO", to)


def email(root: Path, *args: str) -> int:
    return main(["--root", str(root), "email", "--site-url", SITE_URL, *args])


def record(root: Path) -> dict[str, Any]:
    return json.loads((root / "content" / "email" / "sent.json").read_text(encoding="utf-8"))


def test_sends_the_newest_day_once_then_nothing(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh record sends only the newest day with papers (never a backlog); the second run sends nothing."""
    with smtp_server() as (inbox, port):
        configure(monkeypatch, f"smtp+plain://127.0.0.1:{port}", "reader@example.net, Second <second@example.net>")
        assert email(demo_project) == 0
        assert capsys.readouterr().out == (f"email: sent the digest for 2026-11-20 to 2 recipient(s) via "
                                           f"127.0.0.1:{port} (no encryption)\n")
        assert len(inbox.received) == 1
        sender, recipients, data = inbox.received[0]
        assert sender == "papers@example.org"
        assert recipients == ["reader@example.net", "second@example.net"]
        message = parse_message(data)
        assert message["To"] == "undisclosed-recipients:;"
        assert message["Subject"] == "Daily Papers, Friday, 20 November 2026: 4 papers"
        assert message["Date"] == "Fri, 20 Nov 2026 03:15:00 +0000"
        assert message["Message-ID"] == "<digest-2026-11-20.daily-papers-archive@example.github.io>"
        assert message["List-Unsubscribe"].strip() == (
            f"<mailto:papers@example.org?subject=unsubscribe>, <{SITE_URL}subscribe/#unsubscribe>")
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        text, html = parts(message)
        assert f"{SITE_URL}2026/11/20/#2611.90017" in text
        assert f"{SITE_URL}2026/11/20/#2611.90017" in [h for e in parse(html).by_tag["html"] for h in e.links]
        entries = record(demo_project)["sent"]
        assert [(e["digest"], e["message_id"]) for e in entries] == [
            ("2026-11-20", "<digest-2026-11-20.daily-papers-archive@example.github.io>")]
        assert entries[0]["sent_at"].endswith("Z")
        saved = (demo_project / "content" / "email" / "sent.json").read_bytes()

        assert email(demo_project) == 0
        assert capsys.readouterr().out == "email: the digest for 2026-11-20 was already sent; nothing sent\n"
        assert len(inbox.received) == 1
        assert (demo_project / "content" / "email" / "sent.json").read_bytes() == saved

        # A new day arrives: it is the next one sent, and the record keeps both.
        write_day(demo_project, "2026-11-24", [stored_paper("2611.90100", 3, "A new day's paper")])
        assert email(demo_project) == 0
        assert len(inbox.received) == 2
        assert parse_message(inbox.received[1][2])["Subject"] == "Daily Papers, Tuesday, 24 November 2026: 1 paper"
        assert [e["digest"] for e in record(demo_project)["sent"]] == ["2026-11-20", "2026-11-24"]

        # The newest snapshots go away (a mistake): an older day is never sent after a newer one.
        for day in ("2026-11-24", "2026-11-20"):
            (demo_project / "content" / "snapshots" / "2026" / f"{day}.yaml").unlink()
        capsys.readouterr()
        assert email(demo_project) == 0
        assert capsys.readouterr().out == ("email: the newest day, 2026-11-19, is older than the last digest sent "
                                           "(2026-11-24); nothing sent\n")
        assert len(inbox.received) == 2


def test_starttls_with_a_login_from_the_url(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                            certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with smtp_server("starttls", certificate) as (inbox, port):
        configure(monkeypatch, f"smtp://{USER}:{URL_PASSWORD}@127.0.0.1:{port}")
        assert email(demo_project) == 0
    assert inbox.logins == [(USER.encode(), PASSWORD.encode())]
    assert len(inbox.received) == 1 and inbox.received[0][1] == ["reader@example.net"]
    assert parse_message(inbox.received[0][2])["To"] == "reader@example.net"
    out = capsys.readouterr()
    assert f"via {USER} at 127.0.0.1:{port} (STARTTLS)" in out.out
    assert PASSWORD not in out.out + out.err and URL_PASSWORD not in out.out + out.err


def test_tls_from_the_start(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                            certificate: tuple[Path, Path]) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with smtp_server("tls", certificate) as (inbox, port):
        configure(monkeypatch, f"smtps://{USER}:{URL_PASSWORD}@127.0.0.1:{port}")
        assert email(demo_project) == 0
    assert len(inbox.received) == 1 and inbox.logins == [(USER.encode(), PASSWORD.encode())]


def test_hostile_titles_arrive_as_text_in_both_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = hostile_project(tmp_path / "project")
    with smtp_server() as (inbox, port):
        configure(monkeypatch, f"smtp+plain://127.0.0.1:{port}")
        assert email(root) == 0
    _, recipients, data = inbox.received[0]
    assert recipients == ["reader@example.net"], "a title's 'Bcc:' line never adds a recipient"
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc" not in headers and b"Evil" not in headers and b"victim" not in headers
    text, html = parts(parse_message(data))
    assert " ".join(HOSTILE_TITLE.split()) in " ".join(text.split())
    assert "script" not in parse(html).all_tags
    assert "&lt;script&gt;" in html


def test_a_wrong_password_is_one_line_without_the_password(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                           certificate: tuple[Path, Path],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with smtp_server("starttls", certificate) as (inbox, port):
        configure(monkeypatch, f"smtp://{USER}:wrong%2Fpass@127.0.0.1:{port}")
        assert email(demo_project) == 1
    assert inbox.received == []
    err = capsys.readouterr().err
    assert err.startswith(f"dailypapers: {USER} at 127.0.0.1:{port} (STARTTLS): login refused: 535")
    assert err.count("\n") == 1 and "wrong" not in err
    assert not (demo_project / "content" / "email" / "sent.json").exists()


def test_an_untrusted_certificate_is_refused(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                             certificate: tuple[Path, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server("starttls", certificate) as (inbox, port):
        configure(monkeypatch, f"smtp://{USER}:{URL_PASSWORD}@127.0.0.1:{port}")
        assert email(demo_project) == 1
    assert inbox.received == [] and inbox.logins == []
    err = capsys.readouterr().err
    assert err.startswith(f"dailypapers: {USER} at 127.0.0.1:{port} (STARTTLS): TLS failed: CERTIFICATE_VERIFY_FAILED")
    assert err.count("\n") == 1


def test_smtp_without_starttls_sends_nothing_in_clear(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server() as (inbox, port):
        configure(monkeypatch, f"smtp://{USER}:{URL_PASSWORD}@127.0.0.1:{port}")
        assert email(demo_project) == 1
    assert inbox.received == [] and inbox.logins == []
    assert capsys.readouterr().err == (
        f"dailypapers: {USER} at 127.0.0.1:{port} (STARTTLS): the server does not offer STARTTLS; nothing was "
        "sent (use smtps:// if it speaks TLS from the start)\n")


def test_no_server_listening_is_one_line(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    configure(monkeypatch, f"smtp+plain://127.0.0.1:{port}")
    assert email(demo_project) == 1
    assert capsys.readouterr().err == (f"dailypapers: 127.0.0.1:{port} (no encryption): cannot connect: "
                                       "Connection refused\n")


@pytest.mark.parametrize(("settings", "lines"), [
    ({}, ["SMTP_URL: not set (see the README, Email digest)", "MAIL_FROM: not set (see the README, Email digest)",
          "MAIL_TO: not set (see the README, Email digest)"]),
    ({"SMTP_URL": "https://user:hunter2@mail.example.org", "MAIL_FROM": "a@example.org, b@example.org",
      "MAIL_TO": "ok@example.net"},
     ["SMTP_URL: use smtp:// (STARTTLS), smtps:// (TLS) or smtp+plain:// (a local relay without encryption), "
      "got 'https://'", "MAIL_FROM: give one address, got 2"]),
    ({"SMTP_URL": "smtp://user:hunter2@mail.example.org:99999", "MAIL_FROM": "a@example.org",
      "MAIL_TO": "ok@example.net, broken@, x@example.net\r\nBcc: y@example.net"},
     ["SMTP_URL: the port is not a number from 1 to 65535", "MAIL_TO: contains a line break or a control character"]),
    ({"SMTP_URL": "smtp+plain://user:hunter2@relay.example.org", "MAIL_FROM": "a@example.org",
      "MAIL_TO": "ok@example.net, broken@localhost"},
     ["SMTP_URL: smtp+plain:// sends without encryption, so it never sends a password; use smtp:// (STARTTLS) "
      "or smtps:// (TLS)", "MAIL_TO: 'broken@localhost' is not an address like user@example.org"]),
    ({"SMTP_URL": "smtp://user@mail.example.org/path", "MAIL_FROM": "a@example.org", "MAIL_TO": "ok@example.net"},
     ["SMTP_URL: only smtp://USER:PASSWORD@HOST:PORT is read; remove the path or query",
      "SMTP_URL: give both a user and a password (USER:PASSWORD@HOST), or neither"]),
])
def test_each_settings_mistake_is_one_line_naming_it(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str],
                                                     settings: dict[str, str], lines: list[str]) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert email(demo_project) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"dailypapers: {line}" for line in lines]
    assert "hunter2" not in err


def test_a_broken_record_sends_nothing_and_is_left_as_it_was(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = demo_project / "content" / "email" / "sent.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"sent": [{"digest": "2026-11-20",', encoding="utf-8")
    with smtp_server() as (inbox, port):
        configure(monkeypatch, f"smtp+plain://127.0.0.1:{port}")
        assert email(demo_project) == 1
    assert inbox.received == []
    assert capsys.readouterr().err == (f"dailypapers: {path}: not valid JSON (line 1, column 35: Expecting "
                                       "property name enclosed in double quotes); nothing was sent\n")
    assert path.read_text(encoding="utf-8") == '{"sent": [{"digest": "2026-11-20",'


def test_dry_run_prints_the_message_and_sends_and_records_nothing(demo_project: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with smtp_server() as (inbox, port):
        configure(monkeypatch, f"smtp+plain://127.0.0.1:{port}")
        assert email(demo_project, "--dry-run") == 0
    assert inbox.received == []
    out = capsysbinary.readouterr()
    assert parse_message(out.out)["Message-ID"] == "<digest-2026-11-20.daily-papers-archive@example.github.io>"
    assert out.err.decode() == (f"email: dry run: the digest for 2026-11-20 was not sent to 1 recipient(s) via "
                                f"127.0.0.1:{port} (no encryption)\n")
    assert not (demo_project / "content" / "email").exists()


def test_an_archive_without_papers_sends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = new_project(tmp_path / "project")
    write_day(root, "2026-11-21", [], status="empty")
    with smtp_server() as (inbox, port):
        configure(monkeypatch, f"smtp+plain://127.0.0.1:{port}")
        assert email(root) == 0
    assert inbox.received == []
    assert capsys.readouterr().out == "email: no day with papers in the archive; nothing sent\n"


WORKFLOW = REPO / ".github" / "workflows" / "daily.yml"
BOT = {"GIT_AUTHOR_NAME": "github-actions[bot]", "GIT_COMMITTER_NAME": "github-actions[bot]",
       "GIT_AUTHOR_EMAIL": "41898282+github-actions[bot]@users.noreply.github.com",
       "GIT_COMMITTER_EMAIL": "41898282+github-actions[bot]@users.noreply.github.com"}


def email_job() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["email"]


def step_named(job: dict[str, Any], name: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if s.get("name") == name]
    return step


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A `run:` script as GitHub runs it (bash -eo pipefail)."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, **BOT, **env}, capture_output=True, text=True, timeout=WAIT)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **BOT}, capture_output=True, text=True,
                          check=True, timeout=WAIT).stdout


def test_the_record_is_committed_and_pushed_rebasing_once_on_a_newer_push(tmp_path: Path) -> None:
    script = step_named(email_job(), "Commit and push the sent record")["run"]
    remote, work, other = tmp_path / "remote.git", tmp_path / "work", tmp_path / "other"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(tmp_path, "clone", "--quiet", str(remote), str(work))
    (work / "README.md").write_text("archive\n")
    git(work, "add", "README.md")
    git(work, "commit", "--quiet", "-m", "start")
    git(work, "push", "--quiet", "origin", "HEAD:refs/heads/main")

    nothing = run_step(script, work, {"BRANCH": "main"})
    assert nothing.returncode == 0 and "nothing to record" in nothing.stdout

    # Someone pushes while the digest is being sent: the record's commit is replayed on top.
    git(tmp_path, "clone", "--quiet", str(remote), str(other))
    (other / "content").mkdir()
    (other / "content" / "note.txt").write_text("pushed meanwhile\n")
    git(other, "add", "content")
    git(other, "commit", "--quiet", "-m", "meanwhile")
    git(other, "push", "--quiet", "origin", "HEAD:refs/heads/main")
    (work / "content" / "email").mkdir(parents=True)
    (work / "content" / "email" / "sent.json").write_text('{"sent": []}\n')
    pushed = run_step(script, work, {"BRANCH": "main"})
    assert pushed.returncode == 0, pushed.stderr
    assert "rebasing" in pushed.stdout
    log = git(remote, "log", "--format=%s|%an", "main").splitlines()
    assert log == ["Email digest: record the digest sent|github-actions[bot]", "meanwhile|github-actions[bot]",
                   "start|github-actions[bot]"]
    assert git(remote, "show", "main:content/email/sent.json") == '{"sent": []}\n'
    assert git(remote, "show", "main:content/note.txt") == "pushed meanwhile\n"

    again = run_step(script, work, {"BRANCH": "main"})
    assert again.returncode == 0 and "nothing to record" in again.stdout
