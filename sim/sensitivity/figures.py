"""Figures: index bars with CI whiskers per outcome, and the Morris μ*–σ plane."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

BAR_INDICES = ("S1", "ST", "mu_star", "median")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def write_figures(indices: pd.DataFrame, out: Path, top: int = 20) -> list[Path]:
    """One bar chart per outcome (the `top` parameters by their main index); μ*–σ for Morris."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for outcome, g in indices.groupby("outcome", sort=False):
        g = g[g["interaction"] == ""]
        kinds = [k for k in BAR_INDICES if k in set(g["index"])]
        order = (
            g[g["index"] == kinds[-1]]
            .sort_values("value", ascending=False)["parameter"]
            .head(top)
            .tolist()
        )
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(order) + 1.6), constrained_layout=True)
        height = 0.8 / len(kinds)
        for i, k in enumerate(kinds):
            s = g[g["index"] == k].set_index("parameter").reindex(order)
            pos = np.arange(len(order)) + i * height
            err = s["conf"].fillna(0.0).to_numpy()
            ax.barh(pos, s["value"], height=height, xerr=err, capsize=2, label=k)
        ax.set_yticks(np.arange(len(order)) + height * (len(kinds) - 1) / 2, order, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.legend()
        ax.set_title(
            f"{outcome}: sensitivity indices with {g['method'].iloc[0]} bootstrap CIs", fontsize=10
        )
        p = out / f"indices_{_slug(outcome)}.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
        if "mu_star" in kinds:
            paths.append(_morris_plane(g, outcome, out, plt))
    return paths


def _morris_plane(g: pd.DataFrame, outcome: str, out: Path, plt) -> Path:
    mu = g[g["index"] == "mu_star"].set_index("parameter")
    sigma = g[g["index"] == "sigma"].set_index("parameter")["value"].reindex(mu.index)
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    ax.errorbar(mu["value"], sigma, xerr=mu["conf"].fillna(0.0), fmt="o", ms=4, capsize=2)
    lim = float(max(mu["value"].max(), sigma.max()) * 1.05) or 1.0
    ax.plot([0, lim], [0, lim], ls="--", color="grey", lw=0.7, label="σ = μ*")
    for name in mu["value"].sort_values(ascending=False).head(10).index:
        ax.annotate(
            name,
            (mu.loc[name, "value"], sigma[name]),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("μ* (mean absolute elementary effect)")
    ax.set_ylabel("σ (spread: non-linearity or interactions)")
    ax.set_title(f"{outcome}: Morris screening", fontsize=10)
    top_sigma = float(np.nanmax(sigma.to_numpy())) if len(sigma) else 0.0
    ax.set_ylim(0, top_sigma * 1.15 if top_sigma > 0 else 1.0)
    ax.legend()
    p = out / f"morris_{_slug(outcome)}.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p
