"""`govsim robust EXPERIMENT.yaml` (issue 13, item 6): levers across a Latin hypercube of the
uncertainties — the tables are registered and complete, regret is ≥ 0 and 0 for the best policy
on each draw, the ranking follows the regrets, the results are deterministic, and bad input gets
one message naming the file, the key and the value."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import outputs
from tests.conftest import unregistered

pytest.importorskip("ema_workbench", reason="pip install ema_workbench (the 'ema' extra)")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "experiments" / "robust_policies.yaml"
TINY = """\
name: tiny
levers:
  - name: hod_70
    scenario: hod
    set: {fixed_inhouse_share.share: 0.7}
  - name: hod_60
    scenario: hod
    set: {fixed_inhouse_share.share: 0.6}
  - name: bum
    scenario: bum
uncertainties:
  market.cost_mean: null
  inhouse.efficiency_floor: [0.8, 0.9]
  tendering.contract_years: null
draws: 6
seed: 7
years: 3
outcome: {name: admin_overhead_share, direction: minimise}
"""


def _write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from tests.conftest import invoke_cli

    d = tmp_path_factory.mktemp("policies")
    exp = _write(d, TINY)
    runs = []
    for k in ("a", "b"):
        out = d / k
        p = invoke_cli("robust", str(exp), "--out", str(out), "--quiet")
        assert p.returncode == 0, p.stderr
        assert "Traceback" not in p.stderr
        runs.append((out, p))
    return runs


def test_tables_are_complete_and_registered(tiny):
    out, p = tiny[0]
    draws = pd.read_parquet(out / "policy_draws.parquet")
    assert len(draws) == 6 * 3
    assert not unregistered(draws.columns, "policy_draws")
    assert sorted(draws.groupby("draw")["policy"].apply(sorted).iloc[0]) == [
        "bum",
        "hod_60",
        "hod_70",
    ]
    # paired: every policy of a draw has the same seed and uncertainty values
    same = draws.groupby("draw")[["seed", "market.cost_mean", "tendering.contract_years"]].nunique()
    assert (same == 1).all().all()
    assert draws["tendering.contract_years"].dtype == "int64"
    assert draws["market.cost_mean"].between(0.96, 1.08).all()
    assert draws["inhouse.efficiency_floor"].between(0.8, 0.9).all()
    summary = pd.read_csv(out / "policy_summary.csv")
    assert tuple(summary.columns) == outputs.columns("policy_summary")
    prim = pd.read_csv(out / "policy_prim.csv")
    assert tuple(prim.columns) == outputs.columns("policy_prim")
    man = json.loads((out / "manifest.json").read_text())
    assert man["draws"] == 6 and man["outcome"] == "admin_overhead_share"
    assert [u["name"] for u in man["uncertainties"]] == [
        "market.cost_mean",
        "inhouse.efficiency_floor",
        "tendering.contract_years",
    ]
    assert "chosen (minimax regret)" in p.stdout


def test_regret_is_zero_for_the_best_and_positive_otherwise(tiny):
    draws = pd.read_parquet(tiny[0][0] / "policy_draws.parquet")
    assert (draws["regret"] >= 0).all()
    for _, g in draws.groupby("draw"):
        assert g["regret"].min() == 0.0
        assert np.allclose(g["regret"], g["value"] - g["value"].min())
        assert (g["best"] == (g["regret"] == 0)).all()


def test_ranking_follows_max_regret_and_mean(tiny):
    draws = pd.read_parquet(tiny[0][0] / "policy_draws.parquet")
    summary = pd.read_csv(tiny[0][0] / "policy_summary.csv").set_index("policy")
    by = draws.groupby("policy")
    assert np.allclose(summary["max_regret"], by["regret"].max().loc[summary.index])
    assert np.allclose(summary["mean"], by["value"].mean().loc[summary.index])
    order = summary.sort_values("rank_minimax_regret").index
    assert list(summary.loc[order, "max_regret"]) == sorted(summary["max_regret"])
    order = summary.sort_values("rank_mean").index
    assert list(summary.loc[order, "mean"]) == sorted(summary["mean"])
    assert summary["chosen"].sum() == 1
    assert summary.loc[summary["chosen"], "rank_minimax_regret"].item() == 1
    q = summary[["p05", "p50", "p95"]]
    assert (q["p05"] <= q["p50"]).all() and (q["p50"] <= q["p95"]).all()
    # without a threshold a policy fails where it is not the best
    chosen = summary.index[summary["chosen"]][0]
    fails = draws.loc[draws["policy"] == chosen, "fails"]
    assert fails.notna().all() and draws.loc[draws["policy"] != chosen, "fails"].isna().all()
    assert (fails == (draws.loc[draws["policy"] == chosen, "regret"] > 0)).all()


def test_same_file_same_tables(tiny):
    (a, _), (b, _) = tiny
    for f in ("policy_draws.parquet",):
        pd.testing.assert_frame_equal(pd.read_parquet(a / f), pd.read_parquet(b / f))
    for f in ("policy_summary.csv", "policy_prim.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(a / f), pd.read_csv(b / f))


def test_threshold_on_the_outcome_defines_failure(tmp_path):
    from sim.robust.policies import _fails, load_experiment

    text = TINY + "threshold: {outcome: 0.03}\n"
    exp = load_experiment(_write(tmp_path, text))
    df = pd.DataFrame({"value": [0.02, 0.04], "regret": [0.0, 0.01]})
    assert list(_fails(exp, df)) == [False, True]
    exp = load_experiment(
        _write(tmp_path, TINY.replace("minimise", "maximise") + "threshold: {regret: 0.005}\n")
    )
    assert list(_fails(exp, df)) == [False, True]


def test_the_example_plans():
    from sim.robust.policies import load_experiment

    exp = load_experiment(EXAMPLE)
    assert len(exp.runs) == exp.draws * len(exp.policies)
    assert 4 <= len(exp.uncertainties) <= 6


@pytest.mark.parametrize(
    "change, words",
    [
        (
            ("market.cost_mean: null", "market.cost_meen: null"),
            ("uncertainties.market.cost_meen", "unknown parameter", "govsim params"),
        ),
        (
            ("[0.8, 0.9]", "[0.9, 0.8]"),
            ("uncertainties.inhouse.efficiency_floor", "0.9", "above high"),
        ),
        (("scenario: bum", "scenario: bun"), ("levers[2].scenario", "'bun'", "presets are")),
        (
            ("direction: minimise", "direction: lower"),
            ("outcome.direction", "'lower'", "minimise, maximise"),
        ),
        (("draws: 6\n", ""), ("'draws' is missing",)),
        (("years: 3\n", "years: 3\nyears: 4\n"), ("'years' appears twice",)),
        (("name: bum\n", "name: hod_60\n"), ("levers[2].name", "'hod_60'", "unique")),
        (("draws: 6", "draws: six"), ("'draws'", "'six'", "whole number")),
        (("seed: 7", "sede: 7"), ("'sede'", "allowed keys")),
    ],
)
def test_bad_input_gets_one_message(tmp_path, change, words):
    from tests.conftest import invoke_cli

    assert change[0] in TINY
    exp = _write(tmp_path, TINY.replace(*change))
    p = invoke_cli("robust", str(exp), "--out", str(tmp_path / "out"), "--quiet")
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert str(exp) in p.stderr
    for w in words:
        assert w in p.stderr, p.stderr
    assert not (tmp_path / "out").exists()  # no partial output


def test_study_options_are_refused_with_a_file(tmp_path):
    from tests.conftest import invoke_cli

    exp = _write(tmp_path, TINY)
    p = invoke_cli("robust", str(exp), "--docs", "--quiet")
    assert p.returncode != 0 and "--docs" in p.stderr and "Traceback" not in p.stderr
