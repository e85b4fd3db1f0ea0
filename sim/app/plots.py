"""Figures of the teaching app as small inline SVG documents.

Why not matplotlib or Mesa's Altair components: a step of the side-by-side view must render
in under 0.5 s on a shared 2-core machine. Matplotlib's text layout alone cost 40–140 ms
per figure there (eight figures per step), and Altair needs Vega from a CDN, which an
offline classroom does not reach. Line charts and a grid of areas are simple enough to
write as SVG directly (≈ 1 ms each); tick positions come from matplotlib's ``MaxNLocator``
and colours from its colormaps, so nothing numeric is hand-rolled. The text stays text: the
browser test reads the legends.

Every time-series plot draws every model: colour = model, line style = measure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import matplotlib
import numpy as np
from matplotlib.colors import Normalize, to_hex
from matplotlib.ticker import MaxNLocator

from sim.app.i18n import num, tr
from sim.app.i18n import t as tt
from sim.app.state import RunView
from sim.outputs import axis_unit, label, output, short_label

MODEL_COLOURS = ("#1f77b4", "#d62728")
STATUS_COLOURS = {1: "#2ca02c", 2: "#ffbf00", 3: "#d62728"}
DASHES = {"-": "", "--": "6 4", ":": "2 3"}
FONT = "font-family='sans-serif'"


@dataclass(frozen=True)
class Series:
    """One measure of a plot: the yearly column, its line style and scale (100 = a 0–1 share in %).
    Its legend name is the column's short label in the output registry (``sim.outputs``)."""

    column: str
    style: str = "-"
    scale: float = 1.0

    @property
    def name(self) -> str:
        return short_label(self.column)


@dataclass(frozen=True)
class PlotSpec:
    """A plot of one or more yearly columns; the axis unit comes from the output registry."""

    key: str
    title: str
    series: tuple[Series, ...]

    @property
    def unit(self) -> str:
        first = self.series[0]
        return axis_unit(first.column, percent=first.scale == 100.0)


PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec(
        "overhead",
        label("admin_overhead_share", unit=False),
        (Series("admin_overhead_share", "-", 100.0),),
    ),
    PlotSpec(
        "satisfaction",
        "Citizen satisfaction vs political expectation",
        (Series("citizen_satisfaction", "-"), Series("political_expectation", "--")),
    ),
    PlotSpec(
        "wellbeing", label("employee_wellbeing", unit=False), (Series("employee_wellbeing", "-"),)
    ),
    PlotSpec(
        "sick_leave", label("sick_leave_rate", unit=False), (Series("sick_leave_rate", "-", 100.0),)
    ),
    PlotSpec(
        "trust",
        "Trust",
        (
            Series("trust_employees_management", "-"),
            Series("trust_orderer_provider", "--"),
            Series("trust_politicians_administration", ":"),
        ),
    ),
    PlotSpec(
        "shares",
        "In-house vs tendered share",
        (Series("inhouse_share", "-", 100.0), Series("tendered_share", "--", 100.0)),
    ),
    PlotSpec(
        "proposals",
        "Employee proposals",
        (Series("proposals_made", "-"), Series("proposals_implemented", "--")),
    ),
)

W, H = 460, 290
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 30, 78
TITLE, TICK, LEGEND = 16, 13, 13  # font sizes in SVG units (the SVG scales with its column)


def _text(
    x: float, y: float, s: str, size: float = 11, anchor: str = "start", extra: str = ""
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' {FONT} {extra}>"
        f"{escape(s)}</text>"
    )


def _fmt(v: float, lang: str = "en") -> str:
    """A tick label (MaxNLocator's round values) as `lang` writes numbers."""
    s = f"{v:.10g}" if abs(v) >= 1e-9 else "0"
    return num(float(s), lang, len(s.split(".")[1]) if "." in s else 0)


def baseline(spec: PlotSpec) -> float:
    """Where the y axis starts: the low end of the first column's scale in the output registry
    ("0–1" → 0, "1–7 scale" → 1; × 100 for a share in %), else 0 — a fixed, meaningful
    baseline instead of the data's minimum."""
    first = spec.series[0]
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)\s*[–-]", output(first.column).scale)
    return float(m.group(1)) * first.scale if m else 0.0


