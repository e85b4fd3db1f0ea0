"""A sensitivity study end to end: plan the runs, hand them to the experiment engine, analyse.

The runs go through `sim.experiments.engine.execute`, so a study streams its results to disk,
resumes after an interruption (run ids are a pure function of the spec) and scales to Dask.
Analysis reads the stored runs back, so `analyse_study` can be re-run on a finished directory.

Directory layout of `out`:
    study.json          the expanded spec and its hash (a resumed run must match it)
    samples.parquet     the design: SALib coordinates and the model values per point
    batch/              the engine's output (yearly rows of the outcome columns, run status, manifest)
    outcomes.parquet    one value per (outcome, point, replication)
    indices.csv/.parquet     indices with CIs and the convergence verdict per index
    convergence.csv/.parquet the indices recomputed at N/8, N/4, N/2, N
    seed_noise.csv, summary.txt, figures/*.png
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import GovsimError
from sim.scenario import load_scenario
from sim.seeds import derive_seeds
from sim.sensitivity.analyse import method_for, salib_seed
from sim.sensitivity.convergence import advice, indices_by_size, verdict
from sim.sensitivity.outcomes import ARM, POINT, REP, outcome_matrix, run_summaries, seed_noise
from sim.sensitivity.problem import overrides_for, salib_problem, to_values
from sim.sensitivity.spec import SensitivitySpec

SAMPLE_SEED, ANALYSIS_SEED = 1, 2
BATCH = "batch"


@dataclass(frozen=True)
class Design:
    """The sample and the runs it needs."""

    problem: dict[str, Any]
    X: np.ndarray
    values: list[dict[str, float | int]]
    seeds: list[int]
    runs: list[Any]  # RunSpec


@dataclass
class StudyResult:
    indices: pd.DataFrame
    convergence: pd.DataFrame
    noise: pd.DataFrame
    advice: dict[str, str]
    out: Path
    files: list[Path]


def spec_hash(spec: SensitivitySpec) -> str:
    """Identity of a study: everything that changes its runs or indices (not its file name)."""
    # a study without --set items hashes as before the `fixed` field existed (resume keeps working)
    skip = {"source", "description"} | (set() if spec.fixed else {"fixed"})
    data = spec.model_dump(mode="json", exclude=skip)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def run_id(arm: str, point: int, rep: int) -> str:
    return f"{arm}-p{point:06d}-r{rep:03d}"


def design(spec: SensitivitySpec) -> Design:
    """Sample the parameter space and list every run: each point × replication × scenario."""
    from sim.experiments.engine import RunSpec

    problem = salib_problem(spec.params)
    method = method_for(spec.method)
    X = method.sample(problem, salib_seed(spec.seed, SAMPLE_SEED))
    values = [to_values(spec.params, row) for row in X]
    seeds = derive_seeds(spec.seed, spec.replications)
    loaded = {label: load_scenario(ref) for label, ref in spec.scenarios}
    runs = []
    for label, ref in spec.scenarios:
        sc = loaded[label]
        for i, vals in enumerate(values):
            ov = overrides_for({**vals, **dict(spec.fixed)}, sc)
            for r, seed in enumerate(seeds):
                runs.append(
                    RunSpec(
                        run_id=run_id(label, i, r),
                        scenario=ref,
                        overrides=ov,
                        seed=seed,
                        years=spec.years,
                        meta=((ARM, label), (POINT, i), (REP, r)),
                    )
                )
    return Design(problem=problem, X=X, values=values, seeds=seeds, runs=runs)


def _prepare_out(spec: SensitivitySpec, out: Path, resume: bool) -> None:
    marker = out / "study.json"
    h = spec_hash(spec)
    if marker.exists():
        old = json.loads(marker.read_text())
        if old.get("hash") != h:
            raise GovsimError(
                f"{out} holds a different study ({old.get('name')!r}, hash {old.get('hash')}); "
                "choose another --out or delete it"
            )
        if not resume:
            raise GovsimError(
                f"{out} already holds this study; add --resume to complete or re-analyse it, "
                "or choose another --out"
            )
    elif out.exists() and any(out.iterdir()):
        raise GovsimError(
            f"{out} exists and is not a sensitivity study directory; choose another --out"
        )
    out.mkdir(parents=True, exist_ok=True)
    marker.write_text(
        json.dumps({"name": spec.name, "hash": h, "spec": spec.model_dump(mode="json")}, indent=2)
    )


def run_study(
    spec: SensitivitySpec,
    out: str | Path,
    *,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> StudyResult:
    """Sample, run every (point, replication, scenario) through the engine, analyse and write files."""
    from sim.atomic import check_out_dir
    from sim.experiments.engine import execute

    out = check_out_dir(Path(out))  # before any run: a folder that cannot be made is refused now
    d = design(spec)
    created = not out.exists()
    fresh = not (out / "study.json").exists()
    _prepare_out(spec, out, resume)
    _write_design(spec, d, out / "samples.parquet")
    columns = sorted({o.column for o in spec.outcomes})
    try:
        summary = execute(
            d.runs,
            out / BATCH,
            workers=workers,
            backend=backend,
            scheduler=scheduler,
            resume=resume,
            tables=("yearly",),
            columns=columns,
            progress=progress,
            manifest_extra={"sensitivity": {"name": spec.name, "hash": spec_hash(spec)}},
        )
    except GovsimError:
        # the engine validates every run before the first starts (e.g. a jointly invalid sample
        # point): leave no half-made study behind, so the fixed spec can reuse the directory
        if fresh and not (out / BATCH).exists():
            for name in ("study.json", "samples.parquet"):
                (out / name).unlink(missing_ok=True)
            if created and not any(out.iterdir()):
                out.rmdir()
        raise
    if summary.failed:
        raise _failed_runs(out, len(d.runs))
    return analyse_study(spec, out, d)


def _failed_runs(out: Path, total: int) -> GovsimError | None:
    """The study's failed runs as one error (how many, and the first traceback), or None: indices
    computed over a design with holes would be wrong, so no analysis runs on them."""
    from sim.experiments.engine import load_results

    try:
        runs = load_results(out / BATCH, "runs")
    except GovsimError:
        return None
    runs = runs.sort_values("finished", kind="stable").drop_duplicates("run_id", keep="last")
    bad = runs[runs["status"] == "failed"].sort_values("run_id")
    if bad.empty:
        return None
    first = bad.iloc[0]
    return GovsimError(
        f"{len(bad)} of {total} runs of the study failed, so no indices were computed "
        f"(tracebacks in {out / BATCH}/runs/); fix the cause and rerun with --resume. "
        f"The first, {first['run_id']}:\n{str(first['error']).rstrip()}"
    )


def _write_design(spec: SensitivitySpec, d: Design, path: Path) -> None:
    df = pd.DataFrame(d.X, columns=[f"x:{p.name}" for p in spec.params])
    vals = pd.DataFrame(d.values)
    df = pd.concat([df, vals], axis=1)
    df.insert(0, POINT, np.arange(len(df)))
    df.to_parquet(path, index=False)


def analyse_study(spec: SensitivitySpec, out: str | Path, d: Design | None = None) -> StudyResult:
    """Indices, convergence and seed noise for every outcome, from the runs stored in `out`."""
    from sim.experiments.engine import load_results

    out = Path(out)
    if d is None:  # standalone re-analysis: the directory must hold this very study
        marker = out / "study.json"
        if not marker.exists():
            raise GovsimError(f"{out} is not a sensitivity study directory (no study.json)")
        if json.loads(marker.read_text()).get("hash") != spec_hash(spec):
            raise GovsimError(
                f"{out} holds a different study than {spec.source}; the spec changed since it ran"
            )
        d = design(spec)
    failed = _failed_runs(out, len(d.runs))
    if failed is not None:
        raise failed
    method = method_for(spec.method)
    seed = salib_seed(spec.seed, ANALYSIS_SEED)
    yearly = load_results(out / BATCH, "yearly")
    summaries = run_summaries(yearly, sorted({o.column for o in spec.outcomes}))
    n_points = len(d.X)
    idx_parts, conv_parts, noise_rows, long_rows, texts = [], [], [], [], {}
    for o in spec.outcomes:
        m = outcome_matrix(summaries, o, n_points, spec.replications)
        long_rows.append(
            pd.DataFrame(
                {
                    "outcome": o.name,
                    POINT: np.repeat(np.arange(n_points), m.shape[1]),
                    REP: np.tile(np.arange(m.shape[1]), n_points),
                    "value": m.ravel(),
                }
            )
        )
        y = m.mean(axis=1)
        noise_rows.append(
            {
                "outcome": o.name,
                **seed_noise(m),
                "mean": float(y.mean()),
                "sd": float(y.std(ddof=1)),
            }
        )
        # the full-size indices are the last step of the convergence check: computed once
        by_size = indices_by_size(method, d.problem, d.X, y, seed)
        v = verdict(by_size)
        size = method.size(len(y), d.problem["num_vars"])
        idx_parts.append(v.assign(outcome=o.name, method=method.name, size=size))
        conv_parts.append(by_size.assign(outcome=o.name))
        texts[o.name] = advice(v, size, method.size_label)
    indices = _front(pd.concat(idx_parts, ignore_index=True), ["outcome", "method", "size"])
    conv = _front(pd.concat(conv_parts, ignore_index=True), ["outcome", "size"])
    noise = pd.DataFrame(noise_rows)
    files = _write_outputs(
        spec, out, indices, conv, noise, pd.concat(long_rows, ignore_index=True), texts
    )
    return StudyResult(
        indices=indices, convergence=conv, noise=noise, advice=texts, out=out, files=files
    )


def _front(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df[cols + [c for c in df.columns if c not in cols]]


def _write_outputs(
    spec: SensitivitySpec,
    out: Path,
    indices: pd.DataFrame,
    conv: pd.DataFrame,
    noise: pd.DataFrame,
    values: pd.DataFrame,
    texts: dict[str, str],
) -> list[Path]:
    from sim.sensitivity.figures import write_figures

    files = []
    for name, df in (("indices", indices), ("convergence", conv)):
        df.to_csv(out / f"{name}.csv", index=False)
        df.to_parquet(out / f"{name}.parquet", index=False)
        files += [out / f"{name}.csv", out / f"{name}.parquet"]
    noise.to_csv(out / "seed_noise.csv", index=False)
    values.to_parquet(out / "outcomes.parquet", index=False)
    summary = out / "summary.txt"
    summary.write_text(format_summary(spec, indices, noise, texts) + "\n", encoding="utf-8")
    files += [out / "seed_noise.csv", out / "outcomes.parquet", summary]
    files += write_figures(indices, out / "figures")
    return files


def format_summary(
    spec: SensitivitySpec, indices: pd.DataFrame, noise: pd.DataFrame, texts: dict[str, str]
) -> str:
    """A plain-text report: per outcome the top indices with CIs, seed noise and the convergence verdict."""
    main = {"sobol": "ST", "fast": "ST", "morris": "mu_star", "pawn": "median"}[spec.method.name]
    lines = [
        f"{spec.name}: {spec.method.name}, {len(spec.params)} parameters, "
        f"{spec.replications} replication(s) per point, master seed {spec.seed}"
    ]
    for o in spec.outcomes:
        lines.append(f"\n{o.name}")
        sub = indices[(indices["outcome"] == o.name) & (indices["index"] == main)].sort_values(
            "value", ascending=False
        )
        for r in sub.head(8).to_dict("records"):
            ci = "" if np.isnan(r["conf"]) else f"  [{r['lo']:.3g}, {r['hi']:.3g}]"
            lines.append(f"  {main:<8}{r['parameter']:<44}{r['value']:10.3g}{ci}")
        nz = noise[noise["outcome"] == o.name].iloc[0]
        if np.isnan(nz["single_run"]):
            lines.append("  seed noise: not measured (needs ≥ 2 replications)")
        else:
            lines.append(
                f"  seed noise: {nz['single_run']:.1%} of single-run variance, "
                f"{nz['in_means']:.1%} in the replication means analysed"
            )
        lines.append("  " + texts[o.name])
    return "\n".join(lines)
