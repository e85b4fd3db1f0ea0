"""`govsim report`: a self-contained HTML file whose numbers match the batch's tables."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from sim.errors import GovsimError
from sim.experiments.engine import RunSpec, execute, load_results
from sim.experiments.report import write_report
from sim.stats import mean_ci

CASES = (("bum", ()), ("hod", ()), ("bum", (("tendering.share", 0.1),)))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "b"
    specs = [
        RunSpec(
            f"{sc}-v{v:04d}-r{r:03d}",
            sc,
            ov,
            seed=40 + r,
            years=4,
            meta=(
                ("label", sc),
                ("case", sc if not ov else f"{sc} [tendering.share=0.1]"),
                ("variation", v),
                ("replication", r),
            ),
        )
        for v, (sc, ov) in enumerate(CASES)
        for r in range(4)
    ]
    execute(specs, out, progress=False)
    return out


def test_every_column_a_batch_and_its_report_produce_is_registered(batch, tmp_path):
    """`govsim outputs` documents the batch's identity columns (overrides by a pattern row), its
    runs table and the report's three CSV files."""
    from sim import outputs
    from tests.conftest import unregistered

    tables = [d.name for d in batch.iterdir() if d.is_dir() and d.name != "runs"]
    assert {"yearly", "admin"} <= set(tables)
    for table in tables:
        df = load_results(batch, table)
        assert len(df.columns) > 3 and not unregistered(df.columns, table, "batch"), table
    assert {"label", "case", "variation", "replication", "tendering.share"} <= set(df.columns)
    assert tuple(load_results(batch, "runs").columns) == outputs.columns("runs")
    paths = write_report(batch, tmp_path / "report.html")
    csvs = {p.name: pd.read_csv(p) for p in paths if p.suffix == ".csv"}
    assert set(csvs) == {"summary.csv", "differences.csv", "admin_by_activity.csv"}
    assert not unregistered(csvs["summary.csv"].columns, "report_summary")
    matched = {outputs.find(c, "report_summary").name for c in csvs["summary.csv"].columns}
    assert matched == set(outputs.columns("report_summary"))
    assert tuple(csvs["differences.csv"].columns) == outputs.columns("differences")
    assert len(csvs["admin_by_activity.csv"].columns) > 3
    assert not unregistered(csvs["admin_by_activity.csv"].columns, "admin_by_activity")
    # a pattern is not a wildcard: a name that is no parameter is not an override column
    assert outputs.find("nonsense", "batch") is None and outputs.find("x:y", "sa_samples") is None


def test_report_is_self_contained_and_its_numbers_match_the_tables(batch):
    paths = write_report(batch)
    html = paths[0].read_text()
    assert [p.name for p in paths] == [
        "report.html",
        "summary.csv",
        "differences.csv",
        "admin_by_activity.csv",
    ]
    assert "<script" not in html and 'src="http' not in html
    pngs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(pngs) == 3
    assert all(base64.b64decode(p)[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)

    y = load_results(batch)
    s = pd.read_csv(paths[1])
    assert set(s["case"]) == {"bum", "hod", "bum [tendering.share=0.1]"}
    final = y[(y["case"] == "hod") & (y["year"] == y["year"].max())][
        "citizen_satisfaction"
    ].to_numpy()
    row = s[(s["case"] == "hod") & (s["outcome"] == "citizen_satisfaction")].iloc[0]
    assert np.allclose(
        [row["final_mean"], row["final_lo"], row["final_hi"]], mean_ci(final), rtol=1e-12
    )

    d = pd.read_csv(paths[2])
    # structured contrasts: each case against the baseline (bum), not every pair
    assert len(d) == 2 * s["outcome"].nunique() and set(d["case_a"]) == {"bum"}
    per = y.groupby(["case", "seed"])["admin_cost_dkk"].mean().unstack("case")
    row = d[
        (d["case_a"] == "bum") & (d["case_b"] == "hod") & (d["outcome"] == "admin_cost_dkk")
    ].iloc[0]
    assert np.isclose(row["diff_mean"], (per["hod"] - per["bum"]).mean(), rtol=1e-12)
    assert row["n_pairs"] == 4

    admin = pd.read_csv(paths[3], index_col="case")
    a = load_results(batch, "admin")
    want = (
        a[(a["case"] == "bum") & (a["activity"] == "inspection")]
        .groupby("seed")["dkk"]
        .mean()
        .mean()
    )
    assert np.isclose(admin.loc["bum", "inspection"], want, rtol=1e-12)
    assert admin.loc["hod", "inspection"] == 0.0
    assert "Administrative cost by activity" in html and "Differences from the baseline" in html


def test_report_cli_with_baseline_and_a_bad_baseline(cli, batch, tmp_path):
    out = tmp_path / "r" / "rep.html"
    r = cli("report", str(batch), "--out", str(out), "--baseline", "hod")
    assert r.returncode == 0, r.stderr
    assert out.exists() and (out.parent / "summary.csv").exists()
    assert "diff_vs_hod" in pd.read_csv(out.parent / "summary.csv").columns
    with pytest.raises(GovsimError, match="--baseline 'nope' is not a case"):
        write_report(batch, tmp_path / "x.html", baseline="nope")


def test_report_refuses_a_store_that_lost_the_rows_of_done_runs(invoke, batch, tmp_path):
    """A deleted part file leaves runs recorded as done without rows: the report would show
    fewer replications as if complete, so it is refused with one message."""
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(batch, damaged)
    parts = sorted((damaged / "yearly").glob("*.parquet"))
    parts[0].unlink()
    r = invoke("report", str(damaged), "--out", str(tmp_path / "r" / "report.html"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "recorded as done have no rows in yearly/" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_report_refuses_an_out_it_cannot_write_before_any_work(invoke, batch, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    r = invoke("report", str(batch), "--out", str(a_file / "sub" / "report.html"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("error: ") and "is a file" in r.stderr
