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

from sim.outputs import find, key_outcomes, label, listed
from sim.stats import ci_frame, mean_ci

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
            lim = bounds_of(col)
            row["final_mean"], row["final_lo"], row["final_hi"] = mean_ci(
                last[col].to_numpy(), bounds=lim
            )
            row["run_mean"], row["run_lo"], row["run_hi"] = mean_ci(
                whole[col].to_numpy(), bounds=lim
            )
            if base_last is not None:
                d = (last[col] - base_last[col]).dropna().to_numpy()
                row["diff_vs_" + baseline], row["diff_lo"], row["diff_hi"] = mean_ci(d)
                dw = (whole[col] - base_whole[col]).dropna().to_numpy()
                row["run_diff_vs_" + baseline], row["run_diff_lo"], row["run_diff_hi"] = mean_ci(dw)
                ref = float(base_whole[col].mean())
                row["run_diff_pct"] = (
                    100.0 * row["run_diff_vs_" + baseline] / abs(ref) if ref else np.nan
                )
            rows.append(row)
    return pd.DataFrame(rows)


SAVINGS_VS_BASELINE = "savings_vs_baseline_dkk"


def with_common_savings(yearly: pd.DataFrame, baseline: str, by: str = "scenario") -> pd.DataFrame:
    """`yearly` with ``savings_vs_baseline_dkk``: the baseline case's total cost in the first
    simulated year on the same seed minus each row's total cost — one reference for every
    compared model (``savings_dkk`` is against each run's own first year)."""
    first = yearly["year"].min()
    b = yearly[(yearly[by] == baseline) & (yearly["year"] == first)]
    ref = b.set_index("seed")["total_cost_dkk"]
    return yearly.assign(
        **{SAVINGS_VS_BASELINE: yearly["seed"].map(ref) - yearly["total_cost_dkk"]}
    )


def compared_outcomes(yearly: pd.DataFrame) -> tuple[str, ...]:
    """The headline outcomes, with ``savings_vs_baseline_dkk`` after ``savings_dkk`` if present."""
    out: list[str] = []
    for c in KEY_OUTCOMES:
        out.append(c)
        if c == "savings_dkk" and SAVINGS_VS_BASELINE in yearly.columns:
            out.append(SAVINGS_VS_BASELINE)
    return tuple(c for c in out if c in yearly.columns)


def paired_outcomes(outcomes: tuple[str, ...]) -> tuple[str, ...]:
    """Of `outcomes`, those of the registry's ``paired`` view (and the common-baseline savings)."""
    return tuple(c for c in outcomes if c in listed("paired") or c == SAVINGS_VS_BASELINE)


def _entry(col: str):
    return find(col) or find(col, "keys") or find(col, "national")


def bounds_of(col: str) -> tuple[float, float] | None:
    """The values outcome `col` can take (``Output.bounds``; None: not in the registry): the
    CIs of its means are clipped to them (a share's never goes below 0)."""
    e = _entry(col)
    return e.bounds if e is not None else None


def ci_by(grouped, col: str) -> pd.DataFrame:
    """Mean and 95 % CI (columns m, lo, hi) of `col` in each group of `grouped` (a
    ``SeriesGroupBy``), the CI clipped to the outcome's bounds."""
    return ci_frame(grouped, bounds_of(col))


def outcome_label(col: str, unit: bool = True) -> str:
    """The registry label (with its unit) of a yearly outcome, of a column compare adds, or of
    a population's national outcome."""
    table = "yearly" if find(col) else "keys" if find(col, "keys") else "national"
    return label(col, table, unit=unit)


def _digits(x: float) -> int:
    a = abs(x) if np.isfinite(x) else 0.0
    return 0 if a >= 1000 else 1 if a >= 100 else 2 if a >= 1 else 4


def plain(x: float, signed: bool = False, digits: int | None = None) -> str:
    """A number without scientific notation, with thousands separators: 4 decimals below 1,
    fewer as it grows (``-2,371,042``, ``+0.0123``, ``5.68``); `digits` fixes the decimals."""
    if x is None or not np.isfinite(x):
        return "–"
    d = _digits(x) if digits is None else digits
    return f"{x:{'+' if signed else ''},.{d}f}"


def shown(x: float, col: str, diff: bool = False, digits: int | None = None) -> str:
    """A value of outcome `col` as printed: a share in % (a difference in percentage points),
    anything else as a plain number in the outcome's unit."""
    o = _entry(col)
    if o is not None and o.percent:
        return "–" if not np.isfinite(x) else f"{100 * x:{'+' if diff else ''},.2f}"
    return plain(x, signed=diff, digits=digits)


