"""What every run reports, per year and per area (MODEL_BRIEF 'What every run must report').

Money identity: budget = production + administration + freed, where ``freed`` is what the
year leaves for re-prioritisation (negative = overspend). Savings are against a stated
baseline: the run's own first-year total cost under its starting regime (``compare`` also
reports the paired difference from BUM on the same seed).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from mesa.datacollection import DataCollector

from sim.outputs import columns
from sim.packages import TASKS
from sim.rules.trust_dynamics import RELATIONS

if TYPE_CHECKING:
    from sim.model import MunicipalityModel

# the column lists come from the output registry (sim.outputs), which also gives each a unit and definition
YEARLY_COLUMNS: tuple[str, ...] = columns("yearly")
AREA_COLUMNS: tuple[str, ...] = columns("areas")

GOAL_STATUS = np.array(["none", "green", "yellow", "red"])


def year_record(model: MunicipalityModel, admin: float, admin_hours: float) -> dict[str, float]:
    """The yearly row, computed once at year end from the model's state."""
    a, pk, unit, y = model.areas, model.packages, model.unit, model.tally
    production = y.production
    total = production + admin
    baseline = total if model.baseline_cost is None else model.baseline_cost
    status = a.status
    row = {
        "year": model.calendar_year,
        "budget_dkk": model.budget,
        "production_cost_dkk": production,
        "admin_cost_dkk": admin,
        "admin_hours": admin_hours,
        "total_cost_dkk": total,
        "freed_dkk": model.budget - total,
        "admin_overhead_share": admin / total,
        "admin_fte": model.ledger.fte(admin_hours),
        "savings_dkk": baseline - total,
        "citizen_satisfaction": float(
            np.average(a.satisfaction, weights=model.citizens.count + 1e-9)
        ),
        "political_expectation": float(a.expectation.mean()),
        "expectation_gap": y.expectation_gap,
        "staff_assessed_quality": float(a.staff_assessment.mean()),
        "employee_wellbeing": float(unit.staff.wellbeing.mean()),
        "sick_leave_rate": y.sick_sum / max(y.quarters, 1),
        "turnover_rate": unit.staff.turnover(),
        "inhouse_share": 1.0 - pk.private_share(),
        "tendered_share": pk.exposed_share(),
        "private_share": pk.private_share(),
        "control_bids": y.control_bids,
        "tenders_held": y.tenders_held,
        "proposals_made": y.proposals_made,
        "proposals_accepted": y.proposals_accepted,
        "proposals_implemented": y.proposals_implemented,
        "learning_teams": y.learning_teams,
        "consensus_tasks": y.consensus_tasks,
        "positions": unit.n,
        "layoffs": unit.staff.layoffs,
        "hires": unit.staff.hires,
        "job_security": float(unit.staff.security.mean()),
        "employee_voice": float(unit.staff.autonomy.mean()),
        "control_hours_per_fte": unit.control_year / max(unit.n, 1),
        "shortfalls_found": y.shortfalls_found,
        "budget_cuts": y.budget_cuts,
        "elections": y.elections,
        **{
            f"innovations_{o}{s}": y.get(f"innovations_{o}{s}")
            for o in ("employee", "steering")
            for s in ("", "_raised_quality", "_eased_work")
        },
        "active_contractors": model.market.active_contractors(model.packages),
        "inhouse_efficiency": unit.efficiency,
        "procedure_load": model.procedures.load,
        "goals_green": int(np.count_nonzero(status == 1)),
        "goals_yellow": int(np.count_nonzero(status == 2)),
        "goals_red": int(np.count_nonzero(status == 3)),
        "regime": model.regime_index,
    }
    for k in RELATIONS:
        row[f"trust_{k}"] = model.trust[k]
    return row


def area_record(model: MunicipalityModel) -> dict[str, np.ndarray]:
    """One row per area × task package for the year (columnar, concatenated at the end)."""
    a, pk = model.areas, model.packages
    ar = pk.area
    provider = np.where(
        pk.private >= 1.0, "contractor", np.where(pk.private > 0, "mixed", "inhouse")
    )
    return {
        "year": np.full(pk.n, model.calendar_year),
        "area": ar,
        "task": np.array(TASKS)[pk.task],
        "x": a.x[ar],
        "y": a.y[ar],
        "provider": provider,
        "contractor": pk.contractor.copy(),
        "inhouse_fraction": 1.0 - pk.private,
        "volume_dkk": pk.volume,
        "contract_price_dkk": pk.price.copy(),
        "package_quality": model.package_q,
        "area_quality": a.quality[ar],
        "citizen_satisfaction": a.satisfaction[ar],
        "staff_assessed_quality": a.staff_assessment[ar],
        "political_expectation": a.expectation[ar],
        "goal_status": GOAL_STATUS[a.status[ar]],
        "learning_team": a.team[ar].copy(),
    }


class YearlyDataCollector(DataCollector):
    """Mesa's DataCollector, called every quarter (``mesa.batch_run`` reads collected row i as
    step i), that computes the reporters only when a year has just been recorded and repeats
    the latest values in between — the yearly record does not change within a year."""

    def collect(self, model: MunicipalityModel) -> None:
        first = next(iter(self.model_vars.values()), None)
        if model.rows and len(model.rows) != getattr(self, "_years_seen", 0):
            self._years_seen = len(model.rows)
            super().collect(model)
        elif first:
            for values in self.model_vars.values():
                values.append(values[-1])
        else:
            super().collect(model)


def _from_record(column: str, model: MunicipalityModel) -> float:
    """A DataCollector reporter: the named column of the year's record."""
    return model.record.get(column, np.nan)


def model_reporters() -> dict[str, object]:
    """Reporters for Mesa's DataCollector (so ``mesa.batch_run`` sees every yearly column)."""
    return {c: partial(_from_record, c) for c in YEARLY_COLUMNS}
