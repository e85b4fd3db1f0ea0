"""Shared regional markets (issue 12, stage 2, point 1): the municipalities of a region buy from
one contractor market — firms with capacity and backlog serve several municipalities, one
municipality's contracts change the market for the next, exit and entry read the region's profit
— and ``market: local`` keeps every municipality its own single run."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.errors import GovsimError
from sim.population import load_population, run_population
from sim.population.run import ID_COLUMNS, Region
from sim.population.spec import STREAM_MARKETS
from sim.seeds import derive_seeds

YEAR = 2008


def pop_file(tmp_path, text: str, name: str = "pop.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


TWO = """
name: two
municipalities: 2
years: 2
regions: [{key: r, count: 2}]
governance:
  - scenario: bum
    rest: true
    set: {QUIET}
"""
#: bids without noise or preparation cost, and no other buyers: capacity is what the region holds
QUIET = (
    "{market.bidder_cost_rate: 0.0, market.bid_cost_sd: 0.0, market.bid_noise_sd: 0.0, "
    "market.other_buyers_load: 0.0}"
)


def region(tmp_path, text: str = TWO, seed: int = 3) -> Region:
    pop = load_population(pop_file(tmp_path, text.replace("{QUIET}", QUIET)))
    (key, members), mk = pop.by_region()[0], pop.markets[0]
    return Region(key, members, derive_seeds(seed, len(pop)), pop.years, mk, 17)


# ---------------------------------------------------------------- local markets = sim.run
def test_with_local_markets_every_municipality_is_its_own_single_run(tmp_path):
    """market: local: the municipalities do not interact; each one's yearly table is sim.run of
    its (sized) scenario on its derived seed, number for number."""
    p = pop_file(
        tmp_path,
        """
        name: apart
        municipalities: 3
        years: 2
        market: local
        regions: [{key: a, count: 3}]
        governance: [{scenario: hod, count: 1}, {scenario: bum, rest: true}]
        """,
    )
    res = run_population(p, seed=4)
    pop = load_population(p)
    assert set(res.municipalities["market"]) == {"local"} and res.markets.empty
    for m, s in zip(pop.municipalities, derive_seeds(4, len(pop)), strict=True):
        mine = (
            res.yearly[res.yearly["municipality"] == m.key]
            .iloc[:, len(ID_COLUMNS) :]
            .reset_index(drop=True)
        )
        pd.testing.assert_frame_equal(mine, run(m.scenario, seed=s, years=2).yearly)


# ---------------------------------------------------------------- one market, several buyers
def test_the_firms_of_a_regional_market_hold_contracts_with_several_municipalities(tmp_path):
    r = region(tmp_path)
    a, b = r.models
    assert a.market is b.market is r.host.market and len(r.host.market.books) == 2
    assert not a.owns_market and not b.owns_market
    held = [set(m.packages.contractor[m.packages.contractor >= 0].tolist()) for m in r.models]
    assert held[0] & held[1], "no firm works for both municipalities"
    assert held[0] | held[1] <= set(r.host.market.ids.tolist())
    # a municipality's active contractors are those holding *its* contracts
    assert r.host.market.active_contractors(a.packages) == len(held[0])
    assert r.host.market.active_contractors() == len(held[0] | held[1])


def test_one_municipality_s_contracts_take_the_capacity_another_s_tender_needs(tmp_path):
    """Backlog is regional: a firm whose contracts with municipality A fill its capacity cannot
    bid on B's lot; once A's contracts are gone it can."""
    r = region(tmp_path)
    a, b = r.models
    mk = r.host.market
    pk_a, pk_b = a.packages, b.packages
    p = int(np.flatnonzero(pk_b.private == 0)[0])  # a lot B delivers in-house
    k, value = int(pk_b.task[p]), float(pk_b.volume[p])
    mine = pk_a.contractor[(pk_a.contractor >= 0) & (pk_a.private > 0)]
    firm = int(next(f for f in mine if mk.does[mk.rows(np.array([f]))[0], k]))
    row = int(mk.rows(np.array([firm]))[0])
    # alone able to do the task, with a margin, at the rival count its markup is set for
    mk.does[:, k] = False
    mk.does[row, k] = True
    mk.markup[row] = 0.08
    mk.expected_bidders[k] = 1.0
    held_b = mk.held_volume(skip=(pk_b, p))[row]
    from_a = held_b - float(
        (pk_b.volume * pk_b.private)[(pk_b.contractor == firm)].sum()
    )  # what A's contracts take of the firm
    assert from_a > 0
    mk.capacity[row] = held_b + 0.5 * value  # B's lot would overfill it

    def bids() -> np.ndarray:
        beliefs = mk.expected_bidders.copy()
        rows = mk.bids(pk_b, p, value, YEAR, 4, 1.0, 0.5, 0.0)[0]
        mk.expected_bidders[:] = beliefs
        return rows

    assert row not in bids()
    mk.touch()  # A acts (as its quarter does): its contracts with the firm end
    gone = pk_a.contractor == firm
    pk_a.contractor[gone], pk_a.private[gone], pk_a.price[gone] = -1, 0.0, 0.0
    assert row in bids()


def test_what_other_buyers_hold_is_summed_afresh_when_another_buyer_acts(tmp_path, monkeypatch):
    """The cache of the other buyers' backlog gives, at every tender of a run of several
    municipalities, what summing every buyer's contracts gives."""
    from sim.agents import Market

    cached = Market.held_volume
    calls = []

    def checked(self, skip=None):
        got = cached(self, skip)
        np.testing.assert_allclose(got, self._held(self.books, skip), rtol=1e-12, atol=1e-6)
        calls.append(self._others is not None)
        return got

    monkeypatch.setattr(Market, "held_volume", checked)
    text = TWO.replace("municipalities: 2", "municipalities: 4").replace("count: 2", "count: 4")
    r = region(tmp_path, text)
    for _ in range(8):
        r.step()
    assert sum(calls) > 10  # the cache was used, and was right every time


