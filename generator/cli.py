"""The `dailypapers` command: a thin layer that parses options, calls one library function per
command, and turns domain errors into one clear line each (never a traceback)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from pathlib import Path

from generator.core.errors import FileError, SnapshotError, UserError, unexpected
from generator.core.project import Project
from generator.domain.topics import distribution
from generator.ingest.fetch import DEFAULT_API_URL, FetchOptions, fetch_days
from generator.ingest.importer import FileResult, import_files
from generator.ingest.merge import summary_line
from generator.progress import Progress
from generator.publish import mailer
from generator.publish.build import BuildReport, build_site
from generator.publish.serve import serve
from generator.store.files import atomic_write_bytes
from generator.store.load import load_archive
from generator.store.snapshots import iter_problems, validate_snapshots
from generator.store.taxonomy import TaxonomyError, load_taxonomy


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dailypapers", description="Archive of the Hugging Face Daily Papers list."
    )
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = commands.add_parser("fetch", help="ask the API for days and store them as snapshots")
    when = fetch.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, help="one day, YYYY-MM-DD")
    when.add_argument("--since", type=_date, help="first day of a backfill")
    fetch.add_argument("--until", type=_date, help="last day of a backfill (default: today, UTC)")
    fetch.add_argument("--api-url", default=DEFAULT_API_URL, help=f"default: {DEFAULT_API_URL}")
    fetch.add_argument("--refresh-days", type=int, default=None, help="recent days fetched again (default 7)")
    fetch.add_argument("--rate", type=float, default=None, help="requests per second at most (default 1)")
    fetch.add_argument("--timeout", type=float, default=None,
                       help="seconds one try may take, from connecting to the last byte (default 30)")
    fetch.add_argument("--retries", type=int, default=None, help="tries after the first (default 4)")

    imp = commands.add_parser("import", help="store saved API responses exactly as fetch would")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--date", type=_date, help="the day, when the file is not named YYYY-MM-DD.json")

    commands.add_parser("validate", help="check every snapshot; exit 1 if any problem")

    build = commands.add_parser("build", help="generate pages, feeds and search index, then build site/")
    build.add_argument("--site-url", help="public URL of the site (default: site_url in mkdocs.yml)")
    build.add_argument("--pages-only", action="store_true", help="generate the Markdown, skip MkDocs")
    build.add_argument("--timings", action="store_true",
                       help="then print each step's time and memory, the forked jobs' too, on stderr")

    serve = commands.add_parser("serve", help="build, serve site/ locally, rebuild when content changes")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")

    digest = commands.add_parser("digest", help="write a day's or a week's digest email (RFC 822) to stdout")
    which = digest.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", type=_date, help="the day, YYYY-MM-DD")
    which.add_argument("--week", help="the ISO week, YYYY-Www")
    digest.add_argument("--out", type=Path, help="write the message to this file instead")
    digest.add_argument("--site-url", help="public URL of the site (default: site_url in mkdocs.yml)")

    email = commands.add_parser("email", help="send the newest digest not sent yet (SMTP_URL, MAIL_FROM, MAIL_TO)")
    email.add_argument("--dry-run", action="store_true", help="print the message instead of sending it")
    email.add_argument("--site-url", help="public URL of the site (default: site_url in mkdocs.yml)")

    topics = commands.add_parser("topics", help="print how papers spread over topics, with examples")
    topics.add_argument("--examples", type=int, default=3, help="example titles per topic")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project = Project.at(args.root)
    try:
        return _run(args, project)
    except KeyboardInterrupt:
        print("dailypapers: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # domain errors; and the last resort: a bug is one line, not a traceback
        print_error(error)
        return 1


def print_error(error: Exception) -> None:
    """THE place an error becomes what the person running the command reads, on stderr.

    Snapshot and taxonomy problems are one `path:line:col: message` line each, then what to do; a
    UserError is its one line; anything else (a bug) is one line naming its type.
    """
    if isinstance(error, SnapshotError):
        for line in iter_problems(error.problems):
            print(line, file=sys.stderr)
        where = "the topic taxonomy" if isinstance(error, TaxonomyError) else "snapshots"
        print(f"dailypapers: {len(error.problems)} problem(s) in {where}; "
              "fix them (see `dailypapers validate`) and run again", file=sys.stderr)
    elif isinstance(error, UserError):
        for line in error.lines():
            print(f"dailypapers: {line}", file=sys.stderr)
    else:
        print(f"dailypapers: {unexpected(error)}{_raised_at(error)}", file=sys.stderr)


def _raised_at(error: Exception) -> str:
    """` in generator/package/x.py:N`, the last line of this package the error passed: enough for a bug report,
    without a traceback a reader of the command's output has to wade through."""
    package = Path(__file__).resolve().parent
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve().is_relative_to(package)]
    if not frames:
        return ""
    where = Path(frames[-1].filename).resolve().relative_to(package.parent).as_posix()
    return f" in {where}:{frames[-1].lineno}"


