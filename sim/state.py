"""The municipality's slow and counted state, each part in an object that owns it.

The Mesa model (``sim.model``) keeps the schedule; rules see these objects through the narrow
context of ``sim.rules.context`` and change them only through their methods:

- ``Tally``       this year's counters (``add(name, n)``), reset at the start of each year;
- ``Trust``       the five trust relations, each in [0, 1] (``set(relation, value)``);
- ``Procedures``  the procedure load of the purchaser–provider split (``grow``, ``reset``);
- ``Commitments`` this year's kept and broken commitments per trust relation (``keep``,
  ``break_``), from which ``trust_dynamics`` moves trust.

The other parts are ``sim.agents.Areas`` (per-area arrays), ``sim.agents.InHouseUnit`` (the
unit and its vectorised ``Employees``), ``sim.packages.TaskPackages``, ``sim.ledger.Ledger``
and ``sim.procurement.TenderLog``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np

RELATIONS: tuple[str, ...] = (
    "employees_management",
    "orderer_provider",
    "politicians_administration",
    "citizens_municipality",
    "municipality_contractors",
)


class Tally:
    """Counters of the current year. Rules add to the counted events (``add``); the model
    sets the year's measured values (``set``) and starts a new tally each year."""

    COUNTS: tuple[str, ...] = (
        "control_bids",
        "tenders_held",
        "learning_teams",
        "consensus_tasks",
        "proposals_made",
        "proposals_considered",
        "proposals_accepted",
        "proposals_implemented",
        "innovations_employee",
        "innovations_employee_raised_quality",
        "innovations_employee_eased_work",
        "innovations_steering",
        "innovations_steering_raised_quality",
        "innovations_steering_eased_work",
        "shortfalls_found",
        "budget_cuts",
        "elections",
        "quarters",
    )
    MEASURES: tuple[str, ...] = ("production", "expectation_gap", "sick_sum")
    #: kept by the model alone: no rule declares them (``sim.rules.context.STATE`` leaves them out)
    MODEL_ONLY: tuple[str, ...] = ("quarters", "production", "sick_sum")
    __slots__ = COUNTS + MEASURES
    _NAMES = frozenset(COUNTS + MEASURES)

    def __init__(self) -> None:
        for k in self.COUNTS:
            setattr(self, k, 0)
        for k in self.MEASURES:
            setattr(self, k, 0.0)

    def add(self, name: str, n: float = 1) -> None:
        """Add `n` to counter `name` (an unknown name is an error, not a new counter)."""
        if name not in self._NAMES:
            raise KeyError(f"unknown tally counter {name!r}; counters: {', '.join(self.__slots__)}")
        setattr(self, name, getattr(self, name) + n)

    def set(self, name: str, value: float) -> None:
        if name not in self.__slots__:
            raise KeyError(f"unknown tally counter {name!r}; counters: {', '.join(self.__slots__)}")
        setattr(self, name, value)

    def get(self, name: str) -> float:
        return getattr(self, name)


class Trust(Mapping[str, float]):
    """Trust in each relation (``RELATIONS``), a level in [0, 1]; read like a mapping, changed
    with ``set`` (``trust_dynamics`` moves it; its targets are clipped to [0, 1])."""

    __slots__ = ("_level",)

    def __init__(self, initial: float) -> None:
        self._level = {k: float(initial) for k in RELATIONS}

    def __getitem__(self, relation: str) -> float:
        return self._level[relation]

    def __iter__(self) -> Iterator[str]:
        return iter(self._level)

    def __len__(self) -> int:
        return len(self._level)

    def set(self, relation: str, value: float) -> None:
        if relation not in self._level:
            raise KeyError(
                f"unknown trust relation {relation!r}; relations: {', '.join(RELATIONS)}"
            )
        self._level[relation] = float(value)


class Procedures:
    """The procedure load of the purchaser–provider split: 1 = none accumulated; it multiplies
    inspection, invoicing and control-bid work."""

    __slots__ = ("load",)

    def __init__(self) -> None:
        self.load = 1.0

    def grow(self, rate: float, cap: float) -> None:
        """One year of accumulation at `rate`, never above `cap`."""
        self.load = min(cap, self.load * (1.0 + rate))

    def reset(self) -> None:
        """Procedures abolished."""
        self.load = 1.0


class Commitments:
    """The year's commitments between the parties, counted per trust relation (``RELATIONS``):
    a commitment *kept* (an inspection finds the work done, an area meets the goal it was held
    to, a contract ends without a penalty) or *broken* (a shortfall found, an area below its
    goal, a penalty). Trust in a relation moves only in a year when something happened in it
    (``trust_dynamics``); the employees' own commitments are counted per employee in
    ``sim.agents.Employees``."""

    __slots__ = ("kept", "broken")

    def __init__(self) -> None:
        self.kept = dict.fromkeys(RELATIONS, 0.0)
        self.broken = dict.fromkeys(RELATIONS, 0.0)

    def _check(self, relation: str) -> None:
        if relation not in self.kept:
            raise KeyError(
                f"unknown trust relation {relation!r}; relations: {', '.join(RELATIONS)}"
            )

    def keep(self, relation: str, n: float = 1) -> None:
        """`n` commitments in `relation` were kept."""
        self._check(relation)
        self.kept[relation] += n

    def break_(self, relation: str, n: float = 1) -> None:
        """`n` commitments in `relation` were broken."""
        self._check(relation)
        self.broken[relation] += n

    def kept_share(self, relation: str) -> float | None:
        """Share of this year's commitments in `relation` that were kept; None if there were none."""
        k, b = self.kept[relation], self.broken[relation]
        return None if k + b <= 0 else k / (k + b)


def update_trust(level, kept_share, build: float, loss: float):
    """One year of trust under a kept share: it grows by ``build · kept · (1 − T)`` and falls by
    ``loss · (1 − kept) · T`` (negativity bias when loss > build: seed 003, Slovic 1993). Works
    on a float or an array; where ``kept_share`` is None or NaN nothing happened: no change."""
    if kept_share is None:
        return level
    if isinstance(kept_share, float | int) and isinstance(level, float | int):
        # one relation: the same arithmetic in Python floats (numpy's 0-d arrays cost more)
        if math.isnan(kept_share):
            return level
        k = float(kept_share)
        return float(level + build * k * (1.0 - level) - loss * (1.0 - k) * level)
    k = np.asarray(kept_share, dtype=float)
    new = level + build * k * (1.0 - level) - loss * (1.0 - k) * level
    if np.ndim(k) == 0:
        return level if np.isnan(k) else float(new)
    return np.where(np.isnan(k), level, new)
