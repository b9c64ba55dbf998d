"""The stats page's charts as static SVG, drawn by matplotlib at build time.

Each chart is inlined into the page, so it follows the theme's light and dark scheme: text, axes and
grid are drawn in a placeholder colour that becomes `currentColor` (the page's text colour), and the
data colours are mid-tones that read on both white and slate. The bytes depend only on the data:
a fixed hash salt for matplotlib's ids, no date in the metadata, fixed size and font (DejaVu Sans
ships with matplotlib), text kept as text (`svg.fonttype: none`). Labels are text, never markup:
matplotlib XML-escapes them and math parsing is off, so "$x$" or "<b>" in an organization's name is
shown as written.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from generator.core.errors import one_line
from generator.domain.views import OrgYear, StatsView, TopicShare

INK = "#010203"  # placeholder for the page's text colour; replaced by currentColor
BAR = "#e8910c"  # amber-orange, the theme's accent family: readable on white and on slate
WIDTH_IN = 5.5
LABEL_CHARS = 40  # longer organization names are cut in the chart; the table holds them in full

_STYLE = {
    "svg.hashsalt": "dailypapers",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "text.parse_math": False,
    "text.usetex": False,
    "axes.unicode_minus": False,
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "grid.color": INK,
    "grid.alpha": 0.15,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.edgecolor": "none",
    "svg.image_inline": True,
}
_ID = re.compile(r' id="([^"]+)"')
_REFERENCE = re.compile(r'(?:url\(#|href="#)([^")]+)')
# Coordinates to two decimals (matplotlib writes six): a third of the bytes, no visible change. Only in
# geometry attributes: labels are element text and are never touched.
_GEOMETRY = re.compile(r'(\s(?:d|x|y|transform|viewBox)=")([^"]*)"')
_ROUGH = re.compile(r"-?\d+\.\d{3,}")
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [^)"]*\)"')
_TAG = re.compile(r"(<[^>]*>)")


def _round(match: re.Match[str]) -> str:
    value = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if value == "-0" else value


@contextmanager
def _style() -> Iterator[None]:
    """The charts' style; and quiet: a label in a script DejaVu Sans lacks (a Chinese organization's
    name) makes matplotlib warn on stderr, two lines per character, and library code never prints. The
    chart still shows the label's other characters, and its table beside it shows the name whole."""
    import warnings

    import matplotlib

    with matplotlib.rc_context(_STYLE), warnings.catch_warnings():  # type: ignore[arg-type]  # stubs want Literals
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from", category=UserWarning)
        yield


def _figure(height_in: float):  # -> matplotlib.figure.Figure (imported lazily: ~0.3 s)
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=72, layout="constrained")
    FigureCanvasSVG(figure)
    return figure


def _to_svg(figure, chart_id: str, title: str) -> str:
    """The figure as an SVG element for inlining: ids prefixed by `chart_id` (several charts share a
    page), no XML prologue or metadata, scaling with its container, colours following the theme.

    Only tags are rewritten, never the text between them: labels are untrusted, and a label such as
    `id="x"` or the placeholder colour must come out as written. Matplotlib escapes <, > and & in
    text and attributes, so splitting at < and > finds every tag.
    """
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = out.getvalue()
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg[svg.index("<svg"):], flags=re.S)
    parts = _TAG.split(svg)  # text, tag, text, tag, ...: odd items are tags
    used = {ref for tag in parts[1::2] for ref in _REFERENCE.findall(tag)}  # clip paths, <use> targets

    def rewrite(tag: str) -> str:
        tag = _ID.sub(lambda m: f' id="{chart_id}-{m.group(1)}"' if m.group(1) in used else "", tag)
        tag = tag.replace("url(#", f"url(#{chart_id}-").replace('xlink:href="#', f'xlink:href="#{chart_id}-')
        tag = tag.replace(INK, "currentColor").replace(" \n", " ").replace("\n", " ")
        tag = tag.replace("; font-family: 'DejaVu Sans'", "")  # set once, on the <svg> element
        tag = _NO_ROTATION.sub("", tag)
        return _GEOMETRY.sub(lambda m: m.group(1) + _ROUGH.sub(_round, m.group(2)) + '"', tag)

    pieces = []
    for index, part in enumerate(parts):
        if index % 2:
            pieces.append(rewrite(part))
        elif part.strip():  # matplotlib's indentation between tags goes; label text stays as it is
            pieces.append(part)
    svg = "".join(pieces)
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"([^>]*)>',
                 rf'<svg \1role="img" aria-labelledby="{chart_id}-title" class="dp-chart-svg" '
                 + """style="width:100%;height:auto;font-family:'DejaVu Sans',Verdana,sans-serif"\\2>"""
                 + f'<title id="{chart_id}-title">{escaped}</title>', svg, count=1)
    return svg + "\n"


