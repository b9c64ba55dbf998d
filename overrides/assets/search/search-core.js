/* Daily Papers Archive search, the core: reading the index and running a query. No page, no DOM.
 *
 * The index is lunr's, split by term (see design/search.md). A query is run through lunr.js's own
 * indexing pipeline (tokenizer, trimmer, stop word filter, stemmer: the pipeline the Python builder
 * reproduces), only the term shards holding its terms are fetched, and they are turned back into a lunr
 * serialized index that lunr.Index.load() reads and lunr's own query scores.
 *
 * Everything about the index's files (their paths, record and facet keys, the postings code, the URL of
 * a paper's card) is read from search/manifest.json, which generator/outputs/search.py writes: nothing here
 * repeats a Python constant. search-ui.js (the page) loads after this file and uses window.dpSearchCore;
 * Node loads it with require() so the tests can compare it with lunr.js.
 */
(function () {
  "use strict";

  var FORMAT = 4; /* the index layout this script reads: generator/outputs/search.py FORMAT */
  /* The two files read before the manifest is known, in the index's folder (options.index), as
     generator/outputs/search.py writes them. */
  var MANIFEST = "manifest.json";
  var LUNR = "lunr.js";
  var MIN_PREFIX = 3; /* letters an unfinished last word needs before it is searched as a prefix */

  /* ---------- postings as text (generator/outputs/search.py: encode_postings) ---------- */

  /* The decoder of the manifest's postings code: `digits` (code point ranges, in digit order) and the
   * terminal symbol counts `small` (counts, deltas, palette indices) and `weight` (weights x 1000).
   * It turns one term's postings string into per field flat [document delta, weight x 1000, ...]
   * (0: none). A number is base N, its last digit one of the first `terminal` symbols; a field is its
   * posting count, its palette size (0: weights inline) and palette, then a delta and weight (or index)
   * each. */
  function makeDecoder(code) {
    var DIGIT = [], radix = 0;
    code.digits.forEach(function (range) {
      for (var c = range[0]; c <= range[1]; c++) DIGIT[c] = radix++;
    });
    var SMALL = code.small, WEIGHT = code.weight;

    return function decodePostings(text) {
      var pos = 0, fields = [];
      function read(terminal) {
        var rest = 0, digit;
        while ((digit = DIGIT[text.charCodeAt(pos++)]) >= terminal) rest = rest * (radix - terminal) + digit - terminal + 1;
        return rest * terminal + digit;
      }
      while (pos < text.length) {
        var count = read(SMALL);
        if (!count) { fields.push(0); continue; }
        var palette = [], size = read(SMALL), list = new Array(2 * count);
        for (var p = 0; p < size; p++) palette.push(read(WEIGHT));
        for (var i = 0; i < 2 * count; i += 2) {
          list[i] = read(SMALL);
          list[i + 1] = size ? palette[read(SMALL)] : read(WEIGHT);
        }
        fields.push(list);
      }
      return fields;
    };
  }

  /* ---------- the text pipeline and the query (the same functions lunr.js's builder runs) ---------- */

  function makeCore(lunr) {
    var indexPipeline = new lunr.Pipeline();
    indexPipeline.add(lunr.trimmer, lunr.stopWordFilter, lunr.stemmer);

    /* A token through trimmer, stop word filter and stemmer: the term, or null when dropped. */
    function pipelineTerm(token) {
      var out = indexPipeline.run([new lunr.Token(token, {})]);
      return out.length ? out[0].toString() : null;
    }

    /* Every indexed term of a text, in order, as lunr.js's builder indexes it. */
    function analyze(text) {
      var terms = [];
      lunr.tokenizer(text).forEach(function (token) {
        var out = indexPipeline.run([token]);
        if (out.length) terms.push(out[0].toString());
      });
      return terms;
    }

    function commonPrefix(a, b) {
      var i = 0;
      while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
      return a.slice(0, i);
    }

    /* The query as lunr clauses: whole words are terms; while typing, the last word is also a prefix. */
    function parseQuery(text, typing) {
      var tokens = lunr.tokenizer(text);
      var open = typing && tokens.length && !/[\s-]$/.test(text);
      var terms = [];
      var prefix = null, last = null;
      tokens.forEach(function (token, i) {
        var raw = token.toString();
        if (open && i === tokens.length - 1) {
          var word = trim(raw).replace(/\*/g, "");
          var stem = pipelineTerm(word) || word;
          var cut = word.length > MIN_PREFIX + 1 ? word.slice(0, Math.max(MIN_PREFIX, word.length - 2)) : word;
          var p = commonPrefix(stem, cut);
          if (p.length >= MIN_PREFIX) { prefix = p; last = pipelineTerm(word); return; }
        }
        var term = pipelineTerm(raw);
        if (term) term = term.replace(/\*/g, "");
        if (term && terms.indexOf(term) < 0) terms.push(term);
      });
      return { terms: terms, prefix: prefix, last: last };
    }

    /* The query once its shards are loaded: an unfinished last word that is already a whole term of the
     * index is searched as that term, so the header box (typing) and the results page it opens count
     * the same papers; otherwise it stays a prefix. */
    function settle(parsed, shards) {
      if (!parsed.prefix || !parsed.last || parsed.terms.indexOf(parsed.last) >= 0) return parsed;
      var known = shards.some(function (shard) { return shard.some(function (entry) { return entry[0] === parsed.last; }); });
      return known ? { terms: parsed.terms.concat([parsed.last]), prefix: null, last: null } : parsed;
    }

    /* For a query that found nothing: each of its terms the index lacks, replaced by the closest term
     * of the loaded shards, found by lunr's own fuzzy matching (TokenSet.fromFuzzyString: insertions,
     * deletions, substitutions and swaps): 1 edit for terms of 4 to 7 letters, 2 from 8; the fewest
     * edits first, then the term in the most papers (the longest postings). Null when none has one. */
    function corrections(parsed, shards) {
      var sizes = Object.create(null);
      shards.forEach(function (shard) { shard.forEach(function (entry) { sizes[entry[0]] = entry[1].length; }); });
      var known = lunr.TokenSet.fromArray(Object.keys(sizes).sort());  // UTF-16 order, as fromArray needs
      var changed = false;
      var out = parsed.terms.concat(parsed.prefix ? [parsed.last || parsed.prefix] : []).map(function (term) {
        if (term in sizes) return [term, term];
        var most = term.length >= 8 ? 2 : term.length >= 4 ? 1 : 0;
        for (var edits = 1; edits <= most; edits++) {
          var close = known.intersect(lunr.TokenSet.fromFuzzyString(term, edits)).toArray();
          if (close.length) {
            close.sort(function (a, b) { return sizes[b] - sizes[a] || (a < b ? -1 : 1); });
            changed = true;
            return [term, close[0]];
          }
        }
        return [term, term];
      });
      return changed ? out : null;
    }

    /* Index of the shard holding `term`: the last shard whose first term is <= term (UTF-16 order). */
    function shardOf(starts, term) {
      var lo = 0, hi = starts.length - 1;
      if (hi < 0) return -1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= term) lo = mid; else hi = mid - 1;
      }
      return lo;
    }

    function shardsFor(starts, parsed) {
      var wanted = {};
      parsed.terms.forEach(function (t) { var s = shardOf(starts, t); if (s >= 0) wanted[s] = true; });
      if (parsed.prefix) {
        var first = shardOf(starts, parsed.prefix);
        var last = shardOf(starts, parsed.prefix + "\uffff");
        for (var s = Math.max(first, 0); s <= last; s++) wanted[s] = true;
      }
      return Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
    }

    /* A lunr serialized index holding only `entries` ([term, postings per field]); weights are lunr's. */
    function serializedIndex(fields, entries) {
      entries = entries.slice().sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      var inverted = [];
      var vectors = Object.create(null);
      var refs = [];
      entries.forEach(function (entry, termIndex) {
        var posting = { _index: termIndex };
        fields.forEach(function (field, f) {
          var map = {};
          var list = entry[f + 1];
          if (list) {
            var doc = 0;
            for (var i = 0; i < list.length; i += 2) {
              doc += list[i];
              map[doc] = {};
              var ref = field + "/" + doc;
              var vector = vectors[ref];
              if (!vector) { vector = vectors[ref] = []; refs.push(ref); }
              vector.push(termIndex, list[i + 1] / 1000);
            }
          }
          posting[field] = map;
        });
        inverted.push([entry[0], posting]);
      });
      return {
        version: lunr.version,
        fields: fields,
        fieldVectors: refs.map(function (ref) { return [ref, vectors[ref]]; }),
        invertedIndex: inverted,
        pipeline: ["stemmer"]
      };
    }

    /* Documents an entry lists in any field. */
    function docsOf(entry, fields, into) {
      for (var f = 1; f <= fields.length; f++) {
        var list = entry[f];
        if (!list) continue;
        for (var i = 0, doc = 0; i < list.length; i += 2) { doc += list[i]; into[doc] = true; }
      }
      return into;
    }

    /* The entries with postings only for `keep` documents; every term stays, so lunr's query vectors
     * (and so every score) are exactly those of the unrestricted index. */
    function restrict(entries, fields, keep) {
      return entries.map(function (entry) {
        var out = [entry[0]];
        for (var f = 1; f <= fields.length; f++) {
          var list = entry[f], kept = [], doc = 0, last = 0;
          if (list) {
            for (var i = 0; i < list.length; i += 2) {
              doc += list[i];
              if (keep[doc]) { kept.push(doc - last, list[i + 1]); last = doc; }
            }
          }
          out.push(kept.length ? kept : 0);
        }
        return out;
      });
    }

    /* Run the parsed query with lunr: every word required; if nothing has them all, any word.
     * Papers lacking a required word are dropped before lunr sees them (lunr would drop them too,
     * after scoring them): the same results, without building vectors for thousands of papers. */
    function runQuery(fields, entries, parsed) {
      var clauses = parsed.terms.map(function (t) { return function (term) { return term === t; }; });
      if (parsed.prefix) clauses.push(function (term) { return term.lastIndexOf(parsed.prefix, 0) === 0; });
      var candidates = null;
      clauses.forEach(function (matches) {
        var docs = Object.create(null);
        entries.forEach(function (entry) { if (matches(entry[0])) docsOf(entry, fields, docs); });
        if (candidates === null) { candidates = docs; return; }
        var both = Object.create(null);
        for (var d in candidates) if (docs[d]) both[d] = true;
        candidates = both;
      });
      function run(index, presence) {
        return index.query(function (q) {
          parsed.terms.forEach(function (t) {
            q.term(t, { usePipeline: false, presence: presence });
          });
          if (parsed.prefix) {
            q.term(parsed.prefix, { usePipeline: false, presence: presence, wildcard: lunr.Query.wildcard.TRAILING });
          }
        });
      }
      var results = [], all = true;
      if (candidates && Object.keys(candidates).length) {
        var narrow = lunr.Index.load(serializedIndex(fields, restrict(entries, fields, candidates)));
        results = run(narrow, lunr.Query.presence.REQUIRED);
      }
      if (!results.length && clauses.length > 1) {
        results = run(lunr.Index.load(serializedIndex(fields, entries)), lunr.Query.presence.OPTIONAL);
        all = false;
      }
      return { results: results.map(function (r) { return { doc: +r.ref, score: r.score }; }), all: all };
    }

    /* Entries of the loaded shards a query can reach (its terms, and the terms starting with its
     * prefix) as [term, postings per field]; only these are decoded, with `decode` (makeDecoder). */
    function relevantEntries(shards, parsed, decode) {
      var out = [];
      shards.forEach(function (shard) {
        shard.forEach(function (entry) {
          var t = entry[0];
          if (parsed.terms.indexOf(t) >= 0 || (parsed.prefix && t.lastIndexOf(parsed.prefix, 0) === 0)) {
            out.push([t].concat(decode(entry[1])));
          }
        });
      });
      return out;
    }

    /* True when a word of displayed text is one the query matched (for <mark>). */
    function matcher(parsed) {
      return function (word) {
        var trimmed = trim(word.toLowerCase());
        if (!trimmed) return false;
        var term = pipelineTerm(trimmed);
        if (term && parsed.terms.indexOf(term) >= 0) return true;
        return !!parsed.prefix && (trimmed.lastIndexOf(parsed.prefix, 0) === 0 ||
          (!!term && term.lastIndexOf(parsed.prefix, 0) === 0));
      };
    }

    return {
      analyze: analyze, pipelineTerm: pipelineTerm, parseQuery: parseQuery, shardOf: shardOf,
      shardsFor: shardsFor, serializedIndex: serializedIndex, runQuery: runQuery,
      relevantEntries: relevantEntries, matcher: matcher, settle: settle, corrections: corrections
    };
  }

  /* lunr.js's trimmer on one word: no ASCII word characters at either end. */
  function trim(word) {
    return word.replace(/^\W+/, "").replace(/\W+$/, "");
  }

  /* arXiv id from a query that is an id or an arXiv / Hugging Face URL, else null. */
  var ID_URL = /(?:arxiv\.org\/(?:abs|pdf|html)\/|huggingface\.co\/papers\/|hf\.co\/papers\/)(\d{4}\.\d{4,5})/i;
  function extractId(text) {
    var t = text.trim();
    var m = ID_URL.exec(t);
    if (m) return m[1];
    m = /^(?:arxiv:\s*)?(\d{4}\.\d{4,5})(?:v\d+)?$/i.exec(t);
    return m ? m[1] : null;
  }

  /* A manifest pattern ("docs/{dir}/{doc}.json") with its {names} filled in from `parts`; a name the
   * parts lack means a manifest this script cannot read. */
  function fill(pattern, parts) {
    return pattern.replace(/\{(\w+)\}/g, function (whole, name) {
      if (!Object.prototype.hasOwnProperty.call(parts, name)) throw new Error("the index names an unknown part " + whole);
      return String(parts[name]);
    });
  }

  /* ---------- the index: files, loading, the whole search ---------- */

  /* The search over the index in the folder `options.index` (relative, ending in "/") under
   * `options.root` (absolute, ending in "/"). `options.fetch` is window.fetch or a stand-in;
   * `options.loadLunr(url)` resolves to lunr once the script at url ran. */
  function openIndex(options) {
    var root = options.root, folder = options.index, manifest = folder + MANIFEST;
    var cache = Object.create(null);
    var build = null; /* the manifest's build id, once loaded */

    /* Every deploy renumbers shards and documents, and GitHub Pages lets browsers cache files for 10
       minutes. So the manifest is always revalidated (a 304 when unchanged), and every other file is
       asked for under the manifest's build id: a cached file of an older deploy is never mixed in. */
    function fetchJSON(path) {
      if (!cache[path]) {
        var request = path === manifest ? options.fetch(root + path, { cache: "no-cache" })
          : options.fetch(root + path + "?v=" + encodeURIComponent(build));
        cache[path] = request.then(function (response) {
          if (!response.ok) throw new Error(path + ": HTTP " + response.status);
          return response.json();
        });
        cache[path].catch(function () { delete cache[path]; });
      }
      return cache[path];
    }

    /* An index file's path under the site root, from the manifest's pattern for its kind. */
    function indexFile(m, kind, parts) {
      return folder + fill(m.paths[kind], parts);
    }

    var ready = null;
    /* lunr, the manifest and what is made from them: {core, manifest, decode, starts}; `starts` are
     * where each term shard starts, listed in the manifest as one space-separated string ("": none). */
    function load() {
      if (!ready) {
        ready = Promise.all([options.loadLunr(root + folder + LUNR), fetchJSON(manifest)]).then(function (both) {
          var m = both[1];
          if (m.format !== FORMAT) {
            throw new Error("the index is format " + m.format + ", this page reads format " + FORMAT + "; reload the page");
          }
          build = m.build;
          return { core: makeCore(both[0]), manifest: m, decode: makeDecoder(m.postings), starts: m.shards ? m.shards.split(" ") : [] };
        });
        ready.catch(function () { ready = null; });
      }
      return ready;
    }

    /* Facets (upvotes, topics) of the given documents, fetching only the files they fall in. */
    function facets(m, documents) {
      var files = {};
      documents.forEach(function (d) { files[Math.floor(d / m.facetsPerFile)] = true; });
      var keys = Object.keys(files);
      return Promise.all(keys.map(function (k) { return fetchJSON(indexFile(m, "facets", { file: k })); }))
        .then(function (chunks) {
          var byFile = {};
          keys.forEach(function (k, i) { byFile[k] = chunks[i]; });
          return function (doc) {
            var chunk = byFile[Math.floor(doc / m.facetsPerFile)];
            var i = doc % m.facetsPerFile;
            return { upvotes: chunk[m.facets.upvotes][i], topics: chunk[m.facets.topics][i] };
          };
        });
    }

    /* The paper with arXiv id `id`, if the archive has it. */
    function searchId(m, core, id) {
      var file = indexFile(m, "ids", { bucket: id.slice(0, m.idBucketChars) });
      return fetchJSON(file).catch(function () { return {}; }).then(function (ids) {
        var doc = Object.prototype.hasOwnProperty.call(ids, id) ? ids[id] : null;
        var parsed = { terms: [], prefix: null };
        return doc === null
          ? { parsed: parsed, hits: [], total: 0, all: true, id: id, notFound: true, manifest: m, core: core }
          : { parsed: parsed, hits: [{ doc: doc, score: 1 }], total: 1, all: true, id: id, manifest: m, core: core };
      });
    }

    /* The whole search: resolves to {parsed, hits: [{doc, score}], total, all, corrected ([[term, closest
     * term], ...] when a query that found nothing was run again with the closest terms), id, notFound, empty,
     * manifest, core}. options: typing (the last word is unfinished), year, topic (a slug), sort
     * ("relevance", "upvotes" or "date"). */
    function search(text, searchOptions) {
      searchOptions = searchOptions || {};
      return load().then(function (loaded) {
        var core = loaded.core, m = loaded.manifest;
        var id = extractId(text);
        if (id) return searchId(m, core, id);
        var parsed = core.parseQuery(text, searchOptions.typing);
        if (!parsed.terms.length && !parsed.prefix) {
          return { parsed: parsed, hits: [], total: 0, all: true, empty: true, manifest: m, core: core };
        }
        var wanted = core.shardsFor(loaded.starts, parsed);
        var shardFiles = function (list) {
          return Promise.all(list.map(function (s) { return fetchJSON(indexFile(m, "shard", { shard: s })); }));
        };
        return shardFiles(wanted).then(function (shards) {
          parsed = core.settle(parsed, shards);
          var out = core.runQuery(m.fields, core.relevantEntries(shards, parsed, loaded.decode), parsed);
          if (out.results.length && out.all) return finish(parsed, out, null);
          /* Nothing, or no paper with every word: a misspelt word? Its shard and the two beside it (a typo may cross a shard's first
             term) are searched for the closest terms, and the query runs again with them. */
          var near = {};
          wanted.forEach(function (s) { [s - 1, s, s + 1].forEach(function (n) { if (n >= 0 && n < loaded.starts.length) near[n] = true; }); });
          return shardFiles(Object.keys(near).map(Number)).then(function (nearShards) {
            var fixes = core.corrections(parsed, nearShards);
            if (!fixes) return finish(parsed, out, null);
            var fixed = { terms: [], prefix: null, last: null };
            fixes.forEach(function (pair) { if (fixed.terms.indexOf(pair[1]) < 0) fixed.terms.push(pair[1]); });
            var again = core.runQuery(m.fields, core.relevantEntries(nearShards, fixed, loaded.decode), fixed);
            /* Taken when it finds papers and the query did not (or found only papers with some words). */
            var better = again.results.length && (again.all || !out.results.length);
            return better ? finish(fixed, again, fixes) : finish(parsed, out, null);
          });
        });

        function finish(query, out, fixes) {
          var hits = out.results;
          if (searchOptions.year) {
            var range = m.years[searchOptions.year] || [0, 0];
            hits = hits.filter(function (h) { return h.doc >= range[0] && h.doc < range[1]; });
          }
          var topicBit = 0;
          if (searchOptions.topic) {
            m.topics.forEach(function (t, i) { if (t[0] === searchOptions.topic) topicBit = 1 << i; });
          }
          var sort = searchOptions.sort;
          var done = function (facetOf) {
            if (topicBit) hits = hits.filter(function (h) { return facetOf(h.doc).topics & topicBit; });
            if (sort === "upvotes") {
              hits.sort(function (a, b) { return facetOf(b.doc).upvotes - facetOf(a.doc).upvotes || b.doc - a.doc; });
            } else if (sort === "date") {
              hits.sort(function (a, b) { return b.doc - a.doc; });
            } else {
              hits.sort(function (a, b) { return b.score - a.score || b.doc - a.doc; });
            }
            return { parsed: query, hits: hits, total: hits.length, all: out.all, corrected: fixes, manifest: m, core: core };
          };
          var needFacets = topicBit || sort === "upvotes";
          return needFacets ? facets(m, hits.map(function (h) { return h.doc; })).then(done) : done(null);
        }
      });
    }

    /* A result record under the names the manifest maps its keys from, with `href`: the absolute URL
     * of the paper's card, from the manifest's card pattern and the record's day (YYYY-MM-DD). */
    function readRecord(m, raw) {
      var record = {};
      Object.keys(m.record).forEach(function (name) { record[name] = raw[m.record[name]]; });
      var day = String(record.day).split("-");
      record.href = root + fill(m.card, { yyyy: day[0], mm: day[1], dd: day[2], id: encodeURIComponent(record.id) });
      return record;
    }

    /* The records of `hits`, in order. */
    function docs(m, hits) {
      return Promise.all(hits.map(function (h) {
        return fetchJSON(indexFile(m, "doc", { dir: Math.floor(h.doc / m.docsPerDir), doc: h.doc }))
          .then(function (raw) { return readRecord(m, raw); });
      }));
    }

    return { load: load, search: search, docs: docs, root: root };
  }

  var api = {
    FORMAT: FORMAT, MIN_PREFIX: MIN_PREFIX, makeDecoder: makeDecoder, makeCore: makeCore, extractId: extractId,
    openIndex: openIndex
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else window.dpSearchCore = api;
})();
