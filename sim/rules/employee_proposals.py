"""Employee proposals with a commitment to consider every proposal.

Seed 004: bottom-up innovation — employees propose changes and management is committed to
seriously consider every proposal (Steinkjer's one-person refuse truck). Stylised fact 7:
employee-initiated innovations more often raise quality and satisfaction. Employees always
propose a little (agent behaviour in ``sim.agents``); this rule makes management consider
all proposals and makes proposing worthwhile (participation).
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class EmployeeProposalsParams(RuleParams):
    rule: Literal["employee_proposals"]
    consider_all: bool = param(
        True,
        unit="flag",
        plausible=None,
        source="seed 004",
        doc="Management considers every proposal (else only a share).",
    )
    considered_share: float = param(
        0.3,
        unit="share",
        plausible=(0.1, 0.6),
        ge=0,
        le=1,
        source="assumption",
        doc="Share considered when not all are.",
    )
    hours_per_proposal: float = param(
        4.0,
        unit="hours",
        plausible=(1, 12),
        ge=0,
        le=200,
        source="assumption",
        doc="Management time to consider one proposal.",
    )


class EmployeeProposals(Rule[EmployeeProposalsParams]):
    key = "employee_proposals"
    Params = EmployeeProposalsParams
    title = "Employee proposals"
    explanation = (
        "Employees suggest better ways to do the work, and management promises to "
        "consider every suggestion seriously."
    )
    source = "seed 004; EVIDENCE stylised fact 7"
    access = {
        "quarter": uses(writes=("signals",)),
        "respond": uses(reads=("tally.proposals_considered",), writes=("ledger",)),
    }

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        s.consideration = 1.0 if self.p.consider_all else self.p.considered_share

    def respond(self, ctx: RuleContext) -> None:
        ctx.ledger.charge_hours(
            "proposals", ctx.tally.proposals_considered * self.p.hours_per_proposal
        )