def test_the_region_settles_its_market_once_a_year_after_all_municipalities(tmp_path):
    r = region(tmp_path)
    mk = r.host.market
    for _ in range(4):
        r.step()
    (row,) = r.host.rows
    assert row["year"] == YEAR and row["buyers"] == 2
    assert row["holders"] == len(
        set().union(*(m.packages.contractor.tolist() for m in r.models)) - {-1}
    )
    assert (mk.profit == 0).all() and (mk.revenue == 0).all()  # settled: the year's books closed
    assert np.isfinite(mk.margin)
    for _ in range(4):
        r.step()
    assert [x["year"] for x in r.host.rows] == [YEAR, YEAR + 1]


def test_exit_reads_contracts_with_any_municipality_of_the_region(tmp_path):
    """A firm that holds a contract with B only, however long it has made losses, stays; one
    with no contract anywhere and losses for market.exit_after_years leaves."""
    r = region(tmp_path)
    mk = r.host.market
    a, b = r.models
    keep, leave = sorted(set(b.packages.contractor[b.packages.contractor >= 0].tolist()))[:2]

    def drop(pk, firm):
        gone = pk.contractor == firm
        pk.contractor[gone], pk.private[gone], pk.price[gone] = -1, 0.0, 0.0

    drop(a.packages, keep)  # `keep` works for B only
    drop(a.packages, leave)  # `leave` for nobody
    drop(b.packages, leave)
    rows = mk.rows(np.array([keep, leave]))
    mk.loss_years[rows] = 10
    mk.profit[rows] = -1.0
    r.host.settle(YEAR)
    assert keep in mk.ids and leave not in mk.ids
    assert r.host.rows[0]["exits"] >= 1


