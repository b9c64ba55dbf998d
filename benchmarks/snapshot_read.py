"""What the bounded snapshot reader and the signed JSON cache cost, beside the unbounded reader and the
pickle cache they replaced.

    .venv/bin/python benchmarks/snapshot_read.py [--days 1300 --per-day 25]

Prints, per file: PyYAML's C loader alone (the old reader, the reference) and safe_yaml.load (the
bounded one), each plus the schema check; and for the whole archive: a cold load (parse, check,
classify on every core, fill the cache) and a warm one (every day from the cache), with the cache read
time of JSON + HMAC beside pickle. The synthetic days are dated from the list's first day, one per
calendar day, so the date rule accepts them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import copy_project_files, dump_snapshot, iter_snapshots, text_pool  # noqa: E402
from generator.core.dates import FIRST_DAY  # noqa: E402
from generator.core.project import Project  # noqa: E402
from generator.store import safe_yaml  # noqa: E402
from generator.store.check import check_snapshot  # noqa: E402
from generator.store.load import load_archive  # noqa: E402


def make_archive(root: Path, days: int, per_day: int) -> list[bytes]:
    copy_project_files(root)
    raws = []
    for index, data in enumerate(iter_snapshots(days, per_day, seed=1, pool=text_pool(1, warn=False))):
        day = FIRST_DAY + dt.timedelta(days=index)
        data["date"] = day.isoformat()
        raw = dump_snapshot(data).encode()
        path = root / "content" / "snapshots" / f"{day:%Y}" / f"{day.isoformat()}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        raws.append(raw)
    return raws


def per_file_ms(raws: list[bytes], parsers: dict[str, Callable[[bytes], Any]]) -> dict[str, float]:
    """CPU milliseconds per file of parse + schema check, best of 9 interleaved rounds: the machine is
    shared, and CPU time of interleaved rounds is what stays comparable."""
    best = dict.fromkeys(parsers, float("inf"))
    for _ in range(9):
        for name, parse in parsers.items():
            start = time.process_time()
            for raw in raws:
                check_snapshot(Path("x.yaml"), raw, parse(raw), None)
            best[name] = min(best[name], (time.process_time() - start) / len(raws) * 1000)
    return best


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1300)
    parser.add_argument("--per-day", type=int, default=25)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="snapshot-read-"))
    os.environ["XDG_CACHE_HOME"] = str(folder / "xdg")
    try:
        raws = make_archive(folder / "project", args.days, args.per_day)
        sample = raws[:: max(1, len(raws) // 100)]
        scanned = sum(1 for raw in raws if safe_yaml._may_have_properties(raw))
        times = per_file_ms(sample, {"old": lambda raw: yaml.load(raw, Loader=yaml.CSafeLoader),
                                     "new": safe_yaml.load})
        old, new = times["old"], times["new"]
        print(f"{len(raws)} days x {args.per_day} papers, {sum(map(len, raws)) / len(raws) / 1024:.0f} KiB a day; "
              f"{scanned} day(s) needed the event scan")
        print(f"per file, parse + schema check: C loader {old:.2f} ms (reference), safe_yaml {new:.2f} ms "
              f"({(new / old - 1) * 100:+.1f}%)")
        project = Project.at(folder / "project")
        cold = timed(lambda: load_archive(project))
        warm = min(timed(lambda: load_archive(project)) for _ in range(3))
        entries = sorted(project.cache_dir.glob("*.json"))
        payloads = [entry.read_bytes().partition(b"\n")[2] for entry in entries]
        import json

        values = [json.loads(p) for p in payloads]
        pickles = [pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for v in values]
        json_s = timed(lambda: [json.loads(p) for p in payloads])
        pickle_s = timed(lambda: [pickle.loads(p) for p in pickles])
        print(f"load_archive: cold {cold:.2f} s, warm (all cached) {warm:.2f} s "
              f"({cold / warm:.1f}x); {os.cpu_count()} CPUs")
        print(f"decoding {len(entries)} cache entries: JSON {json_s * 1000:.0f} ms, pickle (old cache) "
              f"{pickle_s * 1000:.0f} ms")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
