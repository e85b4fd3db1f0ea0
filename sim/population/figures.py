"""The population's figures: the distributions across municipalities in the last year
(exposure to competition, administrative overhead and citizen satisfaction, one histogram each,
stacked by scenario; distributions.png) and the governance models over time (adoption.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: the yearly outcomes whose distribution across municipalities is shown
SHOWN = ("tendered_share", "admin_overhead_share", "citizen_satisfaction")
BINS = 20


def distribution_figure(yearly: pd.DataFrame, title: str = ""):
    """A matplotlib Figure: one panel per outcome of ``SHOWN``, the last year's value of every
    municipality (every run seed's, in a batch), stacked by ``preset``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from sim.outputs import axis_unit, output

    last = yearly[yearly["year"] == yearly["year"].max()]
    presets = list(dict.fromkeys(last["preset"]))
    fig, axes = plt.subplots(
        1, len(SHOWN), figsize=(4.2 * len(SHOWN), 3.6), constrained_layout=True
    )
    for ax, col in zip(axes, SHOWN, strict=True):
        o = output(col)
        values = [o.factor * last.loc[last["preset"] == p, col].to_numpy() for p in presets]
        lo, hi = min(v.min() for v in values), max(v.max() for v in values)
        edges = np.linspace(lo, hi if hi > lo else lo + 1e-9, BINS + 1)
        ax.hist(values, bins=edges, stacked=True, label=presets)
        ax.set_xlabel(f"{o.label} ({axis_unit(col, percent=o.percent)})")
        ax.set_ylabel("municipalities")
    axes[0].legend(fontsize="small")
    year = int(last["year"].iloc[0]) if len(last) else ""
    n = last["municipality"].nunique()
    fig.suptitle(f"{title + ': ' if title else ''}{n} municipalities, {year}")
    return fig


def _save(fig: Any, out: Path, name: str) -> Path:
    import matplotlib.pyplot as plt

    path = Path(out) / name
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_distribution(yearly: pd.DataFrame, out: Path, title: str = "") -> Path:
    return _save(distribution_figure(yearly, title), out, "distributions.png")


def adoption_figure(adoption: pd.DataFrame, title: str = ""):
    """A matplotlib Figure: municipalities per governance model per year (the ``adoption``
    table); in a batch the mean over the run seeds with their range shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 3.8), constrained_layout=True)
    batch = "run_seed" in adoption.columns
    for model in dict.fromkeys(adoption["model"]):
        g = adoption[adoption["model"] == model]
        by = g.groupby("year")["municipalities"]
        mean = by.mean()
        (line,) = ax.plot(mean.index, mean.to_numpy(), marker="o", ms=3, label=model)
        if batch and g["run_seed"].nunique() > 1:
            ax.fill_between(
                mean.index,
                by.min().to_numpy(),
                by.max().to_numpy(),
                alpha=0.2,
                color=line.get_color(),
            )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel("municipalities running the model")
    ax.legend(fontsize="small")
    runs = adoption["run_seed"].nunique() if batch else 1
    what = f"mean of {runs} runs (range shaded)" if runs > 1 else "one run"
    fig.suptitle(f"{title + ': ' if title else ''}governance models per year, {what}")
    return fig


def write_adoption(adoption: pd.DataFrame, out: Path, title: str = "") -> Path:
    return _save(adoption_figure(adoption, title), out, "adoption.png")
