"""What a rule may see and do: the narrow context the model hands to every rule phase.

A rule never receives the Mesa model. It receives a ``RuleContext``: read-only handles on the
objects that own the municipality's state, each changed only through its own methods or, for
the per-area and per-package arrays, in place:

==================  ==========================================  ====================================
context attribute   object (module)                             how a rule changes it
==================  ==========================================  ====================================
``params``          ``sim.params.Parameters``                   never (read only)
``rng``             the run's ``numpy.random.Generator``        draws
``calendar_year``   int                                         never
``n_areas``         int                                         never
``year_signals``    ``Signals`` averaged over the past year     never (read in ``adapt``)
``areas``           ``sim.agents.Areas`` (arrays per area)      in place (``a.flagged[:] = …``)
``packages``        ``sim.packages.TaskPackages``               tendering only (``sim.procurement``)
``unit``            ``sim.agents.InHouseUnit`` (``Workforce``)  ``improve``, ``train``, ``involve``,
                                                                ``bear_control``, ``promise``,
                                                                ``follow_up_absence``
``market``          ``sim.agents.Market``                       tendering only (``firm_bids``, ``award``)
``ledger``          ``sim.ledger.Ledger``                       ``charge``, ``charge_hours``
``tally``           ``sim.state.Tally``                         ``add(name, n)``
``trust``           ``sim.state.Trust``                         ``set(relation, value)``
``procedures``      ``sim.state.Procedures``                    ``grow``, ``reset``
``tenders``         ``sim.procurement.TenderLog``               ``record`` (tendering only)
``commitments``     ``sim.state.Commitments``                   ``keep``, ``break_``
``monitoring``      ``sim.monitoring.Monitoring``               ``inspect(hours per package)``
``peers``           ``sim.population.network.PeerView`` or      never (read only; None in a single
                    None                                        run: no benchmarking network)
==================  ==========================================  ====================================

A rule that generates ideas hands them to ``ctx.innovate(origin, areas, knowledge, screened)``
(``sim.innovation.adopt``), which draws, screens, implements and applies them.

Read/write declarations. Every rule declares, per phase, which named pieces of state
(``STATE``) it reads and writes (``Rule.access``). When two rules of one regime share a phase
and one writes what the other reads, the writer runs first; a cycle is an error found when
the scenario is validated (``check_order``). Rules that do not depend on each other run in a
fixed order, their place in the registry ``sim.rules.RULES`` — so the order of rules in a
scenario file never changes a result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.state import Tally

if TYPE_CHECKING:
    from sim.agents import Areas, Market
    from sim.ledger import Ledger
    from sim.monitoring import Monitoring
    from sim.packages import TaskPackages
    from sim.params import Parameters
    from sim.procurement import TenderLog
    from sim.rules.base import Signals
    from sim.state import Commitments, Procedures, Trust

#: The named pieces of state a rule may declare it reads or writes.
STATE: frozenset[str] = frozenset(
    {
        "areas.quality",
        "areas.satisfaction",
        "areas.staff_assessment",
        "areas.expectation",
        "areas.flagged",
        "areas.team",
        "areas.goal",
        "areas.status",
        "areas.bonus",
        "packages",
        "plan",
        "signals",
        "year_signals",
        "unit.efficiency",
        "unit.quality",
        "unit.workload",
        "unit.skill",
        "unit.staff",
        "commitments",
        "monitoring",
        "innovation",
        "ledger",
        "trust",
        "procedure_load",
        "tenders",
        "market",
        "peers",
        "rng",
        *(f"tally.{k}" for k in (*Tally.COUNTS, *Tally.MEASURES) if k not in Tally.MODEL_ONLY),
    }
)


class Workforce(Protocol):
    """The in-house unit as rules see it (``sim.agents.InHouseUnit``)."""

    @property
    def n(self) -> int: ...
    @property
    def efficiency(self) -> float: ...
    @property
    def quality(self) -> float: ...
    @property
    def workload(self) -> float: ...

    @property
    def posts(self) -> np.ndarray: ...

    def improve(self, gain: float) -> None:
        """Lower the unit's cost by `gain` (a share at reference cost), with diminishing returns."""

    def train(self, members: np.ndarray, skill: float) -> None:
        """Employees `members` (indices) gain skill (learning teams)."""

    def involve(self, members: np.ndarray, hours: float) -> None:
        """Employees `members` spend `hours` each in joint work (a job resource)."""

    def bear_control(self, hours: float) -> None:
        """Control work spent on the unit's work this quarter (a job demand on its staff)."""

    def promise(self) -> None:
        """Management promises this year that nobody loses work to tendering."""

    def follow_up_absence(self, share: float) -> None:
        """A sick-leave programme follows up `share` of the absence spells this quarter."""

    def knowledge(self, members: np.ndarray) -> np.ndarray:
        """Local knowledge (0–1) of employees `members`."""

    def change_demands(self, members: np.ndarray, delta) -> None:
        """A change of work practice alters the task demands of employees `members`."""

    def tender_outcome(self, package: int, frac: float, held_before: float, kept: bool) -> None:
        """The unit's work on `package` was tendered and kept or lost (``sim.procurement``)."""


