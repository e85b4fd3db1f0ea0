"""Control bids (kontrolbud): the in-house unit bids against private firms and keeps the work only if it wins.

Seeds 000/004 (BUM); EVIDENCE E11: a control bid must cover all direct and indirect
long-run average costs and is judged by people who did not write it; control bids are rare
and costly (stylised fact 4). Their preparation and independent assessment are charged as
administration. Win rates are unknown (EVIDENCE 'Not found'): they emerge here.
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
        source="E11 (bid covers indirect long-run costs); size an assumption",
        doc="Indirect-cost mark-up the control bid must carry.",
    )
    prep_cost_rate: float = param(
        0.012,
        unit="share of contract value",
        plausible=(0.004, 0.03),
        ge=0,
        le=0.5,
        source="assumption (EVIDENCE: cost of control bids not found; wide range)",
        doc="Cost of writing and independently assessing one control bid.",
    )


class ControlBids(Rule[ControlBidsParams]):
    key = "control_bids"
    Params = ControlBidsParams
    title = "Control bids"
    explanation = (
        "The in-house unit must bid against private firms for tendered work. It keeps "
        "the work only if its bid, covering all its costs, wins. Writing and checking "
        "the bids costs administrative time."
    )
    source = "seeds 000, 004; EVIDENCE E11"
    requires = ("tendering",)
    # ``bid`` is called by tendering's procure phase (declared there: ledger, tally.control_bids)
    access = {
        "plan": uses(writes=("plan",)),
        "quarter": uses(reads=("packages",), writes=("signals",)),
    }

    def plan(self, ctx: RuleContext, plan: ProcurementPlan) -> None:
        plan.inhouse_bidder = self

    def bid(self, ctx: RuleContext, value: float, contract_value: float) -> float:
        """The in-house bid for a lot worth `value` per year at reference cost."""
        dkk = self.p.prep_cost_rate * contract_value * ctx.procedures.load
        ctx.ledger.charge("control_bids", dkk)
        # the unit writes the bid: its staff bear part of the work over the year
        ctx.unit.bear_control(dkk / ctx.params.municipality.admin_hourly_dkk, over_year=True)
        ctx.tally.add("control_bids", 1)
        return value * ctx.unit.efficiency * (1.0 + self.p.cost_coverage)

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        s.competition += ctx.packages.exposed_share()
