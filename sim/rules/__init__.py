"""Governance rules, one module each; a governance model is a list of these (see ``base``)."""

from sim.rules.base import ProcurementPlan, Rule, RuleParams, Signals
from sim.rules.benchmarking import Benchmarking
from sim.rules.bureaucratic_drift import BureaucraticDrift
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
        Tendering, ControlBids, InternalInvoicing, Inspection, BureaucraticDrift, FixedInhouseShare,
        Benchmarking, LearningTeams, TripartiteConsensus, EmployeeProposals, DevelopmentGuides,
        NoTenderingGuarantee, SickLeaveGoal, DialogueSteering, TrustDynamics,
    )
}


def build_rule(params: RuleParams) -> Rule:
    """Instantiate the rule a validated parameter object belongs to."""
    return RULES[params.rule](params)


__all__ = ["RULES", "Rule", "RuleParams", "ProcurementPlan", "Signals", "build_rule"]
