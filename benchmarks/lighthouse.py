"""Lighthouse (mobile) on built sites, side by side: performance, accessibility and best practices of a day
page and the home page, with the numbers behind them (LCP, render-blocking time, unused CSS).

    .venv/bin/python benchmarks/lighthouse.py                       # the real-fixture site of this checkout
    .venv/bin/python benchmarks/lighthouse.py --rev 3947d12         # ... beside the same site at another commit
    .venv/bin/python benchmarks/lighthouse.py --site before=/path/to/site --site after=/other/site

Each site is served on 127.0.0.1 the way GitHub Pages serves it (gzip for text, the 404 page for a
missing path), under /daily-papers-archive/. Lighthouse 12 is installed on first use into
.cache/lighthouse (npm), and runs Debian's Chromium. This machine reaches no image host, so every
thumbnail fails to load and Lighthouse counts each failed request as a console error (best practices):
`--images off` builds with `remote_images: false`, which is what a reader with a working network gets
minus the images. A benchmark, not a test: the scores are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / ".cache" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PREFIX = "/daily-papers-archive/"
SITE_URL = f"http://127.0.0.1:8000{PREFIX}"
PAGES = {"day (50 papers)": "2025/09/30/", "home": ""}
ROWS = [("performance", "category"), ("accessibility", "category"), ("best-practices", "category"),
        ("largest-contentful-paint", "audit"), ("first-contentful-paint", "audit"),
        ("render-blocking-resources", "audit"), ("unused-css-rules", "audit"),
        ("cumulative-layout-shift", "audit"), ("total-blocking-time", "audit"), ("errors-in-console", "audit")]
TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")


def lighthouse() -> Path:
    """The lighthouse command, installed into .cache/lighthouse on first use."""
    binary = LIGHTHOUSE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(LIGHTHOUSE), "--no-audit", "--no-fund",
                        "--loglevel=error", "lighthouse@12"], check=True)
    return binary


def build_real_site(source: Path, out: Path, images: bool) -> Path:
    """The real API fixtures imported and built by the checkout at `source` (its generator package)."""
    fixtures = Path(os.environ.get("DAILYPAPERS_FIXTURES") or REPO.parent / "shared" / "fixtures" / "hf-api")
    days = sorted((fixtures / "days").glob("*.json"))
    if not days:
        sys.exit(f"lighthouse.py: no real API fixtures at {fixtures} (set DAILYPAPERS_FIXTURES)")
    root = out / "project"
    (root / "content" / "snapshots").mkdir(parents=True)
    (root / "build" / "docs").mkdir(parents=True)
    shutil.copy(source / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(source / "overrides", root / "overrides")
    shutil.copy(source / "content" / "topics.yaml", root / "content" / "topics.yaml")
    shutil.copytree(source / "content" / "pages", root / "content" / "pages")
    if not images:
        config = root / "mkdocs.yml"
        options = "\n  - dailypapers:\n      remote_images: false\n"
        config.write_text(config.read_text().replace("\n  - dailypapers\n", options))
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "generator", "--root", str(root)]
    subprocess.run([*command, "import", *map(str, days)], check=True, env=env, capture_output=True, cwd=source)
    subprocess.run([*command, "build", "--site-url", SITE_URL], check=True, env=env, capture_output=True, cwd=source)
    return root / "site"


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """GitHub Pages' ways: text gzipped when the browser accepts it, 404.html for a missing path."""

    site: Path

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(PREFIX):
            return str(self.site / "__missing__")
        target = self.site / path[len(PREFIX):].lstrip("/")
        return str(target / "index.html" if target.is_dir() else target)

    def do_GET(self) -> None:
        file = Path(self.translate_path(self.path))
        status = 200
        if not file.is_file():
            file, status = self.site / "404.html", 404
        body = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(file)))
        if file.suffix in TEXT and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def measure(site: Path, binary: Path) -> dict[str, dict[str, str]]:
    """Lighthouse's mobile run on each of PAGES: row -> shown value."""
    handler = type("Handler", (PagesHandler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results: dict[str, dict[str, str]] = {}
    try:
        for name, path in PAGES.items():
            with tempfile.TemporaryDirectory() as tmp:
                report = Path(tmp) / "report.json"
                subprocess.run([str(binary), f"http://127.0.0.1:{server.server_port}{PREFIX}{path}", "--quiet",
                                "--form-factor=mobile", "--only-categories=performance,accessibility,best-practices",
                                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                                "--output=json", f"--output-path={report}"],
                               check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
                data = json.loads(report.read_text())
            row: dict[str, str] = {}
            for key, kind in ROWS:
                if kind == "category":
                    row[key] = str(round(100 * data["categories"][key]["score"]))
                else:
                    audit = data["audits"][key]
                    row[key] = audit.get("displayValue") or ("pass" if audit["score"] == 1 else "fail")
            results[name] = row
    finally:
        server.shutdown()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", action="append", default=[], metavar="NAME=DIR", help="a built site to measure")
    parser.add_argument("--rev", help="also build the real-fixture site at this commit (a git worktree)")
    parser.add_argument("--images", choices=("on", "off"), default="off",
                        help="build with remote thumbnails (off by default: this machine reaches no image host)")
    args = parser.parse_args()
    binary = lighthouse()
    with tempfile.TemporaryDirectory() as tmp:
        sites = {name: Path(folder) for name, _, folder in (s.partition("=") for s in args.site)}
        if not sites:
            if args.rev:
                tree = Path(tmp) / "rev"
                subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), args.rev],
                               check=True, capture_output=True)
                try:
                    sites[args.rev] = build_real_site(tree, Path(tmp) / "rev-site", args.images == "on")
                finally:
                    subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
            sites["this checkout"] = build_real_site(REPO, Path(tmp) / "this", args.images == "on")
        table = {name: measure(site, binary) for name, site in sites.items()}
    names = list(table)
    print(f"Lighthouse 12, mobile, images {args.images}; sites: {', '.join(names)}\n")
    for page in PAGES:
        print(f"### {page}\n\n| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
        for key, _ in ROWS:
            print(f"| {key} | " + " | ".join(table[n][page][key] for n in names) + " |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
