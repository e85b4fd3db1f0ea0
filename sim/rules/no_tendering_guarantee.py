"""No-tendering guarantee during the trial period (Norwegian model municipality).

Seed 004: no competitive tendering or privatisation during the trial; EVIDENCE E14 (Lunner,
a tripartite municipality with a no-tendering guarantee). Existing contracts run out and the
work returns in-house. The guarantee gives employees security.
"""

from __future__ import annotations

from typing import Literal

from sim.rules.base import ProcurementPlan, Rule, RuleParams
from sim.rules.context import RuleContext, uses


class NoTenderingGuaranteeParams(RuleParams):
    rule: Literal["no_tendering_guarantee"]


class NoTenderingGuarantee(Rule[NoTenderingGuaranteeParams]):
    key = "no_tendering_guarantee"
    Params = NoTenderingGuaranteeParams
    title = "No-tendering guarantee"
    explanation = (
        "The municipality promises not to put work out to tender during the trial, "
        "so employees can propose savings without fearing for their jobs."
    )
    source = "seed 004; EVIDENCE E14"
    conflicts = ("tendering",)
    access = {"plan": uses(writes=("plan", "unit.staff"))}

    def plan(self, ctx: RuleContext, plan: ProcurementPlan) -> None:
        plan.tendering_allowed = False
        plan.target_tendered_share = 0.0
        plan.max_tendered_share = 0.0
        ctx.unit.promise()  # nobody loses work to tendering: kept every year it holds
