"""Similar papers: time and peak memory at full size, and how good the neighbours are on real papers.

    python -m benchmarks.similar_bench                    # 1,300 synthetic days x 25 papers
    python -m benchmarks.similar_bench --quality DIR      # a project with the real fixtures imported

Budget (issue 12): at most 20 s and +500 MB peak memory at 35,000 papers. Peak memory is the process's
high-water mark (VmHWM, reset just before the run) minus its resident size before it.

Quality: the share of (paper, neighbour) pairs that share an AI keyword or a topic, beside the same
share for random pairs of papers, and ten random papers with their neighbours, to judge by eye.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import random
import time
from pathlib import Path

from benchmarks.synthetic import iter_snapshots
from generator.core.project import Project
from generator.domain.model import Archive, Paper
from generator.outputs.cards import card_data_files
from generator.outputs.similar import similar_papers
from generator.store.load import classify, day_from_snapshot, load_archive
from generator.store.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def synthetic_archive(days: int, per_day: int) -> Archive:
    taxonomy = load_taxonomy(REPO / "content" / "topics.yaml")
    return Archive(tuple(day_from_snapshot(classify(data, taxonomy)) for data in iter_snapshots(days, per_day)))


def measure(papers: tuple[Paper, ...]) -> None:
    gc.collect()
    before = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, the peak, to the current size
    started, cpu = time.perf_counter(), time.process_time()
    similar = similar_papers(papers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _status_kib("VmHWM")
    full = sum(1 for ids in similar.values() if len(ids) == 5)
    print(f"similar papers: {len(papers):,} papers in {seconds:.1f} s (budget 20 s; CPU {cpu:.1f} s), "
          f"peak memory +{(peak - before) / 1024:.0f} MB (budget +500 MB); {full:,} have 5 neighbours")


def output_sizes(archive: Archive) -> None:
    """What the similar papers add to the site: the card tools' day shards (the permalinks no longer list
    them: they redirect to the card, which shows them)."""
    started = time.process_time()
    shards = card_data_files(archive, similar_papers(archive.papers))
    cpu = time.process_time() - started
    sizes = sorted(len(data) for data in shards.values())
    gzipped = sorted(len(gzip.compress(data, 6)) for data in shards.values())
    print(f"card data: {len(shards):,} day shards, {sum(sizes) / 2**20:.1f} MiB in all, median "
          f"{sizes[len(sizes) // 2] / 1024:.1f} KiB ({gzipped[len(sizes) // 2] / 1024:.1f} KiB gzipped), "
          f"largest {sizes[-1] / 1024:.1f} KiB ({gzipped[-1] / 1024:.1f} KiB gzipped); "
          f"similar papers and shards: CPU {cpu:.1f} s")


def _shares(a: Paper, b: Paper) -> tuple[bool, bool]:
    keywords = {k.lower() for k in a.ai_keywords} & {k.lower() for k in b.ai_keywords}
    return bool(keywords), bool(set(a.topics) & set(b.topics) - {"other"})


def quality(archive: Archive, samples: int = 10, seed: int = 12) -> None:
    papers = {p.id: p for p in archive.papers}
    similar = similar_papers(archive.papers)
    pairs = [(papers[a], papers[b]) for a, ids in similar.items() for b in ids]
    rng = random.Random(seed)
    ids = sorted(papers)
    random_pairs = [(papers[a], papers[b]) for a, b in (rng.sample(ids, 2) for _ in range(20_000))]
    with_keywords = [p for p in papers.values() if p.ai_keywords]
    print(f"{len(papers)} papers ({len(with_keywords)} with AI keywords), {len(pairs)} neighbour pairs")
    for name, group in (("neighbours", pairs), ("random pairs", random_pairs)):
        keyed = [(a, b) for a, b in group if a.ai_keywords and b.ai_keywords]
        keyword = sum(_shares(a, b)[0] for a, b in keyed) / max(1, len(keyed))
        topic = sum(_shares(a, b)[1] for a, b in group) / max(1, len(group))
        either = sum(any(_shares(a, b)) for a, b in group) / max(1, len(group))
        print(f"  {name:13}: share an AI keyword {keyword:6.1%} (of pairs where both have keywords), "
              f"a topic (not Other) {topic:6.1%}, either {either:6.1%}")
    for paper_id in sorted(rng.sample(ids, min(samples, len(ids)))):
        print(f"\n{paper_id} {papers[paper_id].title}")
        for neighbour in similar[paper_id]:
            print(f"    -> {neighbour} {papers[neighbour].title}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1300)
    parser.add_argument("--per-day", type=int, default=25)
    parser.add_argument("--quality", type=Path, help="a project folder to judge the neighbours on")
    args = parser.parse_args()
    if args.quality:
        archive, _ = load_archive(Project.at(args.quality))
        quality(archive)
        return
    archive = synthetic_archive(args.days, args.per_day)
    measure(archive.papers)
    output_sizes(archive)


if __name__ == "__main__":
    main()