def ceiling(spec: PlotSpec) -> float | None:
    """The top of the first column's scale in the output registry ("0–1" → 1, "1–7 scale" →
    7; × 100 for a share in %), or None for an open scale ("≥ 0")."""
    first = spec.series[0]
    m = re.match(r"\s*-?\d+(?:\.\d+)?\s*[–-]\s*(-?\d+(?:\.\d+)?)", output(first.column).scale)
    return float(m.group(1)) * first.scale if m else None


def data_top(spec: PlotSpec, views: Sequence[RunView]) -> float | None:
    """The highest value the plot shows (its bands included), or None before the first year."""
    values = [r[s.column] * s.scale for v in views for r in v.rows for s in spec.series]
    for v in views:
        for s in spec.series:
            if v.band and s.column in v.band:
                values += [float(x) * s.scale for x in v.band[s.column][1]]
    return max(values) if values else None


def _scales(first: int, last: int, lo: float, hi: float, box: tuple[float, float, float, float]):
    """The year ticks inside the run, and the year → x and value → y maps of a plot's `box`
    (px0, px1, py0, py1): each year is a slot, its point in the slot's middle."""
    px0, px1, py0, py1 = box
    ticks = [
        t for t in MaxNLocator(nbins=7, integer=True).tick_values(first, last) if first <= t <= last
    ]

    def sx(year: float) -> float:
        return px0 + (year - first + 0.5) / (last - first + 1) * (px1 - px0)

    def sy(value: float) -> float:
        return py1 - (value - lo) / (hi - lo) * (py1 - py0)

    return ticks, sx, sy


