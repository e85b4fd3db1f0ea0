"""The parameter schema: every model parameter declared once, with unit, default, range, source.

Why one schema: the CLI (`govsim params`), scenario validation, batch sweeps and the
sensitivity problem all read their names, bounds and plausible ranges from here, so a
range is never written twice (SALib's ProblemSpec idea, EMA Workbench's typed parameters).

Each field carries two ranges:
- hard bounds (`ge`/`le`/`gt`/`lt`): what the model can *run*; pydantic rejects anything
  outside. Bounds are strict (`gt`/`lt`) where the value divides (the efficiency floor, a
  rate), finite everywhere (no `.inf`/`.nan`), and a boolean is never read as a number.
- `plausible`: what is *credible*; sensitivity analyses and Latin hypercubes sample it.

`source` cites a row of shared/EVIDENCE.md ("E5"), a seed document ("seed 001"), or says
"assumption" where no source exists — then the plausible range is deliberately wide.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.errors import BooleanInput


def param(
    default: Any,
    *,
    unit: str,
    plausible: tuple[float, float] | None,
    source: str,
    doc: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    reference: Any = None,
) -> Any:
    """Declare a parameter field. `default=...` makes it required (then `reference` is shown)."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        extra["plausible"] = [plausible[0], plausible[1]]
    if reference is not None:
        extra["reference"] = reference
    return Field(default, description=doc, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


def _expects_number(annotation: Any) -> bool:
    """True if a field of this type takes a number and not a boolean (int, float, or a union
    such as ``int | str`` that has a number in it and no bool)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return bool not in args and any(a in (int, float) for a in args)
    return False


class NumbersModel(BaseModel):
    """Base of every schema model whose fields hold numbers: non-finite numbers (``.inf``,
    ``.nan``) and booleans (``true``, which pydantic would read as 1) are refused where a
    number is expected — a YAML ``share: true`` is a mistake, not a share of 1.

    (A model validator, not a field validator: a rule's discriminator field ``rule`` may carry
    no field validator. A boolean is wrapped in ``BooleanInput`` so the number check fails on
    it and ``describe_validation_errors`` can say why.)"""

    model_config = ConfigDict(allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fields = cls.model_fields
            bad = {
                k: BooleanInput(v)
                for k, v in data.items()
                if isinstance(v, bool) and k in fields and _expects_number(fields[k].annotation)
            }
            if bad:
                return {**data, **bad}
        return data

    def __setattr__(self, name: str, value: Any) -> None:
        # validate_assignment does not see what a model validator returns: wrap here too
        field = type(self).model_fields.get(name)
        if isinstance(value, bool) and field is not None and _expects_number(field.annotation):
            value = BooleanInput(value)
        super().__setattr__(name, value)


class ParamGroup(NumbersModel):
    """Base of all parameter groups: unknown keys are errors, values are validated on assignment,
    non-finite numbers and booleans are refused where numbers are expected."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False
    )


class MunicipalityParams(ParamGroup):
    """The default municipality: a mid-size Danish technical department (roads, parks, cleaning, winter)."""

    citizens: int = param(
        85_000,
        unit="persons",
        plausible=(40_000, 200_000),
        ge=100,
        le=2_000_000,
        source="assumption: a mid-size Danish municipality (98 municipalities, ≈ 60,000 inhabitants on average); "
        "seed 001 does not state its population",
        doc="Inhabitants; each is a member of the vectorised citizen population of an area.",
    )
    areas: int = param(
        12,
        unit="areas",
        plausible=(6, 24),
        ge=1,
        le=200,
        source="seed 000 (geographic areas as units of measurement); count is an assumption",
        doc="Geographic areas in which service is delivered and judged.",
    )
    employees: int = param(
        140,
        unit="FTE",
        plausible=(80, 250),
        ge=5,
        le=5_000,
        source="assumption: in-house volume / ≈ 0.55 M DKK per FTE incl. materials and machines",
        doc="Positions in the in-house operations unit.",
    )
    task_volume_dkk: float = param(
        112e6,
        unit="DKK/yr",
        plausible=(80e6, 200e6),
        ge=1e6,
        le=1e11,
        source="assumption: seed 001 gives no department budget; sized so its freed 5.7 M DKK in < 3 yrs "
        "(E17) is ≈ 1.8 %/yr of the budget",
        doc="Annual cost of all task packages at the in-house reference cost (roads, parks, cleaning, winter).",
    )
    budget_dkk: float = param(
        118e6,
        unit="DKK/yr",
        plausible=(85e6, 210e6),
        ge=1e6,
        le=1e11,
        source="assumption: task volume plus ≈ 5 % administration",
        doc="Year-0 operating budget of the department (real, fixed prices).",
    )
    contractors: int = param(
        8,
        unit="firms",
        plausible=(3, 15),
        ge=1,
        le=200,
        source="assumption: a handful of regional road/park firms (E10 gives only the private share, 33–44 %)",
        doc="Private firms in the regional pool (active or not).",
    )
    admin_hourly_dkk: float = param(
        450.0,
        unit="DKK/h",
        plausible=(350, 600),
        ge=1,
        le=10_000,
        source="assumption: fully loaded municipal administrative salary",
        doc="Cost of one hour of administrative/orderer staff time.",
    )
    staff_hourly_dkk: float = param(
        380.0,
        unit="DKK/h",
        plausible=(300, 500),
        ge=1,
        le=10_000,
        source="assumption: fully loaded operations staff salary",
        doc="Cost of one hour of an operations employee's time (learning teams, guides).",
    )
    ordering_share: float = param(
        0.015,
        unit="share of volume",
        plausible=(0.005, 0.03),
        ge=0,
        le=0.2,
        source="assumption (no source found, see EVIDENCE 'Not found'); wide range",
        doc="Ordering/specification work every model needs, as a share of task volume.",
    )


