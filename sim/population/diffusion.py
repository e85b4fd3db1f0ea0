"""The diffusion of governance models (issue 12, point 3): at each year end a municipality may
decide to adopt another model (HOD, the model municipality, …) from the next year on.

The decision is a yearly hazard, as in event-history studies of policy diffusion (Berry & Berry
1990): the log-odds of adopting model m are those of the target's ``base_rate`` shifted by

- **imitation / regional diffusion** (Berry & Berry's neighbours; Shipan & Volden 2008): the
  share of the municipality's *peers* that run m — its region's other municipalities and the
  other members of its benchmarking network (Walker 2006: English local authorities adopt what
  their contacts adopted);
- **learning from peers' visible results** (Shipan & Volden 2008): the mean citizen
  satisfaction of the peers that run m minus its own, and its own cost per unit of task volume
  minus theirs, relative to its own (nothing is learnt while no peer runs m);
- **internal determinants** (Berry & Berry 1990): its own shortfall of citizen satisfaction
  below the committee's expectation (problemistic search, Cyert & March 1963), fiscal pressure
  (the share of its budget cut since the start plus last year's overspend share) and political
  colour (the committee's mean inclination to cut against ``politics.austerity``).

Each term has its weight in the target (``DiffusionTargetSpec``). A municipality may adopt a
target if it does not run it, its current model is one of the target's ``from`` models (or the
list is empty), it has kept its current model at least ``min_years`` since its last switch, and
no regime of its own scenario is still to come. Competing targets: the municipality adopts one
of them with probability 1 − Π(1 − p_m), m chosen in proportion to p_m.

Everything a decision reads is last year's, and all municipalities decide before any switches,
so the result does not depend on the order in which they are visited. The draws come from the
diffusion's own stream (``derive_seeds(national seed, 1, STREAM_DIFFUSION)[0]``, N uniforms
every year whoever is eligible), so a diffusion whose probabilities are all 0 leaves every table
exactly as without it. A switch is a regime switch of the municipality's own model
(``MunicipalityModel.adopt_regime``): the unit, its employees, contracts and trust carry over,
the scenario's ``transition_cost_dkk`` is charged, the rules change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from sim.population.spec import STREAM_DIFFUSION, Diffusion, Municipality, Network
from sim.seeds import derive_seeds

__all__ = ["STREAM_DIFFUSION", "DiffusionState"]


def _probability(base: float, shift: np.ndarray) -> np.ndarray:
    """``odds_probability`` over an array: the probability whose odds are base's × exp(shift)."""
    if base <= 0.0:
        return np.zeros_like(shift)
    if base >= 1.0:
        return np.ones_like(shift)
    return expit(np.log(base / (1.0 - base)) + shift)  # no overflow at large shifts


