"""The robustness study: plan the draws, run them through the experiment engine, analyse them.

Design (all of it a pure function of the draws, the years and the master seed):

- **Parameters**: every schema parameter with a plausible range that BUM, HOD or the model
  municipality uses (``Scenario.uses_parameter``), sampled on its plausible range with the one
  treatment of whole numbers (``sim.params.Range``). A parameter of a rule only some models have
  is set for those models only; every other parameter takes the same value in all three on a
  draw (paired).
- **Draws**: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``) on the generator
  ``sim.seeds.stream_rng(master_seed, LHS_KEY)``; draw *i* runs the three models on seed *i* of
  ``derive_seeds(master_seed, draws, DRAW_STREAM)`` — the same seed for each model on a draw.
- **The default result** whose direction each comparison tests: the three presets at their
  default parameters on ``derive_seeds(master_seed, replications)`` — exactly the runs of
  ``govsim compare --replications R --seed MASTER`` — as the mean paired difference of run means.
- **A comparison** (outcome, model a, model b) *holds* on a draw when the sign of
  run mean(a) − run mean(b) on that draw is the sign of the default difference. Its share of
  draws has an exact (Clopper–Pearson) 95 % interval. Where it reverses in at least
  ``MIN_REVERSALS`` draws, PRIM (``sim.ema.prim_region``) describes the region of the
  reversals over the parameters the two models use.

Layout of ``out``: ``batch/`` (the engine's folder: resumable), ``robust_draws.parquet`` and
``.csv`` (one row per draw × model), ``robust_summary.csv`` (one row per comparison),
``manifest.json`` and, unless ``--docs`` sends it to docs/, ``ROBUSTNESS.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.atomic import atomic_file
from sim.errors import GovsimError
from sim.outputs import ROBUST_OUTCOMES
from sim.params import Range, resolve_range, schema
from sim.scenario import load_scenario
from sim.seeds import derive_seeds, stream_rng

COMPARED = ("bum", "hod", "model_municipality")
NAMES = {"bum": "BUM", "hod": "HOD", "model_municipality": "the model municipality"}
#: the headline outcomes compared, each as its run mean (from the output registry)
OUTCOMES = ROBUST_OUTCOMES
PAIRS = (("bum", "hod"), ("bum", "model_municipality"), ("hod", "model_municipality"))
MASTER_SEED = 20110401
DEFAULT_DRAWS = 500
DEFAULT_REPLICATIONS = 30
DRAW_STREAM = 0x524F42  # "ROB": the seed list of the draws, independent of compare's seeds
LHS_KEY = 0x52424C  # "RBL": spawn key of the Latin hypercube's generator
MIN_REVERSALS = 10  # fewer reversals than this: too few for PRIM, the draws are listed instead
PRIM = {
    "density": 0.8,
    "max_dims": 3,
    "mass_min": 0.05,
    "peel_alpha": 0.05,
    "qp_max": 0.05,
    "preselect": 6,
    "random_state": 0,
}
DRIVERS = 3  # parameters named as what moves a comparison (largest rank correlation)
NOISE_SDS = 2.0  # a reversal beyond this many seed-noise sds of the default difference is clear


def concentrated(base: float) -> float:
    """The least density at which a PRIM box counts as a region where the reversals concentrate:
    a majority of its draws reverse, and it doubles the overall share or closes at least half of
    the gap between it and 1."""
    return max(0.5, min(2 * base, (1 + base) / 2))


BATCH = "batch"
DRAWS_FILE, DRAWS_CSV, SUMMARY_FILE, MANIFEST = (
    "robust_draws.parquet",
    "robust_draws.csv",
    "robust_summary.csv",
    "manifest.json",
)
#: the meta columns the study's runs carry in batch/ (registered in the ``batch`` table)
META_MODEL, META_DRAW, META_DEFAULT = "rb_model", "rb_draw", "rb_default"


@dataclass(frozen=True)
class Study:
    """A planned study: its settings, the sampled parameters and every run."""

    draws: int
    years: int | None
    master_seed: int
    replications: int
    params: tuple[Range, ...]
    users: dict[str, tuple[str, ...]]  # parameter → the compared models that use it
    values: list[dict[str, float | int]]  # one per draw: every sampled parameter's value
    draw_seeds: list[int]
    default_seeds: list[int]
    runs: list[Any] = field(repr=False)  # RunSpec

    def settings(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "years": self.years,
            "master_seed": self.master_seed,
            "default_replications": self.replications,
        }


def _whole(value: Any, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise GovsimError(f"{name} has value {value!r}: it must be a whole number ≥ {least}")
    return int(value)


def draw_id(draw: int, model: str) -> str:
    return f"d{draw:06d}-{model}"


def default_id(rep: int, model: str) -> str:
    return f"default-r{rep:04d}-{model}"


def accepts_range(p, sc) -> bool:
    """Whether scenario `sc` accepts both ends of `p`'s plausible range. A rule parameter whose
    range the scenario's own rules cut (HOD refuses a tendering share below its 30 % floor) is
    not drawn for that model: it stays at the scenario's value there."""
    from sim.errors import GovsimError
    from sim.overrides import apply_overrides

    if p.name.split(".", 1)[0] in type(sc.parameters).model_fields:
        return True  # a group parameter: a refused end is the study's error, reported as such
    for end in (p.low, p.high):
        try:
            apply_overrides(sc, {p.name: int(end) if p.kind == "int" else end})
        except GovsimError:
            return False
    return True


