"""Tendering: expose a share of the task volume to competition from private firms.

Seeds 000/001/004: the orderer tenders task packages; BUM's national target was 31.5 % of
tasks exposed (seed 004, EVIDENCE E9); HOD tenders *at least* 30 % (seed 001). Buyer-side
tendering cost follows E5 (2.7 % of contract value, lower for large contracts and for
experienced buyers) and E6 (1.4 %; small tenders relatively dearer).

The policy is the scenario's (a target share, a floor, caps from other rules); within it the
orderer decides which packages to put out (``sim.procurement.orderer_scores``: expected saving
minus the buyer's tendering cost minus the transaction-cost hazard of the task type's asset
specificity, measurability and market thickness, Brown & Potoski 2003/2005).
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.procurement import allocate_and_tender
from sim.rules.base import ProcurementPlan, Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class TenderingParams(RuleParams):
    rule: Literal["tendering"]
    share: float = param(
        ...,
        reference=0.315,
        unit="share of volume",
        plausible=(0.15, 0.45),
        ge=0,
        le=1,
        source="E9 (31.5 % national target), E7 (25–28 % realised)",
        doc="Share of the task volume the municipality wants exposed to competition.",
    )
    floor: float = param(
        0.0,
        unit="share of volume",
        plausible=None,
        ge=0,
        le=1,
        source="seed 001 (HOD: at least 30 %)",
        doc="The exposed share is never planned below this, whatever `share` says (seed 001's minimum).",
    )
    contract_years: int = param(
        4,
        unit="years",
        plausible=(2, 8),
        ge=1,
        le=20,
        source="assumption: typical Danish operations contracts",
        doc="Length of a contract.",
    )
    price_weight: float = param(
        0.7,
        unit="weight",
        plausible=(0.4, 1.0),
        ge=0,
        le=1,
        source="assumption: price/quality award",
        doc="Weight of price (vs. quality) in the award.",
    )
    buyer_cost_rate: float = param(
        0.027,
        unit="share of contract value",
        plausible=(0.014, 0.04),
        ge=0,
        le=0.5,
        source="E5 (2.7 %), E6 (1.4 %)",
        doc="Buyer's tendering cost for a reference-size contract.",
    )
    size_elasticity: float = param(
        0.25,
        unit="elasticity",
        plausible=(0.0, 0.5),
        ge=0,
        le=2,
        source="E5, E6 (cost share falls with size); elasticity an assumption",
        doc="How steeply the cost share falls with contract value.",
    )
    experience_discount: float = param(
        0.3,
        unit="share",
        plausible=(0.0, 0.5),
        ge=0,
        le=0.95,
        source="E5 (experienced buyers pay less); size an assumption",
        doc="Largest reduction of the cost share that experience brings.",
    )
    experience_tenders: float = param(
        20.0,
        unit="tenders",
        plausible=(10, 40),
        gt=0,
        le=1000,
        source="E5 (experienced buyers pay less); scale an assumption",
        doc="Tenders held after which the buyer has 1 − 1/e of its experience discount.",
    )
    reference_contract_dkk: float = param(
        10e6,
        unit="DKK",
        plausible=None,
        gt=0,
        le=1e10,
        source="E5 (2.7 % of contract value for contracts of about 10 M DKK)",
        doc="Contract value at which the buyer's cost share is buyer_cost_rate (it is the "
        "reference of E5's figure, so it moves only with buyer_cost_rate).",
    )
    buyer_cost_cap: float = param(
        1 / 3,
        unit="share of contract value",
        plausible=None,
        gt=0,
        le=1,
        source="E6 (small tenders cost the buyer up to ≈ ⅓ of the contract sum); a bound, not "
        "sampled: it binds only for contracts far below the reference value",
        doc="Highest buyer's cost share of a tender, however small the contract.",
    )
    specificity_hazard: float = param(
        0.02,
        unit="share of contract value per unit of specificity",
        plausible=(0.0, 0.06),
        ge=0,
        le=0.5,
        source="Brown & Potoski 2005 (services with more specific assets are contracted out "
        "less: hold-up risk); size an assumption",
        doc="The orderer's expected cost of hold-up per unit of a task's asset specificity "
        "(tasks.<task>_asset_specificity), weighed against the expected saving when it chooses "
        "which packages to put out.",
    )
    measurement_hazard: float = param(
        0.03,
        unit="share of contract value per unit of unmeasurability",
        plausible=(0.0, 0.08),
        ge=0,
        le=0.5,
        source="Brown & Potoski 2005 (services whose outcomes are hard to measure are contracted "
        "out less); size an assumption, larger than the hold-up cost because parks (hard to "
        "measure) are contracted out less than roads (E10: ≈ 33 % vs ≈ 44 %)",
        doc="The orderer's expected cost of specifying and verifying a contract per unit of a "
        "task's unmeasurability (1 − tasks.<task>_measurability).",
    )
    thin_market_hazard: float = param(
        0.02,
        unit="share of contract value per unit of thinness",
        plausible=(0.0, 0.06),
        ge=0,
        le=0.5,
        source="Brown & Potoski 2003 (governments contract out more where markets are "
        "competitive); size an assumption",
        doc="The orderer's expected cost of weak competition per unit of a task's market "
        "thinness (1 − tasks.<task>_market_thickness).",
    )
    switching_cost: float = param(
        0.02,
        unit="share of contract value",
        plausible=(0.0, 0.06),
        ge=0,
        le=0.5,
        source="assumption: bringing a firm's work back in-house (re-hiring crews, buying "
        "machines) and contracting out other work costs more than re-tendering a contract "
        "(Brown & Potoski 2003: contracting capacity is built around the contracts held)",
        doc="What the orderer saves by re-tendering an expiring contract rather than bringing "
        "its work back in-house and tendering another package (added to the expiring "
        "contract's score).",
    )
    pressure_weight: float = param(
        0.3,
        unit="pressure per exposed share",
        plausible=(0.1, 0.6),
        ge=0,
        le=2,
        source="stylised fact 2 (competitive pressure on the in-house unit); assumption",
        doc="Competitive pressure the exposure puts on the in-house unit, without control bids.",
    )
    indexation_share: float = param(
        1.0,
        unit="share of the index change",
        plausible=(0.5, 1.0),
        ge=0,
        le=1,
        source="assumption: Danish operations contracts regulate the price yearly by a cost or "
        "price index; the share passed through is a contract term",
        doc="Contract term: share of the change of the contractors' input-cost index "
        "(`market.input_cost_sd`) passed into the contract price each year; the firm bears the "
        "rest. The firm's own cost gains (learning, productivity) are not passed on until the "
        "lot is re-tendered.",
    )
    termination_after: int = param(
        2,
        unit="shortfalls found",
        plausible=(1, 4),
        ge=0,
        le=100,
        source="assumption: contracts let the buyer terminate for repeated documented "
        "deficiencies (væsentlig misligholdelse); Udbudsloven § 137, stk. 1, nr. 6",
        doc="Contract term: a contract on which monitoring has found this many shortfalls ends "
        "at the year end and the lot is re-tendered (0: no termination clause).",
    )
    exclusion_years: int = param(
        2,
        unit="years",
        plausible=(0, 2),
        ge=0,
        le=3,
        source="Udbudsloven (LOV nr. 1564 of 15/12/2015) § 137, stk. 1, nr. 6 (a firm whose earlier "
        "public contract was terminated for significant deficiencies may be excluded) and "
        "stk. 3 (at most 2 years from the event); directive 2014/24/EU art. 57(7)",
        doc="Years a firm whose contract was terminated is excluded from the buyer's tenders.",
    )


class Tendering(Rule[TenderingParams]):
    key = "tendering"
    Params = TenderingParams
    title = "Tendering"
    explanation = (
        "A share of the work is put out to tender. Private firms bid; the best "
        "price/quality bid wins a contract for a few years. Tendering costs the "
        "municipality a few percent of the contract value."
    )
    source = "seeds 000, 001, 004; EVIDENCE E5–E9"
    conflicts = ("no_tendering_guarantee",)
    access = {
        "plan": uses(writes=("plan",)),
        # the in-house bidder of the plan (control bids) charges the ledger and counts its bids
        "procure": uses(
            reads=("plan", "packages", "market", "unit.efficiency", "unit.quality"),
            writes=(
                "packages",
                "market",
                "ledger",
                "tenders",
                "tally.tenders_held",
                "tally.control_bids",
                "rng",
            ),
        ),
        "quarter": uses(reads=("packages",), writes=("signals",)),
    }

    @classmethod
    def check_regime(cls, params, regime) -> str | None:
        if params.share < params.floor - 1e-12:
            return (
                f"rule 'tendering' has share {params.share:g}, below the tendering floor "
                f"{params.floor:g}; allowed: a share from the floor ({params.floor:g}) to 1 (the "
                "floor is the least the orderer tenders, the share its target at or above it)"
            )
        return None

    def plan(self, ctx: RuleContext, plan: ProcurementPlan) -> None:
        plan.target_tendered_share = max(plan.target_tendered_share, self.p.share, self.p.floor)
        plan.contract_years = self.p.contract_years
        plan.price_weight = self.p.price_weight
        plan.indexation_share = self.p.indexation_share
        plan.termination_after = self.p.termination_after
        plan.exclusion_years = self.p.exclusion_years

    def procure(self, ctx: RuleContext, plan: ProcurementPlan) -> None:
        if plan.tendering_allowed:
            allocate_and_tender(ctx, plan, self.p)

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        s.competition += self.p.pressure_weight * ctx.packages.exposed_share()