class EmployeeParams(ParamGroup):
    """Employees of the in-house unit: wellbeing, sick leave, turnover, proposals."""

    wellbeing_base: float = param(
        5.5,
        unit="1–7 scale",
        plausible=(5.0, 6.0),
        ge=1,
        le=7,
        source="E15 (Copenhagen wellbeing survey 5.5 in 2017)",
        doc="Wellbeing an employee drifts to with no governance signal.",
    )
    wellbeing_rate: float = param(
        0.25,
        unit="1/quarter",
        plausible=(0.1, 0.5),
        gt=0,
        le=1,
        source="assumption",
        doc="How fast wellbeing moves toward its target each quarter.",
    )
    control_effect: float = param(
        0.6,
        unit="scale points per unit control intensity",
        plausible=(0.3, 1.6),
        ge=0,
        le=5,
        source="seed 004 (NPM control undermines job satisfaction); size is an assumption",
        doc="Wellbeing lost under full control intensity.",
    )
    participation_effect: float = param(
        0.6,
        unit="scale points per unit participation",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
        source="seed 004 (tripartite cooperation, wellbeing); E15 for the scale (5.5 → 5.7); size an assumption",
        doc="Wellbeing gained under full participation.",
    )
    security_effect: float = param(
        0.3,
        unit="scale points per unit security",
        plausible=(0.0, 0.6),
        ge=0,
        le=5,
        source="seed 004 (no-tendering guarantee); assumption",
        doc="Wellbeing gained from job security (no tendering, fixed share).",
    )
    workload_effect: float = param(
        2.0,
        unit="scale points per unit workload",
        plausible=(0.5, 4.0),
        ge=0,
        le=20,
        source="seed 001 (framework savings hit the in-house unit); assumption",
        doc="Wellbeing lost per unit of workload pressure (cumulative framework cuts).",
    )
    sick_leave_base: float = param(
        0.097,
        unit="share of working time",
        plausible=(0.05, 0.11),
        ge=0,
        le=0.5,
        source="E12 (Norwegian municipalities outside the programme: 9.7 % in Q4 2008)",
        doc="Sick-leave rate at base wellbeing at the start.",
    )
    sick_leave_trend: float = param(
        0.001,
        unit="share per year",
        plausible=(0.0, 0.0027),
        ge=-0.01,
        le=0.01,
        source="E12 upper bound (others rose 0.2 pp in three quarters → 0.27 pp/yr); long-run default an assumption",
        doc="Background drift of sick leave per year (rising elsewhere).",
    )
    sick_leave_wellbeing_slope: float = param(
        0.00447,
        unit="share per scale point",
        plausible=(0.002, 0.012),
        ge=0,
        le=0.1,
        source="calibrated (docs/CALIBRATION.md, check 5b): E12 gap of 0.3–0.4 pp after 1–2 years; E13 ≤ 1.6 pp",
        doc="Sick leave falls by this much per wellbeing point above base.",
    )
    turnover_base: float = param(
        0.08,
        unit="share per year",
        plausible=(0.04, 0.15),
        ge=0,
        le=1,
        source="assumption: Danish municipal operations staff turnover",
        doc="Annual quit probability at base wellbeing.",
    )
    proposal_rate: float = param(
        0.12,
        unit="proposals per employee-year",
        plausible=(0.05, 0.3),
        ge=0,
        le=5,
        source="assumption (seed 004: bottom-up proposals); scaled by trust and participation",
        doc="Baseline rate at which employees propose improvements.",
    )


