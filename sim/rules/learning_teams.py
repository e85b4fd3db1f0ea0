"""Learning teams: HOD's dynamic structure reacting to measurement gaps.

Seed 000: when the measurements give cause for reflection, a team of employees who know the
area is formed for a collaboration and learning process, beside the stable structure of daily
operations; private contractors take part in the same learning processes (their part is not
modelled: a team is the unit's employees, those posted in the area first). A team works out and
tests ideas for its area (``sim.innovation``, employee-initiated and screened); its members
gain skill and involvement hours (a job resource). In a benchmarking network of a population
(``ctx.peers``) learning travels: each team takes up, in addition, one of its peers' tested
improvements with probability 1 − exp(−transfer_rate × the improvements the peers' teams
implemented last year, per peer).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.rules.base import Rule, RuleParams
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
    skill_gain: float = param(
        0.02,
        unit="skill points",
        plausible=(0.0, 0.05),
        ge=0,
        le=1,
        source="seed 000 (a learning process); size an assumption",
        doc="Skill each team member gains.",
    )
    ideas_per_team: int = param(
        1,
        unit="ideas",
        plausible=(1, 3),
        ge=0,
        le=20,
        source="assumption",
        doc="Improvement ideas a team works out and tests for its area.",
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
        "and improve it."
    )
    source = "seed 000"
    requires = ("benchmarking",)
    access = {
        "respond": uses(
            reads=(
                "areas.flagged",
                "areas.satisfaction",
                "areas.expectation",
                "packages",
                "year_signals",
                "peers",
            ),
            writes=(
                "areas.team",
                "unit.skill",
                "unit.staff",
                "innovation",
                "ledger",
                "tally.learning_teams",
                "rng",
            ),
        ),
    }

    def activate(self, ctx: RuleContext) -> None:
        self.implemented = 0  # improvements this year's teams implemented (a network reads it)

    def deactivate(self, ctx: RuleContext) -> None:
        ctx.areas.team[:] = False

    def respond(self, ctx: RuleContext) -> None:
        a = ctx.areas
        a.team[:] = False  # last year's teams have finished
        self.implemented = 0
        flagged = np.flatnonzero(a.flagged)
        if flagged.size == 0 or self.p.max_teams == 0:
            return
        # worst gaps first
        order = flagged[np.argsort(a.satisfaction[flagged] - a.expectation[flagged], kind="stable")]
        chosen = order[: self.p.max_teams]
        a.team[chosen] = True
        unit, rng = ctx.unit, ctx.rng
        post_area = ctx.packages.area[unit.posts]
        key = rng.random(unit.n)  # a random order among equally suited employees
        free = np.ones(unit.n, dtype=bool)
        teams = []
        for area in chosen:
            # employees who know the area first (priority < 1), then others, at random within each
            cand = np.flatnonzero(free)
            priority = (post_area[cand] != area) + key[cand]
            members = cand[np.argsort(priority, kind="stable")[: self.p.team_size]]
            free[members] = False
            teams.append(members)
        members = np.concatenate(teams) if teams else np.zeros(0, dtype=int)
        unit.involve(members, self.p.hours_per_member)
        unit.train(members, skill=self.p.skill_gain)
        # each team works out and tests ideas for its area (employee-initiated, screened)
        k = self.p.ideas_per_team
        peers = ctx.peers
        if k or peers is not None:
            knowledge = np.array([unit.knowledge(m).mean() if m.size else 0.0 for m in teams])
            where, know = np.repeat(chosen, k), np.repeat(knowledge, k)
            if peers is not None and peers.improvements > 0:
                # a peer's tested improvement, taken up by the team
                p = 1.0 - np.exp(-peers.transfer_rate * peers.improvements)
                more = rng.random(chosen.size) < p
                where = np.concatenate([where, chosen[more]])
                know = np.concatenate([know, knowledge[more]])
            _, done = ctx.innovate(
                "employee",
                where,
                know,
                screened=True,
                boost=ctx.year_signals.implementation_boost,
            )
            self.implemented = int(np.count_nonzero(done))
        hours = members.size * self.p.hours_per_member
        ctx.ledger.charge("learning_teams", hours * ctx.params.municipality.staff_hourly_dkk, hours)
        ctx.tally.add("learning_teams", int(chosen.size))
