"""Full-size build benchmark: this project's build beside stock mkdocs-material, same papers, same run.

Why: the project's design notes measured stock mkdocs-material on 1,300 days x 25 papers at 63 s, 521 MB RSS, a 678 MB
site and 57 MB of search index, mostly navigation repeated on every page. This script makes that archive
at run time (benchmarks/synthetic.py, realistic text from the real fixtures), builds it both ways as
subprocesses from cold, and prints the numbers side by side with their ratios, so a claim of "faster and
smaller" is a measurement on this machine, today, not a remembered figure.

    .venv/bin/python benchmarks/full_size.py [--days 1300 --per-day 25 --out /tmp/bench] [--skip-stock]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import REPO_ROOT, iter_snapshots, make_project, text_pool  # noqa: E402

MARKER = ".dailypapers-bench"
DAY_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/index\.html$")
BIN = Path(sys.executable).parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# --- measuring -----------------------------------------------------------------------------------


class TreeRssSampler:
    """Samples the memory of a process and all its descendants from /proc, keeping the peaks.

    `/usr/bin/time` reports the largest single process only; a build that starts MkDocs in a child,
    or works in parallel, needs the sum to show what the machine must actually hold. Summed RSS counts
    pages that a forked child shares copy-on-write with its parent twice; summed PSS (proportional set
    size, /proc/PID/smaps_rollup) counts each page once, split among the processes that map it.
    """

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self.peak_at = 0.0  # seconds from the start when the tree's PSS peaked
        self.peak_split: list[tuple[str, int]] = []  # then: each process of the tree, oldest first, and its PSS
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> tuple[set[int], dict[int, int], dict[int, str]]:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        names: dict[int, str] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2 :].split()
            pid = int(entry.name)
            names[pid] = stat[stat.find(b"(") + 1 : stat.rfind(b")")].decode(errors="replace")
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * PAGE_SIZE
        tree = {self.pid}
        grew = True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return tree, rss, names

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            tree, rss, names = self._tree()
            self.peak = max(self.peak, sum(rss.get(pid, 0) for pid in tree))
            pss = {pid: self._pss(pid) for pid in sorted(tree)}  # pids grow: the build, then its children
            if sum(pss.values()) > self.peak_pss:
                self.peak_pss = sum(pss.values())
                self.peak_at = time.perf_counter() - self._started
                self.peak_split = [(names.get(pid, "?"), size) for pid, size in pss.items() if size]
            self._stop.wait(self.interval)


@dataclass
class Run:
    """One timed build: wall time, memory, exit status, and where its output went."""

    seconds: float
    max_rss_process: int | None  # bytes, largest single process (GNU time / getrusage)
    peak_rss_tree: int  # bytes, summed over the process tree, sampled
    peak_pss_tree: int  # bytes, proportional set size summed over the tree: shared pages counted once
    returncode: int
    log: str
    peak_at: float = 0.0  # seconds into the build when the tree's PSS peaked
    peak_split: list[tuple[str, int]] = field(default_factory=list)  # (process name, PSS) at that moment


def timed_run(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Run:
    """Run `command` as a subprocess, measuring wall time and peak memory of its process tree."""
    time_bin = shutil.which("time", path="/usr/bin")
    stats = Path(tempfile.mkstemp(prefix="bench-time-")[1])
    full = [time_bin, "-v", "-o", str(stats), *command] if time_bin else command
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        with TreeRssSampler(process.pid) as sampler:
            returncode = process.wait()
        seconds = time.perf_counter() - started
    max_rss = None
    if time_bin:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats.read_text(errors="replace"))
        max_rss = int(found[1]) * 1024 if found else None
    else:  # pragma: no cover - GNU time is on this machine; this child ran in a fresh process
        import resource

        max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    stats.unlink(missing_ok=True)
    return Run(seconds, max_rss, sampler.peak, sampler.peak_pss, returncode, str(log), sampler.peak_at,
               sampler.peak_split)


@dataclass
class SiteStats:
    """What a built site weighs: what Pages must host and what a reader downloads per page."""

    bytes: int = 0  # apparent size of all files (like `du -sb`, without the directories themselves)
    files: int = 0
    html_files: int = 0
    largest_page: str = ""
    largest_page_bytes: int = 0
    day_pages: int = 0
    day_page_avg_bytes: float = 0.0
    day_page_max_bytes: int = 0
    search_files: dict[str, int] = field(default_factory=dict)  # path -> bytes
    chrome_bytes: int | None = None  # 404.html: theme and navigation alone, the floor of every page

    @property
    def search_bytes(self) -> int:
        return sum(self.search_files.values())

    @property
    def search_largest_bytes(self) -> int | None:
        """The biggest single search file: a bound on what one query must fetch at once."""
        return max(self.search_files.values(), default=None)


def site_stats(site: Path) -> SiteStats:
    """Walk the built site once: sizes, file counts, the largest page, the day pages, the search index."""
    stats = SiteStats()
    day_total = 0
    for folder, _dirs, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            size = path.stat().st_size
            rel = path.relative_to(site).as_posix()
            stats.bytes += size
            stats.files += 1
            if name.endswith(".html"):
                stats.html_files += 1
                if size > stats.largest_page_bytes:
                    stats.largest_page, stats.largest_page_bytes = rel, size
                if DAY_PAGE.match(rel):
                    stats.day_pages += 1
                    day_total += size
                    stats.day_page_max_bytes = max(stats.day_page_max_bytes, size)
            if rel == "404.html":
                stats.chrome_bytes = size
            top = rel.split("/", 1)[0]
            if (top in ("search", "pagefind") or "search_index" in name) and not name.endswith(".html"):
                stats.search_files[rel] = size
    if stats.day_pages:
        stats.day_page_avg_bytes = day_total / stats.day_pages
    return stats


# --- the two builds ------------------------------------------------------------------------------


def prepare(folder: Path) -> None:
    """Start from an empty folder; only ever delete one this script made (it carries a marker)."""
    if folder.exists():
        if not (folder / MARKER).exists():
            if any(folder.iterdir()):
                raise SystemExit(f"{folder} exists and was not made by this benchmark; choose another --out")
        else:
            shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by benchmarks/full_size.py; safe to delete\n")


def ours_command(root: Path) -> tuple[list[str], dict[str, str]]:
    """`dailypapers --root ROOT build`, from the venv's script or, before it is installed, the package."""
    env = dict(os.environ)
    script = BIN / "dailypapers"
    if script.exists():
        return [str(script), "--root", str(root), "build", "--timings"], env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    return [sys.executable, "-m", "generator", "--root", str(root), "build", "--timings"], env


