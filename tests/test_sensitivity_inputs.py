"""Sensitivity inputs and outputs: non-uniform input distributions, the study manifest, and a
parent process that keeps no per-run objects."""

from __future__ import annotations

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
