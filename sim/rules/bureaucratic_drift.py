"""Bureaucratic drift: procedures of the purchaser–provider split accumulate year by year.

Seed 000: BUM "har med tiden også udviklet sig til en bureaukratisk model. Mange procedurer
bliver ... meget tidskrævende"; seed 004: NPM widens bureaucracy. The model keeps a
procedure load (1 = none accumulated) that multiplies inspection, invoicing and control-bid
work; it is reset when the rule ends (procedures abolished, seed 001).
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import Rule, RuleParams
from sim.rules.context import RuleContext, uses


class BureaucraticDriftParams(RuleParams):
    rule: Literal["bureaucratic_drift"]
    growth: float = param(
        0.03,
        unit="share per year",
        plausible=(0.0, 0.06),
        ge=0,
        le=0.5,
        source="seed 000 (procedures accumulate); rate an assumption",
        doc="Yearly growth of procedure load.",
    )
    cap: float = param(
        2.0,
        unit="× initial load",
        plausible=(1.3, 3.0),
        ge=1,
        le=10,
        source="assumption",
        doc="Procedure load never exceeds this.",
    )


class BureaucraticDrift(Rule[BureaucraticDriftParams]):
    key = "bureaucratic_drift"
    Params = BureaucraticDriftParams
    title = "Bureaucratic drift"
    explanation = (
        "Every year new procedures are added to the orderer–provider relationship "
        "and few are removed, so controls and invoicing take more and more time."
    )
    source = "seeds 000, 004"
    access = {
        "adapt": uses(reads=("procedure_load",), writes=("procedure_load",)),
    }

    def deactivate(self, ctx: RuleContext) -> None:
        ctx.procedures.reset()

    def adapt(self, ctx: RuleContext) -> None:
        ctx.procedures.grow(self.p.growth, self.p.cap)
