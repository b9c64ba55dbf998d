"""The archive's search index: lunr's text pipeline and scoring, split into small files so a query
downloads only the terms it asks for.

Why not lunr.py's own builder: it indexes about 450 documents a second here (over a minute for 35,000
papers) and writes one file of ~140 MB. Why not lunr.py's tokenizer and trimmer either: they differ from
lunr.js (lunr.py splits on fewer space characters, and its trimmer keeps "(a.b)" whole and treats "é" as
a word character where lunr.js strips it), so a query typed in the browser would miss words indexed in
Python. This module therefore reimplements lunr.js's pipeline exactly (tokenizer, trimmer, stop word
filter; the Porter stemmer and stop word list are lunr.py's, which match lunr.js word for word; the tests
check all of it against lunr.js run in Node) and computes lunr's BM25 field weights itself.

Layout of the files (all under `search/`, described in design/search.md):

- `manifest.json`: fields, where each term shard starts (see shard_start), years as document ranges,
  topics, and everything the browser needs to read the other files: their paths, the record and facet
  keys, the postings code, and the card URL pattern (views.day_url as a pattern). search-core.js holds
  none of these itself, so they are written in this module only.
- `shards/N.json`: a slice of the sorted vocabulary as [term, postings] pairs; the postings of all
  fields in one string of base-91 numbers (document deltas, weights x 1000; see encode_postings). The
  browser turns the shards a query needs into a lunr serialized index (same terms, same weights as
  lunr's builder gives) and runs lunr.js's own query.
- `docs/K/N.json`: what a result shows (title, day, authors, upvotes, and the AI summary or the
  abstract's first 240 characters for the snippet).
- `facets/K.json`: upvotes and topics of 1,000 documents, for sorting by upvotes and topic filters.
- `ids/YYMM.json`: arXiv id -> document number, for id and URL queries.
- `lunr.js`: lunr.js copied from the installed mkdocs package at build time (no CDN, no vendored copy).

Documents are numbered oldest day first, so a document number orders by date and a year is a range.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
from lunr.stop_word_filter import WORDS as STOP_WORDS

from generator.core.urls import PATTERNS, url
from generator.domain.model import Archive, Paper
from generator.domain.topics import Taxonomy

# The index layout search-core.js reads; it refuses another (asking for a reload). Bump on any change
# to the files' shapes or the manifest's keys.
FORMAT = 4
LUNR_VERSION = "2.3.9"
# Field name, boost: the title counts most, then keywords and authors, the abstract least.
FIELDS: tuple[tuple[str, int], ...] = (
    ("title", 10),
    ("keywords", 3),
    ("authors", 3),
    ("organization", 2),
    ("abstract", 1),
)
K1 = 1.2
B = 0.75
SNIPPET_CHARS = 240  # a result's snippet source, cut at a word boundary
SHARD_TARGET_BYTES = 5_000  # encoded postings per term shard (~4 KB gzip), before HTTP compression
DOCS_PER_DIR = 1000
FACETS_PER_FILE = 1000
# Where each kind of index file lives, relative to search/; the builder and search-core.js fill in the
# {names}. The manifest and lunr.js are the two fixed entry points search-core.js knows by name.
SEARCH_DIR = url("search")  # the index lives beside the search page
MANIFEST_PATH = SEARCH_DIR + "manifest.json"
LUNR_PATH = SEARCH_DIR + "lunr.js"
PATHS = {
    "shard": "shards/{shard}.json",
    "doc": "docs/{dir}/{doc}.json",
    "facets": "facets/{file}.json",
    "ids": "ids/{bucket}.json",
}
# A result record's keys (search/docs/*.json): one letter each, since a record's keys travel with
# every result shown. The browser maps them back to these names.
RECORD_KEYS = {"id": "id", "title": "t", "day": "d", "upvotes": "u", "authors": "a", "organization": "o",
               "snippet": "s"}
# A facet file's keys: upvotes and topic bits of FACETS_PER_FILE documents, in document order.
FACET_KEYS = {"upvotes": "u", "topics": "t"}

# lunr.js splits on /[\s\-]+/; JavaScript's \s is this exact set (Python's \s also has \x1c-\x1f, \x85).
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SEPARATOR = re.compile(f"[{JS_SPACE}\\-]+")
# lunr.js's trimmer: /^\W+/ and /\W+$/ without the u flag, i.e. ASCII word characters only.
_LEAD = re.compile(r"^[^A-Za-z0-9_]+")
_TRAIL = re.compile(r"[^A-Za-z0-9_]+\Z")
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")
ID_BUCKET_CHARS = 4  # an arXiv id's ids file is named by its first 4 characters, its YYMM


# ---- lunr.js's Porter stemmer, ported line by line --------------------------------------------------
# lunr.py's stemmer is the original Porter algorithm; lunr.js's differs (step 1c turns "y" into "i" only
# after a consonant: lunr.js keeps "key", "employ", "journey", lunr.py gives "kei", "emploi", "journei").
# Regular expressions are the same as lunr.js's; like JavaScript they see UTF-16 code units.

_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
          "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
          "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + r")?\Z")
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_S_V = re.compile("^(" + _C + ")?" + _v)
_RE_1A = re.compile(r"^(.+?)(ss|i)es\Z", re.S)
_RE2_1A = re.compile(r"^(.+?)([^s])s\Z", re.S)
_RE_1B = re.compile(r"^(.+?)eed\Z", re.S)
_RE2_1B = re.compile(r"^(.+?)(ed|ing)\Z", re.S)
_RE2_1B_2 = re.compile(r"(at|bl|iz)\Z")
_RE3_1B_2 = re.compile(r"([^aeiouylsz])\1\Z")
_RE4_1B_2 = re.compile("^" + _C + _v + r"[^aeiouwxy]\Z")
_RE_1C = re.compile(r"^(.+?[^aeiou])y\Z", re.S)
_RE_2 = re.compile(r"^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism"
                   r"|iveness|fulness|ousness|aliti|iviti|biliti|logi)\Z", re.S)
_RE_3 = re.compile(r"^(.+?)(icate|ative|alize|iciti|ical|ful|ness)\Z", re.S)
_RE_4 = re.compile(r"^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\Z",
                   re.S)
_RE2_4 = re.compile(r"^(.+?)(s|t)(ion)\Z", re.S)
_RE_5 = re.compile(r"^(.+?)e\Z", re.S)
_RE_5_1 = re.compile(r"ll\Z")
_RE3_5 = re.compile("^" + _C + _v + r"[^aeiouwxy]\Z")


def _utf16_units(word: str) -> str:
    """The word as UTF-16 code units (astral characters as two surrogates), as JavaScript sees it."""
    if all(ord(ch) < 0x10000 for ch in word):
        return word
    return "".join(ch if ord(ch) < 0x10000 else _surrogates(ord(ch) - 0x10000) for ch in word)


def _surrogates(offset: int) -> str:
    return chr(0xD800 + (offset >> 10)) + chr(0xDC00 + (offset & 0x3FF))


def _from_units(word: str) -> str:
    return word.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def js_stem(word: str) -> str:
    """lunr.stemmer (lunr.js 2.3.9) on one word."""
    units = _utf16_units(word)
    stemmed = _porter(units)
    return stemmed if units is word else _from_units(stemmed)


def _porter(w: str) -> str:  # noqa: C901 - a literal port; its shape follows lunr.js for review
    if len(w) < 3:
        return w
    firstch = w[0]
    if firstch == "y":
        w = "Y" + w[1:]
    if (m := _RE_1A.match(w)) or (m := _RE2_1A.match(w)):
        w = m.group(1) + m.group(2)
    if m := _RE_1B.match(w):
        if _MGR0.match(m.group(1)):
            w = w[:-1]
    elif m := _RE2_1B.match(w):
        stem = m.group(1)
        if _S_V.match(stem):
            w = stem
            if _RE2_1B_2.search(w):
                w = w + "e"
            elif _RE3_1B_2.search(w):
                w = w[:-1]
            elif _RE4_1B_2.match(w):
                w = w + "e"
    if m := _RE_1C.match(w):
        w = m.group(1) + "i"
    if (m := _RE_2.match(w)) and _MGR0.match(m.group(1)):
        w = m.group(1) + _STEP2[m.group(2)]
    if (m := _RE_3.match(w)) and _MGR0.match(m.group(1)):
        w = m.group(1) + _STEP3[m.group(2)]
    if m := _RE_4.match(w):
        if _MGR1.match(m.group(1)):
            w = m.group(1)
    elif m := _RE2_4.match(w):
        stem = m.group(1) + m.group(2)
        if _MGR1.match(stem):
            w = stem
    if m := _RE_5.match(w):
        stem = m.group(1)
        if _MGR1.match(stem) or (_MEQ1.match(stem) and not _RE3_5.match(stem)):
            w = stem
    if _RE_5_1.search(w) and _MGR1.match(w):
        w = w[:-1]
    if firstch == "y":
        w = "y" + w[1:]
    return w


def js_lower(text: str) -> str:
    """String.prototype.toLowerCase as V8 does it; Python's lower() agrees on everything we have met
    (final sigma, dotted I); kept as one function so a difference found later is fixed in one place."""
    return text.lower()


def tokenize(text: str) -> list[str]:
    """lunr.tokenizer for a string: lower-case, split on JavaScript whitespace and hyphens."""
    return [t for t in _SEPARATOR.split(js_lower(text)) if t]


def pipeline_term(token: str) -> str | None:
    """lunr.js's indexing pipeline (trimmer, stopWordFilter, stemmer) for one token; None if dropped.

    An empty token (a token of punctuation only) is kept as "", as lunr.js keeps it: it counts in the
    field length, which BM25 uses, though no query can ever reach it.
    """
    word = _TRAIL.sub("", _LEAD.sub("", token))
    return None if word in STOP_WORDS else js_stem(word) if word else ""


_DROPPED = object()  # in _ANALYZED: a token the pipeline drops
_ANALYZED: dict[str, object] = {}  # token -> its term or _DROPPED: pipeline_term's results, read in bulk
_ANALYZED_LIMIT = 2_000_000  # tokens remembered: bounds the memo's memory on hostile text


def analyze(text: str) -> list[str]:
    """Every indexed term of a text, in order, as lunr.js's builder would index them. (8 million
    tokens at full size, most met before: they are looked up in one `map`, and only new ones go
    through `pipeline_term`.)"""
    tokens = tokenize(text)
    found: list[object] = list(map(_ANALYZED.get, tokens))
    if None in found:
        for i, term in enumerate(found):
            if term is None:
                piped = pipeline_term(tokens[i])
                found[i] = _DROPPED if piped is None else piped
                if len(_ANALYZED) < _ANALYZED_LIMIT:
                    _ANALYZED[tokens[i]] = found[i]
    return [term for term in found if isinstance(term, str)]  # every one but _DROPPED


def js_sort_key(text: str) -> bytes:
    """JavaScript compares strings by UTF-16 code units; lunr's TokenSet.Builder requires that order."""
    return text.encode("utf-16-be", "surrogatepass")