class CitizenParams(ParamGroup):
    """Citizens perceive the holistic quality of their area and answer surveys (seed 000)."""

    bias_sd: float = param(
        0.08,
        unit="satisfaction points",
        plausible=(0.03, 0.15),
        ge=0,
        le=1,
        source="assumption",
        doc="Spread of persistent personal bias in perceived quality.",
    )
    adaptation: float = param(
        0.5,
        unit="1/yr",
        plausible=(0.2, 0.9),
        gt=0,
        le=1,
        source="assumption",
        doc="How fast perceptions follow the real quality of the area.",
    )
    survey_sample: int = param(
        600,
        unit="respondents/yr",
        plausible=(200, 2000),
        ge=10,
        le=100_000,
        source="assumption: a municipal satisfaction survey",
        doc="Citizens sampled by the yearly survey.",
    )


class MarketParams(ParamGroup):
    """Private contractors: cost, markup, quality, bidding, entry and exit."""

    cost_mean: float = param(
        1.0245,
        unit="× in-house reference cost",
        plausible=(0.96, 1.08),
        gt=0,
        le=3,
        source="calibrated (docs/CALIBRATION.md, check 1a): 5.5 % mean saving at first contracting out (E4; "
        "E1 ≈ 5 %); the range spans first-tender savings of ≈ 2–12 % (E2: 5–15 %)",
        doc="Mean cost level of a private firm (the lowest of several bids is still below in-house cost).",
    )
    cost_sd: float = param(
        0.06,
        unit="× reference",
        plausible=(0.02, 0.12),
        ge=0,
        le=1,
        source="E3 (wide spread of outcomes)",
        doc="Spread of firms' cost levels.",
    )
    markup: float = param(
        0.04,
        unit="share",
        plausible=(0.0, 0.1),
        ge=0,
        le=1,
        source="assumption",
        doc="Firms' mean profit markup.",
    )
    overrun_sd: float = param(
        0.10,
        unit="share of contract price",
        plausible=(0.03, 0.2),
        ge=0,
        le=2,
        source="E3 (from −40 % to +68 %)",
        doc="Spread of realised cost around the winning bid (renegotiation, extra work).",
    )
    bid_probability: float = param(
        0.6,
        unit="probability",
        plausible=(0.3, 0.9),
        ge=0,
        le=1,
        source="assumption",
        doc="Chance an active firm bids in a given tender.",
    )
    quality_mean: float = param(
        0.68,
        unit="quality 0–1",
        plausible=(0.6, 0.75),
        ge=0,
        le=1,
        source="E16 (index 60–70 acceptable)",
        doc="Mean delivered quality of a private firm.",
    )
    entry_probability: float = param(
        0.3,
        unit="per year",
        plausible=(0.0, 0.6),
        ge=0,
        le=1,
        source="assumption",
        doc="Chance a year that a new firm enters while fewer than `municipality.contractors` are active.",
    )
    exit_after_years: int = param(
        3,
        unit="years",
        plausible=(1, 6),
        ge=1,
        le=50,
        source="assumption",
        doc="A firm without a contract for this long leaves the market.",
    )
    catch_up: float = param(
        0.15,
        unit="1/round",
        plausible=(0.05, 0.4),
        ge=0,
        le=1,
        source="stylised fact 2 (Petersen et al. 2018: savings decrease over time); rate an assumption",
        doc="How far a re-tendered lot's private cost advantage shrinks per tender round.",
    )


class InHouseParams(ParamGroup):
    """The in-house operations unit (udfører / TME)."""

    quality_base: float = param(
        0.70,
        unit="quality 0–1",
        plausible=(0.62, 0.78),
        ge=0,
        le=1,
        source="E16 (index 60–70 acceptable, > 70 good)",
        doc="Delivered quality of the in-house unit at base skill and wellbeing.",
    )
    pressure_gain: float = param(
        0.02,
        unit="cost reduction per year at full pressure",
        plausible=(0.0, 0.05),
        ge=0,
        le=0.5,
        source="stylised fact 2 (in-house units improve under competition); assumption",
        doc="Yearly efficiency gain of the in-house unit under full competitive pressure.",
    )
    efficiency_floor: float = param(
        0.85,
        unit="× reference cost",
        plausible=(0.75, 0.95),
        gt=0,
        lt=1,
        source="assumption",
        doc="The in-house unit cannot get cheaper than this.",
    )
    innovation_gain: float = param(
        0.0005,
        unit="cost reduction per implemented proposal",
        plausible=(0.0002, 0.002),
        ge=0,
        le=0.05,
        source="seed 004 (Steinkjer: one-person truck); size an assumption",
        doc="Efficiency gain from one implemented employee proposal.",
    )
    innovation_quality: float = param(
        0.0008,
        unit="quality per implemented proposal",
        plausible=(0.0003, 0.002),
        ge=0,
        le=0.05,
        source="stylised fact 7 (employee-initiated innovation raises quality); assumption",
        doc="Quality gain from one implemented employee proposal (half of it lasts into the next year).",
    )
    outside_work_buffer: float = param(
        0.5,
        unit="share of cuts absorbed",
        plausible=(0.0, 0.8),
        ge=0,
        le=1,
        source="seed 001 (in-house unit can take fewer outside jobs under HOD); size an assumption",
        doc="Share of framework cuts the in-house unit absorbs by outside work (rules may reduce it).",
    )


