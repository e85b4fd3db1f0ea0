"""Learning teams: HOD's dynamic structure reacting to measurement gaps.

Seed 000: when the measurements give cause for reflection, a team of employees who know the
area is formed for a collaboration and learning process, beside the stable structure of daily
operations; private contractors take part in the same learning processes.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class LearningTeamsParams(RuleParams):
    rule: Literal["learning_teams"]
    team_size: int = param(
        6,
        unit="employees",
        plausible=(3, 10),
        ge=1,
        le=100,
        source="assumption",
        doc="Employees in one learning team.",
    )
    hours_per_member: float = param(
        40.0,
        unit="hours/yr",
        plausible=(16, 80),
        ge=0,
        le=2000,
        source="assumption",
        doc="Time each member spends in the team.",
    )
    quality_effect: float = param(
        0.02,
        unit="quality points",
        plausible=(0.005, 0.04),
        ge=0,
        le=0.5,
        source="seed 000 (learning closes the gap); size an assumption",
        doc="Quality a team adds to its area (decays 30 %/yr).",
    )
    wellbeing_effect: float = param(
        0.4,
        unit="scale points",
        plausible=(0.0, 0.8),
        ge=0,
        le=3,
        source="seeds 000, 001 (initiative and co-influence); size an assumption",
        doc="Wellbeing boost for team members (decays).",
    )
    max_teams: int = param(
        4,
        unit="teams/yr",
        plausible=(1, 8),
        ge=0,
        le=100,
        source="assumption",
        doc="Teams the unit can run in one year.",
    )


class LearningTeams(Rule[LearningTeamsParams]):
    key = "learning_teams"
    Params = LearningTeamsParams
    title = "Learning teams"
    explanation = (
        "When citizens and staff disagree about an area, or it falls below what the "
        "politicians expect, employees who know the area form a team to find out why "
        "and improve it — private contractors join in."
    )
    source = "seed 000"
    requires = ("benchmarking",)
    access = {
        "quarter": uses(writes=("signals",)),
        "respond": uses(
            reads=("areas.flagged", "areas.satisfaction", "areas.expectation"),
            writes=(
                "areas.team",
                "areas.bonus",
                "unit.learn_bonus",
                "unit.skill",
                "ledger",
                "tally.learning_teams",
                "rng",
            ),
        ),
    }

    def activate(self, ctx: RuleContext) -> None:
        self.last_year_teams = 0

    def deactivate(self, ctx: RuleContext) -> None:
        ctx.areas.team[:] = False

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        share = self.last_year_teams / max(ctx.n_areas, 1)
        s.participation += 0.25 + 0.5 * share
        s.collaboration += 0.3

    def respond(self, ctx: RuleContext) -> None:
        a = ctx.areas
        a.team[:] = False  # last year's teams have finished
        self.last_year_teams = 0
        flagged = np.flatnonzero(a.flagged)
        if flagged.size == 0:
            return
        # worst gaps first
        order = flagged[np.argsort(a.satisfaction[flagged] - a.expectation[flagged], kind="stable")]
        chosen = order[: self.p.max_teams]
        a.team[chosen] = True
        a.bonus[chosen] += self.p.quality_effect
        unit = ctx.unit
        members = ctx.rng.choice(
            unit.n, size=min(unit.n, self.p.team_size * chosen.size), replace=False
        )
        unit.train(members, wellbeing=self.p.wellbeing_effect, skill=0.02)
        hours = members.size * self.p.hours_per_member
        ctx.ledger.charge("learning_teams", hours * ctx.params.municipality.staff_hourly_dkk, hours)
        ctx.tally.add("learning_teams", int(chosen.size))
        self.last_year_teams = int(chosen.size)
