"""`govsim robust`: where each conclusion holds (issue 10, item 7) — the draws are paired and
complete, the tables are registered, the results are deterministic, bad input gets one message,
and PRIM runs on govsim output with whole-number parameters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import outputs
from sim.outputs import find
from tests.conftest import unregistered

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("ema_workbench", reason="pip install ema_workbench (the 'ema' extra)")

SMALL = ("--draws", "8", "--years", "3", "--default-replications", "3", "--quiet")


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    from tests.conftest import invoke_cli

    out = tmp_path_factory.mktemp("robust") / "r"
    p = invoke_cli("robust", *SMALL, "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    return out, p


def test_robust_writes_registered_tables_and_a_manifest(study_dir):
    from sim.experiments.engine import load_results
    from sim.robust.study import OUTCOMES, PAIRS

    out, p = study_dir
    for name in ("robust_draws.parquet", "robust_draws.csv", "robust_summary.csv"):
        assert (out / name).exists(), name
    draws = pd.read_parquet(out / "robust_draws.parquet")
    assert len(draws) == 8 * 3 and not unregistered(draws.columns, "robust_draws")
    assert list(draws.columns[:3]) == ["draw", "model", "seed"]
    assert list(draws.columns[-len(OUTCOMES) :]) == list(OUTCOMES)
    for c in OUTCOMES:  # units and definitions come from the one registry
        assert find(c, "robust_draws").unit == find(c, "yearly").unit
    csv = pd.read_csv(out / "robust_draws.csv")
    assert list(csv.columns) == list(draws.columns)
    assert np.allclose(csv[list(OUTCOMES)], draws[list(OUTCOMES)], rtol=1e-12)
    summary = pd.read_csv(out / "robust_summary.csv", keep_default_na=False)
    assert tuple(summary.columns) == outputs.columns("robust_summary")
    assert len(summary) == len(OUTCOMES) * len(PAIRS)
    assert (summary["share"] == summary["holds"] / summary["draws"]).all()
    assert (
        (summary["share_lo"] <= summary["share"]) & (summary["share"] <= summary["share_hi"])
    ).all()
    assert (summary["holds"] + summary["reversals"] == 8).all()
    # every comparison is stated in words, in its default direction
    assert all(
        (r.direction == ">") == (r.default_diff > 0) and r.model_a in r.comparison
        for r in summary.itertuples()
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "robust" and manifest["draws"] == 8
    assert len(manifest["draw_seeds"]) == 8 and len(manifest["default_seeds"]) == 3
    assert {p["name"] for p in manifest["parameters"]} == set(draws.columns[3 : -len(OUTCOMES)])
    assert manifest["versions"] and "git_commit" in manifest
    batch = load_results(out / "batch", "yearly")
    assert not unregistered(batch.columns, "yearly", "batch")
    assert (out / "ROBUSTNESS.md").exists()
    assert "Administrative overhead" in p.stdout and "wrote" in p.stdout


def test_every_parameter_the_three_models_use_is_drawn_and_paired(study_dir):
    from sim.params import schema
    from sim.scenario import load_scenario

    out, _ = study_dir
    draws = pd.read_parquet(out / "robust_draws.parquet")
    models = {m: load_scenario(m) for m in ("bum", "hod", "model_municipality")}
    expected = [
        p
        for p in schema()
        if p.low is not None
        and p.kind in ("int", "float")
        and any(sc.uses_parameter(p.name) for sc in models.values())
    ]
    assert [c for c in draws.columns if "." in c] == [p.name for p in expected]
    from sim.robust.study import accepts_range

    for p in expected:
        col = draws[p.name]
        for m, sc in models.items():
            vals = col[draws["model"] == m]
            drawn = sc.uses_parameter(p.name) and accepts_range(p, sc)
            assert vals.notna().all() if drawn else vals.isna().all(), (p.name, m)
        v = col.dropna().astype(float)
        assert ((v >= p.low) & (v <= p.high)).all(), p.name
        if p.kind == "int":
            assert str(col.dtype) == "Int64" and (v == np.floor(v)).all(), p.name
    # HOD's own rules cut tendering.share's range (its 30 % floor): not drawn for HOD
    assert not accepts_range(schema_row("tendering.share"), models["hod"])
    for _, g in draws.groupby("draw"):  # paired: one seed and the same shared values per draw
        assert g["seed"].nunique() == 1
        shared = g[[p.name for p in expected]].dropna(axis=1)
        assert (shared.nunique() == 1).all()
    assert draws.groupby("draw")["seed"].first().nunique() == 8  # seeds differ between draws
    assert draws.loc[draws["model"] == "hod", "tendering.share"].isna().all()
    assert draws.loc[draws["model"] == "bum", "tendering.share"].notna().all()


def test_a_draw_is_the_run_it_says_and_the_default_is_compares_result(study_dir):
    from sim import run
    from sim.compare import run_comparison

    out, _ = study_dir
    draws = pd.read_parquet(out / "robust_draws.parquet")
    row = draws[(draws["draw"] == 5) & (draws["model"] == "hod")].iloc[0]
    params = {
        c: (int(row[c]) if str(draws[c].dtype) == "Int64" else float(row[c]))
        for c in draws.columns
        if "." in c and pd.notna(row[c])
    }
    yearly = run("hod", seed=int(row["seed"]), years=3, set=params).yearly
    assert yearly["employee_wellbeing"].mean() == pytest.approx(
        row["employee_wellbeing"], rel=1e-12
    )
    summary = pd.read_csv(out / "robust_summary.csv")
    cmp_yearly, _ = run_comparison(["bum", "hod", "model_municipality"], 3, 3, 20110401)
    means = cmp_yearly.groupby(["scenario", "seed"])["total_cost_dkk"].mean().unstack(0)
    want = (means["bum"] - means["hod"]).mean()
    got = summary.set_index(["outcome", "model_a", "model_b"]).loc[
        ("total_cost_dkk", "bum", "hod"), "default_diff"
    ]
    assert got == pytest.approx(want, rel=1e-12)


def test_resume_of_a_finished_study_gives_the_same_tables(study_dir, invoke):
    out, _ = study_dir
    before = pd.read_parquet(out / "robust_draws.parquet")
    p = invoke("robust", *SMALL, "--out", str(out), "--resume")
    assert p.returncode == 0, p.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "robust_draws.parquet"), before)


def test_same_seed_same_tables_on_one_and_two_workers(tmp_path):
    from sim.robust.study import plan, run_study

    a = run_study(plan(6, 2, 7, 2), tmp_path / "w1", workers=1)
    b = run_study(plan(6, 2, 7, 2), tmp_path / "w2", workers=2)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)
    c = plan(6, 2, 8, 2)
    assert c.values != plan(6, 2, 7, 2).values and c.draw_seeds != plan(6, 2, 7, 2).draw_seeds


def test_docs_writes_robustness_md_with_a_placeholder_for_every_draw_results(tmp_path, invoke):
    from sim.robust.report import PLACEHOLDER

    out = tmp_path / "r"
    p = invoke("robust", *SMALL, "--out", str(out), "--docs", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    md = (tmp_path / "docs" / "ROBUSTNESS.md").read_text()
    assert not (out / "ROBUSTNESS.md").exists()
    summary = pd.read_csv(out / "robust_summary.csv", keep_default_na=False)
    for r in summary.itertuples():
        assert r.statement in md and f"`{r.comparison}`" in md
    every = summary.loc[summary["prim_status"] == "holds_everywhere", "comparison"]
    traced = set(yaml.safe_load((ROOT / "sim" / "robust" / "traces.yaml").read_text()) or {})
    # a comparison that holds everywhere is traced (sim/robust/traces.yaml) or gets the placeholder
    assert md.count(PLACEHOLDER) == sum(c not in traced for c in every)
    assert "govsim robust --draws 8 --years 3 --default-replications 3" in md


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--draws", "0"], "Invalid value for '--draws': 0 is not in the range x>=1"),
        (["--draws", "many"], "Invalid value for '--draws': 'many' is not a valid integer"),
        (["--years", "0"], "Invalid value for '--years'"),
        (["--workers", "0"], "Invalid value for '--workers'"),
        (["--default-replications", "1"], "Invalid value for '--default-replications'"),
        (["--backend", "spark"], "Invalid value for '--backend': 'spark' is not one of"),
    ],
)
def test_bad_options_get_one_message(args, needle, invoke, tmp_path):
    p = invoke("robust", *args, "--out", str(tmp_path / "r"))
    assert p.returncode == 2 and needle in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "r").exists()


def test_bad_output_folders_are_refused_before_any_run(invoke, tmp_path):
    (tmp_path / "file").write_text("x")
    p = invoke("robust", *SMALL, "--out", str(tmp_path / "file" / "r"))
    assert p.returncode == 2 and "is a file" in p.stderr and "Traceback" not in p.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    p = invoke("robust", *SMALL, "--out", str(other))
    assert p.returncode == 2 and "not a robustness study's output" in p.stderr
    assert sorted(x.name for x in other.iterdir()) == ["notes.txt"]


def test_an_existing_study_needs_resume(study_dir, invoke):
    out, _ = study_dir
    p = invoke("robust", *SMALL, "--out", str(out))
    assert p.returncode == 2 and "--resume" in p.stderr and "Traceback" not in p.stderr
    p = invoke(
        "robust",
        "--draws",
        "9",
        "--years",
        "3",
        "--default-replications",
        "3",
        "--out",
        str(out),
        "--resume",
    )
    assert p.returncode == 2 and "different experiment" in p.stderr, p.stderr


def test_prim_runs_on_ema_output_with_an_integer_parameter():
    """EMA Workbench's PRIM fails on int64 columns (TypeError: Invalid value '4.5' for dtype
    'int64'); sim.ema.prim_region casts them and reports whole-number limits."""
    import ema_workbench as ema

    from sim.ema import ema_model, prim_region

    model = ema_model(
        "bum", ["municipality.contractors", "trust.initial"], replications=1, master_seed=3, years=2
    )
    experiments, _ = ema.perform_experiments(model, scenarios=60)
    assert experiments["municipality.contractors"].dtype.kind == "i"
    y = (experiments["municipality.contractors"] <= 6).to_numpy()
    region = prim_region(experiments, y)
    assert region is not None and region.density == 1.0 and region.coverage == 1.0
    (r,) = region.restrictions
    assert r.name == "municipality.contractors" and r.low is None and r.whole
    assert region.text() == "municipality.contractors ≤ 6 (sampled 3–15)"


def test_prim_runs_on_the_robustness_design_with_whole_number_parameters():
    from sim.ema import prim_region
    from sim.robust.study import plan

    st = plan(draws=200, years=1, replications=2)
    x = pd.DataFrame(st.values)
    for p in st.params:
        x[p.name] = x[p.name].astype("int64" if p.kind == "int" else "float64")
    assert x["municipality.areas"].dtype == "int64"
    y = ((x["municipality.areas"] >= 18) & (x["market.cost_mean"] > 1.0)).to_numpy()
    region = prim_region(x[["municipality.areas", "market.cost_mean", "trust.initial"]], y)
    assert {r.name for r in region.restrictions} == {"municipality.areas", "market.cost_mean"}
    assert "municipality.areas ≥ 18" in region.text() and region.density > 0.9


def test_the_installed_command_has_help(cli):
    p = cli("robust", "--help", timeout=120)
    assert p.returncode == 0 and "--draws" in p.stdout and "--docs" in p.stdout


def schema_row(name: str):
    from sim.params import schema_index

    return schema_index()[name]
