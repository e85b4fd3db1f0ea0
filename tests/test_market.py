"""The contractors decide (issue 11, items 1–2): whether to bid, at what markup, with what
capacity; their costs change; they enter and leave on profit; contracts carry terms
(indexation, termination for repeated shortfalls, exclusion, incumbency)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_scenario, run
from sim.model import MunicipalityModel
from sim.runner import release
from tests.test_invariants import check_invariants

YEAR = 2008


def _model(**market) -> MunicipalityModel:
    """A BUM model after its warm start (contracts let), market parameters overridden."""
    sc = load_scenario("bum")  # a copy of its own (the preset cache is never changed)
    for k, v in market.items():
        setattr(sc.parameters.market, k, v)
    return MunicipalityModel(sc, seed=3, years=4)


def _lot(m: MunicipalityModel, task: int | None = None) -> int:
    """A lot delivered in-house (no incumbent firm) of `task` (any if None)."""
    pk = m.packages
    ok = pk.private == 0
    if task is not None:
        ok &= pk.task == task
    return int(np.flatnonzero(ok)[0])


def _bids(m, p, **kw):
    """The firms' bids on lot `p`; the firms' expectations are left as they were."""
    pk, mk = m.packages, m.market
    args = dict(year=YEAR, contract_years=4, price_weight=1.0, trust=0.5, trust_sensitivity=0.0)
    args.update(kw)
    beliefs = mk.expected_bidders.copy()
    out = mk.bids(pk, p, float(pk.volume[p]), **args)
    mk.expected_bidders[:] = beliefs
    return out


def test_a_firm_bids_only_when_its_expected_profit_exceeds_its_bid_cost():
    # preparing a bid costs nothing: every firm able to take the lot bids (its margin is > 0)
    m = _model(bidder_cost_rate=0.0, bid_cost_sd=0.0)
    mk, p = m.market, _lot(m)
    k = int(m.packages.task[p])
    rows, prices, _ = _bids(m, p)
    assert rows.size > 0 and (prices > 0).all()
    assert set(rows) <= set(np.flatnonzero(mk.does[:, k]))
    # a bid costs 20 % of the contract sum and markups are small: no chance to win times
    # margin covers it, nobody bids
    m = _model(bidder_cost_rate=0.2, bid_cost_sd=0.0, markup=0.02, markup_sd=0.0)
    m.market.expected_bidders[:] = 3.6  # KFST's mean: rivals expected, no thin-market markup
    rows, _, _ = _bids(m, _lot(m))
    assert rows.size == 0
    # the decision itself: a firm alone on the lot (win chance 1) bids at the normal bid cost;
    # expecting 40 rivals (win chance ≈ 1/41, markup ≈ 0) it does not
    m = _model(bid_cost_sd=0.0)
    mk = m.market
    p = _lot(m)
    k = int(m.packages.task[p])
    alone = int(np.flatnonzero(mk.does[:, k] & (mk.held_volume() == 0))[0])
    mk.does[:, k] = False
    mk.does[alone, k] = True
    mk.markup[alone] = 0.08  # a firm with a margin (markups are drawn, some at 0)
    mk.capacity[alone] = 1e12  # and room for the lot
    mk.expected_bidders[k] = 1.0
    assert list(_bids(m, p)[0]) == [alone]
    mk.expected_bidders[k] = 41.0
    assert _bids(m, p)[0].size == 0


def test_distrust_of_the_buyer_deters_bids():
    m = _model(bid_cost_sd=0.0)
    p = _lot(m)
    trusted = _bids(m, p, trust=0.9, trust_sensitivity=1.0)[0].size
    m = _model(bid_cost_sd=0.0)
    distrusted = _bids(m, p, trust=0.0, trust_sensitivity=2.0)[0].size
    assert distrusted == 0 < trusted


def test_markups_fall_with_more_expected_rivals():
    quiet = dict(bidder_cost_rate=0.0, bid_cost_sd=0.0, bid_noise_sd=0.0)
    prices = {}
    for expected in (2.0, 6.0):
        m = _model(**quiet)
        p = _lot(m)
        m.market.expected_bidders[int(m.packages.task[p])] = expected
        rows, price, _ = _bids(m, p)
        prices[expected] = dict(zip(rows.tolist(), price.tolist(), strict=True))
    common = set(prices[2.0]) & set(prices[6.0])
    assert common
    assert all(prices[6.0][r] < prices[2.0][r] for r in common)


def test_a_firm_over_capacity_does_not_bid_and_one_near_it_bids_dearer():
    quiet = dict(bidder_cost_rate=0.0, bid_cost_sd=0.0, bid_noise_sd=0.0, other_buyers_load=0.0)
    m = _model(**quiet)
    mk, p = m.market, _lot(m)
    value = float(m.packages.volume[p])
    k = int(m.packages.task[p])
    r = int(np.flatnonzero(mk.does[:, k] & (mk.held_volume() == 0))[0])
    free = _bids(m, p)
    base = dict(zip(free[0].tolist(), free[1].tolist(), strict=True))[r]
    mk.capacity[r] = value * 1.05  # the lot fills 95 % of it: above the threshold
    near = _bids(m, p)
    assert r in near[0] and dict(zip(near[0].tolist(), near[1].tolist(), strict=True))[r] > base
    mk.capacity[r] = value * 0.9  # the lot would exceed it
    assert r not in _bids(m, p)[0]


def test_costs_fall_with_the_volume_a_firm_delivers():
    m = _model(productivity_growth=0.0, input_cost_sd=0.0)
    mk, pk = m.market, m.packages
    held = mk.held_volume()
    before = mk.core_cost().copy()
    ids_before = mk.ids.copy()
    mk.year_end()
    after = mk.core_cost()[mk.rows(ids_before)]
    for k in range(pk.task.max() + 1):
        does = mk.does[mk.rows(ids_before), k]
        delivered = np.zeros(ids_before.size)
        h = (pk.contractor >= 0) & (pk.task == k)
        np.add.at(delivered, np.searchsorted(ids_before, pk.contractor[h]), pk.volume[h])
        busy, idle = does & (delivered > 0), does & (delivered == 0) & (held == 0)
        if busy.any() and idle.any():
            fall_busy = 1 - after[busy, k] / before[busy, k]
            fall_idle = 1 - after[idle, k] / before[idle, k]
            assert fall_busy.min() > fall_idle.max() >= 0
            return
    pytest.fail("no task type with a delivering and an idle firm")


def test_productivity_growth_lowers_every_firms_cost():
    m = _model(productivity_growth=0.01, learning_elasticity=0.0, input_cost_sd=0.0)
    mk = m.market
    ids, before = mk.ids.copy(), mk.core_cost().copy()
    mk.year_end()
    after = mk.core_cost()[mk.rows(ids)]
    np.testing.assert_allclose(after, before * 0.99)


def test_a_firm_without_contracts_leaves_after_sustained_losses_one_with_contracts_stays():
    m = _model()
    mk = m.market
    n = m.params.market.exit_after_years
    held = mk.held_volume() > 0
    idle, busy = int(np.flatnonzero(~held)[0]), int(np.flatnonzero(held)[0])
    idle_id, busy_id = int(mk.ids[idle]), int(mk.ids[busy])
    mk.loss_years[[idle, busy]] = n - 1
    mk.profit[idle] = -1.0  # bid costs spent, nothing won
    mk.profit[busy] = -1e9  # a contract at a loss
    mk.year_end()
    assert idle_id not in mk.ids and idle_id not in {f.unique_id for f in mk.firms}
    assert busy_id in mk.ids
    # profit resets the count: a firm that made money this year is not counted as losing
    r = int(mk.rows(np.array([busy_id]))[0])
    mk.profit[r] = 1.0
    mk.year_end()
    assert mk.loss_years[int(mk.rows(np.array([busy_id]))[0])] == 0


def test_entry_follows_profit():
    for margin, grows in ((-1.0, True), (1.0, False)):
        m = _model(entry_margin=margin)
        mk = m.market
        mk._remove(np.arange(mk.ids.size) == int(np.flatnonzero(mk.held_volume() == 0)[0]))
        n = mk.ids.size  # one below municipality.contractors
        mk.year_end()
        assert mk.ids.size == (n + 1 if grows else n), (margin, n, mk.ids.size)


def test_a_contract_with_repeated_shortfalls_is_terminated_and_retendered():
    m = _model()
    mk, pk = m.market, m.packages
    p = int(np.flatnonzero((pk.private > 0) & (pk.end > YEAR + 1))[0])
    firm = int(pk.contractor[p])
    mk.books[0].termination_after[p] = 2
    m.monitoring.found_private[:] = False
    m.monitoring.found_private[p] = True
    mk.year_end()  # one shortfall found: the contract runs on
    assert not mk.books[0].terminated[p] and pk.end[p] > YEAR + 1
    mk.year_end()  # the second: terminated at this year end
    assert mk.books[0].terminated[p] and pk.end[p] == YEAR + 1
    assert mk.books[0].excluded(np.array([firm]), YEAR + 1)[0]
    while m.calendar_year <= YEAR + 1 and m.running:
        m.step()
    t = m.tender_log
    again = [r for r in t if r[1] == p and r[0] == YEAR + 1]
    # the lot comes up at the next year start: the orderer re-tenders it (if its score still
    # puts it out) or takes it back in-house; either way the excluded firm does not hold it
    assert int(pk.contractor[p]) != firm
    assert all(r[10] != firm for r in again)
    release(m)


def test_indexation_passes_the_share_of_the_input_cost_change_into_the_price():
    m = _model(input_cost_sd=0.05)
    mk, pk = m.market, m.packages
    book = mk.books[0]
    held = np.flatnonzero(pk.private > 0)
    book.indexation[held] = 0.5
    base = book.base_price[held].copy()
    mk.year_end()
    change = mk.index / book.index0[held] - 1.0
    assert np.abs(change).max() > 0
    np.testing.assert_allclose(pk.price[held], base * (1 + 0.5 * change))


def test_incumbent_bids_with_its_informational_advantage():
    quiet = dict(bidder_cost_rate=0.0, bid_cost_sd=0.0, bid_noise_sd=0.0)
    prices = {}
    for adv in (0.0, 0.04):
        m = _model(incumbent_advantage=adv, **quiet)
        pk = m.packages
        p = int(np.flatnonzero(pk.private > 0)[0])
        firm = int(pk.contractor[p])
        rows, price, _ = _bids(m, p)
        row = int(m.market.rows(np.array([firm]))[0])
        prices[adv] = dict(zip(rows.tolist(), price.tolist(), strict=True)).get(row)
    assert prices[0.0] is not None and prices[0.04] is not None
    assert prices[0.04] < prices[0.0]


@pytest.mark.parametrize("seed", range(3))
def test_money_is_conserved_with_terminations_failed_tenders_and_turnover_of_firms(seed):
    """Invariants under stress: contracts terminated after one shortfall, scarce capacity
    (tenders may draw no bid), high entry and exit."""
    sc = load_scenario("bum").model_dump(mode="json", exclude_none=True)
    sc["rules"][0]["termination_after"] = 1
    sc["parameters"] = {
        "market": {"capacity_dkk": 5e6, "other_buyers_load": 0.6, "exit_after_years": 1},
        "monitoring": {"shirk_private": 0.5},
    }
    check_invariants(run(sc, seed=seed))