def field_texts(paper: Paper) -> tuple[str, ...]:
    """The text of each field in FIELDS order; lists are joined into text, as lunr would split them."""
    org = paper.organization
    org_text = ""
    if org is not None:
        org_text = org.fullname if org.fullname.lower() == org.name.lower() else f"{org.fullname} {org.name}"
    return (
        paper.title,
        ", ".join(paper.ai_keywords),
        ", ".join(a.name for a in paper.visible_authors),
        org_text.strip(),
        paper.abstract,
    )


def id_bucket(paper_id: str) -> str:
    """The ids file a paper id is listed in: its YYMM for arXiv ids, "other" for anything else."""
    return paper_id[:ID_BUCKET_CHARS] if ARXIV_ID.match(paper_id) else "other"


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def lunr_js_original() -> bytes:
    """lunr.js as shipped inside the installed mkdocs package: the browser half of the same pipeline."""
    import mkdocs.contrib.search as search_plugin

    path = Path(search_plugin.__file__).parent / "templates" / "search" / "lunr.js"
    data = path.read_bytes()
    if f'lunr.version = "{LUNR_VERSION}"'.encode() not in data:
        raise RuntimeError(f"{path} is not lunr.js {LUNR_VERSION}; the index format would not match")
    return data


@cache
def lunr_js_source() -> bytes:
    """lunr.js as the site serves it: minified by rjsmin (97 KiB down to 40, 24 KiB gzipped down to 10;
    every reader's first search loads it), its licence header kept as it was. rjsmin, not a hand-written
    minifier: it only removes comments and whitespace, which keeps the code lunr.js's own."""
    import rjsmin

    original = lunr_js_original().decode("utf-8")
    header_end = original.index("*/") + 2  # the first comment: lunr's name, version, copyright, licence
    return (original[:header_end] + "\n" + rjsmin.jsmin(original[header_end:]) + "\n").encode("utf-8")


