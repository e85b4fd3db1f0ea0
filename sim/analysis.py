"""The analysis of paired, seeded replications: summaries with 95 % CIs, paired differences,
the administrative cost by activity and the comparison figures.

``govsim compare`` (``sim.compare``) and ``govsim report`` (``sim.experiments.report``) share it;
validation and notebooks may import it too. Cases (the ``by`` column: scenario, or an
experiment's case) run on the same seeds, so a difference on one seed is a paired comparison
(common random numbers). Labels and units of tables and figures come from the output registry
(``sim.outputs``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from sim.outputs import key_outcomes, label, listed
from sim.stats import mean_ci

#: the headline outcomes (``sim.outputs`` entries with a ``key`` rank), in their printed order.
KEY_OUTCOMES: tuple[str, ...] = key_outcomes()
MAX_PAIRWISE_CASES = 8  # beyond this, only differences against the baseline (n² rows help nobody)


def summarise(
    yearly: pd.DataFrame,
    baseline: str | None = "bum",
    by: str = "scenario",
    outcomes: tuple[str, ...] = KEY_OUTCOMES,
) -> pd.DataFrame:
    """Per case (column `by`) and outcome: final-year and whole-run means with 95 % CIs, and the
    paired difference from `baseline` on the same seeds."""
    outcomes = tuple(c for c in outcomes if c in yearly.columns)
    final_year = yearly["year"].max()
    rows = []
    for scen, g in yearly.groupby(by, sort=False):
        last = g[g["year"] == final_year].set_index("seed")
        whole = g.groupby("seed")[list(outcomes)].mean()
        base_last = base_whole = None
        if baseline is not None and baseline in set(yearly[by]) and scen != baseline:
            b = yearly[yearly[by] == baseline]
            base_last = b[b["year"] == final_year].set_index("seed")
            base_whole = b.groupby("seed")[list(outcomes)].mean()
        for col in outcomes:
            row = {"scenario": scen, "outcome": col, "n": len(last)}
            row["final_mean"], row["final_lo"], row["final_hi"] = mean_ci(last[col].to_numpy())
            row["run_mean"], row["run_lo"], row["run_hi"] = mean_ci(whole[col].to_numpy())
            if base_last is not None:
                d = (last[col] - base_last[col]).dropna().to_numpy()
                row["diff_vs_" + baseline], row["diff_lo"], row["diff_hi"] = mean_ci(d)
                dw = (whole[col] - base_whole[col]).dropna().to_numpy()
                row["run_diff_vs_" + baseline], row["run_diff_lo"], row["run_diff_hi"] = mean_ci(dw)
            rows.append(row)
    return pd.DataFrame(rows)


def format_table(summary: pd.DataFrame, outcomes: tuple[str, ...] = KEY_OUTCOMES) -> str:
    """A plain-text table: one row per outcome (its registry label and unit), one column per
    scenario (whole-run mean [95 % CI])."""
    scen = list(dict.fromkeys(summary["scenario"]))
    width = 30
    names = {col: label(col) for col in outcomes}
    first = max(30, *(len(n) + 2 for n in names.values()))
    lines = [
        "mean over the run per replication, then mean [95 % CI] over replications",
        f"{'outcome':<{first}}" + "".join(f"{s:>{width}}" for s in scen),
    ]
    for col in outcomes:
        cells = []
        for s in scen:
            r = summary[(summary["scenario"] == s) & (summary["outcome"] == col)].iloc[0]
            cells.append(_fmt(r["run_mean"], r["run_lo"], r["run_hi"]))
        lines.append(f"{names[col]:<{first}}" + "".join(f"{c:>{width}}" for c in cells))
    return "\n".join(lines)


def _fmt(m: float, lo: float, hi: float) -> str:
    if abs(m) >= 1e5:
        return f"{m / 1e6:.2f} [{lo / 1e6:.2f}, {hi / 1e6:.2f}] M"
    return f"{m:.3f} [{lo:.3f}, {hi:.3f}]"


def pairwise(
    yearly: pd.DataFrame, by: str, baseline: str, outcomes: tuple[str, ...]
) -> pd.DataFrame:
    """Paired differences (b − a) of whole-run means per seed, with 95 % CIs, for pairs of cases."""
    cases = list(dict.fromkeys(yearly[by]))
    per_seed = yearly.groupby([by, "seed"], sort=False)[list(outcomes)].mean()
    if len(cases) <= MAX_PAIRWISE_CASES:
        pairs = list(itertools.combinations(cases, 2))
    else:
        pairs = [(baseline, c) for c in cases if c != baseline]
    rows = []
    for a, b in pairs:
        da, db = per_seed.loc[a], per_seed.loc[b]
        common = da.index.intersection(db.index)
        for col in outcomes:
            d = (db.loc[common, col] - da.loc[common, col]).dropna().to_numpy()
            m, lo, hi = mean_ci(d) if d.size else (np.nan, np.nan, np.nan)
            rows.append(
                {
                    "case_a": a,
                    "case_b": b,
                    "outcome": col,
                    "n_pairs": int(d.size),
                    "diff_mean": m,
                    "diff_lo": lo,
                    "diff_hi": hi,
                    "clear": bool(d.size > 1 and (lo > 0 or hi < 0)),
                }
            )
    return pd.DataFrame(rows)


def write_figures(yearly: pd.DataFrame, admin: pd.DataFrame, out: Path) -> list[Path]:
    """Time series with 95 % CI bands, final-year bars with CI whiskers, itemised admin cost."""
    import matplotlib.pyplot as plt

    paths = []
    for name, fig in figures(yearly, admin).items():
        p = out / f"{name}.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


def figures(yearly: pd.DataFrame, admin: pd.DataFrame | None, by: str = "scenario") -> dict:
    """The comparison figures as matplotlib Figures (the caller saves or embeds and closes them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out = {}
    # the registry's views: its `panel` outcomes as time series, its `final_bar` ones as bars
    panels = [c for c in listed("panel") if c in yearly.columns]
    if panels:
        ncol = min(3, len(panels))
        nrow = -(-len(panels) // ncol)
        fig, axes = plt.subplots(
            nrow, ncol, figsize=(4.7 * ncol, 3.8 * nrow), constrained_layout=True, squeeze=False
        )
        for ax, col in zip(axes.flat, panels, strict=False):
            for scen, g in yearly.groupby(by, sort=False):
                st = (
                    g.groupby("year")[col]
                    .apply(lambda x: pd.Series(mean_ci(x.to_numpy()), index=["m", "lo", "hi"]))
                    .unstack()
                )
                ax.plot(st.index, st["m"], label=scen)
                ax.fill_between(st.index, st["lo"], st["hi"], alpha=0.25)
            ax.set_title(label(col), fontsize="medium")
            ax.set_xlabel("year")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right upper", fontsize="small")
        fig.suptitle("Governance models over time (mean and 95 % CI over seeded replications)")
        out["timeseries"] = fig

    final = yearly[yearly["year"] == yearly["year"].max()]
    bars = [c for c in listed("final_bar") if c in yearly.columns]
    if bars:
        fig, axes = plt.subplots(
            1, len(bars), figsize=(3.5 * len(bars), 4), constrained_layout=True, squeeze=False
        )
        for ax, col in zip(axes.flat, bars, strict=True):
            names, ms, errs = [], [], []
            for scen, g in final.groupby(by, sort=False):
                m, lo, hi = mean_ci(g[col].to_numpy())
                names.append(scen)
                ms.append(m)
                errs.append(hi - m)
            bars_ = ax.bar(
                range(len(names)),
                ms,
                yerr=errs,
                capsize=4,
                color=[f"C{i}" for i in range(len(names))],
            )
            ax.set_title(f"{label(col)}\n{int(final['year'].iloc[0])}", fontsize="medium")
            if len(names) <= 3 and max(map(len, names)) <= 20:
                ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
            else:  # many or long case names: a shared legend instead of colliding tick labels
                ax.set_xticks([])
        if len(names) > 3 or max(map(len, names)) > 20:
            fig.legend(bars_, names, loc="outside right upper", fontsize="small")
        out["final_year"] = fig

    if admin is not None and len(admin):
        tab = admin_table(admin, by) / 1e6
        tab = tab.loc[:, tab.sum(axis=0) > 0]
        fig, ax = plt.subplots(figsize=(9, 1.5 + 0.45 * len(tab)), constrained_layout=True)
        tab.plot.barh(stacked=True, ax=ax)
        ax.set_xlim(0, float(tab.sum(axis=1).max()) * 1.04)
        ax.invert_yaxis()  # first case on top, as in the tables
        ax.set_xlabel("M DKK per year (mean over years and seeds)")
        ax.set_ylabel("")
        ax.set_title("Administrative cost by activity")
        ax.legend(fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
        out["admin_breakdown"] = fig
    return out


def admin_table(admin: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Mean DKK per year by case × activity (mean over years within a seed, then over seeds)."""
    per = (
        admin.groupby([by, "activity", "seed"], sort=False)["dkk"]
        .mean()
        .groupby([by, "activity"], sort=False)
        .mean()
    )
    order = list(dict.fromkeys(admin[by]))
    return per.unstack("activity").fillna(0.0).reindex(order)