def shown_unit(col: str, diff: bool = False) -> str:
    """The unit printed after a value of `col` (``%``/``pp`` for shares, else the registry's)."""
    o = _entry(col)
    if o is None:
        return ""
    if o.percent:
        return "pp" if diff else "%"
    return o.scale if o.unit in ("satisfaction", "quality", "trust", "wellbeing") else o.unit


def format_table(
    summary: pd.DataFrame, outcomes: tuple[str, ...] | None = None, context: str = ""
) -> str:
    """A plain-text table: one row per outcome (its registry label and unit), one column per
    scenario (whole-run mean [95 % CI]; shares in %, DKK in millions). `context` (period,
    replications, seed) heads it."""
    scen = list(dict.fromkeys(summary["scenario"]))
    if outcomes is None:
        outcomes = tuple(dict.fromkeys(summary["outcome"]))
    width = max(30, *(len(s) + 2 for s in scen))
    names = {col: outcome_label(col) for col in outcomes}
    first = max(30, *(len(n) + 2 for n in names.values()))
    lines = [context] if context else []
    lines += [
        "each cell: mean over the years of the run per replication, then mean [95 % CI] over "
        "the replications;",
        "the CIs cover seed noise only (differences between replications), not parameter or "
        "model uncertainty; shares in %, M = million",
        f"{'outcome':<{first}}" + "".join(f"{s:>{width}}" for s in scen),
    ]
    for col in outcomes:
        cells = []
        for s in scen:
            r = summary[(summary["scenario"] == s) & (summary["outcome"] == col)].iloc[0]
            cells.append(_fmt(r["run_mean"], r["run_lo"], r["run_hi"], col))
        lines.append(f"{names[col]:<{first}}" + "".join(f"{c:>{width}}" for c in cells))
    return "\n".join(lines)


def format_paired(
    summary: pd.DataFrame, baseline: str, outcomes: tuple[str, ...] | None = None
) -> str:
    """The paired differences from `baseline` (run means on the same seeds) for every outcome
    and every other case: plain numbers in the outcome's unit, CI, and % of the baseline."""
    col_diff = f"run_diff_vs_{baseline}"
    if col_diff not in summary.columns:
        return ""
    if outcomes is None:
        outcomes = paired_outcomes(tuple(dict.fromkeys(summary["outcome"])))
    rows = summary[summary[col_diff].notna()]
    names = {col: outcome_label(col, unit=False) for col in outcomes}
    units = {col: shown_unit(col, diff=True) for col in outcomes}
    w1 = max(map(len, names.values()))
    w2 = max(8, *(len(str(s)) for s in rows["scenario"])) if len(rows) else 8
    wu = max(map(len, units.values()))
    name = baseline.upper() if baseline.isidentifier() else repr(baseline)
    lines = [
        f"paired difference from {name} on the same seeds (case − {baseline}, run "
        f"mean [95 % CI]; shares in percentage points, pp; last column: % of {baseline}'s "
        "run mean):"
    ]
    for col in outcomes:
        for _, r in rows[rows["outcome"] == col].iterrows():
            d = _digits(r[col_diff])
            lo, hi = (shown(r[k], col, True, d) for k in ("run_diff_lo", "run_diff_hi"))
            pct = r.get("run_diff_pct", np.nan)
            rel = "–" if not np.isfinite(pct) else f"{pct:+,.1f} %"
            lines.append(
                f"  {names[col]:<{w1}}  {r['scenario']:<{w2}} "
                f"{shown(r[col_diff], col, True, d):>12} {'[' + lo + ', ' + hi + ']':<28} "
                f"{units[col]:<{wu}} {rel:>10}"
            )
    return "\n".join(lines)


def _fmt(m: float, lo: float, hi: float, col: str | None = None) -> str:
    o = _entry(col) if col is not None else None
    if o is not None and o.percent:
        return f"{100 * m:.2f} [{100 * lo:.2f}, {100 * hi:.2f}] %"
    if abs(m) >= 1e5 or (o is not None and "DKK" in o.unit):
        return f"{m / 1e6:.2f} [{lo / 1e6:.2f}, {hi / 1e6:.2f}] M"
    return f"{m:.3f} [{lo:.3f}, {hi:.3f}]"