class RuleContext(Protocol):
    """Everything a rule phase may read, and the objects whose methods it may call."""

    @property
    def params(self) -> Parameters: ...
    @property
    def rng(self) -> np.random.Generator: ...
    @property
    def calendar_year(self) -> int: ...
    @property
    def n_areas(self) -> int: ...
    @property
    def year_signals(self) -> Signals: ...
    @property
    def areas(self) -> Areas: ...
    @property
    def packages(self) -> TaskPackages: ...
    @property
    def unit(self) -> Workforce: ...
    @property
    def market(self) -> Market: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def tally(self) -> Tally: ...
    @property
    def trust(self) -> Trust: ...
    @property
    def procedures(self) -> Procedures: ...
    @property
    def tenders(self) -> TenderLog: ...
    @property
    def commitments(self) -> Commitments: ...
    @property
    def monitoring(self) -> Monitoring: ...
    @property
    def peers(self):
        """What the municipality's benchmarking network shares (``PeerView``), or None."""

    def innovate(
        self, origin: str, areas: np.ndarray, knowledge, screened: bool, boost: float = 0.0
    ) -> np.ndarray:
        """Ideas of `origin` for `areas`: draw, screen, implement, apply (``sim.innovation``)."""


class ModelContext:
    """The ``RuleContext`` the Mesa model builds once: read-only views of its state objects."""

    __slots__ = ("_m",)

    def __init__(self, model) -> None:
        self._m = model

    params = property(lambda self: self._m.params)
    rng = property(lambda self: self._m.rng)
    calendar_year = property(lambda self: self._m.calendar_year)
    n_areas = property(lambda self: self._m.n_areas)
    year_signals = property(lambda self: self._m.year_signals)
    areas = property(lambda self: self._m.areas)
    packages = property(lambda self: self._m.packages)
    unit = property(lambda self: self._m.unit)
    market = property(lambda self: self._m.market)
    ledger = property(lambda self: self._m.ledger)
    tally = property(lambda self: self._m.tally)
    trust = property(lambda self: self._m.trust)
    procedures = property(lambda self: self._m.procedures)
    tenders = property(lambda self: self._m.tenders)
    commitments = property(lambda self: self._m.commitments)
    monitoring = property(lambda self: self._m.monitoring)
    peers = property(lambda self: self._m.peers)

    def innovate(self, origin, areas, knowledge, screened, boost=0.0):
        from sim.innovation import adopt

        return adopt(self, origin, areas, knowledge, screened, boost)


# ---------------------------------------------------------------------- read/write declarations
@dataclass(frozen=True)
class Access:
    """What one phase of one rule reads and writes (names from ``STATE``)."""

    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()


def uses(reads: Iterable[str] = (), writes: Iterable[str] = ()) -> Access:
    """``Access`` from two lists of state names; an unknown name is a programming error."""
    acc = Access(frozenset(reads), frozenset(writes))
    unknown = sorted((acc.reads | acc.writes) - STATE)
    if unknown:
        raise ValueError(f"unknown state name(s) {unknown}; known: {sorted(STATE)}")
    return acc


class OrderCycle(ValueError):
    """Two or more rules of one regime each write, in one phase, what the other reads."""


def _depends(first: Access, then: Access) -> bool:
    """True if a rule with access `then` must run after one with access `first`."""
    return bool(first.writes & then.reads)


def _cls(rule) -> type:
    return rule if isinstance(rule, type) else type(rule)


def phase_order(rules: Sequence, phase: str, rank: Mapping[str, int]) -> list:
    """The rules (instances or classes) implementing `phase`, writers before readers of the same
    state, otherwise in registry order (`rank`: rule key → place). Raises ``OrderCycle``."""
    todo = sorted((r for r in rules if phase in _cls(r).phases()), key=lambda r: rank[_cls(r).key])
    acc = {id(r): _cls(r).access_in(phase) for r in todo}
    out: list = []
    while todo:
        ready = [
            r
            for r in todo
            if not any(o is not r and _depends(acc[id(o)], acc[id(r)]) for o in todo)
        ]
        if not ready:
            raise OrderCycle(_cycle_message(todo, phase, acc))
        out.append(ready[0])
        todo.remove(ready[0])
    return out


def _cycle_message(todo: list, phase: str, acc: dict) -> str:
    for a in todo:
        for b in todo:
            if a is not b and _depends(acc[id(a)], acc[id(b)]) and _depends(acc[id(b)], acc[id(a)]):
                ka, kb = _cls(a).key, _cls(b).key
                ab = sorted(acc[id(a)].writes & acc[id(b)].reads)
                ba = sorted(acc[id(b)].writes & acc[id(a)].reads)
                return (
                    f"rules {ka!r} and {kb!r} cannot be ordered in phase {phase!r}: "
                    f"{ka!r} writes {', '.join(ab)}, which {kb!r} reads, and {kb!r} writes "
                    f"{', '.join(ba)}, which {ka!r} reads"
                )
    keys = ", ".join(repr(_cls(r).key) for r in todo)
    return f"rules {keys} cannot be ordered in phase {phase!r}: their reads and writes form a cycle"
