"""The one "model as a function" boundary: ``run(scenario, seed, years, set) -> RunResult``.

The CLI, batches, sensitivity runs, the app and outside tools (Mesa's batch_run, EMA
Workbench) all call this (STYLE.md 'For govsim in particular').
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from mesa import Agent

from sim.atomic import atomic_directory
from sim.errors import GovsimError, check_seed, check_years  # noqa: F401 (re-exported)
from sim.ledger import ACTIVITIES
from sim.metrics import AREA_COLUMNS
from sim.model import MunicipalityModel
from sim.procurement import TENDER_COLUMNS, TENDER_DTYPES
from sim.provenance import git_commit, versions
from sim.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from sim.population.run import PopulationResult


@dataclass
class RunResult:
    """The tables of one run: yearly (one row per year), areas (year × area × task), admin
    (year × activity), tenders (one row per tender) and a manifest."""

    yearly: pd.DataFrame
    areas: pd.DataFrame
    admin: pd.DataFrame
    tenders: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    TABLES = ("yearly", "areas", "admin", "tenders")

    def write(self, out: str | Path) -> Path:
        """Write Parquet tables and manifest.json into `out`, atomically (a temp dir renamed into place)."""
        out = Path(out)
        with atomic_directory(out) as tmp:
            for name in self.TABLES:
                getattr(self, name).to_parquet(tmp / f"{name}.parquet", index=False)
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, default=str))
        return out


def simulate(scenario: Scenario, seed: int, years: int | None = None) -> MunicipalityModel:
    """Run a validated scenario to the end and return the finished model."""
    model = MunicipalityModel(scenario, seed=seed, years=years, collect=False)
    model.run()
    return model


def release(model: MunicipalityModel) -> None:
    """Let a finished model be garbage-collected: Mesa 3.3 keeps every model alive in the
    class-level ``Agent._ids`` counter dict (one entry per model ever built)."""
    Agent._ids.pop(model, None)


def _yearly(model: MunicipalityModel) -> pd.DataFrame:
    """The yearly records as a table: one numpy array per column (≈ 40 % cheaper than pandas'
    inference over a list of dicts). The same table as ``pd.DataFrame(model.rows)``: every
    column is all numbers (int64, float64) or all bools; anything else goes to pandas."""
    rows = model.rows
    if not rows or any(r.keys() != rows[0].keys() for r in rows):
        return pd.DataFrame(rows)
    columns = {}
    for name in rows[0]:
        values = [r[name] for r in rows]
        col = np.array(values)
        if col.dtype.kind not in "fib" or (
            col.dtype.kind != "b" and _BOOLS & set(map(type, values))
        ):
            return pd.DataFrame(rows)  # e.g. None, strings, bools among numbers: pandas decides
        columns[name] = col
    return pd.DataFrame(columns)


def _areas(model: MunicipalityModel) -> pd.DataFrame:
    return pd.DataFrame({c: np.concatenate([r[c] for r in model.area_rows]) for c in AREA_COLUMNS})


def _admin(model: MunicipalityModel) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": np.repeat([y for y, _, _ in model.admin_rows], len(ACTIVITIES)),
            "activity": np.tile(np.array(ACTIVITIES), len(model.admin_rows)),
            "hours": np.concatenate([h for _, _, h in model.admin_rows]),
            "dkk": np.concatenate([d for _, d, _ in model.admin_rows]),
        }
    )


def _tenders(model: MunicipalityModel) -> pd.DataFrame:
    # explicit types, so a run without tenders has the same schema as one with them
    return pd.DataFrame.from_records(model.tender_log, columns=list(TENDER_COLUMNS)).astype(
        TENDER_DTYPES
    )


_BOOLS = {bool, np.bool_}

TABLE_BUILDERS = {"yearly": _yearly, "areas": _areas, "admin": _admin, "tenders": _tenders}


def tables(
    model: MunicipalityModel, which: tuple[str, ...] = RunResult.TABLES
) -> dict[str, pd.DataFrame]:
    """The named result tables of a finished model (batches build only those they keep)."""
    return {name: TABLE_BUILDERS[name](model) for name in which}


def manifest(
    scenario: Scenario, seed: int, years: int, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "scenario": scenario.model_dump(mode="json"),  # as run, overrides applied
        "overrides": dict(overrides or {}),
        "seed": seed,
        "years": years,
        "versions": versions(),
        "git_commit": git_commit(),
        "baseline": "savings_dkk = first simulated year's total cost under the starting regime − this year's",
    }


def run(
    scenario: Scenario | str | Path | dict = "bum",
    seed: int = 0,
    years: int | None = None,
    set: dict[str, Any] | None = None,  # noqa: A002 (the public keyword; shadows only in here)
) -> RunResult | PopulationResult:
    """Run one scenario with one seed.

    Args:
        scenario: a preset name (``govsim scenarios``), a YAML path, a mapping or a Scenario;
            or a population (``denmark``, a population file, a Population), which returns a
            ``sim.population.PopulationResult`` (per-municipality, national, municipality and
            market tables) — ``sim.population.run_population`` with the same seed.
        seed: seed for every random draw; the same seed gives bit-identical tables.
        years: run length in years (default: the scenario's ``years``).
        set: parameter overrides by dotted name (``govsim params``), e.g.
            ``{"tendering.share": 0.4}``, as ``govsim run --set`` gives them; recorded in the
            manifest. On a population: set in every municipality that has the parameter, and
            ``population.KEY`` sets a key of the population file (docs/population.md).
    """
    from sim.overrides import apply_set
    from sim.population.spec import is_population

    population = is_population(scenario)  # a population of municipalities (docs/population.md)
    if set is not None and not isinstance(set, dict):
        raise GovsimError(
            f"set has value {set!r}: it must be a mapping of parameter names "
            + (
                "(or population.KEY) to values, e.g. {'market.cost_mean': 1.05}"
                if population
                else "to values, e.g. set={'tendering.share': 0.4}"
            )
        )
    if population:
        from sim.population.run import run_population
        from sim.population.spec import load_population

        res = run_population(load_population(scenario, set), seed=seed, years=years)
        if set:
            res.manifest["overrides"] = dict(set)
        return res
    sc = apply_set(load_scenario(scenario), set, source="set")
    seed = check_seed(seed)
    years = check_years(years)
    model = simulate(sc, seed, years)
    try:
        t = tables(model)
    finally:
        release(model)
    return RunResult(**t, manifest=manifest(sc, seed, model.years, set))
