"""Domain errors: what went wrong and where, as data, so that one place (generator/cli.py) turns them
into lines for the person running the command. Library code raises these or returns them inside its
results; it never prints them.

Snapshot and taxonomy problems are many lines at once (`path:line:col: message` each): `SnapshotError`
here, and `topics.TaxonomyError`, which extends it; the CLI prints both the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

# What must never reach a single line as it is: C0 and C1 controls (a bare CR or an escape sequence can
# fake lines or drive a terminal), line and paragraph separators, and what XML and mail refuse (lone
# surrogates, U+FFFE, U+FFFF).
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]+")


def one_line(text: str, limit: int = 0) -> str:
    """Untrusted text as one line: the characters above become spaces, every run of white space one
    space, and with `limit` the text is cut to that many characters, ending in "…". The one rule for
    error lines, page titles, chart labels and email text; it lives here, in the bottom layer, because
    every error message passes through it."""
    text = " ".join(_NOT_ONE_LINE.sub(" ", text or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def shown(path: Path) -> str:
    """A path fit for one log line. File names come from pull requests too: a newline in one could
    forge a second line (or a CI workflow command), so unprintable characters are shown escaped."""
    text = str(path)
    return text if text.isprintable() else text.encode("unicode_escape", "backslashreplace").decode("ascii")


def brief(error: BaseException) -> str:
    """An exception's words as one short line (200 characters), or its type when it has none."""
    return one_line(str(error), 200) or type(error).__name__


def unexpected(error: BaseException) -> str:
    """The last-resort line for an error nobody foresaw: `unexpected error (Type: words)`."""
    return f"unexpected error ({type(error).__name__}: {brief(error)})"


class UserError(Exception):
    """A problem the person running the command can fix; the message says what and how."""

    def line(self) -> str:
        """The one line the CLI shows for this error (after `dailypapers: `)."""
        return one_line(str(self))

    def lines(self) -> list[str]:
        """What the CLI shows, a line each (after `dailypapers: `): one, unless an error lists several
        mistakes (the mail settings)."""
        return [self.line()]


class LocatedError(UserError):
    """A problem at a known place: `where` (a file, a file with line and column, or a day) and `what`."""

    def __init__(self, where: str, what: str):
        self.where = " ".join(where.splitlines())  # a file name's own spaces are kept, never a line break
        self.what = one_line(what)
        super().__init__(f"{self.where}: {self.what}")

    def line(self) -> str:
        return f"{self.where}: {self.what}"


class DayError(LocatedError):
    """A problem with one day (`2025-01-13: ...`): that day fails alone, the others go on."""

    def __init__(self, day: dt.date, what: str):
        self.day = day
        super().__init__(day.isoformat(), what)


class FileError(LocatedError):
    """A problem with one file, at `path` or `path:line:col`: that file fails alone."""

    def __init__(self, path: Path, what: str, line: int | None = None, col: int | None = None):
        self.path = path
        self.lineno = line
        self.col = col
        where = str(path) if line is None else f"{path}:{line}:{col or 1}"
        super().__init__(where, what)


class SnapshotError(Exception):
    """Snapshots that cannot be used; `problems` holds one `path:line:col: message` line each."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in snapshots")
        self.problems = problems
