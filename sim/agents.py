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

import math
from enum import IntEnum, auto
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.agent import AgentSet

from sim.arrays import add, clip, low, mean
from sim.packages import task_attribute
from sim.state import update_trust

if TYPE_CHECKING:
    from sim.model import MunicipalityModel
    from sim.packages import TaskPackages
    from sim.state import Trust


EPS = 1e-9


class Politician(Agent):
    """A member of the technical committee: expects a satisfaction level and is inclined to cut.

    Expectations adapt each year toward the satisfaction the member saw plus an ambition
    (aspiration adaptation); at an election the member is replaced with a probability that
    falls with how far satisfaction met the member's expectation (retrospective voting)."""

    def __init__(self, model: MunicipalityModel) -> None:
        super().__init__(model)
        self.stand_down()

    def stand_down(self) -> None:
        """Be replaced by a newly elected member with fresh preferences."""
        pp = self.model.params.politics
        rng = self.model.rng
        self.expectation = clip01(float(rng.normal(pp.expectation_mean, pp.expectation_sd)))
        self.austerity = clip01(float(rng.normal(pp.austerity, pp.austerity_sd)))

    def adapt(self, satisfaction: float) -> None:
        """Move the expectation toward what was seen plus the member's ambition."""
        pp = self.model.params.politics
        goal = satisfaction + pp.ambition
        self.expectation = clip01(
            self.expectation + pp.expectation_adaptation * (goal - self.expectation)
        )

    def replaced_at_election(self, satisfaction: float) -> bool:
        """Whether the voters replace this member: the odds of the base turnover, lowered when
        satisfaction met the member's expectation and raised when it fell short."""
        pp = self.model.params.politics
        return bool(
            self.model.rng.random()
            < odds_probability(
                pp.turnover_at_election,
                -pp.election_sensitivity * (satisfaction - self.expectation),
            )
        )


def clip01(x: float) -> float:
    """`x` bounded to [0, 1] (a plain float: numpy's clip costs microseconds per scalar)."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def odds_probability(p: float, log_odds_shift: float) -> float:
    """The probability whose odds are those of `p` times exp(`log_odds_shift`)."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    odds = p / (1.0 - p) * np.exp(log_odds_shift)
    return float(odds / (1.0 + odds))


class Contractor(Agent):
    """A private firm of the regional market. Its state (cost, capacity, tasks, experience,
    profit) is a row of the ``Market``'s arrays, so that bids are one vectorised computation;
    the agent is the firm's identity (``unique_id``, held in ``TaskPackages.contractor``) and
    its place in Mesa's ``AgentSet``."""

    def __init__(self, model: MunicipalityModel, market: Market) -> None:
        super().__init__(model)
        self.market = market
        self.active = True
        market._add(self)

    def _row(self) -> int:
        return int(self.market.rows(np.array([self.unique_id]))[0])

    @property
    def cost(self) -> float:
        """Cost level (× reference) on the firm's cheapest task type, today."""
        m = self.market
        return float(np.nanmin(np.where(m.does, m.core_cost(), np.nan)[self._row()]))

    @property
    def markup(self) -> float:
        return float(self.market.markup[self._row()])

    @property
    def quality(self) -> float:
        return float(self.market.quality[self._row()])


class ContractBook:
    """One buyer's contracts as the market sees them, per package of the buyer: the terms
    (indexation share, termination clause, exclusion), the price and delivery cost at the
    award, the input-cost index at the award, shortfalls found so far and whether the
    contract was terminated. A firm's exclusion from this buyer's tenders is kept by firm id.
    The penalty share is the buyer's (``monitoring.penalty_share``): a regional market settles
    each buyer's contracts on that buyer's terms."""

    def __init__(self, packages, monitoring, penalty_share: float = 0.0) -> None:
        n = packages.n
        self.packages = packages
        self.monitoring = monitoring
        self.penalty_share = float(penalty_share)
        self.base_price = np.zeros(n)  # realised yearly price at the award (index of the award)
        self.cost0 = np.zeros(n)  # the firm's yearly delivery cost at the award
        self.core0 = np.ones(n)  # the firm's core cost factor on the task at the award
        self.index0 = np.ones(n)
        self.indexation = np.ones(n)
        self.termination_after = np.zeros(n, dtype=int)
        self.exclusion_years = np.zeros(n, dtype=int)
        self.strikes = np.zeros(n, dtype=int)
        self.terminated = np.zeros(n, dtype=bool)
        self.excluded_until: dict[int, int] = {}  # firm id → first year it may bid again

    def excluded(self, ids: np.ndarray, year: int) -> np.ndarray:
        """Whether each firm of `ids` is excluded from this buyer's tenders in `year`."""
        if not self.excluded_until:
            return np.zeros(ids.size, dtype=bool)
        return np.array([self.excluded_until.get(i, year) > year for i in ids.tolist()], dtype=bool)