def build_profile(log: Path) -> str:
    """The table `build --timings` printed at the end of the build's log: where its time and memory went."""
    text = log.read_text(encoding="utf-8", errors="replace")
    if "build profile\n" not in text:
        return ""
    return "\n".join(line for line in text.split("build profile\n", 1)[1].splitlines() if line.startswith("|"))


STOCK_MKDOCS = """\
site_name: Daily Papers (stock mkdocs-material reference)
theme:
  name: material
plugins:
  - search
"""


def _md(text: str) -> str:
    """Text as Markdown prose: line breaks joined, `<`/`&` escaped so `<think>` stays text."""
    return html.escape(" ".join(text.split()), quote=False)


def day_markdown(data: dict[str, Any]) -> str:
    """One day as a plain Markdown page, the way a stock MkDocs archive would hold it."""
    lines = [f"# Daily Papers {data['date']}", ""]
    for paper in data["papers"]:
        pid = paper["id"]
        authors = ", ".join(_md(a["name"]) for a in paper["authors"] if not a.get("hidden"))
        lines += [
            f"## {_md(paper['title'])}",
            "",
            f"**Authors:** {authors}",
            "",
            f"**Upvotes:** {paper['upvotes']} · **Comments:** {paper['comments']}",
            "",
            _md(paper["abstract"]),
            "",
            f"[arXiv](https://arxiv.org/abs/{pid}) · [PDF](https://arxiv.org/pdf/{pid}) · "
            f"[Hugging Face](https://huggingface.co/papers/{pid})",
            "",
        ]
        if paper.get("ai_keywords"):
            lines += ["*Keywords:* " + ", ".join(_md(k) for k in paper["ai_keywords"]), ""]
    return "\n".join(lines)


def make_stock_project(root: Path, days: int, per_day: int, seed: int) -> int:
    """The same papers as a stock mkdocs-material site: one page per day, default nav, built-in search."""
    (root / "mkdocs.yml").write_text(STOCK_MKDOCS, encoding="utf-8")
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(
        "# Daily Papers\n\nThe Hugging Face Daily Papers list, one page per day (stock reference build).\n",
        encoding="utf-8",
    )
    count = 0
    for data in iter_snapshots(days, per_day, seed, pool=text_pool(seed, warn=False)):
        year, month, day = data["date"].split("-")
        page = docs / year / month / f"{day}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(day_markdown(data), encoding="utf-8")
        count += len(data["papers"])
    return count


