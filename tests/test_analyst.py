"""The analyst's workflow (issue 13, items 2–5): compare's units, context and paired differences
for any baseline; `--vary`; the report of a parameter sweep (short names, file order, outcome
against parameter, contrasts, readable layouts, compare folders); `govsim export`;
`govsim params --scenario` and `govsim diff`. No exact model number is pinned here."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import outputs
from sim.analysis import shown_unit


def _one_line_error(p, starts: str, says: str) -> None:
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.startswith(starts) and says in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


# ------------------------------------------------------------------ compare
@pytest.fixture(scope="module")
def hod_baseline(tmp_path_factory):
    from tests.conftest import invoke_cli

    out = tmp_path_factory.mktemp("cmp") / "c"
    args = ["--scenarios", "model_municipality", "--scenarios", "hod", "--replications", "3"]
    p = invoke_cli(
        "compare", *args, "--years", "3", "--workers", "1", "--baseline", "hod", "--out", str(out)
    )
    assert p.returncode == 0, p.stderr
    return p, out


def test_compare_prints_units_period_replications_seed_and_what_the_cis_cover(hod_baseline):
    p, _ = hod_baseline
    head = p.stdout.split("\n\n")[0]
    assert "2 cases × 3 seeded replications (master seed 20110401), years 2008–2010" in head
    assert "baseline hod" in head and "the CIs cover seed noise only" in head
    for col in outputs.key_outcomes():  # every headline row carries its unit or scale
        assert outputs.label(col) in head, col
    share = next(
        ln for ln in head.splitlines() if ln.startswith(outputs.label("admin_overhead_share"))
    )
    assert re.search(r"\d+\.\d\d \[\d+\.\d\d, \d+\.\d\d\] %", share)  # a share in %
    dkk = next(ln for ln in head.splitlines() if ln.startswith(outputs.label("admin_cost_dkk")))
    assert re.search(r"\d+\.\d\d \[[\d.]+, [\d.]+\] M", dkk)
    assert "final_year.png the final year (2010) only" in p.stdout


def test_compare_baseline_hod_gives_paired_differences_for_every_outcome(hod_baseline):
    p, out = hod_baseline
    paired = p.stdout.split("paired difference from HOD")[1].split("\n\n")[0]
    for col in (*outputs.listed("paired"), "savings_vs_baseline_dkk"):
        name = re.escape(outputs.label(col, "yearly" if outputs.find(col) else "keys", unit=False))
        unit = re.escape(shown_unit(col, diff=True))
        line = rf"^  {name} +model_municipality +[+-][\d,.]+ \[[+-][\d,.]+, [+-][\d,.]+\] +{unit} +([+-][\d,.]+ %|–)$"
        assert len(re.findall(line, paired, re.M)) == 1, col
    assert not re.search(r"\de[+-]\d", paired)  # no scientific notation
    s = pd.read_csv(out / "summary.csv")
    mm = s[s["scenario"] == "model_municipality"]
    assert mm["run_diff_vs_hod"].notna().all() and mm["run_diff_pct"].notna().any()
    # % of the baseline is the difference over the baseline's run mean
    r = mm[mm["outcome"] == "admin_cost_dkk"].iloc[0]
    base = s[(s["scenario"] == "hod") & (s["outcome"] == "admin_cost_dkk")].iloc[0]
    assert np.isclose(r["run_diff_pct"], 100 * r["run_diff_vs_hod"] / abs(base["run_mean"]))


def test_compare_savings_share_one_reference(hod_baseline):
    _, out = hod_baseline
    y = pd.read_parquet(out / "yearly.parquet")
    first = y[(y["scenario"] == "hod") & (y["year"] == y["year"].min())].set_index("seed")
    want = y["seed"].map(first["total_cost_dkk"]) - y["total_cost_dkk"]
    assert np.allclose(y["savings_vs_baseline_dkk"], want)
    hod = y[y["scenario"] == "hod"]
    assert np.allclose(hod["savings_vs_baseline_dkk"], hod["savings_dkk"])  # its own reference
    man = json.loads((out / "manifest.json").read_text())
    assert (
        "savings_vs_baseline_dkk" in man["savings_baseline"] and "(hod)" in man["savings_baseline"]
    )


def test_compare_without_bum_defaults_to_the_first_case(invoke, tmp_path):
    p = invoke(
        "compare",
        "--scenarios",
        "hod",
        "--scenarios",
        "model_municipality",
        "--replications",
        "2",
        "--years",
        "2",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "c"),
    )
    assert p.returncode == 0, p.stderr
    assert "paired difference from HOD" in p.stdout


def test_compare_vary_makes_one_paired_case_per_value(invoke, tmp_path):
    out = tmp_path / "v"
    p = invoke(
        "compare",
        "--scenarios",
        "hod",
        "--vary",
        "fixed_inhouse_share.share=0.7,0.6",
        "--replications",
        "2",
        "--years",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert p.returncode == 0, p.stderr
    y = pd.read_parquet(out / "yearly.parquet")
    cases = list(dict.fromkeys(y["scenario"]))
    assert cases == ["hod fixed_inhouse_share.share=0.7", "hod fixed_inhouse_share.share=0.6"]
    last = y[y["year"] == y["year"].max()].groupby("scenario")["tendered_share"].mean()
    assert last[cases[0]] == pytest.approx(0.3) and last[cases[1]] == pytest.approx(0.4)
    assert "paired difference from 'hod fixed_inhouse_share.share=0.7'" in p.stdout
    man = json.loads((out / "manifest.json").read_text())
    assert man["cases"] == cases and man["vary"] == {"fixed_inhouse_share.share": [0.7, 0.6]}


@pytest.mark.parametrize(
    ("args", "starts", "says"),
    [
        (
            ["--vary", "fixed_inhouse_share.share"],
            "error: --vary fixed_inhouse_share.share: ",
            "expected KEY=V1,V2",
        ),
        (
            ["--vary", "fixed_inhouse_share.share=0.7,0.7"],
            "error: --vary fixed_inhouse_share.share=0.7,0.7: ",
            "value 0.7 is given twice",
        ),
        (
            ["--vary", "fixed_inhouse_share.share=0.7,1.7"],
            "error: --vary fixed_inhouse_share.share=1.7: ",
            "less than or equal to 1",
        ),
        (
            ["--vary", "tendering.shar=0.1,0.2"],
            "error: --vary tendering.shar=0.1: ",
            "unknown parameter",
        ),
        (
            ["--vary", "tendering.share=0.1,0.2", "--set", "tendering.share=0.3"],
            "error: --vary tendering.share=…: ",
            "also given with --set",
        ),
        (
            ["--baseline", "nope"],
            "error: --baseline has value 'nope'",
            "one of the compared cases (hod)",
        ),
    ],
)
def test_compare_bad_vary_and_baseline_are_one_line(invoke, tmp_path, args, starts, says):
    out = tmp_path / "c"
    p = invoke("compare", "--scenarios", "hod", *args, "--replications", "2", "--out", str(out))
    _one_line_error(p, starts, says)
    assert not out.exists()


# ------------------------------------------------------------------ report of a 3 × 3 sweep
SWEEP = {
    "name": "sweep",
    "description": "BUM over municipality size and tender share, HOD as reference.",
    "scenarios": [
        "hod",
        {
            "scenario": "bum",
            "label": "split",
            "grid": {
                "municipality.citizens": [50000, 85000, 150000],
                "tendering.share": [0.2, 0.3, 0.4],
            },
        },
    ],
    "replications": 2,
    "years": 3,
    "master_seed": 3,
    "outcomes": ["admin_cost_dkk", "citizen_satisfaction", "tenders_held"],
}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    from tests.conftest import invoke_cli

    d = tmp_path_factory.mktemp("sweep")
    f = d / "sweep.yaml"
    f.write_text(yaml.safe_dump(SWEEP, sort_keys=False))
    out = d / "out"
    p = invoke_cli("batch", str(f), "--out", str(out), "--no-progress")
    assert p.returncode == 0, p.stderr
    p = invoke_cli("report", str(out))
    assert p.returncode == 0, p.stderr
    return out


def test_sweep_report_has_short_names_file_order_and_parameter_plots(sweep):
    html = (sweep / "report.html").read_text()
    s = pd.read_csv(sweep / "summary.csv")
    cases = list(dict.fromkeys(s["case"]))
    assert cases[0] == "hod" and len(cases) == 10  # file order: hod first, as the file lists it
    assert "split citizens=50000 share=0.2" in html  # label respected, short parameter names
    assert "split [municipality.citizens=50000, tendering.share=0.2]" in html  # the key table
    assert 'alt="sweep_split_municipality.citizens"' in html
    assert 'alt="sweep_split_tendering.share"' in html
    # every outcome the file lists, including one that is no headline outcome
    assert list(dict.fromkeys(s["outcome"])) == SWEEP["outcomes"]
    assert outputs.label("tenders_held", unit=False) in html
    # differences: each case against the baseline (the first case), not every pair
    d = pd.read_csv(sweep / "differences.csv")
    assert set(d["case_a"]) == {"hod"} and len(d) == 9 * len(SWEEP["outcomes"])


def test_report_warns_when_replications_are_missing(sweep, tmp_path, invoke):
    import shutil

    from sim.experiments.engine import load_results

    runs = load_results(sweep, "runs")
    assert len(runs) == 20
    copy = tmp_path / "b"
    shutil.copytree(sweep, copy)
    plan = pd.read_parquet(copy / "runlist.parquet")
    extra = plan.iloc[[0]].assign(run_id="split-v0099-r000")  # planned, never ran
    pd.concat([plan, extra]).to_parquet(copy / "runlist.parquet", index=False)
    p = invoke("report", str(copy))
    assert p.returncode == 0, p.stderr
    assert "1 of 21 runs of this batch have no results" in p.stderr


def test_report_reads_a_compare_folder(hod_baseline, invoke, tmp_path):
    _, out = hod_baseline
    rep = tmp_path / "r.html"
    p = invoke("report", str(out), "--out", str(rep))
    assert p.returncode == 0, p.stderr
    html = rep.read_text()
    assert "govsim report: compare (model_municipality, hod)" in html
    s = pd.read_csv(tmp_path / "summary.csv")
    assert list(dict.fromkeys(s["case"])) == ["model_municipality", "hod"]
    assert "savings_vs_baseline_dkk" in set(s["outcome"])


def _texts(fig):
    """Every drawn text of `fig`: per visible axes its tick labels (within the view), title and
    axis labels; the figure's own texts (suptitle) and its legends' entries."""
    out = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis, view in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = sorted(view)
            for loc, t in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False):
                if lo - 1e-9 * abs(hi - lo) <= loc <= hi + 1e-9 * abs(hi - lo):
                    out.append(t)
        out += [ax.title, ax.xaxis.label, ax.yaxis.label]
    out += list(fig.texts)
    for leg in fig.legends:
        out += list(leg.get_texts())
    if fig._suptitle is not None:
        out.append(fig._suptitle)
    unique = {id(t): t for t in out}  # the suptitle is also one of fig.texts
    return [t for t in unique.values() if t.get_visible() and t.get_text().strip()]


def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of drawn texts (tick labels, titles, axis labels, legend entries) whose boxes
    overlap by more than 2 px each way, and texts that leave the figure."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    W, H = fig.canvas.get_width_height()
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in _texts(fig)]
    bad = [
        (txt, "outside the figure")
        for txt, bb in boxes
        if bb.x0 < -1 or bb.x1 > W + 1 or bb.y0 < -1 or bb.y1 > H + 1
    ]
    for i, (a, ba) in enumerate(boxes):
        for b, bbx in boxes[i + 1 :]:
            cut = ba.intersection(ba, bbx)
            if cut is not None and cut.width > 2 and cut.height > 2:
                bad.append((a, b))
    return bad


def test_the_layout_check_finds_overlapping_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_xticks(range(10), [f"label number {i}" for i in range(10)])
    assert _overlaps(fig)
    plt.close(fig)


@pytest.mark.parametrize("n", [2, 10, 30])
def test_figures_stay_readable_for_2_to_30_cases(n):
    """An image check of the layout: no text of the comparison figures overlaps another or
    leaves the figure, for 2, 10 and 30 cases with report-style names."""
    import matplotlib.pyplot as plt

    from sim.analysis import figures

    rng = np.random.default_rng(0)
    cols = [
        c
        for c in outputs.outcome_columns()
        if c in (*outputs.listed("panel"), *outputs.listed("final_bar"))
    ]
    rows = []
    for i in range(n):
        for seed in range(3):
            for year in range(2008, 2028):
                rows.append(
                    {
                        "case": f"split citizens={50000 + 1000 * i} share=0.{i % 9 + 1}",
                        "seed": seed,
                        "year": year,
                        **{c: float(rng.random()) * (1e6 if "dkk" in c else 1) for c in cols},
                    }
                )
    yearly = pd.DataFrame(rows)
    figs = figures(yearly, None, by="case")
    try:
        for name, fig in figs.items():
            assert _overlaps(fig) == [], name
    finally:
        for f in figs.values():
            plt.close(f)


def test_sweep_figures_stay_readable(sweep):
    import matplotlib.pyplot as plt

    from sim.analysis import sweep_figures
    from sim.experiments.export import read_tables
    from sim.experiments.report import swept

    y = read_tables(sweep)["yearly"]
    figs = sweep_figures(y, "case", swept(y), tuple(SWEEP["outcomes"]))
    assert set(figs) == {"sweep_split_municipality.citizens", "sweep_split_tendering.share"}
    try:
        for name, fig in figs.items():
            assert _overlaps(fig) == [], name
    finally:
        for f in figs.values():
            plt.close(f)


# ------------------------------------------------------------------ export
def test_export_writes_csv_tables_and_one_summary_row_per_run(sweep, invoke, tmp_path):
    out = tmp_path / "x"
    p = invoke("export", str(sweep), "--out", str(out))
    assert p.returncode == 0, p.stderr
    y = pd.read_csv(out / "yearly.csv")
    assert len(y) == 20 * 3 and {"case", "seed", "municipality.citizens"} <= set(y.columns)
    rs = pd.read_csv(out / "runs_summary.csv")
    assert len(rs) == 20 and rs["run_id"].is_unique
    assert {"scenario", "case", "seed", "tendering.share", "years"} <= set(rs.columns)
    one = y[y["run_id"] == rs["run_id"].iloc[3]]
    assert np.isclose(rs["admin_cost_dkk_mean"].iloc[3], one["admin_cost_dkk"].mean())
    assert np.isclose(
        rs["admin_cost_dkk_final"].iloc[3], one.loc[one["year"].idxmax(), "admin_cost_dkk"]
    )
    from tests.conftest import unregistered

    assert not unregistered(rs.columns, "run_summary", "batch")


def test_export_of_a_run_and_of_a_compare_folder(invoke, tmp_path, hod_baseline):
    run_dir = tmp_path / "r"
    assert invoke("run", "bum", "--years", "2", "--out", str(run_dir)).returncode == 0
    p = invoke("export", str(run_dir))
    assert p.returncode == 0, p.stderr
    rs = pd.read_csv(run_dir / "export" / "runs_summary.csv")
    assert len(rs) == 1 and rs["scenario"].iloc[0] == "bum" and rs["years"].iloc[0] == 2
    assert {"areas.csv", "tenders.csv"} <= {f.name for f in (run_dir / "export").iterdir()}
    _, cmp_dir = hod_baseline
    p = invoke("export", str(cmp_dir), "--out", str(tmp_path / "c"))
    assert p.returncode == 0, p.stderr
    assert len(pd.read_csv(tmp_path / "c" / "runs_summary.csv")) == 2 * 3


def test_export_bad_input_is_one_line(invoke, tmp_path):
    empty = tmp_path / "e"
    empty.mkdir()
    _one_line_error(
        invoke("export", str(empty)), f"error: {empty}: no yearly table", "`govsim batch`"
    )
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        run_dir = tmp_path / "r"
        assert invoke("run", "bum", "--years", "1", "--out", str(run_dir)).returncode == 0
        p = invoke("export", str(run_dir), "--format", "xlsx")
        _one_line_error(p, "error: --format xlsx needs the openpyxl package", "--format csv")
        assert not (run_dir / "export").exists()


# ------------------------------------------------------------------ params --scenario, diff
def test_params_scenario_lists_only_what_it_uses_with_its_values(invoke):
    p = invoke("params", "--scenario", "hod", "--format", "csv")
    assert p.returncode == 0, p.stderr
    t = pd.read_csv(__import__("io").StringIO(p.stdout))
    names = set(t["name"])
    assert "fixed_inhouse_share.share" in names and "control_bids.cost_coverage" not in names
    assert "municipality.citizens" in names
    v = t.set_index("name")["value"]
    assert float(v["tendering.floor"]) == 0.3  # HOD's own value, not the schema default
    q = invoke("params", "--scenario", "hod")
    assert q.returncode == 0 and "parameters scenario 'hod' uses" in q.stdout
    _one_line_error(
        invoke("params", "--scenario", "hd"), "error: no preset or file named 'hd'", "presets are:"
    )


def test_diff_names_rules_and_parameters_that_differ(invoke, tmp_path):
    p = invoke("diff", "bum", "hod")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert re.search(r"rules only in A: .*control_bids", out) and re.search(
        r"rules only in B: .*fixed_inhouse_share", out
    )
    assert re.search(r"^  tendering\.floor +0 → 0\.3", out, re.M)
    f = tmp_path / "big.yaml"
    f.write_text("base: bum\nparameters: {municipality: {citizens: 150000}}\n")
    q = invoke("diff", "bum", str(f))
    assert "rules only in A: —" in q.stdout and re.search(
        r"municipality\.citizens +85000 → 150000", q.stdout
    )
    assert "parameters both use, with different values (1)" in q.stdout
    _one_line_error(
        invoke("diff", "bum", "nope"), "error: no preset or file named 'nope'", "presets are:"
    )
