"""Sick-leave goal (Norwegian quality municipality programme).

Seed 004: the Kvalitetskommuneprogrammet had a concrete results goal — reduce sick leave —
in 138 municipalities; EVIDENCE E12 (participants 10.4 % → 10.3 % while others rose 9.7 % →
9.9 %), E13 (a strong case: −1.6 pp).
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import Rule, RuleParams
from sim.rules.context import RuleContext, uses


class SickLeaveGoalParams(RuleParams):
    rule: Literal["sick_leave_goal"]
    hours_per_employee: float = param(
        4.0,
        unit="hours/yr",
        plausible=(1, 10),
        ge=0,
        le=200,
        source="assumption",
        doc="Management and HR time per employee for the programme.",
    )
    absence_reduction: float = param(
        0.007,
        unit="share of absence",
        plausible=(0.0, 0.15),
        ge=0,
        le=1,
        source="calibrated (docs/CALIBRATION.md, check 5a): E12 gap of 0.3–0.4 pp; E13 (≤ 1.6 pp) "
        "bounds the range",
        doc="Share of absence avoided where every spell is followed up (early contact, adjusted tasks).",
    )
    followup_hours: float = param(
        4.0,
        unit="hours per employee-year",
        plausible=(2, 10),
        gt=0,
        le=200,
        source="assumption",
        doc="Programme hours per employee at which every absence spell is followed up.",
    )


class SickLeaveGoal(Rule[SickLeaveGoalParams]):
    key = "sick_leave_goal"
    Params = SickLeaveGoalParams
    title = "Sick-leave goal"
    explanation = (
        "The municipality sets itself a concrete goal to reduce sick leave and works "
        "with employees to reach it."
    )
    source = "seed 004; EVIDENCE E12, E13"
    access = {"quarter": uses(writes=("ledger", "unit.staff"))}

    def quarter(self, ctx: RuleContext, s) -> None:
        ctx.ledger.charge_hours("sick_leave_goal", ctx.unit.n * self.p.hours_per_employee / 4)
        coverage = min(1.0, self.p.hours_per_employee / self.p.followup_hours)
        ctx.unit.follow_up_absence(coverage * self.p.absence_reduction)