class Market:
    """The regional market of private contractors (Mesa agents ``Contractor``; their state in
    numpy arrays, one row per firm in the order they entered).

    The market is regional: buyers register their task packages (``serve``), every firm's
    capacity is shared by all its contracts with all buyers and by the work of other buyers
    outside the model (``market.other_buyers_load``). Firms decide (Domberger, Hall & Li 1995;
    Hodge 2000; Bel, Fageda & Warner 2010; Brown & Potoski 2003):

    - **cost** changes over time: learning by doing on the volume delivered per task type
      (Argote & Epple 1990), productivity growth, and a sector input-cost index;
    - **capacity and backlog**: a firm near capacity bids dearer, over it not at all
      (Jofre-Bonet & Pesendorfer 2003);
    - **specialisation and local presence**: each firm does some task types (the share of
      firms doing a type is ``tasks.<task>_market_thickness``) and is cheaper in areas where it
      already works;
    - **participation**: a firm bids only when its expected profit — its chance to win against
      the rivals it expects times its margin — exceeds its cost of preparing the bid (E6);
    - **markups** fall with the rivals it expects (read from the bids of past tenders, as
      award notices report them; KFST 2018: 3.6 bids per Danish EU tender) and the incumbent
      keeps part of its informational advantage;
    - **entry and exit** follow profit: a firm with no contract that made no profit for
      ``market.exit_after_years`` leaves; one enters when last year's margins beat
      ``market.entry_margin``, up to the `n` firms the market starts with.

    `model` is the market's host: the Mesa model its firms belong to, whose ``rng``,
    ``params.market``, ``params.tasks`` and ``calendar_year`` it reads. A single run's
    municipality hosts its own market (and settles it at its year end, ``owns_market``); in a
    population with regional markets a ``sim.population.market.RegionalMarket`` hosts one
    market that several municipalities buy from, and the region settles it once a year after
    all of them (``sim.population.run.Region``).
    """

    def __init__(self, model, n: int) -> None:
        self.model = model
        self.max_firms = int(n)  # the most that profit-driven entry lets into the market
        mp = model.params.market
        self.mp = mp
        self.thickness = task_attribute(model.params.tasks, "market_thickness")
        k = self.thickness.size
        self.ids = np.zeros(0, dtype=int)
        self.base_cost = np.zeros(0)
        self.markup = np.zeros(0)
        self.quality = np.zeros(0)
        self.capacity = np.zeros(0)
        self.does = np.zeros((0, k), dtype=bool)
        self.experience = np.zeros((0, k))
        self.experience0 = np.ones((0, k))
        self.efficiency = np.zeros(0)
        self.profit = np.zeros(0)  # this year's profit in the market (DKK)
        self.revenue = np.zeros(0)
        self.loss_years = np.zeros(0, dtype=int)
        self.index = 1.0  # the sector's input-cost index (real, 1 at the start)
        self.books: list[ContractBook] = []
        self.margin = np.nan  # last year's profit share of revenue over all firms
        self.terminations = 0  # contracts terminated this year
        self._cost = np.zeros(0)  # the last tender's yearly delivery cost per firm
        self._core: np.ndarray | None = None  # core_cost(), computed when needed
        # several buyers: the volume other buyers' contracts hold per firm, cached while only
        # one buyer acts (``touch`` starts a new epoch whenever another may change its contracts)
        self.epoch = 0
        self._others: tuple[tuple[int, int], np.ndarray] | None = None
        for _ in range(n):
            Contractor(model, self)
        # before any tender here firms expect the national mean number of bids (KFST 2018),
        # at most the firms that do the task type
        self.expected_bidders = np.minimum(
            self.does.sum(axis=0).astype(float), 1.0 + mp.reference_rivals
        )

    # ------------------------------------------------------------ the pool
    @property
    def firms(self) -> AgentSet:
        """The firms in the market, in the order they entered."""
        found = self.model.agents_by_type.get(Contractor)
        return found if found is not None else AgentSet([], random=self.model.random)

    def _add(self, firm: Contractor) -> None:
        """Append the row of a new firm: its cost level, markup, quality, capacity, task types
        (each with probability its market thickness, at least one) and experience."""
        mp, rng = self.mp, self.model.rng
        cost = max(mp.cost_min, rng.normal(mp.cost_mean, mp.cost_sd))
        markup = max(0.0, rng.normal(mp.markup, mp.markup_sd))
        quality = clip01(float(rng.normal(mp.quality_mean, mp.quality_sd)))
        capacity = mp.capacity_dkk * rng.lognormal(0.0, mp.capacity_sd)
        u = rng.random(self.thickness.size)
        does = u < self.thickness
        if not does.any():
            does[int(np.argmin(u / self.thickness))] = True
        # experience: years of the work the firm does for other buyers, spread over its tasks
        yearly = mp.other_buyers_load * capacity / np.count_nonzero(does)
        exp0 = np.where(does, mp.initial_experience_years * max(yearly, EPS), 1.0)
        cat = np.concatenate  # np.append / np.vstack without their wrappers
        self.ids = cat((self.ids, (firm.unique_id,)))
        self.base_cost = cat((self.base_cost, (cost,)))
        self.markup = cat((self.markup, (markup,)))
        self.quality = cat((self.quality, (quality,)))
        self.capacity = cat((self.capacity, (capacity,)))
        self.does = cat((self.does, does[None, :]))
        self.experience = cat((self.experience, exp0[None, :]))
        self.experience0 = cat((self.experience0, exp0[None, :]))
        self.efficiency = cat((self.efficiency, (1.0,)))
        self.profit = cat((self.profit, (0.0,)))
        self.revenue = cat((self.revenue, (0.0,)))
        self.loss_years = cat((self.loss_years, (0,)))
        self._cost = cat((self._cost, (0.0,)))
        self._core = None
        self.touch()

    def _remove(self, gone: np.ndarray) -> None:
        """Firms in rows `gone` (a mask) leave the market and the model."""
        if not np.count_nonzero(gone):
            self.touch()
            return
        by_id = self.by_id
        for i in gone.nonzero()[0]:
            f = by_id[int(self.ids[i])]
            f.active = False
            f.remove()
        keep = ~gone
        for name in (
            "ids",
            "base_cost",
            "markup",
            "quality",
            "capacity",
            "does",
            "experience",
            "experience0",
            "efficiency",
            "profit",
            "revenue",
            "loss_years",
            "_cost",
        ):
            setattr(self, name, getattr(self, name)[keep])
        self._core = None
        self.touch()

    def touch(self) -> None:
        """Some buyer may change its contracts now (a municipality sharing the market starts its
        quarter; firms enter or leave): what other buyers hold must be summed afresh."""
        self.epoch += 1
        self._others = None

    @property
    def by_id(self) -> dict[int, Contractor]:
        return {f.unique_id: f for f in self.firms}

    def _row_of(self, firm: int) -> int:
        """Row of firm id `firm`, or -1 if no firm in the market has it."""
        r = int(self.ids.searchsorted(firm))
        return r if r < self.ids.size and self.ids[r] == firm else -1

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Row of each firm id (ids grow with entry, so the rows are sorted by id)."""
        return self.ids.searchsorted(ids)

    def serve(self, packages, monitoring, penalty_share: float = 0.0) -> ContractBook:
        """Register a buyer: its task packages, its monitoring (shortfalls found) and the share
        of a contract's price its penalty for a shortfall found takes."""
        book = ContractBook(packages, monitoring, penalty_share)
        self.books.append(book)
        self.touch()
        return book

    def book_of(self, packages) -> ContractBook:
        for b in self.books:
            if b.packages is packages:
                return b
        raise KeyError("these packages are not served by the market (Market.serve)")

    # ------------------------------------------------------------ state read-outs
    def core_cost(self) -> np.ndarray:
        """Each firm's cost factor (× reference) per task type, before the input-cost index and
        the lot: cost level × productivity × learning (it changes at year end and on entry)."""
        if self._core is None:
            learn = (self.experience / self.experience0) ** (-self.mp.learning_elasticity)
            self._core = (self.base_cost * self.efficiency)[:, None] * learn
        return self._core

    def held_volume(self, skip: tuple[TaskPackages, int] | None = None) -> np.ndarray:
        """Volume (DKK/yr at reference cost) each firm delivers under contract, for all buyers;
        `skip` leaves one lot out (the one being re-tendered). With several buyers the other
        buyers' part is summed once per epoch (``touch``): while one buyer tenders, only its own
        contracts change."""
        if skip is None or len(self.books) == 1:
            return self._held(self.books, skip)
        key = (id(skip[0]), self.epoch)
        if self._others is None or self._others[0] != key:
            others = [b for b in self.books if b.packages is not skip[0]]
            self._others = (key, self._held(others, None))
        return self._others[1] + self._held([self.book_of(skip[0])], skip)

    def _held(self, books, skip) -> np.ndarray:
        n = self.ids.size
        out = None
        for b in books:
            pk = b.packages
            w = pk.volume * pk.private
            if skip is not None and skip[0] is pk:
                w[skip[1]] = 0.0  # a fresh array
            held = (pk.contractor >= 0) & (w > 0)
            v = np.bincount(self.rows(pk.contractor[held]), weights=w[held], minlength=n)
            out = v if out is None else out + v
        return np.zeros(n) if out is None else out

    def quality_of(self, ids: np.ndarray) -> np.ndarray:
        return self.quality[self.rows(ids)] if ids.size else np.zeros(0)

    def holding(self, packages: TaskPackages | None = None) -> set[int]:
        """Ids of the firms holding a contract (with buyer `packages` only, if given)."""
        held: set[int] = set()
        for b in self.books:
            if packages is not None and b.packages is not packages:
                continue
            c = b.packages.contractor
            held |= set(c[c >= 0].tolist())
        return held

    def active_contractors(self, packages: TaskPackages | None = None) -> int:
        """Firms holding a contract (with buyer `packages` only, if given)."""
        return len(self.holding(packages))

    # ------------------------------------------------------------ a tender
    def bids(
        self,
        packages: TaskPackages,
        p: int,
        value: float,
        year: int,
        contract_years: int,
        price_weight: float,
        trust: float,
        trust_sensitivity: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The firms' decisions on lot `p` of `packages` worth `value` a year at reference cost:
        the rows of the firms that bid, their yearly prices and their qualities.

        A firm can bid if it does the task type, is not excluded by the buyer and has the
        capacity for the lot. It prices its cost on the lot (× the lot's private advantage, its
        local presence, its incumbency) with a markup that falls with the rivals it expects and
        rises near full capacity, and bids if its chance to win (a logit share of its award
        score against that many rivals like the market's other able firms) times its margin
        exceeds its bid-preparation cost."""
        mp, rng = self.mp, self.model.rng
        pk, book = packages, self.book_of(packages)
        n = self.ids.size
        k, area = int(pk.task[p]), int(pk.area[p])
        bid_cost = mp.bidder_cost_rate * rng.lognormal(0.0, mp.bid_cost_sd, n)
        noise = rng.normal(0.0, mp.bid_noise_sd, n)
        # the incumbent (a firm delivering the lot now), if any: its row (-1: none); factors
        # that are 1 for every other firm are applied to its entry only (the same numbers,
        # fewer array operations)
        inc = self._row_of(int(pk.contractor[p])) if pk.private[p] > 0 else -1
        if inc >= 0:
            bid_cost[inc] *= mp.incumbent_bid_cost_share
        load = self.held_volume(skip=(pk, p)) + mp.other_buyers_load * self.capacity
        util = (load + value) / self.capacity
        able = self.does[:, k] & (util <= 1.0)
        if book.excluded_until:
            able &= ~book.excluded(self.ids, year)
        cost = value * self.core_cost()[:, k]
        cost *= self.index
        cost *= 1.0 - pk.advantage[p]
        cost[self._present(pk, area)] *= 1.0 - mp.local_cost_advantage
        if inc >= 0:
            cost[inc] *= 1.0 - mp.incumbent_advantage
        rivals = max(float(self.expected_bidders[k]) - 1.0, 0.0)
        crowding = np.minimum(
            np.maximum(util - mp.capacity_threshold, 0.0) / (1.0 - mp.capacity_threshold), 1.0
        )
        markup = self.markup * ((1.0 + mp.reference_rivals) / (1.0 + rivals)) ** mp.rival_elasticity
        markup += mp.capacity_premium * crowding
        if inc >= 0:
            markup[inc] += mp.incumbent_rent_share * mp.incumbent_advantage
        price = cost * (1.0 + markup) * (1.0 + bid_cost)
        win = self.win_chance(price / value, able, rivals, price_weight)
        appeal = max(0.0, 1.0 + trust_sensitivity * (trust - 0.5))
        preparation = bid_cost * price
        bids = able & (appeal * win * (price - cost) > preparation)
        rows = bids.nonzero()[0]
        self.profit[rows] -= preparation[rows] * contract_years
        self._cost = cost
        self.expected_bidders[k] += mp.rival_belief_rate * (rows.size - self.expected_bidders[k])
        return rows, price[rows] * (1.0 + noise[rows]), self.quality[rows]

    def win_chance(
        self, unit_price: np.ndarray, able: np.ndarray, rivals: float, price_weight: float
    ) -> np.ndarray:
        """Each firm's expected chance to win against `rivals` rivals drawn like the able
        firms: a logit share of the award score (``w·price/value + (1 − w)·(1 − quality)``),
        its scale the spread of the able firms' scores plus the bid noise."""
        win = np.zeros(unit_price.size)
        score = (price_weight * unit_price + (1.0 - price_weight) * (1.0 - self.quality))[able]
        m = score.size
        if m == 0:
            return win
        noise = price_weight * self.mp.bid_noise_sd * mean(unit_price[able])
        dev = score - mean(score)
        scale = math.sqrt(mean(dev * dev) + noise**2)  # the scores' variance + the noise's
        w = np.exp(-(score - low(score)) / max(scale, EPS))  # in (0, 1], the best at 1
        win[able] = w / (w + rivals * mean(w))
        return win

    def _present(self, pk: TaskPackages, area: int) -> np.ndarray:
        """Whether each firm holds a contract in `area` of the buyer `pk`."""
        held = (pk.contractor >= 0) & (pk.private > 0) & (pk.area == area)
        out = np.zeros(self.ids.size, dtype=bool)
        out[self.rows(pk.contractor[held])] = True
        return out

    def award(
        self, packages: TaskPackages, p: int, row: int, bid: float, price: float, plan
    ) -> None:
        """Firm `row` won lot `p` with `bid`; `price` is the realised yearly price (overruns
        included, extra work at the firm's cost). The contract carries the plan's terms."""
        book, k = self.book_of(packages), int(packages.task[p])
        overrun = price / bid if bid > 0 else 1.0
        book.base_price[p] = price
        book.cost0[p] = self._cost[row] * overrun / self.index
        book.core0[p] = self.core_cost()[row, k]
        book.index0[p] = self.index
        book.indexation[p] = plan.indexation_share
        book.termination_after[p] = plan.termination_after
        book.exclusion_years[p] = plan.exclusion_years
        book.strikes[p] = 0
        book.terminated[p] = False

    def was_terminated(self, packages: TaskPackages, p: int) -> bool:
        return bool(self.book_of(packages).terminated[p])

    # ------------------------------------------------------------ the year
    def year_end(self) -> None:
        """The year's contracts are settled (revenue, delivery cost, penalties), contracts with
        too many shortfalls found are terminated, firms learn and get more productive, the
        input-cost index moves and indexed prices follow; then firms leave and enter."""
        mp, rng = self.mp, self.model.rng
        year = self.model.calendar_year
        self.touch()
        self.terminations = 0
        delivered = np.zeros(self.experience.shape)
        core = self.core_cost()
        for b in self.books:
            pk, mon = b.packages, b.monitoring
            held = ((pk.contractor >= 0) & (pk.private > 0)).nonzero()[0]
            if held.size == 0:
                continue
            r, k = self.rows(pk.contractor[held]), pk.task[held]
            cost = b.cost0[held] * self.index * core[r, k] / b.core0[held]
            found = mon.found_private[held]
            penalty = np.where(found, b.penalty_share * pk.price[held], 0.0)
            np.add.at(self.revenue, r, pk.price[held])
            np.add.at(self.profit, r, pk.price[held] - cost - penalty)
            np.add.at(delivered, (r, k), pk.volume[held] * pk.private[held])
            # termination for repeated shortfalls: the lot comes up again at the next year start
            b.strikes[held] += found
            clause = b.termination_after[held]
            end = held[(clause > 0) & (b.strikes[held] >= clause) & (pk.end[held] > year + 1)]
            if end.size:
                pk.end[end] = year + 1
                b.terminated[end] = True
                for q in end:
                    b.excluded_until[int(pk.contractor[q])] = year + 1 + int(b.exclusion_years[q])
                self.terminations += int(end.size)
        # learning by doing (here and for other buyers), productivity growth
        other = mp.other_buyers_load * self.capacity / np.maximum(self.does.sum(axis=1), 1)
        self.experience += delivered + np.where(self.does, other[:, None], 0.0)
        self.efficiency *= 1.0 - mp.productivity_growth
        self._core = None
        # the input-cost index moves; indexed contract prices follow by their share
        self.index *= float(np.exp(rng.normal(0.0, mp.input_cost_sd)))
        for b in self.books:
            pk = b.packages
            held = (pk.contractor >= 0) & (pk.private > 0)
            pk.price[held] = b.base_price[held] * (
                1.0 + b.indexation[held] * (self.index / b.index0[held] - 1.0)
            )
        # profit decides who stays and whether a firm enters
        total = float(add(self.revenue))
        self.margin = float(add(self.profit)) / total if total > 0 else np.nan
        self.loss_years = np.where(self.profit > 0, 0, self.loss_years + 1)
        holding = self.held_volume() > 0
        self._remove(~holding & (self.loss_years >= mp.exit_after_years))
        if (
            self.ids.size < self.max_firms
            and np.isfinite(self.margin)
            and self.margin > mp.entry_margin
        ):
            self._enter()
        while self.ids.size < mp.min_firms:
            self._enter()
        self.profit[:] = 0.0
        self.revenue[:] = 0.0

    def _enter(self) -> None:
        Contractor(self.model, self)


class Employees:
    """The in-house unit's employees as one vectorised population (not Mesa agents).

    Entry i is a position and its holder. Each holder is posted on a task package (``post``)
    and experiences what happens there: the work put out to tender (a threat), kept after a
    won control bid or lost (redeployment or layoff), their own proposals heard or ignored,
    the control work they bear, the hours they are involved in joint work. Their state follows
    from these experiences (``sim.agents.InHouseUnit.step_quarter``). The number of positions
    follows the unit's volume: ``keep_only`` removes and ``add`` appends entries once a year."""

    ARRAYS = (
        "wellbeing",
        "propensity",
        "sick_offset",
        "trust",
        "sick",
        "skill",
        "post",
        "tenure",
        "security",
        "autonomy",
        "involvement",
        "involved",
        "demand",
        "kept",
        "broken",
        "threatened",
        "left",
    )

    def __init__(
        self, rng: np.random.Generator, n: int, ep, trust0: float, knowledge_years: float
    ) -> None:
        self.ep = ep
        self._knowledge_years = knowledge_years
        self.n = 0
        for k in self.ARRAYS:
            setattr(self, k, np.zeros(0, dtype=bool if k in ("threatened", "left") else float))
        self.post = np.zeros(0, dtype=int)
        self.quits = 0
        self.layoffs = 0
        self.hires = 0
        self._trust0 = trust0
        self.add(rng, n, starting=True)

    def add(self, rng: np.random.Generator, k: int, starting: bool = False) -> np.ndarray:
        """Append `k` new positions with new holders; returns their indices."""
        ep = self.ep
        new = {
            "wellbeing": clip(rng.normal(ep.wellbeing_base, ep.wellbeing_sd, k), 1.0, 7.0),
            "propensity": rng.lognormal(0.0, ep.propensity_sd, k),
            "sick_offset": rng.normal(0.0, ep.sick_leave_sd, k),
            "trust": clip(self._trust0 + rng.normal(0.0, ep.trust_sd, k), 0.0, 1.0),
            "sick": np.zeros(k),
            "skill": rng.uniform(ep.skill_low, ep.skill_high, k)
            if starting
            else rng.uniform(ep.skill_low, ep.new_hire_skill_high, k),
            "post": np.zeros(k, dtype=int),
            # incumbents have been on their posts for a while: tenure ~ exponential(mean stay)
            "tenure": rng.exponential(1.0 / max(ep.turnover_base, 1e-9), k)
            if starting
            else np.zeros(k),
            "security": np.full(k, ep.security_initial),
            "autonomy": np.full(k, ep.autonomy_initial),
            "involvement": np.zeros(k),
            "involved": np.zeros(k),
            "demand": np.zeros(k),
            "kept": np.zeros(k),
            "broken": np.zeros(k),
            "threatened": np.zeros(k, dtype=bool),
            "left": np.zeros(k, dtype=bool),
        }
        for name, arr in new.items():
            setattr(self, name, np.concatenate([getattr(self, name), arr]))
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def keep_only(self, mask: np.ndarray) -> None:
        """Remove the positions where `mask` is False."""
        for name in self.ARRAYS:
            setattr(self, name, getattr(self, name)[mask])
        self.n = int(np.count_nonzero(mask))

    def replace(self, rng: np.random.Generator, idx: np.ndarray) -> None:
        """New holders take over positions `idx` (their holders quit)."""
        ep = self.ep
        k = idx.size
        climate = float(mean(self.trust))  # a newcomer meets the unit's climate of trust
        self.wellbeing[idx] = clip(rng.normal(ep.wellbeing_base, ep.wellbeing_sd, k), 1.0, 7.0)
        self.propensity[idx] = rng.lognormal(0.0, ep.propensity_sd, k)
        self.sick_offset[idx] = rng.normal(0.0, ep.sick_leave_sd, k)
        self.skill[idx] = rng.uniform(ep.skill_low, ep.new_hire_skill_high, k)
        self.trust[idx] = clip(climate + rng.normal(0.0, ep.trust_sd, k), 0.0, 1.0)
        self.kept[idx] = 0.0  # the predecessor's experiences leave with them
        self.broken[idx] = 0.0
        self.tenure[idx] = 0.0
        self.security[idx] = ep.security_initial
        self.autonomy[idx] = ep.autonomy_initial
        self.involvement[idx] = 0.0
        self.left[idx] = True
        self.quits += int(k)

    def knowledge(self, idx=slice(None)) -> np.ndarray:
        """Local knowledge of the task (0–1): grows with years on the post."""
        return 1.0 - np.exp(-self.tenure[idx] / self._knowledge_years)

    def turnover(self) -> float:
        """Share of positions whose holder left (quit) during the year, each position counted once (a share in [0, 1])."""
        return float(np.count_nonzero(self.left)) / max(self.n, 1)

    def new_year(self) -> None:
        self.left[:] = False
        self.threatened[:] = False
        self.kept[:] = 0.0
        self.broken[:] = 0.0
        self.quits = self.layoffs = self.hires = 0


class InHouseUnit(Agent):
    """The in-house operations unit (udfører / TME): its cost, quality and workload, and its
    ``staff`` (the vectorised ``Employees``), who experience what governance does to them."""

    def __init__(self, model: MunicipalityModel, trust: Trust) -> None:
        super().__init__(model)
        mp, ep = model.params.municipality, model.params.employees
        self.params = model.params
        self.trust = trust
        self.staff = Employees(
            model.rng,
            mp.employees,
            ep,
            trust["employees_management"],
            model.params.innovation.knowledge_years,
        )
        self.efficiency = 1.0  # cost per unit of volume, relative to the reference
        self.workload = 0.0  # pressure from framework cuts not buffered
        self.control_hours = 0.0  # control work borne this quarter (hours)
        self.control_year = 0.0  # control work borne this year (hours)
        self.control_plan = 0.0  # control work spread over each quarter of this year (hours)
        self.followup = 0.0  # share of absence followed up this quarter (sick-leave programme)
        self.tracking = False  # experiences count from the first simulated year on
        self.staff_per_volume = 0.0
        self.displaced = np.zeros(0, dtype=int)  # posts whose work was lost this year
        self.promises = 0  # job-security promises made this year (rules call ``promise``)
        self.lost_work = False  # some of the unit's work was lost at a tender this year

    @property
    def n(self) -> int:
        return self.staff.n

    @property
    def posts(self) -> np.ndarray:
        """The package each employee is posted on."""
        return self.staff.post

    @property
    def quality(self) -> float:
        ip, ep = self.params.inhouse, self.params.employees
        st = self.staff
        return clip01(
            ip.quality_base
            + ip.skill_quality * (float(mean(st.skill)) - ip.skill_reference)
            + ip.wellbeing_quality * (float(mean(st.wellbeing)) - ep.wellbeing_base)
            - ip.workload_quality * self.workload
        )

    # ------------------------------------------------------------ what rules make happen
    def bear_control(self, hours: float, over_year: bool = False) -> None:
        """Control work (inspection, documentation, invoicing, bid writing) spent on the unit's
        work this quarter (or, `over_year`, spread over the quarters of this year); its staff
        bear ``employees.control_share_borne`` of it."""
        if not self.tracking:
            return
        borne = max(0.0, hours) * self.params.employees.control_share_borne
        if over_year:
            self.control_plan += borne / 4
        else:
            self.control_hours += borne

    def new_year(self) -> None:
        """A new year: spread control work is planned afresh."""
        self.control_plan = 0.0
        self.control_year = 0.0

    def involve(self, members: np.ndarray, hours: float) -> None:
        """Employees `members` (indices) spend `hours` each in joint work (a learning team, a
        steering group, development work)."""
        np.add.at(self.staff.involved, members, hours)

    def promise(self) -> None:
        """Management promises this year that nobody loses work to tendering (a guarantee or a
        fixed in-house share). Kept if no work is lost and nobody is laid off."""
        self.promises += 1

    def follow_up_absence(self, share: float) -> None:
        """This quarter a sick-leave programme follows up `share` of the absence spells."""
        self.followup = min(1.0, self.followup + share)

    def tender_outcome(self, package: int, frac: float, held_before: float, kept: bool) -> None:
        """A lot of `package` (fraction `frac`) that the unit delivered (`held_before` of the
        package in-house) was tendered; `kept` if the unit's control bid won."""
        if not self.tracking:
            return
        st, ep = self.staff, self.params.employees
        on = (st.post == package).nonzero()[0]
        if on.size == 0:
            return
        st.threatened[on] = True
        st.security[on] *= 1.0 - ep.threat_drop
        if kept:
            st.security[on] += ep.kept_gain * (1.0 - st.security[on])
            st.kept[on] += 1
            return
        k = int(round(on.size * min(1.0, frac / max(held_before, 1e-9))))
        lost = self.model.rng.choice(on, size=k, replace=False) if k else on[:0]
        st.broken[lost] += 1
        self.lost_work = self.lost_work or k > 0
        self.displaced = np.concatenate([self.displaced, lost])

    # ------------------------------------------------------------ staffing
    def start_tracking(self, packages) -> None:
        """After the warm start: post everyone by in-house volume, fix the staffing ratio."""
        vol = packages.volume * (1.0 - packages.private)
        self.staff_per_volume = self.n / max(vol.sum(), 1.0)
        self.staff.post[:] = self._draw_posts(vol, self.n)
        self.tracking = True

    def _draw_posts(self, inhouse_volume: np.ndarray, k: int) -> np.ndarray:
        total = inhouse_volume.sum()
        if k == 0 or total <= 0:
            return np.zeros(k, dtype=int)
        return self.model.rng.choice(inhouse_volume.size, size=k, p=inhouse_volume / total)

    def adjust_staff(self, packages) -> None:
        """Headcount follows the in-house volume: displaced holders are laid off first when
        the unit has too many positions, the rest are redeployed; new posts are filled by hires."""
        if not self.tracking:
            return
        st, ep, rng = self.staff, self.params.employees, self.model.rng
        vol = packages.volume * (1.0 - packages.private)
        target = int(round(self.staff_per_volume * vol.sum()))
        displaced = np.unique(self.displaced) if self.displaced.size else self.displaced
        self.displaced = np.zeros(0, dtype=int)
        n0 = st.n
        keep = np.ones(n0, dtype=bool)
        if target < n0:
            excess = n0 - target
            first = rng.permutation(displaced)[:excess]
            rest = np.setdiff1d(np.arange(n0), displaced)
            more = (
                rng.choice(rest, size=excess - first.size, replace=False)
                if excess > first.size
                else rest[:0]
            )
            keep[first] = False
            keep[more] = False
            st.layoffs += excess
        moved = displaced[keep[displaced]]
        if moved.size:
            st.post[moved] = self._draw_posts(vol, moved.size)
            st.tenure[moved] = 0.0
            st.demand[moved] = 0.0
            st.security[moved] *= 1.0 - ep.redeploy_drop
        laid_off = n0 - np.count_nonzero(keep)
        if laid_off:
            st.keep_only(keep)
            share = laid_off / n0
            st.security *= max(0.0, 1.0 - ep.survivor_drop * share)
            st.broken += 1  # colleagues were laid off
        if target > st.n:
            new = st.add(rng, target - st.n)
            st.post[new] = self._draw_posts(vol, new.size)
            st.hires += int(new.size)

    # ------------------------------------------------------------ a quarter of work
    def control_demand(self) -> float:
        """Control work borne per FTE this quarter, as a share of the reference (per year)."""
        ep = self.params.employees
        return 4.0 * self.control_hours / max(self.n, 1) / ep.control_hours_reference

    def step_quarter(self, years_elapsed: float) -> None:
        """Wellbeing drifts toward what the job's demands and resources make of it (JD-R,
        Bakker & Demerouti 2007); sick leave and quits follow.

        (Sums are accumulated in place, term by term in the order written: the same numbers
        with fewer temporary arrays.)"""
        ep = self.params.employees
        rng = self.model.rng
        st = self.staff
        st.involvement += ep.involvement_memory * (4.0 * st.involved - st.involvement)
        st.involved.fill(0.0)
        participation = st.involvement / (st.involvement + ep.involvement_reference)
        self.control_hours += self.control_plan
        control = self.control_demand()
        self.control_year += self.control_hours
        self.control_hours = 0.0
        insecurity = 1.0 - st.security
        # ep.wellbeing_base + ep.participation_effect * participation + …
        target = ep.participation_effect * participation
        target += ep.wellbeing_base
        target += ep.autonomy_effect * (st.autonomy - 0.5)
        target += ep.trust_effect * (st.trust - 0.5)
        target -= ep.security_effect * insecurity
        target -= ep.control_effect * control
        target -= ep.workload_effect * (self.workload + st.demand)
        target -= st.wellbeing
        target *= ep.wellbeing_rate
        target += rng.normal(0.0, ep.wellbeing_noise, st.n)
        st.wellbeing += target
        clip(st.wellbeing, 1.0, 7.0, out=st.wellbeing)
        above = st.wellbeing - ep.wellbeing_base  # wellbeing relative to the base level
        # ep.sick_leave_base + ep.sick_leave_trend * years_elapsed - slope * above + offset
        raw = ep.sick_leave_wellbeing_slope * above
        np.subtract(ep.sick_leave_base + ep.sick_leave_trend * years_elapsed, raw, out=raw)
        raw += st.sick_offset
        if self.followup:
            raw *= 1.0 - self.followup
        st.sick = clip(raw, 0.0, ep.sick_leave_cap, out=raw)
        self.followup = 0.0
        # a probability: at very low wellbeing every holder may quit, never more than that
        quit_p = np.exp(-ep.turnover_wellbeing_slope * above)
        quit_p *= ep.turnover_base / 4
        quit_p *= 1.0 + ep.insecurity_quit * insecurity
        np.minimum(1.0, quit_p, out=quit_p)
        quits = (rng.random(st.n) < quit_p).nonzero()[0]
        if quits.size:
            st.replace(rng, quits)
        st.skill += ep.skill_growth * (1.0 - st.skill)

    def train(self, members: np.ndarray, skill: float) -> None:
        """Employees `members` (indices) gain skill (at most 1)."""
        st = self.staff
        st.skill[members] = np.minimum(1.0, st.skill[members] + skill)

    def change_demands(self, members: np.ndarray | slice, delta) -> None:
        """A change of work practice alters the task demands of employees `members` (indices,
        or ``slice(None)`` for everyone; `delta`: one change for all, or one per member)."""
        self.staff.demand[members] += delta

    def knowledge(self, members: np.ndarray) -> np.ndarray:
        """What employees `members` bring to an idea: local knowledge of their post (0–1,
        growing with years on it) times their skill."""
        st = self.staff
        return st.knowledge(members) * st.skill[members]

    def propose(self, consideration: float) -> tuple[np.ndarray, np.ndarray]:
        """Employees propose improvements; management considers a share of them (the rest are
        ignored: a broken commitment to the proposer, a considered one a kept commitment).

        Returns the proposals made and considered per employee."""
        ep = self.params.employees
        rng = self.model.rng
        st = self.staff
        lam = (
            ep.proposal_rate
            * st.propensity
            * (ep.proposal_trust_offset + st.trust)
            * np.maximum(0.0, 1.0 + ep.voice_response * (st.autonomy - 0.5))
            * (1.0 + ep.threat_proposal_effect * (1.0 - st.security))
        )
        made = rng.poisson(lam)
        considered = rng.binomial(made, min(1.0, consideration))
        st.kept += considered
        st.broken += made - considered
        return made, considered

    def experience_voice(self, made: np.ndarray, heard: np.ndarray) -> None:
        """Voice (autonomy) moves toward the share of own proposals that were heard (`heard`:
        per employee, considered proposals counting ``employees.considered_voice`` and
        implemented ones 1)."""
        ep = self.params.employees
        st = self.staff
        has = made > 0
        share = np.where(has, heard / np.maximum(made, 1), 0.0)
        st.autonomy[has] += ep.autonomy_rate * (share[has] - st.autonomy[has])

    def update_trust(self, build: float, loss: float) -> None:
        """Each employee's trust in management moves with the commitments kept and broken
        toward them this year and, weighted by ``trust.climate_weight``, toward the average
        colleague (the unit's climate: what management does to others is a sign of what it will
        do to oneself). Nothing kept or broken toward anyone: no change. The relation's level is
        the mean."""
        st = self.staff
        kept, broken = st.kept, st.broken
        w = self.params.trust.climate_weight
        if st.n and w > 0:
            kept = kept + w * float(mean(kept))
            broken = broken + w * float(mean(broken))
        n = kept + broken
        has = n > 0
        k = np.divide(kept, n, out=np.zeros_like(n), where=has)
        st.trust[has] = update_trust(st.trust[has], k[has], build, loss)
        self.trust.set("employees_management", float(mean(st.trust)) if st.n else 0.0)

    def improve(self, gain: float) -> None:
        """Lower the unit's cost by `gain` (a share, at reference cost) with diminishing returns:
        the closer to the efficiency floor, the less the same effort saves; a negative gain
        raises the cost."""
        floor = self.params.inhouse.efficiency_floor
        self.efficiency = floor + (self.efficiency - floor) * max(0.0, 1.0 - gain / (1.0 - floor))

    def year_end(self, competition: float) -> None:
        """Competitive pressure makes the unit cheaper (stylised fact 2); the year's
        experience settles: promises kept or broken, threats fade, tenure grows."""
        self.improve(self.params.inhouse.pressure_gain * min(1.0, competition))
        st, ep = self.staff, self.params.employees
        if self.promises:
            if st.layoffs or self.lost_work:
                st.broken += self.promises
            else:
                st.kept += self.promises
        self.lost_work = False
        calm = ~st.threatened
        st.security[calm] += ep.security_recovery * (1.0 - st.security[calm])
        st.tenure += 1.0
        self.promises = 0


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

    def survey(
        self, rng: np.random.Generator, sample: int, noise: float, shift: float = 0.0
    ) -> np.ndarray:
        """Mean answer (0–1) per area from a random sample of citizens; an area nobody in the
        sample lives in gets the mean of all its citizens' answers. `shift` moves every answer
        (trust in the municipality colours how citizens rate its services)."""
        idx = rng.integers(0, self.area.size, size=min(sample, self.area.size))
        where = self.area[idx]
        ans = clip(
            self.level[where] + self.bias[idx] + shift + rng.normal(0.0, noise, idx.size), 0.0, 1.0
        )
        n = np.bincount(where, minlength=self.n_areas)
        tot = np.bincount(where, weights=ans, minlength=self.n_areas)
        if np.count_nonzero(n) < n.size:  # an area nobody in the sample lives in
            everyone = np.bincount(
                self.area, weights=np.clip(self.perceived + shift, 0, 1), minlength=self.n_areas
            )
            return np.where(n > 0, tot / np.maximum(n, 1), everyone / np.maximum(self.count, 1))
        return tot / n


class GoalStatus(IntEnum):
    """The follow-up status of an area's goal (``Areas.status``; seed 002's red/yellow/green)."""

    NONE = 0  # no goal set
    GREEN = auto()
    YELLOW = auto()
    RED = auto()


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
        self.bonus = np.zeros(n)  # quality gained from implemented ideas (sim.innovation; decays)
        self.flagged = np.zeros(n, dtype=bool)
        self.team = np.zeros(n, dtype=bool)
        self.goal = np.full(n, np.nan)
        self.status = np.full(n, GoalStatus.NONE, dtype=int)  # a ``GoalStatus`` per area