def series_svg(
    spec: PlotSpec,
    views: Sequence[RunView],
    first_year: int,
    last_year: int,
    top: float | None = None,
    lang: str = "en",
) -> str:
    """One plot with every model's lines (its words in `lang`); the x axis spans the whole run so it does not jump,
    the y axis starts at the registry's baseline and reaches `top` (default: the data's max).

    Marks: a dashed vertical line in the model's colour where its regime switched, a thin grey
    one at each election; with several seeds a shaded band from the lowest to the highest seed
    around the mean line.
    """
    px0, px1, py0, py1 = LEFT, W - RIGHT, TOP, H - BOTTOM
    title = tr(spec.title, lang)
    lo = baseline(spec)
    seen = data_top(spec, views)
    hi = max(x for x in (top, seen) if x is not None) if (top or seen) is not None else None
    hi = lo + spec.series[0].scale if hi is None or hi <= lo else hi
    room = hi * 1.04 if hi > 0 else hi + 0.01
    cap = ceiling(spec)
    if cap is not None and hi <= cap:
        room = min(room, cap)  # a 0–1 measure never needs an axis past 1 (a share past 100 %)
    # ticks counted from the baseline, so the axis starts there (1 on a 1–7 scale, not 1.5)
    yticks = lo + MaxNLocator(nbins=5).tick_values(0.0, room - lo)
    yticks = np.round(yticks[yticks >= lo - 1e-12], 10)
    if cap is not None and len(yticks) > 2 and yticks[-1] > cap >= hi:
        inside = yticks[yticks <= cap + 1e-9]
        if inside[-1] >= hi:  # the ticks up to the scale's top still cover the data
            yticks = inside
        else:  # end the axis at the scale's top
            yticks = np.append(inside, cap)
    lo, hi = float(yticks[0]), float(yticks[-1])
    xticks, sx, sy = _scales(first_year, last_year, lo, hi, (px0, px1, py0, py1))

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {H}' width='100%' "
        "preserveAspectRatio='xMinYMin meet' style='display:block;max-width:100%;height:auto'>",
        f"<rect width='{W}' height='{H}' fill='white'/>",
        _text(px0, 19, title, _fit(title, W - px0 - 4, TITLE), extra="font-weight='bold'"),
        _text(
            15,
            (py0 + py1) / 2,
            tr(spec.unit, lang),
            TICK - 1,
            "middle",
            f"transform='rotate(-90 15 {(py0 + py1) / 2:.1f})' fill='#444'",
        ),
    ]
    for t in yticks:
        y = sy(float(t))
        out.append(f"<line x1='{px0}' x2='{px1}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e4e4e4'/>")
        out.append(_text(px0 - 5, y + 4, _fmt(float(t), lang), TICK, "end"))
    for t in xticks:
        x = sx(float(t))
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{py0}' y2='{py1}' stroke='#f0f0f0'/>")
        out.append(_text(x, py1 + 17, str(int(t)), TICK, "middle"))
    out.append(
        f"<rect x='{px0}' y='{py0}' width='{px1 - px0}' height='{py1 - py0}' fill='none' stroke='#888'/>"
    )
    elections = sorted({y for v in views for y in v.elections})
    for y in elections:  # an election takes effect at the start of its year
        x = sx(y - 0.5)
        out.append(
            f"<line class='govsim-election' x1='{x:.1f}' x2='{x:.1f}' y1='{py0}' y2='{py1}' "
            "stroke='#999' stroke-width='1' stroke-dasharray='1 3'/>"
        )
    for colour, v in zip(MODEL_COLOURS, views, strict=False):
        for s in spec.series:
            if v.band and s.column in v.band and len(v.rows) > 1:
                low, high = v.band[s.column][0], v.band[s.column][1]
                yrs = [r["year"] for r in v.rows]
                upper = [
                    f"{sx(y):.1f},{sy(float(h) * s.scale):.1f}"
                    for y, h in zip(yrs, high, strict=True)
                ]
                lower = [
                    f"{sx(y):.1f},{sy(float(lw) * s.scale):.1f}"
                    for y, lw in zip(yrs, low, strict=True)
                ][::-1]
                out.append(
                    f"<polygon class='govsim-band' points='{' '.join(upper + lower)}' "
                    f"fill='{colour}' fill-opacity='0.15' stroke='none'/>"
                )
    for colour, v in zip(MODEL_COLOURS, views, strict=False):
        for s in spec.series:
            pts = " ".join(f"{sx(r['year']):.1f},{sy(r[s.column] * s.scale):.1f}" for r in v.rows)
            if len(v.rows) == 1:
                out.append(
                    f"<circle cx='{pts.split(',')[0]}' cy='{pts.split(',')[1]}' r='3' fill='{colour}'/>"
                )
            elif v.rows:
                out.append(
                    f"<polyline points='{pts}' fill='none' stroke='{colour}' stroke-width='2.5' "
                    f"stroke-dasharray='{DASHES[s.style]}'/>"
                )
        for year, name in v.switches:
            x = sx(year - 0.5)
            out.append(
                f"<line class='govsim-switch' x1='{x:.1f}' x2='{x:.1f}' y1='{py0}' y2='{py1}' "
                f"stroke='{colour}' stroke-width='2' stroke-dasharray='5 3'/>"
            )
            out.append(
                _text(
                    x + 3,
                    py0 + 14,
                    tt("plot.switch", lang, model=v.label.split(":")[0], r=name.split()[-1]),
                    TICK - 1,
                    extra=f"fill='{colour}'",
                )
            )
    if seen is None:
        out.append(
            _text(
                (px0 + px1) / 2,
                (py0 + py1) / 2,
                tt("plot.empty", lang),
                TICK,
                "middle",
                "fill='grey'",
            )
        )
    legend, y_end = _legend(spec, views, py1 + 38, lang)
    out.append(legend)
    out.append("</svg>")
    height = int(y_end + 10)
    if height != H:  # as tall as its legend needs (the plot area keeps its size)
        out[0] = out[0].replace(f"viewBox='0 0 {W} {H}'", f"viewBox='0 0 {W} {height}'")
        out[1] = f"<rect width='{W}' height='{height}' fill='white'/>"
    return "".join(out)


def _legend(
    spec: PlotSpec, views: Sequence[RunView], y: float, lang: str = "en"
) -> tuple[str, float]:
    """Models by colour, then measures by line style, each starting a new row and wrapping
    when a row is full. Returns the SVG and the baseline of its last row."""
    out, x = [], LEFT
    for colour, v in zip(MODEL_COLOURS, views, strict=False):
        lines = wrap(v.label, W - RIGHT - LEFT - 27, LEGEND * 1.1)  # a long name: more lines
        width = 44 + 7.5 * max(len(s) for s in lines)
        if x > LEFT and (x + width > W - RIGHT or len(lines) > 1):
            x, y = LEFT, y + 20
        out.append(
            f"<line x1='{x}' x2='{x + 22}' y1='{y - 4}' y2='{y - 4}' stroke='{colour}' stroke-width='3'/>"
        )
        for k, line in enumerate(lines):
            out.append(
                _text(x + 27, y + 17 * k, line, LEGEND, extra=f"fill='{colour}' font-weight='bold'")
            )
        if len(lines) > 1:  # the next entry on a row of its own
            x, y = W, y + 17 * (len(lines) - 1)
        else:
            x += width
    if len(spec.series) > 1:
        x, y = LEFT, y + 20
        for s in spec.series:
            name = tr(s.name, lang)
            width = 38 + 7 * len(name)
            if x > LEFT and x + width > W - RIGHT:
                x, y = LEFT, y + 20
            out.append(
                f"<line x1='{x}' x2='{x + 22}' y1='{y - 4}' y2='{y - 4}' stroke='#333' stroke-width='1.6' "
                f"stroke-dasharray='{DASHES[s.style]}'/>"
            )
            out.append(_text(x + 27, y, name, LEGEND - 1))
            x += width
    return "".join(out), y


