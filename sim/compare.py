"""`govsim compare`: the canonical governance models on the same seeds — runs and output folder.

Every model runs on the *same* seeds (``sim.seeds.derive_seeds``), so each replication is a
paired comparison: the difference from BUM on a seed removes the noise the models share
(common random numbers). The analysis (summaries, paired differences, figures) lives in
``sim.analysis``; the command's options in ``sim.cli``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.atomic import atomic_directory
from sim.errors import GovsimError
from sim.scenario import load_scenario
from sim.seeds import derive_seeds

CANONICAL = ("bum", "hod", "model_municipality")


def parse_vary(item: str | None, option: str = "--vary") -> tuple[str, list[Any]] | None:
    """``KEY=V1,V2,…`` → (KEY, [V1, V2, …]); each value read as YAML like ``--set``'s."""
    from sim.overrides import parse_set

    if item is None:
        return None
    key, sep, raw = item.partition("=")
    values = [parse_set([f"{key}={v}"], option)[key.strip()] for v in raw.split(",")] if sep else []
    if not sep or not key.strip() or not raw.strip() or any(v is None for v in values):
        raise GovsimError(
            f"{option} {item}: expected KEY=V1,V2,… with a parameter name from `govsim params`, "
            f"e.g. {option} fixed_inhouse_share.share=0.7,0.6"
        )
    dup = next((v for i, v in enumerate(values) if v in values[:i]), None)
    if dup is not None:
        raise GovsimError(f"{option} {item}: value {dup!r} is given twice; give each value once")
    return key.strip(), values


def comparison_cases(
    scenarios: list[str],
    overrides: dict[str, Any] | None = None,
    vary: tuple[str, list[Any]] | None = None,
) -> list[tuple[str, Any, str]]:
    """(reference, scenario as run, case name) for every compared scenario and ``--vary`` value:
    ``--set`` changes every scenario; ``--vary KEY=V1,V2`` makes one case per value, named
    ``NAME KEY=V``. Every case is validated here, before any run. A population
    (``sim.population.spec.is_population``) is compared by its national table: its case is the
    built Population (``--set``/``--vary`` as ``load_population``'s overrides: a parameter in
    every municipality that has it, ``population.KEY`` a key of its file)."""
    from sim.overrides import apply_set, show
    from sim.population.spec import is_population, load_population

    kinds = {is_population(s) for s in scenarios}
    if len(kinds) > 1:
        raise GovsimError(
            f"--scenarios {' '.join(scenarios)}: compare populations (national tables) or "
            "scenarios (one municipality), not both in one comparison"
        )
    out = []
    for s in scenarios:
        if is_population(s):

            def pop(sets: dict[str, Any], option: str, s: str = s) -> Any:
                try:
                    return load_population(s, sets)
                except GovsimError as e:
                    raise GovsimError(f"{option}: population {s!r}: {e.message}") from None

            base = pop(dict(overrides or {}), "--set")
            name = base.name
        else:
            base = apply_set(load_scenario(s), overrides)
            name = base.name
        if vary is None:
            out.append((s, base, name))
            continue
        key, values = vary
        if key in (overrides or {}):
            raise GovsimError(
                f"--vary {key}=…: {key!r} is also given with --set; vary it or set it, not both"
            )
        for v in values:
            case = (
                pop({**(overrides or {}), key: v}, "--vary")
                if is_population(s)
                else apply_set(base, {key: v}, source="--vary")
            )
            out.append((s, case, f"{name} {key}={show(v)}"))
    return out


def _case_overrides(
    overrides: dict[str, Any] | None, vary: tuple[str, list[Any]] | None, label: str, name: str
) -> tuple[tuple[str, Any], ...]:
    """A population case's overrides (the engine builds the population in each worker)."""
    sets = dict(overrides or {})
    if vary is not None and label != name:
        from sim.overrides import show

        key, values = vary
        sets[key] = next(v for v in values if label == f"{name} {key}={show(v)}")
    return tuple(sorted(sets.items()))


