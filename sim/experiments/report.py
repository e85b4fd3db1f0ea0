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

from sim.analysis import KEY_OUTCOMES, admin_table, figures, pairwise, summarise
from sim.atomic import check_out_dir
from sim.errors import GovsimError
from sim.experiments.engine import MANIFEST, ResultStore, load_results
from sim.outputs import label


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
    man = json.loads((results / MANIFEST).read_text()) if (results / MANIFEST).exists() else {}
    planned = [r["run_id"] for r in man.get("runs", [])]
    if planned:
        st = ResultStore(results, (), {}).statuses()
        done = set(st.loc[st["status"] == "done", "run_id"])
        failed = set(st.loc[st["status"] == "failed", "run_id"]) - done
        missing = [r for r in planned if r not in done]
        if missing:
            n_failed = sum(r in failed for r in missing)
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


def _num(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    if abs(x) >= 1e5:
        return f"{x / 1e6:,.2f} M"
    return f"{x:.4g}"


def _means_table(summary: pd.DataFrame) -> str:
    cases = list(dict.fromkeys(summary["case"]))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cases)
    body = []
    for col in dict.fromkeys(summary["outcome"]):
        cells = []
        for c in cases:
            r = summary[(summary["case"] == c) & (summary["outcome"] == col)].iloc[0]
            cells.append(
                f"<td>{_num(r['final_mean'])}<br><small>[{_num(r['final_lo'])}, {_num(r['final_hi'])}]"
                f"</small></td>"
            )
        body.append(
            f'<tr><th title="{html.escape(col)}">{html.escape(label(col))}</th>{"".join(cells)}</tr>'
        )
    return f"<table><tr><th>outcome</th>{head}</tr>{''.join(body)}</table>"


def _diff_table(diffs: pd.DataFrame) -> str:
    rows = []
    for _, r in diffs.iterrows():
        cls = ' class="clear"' if r["clear"] else ""
        rows.append(
            f"<tr{cls}><td>{html.escape(r['case_b'])} − {html.escape(r['case_a'])}</td>"
            f"<td>{html.escape(label(r['outcome']))}</td><td>{_num(r['diff_mean'])}</td>"
            f"<td>[{_num(r['diff_lo'])}, {_num(r['diff_hi'])}]</td><td>{r['n_pairs']}</td></tr>"
        )
    return (
        "<table><tr><th>difference</th><th>outcome</th><th>mean</th><th>95 % CI</th><th>pairs</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _admin_html(tab: pd.DataFrame) -> str:
    tab = tab.loc[:, tab.sum(axis=0) > 0]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in tab.columns)
    rows = []
    for case, r in tab.iterrows():
        cells = "".join(f"<td>{v / 1e6:,.3f}</td>" for v in r)
        rows.append(
            f"<tr><th>{html.escape(str(case))}</th>{cells}<td><b>{r.sum() / 1e6:,.3f}</b></td></tr>"
        )
    return f"<table><tr><th>case</th>{head}<th>total</th></tr>{''.join(rows)}</table>"


CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}tr.clear td{background:#eef7ee}img{max-width:100%}
small{color:#666}code{background:#f4f4f4;padding:0 3px}
p.warning{background:#fff3cd;border:1px solid #e0c060;padding:.5em}"""


def write_report(results: Path, out: Path | None = None, baseline: str | None = None) -> list[Path]:
    """Write report.html, summary.csv, differences.csv and admin_by_activity.csv; return their paths."""
    results = Path(results)
    yearly = load_results(results, "yearly")
    try:
        admin = load_results(results, "admin")
    except GovsimError:
        admin = None
    check_rows(results, {"yearly": yearly, "admin": admin})
    by = case_column(yearly)
    warnings = missing_runs(results, yearly)
    cases = list(dict.fromkeys(yearly[by]))
    if baseline is None:
        baseline = "bum" if "bum" in cases else cases[0]
    elif baseline not in cases:
        raise GovsimError(
            f"--baseline {baseline!r} is not a case in {results}; cases are: {', '.join(cases)}"
        )
    outcomes = tuple(c for c in KEY_OUTCOMES if c in yearly.columns) or tuple(
        c
        for c in yearly.select_dtypes("number").columns
        if c not in ("year", "seed", "variation", "replication")
    )
    summary = summarise(yearly, baseline=baseline, by=by, outcomes=outcomes).rename(
        columns={"scenario": "case"}
    )
    diffs = pairwise(yearly, by, baseline, outcomes)
    figs = {name: _png(f) for name, f in figures(yearly, admin, by=by).items()}

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
            + _admin_html(tab)
            + (
                f'<img src="data:image/png;base64,{figs["admin_breakdown"]}">'
                if "admin_breakdown" in figs
                else ""
            )
        )
    manifest = json.loads((results / MANIFEST).read_text()) if (results / MANIFEST).exists() else {}
    exp = manifest.get("experiment", {})
    title = exp.get("name", results.name)
    seeds = sorted(set(yearly["seed"]))
    img = {k: f'<img src="data:image/png;base64,{v}" alt="{k}">' for k, v in figs.items()}
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>govsim report: {html.escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>govsim report: {html.escape(title)}</h1>
<p>{html.escape(exp.get("description", ""))}</p>
{"".join(f'<p class="warning"><b>Warning:</b> {html.escape(w)}</p>' for w in warnings)}
<p>{len(cases)} cases × {len(seeds)} seeded replications, years {yearly["year"].min()}–{yearly["year"].max()};
git commit <code>{html.escape(str(manifest.get("git_commit")))}</code>, govsim
{html.escape(str(manifest.get("versions", {}).get("govsim")))}. Source: <code>{html.escape(str(results))}</code>.</p>
<h2>Over time</h2>{img.get("timeseries", "")}
<h2>Final year</h2>{img.get("final_year", "")}
<h2>Means in the final year ({yearly["year"].max()}) with 95 % CIs</h2>{_means_table(summary)}
<h2>Pairwise differences</h2><p>Whole-run mean per seed, case minus case, paired on the same seeds; green rows:
the 95 % CI excludes zero.</p>{_diff_table(diffs)}
{admin_html}
<p><small>CSV: {", ".join(p.name for p in paths[1:])}</small></p>
</body></html>"""
    staged[out].write_text(doc, encoding="utf-8")
    for final, tmp in staged.items():
        tmp.replace(final)
    return paths
