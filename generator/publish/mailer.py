"""The `digest` and `email` commands: mail settings from the environment, sending over SMTP, and the
record of digests already sent.

Settings come only from the environment (CI secrets), never from the repository:

- SMTP_URL  `smtp://USER:PASSWORD@HOST:587` (STARTTLS, required), `smtps://USER:PASSWORD@HOST:465`
  (TLS from the start), or `smtp+plain://HOST:25` (no encryption, so no password: a local relay);
- MAIL_FROM one address, optionally with a name: `Daily Papers <papers@example.org>`;
- MAIL_TO   addresses separated by commas.

Each mistake is one line naming the setting; a password is never shown. The sent record
(content/email/sent.json) lists the digests already sent; the daily workflow commits it, so a digest
is never sent twice, and a fresh record sends only the newest day, never a backlog.
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.core.dates import format_timestamp
from generator.core.errors import FileError, UserError, one_line
from generator.core.project import Project
from generator.outputs import digest as digests
from generator.publish.config import SiteConfig, read_config
from generator.store.files import atomic_write_bytes
from generator.store.load import load_archive

ENV_SMTP_URL = "SMTP_URL"
ENV_FROM = "MAIL_FROM"
ENV_TO = "MAIL_TO"
SETTINGS = (ENV_SMTP_URL, ENV_FROM, ENV_TO)
SMTP_TIMEOUT = 30.0
DEFAULT_PORTS = {"smtp": 587, "smtps": 465, "smtp+plain": 25}
SECURITY = {"smtp": "STARTTLS", "smtps": "TLS", "smtp+plain": "no encryption"}


class MailConfigError(UserError):
    """The mail settings are wrong: one line per mistake, each naming its setting."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [one_line(problem) for problem in self.problems]


class MailError(UserError):
    """Sending failed: the server refused, could not be reached, or TLS failed."""


# --- settings ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpServer:
    scheme: str  # smtp (STARTTLS), smtps (TLS), smtp+plain
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    def describe(self) -> str:
        """Where and how, for messages: never the password."""
        who = f"{self.username} at " if self.username else ""
        return f"{who}{self.host}:{self.port} ({SECURITY[self.scheme]})"


@dataclass(frozen=True)
class MailSettings:
    server: SmtpServer | None
    sender: Address | None
    recipients: tuple[Address, ...]


def _has_control(value: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in value)


def parse_smtp_url(value: str) -> SmtpServer:
    """SMTP_URL as a server; MailConfigError naming the mistake (the URL itself is never repeated)."""
    name = ENV_SMTP_URL
    if _has_control(value) or any(ch.isspace() for ch in value.strip()):
        raise MailConfigError([f"{name}: contains spaces, line breaks or control characters"])
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise MailConfigError([f"{name}: the port is not a number from 1 to 65535"]) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = f"'{scheme}://'" if scheme else "no scheme"
        raise MailConfigError([f"{name}: use smtp:// (STARTTLS), smtps:// (TLS) or smtp+plain:// (a local "
                               f"relay without encryption), got {shown}"])
    problems = []
    if not parts.hostname:
        problems.append(f"{name}: no host; write {scheme}://USER:PASSWORD@HOST:PORT")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        problems.append(f"{name}: only {scheme}://USER:PASSWORD@HOST:PORT is read; remove the path or query")
    username, password = unquote(parts.username or ""), unquote(parts.password or "")
    if (parts.username is None) != (parts.password is None):
        problems.append(f"{name}: give both a user and a password (USER:PASSWORD@HOST), or neither")
    if scheme == "smtp+plain" and (username or password):
        problems.append(f"{name}: smtp+plain:// sends without encryption, so it never sends a password; "
                        "use smtp:// (STARTTLS) or smtps:// (TLS)")
    if port == 0:
        problems.append(f"{name}: the port is not a number from 1 to 65535")
    if problems:
        raise MailConfigError(problems)
    return SmtpServer(scheme, parts.hostname or "", port or DEFAULT_PORTS[scheme], username, password)


