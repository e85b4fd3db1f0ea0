"""Inter-municipal benchmarking networks (issue 12, stage 2, point 2): members share data, which
shortens the benchmarking lag (seed 001), and their learning teams take up each other's tested
improvements; the exchange is yearly and order-free, and bad network input gets one message."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.errors import GovsimError
from sim.population import load_population, run_population
from sim.population.network import PeerView, exchange
from tests.test_rule_units import FakeContext, bench, ctx_of, teams

HODS = """
name: hods
municipalities: 4
years: 3
market: local
regions: [{key: east, count: 2}, {key: west, count: 2}]
governance: [{scenario: hod, count: 3}, {scenario: bum, rest: true}]
"""
NETWORK = "networks: [{key: hod_net, scenarios: [hod]}]"


def pop_file(tmp_path, text: str, name: str = "pop.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def view(**kw) -> PeerView:
    base = dict(peers=2, measuring=2, improvements=0.0, lag_reduction_years=1, transfer_rate=0.5)
    return PeerView(**{**base, **kw})


# ---------------------------------------------------------------- the rules read the view
def test_a_peer_that_measures_shortens_the_benchmarking_lag():
    for peers, first_flags in (
        (None, 3),
        (view(measuring=0), 3),
        (view(), 2),
        (view(lag_reduction_years=5), 1),
    ):
        c = FakeContext()
        c.peers = peers
        c.areas.satisfaction[:] = 0.2  # far below expectation: flagged once the system works
        c.areas.expectation[:] = 0.7
        rule = bench(data_lag_years=2)
        flagged = []
        for _ in range(3):
            rule.measure(ctx_of(c))
            flagged.append(bool(c.areas.flagged.any()))
        assert flagged.index(True) + 1 == first_flags, peers


def test_learning_teams_take_up_their_peers_improvements():
    def ideas(peers) -> int:
        c = FakeContext()
        c.peers = peers
        c.areas.flagged[:4] = True
        rule = teams(max_teams=4, ideas_per_team=1)
        rule.respond(ctx_of(c))
        assert rule.implemented == sum(len(a) for _, a, _ in c.ideas)  # the fake implements all
        return rule.implemented

    assert ideas(None) == 4  # one idea per team
    assert ideas(view(improvements=0.0)) == 4  # peers that improved nothing pass nothing on
    assert ideas(view(improvements=50.0, transfer_rate=1.0)) == 8  # each team takes one up
    assert ideas(view(improvements=50.0, transfer_rate=0.0)) == 4


def test_the_exchange_shows_each_member_the_others_not_itself():
    def model(measured: int, implemented: int | None):
        rules = [SimpleNamespace(key="benchmarking", years_measured=measured)]
        if implemented is not None:
            rules.append(SimpleNamespace(key="learning_teams", implemented=implemented))
        return SimpleNamespace(active=rules, peers=None)

    ms = [model(1, 4), model(1, 0), model(0, None)]
    exchange(ms, 1, 0.5)
    assert [m.peers.measuring for m in ms] == [1, 1, 2]
    assert [m.peers.improvements for m in ms] == [0.0, 2.0, 2.0]
    assert {m.peers.peers for m in ms} == {2}


# ---------------------------------------------------------------- in a population
def test_network_members_benchmark_a_year_earlier(tmp_path):
    """Learning teams need flags: without the network HOD's first teams form in year 3 (two
    years of own data first, seed 001), in the network in year 2."""
    alone = run_population(pop_file(tmp_path, HODS, "a.yaml"), seed=3)
    net = run_population(pop_file(tmp_path, HODS + NETWORK, "b.yaml"), seed=3)
    for res in (alone, net):
        assert (res.municipalities["network"] != "").sum() == (3 if res is net else 0)
    teams_by_year = {
        name: r.yearly[r.yearly["preset"] == "hod"].groupby("year")["learning_teams"].sum()
        for name, r in (("alone", alone), ("net", net))
    }
    assert teams_by_year["alone"].iloc[1] == 0 < teams_by_year["alone"].iloc[2]
    assert teams_by_year["net"].iloc[1] > 0
    # BUM is no member: its table is the same in both
    bum = [r.yearly[r.yearly["preset"] == "bum"].reset_index(drop=True) for r in (alone, net)]
    pd.testing.assert_frame_equal(*bum)


def test_a_network_across_regions_gives_the_same_tables_on_two_workers(tmp_path):
    p = pop_file(tmp_path, HODS.replace("market: local", "market: regional") + NETWORK)
    assert load_population(p).networks_span_regions()
    one, two = run_population(p, seed=8), run_population(p, seed=8, workers=2)
    for t in one.TABLES:
        pd.testing.assert_frame_equal(getattr(one, t), getattr(two, t))
    assert one.manifest["networks"] == {"hod_net": 3}


# ---------------------------------------------------------------- bad input
BAD = [
    ("networks: [{key: n, scenarios: [nope]}]", "key 'networks[0].scenarios[0]' has value 'nope'"),
    (
        "networks: [{key: n, municipalities: [east_01, atlantis]}]",
        "key 'networks[0].municipalities[1]' has value 'atlantis'",
    ),
    ("networks: [{key: n, municipalities: [east_01]}]", "has 1 member(s)"),
    (
        "networks: [{key: n, scenarios: [hod]}, {key: m, municipalities: [east_01, east_02]}]",
        "is already in network 'n'",
    ),
    (
        "networks: [{key: n, scenarios: [hod], transfer_rate: -1}]",
        "key 'networks[0].transfer_rate' has value -1",
    ),
]


@pytest.mark.parametrize(("line", "needle"), BAD)
def test_bad_network_input_gets_one_message(tmp_path, invoke, line, needle):
    body = HODS.replace(
        "governance: [{scenario: hod, count: 3}, {scenario: bum, rest: true}]",
        "governance: [{scenario: hod, rest: true}]",
    )
    p = pop_file(tmp_path, body + line, "bad.yaml")
    with pytest.raises(GovsimError) as e:
        load_population(p)
    msg = e.value.message
    assert needle in msg and str(p) in msg and "\n" not in msg, msg
    r = invoke("population", str(p), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
