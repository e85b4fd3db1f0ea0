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

import functools
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
    acts_with: tuple[str, ...] = (),
) -> Any:
    """Declare a parameter field. `default=...` makes it required (then `reference` is shown).
    `acts_with`: for a group parameter that only a few rules' work reaches, those rules' keys —
    a scenario without any of them does not use it (``Scenario.uses_parameter``)."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if acts_with:
        extra["acts_with"] = list(acts_with)
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
        doc="Private firms in the regional pool at the start, and the most that profit-driven "
        "entry lets into it.",
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
    area_size_sd: float = param(
        0.3,
        unit="log scale",
        plausible=(0.1, 0.5),
        ge=0,
        le=3,
        source="assumption: the areas of one municipality differ in population and task volume",
        doc="Spread (lognormal sigma) of the areas' relative sizes: each area's share of the "
        "citizens and of every task's volume.",
    )
    staff_optimism: float = param(
        0.03,
        unit="quality points",
        plausible=(0.0, 0.06),
        ge=-0.5,
        le=0.5,
        source="seed 000 (citizens' and professional staff's views of an area are compared and "
        "differ); size and sign an assumption",
        doc="How much higher the municipality's professional staff rate the quality of an area "
        "than it is.",
    )
    staff_assessment_sd: float = param(
        0.02,
        unit="quality points",
        plausible=(0.0, 0.05),
        ge=0,
        le=0.5,
        source="assumption: the staff's judgement of an area varies from year to year",
        doc="Noise of the professional staff's yearly assessment of an area's quality.",
    )


class EmployeeParams(ParamGroup):
    """Employees of the in-house unit: what they experience (job demands and resources) and how
    their wellbeing, sick leave, quits and proposals follow from it (Bakker & Demerouti 2007,
    the job demands–resources model)."""

    wellbeing_base: float = param(
        5.5,
        unit="1–7 scale",
        plausible=(5.0, 6.0),
        ge=1,
        le=7,
        source="E15 (Copenhagen wellbeing survey 5.5 in 2017)",
        doc="Wellbeing of an employee with neutral experience: no control load, no involvement, "
        "secure job, neutral autonomy and trust.",
    )
    wellbeing_sd: float = param(
        0.4,
        unit="scale points",
        plausible=(0.2, 0.6),
        ge=0,
        le=2,
        source="assumption: spread of individual answers on a 1–7 survey scale",
        doc="Spread of wellbeing among new holders of a position.",
    )
    wellbeing_rate: float = param(
        0.25,
        unit="1/quarter",
        plausible=(0.1, 0.5),
        gt=0,
        le=1,
        source="assumption",
        doc="How fast wellbeing moves toward what the job's demands and resources make of it.",
    )
    wellbeing_noise: float = param(
        0.05,
        unit="scale points per quarter",
        plausible=(0.0, 0.1),
        ge=0,
        le=1,
        source="assumption: events outside work",
        doc="Quarterly random shock to each employee's wellbeing.",
    )
    control_effect: float = param(
        0.6,
        unit="scale points per unit control demand",
        plausible=(0.3, 1.6),
        ge=0,
        le=5,
        source="seed 004 (NPM control undermines job satisfaction); JD-R: a hindrance demand "
        "(Bakker & Demerouti 2007); size an assumption",
        doc="Wellbeing lost when the control work an employee bears equals control_hours_reference.",
        acts_with=("inspection", "internal_invoicing", "control_bids"),
    )
    control_hours_reference: float = param(
        20.0,
        unit="hours per FTE-year",
        plausible=(10, 40),
        gt=0,
        le=500,
        source="assumption: about half a working week a year of inspection, documentation, "
        "invoicing and bid writing",
        doc="Control work per employee at which the control demand is 1.",
        acts_with=("inspection", "internal_invoicing", "control_bids"),
    )
    control_share_borne: float = param(
        0.5,
        unit="share of control hours",
        plausible=(0.3, 0.7),
        ge=0,
        le=1,
        source="assumption: the provider side's part of inspection, invoicing and control-bid work",
        doc="Share of the control hours spent on the in-house unit's work that its staff bear.",
        acts_with=("inspection", "internal_invoicing", "control_bids"),
    )
    participation_effect: float = param(
        0.6,
        unit="scale points at full involvement",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
        source="seed 004 (tripartite cooperation, wellbeing); E15 for the scale (5.5 → 5.7); "
        "JD-R: participation is a job resource; size an assumption",
        doc="Wellbeing gained by an employee whose recent involvement hours are far above "
        "involvement_reference.",
    )
    involvement_reference: float = param(
        40.0,
        unit="hours/yr",
        plausible=(16, 100),
        gt=0,
        le=2000,
        source="assumption: a learning team or steering-group seat is ≈ 40 h a year",
        doc="Involvement hours at which half of participation_effect is reached.",
    )
    involvement_memory: float = param(
        0.25,
        unit="1/quarter",
        plausible=(0.1, 0.5),
        gt=0,
        le=1,
        source="assumption",
        doc="Weight of this quarter's involvement in the remembered involvement (an exponential "
        "average of yearly hours).",
    )
    autonomy_effect: float = param(
        0.5,
        unit="scale points per unit autonomy",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
        source="seed 004 (being heard); JD-R: autonomy a job resource (Bakker & Demerouti 2007); "
        "size an assumption",
        doc="Wellbeing per unit of experienced voice above neutral (autonomy 0.5).",
    )
    autonomy_rate: float = param(
        0.5,
        unit="share of gap per year",
        plausible=(0.2, 0.8),
        gt=0,
        le=1,
        source="assumption",
        doc="How far one year's fate of own proposals moves an employee's experienced voice.",
    )
    trust_effect: float = param(
        0.6,
        unit="scale points per unit trust",
        plausible=(0.2, 1.2),
        ge=0,
        le=5,
        source="seed 003 (management support); JD-R: supervisor support a job resource; "
        "size an assumption",
        doc="Wellbeing per unit of trust in management above 0.5.",
    )
    security_effect: float = param(
        0.6,
        unit="scale points per unit insecurity",
        plausible=(0.2, 1.2),
        ge=0,
        le=5,
        source="seed 004 (no-tendering guarantee); Sverke, Hellgren & Näswall 2002 (job "
        "insecurity lowers wellbeing); size an assumption",
        doc="Wellbeing lost by an employee whose job security is 0 instead of 1.",
    )
    security_initial: float = param(
        0.9,
        unit="security 0–1",
        plausible=(0.7, 1.0),
        ge=0,
        le=1,
        source="assumption",
        doc="Job security of a new holder of a position.",
    )
    security_recovery: float = param(
        0.2,
        unit="share of gap per year",
        plausible=(0.05, 0.4),
        ge=0,
        le=1,
        source="assumption: a threat fades when nothing happens",
        doc="Yearly recovery of job security toward 1 in a year without threats.",
    )
    threat_drop: float = param(
        0.3,
        unit="share of security",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="seed 004 (Steinkjer: the threat of outsourcing); Sverke et al. 2002; size an assumption",
        doc="Security lost when the work of one's post is put out to tender.",
    )
    kept_gain: float = param(
        0.5,
        unit="share of gap",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
        source="assumption",
        doc="Security regained when a tender of one's work ends with the work kept in-house.",
    )
    redeploy_drop: float = param(
        0.4,
        unit="share of security",
        plausible=(0.2, 0.6),
        ge=0,
        le=1,
        source="assumption",
        doc="Security lost when one's work is lost and one is moved to another post.",
    )
    survivor_drop: float = param(
        1.0,
        unit="× security per laid-off share of staff",
        plausible=(0.5, 2.0),
        ge=0,
        le=10,
        source="Brockner et al. (layoff survivors); size an assumption",
        doc="Security the remaining staff lose per share of colleagues laid off.",
    )
    workload_effect: float = param(
        2.0,
        unit="scale points per unit workload",
        plausible=(0.5, 4.0),
        ge=0,
        le=20,
        source="seed 001 (framework savings hit the in-house unit); JD-R: workload a demand; assumption",
        doc="Wellbeing lost per unit of workload pressure (framework cuts not buffered, task "
        "demands added by changes in work practice).",
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
    sick_leave_sd: float = param(
        0.02,
        unit="share of working time",
        plausible=(0.0, 0.04),
        ge=0,
        le=0.2,
        source="assumption",
        doc="Spread of personal sick-leave propensity.",
    )
    sick_leave_cap: float = param(
        0.6,
        unit="share of working time",
        plausible=None,
        gt=0,
        le=1,
        source="assumption: a bound on any one employee's sick leave",
        doc="Highest sick-leave rate of one employee.",
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
        0.0078,
        unit="share per scale point",
        plausible=(0.002, 0.012),
        ge=0,
        le=0.1,
        source="calibrated (docs/CALIBRATION.md, check 5b): E12 gap of 0.3–0.4 pp after 1–2 years; E13 ≤ 1.6 pp",
        doc="Sick leave falls by this much per wellbeing point above base (JD-R's health-impairment path).",
    )
    turnover_base: float = param(
        0.08,
        unit="share per year",
        plausible=(0.04, 0.15),
        ge=0,
        le=1,
        source="assumption: Danish municipal operations staff turnover",
        doc="Annual quit probability at base wellbeing and full security.",
    )
    turnover_wellbeing_slope: float = param(
        0.8,
        unit="1/scale point",
        plausible=(0.4, 1.2),
        ge=0,
        le=5,
        source="assumption (JD-R's motivational path: resources lower turnover intention)",
        doc="Quit probability changes by exp(−slope) per wellbeing point above base.",
    )
    insecurity_quit: float = param(
        1.0,
        unit="× quit chance per unit insecurity",
        plausible=(0.3, 2.0),
        ge=0,
        le=10,
        source="Sverke, Hellgren & Näswall 2002 (insecurity raises turnover intention); size an assumption",
        doc="Quit probability rises by this factor times (1 − security).",
    )
    consideration: float = param(
        0.3,
        unit="share of proposals",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="assumption: without a duty to consider, management looks at a minority of proposals",
        doc="Share of employee proposals management considers unless a rule says otherwise.",
    )
    proposal_rate: float = param(
        0.12,
        unit="proposals per employee-year",
        plausible=(0.05, 0.3),
        ge=0,
        le=5,
        source="assumption (seed 004: bottom-up proposals); scaled by trust, voice and threat",
        doc="Rate at which an employee with trust 0.5, neutral voice and a secure job proposes.",
    )
    propensity_sd: float = param(
        0.5,
        unit="log scale",
        plausible=(0.2, 0.8),
        ge=0,
        le=3,
        source="assumption: a few employees make most proposals",
        doc="Spread (lognormal sigma) of personal propensity to propose.",
    )
    voice_response: float = param(
        1.5,
        unit="× rate per unit autonomy",
        plausible=(0.5, 3.0),
        ge=0,
        le=10,
        source="seed 004 (proposals grow when they are taken seriously); size an assumption",
        doc="Proposal rate rises by this factor times (autonomy − 0.5): employees whose proposals "
        "were heard propose more.",
    )
    threat_proposal_effect: float = param(
        1.0,
        unit="× rate per unit insecurity",
        plausible=(0.0, 2.0),
        ge=0,
        le=10,
        source="seed 004 (Steinkjer: the threat of outsourcing motivated the refuse collectors' "
        "proposal); size an assumption",
        doc="Proposal rate rises by this factor times (1 − security).",
    )
    skill_low: float = param(
        0.3,
        unit="skill 0–1",
        plausible=None,
        ge=0,
        le=1,
        source="assumption",
        doc="Lowest skill of a starting employee (skill is uniform between low and high).",
    )
    skill_high: float = param(
        0.8,
        unit="skill 0–1",
        plausible=None,
        ge=0,
        le=1,
        source="assumption",
        doc="Highest skill of a starting employee.",
    )
    new_hire_skill_high: float = param(
        0.5,
        unit="skill 0–1",
        plausible=(0.35, 0.65),
        ge=0,
        le=1,
        source="assumption: a new holder knows less than the average incumbent",
        doc="Highest skill of a new holder of a position (uniform from skill_low).",
    )
    skill_growth: float = param(
        0.01,
        unit="share of gap per quarter",
        plausible=(0.0, 0.03),
        ge=0,
        le=1,
        source="assumption: learning on the job",
        doc="Skill rises by this share of its distance to 1 each quarter.",
    )
    trust_sd: float = param(
        0.08,
        unit="trust 0–1",
        plausible=(0.0, 0.15),
        ge=0,
        le=0.5,
        source="assumption",
        doc="Spread of a starting employee's trust in management around the initial level.",
    )
    autonomy_initial: float = param(
        0.5,
        unit="autonomy 0–1",
        plausible=(0.3, 0.7),
        ge=0,
        le=1,
        source="assumption: a new holder of a position has no experience of being heard yet "
        "(0.5 is neutral: it neither adds nor takes wellbeing)",
        doc="Experienced voice (autonomy) of a new holder of a position.",
    )
    proposal_trust_offset: float = param(
        0.5,
        unit="× proposal rate",
        plausible=(0.25, 1.0),
        ge=0,
        le=5,
        source="seed 004 (proposals come where employees trust that they are taken seriously); "
        "size an assumption",
        doc="The proposal rate is multiplied by (offset + trust in management): at 0.5 an "
        "employee with no trust proposes half as often as one with trust 0.5, one with full "
        "trust 1.5 times as often.",
    )
    considered_voice: float = param(
        0.5,
        unit="share of an implemented proposal",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
        source="assumption (seed 004: being heard matters even when the idea is not carried out)",
        doc="How much a proposal management considered but did not implement counts toward its "
        "proposer's voice; an implemented one counts 1, an ignored one 0.",
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
    tolerance: float = param(
        0.01,
        unit="quality points",
        plausible=(0.0, 0.03),
        ge=0,
        le=1,
        source="assumption: a change smaller than this goes unnoticed",
        doc="A fall in an area's quality smaller than this does not count as a broken commitment "
        "to its citizens.",
    )
    survey_noise: float = param(
        0.05,
        unit="satisfaction points",
        plausible=(0.02, 0.1),
        ge=0,
        le=1,
        source="assumption: answer noise on a survey scale",
        doc="Noise of one survey answer.",
    )


class MarketParams(ParamGroup):
    """Private contractors of the regional market: cost and how it changes (learning by doing,
    productivity growth, a sector input-cost index), capacity, specialisation, local presence,
    the bid decision and markup, entry and exit (``sim.agents.Market``)."""

    cost_mean: float = param(
        0.988,
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
        source="assumption; KFST 2018 'Konkurrencen om danske EU-udbud' (3.6 bids per tender on "
        "average) fixes the reference number of rivals it applies at",
        doc="Firms' mean markup on cost when they expect `market.reference_rivals` rivals (it falls "
        "with more expected rivals, `market.rival_elasticity`).",
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
    quality_mean: float = param(
        0.68,
        unit="quality 0–1",
        plausible=(0.6, 0.75),
        ge=0,
        le=1,
        source="E16 (index 60–70 acceptable)",
        doc="Mean delivered quality of a private firm.",
    )
    exit_after_years: int = param(
        3,
        unit="years",
        plausible=(1, 6),
        ge=1,
        le=50,
        source="assumption: firms leave a market after sustained losses (Jovanovic 1982: selection "
        "on realised profits)",
        doc="A firm without a contract that has made no profit in the market for this many years in "
        "a row leaves it.",
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
    markup_sd: float = param(
        0.015,
        unit="share",
        plausible=(0.005, 0.03),
        ge=0,
        le=0.5,
        source="assumption",
        doc="Spread of firms' markups.",
    )
    quality_sd: float = param(
        0.05,
        unit="quality 0–1",
        plausible=(0.02, 0.1),
        ge=0,
        le=0.5,
        source="assumption",
        doc="Spread of firms' delivered quality.",
    )
    cost_min: float = param(
        0.3,
        unit="× reference cost",
        plausible=None,
        gt=0,
        le=1,
        source="assumption: a bound so that no firm's cost draw is near zero",
        doc="Lowest cost level of a firm.",
    )
    min_firms: int = param(
        2,
        unit="firms",
        plausible=(1, 3),
        ge=1,
        le=50,
        source="assumption: a regional market keeps a few firms able to bid even when they win "
        "nothing here",
        doc="New firms enter at once while fewer than this are in the market (entry above it is "
        "driven by profit, `market.entry_margin`).",
    )
    bid_noise_sd: float = param(
        0.03,
        unit="share of bid",
        plausible=(0.0, 0.06),
        ge=0,
        le=0.5,
        source="assumption: firms' bids scatter around cost plus markup (E3: wide spread of outcomes)",
        doc="Noise of a firm's bid around its cost plus markup, per tender.",
    )
    overrun_floor: float = param(
        0.5,
        unit="× winning bid",
        plausible=None,
        gt=0,
        le=1,
        source="E3 (outcomes from −40 % to +68 %: no contract cost less than ≈ 0.6 × its price); "
        "bound an assumption; no plausible range: a safety bound, not a lever (the overrun draw "
        "falls below 0.5 in under 1 % of contracts even at the widest `market.overrun_sd`, 0.2)",
        doc="The realised cost of a contract is at least this multiple of the winning bid.",
    )
    bidder_cost_rate: float = param(
        0.005,
        unit="share of contract value",
        plausible=(0.002, 0.01),
        ge=0,
        le=0.2,
        source="E6 KFST 2019 (winning bidder's transaction cost 0.5 % of the contract sum)",
        doc="A bidder's cost of preparing a bid, as a share of the contract sum: borne by every "
        "bidder, priced into its bid, and weighed against its expected profit when it decides "
        "to bid.",
    )
    bid_cost_sd: float = param(
        0.5,
        unit="log-sd",
        plausible=(0.2, 0.8),
        ge=0,
        le=3,
        source="assumption: bid-preparation cost varies between firms and tenders (estimating "
        "workload, familiarity with the tender material); E6 gives only the mean",
        doc="Spread (sd of the log) of a firm's bid-preparation cost around `market.bidder_cost_rate`, "
        "drawn per firm and tender.",
    )
    reference_rivals: float = param(
        2.6,
        unit="firms",
        plausible=(1.5, 4.0),
        gt=0,
        le=50,
        source="KFST 2018 'Konkurrencen om danske EU-udbud' (Danish EU tenders receive 3.6 bids on "
        "average: 2.6 rivals per bidder)",
        doc="Expected rivals at which a firm's markup is its `market.markup`.",
    )
    rival_elasticity: float = param(
        1.0,
        unit="elasticity",
        plausible=(0.5, 1.5),
        ge=0,
        le=5,
        source="Vickrey 1961 (in a symmetric first-price auction the equilibrium markup falls "
        "roughly as 1 / number of bidders); Hong & Shum 2002 (road-construction bids fall with "
        "the number of bidders); size an assumption",
        doc="How steeply a firm's markup falls with the rivals it expects: markup × ((1 + "
        "reference_rivals) / (1 + expected rivals)) ^ elasticity.",
    )
    rival_belief_rate: float = param(
        0.3,
        unit="share of gap per tender",
        plausible=(0.1, 0.6),
        gt=0,
        le=1,
        source="assumption: firms read the number of bids from award notices (adaptive expectation)",
        doc="How fast firms' expected number of bidders on a task type follows the bids received in "
        "its tenders.",
    )
    learning_elasticity: float = param(
        0.08,
        unit="elasticity",
        plausible=(0.02, 0.2),
        ge=0,
        le=1,
        source="Argote & Epple 1990 (learning curves: unit cost falls with cumulative output, "
        "progress ratios of 70–95 % per doubling in manufacturing); a smaller value for "
        "operations services is an assumption (0.08: 94 % per doubling)",
        doc="Learning by doing: a firm's unit cost on a task type ∝ (its experience there / its "
        "initial experience) ^ (−elasticity); experience is the volume delivered, here and for "
        "other buyers.",
    )
    initial_experience_years: float = param(
        10.0,
        unit="years of other buyers' work",
        plausible=(4.0, 25.0),
        gt=0,
        le=100,
        source="assumption: the regional firms are established (Danish operations contractors "
        "have worked for municipalities since the 1990s)",
        doc="A firm's experience on a task type when it enters, in years of the work it does there "
        "for other buyers.",
    )
    productivity_growth: float = param(
        0.005,
        unit="1/yr",
        plausible=(0.0, 0.015),
        ge=-0.1,
        le=0.1,
        source="Danmarks Statistik via Dansk Byggeri (UgensErhverv 16 May 2007): labour "
        "productivity in Danish construction grew 1.5 %/yr 1966–2006; the share that is a fall "
        "of unit cost relative to the in-house reference (itself real and fixed) an assumption",
        doc="Yearly fall of every firm's unit cost from productivity growth, relative to the "
        "in-house reference cost.",
    )
    input_cost_sd: float = param(
        0.01,
        unit="log-sd per year",
        plausible=(0.0, 0.03),
        ge=0,
        le=0.5,
        source="assumption: yearly real change of contractors' input costs (fuel, asphalt, wages) "
        "relative to the fixed-price reference",
        doc="Spread of the yearly change of the sector's input-cost index: firms' costs follow it, "
        "contract prices follow it by `tendering.indexation_share`.",
    )
    capacity_dkk: float = param(
        16e6,
        unit="DKK/yr",
        plausible=(8e6, 40e6),
        gt=0,
        le=1e10,
        source="assumption: regional road and park contractors with a yearly turnover of some "
        "tens of M DKK",
        doc="Median yearly volume (at reference cost) a firm can deliver, for all its buyers.",
    )
    capacity_sd: float = param(
        0.4,
        unit="log-sd",
        plausible=(0.1, 0.8),
        ge=0,
        le=3,
        source="assumption: firm sizes are skewed",
        doc="Spread (sd of the log) of firms' capacities.",
    )
    other_buyers_load: float = param(
        0.4,
        unit="share of capacity",
        plausible=(0.1, 0.7),
        ge=0,
        lt=1,
        source="assumption (a modest level): the regional market serves other municipalities "
        "and private clients, whose work occupies part of every firm's capacity",
        doc="Share of each firm's capacity occupied by regional demand from other buyers.",
    )
    capacity_threshold: float = param(
        0.8,
        unit="share of capacity",
        plausible=(0.6, 0.95),
        ge=0,
        lt=1,
        source="Jofre-Bonet & Pesendorfer 2003 (highway contractors with a larger backlog bid "
        "higher); threshold an assumption",
        doc="Utilisation (after winning the lot) above which a firm raises its bid.",
    )
    capacity_premium: float = param(
        0.06,
        unit="share of cost at full capacity",
        plausible=(0.02, 0.15),
        ge=0,
        le=1,
        source="Jofre-Bonet & Pesendorfer 2003 (backlog raises bids); size an assumption",
        doc="Markup added at full capacity, rising linearly from `market.capacity_threshold`; a "
        "firm whose capacity the lot would exceed does not bid.",
    )
    local_cost_advantage: float = param(
        0.02,
        unit="share of cost",
        plausible=(0.0, 0.05),
        ge=0,
        lt=1,
        source="assumption: economies of density (depots, crews and machines already in the area; "
        "Bel, Fageda & Warner 2010 on scale and density in local services)",
        doc="A firm's cost on a lot is lower by this share where it already holds a contract in "
        "the lot's area.",
    )
    incumbent_advantage: float = param(
        0.02,
        unit="share of cost",
        plausible=(0.0, 0.05),
        ge=0,
        lt=1,
        source="assumption: the incumbent knows the lot (site conditions, actual workload) and "
        "bears no mobilisation cost (Domberger, Hall & Li 1995 on re-tendering outcomes)",
        doc="The incumbent's cost on its own lot at re-tender is lower by this share.",
    )
    incumbent_rent_share: float = param(
        0.5,
        unit="share",
        plausible=(0.0, 1.0),
        ge=0,
        le=1,
        source="assumption: an informed bidder keeps part of its informational advantage as "
        "margin (informational rent)",
        doc="Share of `market.incumbent_advantage` the incumbent adds to its markup.",
    )
    incumbent_bid_cost_share: float = param(
        0.5,
        unit="share of bid cost",
        plausible=(0.2, 1.0),
        ge=0,
        le=1,
        source="assumption: an incumbent already knows the task and the buyer",
        doc="The incumbent's bid-preparation cost as a share of a newcomer's.",
    )
    entry_margin: float = param(
        0.04,
        unit="profit share of revenue",
        plausible=(0.02, 0.08),
        ge=-1,
        le=1,
        source="assumption: about the operating margin of Danish contractors (a few per cent)",
        doc="A firm enters (one a year, up to `municipality.contractors`) when the firms' "
        "profit share of their revenue in the market last year exceeded this.",
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
    skill_reference: float = param(
        0.55,
        unit="skill 0–1",
        plausible=(0.45, 0.65),
        ge=0,
        le=1,
        source="assumption: the mean skill of the starting staff (uniform between "
        "employees.skill_low and employees.skill_high)",
        doc="Mean staff skill at which the unit delivers quality_base.",
    )
    skill_quality: float = param(
        0.1,
        unit="quality points per unit skill",
        plausible=(0.05, 0.2),
        ge=0,
        le=1,
        source="assumption",
        doc="Quality gained per unit of the staff's mean skill above skill_reference.",
    )
    wellbeing_quality: float = param(
        0.02,
        unit="quality points per scale point",
        plausible=(0.0, 0.04),
        ge=0,
        le=0.5,
        source="assumption (JD-R: engagement raises performance)",
        doc="Quality gained per point of the staff's mean wellbeing above wellbeing_base.",
    )
    workload_quality: float = param(
        0.5,
        unit="quality points per unit workload",
        plausible=(0.2, 1.0),
        ge=0,
        le=5,
        source="seed 001 (framework savings); assumption",
        doc="Quality lost per unit of workload pressure from cuts not buffered.",
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


class InnovationParams(ParamGroup):
    """Ideas and their uncertain effects (stylised fact 7; seed 004's Steinkjer case).

    Every idea draws its effects from a distribution whose mean depends on the local knowledge
    of whoever designed it: employees posted on the task know it (their knowledge grows with
    years on the post), a steering group or management knows less. Screening sees the quality
    effect with noise; consensus adopts on trust, not on the estimated effect."""

    quality_mean: float = param(
        -0.002,
        unit="quality points",
        plausible=(-0.006, 0.002),
        ge=-0.1,
        le=0.1,
        source="assumption: an idea designed without local knowledge is as likely to harm as help",
        doc="Mean quality effect on its area of an idea designed with no local knowledge.",
    )
    quality_knowledge: float = param(
        0.008,
        unit="quality points per unit knowledge",
        plausible=(0.002, 0.015),
        ge=0,
        le=0.2,
        source="stylised fact 7 (employees close to the task); seed 004 (Steinkjer); size an assumption",
        doc="Mean quality effect gained per unit of the designers' local knowledge (0–1).",
    )
    quality_sd: float = param(
        0.008,
        unit="quality points",
        plausible=(0.003, 0.015),
        gt=0,
        le=0.2,
        source="assumption; E3's wide spread of outcomes of reorganisations",
        doc="Spread of an idea's quality effect.",
    )
    cost_mean: float = param(
        0.0005,
        unit="cost reduction share",
        plausible=(0.0, 0.002),
        ge=-0.05,
        le=0.05,
        source="seed 004 (Steinkjer: one-person truck); E14 (Lunner savings); size an assumption",
        doc="Mean cost reduction of the in-house unit from one idea (at the reference cost).",
    )
    cost_sd: float = param(
        0.001,
        unit="cost reduction share",
        plausible=(0.0003, 0.003),
        gt=0,
        le=0.05,
        source="assumption",
        doc="Spread of an idea's cost effect.",
    )
    demand_mean: float = param(
        0.02,
        unit="workload units",
        plausible=(0.0, 0.05),
        ge=-1,
        le=1,
        source="assumption: a change designed far from the task adds work to those who do it",
        doc="Mean change in the task demands of the employees an idea affects, with no local knowledge "
        "(positive = more demanding).",
    )
    demand_knowledge: float = param(
        0.04,
        unit="workload units per unit knowledge",
        plausible=(0.01, 0.08),
        ge=0,
        le=1,
        source="stylised fact 7 (employee-initiated innovations raise employee satisfaction more often); "
        "size an assumption",
        doc="How much local knowledge lowers the demands an idea adds.",
    )
    demand_sd: float = param(
        0.03,
        unit="workload units",
        plausible=(0.01, 0.06),
        gt=0,
        le=1,
        source="assumption",
        doc="Spread of an idea's effect on task demands.",
    )
    screening_sd: float = param(
        0.006,
        unit="quality points",
        plausible=(0.002, 0.015),
        ge=0,
        le=0.2,
        source="assumption: management judges an idea's effect with error",
        doc="Noise of management's estimate of an idea's quality effect when screening it.",
    )
    implementation_base: float = param(
        0.55,
        unit="probability",
        plausible=(0.3, 0.8),
        ge=0,
        le=1,
        source="assumption",
        doc="Chance that an accepted idea is implemented (development guides add to it).",
    )
    knowledge_years: float = param(
        3.0,
        unit="years",
        plausible=(1, 6),
        gt=0,
        le=30,
        source="assumption",
        doc="Years on a post after which an employee's local knowledge is 1 − 1/e.",
    )
    steering_knowledge: float = param(
        0.3,
        unit="knowledge 0–1",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="seed 004 (a steering group of politicians, managers and union representatives); "
        "assumption",
        doc="Local knowledge a steering group or management brings to an idea it designs.",
        acts_with=("tripartite_consensus", "dialogue_steering"),
    )
    spread_probability: float = param(
        0.15,
        unit="probability per other area",
        plausible=(0.0, 0.4),
        ge=0,
        le=1,
        source="seed 004 (Steinkjer: spread to all technical areas); Walker 2006 (diffusion); assumption",
        doc="Chance that an implemented idea which raised quality is taken up in each other area.",
    )
    transfer_share: float = param(
        0.6,
        unit="share of effect",
        plausible=(0.3, 1.0),
        ge=0,
        le=1,
        source="assumption: an idea works less well away from where it was designed",
        doc="Share of an idea's quality effect realised where it spreads to.",
    )
    improvement_decay: float = param(
        0.3,
        unit="share per year",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="assumption: practices erode without upkeep",
        doc="Yearly loss of the quality an area gained from implemented ideas.",
    )


class MonitoringParams(ParamGroup):
    """Provider effort and what monitoring buys (Brown & Potoski 2003 on contract-management
    capacity; Hart, Shleifer & Vishny 1997 on quality shading): a provider may fall short on a
    package in a year; inspection hours and benchmarking detect a shortfall, which is then
    corrected (and a firm pays a penalty); providers shirk less where they expect detection."""

    shirk_private: float = param(
        0.3,
        unit="probability per package-year",
        plausible=(0.1, 0.5),
        ge=0,
        le=1,
        source="Hart, Shleifer & Vishny 1997 (contractors shade non-contractible quality); size an assumption",
        doc="Chance that a firm falls short on a package in a year when it expects no detection.",
    )
    shirk_inhouse: float = param(
        0.15,
        unit="probability per package-year",
        plausible=(0.05, 0.3),
        ge=0,
        le=1,
        source="assumption (seed 003: trust-based steering; stewardship: in-house staff shirk less)",
        doc="Chance that the in-house unit falls short on a package in a year with no detection "
        "expected, at trust 0.5 in management.",
    )
    reciprocity: float = param(
        1.0,
        unit="× shirking per unit distrust",
        plausible=(0.0, 2.0),
        ge=0,
        le=4,
        source="seed 003 (trust-based collaboration); assumption",
        doc="In-house shirking is multiplied by 1 + reciprocity × 2 × (0.5 − trust in management), "
        "at least 0.",
    )
    shortfall_size: float = param(
        0.06,
        unit="quality points",
        plausible=(0.02, 0.1),
        ge=0,
        le=1,
        source="assumption",
        doc="Quality lost on a package in a year with an undetected shortfall.",
    )
    detection_hours: float = param(
        40.0,
        unit="hours per package-year",
        plausible=(15, 100),
        gt=0,
        le=10_000,
        source="assumption: a few site visits and a review a year",
        doc="Inspection hours on a package at which a shortfall is found with probability 1 − 1/e.",
        acts_with=("inspection",),
    )
    benchmark_detection: float = param(
        0.5,
        unit="probability",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
        source="seed 001 (benchmarking on price and quality); assumption",
        doc="Chance that a shortfall in an area the measurements flagged is found.",
    )
    penalty_share: float = param(
        0.05,
        unit="share of yearly price",
        plausible=(0.0, 0.15),
        ge=0,
        le=1,
        source="assumption: contract penalty clauses",
        doc="Penalty a firm pays when a shortfall is found on its package.",
    )
    belief_rate: float = param(
        0.5,
        unit="share of gap per year",
        plausible=(0.2, 0.8),
        gt=0,
        le=1,
        source="assumption",
        doc="How fast providers' expected detection follows the detection they observe.",
    )
    bid_trust_sensitivity: float = param(
        1.0,
        unit="× expected profit per unit trust",
        plausible=(0.0, 2.0),
        ge=0,
        le=5,
        source="assumption (relational contracting: firms bid less for buyers they distrust)",
        doc="A firm's expected profit from a tender is multiplied by max(0, 1 + sensitivity × "
        "(trust − 0.5)), trust being that between the municipality and its contractors (a "
        "distrusted buyer draws fewer bids).",
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
    expectation_sd: float = param(
        0.03,
        unit="satisfaction points",
        plausible=(0.01, 0.06),
        ge=0,
        le=0.5,
        source="assumption",
        doc="Spread of a newly elected member's expectation.",
    )
    austerity_sd: float = param(
        0.08,
        unit="probability",
        plausible=(0.0, 0.15),
        ge=0,
        le=0.5,
        source="assumption",
        doc="Spread of a newly elected member's inclination to cut.",
    )
    fiscal_pressure_weight: float = param(
        10.0,
        unit="× log-odds per share over budget",
        plausible=(0.0, 20.0),
        ge=0,
        le=200,
        source="seed 001 (rammebesparelser when the department is over its frame); assumption",
        doc="The committee's chance to cut rises by exp(weight × share of budget overspent last year).",
    )
    distrust_cut_weight: float = param(
        2.0,
        unit="× log-odds per unit distrust",
        plausible=(0.0, 4.0),
        ge=0,
        le=20,
        source="seed 002 (dialogue builds political trust in the administration); assumption",
        doc="The chance to cut rises by exp(weight × (0.5 − trust politicians–administration)).",
    )
    expectation_adaptation: float = param(
        0.2,
        unit="share of gap per year",
        plausible=(0.0, 0.5),
        ge=0,
        le=1,
        source="aspiration adaptation (Cyert & March 1963); assumption",
        doc="How far members' expectations move each year toward the satisfaction they saw plus "
        "their ambition.",
    )
    ambition: float = param(
        0.02,
        unit="satisfaction points",
        plausible=(0.0, 0.05),
        ge=0,
        le=0.5,
        source="assumption",
        doc="How far above the satisfaction they saw members set their expectation.",
    )
    tolerance: float = param(
        0.03,
        unit="satisfaction points",
        plausible=(0.0, 0.06),
        ge=0,
        le=1,
        source="seed 002 (a yellow goal is still accepted); size an assumption",
        doc="How far an area may fall below the political expectation and still count as a "
        "commitment kept (where dialogue set a goal, its green/yellow status decides).",
    )
    election_sensitivity: float = param(
        20.0,
        unit="log-odds per satisfaction point",
        plausible=(5.0, 40.0),
        ge=0,
        le=200,
        source="retrospective voting (Key 1966; Fiorina 1981); size an assumption",
        doc="An incumbent's chance to be replaced at an election falls with the satisfaction "
        "gap: odds × exp(−sensitivity × (satisfaction − expectation)).",
    )
    area_expectation_sd: float = param(
        0.02,
        unit="satisfaction points",
        plausible=(0.0, 0.05),
        ge=0,
        le=0.5,
        source="assumption: the committee expects more of some areas than of others",
        doc="Spread of the political expectation across areas around the committee's mean "
        "(fixed per area for the run).",
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

    survey_halo: float = param(
        0.1,
        unit="satisfaction points per unit trust",
        plausible=(0.0, 0.2),
        ge=0,
        le=1,
        source="assumption (trust in government colours service evaluations; Van Ryzin 2004)",
        doc="A citizen's survey answer moves by this much per unit of trust citizens–municipality "
        "above 0.5.",
    )
    climate_weight: float = param(
        0.5,
        unit="weight of a colleague's experience",
        plausible=(0.0, 1.0),
        ge=0,
        le=1,
        source="assumption (social information processing: employees read management's conduct "
        "toward colleagues as a sign of how they will be treated; Salancik & Pfeffer 1978; "
        "trust climate) — the unit-wide channel VALIDATION.md named as missing for check 6a",
        doc="Each year an employee weighs the commitments kept and broken toward the average "
        "colleague by this much, on top of their own (0: only one's own experience counts).",
    )


class TaskParams(ParamGroup):
    """The task types of every area (``sim.packages.TASKS``): their share of the volume and the
    private firms' cost advantage on them (seed 000: grey and green tasks of an area)."""

    roads_weight: float = param(
        0.35,
        unit="relative weight",
        plausible=(0.25, 0.45),
        gt=0,
        le=1,
        source="assumption: roads and parks dominate the technical operations budget (E10: they "
        "are the tasks whose private share is reported)",
        doc="Weight of roads in each area's task volume (weights are normalised over the "
        "task types).",
    )
    street_cleaning_weight: float = param(
        0.15,
        unit="relative weight",
        plausible=(0.08, 0.22),
        gt=0,
        le=1,
        source="assumption: roads and parks dominate the technical operations budget (E10: they "
        "are the tasks whose private share is reported)",
        doc="Weight of street cleaning in each area's task volume (weights are normalised over the "
        "task types).",
    )
    parks_weight: float = param(
        0.35,
        unit="relative weight",
        plausible=(0.25, 0.45),
        gt=0,
        le=1,
        source="assumption: roads and parks dominate the technical operations budget (E10: they "
        "are the tasks whose private share is reported)",
        doc="Weight of parks in each area's task volume (weights are normalised over the "
        "task types).",
    )
    winter_service_weight: float = param(
        0.15,
        unit="relative weight",
        plausible=(0.08, 0.22),
        gt=0,
        le=1,
        source="assumption: roads and parks dominate the technical operations budget (E10: they "
        "are the tasks whose private share is reported)",
        doc="Weight of winter service in each area's task volume (weights are normalised over the "
        "task types).",
    )
    roads_advantage: float = param(
        0.02,
        unit="share of cost",
        plausible=(0.0, 0.04),
        ge=-0.5,
        le=0.5,
        source="E4 (latest tender saved 5.8 % on roads, 5.1 % on parks, on top of firms' lower cost level); size an assumption",
        doc="Mean private cost advantage on roads at the first tender (it erodes by "
        "market.catch_up per round).",
    )
    street_cleaning_advantage: float = param(
        0.015,
        unit="share of cost",
        plausible=(0.0, 0.03),
        ge=-0.5,
        le=0.5,
        source="assumption: less private cost advantage than on roads and parks (E4)",
        doc="Mean private cost advantage on street cleaning at the first tender (it erodes by "
        "market.catch_up per round).",
    )
    parks_advantage: float = param(
        0.015,
        unit="share of cost",
        plausible=(0.0, 0.03),
        ge=-0.5,
        le=0.5,
        source="E4 (latest tender saved 5.8 % on roads, 5.1 % on parks, on top of firms' lower cost level); size an assumption",
        doc="Mean private cost advantage on parks at the first tender (it erodes by "
        "market.catch_up per round).",
    )
    winter_service_advantage: float = param(
        0.01,
        unit="share of cost",
        plausible=(0.0, 0.02),
        ge=-0.5,
        le=0.5,
        source="assumption: less private cost advantage than on roads and parks (E4)",
        doc="Mean private cost advantage on winter service at the first tender (it erodes by "
        "market.catch_up per round).",
    )
    roads_asset_specificity: float = param(
        0.5,
        unit="0–1 scale",
        plausible=(0.3, 0.7),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate services' asset specificity); "
        "0–1 value an assumption (heavy machinery and asphalt crews)",
        doc="How specific the assets and skills of roads are: the buyer's risk of hold-up once a "
        "firm holds the work (0 none, 1 fully specific).",
    )
    roads_measurability: float = param(
        0.7,
        unit="0–1 scale",
        plausible=(0.5, 0.9),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate how easily service outcomes are "
        "measured); 0–1 value an assumption (heavy machinery and asphalt crews)",
        doc="How easily the outcome of roads can be specified and verified (0 not at all, 1 "
        "fully).",
    )
    roads_market_thickness: float = param(
        0.7,
        unit="share of regional firms",
        plausible=(0.5, 0.9),
        gt=0,
        le=1,
        source="Brown & Potoski 2003 (market competitiveness in make-or-buy); E10 (private "
        "share of roads ≈ 44 %, parks ≈ 33 %); share an assumption",
        doc="Share of the regional firms that do roads.",
    )
    street_cleaning_asset_specificity: float = param(
        0.2,
        unit="0–1 scale",
        plausible=(0.0, 0.4),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate services' asset specificity); "
        "0–1 value an assumption (sweepers; clean or not is easy to see)",
        doc="How specific the assets and skills of street cleaning are: the buyer's risk of hold-up once a "
        "firm holds the work (0 none, 1 fully specific).",
    )
    street_cleaning_measurability: float = param(
        0.8,
        unit="0–1 scale",
        plausible=(0.6, 1.0),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate how easily service outcomes are "
        "measured); 0–1 value an assumption (sweepers; clean or not is easy to see)",
        doc="How easily the outcome of street cleaning can be specified and verified (0 not at all, 1 "
        "fully).",
    )
    street_cleaning_market_thickness: float = param(
        0.6,
        unit="share of regional firms",
        plausible=(0.4, 0.8),
        gt=0,
        le=1,
        source="Brown & Potoski 2003 (market competitiveness in make-or-buy); E10 (private "
        "share of roads ≈ 44 %, parks ≈ 33 %); share an assumption",
        doc="Share of the regional firms that do street cleaning.",
    )
    parks_asset_specificity: float = param(
        0.2,
        unit="0–1 scale",
        plausible=(0.0, 0.4),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate services' asset specificity); "
        "0–1 value an assumption (general green crews; quality of care is harder to verify)",
        doc="How specific the assets and skills of parks are: the buyer's risk of hold-up once a "
        "firm holds the work (0 none, 1 fully specific).",
    )
    parks_measurability: float = param(
        0.5,
        unit="0–1 scale",
        plausible=(0.3, 0.7),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate how easily service outcomes are "
        "measured); 0–1 value an assumption (general green crews; quality of care is harder to verify)",
        doc="How easily the outcome of parks can be specified and verified (0 not at all, 1 "
        "fully).",
    )
    parks_market_thickness: float = param(
        0.8,
        unit="share of regional firms",
        plausible=(0.6, 1.0),
        gt=0,
        le=1,
        source="Brown & Potoski 2003 (market competitiveness in make-or-buy); E10 (private "
        "share of roads ≈ 44 %, parks ≈ 33 %); share an assumption",
        doc="Share of the regional firms that do parks.",
    )
    winter_service_asset_specificity: float = param(
        0.6,
        unit="0–1 scale",
        plausible=(0.4, 0.8),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate services' asset specificity); "
        "0–1 value an assumption (gritters on standby; response is hard to verify after the event)",
        doc="How specific the assets and skills of winter service are: the buyer's risk of hold-up once a "
        "firm holds the work (0 none, 1 fully specific).",
    )
    winter_service_measurability: float = param(
        0.4,
        unit="0–1 scale",
        plausible=(0.2, 0.6),
        ge=0,
        le=1,
        source="Brown & Potoski 2005 (practitioners rate how easily service outcomes are "
        "measured); 0–1 value an assumption (gritters on standby; response is hard to verify after the event)",
        doc="How easily the outcome of winter service can be specified and verified (0 not at all, 1 "
        "fully).",
    )
    winter_service_market_thickness: float = param(
        0.5,
        unit="share of regional firms",
        plausible=(0.3, 0.7),
        gt=0,
        le=1,
        source="Brown & Potoski 2003 (market competitiveness in make-or-buy); E10 (private "
        "share of roads ≈ 44 %, parks ≈ 33 %); share an assumption",
        doc="Share of the regional firms that do winter service.",
    )
    advantage_sd: float = param(
        0.03,
        unit="share of cost",
        plausible=(0.01, 0.05),
        ge=0,
        le=0.5,
        source="assumption; E3 (wide spread of outcomes across tenders)",
        doc="Spread of the private cost advantage across the packages of one task type.",
    )
    price_learning_rate: float = param(
        0.3,
        unit="weight per tender",
        plausible=(0.1, 0.6),
        gt=0,
        le=1,
        source="assumption: tender results are public (bids are opened), so the municipality and "
        "its in-house unit learn each task type's price level from the latest few tenders",
        doc="Weight of the latest tender's lowest private bid in the belief about a task type's "
        "price level (an exponentially weighted mean and spread of the log price, prior mean: "
        "firms price at the in-house reference cost less the package's private cost advantage; "
        "the orderer's expected saving and the in-house unit's chance of winning read it).",
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
    innovation: InnovationParams = Field(default_factory=InnovationParams)
    monitoring: MonitoringParams = Field(default_factory=MonitoringParams)
    tasks: TaskParams = Field(default_factory=TaskParams)


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
    acts_with: tuple[str, ...] = ()  # rules through whose work alone a group parameter acts


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
                acts_with=tuple(extra.get("acts_with", ())),
            )
        )
    return rows


@functools.cache
def _schema_rows() -> tuple[ParamInfo, ...]:
    """The schema, built once: the parameter classes and the rule registry are fixed at import."""
    from sim.rules import RULES

    rows: list[ParamInfo] = []
    for group, field in Parameters.model_fields.items():
        rows += _field_infos(group, field.annotation)
    for key, cls in RULES.items():
        rows += _field_infos(key, cls.Params)
    return tuple(rows)


def schema() -> list[ParamInfo]:
    """Every parameter of the model: groups first, then each rule's own parameters."""
    return list(_schema_rows())


@functools.cache
def _schema_index() -> dict[str, ParamInfo]:
    return {p.name: p for p in _schema_rows()}


def schema_index() -> dict[str, ParamInfo]:
    """The schema by parameter name (a fresh dict: callers may change it)."""
    return dict(_schema_index())


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