@dataclass
class Result:
    name: str
    papers: int
    setup_seconds: float
    run: Run
    site: SiteStats | None


def bench_ours(folder: Path, days: int, per_day: int, seed: int) -> Result:
    prepare(folder)
    started = time.perf_counter()
    papers = make_project(folder, days, per_day, seed)
    setup = time.perf_counter() - started
    command, env = ours_command(folder)
    print(f"ours: {papers} papers written in {setup:.1f} s; building: {' '.join(command)}", file=sys.stderr)
    run = timed_run(command, folder, folder / "build.log", env)
    site = site_stats(folder / "site") if run.returncode == 0 and (folder / "site").is_dir() else None
    return Result("ours", papers, setup, run, site)


WARM = "ours, cache warm"


def bench_ours_warm(folder: Path, papers: int) -> Result:
    """The daily workflow's build: a fresh checkout (no site/, no generated Markdown) whose snapshot
    cache the workflow restored, i.e. the cold build's `.cache/` kept and everything else it wrote gone."""
    shutil.rmtree(folder / "site", ignore_errors=True)
    for entry in (folder / "build" / "docs").iterdir():
        if entry.name != ".gitkeep":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    command, env = ours_command(folder)
    print(f"{WARM}: building again with the snapshot cache of the build before", file=sys.stderr)
    run = timed_run(command, folder, folder / "build-warm.log", env)
    site = site_stats(folder / "site") if run.returncode == 0 and (folder / "site").is_dir() else None
    return Result(WARM, papers, 0.0, run, site)


def bench_stock(folder: Path, days: int, per_day: int, seed: int) -> Result:
    prepare(folder)
    started = time.perf_counter()
    papers = make_stock_project(folder, days, per_day, seed)
    setup = time.perf_counter() - started
    command = [str(BIN / "mkdocs"), "build", "--quiet", "--config-file", str(folder / "mkdocs.yml")]
    print(f"stock: {papers} papers written in {setup:.1f} s; building: mkdocs build", file=sys.stderr)
    run = timed_run(command, folder, folder / "build.log")
    site = site_stats(folder / "site") if run.returncode == 0 else None
    return Result("stock", papers, setup, run, site)


# --- report --------------------------------------------------------------------------------------


def _mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1e6:,.1f} MB"


def _kib(n: float | None) -> str:
    return "-" if n is None else f"{n / 1024:,.1f} KiB"


ROWS: list[tuple[str, Any, Any]] = [
    # label, value getter (Result -> number | None), formatter
    ("build time (wall)", lambda r: r.run.seconds, lambda v: f"{v:,.1f} s"),
    ("peak PSS, process tree (sampled; shared pages once)", lambda r: r.run.peak_pss_tree, _mb),
    ("peak RSS, process tree (sampled)", lambda r: r.run.peak_rss_tree, _mb),
    ("peak RSS, largest process", lambda r: r.run.max_rss_process, _mb),
    ("site size (apparent)", lambda r: r.site and r.site.bytes, _mb),
    ("files", lambda r: r.site and r.site.files, lambda v: f"{v:,}"),
    ("HTML pages", lambda r: r.site and r.site.html_files, lambda v: f"{v:,}"),
    ("largest page", lambda r: r.site and r.site.largest_page_bytes, _kib),
    ("average day page", lambda r: r.site and r.site.day_page_avg_bytes, _kib),
    ("largest day page", lambda r: r.site and r.site.day_page_max_bytes, _kib),
    ("404 page (chrome + nav only)", lambda r: r.site and r.site.chrome_bytes, _kib),
    ("search index (all files)", lambda r: r.site and r.site.search_bytes, _mb),
    ("search index files", lambda r: r.site and len(r.site.search_files), lambda v: f"{v:,}"),
    ("search index, largest file", lambda r: r.site and r.site.search_largest_bytes, _kib),
]


