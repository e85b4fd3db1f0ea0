"""Figures: index bars with CI whiskers per outcome, the Morris μ*–σ plane, and a convergence plot.

Every figure names in its title the outcome, the method, the design size, the confidence level
of its whiskers and the verdict, and its axes carry units (the outcome's unit comes from the
output registry, `sim.outputs`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.sensitivity.analyse import INDEX_UNITS, MAIN_INDEX, SHOWN_INDICES, method_for


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def _outcome_unit(outcomes: Any, outcome: str) -> str:
    from sim.outputs import INDEX_UNITS as SCALED
    from sim.outputs import outcome as entry

    o = next(o for o in outcomes if o.name == outcome)
    out = entry(o.column)
    return f"{out.unit} {out.scale}" if out.unit in SCALED else out.unit


def _index_unit(kind: str, outcome_unit: str) -> str:
    u = INDEX_UNITS.get(kind, "")
    return outcome_unit if u == "outcome" else u


def _verdict_word(text: str) -> str:
    first = text.split("\n")[0]
    return first.split(":")[0]


def write_figures(
    spec: Any,
    indices: pd.DataFrame,
    conv: pd.DataFrame,
    texts: dict[str, str],
    out: Path,
    top: int = 20,
    outcomes: list | None = None,
) -> list[Path]:
    """Per outcome: a bar chart of the `top` parameters (most important first), the Morris plane,
    and a convergence plot where the design is nested; per ``per_year`` outcome one plot of the
    indices over the years instead."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    m = spec.method
    method = method_for(m)
    level = getattr(m, "conf_level", None)
    whisk = f"{level:.0%} CIs" if level is not None else "no CIs (method gives none)"
    if level is not None and spec.replications >= 2:
        whisk += " (rows and seeds)"
    main = MAIN_INDEX[m.name]
    paths: list[Path] = []
    outcomes = outcomes or list(spec.outcomes)
    per_year = {o.name: o for o in outcomes if o.summary == "per_year"}
    bases: dict[str, list] = {}
    for o in per_year.values():
        bases.setdefault(o.name.rsplit("@", 1)[0], []).append(o)
    for base, os_ in bases.items():
        paths.append(
            _per_year(
                indices,
                base,
                os_,
                _outcome_unit(outcomes, os_[0].name),
                main,
                whisk,
                spec,
                out,
                plt,
            )
        )
    for outcome, g in indices.groupby("outcome", sort=False):
        if outcome in per_year:
            continue
        unit = _outcome_unit(outcomes, outcome)
        size = int(g["size"].iloc[0])
        head = (
            f"{outcome} ({unit}) — {m.name}, {method.size_label}={size}, "
            f"{spec.replications} replication(s), {whisk}\n{_verdict_word(texts[outcome])}"
        )
        g = g[g["interaction"] == ""]
        kinds = [k for k in SHOWN_INDICES[m.name] if k in set(g["index"])]
        order = (
            g[g["index"] == main]
            .sort_values("value", ascending=False)["parameter"]
            .head(top)
            .tolist()
        )
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(order) + 1.9), constrained_layout=True)
        height = 0.8 / len(kinds)
        for i, k in enumerate(kinds):
            s = g[g["index"] == k].set_index("parameter").reindex(order)
            pos = np.arange(len(order)) + i * height
            v = s["value"].to_numpy(dtype=float)
            lo = np.where(s["lo"].isna(), v, s["lo"])
            hi = np.where(s["hi"].isna(), v, s["hi"])
            err = np.vstack([np.maximum(v - lo, 0.0), np.maximum(hi - v, 0.0)])
            ax.barh(pos, v, height=height, xerr=err, capsize=2, label=k)
        ax.set_yticks(np.arange(len(order)) + height * (len(kinds) - 1) / 2, order, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.legend()
        units = sorted({_index_unit(k, unit) for k in kinds})
        ax.set_xlabel("index (" + "; ".join(units) + ")")
        ax.set_title(head, fontsize=9)
        p = out / f"indices_{_slug(outcome)}.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
        if "mu_star" in kinds:
            paths.append(_morris_plane(g, outcome, unit, head, out, plt))
        c = conv[(conv["outcome"] == outcome) & (conv["index"] == main)]
        if c["size"].nunique() > 1:
            paths.append(_convergence(c, order[:8], outcome, unit, main, head, method, out, plt))
    return paths


def _per_year(indices, base, outcomes, unit, main, whisk, spec, out, plt) -> Path:
    """The main index of the leading parameters (by their largest yearly value) year by year."""
    names_of = {o.name: o.years[0] for o in outcomes}
    g = indices[indices["outcome"].isin(names_of) & (indices["index"] == main)]
    g = g.assign(year=g["outcome"].map(names_of))
    lead = g.groupby("parameter")["value"].max().sort_values(ascending=False).head(8).index
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    for name in lead:
        s = g[g["parameter"] == name].sort_values("year")
        line = ax.plot(s["year"], s["value"], marker="o", ms=3, lw=1, label=name)[0]
        if s["lo"].notna().any():
            ax.fill_between(s["year"], s["lo"], s["hi"], color=line.get_color(), alpha=0.15)
    converged = sum(bool(v) for v in g.groupby("outcome")["converged"].all())
    ax.set_xlabel("year")
    ax.set_ylabel(f"{main} ({_index_unit(main, unit)})")
    size = int(g["size"].iloc[0]) if len(g) else 0
    ax.set_title(
        f"{base} ({unit}) per year — {spec.method.name}, {method_for(spec.method).size_label}="
        f"{size}, {spec.replications} replication(s), {whisk}\n"
        f"converged in {converged} of {len(names_of)} years (bands: CIs)",
        fontsize=9,
    )
    ax.legend(fontsize=7)
    p = out / f"per_year_{_slug(base)}.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def _convergence(c, names, outcome, unit, main, head, method, out, plt) -> Path:
    """The main index of the leading parameters at N/8 … N, with row-bootstrap whiskers."""
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    sizes = sorted(c["size"].unique())
    for j, name in enumerate(names):
        s = c[c["parameter"] == name].set_index("size").reindex(sizes)
        x = np.array(sizes, dtype=float) * (1 + 0.02 * (j - len(names) / 2))
        v = s["value"].to_numpy(dtype=float)
        lo = np.where(s["lo"].isna(), v, s["lo"])
        hi = np.where(s["hi"].isna(), v, s["hi"])
        ax.errorbar(
            x,
            v,
            yerr=np.vstack([np.maximum(v - lo, 0), np.maximum(hi - v, 0)]),
            marker="o",
            ms=3,
            capsize=2,
            lw=1,
            label=name,
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel(f"design size ({method.size_label}; nested prefixes of the design)")
    ax.set_ylabel(f"{main} ({_index_unit(main, unit)})")
    head = head.replace(" (rows and seeds)", "")
    ax.set_title(f"convergence of {main}: " + head + " (whiskers: row bootstrap only)", fontsize=9)
    ax.legend(fontsize=7)
    p = out / f"convergence_{_slug(outcome)}.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def _morris_plane(g: pd.DataFrame, outcome: str, unit: str, head: str, out: Path, plt) -> Path:
    mu = g[g["index"] == "mu_star"].set_index("parameter")
    sigma = g[g["index"] == "sigma"].set_index("parameter")["value"].reindex(mu.index)
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    xerr = np.vstack(
        [
            np.maximum(mu["value"] - mu["lo"].fillna(mu["value"]), 0),
            np.maximum(mu["hi"].fillna(mu["value"]) - mu["value"], 0),
        ]
    )
    ax.errorbar(mu["value"], sigma, xerr=xerr, fmt="o", ms=4, capsize=2)
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
    ax.set_xlabel(f"μ*, mean absolute elementary effect ({unit})")
    ax.set_ylabel(f"σ, spread: non-linearity or interactions ({unit})")
    ax.set_title("Morris screening: " + head, fontsize=9)
    top_sigma = float(np.nanmax(sigma.to_numpy())) if len(sigma) else 0.0
    ax.set_ylim(0, top_sigma * 1.15 if top_sigma > 0 else 1.0)
    ax.legend()
    p = out / f"morris_{_slug(outcome)}.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p
