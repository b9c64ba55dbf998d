"""A month of unattended days, simulated: 30 consecutive mornings (2026-10-01 to 2026-10-30) of the daily
sequence (fetch today and the refresh window, validate, commit, build) against a local fake API, with one
fault or surprise each morning (MORNINGS says which).

The papers are made up here, deterministically (`World`): each weekday lists 4 to 10 papers (one 130,
one exactly 100, one 60), some of them only a morning or two later, and their upvotes, comments and
stars grow every morning for a week; weekends list nothing, as on the real API. The project is a copy of
this working tree in its own git repository with a bare `origin`, as in test_daily_run.py.

Most mornings run the stages in this process: `FetchOptions.from_args` with the command line's own
arguments and a clock that says it is that morning, so the real default path (today and the 7 days
before) is what runs; then `validate`, the script's own `commit --push` stage, and `build`. Seven
mornings run the real `scripts/daily_run.sh` (`--since D-7 --until D`, as the workflow's backfill does),
two of them killed with SIGKILL to the whole process group: once while a request hangs during fetch, once
while MkDocs writes the new site.

After every morning:

- nothing stored is lost: every snapshot is valid YAML, `dailypapers validate` passes, every paper ever
  stored is still in its day with its `first_seen`, counts never go down; each day fetched holds exactly
  what the API listed that morning (plus what it no longer lists, marked `missing_since`), and each day
  whose fetch failed (or was never reached) is byte-identical to the night before;
- the site is whole and deployable: after a completed build, every stored day's page shows every stored
  paper's card, every paper has its permalink, the feeds parse (feedparser, bozo 0), no `site.new-*` or
  `site.old-*` is left, no hidden file; after a kill, site/ is exactly the previous site;
- the day's papers are on the site once their day fetched (after a failed day, once a later run fetched
  it), and every exit status is the one the README promises.

It is one test of a few minutes, in the default run (`make test`); leave it out with
`pytest --deselect tests/site/test_unattended_month.py::test_a_month_of_unattended_days`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from support.checkout import clean_env, git, make_checkout
from support.fake_api import FakeAPI, Fault
from support.site_reader import SiteReader, read_page

from generator import cli
from generator.core.project import Project
from generator.domain.orgs import org_slug
from generator.ingest.fetch import FetchOptions

SITE_URL = "http://127.0.0.1/month/"
FIRST_MORNING = dt.date(2026, 10, 1)
DAYS_SIMULATED = 30
REFRESH_DAYS = 7  # fetch.py's default window, which the in-process mornings get by not naming days
WORLD_STARTS = dt.date(2026, 9, 24)  # the made-up list's first day: the first run finds a week stored nowhere
FAST = ["--rate", "1000", "--retries", "1", "--timeout", "30"]  # a deadline no healthy answer from 127.0.0.1 meets
BOT = "github-actions[bot]"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kills process groups, reads /proc")


def day(n: int) -> dt.date:
    """October `n`, 2026 (the simulated month)."""
    return dt.date(2026, 10, n)


# --- the made-up world -------------------------------------------------------------------------------

ORGS = [("Acme-Lab", "Acme Lab (fictional)"), ("Fictional-University", "Fictional University"),
        ("Placeholder-AI", "Placeholder AI (not real)"), None]
OTHER_ORG = ("Other-Institute", "Other Institute (fictional)")
CASE_ORG = ("ACME-Lab", "ACME Lab (fictional)")
HOSTILE_FULLNAME = '<script>alert("org")</script> {{ x }} $x$ **bold** [y](javascript:alert(1)) &amp; Lab'
HOSTILE_ORG = ("Evil-Org", HOSTILE_FULLNAME)
HOSTILE_ACCOUNT = ("../Evil <b>Org</b>", "Evil Org Two")  # not a name Hugging Face allows: it must stay in orgs/
HOSTILE_TITLE = "Let's <think> about {{ x }}: a $1 Million **Bold** [Claim](javascript:alert(1)) & More"
ADJECTIVES = ["Quiet", "Sparse", "Recursive", "Imaginary", "Gentle", "Toy", "Hollow", "Synthetic", "Borrowed",
              "Folded", "Patient", "Lopsided"]
NOUNS = ["Lattices", "Agents", "Gardens", "Transformers", "Benchmarks", "Diffusion Models", "Maps", "Tokens",
         "Mirrors", "Orchards", "Reward Models", "Video Generators"]
AIMS = ["Made-Up Data", "Placeholder Tasks", "Invented Worlds", "Pretend Robots", "Unreal Videos",
        "Fictional Proofs", "Paper Mazes", "Simulated Mornings"]
FIRST = ["Ada", "Bo", "Chiara", "Dev", "Emeka", "Fatima", "Goran", "Hana", "Ines", "Jun", "Kemal", "Lina"]
LAST = ["Placeholder", "Fictional", "Sample", "Example", "Mock", "Dummy", "Testa", "Madeup"]

# Where the world departs from its rule, for the surprises (each also named in MORNINGS).
PAPER_COUNTS = {day(8): 130, day(14): 100, day(26): 60}
MISSHAPEN = (day(14), day(20))  # on the morning of Oct 20, an entry of Oct 14 has no paper id
EMPTY_AT_FIRST = day(5)  # its list has not started when that morning's run asks
DROPPED = (day(2), 1, day(4), day(6))  # Oct 2's paper 1 is not listed on the mornings of Oct 4 and 5
RELISTED = (day(2), 0, day(9))  # Oct 2's first paper (Acme-Lab) listed again on Oct 9 under OTHER_ORG
LATE_EDGE = (day(13), 7)  # Oct 13 gets one more paper 7 mornings later, at the edge of the window
HOSTILE_ORG_PAPER = (day(12), 0)
HOSTILE_ACCOUNT_PAPER = (day(12), 1)
DUPLICATED = day(16)  # its first entry is listed twice
HOSTILE_TITLE_PAPER = (day(21), 0)
LEFT_OUT = (day(21), day(22))  # on the morning of Oct 22, Oct 21's papers come without ai_summary, githubRepo
QUIET = day(23)  # the refresh days answer exactly as the morning before
CASE_PAPER = (day(27), 0)  # from this day, Acme-Lab is spelled ACME-Lab (and renamed its display name)
EMPTIED = (day(27), day(28))  # on the morning of Oct 28, Oct 27's list comes back empty
RETITLED = (day(28), 0, day(29))  # its title is corrected from the morning of Oct 29
VERSIONED = (day(29), 0, day(30))  # listed as <id>v2 from the morning of Oct 30


@dataclass(frozen=True)
class FakePaper:
    day: dt.date
    index: int
    id: str
    title: str
    authors: tuple[str, ...]
    org: tuple[str, str] | None
    offset: int  # listed from the morning `offset` days after its day
    base: int
    growth: int
    repo: bool


class World:
    """The Daily Papers list as the fake API serves it on each simulated morning; the same every run."""

    def papers(self, on: dt.date) -> list[FakePaper]:
        if on.weekday() >= 5 or on < WORLD_STARTS:
            return []
        count = PAPER_COUNTS.get(on, 4 + (on.day * 5) % 7)
        papers = [self._paper(on, i, count) for i in range(count)]
        if on == LATE_EDGE[0]:
            papers.append(self._paper(on, count, count, offset=LATE_EDGE[1]))
        return papers

    def _paper(self, on: dt.date, i: int, count: int, offset: int | None = None) -> FakePaper:
        rng = random.Random(f"{on}:{i}")
        title = (f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} for {rng.choice(AIMS)}: "
                 f"a Fictional Study {on:%m%d}-{i}")
        if (on, i) == HOSTILE_TITLE_PAPER:
            title = HOSTILE_TITLE
        org = ORGS[i % len(ORGS)]
        if (on, i) == HOSTILE_ORG_PAPER:
            org = HOSTILE_ORG
        if (on, i) == HOSTILE_ACCOUNT_PAPER:
            org = HOSTILE_ACCOUNT
        if on >= CASE_PAPER[0] and org == ORGS[0]:
            org = CASE_ORG
        if offset is None:  # a few papers join the list a morning or two late, as on the real API
            offset = 0 if on in PAPER_COUNTS else 1 if i % 5 == 4 else 2 if i % 11 == 10 else 0
            if on == EMPTY_AT_FIRST:
                offset = max(offset, 1)
        authors = tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(1 + i % 4))
        return FakePaper(on, i, f"{on:%y%m}.9{on.day * 300 + i:04d}", title, authors, org, offset,
                         base=rng.randint(0, 40), growth=rng.randint(0, 12), repo=i % 3 == 0)

    def listing(self, on: dt.date, morning: dt.date) -> list[dict[str, Any]]:
        """The API's entries for day `on` when asked on `morning`, most upvoted first."""
        if morning == QUIET and on < QUIET:
            morning -= dt.timedelta(days=1)
        if (on, morning) == EMPTIED:
            return []
        entries = []
        for paper in self.papers(on):
            age = (morning - on).days - paper.offset
            if age < 0 or ((paper.day, paper.index) == DROPPED[:2] and DROPPED[2] <= morning < DROPPED[3]):
                continue
            entries.append(self.entry(paper, age, morning))
        if on == RELISTED[2]:
            first = next(p for p in self.papers(RELISTED[0]) if p.index == RELISTED[1])
            entries.append(self.entry(first, (morning - on).days, morning, org=OTHER_ORG))
        entries.sort(key=lambda e: (-e["paper"]["upvotes"], e["paper"]["id"]))
        if on == DUPLICATED and entries:
            entries.append(entries[0])
        if (on, morning) == MISSHAPEN:
            entries[3] = {**entries[3], "paper": {k: v for k, v in entries[3]["paper"].items() if k != "id"}}
        return entries

    def entry(self, paper: FakePaper, age: int, morning: dt.date,
              org: tuple[str, str] | None = None) -> dict[str, Any]:
        """One entry in the shape the Daily Papers API answers with."""
        org = org or paper.org
        grown = min(age, REFRESH_DAYS)
        title = paper.title
        if (paper.day, paper.index) == RETITLED[:2] and morning >= RETITLED[2]:
            title += " (Corrected Title)"
        paper_id = paper.id
        if (paper.day, paper.index) == VERSIONED[:2] and morning >= VERSIONED[2]:
            paper_id += "v2"
        abstract = (f"An abstract made up for a simulated month of daily runs: {paper.title}.\n"
                    "It describes no real work.")
        raw: dict[str, Any] = {
            "id": paper_id,
            "authors": [{"_id": f"{paper.id}-{n}", "name": name, "hidden": False}
                        for n, name in enumerate(paper.authors)],
            "publishedAt": f"{paper.day - dt.timedelta(days=1)}T17:59:00.000Z",
            "submittedOnDailyAt": f"{paper.day}T{paper.index % 24:02d}:15:00.000Z",
            "title": title,
            "summary": abstract,
            "upvotes": paper.base + paper.growth * grown,
            "ai_summary": f"A fictional summary of {paper.title}.",
            "ai_keywords": ["fictional data", paper.title.split()[1].lower()],
        }
        if paper.repo:
            raw["githubRepo"] = f"https://github.com/example/fictional-{paper.id}"
            raw["githubStars"] = 5 + 3 * grown
        if (paper.day, morning) == LEFT_OUT:
            del raw["ai_summary"]
            raw.pop("githubRepo", None)
        entry: dict[str, Any] = {
            "paper": raw, "publishedAt": raw["submittedOnDailyAt"], "title": title, "summary": abstract,
            "numComments": grown // 3 + paper.index % 2,
            "submittedBy": {"name": "fictional-submitter", "fullname": "Fictional Submitter"},
        }
        if org is not None:
            account = {"_id": f"org-{org[0]}", "name": org[0], "fullname": org[1]}
            raw["organization"] = account
            entry["organization"] = account
        return entry


