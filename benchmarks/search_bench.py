"""Search benchmark: the archive's sharded lunr search beside Pagefind, on the same built site, in
headless Chromium, over one fixed query set.

    .venv/bin/python -m benchmarks.search_bench                 # the real API fixtures
    .venv/bin/python -m benchmarks.search_bench --synthetic 1300 27   # full size (~35,000 papers)

Needs Pagefind as the reference: `pip install 'pagefind[bin]'` (only here; the site does not use it).
Pagefind indexes the same site's day pages (every paper is on its first day's page).

Queries: exact titles of 200 random papers, 50 author names, 20 two- and three-word topical queries,
50 arXiv ids. Each query runs in a fresh browser context (cold cache, code included), so bytes and
requests are what a first search costs. Bytes are counted at the local HTTP server as sent on the wire,
gzip-compressed for text types as GitHub Pages does (Pagefind's index files are gzip already). Time to
first results runs from navigation start of a blank page until the ten best results' records (title,
URL, snippet source) are in memory, for both.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from generator.core.urls import url

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TOPICAL = ["diffusion models", "reinforcement learning", "video generation", "large language models",
           "code generation", "image editing", "speech recognition", "mixture of experts",
           "vision language model", "reward model", "chain of thought", "text to image",
           "multimodal reasoning benchmark", "long context", "world model", "robot manipulation policy",
           "3d gaussian splatting", "retrieval augmented generation", "model quantization", "agent memory"]
COMPRESSED = (".html", ".js", ".json", ".css", ".svg", ".xml", ".txt")

# The header's search form names the index's folder (search-ui.js reads its action, from core/urls.py in
# the build); the page has the form with nothing in it, so the box itself is not set up.
OURS_PAGE = """<!doctype html><meta charset="utf-8"><meta name="dp-root" content=".">
<form class="dp-search" action="SEARCH_URL" hidden></form>
<script src="assets/search/search-core.js"></script>
<script src="assets/search/search-ui.js"></script>
<script>
window.bench = async (q) => {
  const r = await dpSearch.search(q, {});
  const top = r.hits.slice(0, 10);
  const records = await dpSearch.docs(r.manifest, top);
  return {ms: performance.now(), total: r.total, docs: top.map(h => h.doc), titles: records.map(x => x.title)};
};
</script>"""
PAGEFIND_PAGE = """<!doctype html><meta charset="utf-8">
<script>
window.bench = async (q) => {
  const pf = await import("./pagefind/pagefind.js");
  const r = await pf.search(q);
  const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
  return {ms: performance.now(), total: r.results.length, urls: data.map(d => d.url),
          subs: data.map(d => (d.sub_results || []).map(s => s.url))};
};
</script>"""


class Counter:
    def __init__(self) -> None:
        self.bytes = 0
        self.requests = 0
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.bytes = self.requests = 0


def make_server(site: Path, counter: Counter, nagle: bool = False,
                latency: float = 0.0) -> http.server.ThreadingHTTPServer:
    """The site on 127.0.0.1. TCP_NODELAY unless `nagle`: with Nagle's algorithm on, http.server's
    separate writes of headers and body wait for the browser's delayed ACK, ~40 ms a response on
    loopback, a stall no real web server has. `latency` seconds are waited before each answer, to
    stand in for a real network's round trip."""
    pages = {"/__ours.html": OURS_PAGE.replace("SEARCH_URL", url("search")), "/__pagefind.html": PAGEFIND_PAGE}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = not nagle

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if latency:
                time.sleep(latency)
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            if path in pages:
                body, kind = pages[path].encode(), "text/html"
            else:
                file = site / path.lstrip("/")
                if file.is_dir():
                    file = file / "index.html"
                if not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                kind = {".js": "text/javascript", ".json": "application/json", ".html": "text/html",
                        ".css": "text/css", ".wasm": "application/wasm"}.get(file.suffix, "application/octet-stream")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            if path.endswith(COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body, 6, mtime=0)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if path.startswith(("/search/", "/assets/search/", "/pagefind/")):
                with counter.lock:
                    counter.bytes += len(body)
                    counter.requests += 1

        def log_message(self, *args: object) -> None:
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def prepare(args: argparse.Namespace, work: Path) -> tuple[Path, object, float, float]:
    """Build the site (our index included), time our index alone, then index it with Pagefind."""
    sys.path.insert(0, str(REPO / "tests"))
    from generator.core.project import Project
    from generator.outputs.search import build_search_index
    from generator.publish.build import build_site
    from generator.store.load import load_archive

    if args.reuse:  # its site, our index and Pagefind's are there already
        project = Project.at(args.reuse)
        return project.site_dir, load_archive(project)[0], float("nan"), float("nan")
    root = work / "project"
    if args.synthetic:
        from benchmarks.synthetic import make_project

        make_project(root, args.synthetic[0], args.synthetic[1], seed=1)
        for name in ("content/topics.yaml", "content/pages"):
            source, target = REPO / name, root / name
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            elif not target.exists():
                shutil.copy(source, target)
    else:
        from conftest import new_project

        from generator.cli import main

        new_project(root)
        days = sorted((REPO.parent / "shared" / "fixtures" / "hf-api" / "days").glob("*.json"))
        main(["--root", str(root), "import", *map(str, days)])
    project = Project.at(root)
    started = time.perf_counter()
    build_site(project, site_url="https://user.github.io/archive/")
    print(f"site built in {time.perf_counter() - started:.1f} s", flush=True)
    archive, taxonomy = load_archive(project)
    started = time.perf_counter()
    build_search_index(archive, taxonomy)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(project.site_dir), "--glob",
                    "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/index.html"], check=True,
                   capture_output=True)
    pagefind_seconds = time.perf_counter() - started
    return project.site_dir, archive, ours_seconds, pagefind_seconds


