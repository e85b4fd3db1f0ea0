"""Development guides (udviklingsvejledere) recruited and trained among the municipality's own staff.

Seed 004: instead of external consultants, the model municipality trains its own employees
as development guides, who help colleagues turn proposals into practice.
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class DevelopmentGuidesParams(RuleParams):
    rule: Literal["development_guides"]
    guides: int = param(
        3,
        unit="persons",
        plausible=(1, 8),
        ge=0,
        le=500,
        source="assumption",
        doc="Employees trained as development guides.",
    )
    hours_per_guide: float = param(
        200.0,
        unit="hours/yr",
        plausible=(80, 400),
        ge=0,
        le=2000,
        source="assumption",
        doc="Time each guide spends guiding.",
    )
    implementation_boost: float = param(
        0.2,
        unit="probability",
        plausible=(0.05, 0.35),
        ge=0,
        le=1,
        source="seed 004; assumption",
        doc="Added chance that an accepted idea is implemented, at full guiding hours.",
    )
    hours_for_full_effect: float = param(
        600.0,
        unit="hours/yr",
        plausible=(200, 1500),
        gt=0,
        le=20_000,
        source="assumption: three guides at 200 h a year reach every accepted idea",
        doc="Guiding hours a year at which the full implementation boost is reached (less "
        "guiding, proportionally less boost).",
    )


class DevelopmentGuides(Rule[DevelopmentGuidesParams]):
    key = "development_guides"
    Params = DevelopmentGuidesParams
    title = "Development guides"
    explanation = (
        "Some of the municipality's own employees are trained to guide development "
        "work, so good ideas get carried out without hiring consultants."
    )
    source = "seed 004"
    access = {
        "quarter": uses(writes=("ledger", "signals", "unit.staff")),
        "respond": uses(writes=("rng",)),
    }

    def activate(self, ctx: RuleContext) -> None:
        self._choose(ctx)

    def _choose(self, ctx: RuleContext) -> None:
        """The employees trained as guides (renewed each year: positions change)."""
        n = ctx.unit.n
        self.members = ctx.rng.choice(n, size=min(n, self.p.guides), replace=False)

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        hours = self.p.guides * self.p.hours_per_guide / 4
        ctx.ledger.charge("guides", hours * ctx.params.municipality.staff_hourly_dkk, hours)
        # guides raise the chance to carry an idea through as far as their hours reach
        reach = min(1.0, self.p.guides * self.p.hours_per_guide / self.p.hours_for_full_effect)
        s.implementation_boost += self.p.implementation_boost * reach
        ctx.unit.involve(self.members[self.members < ctx.unit.n], self.p.hours_per_guide / 4)

    def respond(self, ctx: RuleContext) -> None:
        self._choose(ctx)
