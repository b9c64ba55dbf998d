/* The 404 page's help (overrides/404.html): the search box prefilled with the words of the address the
   reader asked for, and, when the address holds a date (2025/09/06/, 2025-09-06, Hugging Face's
   papers/date/2025-09-06), links to the nearest days before and after it that have a list.

   The listed days come from the archive's own month pages: their calendars link every listed day
   (td.dp-listed a), and their pagers (a[rel=prev], a[rel=next]) the months around them. At most a
   year of month pages is read on each side; each link shown is one of those pages' own, and its text is set as text. */
(function () {
  "use strict";

  var box = document.querySelector("[data-dp-nearest]");
  var input = document.getElementById("dp-notfound-q");
  var rootMeta = document.querySelector('meta[name="dp-root"]');
  if (!box || !input || !rootMeta) return;
  var root = new URL(rootMeta.getAttribute("content") || "/", location.href);
  var path = location.pathname.indexOf(root.pathname) === 0 ? location.pathname.slice(root.pathname.length) : location.pathname;
  var asked;
  try { asked = decodeURIComponent(path); } catch { asked = path; }

  var DATE = /(\d{4})[/-](\d{2})(?:[/-](\d{2}))?/;
  var match = DATE.exec(asked);
  var year = match ? Number(match[1]) : 0, month = match ? Number(match[2]) : 0;
  var day = match && match[3] ? Number(match[3]) : 1;
  var wanted = new Date(Date.UTC(year, month - 1, day));
  if (!match || wanted.getUTCMonth() !== month - 1 || wanted.getUTCDate() !== day) {  // no date, or 2025/02/30
    var words = asked.replace(/\.html?$/, "").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    input.value = words.slice(-8).join(" ");
    return;
  }
  var iso = wanted.toISOString().slice(0, 10);
  var monthUrl = new URL(box.getAttribute("data-dp-nearest").replace("{yyyy}", match[1]).replace("{mm}", match[2]), root);

  function readMonth(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) return null;
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var days = Array.prototype.map.call(doc.querySelectorAll("td.dp-listed a[href]"), function (link) {
          var href = new URL(link.getAttribute("href"), url);
          var parts = /(\d{4})\/(\d{2})\/(\d{2})\/$/.exec(href.pathname);
          return parts && href.origin === location.origin ? { date: parts[1] + "-" + parts[2] + "-" + parts[3], url: href.href } : null;
        }).filter(Boolean);
        function neighbour(rel) {
          var link = doc.querySelector('.dp-pager a[rel~="' + rel + '"][href]');
          return link ? new URL(link.getAttribute("href"), url).href : null;
        }
        return { days: days, prev: neighbour("prev"), next: neighbour("next") };
      });
    }).catch(function () { return null; });
  }

  function item(list, label, found) {
    var li = document.createElement("li");
    li.appendChild(document.createTextNode(label + " "));
    var link = document.createElement("a");
    link.href = found.url;
    link.textContent = found.date;
    li.appendChild(link);
    list.appendChild(li);
  }

  /* The nearest listed day on one side: this month's, else the months before (or after) it, up to a
     year away, following each month page's pager. */
  function walk(page, side, hops) {
    if (!page) return Promise.resolve(null);
    var days = page.days.filter(function (d) { return side === "prev" ? d.date <= iso : d.date > iso; });
    if (days.length) return Promise.resolve(side === "prev" ? days[days.length - 1] : days[0]);
    if (!page[side] || hops >= 12) return Promise.resolve(null);
    return readMonth(page[side]).then(function (next) { return walk(next, side, hops + 1); });
  }

  readMonth(monthUrl.href).then(function (page) {
    return Promise.all([walk(page, "prev", 0), walk(page, "next", 0)]);
  }).then(function (found) {
    var heading = document.createElement("p");
    var list = document.createElement("ul");
    if (found[0] && found[0].date === iso) {
      heading.textContent = "The list of " + iso + " is at:";
      item(list, "", found[0]);
    } else if (found[0] || found[1]) {
      heading.textContent = "The archive has no list for " + iso + (wanted.getUTCDay() % 6 === 0 ? " (a weekend)" : "") + ". The nearest days with one:";
      if (found[0]) item(list, "Before:", found[0]);
      if (found[1]) item(list, "After:", found[1]);
    } else {
      heading.textContent = "The archive has no month page for " + iso.slice(0, 7) + ": it may be before the list began or not fetched yet.";
    }
    box.appendChild(heading);
    if (list.children.length) box.appendChild(list);
    box.hidden = false;
  });
})();
