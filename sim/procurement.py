"""Tender mechanics: choose the lots to expose, collect bids, award, and book the costs.

Why here and not in the Tendering rule: the rule decides *whether and how much* to tender;
this module is the market procedure every tendering rule shares. Lots are chosen easiest
first (largest private cost advantage) and that advantage erodes every round, so savings
shrink over successive rounds (EVIDENCE stylised fact 2). Realised cost scatters around the
winning bid (E3: outcomes from −40 % to +68 %). Buyer cost follows E5/E6.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.outputs import columns

if TYPE_CHECKING:
    from sim.rules.base import ProcurementPlan
    from sim.rules.context import RuleContext

EPS = 1e-9


class TenderLog:
    """Every tender of the run, one row per tender (``TENDER_COLUMNS``), and how many were held
    (the buyer's experience, which lowers its tendering cost)."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    @property
    def done(self) -> int:
        return len(self.rows)

    def record(self, row: tuple) -> None:
        self.rows.append(row)


def allocate_and_tender(ctx: RuleContext, plan: ProcurementPlan, rp) -> None:
    """Bring the exposed share to the plan's target: re-tender expiring lots, expose new ones."""
    pk = ctx.packages
    year = ctx.calendar_year
    target = min(plan.target_tendered_share, plan.max_tendered_share) * pk.total_volume
    expiring = np.flatnonzero((pk.exposed > 0) & (pk.end <= year))
    standing = float(pk.volume @ pk.exposed) - float(pk.volume[expiring] @ pk.exposed[expiring])
    room = target - standing
    lots: list[tuple[int, float]] = []
    for p in expiring[np.argsort(-pk.advantage[expiring], kind="stable")]:
        if room <= EPS * pk.total_volume:
            pk.release(p)
            continue
        frac = min(pk.exposed[p], room / pk.volume[p])
        lots.append((int(p), frac))
        room -= frac * pk.volume[p]
    if room > EPS * pk.total_volume:
        fresh = np.flatnonzero(pk.exposed == 0)
        for p in fresh[np.argsort(-pk.advantage[fresh], kind="stable")]:
            frac = min(1.0, room / pk.volume[p])
            lots.append((int(p), frac))
            room -= frac * pk.volume[p]
            if room <= EPS * pk.total_volume:
                break
    for p, frac in lots:
        tender_lot(ctx, plan, rp, p, frac)


def buyer_cost_rate(rp, contract_value: float, tenders_done: int) -> float:
    """Buyer's cost as a share of contract value (`rp`: the tendering rule's parameters): E5
    2.7 % at the reference contract value (10 M DKK), lower for large contracts and experienced
    buyers, at most E6's ≈ ⅓ for small ones."""
    size = (contract_value / rp.reference_contract_dkk) ** (-rp.size_elasticity)
    experience = 1.0 - rp.experience_discount * (
        1.0 - math.exp(-tenders_done / rp.experience_tenders)
    )
    return min(rp.buyer_cost_cap, rp.buyer_cost_rate * size * experience)


def firm_bids(
    ctx: RuleContext, p: int, value: float, plan: ProcurementPlan
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The private firms' bids for lot `p` worth `value` a year at reference cost: the bidders'
    positions in the market's arrays, their yearly prices and their qualities (the market side
    of a tender; the award is the orderer's, in ``tender_lot``). Each firm decides whether to
    bid and at what markup (``sim.agents.Market.bids``): it knows the award criteria
    (`plan.price_weight`) and the contract length, and bids less for a buyer it distrusts."""
    return ctx.market.bids(
        ctx.packages,
        p,
        value,
        year=ctx.calendar_year,
        contract_years=plan.contract_years,
        price_weight=plan.price_weight,
        trust=ctx.trust["municipality_contractors"],
        trust_sensitivity=ctx.params.monitoring.bid_trust_sensitivity,
    )


def tender_lot(ctx: RuleContext, plan: ProcurementPlan, rp, p: int, frac: float) -> None:
    pk, rng, market, unit = ctx.packages, ctx.rng, ctx.market, ctx.unit
    mp = ctx.params.market
    value = pk.volume[p] * frac
    contract_value = value * plan.contract_years
    held_before = 1.0 - pk.private[p]  # the package's share the in-house unit delivered
    was_private = pk.private[p] > 0
    if was_private:
        prev = pk.price[p] * frac / pk.private[p]
        if not market.was_terminated(pk, p):
            # the firm's contract ran its course: a commitment kept (penalties count as broken)
            ctx.commitments.keep("municipality_contractors", 1)
    else:
        prev = value * unit.efficiency
    idx, prices, quals = firm_bids(ctx, p, value, plan)
    inhouse_bid = None
    if plan.inhouse_bidder is not None:
        inhouse_bid = plan.inhouse_bidder.bid(ctx, value, contract_value)
        prices = np.append(prices, inhouse_bid)
        quals = np.append(quals, unit.quality)
    if prices.size == 0:  # no bid at all: the tender fails and the work stays in-house
        _no_award(ctx, rp, p, frac, value, contract_value, prev, held_before, was_private)
        return
    w = plan.price_weight
    score = w * prices / value + (1.0 - w) * (1.0 - quals)
    best = int(np.argmin(score))
    inhouse_won = inhouse_bid is not None and best == idx.size
    pk.exposed[p] = frac
    if inhouse_won:
        pk.private[p] = 0.0
        pk.contractor[p] = -1
        pk.price[p] = 0.0
        new = value * unit.efficiency
        winner = -1
    else:
        winner = market.ids[idx[best]]
        realised = prices[best] * max(mp.overrun_floor, 1.0 + rng.normal(0.0, mp.overrun_sd))
        pk.private[p] = frac
        pk.contractor[p] = winner
        pk.price[p] = realised
        market.award(pk, p, int(idx[best]), float(prices[best]), float(realised), plan)
        new = realised
    if not was_private:
        # the lot was the in-house unit's work: its staff feel the threat, then keep or lose it
        unit.tender_outcome(p, frac, held_before, kept=bool(inhouse_won))
    pk.end[p] = ctx.calendar_year + plan.contract_years
    pk.rounds[p] += 1
    pk.advantage[p] *= 1.0 - mp.catch_up
    rate = buyer_cost_rate(rp, contract_value, ctx.tenders.done)
    ctx.ledger.charge("tendering", rate * contract_value)
    ctx.tally.add("tenders_held", 1)
    ctx.tenders.record(
        (
            ctx.calendar_year,
            p,
            int(pk.area[p]),
            int(pk.task[p]),
            int(pk.rounds[p]),
            frac,
            value,
            contract_value,
            prev,
            new,
            winner,
            int(idx.size),
            inhouse_bid is not None,
            bool(inhouse_won),
            (prev - new) / prev,
            rate,
        )
    )


def _no_award(ctx, rp, p, frac, value, contract_value, prev, held_before, was_private) -> None:
    """A tender that drew no bid: nothing is let, the lot returns to (or stays with) the
    in-house unit, the buyer's cost of the tender is spent all the same."""
    pk, unit = ctx.packages, ctx.unit
    if was_private:
        pk.release(p)
    else:
        unit.tender_outcome(p, frac, held_before, kept=True)
    new = value * unit.efficiency
    pk.rounds[p] += 1
    rate = buyer_cost_rate(rp, contract_value, ctx.tenders.done)
    ctx.ledger.charge("tendering", rate * contract_value)
    ctx.tally.add("tenders_held", 1)
    ctx.tenders.record(
        (
            ctx.calendar_year,
            p,
            int(pk.area[p]),
            int(pk.task[p]),
            int(pk.rounds[p]),
            frac,
            value,
            contract_value,
            prev,
            new,
            -1,
            0,
            False,
            False,
            (prev - new) / prev,
            rate,
        )
    )


TENDER_COLUMNS = columns("tenders")  # from the output registry (sim.outputs)
TENDER_DTYPES = dict(
    zip(
        TENDER_COLUMNS,
        (
            "int64",
            "int64",
            "int64",
            "int64",
            "int64",
            "float64",
            "float64",
            "float64",
            "float64",
            "float64",
            "int64",
            "int64",
            "bool",
            "bool",
            "float64",
            "float64",
        ),
        strict=True,
    )
)
