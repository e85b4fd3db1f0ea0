"""A user writes a hybrid governance model (HOD + tripartite consensus) in YAML alone."""

from __future__ import annotations

import textwrap

import numpy as np

from sim import run

HYBRID = textwrap.dedent("""\
    name: hod_tripartite
    description: HOD's fixed share and learning teams, steered by a tripartite consensus group.
    rules:
      - rule: tendering
        share: 0.30
        floor: 0.30
      - rule: fixed_inhouse_share
        share: 0.70
      - rule: benchmarking
      - rule: learning_teams
      - rule: tripartite_consensus
        citizens_as_fourth_party: true
      - rule: trust_dynamics
    """)


def test_hybrid_from_yaml(tmp_path, cli):
    f = tmp_path / "hybrid.yaml"
    f.write_text(HYBRID)
    res = run(str(f), seed=4)
    y = res.yearly
    # at least 30 % tendered; lots the price basis refuses stay in-house (≥ 70 % in-house)
    np.testing.assert_allclose(y["tendered_share"], 0.30, atol=1e-12)
    assert (y["inhouse_share"] >= 0.70 - 1e-12).all()
    assert (y["control_bids"] == 0).all()
    assert y["consensus_tasks"].sum() > 0  # the consensus rule acts
    assert y["learning_teams"].sum() > 0  # and HOD's learning teams too
    hod = run("hod", seed=4).yearly
    assert (res.admin.query("activity == 'meetings'")["dkk"] > 0).all()
    # the steering group's tasks are ideas of its own origin; employees on them are involved
    assert y["innovations_steering"].sum() > 0 and hod["innovations_steering"].sum() == 0
    p = cli("run", str(f), "--years", "3", "--out", str(tmp_path / "o"))
    assert p.returncode == 0, p.stderr
