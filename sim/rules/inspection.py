"""Control and inspection functions of the orderer (kontrolfunktioner).

Seed 000 (BUM: the orderer controls); seed 001 (HOD: "de interne kontrol- og
styringsfunktioner ... minimeredes", part of the ≈ 4 M DKK potential); seed 004 (sharper
control creates distrust). Inspection needs fall as trust between orderer and provider
rises (seed 003). The cost share is not documented anywhere (EVIDENCE 'Not found').
"""

from __future__ import annotations

from typing import Literal

from sim.arrays import weighted_sum
from sim.params import param
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class InspectionParams(RuleParams):
    rule: Literal["inspection"]
    share_of_volume: float = param(
        0.0164,
        unit="share of task volume",
        plausible=(0.003, 0.02),
        ge=0,
        le=0.2,
        source="calibrated (docs/CALIBRATION.md, check 8a) to seed 001's freed 4.5 M + 1.2 M DKK (E17); "
        "EVIDENCE has no direct figure, so the range is wide",
        doc="Inspection and control cost as a share of the volume under the split, at trust 0.5.",
    )
    trust_sensitivity: float = param(
        0.8,
        unit="elasticity",
        plausible=(0.0, 1.5),
        ge=0,
        le=5,
        source="seed 003 (trust lowers control needs); size an assumption",
        doc="How strongly distrust raises inspection needs.",
    )


class Inspection(Rule[InspectionParams]):
    key = "inspection"
    Params = InspectionParams
    title = "Inspection and control"
    explanation = (
        "The orderer checks the work of the in-house unit and the firms. The less "
        "the parties trust each other, the more checking is needed."
    )
    source = "seeds 000, 001, 003, 004"
    access = {
        "quarter": uses(
            reads=("trust", "packages", "procedure_load"),
            writes=("ledger", "monitoring", "unit.staff"),
        )
    }

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        pk = ctx.packages
        distrust = 1.0 + self.p.trust_sensitivity * (0.5 - ctx.trust["orderer_provider"])
        dkk = max(
            0.0, self.p.share_of_volume * pk.total_volume * distrust * ctx.procedures.load / 4
        )
        ctx.ledger.charge("inspection", dkk)
        hours = dkk / ctx.params.municipality.admin_hourly_dkk
        per_package = hours * pk.volume / pk.total_volume  # inspection follows the volume
        ctx.monitoring.inspect(per_package)
        # inspecting the in-house unit's work takes its staff's time too (documentation, visits)
        ctx.unit.bear_control(weighted_sum(per_package, 1.0 - pk.private))
