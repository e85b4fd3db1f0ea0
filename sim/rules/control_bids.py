"""Control bids (kontrolbud): the in-house unit may bid against private firms and keeps the work only if it wins.

Seeds 000/004 (BUM); EVIDENCE E11: a control bid must cover all direct and indirect
long-run average costs (BEK nr. 607 of 24 June 2008) and is judged by people who did not
write it; control bids are rare and costly (stylised fact 4). Writing one is the unit's
decision: it bids where it expects to win and so keep its crews and machines employed, and
only if that is worth the cost of preparing the bid (``decide``). Its expectation comes from
what it has seen: the lowest private bids of past tenders of the task type (the public price
belief of ``sim.procurement.TenderLog``). Preparation and independent assessment are charged
as administration. Win rates are unknown (EVIDENCE 'Not found'): they emerge here.
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import ProcurementPlan, Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class ControlBidsParams(RuleParams):
    rule: Literal["control_bids"]
    cost_coverage: float = param(
        0.06,
        unit="share on top of direct cost",
        plausible=(0.02, 0.12),
        ge=0,
        le=1,
        source="E11; BEK nr. 607 of 24 June 2008 (the bid covers all direct and indirect "
        "long-run average costs); size an assumption",
        doc="Indirect-cost mark-up the control bid must carry.",
    )
    prep_cost_rate: float = param(
        0.012,
        unit="share of contract value",
        plausible=(0.004, 0.03),
        ge=0,
        le=0.5,
        source="assumption (EVIDENCE: cost of control bids not found; wide range)",
        doc="Cost of writing and independently assessing one control bid (times the procedure "
        "load of bureaucratic drift).",
    )
    capacity_value: float = param(
        0.05,
        unit="share of contract value",
        plausible=(0.02, 0.12),
        ge=0,
        le=1,
        source="assumption: the share of a lot's cost in crews and machines the unit cannot "
        "shed within a contract period when it loses the work (BEK nr. 607 makes the bid cover "
        "these long-run costs, so winning keeps them covered and losing leaves them idle)",
        doc="What keeping a lot's work is worth to the in-house unit, per unit of the share of "
        "the lot it delivers now: it bids only where its chance of winning times this exceeds "
        "the cost of preparing the bid.",
    )
    price_prior_sd: float = param(
        0.1,
        unit="log price",
        plausible=(0.03, 0.2),
        gt=0,
        le=1,
        source="assumption: before any tender of a task type, the unit believes firms' lowest "
        "price lies within about ±10 % of the reference cost less the package's advantage (E3: "
        "wide spread of outcomes)",
        doc="The in-house unit's uncertainty about the lowest private price before any tender of "
        "a task type; afterwards the spread follows the observed surprises "
        "(tasks.price_learning_rate).",
    )


class ControlBids(Rule[ControlBidsParams]):
    key = "control_bids"
    Params = ControlBidsParams
    title = "Control bids"
    explanation = (
        "The in-house unit may bid against private firms for tendered work. It bids where "
        "it expects to win and so keep its crews busy; it keeps the work only if its bid, "
        "covering all its costs, wins. Writing and checking the bids costs administrative time."
    )
    source = "seeds 000, 004; EVIDENCE E11; BEK nr. 607 of 24 June 2008"
    requires = ("tendering",)
    # ``offer`` is called by tendering's procure phase (declared there: ledger, tally.control_bids)
    access = {
        "plan": uses(writes=("plan",)),
        "quarter": uses(reads=("packages",), writes=("signals",)),
    }

    def plan(self, ctx: RuleContext, plan: ProcurementPlan) -> None:
        plan.inhouse_bidder = self

    def win_chance(self, ctx: RuleContext, package: int) -> float:
        """The unit's expected chance that its bid on `package` undercuts every private bid."""
        pk = ctx.packages
        ratio = ctx.unit.efficiency * (1.0 + self.p.cost_coverage)
        return ctx.tenders.win_chance(
            int(pk.task[package]), float(pk.advantage[package]), ratio, self.p.price_prior_sd
        )

    def decide(self, ctx: RuleContext, package: int, held: float) -> bool:
        """Whether the unit writes a control bid on `package`, of whose lot it delivers the
        share `held` now: expected chance of winning × the value of keeping that work
        (``capacity_value``) against the cost of preparing the bid (``prep_cost_rate`` × the
        procedure load), both as shares of the contract value."""
        gain = self.win_chance(ctx, package) * self.p.capacity_value * held
        return gain > self.p.prep_cost_rate * ctx.procedures.load

    def offer(
        self, ctx: RuleContext, package: int, value: float, contract_value: float, held: float
    ) -> float | None:
        """The unit's bid on the lot of `package` (its yearly price), or None if it decides not
        to bid."""
        if not self.decide(ctx, package, held):
            return None
        return self.bid(ctx, value, contract_value)

    def bid(self, ctx: RuleContext, value: float, contract_value: float) -> float:
        """Write the in-house bid for a lot worth `value` per year at reference cost: charge its
        preparation, count it, and price it at the unit's cost plus the cost coverage."""
        dkk = self.p.prep_cost_rate * contract_value * ctx.procedures.load
        ctx.ledger.charge("control_bids", dkk)
        # the unit writes the bid: its staff bear part of the work over the year
        ctx.unit.bear_control(dkk / ctx.params.municipality.admin_hourly_dkk, over_year=True)
        ctx.tally.add("control_bids", 1)
        return value * ctx.unit.efficiency * (1.0 + self.p.cost_coverage)

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        s.competition += ctx.packages.exposed_share()
