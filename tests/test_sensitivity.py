"""Sensitivity analysis: known answers (Ishigami), an ignored parameter, resume, bad specs, the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import run
from sim.errors import GovsimError
from sim.sensitivity.analyse import analyse_outcome, method_for
from sim.sensitivity.convergence import advice, indices_by_size, verdict
from sim.sensitivity.outcomes import seed_noise
from sim.sensitivity.spec import FastSettings, SobolSettings, load_spec, spec_from_dict
from sim.sensitivity.study import run_study

# Ishigami (a = 7, b = 0.1) analytic indices; SALib's regression tests use atol 0.05, rtol 0.1
ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
S1_TRUE = [0.3139, 0.4424, 0.0]
ST_TRUE = [0.5576, 0.4424, 0.2437]


def ishigami(X: np.ndarray) -> np.ndarray:
    return np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])


def _by(df: pd.DataFrame, index: str) -> np.ndarray:
    return (
        df[df["index"] == index].set_index("parameter").loc[ISHIGAMI["names"], "value"].to_numpy()
    )


def test_ishigami_sobol_matches_analytic_indices_and_converges():
    m = method_for(SobolSettings(name="sobol", N=8192))
    X = m.sample(ISHIGAMI, seed=11)
    by_size = indices_by_size(m, ISHIGAMI, X, ishigami(X), seed=12)
    assert sorted(by_size["size"].unique()) == [1024, 2048, 4096, 8192]
    v = verdict(by_size)
    np.testing.assert_allclose(_by(v, "S1"), S1_TRUE, atol=5e-2, rtol=1e-1)
    np.testing.assert_allclose(_by(v, "ST"), ST_TRUE, atol=5e-2, rtol=1e-1)
    # every CI of a real effect is within 10 %; S1(x3) = 0 is judged negligible, not "unconverged"
    big = v[v["value"] > 0.2]
    assert big["ci_ok"].all() and big["rank_stable"].all()
    assert v.set_index(["index", "parameter"]).loc[("S1", "x3"), "negligible"]
    assert advice(v, 8192, "N").startswith("converged at N=8192")
    # at N/4 the same analysis is not yet within 10 % for x1 (SALib's CI: ±0.04 on 0.32)
    quarter = verdict(by_size[by_size["size"] <= 2048])
    assert not quarter.set_index(["index", "parameter"]).loc[("S1", "x1"), "ci_ok"]


def test_small_sample_is_reported_as_not_converged():
    m = method_for(SobolSettings(name="sobol", N=16))
    X = m.sample(ISHIGAMI, seed=11)
    v = verdict(indices_by_size(m, ISHIGAMI, X, ishigami(X), seed=12))
    text = advice(v, 16, "N")
    assert text.startswith("NOT converged at N=16") and "more samples are needed — try N=" in text
    # the suggestion is a power of two at which the CIs would shrink to 10 % (CI ∝ 1/√N)
    suggested = int(text.split("try N=")[1].split()[0].rstrip(";"))
    assert suggested >= 64 and suggested & (suggested - 1) == 0


def test_efast_on_ishigami_matches_analytic_first_order():
    m = method_for(FastSettings(name="fast", N=1025))
    X = m.sample(ISHIGAMI, seed=3)
    idx = analyse_outcome(m, ISHIGAMI, X, ishigami(X), seed=4)
    np.testing.assert_allclose(_by(idx, "S1"), S1_TRUE, atol=5e-2, rtol=1e-1)


def test_sobol_designs_are_nested_prefixes():
    """The convergence check relies on this: the N=16 design is the first 16 blocks of the N=64 one."""
    small = method_for(SobolSettings(name="sobol", N=16)).sample(ISHIGAMI, seed=5)
    big_m = method_for(SobolSettings(name="sobol", N=64))
    big = big_m.sample(ISHIGAMI, seed=5)
    np.testing.assert_array_equal(big_m.subsample(big, big[:, 0], 16, 3)[0], small)


def test_seed_noise_two_way_split_exact():
    """A pure common seed shift (+2 for seed 1 at every point) cancels in the means: no noise there."""
    got = seed_noise(np.array([[0.0, 2.0], [10.0, 12.0]]))
    # MS_points = 100, MS_seeds = 4, MS_interaction = 0 → var_a = 50, var_b = 2, var_e = 0
    assert got["parameters"] == pytest.approx(50 / 52)
    assert got["common_seed"] == pytest.approx(2 / 52)
    assert got["interaction"] == 0.0 and got["in_means"] == 0.0
    assert got["single_run"] == pytest.approx(2 / 52)
    assert seed_noise(np.array([[1.0, 1.0], [3.0, 3.0]]))["single_run"] == 0.0
    assert np.isnan(seed_noise(np.array([[1.0], [2.0]]))["single_run"])


def test_seed_noise_matches_the_analytic_shares_of_a_toy_model():
    """y[i, j] = g(x_i) + b_j + e_ij with known g, fixed seed shifts b and N(0, σ²) noise."""
    rng = np.random.default_rng(7)
    p, r, sigma = 20_000, 4, 0.5
    g = np.linspace(0.0, 3.0, p)
    b = np.array([-1.0, 1.0, -0.5, 0.5])
    m = g[:, None] + b[None, :] + rng.normal(0.0, sigma, (p, r))
    var_a, var_b, var_e = g.var(ddof=1), b.var(ddof=1), sigma**2
    total = var_a + var_b + var_e
    got = seed_noise(m)
    assert got["parameters"] == pytest.approx(var_a / total, rel=0.02)
    assert got["common_seed"] == pytest.approx(var_b / total, rel=0.02)
    assert got["interaction"] == pytest.approx(var_e / total, rel=0.03)
    assert got["in_means"] == pytest.approx((var_e / r) / (var_a + var_e / r), rel=0.03)


@pytest.mark.parametrize("seed", range(5))
def test_seed_noise_shares_are_shares(seed):
    """Whatever the table (pure noise, anti-correlated seeds), the shares lie in [0, 1] and sum to 1."""
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(50, 4))
    m[:, 1] = -m[:, 0] + rng.normal(0, 0.01, 50)  # the case the old within/pooled ratio broke on
    got = seed_noise(m)
    parts = [got["parameters"], got["common_seed"], got["interaction"]]
    assert all(0.0 <= x <= 1.0 for x in parts + [got["in_means"], got["single_run"]])
    assert sum(parts) == pytest.approx(1.0)


# --------------------------------------------------------------------------- govsim studies

TINY = {
    "name": "tiny",
    "years": 4,
    "parameters": {
        "inspection.share_of_volume": None,
        "municipality.staff_hourly_dkk": None,
        "internal_invoicing.hours_per_invoice": [1, 8],
    },
    "outcomes": [{"column": "admin_overhead_share", "summary": "mean", "scenario": "bum"}],
    "method": {"name": "sobol", "N": 16},
    "replications": 2,
    "seed": 5,
}


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("sa") / "tiny"
    return run_study(spec_from_dict(TINY), out, progress=False)


def test_staff_hourly_rate_cannot_affect_bum():
    """The parameter used as 'ignored' really is: only learning teams and guides (not in BUM) read it."""
    from sim.overrides import apply_overrides
    from sim.scenario import load_scenario

    bum = load_scenario("bum")
    lo = run(apply_overrides(bum, {"municipality.staff_hourly_dkk": 300.0}), seed=1, years=4).yearly
    hi = run(apply_overrides(bum, {"municipality.staff_hourly_dkk": 500.0}), seed=1, years=4).yearly
    pd.testing.assert_frame_equal(lo, hi)


def test_ignored_parameter_ci_contains_zero(tiny_study):
    idx = tiny_study.indices.set_index(["index", "parameter"])
    for k in ("S1", "ST"):
        r = idx.loc[(k, "municipality.staff_hourly_dkk")]
        assert r["lo"] <= 0.0 <= r["hi"]
    # positive control: inspection's share of volume drives the admin overhead share
    assert idx.loc[("ST", "inspection.share_of_volume"), "lo"] > 0.1
    assert len(tiny_study.indices) == 6 and set(tiny_study.indices["size"]) == {16}
    noise = tiny_study.noise.iloc[0]
    assert 0.0 < noise["single_run"] < 1.0 and noise["replications"] == 2
    shares = noise[["parameters", "common_seed", "interaction"]]
    assert shares.between(0.0, 1.0).all() and shares.sum() == pytest.approx(1.0)
    assert (
        tiny_study.out / "figures" / "indices_bum_admin_overhead_share_mean.png"
    ).stat().st_size > 0
    conv = pd.read_csv(tiny_study.out / "convergence.csv")
    assert sorted(conv["size"].unique()) == [2, 4, 8, 16]


def test_interrupted_and_resumed_study_gives_the_same_indices(tiny_study, tmp_path, monkeypatch):
    import sim.experiments.engine as engine

    real, calls = engine.run_chunk, []

    def dies_on_third_chunk(*a, **k):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(engine, "run_chunk", dies_on_third_chunk)
    out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        run_study(spec_from_dict(TINY), out, progress=False)
    assert not (out / "indices.csv").exists()
    monkeypatch.setattr(engine, "run_chunk", real)
    with pytest.raises(GovsimError, match="add --resume"):
        run_study(spec_from_dict(TINY), out, progress=False)
    res = run_study(spec_from_dict(TINY), out, progress=False, resume=True)
    pd.testing.assert_frame_equal(res.indices, tiny_study.indices)
    statuses = pd.read_parquet(out / "batch" / "runs")
    assert statuses["run_id"].is_unique and len(statuses) == 16 * 5 * 2


def test_difference_outcome_is_paired_on_the_same_seed_and_morris_plots(tmp_path):
    """BUM − HOD per point: each scenario gets only the parameters it has; both use the same seed."""
    spec = spec_from_dict(
        {
            "name": "diff",
            "years": 3,
            "parameters": {
                "inspection.share_of_volume": None,
                "benchmarking.cost_per_area_dkk": None,
                "municipality.admin_hourly_dkk": None,
            },
            "outcomes": [
                {"column": "admin_cost_dkk", "summary": "final", "scenario": "bum", "minus": "hod"}
            ],
            "method": {"name": "morris", "trajectories": 4},
            "seed": 3,
        }
    )
    res = run_study(spec, tmp_path / "d", progress=False)
    from sim.overrides import apply_overrides
    from sim.scenario import load_scenario
    from sim.seeds import derive_seeds

    x = pd.read_parquet(tmp_path / "d" / "samples.parquet").iloc[5]
    seed = derive_seeds(3, 1)[0]
    bum = apply_overrides(
        load_scenario("bum"),
        {k: x[k] for k in ("inspection.share_of_volume", "municipality.admin_hourly_dkk")},
    )
    hod = apply_overrides(
        load_scenario("hod"),
        {k: x[k] for k in ("benchmarking.cost_per_area_dkk", "municipality.admin_hourly_dkk")},
    )
    want = (
        run(bum, seed=seed, years=3).yearly["admin_cost_dkk"].iloc[-1]
        - run(hod, seed=seed, years=3).yearly["admin_cost_dkk"].iloc[-1]
    )
    vals = pd.read_parquet(tmp_path / "d" / "outcomes.parquet")
    assert vals.loc[vals["sa_point"] == 5, "value"].item() == want
    assert set(res.indices["index"]) == {"mu_star", "sigma", "mu"}
    assert (
        tmp_path / "d" / "figures" / "morris_bum-hod_admin_cost_dkk_final.png"
    ).stat().st_size > 0


@pytest.mark.parametrize(
    ("method", "indices"),
    [({"name": "fast", "N": 65}, {"S1", "ST"}), ({"name": "pawn", "N": 48}, {"median", "maximum"})],
)
def test_efast_and_pawn_run_through_the_pipeline(tmp_path, method, indices):
    spec = spec_from_dict({**TINY, "years": 2, "replications": 1, "method": method})
    res = run_study(spec, tmp_path / method["name"], progress=False)
    assert set(res.indices["index"]) == indices and len(res.indices) == 2 * 3
    assert res.indices["value"].between(-0.1, 1.1).all()
    if method["name"] == "fast":  # the ignored parameter again: its S1 CI contains zero
        r = res.indices.set_index(["index", "parameter"]).loc[
            ("S1", "municipality.staff_hourly_dkk")
        ]
        assert r["lo"] <= 0.0 <= r["hi"]
    assert sorted(pd.read_csv(tmp_path / method["name"] / "convergence.csv")["size"].unique()) == (
        [65] if method["name"] == "fast" else [24, 48]
    )


# --------------------------------------------------------------------------- bad specs


def _bad(**change):
    d = {**TINY, **change}
    return {k: v for k, v in d.items() if v is not None}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            _bad(parameters={"inspection.share_of_volme": None, "trust.initial": None}),
            "unknown parameter 'inspection.share_of_volme'",
        ),
        (
            _bad(parameters={"inspection.share_of_volume": [0.02, 0.01], "trust.initial": None}),
            "key 'parameters.inspection.share_of_volume' has range [0.02, 0.01]: low must be smaller than high",
        ),
        (
            _bad(parameters={"inspection.share_of_volume": [0.01, 0.01], "trust.initial": None}),
            "low must be smaller than high",
        ),
        (
            _bad(parameters={"inspection.share_of_volume": [-0.5, 0.01], "trust.initial": None}),
            "but -0.5 is not a valid value",
        ),
        (
            _bad(parameters={"benchmarking.pressure": None, "trust.initial": None}),
            "belongs to rule 'benchmarking', which none of the scenarios (bum) uses",
        ),
        (
            _bad(method={"name": "sobol", "N": 100}),
            "key 'method.N' has value 100: N must be a power of two ≥ 8",
        ),
        (_bad(method={"name": "sobl", "N": 64}), "allowed methods are sobol, morris, fast, pawn"),
        (_bad(method={"name": "fast", "N": 60}), "eFAST needs N > 4·M² = 64"),
        (
            _bad(outcomes=[{"column": "admin_overhed", "scenario": "bum"}]),
            "key 'outcomes[0].column' has value 'admin_overhed': unknown outcome column",
        ),
        (
            _bad(outcomes=[{"column": "admin_cost_dkk", "scenario": "bmu"}]),
            "no preset or file named 'bmu'",
        ),
        (
            _bad(replicates=3),
            "unknown key 'replicates' (value 3); allowed keys here: name, description, years",
        ),
    ],
)
def test_bad_spec_gives_one_clear_message_before_any_run(tmp_path, spec, message, monkeypatch):
    import sim.experiments.engine as engine

    monkeypatch.setattr(engine, "execute", lambda *a, **k: pytest.fail("a run started"))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(GovsimError) as e:
        load_spec(path)
    assert message in e.value.message and str(path) in e.value.message


def test_a_run_the_engine_rejects_leaves_no_half_made_study(tmp_path, monkeypatch):
    import sim.experiments.engine as engine

    def reject(*a, **k):
        raise GovsimError("run x: invalid combination")

    monkeypatch.setattr(engine, "execute", reject)
    with pytest.raises(GovsimError, match="invalid combination"):
        run_study(spec_from_dict(TINY), tmp_path / "s", progress=False)
    assert not (tmp_path / "s").exists()


def test_cli_matches_api_and_reports_errors_without_traceback(cli, tmp_path):
    spec = {**TINY, "years": 2, "method": {"name": "sobol", "N": 8}, "replications": 1}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(spec))
    p = cli("sensitivity", str(path), "--out", str(tmp_path / "cli"), "--quiet")
    assert p.returncode == 0, p.stderr
    assert "NOT converged at N=8" in p.stdout and "bum:admin_overhead_share:mean" in p.stdout
    api = run_study(load_spec(path), tmp_path / "api", progress=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "cli" / "indices.parquet"), api.indices
    )
    path.write_text(yaml.safe_dump({**spec, "method": {"name": "sobol", "N": 12}}))
    p = cli("sensitivity", str(path), "--out", str(tmp_path / "bad"))
    assert p.returncode == 2 and p.stderr.startswith("error: ") and "Traceback" not in p.stderr
    assert not (tmp_path / "bad").exists()


def test_shipped_specs_are_valid():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "experiments"
    sob = load_spec(root / "sobol_overhead.yaml")
    assert sob.method.name == "sobol" and [o.minus for o in sob.outcomes][0] == "hod"
    assert {
        "inspection.share_of_volume",
        "internal_invoicing.hours_per_invoice",
        "control_bids.prep_cost_rate",
        "bureaucratic_drift.growth",
        "trust_dynamics.build_rate",
    } <= {p.name for p in sob.params}
    mor = load_spec(root / "morris_screening.yaml")
    assert {label for label, _ in mor.scenarios} == {"bum", "hod", "model_municipality"}
    assert len(mor.params) > 60


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["local", "dask"])
def test_parallel_backends_give_the_same_indices(tiny_study, tmp_path, backend):
    res = run_study(
        spec_from_dict(TINY), tmp_path / backend, workers=2, backend=backend, progress=False
    )
    pd.testing.assert_frame_equal(res.indices, tiny_study.indices)
