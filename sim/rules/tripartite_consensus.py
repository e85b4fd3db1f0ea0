"""Tripartite consensus: politicians, administration and employee representatives steer together.

Seed 004 (Norwegian modellkommune): equal tripartite cooperation; a steering group chooses
development tasks by consensus; in a later phase citizens/users join as a fourth party.
Consensus needs every party's support, which depends on trust; adopted development tasks
improve quality and cost, and taking part raises participation (wellbeing, trust).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.rules.base import Rule, RuleParams
from sim.rules.context import RuleContext, uses

#: The three parties of the steering group (seed 004); citizens/users may join as a fourth.
PARTIES: tuple[str, ...] = ("politicians", "administration", "employees")


class TripartiteConsensusParams(RuleParams):
    rule: Literal["tripartite_consensus"]
    citizens_as_fourth_party: bool = param(
        False,
        unit="flag",
        plausible=None,
        source="seed 004 (later phase: users as fourth party)",
        doc="Citizens/users sit in the steering group too.",
    )
    meetings_per_year: int = param(
        8,
        unit="meetings",
        plausible=(4, 12),
        ge=0,
        le=52,
        source="assumption",
        doc="Steering-group meetings per year.",
    )
    members_per_party: int = param(
        3,
        unit="persons",
        plausible=(2, 5),
        ge=1,
        le=20,
        source="assumption",
        doc="Members each party sends.",
    )
    candidate_tasks: int = param(
        4,
        unit="tasks/yr",
        plausible=(2, 8),
        ge=0,
        le=50,
        source="assumption",
        doc="Development tasks put before the steering group each year.",
    )
    consensus_threshold: float = param(
        0.4,
        unit="support 0–1",
        plausible=(0.3, 0.6),
        ge=0,
        le=1,
        source="seed 004 (decisions by consensus); threshold an assumption",
        doc="Every party's support must exceed this for a task to be adopted.",
    )
    meeting_hours: float = param(
        3.0,
        unit="hours per meeting",
        plausible=(2, 4),
        ge=0,
        le=24,
        source="assumption",
        doc="Length of one steering-group meeting (incl. preparation).",
    )
    support_sd: float = param(
        0.12,
        unit="support 0–1",
        plausible=(0.05, 0.2),
        ge=0,
        le=1,
        source="assumption",
        doc="Spread of a party's support for a task around its trust in the others.",
    )
    task_hours: float = param(
        10.0,
        unit="hours per employee",
        plausible=(4, 30),
        ge=0,
        le=500,
        source="seed 004 (employees carry out the development tasks); assumption",
        doc="Hours each employee posted in a task's area spends working on an adopted task.",
    )


class TripartiteConsensus(Rule[TripartiteConsensusParams]):
    key = "tripartite_consensus"
    Params = TripartiteConsensusParams
    title = "Tripartite consensus"
    explanation = (
        "Politicians, managers and union representatives sit together as equals and "
        "choose development tasks by consensus. A task goes ahead only if every party "
        "supports it — so it depends on trust between them."
    )
    source = "seed 004"
    access = {
        "quarter": uses(writes=("ledger", "unit.staff")),
        "respond": uses(
            reads=("trust", "packages", "year_signals"),
            writes=("innovation", "unit.staff", "commitments", "tally.consensus_tasks", "rng"),
        ),
    }

    def _parties(self) -> int:
        return len(PARTIES) + int(self.p.citizens_as_fourth_party)

    def activate(self, ctx: RuleContext) -> None:
        self._choose_reps(ctx)

    def _choose_reps(self, ctx: RuleContext) -> None:
        """The employees' side of the steering group: union representatives among the staff."""
        n = ctx.unit.n
        self.reps = ctx.rng.choice(n, size=min(n, self.p.members_per_party), replace=False)

    def quarter(self, ctx: RuleContext, s) -> None:
        people = self._parties() * self.p.members_per_party
        hours = self.p.meetings_per_year * self.p.meeting_hours / 4
        ctx.ledger.charge_hours("meetings", people * hours)
        reps = self.reps[self.reps < ctx.unit.n]  # positions may have been cut
        ctx.unit.involve(reps, hours)

    def respond(self, ctx: RuleContext) -> None:
        k = self.p.candidate_tasks
        if k == 0:
            ctx.tally.add("consensus_tasks", 0)
            self._choose_reps(ctx)
            return
        t = ctx.trust
        base = np.array(
            [t["politicians_administration"], t["employees_management"], t["employees_management"]]
            + ([t["citizens_municipality"]] if self.p.citizens_as_fourth_party else [])
        )
        support = base[None, :] + ctx.rng.normal(0.0, self.p.support_sd, size=(k, base.size))
        adopted = int(np.count_nonzero(support.min(axis=1) > self.p.consensus_threshold))
        if adopted:
            # each task concerns an area; the steering group designs it, nobody screens its effect
            areas = ctx.rng.integers(0, ctx.n_areas, size=adopted)
            ctx.innovate(
                "steering",
                areas,
                ctx.params.innovation.steering_knowledge,
                screened=False,
                boost=ctx.year_signals.implementation_boost,
            )
            unit = ctx.unit
            post_area = ctx.packages.area[unit.posts]
            for area in areas:
                unit.involve(np.flatnonzero(post_area == area), self.p.task_hours)
            if self.p.citizens_as_fourth_party:
                ctx.commitments.keep("citizens_municipality", adopted)  # their voice was heard
        ctx.tally.add("consensus_tasks", adopted)
        self._choose_reps(ctx)