def pairwise(
    yearly: pd.DataFrame,
    by: str,
    baseline: str,
    outcomes: tuple[str, ...],
    contrasts: bool = False,
) -> pd.DataFrame:
    """Paired differences (b − a) of whole-run means per seed, with 95 % CIs, for pairs of cases:
    with `contrasts`, each case against `baseline` only (a structured contrast, what a report
    shows); else every pair up to MAX_PAIRWISE_CASES cases."""
    cases = list(dict.fromkeys(yearly[by]))
    per_seed = yearly.groupby([by, "seed"], sort=False)[list(outcomes)].mean()
    if len(cases) <= MAX_PAIRWISE_CASES and not contrasts:
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


def colours(n: int) -> list:
    """One colour per case: the default cycle up to 10 cases, an ordered colormap beyond."""
    import matplotlib

    if n <= 10:
        return [f"C{i}" for i in range(n)]
    cmap = matplotlib.colormaps["viridis"]
    return [cmap(i / max(1, n - 1)) for i in range(n)]


def money_title(ax, col: str, axis: str = "y") -> str:
    """The panel title of `col`; for an amount in DKK the `axis` ticks are in millions and the
    title says M DKK (matplotlib's own offset text, "1e6", reads as a mistake on a slide)."""
    o = find(col)
    if o is None or not o.unit.startswith("DKK"):
        return label(col)
    from matplotlib.ticker import FuncFormatter

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.4g}"))
    return label(col).replace(f"({o.unit})", f"(M {o.unit})")


def legend_below(fig, handles, names, n: int) -> None:
    """A legend under the panels, in as many columns as fit, so the plots keep their width."""
    ncol = 1 if max(map(len, names), default=0) > 60 else 2 if n > 4 else max(1, n)
    ncol = min(ncol, 3) if max(map(len, names), default=0) > 30 else min(n, 4)
    fig.legend(handles, names, loc="outside lower center", ncol=max(1, ncol), fontsize="small")