def queries(archive, seed: int = 7) -> list[tuple[str, str, object]]:
    rng = random.Random(seed)
    papers = archive.papers
    out: list[tuple[str, str, object]] = []
    for index in rng.sample(range(len(papers)), min(200, len(papers))):
        out.append(("title", papers[index].title, index))
    for index in rng.sample(range(len(papers)), min(50, len(papers))):
        authors = papers[index].visible_authors
        if authors:
            out.append(("author", rng.choice(authors).name, index))
    out += [("topical", q, None) for q in TOPICAL]
    for index in rng.sample(range(len(papers)), min(50, len(papers))):
        out.append(("arxiv id", papers[index].id, index))
    return out


def run(site: Path, archive, limit: int | None, nagle: bool = False,
        latency: float = 0.0) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    counter = Counter()
    server = make_server(site, counter, nagle, latency)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    papers = archive.papers
    rows: dict[str, list[dict]] = {"ours": [], "pagefind": []}
    qs = queries(archive)[:limit] if limit else queries(archive)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for kind, text, index in qs:
            for system, page_path in (("ours", "/__ours.html"), ("pagefind", "/__pagefind.html")):
                context = browser.new_context()
                tab = context.new_page()
                tab.goto(origin + page_path)
                counter.reset()
                result = tab.evaluate("q => window.bench(q)", text)
                row = {"kind": kind, "query": text, "bytes": counter.bytes, "requests": counter.requests,
                       "ms": result["ms"], "total": result["total"], "rank": None}
                if index is not None and kind in ("title", "arxiv id"):
                    paper = papers[index]
                    if system == "ours":
                        ranks = [i for i, d in enumerate(result["docs"]) if d == index]
                        same = [i for i, t in enumerate(result["titles"]) if t == paper.title]
                        row["rank"] = (ranks or [None])[0]
                        row["title_rank"] = (same or [None])[0]
                    else:
                        day = f"/{paper.day:%Y/%m/%d}/"
                        ranks = [i for i, u in enumerate(result["urls"]) if day in u]
                        row["rank"] = (ranks or [None])[0]
                        row["title_rank"] = row["rank"]
                rows[system].append(row)
                context.close()
        browser.close()
    server.shutdown()
    return rows


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def table(rows: dict[str, list[dict]], synthetic: bool) -> str:
    lines = ["| query set | search | KiB/query median (p90, max) | requests median (max) | "
             "first results ms median (p90) | exact title: first / top 10 |",
             "|---|---|---|---|---|---|"]
    kinds = list(dict.fromkeys(r["kind"] for r in rows["ours"]))
    for kind in kinds:
        for system in ("ours", "pagefind"):
            rs = [r for r in rows[system] if r["kind"] == kind]
            kib = [r["bytes"] / 1024 for r in rs]
            req = [r["requests"] for r in rs]
            ms = [r["ms"] for r in rs]
            ranks = ""
            if kind == "title":
                key = "title_rank" if synthetic else "rank"
                got = [r.get(key) for r in rs]
                first = sum(1 for g in got if g == 0) / len(got) * 100
                top = sum(1 for g in got if g is not None and g < 10) / len(got) * 100
                ranks = f"{first:.1f}% / {top:.1f}%"
            elif kind == "arxiv id":
                got = [r["rank"] for r in rs]
                ranks = f"id found first: {sum(1 for g in got if g == 0) / len(got) * 100:.0f}%"
            name = "this archive (lunr shards)" if system == "ours" else "Pagefind"
            lines.append(f"| {kind} ({len(rs)}) | {name} | {statistics.median(kib):.1f} ({_pct(kib, .9):.1f}, "
                         f"{max(kib):.1f}) | {statistics.median(req):.0f} ({max(req)}) | "
                         f"{statistics.median(ms):.0f} ({_pct(ms, .9):.0f}) | {ranks} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", nargs=2, type=int, metavar=("DAYS", "PER_DAY"))
    parser.add_argument("--limit", type=int, help="run only the first N queries (a quick check)")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("--nagle", action="store_true",
                        help="leave Nagle's algorithm on, as this script did before 2026-12-04 (~40 ms a response)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="wait MS milliseconds before each response, as a network would")
    parser.add_argument("--reuse", type=Path, metavar="PROJECT",
                        help="a project this script built before (--keep DIR: DIR/project): skip the build")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        site, archive, ours_s, pagefind_s = prepare(args, work)
        papers = archive.papers
        index_files = [p for p in (site / "search").rglob("*") if p.is_file()]
        pf_files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
        print(f"\n{len(papers)} papers on {len(archive.days)} days")
        print(f"index build: ours {ours_s:.1f} s ({len(index_files)} files, "
              f"{sum(p.stat().st_size for p in index_files) / 2**20:.1f} MiB); "
              f"Pagefind {pagefind_s:.1f} s ({len(pf_files)} files, "
              f"{sum(p.stat().st_size for p in pf_files) / 2**20:.1f} MiB)\n", flush=True)
        rows = run(site, archive, args.limit, args.nagle, args.latency / 1000)
        print(f"server: {'Nagle on' if args.nagle else 'TCP_NODELAY'}, {args.latency:g} ms before each response")
        print(table(rows, bool(args.synthetic)))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
