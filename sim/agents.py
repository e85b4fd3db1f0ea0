"""The agents of the municipality and its vectorised populations.

Mesa agents are the parties that act: the in-house unit (``InHouseUnit``: its employees'
wellbeing, sick leave and quits each quarter, its proposals and cost at year end), the
committee's politicians (``Politician``: replaced at elections) and the private firms
(``Contractor``: they bid, win, idle and leave). The model reaches them through Mesa's
``AgentSet`` (``model.agents_by_type[Contractor]``).

Where the actors are many their state is a vectorised population, updated in one numpy call
per step (DEVELOPERS.md 'keep the hot path lean'), and they are *not* Mesa agents: the
``Employees`` of the in-house unit (one array entry per position; turnover replaces the
holder) and the ``Citizens`` (tens of thousands; building 85,000 Python objects per run would
cost more than the whole simulation). ``Areas`` holds the per-area arrays (quality,
satisfaction, expectation, flags, goals) that rules read and write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.agent import AgentSet

if TYPE_CHECKING:
    from sim.model import MunicipalityModel
    from sim.rules.base import Signals
    from sim.state import Trust


class Politician(Agent):
    """A member of the technical committee: expects a quality level, may push for framework savings."""

    def __init__(self, model: MunicipalityModel) -> None:
        super().__init__(model)
        self.stand_down()

    def stand_down(self) -> None:
        """Be replaced by a newly elected member with fresh preferences."""
        pp = self.model.params.politics
        self.expectation = float(
            np.clip(self.model.rng.normal(pp.expectation_mean, 0.03), 0.0, 1.0)
        )
        self.austerity = float(np.clip(self.model.rng.normal(pp.austerity, 0.08), 0.0, 1.0))


class Contractor(Agent):
    """A private firm: cost level, markup and quality; it enters, wins, loses and leaves."""

    def __init__(self, model: MunicipalityModel) -> None:
        super().__init__(model)
        mp = model.params.market
        rng = model.rng
        self.cost = float(max(0.3, rng.normal(mp.cost_mean, mp.cost_sd)))
        self.markup = float(max(0.0, rng.normal(mp.markup, 0.015)))
        self.quality = float(np.clip(rng.normal(mp.quality_mean, 0.05), 0.0, 1.0))
        self.active = True
        self.idle_years = 0


class Market:
    """The regional pool of contractors (Mesa agents, read through the model's ``AgentSet`` of
    ``Contractor``), with entry and exit once a year. Bids are read from arrays refreshed when
    the pool changes."""

    def __init__(self, model: MunicipalityModel, n: int) -> None:
        self.model = model
        for _ in range(n):
            Contractor(model)
        self._refresh()

    @property
    def firms(self) -> AgentSet:
        """The firms in the market, in the order they entered."""
        found = self.model.agents_by_type.get(Contractor)
        return found if found is not None else AgentSet([], random=self.model.random)

    def _refresh(self) -> None:
        firms = list(self.firms)
        self.ids = np.array([f.unique_id for f in firms])
        self._arrays = (
            np.array([f.cost for f in firms]),
            np.array([f.markup for f in firms]),
            np.array([f.quality for f in firms]),
        )
        self.by_id = {f.unique_id: f for f in firms}

    def bid_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._arrays

    def quality_of(self, ids: np.ndarray) -> np.ndarray:
        return np.array([self.by_id[i].quality for i in ids]) if ids.size else np.zeros(0)

    def holding(self) -> set[int]:
        c = self.model.packages.contractor
        return set(c[c >= 0].tolist())

    def year_end(self) -> None:
        """Firms idle too long leave the market (and the model); new firms may enter (always at
        least two in the market)."""
        mp = self.model.params.market
        holding = self.holding()
        for f in list(self.firms):
            f.idle_years = 0 if f.unique_id in holding else f.idle_years + 1
            if f.idle_years >= mp.exit_after_years:  # idle firms hold no contract
                f.active = False
                f.remove()
        if (
            len(self.firms) < self.model.params.municipality.contractors
            and self.model.rng.random() < mp.entry_probability
        ):
            Contractor(self.model)
        while len(self.firms) < 2:
            Contractor(self.model)
        self._refresh()

    def active_contractors(self) -> int:
        return len(self.holding())


class Employees:
    """The in-house unit's employees as one vectorised population (not Mesa agents): entry i is
    a position; when its holder quits, a new holder takes it over with fresh state."""

    def __init__(self, rng: np.random.Generator, n: int, wellbeing_base: float) -> None:
        self.n = n
        self.wellbeing = np.clip(rng.normal(wellbeing_base, 0.4, n), 1.0, 7.0)
        self.propensity = rng.lognormal(0.0, 0.5, n)  # who tends to propose
        self.sick_offset = rng.normal(0.0, 0.02, n)
        self.trust_offset = rng.normal(
            0.0, 0.08, n
        )  # personal deviation from the unit's trust in management
        self.sick = np.zeros(n)
        self.skill = rng.uniform(0.3, 0.8, n)
        self.learn_bonus = np.zeros(n)
        self.left = np.zeros(n, dtype=bool)  # the position's holder left during this year
        self.quits = 0

    def replace(self, rng: np.random.Generator, idx: np.ndarray, wellbeing_base: float) -> None:
        """New holders take over positions `idx`."""
        self.wellbeing[idx] = np.clip(rng.normal(wellbeing_base, 0.4, idx.size), 1.0, 7.0)
        self.skill[idx] = rng.uniform(0.2, 0.5, idx.size)
        self.learn_bonus[idx] = 0.0
        self.trust_offset[idx] = rng.normal(0.0, 0.08, idx.size)
        self.left[idx] = True
        self.quits += int(idx.size)

    def turnover(self) -> float:
        """Share of positions whose holder left during the year (a share in [0, 1])."""
        return float(np.count_nonzero(self.left)) / self.n

    def new_year(self) -> None:
        self.left[:] = False
        self.quits = 0


class InHouseUnit(Agent):
    """The in-house operations unit (udfører / TME): its cost, quality and workload, and its
    ``staff`` (the vectorised ``Employees``)."""

    def __init__(self, model: MunicipalityModel, trust: Trust) -> None:
        super().__init__(model)
        mp, ep = model.params.municipality, model.params.employees
        self.params = model.params
        self.trust = trust
        self.staff = Employees(model.rng, mp.employees, ep.wellbeing_base)
        self.sick_effort = 0.0  # accumulated effect of a sick-leave goal
        self.efficiency = 1.0  # cost per unit of volume, relative to the reference
        self.innovation = 0.0  # quality gained from implemented proposals (decays)
        self.workload = 0.0  # pressure from framework cuts not buffered

    @property
    def n(self) -> int:
        return self.staff.n

    @property
    def quality(self) -> float:
        ip = self.params.inhouse
        st = self.staff
        return float(
            np.clip(
                ip.quality_base
                + 0.1 * (st.skill.mean() - 0.55)
                + 0.02 * (st.wellbeing.mean() - 5.5)
                + self.innovation
                - 0.5 * self.workload,
                0.0,
                1.0,
            )
        )

    def step_quarter(self, s: Signals, years_elapsed: float) -> None:
        """Wellbeing drifts toward what governance makes of the job; sick leave and quits follow."""
        ep = self.params.employees
        rng = self.model.rng
        st = self.staff
        trust = self.trust["employees_management"]
        target = (
            ep.wellbeing_base
            + ep.participation_effect * s.participation
            + ep.security_effect * s.security
            - ep.control_effect * s.control
            - ep.workload_effect * self.workload
            + 0.6 * (trust - 0.5)
            + st.learn_bonus
        )
        st.wellbeing += ep.wellbeing_rate * (target - st.wellbeing) + rng.normal(0.0, 0.05, st.n)
        np.clip(st.wellbeing, 1.0, 7.0, out=st.wellbeing)
        st.learn_bonus *= 0.85
        self.sick_effort += s.sick_leave_effort / 4
        st.sick = np.clip(
            ep.sick_leave_base
            + ep.sick_leave_trend * years_elapsed
            - ep.sick_leave_wellbeing_slope * (st.wellbeing - ep.wellbeing_base)
            + st.sick_offset
            - self.sick_effort,
            0.0,
            0.6,
        )
        # a probability: at very low wellbeing every holder may quit, never more than that
        quit_p = np.minimum(
            1.0, ep.turnover_base / 4 * np.exp(-0.8 * (st.wellbeing - ep.wellbeing_base))
        )
        quits = np.flatnonzero(rng.random(st.n) < quit_p)
        if quits.size:
            st.replace(rng, quits, ep.wellbeing_base)
        st.skill += 0.01 * (1.0 - st.skill)

    def train(self, members: np.ndarray, wellbeing: float, skill: float) -> None:
        """Employees `members` (indices) gain a wellbeing bonus (decaying) and skill (at most 1)."""
        st = self.staff
        st.learn_bonus[members] += wellbeing
        st.skill[members] = np.minimum(1.0, st.skill[members] + skill)

    def trust_in_management(self) -> np.ndarray:
        """Each employee's trust in management: the relation's level plus a personal offset."""
        return np.clip(self.trust["employees_management"] + self.staff.trust_offset, 0.0, 1.0)

    def propose(self, s: Signals) -> tuple[int, int, int, int]:
        """Employees propose improvements; management considers, accepts and implements some."""
        ep, ip = self.params.employees, self.params.inhouse
        rng = self.model.rng
        trust = self.trust["employees_management"]
        lam = ep.proposal_rate * s.proposal_boost * (1.0 + s.participation)
        made = int(
            rng.poisson(lam * self.staff.propensity * (0.5 + self.trust_in_management())).sum()
        )
        considered = int(rng.binomial(made, min(1.0, s.consideration)))
        accepted = int(rng.binomial(considered, min(1.0, 0.35 + 0.3 * trust)))
        implemented = int(rng.binomial(accepted, min(1.0, 0.55 + s.implementation_boost)))
        self.improve(ip.innovation_gain * implemented)
        self.innovation = 0.5 * self.innovation + ip.innovation_quality * implemented
        return made, considered, accepted, implemented

    def improve(self, gain: float) -> None:
        """Lower the unit's cost by `gain` (a share, at reference cost) with diminishing returns:
        the closer to the efficiency floor, the less the same effort saves."""
        floor = self.params.inhouse.efficiency_floor
        self.efficiency = floor + (self.efficiency - floor) * max(0.0, 1.0 - gain / (1.0 - floor))

    def year_end(self, s: Signals) -> None:
        """Competitive pressure makes the unit cheaper (stylised fact 2)."""
        self.improve(self.params.inhouse.pressure_gain * min(1.0, s.competition))


class Citizens:
    """The citizens of all areas as one vectorised population.

    Citizen i lives in ``area[i]`` and has a persistent personal bias. Perceptions follow the
    real quality of the area with partial adaptation each year; because that update is linear
    and the same for everyone in an area, citizen i's perception is exactly
    ``level[area[i]] + bias[i]`` — so a year costs O(areas + survey sample), not O(citizens).
    """

    def __init__(
        self, rng: np.random.Generator, n: int, area_weight: np.ndarray, bias_sd: float
    ) -> None:
        # citizens are exchangeable within an area: draw how many live where, then list them
        self.count = rng.multinomial(n, area_weight / area_weight.sum())
        self.area = np.repeat(np.arange(area_weight.size), self.count)
        self.bias = rng.standard_normal(n, dtype=np.float32) * np.float32(bias_sd)
        self.n_areas = area_weight.size
        self.level = np.zeros(self.n_areas)

    @property
    def perceived(self) -> np.ndarray:
        """Every citizen's perceived quality of their area (computed on demand)."""
        return self.level[self.area] + self.bias

    def perceive(self, quality: np.ndarray, adaptation: float, first: bool) -> None:
        if first:
            self.level[:] = quality
        else:
            self.level += adaptation * (quality - self.level)

    def survey(self, rng: np.random.Generator, sample: int) -> np.ndarray:
        """Mean answer (0–1) per area from a random sample of citizens; an area nobody in the
        sample lives in gets the mean of all its citizens' answers."""
        idx = rng.integers(0, self.area.size, size=min(sample, self.area.size))
        where = self.area[idx]
        ans = np.clip(
            self.level[where] + self.bias[idx] + rng.normal(0.0, 0.05, idx.size), 0.0, 1.0
        )
        n = np.bincount(where, minlength=self.n_areas)
        tot = np.bincount(where, weights=ans, minlength=self.n_areas)
        if (n == 0).any():
            everyone = np.bincount(
                self.area, weights=np.clip(self.perceived, 0, 1), minlength=self.n_areas
            )
            return np.where(n > 0, tot / np.maximum(n, 1), everyone / np.maximum(self.count, 1))
        return tot / n


class Areas:
    """Vectorised state of the geographic areas (seed 000's units of measurement)."""

    def __init__(self, n: int, side: int) -> None:
        self.n = n
        self.x = np.arange(n) % side
        self.y = np.arange(n) // side
        self.quality = np.zeros(n)
        self.satisfaction = np.zeros(n)
        self.staff_assessment = np.zeros(n)
        self.expectation = np.zeros(n)
        self.offset = np.zeros(n)
        self.bonus = np.zeros(n)  # quality from learning teams, goal follow-up, consensus tasks
        self.flagged = np.zeros(n, dtype=bool)
        self.team = np.zeros(n, dtype=bool)
        self.goal = np.full(n, np.nan)
        self.status = np.zeros(n, dtype=int)  # 0 none, 1 green, 2 yellow, 3 red