def parse_addresses(name: str, value: str) -> tuple[Address, ...]:
    """Addresses from a setting, strictly: no line breaks, no groups, ASCII user@domain each."""
    if _has_control(value):
        raise MailConfigError([f"{name}: contains a line break or a control character"])
    header = SMTP_POLICY.header_factory("To", value)
    if header.defects or any(len(group.addresses) != 1 or group.display_name for group in header.groups):
        raise MailConfigError([f"{name}: not a list of addresses like Name <user@example.org>, user2@example.org"])
    problems, addresses = [], []
    for address in header.addresses:
        spec = address.addr_spec
        if not address.username or not address.domain or "." not in address.domain or not spec.isascii() \
                or any(ch in spec for ch in " <>\"(),;:\\[]"):
            problems.append(f"{name}: {spec!r} is not an address like user@example.org")
        elif address not in addresses:
            addresses.append(address)
    if problems:
        raise MailConfigError(problems)
    if not addresses:
        raise MailConfigError([f"{name}: is empty"])
    return tuple(addresses)


def settings_from_env(env: Mapping[str, str], need_server: bool) -> MailSettings:
    """Every setting checked at once, so one run names every mistake; unset ones are None when not needed."""
    problems: list[str] = []
    server, sender = None, None
    recipients: tuple[Address, ...] = ()
    values = {name: env.get(name, "").strip() for name in SETTINGS}
    for name in SETTINGS:
        if not values[name]:
            if need_server:
                problems.append(f"{name}: not set (see the README, Email digest)")
            continue
        try:
            if name == ENV_SMTP_URL:
                server = parse_smtp_url(values[name])
            elif name == ENV_FROM:
                found = parse_addresses(name, values[name])
                if len(found) != 1:
                    raise MailConfigError([f"{name}: give one address, got {len(found)}"])
                sender = found[0]
            else:
                recipients = parse_addresses(name, values[name])
        except MailConfigError as error:
            problems += error.problems
    if problems:
        raise MailConfigError(problems)
    return MailSettings(server, sender, recipients)


# --- the sent record -----------------------------------------------------------------------------------


def sent_record_path(project: Project) -> Path:
    return project.content_dir / "email" / "sent.json"


@dataclass(frozen=True)
class SentEntry:
    digest: str  # a day YYYY-MM-DD or a week YYYY-Www
    sent_at: str  # UTC, ISO 8601
    message_id: str


def read_sent(path: Path) -> tuple[SentEntry, ...]:
    """The record, or () when there is none yet; a UserError naming the file when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as error:
        raise FileError(path, f"cannot read: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileError(path, f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                              "nothing was sent") from None
    if not isinstance(data, dict) or not isinstance(data.get("sent"), list):
        raise FileError(path, 'expected {"sent": [...]}; nothing was sent')
    entries = []
    for index, item in enumerate(data["sent"]):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("digest", "sent_at")) \
                or not digests.is_digest_key(item["digest"]):
            raise FileError(path, f"sent[{index}] needs \"digest\" (YYYY-MM-DD or YYYY-Www) and \"sent_at\"; "
                                  "nothing was sent")
        entries.append(SentEntry(item["digest"], item["sent_at"], str(item.get("message_id", ""))))
    return tuple(entries)


def write_sent(path: Path, entries: tuple[SentEntry, ...]) -> None:
    """Atomically, sorted by digest: the daily commit's diff is one added entry."""
    data = {"sent": [{"digest": e.digest, "sent_at": e.sent_at, "message_id": e.message_id}
                     for e in sorted(entries, key=lambda e: e.digest)]}
    atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())


# --- sending -------------------------------------------------------------------------------------------


def send(data: bytes, sender: Address, recipients: tuple[Address, ...], server: SmtpServer,
         timeout: float = SMTP_TIMEOUT) -> dict[str, str]:
    """One SMTP transaction to every recipient; returns the refused ones (address -> reply), if only some.

    TLS certificates are verified with the system's CAs (SSL_CERT_FILE may name others); smtp:// refuses
    a server without STARTTLS rather than send anything in clear.
    """
    where = server.describe()
    context = ssl.create_default_context()
    try:
        if server.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            client.ehlo()
            if server.scheme == "smtp":
                if not client.has_extn("starttls"):
                    raise MailError(f"{where}: the server does not offer STARTTLS; nothing was sent "
                                    "(use smtps:// if it speaks TLS from the start)")
                client.starttls(context=context)
                client.ehlo()
            if server.username:
                client.login(server.username, server.password)
            refused = client.sendmail(sender.addr_spec, [r.addr_spec for r in recipients], data)
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"{where}: login refused: {_reply(error)}") from None
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(f"{where}: every recipient was refused: {_refused(error.recipients)}") from None
    except smtplib.SMTPSenderRefused as error:
        raise MailError(f"{where}: MAIL_FROM {sender.addr_spec} refused: {_reply(error)}") from None
    except smtplib.SMTPException as error:
        raise MailError(f"{where}: {type(error).__name__}: {_reply(error)}") from None
    except ssl.SSLError as error:
        raise MailError(f"{where}: TLS failed: {error.reason or error}") from None
    except OSError as error:
        raise MailError(f"{where}: cannot connect: {error.strerror or error}") from None
    return {address: _reply_text(reply) for address, reply in refused.items()}