class PoliticsParams(ParamGroup):
    """Politicians: expectations, framework savings, elections."""

    committee_size: int = param(
        9,
        unit="members",
        plausible=(5, 13),
        ge=1,
        le=51,
        source="assumption",
        doc="Members of the technical committee.",
    )
    expectation_mean: float = param(
        0.68,
        unit="satisfaction 0–1",
        plausible=(0.62, 0.74),
        ge=0,
        le=1,
        source="E16 (60–70 acceptable)",
        doc="Mean political expectation of citizen satisfaction per area.",
    )
    austerity: float = param(
        0.25,
        unit="probability per year",
        plausible=(0.0, 0.5),
        ge=0,
        le=1,
        source="seed 001 (rammebesparelser); assumption",
        doc="Chance of a framework saving in a year.",
    )
    cut_size: float = param(
        0.015,
        unit="share of budget",
        plausible=(0.005, 0.03),
        ge=0,
        le=0.2,
        source="assumption",
        doc="Size of one framework saving.",
    )
    election_period: int = param(
        4,
        unit="years",
        plausible=None,
        ge=1,
        le=10,
        source="Danish municipal elections every 4 years",
        doc="Years between elections.",
    )
    turnover_at_election: float = param(
        0.4,
        unit="share of members",
        plausible=(0.2, 0.6),
        ge=0,
        le=1,
        source="assumption",
        doc="Share of committee members replaced at an election.",
    )


class TrustParams(ParamGroup):
    """Starting trust between the parties (rates live in the trust_dynamics rule)."""

    initial: float = param(
        0.5,
        unit="trust 0–1",
        plausible=(0.3, 0.7),
        ge=0,
        le=1,
        source="assumption",
        doc="Trust in every relation at the start.",
    )


class Parameters(ParamGroup):
    """All behavioural and municipality parameters, by group (rule parameters live with their rule)."""

    municipality: MunicipalityParams = Field(default_factory=MunicipalityParams)
    employees: EmployeeParams = Field(default_factory=EmployeeParams)
    citizens: CitizenParams = Field(default_factory=CitizenParams)
    market: MarketParams = Field(default_factory=MarketParams)
    inhouse: InHouseParams = Field(default_factory=InHouseParams)
    politics: PoliticsParams = Field(default_factory=PoliticsParams)
    trust: TrustParams = Field(default_factory=TrustParams)


@dataclass(frozen=True)
class ParamInfo:
    """One row of the schema, as `govsim params` prints it and sensitivity specs read it."""

    name: str
    unit: str
    default: Any
    low: float | None
    high: float | None
    source: str
    doc: str
    kind: str  # "float" | "int" | "bool" | "str"


def _field_infos(prefix: str, model: type[BaseModel]) -> list[ParamInfo]:
    rows = []
    for name, field in model.model_fields.items():
        if name == "rule":
            continue
        extra = field.json_schema_extra or {}
        if not isinstance(extra, dict) or "unit" not in extra:
            continue
        plausible = extra.get("plausible")
        default = extra.get("reference") if field.is_required() else field.default
        ann = field.annotation
        kind = {int: "int", float: "float", bool: "bool"}.get(ann, "str")
        rows.append(
            ParamInfo(
                name=f"{prefix}.{name}",
                unit=str(extra["unit"]),
                default=default,
                low=None if plausible is None else plausible[0],
                high=None if plausible is None else plausible[1],
                source=str(extra["source"]),
                doc=field.description or "",
                kind=kind,
            )
        )
    return rows


