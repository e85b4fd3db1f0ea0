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
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


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
    task_gain: float = param(
        0.003,
        unit="cost reduction per task",
        plausible=(0.001, 0.006),
        ge=0,
        le=0.1,
        source="E14 (Lunner: ≥ 9 M NOK/yr saved in all); size per task an assumption",
        doc="Efficiency gain of one adopted task.",
    )
    task_quality: float = param(
        0.004,
        unit="quality per task",
        plausible=(0.001, 0.01),
        ge=0,
        le=0.1,
        source="E14 (Lunner: 14 M NOK/yr extra service in all); size per task an assumption",
        doc="Quality gain of one adopted task.",
    )
    participation: float = param(
        0.5,
        unit="signal",
        plausible=(0.3, 0.8),
        ge=0,
        le=1,
        source="seed 004; size an assumption",
        doc="Participation employees feel.",
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
        "quarter": uses(writes=("ledger", "signals")),
        "respond": uses(
            reads=("trust",),
            writes=("unit.efficiency", "areas.bonus", "tally.consensus_tasks", "rng"),
        ),
    }

    def _parties(self) -> int:
        return 4 if self.p.citizens_as_fourth_party else 3

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        people = self._parties() * self.p.members_per_party
        ctx.ledger.charge_hours("meetings", people * self.p.meetings_per_year * 3.0 / 4)
        s.participation += self.p.participation
        s.consensus += 1.0
        s.security += 0.1
        if self.p.citizens_as_fourth_party:
            s.user_focus += 1.0

    def respond(self, ctx: RuleContext) -> None:
        k = self.p.candidate_tasks
        if k == 0:
            return
        t = ctx.trust
        base = np.array(
            [t["politicians_administration"], t["employees_management"], t["employees_management"]]
            + ([t["citizens_municipality"]] if self.p.citizens_as_fourth_party else [])
        )
        support = base[None, :] + ctx.rng.normal(0.0, 0.12, size=(k, base.size))
        adopted = int(np.count_nonzero(support.min(axis=1) > self.p.consensus_threshold))
        if adopted:
            ctx.unit.improve(self.p.task_gain * adopted)
            bonus = (
                self.p.task_quality * adopted * (1.5 if self.p.citizens_as_fourth_party else 1.0)
            )
            ctx.areas.bonus += bonus
        ctx.tally.add("consensus_tasks", adopted)
