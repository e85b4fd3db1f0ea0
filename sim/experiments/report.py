"""`govsim report DIR`: one self-contained HTML file comparing the cases of a batch.

Self-contained so it can be mailed or archived with the results: figures are PNGs embedded
as base64, the tables are plain HTML. The same numbers go to CSV files beside it for
spreadsheets. Cases are the ``case`` column an experiment writes (scenario label plus its
overrides), else the ``scenario`` column. Differences are paired on seeds: every case runs
on the same replication seeds (common random numbers), so a difference on one seed removes
the noise the cases share.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import (
    admin_table,
    compared_outcomes,
    figures,
    outcome_label,
    pairwise,
    shown,
    shown_unit,
    summarise,
    sweep_figures,
)
from sim.atomic import check_out_dir
from sim.errors import GovsimError
from sim.experiments.engine import MANIFEST, ResultStore, run_list
from sim.outputs import find


def case_column(yearly: pd.DataFrame) -> str:
    return "case" if "case" in yearly.columns else "scenario"


def check_rows(results: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Refuse a store whose runs are recorded as done but whose rows are gone from a table (a
    deleted or lost part file): a report over it would show fewer replications as if complete."""
    st = ResultStore(Path(results), (), {}).statuses()
    done = list(st.loc[st["status"] == "done", "run_id"])
    for name, df in tables.items():
        if df is None or "run_id" not in df.columns:
            continue
        lost = [r for r in done if r not in set(df["run_id"])]
        if lost:
            raise GovsimError(
                f"{results}: {len(lost)} of {len(done)} runs recorded as done have no rows in "
                f"{name}/ (e.g. {lost[0]}); part files are missing, so the store is damaged — "
                "run the batch again into a new --out folder"
            )


