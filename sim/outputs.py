"""The output registry: every column of every table govsim writes, declared once.

For each column: the table it belongs to, its unit, its scale (the range or reference it is
read against), a readable label, a one-line definition and how it aggregates over the years of
a run (``mean``, ``final``, ``sum``; ``—`` for identifiers). The model's column lists
(``sim.metrics.YEARLY_COLUMNS``/``AREA_COLUMNS``, the tender log), the outcome columns that
sensitivity specs, experiments and EMA accept, the headline outcomes of ``govsim compare`` and
``govsim report``, and the labels and units of their figures and of the app all come from here;
``govsim outputs`` prints it as the data dictionary.

Tables:
- ``yearly``: one row per simulated year (``run``'s ``yearly.parquet``).
- ``areas``: one row per year × area × task package (``areas.parquet``).
- ``admin``: one row per year × administrative activity (``admin.parquet``).
- ``tenders``: one row per tender held (``tenders.parquet``).
- ``keys``: the columns ``govsim compare`` adds to every row of its yearly and admin tables
  (``savings_vs_baseline_dkk`` to the yearly rows only).
- ``summary``: ``govsim compare``'s ``summary.csv`` (one row per scenario × outcome);
  ``<baseline>`` in a name stands for the baseline scenario's name.
- ``batch``: the identity columns ``govsim batch`` (and every ``run_many`` with an output folder)
  puts before the columns of every row of its yearly, areas, admin and tenders tables;
  ``<parameter name>`` stands for each overridden parameter.
- ``runs``: a batch's ``runs`` table (one row per run attempt).
- ``run_summary``: ``govsim export``'s ``runs_summary`` (one row per run: the run's identity
  columns of the batch or keys table, then ``years`` and each outcome's run mean and final value).
- ``report_summary``, ``differences``, ``admin_by_activity``: ``govsim report``'s
  ``summary.csv``, ``differences.csv`` and ``admin_by_activity.csv``.
- ``sa_samples``, ``sa_outcomes``, ``indices``, ``convergence``, ``seed_noise``,
  ``indices_by_seed``: ``govsim sensitivity``'s ``samples.parquet``, ``outcomes.parquet``,
  ``indices.csv``, ``convergence.csv``, ``seed_noise.csv`` and ``indices_by_seed.csv`` (its
  ``batch/`` folder is a batch).
- ``robust_draws``, ``robust_summary``: ``govsim robust``'s ``robust_draws.parquet``/``.csv``
  (one row per draw × model) and ``robust_summary.csv`` (one row per comparison); its
  ``batch/`` folder is a batch.
- ``policy_draws``, ``policy_summary``, ``policy_prim``: ``govsim robust EXPERIMENT.yaml``'s
  ``policy_draws.parquet``/``.csv`` (one row per draw × policy), ``policy_summary.csv`` (one row
  per policy) and ``policy_prim.csv`` (one row: where the chosen policy fails); its ``batch/``
  folder is a batch.
- ``population``, ``national``, ``municipalities``, ``markets``, ``adoption``: ``govsim
  population``'s (``run_population``'s) ``yearly`` (the identity columns ``population`` lists,
  then every column of a run's yearly table: one row per municipality × year), ``national`` (one
  row per year: national aggregates), ``municipalities`` (one row per municipality: region,
  scenario, size, seed, market), ``markets`` (one row per shared regional market × year) and
  ``adoption`` (one row per year × governance model: the diffusion of models) tables.

A name in angle brackets (``<baseline>``, ``<parameter name>``, ``<activity>``) is a pattern: it
stands for every column named that way (``find`` matches them).

Views (``Output.views``, listed by ``listed(view)`` in registry order) say where a yearly outcome
is shown: ``panel`` (the time-series panels of compare and report), ``final_bar`` (their
final-year bars), ``run`` (what ``govsim run`` prints), ``paired`` (the paired differences
``govsim compare`` prints), ``latest`` (the app's table of the latest year) and ``monitor`` (the
app's monitors of the latest year: what happened, in counts and DKK).

This module imports nothing from the model, so any module may import it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

TABLES: tuple[str, ...] = (
    "yearly",
    "areas",
    "admin",
    "tenders",
    "keys",
    "summary",
    "batch",
    "runs",
    "run_summary",
    "report_summary",
    "differences",
    "admin_by_activity",
    "sa_samples",
    "sa_outcomes",
    "indices",
    "convergence",
    "seed_noise",
    "robust_draws",
    "robust_summary",
    "indices_by_seed",
    "policy_draws",
    "policy_summary",
    "policy_prim",
    # population of municipalities (sim.population)
    "population",
    "national",
    "municipalities",
    "markets",
    "adoption",
)
VIEWS = ("panel", "final_bar", "run", "paired", "latest", "monitor")
AGGREGATIONS = ("mean", "final", "sum", "—")
#: units that name an index rather than a measure: a title shows the index's scale instead.
INDEX_UNITS = frozenset({"satisfaction", "quality", "trust", "wellbeing"})


@dataclass(frozen=True)
class Output:
    """One output column."""

    name: str
    table: str
    unit: str
    scale: str
    label: str
    definition: str
    over_years: str = "mean"
    kind: str = "number"  # "number" (an outcome) | "id" (identifies a row) | "text"
    key: int = (
        0  # > 0: a headline outcome, in this order (compare's table, report's default outcomes)
    )
    short: str = ""  # a shorter label for crowded legends (default: the label)
    views: tuple[str, ...] = ()  # where a yearly outcome is shown (VIEWS)

    @property
    def percent(self) -> bool:
        """A share (unit "share of …", 0–1) is shown in per cent."""
        return self.unit.startswith("share")

    @property
    def factor(self) -> float:
        """The factor a displayed value is multiplied by: 100 for a share shown in %, else 1."""
        return 100.0 if self.percent else 1.0

    @property
    def bounds(self) -> tuple[float, float]:
        """The values the column can take, read from its scale (``0–1``, ``1–7 scale``,
        ``≥ 0``, ``0 … areas``, ``0 or 1``, ``−1…1``): a confidence interval of a mean is
        clipped to them. An end the scale names by a parameter, or does not give, is infinite."""
        return scale_bounds(self.scale)

    def title(self) -> str:
        """The label with its unit (its scale for an index such as satisfaction 0–1), for an axis or heading."""
        return f"{self.label} ({self.scale if self.unit in INDEX_UNITS else self.unit})"


_NUMBER = r"-?\d+(?:\.\d+)?"


def scale_bounds(scale: str) -> tuple[float, float]:
    """(low, high) of a scale string of the registry (see ``Output.bounds``)."""
    s = scale.replace("−", "-").split(";")[0].strip()
    if s.startswith("≥"):
        m = re.match(rf"≥\s*({_NUMBER})", s)
        return (float(m.group(1)) if m else -math.inf), math.inf
    if m := re.match(rf"({_NUMBER})\s*or\s*({_NUMBER})", s):
        return float(m.group(1)), float(m.group(2))
    if m := re.match(r"(\S+?)\s*(?:–|…)\s*(\S+)", s):
        lo, hi = (
            float(x) if re.fullmatch(_NUMBER, x) else inf
            for x, inf in ((m.group(1), -math.inf), (m.group(2), math.inf))
        )
        return lo, hi
    return -math.inf, math.inf


def _o(
    table: str,
    name: str,
    unit: str,
    scale: str,
    label: str,
    definition: str,
    over_years: str = "mean",
    kind: str = "number",
    key: int = 0,
    short: str = "",
) -> Output:
    return Output(name, table, unit, scale, label, definition, over_years, kind, key, short)


def _estimate(
    mean: str, lo: str, hi: str, label: str, definition: str, over_years: str
) -> tuple[Output, ...]:
    """A summary estimate and the two ends of its 95 % confidence interval (compare's summary.csv)."""
    scale = "difference" if "diff" in mean else "scale of the outcome"
    unit = "unit of the outcome"
    return (
        _o("summary", mean, unit, scale, label, definition + ".", over_years),
        *(
            _o(
                "summary",
                name,
                unit,
                scale,
                f"{label}, 95 % CI {end}",
                f"{'Lower' if end == 'low' else 'Upper'} end of the 95 % confidence interval "
                f"(Student t over replications) of {mean}"
                + (
                    "."
                    if "diff" in mean
                    else ", cut to the values the outcome can take (its scale)."
                ),
                over_years,
            )
            for name, end in ((lo, "low"), (hi, "high"))
        ),
    )


_SHARE = "0–1"
_TRUST = {  # relation: (between whom, short legend name)
    "employees_management": ("employees and management", "employees–management"),
    "orderer_provider": ("the orderer (purchaser) and the provider", "orderer–provider"),
    "politicians_administration": ("politicians and the administration", "politicians–admin."),
    "citizens_municipality": ("citizens and the municipality", "citizens–municipality"),
    "municipality_contractors": (
        "the municipality and its contractors",
        "municipality–contractors",
    ),
}

#: the weight of each trust column's national mean (sim.population.run.TRUST_WEIGHTS)
_TRUST_WEIGHT = {
    "employees_management": "Position",
    "orderer_provider": "Task-volume",
    "politicians_administration": "Inhabitant",
    "citizens_municipality": "Inhabitant",
    "municipality_contractors": "Task-volume",
}

OUTPUTS: tuple[Output, ...] = (
    # ------------------------------------------------------------ yearly
    _o(
        "yearly",
        "year",
        "calendar year",
        "start_year …",
        "Year",
        "Calendar year of the row.",
        "—",
        "id",
    ),
    _o(
        "yearly",
        "budget_dkk",
        "DKK/yr",
        "real, fixed prices",
        "Budget",
        "Operating budget of the department this year (after framework savings).",
    ),
    _o(
        "yearly",
        "production_cost_dkk",
        "DKK/yr",
        "real, fixed prices",
        "Production cost",
        "Cost of delivering all task packages (in-house cost plus contract prices).",
    ),
    _o(
        "yearly",
        "admin_cost_dkk",
        "DKK/yr",
        "real, fixed prices",
        "Administrative cost",
        "Cost of all administrative activities (the admin table summed over activities).",
        key=1,
    ),
    _o(
        "yearly",
        "admin_hours",
        "h/yr",
        "≥ 0",
        "Administrative hours",
        "Hours of administrative and orderer staff time spent on governance activities.",
    ),
    _o(
        "yearly",
        "total_cost_dkk",
        "DKK/yr",
        "real, fixed prices",
        "Total cost",
        "Production cost plus administrative cost.",
        key=3,
    ),
    _o(
        "yearly",
        "freed_dkk",
        "DKK/yr",
        "negative = overspend",
        "Freed for re-prioritisation",
        "Budget minus total cost: what the year leaves for other uses.",
    ),
    _o(
        "yearly",
        "admin_overhead_share",
        "share of total cost",
        _SHARE,
        "Administrative overhead",
        "Administrative cost divided by total cost.",
        key=2,
    ),
    _o(
        "yearly",
        "admin_fte",
        "FTE",
        "≥ 0",
        "Administrative staff",
        "Administrative hours in full-time equivalents.",
    ),
    _o(
        "yearly",
        "savings_dkk",
        "DKK/yr",
        "vs the run's first year",
        "Savings",
        "First simulated year's total cost under the starting regime minus this year's total cost.",
        key=4,
    ),
    _o(
        "yearly",
        "citizen_satisfaction",
        "satisfaction",
        _SHARE,
        "Citizen satisfaction",
        "Survey satisfaction of citizens with the quality of their area, weighted by population.",
        key=5,
    ),
    _o(
        "yearly",
        "political_expectation",
        "satisfaction",
        _SHARE,
        "Political expectation",
        "Mean satisfaction the politicians expect per area.",
    ),
    _o(
        "yearly",
        "expectation_gap",
        "satisfaction points",
        "−1…1; > 0 = above expectation",
        "Expectation gap",
        "Mean over areas of citizen satisfaction minus political expectation.",
        key=6,
    ),
    _o(
        "yearly",
        "staff_assessed_quality",
        "quality",
        _SHARE,
        "Staff-assessed quality",
        "Mean over areas of the operations staff's own assessment of delivered quality.",
    ),
    _o(
        "yearly",
        "employee_wellbeing",
        "wellbeing",
        "1–7 scale",
        "Employee wellbeing",
        "Mean wellbeing of the in-house unit's employees.",
        key=7,
    ),
    _o(
        "yearly",
        "sick_leave_rate",
        "share of working time",
        _SHARE,
        "Sick leave",
        "Share of working time lost to sick leave in the in-house unit (mean of the year's quarters).",
        key=8,
    ),
    _o(
        "yearly",
        "turnover_rate",
        "share of positions per year",
        _SHARE,
        "Staff turnover",
        "Positions of the in-house unit whose holder left during the year (each position "
        "counted once, however often it changed hands), divided by the number of positions.",
    ),
    _o(
        "yearly",
        "inhouse_share",
        "share of task volume",
        _SHARE,
        "In-house share",
        "Share of the task volume delivered by the in-house unit.",
        key=9,
    ),
    _o(
        "yearly",
        "tendered_share",
        "share of task volume",
        _SHARE,
        "Tendered share",
        "Share of the task volume exposed to competition (under contract or tendered).",
    ),
    _o(
        "yearly",
        "private_share",
        "share of task volume",
        _SHARE,
        "Private share",
        "Share of the task volume delivered by private contractors.",
    ),
    _o(
        "yearly",
        "control_bids",
        "bids/yr",
        "≥ 0",
        "Control bids",
        "In-house control bids made this year.",
        "sum",
    ),
    _o(
        "yearly",
        "tenders_held",
        "tenders/yr",
        "≥ 0",
        "Tenders held",
        "Tenders held this year.",
        "sum",
    ),
    _o(
        "yearly",
        "proposals_made",
        "proposals/yr",
        "≥ 0",
        "Proposals made",
        "Improvement proposals made by employees this year.",
        "sum",
    ),
    _o(
        "yearly",
        "proposals_accepted",
        "proposals/yr",
        "≥ 0",
        "Proposals accepted",
        "Employee proposals accepted by management this year.",
        "sum",
    ),
    _o(
        "yearly",
        "proposals_implemented",
        "proposals/yr",
        "≥ 0",
        "Proposals implemented",
        "Employee proposals implemented this year.",
        "sum",
        key=10,
    ),
    _o(
        "yearly",
        "learning_teams",
        "teams/yr",
        "≥ 0",
        "Learning teams",
        "Learning teams formed this year.",
        "sum",
    ),
    _o(
        "yearly",
        "consensus_tasks",
        "tasks/yr",
        "≥ 0",
        "Consensus tasks",
        "Tasks settled by tripartite consensus this year.",
        "sum",
    ),
    _o(
        "yearly",
        "positions",
        "positions",
        "≥ 0",
        "In-house positions",
        "Positions of the in-house unit at year end: the headcount follows the in-house volume "
        "(lost tenders cut positions, won work adds them).",
        "final",
    ),
    _o(
        "yearly",
        "layoffs",
        "persons/yr",
        "≥ 0",
        "Layoffs",
        "Employees laid off this year because the in-house volume fell.",
        "sum",
    ),
    _o(
        "yearly",
        "hires",
        "persons/yr",
        "≥ 0",
        "Hires for new positions",
        "New positions filled this year because the in-house volume grew (replacements of "
        "holders who quit are not counted).",
        "sum",
    ),
    _o(
        "yearly",
        "job_security",
        "security 0–1",
        _SHARE,
        "Job security",
        "Mean experienced job security of the in-house employees at year end (1 = secure; "
        "threats, lost work and layoffs of colleagues lower it, calm years restore it).",
    ),
    _o(
        "yearly",
        "employee_voice",
        "autonomy 0–1",
        _SHARE,
        "Employee voice",
        "Mean experienced voice (autonomy) of the in-house employees: the share of their own "
        "proposals that were heard (considered ½, implemented 1), remembered over the years; 0.5 "
        "is neutral.",
    ),
    _o(
        "yearly",
        "control_hours_per_fte",
        "hours per FTE-year",
        "≥ 0",
        "Control work borne per employee",
        "Hours of inspection, documentation, invoicing and bid writing the in-house staff bore "
        "this year, per position.",
    ),
    _o(
        "yearly",
        "shortfalls_found",
        "shortfalls/yr",
        "≥ 0",
        "Shortfalls found",
        "Package-years in which inspection or benchmarking found a provider's shortfall (then "
        "corrected; a firm pays a penalty).",
        "sum",
    ),
    _o(
        "yearly",
        "budget_cuts",
        "cuts/yr",
        "0 or 1",
        "Framework cuts",
        "1 if the committee made a framework cut at the start of the year.",
        "sum",
    ),
    _o(
        "yearly",
        "elections",
        "elections/yr",
        "0 or 1",
        "Election",
        "1 if a municipal election was held at the start of the year.",
        "sum",
    ),
    *(
        _o(
            "yearly",
            f"innovations_{origin}{suffix}",
            "ideas/yr",
            "≥ 0",
            f"{who} ideas implemented{what}",
            f"{who} ideas implemented this year{how}.",
            "sum",
        )
        for origin, who in (
            ("employee", "Employee-initiated"),
            ("steering", "Steering-group or management"),
        )
        for suffix, what, how in (
            (
                "",
                "",
                " (proposals and learning-team ideas)"
                if origin == "employee"
                else " (consensus tasks, follow-up of red goals)",
            ),
            ("_raised_quality", " that raised quality", " whose drawn quality effect was positive"),
            (
                "_eased_work",
                " that eased the work",
                " that lowered the task demands of the employees they touched",
            ),
        )
    ),
    _o(
        "yearly",
        "active_contractors",
        "firms",
        "0 … market.contractors",
        "Active contractors",
        "Private firms holding at least one of the municipality's contracts at year end.",
    ),
    _o(
        "yearly",
        "inhouse_efficiency",
        "× reference cost",
        "≥ efficiency_floor; above 1 after ideas that raised cost",
        "In-house cost level",
        "Cost of the in-house unit relative to the reference cost (lower = more efficient).",
    ),
    _o(
        "yearly",
        "procedure_load",
        "× initial procedures",
        "1 … bureaucratic_drift.cap",
        "Procedure load",
        "Accumulated procedures and rules relative to the start (bureaucratic drift).",
    ),
    _o(
        "yearly",
        "goals_green",
        "areas",
        "0 … areas",
        "Goals green",
        "Areas whose goal status is green.",
    ),
    _o(
        "yearly",
        "goals_yellow",
        "areas",
        "0 … areas",
        "Goals yellow",
        "Areas whose goal status is yellow.",
    ),
    _o("yearly", "goals_red", "areas", "0 … areas", "Goals red", "Areas whose goal status is red."),
    _o(
        "yearly",
        "regime",
        "index",
        "0, 1, …",
        "Regime",
        "Index of the scenario's regime in force this year (0 = the starting regime).",
        "final",
        "id",
    ),
    *(
        _o(
            "yearly",
            f"trust_{k}",
            "trust",
            _SHARE,
            f"Trust: {who.replace('the ', '')}",
            f"Trust between {who}.",
            key=11 if k == "employees_management" else 0,
            short=short,
        )
        for k, (who, short) in _TRUST.items()
    ),
    # ------------------------------------------------------------ areas
    _o(
        "areas",
        "year",
        "calendar year",
        "start_year …",
        "Year",
        "Calendar year of the row.",
        "—",
        "id",
    ),
    _o("areas", "area", "index", "0 … areas − 1", "Area", "Geographic area.", "—", "id"),
    _o(
        "areas",
        "task",
        "name",
        "roads, parks, cleaning, winter",
        "Task",
        "Task of the package.",
        "—",
        "id",
    ),
    _o(
        "areas",
        "x",
        "grid column",
        "≥ 0",
        "Map column",
        "Column of the area on the map grid.",
        "—",
        "id",
    ),
    _o("areas", "y", "grid row", "≥ 0", "Map row", "Row of the area on the map grid.", "—", "id"),
    _o(
        "areas",
        "provider",
        "category",
        "inhouse, mixed, contractor",
        "Provider",
        "Who delivers the package: in-house, contractor or mixed.",
        "final",
        "text",
    ),
    _o(
        "areas",
        "contractor",
        "firm id",
        "−1 = none",
        "Contractor",
        "Firm holding the package's contract.",
        "final",
        "id",
    ),
    _o(
        "areas",
        "inhouse_fraction",
        "share of package",
        _SHARE,
        "In-house fraction",
        "Share of the package delivered in-house.",
    ),
    _o(
        "areas",
        "volume_dkk",
        "DKK/yr",
        "at in-house reference cost",
        "Package volume",
        "Annual cost of the package at the in-house reference cost.",
    ),
    _o(
        "areas",
        "contract_price_dkk",
        "DKK/yr",
        "0 = no contract",
        "Contract price",
        "Annual price of the package's private contract.",
    ),
    _o(
        "areas",
        "package_quality",
        "quality",
        _SHARE,
        "Package quality",
        "Quality delivered on the package.",
    ),
    _o(
        "areas",
        "area_quality",
        "quality",
        _SHARE,
        "Area quality",
        "Volume-weighted quality of the area's packages.",
    ),
    _o(
        "areas",
        "citizen_satisfaction",
        "satisfaction",
        _SHARE,
        "Citizen satisfaction",
        "Survey satisfaction of the area's citizens.",
    ),
    _o(
        "areas",
        "staff_assessed_quality",
        "quality",
        _SHARE,
        "Staff-assessed quality",
        "The operations staff's own assessment of the area's quality.",
    ),
    _o(
        "areas",
        "political_expectation",
        "satisfaction",
        _SHARE,
        "Political expectation",
        "Satisfaction the politicians expect in the area.",
    ),
    _o(
        "areas",
        "goal_status",
        "category",
        "none, green, yellow, red",
        "Goal status",
        "The area's goal status under goal steering.",
        "final",
        "text",
    ),
    _o(
        "areas",
        "learning_team",
        "yes/no",
        "true, false",
        "Learning team",
        "A learning team worked in the area this year.",
        "sum",
    ),
    # ------------------------------------------------------------ admin
    _o(
        "admin",
        "year",
        "calendar year",
        "start_year …",
        "Year",
        "Calendar year of the row.",
        "—",
        "id",
    ),
    _o(
        "admin",
        "activity",
        "name",
        "ordering, tendering, …",
        "Activity",
        "Administrative activity (sim.ledger.ACTIVITIES).",
        "—",
        "id",
    ),
    _o("admin", "hours", "h/yr", "≥ 0", "Hours", "Hours spent on the activity this year."),
    _o("admin", "dkk", "DKK/yr", "real, fixed prices", "Cost", "Cost of the activity this year."),
    # ------------------------------------------------------------ tenders
    _o(
        "tenders",
        "year",
        "calendar year",
        "start_year …",
        "Year",
        "Year the tender was held.",
        "—",
        "id",
    ),
    _o("tenders", "package", "index", "≥ 0", "Package", "Task package tendered.", "—", "id"),
    _o("tenders", "area", "index", "0 … areas − 1", "Area", "Area of the package.", "—", "id"),
    _o(
        "tenders",
        "task",
        "index",
        "0 … 3 (roads, parks, cleaning, winter)",
        "Task",
        "Task of the package.",
        "—",
        "id",
    ),
    _o(
        "tenders",
        "round",
        "count",
        "≥ 1",
        "Tender round",
        "How many times the package has been tendered.",
        "final",
    ),
    _o(
        "tenders",
        "fraction",
        "share of package",
        "0–1",
        "Fraction tendered",
        "Share of the package tendered.",
    ),
    _o(
        "tenders",
        "value_dkk",
        "DKK/yr",
        "at in-house reference cost",
        "Lot value",
        "Annual value of the lot at the in-house reference cost.",
        "sum",
    ),
    _o(
        "tenders",
        "contract_value_dkk",
        "DKK",
        "lot value × contract years",
        "Contract value",
        "Value of the whole contract period.",
        "sum",
    ),
    _o(
        "tenders",
        "previous_cost_dkk",
        "DKK/yr",
        "real, fixed prices",
        "Previous cost",
        "Annual cost of the lot before the tender.",
        "sum",
    ),
    _o(
        "tenders",
        "new_cost_dkk",
        "DKK/yr",
        "real, fixed prices",
        "New cost",
        "Annual cost of the lot after the tender (realised contract price or in-house cost).",
        "sum",
    ),
    _o(
        "tenders",
        "winner",
        "firm id",
        "−1 = in-house",
        "Winner",
        "Firm that won the tender.",
        "—",
        "id",
    ),
    _o(
        "tenders",
        "bidders",
        "firms",
        "≥ 0",
        "Bidders",
        "Private firms that bid (each decides on its expected profit; 0: the tender drew no bid "
        "and the work stays in-house).",
    ),
    _o(
        "tenders",
        "control_bid",
        "yes/no",
        "true, false",
        "Control bid",
        "The in-house unit made a control bid.",
        "sum",
    ),
    _o(
        "tenders",
        "inhouse_won",
        "yes/no",
        "true, false",
        "In-house won",
        "The in-house control bid won.",
        "sum",
    ),
    _o(
        "tenders",
        "saving_share",
        "share of previous cost",
        "< 0 = dearer",
        "Saving",
        "(previous cost − new cost) / previous cost.",
    ),
    _o(
        "tenders",
        "buyer_cost_rate",
        "share of contract value",
        "0–1/3",
        "Buyer cost rate",
        "The municipality's transaction cost of the tender as a share of the contract value.",
    ),
    _o(
        "tenders",
        "best_bid_dkk",
        "DKK/yr",
        "real, fixed prices",
        "Best bid",
        "Yearly price of the best price/quality bid (a firm's or the in-house control bid), "
        "before overruns; 0 where the tender drew no bid.",
        "sum",
    ),
    _o(
        "tenders",
        "basis_dkk",
        "DKK/yr",
        "0 = no basis",
        "Price basis",
        "The price-comparison basis the best bid was held against (what the in-house unit would "
        "cost; HOD awards only bids within its tolerance), 0 where the rules set no basis.",
        "sum",
    ),
    # ------------------------------------------------------------ keys (compare)
    _o(
        "keys",
        "scenario",
        "name",
        "compared scenarios",
        "Scenario",
        "Name of the scenario the run belongs to.",
        "—",
        "id",
    ),
    _o(
        "keys",
        "seed",
        "seed",
        "uint32",
        "Seed",
        "Replication seed (sim.seeds.derive_seeds of the master seed); the same for every scenario.",
        "—",
        "id",
    ),
    _o(
        "keys",
        "savings_vs_baseline_dkk",
        "DKK/yr",
        "vs the baseline's first year, same seed",
        "Savings vs the baseline",
        "The baseline scenario's total cost in the first simulated year on the same seed minus "
        "this year's total cost: one reference for every compared model (savings_dkk is against "
        "each run's own first year).",
    ),
    # ------------------------------------------------------------ summary (compare's summary.csv)
    _o(
        "summary",
        "scenario",
        "name",
        "compared scenarios",
        "Scenario",
        "Scenario of the row.",
        "—",
        "id",
    ),
    _o(
        "summary",
        "outcome",
        "name",
        "a yearly column",
        "Outcome",
        "Yearly column summarised.",
        "—",
        "id",
    ),
    _o(
        "summary",
        "n",
        "replications",
        "≥ 1",
        "Replications",
        "Seeded replications summarised.",
        "—",
    ),
    *_estimate(
        "final_mean",
        "final_lo",
        "final_hi",
        "Final-year mean",
        "Mean over replications of the outcome in the final year",
        "final",
    ),
    *_estimate(
        "run_mean",
        "run_lo",
        "run_hi",
        "Run mean",
        "Mean over replications of each replication's mean over the years of the run",
        "mean",
    ),
    *_estimate(
        "diff_vs_<baseline>",
        "diff_lo",
        "diff_hi",
        "Final-year difference",
        "Mean over seeds of (scenario − baseline) in the final year, paired on the same seed",
        "final",
    ),
    *_estimate(
        "run_diff_vs_<baseline>",
        "run_diff_lo",
        "run_diff_hi",
        "Run-mean difference",
        "Mean over seeds of (scenario − baseline) in the run mean, paired on the same seed",
        "mean",
    ),
    _o(
        "summary",
        "run_diff_pct",
        "% of the baseline's run mean",
        "100 × run_diff / |baseline run mean|",
        "Run-mean difference, % of the baseline",
        "The run-mean difference as a percentage of the magnitude of the baseline's run mean "
        "(empty where that is 0).",
    ),
)

#: where each headline yearly outcome is shown (``Output.views``; see the module docstring)
_SHOWN: dict[str, tuple[str, ...]] = {
    "admin_cost_dkk": ("panel", "paired", "monitor"),
    "savings_dkk": ("paired", "monitor"),
    "tenders_held": ("monitor",),
    "control_bids": ("monitor",),
    "learning_teams": ("monitor",),
    "admin_overhead_share": ("final_bar", "run", "paired", "latest"),
    "citizen_satisfaction": ("panel", "final_bar", "run", "paired", "latest"),
    "political_expectation": ("latest",),
    "employee_wellbeing": ("panel", "final_bar", "run", "paired", "latest"),
    "sick_leave_rate": ("panel", "final_bar", "run", "paired", "latest"),
    "inhouse_share": ("panel", "run", "paired"),
    "tendered_share": ("run", "latest"),
    "proposals_implemented": ("paired", "latest"),
    "trust_employees_management": ("panel", "paired", "latest"),
    "total_cost_dkk": ("paired",),
    "expectation_gap": ("paired",),
}

_PARAM = "<parameter name>"


def _report_summary() -> tuple[Output, ...]:
    """``govsim report``'s summary.csv: compare's summary with ``case`` for ``scenario``."""
    out = []
    for o in (o for o in OUTPUTS if o.table == "summary"):
        if o.name == "scenario":
            o = replace(
                o,
                name="case",
                scale="the batch's cases",
                label="Case",
                definition="Case of the row (an experiment entry and variation; the scenario "
                "when the batch has no cases).",
            )
        out.append(replace(o, table="report_summary"))
    return tuple(out)


_SENS_INDEX = (  # the columns of every index row (sim.sensitivity.analyse.INDEX_COLUMNS)
    (
        "parameter",
        "name",
        "sampled parameters",
        "Parameter",
        "Parameter the index belongs to.",
        "id",
    ),
    (
        "interaction",
        "name",
        "empty, or a second parameter",
        "Interaction",
        "Second parameter of a second-order (S2) index; empty otherwise.",
        "id",
    ),
    (
        "index",
        "name",
        "S1, ST, S2, mu_star, sigma, mu, median, maximum, delta, delta_balanced, dgsm, vi",
        "Index",
        "Which sensitivity index the row holds (Sobol S1/ST/S2, Morris mu_star/sigma/mu, "
        "PAWN median/maximum, Borgonovo delta/delta_balanced (with S1), DGSM dgsm/vi, "
        "RBD-FAST S1; eFAST gives S1/ST). With groups, `parameter` names the group.",
        "id",
    ),
    (
        "value",
        "unit of the index",
        "Sobol-type 0–1; Morris in outcome units",
        "Index value",
        "The estimated index (SALib's estimate, never clipped).",
        "number",
    ),
    (
        "conf",
        "unit of the index",
        "≥ 0; empty where the method gives none",
        "CI half-width",
        "Half-width of the index's CI at the spec's conf_level: z · se (in indices.csv the "
        "seed-conditional error is included; elsewhere SALib's bootstrap alone).",
        "number",
    ),
    (
        "lo",
        "unit of the index",
        "value − conf, cut to the index's range",
        "CI low",
        "value − conf, cut to the range the index can take (Sobol-type [0, 1], μ*, σ ≥ 0).",
        "number",
    ),
    (
        "hi",
        "unit of the index",
        "value + conf, cut to the index's range",
        "CI high",
        "value + conf, cut to the range the index can take.",
        "number",
    ),
    (
        "se_rows",
        "unit of the index",
        "≥ 0; empty where the method gives none",
        "Bootstrap standard error",
        "SD of SALib's bootstrap over the sample rows (SALib's conf divided by its z).",
        "number",
    ),
)


def _sens(table: str, name: str, unit: str, scale: str, label: str, definition: str, kind: str):
    return _o(table, name, unit, scale, label, definition, "—", kind)


_SA_OUTCOME = _sens(
    "indices",
    "outcome",
    "name",
    "the spec's outcomes",
    "Outcome",
    "Outcome of the study the row belongs to (its name in the spec).",
    "id",
)
_SA_SIZE = _sens(
    "indices",
    "size",
    "base points or trajectories",
    "N/8, N/4, N/2, N",
    "Design size",
    "Size of the design the index was computed on (Sobol/PAWN base points, Morris "
    "trajectories, eFAST samples per parameter).",
    "id",
)

#: the outcomes of ``govsim robust`` (sim.robust.study.OUTCOMES, which tests check against these)
ROBUST_OUTCOMES = (
    "admin_overhead_share",
    "total_cost_dkk",
    "citizen_satisfaction",
    "employee_wellbeing",
    "sick_leave_rate",
)


def _policies() -> tuple[Output, ...]:
    """``govsim robust EXPERIMENT.yaml``'s policy_draws, policy_summary and policy_prim tables
    (sim.robust.policies)."""
    out = "unit of the outcome"
    sc = "scale of the outcome"
    d, s, p = "policy_draws", "policy_summary", "policy_prim"
    policy = ("policy", "name", "the experiment's levers", "Policy", "Name of the lever (policy).")
    outcome = (
        "outcome",
        "name",
        "a yearly outcome",
        "Outcome",
        "Yearly column the experiment judges the policies by (as its run mean).",
    )
    draws = (
        _o(
            d,
            "draw",
            "index",
            "0 … draws − 1",
            "Draw",
            "Latin-hypercube draw of the "
            "uncertainties (the same values and seed for every policy).",
            "—",
            "id",
        ),
        _o(d, *policy, "—", "id"),
        _o(
            d,
            "seed",
            "seed",
            "uint32",
            "Seed",
            "Seed of the draw's runs (the same for every "
            "policy; sim.seeds.derive_seeds of the experiment's seed, stream DRAW_STREAM).",
            "—",
            "id",
        ),
        _o(
            d,
            _PARAM,
            "unit of the parameter",
            "the experiment's range",
            "Uncertainty value",
            "Value of the uncertain parameter on the draw (one column per uncertainty; a policy "
            "whose rules lack the parameter ignores it).",
            "—",
            "id",
        ),
        _o(d, *outcome, "—", "id"),
        _o(
            d,
            "value",
            out,
            sc,
            "Outcome value",
            "Run mean over the simulated years of the outcome for the policy on the draw.",
        ),
        _o(
            d,
            "best_value",
            out,
            sc,
            "Best value",
            "Best outcome value of any policy on the "
            "draw (the least when minimising, the greatest when maximising).",
        ),
        _o(
            d,
            "regret",
            out,
            "≥ 0",
            "Regret",
            "How much worse the policy's value is than the "
            "best policy's on the draw (the size of value − best_value); 0 for the best policy.",
        ),
        _o(
            d,
            "best",
            "flag",
            "true/false",
            "Best",
            "Whether the policy is the best on the draw (regret 0).",
            "—",
            "text",
        ),
        _o(
            d,
            "fails",
            "flag",
            "true/false; empty for the other policies",
            "Fails",
            "Whether the chosen (minimax-regret) policy fails on the draw under the experiment's "
            "threshold (see policy_prim.failure).",
            "—",
            "text",
        ),
    )
    summary = (
        _o(s, *policy, "—", "id"),
        _o(
            s,
            "scenario",
            "name",
            "preset or file",
            "Scenario",
            "Scenario the lever starts from (a preset name or a YAML path).",
            "—",
            "id",
        ),
        _o(
            s,
            "settings",
            "text",
            "name=value; …",
            "Settings",
            "The lever's set: overrides.",
            "—",
            "text",
        ),
        _o(s, *outcome, "—", "id"),
        _o(
            s,
            "direction",
            "text",
            "minimise, maximise",
            "Direction",
            "Whether less or more of the outcome is better.",
            "—",
            "text",
        ),
        _o(
            s,
            "draws",
            "count",
            "the experiment's draws",
            "Draws",
            "Draws the policy ran on.",
            "—",
            "id",
        ),
        _o(s, "mean", out, sc, "Mean", "Mean over the draws of the outcome's run mean."),
        _o(s, "p05", out, sc, "5 % quantile", "5 % quantile over the draws of the outcome."),
        _o(s, "p50", out, sc, "Median", "Median over the draws of the outcome."),
        _o(s, "p95", out, sc, "95 % quantile", "95 % quantile over the draws of the outcome."),
        _o(
            s,
            "mean_regret",
            out,
            "≥ 0",
            "Mean regret",
            "Mean over the draws of the policy's regret against the best policy on each draw.",
        ),
        _o(
            s,
            "max_regret",
            out,
            "≥ 0",
            "Max regret",
            "Largest regret of the policy over the draws (what minimax regret minimises).",
        ),
        _o(
            s,
            "best_share",
            "share of draws",
            _SHARE,
            "Share best",
            "Share of draws on which the policy is the best.",
        ),
        _o(
            s,
            "failures",
            "count of draws",
            "0 … draws",
            "Failures",
            "Draws on which the "
            "policy fails under the experiment's threshold (policy_prim.failure).",
        ),
        _o(
            s,
            "rank_minimax_regret",
            "rank",
            "1 = most robust",
            "Rank (minimax regret)",
            "Rank by max regret (ties: mean regret, then name).",
            "—",
            "id",
        ),
        _o(
            s,
            "rank_mean",
            "rank",
            "1 = best",
            "Rank (mean)",
            "Rank by mean outcome in the experiment's direction (ties: name).",
            "—",
            "id",
        ),
        _o(
            s,
            "chosen",
            "flag",
            "true/false",
            "Chosen",
            "Whether this is the chosen policy "
            "(rank 1 by minimax regret), whose failures PRIM describes.",
            "—",
            "text",
        ),
    )
    prim = (
        _o(p, *policy[:3], "Chosen policy", "The chosen (minimax-regret) policy.", "—", "id"),
        _o(
            p,
            "failure",
            "text",
            "a condition",
            "Failure",
            "When the chosen policy fails on a "
            "draw: regret above threshold.regret, outcome beyond threshold.outcome, or (no "
            "threshold) regret > 0.",
            "—",
            "text",
        ),
        _o(
            p,
            "draws",
            "count",
            "the experiment's draws",
            "Draws",
            "Draws of the experiment.",
            "—",
            "id",
        ),
        _o(
            p,
            "failures",
            "count of draws",
            "0 … draws",
            "Failures",
            "Draws on which the chosen policy fails.",
        ),
        _o(
            p,
            "prim_status",
            "text",
            "box, weak, no_region, too_few, never_fails, fails_everywhere",
            "PRIM status",
            "box: PRIM found a region where the failures "
            "concentrate (density ≥ sim.robust.study.concentrated); weak: its best box does not "
            "concentrate them; too_few: fewer than MIN_FAILURES failures.",
            "—",
            "text",
        ),
        _o(
            p,
            "prim_box",
            "text",
            "restrictions",
            "PRIM box",
            "The region's restrictions on the uncertain parameters.",
            "—",
            "text",
        ),
        _o(
            p,
            "prim_parameters",
            "text",
            "parameter names",
            "PRIM parameters",
            "The uncertain parameters the region restricts (what makes the chosen policy fail).",
            "—",
            "text",
        ),
        _o(
            p,
            "prim_coverage",
            "share of failures",
            _SHARE,
            "PRIM coverage",
            "Share of the failures inside the box.",
        ),
        _o(
            p,
            "prim_density",
            "share of draws",
            _SHARE,
            "PRIM density",
            "Share of the box's draws that are failures.",
        ),
        _o(
            p,
            "prim_mass",
            "share of draws",
            _SHARE,
            "PRIM mass",
            "Share of all draws inside the box.",
        ),
        _o(
            p,
            "failure_draws",
            "text",
            "draw numbers",
            "Failure draws",
            "The failing draws, listed when they are too few for PRIM.",
            "—",
            "text",
        ),
    )
    return draws + summary + prim


def _robust() -> tuple[Output, ...]:
    """``govsim robust``'s robust_draws and robust_summary tables."""
    yearly = {o.name: o for o in OUTPUTS if o.table == "yearly"}
    draws = (
        _o(
            "robust_draws",
            "draw",
            "index",
            "0 … draws − 1",
            "Draw",
            "Latin-hypercube draw (the same parameter values and seed for every model).",
            "—",
            "id",
        ),
        _o(
            "robust_draws",
            "model",
            "name",
            "bum, hod, model_municipality",
            "Model",
            "Governance model of the row.",
            "—",
            "id",
        ),
        _o(
            "robust_draws",
            "seed",
            "seed",
            "uint32",
            "Seed",
            "Seed of the draw's runs (the same for the three models; sim.seeds.derive_seeds of "
            "the master seed, stream DRAW_STREAM).",
            "—",
            "id",
        ),
        _o(
            "robust_draws",
            _PARAM,
            "unit of the parameter",
            "its plausible range (`govsim params`)",
            "Parameter value",
            "Value of the sampled parameter on the draw; empty for a model "
            "whose rules do not have the parameter (one column per sampled parameter).",
            "—",
            "id",
        ),
        *(
            replace(
                yearly[c],
                table="robust_draws",
                definition=f"Run mean over the simulated years of the yearly column {c}: "
                + yearly[c].definition,
                key=0,
                views=(),
            )
            for c in ROBUST_OUTCOMES
        ),
    )
    t = "robust_summary"
    diff = "unit of the outcome"
    summary = (
        _o(
            t,
            "comparison",
            "name",
            "outcome:a>b or outcome:a<b",
            "Comparison",
            "Id of the comparison: outcome, model a, the default direction, model b.",
            "—",
            "id",
        ),
        _o(
            t,
            "outcome",
            "name",
            "the five headline outcomes",
            "Outcome",
            "Yearly column compared (as its run mean).",
            "—",
            "id",
        ),
        _o(t, "model_a", "name", "bum, hod", "Model a", "First model of the pair.", "—", "id"),
        _o(
            t,
            "model_b",
            "name",
            "hod, model_municipality",
            "Model b",
            "Second model of the pair (differences are a − b).",
            "—",
            "id",
        ),
        _o(
            t,
            "direction",
            "sign",
            ">, <, =",
            "Default direction",
            "Sign of the default difference a − b: the direction the comparison tests.",
            "—",
            "text",
        ),
        _o(
            t,
            "statement",
            "text",
            "a sentence",
            "Statement",
            "The comparison in words, in its default direction.",
            "—",
            "text",
        ),
        _o(
            t,
            "default_diff",
            diff,
            "difference",
            "Default difference",
            "Mean over the default replications' paired seeds of run mean(a) − run mean(b) at "
            "the presets' default parameters.",
            "mean",
        ),
        _o(
            t,
            "default_lo",
            diff,
            "difference",
            "Default difference, 95 % CI low",
            "Lower end of the 95 % Student-t confidence interval of default_diff.",
            "mean",
        ),
        _o(
            t,
            "default_hi",
            diff,
            "difference",
            "Default difference, 95 % CI high",
            "Upper end of the 95 % Student-t confidence interval of default_diff.",
            "mean",
        ),
        _o(
            t,
            "default_clear",
            "yes/no",
            "true, false",
            "Default direction clear",
            "The confidence interval of default_diff excludes 0.",
            "—",
            "text",
        ),
        _o(
            t,
            "default_replications",
            "seeds",
            "≥ 2",
            "Default replications",
            "Paired seeds of the default result (those of govsim compare).",
            "—",
        ),
        _o(t, "draws", "draws", "≥ 1", "Draws", "Latin-hypercube draws of the study.", "—"),
        _o(
            t,
            "holds",
            "draws",
            "0 … draws",
            "Draws where it holds",
            "Draws whose difference a − b has the default sign.",
            "—",
        ),
        _o(t, "share", "share of draws", _SHARE, "Share where it holds", "holds / draws.", "—"),
        _o(
            t,
            "share_lo",
            "share of draws",
            _SHARE,
            "Share, 95 % CI low",
            "Lower end of the exact (Clopper–Pearson) 95 % interval of share.",
            "—",
        ),
        _o(
            t,
            "share_hi",
            "share of draws",
            _SHARE,
            "Share, 95 % CI high",
            "Upper end of the exact (Clopper–Pearson) 95 % interval of share.",
            "—",
        ),
        _o(
            t,
            "reversals",
            "draws",
            "0 … draws",
            "Reversals",
            "Draws where the comparison does not hold (draws − holds).",
            "—",
        ),
        _o(
            t,
            "default_sd",
            diff,
            "≥ 0",
            "Seed noise of the difference",
            "Standard deviation over the default replications' seeds of the paired difference "
            "a − b at the default parameters: how much one seeded run pair varies.",
            "mean",
        ),
        _o(
            t,
            "clear_reversals",
            "draws",
            "0 … reversals",
            "Clear reversals",
            "Reversals whose difference a − b exceeds 2 × default_sd in size (beyond the seed "
            "noise of one run pair at the defaults).",
            "—",
        ),
        _o(
            t,
            "draw_diff_p05",
            diff,
            "difference",
            "Draw difference, 5th percentile",
            "5th percentile over the draws of run mean(a) − run mean(b).",
            "mean",
        ),
        _o(
            t,
            "draw_diff_median",
            diff,
            "difference",
            "Draw difference, median",
            "Median over the draws of run mean(a) − run mean(b).",
            "mean",
        ),
        _o(
            t,
            "draw_diff_p95",
            diff,
            "difference",
            "Draw difference, 95th percentile",
            "95th percentile over the draws of run mean(a) − run mean(b).",
            "mean",
        ),
        _o(
            t,
            "drivers",
            "text",
            "parameter (ρ ±r), …",
            "Drivers",
            "The 3 parameters (of those the two models use) whose Spearman rank correlation "
            "with the draw difference a − b is largest in size, with ρ: positive = the higher "
            "the parameter, the larger a − b.",
            "—",
            "text",
        ),
        _o(
            t,
            "prim_status",
            "category",
            "holds_everywhere, too_few, no_region, weak, box",
            "PRIM status",
            "holds_everywhere: no reversal; too_few: fewer reversals than PRIM "
            "needs (listed in reversal_draws); no_region: PRIM found no box restricting a "
            "parameter; weak: PRIM's best box (prim_box) is not a region where the reversals "
            "concentrate (density below max(0.5, min(2 × share reversed, (1 + share reversed) "
            "/ 2))); box: prim_box describes the region where they concentrate.",
            "—",
            "text",
        ),
        _o(
            t,
            "prim_box",
            "text",
            "restrictions joined by 'and'",
            "Reversal region",
            "PRIM's box of the reversals over the parameters the two models use: each restricted "
            "parameter with its limits and its sampled range.",
            "—",
            "text",
        ),
        _o(
            t,
            "prim_parameters",
            "names",
            "space-separated parameter names",
            "Box parameters",
            "The parameters prim_box restricts.",
            "—",
            "text",
        ),
        _o(
            t,
            "prim_coverage",
            "share of reversals",
            _SHARE,
            "Box coverage",
            "Share of all reversals that lie in the box.",
            "—",
        ),
        _o(
            t,
            "prim_density",
            "share of draws in the box",
            _SHARE,
            "Box density",
            "Share of the draws in the box that reverse.",
            "—",
        ),
        _o(
            t,
            "prim_mass",
            "share of draws",
            _SHARE,
            "Box mass",
            "Share of all draws that lie in the box.",
            "—",
        ),
        _o(
            t,
            "reversal_draws",
            "indices",
            "space-separated draws",
            "Reversing draws",
            "The draws that reverse, when they are too few for PRIM (else empty).",
            "—",
            "text",
        ),
    )
    return (*draws, *summary)


_MORE: tuple[Output, ...] = (
    # ------------------------------------------------------------ batch identity columns
    _o(
        "batch",
        "run_id",
        "name",
        "unique in the batch",
        "Run id",
        "Identifier of the run, e.g. bum-v0003-r007 (sensitivity: <scenario>-p<point>-r<rep>).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "scenario",
        "name",
        "preset, YAML path or scenario name",
        "Scenario",
        "The scenario of the run as given (preset name or file), or a Scenario object's name.",
        "—",
        "id",
    ),
    _o(
        "batch",
        "seed",
        "seed",
        "uint32",
        "Seed",
        "Replication seed of the run (sim.seeds.derive_seeds of the master seed).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "label",
        "name",
        "the experiment's entries",
        "Label",
        "Label of the experiment entry the run belongs to (default: the scenario's name).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "case",
        "name",
        "label [parameter=value, …]",
        "Case",
        "The entry's label with the variation's parameter values: the group report compares.",
        "—",
        "id",
    ),
    _o(
        "batch",
        "variation",
        "index",
        "0, 1, …",
        "Variation",
        "Index of the parameter variation (grid point or Latin hypercube sample) of the entry.",
        "—",
        "id",
    ),
    _o(
        "batch",
        "replication",
        "index",
        "0 … replications − 1",
        "Replication",
        "Index of the seeded replication (the same seed for every case).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "sa_arm",
        "name",
        "the study's scenarios",
        "Study scenario",
        "Scenario of a sensitivity study's run (its label in the spec).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "sa_point",
        "index",
        "0 … sample points − 1",
        "Sample point",
        "Sample point of a sensitivity study's design (row of samples.parquet).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "sa_rep",
        "index",
        "0 … replications − 1",
        "Study replication",
        "Seeded replication of a sensitivity study's sample point.",
        "—",
        "id",
    ),
    _o(
        "batch",
        "rb_model",
        "name",
        "bum, hod, model_municipality",
        "Robustness model",
        "Governance model of a robustness study's run.",
        "—",
        "id",
    ),
    _o(
        "batch",
        "rb_draw",
        "index",
        "0 … draws − 1; empty for a default run",
        "Robustness draw",
        "Latin-hypercube draw of a robustness study's run (row of robust_draws).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "rp_policy",
        "name",
        "the experiment's levers",
        "Policy",
        "Lever (policy) of a policy-robustness run (govsim robust EXPERIMENT.yaml).",
        "—",
        "id",
    ),
    _o(
        "batch",
        "rp_draw",
        "index",
        "0 … draws − 1",
        "Policy draw",
        "Latin-hypercube draw of the uncertainties of a policy-robustness run.",
        "—",
        "id",
    ),
    _o(
        "batch",
        "rb_default",
        "index",
        "0 … default replications − 1; empty for a draw",
        "Default replication",
        "Replication of a robustness study's default run (the presets at their defaults, on "
        "the seeds of govsim compare).",
        "—",
        "id",
    ),
    _o(
        "batch",
        _PARAM,
        "unit of the parameter",
        "see `govsim params`",
        "Parameter override",
        "Value a run's override gave the parameter (one column per overridden parameter; "
        "empty for runs without that override).",
        "—",
        "id",
    ),
    # ------------------------------------------------------------ runs (a batch's runs table)
    _o(
        "runs",
        "run_id",
        "name",
        "unique in the batch",
        "Run id",
        "Identifier of the run.",
        "—",
        "id",
    ),
    _o(
        "runs",
        "status",
        "category",
        "done, failed",
        "Status",
        "Outcome of the attempt (a run never attempted is pending in the manifest).",
        "—",
        "text",
    ),
    _o(
        "runs",
        "error",
        "text",
        "empty if done",
        "Error",
        "Traceback of a failed run.",
        "—",
        "text",
    ),
    _o(
        "runs",
        "params",
        "JSON",
        "run_id, scenario, overrides, seed, years, meta",
        "Run specification",
        "The run's specification as JSON (what a resume compares).",
        "—",
        "text",
    ),
    _o(
        "runs",
        "seconds",
        "s",
        "≥ 0",
        "Run time",
        "Wall-clock time of the run in its worker.",
        "—",
    ),
    _o(
        "runs",
        "worker",
        "host:pid",
        "the batch's workers",
        "Worker",
        "Process that ran it.",
        "—",
        "text",
    ),
    _o(
        "runs",
        "finished",
        "ISO 8601 time (UTC)",
        "the batch's duration",
        "Finished",
        "When the chunk holding the run was stored (the latest attempt counts).",
        "—",
        "text",
    ),
    _o(
        "runs",
        "part",
        "token",
        "part-<token>.parquet",
        "Part",
        "Token of the part files that hold the run's tables.",
        "—",
        "id",
    ),
    # ------------------------------------------------------------ export's runs_summary
    _o(
        "run_summary",
        "years",
        "years",
        "≥ 1",
        "Years",
        "Simulated years of the run.",
        "—",
    ),
    _o(
        "run_summary",
        "<outcome>_mean",
        "unit of the outcome",
        "scale of the outcome",
        "Run mean",
        "Mean of the yearly outcome over the years of the run (one column per numeric yearly "
        "outcome).",
    ),
    _o(
        "run_summary",
        "<outcome>_final",
        "unit of the outcome",
        "scale of the outcome",
        "Final-year value",
        "The yearly outcome in the run's final year (one column per numeric yearly outcome).",
        "final",
    ),
    # ------------------------------------------------------------ report's summary.csv
    *_report_summary(),
    # ------------------------------------------------------------ report's differences.csv
    _o(
        "differences",
        "case_a",
        "name",
        "the batch's cases",
        "Case a",
        "First case of the pair.",
        "—",
        "id",
    ),
    _o(
        "differences",
        "case_b",
        "name",
        "the batch's cases",
        "Case b",
        "Second case of the pair (the difference is b − a).",
        "—",
        "id",
    ),
    _o(
        "differences",
        "outcome",
        "name",
        "a yearly column",
        "Outcome",
        "Yearly column compared.",
        "—",
        "id",
    ),
    _o(
        "differences",
        "n_pairs",
        "seeds",
        "≥ 0",
        "Pairs",
        "Seeds on which both cases have a result.",
        "—",
    ),
    _o(
        "differences",
        "diff_mean",
        "unit of the outcome",
        "difference",
        "Run-mean difference",
        "Mean over seeds of (b − a) in the run mean, paired on the same seed.",
    ),
    _o(
        "differences",
        "diff_lo",
        "unit of the outcome",
        "difference",
        "Run-mean difference, 95 % CI low",
        "Lower end of the 95 % confidence interval of diff_mean.",
    ),
    _o(
        "differences",
        "diff_hi",
        "unit of the outcome",
        "difference",
        "Run-mean difference, 95 % CI high",
        "Upper end of the 95 % confidence interval of diff_mean.",
    ),
    _o(
        "differences",
        "clear",
        "yes/no",
        "true, false",
        "Clear difference",
        "The 95 % confidence interval of the difference excludes 0 (needs ≥ 2 pairs).",
        "—",
        "text",
    ),
    # ------------------------------------------------------------ report's admin_by_activity.csv
    _o(
        "admin_by_activity",
        "case",
        "name",
        "the batch's cases",
        "Case",
        "Case of the row (named scenario when the batch has no cases).",
        "—",
        "id",
    ),
    _o(
        "admin_by_activity",
        "scenario",
        "name",
        "the batch's scenarios",
        "Scenario",
        "Scenario of the row (in place of case, when the batch has no cases).",
        "—",
        "id",
    ),
    _o(
        "admin_by_activity",
        "<activity>",
        "DKK/yr",
        "real, fixed prices",
        "Administrative cost of the activity",
        "Mean over years within a seed, then over seeds, of the activity's cost (one column "
        "per administrative activity of sim.ledger.ACTIVITIES).",
    ),
    # ------------------------------------------------------------ sensitivity: samples.parquet
    _sens(
        "sa_samples",
        "sa_point",
        "index",
        "0 … sample points − 1",
        "Sample point",
        "Row of the design.",
        "id",
    ),
    _sens(
        "sa_samples",
        "x:" + _PARAM,
        "unit of the parameter",
        "sampler's bounds (whole numbers: [low, high + 1))",
        "Sampler coordinate",
        "The coordinate SALib drew for the parameter (before whole numbers are floored).",
        "number",
    ),
    _sens(
        "sa_samples",
        _PARAM,
        "unit of the parameter",
        "the parameter's range",
        "Parameter value",
        "The model value of the parameter at the sample point.",
        "number",
    ),
    # ------------------------------------------------------------ sensitivity: outcomes.parquet
    replace(_SA_OUTCOME, table="sa_outcomes"),
    _sens(
        "sa_outcomes",
        "sa_point",
        "index",
        "0 … sample points − 1",
        "Sample point",
        "Sample point of the design.",
        "id",
    ),
    _sens(
        "sa_outcomes",
        "sa_rep",
        "index",
        "0 … replications − 1",
        "Replication",
        "Seeded replication of the point.",
        "id",
    ),
    _sens(
        "sa_outcomes",
        "value",
        "unit of the outcome",
        "scale of the outcome",
        "Outcome value",
        "The outcome of one run (its summary: mean, final, max, min or slope over the chosen "
        "years, or one year of a per_year outcome; minus the other scenario's for a "
        "difference outcome), as the indices use it.",
        "number",
    ),
    # ------------------------------------------------------------ sensitivity: indices.csv
    _SA_OUTCOME,
    _sens(
        "indices",
        "method",
        "name",
        "sobol, morris, fast, pawn",
        "Method",
        "Sensitivity method.",
        "id",
    ),
    _SA_SIZE,
    *(_sens("indices", *row) for row in _SENS_INDEX),
    _sens(
        "indices",
        "seed_sd",
        "unit of the index",
        "≥ 0; empty with 1 replication",
        "Spread across seeds",
        "SD of the index recomputed on each replication alone (indices_by_seed.csv).",
        "number",
    ),
    _sens(
        "indices",
        "se",
        "unit of the index",
        "≥ 0; empty where the method gives no CI",
        "Standard error",
        "sqrt(se_rows² + seed_sd² / replications): row bootstrap and seed-conditional error.",
        "number",
    ),
    _sens(
        "indices",
        "seed_exceeds_ci",
        "yes/no",
        "true, false, empty",
        "Seed spread exceeds bootstrap",
        "seed_sd exceeds the mean row-bootstrap standard error of the single-replication "
        "indices: a single-seed study's CI would understate the uncertainty.",
        "text",
    ),
    _sens(
        "indices",
        "rank",
        "rank",
        "1 = most influential",
        "Rank",
        "Rank of the parameter among the indices of this kind at the full size.",
        "number",
    ),
    _sens(
        "indices",
        "rank_best",
        "rank",
        "1 = most influential",
        "Best rank in the rank group",
        "1 + the number of indices of this kind whose 95 % CI lies wholly above this one's.",
        "number",
    ),
    _sens(
        "indices",
        "rank_worst",
        "rank",
        "1 = most influential",
        "Worst rank in the rank group",
        "The number of indices of this kind whose 95 % CI reaches this one's (itself included).",
        "number",
    ),
    _sens(
        "indices",
        "negligible",
        "yes/no",
        "true, false",
        "Negligible",
        "In the group of smallest indices whose upper 95 % ends sum to at most 5 % of the "
        "total of this index (at least 1 for variance shares); ties enter together.",
        "text",
    ),
    _sens(
        "indices",
        "rel_half_width",
        "share of the index",
        "≥ 0",
        "Relative 95 % half-width",
        "1.96 · se divided by the absolute value of the index (fixed level, whatever conf_level).",
        "number",
    ),
    _sens(
        "indices",
        "ci_ok",
        "yes/no",
        "true, false, empty",
        "CI narrow enough",
        "The 95 % half-width (1.96 · se) is below 10 % of the index (empty where the method "
        "gives no CI).",
        "text",
    ),
    _sens(
        "indices",
        "seed_ok",
        "yes/no",
        "true, false, empty",
        "Seeds agree",
        "1.96 · seed_sd / √replications is below 10 % of the index (empty with 1 replication).",
        "text",
    ),
    _sens(
        "indices",
        "rank_half",
        "rank",
        "1 = most influential",
        "Rank at N/2",
        "The parameter's rank at half the design size (empty if there is no smaller size).",
        "number",
    ),
    _sens(
        "indices",
        "rank_stable",
        "yes/no",
        "true, false, empty",
        "Rank stable",
        "The rank at N/2 lies within the rank group at N (rank_best … rank_worst), or the "
        "index is negligible at both (empty for indices that are not ranked).",
        "text",
    ),
    _sens(
        "indices",
        "converged",
        "yes/no",
        "true, false",
        "Converged",
        "(ci_ok and seed_ok where measured, or negligible) and rank_stable.",
        "text",
    ),
    # ------------------------------------------------------------ sensitivity: convergence.csv
    replace(_SA_OUTCOME, table="convergence"),
    replace(_SA_SIZE, table="convergence"),
    *(_sens("convergence", *row) for row in _SENS_INDEX),
    # ------------------------------------------------------------ sensitivity: seed_noise.csv
    replace(_SA_OUTCOME, table="seed_noise"),
    _sens(
        "seed_noise",
        "replications",
        "replications",
        "≥ 1",
        "Replications",
        "Seeded replications per sample point.",
        "number",
    ),
    _sens(
        "seed_noise",
        "parameters",
        "share of variance",
        "0–1; empty with 1 replication",
        "Parameter share",
        "Two-way ANOVA of the points × seeds table: the points' variance component as a share of the three components (parameters + common_seed + interaction = 1).",
        "number",
    ),
    _sens(
        "seed_noise",
        "common_seed",
        "share of variance",
        "0–1; empty with 1 replication",
        "Common seed shift share",
        "The seeds' variance component (a shift shared by every point, which cancels in the indices), as a share.",
        "number",
    ),
    _sens(
        "seed_noise",
        "interaction",
        "share of variance",
        "0–1; empty with 1 replication",
        "Point × seed share",
        "The residual (point × seed interaction) variance component, as a share: the noise that reaches the means.",
        "number",
    ),
    _sens(
        "seed_noise",
        "single_run",
        "share of variance",
        "0–1; empty with 1 replication",
        "Seed noise in single runs",
        "common_seed + interaction.",
        "number",
    ),
    _sens(
        "seed_noise",
        "in_means",
        "share of variance",
        "0–1; empty with 1 replication",
        "Seed noise in the means",
        "(interaction component / replications) over itself plus the parameter component: the noise share of the replication means the indices use.",
        "number",
    ),
    _sens(
        "seed_noise",
        "mean",
        "unit of the outcome",
        "scale of the outcome",
        "Mean",
        "Mean of the replication means over the sample points.",
        "number",
    ),
    _sens(
        "seed_noise",
        "sd",
        "unit of the outcome",
        "scale of the outcome",
        "Standard deviation",
        "Standard deviation of the replication means over the sample points.",
        "number",
    ),
    *_robust(),
    *_policies(),
    # ------------------------------------------------------------ sensitivity: indices_by_seed.csv
    replace(_SA_OUTCOME, table="indices_by_seed"),
    _sens(
        "indices_by_seed",
        "sa_rep",
        "index",
        "0 … replications − 1",
        "Replication",
        "The replication (seed) the indices were computed from alone.",
        "id",
    ),
    *(_sens("indices_by_seed", *row) for row in _SENS_INDEX),
)

# ------------------------------------------------------------ population of municipalities
_NAT = "sum over the municipalities"


def _population() -> tuple[Output, ...]:
    """The tables of ``govsim population`` / ``sim.population.run_population``."""
    ids = (
        (
            "municipality",
            "name",
            "unique in the population",
            "Municipality",
            "Key of the municipality (a named one's key, else REGION_NN).",
        ),
        (
            "region",
            "name",
            "the population's regions",
            "Region",
            "Key of the municipality's region (with market: regional, the contractor market it shares).",
        ),
        (
            "preset",
            "name",
            "preset or scenario file stem",
            "Scenario",
            "The governance scenario the population file assigns the municipality (preset name or scenario file stem).",
        ),
        (
            "seed",
            "seed",
            "uint32",
            "Seed",
            "The municipality's model seed: sim.seeds.derive_seeds(national seed, N)[position].",
        ),
    )
    current = (
        (
            "model",
            "name",
            "a preset, scenario file stem or diffusion target",
            "Governance model",
            "The governance model in force in the year: the preset until the municipality adopts "
            "another model (diffusion), then that model's name.",
        ),
        (
            "network",
            "name",
            "a network key or empty",
            "Benchmarking network",
            "Key of the benchmarking network the municipality belongs to in the year (empty: "
            "none); with diffusion an adopter may join or leave one.",
        ),
    )
    out = [_o("population", *row, "—", "id") for row in (*ids[:3], *current, ids[3])]
    out += [_o("municipalities", *row, "—", "id") for row in ids]
    out += [
        _o(
            "municipalities",
            "citizens",
            "persons",
            "≥ 100",
            "Inhabitants",
            "The municipality's inhabitants (municipality.citizens).",
            "final",
        ),
        _o(
            "municipalities",
            "task_volume_dkk",
            "DKK/yr",
            "real, fixed prices",
            "Task volume",
            "Annual cost of the municipality's task packages at in-house reference cost (municipality.task_volume_dkk).",
            "final",
        ),
        _o(
            "municipalities",
            "budget_dkk",
            "DKK/yr",
            "real, fixed prices",
            "Budget",
            "Year-0 operating budget (municipality.budget_dkk).",
            "final",
        ),
        _o(
            "municipalities",
            "employees",
            "FTE",
            "≥ 5",
            "In-house staff",
            "Positions in the in-house unit at the start (municipality.employees).",
            "final",
        ),
        _o(
            "municipalities",
            "areas",
            "areas",
            "≥ 1",
            "Areas",
            "Geographic areas (municipality.areas).",
            "final",
        ),
        _o(
            "municipalities",
            "contractors",
            "firms",
            "≥ 1",
            "Contractors",
            "The municipality's own pool of firms (municipality.contractors): its market with market: local; with market: regional, its contribution to the region's pool (size.regional_firms_share).",
            "final",
        ),
        _o(
            "municipalities",
            "market",
            "—",
            "regional | local",
            "Market",
            "How the municipality buys: regional (from its region's shared contractor market) or local (from its own, as a single run).",
            "—",
            "text",
        ),
        _o(
            "municipalities",
            "market_firms",
            "firms",
            "≥ 1",
            "Firms in its market",
            "Firms at the start in the market the municipality buys from (the region's shared market, or its own), and the most that entry lets in.",
            "final",
        ),
        _o(
            "municipalities",
            "network",
            "—",
            "a network key or empty",
            "Benchmarking network",
            "Key of the benchmarking network the municipality shares data and learning with (empty: none).",
            "—",
            "text",
        ),
        _o(
            "national",
            "year",
            "calendar year",
            "start_year …",
            "Year",
            "Calendar year of the row.",
            "—",
            "id",
        ),
        _o(
            "national",
            "municipalities",
            "municipalities",
            "≥ 1",
            "Municipalities",
            "Municipalities in the population.",
            "final",
        ),
        _o(
            "national",
            "citizens",
            "persons",
            _NAT,
            "Inhabitants",
            "Inhabitants of all municipalities.",
            "final",
        ),
        _o(
            "national",
            "task_volume_dkk",
            "DKK/yr",
            _NAT,
            "Task volume",
            "Task volume of all municipalities (the weights of the volume-weighted shares).",
            "final",
        ),
        _o(
            "national",
            "exposed_share",
            "share of task volume",
            _SHARE,
            "Exposure to competition (national)",
            "Task-volume-weighted mean of the municipalities' tendered_share: the national share of the task volume under a contract period (E7's IKU).",
            key=0,
        ),
        _o(
            "national",
            "exposed_share_p10",
            "share of task volume",
            _SHARE,
            "Exposure, 10th percentile",
            "10th percentile of tendered_share across municipalities (unweighted).",
        ),
        _o(
            "national",
            "exposed_share_median",
            "share of task volume",
            _SHARE,
            "Exposure, median",
            "Median of tendered_share across municipalities (unweighted).",
        ),
        _o(
            "national",
            "exposed_share_p90",
            "share of task volume",
            _SHARE,
            "Exposure, 90th percentile",
            "90th percentile of tendered_share across municipalities (unweighted).",
        ),
        _o(
            "national",
            "private_share",
            "share of task volume",
            _SHARE,
            "Private share (national)",
            "Task-volume-weighted mean of the municipalities' private_share.",
        ),
        _o(
            "national",
            "tenders_held",
            "tenders/yr",
            _NAT,
            "Tenders held",
            "Tenders held by all municipalities this year.",
            "sum",
        ),
        _o(
            "national",
            "control_bids",
            "bids/yr",
            _NAT,
            "Control bids",
            "Tenders with an in-house control bid, all municipalities.",
            "sum",
        ),
        _o(
            "national",
            "control_bid_share",
            "share of tenders",
            _SHARE + "; empty without tenders",
            "Tenders with a control bid (national)",
            "control_bids / tenders_held over all municipalities (E11's national share).",
        ),
        _o("national", "budget_dkk", "DKK/yr", _NAT, "Budget", "Budgets of all municipalities."),
        _o(
            "national",
            "production_cost_dkk",
            "DKK/yr",
            _NAT,
            "Production cost",
            "Production cost of all municipalities.",
        ),
        _o(
            "national",
            "admin_cost_dkk",
            "DKK/yr",
            _NAT,
            "Administrative cost",
            "Administrative cost of all municipalities.",
        ),
        _o(
            "national",
            "total_cost_dkk",
            "DKK/yr",
            _NAT,
            "Total cost",
            "Total cost of all municipalities.",
        ),
        _o(
            "national",
            "admin_overhead_share",
            "share of total cost",
            _SHARE,
            "Administrative overhead (national)",
            "National administrative cost divided by national total cost.",
        ),
        _o(
            "national",
            "savings_dkk",
            "DKK/yr",
            _NAT + ", each vs its own first year",
            "Savings",
            "Sum of the municipalities' savings_dkk (each against its own first year).",
        ),
        _o(
            "national",
            "citizen_satisfaction",
            "satisfaction",
            "0–1",
            "Citizen satisfaction (national)",
            "Inhabitant-weighted mean of the municipalities' citizen_satisfaction.",
        ),
        _o(
            "national",
            "positions",
            "FTE",
            _NAT,
            "In-house positions",
            "Positions in all in-house units.",
        ),
        _o(
            "national",
            "employee_wellbeing",
            "wellbeing",
            "1–7 scale",
            "Employee wellbeing (national)",
            "Position-weighted mean of the municipalities' employee_wellbeing.",
        ),
        _o(
            "national",
            "sick_leave_rate",
            "share of working time",
            _SHARE,
            "Sick leave (national)",
            "Position-weighted mean of the municipalities' sick_leave_rate.",
        ),
        _o(
            "national",
            "expectation_gap",
            "satisfaction points",
            "−1…1; > 0 = above expectation",
            "Expectation gap (national)",
            "Inhabitant-weighted mean of the municipalities' expectation_gap.",
        ),
        _o(
            "national",
            "inhouse_share",
            "share of task volume",
            _SHARE,
            "In-house share (national)",
            "Task-volume-weighted mean of the municipalities' inhouse_share: the national share "
            "of the task volume delivered by in-house units.",
        ),
        _o(
            "national",
            "proposals_implemented",
            "proposals/yr",
            _NAT,
            "Proposals implemented",
            "Employee proposals implemented this year, all municipalities.",
            "sum",
        ),
        *(
            _o(
                "national",
                f"trust_{k}",
                "trust",
                _SHARE,
                f"Trust: {who.replace('the ', '')} (national)",
                f"{_TRUST_WEIGHT[k]}-weighted mean of the municipalities' trust_{k}.",
                short=short,
            )
            for k, (who, short) in _TRUST.items()
        ),
    ]
    out += [
        _o(
            "national",
            "switches",
            "municipalities",
            "0 … municipalities",
            "Model switches",
            "Municipalities whose governance model in this year differs from the year before "
            "(the diffusion of models; 0 in the first year).",
            "sum",
        ),
        _o(
            "national",
            "switched",
            "municipalities",
            "0 … municipalities",
            "Municipalities switched",
            "Municipalities whose governance model in this year is not the one the population "
            "file assigned them.",
            "final",
        ),
    ]
    adoption = (
        ("year", "calendar year", "start_year …", "Year", "Calendar year.", "—", "id"),
        (
            "model",
            "name",
            "every model that is assigned or can be adopted",
            "Governance model",
            "The governance model the row counts (the yearly table's model).",
            "—",
            "id",
        ),
        (
            "municipalities",
            "municipalities",
            "0 … municipalities",
            "Municipalities",
            "Municipalities running the model in the year.",
            "final",
        ),
        (
            "share",
            "share of municipalities",
            _SHARE,
            "Share of municipalities",
            "municipalities / all municipalities of the population.",
            "final",
        ),
        (
            "citizens_share",
            "share of inhabitants",
            _SHARE,
            "Share of inhabitants",
            "Inhabitants of the municipalities running the model / all inhabitants.",
            "final",
        ),
        (
            "adopted",
            "municipalities",
            "0 … municipalities",
            "Adoptions",
            "Municipalities that switched to the model at the start of the year.",
            "sum",
        ),
        (
            "left",
            "municipalities",
            "0 … municipalities",
            "Departures",
            "Municipalities that switched from the model to another at the start of the year.",
            "sum",
        ),
    )
    out += [_o("adoption", *row) for row in adoption]
    mk = (
        ("buyers", "municipalities", "≥ 1", "Buyers", "Municipalities buying from the market."),
        (
            "firms",
            "firms",
            "≥ market.min_firms",
            "Firms",
            "Firms in the market at year end, before exit and entry.",
        ),
        (
            "holders",
            "firms",
            "0 … firms",
            "Contract holders",
            "Firms holding at least one contract with any of the region's municipalities at year end.",
        ),
        (
            "buyers_per_holder",
            "municipalities",
            "0 without holders, else ≥ 1",
            "Buyers per holder",
            "Mean number of the region's municipalities a contract-holding firm works for.",
        ),
        (
            "multi_buyer_holders",
            "firms",
            "0 … holders",
            "Firms serving several",
            "Firms holding contracts with two or more of the region's municipalities.",
        ),
        (
            "held_volume_dkk",
            "DKK/yr",
            "at reference cost",
            "Volume under contract",
            "Yearly volume the firms deliver under contract to the region's municipalities (at in-house reference cost).",
        ),
        (
            "hhi",
            "index 0–1",
            "1/holders … 1; empty without contracts",
            "Concentration (HHI)",
            "Herfindahl–Hirschman index of the firms' shares of the volume under contract.",
        ),
        (
            "margin",
            "profit share of revenue",
            "share; empty without revenue",
            "Firms' margin",
            "The firms' profit over their revenue in the market this year (what entry reads).",
        ),
        (
            "terminations",
            "contracts",
            "≥ 0",
            "Terminations",
            "Contracts terminated this year for repeated shortfalls found.",
        ),
        ("exits", "firms", "≥ 0", "Exits", "Firms that left the market at this year end."),
        ("entries", "firms", "≥ 0", "Entries", "Firms that entered the market at this year end."),
    )
    out += [
        _o(
            "markets",
            "region",
            "name",
            "the population's regions",
            "Region",
            "Key of the region whose shared market the row describes.",
            "—",
            "id",
        ),
        _o("markets", "year", "calendar year", "start_year …", "Year", "Calendar year.", "—", "id"),
    ]
    out += [_o("markets", *row) for row in mk]
    return tuple(out)


OUTPUTS = (
    *(replace(o, views=_SHOWN.get(o.name, ())) if o.table == "yearly" else o for o in OUTPUTS),
    *_MORE,
    *_population(),
)


_BY_TABLE: dict[str, dict[str, Output]] = {
    t: {o.name: o for o in OUTPUTS if o.table == t} for t in TABLES
}


def columns(table: str) -> tuple[str, ...]:
    """The column names of `table`, in the order the table has them."""
    return tuple(_BY_TABLE[table])


def outcome_columns(table: str = "yearly") -> tuple[str, ...]:
    """The numeric outcome columns of `table` (identifiers and text left out)."""
    return tuple(o.name for o in _BY_TABLE[table].values() if o.kind == "number")


def key_outcomes() -> tuple[str, ...]:
    """The headline yearly outcomes (compare's printed table, report's default outcomes)."""
    return tuple(
        o.name
        for o in sorted((o for o in _BY_TABLE["yearly"].values() if o.key), key=lambda o: o.key)
    )


#: what a placeholder in a registered name stands for
PLACEHOLDERS = {
    "<baseline>": ".+",
    _PARAM: r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+",  # a dotted schema name
    "<activity>": "[a-z][a-z0-9_]*",
    "<outcome>": "[a-z][a-z0-9_]*",
}


def _pattern(name: str) -> re.Pattern[str]:
    rx = re.escape(name)
    for ph, sub in PLACEHOLDERS.items():
        rx = rx.replace(re.escape(ph), sub)
    return re.compile(rx)


def listed(view: str) -> tuple[str, ...]:
    """The yearly outcomes shown in `view` (one of VIEWS), in registry order."""
    if view not in VIEWS:
        raise KeyError(f"{view!r} is not a view; views: {', '.join(VIEWS)}")
    return tuple(o.name for o in _BY_TABLE["yearly"].values() if view in o.views)


def find(name: str, table: str = "yearly") -> Output | None:
    """The registry entry of column `name` of `table` (``<baseline>`` names match any baseline)."""
    hit = _BY_TABLE[table].get(name)
    if hit is None:
        hit = next(
            (
                o
                for o in _BY_TABLE[table].values()
                if "<" in o.name and _pattern(o.name).fullmatch(name)
            ),
            None,
        )
    return hit


def outcome(name: str) -> Output:
    """The entry of an outcome column of a run's yearly table, or of a population's national
    table (a population run's "yearly" table in batches, compare and sensitivity studies)."""
    hit = find(name) or find(name, "national")
    if hit is None:
        raise KeyError(
            f"{name!r} is not a column of the yearly or national table (see `govsim outputs`)"
        )
    return hit


def output(name: str, table: str = "yearly") -> Output:
    """Like `find`, but a column that is not in the registry is a KeyError naming the table."""
    hit = find(name, table)
    if hit is None:
        raise KeyError(f"{name!r} is not a column of the {table} table (see `govsim outputs`)")
    return hit


def label(name: str, table: str = "yearly", unit: bool = True) -> str:
    """The readable label of a column, with its unit unless `unit=False`; unknown names are returned as given."""
    o = find(name, table)
    if o is None:
        return name
    return o.title() if unit else o.label


def short_label(name: str, table: str = "yearly") -> str:
    """The short label of a column (for legends): its ``short`` name, else its label."""
    o = output(name, table)
    return o.short or o.label


def axis_unit(name: str, table: str = "yearly", percent: bool = False) -> str:
    """The unit an axis shows: the unit, an index's scale, or (``percent``) "% of …" for a 0–1 share ×100."""
    o = output(name, table)
    if percent:
        return "%" + o.unit.removeprefix("share") if o.unit.startswith("share") else f"% ({o.unit})"
    return o.scale if o.unit in INDEX_UNITS else o.unit


def rows(tables: tuple[str, ...] = TABLES) -> list[Output]:
    return [o for o in OUTPUTS if o.table in tables]
