"""The `dailypapers` command: a thin layer that parses options, calls one library function per
command, and turns domain errors into one clear line each (never a traceback)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from generator.project import Project

DEFAULT_API_URL = "https://huggingface.co/api/daily_papers"


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


def _run(args: argparse.Namespace, project: Project) -> int:
    from generator.errors import UserError
    from generator.snapshots import SnapshotError, iter_problems

    try:
        if args.command == "validate":
            from generator.snapshots import validate_snapshots
            from generator.topics import load_taxonomy

            result = validate_snapshots(project.snapshots_dir)
            problems = list(result.problems)
            try:
                load_taxonomy(project.topics_file)
            except SnapshotError as error:
                problems.extend(error.problems)
            for line in iter_problems(problems, limit=10_000):
                print(line, file=sys.stderr)
            print(f"{result.checked} snapshot(s) checked, {len(problems)} problem(s)")
            return 1 if problems else 0
        if args.command == "build":
            from generator.build import build_site

            report = build_site(project, site_url=args.site_url, run_mkdocs=not args.pages_only)
            print(report.summary())
            return 0
        if args.command == "serve":
            from generator.serve import serve

            return serve(project, host=args.host, port=args.port)
        if args.command == "topics":
            from generator.topics import print_distribution

            print_distribution(project, examples=args.examples)
            return 0
        if args.command == "fetch":
            from generator.fetch import FetchOptions, fetch_command

            options = FetchOptions.from_args(args)
            return fetch_command(project, options)
        if args.command == "import":
            from generator.ingest import import_command

            return import_command(project, args.files, args.date)
        if args.command in ("digest", "email"):
            return _mail_command(args, project)
    except SnapshotError as error:
        for line in iter_problems(error.problems):
            print(line, file=sys.stderr)
        print(f"dailypapers: {len(error.problems)} problem(s) in snapshots; "
              "fix them (see `dailypapers validate`) and run again", file=sys.stderr)
        return 1
    except UserError as error:
        print(f"dailypapers: {error}", file=sys.stderr)
        return 1
    raise AssertionError(f"unhandled command {args.command}")


def _mail_command(args: argparse.Namespace, project: Project) -> int:
    """`digest` and `email`: the message bytes go to stdout (or --out), everything else to stderr."""
    import os

    from generator import mailer
    from generator.snapshots import atomic_write_bytes

    try:
        if args.command == "digest":
            data = mailer.render_digest(project, os.environ, args.site_url, date=args.date, week=args.week)
            if args.out:
                try:
                    atomic_write_bytes(args.out, data)
                except OSError as error:
                    print(f"dailypapers: {args.out}: cannot write: {error.strerror or error}", file=sys.stderr)
                    return 1
            else:
                sys.stdout.buffer.write(data)
            return 0
        result = mailer.send_latest_digest(project, os.environ, dt.datetime.now(dt.UTC), args.site_url,
                                           dry_run=args.dry_run)
    except mailer.MailConfigError as error:
        for problem in error.problems:
            print(f"dailypapers: {problem}", file=sys.stderr)
        return 1
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