def expected_record(entry: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot must hold of a served entry."""
    raw = entry["paper"]
    record = {"id": re.sub(r"v[0-9]+$", "", raw["id"]), "title": raw["title"], "upvotes": raw["upvotes"],
              "comments": entry["numComments"]}
    if "organization" in entry:
        record["organization"] = entry["organization"]["name"]
    return record


# --- one morning's surprise --------------------------------------------------------------------------

@dataclass
class Plan:
    """What a morning does to the API, and what it must make of the run."""

    failing: set[dt.date] = field(default_factory=set)  # days whose fetch fails
    hang: dt.date | None = None  # kill during fetch: this day's request hangs; later days are never reached
    kill_build: bool = False
    unchanged: set[dt.date] = field(default_factory=set)  # days the API says nothing new of: not a byte changes


@dataclass(frozen=True)
class Morning:
    """One simulated morning: what goes wrong (for messages), the faults it sets up, how it runs."""

    surprise: str
    faults: Callable[[FakeAPI, dt.date], Plan] = lambda api, today: Plan()
    script: bool = False  # run the real scripts/daily_run.sh instead of the stages in-process


def _fail_always(date: dt.date, kind: str) -> Callable[[FakeAPI, dt.date], Plan]:
    def faults(api: FakeAPI, today: dt.date) -> Plan:
        api.always[date.isoformat()] = Fault(kind)
        return Plan(failing={date})
    return faults


def _once(date: dt.date, *faults: str | Fault) -> Callable[[FakeAPI, dt.date], Plan]:
    def apply(api: FakeAPI, today: dt.date) -> Plan:
        api.fail(date.isoformat(), *faults)
        return Plan()
    return apply


def _gzip_everything(api: FakeAPI, today: dt.date) -> Plan:
    for n in range(REFRESH_DAYS + 1):
        api.always[(today - dt.timedelta(days=n)).isoformat()] = Fault("gzip")
    return Plan()


def _not_json(api: FakeAPI, today: dt.date) -> Plan:
    api.bodies[day(5).isoformat()] = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    return Plan(failing={day(5)})


def _second_page_fails(api: FakeAPI, today: dt.date) -> Plan:
    api.fail(day(8).isoformat(), "ok", "500", "500")
    return Plan(failing={day(8)})


def _retry_after_date(api: FakeAPI, today: dt.date) -> Plan:
    when = morning_clock(today)() + dt.timedelta(seconds=1)
    api.fail(day(23).isoformat(), Fault("429", retry_after=email.utils.format_datetime(when, usegmt=True)))
    return Plan()


def _pages_of_50(api: FakeAPI, today: dt.date) -> Plan:
    api.page_cap = 50
    return Plan()


def _hang(api: FakeAPI, today: dt.date) -> Plan:
    api.always[day(7).isoformat()] = Fault("hang")
    return Plan(hang=day(7))


MORNINGS: dict[dt.date, Morning] = {
    day(1): Morning("the first run ever: a week stored nowhere, every answer gzip-encoded", _gzip_everything,
                    script=True),
    day(2): Morning("HTTP 500 on today, once: retried, recovers", _once(day(2), "500")),
    day(3): Morning("HTTP 429 with Retry-After: 1 on Oct 1, then the list (and a weekend: no list)",
                    _once(day(1), Fault("429", retry_after="1"))),
    day(4): Morning("a paper of Oct 2 dropped by the API on the refresh: kept, missing_since"),
    day(5): Morning("a Monday whose list has not started yet: an empty day"),
    day(6): Morning("HTTP 503 on today, every try: today fails, the others go on (exit 1); the dropped "
                    "paper is back", _fail_always(day(6), "503"), script=True),
    day(7): Morning("a body that is not JSON (an HTML error page, HTTP 200) for Oct 5: that day fails, its "
                    "file untouched; yesterday's failed day is fetched", _not_json),
    day(8): Morning("a day of 130 papers: two pages"),
    day(9): Morning("an Oct 2 paper re-listed today under another organization"),
    day(10): Morning("kill -9 during fetch, while the request for Oct 7 hangs", _hang, script=True),
    day(11): Morning("the run after the kill; a body cut short (Content-Length promises more) for Oct 8, "
                     "once: retried", _once(day(8), "truncate"), script=True),
    day(12): Morning("a hostile organization display name, and an account name Hugging Face would not allow"),
    day(13): Morning("the second page of the 130-paper day fails every try: that day fails whole, its file "
                     "untouched", _second_page_fails),
    day(14): Morning("a day of exactly 100 papers: a second, empty page is asked for"),
    day(15): Morning("kill -9 during the build, while MkDocs writes the new site",
                     lambda api, today: Plan(kill_build=True), script=True),
    day(16): Morning("the run after the killed build; a paper listed twice in today's list", script=True),
    day(17): Morning("HTTP 404 for Oct 15: not retried, that day fails, its file untouched",
                     _fail_always(day(15), "404")),
    day(18): Morning("a connection reset for Oct 16, once: retried", _once(day(16), "reset")),
    day(19): Morning("a redirect to another path on the same host for today", _once(day(19), "redirect")),
    day(20): Morning("a paper added late to Oct 13, at the edge of the refresh window; an Oct 14 entry with no "
                     "paper id (JSON, not the API's shape): that day fails, its file untouched",
                     lambda api, today: Plan(failing={MISSHAPEN[0]})),
    day(21): Morning("a title full of markup and template syntax"),
    day(22): Morning("the refresh of Oct 21 comes without ai_summary and githubRepo: kept"),
    day(23): Morning("a quiet morning: every refresh day answers as yesterday, its file is not touched",
                     lambda api, today: Plan(unchanged=set(window(today)[:-1]))),
    day(24): Morning("the connection closes mid-body for Oct 22, every try: that day fails, its file "
                     "untouched", _fail_always(day(22), "truncate-close")),
    day(25): Morning("HTTP 429 with Retry-After as an HTTP date for Oct 23, once", _retry_after_date),
    day(26): Morning("a server paging by 50 whatever limit asks, on a 60-paper day", _pages_of_50),
    day(27): Morning("an organization spelled in another case (Acme-Lab, from today ACME-Lab)"),
    day(28): Morning("the refresh of Oct 27 comes back empty: its papers kept, missing_since"),
    day(29): Morning("a title corrected on the refresh of Oct 28"),
    day(30): Morning("the last morning: an Oct 29 paper listed as <id>v2", script=True),
}


def morning_clock(today: dt.date) -> Callable[[], dt.datetime]:
    """The clock of the simulated morning: 06:23 UTC, when the daily workflow runs."""
    moment = dt.datetime.combine(today, dt.time(6, 23), tzinfo=dt.UTC)
    return lambda: moment


def window(today: dt.date) -> list[dt.date]:
    return [today - dt.timedelta(days=n) for n in range(REFRESH_DAYS, -1, -1)]


# --- the project: a copy of this tree in its own repository ------------------------------------------

def script_command(root: Path, today: dt.date, api: FakeAPI) -> list[str]:
    """The daily script with the morning's window named, as the workflow's backfill names it."""
    return [str(root / "scripts" / "daily_run.sh"), "--since", str(today - dt.timedelta(days=REFRESH_DAYS)),
            "--until", str(today), "--api-url", api.url, "--site-url", SITE_URL, "--push"]


@dataclass
class Ran:
    """A stage's exit status and what it printed."""

    status: int
    output: str


def run(command: list[str], cwd: Path, fetch_args: list[str] = FAST) -> Ran:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=clean_env(FETCH_ARGS=" ".join(fetch_args)))
    return Ran(done.returncode, f"{done.stdout}\n{done.stderr}")


