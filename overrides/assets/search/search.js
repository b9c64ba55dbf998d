/* Daily Papers Archive search: the header box (results as you type) and the /search/ results page.
 *
 * The index is lunr's, split by term (see docs: search design). A query is run through lunr.js's own
 * indexing pipeline (tokenizer, trimmer, stop word filter, stemmer: the pipeline the Python builder
 * reproduces), only the term shards holding its terms are fetched, and they are turned back into a lunr
 * serialized index that lunr.Index.load() reads and lunr's own query scores. Nothing from the index is
 * ever inserted as HTML: every text goes through textContent.
 *
 * Also loads in Node (module.exports) so the tests can check the pipeline and scoring against lunr.js.
 */
(function () {
  "use strict";

  var SEPARATOR = /[\s\-]+/;
  var ARXIV_ID = /(?:^|[^\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])/;
  var ID_URL = /(?:arxiv\.org\/(?:abs|pdf|html)\/|huggingface\.co\/papers\/|hf\.co\/papers\/)(\d{4}\.\d{4,5})/i;
  var MIN_PREFIX = 3;
  var FORMAT = 3; /* generator/search.py's FORMAT: the index layout this script reads */

  /* ---------- postings as text (generator/search.py: encode_postings) ---------- */

  var RADIX = 91, SMALL_T = 72, WEIGHT_T = 46;
  var DIGIT = (function () { /* char code -> digit: printable ASCII but '"' and '\\' */
    var table = [];
    for (var c = 0x23, v = 0; c < 0x7f; c++) if (c !== 0x5c) table[c] = v++;
    return table;
  })();

  /* One term's postings string as per field flat [document delta, weight x 1000, ...] (0: none).
   * A number is base 91, its last digit one of the first `terminal` symbols; a field is its posting
   * count, its palette size (0: weights inline) and palette, then a delta and weight (or index) each. */
  function decodePostings(text) {
    var pos = 0, fields = [];
    function read(terminal) {
      var rest = 0, digit;
      while ((digit = DIGIT[text.charCodeAt(pos++)]) >= terminal) rest = rest * (RADIX - terminal) + digit - terminal + 1;
      return rest * terminal + digit;
    }
    while (pos < text.length) {
      var count = read(SMALL_T);
      if (!count) { fields.push(0); continue; }
      var palette = [], size = read(SMALL_T), list = new Array(2 * count);
      for (var p = 0; p < size; p++) palette.push(read(WEIGHT_T));
      for (var i = 0; i < 2 * count; i += 2) {
        list[i] = read(SMALL_T);
        list[i + 1] = size ? palette[read(SMALL_T)] : read(WEIGHT_T);
      }
      fields.push(list);
    }
    return fields;
  }

  /* ---------- the text pipeline (the same functions lunr.js's builder runs) ---------- */

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

    function trim(word) {
      return word.replace(/^\W+/, "").replace(/\W+$/, "");
    }

    function commonPrefix(a, b) {
      var i = 0;
      while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
      return a.slice(0, i);
    }

    /* The query as lunr clauses: whole words are terms; while typing, the last word is also a prefix. */
    function parseQuery(text, typing) {
      var tokens = lunr.tokenizer(text);
      var open = typing && tokens.length && !/[\s\-]$/.test(text);
      var terms = [];
      var prefix = null;
      tokens.forEach(function (token, i) {
        var raw = token.toString();
        if (open && i === tokens.length - 1) {
          var word = trim(raw).replace(/\*/g, "");
          var stem = pipelineTerm(word) || word;
          var cut = word.length > MIN_PREFIX + 1 ? word.slice(0, Math.max(MIN_PREFIX, word.length - 2)) : word;
          var p = commonPrefix(stem, cut);
          if (p.length >= MIN_PREFIX) { prefix = p; return; }
        }
        var term = pipelineTerm(raw);
        if (term) term = term.replace(/\*/g, "");
        if (term && terms.indexOf(term) < 0) terms.push(term);
      });
      return { terms: terms, prefix: prefix };
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
     * prefix) as [term, postings per field]; only these are decoded. */
    function relevantEntries(shards, parsed) {
      var out = [];
      shards.forEach(function (shard) {
        shard.forEach(function (entry) {
          var t = entry[0];
          if (parsed.terms.indexOf(t) >= 0 || (parsed.prefix && t.lastIndexOf(parsed.prefix, 0) === 0)) {
            out.push([t].concat(decodePostings(entry[1])));
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
      relevantEntries: relevantEntries, matcher: matcher, trim: trim
    };
  }

  /* arXiv id from a query that is an id or an arXiv / Hugging Face URL, else null. */
  function extractId(text) {
    var t = text.trim();
    var m = ID_URL.exec(t);
    if (m) return m[1];
    m = /^(?:arxiv:\s*)?(\d{4}\.\d{4,5})(?:v\d+)?$/i.exec(t);
    return m ? m[1] : null;
  }

  function idBucket(id) { return /^\d{4}\.\d{4,5}$/.test(id) ? id.slice(0, 4) : "other"; }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = {
      makeCore: makeCore, extractId: extractId, idBucket: idBucket, ARXIV_ID: ARXIV_ID, decodePostings: decodePostings
    };
    return;
  }

  /* ---------- the browser: loading the index ---------- */

  function siteRoot() {
    var meta = document.querySelector('meta[name="dp-root"]');
    var base = meta ? meta.getAttribute("content") || "." : ".";
    return new URL(base.replace(/\/?$/, "/"), document.baseURI).href;
  }

  var ROOT = siteRoot();
  var MANIFEST = "search/manifest.json";
  var cache = Object.create(null);
  var build = null;  // the manifest's build id, once loaded

  /* Every deploy renumbers shards and documents, and GitHub Pages lets browsers cache files for 10
     minutes. So the manifest is always revalidated (a 304 when unchanged), and every other file is
     asked for under the manifest's build id: a cached file of an older deploy is never mixed in. */
  function fetchJSON(path) {
    if (!cache[path]) {
      var request = path === MANIFEST ? fetch(ROOT + path, { cache: "no-cache" })
        : fetch(ROOT + path + "?v=" + encodeURIComponent(build));
      cache[path] = request.then(function (response) {
        if (!response.ok) throw new Error(path + ": HTTP " + response.status);
        return response.json();
      });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }

  var ready = null;
  function load() {
    if (!ready) {
      var lunrLoaded = window.lunr ? Promise.resolve(window.lunr) : new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = ROOT + "search/lunr.js";
        script.onload = function () { window.lunr ? resolve(window.lunr) : reject(new Error("lunr.js did not load")); };
        script.onerror = function () { reject(new Error("search/lunr.js could not be loaded")); };
        document.head.appendChild(script);
      });
      ready = Promise.all([lunrLoaded, fetchJSON(MANIFEST)]).then(function (both) {
        if (both[1].format !== FORMAT) {
          throw new Error("the index is format " + both[1].format + ", this page reads format " + FORMAT + "; reload the page");
        }
        build = both[1].build;
        return { core: makeCore(both[0]), manifest: both[1] };
      });
      ready.catch(function () { ready = null; });
    }
    return ready;
  }

  function docPath(m, doc) { return "search/docs/" + Math.floor(doc / m.docsPerDir) + "/" + doc + ".json"; }

  function yearRange(m, year) { return m.years[year] || [0, 0]; }

  /* Facets (upvotes, topics) of the given documents, fetching only the files they fall in. */
  function facets(m, docs) {
    var files = {};
    docs.forEach(function (d) { files[Math.floor(d / m.facetsPerFile)] = true; });
    var keys = Object.keys(files);
    return Promise.all(keys.map(function (k) { return fetchJSON("search/facets/" + k + ".json"); }))
      .then(function (chunks) {
        var byFile = {};
        keys.forEach(function (k, i) { byFile[k] = chunks[i]; });
        return function (doc) {
          var chunk = byFile[Math.floor(doc / m.facetsPerFile)];
          var i = doc % m.facetsPerFile;
          return { upvotes: chunk.u[i], topics: chunk.t[i] };
        };
      });
  }

  /* The whole search: returns {parsed, hits:[{doc, score}], total, all, id, notFound}. */
  function search(text, options) {
    options = options || {};
    return load().then(function (loaded) {
      var core = loaded.core, m = loaded.manifest;
      var id = extractId(text);
      if (id) {
        return fetchJSON("search/ids/" + idBucket(id) + ".json").catch(function () { return {}; }).then(function (ids) {
          var doc = Object.prototype.hasOwnProperty.call(ids, id) ? ids[id] : null;
          var parsed = { terms: [], prefix: null };
          return doc === null
            ? { parsed: parsed, hits: [], total: 0, all: true, id: id, notFound: true, manifest: m, core: core }
            : { parsed: parsed, hits: [{ doc: doc, score: 1 }], total: 1, all: true, id: id, manifest: m, core: core };
        });
      }
      var parsed = core.parseQuery(text, options.typing);
      if (!parsed.terms.length && !parsed.prefix) {
        return { parsed: parsed, hits: [], total: 0, all: true, empty: true, manifest: m, core: core };
      }
      var wanted = core.shardsFor(m.shards, parsed);
      return Promise.all(wanted.map(function (s) { return fetchJSON("search/shards/" + s + ".json"); }))
        .then(function (shards) {
          var out = core.runQuery(m.fields, core.relevantEntries(shards, parsed), parsed);
          var hits = out.results;
          if (options.year) {
            var range = yearRange(m, options.year);
            hits = hits.filter(function (h) { return h.doc >= range[0] && h.doc < range[1]; });
          }
          var topicBit = 0;
          if (options.topic) {
            m.topics.forEach(function (t, i) { if (t[0] === options.topic) topicBit = 1 << i; });
          }
          var needFacets = topicBit || options.sort === "upvotes";
          var done = function (facetOf) {
            if (topicBit) hits = hits.filter(function (h) { return facetOf(h.doc).topics & topicBit; });
            if (options.sort === "upvotes") {
              hits.sort(function (a, b) { return facetOf(b.doc).upvotes - facetOf(a.doc).upvotes || b.doc - a.doc; });
            } else if (options.sort === "date") {
              hits.sort(function (a, b) { return b.doc - a.doc; });
            } else {
              hits.sort(function (a, b) { return b.score - a.score || b.doc - a.doc; });
            }
            return { parsed: parsed, hits: hits, total: hits.length, all: out.all, manifest: m, core: core };
          };
          return needFacets ? facets(m, hits.map(function (h) { return h.doc; })).then(done) : done(null);
        });
    });
  }

  function docs(m, hits) {
    return Promise.all(hits.map(function (h) { return fetchJSON(docPath(m, h.doc)); }));
  }

  /* ---------- the browser: showing results ---------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Append `text` to `parent`, wrapping the words the query matched in <mark>. */
  function marked(parent, text, isMatch) {
    var parts = text.split(/([\s\-]+)/);
    var buffer = "";
    function flush() { if (buffer) { parent.appendChild(document.createTextNode(buffer)); buffer = ""; } }
    parts.forEach(function (part, i) {
      if (i % 2 === 1 || !part || !isMatch(part)) { buffer += part; return; }
      var lead = part.match(/^\W*/)[0], tail = part.slice(lead.length).match(/\W*$/)[0];
      var core = part.slice(lead.length, part.length - tail.length);
      buffer += lead;
      flush();
      parent.appendChild(el("mark", "", core));
      buffer += tail;
    });
    flush();
    return parent;
  }

  /* A window of the snippet source (AI summary or the abstract's start) around its first matched
   * words, about `words` long. */
  function snippet(text, isMatch, words) {
    var parts = text.split(/\s+/);
    var best = 0, bestCount = -1;
    var hits = parts.map(function (p) { return isMatch(p) ? 1 : 0; });
    for (var start = 0; start < parts.length; start += 4) {
      var count = 0;
      for (var j = start; j < Math.min(parts.length, start + words); j++) count += hits[j];
      if (count > bestCount) { bestCount = count; best = start; }
      if (start + words >= parts.length) break;
    }
    if (bestCount > 0) best = Math.max(0, Math.min(best, hits.indexOf(1, best) - 6));
    var slice = parts.slice(best, best + words).join(" ");
    return (best > 0 ? "… " : "") + slice + (best + words < parts.length ? " …" : "");
  }

  function cardHref(record) {
    return ROOT + record.d.replace(/-/g, "/") + "/#" + encodeURIComponent(record.id);
  }

  function authorLine(record, isMatch, shown) {
    var names = record.a || [];
    var picked = names.slice(0, shown);
    names.slice(shown).forEach(function (n) {
      if (picked.length < shown + 3 && n.split(/[\s\-]+/).some(isMatch)) picked.push(n);
    });
    var text = picked.join(", ");
    if (names.length > picked.length) text += " and " + (names.length - picked.length) + " more";
    return text;
  }

  function renderHit(record, isMatch, compact, optionId) {
    var item = el("li", compact ? "dp-hit dp-hit--compact" : "dp-hit");
    if (optionId) { item.id = optionId; item.setAttribute("role", "option"); item.setAttribute("aria-selected", "false"); }
    var link = el("a", "dp-hit__link");
    link.href = cardHref(record);
    if (optionId) link.tabIndex = -1;
    marked(link.appendChild(el("span", "dp-hit__title")), record.t, isMatch);
    var meta = link.appendChild(el("span", "dp-hit__meta"));
    meta.appendChild(el("span", "dp-hit__day", record.d));
    meta.appendChild(el("span", "dp-hit__upvotes", "▲ " + record.u));
    if (record.o) marked(meta.appendChild(el("span", "dp-hit__org")), record.o, isMatch);
    marked(link.appendChild(el("span", "dp-hit__authors")), authorLine(record, isMatch, compact ? 3 : 8), isMatch);
    marked(link.appendChild(el("span", "dp-hit__snippet")), snippet(record.s || "", isMatch, compact ? 18 : 40), isMatch);
    item.appendChild(link);
    return item;
  }

  function describe(text, result) {
    if (result.notFound) return "No paper with arXiv id " + result.id + " is in the archive.";
    if (result.empty) {
      return "Nothing to search for in “" + text.trim() + "”: search skips punctuation, symbols and the " +
        "commonest words, and reads words by their Latin letters and digits. Type at least " + MIN_PREFIX +
        " letters or a whole word.";
    }
    if (!result.total) return "No paper matches “" + text.trim() + "”.";
    var n = result.total.toLocaleString("en-US");
    var noun = result.total === 1 ? " paper" : " papers";
    return result.all ? n + noun + " found." : "No paper has all the words; " + n + noun + " match some of them.";
  }

  function failure(error) {
    return "Search is unavailable: the search index could not be loaded (" + (error && error.message || error) + ").";
  }

  /* ---------- the header box ---------- */

  function initHeader(form) {
    var input = form.querySelector("input[name=q]");
    var panel = form.querySelector(".dp-search__panel");
    var list = form.querySelector(".dp-search__list");
    var status = form.querySelector(".dp-search__status");
    var seq = 0, active = -1, timer = null;

    function options() { return list.querySelectorAll("[role=option]"); }
    function open(show) {
      panel.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) setActive(-1);
    }
    function setActive(i) {
      var opts = options();
      if (active >= 0 && opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && opts[i]) {
        opts[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", opts[i].id);
        opts[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function update() {
      var text = input.value;
      var mine = ++seq;
      if (!text.trim()) { list.textContent = ""; status.textContent = ""; open(false); return; }
      open(true);
      form.setAttribute("data-state", "searching");
      status.textContent = "Searching…";
      search(text, { typing: true }).then(function (result) {
        if (mine !== seq) return null;
        var top = result.hits.slice(0, 8);
        return docs(result.manifest, top).then(function (records) {
          if (mine !== seq) return;
          var isMatch = result.core.matcher(result.parsed);
          list.textContent = "";
          active = -1;
          records.forEach(function (record, i) { list.appendChild(renderHit(record, isMatch, true, "dp-search-opt-" + i)); });
          var more = result.total > top.length ? " Enter shows all." : "";
          status.textContent = describe(text, result) + (result.total ? more : "");
          form.setAttribute("data-state", "done");
        });
      }).catch(function (error) {
        if (mine !== seq) return;
        list.textContent = "";
        status.textContent = failure(error);
        form.setAttribute("data-state", "done");
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 60);
    });
    input.addEventListener("focus", function () {
      load().catch(function () {});
      if (input.value.trim() && list.childNodes.length) open(true);
    });
    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault(); open(true); setActive((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault(); setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && options()[active]) {
        event.preventDefault();
        window.location.href = options()[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        if (!panel.hidden) { event.preventDefault(); open(false); } else { input.blur(); }
      }
    });
    form.addEventListener("submit", function (event) {
      if (!input.value.trim()) { event.preventDefault(); }
    });
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) open(false); });
    document.addEventListener("keydown", function (event) {
      var t = event.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault(); input.focus(); input.select();
      }
    });
    list.addEventListener("mousemove", function (event) {
      var item = event.target.closest && event.target.closest("[role=option]");
      if (item) setActive(Array.prototype.indexOf.call(options(), item));
    });
  }

  /* ---------- the results page ---------- */

  var PAGE = 20;

  function initResults(box) {
    var form = box.querySelector("form");
    var input = form.querySelector("input[name=q]");
    var topic = form.querySelector("select[name=topic]");
    var year = form.querySelector("select[name=year]");
    var sort = form.querySelector("select[name=sort]");
    var status = box.querySelector(".dp-results__status");
    var list = box.querySelector(".dp-results__list");
    var more = box.querySelector(".dp-results__more");
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    var header = document.querySelector(".dp-search input[name=q]");
    if (header) header.value = input.value;
    var seq = 0, shown = 0, current = null;

    function showMore() {
      var mine = seq;
      var slice = current.hits.slice(shown, shown + PAGE);
      more.hidden = true;
      return docs(current.manifest, slice).then(function (records) {
        if (mine !== seq) return;
        var isMatch = current.core.matcher(current.parsed);
        records.forEach(function (record) { list.appendChild(renderHit(record, isMatch, false, null)); });
        shown += slice.length;
        more.hidden = shown >= current.total;
      });
    }

    function run(push) {
      var text = input.value;
      var mine = ++seq;
      var query = new URLSearchParams();
      if (text) query.set("q", text);
      if (topic.value) query.set("topic", topic.value);
      if (year.value) query.set("year", year.value);
      if (sort.value && sort.value !== "relevance") query.set("sort", sort.value);
      var url = window.location.pathname + (query.toString() ? "?" + query.toString() : "");
      if (push) window.history.replaceState(null, "", url);
      list.textContent = "";
      more.hidden = true;
      shown = 0;
      box.setAttribute("data-state", "searching");
      if (!text.trim()) {
        box.setAttribute("data-state", "done"); status.textContent = "Type words from a title, authors, an abstract, or an arXiv id or link."; return Promise.resolve(); }
      status.textContent = "Searching…";
      return search(text, { topic: topic.value, year: year.value, sort: sort.value }).then(function (result) {
        if (mine !== seq) return null;
        current = result;
        status.textContent = describe(text, result);
        document.title = "Search: " + text.trim() + " - " + document.title.replace(/^Search: .* - /, "");
        return showMore();
      }).catch(function (error) {
        if (mine !== seq) return;
        status.textContent = failure(error);
      }).then(function () {
        if (mine === seq) box.setAttribute("data-state", "done");
      });
    }

    load().then(function (loaded) {
      var m = loaded.manifest;
      m.topics.forEach(function (t) { var o = el("option", "", t[1]); o.value = t[0]; topic.appendChild(o); });
      Object.keys(m.years).sort().reverse().forEach(function (y) { var o = el("option", "", y); o.value = y; year.appendChild(o); });
      topic.value = params.get("topic") || "";
      year.value = params.get("year") || "";
      sort.value = params.get("sort") || "relevance";
      return run(false);
    }).catch(function (error) {
      status.textContent = failure(error);
      box.setAttribute("data-state", "done");
    });

    form.addEventListener("submit", function (event) { event.preventDefault(); run(true); });
    [topic, year, sort].forEach(function (select) { select.addEventListener("change", function () { run(true); }); });
    more.addEventListener("click", function () { showMore(); });
  }

  window.dpSearch = { search: search, docs: docs, load: load, root: ROOT };

  function init() {
    var header = document.querySelector("form.dp-search");
    if (header) initHeader(header);
    var results = document.querySelector("[data-dp-results]");
    if (results) initResults(results);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