def test_the_tender_order_is_drawn_from_the_market_s_stream(tmp_path):
    """Each year the region's municipalities act in an order the market's own stream draws: not
    always the canonical one, and the same for the same seed."""
    text = TWO.replace("municipalities: 2", "municipalities: 5").replace("count: 2", "count: 5")
    orders = []
    for _ in range(2):
        r = region(tmp_path, text)
        seen = []
        for t in range(4 * 2):
            r.step()
            if t % 4 == 0:
                seen.append(r.order.tolist())
        orders.append(seen)
    assert orders[0] == orders[1]
    assert any(o != sorted(o) for o in orders[0]) and orders[0][0] != orders[0][1]


def test_a_regional_market_has_the_members_pools_and_its_own_seed(tmp_path):
    pop = load_population(pop_file(tmp_path, TWO.replace("{QUIET}", QUIET)))
    pools = sum(m.scenario.parameters.municipality.contractors for m in pop.municipalities)
    assert pop.markets[0].kind == "regional" and pop.markets[0].firms == pools
    half = TWO.replace("years: 2", "years: 2\nsize: {regional_firms_share: 0.5}")
    pop = load_population(pop_file(tmp_path, half.replace("{QUIET}", QUIET)))
    assert pop.markets[0].firms == round(0.5 * pools)
    given = TWO.replace("count: 2}", "count: 2, firms: 7}")
    pop = load_population(pop_file(tmp_path, given.replace("{QUIET}", QUIET)))
    assert pop.markets[0].firms == 7
    res = run_population(pop, seed=2)
    assert res.municipalities["market_firms"].tolist() == [7, 7]
    assert res.manifest["market_seed_derivation"].endswith(f"{STREAM_MARKETS})[j]")


def test_a_regional_market_changes_the_results_a_local_one_gives(tmp_path):
    """Sharing the market is a behaviour, not a relabelling: the same country with one market
    per region tenders differently from one with a market per municipality."""
    text = TWO.replace("{QUIET}", "{}")
    shared = run_population(pop_file(tmp_path, text), seed=2)
    local = run_population(
        pop_file(tmp_path, text.replace("years: 2", "years: 2\nmarket: local")), seed=2
    )
    assert not np.allclose(
        shared.yearly["production_cost_dkk"], local.yearly["production_cost_dkk"]
    )


# ---------------------------------------------------------------- bad input
BAD = [
    ("regions: [{key: a, count: 3, firms: 0}]", "region 'a' would have no market"),
    ("regions: [{key: a, count: 3, market: none}]", "key 'regions[0].market' has value 'none'"),
    (
        "regions: [{key: a, count: 3, market: local, firms: 5}]",
        "key 'regions[0].firms' has value 5",
    ),
    ("market: shared", "key 'market' has value 'shared'"),
    (
        "overrides: {a_01: {market.markup: 0.06}}",
        "differ on market.markup, which the shared market reads",
    ),
]


@pytest.mark.parametrize(("line", "needle"), BAD)
def test_bad_market_input_gets_one_message(tmp_path, invoke, line, needle):
    base = {
        "regions": "regions: [{key: a, count: 3}]",
        "governance": "governance: [{scenario: bum, rest: true}]",
    }
    key = line.split(":", 1)[0]
    lines = ["name: bad", "municipalities: 3", *(v for k, v in base.items() if k != key), line]
    p = pop_file(tmp_path, "\n".join(lines), "bad.yaml")
    with pytest.raises(GovsimError) as e:
        load_population(p)
    msg = e.value.message
    assert needle in msg and str(p) in msg and "\n" not in msg, msg
    r = invoke("population", str(p), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr


def test_different_market_parameters_are_fine_with_local_markets(tmp_path):
    p = pop_file(
        tmp_path,
        """
        name: ok
        municipalities: 3
        regions: [{key: a, count: 3, market: local}]
        governance: [{scenario: bum, rest: true}]
        overrides: {a_01: {market.markup: 0.06}}
        """,
    )
    assert load_population(p).markets[0].kind == "local"
