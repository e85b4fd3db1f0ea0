"""Trust between the parties: slow to build, quick to lose.

Seed 003: trust-based collaboration supplements result-based steering; trust takes time to
build and needs strong management support. Seed 004: sharper control and monitoring create
distrust. Trust moves with what happens: each year, in each relation, the share of
commitments kept (``sim.state.Commitments``; for employees their own, per employee) raises
trust by ``build_rate · kept · (1 − T)`` and the share broken lowers it by
``loss_rate · broken · T`` — slow to build, quick to lose when ``loss_rate > build_rate``
(stylised fact 6; Slovic 1993's asymmetry). A year in which nothing happens in a relation
leaves it where it is.

Every relation is read by a behaviour: employees' trust in management raises their proposals,
their wellbeing (a job resource) and lowers in-house shirking; orderer–provider trust lowers
inspection needs (``inspection``); politicians' trust in the administration lowers their
inclination to cut; citizens' trust colours their survey answers; the contractors' trust
raises their chance to bid; consensus needs the parties' trust (``tripartite_consensus``).
"""

from __future__ import annotations

from typing import Literal

from sim.params import param
from sim.rules.base import Rule, RuleParams
from sim.rules.context import RuleContext, uses
from sim.state import RELATIONS, update_trust

__all__ = ["RELATIONS", "TrustDynamics"]


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


class TrustDynamics(Rule[TrustDynamicsParams]):
    key = "trust_dynamics"
    Params = TrustDynamicsParams
    title = "Trust dynamics"
    explanation = (
        "Trust between employees and managers, orderer and provider, politicians and "
        "administration, citizens and the municipality, and the municipality and its firms "
        "grows slowly when commitments are kept and falls quickly when they are broken."
    )
    source = "seeds 003, 004; EVIDENCE stylised fact 6"
    access = {
        "adapt": uses(reads=("commitments", "unit.staff", "trust"), writes=("trust", "unit.staff"))
    }

    def adapt(self, ctx: RuleContext) -> None:
        build, loss = self.p.build_rate, self.p.loss_rate
        ctx.unit.update_trust(build, loss)  # each employee's own experience
        for k in RELATIONS:
            if k == "employees_management":
                continue
            kept = ctx.commitments.kept_share(k)
            ctx.trust.set(k, update_trust(ctx.trust[k], kept, build, loss))
