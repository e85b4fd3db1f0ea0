"""Trust between the parties: slow to build, quick to lose.

Seed 003: trust-based collaboration supplements result-based steering; trust takes time to
build and needs strong management support. Seed 004: sharper control and monitoring create
distrust. Each relation moves toward a target set by this year's governance signals, at
``build_rate`` when rising and the faster ``loss_rate`` when falling (stylised fact 6).
Trust in turn lowers inspection needs (``inspection``) and raises proposals (``sim.agents``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.rules.base import Rule, RuleParams
from sim.rules.context import RuleContext, uses
from sim.state import RELATIONS

__all__ = ["RELATIONS", "TrustDynamics", "move", "trust_targets"]


class TrustDynamicsParams(RuleParams):
    rule: Literal["trust_dynamics"]
    build_rate: float = param(
        0.15,
        unit="share of gap per year",
        plausible=(0.05, 0.3),
        gt=0,
        le=1,
        source="seed 003 (trust takes time to build); rate an assumption",
        doc="Speed at which trust rises.",
    )
    loss_rate: float = param(
        0.45,
        unit="share of gap per year",
        plausible=(0.2, 0.8),
        gt=0,
        le=1,
        source="seed 004 (control creates distrust); assumption",
        doc="Speed at which trust falls.",
    )


def trust_targets(s, workload: float, gap: float) -> dict[str, float]:
    """Where each relation would settle under yearly signals `s` (see ODD 'Trust')."""
    targets = {
        "employees_management": 0.45
        + 0.35 * s.participation
        + 0.15 * s.security
        - 0.4 * s.control
        - 0.3 * workload,
        "orderer_provider": 0.6
        - 0.25 * s.split_intensity
        - 0.2 * s.control
        + 0.2 * s.collaboration,
        "politicians_administration": 0.5
        + 0.2 * s.dialogue
        + 0.2 * s.consensus
        - 0.8 * max(0.0, -gap),
        "citizens_municipality": 0.5 + 1.5 * gap + 0.15 * s.user_focus,
        "municipality_contractors": 0.5 + 0.25 * s.collaboration - 0.15 * s.control,
    }
    return {k: float(np.clip(v, 0.0, 1.0)) for k, v in targets.items()}


def move(current: float, target: float, build_rate: float, loss_rate: float) -> float:
    """One year of asymmetric adjustment toward `target`."""
    rate = build_rate if target > current else loss_rate
    return current + rate * (target - current)


class TrustDynamics(Rule[TrustDynamicsParams]):
    key = "trust_dynamics"
    Params = TrustDynamicsParams
    title = "Trust dynamics"
    explanation = (
        "Trust between employees and managers, orderer and provider, politicians and "
        "administration grows slowly when the parties work together and falls quickly "
        "under tight control."
    )
    source = "seeds 003, 004; EVIDENCE stylised fact 6"
    access = {
        "adapt": uses(
            reads=("year_signals", "unit.workload", "tally.expectation_gap", "trust"),
            writes=("trust",),
        )
    }

    def adapt(self, ctx: RuleContext) -> None:
        targets = trust_targets(ctx.year_signals, ctx.unit.workload, ctx.tally.expectation_gap)
        for k, target in targets.items():
            ctx.trust.set(k, move(ctx.trust[k], target, self.p.build_rate, self.p.loss_rate))
