/* The reader's tools: Save, Copy BibTeX and Similar papers on every paper card, the reading list on
   /saved/ (kept in localStorage: no account, nothing leaves the browser), and keyboard keys.

   The element around a day's cards carries `data-cards`, the path (from the site root) of that day's
   JSON shard, written by generator/outputs/cards.py; the tools fetch it on first use. Every value from the data reaches the page
   as text (textContent, createElement), never as HTML. URLs come from the build, never from here:
   shard paths and card links are in the data, the site root and the saved page in <meta> tags.
   A card that the address's #fragment names (a permalink leads there) opens its similar papers. */
(function () {
  "use strict";

  var STORE = "dailypapers.saved";
  var TITLE_STOP = /^(a|an|the|is|are|was|were|be|all|you|your|we|our|of|on|in|into|for|to|and|or|with|without|via|from|by|at|as|its|it|do|does|can|how|what|why|when|which|towards?|using|beyond|vs|versus)$/;

  function metaURL(name, fallback) {
    var meta = document.querySelector('meta[name="' + name + '"]');
    var value = meta ? meta.getAttribute("content") || fallback : fallback;
    return value === null ? null : new URL(value, document.baseURI).href;
  }

  var ROOT = metaURL("dp-root", ".").replace(/\/?$/, "/");
  var SAVED_PAGE = metaURL("dp-saved", null);

  /* ---------- the day shards ---------- */

  var shards = Object.create(null);

  function loadShard(path) {
    if (!shards[path]) {
      shards[path] = fetch(new URL(path, ROOT).href).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      shards[path].catch(function () { delete shards[path]; });  // a later click tries again
    }
    return shards[path];
  }

  /* A day's cards share its shard (on the element around them); a week's or a month's top cards come
     from several days, and each names its own. */
  var CARDS = "[data-cards] article.dp-card, article.dp-card[data-cards]";

  /* The element the address's #fragment names, or null (also for a malformed fragment such as "%E0%A4%A"). */
  function targetedCard() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch { return null; }
    return id ? document.getElementById(id) : null;
  }

  function shardOf(card) {
    return card.closest("[data-cards]").getAttribute("data-cards");
  }

  function recordFor(card) {
    return loadShard(shardOf(card)).then(function (shard) {
      var record = Object.prototype.hasOwnProperty.call(shard, card.id) ? shard[card.id] : null;
      if (!record) throw new Error("no data for " + card.id);
      return record;
    });
  }

  /* ---------- BibTeX, in the form arXiv's own export uses (no primaryClass: the API does not give it) ---------- */

  var BIB_ESCAPES = {
    "\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}", "%": "\\%", "#": "\\#",
    "&": "\\&", "$": "\\$", "_": "\\_", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}"
  };

  /* Text as BibTeX text: every special character spelled as a command, so a title such as
     `\input{/etc/passwd}` or `{{ x }}` is printed, never obeyed, and braces always balance. */
  function bibText(value) {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is folded away
    return String(value).replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim()
      .replace(/[\\{}%#&$_^~]/g, function (ch) { return BIB_ESCAPES[ch]; });
  }

  /* One author: braced when BibTeX would otherwise split it (" and ") or read it as "Last, First". */
  function bibAuthor(name) {
    var text = bibText(name);
    return /,|\sand\s/i.test(text) ? "{" + text + "}" : text;
  }

  function asciiWord(value) {
    return String(value).normalize("NFKD").replace(/[^A-Za-z0-9]/g, "").toLowerCase();
  }

  function bibKey(paper) {
    var first = (paper.authors[0] || "").trim().split(/\s+/);
    var key = asciiWord(first[first.length - 1] || "") || "anon";
    var words = String(paper.title).split(/[^\p{L}\p{N}]+/u).map(asciiWord).filter(function (word) {
      return /[a-z]/.test(word) && !TITLE_STOP.test(word);  // words, not numbers such as the "1" of "$1"
    });
    return key + paper.year + words.slice(0, 2).join("");
  }

  function bibtex(paper) {
    return "@misc{" + bibKey(paper) + ",\n" +
      "      title={" + bibText(paper.title) + "},\n" +
      "      author={" + paper.authors.map(bibAuthor).join(" and ") + "},\n" +
      "      year={" + bibText(paper.year) + "},\n" +
      "      eprint={" + bibText(paper.id) + "},\n" +
      "      archivePrefix={arXiv},\n" +
      "      url={" + bibText(paper.arxiv) + "},\n" +
      "}\n";
  }

  /* ---------- the reading list ---------- */

  function paperFrom(id, record) {
    return { id: id, title: record.t, authors: record.a, year: record.y, day: record.d, url: record.u, arxiv: record.x };
  }

  function validPaper(item) {
    return item && typeof item.id === "string" && typeof item.title === "string" && Array.isArray(item.authors) &&
      typeof item.url === "string" && typeof item.arxiv === "string";
  }

  function readSaved() {
    try {
      var list = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(list) ? list.filter(validPaper) : [];
    } catch {
      return [];
    }
  }

  function writeSaved(list) {
    try {
      localStorage.setItem(STORE, JSON.stringify(list));
      return true;
    } catch {
      return false;
    }
  }

  /* The saved ids, read once for many cards (each read parses and checks the whole list). */
  function savedIds() {
    var ids = Object.create(null);
    readSaved().forEach(function (item) { ids[item.id] = true; });
    return ids;
  }

  /* Only http(s) links are ever made, whatever a stored list holds. */
  function safeLink(url, base) {
    try {
      var resolved = new URL(url, base);
      return /^https?:$/.test(resolved.protocol) ? resolved.href : null;
    } catch {
      return null;
    }
  }

  /* ---------- small DOM helpers ---------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(text); });
    }
    return copyBySelection(text);
  }

  function copyBySelection(text) {
    var area = el("textarea", { "aria-hidden": "true", readonly: "" });
    area.value = text;
    area.className = "dp-offscreen";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch { done = false; }
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function download(name, text, type) {
    var link = el("a", { download: name });
    link.href = URL.createObjectURL(new Blob([text], { type: type }));
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  /* ---------- the card tools ---------- */

  function say(card, text) {
    var status = card.querySelector(".dp-tools__status");
    if (status) status.textContent = text;
  }

  function showSaved(button, saved) {
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    button.textContent = saved ? "Saved ✓" : "Save";
    button.title = saved ? "Remove from your saved papers" : "Keep this paper in your saved papers (in this browser)";
  }

  function addTools(card, saved) {
    var tools = el("p", { "class": "dp-tools" });
    var save = el("button", { type: "button", "data-tool": "save" });
    showSaved(save, saved[card.id] === true);
    tools.appendChild(save);
    tools.appendChild(document.createTextNode(" "));
    tools.appendChild(el("button", { type: "button", "data-tool": "bibtex", title: "Copy this paper's BibTeX entry" },
      "Copy BibTeX"));
    tools.appendChild(document.createTextNode(" "));
    tools.appendChild(el("button", { type: "button", "data-tool": "similar", "aria-expanded": "false" },
      "Similar papers"));
    tools.appendChild(el("span", { "class": "dp-tools__status", role: "status", "aria-live": "polite" }));
    var links = card.querySelector(".dp-links");  // inside the card's disclosure
    if (links) links.parentNode.insertBefore(tools, links.nextSibling);
    else card.appendChild(tools);
  }

  function toggleSave(card, button) {
    var list = readSaved();
    var kept = list.filter(function (item) { return item.id !== card.id; });
    if (kept.length !== list.length) {
      writeSaved(kept);
      showSaved(button, false);
      say(card, "Removed from your saved papers.");
      updateHeaderLink();
      return;
    }
    recordFor(card).then(function (record) {
      var now = readSaved().filter(function (item) { return item.id !== card.id; });
      now.push(paperFrom(card.id, record));
      if (!writeSaved(now)) throw new Error("storage refused");
      showSaved(button, true);
      say(card, "Saved.");
      updateHeaderLink();
    }).catch(function () { say(card, "Could not save this paper here."); });
  }

  function copyBibtex(card) {
    recordFor(card).then(function (record) {
      return copyText(bibtex(paperFrom(card.id, record)));
    }).then(function () { say(card, "BibTeX copied."); },
            function () { say(card, "Could not copy the BibTeX."); });
  }

  function toggleSimilar(card, button) {
    var panel = card.querySelector(".dp-similar");
    if (panel) {
      panel.hidden = !panel.hidden;
      button.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      return;
    }
    panel = el("section", { "class": "dp-similar", "aria-label": "Similar papers" });
    panel.appendChild(el("p", { "class": "dp-similar__status", role: "status" }, "Loading similar papers…"));
    button.parentNode.insertAdjacentElement("afterend", panel);
    button.setAttribute("aria-expanded", "true");
    recordFor(card).then(function (record) {
      panel.textContent = "";
      if (!record.s.length) {
        panel.appendChild(el("p", { "class": "dp-similar__status" }, "No similar papers in the archive yet."));
        return;
      }
      panel.appendChild(el("p", { "class": "dp-similar__title" }, "Similar papers"));
      var list = el("ol");
      record.s.forEach(function (other) {
        var href = safeLink(other[2], ROOT);
        var item = el("li");
        item.appendChild(href ? el("a", { href: href }, other[1]) : el("span", {}, other[1]));
        item.appendChild(el("span", { "class": "dp-similar__id" }, " " + other[0]));
        list.appendChild(item);
      });
      panel.appendChild(list);
    }).catch(function () {
      panel.remove();
      button.setAttribute("aria-expanded", "false");
      say(card, "Could not load similar papers.");
    });
  }

  function initCards() {
    var cards = document.querySelectorAll(CARDS);
    if (!cards.length) return;
    var saved = savedIds();
    Array.prototype.forEach.call(cards, function (card) { addTools(card, saved); });
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[data-tool]");
      var card = button && button.closest(CARDS);
      if (!card) return;
      var tool = button.getAttribute("data-tool");
      if (tool === "save") toggleSave(card, button);
      else if (tool === "bibtex") copyBibtex(card);
      else if (tool === "similar") toggleSimilar(card, button);
    });
    /* Fetch the shard as soon as a pointer or focus nears the tools, so a click finds it loaded and
       Copy BibTeX writes the clipboard while the click still counts as the user's gesture. */
    function warm(event) {
      var card = event.target.closest && event.target.closest(CARDS);
      if (card && event.target.closest(".dp-tools")) loadShard(shardOf(card)).catch(function () {});
    }
    /* The card a link points at (a permalink redirects to it; so do search results and similar papers)
       shows its similar papers at once: the paper's own page, as far as a static archive has one. */
    function openTargeted() {
      var card = targetedCard();
      // Once per card and page: Back and Forward never reopen a list the reader closed.
      if (!card || !card.matches(CARDS) || card.querySelector(".dp-similar")) return;
      openCard(card, true);
      var button = card.querySelector('button[data-tool="similar"]');
      if (button) toggleSimilar(card, button);
    }
    openTargeted();
    window.addEventListener("hashchange", openTargeted);
    document.addEventListener("pointerover", warm);
    document.addEventListener("focusin", warm);
    window.addEventListener("storage", function (event) {  // another tab changed the list
      if (event.key !== STORE) return;
      var now = savedIds();
      Array.prototype.forEach.call(cards, function (card) {
        var button = card.querySelector('button[data-tool="save"]');
        if (button) showSaved(button, now[card.id] === true);
      });
      updateHeaderLink();
    });
  }

  /* ---------- compact or full cards, and keywords as searches ---------- */

  /* Cards are compact (their disclosure closed) until the reader picks Full, which is kept in this
     browser. The switch is made here, so a page without JavaScript has no dead control. */
  var VIEW_STORE = "dailypapers.cards";

  function disclosures() {
    return Array.prototype.slice.call(document.querySelectorAll("article.dp-card > details"));
  }

  function openCard(card, open) {
    var details = card.querySelector(":scope > details");
    if (details) details.open = open === undefined ? !details.open : open;
  }

  function showView(view, buttons) {
    disclosures().forEach(function (details) { details.open = view === "full"; });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-view") === view ? "true" : "false");
    });
  }

  function initView() {
    var all = disclosures();
    if (!all.length) return;
    var view = "compact";
    try { if (localStorage.getItem(VIEW_STORE) === "full") view = "full"; } catch { /* storage blocked */ }
    var box = el("p", { "class": "dp-view", role: "group", "aria-label": "Show cards" });
    box.appendChild(el("span", {}, "Cards:"));
    var buttons = [["compact", "Compact"], ["full", "Full"]].map(function (pair) {
      var button = el("button", { type: "button", "data-view": pair[0] }, pair[1]);
      button.addEventListener("click", function () {
        try { localStorage.setItem(VIEW_STORE, pair[0]); } catch { /* kept for this page only */ }
        showView(pair[0], buttons);
      });
      box.appendChild(button);
      return button;
    });
    var first = all[0].parentNode;
    first.parentNode.insertBefore(box, first);
    showView(view, buttons);
  }

  /* A keyword without a page of its own searches the archive for it: made here rather than written on
     every card (750 links on a 50-paper day), and the search needs JavaScript anyway. */
  function linkKeywords() {
    var form = document.querySelector("form.dp-search");
    if (!form) return;
    var page = form.action;
    Array.prototype.forEach.call(document.querySelectorAll(".dp-keywords li"), function (item) {
      if (item.querySelector("a")) return;
      var word = item.textContent;
      var url = new URL(page);
      url.searchParams.set("q", word);
      item.textContent = "";
      item.appendChild(el("a", { href: url.href, title: "Search the archive for " + word }, word));
    });
  }

  /* ---------- the header's link to the reading list (only once something is saved) ---------- */

  function updateHeaderLink() {
    if (!SAVED_PAGE) return;
    var count = readSaved().length;
    var link = document.querySelector(".dp-saved-link");
    if (!count) {
      if (link) link.remove();
      return;
    }
    if (!link) {
      var anchor = document.querySelector(".md-header__inner .dp-search");
      if (!anchor) return;
      link = el("a", { "class": "dp-saved-link", href: SAVED_PAGE });
      anchor.parentNode.insertBefore(link, anchor);
    }
    link.textContent = "Saved " + count;
    link.title = count + " saved paper" + (count === 1 ? "" : "s") + ": your reading list";
  }

  /* ---------- the /saved/ page ---------- */

  function initSavedPage(box) {
    var list = box.querySelector(".dp-saved__list");
    var status = box.querySelector(".dp-saved__status");
    var exportButton = box.querySelector("[data-dp-export]");
    var copyButton = box.querySelector("[data-dp-copy-links]");

    function render() {
      var saved = readSaved();
      list.textContent = "";
      saved.forEach(function (paper) {
        var item = el("li", { "data-id": paper.id });
        var href = safeLink(paper.url, ROOT);
        item.appendChild(href ? el("a", { href: href }, paper.title) : el("span", {}, paper.title));
        var names = paper.authors.length > 3 ? paper.authors.slice(0, 3).join(", ") + " and " +
          (paper.authors.length - 3) + " more" : paper.authors.join(", ");
        item.appendChild(el("span", { "class": "dp-saved__meta" },
          "arXiv " + paper.id + (paper.day ? " · " + paper.day : "") + (names ? " · " + names : "")));
        var remove = el("button", { type: "button", "class": "dp-saved__remove" }, "Remove");
        remove.setAttribute("aria-label", "Remove " + paper.title);
        remove.addEventListener("click", function () {
          writeSaved(readSaved().filter(function (other) { return other.id !== paper.id; }));
          render();
          status.textContent = "Removed “" + paper.title + "”.";
        });
        item.appendChild(remove);
        list.appendChild(item);
      });
      status.textContent = saved.length ? saved.length + " saved paper" + (saved.length === 1 ? "" : "s") + "." :
        "Nothing saved yet: press Save on a paper's card.";
      exportButton.disabled = copyButton.disabled = !saved.length;
      updateHeaderLink();
    }

    exportButton.addEventListener("click", function () {
      var saved = readSaved();
      download("saved-papers.bib", saved.map(bibtex).join("\n"), "application/x-bibtex;charset=utf-8");
      status.textContent = "Exported " + saved.length + " BibTeX entr" + (saved.length === 1 ? "y" : "ies") + ".";
    });
    copyButton.addEventListener("click", function () {
      var lines = readSaved().map(function (paper) {
        return String(paper.title).replace(/\s+/g, " ") + " " + (safeLink(paper.arxiv, ROOT) || "");
      });
      copyText(lines.join("\n") + "\n").then(function () { status.textContent = "Links copied."; },
        function () { status.textContent = "Could not copy the links."; });
    });
    window.addEventListener("storage", function (event) { if (event.key === STORE) render(); });
    render();
  }

  /* ---------- keyboard keys ---------- */

  var KEYS = [
    ["←", "previous day, week or month"], ["→", "next day, week or month"], ["j", "next paper"],
    ["k", "previous paper"], ["o", "open or close the paper"], ["/", "search"], ["?", "show or hide these keys"], ["Esc", "close this list"]
  ];
  var overlay = null;
  var returnFocus = null;

  function buildOverlay() {
    overlay = el("div", { "class": "dp-keys", role: "dialog", "aria-modal": "true", "aria-labelledby": "dp-keys-title" });
    overlay.hidden = true;
    var box = el("div", { "class": "dp-keys__box" });
    box.appendChild(el("h2", { id: "dp-keys-title" }, "Keyboard keys"));
    var table = el("dl");
    KEYS.forEach(function (pair) {
      var key = el("dt");
      key.appendChild(el("kbd", {}, pair[0]));
      table.appendChild(key);
      table.appendChild(el("dd", {}, pair[1]));
    });
    box.appendChild(table);
    if (SAVED_PAGE) {
      var more = el("p");
      more.appendChild(el("a", { href: SAVED_PAGE }, "Your saved papers"));
      box.appendChild(more);
    }
    var close = el("button", { type: "button", "class": "dp-keys__close" }, "Close");
    close.addEventListener("click", function () { toggleOverlay(false); });
    box.appendChild(close);
    overlay.appendChild(box);
    overlay.addEventListener("click", function (event) { if (event.target === overlay) toggleOverlay(false); });
    document.body.appendChild(overlay);
  }

  function toggleOverlay(show) {
    if (!overlay) buildOverlay();
    if (show === undefined) show = overlay.hidden;
    if (show === !overlay.hidden) return;
    overlay.hidden = !show;
    if (show) {
      returnFocus = document.activeElement;
      overlay.querySelector(".dp-keys__close").focus();
    } else if (returnFocus && returnFocus.focus) {
      returnFocus.focus();
    }
  }

  /* Tab and Shift+Tab cycle through the dialog's own controls while it is open. */
  function keepFocusInside(event) {
    var items = overlay.querySelectorAll("a[href], button");
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    else if (!overlay.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
  }

  function moveCard(step) {
    var cards = Array.prototype.slice.call(document.querySelectorAll("article.dp-card"));
    if (!cards.length) return;
    var current = cards.indexOf(document.querySelector("article.dp-card.dp-current"));
    if (current < 0) current = cards.indexOf(targetedCard());
    var next = current < 0 ? (step > 0 ? 0 : cards.length - 1) : Math.min(cards.length - 1, Math.max(0, current + step));
    cards.forEach(function (card) { card.classList.remove("dp-current"); });
    var card = cards[next];
    card.classList.add("dp-current");
    card.setAttribute("tabindex", "-1");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "start" });
  }

  function follow(rel) {
    var link = document.querySelector('.dp-pager a[rel~="' + rel + '"][href]');
    if (link) location.href = link.href;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (overlay && !overlay.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); toggleOverlay(false); }
      else if (event.key === "Tab") keepFocusInside(event);
      return;
    }
    if (typing) return;
    if (event.key === "?") { event.preventDefault(); toggleOverlay(true); return; }
    if (event.shiftKey) return;
    if (event.key === "ArrowLeft") follow("prev");
    else if (event.key === "ArrowRight") follow("next");
    else if (event.key === "j") { event.preventDefault(); moveCard(1); }
    else if (event.key === "k") { event.preventDefault(); moveCard(-1); }
    else if (event.key === "o") {
      var card = document.querySelector("article.dp-card.dp-current") || targetedCard();
      if (card && card.matches("article.dp-card")) { event.preventDefault(); openCard(card); }
    }
    /* "/" is search-ui.js's: it focuses the header's search box. */
  }

  function init() {
    initView();
    linkKeywords();
    initCards();
    var savedBox = document.querySelector("[data-dp-saved]");
    if (savedBox) initSavedPage(savedBox);
    else updateHeaderLink();
    document.addEventListener("keydown", onKey);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