def plan(
    draws: int = DEFAULT_DRAWS,
    years: int | None = None,
    master_seed: int = MASTER_SEED,
    replications: int = DEFAULT_REPLICATIONS,
) -> Study:
    """Sample the draws and list every run (the default runs first, then draw by draw)."""
    from scipy.stats import qmc

    from sim.experiments.engine import RunSpec
    from sim.runner import check_seed, check_years
    from sim.sensitivity.problem import check_param_range, overrides_for

    draws = _whole(draws, "--draws", 1)
    replications = _whole(replications, "--default-replications", 2)
    check_years(years)
    check_seed(master_seed)
    scenarios = {m: load_scenario(m) for m in COMPARED}
    params, users = [], {}
    for p in schema():
        if p.low is None or p.kind not in ("float", "int"):
            continue
        using = tuple(
            m for m, sc in scenarios.items() if sc.uses_parameter(p.name) and accepts_range(p, sc)
        )
        if using:
            r = resolve_range(p.name, where="robustness study")
            check_param_range(r, [scenarios[m] for m in using], "robustness study")
            params.append(r)
            users[p.name] = using
    rng = stream_rng(master_seed, LHS_KEY)
    try:
        sampler = qmc.LatinHypercube(d=len(params), rng=rng)
    except TypeError:  # scipy < 1.15 calls it `seed`
        sampler = qmc.LatinHypercube(d=len(params), seed=rng)
    unit = sampler.random(draws)
    values = [{r.name: r.from_unit(u) for r, u in zip(params, row, strict=True)} for row in unit]
    draw_seeds = derive_seeds(master_seed, draws, DRAW_STREAM)
    default_seeds = derive_seeds(master_seed, replications)
    runs = [
        RunSpec(
            default_id(r, m),
            m,
            seed=seed,
            years=years,
            meta=((META_MODEL, m), (META_DEFAULT, r)),
        )
        for r, seed in enumerate(default_seeds)
        for m in COMPARED
    ]
    for i, (vals, seed) in enumerate(zip(values, draw_seeds, strict=True)):
        for m in COMPARED:
            runs.append(
                RunSpec(
                    draw_id(i, m),
                    m,
                    overrides=tuple(
                        sorted(
                            overrides_for(
                                {k: v for k, v in vals.items() if m in users[k]}, scenarios[m]
                            )
                        )
                    ),
                    seed=seed,
                    years=years,
                    meta=((META_MODEL, m), (META_DRAW, i)),
                )
            )
    return Study(
        draws=draws,
        years=years,
        master_seed=master_seed,
        replications=replications,
        params=tuple(params),
        users=users,
        values=values,
        draw_seeds=draw_seeds,
        default_seeds=default_seeds,
        runs=runs,
    )


# ---------------------------------------------------------------- running


def check_study_dir(out: Path, resume: bool) -> None:
    """`out` must be new, empty, or a robustness study's folder (then only with --resume)."""
    from sim.atomic import check_out_dir

    check_out_dir(out)
    if not out.exists() or not any(out.iterdir()):
        return
    if not (out / BATCH / "manifest.json").exists():
        raise GovsimError(
            f"--out {out}: the folder exists and is not a robustness study's output "
            "(no batch/manifest.json); choose another --out"
        )
    if not resume:
        raise GovsimError(
            f"--out {out} already holds a robustness study; pass --resume to complete or "
            "re-analyse it, or choose another --out"
        )


