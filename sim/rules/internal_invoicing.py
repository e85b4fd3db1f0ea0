"""Internal invoicing: the in-house unit invoices the orderer for every task package it runs.

Seed 000/004 (BUM: orderer and provider separated economically); seed 001 (HOD abolished
internal invoicing, freeing administrative resources). The cost per invoice is unknown
(EVIDENCE 'Not found'): a wide range, included in sensitivity analyses.
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class InternalInvoicingParams(RuleParams):
    rule: Literal["internal_invoicing"]
    invoices_per_package: float = param(
        12.0,
        unit="invoices/yr",
        plausible=(4, 24),
        ge=0,
        le=365,
        source="assumption: monthly invoicing",
        doc="Invoices per in-house task package per year.",
    )
    hours_per_invoice: float = param(
        3.0,
        unit="hours",
        plausible=(1, 8),
        ge=0,
        le=100,
        source="assumption (EVIDENCE: not found); both sides' time incl. disputes",
        doc="Administrative hours per internal invoice (issue, check, settle).",
    )


class InternalInvoicing(Rule[InternalInvoicingParams]):
    key = "internal_invoicing"
    Params = InternalInvoicingParams
    title = "Internal invoicing"
    explanation = (
        "The in-house unit sends invoices to the orderer for its own work, as if it "
        "were a company. Each invoice takes time on both sides."
    )
    source = "seeds 000, 001, 004"
    access = {
        "quarter": uses(reads=("packages", "procedure_load"), writes=("ledger", "unit.staff"))
    }

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        n_inhouse = ctx.packages.inhouse_package_count()
        hours = (
            n_inhouse
            * self.p.invoices_per_package
            * self.p.hours_per_invoice
            * ctx.procedures.load
            / 4
        )
        ctx.ledger.charge_hours("invoicing", hours)
        ctx.unit.bear_control(hours)  # the unit's side: issuing, documenting, disputing
