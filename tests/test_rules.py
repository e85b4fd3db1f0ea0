"""Rule-level behaviour that a parameter must actually change (found in review)."""

from __future__ import annotations

import numpy as np

from sim import load_scenario, run
from sim.model import MunicipalityModel
from sim.overrides import apply_overrides
from sim.runner import release


def test_considered_share_below_the_default_lowers_accepted_proposals():
    base = load_scenario("quality_municipality")  # employee_proposals with consider_all: false
    low = apply_overrides(base, {"employee_proposals.considered_share": 0.1})
    high = apply_overrides(base, {"employee_proposals.considered_share": 0.3})
    a = sum(run(low, seed=s).yearly["proposals_accepted"].sum() for s in range(6))
    b = sum(run(high, seed=s).yearly["proposals_accepted"].sum() for s in range(6))
    assert a < 0.6 * b


def test_learning_team_hours_are_staff_hours():
    res = run("hod", seed=2)
    lt = res.admin[res.admin["activity"] == "learning_teams"]
    assert lt["hours"].sum() > 0
    rate = load_scenario("hod").parameters.municipality.staff_hourly_dkk
    np.testing.assert_allclose(lt["dkk"], lt["hours"] * rate)
    team_size = 6 * 40.0  # learning_teams defaults: team_size × hours_per_member
    assert (lt["hours"] % team_size == 0).all()


def test_market_never_grows_beyond_its_size():
    sc = load_scenario("bum")
    for seed in range(4):
        m = MunicipalityModel(sc, seed=seed, years=60)
        most = 0
        while m.running:
            m.step()
            most = max(most, sum(f.active for f in m.market.firms))
        release(m)
        assert most <= max(sc.parameters.municipality.contractors, 2)


def test_leaving_dialogue_steering_clears_goal_status(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        "name: s\nregimes:\n  - start: 2008\n    rules: [{rule: dialogue_steering}, {rule: trust_dynamics}]\n"
        "  - start: 2012\n    rules: [{rule: trust_dynamics}]\n"
    )
    y = run(str(f), seed=1).yearly.set_index("year")
    assert (y.loc[:2011, ["goals_green", "goals_yellow", "goals_red"]].sum(axis=1) == 12).all()
    assert (y.loc[2012:, ["goals_green", "goals_yellow", "goals_red"]].sum(axis=1) == 0).all()
