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


def run_comparison(
    scenarios: list[str],
    replications: int,
    years: int | None,
    master_seed: int,
    workers: int = 1,
    overrides: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All (scenario, seed) runs → (yearly rows, admin rows), ordered by scenario then seed.

    Runs through the experiment engine's ``run_many`` in memory (validation before any run, the
    local pool, models released after each run). A failed run raises a
    GovsimError naming how many failed and the first one's error: a comparison is never
    summarised over fewer runs than asked for. `overrides` (``--set``) change every scenario
    the same way."""
    from sim.experiments.engine import RunSpec, run_many
    from sim.overrides import apply_set

    # validate all before any run
    loaded = [apply_set(load_scenario(s), overrides) for s in scenarios]
    labels = [sc.name for sc in loaded]
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
    specs = [
        RunSpec(
            f"{i:03d}-r{r:05d}",
            sc if overrides else str(s),  # the changed Scenario itself travels to the workers
            seed=seed,
            years=years,
            meta=(("label", lab),),
        )
        for i, (s, sc, lab) in enumerate(zip(scenarios, loaded, labels, strict=True))
        for r, seed in enumerate(seeds)
    ]
    res = run_many(specs, workers=workers, tables=("yearly", "admin"))
    if res.failed or res.done != len(specs):
        first = f"; the first ({next(iter(res.failures))}):\n" if res.failures else ""
        if res.failures:
            first += next(iter(res.failures.values())).strip().splitlines()[-1]
        raise GovsimError(
            f"{len(specs) - res.done} of {len(specs)} runs failed or are missing{first}\n"
            "nothing was written: a comparison needs every replication"
        )
    yearly, admin = (_plain(res.table(t)) for t in ("yearly", "admin"))
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
) -> dict[str, Any]:
    """What a comparison ran: every scenario as resolved (overrides applied), the overrides,
    the seeds, replications, years, versions, commit."""
    from sim.overrides import apply_set
    from sim.provenance import git_commit, versions

    loaded = [apply_set(load_scenario(s), overrides) for s in scenarios]
    return {
        "command": "compare",
        "scenarios": [sc.model_dump(mode="json") for sc in loaded],
        "references": list(scenarios),
        "overrides": dict(overrides or {}),
        "baseline": baseline,
        "replications": replications,
        "years": years or loaded[0].years,
        "start_year": loaded[0].start_year,
        "master_seed": master_seed,
        "seeds": derive_seeds(master_seed, replications),
        "versions": versions(),
        "git_commit": git_commit(),
        "savings_baseline": "savings_dkk = first simulated year's total cost under the starting regime − this year's",
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
        admin.to_parquet(tmp / "admin.parquet", index=False)
        summary.to_csv(tmp / "summary.csv", index=False)
        figs = write_figures(yearly, admin, tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return [out / p.name for p in figs]