def print_report(report: BuildReport) -> None:
    """A finished build: its summary on stdout, then what it worked around in the data, one line each."""
    print(report.summary(), flush=True)
    for warning in report.warnings:
        print(f"dailypapers: warning: {warning}", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, project: Project) -> int:
    """Run one command; domain errors propagate to `main`, which prints them."""
    if args.command == "validate":
        return _validate(project)
    if args.command == "build":
        report = build_site(project, site_url=args.site_url, run_mkdocs=not args.pages_only)
        print_report(report)
        if args.timings:
            print(f"build profile\n\n{report.timings.table()}", file=sys.stderr, flush=True)
        return 0
    if args.command == "serve":
        return serve(project, _ServePrinter(), host=args.host, port=args.port)
    if args.command == "topics":
        _print_distribution(project, examples=args.examples)
        return 0
    if args.command == "fetch":
        return fetch_command(project, FetchOptions.from_args(args))
    if args.command == "import":
        return _import_command(project, args.files, args.date)
    if args.command in ("digest", "email"):
        return _mail_command(args, project)
    raise AssertionError(f"unhandled command {args.command}")


def _validate(project: Project) -> int:
    """`dailypapers validate`: every snapshot and the topic taxonomy; exit 1 if any problem."""
    result = validate_snapshots(project.snapshots_dir)
    problems = list(result.problems)
    try:
        load_taxonomy(project.topics_file)
    except TaxonomyError as error:
        problems.extend(error.problems)
    for line in iter_problems(problems, limit=10_000):
        print(line, file=sys.stderr)
    print(f"{result.checked} snapshot(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def fetch_command(project: Project, options: FetchOptions) -> int:
    """`dailypapers fetch`: each day's line as it is stored, then a one-line summary; exit 1 if any day failed."""
    progress = Progress(len(options.days), None)  # a bar when stderr is a terminal, plain lines otherwise
    try:
        outcomes = fetch_days(project, options, on_day=progress.report)
    finally:
        progress.close()
    print(summary_line("fetch", outcomes))
    return 1 if any(o.kind == "failed" for o in outcomes) else 0


def _print_file(result: FileResult) -> None:
    """One imported file: stored days on stdout; failures and warnings on stderr, each naming the file."""
    if result.problem is not None:
        print(result.problem.line(), file=sys.stderr)
        return
    assert result.outcome is not None
    print(f"{result.path}: {result.outcome.describe()}", file=sys.stderr if result.failed else sys.stdout)
    for warning in result.outcome.warnings:
        print(f"{result.path}: warning: {warning}", file=sys.stderr)


def _import_command(project: Project, files: list[Path], date: dt.date | None) -> int:
    """`dailypapers import`: one line per file as it is stored, a summary; exit 1 if any file was not stored."""
    results = import_files(project, files, date, on_file=_print_file)
    outcomes = [r.outcome for r in results if r.outcome is not None]
    print(summary_line("import", outcomes, "file(s)", unread=len(results) - len(outcomes)))
    return 1 if any(r.failed for r in results) else 0


def _print_distribution(project: Project, examples: int) -> None:
    """`dailypapers topics`: papers per topic with example titles, so a maintainer can tune the rules."""
    archive, taxonomy = load_archive(project)
    spread = distribution(archive, taxonomy, examples)
    print(f"{spread.papers} papers, {spread.topics} topics; "
          f"{spread.with_topic_percent:.1f}% have a topic other than Other")
    for share in spread.shares:
        print(f"\n{share.topic.slug:<24} {share.count:>6}  {share.percent:5.1f}%  {share.topic.title}")
        for title in share.examples:
            print(f"    - {title[:100]}")


class _ServePrinter:
    """What `dailypapers serve` prints as it builds and rebuilds (a serve.ServeListener)."""

    def built(self, report: BuildReport) -> None:
        print_report(report)

    def not_built(self, error: Exception) -> None:
        print_error(error)
        print("dailypapers: not rebuilt; the previous build is still served", file=sys.stderr, flush=True)

    def serving(self, folder: Path, url: str) -> None:
        print(f"serving {folder} at {url} (Ctrl-C stops); rebuilding when content/ changes", flush=True)


def _mail_command(args: argparse.Namespace, project: Project) -> int:
    """`digest` and `email`: the message bytes go to stdout (or --out), everything else to stderr."""
    if args.command == "digest":
        data = mailer.render_digest(project, os.environ, args.site_url, date=args.date, week=args.week)
        if args.out:
            try:
                atomic_write_bytes(args.out, data)
            except OSError as error:
                raise FileError(args.out, f"cannot write: {error.strerror or error}") from None
        else:
            sys.stdout.buffer.write(data)
        return 0
    result = mailer.send_latest_digest(project, os.environ, dt.datetime.now(dt.UTC), args.site_url,
                                       dry_run=args.dry_run)
    if result.status == "nothing":
        print("email: no day with papers in the archive; nothing sent")
    elif result.status == "already-sent":
        print(f"email: the digest for {result.digest} was already sent; nothing sent")
    elif result.status == "older":
        print(f"email: the newest day, {result.digest}, is older than the last digest sent ({result.newest}); "
              "nothing sent")
    elif result.status == "dry-run":
        sys.stdout.buffer.write(result.message)
        print(f"email: dry run: the digest for {result.digest} was not sent to {result.recipients} "
              f"recipient(s){' via ' + result.server if result.server else ''}", file=sys.stderr)
    else:
        print(f"email: sent the digest for {result.digest} to {result.recipients} recipient(s) via {result.server}")
        for address, reply in sorted(result.refused.items()):
            print(f"dailypapers: email: {address} was refused: {reply}", file=sys.stderr)
        return 1 if result.refused else 0
    return 0