def figures(yearly: pd.DataFrame, admin: pd.DataFrame | None, by: str = "scenario") -> dict:
    """The comparison figures as matplotlib Figures (the caller saves or embeds and closes them).

    Cases keep the order of `yearly`; with many cases the legend goes below the panels (several
    columns) and the final-year bars turn horizontal with the case names as tick labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out = {}
    cases = list(dict.fromkeys(yearly[by]))
    col_of = dict(zip(cases, colours(len(cases)), strict=True))
    legend_rows = -(-len(cases) // 3)
    # the registry's views: its `panel` outcomes as time series, its `final_bar` ones as bars
    panels = [c for c in listed("panel") if c in yearly.columns]
    if panels:
        ncol = min(3, len(panels))
        nrow = -(-len(panels) // ncol)
        fig, axes = plt.subplots(
            nrow,
            ncol,
            figsize=(4.7 * ncol, 3.4 * nrow + 0.6 + 0.22 * legend_rows),
            constrained_layout=True,
            squeeze=False,
        )
        for ax, col in zip(axes.flat, panels, strict=False):
            for scen, g in yearly.groupby(by, sort=False):
                st = ci_by(g.groupby("year")[col], col)
                ax.plot(st.index, st["m"], label=scen, color=col_of[scen])
                ax.fill_between(
                    st.index,
                    st["lo"],
                    st["hi"],
                    alpha=0.25 if len(cases) <= 4 else 0.1,
                    color=col_of[scen],
                )
            ax.set_title(money_title(ax, col), fontsize="medium")
            ax.set_xlabel("year")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        legend_below(fig, handles, labels, len(cases))
        fig.suptitle("Each year: mean and 95 % CI over seeded replications")
        out["timeseries"] = fig

    final = yearly[yearly["year"] == yearly["year"].max()]
    bars = [c for c in listed("final_bar") if c in yearly.columns]
    if bars:
        horizontal = len(cases) > 6 or max(map(len, map(str, cases))) > 20
        if horizontal:
            h = max(3.0, 0.28 * len(cases) + 1.4)
            fig, axes = plt.subplots(
                1,
                len(bars),
                figsize=(3.3 * len(bars) + 2.5, h),
                constrained_layout=True,
                squeeze=False,
                sharey=True,
            )
        else:
            fig, axes = plt.subplots(
                1, len(bars), figsize=(3.5 * len(bars), 4), constrained_layout=True, squeeze=False
            )
        for j, (ax, col) in enumerate(zip(axes.flat, bars, strict=True)):
            names, ms, errs = [], [], []
            for scen, g in final.groupby(by, sort=False):
                m, lo, hi = mean_ci(g[col].to_numpy(), bounds=bounds_of(col))
                names.append(scen)
                ms.append(m)
                errs.append((m - lo, hi - m))
            pos = range(len(names))
            kw = {"capsize": 3, "color": [col_of[n] for n in names]}
            title = money_title(ax, col, "x" if horizontal else "y")
            ax.set_title(f"{title}\n{int(final['year'].iloc[0])}", fontsize="medium")
            o = find(col)
            unit = (
                o.unit
                if o is not None and o.unit not in ("satisfaction", "quality", "trust", "wellbeing")
                else ""
            )
            unit = f"M {unit}" if unit.startswith("DKK") else unit
            if horizontal:
                ax.barh(pos, ms, xerr=np.array(errs).T, **kw)
                if j == 0:
                    ax.set_yticks(pos, names, fontsize="small")
                ax.invert_yaxis() if j == 0 else None
                if unit:
                    ax.set_xlabel(unit)
            else:
                ax.bar(pos, ms, yerr=np.array(errs).T, **kw)
                ax.set_xticks(pos, names, rotation=20, ha="right")
                if unit:
                    ax.set_ylabel(unit)
        n = final.groupby(by, sort=False)["seed"].nunique().max()
        fig.suptitle(
            f"Final year ({int(final['year'].iloc[0])}) only: mean and 95 % CI over {n} seeded "
            "replications (not the run mean)",
            fontsize="medium",
        )
        out["final_year"] = fig

    if admin is not None and len(admin):
        tab = admin_table(admin, by) / 1e6
        tab = tab.loc[:, tab.sum(axis=0) > 0]
        fig, ax = plt.subplots(figsize=(10, 1.5 + 0.32 * len(tab)), constrained_layout=True)
        tab.plot.barh(stacked=True, ax=ax)
        ax.set_xlim(0, float(tab.sum(axis=1).max()) * 1.04)
        ax.invert_yaxis()  # first case on top, as in the tables
        ax.set_xlabel("M DKK per year (mean over years and seeds)")
        ax.set_ylabel("")
        ax.set_title("Administrative cost by activity")
        ax.legend(fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
        out["admin_breakdown"] = fig
    return out


def sweep_figures(
    yearly: pd.DataFrame, by: str, params: dict[str, list[str]], outcomes: tuple[str, ...]
) -> dict:
    """Outcome against swept parameter: for each experiment entry (``label``) and each parameter
    it sweeps (`params`: label → parameter columns), one panel per outcome with the run mean
    per replication averaged over seeds, 95 % CI band, one line per value of the entry's other
    swept parameters (pooled when there are more than 6 such combinations)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out = {}
    cols = [c for c in outcomes if c in yearly.columns]
    for lab, names in params.items():
        g = yearly[yearly["label"] == lab]
        per_run = g.groupby(["run_id", *names], dropna=False)[cols].mean().reset_index()
        for p in names:
            others = [q for q in names if q != p]
            combos = per_run[others].drop_duplicates() if others else pd.DataFrame(index=[0])
            pooled = len(combos) > 6
            ncol = min(3, len(cols))
            nrow = -(-len(cols) // ncol)
            fig, axes = plt.subplots(
                nrow,
                ncol,
                figsize=(4.6 * ncol, 3.2 * nrow + 0.9),
                constrained_layout=True,
                squeeze=False,
            )
            groups = (
                [(None, per_run)]
                if (pooled or not others)
                else list(per_run.groupby(others, sort=True))
            )
            shades = colours(len(groups))
            for ax, col in zip(axes.flat, cols, strict=False):
                for k, (key, sub) in enumerate(groups):
                    st = ci_by(sub.groupby(p)[col], col)
                    name = (
                        "all runs"
                        if key is None
                        else ", ".join(
                            f"{q.split('.')[-1]}={v:g}"
                            if isinstance(v, float | int)
                            else f"{q.split('.')[-1]}={v}"
                            for q, v in zip(
                                others, key if isinstance(key, tuple) else (key,), strict=True
                            )
                        )
                    )
                    ax.plot(st.index, st["m"], marker="o", label=name, color=shades[k])
                    ax.fill_between(st.index, st["lo"], st["hi"], alpha=0.15, color=shades[k])
                ax.set_title(money_title(ax, col), fontsize="medium")
                ax.set_xlabel(p)
                ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
            for ax in list(axes.flat)[len(cols) :]:
                ax.set_visible(False)
            handles, labels = axes.flat[0].get_legend_handles_labels()
            if len(groups) > 1:
                legend_below(fig, handles, labels, len(groups))
            fig.suptitle(
                f"{lab}: run mean against {p} (mean and 95 % CI over seeds"
                + (", pooled over the other swept parameters)" if pooled and others else ")")
            )
            out[f"sweep_{lab}_{p}"] = fig
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