def schema() -> list[ParamInfo]:
    """Every parameter of the model: groups first, then each rule's own parameters."""
    from sim.rules import RULES

    rows: list[ParamInfo] = []
    for group, field in Parameters.model_fields.items():
        rows += _field_infos(group, field.annotation)
    for key, cls in RULES.items():
        rows += _field_infos(key, cls.Params)
    return rows


def schema_index() -> dict[str, ParamInfo]:
    return {p.name: p for p in schema()}


# ---------------------------------------------------------------- sampling ranges
class Range(BaseModel):
    """The range a numeric parameter is sampled or swept over — the one treatment of whole numbers.

    Both ends are *inclusive* and are valid model values. A float parameter takes any value in
    ``[low, high]``. A whole-number parameter (``kind == "int"``) takes the whole values
    ``low, low + 1, …, high`` (its ends must be whole numbers): a sampler draws a continuous
    coordinate on ``sample_bounds()`` = ``[low, high + 1)`` and ``value()`` floors it (clamped to
    ``high``), so every whole value is equally likely — in sensitivity designs (SALib sees the
    continuous coordinate), experiment Latin hypercubes and EMA (``IntegerParameter(low, high)``,
    inclusive too). The app's sliders run from ``low`` to ``high`` in steps of 1.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    low: float
    high: float
    kind: str  # "float" | "int"

    def sample_bounds(self) -> tuple[float, float]:
        """The continuous coordinate a sampler draws on: [low, high] or, for whole numbers, [low, high + 1)."""
        return (self.low, self.high + 1.0) if self.kind == "int" else (self.low, self.high)

    def value(self, x: float) -> float | int:
        """A sampled coordinate → the model value (whole numbers floored into [low, high])."""
        if self.kind == "int":
            return max(int(self.low), min(int(math.floor(x)), int(self.high)))
        return float(x)

    def from_unit(self, u: float) -> float | int:
        """A point of the unit interval (a Latin hypercube coordinate) → the model value."""
        lo, hi = self.sample_bounds()
        return self.value(u * (hi - lo) + lo)


def hard_bounds(name: str) -> tuple[float | None, float | None]:
    """The ge/gt and le bounds of a parameter (what is *valid*, not what is plausible)."""
    from annotated_types import Ge, Gt, Le

    from sim.rules import RULES

    head, fld = name.split(".", 1)
    cls = (
        Parameters.model_fields[head].annotation
        if head in Parameters.model_fields
        else RULES[head].Params
    )
    lo = hi = None
    for m in cls.model_fields[fld].metadata:
        if isinstance(m, Ge | Gt):
            lo = float(getattr(m, "ge", getattr(m, "gt", None)))
        elif isinstance(m, Le):
            hi = float(m.le)
    return lo, hi


def resolve_range(
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    where: str = "",
    bounds_if_implausible: bool = False,
) -> Range:
    """The sampling range of parameter `name`: the given ends, else the schema's plausible range
    (else, with `bounds_if_implausible`, its hard bounds — the app's sliders). Raises one
    GovsimError (prefixed by `where`) for an unknown or non-numeric parameter, a missing,
    non-finite or reversed range, or fractional ends of a whole-number parameter."""
    from sim.errors import GovsimError

    def fail(msg: str) -> GovsimError:
        return GovsimError(f"{where}: {msg}" if where else msg)

    info = schema_index().get(name)
    if info is None:
        raise fail(f"unknown parameter {name!r}; see `govsim params` for the names")
    if info.kind not in ("float", "int"):
        raise fail(f"parameter {name!r} is a {info.kind}; only numbers can be sampled")
    lo, hi = info.low if low is None else low, info.high if high is None else high
    if (lo is None or hi is None) and bounds_if_implausible:
        b_lo, b_hi = hard_bounds(name)
        lo, hi = (b_lo if lo is None else lo), (b_hi if hi is None else hi)
    if lo is None or hi is None:
        raise fail(
            f"parameter {name!r} has no plausible range in the schema; give one as [low, high]"
        )
    for end in (lo, hi):
        if isinstance(end, bool) or not isinstance(end, int | float) or not math.isfinite(end):
            raise fail(
                f"parameter {name!r} has range [{lo!r}, {hi!r}]: both ends must be finite numbers"
            )
    if lo > hi:
        raise fail(
            f"parameter {name!r} has range [{lo:g}, {hi:g}]: low {lo:g} is above high {hi:g}"
        )
    if info.kind == "int" and (lo != int(lo) or hi != int(hi)):
        raise fail(
            f"parameter {name!r} has range [{lo:g}, {hi:g}]: this parameter is a whole number, "
            "so give whole-number ends"
        )
    return Range(name=name, low=float(lo), high=float(hi), kind=info.kind)
