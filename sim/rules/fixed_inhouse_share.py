"""Fixed in-house share with a price-comparison basis (HOD).

Seed 001: TME "har en 'fast' opgavemængde på 70 %, mens 30 % som minimum udbydes", submits
no control bids, and is costed at a calculated hourly price (kalkuleret timepris) — which
leaves it "more exposed" to framework savings because it can take fewer outside jobs.

How the policy combines: the fixed share is the most of the volume that is kept out of
tendering, so the orderer tenders max(tendering.floor, tendering.share, 1 − share) — "som
minimum": a council may tender more than the rest, never less. The price-comparison basis is
a decision, not bookkeeping: the municipality does not bid, it computes what the unit would
cost (the lot's value × the unit's cost level) and awards a tendered lot only if the best bid
is at most the basis × (1 + ``basis_tolerance``); otherwise the work stays in-house for the
contract period and is tendered again when it ends (``sim.procurement.tender_lot``).
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import ProcurementPlan, Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class FixedInhouseShareParams(RuleParams):
    rule: Literal["fixed_inhouse_share"]
    share: float = param(
        ...,
        reference=0.70,
        unit="share of volume",
        plausible=(0.5, 0.70),
        ge=0,
        le=1,
        source="seed 001 (70 % fixed); the plausible range stops at 70 % because HOD tenders at "
        "least 30 % (check_regime refuses a share above 1 − the tendering floor)",
        doc="Share of the task volume kept out of tendering for the in-house unit, at most: at "
        "least 1 − share is tendered, more if tendering.share asks for more.",
    )
    outside_work_factor: float = param(
        0.4,
        unit="× outside-work buffer",
        plausible=(0.0, 1.0),
        ge=0,
        le=1,
        source="seed 001 (fewer outside jobs, more exposed to framework savings); size an assumption",
        doc="How much of its cut-buffering outside work the in-house unit keeps.",
    )
    basis_tolerance: float = param(
        0.02,
        unit="share of the price basis",
        plausible=(0.0, 0.1),
        ge=0,
        le=1,
        source="seed 001 (the municipality does not bid but computes a basis the bids are "
        "compared with); tolerance an assumption (the basis is an estimate, and a somewhat "
        "dearer bid of better quality may still be worth it)",
        doc="How far above the price-comparison basis the best bid may be and still be awarded; "
        "above it the work stays in-house.",
    )
    price_basis_hours: float = param(
        300.0,
        unit="hours/yr",
        plausible=(100, 800),
        ge=0,
        le=20_000,
        source="seed 001 (calculated hourly price); hours an assumption",
        doc="Administrative hours per year to keep the price-comparison basis up to date.",
    )


class FixedInhouseShare(Rule[FixedInhouseShareParams]):
    key = "fixed_inhouse_share"
    Params = FixedInhouseShareParams
    title = "Fixed in-house share"
    explanation = (
        "The in-house unit is guaranteed a fixed share of the work without "
        "bidding; at least the rest is tendered. The municipality computes what the unit "
        "would cost and awards a tendered lot only if the best bid is not dearer than that "
        "(within a tolerance); otherwise the unit keeps the work."
    )
    source = "seed 001"
    requires = ("tendering",)
    conflicts = ("control_bids",)
    access = {
        "plan": uses(writes=("plan", "unit.staff")),
        "quarter": uses(writes=("signals", "ledger")),
    }

    @classmethod
    def check_regime(cls, params, regime) -> str | None:
        tendering = next((r for r in regime if r.rule == "tendering"), None)  # required partner
        if tendering is not None and tendering.floor > 1 - params.share + 1e-12:
            return (
                f"fixed in-house share {params.share} leaves {1 - params.share:.3g} to tender, "
                f"below the tendering floor {tendering.floor} (the fixed share could never "
                "bind: allowed is a share of at most 1 − the floor)"
            )
        return None

    def plan(self, ctx: RuleContext, plan: ProcurementPlan) -> None:
        # at least the rest is tendered; tendering.share may ask for more ("som minimum")
        plan.target_tendered_share = max(plan.target_tendered_share, 1.0 - self.p.share)
        plan.basis_tolerance = min(plan.basis_tolerance, self.p.basis_tolerance)
        ctx.unit.promise()  # the fixed share is not put out to tender

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        s.outside_work *= self.p.outside_work_factor
        ctx.ledger.charge_hours("ordering", self.p.price_basis_hours / 4)
