"""The municipality as a Mesa model: agents act, governance rules steer, the model keeps time.

One step is one quarter (regime switches such as 1 April 2011 fall on quarter boundaries;
sick leave is reported quarterly in E12). The year is the unit of measurement: procurement
and budgets at the start of a year, surveys, benchmarking, learning, trust at its end. The
model never asks which governance model it runs: it calls the phases of whatever rules are
active (see ``sim.rules.base``), in the order ``sim.rules.schedule`` derives from their
declared reads and writes, and hands each phase the narrow ``RuleContext``
(``sim.rules.context``) instead of itself. The state lives in objects that own it
(``sim.state``, ``Areas``, ``InHouseUnit``, ``TaskPackages``, ``Ledger``, ``TenderLog``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from mesa import Model

from sim.agents import (
    Areas,
    Citizens,
    GoalStatus,
    InHouseUnit,
    Market,
    Politician,
    odds_probability,
)
from sim.arrays import add, clip, mean
from sim.errors import check_seed, check_years
from sim.innovation import adopt
from sim.ledger import ACTIVITIES, Ledger
from sim.metrics import (
    AREA_COLUMNS,
    YEARLY_COLUMNS,
    YearlyDataCollector,
    area_record,
    model_reporters,
    year_record,
)
from sim.monitoring import Monitoring
from sim.packages import TaskPackages
from sim.procurement import TenderLog
from sim.rules import ProcurementPlan, Signals, build_rule, schedule
from sim.rules.base import PHASES
from sim.rules.context import ModelContext
from sim.scenario import Scenario, load_scenario
from sim.state import Commitments, Procedures, Tally, Trust

# goal states as plain ints: numpy compares an array with an IntEnum member several times slower
_NONE, _GREEN, _YELLOW = int(GoalStatus.NONE), int(GoalStatus.GREEN), int(GoalStatus.YELLOW)


class MunicipalityModel(Model):
    """A municipality's operational services under a scenario's governance rules."""

    def __init__(
        self,
        scenario: Scenario | str | dict = "bum",
        seed: int = 0,
        years: int | None = None,
        collect: bool = True,
        market: Market | None = None,
    ) -> None:
        """
        Args:
            scenario: a Scenario, a preset name, a YAML path or a mapping.
            seed: seed of every random draw in the run.
            years: run length; defaults to the scenario's ``years``.
            collect: keep Mesa's DataCollector (for Mesa's own tools such as ``batch_run``);
                ``sim.run`` reads the yearly records directly and switches it off.
            market: a market hosted elsewhere that the municipality buys from (a population's
                regional market, ``sim.population.market``); its host settles it at year end.
                None (a single run): the municipality's own market of
                ``municipality.contractors`` firms, settled at its own year end.
        """
        super().__init__(seed=seed)
        self.scenario = load_scenario(scenario)
        self.seed_value = seed
        self.params = p = self.scenario.parameters
        mp = p.municipality
        rng = self.rng
        self.years = int(years if years is not None else self.scenario.years)
        check_years(self.years)
        check_seed(seed)
        self.n_quarters = 4 * self.years
        self.start_year = self.scenario.start_year
        self.calendar_year = self.start_year

        self.n_areas = mp.areas
        area_weight = rng.lognormal(0.0, mp.area_size_sd, self.n_areas)
        self.trust = Trust(p.trust.initial)
        self.packages = TaskPackages(rng, self.n_areas, mp.task_volume_dkk, area_weight, p.tasks)
        self.owns_market = market is None
        # what a benchmarking network of a population shares (sim.population.network); None
        # in a single run
        self.peers = None
        self.market = Market(self, mp.contractors) if market is None else market
        self.unit = InHouseUnit(self, self.trust)
        for _ in range(p.politics.committee_size):
            Politician(self)
        # the members in the order they were created (as Mesa's AgentSet iterates them); members
        # are replaced at elections by new preferences, never as agents
        self._committee = list(self.agents_by_type[Politician])
        self.areas = Areas(self.n_areas, math.ceil(math.sqrt(self.n_areas)))
        self.areas.offset[:] = rng.normal(0.0, p.politics.area_expectation_sd, self.n_areas)
        self._set_expectations()
        self.citizens = Citizens(
            rng, mp.citizens, area_weight, p.citizens.bias_sd
        )  # vectorised, not agents

        self.ledger = Ledger(mp.admin_hourly_dkk)
        self.procedures = Procedures()
        self.tenders = TenderLog(p.tasks)
        self.commitments = Commitments()
        self.monitoring = Monitoring(self.packages.n)
        # the municipality buys in the market (on its own penalty terms)
        self.market.serve(self.packages, self.monitoring, p.monitoring.penalty_share)
        # quality lost this year to undetected shortfalls, per package (set by monitoring)
        self.loss_in = self.loss_pr = np.zeros(self.packages.n)
        self.prev_quality: np.ndarray | None = None
        self.budget = mp.budget_dkk
        self.cut_dkk = 0.0
        self.baseline_cost: float | None = None

        self.regime_starts = self.scenario.regime_quarters()
        self.regimes = [[build_rule(rp) for rp in reg.rules] for reg in self.scenario.regime_list()]
        self.regime_index = -1
        self.active: list = []
        self.by_phase: dict[str, list] = {ph: [] for ph in (*PHASES, "all")}
        self.ctx = ModelContext(self)  # what rules see

        self.t = 0
        self.tally = Tally()
        self.signals = Signals()
        self._signal_sum = Signals.zero()
        self.year_signals = Signals()
        self.record: dict[str, float] = {}
        self.rows: list[dict[str, float]] = []
        self.area_rows: list[dict[str, np.ndarray]] = []
        self.admin_rows: list[tuple[int, np.ndarray, np.ndarray]] = []
        self.datacollector = (
            YearlyDataCollector(model_reporters=model_reporters()) if collect else None
        )
        self.running = True
        self._warm_start()

    def _warm_start(self) -> None:
        """Start in the steady state of the first regime: contracts already let, with staggered
        remaining terms, as in a municipality that has run this way for years. The set-up's
        tenders are logged with year = start_year − 1 and charged to no year."""
        self.calendar_year = self.start_year - 1
        if not self.owns_market:
            self.market.touch()
        self._switch_regime(0)
        self._procure()
        pk = self.packages
        lots = pk.exposed > 0
        if lots.any():
            term = max(1, int(pk.end[lots].max() - self.calendar_year))
            pk.end[lots] = self.start_year + self.rng.integers(0, term, size=int(lots.sum()))
        self.ledger.close_year()
        self.tally = Tally()
        self.commitments = Commitments()
        self.unit.start_tracking(pk)
        self.calendar_year = self.start_year
        self.package_q = self.package_quality()

    @property
    def politicians(self):
        """The committee (Mesa's ``AgentSet`` of ``Politician``)."""
        return self.agents_by_type[Politician]

    @property
    def tender_log(self) -> list[tuple]:
        """Every tender of the run (``sim.procurement.TENDER_COLUMNS``)."""
        return self.tenders.rows

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One quarter."""
        if not self.owns_market:
            self.market.touch()  # this buyer's contracts may change now
        qi = self.t % 4
        self.calendar_year = self.start_year + self.t // 4
        if qi == 0:
            self._begin_year()
        switching = (
            self.regime_index + 1 < len(self.regime_starts)
            and self.t >= self.regime_starts[self.regime_index + 1]
        )
        if switching:
            self._switch_regime(self.regime_index + 1)
        if qi == 0 or switching:
            self._procure()
        self._quarter()
        if qi + 1 == 4:  # the last quarter of the year
            self._end_year()
        self.t += 1
        if self.t >= self.n_quarters:
            self.running = False
        # every quarter, because mesa.batch_run reads collected row i as step i; between year
        # ends the reporters show the latest year-end record (NaN before the first)
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def _begin_year(self) -> None:
        """The committee reads last year's results: expectations adapt, elections are held in
        election years, and a framework cut is decided. Providers decide their effort."""
        pp = self.params.politics
        self.tally = Tally()
        self.commitments = Commitments()
        self.unit.new_year()
        elapsed = self.calendar_year - self.start_year
        if self.rows:
            last = self.rows[-1]
            sat = last["citizen_satisfaction"]
            before = self._mean_expectation()
            for pol in self._committee:
                pol.adapt(sat)
            if elapsed % pp.election_period == 0:
                self.tally.add("elections", 1)
                for pol in self._committee:
                    if pol.replaced_at_election(sat):
                        pol.stand_down()
            self._shift_expectations(self._mean_expectation() - before)
            austerity = float(mean(np.array([pol.austerity for pol in self._committee])))
            overspend = max(0.0, -last["freed_dkk"] / max(self.budget, 1.0))
            distrust = 0.5 - self.trust["politicians_administration"]
            p_cut = odds_probability(
                austerity, pp.fiscal_pressure_weight * overspend + pp.distrust_cut_weight * distrust
            )
            if self.rng.random() < p_cut:
                cut = pp.cut_size * self.budget
                self.budget -= cut
                self.cut_dkk += cut
                self.tally.add("budget_cuts", 1)
        self.monitoring.begin_year(
            self.rng, self.params.monitoring, self.packages, self.trust["employees_management"]
        )

    def _mean_expectation(self) -> float:
        return float(mean(np.array([pol.expectation for pol in self._committee])))

    def _shift_expectations(self, delta: float) -> None:
        a = self.areas
        a.expectation[:] = clip(a.expectation + delta, 0.0, 1.0)

    def _set_expectations(self) -> None:
        self.areas.expectation[:] = clip(self._mean_expectation() + self.areas.offset, 0.0, 1.0)

    def _switch_regime(self, i: int) -> None:
        ctx = self.ctx
        for rule in self.by_phase["all"]:
            rule.deactivate(ctx)
        if i > 0:
            self.ledger.charge("transition", self.scenario.transition_cost_dkk)
        self.regime_index = i
        self.active = self.regimes[i]
        self.by_phase = schedule(
            self.active
        )  # the order follows the rules' declarations, not the file
        for rule in self.by_phase["all"]:
            rule.activate(ctx)

    @property
    def regime_pending(self) -> bool:
        """True while a later regime of the scenario (or one adopted) has yet to start."""
        return self.regime_index + 1 < len(self.regime_starts)

    def adopt_regime(self, rules: Sequence[Any]) -> None:
        """Adopt a new regime of `rules` (rule parameter objects) from the next quarter on, as
        if the scenario had listed it there: the same switch as a scheduled one (the old rules
        deactivated, the transition cost charged, procurement under the new rules), while the
        unit, its employees, the packages, contracts and trust carry over. A population's
        diffusion of governance models (``sim.population.diffusion``) calls it at a year end."""
        if self.regime_pending:
            raise ValueError("a regime is already scheduled to start")
        self.regimes.append([build_rule(rp) for rp in rules])
        self.regime_starts.append(self.t)

    def _procure(self) -> None:
        plan, ctx = ProcurementPlan(), self.ctx
        for rule in self.by_phase["plan"]:
            rule.plan(ctx, plan)
        for rule in self.by_phase["procure"]:
            rule.procure(ctx, plan)
        self.packages.release_expired(self.calendar_year)
        self.unit.adjust_staff(self.packages)  # headcount follows the in-house volume

    def _quarter(self) -> None:
        mp, ip = self.params.municipality, self.params.inhouse
        s, ctx = Signals(consideration=self.params.employees.consideration), self.ctx
        for rule in self.by_phase["quarter"]:
            rule.quarter(ctx, s)
        self.signals = s
        self._signal_sum.add(s)
        pk = self.packages
        inhouse_cost = pk.inhouse_volume() * self.unit.efficiency
        absorbed = min(self.cut_dkk, inhouse_cost)
        self.unit.workload = (
            absorbed
            / max(inhouse_cost, 1.0)
            * (1.0 - ip.outside_work_buffer * min(1.0, s.outside_work))
        )
        tally = self.tally
        tally.add("production", (inhouse_cost - absorbed + float(add(pk.price))) / 4)
        self.ledger.charge("ordering", mp.ordering_share * pk.total_volume / 4)
        self.unit.step_quarter(self.t / 4)
        tally.add("sick_sum", float(mean(self.unit.staff.sick)))
        tally.add("quarters", 1)

    def _end_year(self) -> None:
        cp, tp, mp = self.params.citizens, self.params.trust, self.params.municipality
        a, rng = self.areas, self.rng
        self.year_signals = self._signal_sum.scaled(1.0 / 4)
        self._signal_sum = Signals.zero()
        # monitoring: which shortfalls were found and corrected; firms pay penalties
        flagged = a.flagged.astype(float)
        self.loss_in, self.loss_pr = self.monitoring.resolve(
            rng, self.params.monitoring, self.packages, flagged, self.commitments
        )
        self.tally.add("shortfalls_found", self.monitoring.found)
        self.tally.add("production", -self.monitoring.penalty_dkk)
        # what is delivered, as citizens and staff see it (seed 000: the holistic view of an area)
        self.package_q = self.package_quality()
        a.quality[:] = clip(self.area_quality() + a.bonus, 0.0, 1.0)
        self.citizens.perceive(a.quality, cp.adaptation, first=not self.rows)
        halo = tp.survey_halo * (self.trust["citizens_municipality"] - 0.5)
        a.satisfaction[:] = self.citizens.survey(rng, cp.survey_sample, cp.survey_noise, halo)
        # the professional staff's holistic assessment of each area (seed 000's comparison)
        a.staff_assessment[:] = clip(
            a.quality + mp.staff_optimism + rng.normal(0.0, mp.staff_assessment_sd, a.n), 0.0, 1.0
        )
        y, ctx = self.tally, self.ctx
        y.set("expectation_gap", float(mean(a.satisfaction - a.expectation)))
        self._proposals()
        for rule in self.by_phase["measure"]:
            rule.measure(ctx)
        self._area_commitments()
        for rule in self.by_phase["respond"]:
            rule.respond(ctx)
        self.unit.year_end(self.year_signals.competition)
        for rule in self.by_phase["adapt"]:
            rule.adapt(ctx)
        self._record_year()
        if self.owns_market:  # a shared market is settled by its host after all its buyers
            self.market.year_end()
        a.bonus *= 1.0 - self.params.innovation.improvement_decay

    def _proposals(self) -> None:
        """Employees propose; management considers a share, screens and implements some; each
        proposer's voice follows what happened to their proposals."""
        unit, y = self.unit, self.tally
        made, considered = unit.propose(self.year_signals.consideration)
        proposers = np.repeat(np.arange(unit.n), considered)
        areas = self.packages.area[unit.posts[proposers]]
        accepted, done = adopt(
            self.ctx,
            "employee",
            areas,
            unit.knowledge(proposers),
            screened=True,
            boost=self.year_signals.implementation_boost,
        )
        implemented = np.bincount(proposers[done], minlength=unit.n)
        cv = self.params.employees.considered_voice  # an implemented proposal counts 1
        unit.experience_voice(made, cv * considered + (1.0 - cv) * implemented)
        y.set("proposals_made", int(made.sum()))
        y.set("proposals_considered", int(considered.sum()))
        y.set("proposals_accepted", int(accepted.sum()))
        y.set("proposals_implemented", int(done.sum()))

    def _area_commitments(self) -> None:
        """What politicians and citizens hold the municipality to, area by area: an area meets
        its goal (green or yellow, where dialogue set one) or the political expectation; the
        quality citizens get is kept or falls."""
        a, c = self.areas, self.commitments
        pp, cp = self.params.politics, self.params.citizens
        has_goal = a.status != _NONE
        met = np.where(
            has_goal,
            (a.status == _GREEN) | (a.status == _YELLOW),
            a.satisfaction >= a.expectation - pp.tolerance,
        )
        c.keep("politicians_administration", int(np.count_nonzero(met)))
        c.break_("politicians_administration", int(np.count_nonzero(~met)))
        if self.prev_quality is not None:
            held = a.quality >= self.prev_quality - cp.tolerance
            c.keep("citizens_municipality", int(np.count_nonzero(held)))
            c.break_("citizens_municipality", int(np.count_nonzero(~held)))
        self.prev_quality = a.quality.copy()

    # ------------------------------------------------------------------ state read-outs
    def package_quality(self) -> np.ndarray:
        pk = self.packages
        firm_q = np.zeros(pk.n)
        held = pk.contractor >= 0
        if np.count_nonzero(held):
            firm_q[held] = self.market.quality_of(pk.contractor[held])
        loss_in, loss_pr = self.loss_in, self.loss_pr
        inhouse_q = clip(self.unit.quality - loss_in, 0.0, 1.0)
        return (1.0 - pk.private) * inhouse_q + pk.private * clip(firm_q - loss_pr, 0.0, 1.0)

    def area_quality(self) -> np.ndarray:
        pk = self.packages
        num = np.bincount(pk.area, weights=pk.volume * self.package_q, minlength=self.n_areas)
        den = np.bincount(pk.area, weights=pk.volume, minlength=self.n_areas)
        return num / den

    def _record_year(self) -> None:
        dkk, hours = self.ledger.close_year()
        self.record = year_record(self, float(add(dkk)), float(add(hours)))
        if self.baseline_cost is None:
            self.baseline_cost = self.record["total_cost_dkk"]
        self.unit.staff.new_year()
        self.rows.append(self.record)
        self.admin_rows.append((self.calendar_year, dkk, hours))
        self.area_rows.append(area_record(self))

    def run(self) -> None:
        while self.running:
            self.step()


__all__ = ["MunicipalityModel", "YEARLY_COLUMNS", "AREA_COLUMNS", "ACTIVITIES"]