def missing_runs(results: Path, yearly: pd.DataFrame | None = None) -> list[str]:
    """Warnings for a batch that is not complete: runs of the manifest without a stored result
    (interrupted or failed), and cases with different numbers of replications."""
    results = Path(results)
    out = []
    plan = run_list(results)
    if len(plan):
        planned = plan["run_id"].tolist()
        missing = plan.loc[plan["status"] != "done", "run_id"].tolist()
        if missing:
            n_failed = int((plan["status"] == "failed").sum())
            out.append(
                f"{len(missing)} of {len(planned)} runs of this batch have no results ({n_failed} failed, "
                f"{len(missing) - n_failed} never ran, e.g. {missing[0]}): replications are missing, so the "
                "means and CIs below rest on fewer runs than planned — complete the batch with "
                "`govsim batch EXPERIMENT --out DIR --resume`"
            )
    if yearly is not None and len(yearly):
        reps = yearly.groupby(case_column(yearly), sort=False)["seed"].nunique()
        if reps.nunique() > 1:
            out.append(
                "cases have different numbers of replications: "
                + ", ".join(f"{c}: {n}" for c, n in reps.items())
            )
    return out


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _num(x: float, col: str | None = None, diff: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    o = find(col) if col else None
    if abs(x) >= 1e5 and not (o is not None and o.percent):
        return f"{x / 1e6:{'+' if diff else ''},.2f} M"
    return shown(x, col, diff) if col else f"{x:,.4g}"


def _unit(col: str, diff: bool = False) -> str:
    return shown_unit(col, diff)


def _means_table(summary: pd.DataFrame, names: dict[str, str]) -> str:
    """Rows: cases (file order); columns: outcomes with their unit; cells: final-year mean and
    95 % CI. Stays readable for 30 cases (the page scrolls sideways if it must)."""
    cases = list(dict.fromkeys(summary["case"]))
    outs = list(dict.fromkeys(summary["outcome"]))
    head = "".join(
        f'<th title="{html.escape(c)}">{html.escape(outcome_label(c, unit=False))}'
        f"<br><small>{html.escape(_unit(c))}</small></th>"
        for c in outs
    )
    body = []
    for case in cases:
        cells = []
        for col in outs:
            r = summary[(summary["case"] == case) & (summary["outcome"] == col)].iloc[0]
            cells.append(
                f"<td>{_num(r['final_mean'], col)}<br><small>[{_num(r['final_lo'], col)}, "
                f"{_num(r['final_hi'], col)}]</small></td>"
            )
        body.append(
            f'<tr><th title="{html.escape(case)}">{html.escape(names.get(case, case))}</th>'
            f"{''.join(cells)}</tr>"
        )
    return f'<div class="wide"><table><tr><th>case</th>{head}</tr>{"".join(body)}</table></div>'


def _diff_table(diffs: pd.DataFrame, names: dict[str, str]) -> str:
    """Each case against the baseline: rows cases, columns outcomes; green cells: the 95 % CI
    of the paired difference excludes zero."""
    if diffs.empty:
        return "<p>Only one case: nothing to contrast.</p>"
    outs = list(dict.fromkeys(diffs["outcome"]))
    head = "".join(
        f"<th>{html.escape(outcome_label(c, unit=False))}<br><small>{html.escape(_unit(c, True))}"
        "</small></th>"
        for c in outs
    )
    rows = []
    for case, g in diffs.groupby("case_b", sort=False):
        cells = []
        for col in outs:
            r = g[g["outcome"] == col].iloc[0]
            cls = ' class="clear"' if r["clear"] else ""
            cells.append(
                f"<td{cls}>{_num(r['diff_mean'], col, True)}<br><small>[{_num(r['diff_lo'], col, True)}, "
                f"{_num(r['diff_hi'], col, True)}] n={r['n_pairs']}</small></td>"
            )
        rows.append(
            f'<tr><th title="{html.escape(case)}">{html.escape(names.get(case, case))}</th>'
            f"{''.join(cells)}</tr>"
        )
    return f'<div class="wide"><table><tr><th>case − baseline</th>{head}</tr>{"".join(rows)}</table></div>'


def _admin_html(tab: pd.DataFrame, names: dict[str, str]) -> str:
    tab = tab.loc[:, tab.sum(axis=0) > 0]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in tab.columns)
    rows = []
    for case, r in tab.iterrows():
        cells = "".join(f"<td>{v / 1e6:,.3f}</td>" for v in r)
        rows.append(
            f'<tr><th title="{html.escape(str(case))}">{html.escape(names.get(case, str(case)))}</th>'
            f"{cells}<td><b>{r.sum() / 1e6:,.3f}</b></td></tr>"
        )
    return f'<div class="wide"><table><tr><th>case</th>{head}<th>total</th></tr>{"".join(rows)}</table></div>'


def short_names(yearly: pd.DataFrame, by: str) -> dict[str, str]:
    """Case → a short name for figures and tables: the entry's label (``label:``, else the
    scenario's name) and the values of only the parameters that entry varies, by the last part
    of their name when that is unambiguous (``bum citizens=50000 share=0.2``)."""
    if by != "case" or "label" not in yearly.columns:
        return {c: str(c) for c in dict.fromkeys(yearly[by])}
    pcols = [
        c for c in yearly.columns if find(c, "batch") and "." in c and find(c, "yearly") is None
    ]
    firsts = yearly.drop_duplicates(by)
    tails = [c.split(".")[-1] for c in pcols]
    out: dict[str, str] = {}
    for _, r in firsts.iterrows():
        lab = str(r["label"])
        same = firsts[firsts["label"] == r["label"]]
        varied = [c for c in pcols if same[c].nunique(dropna=False) > 1]
        bits = []
        for c in varied:
            v = r[c]
            key = c.split(".")[-1] if tails.count(c.split(".")[-1]) == 1 else c
            bits.append(
                f"{key}={v:g}"
                if isinstance(v, float | int) and not isinstance(v, bool)
                else f"{key}={v}"
            )
        out[r[by]] = " ".join([lab, *bits])
    if len(set(out.values())) < len(out):  # not unique: keep the full names
        return {c: str(c) for c in out}
    return out


