"""The rule protocol: how a governance rule takes part in a year of the municipality.

A governance model is a list of rule objects (MODEL_BRIEF "Design principles"). The model
never asks *which* governance model it runs; it calls the phases below on whichever rules
are active, and each rule implements only the phases it needs. Every phase receives the
narrow ``RuleContext`` of ``sim.rules.context`` (``ctx``), never the Mesa model:

- ``activate(ctx)`` / ``deactivate(ctx)``  when the rule's regime starts / ends.
- ``plan(ctx, plan)``      year start (and on activation): constrain procurement.
- ``procure(ctx, plan)``   year start (and on activation): run tenders.
- ``quarter(ctx, s)``      every quarter: add governance signals ``s``, charge admin time.
- ``measure(ctx)``         year end: benchmarking, goal follow-up.
- ``respond(ctx)``         year end: learning teams, consensus decisions, proposals.
- ``adapt(ctx)``           year end: slow state such as trust and procedures.

Rules cooperate through the shared ``ProcurementPlan`` and ``Signals`` objects and through the
state objects of the context — ``ctx.procedures`` (bureaucratic drift raises the load;
inspection, invoicing and control bids read it), ``ctx.areas.flagged`` (benchmarking sets it,
learning teams read it), ``ctx.areas.expectation`` (dialogue steering grounds it, benchmarking
and learning teams read it), ``ctx.trust`` — never by knowing each other's class. Counters
change through methods (``ctx.tally.add("learning_teams", n)``, ``ctx.ledger.charge(...)``).

Each rule declares what it reads and writes in each phase (``access``: phase → ``uses(reads=…,
writes=…)`` with names from ``sim.rules.context.STATE``; an accumulation such as ``+=`` into a
signal, the ledger or ``areas.bonus`` is a write). Within a phase a writer runs before the
rules that read what it writes; otherwise rules run in registry order (``sim.rules.RULES``),
so the order of rules in a scenario file never changes a result. A cycle is rejected when the
scenario is validated.

A rule is typed by its parameters: ``class Tendering(Rule[TenderingParams])`` has
``self.p: TenderingParams``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import ConfigDict

from sim.params import NumbersModel
from sim.rules.context import Access

if TYPE_CHECKING:
    from sim.rules.context import RuleContext

PHASES = ("plan", "procure", "quarter", "measure", "respond", "adapt")


class RuleParams(NumbersModel):
    """Parameters of one rule as written in a scenario; unknown keys are errors, non-finite
    numbers and booleans are refused where numbers are expected."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


@dataclass
class ProcurementPlan:
    """What this year's rules allow and require of procurement; rules combine by max/min."""

    tendering_allowed: bool = True
    target_tendered_share: float = 0.0
    max_tendered_share: float = 1.0
    contract_years: int = 1  # a placeholder: the tendering rule sets tendering.contract_years
    price_weight: float = 1.0
    # contract terms (the tendering rule sets them; these defaults are the neutral ones)
    indexation_share: float = 1.0  # full pass-through of the input-cost index
    termination_after: int = 0  # no termination clause
    exclusion_years: int = 0  # no exclusion after a termination
    # an object with .offer(ctx, package, value, contract_value, held) -> price or None (it
    # decides not to bid), or None: no in-house bidder
    inhouse_bidder: Any = None
    # award a lot only if the best bid is at most the price-comparison basis × (1 + this);
    # infinite: no basis, award to the best bid
    basis_tolerance: float = math.inf


@dataclass
class Signals:
    """What this quarter's rules set for the in-house unit's work (each a rule's decision, not
    a feeling: how employees fare follows from what happens to them, ``sim.agents``)."""

    competition: float = 0.0  # competitive pressure on the in-house unit's cost (stylised fact 2)
    # share of employee proposals management considers: the model starts every quarter from
    # employees.consideration, a rule may set it
    consideration: float = 0.0
    implementation_boost: float = 0.0  # added chance an accepted idea is implemented
    outside_work: float = 1.0  # how far the in-house unit can buffer cuts by outside work

    @classmethod
    def zero(cls) -> Signals:
        """All fields 0: the start of a sum over quarters."""
        return cls(**{k: 0.0 for k in cls.__dataclass_fields__})

    def add(self, other: Signals) -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def scaled(self, factor: float) -> Signals:
        return Signals(**{k: getattr(self, k) * factor for k in self.__dataclass_fields__})


@dataclass
class RuleInfo:
    key: str
    title: str
    explanation: str
    source: str
    odd_section: str
    requires: tuple[str, ...] = field(default_factory=tuple)
    conflicts: tuple[str, ...] = field(default_factory=tuple)


P = TypeVar("P", bound=RuleParams)

NO_ACCESS = Access()


class Rule(Generic[P]):
    """Base class. Subclasses set ``key``, ``Params``, ``title``, ``explanation``, ``source`` and
    ``access`` (phase → ``uses(reads=…, writes=…)``), and are typed by their parameters."""

    key: ClassVar[str]
    Params: ClassVar[type[RuleParams]]
    title: ClassVar[str] = ""
    explanation: ClassVar[str] = ""  # plain language, shown in the teaching app
    source: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()
    conflicts: ClassVar[tuple[str, ...]] = ()
    access: ClassVar[Mapping[str, Access]] = {}

    def __init__(self, params: P) -> None:
        self.p: P = params

    @classmethod
    def odd_section(cls) -> str:
        return f"docs/ODD.md#submodel-{cls.key.replace('_', '-')}"

    @classmethod
    def phases(cls) -> tuple[str, ...]:
        """The phases this rule implements (so the model calls only those)."""
        return tuple(ph for ph in PHASES if getattr(cls, ph) is not getattr(Rule, ph))

    @classmethod
    def access_in(cls, phase: str) -> Access:
        """What this rule declares it reads and writes in `phase`."""
        return cls.access.get(phase, NO_ACCESS)

    @classmethod
    def check_regime(cls, params: P, regime: list[RuleParams]) -> str | None:
        """A problem with these parameters given the other rules of the regime, or None."""
        return None

    def activate(self, ctx: RuleContext) -> None:
        """Called once when the rule's regime starts."""

    def deactivate(self, ctx: RuleContext) -> None:
        """Called once when the rule's regime ends."""

    def plan(self, ctx: RuleContext, plan: ProcurementPlan) -> None: ...
    def procure(self, ctx: RuleContext, plan: ProcurementPlan) -> None: ...
    def quarter(self, ctx: RuleContext, s: Signals) -> None: ...
    def measure(self, ctx: RuleContext) -> None: ...
    def respond(self, ctx: RuleContext) -> None: ...
    def adapt(self, ctx: RuleContext) -> None: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.p.model_dump(exclude={'rule'})})"