def in_process(call: Callable[[], int]) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = call()
    return Ran(status, f"{out.getvalue()}\n{err.getvalue()}")


def fetch_in_process(root: Path, today: dt.date, api: FakeAPI) -> Ran:
    """`dailypapers fetch` with no days named, on the simulated morning: today and the refresh window."""
    args = cli._parser().parse_args(["--root", str(root), "fetch", "--api-url", api.url, *FAST])
    options = FetchOptions.from_args(args, clock=morning_clock(today))
    assert options.days == window(today)
    return in_process(lambda: cli.fetch_command(Project.at(root), options))


def failed_count(output: str) -> int:
    found = re.findall(r"^fetch: \d+ day\(s\) asked: .*?(\d+) failed$", output, re.M)
    assert len(found) == 1, f"no single fetch summary line in:\n{output}"
    return int(found[0])


# --- killing a run -----------------------------------------------------------------------------------

def session_processes(session: int) -> list[int]:
    """Running processes (zombies excepted) of a session."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, _, sid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:4]
        except OSError:
            continue
        if state != "Z" and int(sid) == session:
            found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], Any], what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 600  # a margin no load reaches; the run's own end fails it at once
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the run ended (exit {process.returncode}) before {what}:\n{log.read_text()}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{log.read_text()}"
        time.sleep(0.005)


def run_and_kill(command: list[str], root: Path, when: Callable[[], Any], what: str,
                 fetch_args: list[str]) -> str:
    """Start the daily script in a session of its own and SIGKILL the whole session once `when` holds."""
    log = root.parent / "killed-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=clean_env(FETCH_ARGS=" ".join(fetch_args)))
    try:
        wait_for(when, what, process, log)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=600)
        deadline = time.monotonic() + 120  # the kernel reaps a killed session at once; this is only a margin
        while session_processes(process.pid):
            assert time.monotonic() < deadline, f"the killed run's {session_processes(process.pid)} outlive it"
            time.sleep(0.01)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL
    return log.read_text()


def half_built(root: Path) -> bool:
    """MkDocs has copied the theme's assets into the new site but not yet written its home page."""
    return any((staging / "assets").is_dir() and not (staging / "index.html").exists()
               for staging in root.glob("site.new-*"))


