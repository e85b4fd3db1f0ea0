"""Rules one at a time, against a small fake context that implements ``RuleContext``.

No model, no schedule: each test builds the few pieces of state the rule reads, calls one
phase and checks what the rule's semantics say it must do to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.agents import Areas
from sim.ledger import ACTIVITIES, Ledger
from sim.monitoring import Monitoring
from sim.packages import TaskPackages
from sim.params import Parameters
from sim.procurement import TenderLog
from sim.rules import RULES, ProcurementPlan, Signals
from sim.rules.benchmarking import Benchmarking, BenchmarkingParams
from sim.rules.context import RuleContext
from sim.rules.control_bids import ControlBids, ControlBidsParams
from sim.rules.internal_invoicing import InternalInvoicing, InternalInvoicingParams
from sim.rules.learning_teams import LearningTeams, LearningTeamsParams
from sim.rules.no_tendering_guarantee import NoTenderingGuarantee, NoTenderingGuaranteeParams
from sim.state import Commitments, Procedures, Tally, Trust


@dataclass
class FakeUnit:
    """The ``Workforce`` protocol with plain arrays: employee i is posted on package i."""

    n: int = 20
    efficiency: float = 0.9
    quality: float = 0.7
    workload: float = 0.0
    skill: np.ndarray = field(default_factory=lambda: np.full(20, 0.5))
    involved: np.ndarray = field(default_factory=lambda: np.zeros(20))
    posts: np.ndarray = field(default_factory=lambda: np.arange(20) % 24)
    control: float = 0.0
    control_over_year: float = 0.0
    promises: int = 0
    followup: float = 0.0
    demand: np.ndarray = field(default_factory=lambda: np.zeros(20))

    def improve(self, gain: float) -> None:
        self.efficiency *= 1.0 - gain

    def train(self, members: np.ndarray, skill: float) -> None:
        self.skill[members] = np.minimum(1.0, self.skill[members] + skill)

    def involve(self, members: np.ndarray, hours: float) -> None:
        np.add.at(self.involved, members, hours)

    def bear_control(self, hours: float, over_year: bool = False) -> None:
        if over_year:
            self.control_over_year += hours
        else:
            self.control += hours

    def promise(self) -> None:
        self.promises += 1

    def follow_up_absence(self, share: float) -> None:
        self.followup += share

    def knowledge(self, members: np.ndarray) -> np.ndarray:
        return np.full(np.size(members), 0.5)

    def change_demands(self, members: np.ndarray, delta: float) -> None:
        self.demand[members] += delta


@dataclass
class FakeContext:
    """A tiny ``RuleContext``: real state objects, no model."""

    n_areas: int = 6
    params: Parameters = field(default_factory=Parameters)
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))
    calendar_year: int = 2010
    year_signals: Signals = field(default_factory=Signals)
    unit: FakeUnit = field(default_factory=FakeUnit)
    market: object = None
    ledger: Ledger = field(default_factory=lambda: Ledger(450.0))
    tally: Tally = field(default_factory=Tally)
    trust: Trust = field(default_factory=lambda: Trust(0.5))
    procedures: Procedures = field(default_factory=Procedures)
    tenders: TenderLog = field(default_factory=TenderLog)
    commitments: Commitments = field(default_factory=Commitments)
    peers: object = None  # no benchmarking network

    def __post_init__(self) -> None:
        self.areas = Areas(self.n_areas, 3)
        self.packages = TaskPackages(
            np.random.default_rng(1), self.n_areas, 60e6, np.ones(self.n_areas)
        )
        self.monitoring = Monitoring(self.packages.n)
        self.ideas: list[tuple] = []

    def innovate(self, origin, areas, knowledge, screened, boost=0.0):
        """Record the ideas instead of drawing their effects (``sim.innovation`` is tested
        on the model)."""
        areas = np.asarray(areas)
        self.ideas.append((origin, areas.tolist(), screened))
        done = np.ones(areas.size, dtype=bool)
        return done, done


def ctx_of(c: FakeContext) -> RuleContext:
    return c  # type-checks as the Protocol: the fake has every attribute a rule may read


def charged(ledger: Ledger, activity: str) -> tuple[float, float]:
    i = ACTIVITIES.index(activity)
    return float(ledger.dkk[i]), float(ledger.hours[i])


# ---------------------------------------------------------------- internal invoicing, control bids
@pytest.mark.parametrize("private_packages", [0, 5, 24])
def test_internal_invoicing_charges_hours_in_proportion_to_in_house_packages(private_packages):
    c = FakeContext()
    c.packages.private[:private_packages] = 1.0
    c.procedures.load = 1.5
    p = InternalInvoicingParams(
        rule="internal_invoicing", invoices_per_package=12, hours_per_invoice=3
    )
    InternalInvoicing(p).quarter(ctx_of(c), Signals())
    in_house = c.packages.n - private_packages
    dkk, hours = charged(c.ledger, "invoicing")
    assert hours == pytest.approx(in_house * 12 * 3 * 1.5 / 4)
    assert dkk == pytest.approx(hours * 450.0)
    assert c.unit.control == pytest.approx(hours)  # the unit's side of every invoice


def test_a_package_partly_private_is_still_invoiced():
    c = FakeContext()
    c.packages.private[:3] = 0.3
    InternalInvoicing(InternalInvoicingParams(rule="internal_invoicing")).quarter(
        ctx_of(c), Signals()
    )
    _, hours = charged(c.ledger, "invoicing")
    assert hours == pytest.approx(c.packages.n * 12 * 3 / 4)


def test_a_control_bid_is_counted_charged_and_priced_at_the_units_cost_plus_coverage():
    c = FakeContext()
    rule = ControlBids(
        ControlBidsParams(rule="control_bids", cost_coverage=0.06, prep_cost_rate=0.01)
    )
    plan = ProcurementPlan()
    rule.plan(ctx_of(c), plan)
    assert plan.inhouse_bidder is rule
    price = plan.inhouse_bidder.bid(ctx_of(c), 1e6, 4e6)
    assert price == pytest.approx(1e6 * 0.9 * 1.06)
    assert c.tally.control_bids == 1
    assert charged(c.ledger, "control_bids")[0] == pytest.approx(0.01 * 4e6)
    # the unit writes the bid: its hours are borne over the year (no constant 'control' signal)
    assert c.unit.control_over_year == pytest.approx(0.01 * 4e6 / 450.0)


def test_the_unit_bids_only_where_its_chance_times_what_it_keeps_exceeds_the_bid_cost():
    c = FakeContext()
    rule = ControlBids(
        ControlBidsParams(
            rule="control_bids", cost_coverage=0.06, prep_cost_rate=0.01, capacity_value=0.05
        )
    )
    p = 0
    chance = rule.win_chance(ctx_of(c), p)
    assert 0.0 < chance < 1.0
    # held share 1: gain = chance × 0.05 against the cost 0.01 × load
    c.procedures.load = 0.999 * chance * 0.05 / 0.01
    assert rule.decide(ctx_of(c), p, held=1.0)
    assert not rule.decide(ctx_of(c), p, held=0.0)  # nothing of the lot to keep: no bid
    c.procedures.load = 1.001 * chance * 0.05 / 0.01  # drift makes the bid dearer
    assert not rule.decide(ctx_of(c), p, held=1.0)
    assert rule.offer(ctx_of(c), p, 1e6, 4e6, held=1.0) is None
    assert c.tally.control_bids == 0 and charged(c.ledger, "control_bids")[0] == 0.0


def test_the_units_chance_follows_what_past_tenders_showed():
    c = FakeContext()
    rule = ControlBids(ControlBidsParams(rule="control_bids"))
    task, adv = int(c.packages.task[0]), float(c.packages.advantage[0])
    before = rule.win_chance(ctx_of(c), 0)
    for _ in range(5):  # firms bid far below the unit's cost on this task type
        c.tenders.observe(task, 0.8e6 * (1 - adv), 1e6, adv)
    assert rule.win_chance(ctx_of(c), 0) < before
    for _ in range(10):  # ... then far above it
        c.tenders.observe(task, 1.3e6 * (1 - adv), 1e6, adv)
    assert rule.win_chance(ctx_of(c), 0) > before


def test_control_bids_put_competitive_pressure_in_proportion_to_the_exposed_share():
    c = FakeContext()
    c.packages.exposed[: c.packages.n // 2] = 1.0
    share = c.packages.exposed_share()
    s = Signals()
    ControlBids(ControlBidsParams(rule="control_bids")).quarter(ctx_of(c), s)
    assert s.competition == pytest.approx(share)
    assert c.unit.control == 0.0  # no bid written this quarter, no control work borne


# ---------------------------------------------------------------- no-tendering guarantee
def test_no_tendering_guarantee_forbids_tendering_whatever_was_planned():
    c = FakeContext()
    plan = ProcurementPlan(target_tendered_share=0.3, max_tendered_share=1.0)
    NoTenderingGuarantee(NoTenderingGuaranteeParams(rule="no_tendering_guarantee")).plan(
        ctx_of(c), plan
    )
    assert plan.tendering_allowed is False
    assert plan.max_tendered_share == 0.0
    assert min(plan.target_tendered_share, plan.max_tendered_share) == 0.0
    assert c.unit.promises == 1  # a promise to the employees, kept or broken by what happens


# ---------------------------------------------------------------- benchmarking
def bench(**kw) -> Benchmarking:
    rule = Benchmarking(BenchmarkingParams(rule="benchmarking", **kw))
    rule.activate(None)
    return rule


def test_benchmarking_flags_areas_by_the_citizen_staff_gap_and_the_expectation():
    c = FakeContext()
    a = c.areas
    a.satisfaction[:] = [0.70, 0.70, 0.70, 0.60, 0.70, 0.70]
    a.staff_assessment[:] = [0.72, 0.80, 0.60, 0.60, 0.70, 0.74]
    a.expectation[:] = [0.65, 0.65, 0.65, 0.65, 0.75, 0.65]
    rule = bench(gap_threshold=0.05, expectation_margin=0.0, data_lag_years=0)
    rule.measure(ctx_of(c))
    # gap 0.02 no; 0.10 yes; 0.10 yes; below expectation yes; below expectation yes; gap 0.04 no
    assert a.flagged.tolist() == [False, True, True, True, True, False]


def test_benchmarking_flags_nothing_until_it_has_data():
    c = FakeContext()
    c.areas.satisfaction[:] = 0.2
    c.areas.staff_assessment[:] = 0.9
    c.areas.flagged[:] = True
    rule = bench(data_lag_years=2)
    for _ in range(2):
        rule.measure(ctx_of(c))
        assert not c.areas.flagged.any()
    rule.measure(ctx_of(c))
    assert c.areas.flagged.all()


# ---------------------------------------------------------------- learning teams
def teams(**kw) -> LearningTeams:
    rule = LearningTeams(LearningTeamsParams(rule="learning_teams", **kw))
    rule.activate(None)
    return rule


def test_learning_teams_form_on_flagged_areas_worst_gap_first_at_most_max_teams():
    c = FakeContext()
    a = c.areas
    a.expectation[:] = 0.7
    a.satisfaction[:] = [0.50, 0.69, 0.40, 0.60, 0.30, 0.65]
    a.flagged[:] = [
        True,
        True,
        True,
        True,
        False,
        True,
    ]  # area 4 has the worst gap but is not flagged
    rule = teams(max_teams=3, team_size=2, hours_per_member=10.0, ideas_per_team=1)
    rule.respond(ctx_of(c))
    assert np.flatnonzero(a.team).tolist() == [0, 2, 3]  # gaps −0.3, −0.2, −0.1
    assert not a.bonus.any()  # no fixed quality: the teams' ideas go through innovation
    assert c.ideas == [("employee", [2, 0, 3], True)]  # worst gap first, screened
    assert c.tally.learning_teams == 3
    members = np.flatnonzero(c.unit.involved)
    assert members.size == 3 * 2 and (c.unit.involved[members] == 10.0).all()  # all different
    # employees who know the area come first: each team is made of its area's posted employees
    area_of = c.packages.area[c.unit.posts]
    for area in (0, 2, 3):
        assert np.isin(np.flatnonzero(area_of == area), members).sum() == 2
    dkk, hours = charged(c.ledger, "learning_teams")
    assert hours == 3 * 2 * 10.0
    assert dkk == pytest.approx(hours * c.params.municipality.staff_hourly_dkk)


def test_learning_teams_form_nothing_without_flags_and_last_years_teams_end():
    c = FakeContext()
    c.areas.team[:] = True
    rule = teams()
    rule.respond(ctx_of(c))
    assert not c.areas.team.any() and c.tally.learning_teams == 0
    assert charged(c.ledger, "learning_teams") == (0.0, 0.0)


def test_learning_teams_with_fewer_flagged_areas_than_max_teams_take_them_all():
    c = FakeContext()
    c.areas.flagged[[1, 4]] = True
    teams(max_teams=4).respond(ctx_of(c))
    assert np.flatnonzero(c.areas.team).tolist() == [1, 4]


# ---------------------------------------------------------------- the state objects
def test_tally_refuses_an_unknown_counter_and_trust_an_unknown_relation():
    with pytest.raises(KeyError, match="unknown tally counter 'contol_bids'"):
        Tally().add("contol_bids", 1)
    with pytest.raises(KeyError, match="unknown trust relation"):
        Trust(0.5).set("everyone", 0.1)


def test_procedures_grow_to_the_cap_and_reset():
    p = Procedures()
    for _ in range(50):
        p.grow(0.1, 2.0)
    assert p.load == 2.0
    p.reset()
    assert p.load == 1.0


def test_every_rule_is_typed_by_its_parameters():
    for cls in RULES.values():
        base = next(b for b in cls.__orig_bases__ if getattr(b, "__origin__", None) is not None)
        assert base.__args__ == (cls.Params,), cls.key