def _label(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _date_ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Labelled ticks for a date axis: January 1 of each year, else the first of every few months, else
    (a few weeks only) the weeks' Mondays. Labels are numeric, so no locale can change them."""
    years = [dt.date(y, 1, 1) for y in range(first.year, last.year + 1) if first <= dt.date(y, 1, 1) <= last]
    if len(years) >= 2:
        return [(d, f"{d.year}") for d in years]
    starts = []
    year, month = first.year, first.month
    while dt.date(year, month, 1) <= last:
        if dt.date(year, month, 1) >= first:
            starts.append(dt.date(year, month, 1))
        year, month = year + month // 12, month % 12 + 1
    if len(starts) >= 2:
        step = -(-len(starts) // 6)
        return [(d, f"{d:%Y-%m}") for d in starts[::step]]
    mondays = [first + dt.timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    return [(d, d.isoformat()) for d in mondays[:: -(-len(mondays) // 4)]]


def weekly_chart(weeks: Sequence[tuple[dt.date, int]]) -> str:
    """Papers per ISO week as a stepped area, each step a week from its Monday."""
    with _style():
        figure = _figure(3.2)
        axes = figure.add_subplot()
        x = [monday.toordinal() for monday, _ in weeks]
        # one stepped area, not a bar per week: one SVG path however many weeks there are
        axes.stairs([n for _, n in weeks], [*x, x[-1] + 7], fill=True, color=BAR, linewidth=0)
        ticks = _date_ticks(weeks[0][0], weeks[-1][0] + dt.timedelta(days=6))
        axes.set_xticks([d.toordinal() for d, _ in ticks], [label for _, label in ticks])
        axes.set_xlim(x[0] - 3, x[-1] + 10)
        axes.set_ylim(bottom=0)
        axes.set_ylabel("papers per week")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="y")
        axes.set_axisbelow(True)
        return _to_svg(figure, "chart-weekly", "Papers per week")


def topic_share_chart(quarters: Sequence[str], totals: Sequence[int], shares: Sequence[TopicShare]) -> str:
    """Each topic's share of each quarter's papers as a heat map, one row per topic (a paper can be
    filed under up to three topics, so a column does not add up to 100 %)."""
    import matplotlib

    with _style():
        figure = _figure(0.6 + 0.3 * len(shares))
        axes = figure.add_subplot()
        grid = [[100.0 * c / t if t else 0.0 for c, t in zip(s.counts, totals, strict=True)] for s in shares]
        # Ten colour steps: each step reads apart, and the colour bar is ten shapes, not 256.
        cmap = matplotlib.colormaps["viridis"].resampled(10)
        top = max([10.0, *(v for row in grid for v in row)])
        mesh = axes.pcolormesh(grid, cmap=cmap, vmin=0, vmax=-(-top // 10) * 10, edgecolors="none", clip_on=False)
        axes.set_yticks([i + 0.5 for i in range(len(shares))], [_label(s.topic.title) for s in shares])
        axes.invert_yaxis()
        if len(quarters) <= 8:  # each quarter, on two lines ("Q1", "2024")
            axes.set_xticks([i + 0.5 for i in range(len(quarters))],
                            ["\n".join(reversed(q.split(" "))) for q in quarters])
        else:  # years of quarters: each year's first quarter in the chart, its year upright
            firsts = [i for i, q in enumerate(quarters) if i == 0 or q[:4] != quarters[i - 1][:4]]
            axes.set_xticks([i + 0.5 for i in firsts], [quarters[i][:4] for i in firsts], rotation=90)
        axes.tick_params(length=0)
        for side in ("left", "bottom"):
            axes.spines[side].set_visible(False)
        bar = figure.colorbar(mesh, ax=axes, fraction=0.04, pad=0.02)
        bar.set_label("% of the quarter's papers")
        bar.outline.set_visible(False)
        return _to_svg(figure, "chart-topics", "Each topic's share of the papers per quarter")


def top_orgs_chart(years: Sequence[OrgYear]) -> str:
    """One horizontal bar panel per year: the organizations with the most papers that year."""
    with _style():
        rows = sum(len(y.top) for y in years)
        figure = _figure(0.5 + 0.22 * rows + 0.45 * len(years))
        panels = figure.subplots(len(years), 1, squeeze=False,
                                 gridspec_kw={"height_ratios": [max(1, len(y.top)) for y in years]})
        for axes, year in zip(panels[:, 0], years, strict=True):
            names = [_label(org.title) for org, _ in year.top]
            counts = [n for _, n in year.top]
            positions = list(range(len(names)))
            axes.barh(positions, counts, color=BAR, linewidth=0, clip_on=False)
            axes.set_yticks(positions, names)
            axes.invert_yaxis()
            axes.set_title(str(year.year), loc="left", fontsize=10, fontweight="bold")
            axes.grid(axis="x")
            axes.set_axisbelow(True)
            axes.set_xlim(0, max(counts) * 1.12)  # room for the value after the longest bar
            axes.xaxis.get_major_locator().set_params(integer=True)
            for index, value in enumerate(counts):
                axes.text(value, index, f" {value:,}", va="center", fontsize=8)
        panels[-1, 0].set_xlabel("papers")
        return _to_svg(figure, "chart-orgs", "Organizations with the most papers, per year")


def upvotes_chart(bins: Sequence[tuple[str, int]]) -> str:
    """How many papers got how many upvotes, in widening ranges (most papers get few)."""
    with _style():
        figure = _figure(3.0)
        axes = figure.add_subplot()
        positions = list(range(len(bins)))
        axes.bar(positions, [n for _, n in bins], color=BAR, linewidth=0, clip_on=False)
        axes.set_xticks(positions, [label for label, _ in bins], rotation=30, ha="right", rotation_mode="anchor")
        axes.set_xlabel("upvotes")
        axes.set_ylabel("papers")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="y")
        axes.set_axisbelow(True)
        return _to_svg(figure, "chart-upvotes", "Papers by number of upvotes")


def stats_charts(view: StatsView) -> dict[str, str]:
    """Every chart the stats page shows, by name; a chart without data is "" (the page leaves it out)."""
    return {
        "weekly": weekly_chart(view.weeks) if view.weeks else "",
        "topics": topic_share_chart(view.quarters, view.quarter_totals, view.topic_shares)
        if view.quarters and view.topic_shares else "",
        "orgs": top_orgs_chart(view.org_years) if view.org_years else "",
        "upvotes": upvotes_chart(view.upvote_bins) if view.paper_count else "",
    }
