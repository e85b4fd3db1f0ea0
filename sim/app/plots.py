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

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import matplotlib
import numpy as np
from matplotlib.colors import Normalize, to_hex
from matplotlib.ticker import MaxNLocator

from sim.app.state import RunView
from sim.outputs import axis_unit, label, short_label

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

W, H = 460, 270
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 26, 66


def _text(
    x: float, y: float, s: str, size: float = 11, anchor: str = "start", extra: str = ""
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' {FONT} {extra}>"
        f"{escape(s)}</text>"
    )


def _fmt(v: float) -> str:
    return f"{v:.10g}" if abs(v) >= 1e-9 else "0"


def series_svg(spec: PlotSpec, views: Sequence[RunView], first_year: int, last_year: int) -> str:
    """One plot with every model's lines; the x axis spans the whole run so it does not jump."""
    px0, px1, py0, py1 = LEFT, W - RIGHT, TOP, H - BOTTOM
    values = [r[s.column] * s.scale for v in views for r in v.rows for s in spec.series]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (hi - lo) * 0.08 or max(abs(hi) * 0.05, 0.01)
    floor = lo - pad if lo < 0 else max(lo - pad, 0.0)  # counts and shares do not go below zero
    yticks = MaxNLocator(nbins=5).tick_values(floor, hi + pad)
    yticks = yticks[yticks >= floor - 1e-12] if lo >= 0 and yticks[0] < 0 else yticks
    lo, hi = float(yticks[0]), float(yticks[-1])
    xticks = [
        t
        for t in MaxNLocator(nbins=8, integer=True).tick_values(first_year, last_year)
        if first_year <= t <= last_year
    ]

    def sx(year: float) -> float:
        return px0 + (year - first_year + 0.5) / (last_year - first_year + 1) * (px1 - px0)

    def sy(value: float) -> float:
        return py1 - (value - lo) / (hi - lo) * (py1 - py0)

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' viewBox='0 0 {W} {H}'>",
        f"<rect width='{W}' height='{H}' fill='white'/>",
        _text(px0, 16, spec.title, 13, extra="font-weight='bold'"),
        _text(
            12,
            (py0 + py1) / 2,
            spec.unit,
            10,
            "middle",
            f"transform='rotate(-90 12 {(py0 + py1) / 2:.1f})' fill='#444'",
        ),
    ]
    for t in yticks:
        y = sy(float(t))
        out.append(f"<line x1='{px0}' x2='{px1}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e4e4e4'/>")
        out.append(_text(px0 - 5, y + 4, _fmt(float(t)), 10, "end"))
    for t in xticks:
        x = sx(float(t))
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{py0}' y2='{py1}' stroke='#f0f0f0'/>")
        out.append(_text(x, py1 + 15, str(int(t)), 10, "middle"))
    out.append(
        f"<rect x='{px0}' y='{py0}' width='{px1 - px0}' height='{py1 - py0}' fill='none' stroke='#888'/>"
    )
    for colour, v in zip(MODEL_COLOURS, views, strict=False):
        for s in spec.series:
            pts = " ".join(f"{sx(r['year']):.1f},{sy(r[s.column] * s.scale):.1f}" for r in v.rows)
            if len(v.rows) == 1:
                out.append(
                    f"<circle cx='{pts.split(',')[0]}' cy='{pts.split(',')[1]}' r='2.5' fill='{colour}'/>"
                )
            elif v.rows:
                out.append(
                    f"<polyline points='{pts}' fill='none' stroke='{colour}' stroke-width='2' "
                    f"stroke-dasharray='{DASHES[s.style]}'/>"
                )
    if not values:
        out.append(
            _text(
                (px0 + px1) / 2,
                (py0 + py1) / 2,
                "no year completed yet",
                11,
                "middle",
                "fill='grey'",
            )
        )
    out.append(_legend(spec, views, py1 + 32))
    out.append("</svg>")
    return "".join(out)