class _Postings:
    """term -> per field list of (doc, tf), built in one pass over the papers."""

    def __init__(self, field_count: int) -> None:
        self.by_term: defaultdict[str, list[list[int]]] = defaultdict(lambda: [[] for _ in range(field_count)])
        self.lengths: list[list[int]] = [[] for _ in range(field_count)]
        self.field_count = field_count

    def add(self, doc: int, texts: Iterable[str]) -> None:
        by_term = self.by_term
        for field, text in enumerate(texts):
            terms = analyze(text) if text else []
            self.lengths[field].append(len(terms))
            for term, tf in Counter(terms).items():  # in the order terms first occur
                if term:
                    by_term[term][field] += (doc, tf)


def _weighted_postings(fields: list[list[int]], lengths: list[list[int]], length_arrays: list[np.ndarray],
                       averages: list[float], documents: int) -> list[list[int]]:
    """One term's postings per field as flat [document delta, weight x 1000, ...].

    Weights are lunr.Builder's: BM25 with lunr's idf (documents counted once per field holding the
    term, as lunr.idf does), times the field boost, rounded to 3 decimals with Math.round. A long list
    is weighed by numpy in the same float64 operations in the same order, so to the same bits
    (`length_arrays`: `lengths` as float64 arrays, made once for all terms; the loop reads the lists,
    whose items are Python numbers, faster than a numpy scalar).
    """
    with_term = sum(len(p) // 2 for p in fields)
    x = (documents - with_term + 0.5) / (with_term + 0.5)
    idf = math.log(1 + abs(x))
    weighted = []
    for field, postings in enumerate(fields):
        boost = FIELDS[field][1]
        average = averages[field]
        field_lengths = lengths[field]
        if len(postings) >= _NUMPY_POSTINGS:
            weighted.append(_weighted_array(postings, length_arrays[field], average, idf, boost))
            continue
        out = []
        previous = 0
        for i in range(0, len(postings), 2):
            doc, tf = postings[i], postings[i + 1]
            norm = K1 * (1 - B + B * (field_lengths[doc] / average)) + tf
            score = idf * ((K1 + 1) * tf) / norm * boost
            out.append(doc - previous)
            out.append(math.floor(score * 1000 + 0.5))
            previous = doc
        weighted.append(out)
    return weighted


_NUMPY_POSTINGS = 64  # flat entries (32 postings) from which numpy's per-call cost pays off


def _weighted_array(postings: list[int], field_lengths: np.ndarray, average: float, idf: float,
                    boost: int) -> list[int]:
    """`_weighted_postings`' loop for one field, as array operations (each is one IEEE operation per
    element, as in the loop: the weights are the same integers)."""
    flat = np.array(postings, dtype=np.int64)
    docs, tf = flat[0::2], flat[1::2].astype(np.float64)
    lengths = field_lengths[docs]
    norm = K1 * ((1 - B) + B * (lengths / average)) + tf
    score = idf * ((K1 + 1) * tf) / norm * boost
    out = np.empty_like(flat)
    out[0::2] = np.diff(docs, prepend=0)
    out[1::2] = np.floor(score * 1000 + 0.5).astype(np.int64)
    return out.tolist()


# ---- postings as text ------------------------------------------------------------------------------
# JSON arrays of decimals cost ~7.8 bytes a posting (36 MB of shards at full size). Numbers are written
# instead in base 91 (printable ASCII but '"' and '\', which JSON would escape), self-delimiting: the
# last digit of a number is one of the first T symbols, the digits before it are of the other 91 - T.
# Small numbers (counts, document deltas, palette indices) and weights get their own T, chosen on the
# full-size archive. A common term's postings in one field repeat a few hundred distinct weights (a
# weight depends only on the term's frequency and the field's length), so a field whose weights are
# shorter as a palette (most frequent first) plus an index per posting is written that way.

DIGIT_RANGES = ((0x23, 0x5B), (0x5D, 0x7E))  # code points, inclusive: printable ASCII but '"' and '\\'
DIGITS = "".join(chr(c) for low, high in DIGIT_RANGES for c in range(low, high + 1))
SMALL_T = 72  # terminal symbols for counts, deltas and palette indices: one character to 71, two to 1,439
WEIGHT_T = 46  # for weights x 1000, mostly 1,000..30,000: two characters to 2,115, three to 95,265
# The code as the manifest gives it to the browser's decoder.
POSTINGS_CODE = {"digits": [list(r) for r in DIGIT_RANGES], "small": SMALL_T, "weight": WEIGHT_T}
# Memo of codes: the numbers met are bounded (deltas < documents, weights < 10^6).
_CODES: dict[int, dict[int, str]] = {SMALL_T: {}, WEIGHT_T: {}}


def encode_number(n: int, terminal: int) -> str:
    """`n` >= 0 in the self-delimiting base-91 code with `terminal` final-digit symbols (memoized)."""
    codes = _CODES[terminal]
    code = codes.get(n)
    if code is None:
        other = len(DIGITS) - terminal
        digits = [DIGITS[n % terminal]]
        rest = n // terminal
        while rest:  # bijective base `other`: every digit string is one number
            rest -= 1
            digits.append(DIGITS[terminal + rest % other])
            rest //= other
        code = codes[n] = "".join(reversed(digits))
    return code


def encode_postings(fields: list[list[int]]) -> str:
    """A term's postings (per field flat [document delta, weight x 1000, ...]) as one string.

    Per field: the posting count (0: none); then the palette size (0: weights written inline) and the
    palette; then per posting the document delta and the weight or its palette index.
    """
    small, weight = _CODES[SMALL_T], _CODES[WEIGHT_T]
    out = []
    for flat in fields:
        out.append(encode_number(len(flat) // 2, SMALL_T))
        if not flat:
            continue
        deltas, weights = flat[0::2], flat[1::2]
        counts: dict[int, int] = {}
        for w in weights:
            counts[w] = counts.get(w, 0) + 1
        palette = sorted(counts, key=lambda w: (-counts[w], w))
        inline = sum(len(encode_number(w, WEIGHT_T)) * counts[w] for w in palette)
        indexed = len(encode_number(len(palette), SMALL_T)) + sum(
            len(weight[w]) + counts[w] * len(encode_number(i, SMALL_T)) for i, w in enumerate(palette))
        doc_codes = [small.get(d) or encode_number(d, SMALL_T) for d in deltas]
        if indexed < inline:
            rank = {w: small[i] for i, w in enumerate(palette)}
            out.append(small[len(palette)])
            out.extend(weight[w] for w in palette)
            weight_codes = [rank[w] for w in weights]
        else:
            out.append(encode_number(0, SMALL_T))
            weight_codes = [weight[w] for w in weights]
        out.extend(chain.from_iterable(zip(doc_codes, weight_codes, strict=True)))
    return "".join(out)


def snippet_source(paper: Paper) -> str:
    """The text a result's snippet is cut from: the AI summary if there is one, else the abstract's
    start. Storing whole abstracts made the result records 62 MB at full size, for a snippet of 40 words.
    """
    text = " ".join(paper.ai_summary.split()) or " ".join(paper.abstract.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    head = text[: SNIPPET_CHARS + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > SNIPPET_CHARS // 2 else head[:SNIPPET_CHARS]
    return head.rstrip(" ,;:.") + "…"


def _doc_record(paper: Paper, day: str) -> dict[str, object]:
    """What one result shows. Topics are not here (filters read them from the facet files), nor AI
    keywords: they are searched, but showing them cost 5 MB of records at full size."""
    fields: dict[str, object] = {
        "id": paper.id,
        "title": paper.title,
        "day": day,
        "upvotes": paper.upvotes,
        "authors": [a.name for a in paper.visible_authors],  # whole: an author query shows the matched name
        "snippet": snippet_source(paper),
    }
    if paper.organization is not None:
        fields["organization"] = paper.organization.label
    return {RECORD_KEYS[name]: value for name, value in fields.items()}


def shard_start(previous: str | None, first: str) -> str:
    """What the manifest lists as the start of a shard whose first term is `first`, after a shard whose
    last term is `previous`: the shortest prefix of `first` above `previous` (for the first shard, its
    first character: never empty, so an empty list of starts means no shards). The browser only asks
    which shard a term falls in (the last start <= the term, in UTF-16 order), and a prefix answers that
    as the whole term would, in fewer bytes of the manifest every search fetches. A prefix cut at a code
    point is above `previous` in UTF-16 order too: the two first differ there."""
    same = len(os.path.commonprefix([previous, first])) if previous is not None else 0
    return first[:same + 1]


def _path(kind: str, **parts: object) -> str:
    """An index file's path under the site root, from PATHS."""
    return SEARCH_DIR + PATHS[kind].format(**parts)


def build_search_index(archive: Archive, taxonomy: Taxonomy) -> dict[str, bytes]:
    """Every search file keyed by its path under the site root; unchanged input gives identical bytes."""
    papers = archive.papers
    documents = len(papers)
    postings = _Postings(len(FIELDS))
    files: dict[str, bytes] = {}
    topic_bits = {topic.slug: 1 << i for i, topic in enumerate(taxonomy.all_topics)}
    ids: dict[str, dict[str, int]] = defaultdict(dict)
    years: dict[str, list[int]] = {}
    upvotes: list[int] = []
    topics: list[int] = []
    for doc, paper in enumerate(papers):
        day = archive.first_day(paper.id).isoformat()
        postings.add(doc, field_texts(paper))
        files[_path("doc", dir=doc // DOCS_PER_DIR, doc=doc)] = _dumps(_doc_record(paper, day))
        ids[id_bucket(paper.id)][paper.id] = doc
        span = years.setdefault(day[:4], [doc, doc + 1])
        span[1] = doc + 1
        upvotes.append(paper.upvotes)
        topics.append(sum(topic_bits.get(slug, 0) for slug in paper.topics))

    averages = [(sum(lengths) / documents) if documents else 1.0 for lengths in postings.lengths]
    averages = [a or 1.0 for a in averages]
    terms = sorted(postings.by_term, key=js_sort_key)
    length_arrays = [np.array(lengths, dtype=np.float64) for lengths in postings.lengths]
    shard_starts: list[str] = []
    shard: list[list[str]] = []
    size = 0

    def flush() -> None:
        files[_path("shard", shard=len(shard_starts) - 1)] = _dumps(shard)

    for term in terms:
        code = encode_postings(_weighted_postings(postings.by_term[term], postings.lengths, length_arrays,
                                                  averages, documents))
        entry_size = len(term.encode()) + len(code) + 6
        if not shard or size + entry_size > SHARD_TARGET_BYTES:
            if shard:
                flush()
            shard_starts.append(shard_start(shard[-1][0] if shard else None, term))
            shard, size = [], 0
        shard.append([term, code])
        size += entry_size
    if shard:
        flush()

    for bucket, mapping in ids.items():
        files[_path("ids", bucket=bucket)] = _dumps(mapping)
    for start in range(0, documents, FACETS_PER_FILE):
        chunk = {FACET_KEYS["upvotes"]: upvotes[start:start + FACETS_PER_FILE],
                 FACET_KEYS["topics"]: topics[start:start + FACETS_PER_FILE]}
        files[_path("facets", file=start // FACETS_PER_FILE)] = _dumps(chunk)
    files[LUNR_PATH] = lunr_js_source()

    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode())
        digest.update(files[path])
    manifest = {
        "format": FORMAT,
        "build": digest.hexdigest()[:16],
        "fields": [name for name, _ in FIELDS],  # the boosts are in the weights already
        # one string, space-separated: a term never holds a space (the tokenizer splits there), and a
        # string costs 2 bytes a shard less than a JSON array (3.7 KB of the manifest at full size)
        "shards": " ".join(shard_starts),
        "years": years,
        "topics": [[t.slug, t.title] for t in taxonomy.all_topics],
        "paths": PATHS,
        "docsPerDir": DOCS_PER_DIR,
        "facetsPerFile": FACETS_PER_FILE,
        "idBucketChars": ID_BUCKET_CHARS,
        "record": RECORD_KEYS,
        "facets": FACET_KEYS,
        "postings": POSTINGS_CODE,
        "card": PATTERNS["card"],  # search-core.js fills it in (the id percent-encoded)
    }
    files[MANIFEST_PATH] = _dumps(manifest)
    return dict(sorted(files.items()))