def run_study(
    study: Study,
    out: str | Path,
    *,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every run of `study` through the engine into ``out/batch`` (resumable), then analyse
    it; returns (draws table, summary table). No table is written if a run failed."""
    from sim.experiments.engine import run_many

    out = Path(out)
    check_study_dir(out, resume)
    res = run_many(
        study.runs,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        out=out / BATCH,
        resume=resume,
        tables=("yearly",),
        columns=OUTCOMES,
        progress=progress,
        manifest_extra={"robust": study.settings()},
    )
    if res.failed or res.pending:
        detail = f"\n{res.failure_message(len(study.runs))}" if res.failures else ""
        raise GovsimError(
            f"{res.failed + res.pending} of {len(study.runs)} runs of the robustness study failed "
            f"or did not finish, so no table was written; fix the cause and complete it with "
            f"--resume{detail}"
        )
    return analyse(study, res.table("yearly"))


# ---------------------------------------------------------------- analysis


def run_means(yearly: pd.DataFrame) -> pd.DataFrame:
    """One row per run: its id and the mean over its years of each outcome."""
    return yearly.groupby("run_id", sort=True)[list(OUTCOMES)].mean()


def analyse(study: Study, yearly: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The draws table (one row per draw × model) and the summary (one row per comparison)."""
    means = run_means(yearly)
    missing = [s.run_id for s in study.runs if s.run_id not in means.index]
    if missing:
        raise GovsimError(
            f"{len(missing)} runs of the robustness study have no results (the first: "
            f"{missing[0]}); complete them with --resume"
        )
    draws = draws_table(study, means)
    summary = summary_table(study, means)
    return draws, summary


def draws_table(study: Study, means: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i, (vals, seed) in enumerate(zip(study.values, study.draw_seeds, strict=True)):
        for m in COMPARED:
            row: dict[str, Any] = {"draw": i, "model": m, "seed": seed}
            for p in study.params:
                row[p.name] = vals[p.name] if m in study.users[p.name] else None
            row.update(means.loc[draw_id(i, m)].to_dict())
            rows.append(row)
    df = pd.DataFrame(rows)
    df["draw"] = df["draw"].astype("int64")
    df["seed"] = df["seed"].astype("int64")
    for p in study.params:  # whole numbers stay whole; a model without the parameter: empty
        df[p.name] = df[p.name].astype("Int64" if p.kind == "int" else "float64")
    return df


def _sign(x: np.ndarray) -> np.ndarray:
    return np.sign(np.asarray(x, dtype=float))


def summary_table(study: Study, means: pd.DataFrame) -> pd.DataFrame:
    from scipy.stats import binomtest

    from sim.ema import prim_region
    from sim.stats import mean_ci

    names = [p.name for p in study.params]
    x_all = pd.DataFrame(study.values, columns=names)
    for p in study.params:
        x_all[p.name] = x_all[p.name].astype("int64" if p.kind == "int" else "float64")
    rows = []
    for outcome in OUTCOMES:
        for a, b in PAIRS:
            dflt = np.array(
                [
                    means.at[default_id(r, a), outcome] - means.at[default_id(r, b), outcome]
                    for r in range(study.replications)
                ]
            )
            d_mean, d_lo, d_hi = mean_ci(dflt)
            direction = {1.0: ">", -1.0: "<", 0.0: "="}[float(np.sign(d_mean))]
            diff = np.array(
                [
                    means.at[draw_id(i, a), outcome] - means.at[draw_id(i, b), outcome]
                    for i in range(study.draws)
                ]
            )
            holds = _sign(diff) == np.sign(d_mean)
            k, n = int(holds.sum()), study.draws
            noise = float(dflt.std(ddof=1))
            ci = binomtest(k, n).proportion_ci(0.95, method="exact")
            row: dict[str, Any] = {
                "comparison": f"{outcome}:{a}{direction}{b}",
                "outcome": outcome,
                "model_a": a,
                "model_b": b,
                "direction": direction,
                "statement": statement(outcome, a, b, direction),
                "default_diff": d_mean,
                "default_lo": d_lo,
                "default_hi": d_hi,
                "default_clear": bool(d_lo > 0 or d_hi < 0),
                "default_replications": study.replications,
                "draws": n,
                "holds": k,
                "share": k / n,
                "share_lo": float(ci.low),
                "share_hi": float(ci.high),
                "reversals": n - k,
                "default_sd": noise,
                "clear_reversals": int((~holds & (np.abs(diff) > NOISE_SDS * noise)).sum()),
                "draw_diff_p05": float(np.quantile(diff, 0.05)),
                "draw_diff_median": float(np.median(diff)),
                "draw_diff_p95": float(np.quantile(diff, 0.95)),
            }
            row["drivers"] = drivers(study, x_all, diff, a, b)
            row.update(_region(study, x_all, holds, a, b, prim_region))
            rows.append(row)
    return pd.DataFrame(rows)


def drivers(study: Study, x_all: pd.DataFrame, diff: np.ndarray, a: str, b: str) -> str:
    """The DRIVERS parameters (of those the two models use) whose rank correlation (Spearman)
    with the draw difference a − b is largest in size, with its sign: what moves the comparison."""
    from scipy.stats import rankdata

    cols = [p.name for p in study.params if {a, b} & set(study.users[p.name])]
    if len(diff) < 3 or np.ptp(diff) == 0:
        return ""
    x = x_all[cols].to_numpy(dtype=float)
    varied = np.ptp(x, axis=0) > 0
    # Spearman's rho of every varied column at once: Pearson's r of the ranks (ties averaged)
    rx = rankdata(x[:, varied], axis=0)
    rx -= rx.mean(axis=0)
    ry = rankdata(diff)
    ry -= ry.mean()
    r = (rx.T @ ry) / np.sqrt((rx * rx).sum(axis=0) * (ry @ ry))
    rho = dict(zip([c for c, v in zip(cols, varied, strict=True) if v], r.tolist(), strict=True))
    top = sorted(rho, key=lambda c: (-abs(rho[c]), c))[:DRIVERS]
    return ", ".join(f"{c} (ρ {rho[c]:+.2f})" for c in top)


def _region(study: Study, x_all: pd.DataFrame, holds: np.ndarray, a: str, b: str, prim) -> dict:
    rev = ~holds
    k = int(rev.sum())
    empty = {
        "prim_status": "",
        "prim_box": "",
        "prim_parameters": "",
        "prim_coverage": np.nan,
        "prim_density": np.nan,
        "prim_mass": np.nan,
        "reversal_draws": "",
    }
    if k == 0:
        return {**empty, "prim_status": "holds_everywhere"}
    if k < MIN_REVERSALS:
        return {
            **empty,
            "prim_status": "too_few",
            "reversal_draws": " ".join(str(i) for i in np.flatnonzero(rev)),
        }
    cols = [p.name for p in study.params if {a, b} & set(study.users[p.name])]
    region = prim(x_all[cols], rev, **PRIM)
    if region is None:
        return {**empty, "prim_status": "no_region"}
    dense = region.density >= concentrated(k / len(rev))
    return {
        **empty,
        "prim_status": "box" if dense else "weak",
        "prim_box": region.text(),
        "prim_parameters": " ".join(r.name for r in region.restrictions),
        "prim_coverage": region.coverage,
        "prim_density": region.density,
        "prim_mass": region.mass,
    }


def statement(outcome: str, a: str, b: str, direction: str) -> str:
    """The comparison in words: "Administrative overhead is higher under BUM than under HOD"."""
    from sim.outputs import label

    what, x, y = label(outcome, unit=False), NAMES[a], NAMES[b]
    if direction == "=":
        return f"{what} is the same under {x} as under {y}"
    return f"{what} is {'higher' if direction == '>' else 'lower'} under {x} than under {y}"


# ---------------------------------------------------------------- files


def write_tables(
    study: Study, out: Path, draws: pd.DataFrame, summary: pd.DataFrame, extra: dict
) -> list[Path]:
    """robust_draws.parquet/.csv, robust_summary.csv and manifest.json, each written whole."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / DRAWS_FILE, out / DRAWS_CSV, out / SUMMARY_FILE, out / MANIFEST]
    atomic_file(files[0], lambda p: draws.to_parquet(p, index=False))
    atomic_file(files[1], lambda p: draws.to_csv(p, index=False))
    atomic_file(files[2], lambda p: summary.to_csv(p, index=False))
    text = json.dumps(manifest(study, extra), indent=2, default=str)
    atomic_file(files[3], lambda p: p.write_text(text, encoding="utf-8"))
    return files


def manifest(study: Study, extra: dict) -> dict[str, Any]:
    from sim.provenance import git_commit, versions

    return {
        "command": "robust",
        **study.settings(),
        "models": list(COMPARED),
        "scenarios": [load_scenario(m).model_dump(mode="json") for m in COMPARED],
        "outcomes": list(OUTCOMES),
        "outcome_summary": "run mean over the simulated years",
        "parameters": [
            {
                "name": p.name,
                "low": p.low,
                "high": p.high,
                "kind": p.kind,
                "models": study.users[p.name],
            }
            for p in study.params
        ],
        "sampler": "scipy.stats.qmc.LatinHypercube on sim.seeds.stream_rng(master_seed, LHS_KEY)",
        "lhs_key": LHS_KEY,
        "draw_stream": DRAW_STREAM,
        "draw_seeds": study.draw_seeds,
        "default_seeds": study.default_seeds,
        "share_ci": "Clopper–Pearson exact 95 % (scipy.stats.binomtest)",
        "prim": {**PRIM, "min_reversals": MIN_REVERSALS, "concentrated": concentrated.__doc__},
        "noise_sds": NOISE_SDS,
        "versions": versions(),
        "git_commit": git_commit(),
        **extra,
    }