class DiffusionState:
    """The models in force and the benchmarking networks of one national run, and its decisions.

    `members` in canonical order, `models` the municipalities' ``MunicipalityModel`` in the same
    order, `networks` the population's; ``year_end`` is called after every municipality has
    ended a year (and the networks have exchanged)."""

    def __init__(
        self,
        diffusion: Diffusion | None,
        members: Sequence[Municipality],
        networks: Sequence[Network],
        seed: int,
    ) -> None:
        self.diffusion = diffusion
        self.n = n = len(members)
        self.labels = [m.preset for m in members]
        self.region = np.array([m.region for m in members])
        self.networks = list(networks)
        self.net_members = [set(nw.members) for nw in networks]
        self.since = np.full(n, -np.inf)  # the year of the last switch (none yet)
        self.history: list[list[tuple[str, str]]] = [[] for _ in range(n)]
        self.rng = np.random.default_rng(derive_seeds(seed, 1, STREAM_DIFFUSION)[0])

    def network_of(self, i: int) -> str:
        return next(
            (nw.key for nw, mem in zip(self.networks, self.net_members, strict=True) if i in mem),
            "",
        )

    def groups(self) -> list[tuple[list[int], Network]]:
        """The networks' current members (sorted positions)."""
        return [(sorted(mem), nw) for mem, nw in zip(self.net_members, self.networks, strict=True)]

    def peers(self) -> np.ndarray:
        """n × n: j is a peer of i (same region, or same network), i ≠ j."""
        same = self.region[:, None] == self.region[None, :]
        for mem in self.net_members:
            idx = np.fromiter(sorted(mem), dtype=int, count=len(mem))
            same[np.ix_(idx, idx)] = True
        np.fill_diagonal(same, False)
        return same

    def year_end(self, models: Sequence[Any], year: int) -> list[tuple[int, str, str]]:
        """Record the year's models and networks; decide who adopts which model from next year
        on. Returns the switches (position, old model, new model)."""
        for i in range(self.n):
            self.history[i].append((self.labels[i], self.network_of(i)))
        d = self.diffusion
        if d is None:
            return []
        u = self.rng.random(self.n)
        effective = year + 1
        if effective < d.start or not all(m.running for m in models):
            return []
        last = [m.rows[-1] for m in models]
        sat = np.array([r["citizen_satisfaction"] for r in last])
        gap = np.array([r["expectation_gap"] for r in last])
        vol = np.array([m.params.municipality.task_volume_dkk for m in models])
        unit_cost = np.array([r["total_cost_dkk"] for r in last]) / vol
        budget = np.array([r["budget_dkk"] for r in last])
        start_budget = np.array([m.params.municipality.budget_dkk for m in models])
        freed = np.array([r["freed_dkk"] for r in last])
        fiscal = (1.0 - budget / start_budget) + np.maximum(0.0, -freed / budget)
        colour = np.array(
            [
                float(np.mean([p.austerity for p in m.politicians])) - m.params.politics.austerity
                for m in models
            ]
        )
        shortfall = np.maximum(0.0, -gap)
        peers = self.peers().astype(float)
        n_peers = peers.sum(axis=1)
        labels = np.array(self.labels)
        settled = (effective - self.since) >= d.min_years
        free = np.array([not m.regime_pending for m in models]) & settled
        probs = np.zeros((len(d.targets), self.n))
        for k, t in enumerate(d.targets):
            runs = (labels == t.model).astype(float)
            seen = peers @ runs
            share = np.divide(seen, n_peers, out=np.zeros(self.n), where=n_peers > 0)
            mean_sat = np.divide(peers @ (runs * sat), seen, out=sat.copy(), where=seen > 0)
            mean_cost = np.divide(
                peers @ (runs * unit_cost), seen, out=unit_cost.copy(), where=seen > 0
            )
            shift = (
                t.imitation_weight * share
                + t.satisfaction_weight * (mean_sat - sat)
                + t.cost_weight * (unit_cost - mean_cost) / unit_cost
                + t.dissatisfaction_weight * shortfall
                + t.fiscal_weight * fiscal
                + t.colour_weight * colour
            )
            able = free & (labels != t.model)
            if t.sources:
                able &= np.isin(labels, t.sources)
            probs[k] = np.where(able, _probability(t.base_rate, shift), 0.0)
        p_any = 1.0 - np.prod(1.0 - probs, axis=0)
        total = probs.sum(axis=0)
        switches = []
        for i in np.flatnonzero(u < p_any):
            bounds = np.cumsum(probs[:, i]) / total[i] * p_any[i]
            k = int(np.searchsorted(bounds, u[i], side="right"))
            k = min(k, len(d.targets) - 1)
            switches.append((int(i), self.labels[i], d.targets[k]))
        for i, old, t in switches:  # everyone decided on last year's state; now they switch
            models[i].adopt_regime(t.rules)
            self.labels[i] = t.model
            self.since[i] = effective
            if d.join_networks:
                self._move(i, old, t.model, models[i])
        return [(i, old, t.model) for i, old, t in switches]

    def _move(self, i: int, old: str, new: str, model: Any) -> None:
        """A switcher leaves the network that chose it by its old model (not by key) and joins
        the first that chooses its new model, if it is then in none."""
        for nw, mem in zip(self.networks, self.net_members, strict=True):
            if i in mem and i not in nw.named and old in nw.scenarios and new not in nw.scenarios:
                mem.discard(i)
                model.peers = None
        if self.network_of(i):
            return
        for nw, mem in zip(self.networks, self.net_members, strict=True):
            if new in nw.scenarios:
                mem.add(i)
                return
