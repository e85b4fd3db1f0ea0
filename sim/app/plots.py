"""Figures of the teaching app, drawn with matplotlib on the server.

Why matplotlib and not Mesa's Altair components: Altair/Vega is loaded into the browser from
a CDN, and a classroom (or CI) may be offline; a server-rendered PNG needs nothing from
outside. The object-oriented ``Figure`` API (no pyplot) is safe in the play-loop thread.
Every time-series plot draws every model: colour = model, line style = measure.

Figures go to the page as inline SVG with real text (``svg.fonttype = none``): twice as fast
to produce as PNG, sharp at any zoom, and the legend text is in the page (the browser test
reads it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import io

import matplotlib
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from sim.app.state import RunView

MODEL_COLOURS = ("#1f77b4", "#d62728")
STATUS_COLOURS = {1: "#2ca02c", 2: "#ffbf00", 3: "#d62728"}
DPI = 80


@dataclass(frozen=True)
class Series:
    """One measure of a plot: the yearly column, its legend name, line style and scale."""

    column: str
    name: str
    style: str = "-"
    scale: float = 1.0


@dataclass(frozen=True)
class PlotSpec:
    key: str
    title: str
    unit: str
    series: tuple[Series, ...]


TRUST_COLUMNS = ("trust_employees_management", "trust_orderer_provider", "trust_politicians_administration")

PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec("overhead", "Administrative overhead", "% of total cost",
             (Series("admin_overhead_share", "admin / total cost", "-", 100.0),)),
    PlotSpec("satisfaction", "Citizen satisfaction vs political expectation", "0–1",
             (Series("citizen_satisfaction", "citizens' satisfaction", "-"),
              Series("political_expectation", "politicians' expectation", "--"))),
    PlotSpec("wellbeing", "Employee wellbeing", "1–7 scale",
             (Series("employee_wellbeing", "wellbeing", "-"),)),
    PlotSpec("sick_leave", "Sick leave", "% of working time",
             (Series("sick_leave_rate", "sick leave", "-", 100.0),)),
    PlotSpec("trust", "Trust", "0–1",
             (Series("trust_employees_management", "employees–management", "-"),
              Series("trust_orderer_provider", "orderer–provider", "--"),
              Series("trust_politicians_administration", "politicians–administration", ":"))),
    PlotSpec("shares", "In-house vs tendered share", "% of task volume",
             (Series("inhouse_share", "delivered in-house", "-", 100.0),
              Series("tendered_share", "put out to tender", "--", 100.0))),
    PlotSpec("proposals", "Employee proposals", "per year",
             (Series("proposals_made", "made", "-"),
              Series("proposals_implemented", "implemented", "--"))),
)


def svg(fig: Figure) -> str:
    """The figure as an inline <svg> element (no XML prolog)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "govsim"}):
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI)


def series_figure(spec: PlotSpec, views: Sequence[RunView], first_year: int, last_year: int) -> Figure:
    """One plot with every model's lines; the x axis spans the whole run so it does not jump."""
    fig = _new_figure(4.6, 2.9)
    ax = fig.add_axes((0.13, 0.30, 0.84, 0.60))
    for colour, v in zip(MODEL_COLOURS, views):
        years = [r["year"] for r in v.rows]
        for s in spec.series:
            ax.plot(years, [r[s.column] * s.scale for r in v.rows], color=colour, ls=s.style, lw=1.8,
                    marker="o" if len(years) == 1 else None, ms=3)
    ax.set_xlim(first_year - 0.5, last_year + 0.5)
    ax.set_title(spec.title, fontsize=10, loc="left")
    ax.set_ylabel(spec.unit, fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    if not any(v.rows for v in views):
        ax.text(0.5, 0.5, "no year completed yet", ha="center", va="center", transform=ax.transAxes,
                color="grey", fontsize=9)
    _legend(fig, spec, views)
    return fig


def _legend(fig: Figure, spec: PlotSpec, views: Sequence[RunView]) -> None:
    """A compact legend under the axes: one entry per model, one per measure's line style."""
    handles = [Line2D([], [], color=c, lw=2.5, label=v.label) for c, v in zip(MODEL_COLOURS, views)]
    if len(spec.series) > 1:
        handles += [Line2D([], [], color="black", ls=s.style, lw=1.4, label=s.name) for s in spec.series]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 3), fontsize=7, frameon=False)