def swept(yearly: pd.DataFrame) -> dict[str, list[str]]:
    """Experiment entry (label) → the numeric parameters it varies over more than one value."""
    if "label" not in yearly.columns:
        return {}
    pcols = [
        c for c in yearly.columns if find(c, "batch") and "." in c and find(c, "yearly") is None
    ]
    out = {}
    for lab, g in yearly.groupby("label", sort=False):
        names = [c for c in pcols if g[c].nunique() > 1 and pd.api.types.is_numeric_dtype(g[c])]
        if names:
            out[str(lab)] = names
    return out


def file_order(results: Path, yearly: pd.DataFrame, by: str) -> pd.DataFrame:
    """`yearly` with its cases in the order of the experiment file (the manifest's run list),
    not the alphabetical order of run ids."""
    plan = run_list(results, status=False)
    order: list[str] = []
    for scenario, meta in plan[["scenario", "meta"]].drop_duplicates().itertuples(index=False):
        c = (json.loads(meta) if meta else {}).get(by) or (scenario if by == "scenario" else None)
        if c is not None and c not in order:
            order.append(c)
    if not order:
        return yearly
    rank = {c: i for i, c in enumerate(order)}
    key = yearly[by].map(lambda c: rank.get(c, len(rank)))
    return yearly.assign(_o=key).sort_values("_o", kind="stable").drop(columns="_o")


CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}tr.clear td{background:#eef7ee}img{max-width:100%}
small{color:#666}code{background:#f4f4f4;padding:0 3px}
p.warning{background:#fff3cd;border:1px solid #e0c060;padding:.5em}
div.wide{overflow-x:auto}td.clear{background:#eef7ee}th small{font-weight:normal}
div.wide td{white-space:nowrap}div.wide tr>th:first-child{white-space:nowrap}"""


def is_store(results: Path) -> bool:
    """A `govsim batch` store (parts and a runs table), not a compare or run folder."""
    return (Path(results) / "yearly").is_dir()


def report_outcomes(results: Path, yearly: pd.DataFrame) -> tuple[str, ...]:
    """The outcomes a report shows: those the experiment file lists (in its order), else the
    headline outcomes (and compare's common-baseline savings), else every numeric column."""
    man = json.loads((results / MANIFEST).read_text()) if (results / MANIFEST).exists() else {}
    listed_ = (man.get("experiment") or {}).get("outcomes") or []
    if listed_:
        return tuple(c for c in listed_ if c in yearly.columns)
    return compared_outcomes(yearly) or tuple(
        c
        for c in yearly.select_dtypes("number").columns
        if c not in ("year", "seed", "variation", "replication") and find(c, "batch") is None
    )


def write_report(results: Path, out: Path | None = None, baseline: str | None = None) -> list[Path]:
    """Write report.html, summary.csv, differences.csv and admin_by_activity.csv; return their paths.

    `results` is a `govsim batch` store or a `govsim compare` folder."""
    from sim.experiments.export import read_tables

    results = Path(results)
    tables = read_tables(results)
    yearly, admin = tables["yearly"], tables.get("admin")
    store = is_store(results)
    if store:
        check_rows(results, {"yearly": yearly, "admin": admin})
    by = case_column(yearly)
    yearly = file_order(results, yearly, by)
    if admin is not None:
        admin = file_order(results, admin, by)
    warnings = missing_runs(results, yearly) if store else []
    cases = list(dict.fromkeys(yearly[by]))
    names = short_names(yearly, by)
    if baseline is None:
        baseline = "bum" if "bum" in cases else cases[0]
    elif baseline not in cases:
        short = {v: k for k, v in names.items()}
        if baseline not in short:
            raise GovsimError(
                f"--baseline {baseline!r} is not a case in {results}; cases are: {', '.join(cases)}"
            )
        baseline = short[baseline]
    outcomes = report_outcomes(results, yearly)
    summary = summarise(yearly, baseline=baseline, by=by, outcomes=outcomes).rename(
        columns={"scenario": "case"}
    )
    diffs = pairwise(yearly, by, baseline, outcomes, contrasts=True)
    shown_y = yearly.assign(**{by: yearly[by].map(names)})
    shown_a = None if admin is None else admin.assign(**{by: admin[by].map(names)})
    figs = {name: _png(f) for name, f in figures(shown_y, shown_a, by=by).items()}
    sweeps = {
        name: _png(f) for name, f in sweep_figures(yearly, by, swept(yearly), outcomes).items()
    }

    out = Path(out) if out is not None else results / "report.html"
    check_out_dir(out.parent, "--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = [out, out.with_name("summary.csv"), out.with_name("differences.csv")]
    # every file is written to a hidden temporary name and renamed into place only when the
    # whole report has been built, so a failure leaves no partial report that looks complete
    staged = {p: p.with_name(f".{p.name}.tmp") for p in paths}
    summary.to_csv(staged[paths[1]], index=False)
    diffs.to_csv(staged[paths[2]], index=False)
    admin_html = ""
    if admin is not None and len(admin):
        tab = admin_table(admin, by)
        paths.append(out.with_name("admin_by_activity.csv"))
        staged[paths[-1]] = paths[-1].with_name(f".{paths[-1].name}.tmp")
        tab.to_csv(staged[paths[-1]])
        admin_html = (
            "<h2>Administrative cost by activity</h2><p>M DKK per year, mean over years and seeds.</p>"
            + _admin_html(tab, names)
            + (
                f'<img src="data:image/png;base64,{figs["admin_breakdown"]}">'
                if "admin_breakdown" in figs
                else ""
            )
        )
    manifest = json.loads((results / MANIFEST).read_text()) if (results / MANIFEST).exists() else {}
    exp = manifest.get("experiment", {})
    title = exp.get("name") or (
        f"compare ({', '.join(cases)})" if manifest.get("command") == "compare" else results.name
    )
    seeds = sorted(set(yearly["seed"]))
    img = {k: f'<img src="data:image/png;base64,{v}" alt="{k}">' for k, v in figs.items()}
    key_html = ""
    if any(names[c] != c for c in cases):
        key_html = (
            "<h2>Cases</h2><table><tr><th>short name</th><th>case (entry and its overrides)</th></tr>"
            + "".join(
                f"<tr><td>{html.escape(names[c])}</td><td>{html.escape(c)}</td></tr>" for c in cases
            )
            + "</table>"
        )
    sweep_html = ""
    if sweeps:
        sweep_html = "<h2>Outcomes against the swept parameters</h2>" + "".join(
            f'<img src="data:image/png;base64,{v}" alt="{k}">' for k, v in sweeps.items()
        )
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>govsim report: {html.escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>govsim report: {html.escape(title)}</h1>
<p>{html.escape(exp.get("description", ""))}</p>
{"".join(f'<p class="warning"><b>Warning:</b> {html.escape(w)}</p>' for w in warnings)}
<p>{len(cases)} cases × {len(seeds)} seeded replications, years {yearly["year"].min()}–{yearly["year"].max()};
baseline <b>{html.escape(names[baseline])}</b>; 95 % CIs cover seed noise only (variation between replications).
git commit <code>{html.escape(str(manifest.get("git_commit")))}</code>, govsim
{html.escape(str(manifest.get("versions", {}).get("govsim")))}. Source: <code>{html.escape(str(results))}</code>.</p>
{key_html}
<h2>Over time</h2>{img.get("timeseries", "")}
{sweep_html}
<h2>Final year</h2>{img.get("final_year", "")}
<h2>Means in the final year ({yearly["year"].max()}) with 95 % CIs</h2><p>Shares in %.</p>{_means_table(summary, names)}
<h2>Differences from the baseline ({html.escape(names[baseline])})</h2><p>Each case minus the baseline: whole-run
mean per seed, paired on the same seeds (shares in percentage points); green: the 95 % CI excludes zero.</p>{_diff_table(diffs, names)}
{admin_html}
<p><small>CSV: {", ".join(p.name for p in paths[1:])}</small></p>
</body></html>"""
    staged[out].write_text(doc, encoding="utf-8")
    for final, tmp in staged.items():
        tmp.replace(final)
    return paths