def _legend(spec: PlotSpec, views: Sequence[RunView], y: float) -> str:
    """Models by colour on the first row, measures by line style on the second."""
    out, x = [], LEFT
    for colour, v in zip(MODEL_COLOURS, views, strict=False):
        out.append(
            f"<line x1='{x}' x2='{x + 22}' y1='{y - 4}' y2='{y - 4}' stroke='{colour}' stroke-width='3'/>"
        )
        out.append(_text(x + 27, y, v.label, 11, extra=f"fill='{colour}' font-weight='bold'"))
        x += 40 + 7 * len(v.label)
    if len(spec.series) > 1:
        x, y = LEFT, y + 18
        for s in spec.series:
            out.append(
                f"<line x1='{x}' x2='{x + 22}' y1='{y - 4}' y2='{y - 4}' stroke='#333' stroke-width='1.6' "
                f"stroke-dasharray='{DASHES[s.style]}'/>"
            )
            out.append(_text(x + 27, y, s.name, 10))
            x += 36 + 6 * len(s.name)
    return "".join(out)


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


def map_svg(views: Sequence[RunView], outcome: str = "satisfaction") -> str:
    """The areas as a grid per model, coloured by `outcome`; each cell names who serves it.

    Marks: in-house share of the area's work and the firms (F1, F2, …) holding contracts
    there; a black frame = flagged by benchmarking; "LT" = a learning team this year; a dot in
    the corner = goal status (green/yellow/red) under goal steering.
    """
    oc = OUTCOMES[outcome]
    norm, cmap = Normalize(oc.low, oc.high, clip=True), matplotlib.colormaps[oc.cmap]
    cols = int(max(v.areas.x.max() for v in views)) + 1
    rows = int(max(v.areas.y.max() for v in views)) + 1
    panel = cols * CELL + 20
    width, height = panel * len(views), rows * CELL + 64
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
    ]
    for i, v in enumerate(views):
        ox = i * panel
        out.append(
            _text(
                ox + 4,
                18,
                f"{v.label} — {v.calendar_year} Q{v.quarter_of_year}",
                13,
                extra=f"fill='{MODEL_COLOURS[i]}' font-weight='bold'",
            )
        )
        out.append(_area_cells(v, outcome_values(v, outcome), ox, 28, norm, cmap))
    out.append(_colour_scale(oc, norm, cmap, 4, height - 24))
    out.append("</svg>")
    return "".join(out)


def _area_cells(v: RunView, values: np.ndarray, ox: float, oy: float, norm: Normalize, cmap) -> str:
    a, out = v.areas, []
    for i in range(len(a.x)):
        x, y = ox + int(a.x[i]) * CELL, oy + int(a.y[i]) * CELL
        fill = to_hex(cmap(norm(values[i]))) if a.surveyed else "#d9d9d9"
        stroke, sw = ("black", 3.5) if a.flagged[i] else ("white", 1.5)
        out.append(
            f"<rect x='{x + 3}' y='{y + 3}' width='{CELL - 6}' height='{CELL - 6}' rx='4' fill='{fill}' "
            f"stroke='{stroke}' stroke-width='{sw}'/>"
        )
        value = f"{values[i]:.2f}" if a.surveyed else "no survey yet"
        firms = " ".join(a.contractors[i]) or "no firm"
        out.append(_text(x + 10, y + 22, f"Area {i + 1}", 12, extra="font-weight='bold'"))
        out.append(_text(x + 10, y + 42, value, 12))
        out.append(_text(x + 10, y + 64, f"in-house {a.inhouse[i] * 100:.0f} %", 11))
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


def _colour_scale(oc: Outcome, norm: Normalize, cmap, x: float, y: float) -> str:
    stops = "".join(
        f"<stop offset='{k / 10:.1f}' stop-color='{to_hex(cmap(k / 10))}'/>" for k in range(11)
    )
    grad = f"grad-{oc.key}"
    return (
        f"<defs><linearGradient id='{grad}'>{stops}</linearGradient></defs>"
        f"<rect x='{x + 170}' y='{y}' width='160' height='12' fill='url(#{grad})' stroke='#888'/>"
        + _text(x, y + 11, f"colour: {oc.title}", 11)
        + _text(x + 165, y + 11, f"{oc.low:g}", 10, "end")
        + _text(x + 335, y + 11, f"{oc.high:g}", 10)
    )