# ---------------------------------------------------------------- the map
@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    low: float
    high: float
    cmap: str


OUTCOMES = {
    "satisfaction": Outcome("satisfaction", "citizen satisfaction", 0.45, 0.9, "RdYlGn"),
    "gap": Outcome("gap", "satisfaction − political expectation", -0.15, 0.15, "RdBu"),
    "quality": Outcome("quality", "delivered quality", 0.45, 0.9, "RdYlGn"),
    "staff": Outcome("staff", "staff's own assessment", 0.45, 0.9, "RdYlGn"),
}


def outcome_values(v: RunView, key: str) -> np.ndarray:
    a = v.areas
    return {"satisfaction": a.satisfaction, "gap": a.satisfaction - a.expectation,
            "quality": a.quality, "staff": a.staff}[key]


def map_figure(views: Sequence[RunView], outcome: str = "satisfaction") -> Figure:
    """The areas as a grid per model, coloured by `outcome`; each cell names who serves it.

    Marks: in-house share of the area's work and the firms (F1, F2, …) holding contracts
    there; a black frame = flagged by benchmarking; "LT" = a learning team this year; a dot in
    the corner = goal status (green/yellow/red) under goal steering.
    """
    oc = OUTCOMES[outcome]
    norm = Normalize(oc.low, oc.high)
    cmap = matplotlib.colormaps[oc.cmap]
    n = len(views)
    fig = _new_figure(4.8 * n, 4.4)
    for i, v in enumerate(views):
        ax = fig.add_axes((0.02 + i / n, 0.04, 0.96 / n, 0.86))
        _draw_map(ax, v, outcome_values(v, outcome), norm, cmap)
        ax.set_title(f"{v.label} — {v.calendar_year} Q{v.quarter_of_year}", fontsize=10,
                     color=MODEL_COLOURS[i], loc="left")
    fig.suptitle(f"Areas coloured by {oc.title} (scale {oc.low:g} to {oc.high:g})", fontsize=9, y=0.99)
    return fig


def _draw_map(ax, v: RunView, values: np.ndarray, norm: Normalize, cmap) -> None:
    a = v.areas
    side_x, side_y = int(a.x.max()) + 1, int(a.y.max()) + 1
    for i in range(len(a.x)):
        x, y = int(a.x[i]), side_y - 1 - int(a.y[i])
        face = cmap(norm(values[i])) if a.surveyed else (0.85, 0.85, 0.85, 1.0)
        ax.add_patch(Rectangle((x + 0.04, y + 0.04), 0.92, 0.92, facecolor=face,
                               edgecolor="black" if a.flagged[i] else "white", lw=2.5 if a.flagged[i] else 1))
        value = f"{values[i]:.2f}" if a.surveyed else "no survey yet"
        ax.text(x + 0.1, y + 0.85, f"Area {i + 1}", fontsize=7, va="top", weight="bold")
        ax.text(x + 0.1, y + 0.64, value, fontsize=7, va="top")
        ax.text(x + 0.1, y + 0.43, f"in-house {a.inhouse[i] * 100:.0f} %", fontsize=6.5, va="top")
        firms = " ".join(a.contractors[i]) or "no firm"
        ax.text(x + 0.1, y + 0.24, firms, fontsize=6.5, va="top", style="italic")
        if a.team[i]:
            ax.text(x + 0.9, y + 0.85, "LT", fontsize=7, va="top", ha="right", weight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "black", "lw": 0.6})
        if a.status[i] in STATUS_COLOURS:
            ax.add_patch(_goal_dot((x + 0.84, y + 0.16), 0.07, STATUS_COLOURS[int(a.status[i])]))
    ax.set_xlim(0, side_x)
    ax.set_ylim(0, side_y)
    ax.set_aspect("equal")
    ax.axis("off")


def _goal_dot(centre: tuple[float, float], r: float, colour: str) -> Circle:
    return Circle(centre, r, facecolor=colour, edgecolor="black", lw=0.6)
