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
- ``keys``: the columns ``govsim compare`` adds to every row of its yearly and admin tables.
- ``summary``: ``govsim compare``'s ``summary.csv`` (one row per scenario × outcome);
  ``<baseline>`` in a name stands for the baseline scenario's name.

This module imports nothing from the model, so any module may import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TABLES: tuple[str, ...] = ("yearly", "areas", "admin", "tenders", "keys", "summary")
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

    def title(self) -> str:
        """The label with its unit (its scale for an index such as satisfaction 0–1), for an axis or heading."""
        return f"{self.label} ({self.scale if self.unit in INDEX_UNITS else self.unit})"


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
                f"{'Lower' if end == 'low' else 'Upper'} end of the 95 % confidence interval of {mean}.",
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
        "share of employees per year",
        _SHARE,
        "Staff turnover",
        "Employees who quit this year divided by the positions of the in-house unit.",
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
        "active_contractors",
        "firms",
        "0 … market.contractors",
        "Active contractors",
        "Private firms active in the regional market at year end.",
    ),
    _o(
        "yearly",
        "inhouse_efficiency",
        "× reference cost",
        "efficiency_floor … 1",
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
    _o("tenders", "bidders", "firms", "≥ 1", "Bidders", "Private firms that bid."),
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


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(name).replace(re.escape("<baseline>"), ".+"))


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