# --- what is stored ----------------------------------------------------------------------------------

@dataclass
class Stored:
    raw: bytes
    doc: dict[str, Any]

    def papers(self) -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in self.doc.get("papers") or []}


_PARSED: dict[bytes, dict[str, Any]] = {}  # by content: most files are the same from one morning to the next


def read_store(root: Path) -> dict[dt.date, Stored]:
    """Every snapshot, read with a plain YAML parser (libyaml's, PyYAML's own where it is missing): a
    file that is not valid YAML fails here."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    store = {}
    for path in sorted((root / "content" / "snapshots").glob("*/*.yaml")):
        raw = path.read_bytes()
        key = hashlib.sha256(raw).digest()
        if key not in _PARSED:
            doc = yaml.load(raw, Loader=loader)  # a safe loader, either way
            assert isinstance(doc, dict), f"{path}: not a mapping"
            _PARSED[key] = doc
        store[dt.date.fromisoformat(path.stem)] = Stored(raw, _PARSED[key])  # read, never changed
    return store


def check_store(before: dict[dt.date, Stored], after: dict[dt.date, Stored], served: dict[dt.date, list],
                fetched: list[dt.date], untouched: set[dt.date], failing: set[dt.date]) -> None:
    """Each day fetched holds what the API listed (and keeps what it no longer lists); each day that
    failed or was never reached is as it was; nothing stored before is lost or counts less."""
    for date in fetched:
        if date in untouched:
            if date in before:
                assert after[date].raw == before[date].raw, f"{date}: changed, though its fetch failed"
            elif date in failing:
                assert after[date].doc["status"] == "failed" and after[date].doc.get("error"), \
                    f"{date}: a failed day never stored should be status: failed"
            else:
                assert date not in after, f"{date}: stored, though its fetch never ran"
            continue
        assert date in after, f"{date}: fetched, but no snapshot"
        doc, papers = after[date].doc, after[date].papers()
        listed = {}
        for entry in served[date]:
            record = expected_record(entry)
            listed.setdefault(record["id"], record)  # a paper listed twice is kept once, as first listed
        assert len(doc.get("papers") or []) == len(papers), f"{date}: a paper is stored twice"
        for paper_id, record in listed.items():
            assert paper_id in papers, f"{date}: {paper_id}, listed by the API, is not stored"
            stored = papers[paper_id]
            got = {key: stored.get(key) if key != "organization" else (stored.get(key) or {}).get("name")
                   for key in record}
            assert got == record, f"{date}: {paper_id} stored as {got}, the API said {record}"
            assert "missing_since" not in stored, f"{date}: {paper_id} is listed, yet marked missing_since"
        for paper_id, stored in papers.items():
            if paper_id not in listed:
                assert "missing_since" in stored, f"{date}: {paper_id} no longer listed, not marked missing_since"
        if papers:
            assert doc["status"] == "listed", f"{date}: has papers, status {doc['status']}"
        elif not listed:
            assert doc["status"] == "empty", f"{date}: nothing listed, status {doc['status']}"
        if date in before and after[date].doc == before[date].doc:
            assert after[date].raw == before[date].raw, f"{date}: nothing new, yet its bytes changed"
    for date, old in before.items():
        assert date in after, f"{date}: its snapshot is gone"
        new = after[date].papers()
        for paper_id, paper in old.papers().items():
            assert paper_id in new, f"{date}: {paper_id} was stored and is gone"
            kept = new[paper_id]
            assert kept["first_seen"] == paper["first_seen"], f"{date}: {paper_id}: first_seen changed"
            for count in ("upvotes", "comments", "github_stars"):
                if count in paper:
                    assert kept.get(count, -1) >= paper[count], f"{date}: {paper_id}: {count} went down"
            for kept_field in ("ai_summary", "github_repo", "organization"):
                if kept_field in paper:
                    assert kept_field in kept, f"{date}: {paper_id}: {kept_field} was lost"
        if old.doc["status"] == "listed":
            assert after[date].doc["status"] == "listed", f"{date}: was listed, is {after[date].doc['status']}"


# --- what the site shows -----------------------------------------------------------------------------

CARD_ID = re.compile(r'<article class="dp-card" id="([^"]+)"')


def site_tree(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*"))}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(("site.new-", "site.old-")))


def day_page(site: Path, date: dt.date) -> Path:
    return site / f"{date:%Y/%m/%d}" / "index.html"


def org_hrefs(site: Path, slug: str) -> str:
    """Every page of an organization, joined (100 papers a page)."""
    pages = [site / "orgs" / slug / "index.html", *sorted((site / "orgs" / slug / "page").glob("*/index.html"))]
    assert pages[0].is_file(), f"no page for the organization {slug}"
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def check_site(root: Path, store: dict[dt.date, Stored], today: dt.date) -> None:
    """A whole, deployable site of exactly what is stored."""
    site = root / "site"
    assert (site / "index.html").is_file(), "no site/index.html"
    assert leftovers(root) == [], f"a completed build left {leftovers(root)}"
    hidden = [p.name for p in site.rglob(".*")]
    assert hidden == [], f"hidden files, which Pages would not deploy: {hidden}"
    first_days: dict[str, dt.date] = {}
    for date, stored in sorted(store.items()):
        if stored.doc["status"] != "listed":
            continue
        html = day_page(site, date).read_text(encoding="utf-8")
        cards = set(CARD_ID.findall(html))
        missing = [i for i in stored.papers() if i not in cards]
        assert not missing, f"{date}'s page lacks the cards of {missing}"
        for paper_id, paper in stored.papers().items():
            first_days.setdefault(paper_id, date)
            assert (site / "p" / paper_id / "index.html").is_file(), f"no permalink page for {paper_id}"
            if "missing_since" in paper:
                card = html[html.index(f'class="dp-card" id="{paper_id}"'):]
                assert "no longer listed" in card[:card.find("</article>")], \
                    f"{date}: {paper_id}'s card does not say it is no longer listed"
    feeds = {}
    for name in ("feed.xml", "atom.xml", "daily.xml", "weekly.xml"):
        feeds[name] = parsed = feedparser.parse((site / name).read_bytes())
        assert parsed.bozo == 0, f"{name}: {parsed.bozo_exception}"
        ids = [e.id for e in parsed.entries]
        assert ids and len(ids) == len(set(ids)), f"{name}: no items, or an item twice"
    json.loads((site / "feed.json").read_text(encoding="utf-8"))
    newest = max(d for d, s in store.items() if s.doc["status"] == "listed")
    assert f"{SITE_URL}{newest:%Y/%m/%d}/" in [e.link for e in feeds["daily.xml"].entries], \
        f"daily.xml lacks {newest}"
    feed = {e.id for e in feeds["feed.xml"].entries}
    newest_first = [i for i, d in first_days.items() if d == newest]
    absent = [i for i in newest_first if f"{SITE_URL}p/{i}/" not in feed]
    assert len(absent) <= max(0, len(newest_first) - 100), f"feed.xml lacks the newest day's {absent}"
    check_organizations(site, today)


def check_organizations(site: Path, today: dt.date) -> None:
    """The organization surprises, from their morning on: each as the README says it shows."""
    orgs = set(re.findall(r'href="(?:\.\./)*orgs/([^/"]+)/"', (site / "orgs" / "index.html").read_text()))
    assert {"acme-lab", "fictional-university", "placeholder-ai"} <= orgs, f"organizations listed: {orgs}"
    relisted = World().papers(RELISTED[0])[RELISTED[1]].id
    if today >= RELISTED[2]:
        for slug in ("acme-lab", "other-institute"):
            assert f"#{relisted}" in org_hrefs(site, slug), f"{relisted} is not on orgs/{slug}/"
    if today >= HOSTILE_ORG_PAPER[0]:
        for page in (site / "orgs" / "evil-org" / "index.html", day_page(site, HOSTILE_ORG_PAPER[0])):
            html = page.read_text(encoding="utf-8")
            assert '<script>alert("org")' not in html, f"{page}: the organization's name became markup"
            text = " ".join("".join(read_page(html).text).split())
            assert HOSTILE_FULLNAME in text, f"{page} does not show the organization's name as written"
    if today >= HOSTILE_TITLE_PAPER[0]:
        html = day_page(site, HOSTILE_TITLE_PAPER[0]).read_text(encoding="utf-8")
        assert "<think>" not in html, "the title's <think> became markup"
        assert HOSTILE_TITLE in " ".join("".join(read_page(html).text).split()), "the title is not shown as written"
    if today >= HOSTILE_ACCOUNT_PAPER[0]:
        slug = org_slug(HOSTILE_ACCOUNT[0])
        assert "/" not in slug and not slug.startswith("."), slug
        page = read_page(org_hrefs(site, slug))
        assert page.h1 == HOSTILE_ACCOUNT[1], f"orgs/{slug}/ is headed {page.h1!r}"
        assert not (site / "Evil <b>Org</b>").exists() and not (site.parent / "Evil <b>Org</b>").exists()
    if today >= CASE_PAPER[0]:
        # One organization, whatever the case: one page, with the papers of both spellings, under the
        # newest spelling's display name.
        case_paper = World().papers(CASE_PAPER[0])[CASE_PAPER[1]].id
        pages = org_hrefs(site, "acme-lab")
        assert f"#{case_paper}" in pages and f"#{relisted}" in pages, "ACME-Lab and Acme-Lab are not one page"
        assert not [s for s in orgs if s.startswith("acme-lab") and s != "acme-lab"], f"two pages: {orgs}"
        heading = read_page((site / "orgs" / "acme-lab" / "index.html").read_text(encoding="utf-8")).h1
        assert heading == CASE_ORG[1], f"orgs/acme-lab/ is headed {heading!r}, not its newest name {CASE_ORG[1]!r}"


# --- the month ---------------------------------------------------------------------------------------

@pytest.fixture
def api() -> Iterator[FakeAPI]:
    server = FakeAPI().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Month:
    """The project, the API, and what the month has stored, committed and built so far."""

    root: Path
    origin: Path
    api: FakeAPI
    world: World = field(default_factory=World)
    committed: dict[dt.date, bytes] = field(default_factory=dict)

    def morning(self, today: dt.date) -> None:
        morning = MORNINGS[today]
        where = f"morning {today} ({morning.surprise})"
        api = self.api
        api.always.clear()
        api.faults.clear()
        api.requests.clear()
        api.page_cap = 100
        fetched = window(today)
        served = {d: self.world.listing(d, today) for d in fetched}
        api.bodies = {d.isoformat(): json.dumps(entries).encode() for d, entries in served.items()}
        plan = morning.faults(api, today)
        before = read_store(self.root)
        head = git(self.root, "rev-parse", "HEAD")
        killing = plan.hang is not None or plan.kill_build
        site_before = site_tree(self.root / "site") if killing else None
        untouched = set(plan.failing) | {d for d in fetched if plan.hang is not None and d >= plan.hang}

        output = self.run(today, plan, where)
        after = read_store(self.root)
        same = [d for d in plan.unchanged if after[d].raw != before[d].raw]
        assert not same, f"{where}: the API said nothing new of {same}, yet their files changed"
        try:
            check_store(before, after, served, fetched, untouched, plan.failing)
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}\n{output}") from None
        if morning.script:  # (the in-process stages validated after fetching; nothing wrote since)
            checked = in_process(lambda: cli.main(["--root", str(self.root), "validate"]))
            assert checked.status == 0, f"{where}: validate exit {checked.status}\n{checked.output}"
        if plan.hang is None:  # a run killed before its commit commits nothing; the next one does
            self.check_commit(after, head, where)
        if not killing:
            try:
                check_site(self.root, after, today)
            except AssertionError as error:
                raise AssertionError(f"{where}: {error}\n{output}") from None
        else:
            assert site_tree(self.root / "site") == site_before, f"{where}: the killed run changed site/"

    def run(self, today: dt.date, plan: Plan, where: str) -> str:
        """The morning's run, as the plan says; returns what it printed."""
        root, api = self.root, self.api
        command = script_command(root, today, api)
        if plan.hang is not None:
            hang = plan.hang.isoformat()
            output = run_and_kill(command, root, lambda: api.count(hang) > 0, "the hanging request",
                                  fetch_args=["--rate", "1000", "--retries", "1", "--timeout", "60"])
            api.released.set()  # let the server's hanging handler go
            return output
        if plan.kill_build:
            output = run_and_kill(command, root, lambda: half_built(root), "MkDocs writing the new site", FAST)
            assert leftovers(root), f"{where}: no staging folder left, so the build was not killed mid-way"
            return output
        if MORNINGS[today].script:
            ran = run(command, root)
            assert ran.status == (1 if plan.failing else 0), f"{where}: exit {ran.status}\n{ran.output}"
            assert failed_count(ran.output) == len(plan.failing), f"{where}:\n{ran.output}"
            return ran.output
        ran = fetch_in_process(root, today, api)
        assert ran.status == (1 if plan.failing else 0), f"{where}: fetch exit {ran.status}\n{ran.output}"
        assert failed_count(ran.output) == len(plan.failing), f"{where}:\n{ran.output}"
        checked = in_process(lambda: cli.main(["--root", str(root), "validate"]))
        assert checked.status == 0, f"{where}: validate exit {checked.status}\n{checked.output}"
        committed = run([str(root / "scripts" / "daily_run.sh"), "commit", "--push"], root)
        assert committed.status == 0, f"{where}: commit exit {committed.status}\n{committed.output}"
        built = in_process(lambda: cli.main(["--root", str(root), "build", "--site-url", SITE_URL]))
        assert built.status == 0, f"{where}: build exit {built.status}\n{built.output}"
        return "\n".join((ran.output, committed.output, built.output))

    def check_commit(self, after: dict[dt.date, Stored], head: str, where: str) -> None:
        """One commit, by the bot, of exactly the days that changed since the last one, pushed."""
        root = self.root
        assert git(root, "status", "--porcelain", "--untracked-files=all", "content/snapshots") == "", where
        assert git(root, "rev-parse", "HEAD") == git(self.origin, "rev-parse", "main"), f"{where}: not pushed"
        changed = sorted(d for d, s in after.items() if self.committed.get(d) != s.raw)
        if changed:
            assert git(root, "rev-list", "--count", f"{head}..HEAD") == "1", where
            assert git(root, "log", "-1", "--format=%an") == BOT, where
            assert git(root, "show", "--name-only", "--format=", "HEAD").splitlines() == [
                f"content/snapshots/{d.year}/{d}.yaml" for d in changed], f"{where}: the commit"
        else:
            assert git(root, "rev-parse", "HEAD") == head, f"{where}: a commit, though nothing changed"
        self.committed = {d: s.raw for d, s in after.items()}

    def check_links(self, where: str) -> None:
        reader = SiteReader(self.root / "site", SITE_URL, "")
        problems = reader.link_problems() + reader.feed_problems()
        assert problems == [], f"{where}: " + "\n".join(problems[:20])


@linux_only
def test_a_month_of_unattended_days(tmp_path: Path, api: FakeAPI) -> None:
    month = Month(make_checkout(tmp_path), tmp_path / "origin.git", api)
    for n in range(DAYS_SIMULATED):
        today = FIRST_MORNING + dt.timedelta(days=n)
        month.morning(today)
        if today in (day(16), day(DAYS_SIMULATED)):  # after the killed build, and at the end: every link
            month.check_links(f"morning {today}")
    store = read_store(month.root)
    assert store[day(6)].doc["status"] == "listed"  # the day that failed, fetched on a later morning
    assert "missing_since" not in store[DROPPED[0]].papers()[World().papers(DROPPED[0])[DROPPED[1]].id]
