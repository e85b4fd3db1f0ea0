"""Tender mechanics: the orderer chooses the lots to expose, collects bids, awards, and books
the costs.

Why here and not in the Tendering rule: the rule states *the policy* (a target share, a
floor; other rules add caps, an in-house bidder or a price-comparison basis through the
``ProcurementPlan``); this module is the orderer's decision within it and the market procedure
every tendering rule shares.

- Which packages (``orderer_scores``): the orderer ranks packages by expected saving minus the
  buyer's tendering cost (E5/E6) minus the transaction-cost hazard of the task type (asset
  specificity, measurability, market thickness: Brown & Potoski 2003/2005) and tenders the
  best up to the target; expiring contracts first. Its expected saving reads the public price
  belief of ``TenderLog`` (learnt from past tenders of the task type) and the package's private
  cost advantage (the orderer's market knowledge), which erodes every round, so savings shrink
  over successive rounds (EVIDENCE stylised fact 2).
- Whom to award (``tender_lot``): the best price/quality score; the in-house unit takes part
  only if the plan's in-house bidder decides to bid; with a price-comparison basis (HOD) the
  lot is awarded only if the best bid is at most the basis × (1 + tolerance), else the work
  stays in-house. Realised cost scatters around the winning bid (E3: −40 % to +68 %).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import low, weighted_sum
from sim.outputs import columns
from sim.packages import TASKS
from sim.params import TaskParams

if TYPE_CHECKING:
    from sim.rules.base import ProcurementPlan
    from sim.rules.context import RuleContext

EPS = 1e-9


class TenderLog:
    """Every tender of the run, one row per tender (``TENDER_COLUMNS``), how many were held
    (the buyer's experience, which lowers its tendering cost), and what they taught about prices.

    The price belief is public knowledge (bids are opened): per task type, an exponentially
    weighted mean and spread (weight ``tasks.price_learning_rate``) of the log of the lowest
    private bid relative to the lot's value at reference cost net of the package's private cost
    advantage. Prior mean: firms price at the reference cost less the advantage (log 0); the
    prior spread is the reader's (``win_chance``). The orderer reads the mean for its expected
    saving, the in-house unit mean and spread for its chance of winning a control bid."""

    __slots__ = ("rows", "log_price", "sq", "seen", "rate")

    def __init__(self, tasks: TaskParams | None = None) -> None:
        tasks = TaskParams() if tasks is None else tasks
        self.rows: list[tuple] = []
        self.log_price = np.zeros(len(TASKS))
        self.sq = np.zeros(len(TASKS))  # the observed part of the weighted squared surprises
        self.seen = np.zeros(len(TASKS), dtype=int)
        self.rate = tasks.price_learning_rate

    @property
    def done(self) -> int:
        return len(self.rows)

    def record(self, row: tuple) -> None:
        self.rows.append(row)

    def observe(self, task: int, lowest_bid: float, value: float, advantage: float) -> None:
        """A tender of `task` worth `value` a year (package advantage `advantage`) drew
        `lowest_bid` as its lowest private yearly price."""
        y = math.log(lowest_bid / (value * (1.0 - advantage)))
        surprise = y - self.log_price[task]
        self.log_price[task] += self.rate * surprise
        self.sq[task] = (1.0 - self.rate) * self.sq[task] + self.rate * surprise**2
        self.seen[task] += 1

    def expected_ratio(self, task, advantage):
        """Expected lowest private price as a share of a lot's value at reference cost
        (vectorised over packages)."""
        return (1.0 - advantage) * np.exp(self.log_price[task])

    def spread(self, task: int, prior_sd: float) -> float:
        """The belief's spread of the log lowest price: the exponentially weighted squared
        surprises, starting from `prior_sd` before any tender of the task type."""
        weight = (1.0 - self.rate) ** self.seen[task]
        return math.sqrt(max(weight * prior_sd**2 + self.sq[task], EPS))

    def win_chance(self, task: int, advantage: float, bid_ratio: float, prior_sd: float) -> float:
        """Believed chance that a bid at `bid_ratio` × the lot's value undercuts the lowest
        private bid (log-normal belief; `prior_sd`: its spread before any tender)."""
        lowest = NormalDist(self.log_price[task], self.spread(task, prior_sd))
        return 1.0 - lowest.cdf(math.log(bid_ratio / (1.0 - advantage)))


def transaction_hazard(tasks: TaskParams, rp) -> np.ndarray:
    """Per task type (order of ``TASKS``), the orderer's expected transaction-cost hazard of
    contracting it out, as a share of the contract value (`rp`: the tendering rule's
    parameters): hold-up from asset specificity, specifying and verifying what cannot be
    measured, weak competition in a thin market (Brown & Potoski 2003/2005)."""
    # per task type in Python floats (four of them; the same arithmetic as on arrays)
    return np.array(
        [
            rp.specificity_hazard * getattr(tasks, f"{t}_asset_specificity")
            + rp.measurement_hazard * (1.0 - getattr(tasks, f"{t}_measurability"))
            + rp.thin_market_hazard * (1.0 - getattr(tasks, f"{t}_market_thickness"))
            for t in TASKS
        ]
    )


def orderer_scores(ctx: RuleContext, plan: ProcurementPlan, rp) -> np.ndarray:
    """The orderer's net expected gain from tendering each package, as a share of its contract
    value: expected saving against the in-house unit's cost minus the buyer's tendering cost
    minus the task type's transaction-cost hazard."""
    pk = ctx.packages
    saving = 1.0 - ctx.tenders.expected_ratio(pk.task, pk.advantage) / ctx.unit.efficiency
    rate = buyer_cost_rate(rp, pk.volume * plan.contract_years, ctx.tenders.done)
    return saving - rate - transaction_hazard(ctx.params.tasks, rp)[pk.task]


def allocate_and_tender(ctx: RuleContext, plan: ProcurementPlan, rp) -> None:
    """Bring the exposed share to the plan's target: of the expiring lots and the packages not
    under contract, tender the best-scored (``orderer_scores``) until the target is met and
    bring the rest of the expiring lots back in-house."""
    pk = ctx.packages
    year = ctx.calendar_year
    target = min(plan.target_tendered_share, plan.max_tendered_share) * pk.total_volume
    expiring = ((pk.exposed > 0) & (pk.end <= year)).nonzero()[0]
    standing = weighted_sum(pk.volume, pk.exposed) - weighted_sum(
        pk.volume[expiring], pk.exposed[expiring]
    )
    room = target - standing
    # expiring contracts and packages not under contract compete for the room, best score
    # first (a firm's expiring contract spares the cost of switching): an expiring lot that no
    # longer makes the cut comes back in-house
    score = orderer_scores(ctx, plan, rp) + rp.switching_cost * (pk.private > 0)
    candidates = ((pk.exposed == 0) | ((pk.exposed > 0) & (pk.end <= year))).nonzero()[0]
    lots: list[tuple[int, float]] = []
    full = EPS * pk.total_volume
    exposed = pk.exposed.tolist()  # read only for lots not yet visited
    for p in candidates[np.argsort(-score[candidates], kind="stable")].tolist():
        if room <= full:
            if exposed[p] > 0:
                pk.release(p)
            continue
        frac = min(1.0, room / pk.volume[p])
        lots.append((int(p), frac))
        room -= frac * pk.volume[p]
    for p, frac in lots:
        tender_lot(ctx, plan, rp, p, frac)


def buyer_cost_rate(rp, contract_value, tenders_done: int):
    """Buyer's cost as a share of contract value (`rp`: the tendering rule's parameters): E5
    2.7 % at the reference contract value (10 M DKK), lower for large contracts and experienced
    buyers, at most E6's ≈ ⅓ for small ones (vectorised over contract values)."""
    size = (contract_value / rp.reference_contract_dkk) ** (-rp.size_elasticity)
    experience = 1.0 - rp.experience_discount * (
        1.0 - math.exp(-tenders_done / rp.experience_tenders)
    )
    return np.minimum(rp.buyer_cost_cap, rp.buyer_cost_rate * size * experience)


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
    held = min(1.0, max(0.0, 1.0 - pk.private[p] / frac))  # ... and of this lot
    was_private = pk.private[p] > 0
    advantage = float(pk.advantage[p])
    if was_private:
        prev = pk.price[p] * frac / pk.private[p]
        if not market.was_terminated(pk, p):
            # the firm's contract ran its course: a commitment kept (penalties count as broken)
            ctx.commitments.keep("municipality_contractors", 1)
    else:
        prev = value * unit.efficiency
    # the in-house unit decides whether to bid before the bids are opened
    inhouse_bid = None
    if plan.inhouse_bidder is not None:
        inhouse_bid = plan.inhouse_bidder.offer(ctx, p, value, contract_value, held)
    idx, prices, quals = firm_bids(ctx, p, value, plan)
    if idx.size:
        ctx.tenders.observe(int(pk.task[p]), float(low(prices)), value, advantage)
    if inhouse_bid is not None:
        prices = np.concatenate((prices, (inhouse_bid,)))
        quals = np.concatenate((quals, (unit.quality,)))
    if prices.size == 0:  # no bid at all: the tender fails and the work stays in-house
        basis = value * unit.efficiency if math.isfinite(plan.basis_tolerance) else 0.0
        _no_award(
            ctx, rp, plan, p, frac, value, contract_value, prev, held_before, was_private, basis
        )
        return
    w = plan.price_weight
    score = w * prices / value + (1.0 - w) * (1.0 - quals)
    best = int(score.argmin())
    inhouse_won = inhouse_bid is not None and best == idx.size
    # the price-comparison basis (HOD): what the unit would cost; a dearer best bid is not awarded
    basis = value * unit.efficiency if math.isfinite(plan.basis_tolerance) else 0.0
    above_basis = (
        not inhouse_won and basis > 0.0 and prices[best] > basis * (1.0 + plan.basis_tolerance)
    )
    pk.exposed[p] = frac
    if inhouse_won or above_basis:
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
        unit.tender_outcome(p, frac, held_before, kept=winner == -1)
    pk.end[p] = ctx.calendar_year + plan.contract_years
    pk.rounds[p] += 1
    pk.advantage[p] *= 1.0 - mp.catch_up
    _book_tender(
        ctx,
        rp,
        p,
        frac,
        value,
        contract_value,
        prev,
        new,
        winner,
        int(idx.size),
        inhouse_bid is not None,
        bool(inhouse_won),
        float(prices[best]),
        basis,
    )


def _book_tender(
    ctx, rp, p, frac, value, contract_value, prev, new, winner, bidders, control, won, best, basis
) -> None:
    """Charge the buyer's cost of a tender held and log its row (``TENDER_COLUMNS``)."""
    pk = ctx.packages
    rate = float(buyer_cost_rate(rp, contract_value, ctx.tenders.done))
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
            bidders,
            control,
            won,
            (prev - new) / prev,
            rate,
            best,
            basis,
        )
    )


def _no_award(
    ctx, rp, plan, p, frac, value, contract_value, prev, held_before, was_private, basis
) -> None:
    """A tender that drew no bid: nothing is let to a firm. The lot was put out to competition,
    so it counts as exposed for the contract period, delivered by the in-house unit (as a lot
    HOD's price basis refuses), and is tendered again when the period ends; the buyer's cost
    of the tender is spent all the same (no best bid: 0)."""
    pk, unit = ctx.packages, ctx.unit
    pk.exposed[p] = frac
    pk.private[p] = 0.0
    pk.contractor[p] = -1
    pk.price[p] = 0.0
    if not was_private:
        unit.tender_outcome(p, frac, held_before, kept=True)
    new = value * unit.efficiency
    pk.end[p] = ctx.calendar_year + plan.contract_years
    pk.rounds[p] += 1
    _book_tender(
        ctx, rp, p, frac, value, contract_value, prev, new, -1, 0, False, False, 0.0, basis
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
            "float64",
            "float64",
        ),
        strict=True,
    )
)
