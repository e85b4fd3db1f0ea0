"""Dialogue-based goal steering with red/yellow/green follow-up.

Seed 002: a four-step cycle per election period — knowledge and trends to the committees,
dialogue meetings between politicians and unit leaders producing political bearings
(pejlemærker), a few development goals per unit, and follow-up with a red/yellow/green
status and satisfaction surveys. Red goals get management attention the following year.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.agents import GoalStatus
from sim.params import param
from sim.rules.base import Rule, RuleParams
from sim.rules.context import RuleContext, uses

# as plain ints: numpy compares an array with an IntEnum member several times slower
GREEN, YELLOW, RED = int(GoalStatus.GREEN), int(GoalStatus.YELLOW), int(GoalStatus.RED)


class DialogueSteeringParams(RuleParams):
    rule: Literal["dialogue_steering"]
    cycle_years: int = param(
        4,
        unit="years",
        plausible=None,
        ge=1,
        le=10,
        source="seed 002 (per election period)",
        doc="Length of the steering cycle.",
    )
    goal_ambition: float = param(
        0.02,
        unit="satisfaction points",
        plausible=(0.0, 0.05),
        ge=0,
        le=0.5,
        source="seed 002; assumption",
        doc="Goal set above the area's current satisfaction.",
    )
    yellow_band: float = param(
        0.03,
        unit="satisfaction points",
        plausible=(0.01, 0.06),
        ge=0,
        le=1,
        source="seed 002 (red/yellow/green)",
        doc="Shortfall still counted yellow.",
    )
    meeting_hours: float = param(
        600.0,
        unit="hours per cycle",
        plausible=(200, 1500),
        ge=0,
        le=1e5,
        source="assumption: dialogue meetings with every unit",
        doc="Dialogue-meeting time.",
    )
    grounding: float = param(
        0.5,
        unit="share of gap",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
        source="seed 002 (dialogue grounds the political bearings in what was discussed); size "
        "an assumption",
        doc="How far a dialogue round moves the political expectation of an area toward the "
        "goal agreed for it.",
    )
    followup_hours: float = param(
        20.0,
        unit="hours per area/yr",
        plausible=(5, 60),
        ge=0,
        le=1e4,
        source="assumption",
        doc="Yearly follow-up and reporting per area.",
    )


class DialogueSteering(Rule[DialogueSteeringParams]):
    key = "dialogue_steering"
    Params = DialogueSteeringParams
    title = "Dialogue-based goal steering"
    explanation = (
        "Once per election period politicians and unit leaders meet, agree a few goals "
        "for each area, and follow them up every year as red, yellow or green."
    )
    source = "seed 002"
    access = {
        # grounds the expectation before benchmarking measures against it
        "measure": uses(
            reads=("areas.satisfaction", "areas.expectation", "areas.goal"),
            writes=("areas.goal", "areas.expectation", "areas.status", "ledger"),
        ),
        # management follows up every red goal with an action of its own design
        "respond": uses(
            reads=("areas.status", "packages", "year_signals"),
            writes=("innovation",),
        ),
    }

    def activate(self, ctx: RuleContext) -> None:
        self.year_in_cycle = 0

    def deactivate(self, ctx: RuleContext) -> None:
        ctx.areas.goal[:] = np.nan
        ctx.areas.status[:] = GoalStatus.NONE

    def measure(self, ctx: RuleContext) -> None:
        a = ctx.areas
        if self.year_in_cycle % self.p.cycle_years == 0:
            a.goal[:] = np.clip(a.satisfaction + self.p.goal_ambition, 0.0, 1.0)
            ctx.ledger.charge_hours("meetings", self.p.meeting_hours)
            # dialogue grounds the political expectation in what was discussed
            g = self.p.grounding
            a.expectation[:] = (1.0 - g) * a.expectation + g * a.goal
        self.year_in_cycle += 1
        short = a.goal - a.satisfaction
        a.status[:] = np.where(
            short <= 0, GREEN, np.where(short <= self.p.yellow_band, YELLOW, RED)
        )
        ctx.ledger.charge_hours("meetings", self.p.followup_hours * ctx.n_areas)

    def respond(self, ctx: RuleContext) -> None:
        red = (ctx.areas.status == RED).nonzero()[0]
        ctx.innovate(
            "steering",
            red,
            ctx.params.innovation.steering_knowledge,
            screened=False,
            boost=ctx.year_signals.implementation_boost,
        )
