/* Daily Papers Archive search, the page: the header box (results as you type) and the /search/
 * results page. search-core.js (loaded before this file, window.dpSearchCore) reads the index and runs
 * the query; this file only asks it and shows what it returns. Nothing from the index is ever inserted
 * as HTML: every text goes through textContent.
 */
(function () {
  "use strict";

  var core = window.dpSearchCore;

  /* The site root this page knows (relative in the page, so a GitHub Pages project path works). */
  function siteRoot() {
    var meta = document.querySelector('meta[name="dp-root"]');
    var base = meta ? meta.getAttribute("content") || "." : ".";
    return new URL(base.replace(/\/?$/, "/"), document.baseURI).href;
  }

  /* The search index's folder under the site root: the results page's, which the header's box is a
   * form to (its action comes from generator/core/urls.py, through the build). */
  function indexFolder(root) {
    var page = new URL(document.querySelector("form.dp-search").getAttribute("action"), document.baseURI).href;
    return page.slice(root.length);
  }

  /* lunr.js, loaded only once someone searches. */
  function loadLunr(url) {
    if (window.lunr) return Promise.resolve(window.lunr);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = function () { if (window.lunr) resolve(window.lunr); else reject(new Error("lunr.js did not load")); };
      script.onerror = function () { reject(new Error(url + " could not be loaded")); };
      document.head.appendChild(script);
    });
  }

  var root = siteRoot();
  var index = core.openIndex({
    root: root,
    index: indexFolder(root),
    fetch: function (url, request) { return window.fetch(url, request); }, /* late-bound: tests wrap it */
    loadLunr: loadLunr
  });
  var search = index.search, docs = index.docs, load = index.load;

  /* ---------- showing results ---------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Append `text` to `parent`, wrapping the words the query matched in <mark>. */
  function marked(parent, text, isMatch) {
    var parts = text.split(/([\s-]+)/);
    var buffer = "";
    function flush() { if (buffer) { parent.appendChild(document.createTextNode(buffer)); buffer = ""; } }
    parts.forEach(function (part, i) {
      if (i % 2 === 1 || !part || !isMatch(part)) { buffer += part; return; }
      var lead = part.match(/^\W*/)[0], tail = part.slice(lead.length).match(/\W*$/)[0];
      var word = part.slice(lead.length, part.length - tail.length);
      buffer += lead;
      flush();
      parent.appendChild(el("mark", "", word));
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

  function authorLine(record, isMatch, shown) {
    var names = record.authors || [];
    var picked = names.slice(0, shown);
    names.slice(shown).forEach(function (n) {
      if (picked.length < shown + 3 && n.split(/[\s-]+/).some(isMatch)) picked.push(n);
    });
    var text = picked.join(", ");
    if (names.length > picked.length) text += " and " + (names.length - picked.length) + " more";
    return text;
  }

  function renderHit(record, isMatch, compact, optionId) {
    var item = el("li", compact ? "dp-hit dp-hit--compact" : "dp-hit");
    if (optionId) { item.id = optionId; item.setAttribute("role", "option"); item.setAttribute("aria-selected", "false"); }
    var link = el("a", "dp-hit__link");
    link.href = record.href;
    if (optionId) link.tabIndex = -1;
    marked(link.appendChild(el("span", "dp-hit__title")), record.title, isMatch);
    var meta = link.appendChild(el("span", "dp-hit__meta"));
    meta.appendChild(el("span", "dp-hit__day", record.day));
    meta.appendChild(el("span", "dp-hit__upvotes", "▲ " + record.upvotes));
    if (record.organization) marked(meta.appendChild(el("span", "dp-hit__org")), record.organization, isMatch);
    marked(link.appendChild(el("span", "dp-hit__authors")), authorLine(record, isMatch, compact ? 3 : 8), isMatch);
    marked(link.appendChild(el("span", "dp-hit__snippet")), snippet(record.snippet || "", isMatch, compact ? 18 : 40), isMatch);
    item.appendChild(link);
    return item;
  }

  /* A corrected query's words as a reader would write them: the first word of the shown papers' titles
     and snippets whose term is the correction (else the term itself, a stem). */
  function correctedWords(result, records) {
    return result.corrected.map(function (pair) {
      var found = null;
      records.some(function (record) {
        return (record.title + " " + (record.snippet || "")).split(/\s+/).some(function (word) {
          var plain = word.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
          if (plain && result.core.pipelineTerm(plain) === pair[1]) { found = plain; return true; }
          return false;
        });
      });
      return found || pair[1];
    });
  }

  function describe(text, result, records) {
    if (result.corrected && result.total) {
      var shown = result.total.toLocaleString("en-US");
      return "No paper matches “" + text.trim() + "”. Showing " + shown + (result.total === 1 ? " paper" : " papers") +
        " for the closest words in the archive: “" + correctedWords(result, records || []).join(" ") + "”.";
    }
    if (result.notFound) return "No paper with arXiv id " + result.id + " is in the archive.";
    if (result.empty) {
      return "Nothing to search for in “" + text.trim() + "”: search skips punctuation, symbols and the " +
        "commonest words, and reads words by their Latin letters and digits. Type at least " + core.MIN_PREFIX +
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
          status.textContent = describe(text, result, records) + (result.total ? more : "");
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
        return records;
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
      /* Read as the header box reads it (an unfinished last word is a prefix unless it is a whole term),
         so the page counts the papers the box said it would show. */
      return search(text, { typing: true, topic: topic.value, year: year.value, sort: sort.value }).then(function (result) {
        if (mine !== seq) return null;
        current = result;
        status.textContent = describe(text, result);
        document.title = "Search: " + text.trim() + " - " + document.title.replace(/^Search: .* - /, "");
        return showMore().then(function (records) {
          if (mine === seq && result.corrected && records) status.textContent = describe(text, result, records);
        });
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

  window.dpSearch = index; /* for the benchmark and the console: search(text, options), docs(manifest, hits) */

  function init() {
    var header = document.querySelector("form.dp-search");
    if (header) initHeader(header);
    var results = document.querySelector("[data-dp-results]");
    if (results) initResults(results);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
