"""Governance rules, one module each; a governance model is a list of these (see ``base``)."""

from sim.rules.base import PHASES, ProcurementPlan, Rule, RuleParams, Signals
from sim.rules.benchmarking import Benchmarking
from sim.rules.bureaucratic_drift import BureaucraticDrift
from sim.rules.context import OrderCycle, phase_order
from sim.rules.control_bids import ControlBids
from sim.rules.development_guides import DevelopmentGuides
from sim.rules.dialogue_steering import DialogueSteering
from sim.rules.employee_proposals import EmployeeProposals
from sim.rules.fixed_inhouse_share import FixedInhouseShare
from sim.rules.inspection import Inspection
from sim.rules.internal_invoicing import InternalInvoicing
from sim.rules.learning_teams import LearningTeams
from sim.rules.no_tendering_guarantee import NoTenderingGuarantee
from sim.rules.sick_leave_goal import SickLeaveGoal
from sim.rules.tendering import Tendering
from sim.rules.tripartite_consensus import TripartiteConsensus
from sim.rules.trust_dynamics import TrustDynamics

RULES: dict[str, type[Rule]] = {
    cls.key: cls
    for cls in (
        Tendering,
        ControlBids,
        InternalInvoicing,
        Inspection,
        BureaucraticDrift,
        FixedInhouseShare,
        Benchmarking,
        LearningTeams,
        TripartiteConsensus,
        EmployeeProposals,
        DevelopmentGuides,
        NoTenderingGuarantee,
        SickLeaveGoal,
        DialogueSteering,
        TrustDynamics,
    )
}


#: The fixed order in which rules that do not depend on each other run within a phase (from
#: procurement through the split's administration, measurement and participation to trust).
#: It is what makes a regime's schedule a function of its *set* of rules, not of the order they
#: are listed in; declared read/write dependencies (``Rule.access``) take precedence over it.
RUN_ORDER: tuple[str, ...] = (
    "tendering",
    "no_tendering_guarantee",
    "control_bids",
    "internal_invoicing",
    "inspection",
    "bureaucratic_drift",
    "fixed_inhouse_share",
    "benchmarking",
    "learning_teams",
    "dialogue_steering",
    "tripartite_consensus",
    "employee_proposals",
    "development_guides",
    "sick_leave_goal",
    "trust_dynamics",
)
assert sorted(RUN_ORDER) == sorted(RULES), "every rule needs a place in RUN_ORDER"
_RANK = {k: i for i, k in enumerate(RUN_ORDER)}


def schedule(rules: list) -> dict[str, list]:
    """Phase → the rules (instances or classes) that implement it, in the order they run:
    writers before readers of the same state, otherwise ``RUN_ORDER``; ``"all"`` → every rule
    in ``RUN_ORDER`` (for activation and deactivation). Raises ``OrderCycle``.

    The order depends only on the rules' classes (the phases they implement and the access
    they declare), so it is worked out once per sequence of them and kept as positions (every
    run of a batch schedules the same regimes)."""
    classes = tuple(r if isinstance(r, type) else type(r) for r in rules)
    declared = tuple(c.access for c in classes)
    key = (classes, tuple(c.phases() for c in classes))
    hit = _ORDERS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], declared, strict=True)):
        order = hit[1]
    else:
        order = _order(list(rules))
        if len(set(map(id, rules))) == len(rules):  # positions are well defined
            _ORDERS[key] = (declared, order)  # declared: the access objects it was derived from
    return {ph: [rules[i] for i in idx] for ph, idx in order.items()}


def _order(rules: list) -> dict[str, tuple[int, ...]]:
    """``schedule`` as positions in `rules`."""
    at = {id(r): i for i, r in enumerate(rules)}
    out = {ph: tuple(at[id(r)] for r in phase_order(rules, ph, _RANK)) for ph in PHASES}
    key = lambda i: _RANK[(rules[i] if isinstance(rules[i], type) else type(rules[i])).key]  # noqa: E731
    out["all"] = tuple(sorted(range(len(rules)), key=key))
    return out


_ORDERS: dict[tuple, tuple[tuple, dict[str, tuple[int, ...]]]] = {}


def check_order(keys: list[str]) -> str | None:
    """Why the rules `keys` of one regime cannot be ordered, or None."""
    try:
        schedule([RULES[k] for k in keys])
    except OrderCycle as e:
        return str(e)
    return None


def build_rule(params: RuleParams) -> Rule:
    """Instantiate the rule a validated parameter object belongs to."""
    return RULES[params.rule](params)


__all__ = [
    "RULES",
    "RUN_ORDER",
    "OrderCycle",
    "Rule",
    "RuleParams",
    "ProcurementPlan",
    "Signals",
    "build_rule",
    "check_order",
    "schedule",
]