def _reply_text(reply: tuple[int, bytes]) -> str:
    code, text = reply
    return f"{code} {text.decode('utf-8', 'replace')}".strip()


def _reply(error: smtplib.SMTPException) -> str:
    if hasattr(error, "smtp_code") and hasattr(error, "smtp_error"):
        return _reply_text((error.smtp_code, error.smtp_error))
    return str(error) or "no reply"


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address}: {_reply_text(reply)}" for address, reply in sorted(recipients.items()))


# --- the two commands ----------------------------------------------------------------------------------


def _site(project: Project, given: str | None) -> SiteConfig:
    """mkdocs.yml as the build reads it; its site_url's host also names the Message-ID and List-Id, so it
    must be plain ASCII."""
    config = read_config(project, given)
    host = urlsplit(config.site_url).hostname or ""
    if not host or not host.isascii():
        raise UserError(f"site_url {config.site_url!r}: the digest needs an ASCII host name (for an international "
                        "domain, write its xn-- form)")
    return config


def render_digest(project: Project, env: Mapping[str, str], site_url: str | None = None,
                  date: dt.date | None = None, week: str | None = None) -> bytes:
    """`dailypapers digest`: the day's or week's message; From and To from MAIL_FROM/MAIL_TO when set."""
    settings = settings_from_env(env, need_server=False)
    site = _site(project, site_url)
    archive, _ = load_archive(project)
    if week is not None:
        found = digests.week_digest(archive, week, site.site_url, site.settings)
    elif date is not None:
        found = digests.day_digest(archive, date, site.site_url, site.settings)
    else:
        raise UserError("digest: give --date YYYY-MM-DD or --week YYYY-Www")
    return digests.message_bytes(digests.build_message(found, settings.sender, settings.recipients))


@dataclass(frozen=True)
class EmailResult:
    """What `dailypapers email` did, for the CLI to report."""

    status: str  # "sent", "already-sent", "older" (than the newest sent), "nothing", "dry-run"
    digest: str = ""
    recipients: int = 0
    server: str = ""
    message: bytes = b""
    refused: dict[str, str] = field(default_factory=dict)
    newest: str = ""  # for "older": the newest digest already sent


def send_latest_digest(project: Project, env: Mapping[str, str], now: dt.datetime, site_url: str | None = None,
                       dry_run: bool = False) -> EmailResult:
    """`dailypapers email`: the newest day with papers, unless the record says it was sent.

    The record is written only after the server accepted the message; a dry run never writes it.
    """
    settings = settings_from_env(env, need_server=not dry_run)
    site = _site(project, site_url)
    record_path = sent_record_path(project)
    sent = read_sent(record_path)
    archive, _ = load_archive(project)
    latest = digests.latest_day(archive)
    if latest is None:
        return EmailResult("nothing")
    found = digests.day_digest(archive, latest, site.site_url, site.settings)
    if any(entry.digest == found.key for entry in sent):
        return EmailResult("already-sent", found.key)
    newest_sent = max((e.digest for e in sent if digests.DAY_KEY.match(e.digest)), default="")
    if found.key < newest_sent:  # ISO dates sort as text; a removed snapshot never re-sends an old day
        return EmailResult("older", found.key, newest=newest_sent)
    message = digests.build_message(found, settings.sender, settings.recipients)
    data = digests.message_bytes(message)
    where = settings.server.describe() if settings.server else ""
    if dry_run:
        return EmailResult("dry-run", found.key, len(settings.recipients), where, data)
    assert settings.server and settings.sender  # need_server made them required
    refused = send(data, settings.sender, settings.recipients, settings.server)
    when = format_timestamp(now)
    try:
        write_sent(record_path, (*sent, SentEntry(found.key, when, found.message_id)))
    except OSError as error:
        raise FileError(record_path, f"the digest for {found.key} was sent but could not be recorded "
                                     f"({error.strerror or error}); add it by hand or the next run sends it "
                                     "again") from None
    return EmailResult("sent", found.key, len(settings.recipients) - len(refused), where, refused=refused)