def run_comparison(
    scenarios: list[str],
    replications: int,
    years: int | None,
    master_seed: int,
    workers: int = 1,
    overrides: dict[str, Any] | None = None,
    vary: tuple[str, list[Any]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All (scenario, seed) runs → (yearly rows, admin rows), ordered by scenario then seed.

    Runs through the experiment engine's ``run_many`` in memory (validation before any run, the
    local pool, models released after each run). A failed run raises a
    GovsimError naming how many failed and the first one's error: a comparison is never
    summarised over fewer runs than asked for. `overrides` (``--set``) change every scenario
    the same way."""
    from sim.experiments.engine import RunSpec, run_many

    # validate all before any run
    cases = comparison_cases(scenarios, overrides, vary)
    refs = [c[0] for c in cases]
    loaded = [c[1] for c in cases]
    labels = [c[2] for c in cases]
    dup = sorted({lab for lab in labels if labels.count(lab) > 1})
    if dup:
        raise GovsimError(
            f"--scenarios: two scenarios are named {dup[0]!r}; give each compared scenario "
            "its own name (the 'name' key of its file)"
        )
    spans = {(sc.start_year, years or sc.years) for sc in loaded}
    if len(spans) > 1:
        raise GovsimError(
            "--scenarios: the scenarios cover different years "
            f"({', '.join(f'{s}+{y}' for s, y in sorted(spans))}); paired comparison needs the same "
            "start_year and years (use --years to align the length)"
        )
    seeds = derive_seeds(master_seed, replications)
    from sim.population.spec import Population

    def spec(i: int, s: str, sc: Any, lab: str, r: int, seed: int) -> RunSpec:
        if isinstance(sc, Population):  # a population: its reference and overrides
            ov = _case_overrides(overrides, vary, lab, sc.name)
            return RunSpec(f"{i:03d}-r{r:05d}", str(s), ov, seed, years, (("label", lab),))
        return RunSpec(
            f"{i:03d}-r{r:05d}",
            sc if (overrides or vary) else str(s),  # a changed Scenario travels to the workers
            seed=seed,
            years=years,
            meta=(("label", lab),),
        )

    specs = [
        spec(i, s, sc, lab, r, seed)
        for i, (s, sc, lab) in enumerate(zip(refs, loaded, labels, strict=True))
        for r, seed in enumerate(seeds)
    ]
    national = isinstance(loaded[0], Population)
    res = run_many(specs, workers=workers, tables=("yearly",) if national else ("yearly", "admin"))
    if res.failed or res.done != len(specs):
        first = f"; the first ({next(iter(res.failures))}):\n" if res.failures else ""
        if res.failures:
            first += next(iter(res.failures.values())).strip().splitlines()[-1]
        raise GovsimError(
            f"{len(specs) - res.done} of {len(specs)} runs failed or are missing{first}\n"
            "nothing was written: a comparison needs every replication"
        )
    yearly = _plain(res.table("yearly"))
    admin = pd.DataFrame() if national else _plain(res.table("admin"))
    got = yearly.groupby(["scenario", "seed"]).ngroups if len(yearly) else 0
    if got != len(specs):
        raise GovsimError(
            f"the runs returned results for {got} of {len(specs)} (scenario, seed) pairs; "
            "nothing was written: a comparison needs every replication"
        )
    return yearly, admin


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Engine rows → compare's columns: the run's own columns, then scenario (its name) and seed."""
    own = [c for c in df.columns if c not in ("run_id", "scenario", "seed", "label")]
    return df[own].assign(scenario=df["label"], seed=df["seed"])


def comparison_manifest(
    scenarios: list[str],
    replications: int,
    years: int | None,
    master_seed: int,
    baseline: str | None,
    overrides: dict[str, Any] | None = None,
    vary: tuple[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """What a comparison ran: every scenario as resolved (overrides applied), the overrides,
    the seeds, replications, years, versions, commit."""
    from sim.population.spec import Population
    from sim.provenance import git_commit, versions

    cases = comparison_cases(scenarios, overrides, vary)
    loaded = [c[1] for c in cases]
    return {
        "command": "compare",
        "scenarios": [
            {"population": sc.spec, "source": sc.source}
            if isinstance(sc, Population)
            else sc.model_dump(mode="json")
            for sc in loaded
        ],
        "cases": [c[2] for c in cases],
        "references": [c[0] for c in cases],
        "overrides": dict(overrides or {}),
        "vary": None if vary is None else {vary[0]: vary[1]},
        "baseline": baseline,
        "replications": replications,
        "years": years or loaded[0].years,
        "start_year": loaded[0].start_year,
        "master_seed": master_seed,
        "seeds": derive_seeds(master_seed, replications),
        "versions": versions(),
        "git_commit": git_commit(),
        "savings_baseline": "savings_dkk = first simulated year's total cost under the starting "
        "regime − this year's (each run its own); savings_vs_baseline_dkk = the baseline's total "
        f"cost in the first simulated year on the same seed ({baseline}) − this year's",
    }


def write_comparison(
    out: Path,
    yearly: pd.DataFrame,
    admin: pd.DataFrame,
    summary: pd.DataFrame,
    manifest: dict[str, Any],
) -> list[Path]:
    """The output folder, whole or not at all: tables, summary.csv, figures and manifest.json."""
    from sim.analysis import write_figures

    with atomic_directory(out) as tmp:
        yearly.to_parquet(tmp / "yearly.parquet", index=False)
        if len(admin.columns):  # a comparison of populations has no admin table
            admin.to_parquet(tmp / "admin.parquet", index=False)
        summary.to_csv(tmp / "summary.csv", index=False)
        figs = write_figures(yearly, admin, tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return [out / p.name for p in figs]