def table(results: list[Result]) -> str:
    """A Markdown table, one column per build, plus each of ours over stock when stock ran."""
    by_name = {r.name: r for r in results}
    compared = [r for r in results if r.name != "stock"] if "stock" in by_name else []
    header = ["", *(r.name if r.run.returncode == 0 else f"{r.name} (FAILED)" for r in results)]
    header += [f"{r.name} / stock" for r in compared]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, raw_get, fmt in ROWS:
        # a failed build's time and memory measure nothing worth comparing
        def get(r: Result, raw_get: Any = raw_get) -> Any:
            return raw_get(r) if r.run.returncode == 0 else None

        values = [get(r) for r in results]
        cells = [label, *("-" if v is None else fmt(v) for v in values)]
        for r in compared:
            ours, stock = get(r), get(by_name["stock"])
            cells.append(f"{ours / stock:.2f}" if ours is not None and stock else "-")
        lines.append("| " + " | ".join(cells) + " |")
    for r in results:
        if r.run.peak_split:
            held = " + ".join(f"{name} {size / 1e6:,.0f} MB" for name, size in r.run.peak_split if size >= 1e6)
            lines.append(f"\n{r.name}: PSS peaked {r.run.peak_at:.1f} s in: {held} (processes oldest first; "
                         "the build's forked jobs after it)")
        if r.site:
            lines.append(f"\n{r.name}: largest page {r.site.largest_page}; "
                         f"search files: {len(r.site.search_files)}"
                         + (f", biggest {max(r.site.search_files.items(), key=lambda kv: kv[1])[0]}"
                            if r.site.search_files else ""))
    return "\n".join(lines)


def to_json(results: list[Result], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "days": args.days,
        "per_day": args.per_day,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "real_text": text_pool(args.seed, warn=False).real,
        "results": {},
    }
    for r in results:
        entry = asdict(r)
        if r.site:
            entry["site"]["search_bytes"] = r.site.search_bytes
            entry["site"]["search_largest_bytes"] = r.site.search_largest_bytes
            entry["site"]["search_files"] = len(r.site.search_files)
        out["results"][r.name] = entry
    if {"ours", "stock"} <= out["results"].keys():
        ratios = {}
        by_name = {r.name: r for r in results}
        for label, get, _fmt in ROWS:
            ours, stock = get(by_name["ours"]), get(by_name["stock"])
            ratios[label] = ours / stock if ours is not None and stock else None
        out["ratios_ours_over_stock"] = ratios
        if WARM in by_name:
            out["ratios_warm_over_stock"] = {
                label: (warm / stock if (warm := get(by_name[WARM])) is not None and (stock := get(by_name["stock"]))
                        else None) for label, get, _fmt in ROWS}
    return out


def _tail(path: str, lines: int = 15) -> str:
    text = Path(path).read_text(errors="replace").splitlines()
    return "\n".join("    " + line for line in text[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=1300,
                        help="days of papers from 2023-05-04, the list's first day (default 1300)")
    parser.add_argument("--per-day", type=int, default=25, help="papers a day (default 25)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "dailypapers-bench",
                        help="work folder; gets ours/ and stock/ (default: %(default)s)")
    parser.add_argument("--skip-stock", action="store_true", help="do not build the stock reference")
    parser.add_argument("--skip-ours", action="store_true", help="do not build with this project")
    parser.add_argument("--warm", action="store_true",
                        help="then build ours again as the daily workflow does: fresh site, snapshot cache restored")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--clean", action="store_true", help="delete the work folders afterwards")
    args = parser.parse_args(argv)

    pool = text_pool(args.seed)
    print(f"text: {'real papers' if pool.real else 'PSEUDO-TEXT'} from {pool.source} ({len(pool)} papers); "
          f"{args.days} days x {args.per_day} papers; {os.cpu_count()} CPUs", file=sys.stderr)
    results: list[Result] = []
    failed = False
    if not args.skip_ours:
        results.append(bench_ours(args.out / "ours", args.days, args.per_day, args.seed))
        if args.warm and results[-1].run.returncode == 0:
            results.append(bench_ours_warm(args.out / "ours", results[-1].papers))
    if not args.skip_stock:
        results.append(bench_stock(args.out / "stock", args.days, args.per_day, args.seed))
    for r in results:
        if r.run.returncode != 0:
            failed = True
            print(f"\n{r.name} build FAILED (exit {r.run.returncode}); last lines of {r.run.log}:\n"
                  f"{_tail(r.run.log)}\n", file=sys.stderr)
    print(table(results))
    for r in results:
        if r.name != "stock" and r.run.returncode == 0 and (profile := build_profile(Path(r.run.log))):
            print(f"\nwhere the build spent its time ({r.name}, `dailypapers build --timings`):\n\n{profile}")
    if args.json:
        args.json.write_text(json.dumps(to_json(results, args), indent=2) + "\n", encoding="utf-8")
    if args.clean:
        for r in results:
            shutil.rmtree(args.out / r.name, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
