"""Sensitivity inputs and outputs: non-uniform input distributions, the study manifest, and a
parent process that keeps no per-run objects."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from scipy import stats

from sim.errors import GovsimError
from sim.sensitivity.spec import load_spec, spec_from_dict
from sim.sensitivity.study import SAMPLE_SEED, design

BASE = {
    "name": "dists",
    "years": 2,
    "outcomes": [{"column": "admin_overhead_share", "summary": "mean", "scenario": "bum"}],
    "method": {"name": "sobol", "N": 1024},
    "replications": 1,
    "seed": 7,
}
DISTS = {
    # schema range [0.003, 0.02], peak at 0.005
    "inspection.share_of_volume": {"dist": "triang", "peak": 0.005},
    # a normal cut to the schema range [300, 500]
    "municipality.staff_hourly_dkk": {"dist": "truncnorm", "mean": 380, "sd": 40},
    "internal_invoicing.hours_per_invoice": [1, 8],  # uniform, as before
}


def test_sample_follows_the_distributions_and_equals_salibs():
    from SALib.sample import sobol as sobol_sample

    from sim.sensitivity.analyse import salib_seed

    spec = spec_from_dict({**BASE, "parameters": DISTS})
    d = design(spec)
    assert d.problem["dists"] == ["triang", "truncnorm", "unif"]
    tri, tn, uni = d.X[:, 0], d.X[:, 1], d.X[:, 2]
    # the unique base-matrix values (each Sobol' row repeats A or B columns)
    tri, tn, uni = np.unique(tri), np.unique(tn), np.unique(uni)
    c = (0.005 - 0.003) / (0.02 - 0.003)
    assert stats.kstest(tri, stats.triang(c, loc=0.003, scale=0.017).cdf).pvalue > 0.01
    truncated = stats.truncnorm((300 - 380) / 40, (500 - 380) / 40, loc=380, scale=40)
    assert stats.kstest(tn, truncated.cdf).pvalue > 0.01
    assert stats.kstest(uni, stats.uniform(1, 7).cdf).pvalue > 0.01
    # a wrong distribution is rejected: the test can fail
    assert stats.kstest(tn, stats.uniform(300, 200).cdf).pvalue < 1e-6
    assert tn.min() >= 300 and tn.max() <= 500 and tri.min() >= 0.003 and tri.max() <= 0.02
    # SALib called directly on the problem as saved gives the very same sample
    problem = {k: v for k, v in d.problem.items() if k != "sample_scaled"}
    direct = sobol_sample.sample(
        problem, 1024, calc_second_order=False, scramble=True, seed=salib_seed(7, SAMPLE_SEED)
    )
    np.testing.assert_array_equal(direct, d.X)
    # the values the runs get are the sampled ones
    assert d.values[5]["municipality.staff_hourly_dkk"] == d.X[5, 1]


def test_lognormal_input_on_a_parameter_without_upper_bound():
    spec = spec_from_dict(
        {
            **BASE,
            "method": {"name": "sobol", "N": 256},
            "parameters": {
                "inhouse.efficiency_floor": {"dist": "lognorm", "mu": -0.15, "sigma": 0.05},
                "inspection.share_of_volume": None,
            },
        }
    )
    x = np.unique(design(spec).X[:, 0])
    assert stats.kstest(np.log(x), stats.norm(-0.15, 0.05).cdf).pvalue > 0.01
    assert spec.params[0].low == 0.0 and spec.params[0].high == np.inf


def _one(param: dict, **change) -> dict:
    return {
        **BASE,
        "parameters": {**param, "internal_invoicing.hours_per_invoice": None},
        **change,
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            _one({"inspection.share_of_volume": {"dist": "gauss", "mean": 0.01, "sd": 0.002}}),
            "key 'parameters.inspection.share_of_volume.dist' has value 'gauss': allowed "
            "distributions are unif, triang, truncnorm, norm, lognorm",
        ),
        (
            _one({"inspection.share_of_volume": {"dist": "truncnorm", "mean": 0.01}}),
            "key 'parameters.inspection.share_of_volume': distribution 'truncnorm' needs sd",
        ),
        (
            _one({"inspection.share_of_volume": {"dist": "triang", "mode": 0.01}}),
            "key 'parameters.inspection.share_of_volume.mode' (value 0.01) is not a key of "
            "distribution 'triang'; allowed keys: dist, low, high, peak",
        ),
        (
            _one({"inspection.share_of_volume": {"dist": "triang", "peak": 0.5}}),
            "key 'parameters.inspection.share_of_volume.peak' has value 0.5: allowed is low ≤ peak < high",
        ),
        (
            _one({"inspection.share_of_volume": {"dist": "truncnorm", "mean": 0.01, "sd": 0}}),
            "key 'parameters.inspection.share_of_volume.sd' has value 0: it must be > 0",
        ),
        (
            _one({"inspection.share_of_volume": {"dist": "norm", "mean": 0.01, "sd": 0.002}}),
            "key 'parameters.inspection.share_of_volume.dist' has value 'norm', which takes "
            "values outside [0, 0.2], the valid values of",
        ),
        (
            _one({"municipality.contractors": {"dist": "triang", "peak": 5}}),
            "is a whole number, which is sampled uniformly over its values; allowed here: unif",
        ),
        (
            _one(
                {"inspection.share_of_volume": {"dist": "triang", "peak": 0.005}},
                method={"name": "morris", "trajectories": 4},
            ),
            "method 'morris' needs uniform inputs; non-uniform inputs work with sobol, fast",
        ),
    ],
)
def test_bad_distribution_gives_one_clear_message(tmp_path, spec, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(GovsimError) as e:
        load_spec(path)
    assert message in e.value.message and str(path) in e.value.message


# --------------------------------------------------------------------------- outputs and memory


def _fake_chunk(specs, tables, columns):
    """A cheap stand-in for the model: two years whose value depends on the parameters and seed."""
    import pandas as pd

    from sim.experiments.engine import RunOutcome

    out = []
    for s in specs:
        v = dict(s.overrides)
        x = 10 * v["inspection.share_of_volume"] + v["tendering.share"] + (s.seed % 7) * 1e-3
        y = pd.DataFrame({"year": [2008, 2009], "admin_overhead_share": [x, 2 * x]})
        out.append(RunOutcome(s.run_id, {"yearly": y}, None, 0.0, "fake"))
    return out


def _fake_spec(n: int, **change):
    return spec_from_dict(
        {
            **BASE,
            "parameters": {
                "inspection.share_of_volume": {"dist": "triang", "peak": 0.005},
                "tendering.share": None,
                "internal_invoicing.hours_per_invoice": None,
            },
            # few bootstrap resamples: SALib's bootstrap arrays (N × resamples) are not under test
            "method": {"name": "sobol", "N": n, "num_resamples": 10},
            "replications": 2,
            **change,
        }
    )


@pytest.fixture
def fake_model(monkeypatch):
    """The engine runs the fake model in this process; validation of every point and the
    figures (neither depends on what is measured here) are skipped to keep the test short."""
    import sim.experiments.engine as engine
    import sim.sensitivity.figures as figures

    monkeypatch.setattr(engine, "run_chunk", _fake_chunk)
    monkeypatch.setattr(engine, "validate_specs", lambda *a, **k: None)
    monkeypatch.setattr(figures, "write_figures", lambda *a, **k: [])


def test_study_writes_tidy_parquet_tables_and_a_small_manifest(tmp_path, fake_model):
    import json

    import pandas as pd

    from sim.provenance import versions
    from sim.sensitivity.study import run_study

    spec = _fake_spec(16)
    res = run_study(spec, tmp_path / "s", progress=False)
    man = json.loads((res.out / "manifest.json").read_text())
    assert man["what"] == "sensitivity study" and man["hash"] and man["versions"] == versions()
    assert man["inputs"]["distributions"]["inspection.share_of_volume"] == "triang"
    assert man["seeds"]["master"] == 7 and len(man["seeds"]["replications"]) == 2
    runs = pd.read_parquet(res.out / man["runs"]["list"])
    assert man["runs"]["count"] == len(runs) == 16 * 5 * 2 and runs["run_id"].is_unique
    stored = pd.read_parquet(res.out / "batch" / "runs", columns=["run_id"])
    assert set(runs["run_id"]) == set(stored["run_id"])
    for name, meta in man["tables"].items():  # every table is tidy Parquet, as the manifest says
        df = pd.read_parquet(res.out / name)
        assert len(df) == meta["rows"] and list(df.columns) == meta["columns"]
    assert {"indices.parquet", "seed_noise.parquet", "indices_by_seed.parquet"} <= set(
        man["tables"]
    )
    assert (res.out / "manifest.json").stat().st_size < 20_000  # no run list in the JSON
    problem = json.loads((res.out / "problem.json").read_text())
    assert problem["dists"] == ["triang", "unif", "unif"]


def _analysis_peak(tmp_path, n: int) -> int:
    """Peak traced memory of analysing a finished fake study of N = n (the runs already stored)."""
    import tracemalloc

    from sim.sensitivity.study import analyse_study, run_study

    spec = _fake_spec(n)
    out = tmp_path / f"n{n}"
    run_study(spec, out, progress=False)
    tracemalloc.start()
    try:
        analyse_study(spec, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_parent_keeps_no_per_run_objects(tmp_path, fake_model):
    """The parent holds no per-run object after a study, and analysing 8× as many runs costs it
    under 500 bytes per extra run (the 50 MB per 100,000 runs of issue 15): the stored runs are
    streamed part by part into (points × replications) arrays, never read as one table."""
    import gc

    import pandas as pd

    from sim.experiments.engine import RunOutcome, RunSpec
    from sim.sensitivity.study import run_study

    def count() -> dict[type, int]:
        gc.collect()
        kinds = (RunSpec, RunOutcome, pd.DataFrame)
        c = dict.fromkeys(kinds, 0)
        for o in gc.get_objects():
            for k in kinds:
                if isinstance(o, k):
                    c[k] += 1
        return c

    run_study(_fake_spec(8), tmp_path / "warm", progress=False)  # imports and caches
    before = count()
    res = run_study(_fake_spec(32), tmp_path / "one", progress=False)
    del res
    after = count()
    assert after[RunSpec] == before[RunSpec] and after[RunOutcome] == before[RunOutcome]
    assert after[pd.DataFrame] <= before[pd.DataFrame] + 2

    small, large = _analysis_peak(tmp_path, 16), _analysis_peak(tmp_path, 128)
    extra_runs = (128 - 16) * 5 * 2
    print(f"analysis: {(large - small) / extra_runs:.0f} bytes per extra run")
    assert (large - small) / extra_runs < 500, (small, large)


def _study_peak(tmp_path, n: int) -> int:
    """Peak traced memory of a whole fake study of N = n: plan, execution, analysis."""
    import tracemalloc

    from sim.sensitivity.study import run_study

    tracemalloc.start()
    try:
        run_study(_fake_spec(n), tmp_path / f"whole{n}", progress=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_parent_memory_of_a_whole_study_is_flat_in_the_runs(tmp_path, fake_model):
    """Execution and analysis together: 8× as many runs cost the parent under 500 bytes per
    extra run (issue 15: < 50 MB over 100,000 runs). The engine takes the study's runs lazily,
    chunk by chunk, keeps one status byte per run and writes the run list to Parquet in
    batches; before, its RunSpec list, status dict and JSON manifest took ≈ 4.3 kB per run.
    benchmarks/bench_memory.py measures it at 10,000–100,000 runs."""
    from sim.experiments import engine

    _study_peak(tmp_path, 8)  # imports and caches
    small, large = _study_peak(tmp_path, 16), _study_peak(tmp_path, 128)
    extra_runs = (128 - 16) * 5 * 2
    print(f"whole study: {(large - small) / extra_runs:.0f} bytes per extra run")
    assert (large - small) / extra_runs < 500, (small, large)
    path = tmp_path / "whole128" / "batch" / "manifest.json"
    man = json.loads(path.read_text())
    assert man["counts"] == {"done": 1280, "failed": 0, "pending": 0}
    assert man["runs"]["count"] == 1280 and path.stat().st_size < 5_000  # no run list in it
    plan = engine.run_list(tmp_path / "whole128" / "batch")
    assert len(plan) == 1280 and plan["run_id"].is_unique and set(plan["status"]) == {"done"}