# ---------------------------------------------------------------- the map
@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    low: float
    high: float
    cmap: str


OUTCOMES = {
    "satisfaction": Outcome("satisfaction", "citizen satisfaction", 0.6, 0.8, "RdYlGn"),
    "gap": Outcome("gap", "satisfaction − political expectation", -0.08, 0.08, "RdBu"),
    "quality": Outcome("quality", "delivered quality", 0.6, 0.8, "RdYlGn"),
    "staff": Outcome("staff", "staff's own assessment", 0.6, 0.8, "RdYlGn"),
}

CELL = 112


def outcome_values(v: RunView, key: str) -> np.ndarray:
    a = v.areas
    return {
        "satisfaction": a.satisfaction,
        "gap": a.satisfaction - a.expectation,
        "quality": a.quality,
        "staff": a.staff,
    }[key]


def map_svg(views: Sequence[RunView], outcome: str = "satisfaction", lang: str = "en") -> str:
    """The areas as a grid per model, coloured by `outcome`; each cell names who serves it.
    HTML: one drawing per model (side by side where the page is wide enough, else one under
    the other, each at a readable size), then the colour scale.

    Marks: in-house share of the area's work and the firms (F1, F2, …) holding contracts
    there; a black frame = flagged by benchmarking; "LT" = a learning team this year; a dot in
    the corner = goal status (green/yellow/red) under goal steering.
    """
    oc = OUTCOMES[outcome]
    norm, cmap = Normalize(oc.low, oc.high, clip=True), matplotlib.colormaps[oc.cmap]
    cols = int(max(v.areas.x.max() for v in views)) + 1
    rows = int(max(v.areas.y.max() for v in views)) + 1
    width = cols * CELL + 8
    heads = [
        wrap(
            f"{v.label} — " + tt("now.quarter", lang, year=v.calendar_year, q=v.quarter_of_year),
            width - 8,
            13,
        )
        for v in views
    ]
    top = 10 + 18 * max(len(h) for h in heads)
    height = top + rows * CELL + 4
    out = []
    for i, v in enumerate(views):
        out += [
            f"<svg xmlns='http://www.w3.org/2000/svg' class='govsim-map-panel' "
            f"width='{width * MAP_ZOOM:.0f}' height='{height * MAP_ZOOM:.0f}' "
            f"viewBox='0 0 {width} {height}'>",
            f"<rect width='{width}' height='{height}' fill='white'/>",
            *(
                _text(
                    4, 18 + 18 * k, line, 13, extra=f"fill='{MODEL_COLOURS[i]}' font-weight='bold'"
                )
                for k, line in enumerate(heads[i])
            ),
            _area_cells(v, outcome_values(v, outcome), 0, top, norm, cmap, lang),
            "</svg>",
        ]
    out.append(_colour_scale(oc, norm, cmap, lang))
    return "".join(out)


MAP_ZOOM = 1.3  # the map's drawing shown larger than its units (text of 14–17 px on screen)


