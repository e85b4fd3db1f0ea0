"""Directional results that follow from the seeds under the default calibration, each over
20 seeds with a statistical margin (paired comparisons on the same seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rules.trust_dynamics import TrustDynamicsParams
from sim.state import update_trust
from sim.stats import mean_ci
from tests.conftest import cached_run

SEEDS = range(20)


def per_seed(scenario: str, column: str, agg: str = "mean") -> np.ndarray:
    return np.array([getattr(cached_run(scenario, s).yearly[column], agg)() for s in SEEDS])


def paired_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    return mean_ci(a - b)


def test_bum_has_the_highest_administrative_overhead():
    bum = per_seed("bum", "admin_overhead_share")
    for other in ("hod", "model_municipality"):
        _, lo, _ = paired_ci(bum, per_seed(other, "admin_overhead_share"))
        assert lo > 0, f"BUM's overhead is not above {other}'s with 95 % confidence"


def test_hod_frees_administrative_resources_relative_to_bum():
    _, lo, _ = paired_ci(per_seed("bum", "admin_cost_dkk"), per_seed("hod", "admin_cost_dkk"))
    assert lo > 0
    _, lo, _ = paired_ci(per_seed("bum", "admin_hours"), per_seed("hod", "admin_hours"))
    assert lo > 0


def test_abolishing_invoicing_and_inspection_frees_them_after_the_switch():
    for s in range(5):
        a = cached_run("bum_to_hod", s).admin
        split = (
            a[a["activity"].isin(["invoicing", "inspection", "control_bids"])]
            .groupby("year")["dkk"]
            .sum()
        )
        assert split[2010] > 0 and split.loc[2012:].sum() == 0


def test_model_municipality_has_higher_wellbeing_and_more_implemented_proposals():
    for col in ("employee_wellbeing", "proposals_implemented"):
        _, lo, _ = paired_ci(per_seed("model_municipality", col), per_seed("bum", col))
        assert lo > 0, col


def test_trust_builds_slower_than_it_is_lost_in_the_rule():
    p = TrustDynamicsParams(rule="trust_dynamics")
    up = down = 0.5
    years_up = years_down = 0
    while up < 0.7:  # every commitment kept
        up = update_trust(up, 1.0, p.build_rate, p.loss_rate)
        years_up += 1
    while down > 0.3:  # every commitment broken
        down = update_trust(down, 0.0, p.build_rate, p.loss_rate)
        years_down += 1
    assert years_up > years_down


@pytest.mark.parametrize("scenario", ["model_municipality", "quality_municipality"])
def test_tripartite_sick_leave_below_bum(scenario):
    _, _, hi = paired_ci(per_seed(scenario, "sick_leave_rate"), per_seed("bum", "sick_leave_rate"))
    assert hi < 0
