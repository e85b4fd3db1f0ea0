"""The runs a validation needs, executed by the experiment engine and read back per label.

Why a design object: every stylised fact is checked on the *same* replication seeds in every
scenario, so differences between scenarios are paired (common random numbers) and the
calibration, the validation and the test all read the same tables in the same way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.errors import GovsimError
from sim.experiments.engine import RUNS_TABLE, RunSpec, execute, load_results
from sim.scenario import load_scenario
from sim.seeds import derive_seeds

TABLES = ("yearly", "tenders", "areas")
MASTER_SEED = 20110401  # the HOD switch date of seed 001; any fixed number would do


@dataclass(frozen=True)
class Variant:
    """One scenario the checks read, under a label: a preset, optionally with rules removed
    (an ablation) and parameter overrides."""

    label: str
    preset: str
    drop_rules: tuple[str, ...] = ()
    overrides: tuple[tuple[str, Any], ...] = ()


# Everything the eight stylised facts need (see sim.validation.checks).
VARIANTS: tuple[Variant, ...] = (
    Variant("bum", "bum"),
    Variant("bum_to_hod", "bum_to_hod"),
    Variant("quality_municipality", "quality_municipality"),
    Variant("model_municipality", "model_municipality"),
)


@dataclass
class RunData:
    """Tables of all runs, by variant label; each row carries its replication ``seed``."""

    tables: dict[str, dict[str, pd.DataFrame]]
    seeds: list[int]
    start_year: int
    overrides: dict[str, Any] = field(default_factory=dict)

    def get(self, label: str, table: str = "yearly") -> pd.DataFrame:
        try:
            return self.tables[label][table]
        except KeyError:
            raise GovsimError(f"validation data has no {table!r} table for {label!r}") from None

    def per_seed(
        self, label: str, column: str, years: Iterable[int] | None = None, agg: str = "mean"
    ) -> pd.Series:
        """One value per seed (in seed order) of a yearly column, aggregated over `years`."""
        y = self.get(label)
        if years is not None:
            y = y[y["year"].isin(list(years))]
        return y.groupby("seed")[column].agg(agg).reindex(self.seeds)


def scenario_file(variant: Variant, directory: Path) -> str:
    """A preset name, or a YAML file in `directory` for an ablation (the engine takes names or paths)."""
    if not variant.drop_rules:
        return variant.preset
    data = load_scenario(variant.preset).model_dump(mode="json", exclude_none=True)
    kept = [r for r in data["rules"] if r["rule"] not in variant.drop_rules]
    data.update(
        name=variant.label,
        rules=kept,
        description=f"{variant.preset} without {', '.join(variant.drop_rules)} (validation ablation)",
    )
    path = directory / f"{variant.label}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return str(path)


def build_specs(
    variants: Iterable[Variant],
    seeds: list[int],
    directory: Path,
    overrides: dict[str, Any] | None = None,
    prefix: str = "",
) -> list[RunSpec]:
    """One RunSpec per variant and seed; `overrides` apply to every run whose scenario has the rule."""
    specs = []
    for v in variants:
        scen = scenario_file(v, directory)
        ov = dict(v.overrides)
        for name, value in (overrides or {}).items():
            if load_scenario(scen).uses_parameter(name):
                ov[name] = value
        ov_t = tuple(sorted(ov.items()))
        for i, seed in enumerate(seeds):
            specs.append(
                RunSpec(
                    run_id=f"{prefix}{v.label}-r{i:04d}",
                    scenario=scen,
                    overrides=ov_t,
                    seed=seed,
                    meta=(("label", v.label), ("prefix", prefix)),
                )
            )
    return specs


def check_set(sets: dict[str, Any], option: str = "--set") -> list[tuple[Any, dict[str, Any]]]:
    """Validate ``govsim validate --set`` items against the validated scenarios before any run:
    each must be used by at least one of them, must not be a parameter a variant itself sets
    (its ablation would be undone) and must be a valid value in each scenario that uses it.
    Returns (scenario, the items it uses) for each preset variant that uses any."""
    from sim.overrides import apply_set, show

    out = []
    for name, value in sets.items():
        item = f"{option} {name}={show(value)}"
        own = next((v for v in VARIANTS if name in dict(v.overrides)), None)
        if own is not None:
            raise GovsimError(
                f"{item}: the validation's variant {own.label!r} sets {name!r} itself "
                "(an ablation); choose another parameter"
            )
    used: set[str] = set()
    for v in VARIANTS:
        sc = load_scenario(v.preset)
        mine = {k: val for k, val in sets.items() if sc.uses_parameter(k)}
        if mine:
            apply_set(sc, mine, source=option)
            used |= set(mine)
            if not v.drop_rules and not v.overrides:
                out.append((sc, mine))
    for name, value in sets.items():
        if name not in used:
            from sim.params import schema_index

            if name not in schema_index():
                raise GovsimError(
                    f"{option} {name}={show(value)}: unknown parameter {name!r}; "
                    "see `govsim params` for the names"
                )
            raise GovsimError(
                f"{option} {name}={show(value)}: parameter {name!r} belongs to rule "
                f"{name.split('.', 1)[0]!r}, which no validated scenario "
                f"({', '.join(dict.fromkeys(v.preset for v in VARIANTS))}) uses"
            )
    return out


def read_tables(out: Path, tables: Iterable[str] = TABLES) -> dict[str, pd.DataFrame]:
    """Every table of an engine output directory (each read once)."""
    return {t: load_results(out, t) for t in tables}


def split_results(
    raw: dict[str, pd.DataFrame], prefix: str = ""
) -> dict[str, dict[str, pd.DataFrame]]:
    """Split engine tables into {label: {table: DataFrame}} for the runs of one prefix."""
    result: dict[str, dict[str, pd.DataFrame]] = {}
    for table, df in raw.items():
        df = df[df["prefix"].fillna("") == prefix]
        for label, g in df.groupby("label", sort=False):
            # infer_objects: a part that mixes runs with and without tenders stores object columns
            result.setdefault(str(label), {})[table] = g.reset_index(drop=True).infer_objects()
    return result


def refuse_failed_runs(summary: Any, out: Path, specs: list[RunSpec], what: str) -> None:
    """Stop with one message if any run of `specs` failed: a check (or a calibration sweep)
    computed from the runs that happened to succeed would look complete and be wrong.

    `summary` is the engine's ``ExecutionSummary``; the first failure's last traceback line
    and its run are named (full tracebacks are in ``out/runs/``)."""
    if not summary.failed:
        return
    first = ""
    try:
        runs = pd.read_parquet(Path(out) / RUNS_TABLE)
        runs = runs.sort_values("finished", kind="stable").drop_duplicates("run_id", keep="last")
        bad = runs[runs["status"] == "failed"].sort_values("run_id", kind="stable")
        if len(bad):
            row = bad.iloc[0]
            spec = next((s for s in specs if s.run_id == row["run_id"]), None)
            where = f"run {row['run_id']}" + (
                "" if spec is None else f" (scenario {spec.scenario}, seed {spec.seed})"
            )
            last = [ln for ln in str(row["error"]).strip().splitlines() if ln.strip()]
            first = (
                f"; the first, {where}, failed with: {last[-1].strip() if last else 'no message'}"
            )
    except (OSError, ValueError, KeyError):  # the status table is unreadable: the count still tells
        pass
    raise GovsimError(
        f"{what}: {summary.failed} of {len(specs)} runs failed{first}. No result is computed "
        "from the runs that succeeded"
    )


def collect(
    replications: int,
    master_seed: int = MASTER_SEED,
    workers: int = 1,
    out: Path | None = None,
    variants: Iterable[Variant] = VARIANTS,
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
) -> RunData:
    """Run every variant on `replications` shared seeds with the experiment engine and load the tables.

    Args:
        replications: seeds per variant.
        master_seed: the replication seeds derive from it (``sim.seeds.derive_seeds``).
        workers: engine workers (1 = in this process).
        out: keep the engine's output here (default: a temporary directory, removed afterwards).
        variants: which labelled scenarios to run.
        overrides: parameter values applied on top of the defaults (calibration candidates).
        progress: show the engine's progress bar.
    """
    seeds = derive_seeds(master_seed, replications)
    variants = list(variants)
    with tempfile.TemporaryDirectory(prefix="govsim-validate-") as tmp:
        base = Path(out) if out is not None else Path(tmp)
        scen_dir = base / "scenarios"
        scen_dir.mkdir(parents=True, exist_ok=True)
        specs = build_specs(variants, seeds, scen_dir, overrides)
        runs = base / "runs_out"
        summary = execute(
            specs,
            runs,
            workers=workers,
            tables=TABLES,
            progress=progress,
            manifest_extra={"purpose": "govsim validate", "overrides": overrides or {}},
        )
        refuse_failed_runs(summary, runs, specs, "validation")
        tables = split_results(read_tables(runs))
    start = load_scenario(variants[0].preset).start_year
    return RunData(tables=tables, seeds=seeds, start_year=start, overrides=dict(overrides or {}))