def _fit(text: str, width: float, size: float) -> float:
    """The font size at most `size` at which a bold `text` fits in `width` units (≈ 0.62 ×
    size per character), so a long (e.g. Danish) plot title is not cut off."""
    return min(size, width / (0.62 * max(len(text), 1)))


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` broken into lines of at most `width` SVG units at font `size` (≈ 0.58 × size
    per character of a sans-serif font), at spaces where it can, so a long name is shown
    whole instead of running off the drawing."""
    import textwrap

    chars = max(8, int(width / (0.58 * size)))
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]


def _area_cells(
    v: RunView, values: np.ndarray, ox: float, oy: float, norm: Normalize, cmap, lang: str = "en"
) -> str:
    a, out = v.areas, []
    for i in range(len(a.x)):
        x, y = ox + int(a.x[i]) * CELL, oy + int(a.y[i]) * CELL
        fill = to_hex(cmap(norm(values[i]))) if a.surveyed else "#d9d9d9"
        stroke, sw = ("black", 3.5) if a.flagged[i] else ("white", 1.5)
        out.append(
            f"<rect x='{x + 3}' y='{y + 3}' width='{CELL - 6}' height='{CELL - 6}' rx='4' fill='{fill}' "
            f"stroke='{stroke}' stroke-width='{sw}'/>"
        )
        value = num(values[i], lang, 2) if a.surveyed else tt("map.no_survey", lang)
        firms = " ".join(a.contractors[i]) or tt("map.no_firm", lang)
        out.append(
            _text(x + 10, y + 22, tt("map.area", lang, i=i + 1), 12, extra="font-weight='bold'")
        )
        out.append(_text(x + 10, y + 42, value, 12))
        pct = num(a.inhouse[i] * 100, lang, 0)
        out.append(_text(x + 10, y + 64, tt("map.inhouse", lang, pct=pct), 11))
        out.append(_text(x + 10, y + 84, firms, 11, extra="font-style='italic'"))
        if a.team[i]:
            out.append(
                f"<rect x='{x + CELL - 38}' y='{y + 9}' width='28' height='18' rx='4' fill='white' "
                "stroke='black'/>"
            )
            out.append(_text(x + CELL - 24, y + 22, "LT", 11, "middle", "font-weight='bold'"))
        if int(a.status[i]) in STATUS_COLOURS:
            out.append(
                f"<circle cx='{x + CELL - 20}' cy='{y + CELL - 20}' r='8' "
                f"fill='{STATUS_COLOURS[int(a.status[i])]}' stroke='black'/>"
            )
    return "".join(out)


def _colour_scale(oc: Outcome, norm: Normalize, cmap, lang: str = "en") -> str:
    """The caption, then the scale after it (placed by the caption's length, so a long
    caption such as the gap's does not run into the scale), as its own small drawing on a
    line of its own below the maps."""
    stops = "".join(
        f"<stop offset='{k / 10:.1f}' stop-color='{to_hex(cmap(k / 10))}'/>" for k in range(11)
    )
    grad = f"grad-{oc.key}"
    caption = tt("map.colour", lang, what=tt(f"map.title.{oc.key}", lang))
    x, y = 4, 6
    gx = x + 7 * len(caption) + 40  # ≈ 6.5 units per character at size 11, then the low label
    width, height = gx + 200, 26
    return (
        f"<div class='govsim-map-scale'><svg xmlns='http://www.w3.org/2000/svg' "
        f"width='{width * MAP_ZOOM:.0f}' height='{height * MAP_ZOOM:.0f}' "
        f"viewBox='0 0 {width} {height}'>"
        f"<defs><linearGradient id='{grad}'>{stops}</linearGradient></defs>"
        f"<rect x='{gx}' y='{y}' width='160' height='12' fill='url(#{grad})' stroke='#888'/>"
        + _text(x, y + 11, caption, 11)
        + _text(gx - 5, y + 11, num(oc.low, lang), 10, "end")
        + _text(gx + 165, y + 11, num(oc.high, lang), 10)
        + "</svg></div>"
    )


# ---------------------------------------------------------------- the national view
# (issue 12: a population of municipalities, ``sim.app.national``)
PANEL_W = 200  # a region's drawing, in SVG units (it scales to its grid column)
PANEL_COLS = 6  # municipalities per row of a region's tiles
PANEL_PAD = 6
SWITCH_STROKE = 2.5


def national_model_colours(models: Sequence[str]) -> dict[str, str]:
    """One colour per governance model, in the population's canonical model order (matplotlib's
    qualitative ``tab10``), the same in the tiles and in the lines."""
    cmap = matplotlib.colormaps["tab10"]
    return {m: to_hex(cmap(k % cmap.N)) for k, m in enumerate(models)}


def national_model_name(model: str, lang: str = "en") -> str:
    """A governance model's short display name ("BUM", "HOD", "Modelkommune")."""
    from sim.app.state import model_title, short_title

    return short_title(model_title(model, lang))


def _tile_scale(view, column: str):
    lo, hi = view.scale(column)
    from sim.app.national import TILE_OUTCOMES

    return Normalize(lo, hi, clip=True), matplotlib.colormaps[TILE_OUTCOMES[column]]


def _value_text(column: str, value: float, lang: str, table: str = "yearly") -> str:
    """A value as the tables show it: a share in % with one decimal, else three digits."""
    from sim.app.i18n import pct

    o = output(column, table)
    if o.percent:
        return pct(value * o.factor, lang, 1)
    return num(value, lang, 2 if o.scale == "0–1" else None)


def national_tiles_html(view, year_i: int, colour_by: str = "model", lang: str = "en") -> str:
    """The small multiples: one drawing per region, each municipality a tile (ordered by
    inhabitants, largest first) coloured by its governance model in the year (`colour_by`
    "model") or by one of ``TILE_OUTCOMES``; a black frame = it adopted a new model at this
    year's start. Each region's head counts its municipalities per model (a stacked bar).
    HTML: the legend, then a grid of the regions' drawings."""
    colours = national_model_colours(view.models)
    n_max = max(len(view.members(k)) for k, _ in view.regions)
    rows = -(-n_max // PANEL_COLS)
    tile = (PANEL_W - 2 * PANEL_PAD) / PANEL_COLS
    top = 64
    height = top + rows * tile + PANEL_PAD
    if colour_by != "model":
        norm, cmap = _tile_scale(view, colour_by)
    out = [_national_legend(view, year_i, colour_by, lang)]
    out.append("<div class='govsim-nat-regions'>")
    for key, name in view.regions:
        idx = view.members(key)
        counts = view.counts(year_i, key)
        head = wrap(name, PANEL_W - 2 * PANEL_PAD, 14)[0]
        parts = [
            f"<svg xmlns='http://www.w3.org/2000/svg' class='govsim-nat-region "
            f"govsim-nat-region-{escape(key)}' viewBox='0 0 {PANEL_W} {height:.0f}' width='100%' "
            "preserveAspectRatio='xMinYMin meet' style='display:block;height:auto'>",
            f"<rect width='{PANEL_W}' height='{height:.0f}' fill='white' stroke='#ccc'/>",
            _text(
                PANEL_PAD,
                19,
                head,
                _fit(head, PANEL_W - 2 * PANEL_PAD, 14),
                extra="font-weight='bold'",
            ),
            _text(
                PANEL_PAD,
                36,
                tt("nat.region.count", lang, n=len(idx)),
                12,
                extra="fill='#444'",
            ),
        ]
        x, bar_w = float(PANEL_PAD), PANEL_W - 2 * PANEL_PAD
        for m in view.models:  # the region's models as a stacked bar
            w = bar_w * counts[m] / max(len(idx), 1)
            if w <= 0:
                continue
            parts.append(
                f"<rect class='govsim-nat-bar' x='{x:.1f}' y='42' width='{w:.1f}' height='15' "
                f"fill='{colours[m]}'><title>{escape(national_model_name(m, lang))}: "
                f"{counts[m]}</title></rect>"
            )
            if w >= 9 * len(str(counts[m])):
                parts.append(
                    _text(
                        x + w / 2,
                        54,
                        str(counts[m]),
                        11,
                        "middle",
                        "fill='white' font-weight='bold'",
                    )
                )
            x += w
        for j, i in enumerate(idx):
            tx = PANEL_PAD + (j % PANEL_COLS) * tile
            ty = top + (j // PANEL_COLS) * tile
            mod = view.models[view.model[year_i, i]]
            if colour_by == "model":
                fill = colours[mod]
            else:
                fill = to_hex(cmap(norm(view.values[colour_by][year_i, i])))
            frame = view.switched[year_i, i]
            stroke, sw = ("black", SWITCH_STROKE) if frame else ("white", 1.0)
            tip = tt(
                "nat.tile",
                lang,
                name=view.keys[i],
                citizens=num(view.citizens[i], lang, 0),
                model=national_model_name(mod, lang),
            )
            for col in ("tendered_share", "admin_overhead_share", "citizen_satisfaction"):
                tip += f" · {tr(short_label(col), lang)} {_value_text(col, view.values[col][year_i, i], lang)}"
            cls = "govsim-nat-tile" + (" govsim-nat-switched" if frame else "")
            parts.append(
                f"<rect class='{cls}' x='{tx + 1:.1f}' y='{ty + 1:.1f}' width='{tile - 2:.1f}' "
                f"height='{tile - 2:.1f}' rx='3' fill='{fill}' stroke='{stroke}' "
                f"stroke-width='{sw}'><title>{escape(tip)}</title></rect>"
            )
        parts.append("</svg>")
        out.append("<div class='govsim-nat-cell'>" + "".join(parts) + "</div>")
    out.append("</div>")
    return "".join(out)


def _national_legend(view, year_i: int, colour_by: str, lang: str) -> str:
    """The tiles' legend for the year: each model's colour and national count (and the
    black frame), or the outcome's colour scale with its ends."""
    width, height = 900, 26
    items = []
    x = 4.0
    if colour_by == "model":
        colours = national_model_colours(view.models)
        counts = view.counts(year_i)
        for m in view.models:
            label_ = f"{national_model_name(m, lang)}: {counts[m]}"
            items.append(
                f"<rect x='{x:.1f}' y='5' width='16' height='16' rx='3' fill='{colours[m]}'/>"
                + _text(x + 22, 18, label_, 14, extra="class='govsim-nat-legend-model'")
            )
            x += 34 + 8.2 * len(label_)
        frame = tt("nat.legend.switched", lang)
        items.append(
            f"<rect x='{x:.1f}' y='5' width='16' height='16' rx='3' fill='white' stroke='black' "
            f"stroke-width='{SWITCH_STROKE}'/>" + _text(x + 22, 18, frame, 14)
        )
        x += 30 + 7.6 * len(frame)
    else:
        norm, cmap = _tile_scale(view, colour_by)
        caption = tt("map.colour", lang, what=tr(label(colour_by, unit=False), lang))
        items.append(_text(x, 18, caption, 14))
        gx = x + 7.8 * len(caption) + 50
        lo, hi = norm.vmin, norm.vmax
        stops = "".join(
            f"<stop offset='{k / 10:.1f}' stop-color='{to_hex(cmap(k / 10))}'/>" for k in range(11)
        )
        items.append(
            f"<defs><linearGradient id='nat-grad-{colour_by}'>{stops}</linearGradient></defs>"
            f"<rect x='{gx:.1f}' y='5' width='200' height='16' fill='url(#nat-grad-{colour_by})' "
            "stroke='#888'/>"
            + _text(gx - 6, 18, "≤ " + _value_text(colour_by, lo, lang), 13, "end")
            + _text(gx + 206, 18, "≥ " + _value_text(colour_by, hi, lang), 13)
        )
        x = gx + 290
    width = max(width, int(x))
    return (
        f"<div class='govsim-nat-legend'><svg xmlns='http://www.w3.org/2000/svg' "
        f"viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"style='max-width:100%;height:auto'>{''.join(items)}</svg></div>"
    )


def national_line_svg(view, key: str, year_i: int, lang: str = "en") -> str:
    """One national line over the run's years (``NATIONAL_LINES`` `key`), with a vertical mark
    at the shown year and its value; the exposure share with E7's band over E7's years, the
    models plot with one line per governance model (coloured as the tiles)."""
    from sim.app.national import NATIONAL_LINES, e7_band

    _, table, column = next(x for x in NATIONAL_LINES if x[0] == key)
    o = output(column, table)
    years = list(view.years)
    first, last = years[0], years[-1]
    if key == "models":
        colours = national_model_colours(view.models)
        lines = [(colours[m], view.per_model[m].astype(float), m) for m in view.models]
        title = tt("nat.plot.models", lang)
        unit = tr(o.unit, lang)
    else:
        lines = [("#333333", view.national[column] * o.factor, None)]
        title = tr(o.label, lang)
        unit = tr(axis_unit(column, table, percent=o.percent), lang)
    band = e7_band() if key == "exposure" else None
    px0, px1, py0, py1 = LEFT, W - RIGHT, TOP, H - BOTTOM
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)\s*[–-]\s*(-?\d+(?:\.\d+)?)", o.scale)
    lo = float(m.group(1)) * o.factor if m else 0.0
    cap = float(m.group(2)) * o.factor if m else None
    hi = max(float(np.nanmax(v)) for _, v, _ in lines)
    if band is not None:
        hi = max(hi, band.high * o.factor)
    room = hi * 1.04 if hi > 0 else 1.0
    if cap is not None:
        room = min(room, cap)
    integer = key == "models"
    yticks = lo + MaxNLocator(nbins=5, integer=integer).tick_values(0.0, room - lo)
    yticks = np.round(yticks[yticks >= lo - 1e-12], 10)
    if cap is not None:
        yticks = yticks[yticks <= cap + 1e-9]
    lo, hi = float(yticks[0]), float(max(yticks[-1], hi))
    xticks, sx, sy = _scales(first, last, lo, hi, (px0, px1, py0, py1))

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='govsim-nat-line govsim-nat-line-{key}' "
        f"viewBox='0 0 {W} {{height}}' width='100%' preserveAspectRatio='xMinYMin meet' "
        "style='display:block;max-width:100%;height:auto'>",
        f"<rect width='{W}' height='{{height}}' fill='white'/>",
        _text(px0, 19, title, _fit(title, W - px0 - 4, TITLE), extra="font-weight='bold'"),
        _text(
            15,
            (py0 + py1) / 2,
            unit,
            TICK - 1,
            "middle",
            f"transform='rotate(-90 15 {(py0 + py1) / 2:.1f})' fill='#444'",
        ),
    ]
    if band is not None:
        b0, b1 = max(band.first, first), min(band.last, last)
        if b0 <= b1:
            ya, yb = sy(band.high * o.factor), sy(band.low * o.factor)
            # over E7's years, from half a year before its first to half after its last,
            # within the span of the run's line
            xa, xb = sx(max(b0 - 0.5, first)), sx(min(b1 + 0.5, last))
            out.append(
                f"<rect class='govsim-nat-band' x='{xa:.1f}' y='{ya:.1f}' "
                f"width='{xb - xa:.1f}' height='{yb - ya:.1f}' "
                "fill='#2ca02c' fill-opacity='0.18' stroke='#2ca02c' stroke-dasharray='4 3'/>"
            )
    for t in yticks:
        y = sy(float(t))
        out.append(f"<line x1='{px0}' x2='{px1}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e4e4e4'/>")
        out.append(_text(px0 - 5, y + 4, _fmt(float(t), lang), TICK, "end"))
    for t in xticks:
        x = sx(float(t))
        out.append(_text(x, py1 + 17, str(int(t)), TICK, "middle"))
    out.append(
        f"<rect x='{px0}' y='{py0}' width='{px1 - px0}' height='{py1 - py0}' fill='none' stroke='#888'/>"
    )
    xm = sx(years[year_i])
    out.append(
        f"<line class='govsim-nat-year' x1='{xm:.1f}' x2='{xm:.1f}' y1='{py0}' y2='{py1}' "
        "stroke='#555' stroke-width='1.5' stroke-dasharray='3 3'/>"
    )
    for colour, values, _ in lines:
        pts = " ".join(
            f"{sx(y):.1f},{sy(float(v)):.1f}" for y, v in zip(years, values, strict=True)
        )
        if len(years) > 1:
            out.append(
                f"<polyline points='{pts}' fill='none' stroke='{colour}' stroke-width='2.5'/>"
            )
        out.append(
            f"<circle cx='{xm:.1f}' cy='{sy(float(values[year_i])):.1f}' r='4' fill='{colour}'/>"
        )
    y = py1 + 38
    if key == "models":  # each model's colour, count in the shown year and adoptions so far
        x = float(LEFT)
        for colour, values, mod in lines:
            gained = int(view.adopted[mod][1 : year_i + 1].sum())
            text = f"{national_model_name(mod, lang)}: {int(values[year_i])}"
            if gained:
                text += " " + tt("nat.adopted", lang, n=gained)
            width = 34 + 7.2 * len(text)
            if x > LEFT and x + width > W - RIGHT:
                x, y = float(LEFT), y + 20
            out.append(
                f"<line x1='{x:.0f}' x2='{x + 22:.0f}' y1='{y - 4}' y2='{y - 4}' stroke='{colour}' "
                "stroke-width='3'/>"
                + _text(x + 27, y, text, LEGEND, extra=f"fill='{colour}' font-weight='bold'")
            )
            x += width
    else:
        value = float(view.national[column][year_i])
        text = f"{years[year_i]}: {_value_text(column, value, lang, table)}"
        out.append(
            _text(LEFT, y, text, LEGEND, extra="font-weight='bold' class='govsim-nat-value'")
        )
        if band is not None:
            out.append(
                f"<rect x='{W - RIGHT - 190}' y='{y - 12}' width='16' height='12' fill='#2ca02c' "
                "fill-opacity='0.18' stroke='#2ca02c' stroke-dasharray='4 3'/>"
            )
            from sim.app.national import band_text

            span = tt(
                "nat.band", lang, band=band_text(band, lang), first=band.first, last=band.last
            )
            out.append(_text(W - RIGHT - 168, y, span, LEGEND - 1))
    out.append("</svg>")
    height = int(y + 12)
    return "".join(out).replace("{height}", str(height))
