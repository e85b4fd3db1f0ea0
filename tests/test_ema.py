"""EMA Workbench drives govsim through `sim.ema.ema_model` (a ReplicatorModel over `sim.run`)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.errors import GovsimError
from sim.overrides import apply_overrides
from sim.scenario import load_scenario
from sim.seeds import derive_seeds

ema = pytest.importorskip("ema_workbench", reason="pip install ema_workbench (the 'ema' extra)")


def test_tiny_ema_experiment_equals_direct_runs():
    from sim.ema import ema_model

    names = ["inspection.share_of_volume", "municipality.contractors"]
    model = ema_model(
        "bum",
        names,
        outcomes=[("admin_overhead_share", "mean"), ("citizen_satisfaction", "final")],
        replications=2,
        master_seed=9,
        years=3,
    )
    experiments, outcomes = ema.perform_experiments(model, scenarios=3)
    assert len(experiments) == 3 and set(outcomes) == {
        "mean_admin_overhead_share",
        "final_citizen_satisfaction",
    }
    assert experiments["municipality.contractors"].dtype.kind == "i"
    bum = load_scenario("bum")
    for i in range(3):
        params = {n: experiments[n].iloc[i].item() for n in names}
        sc = apply_overrides(bum, params)
        runs = [run(sc, seed=s, years=3).yearly for s in derive_seeds(9, 2)]
        assert outcomes["mean_admin_overhead_share"][i] == np.mean(
            [y["admin_overhead_share"].mean() for y in runs]
        )
        assert outcomes["final_citizen_satisfaction"][i] == np.mean(
            [y["citizen_satisfaction"].iloc[-1] for y in runs]
        )


def test_default_uncertainties_come_from_the_schema_and_bad_names_are_errors():
    from sim.ema import ema_model

    model = ema_model("hod")
    names = {u.name for u in model.uncertainties}
    assert "benchmarking.cost_per_area_dkk" in names and "inspection.share_of_volume" not in names
    u = {x.name: x for x in model.uncertainties}["tendering.buyer_cost_rate"]
    assert (u.lower_bound, u.upper_bound) == (0.014, 0.04)
    with pytest.raises(GovsimError, match="does not use"):
        ema_model("hod", ["inspection.share_of_volume"])
    with pytest.raises(GovsimError, match="unknown parameter 'trust.intial'"):
        ema_model("bum", ["trust.intial"])
