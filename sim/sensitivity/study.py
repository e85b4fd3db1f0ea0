"""A sensitivity study end to end: plan the runs, hand them to the experiment engine, analyse.

The runs go through `sim.experiments.engine.execute`, so a study streams its results to disk,
resumes after an interruption (run ids are a pure function of the spec) and scales to Dask.
Analysis reads the stored runs back, so `analyse_study` can be re-run on a finished directory.

Directory layout of `out`:
    study.json          the expanded spec and its hash (a resumed run must match it)
    problem.json        the SALib problem exactly as sampled and analysed (whole numbers: [low, high + 1))
    samples.parquet     the design: SALib coordinates and the model values per point
    batch/              the engine's output (yearly rows of the outcome columns, run status, manifest)
    outcomes.parquet    one value per (outcome, point, replication)
    indices.csv/.parquet     indices with CIs and the convergence verdict per index
    indices_by_seed.csv      the indices recomputed on each replication alone (≥ 2 replications)
    convergence.csv/.parquet the indices recomputed at N/8, N/4, N/2, N
    seed_noise.csv, summary.txt, figures/*.png
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import GovsimError
from sim.population.spec import load_case
from sim.seeds import derive_seeds
from sim.sensitivity.analyse import (
    method_for,
    n_units,
    salib_seed,
    seed_tables,
    with_seed_error,
)
from sim.sensitivity.convergence import advice, indices_by_size, verdict
from sim.sensitivity.outcomes import ARM, POINT, REP, seed_noise, summarise
from sim.sensitivity.problem import overrides_for, salib_problem, to_values
from sim.sensitivity.spec import SensitivitySpec

SAMPLE_SEED, ANALYSIS_SEED = 1, 2
BATCH = "batch"
RUN_LIST = "runs.parquet"  # the study's run list (run id, scenario, point, replication, seed)


@dataclass(frozen=True)
class Design:
    """The sample and the runs it needs."""

    problem: dict[str, Any]
    X: np.ndarray
    values: Sequence[dict[str, float | int]]  # PointValues: one point's model values on demand
    seeds: list[int]
    runs: Sequence[Any]  # StudyRuns: one RunSpec on demand


class PointValues(Sequence):
    """The model values of each sample point, ``{parameter: value}``, made when asked for: a
    100,000-point design keeps only its sample matrix, not a dict per point."""

    def __init__(self, params: Sequence[Any], X: np.ndarray) -> None:
        self.params, self.X = list(params), X

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return to_values(self.params, self.X[i])

    def columns(self, rows: slice = slice(None)) -> dict[str, np.ndarray]:
        """Every parameter's model values for the points `rows`, one array each (the design
        table): ``Param.value`` vectorised — whole numbers floored into [low, high]."""
        out = {}
        for j, p in enumerate(self.params):
            x = self.X[rows, j]
            if p.kind == "int":
                out[p.name] = np.clip(np.floor(x), int(p.low), int(p.high)).astype(np.int64)
            else:
                out[p.name] = x.astype(float)
        return out


class StudyRuns(Sequence):
    """Every run of a study — scenario × point × replication, in that order — as a sequence
    whose RunSpecs are made when asked for (the engine takes them chunk by chunk), so the parent
    never holds one per run. Run ids, overrides and seeds are a pure function of the position."""

    def __init__(self, spec: SensitivitySpec, values: PointValues, seeds: Sequence[int]) -> None:
        self.arms = [(label, ref, load_case(ref)) for label, ref in spec.scenarios]
        self.values, self.seeds = values, [int(x) for x in seeds]
        self.fixed, self.years = dict(spec.fixed), spec.years
        self.per_arm = len(values) * len(self.seeds)
        self._last: tuple[Any, Any] = (None, None)  # (arm, point) → overrides: replications share

    def __len__(self) -> int:
        return len(self.arms) * self.per_arm

    def __getitem__(self, k: Any) -> Any:
        from sim.experiments.engine import RunSpec

        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        k = int(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        a, rest = divmod(k, self.per_arm)
        i, r = divmod(rest, len(self.seeds))
        label, ref, sc = self.arms[a]
        key, ov = self._last
        if key != (a, i):
            ov = overrides_for({**self.values[i], **self.fixed}, sc)
            self._last = ((a, i), ov)
        return RunSpec(
            run_id=run_id(label, i, r),
            scenario=ref,
            overrides=ov,
            seed=self.seeds[r],
            years=self.years,
            meta=((ARM, label), (POINT, i), (REP, r)),
        )


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
    # settings added later hash as before while unset, so older study directories still match
    skip = {"source", "description"} | (set() if spec.fixed else {"fixed"})
    data = spec.model_dump(mode="json", exclude=skip)
    for key in ("groups", "sample"):
        if data.get(key) is None:
            data.pop(key, None)
    if spec.sample is not None:  # the sample's content, not only its path
        data["sample"] = hashlib.sha256(Path(spec.sample).read_bytes()).hexdigest()
    for p in data["params"]:  # uniform inputs hash as before distributions existed
        if p.get("dist") == "unif" and not p.get("args"):
            p.pop("dist", None)
            p.pop("args", None)
    for o in data["outcomes"]:
        if o.get("years") is None:
            o.pop("years", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def run_id(arm: str, point: int, rep: int) -> str:
    return f"{arm}-p{point:06d}-r{rep:03d}"


def design(spec: SensitivitySpec, with_runs: bool = True) -> Design:
    """Sample the parameter space and list every run: each point × replication × scenario, as a
    lazy sequence (`with_runs=False`: the sample only, for analysing stored runs)."""
    problem = salib_problem(spec.params, spec.groups)
    method = method_for(spec.method)
    if spec.sample is not None:  # imported: model values are their own coordinates
        from sim.sensitivity.spec import read_sample

        X = read_sample(spec.sample, list(spec.params), spec.source)
    else:
        X = method.sample(problem, salib_seed(spec.seed, SAMPLE_SEED))
    values = PointValues(spec.params, X)
    seeds = derive_seeds(spec.seed, spec.replications)
    runs: Sequence[Any] = StudyRuns(spec, values, seeds) if with_runs else []
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
    _write_run_list(spec, d, out / RUN_LIST)
    (out / "problem.json").write_text(json.dumps(d.problem, indent=2) + "\n", encoding="utf-8")
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
            for name in ("study.json", "samples.parquet", "problem.json", RUN_LIST):
                (out / name).unlink(missing_ok=True)
            if created and not any(out.iterdir()):
                out.rmdir()
        raise
    if summary.failed:
        raise _failed_runs(out, len(d.runs))
    # the analysis needs the sample, not the runs: let them go before it starts
    lean = replace(d, runs=[], values=[])
    del d
    return analyse_study(spec, out, lean)


def _failed_runs(out: Path, total: int) -> GovsimError | None:
    """The study's failed runs as one error (how many, and the first traceback), or None: indices
    computed over a design with holes would be wrong, so no analysis runs on them."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from sim.experiments.engine import RUNS_TABLE as RUNS

    parts = sorted((out / BATCH / RUNS).glob("part-*.parquet"))
    cols = ["run_id", "status", "finished", "part"]

    def rows(keep: Any) -> pd.DataFrame:
        # one status part at a time, status columns only, no thread pool: neither a run's
        # parameters and traceback nor a table of every run is held (Arrow's pool keeps what a
        # threaded read of all parts allocates: ≈ 2.7 kB a run of resident memory)
        found = []
        for path in parts:
            try:
                t = pq.read_table(path, columns=cols, use_threads=False)
            except (OSError, ValueError):
                continue
            t = t.filter(keep(t))
            if t.num_rows:
                found.append(t.to_pandas())
        return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=cols)

    failed = rows(lambda t: pc.equal(t["status"], "failed"))
    if failed.empty:
        return None
    ids = pa.array(failed["run_id"].unique())
    # every attempt of a run that failed once: a later attempt may have succeeded
    runs = rows(lambda t: pc.is_in(t["run_id"], value_set=ids))
    runs = runs.sort_values("finished", kind="stable").drop_duplicates("run_id", keep="last")
    bad = runs[runs["status"] == "failed"].sort_values("run_id")
    if not bad.empty:  # the tracebacks of the failed ones only
        errors = pd.concat(
            [
                pd.read_parquet(
                    out / BATCH / RUNS / f"part-{t}.parquet", columns=["run_id", "error"]
                )
                for t in bad["part"].unique()
            ]
        ).drop_duplicates("run_id", keep="last")
        bad = bad.merge(errors, on="run_id", how="left")
    if bad.empty:
        return None
    first = bad.iloc[0]
    return GovsimError(
        f"{len(bad)} of {total} runs of the study failed, so no indices were computed "
        f"(tracebacks in {out / BATCH}/runs/); fix the cause and rerun with --resume. "
        f"The first, {first['run_id']}:\n{str(first['error']).rstrip()}"
    )


def _write_design(spec: SensitivitySpec, d: Design, path: Path, batch: int = 2_000) -> None:
    """samples.parquet: per point its SALib coordinates (``x:<name>``) and model values,
    written `batch` points at a time (a 100,000-point design is never copied whole)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = PointValues(spec.params, d.X)
    writer = None
    try:
        for start in range(0, max(len(d.X), 1), batch):
            rows = slice(start, start + batch)
            cols = {POINT: np.arange(len(d.X))[rows]}
            cols.update({f"x:{p.name}": d.X[rows, j] for j, p in enumerate(spec.params)})
            cols.update(values.columns(rows))
            table = pa.table({k: np.ascontiguousarray(v) for k, v in cols.items()})
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def analyse_study(spec: SensitivitySpec, out: str | Path, d: Design | None = None) -> StudyResult:
    """Indices, convergence and seed noise for every outcome, from the runs stored in `out`."""
    out = Path(out)
    if d is None:  # standalone re-analysis: the directory must hold this very study
        marker = out / "study.json"
        if not marker.exists():
            raise GovsimError(f"{out} is not a sensitivity study directory (no study.json)")
        if json.loads(marker.read_text()).get("hash") != spec_hash(spec):
            raise GovsimError(
                f"{out} holds a different study than {spec.source}; the spec changed since it ran"
            )
        d = design(spec, with_runs=False)
    n_runs = len(d.X) * spec.replications * len(spec.scenarios)
    failed = _failed_runs(out, n_runs)
    if failed is not None:
        raise failed
    method = method_for(spec.method)
    seed = salib_seed(spec.seed, ANALYSIS_SEED)
    n_points = len(d.X)
    conf_level = getattr(spec.method, "conf_level", 0.95)
    reps = spec.replications
    idx_parts, conv_parts, seed_parts, noise_rows, long_rows, texts = [], [], [], [], [], {}
    concrete = []
    for o, m in _outcome_matrices(spec, out / BATCH, n_points):
        concrete.append(o)
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
        size = method.size(len(y), n_units(d.problem))
        main = by_size[by_size["size"] == by_size["size"].max()].drop(columns="size")
        per_seed = seed_tables(method, d.problem, d.X, m, seed) if reps >= 2 else None
        full = with_seed_error(main, per_seed, reps, conf_level)
        v = verdict(by_size, full, reps)
        idx_parts.append(v.assign(outcome=o.name, method=method.name, size=size))
        conv_parts.append(by_size.assign(outcome=o.name))
        if per_seed is not None:
            seed_parts.append(per_seed.assign(outcome=o.name))
        texts[o.name] = advice(v, size, method.size_label, method.name, reps)
    indices = _front(pd.concat(idx_parts, ignore_index=True), ["outcome", "method", "size"])
    conv = _front(pd.concat(conv_parts, ignore_index=True), ["outcome", "size"])
    by_seed = (
        _front(pd.concat(seed_parts, ignore_index=True), ["outcome", REP]) if seed_parts else None
    )
    noise = pd.DataFrame(noise_rows)
    files = _write_outputs(
        spec,
        out,
        indices,
        conv,
        noise,
        pd.concat(long_rows, ignore_index=True),
        texts,
        by_seed,
        concrete,
    )
    return StudyResult(
        indices=indices, convergence=conv, noise=noise, advice=texts, out=out, files=files
    )


def _outcome_matrices(spec: SensitivitySpec, batch: Path, n_points: int):
    """(outcome, points × replications matrix) per outcome; a ``per_year`` outcome becomes one
    outcome per simulated year, named ``<name>@<year>``."""
    arrays = summary_arrays(spec, batch, n_points)
    for o in spec.outcomes:
        if o.summary != "per_year":
            yield o, _paired(arrays, o)
            continue
        for year in sorted(arrays[(o.scenario, *_summary_key(o))]):
            one = o.model_copy(update={"name": f"{o.name}@{year}", "years": (year, year)})
            yield one, _paired(arrays, o, year)


def _paired(arrays: dict, o: Any, year: Any = None) -> np.ndarray:
    """The outcome's (points × replications) matrix: its scenario, minus the other on the same seed."""

    def matrix(label: str) -> np.ndarray:
        a = arrays[(label, *_summary_key(o))]
        a = a if year is None else a[year]
        missing = int(np.isnan(a).sum())
        if missing:
            raise GovsimError(
                f"{missing} of {a.size} runs of scenario {label!r} are missing; "
                "rerun with --resume to complete them"
            )
        return a

    y = matrix(o.scenario)
    return y - matrix(o.minus) if o.minus is not None else y


def _summary_key(o: Any) -> tuple:
    return (o.column, o.summary, o.years)


def summary_arrays(spec: SensitivitySpec, batch: Path, n_points: int) -> dict[tuple, Any]:
    """Every (scenario, column, summary, years) the outcomes need, as a preallocated
    (points × replications) array (a {year: array} mapping for ``per_year``), filled one stored
    part at a time: only the columns needed are read, and no table of all runs is ever held, so
    the parent's memory grows by 8 bytes per run and outcome, not by the runs' rows. A run
    never stored stays NaN (reported as missing)."""
    import pyarrow.parquet as pq

    from sim.experiments.engine import ResultStore, read_part

    needed: dict[tuple, Any] = {}
    for o in spec.outcomes:
        for label in (o.scenario, o.minus):
            if label is not None:
                needed[(label, *_summary_key(o))] = o
    columns = sorted({o.column for o in spec.outcomes})
    shape = (n_points, spec.replications)
    arrays: dict[tuple, Any] = {
        k: {} if o.summary == "per_year" else np.full(shape, np.nan) for k, o in needed.items()
    }
    committed = ResultStore(batch, (), {}).committed_tokens()
    parts = sorted(
        p for p in (batch / "yearly").glob("part-*.parquet") if p.name[5:-8] in committed
    )
    if not parts:
        raise GovsimError(f"{batch}: no results (is it the output directory of a study?)")
    seen_years: set = set()
    for path in parts:
        try:
            df = pq.read_table(path, columns=[ARM, POINT, REP, "year", *columns]).to_pandas()
        except Exception:  # noqa: BLE001 - the engine's reader gives the one message
            df = read_part(path)
            lacking = [c for c in (ARM, POINT, REP, "year", *columns) if c not in df.columns]
            if lacking:
                raise GovsimError(
                    f"{path}: the stored runs lack column(s) {', '.join(lacking)}; "
                    "it was not written by this study"
                ) from None
        seen_years.update(df["year"].unique().tolist())
        for (label, *_), o in needed.items():
            sub = df[df[ARM] == label]
            if sub.empty:
                continue
            if o.years is not None and not sub["year"].between(*o.years).any():
                continue  # checked against every part's years below
            values = summarise(sub, o)
            i = values.index.get_level_values(POINT).to_numpy()
            r = values.index.get_level_values(REP).to_numpy()
            target = arrays[(label, *_summary_key(o))]
            if o.summary != "per_year":
                target[i, r] = values["value"].to_numpy(dtype=float)
                continue
            for year in values.columns:
                if year not in target:
                    target[year] = np.full(shape, np.nan)
                target[year][i, r] = values[year].to_numpy(dtype=float)
        del df
    for o in spec.outcomes:
        if o.years is not None and not any(o.years[0] <= y <= o.years[1] for y in seen_years):
            have = sorted(seen_years)
            raise GovsimError(
                f"outcome {o.name!r}: key 'years' is {list(o.years)}, but the runs "
                f"cover {have[0]}–{have[-1]}; choose years inside that range"
            )
    for (label, *_), o in needed.items():
        a = arrays[(label, *_summary_key(o))]
        if (isinstance(a, dict) and not a) or (not isinstance(a, dict) and np.isnan(a).all()):
            raise GovsimError(f"no results for scenario {label!r}; the run directory is incomplete")
    return arrays


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
    by_seed: pd.DataFrame | None = None,
    outcomes: list | None = None,
) -> list[Path]:
    from sim.sensitivity.figures import write_figures

    files = []
    tables = {"indices": indices, "convergence": conv, "seed_noise": noise}
    if by_seed is not None:
        tables["indices_by_seed"] = by_seed
    for name in ("indices_by_seed.csv", "indices_by_seed.parquet"):
        (out / name).unlink(missing_ok=True)
    for name, df in tables.items():  # each table as Parquet (typed) and CSV (for a spreadsheet)
        df.to_csv(out / f"{name}.csv", index=False)
        df.to_parquet(out / f"{name}.parquet", index=False)
        files += [out / f"{name}.csv", out / f"{name}.parquet"]
    values.to_parquet(out / "outcomes.parquet", index=False)
    tables["outcomes"] = values
    summary = out / "summary.txt"
    summary.write_text(
        format_summary(spec, indices, noise, texts, outcomes) + "\n", encoding="utf-8"
    )
    files += [out / "outcomes.parquet", summary]
    files += write_figures(spec, indices, conv, texts, out / "figures", outcomes=outcomes)
    files.append(write_manifest(spec, out, tables, files))
    return files


def _write_run_list(spec: SensitivitySpec, d: Design, path: Path, batch: int = 2_000) -> None:
    """The study's runs as one tidy Parquet table (run id, scenario, point, replication, seed):
    the run list a manifest would otherwise carry as JSON. Written `batch` rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    labels = [label for label, _ in spec.scenarios]
    n, r = len(d.X), len(d.seeds)
    seeds = np.asarray(d.seeds, dtype=np.int64)
    schema = pa.schema(
        [
            ("run_id", pa.string()),
            (ARM, pa.dictionary(pa.int8(), pa.string())),
            (POINT, pa.int64()),
            (REP, pa.int64()),
            ("seed", pa.int64()),
        ]
    )
    total = len(labels) * n * r
    with pq.ParquetWriter(path, schema) as w:
        for start in range(0, total, batch):
            k = np.arange(start, min(start + batch, total))
            arm, rest = np.divmod(k, n * r)
            point, rep = np.divmod(rest, r)
            ids = [run_id(labels[a], i, j) for a, i, j in zip(arm, point, rep, strict=True)]
            w.write_table(
                pa.Table.from_arrays(
                    [
                        pa.array(ids, pa.string()),
                        pa.DictionaryArray.from_arrays(
                            pa.array(arm, pa.int8()), pa.array(labels, pa.string())
                        ),
                        pa.array(point),
                        pa.array(rep),
                        pa.array(seeds[rep]),
                    ],
                    schema=schema,
                )
            )


def write_manifest(
    spec: SensitivitySpec, out: Path, tables: dict[str, pd.DataFrame], files: list[Path]
) -> Path:
    """The study's manifest.json, in the experiment engine's style and through its atomic
    writer (``ResultStore.write_manifest``), with the same provenance (``sim.provenance``):
    what was studied, its inputs, every seed, the versions and commit, and the tidy tables
    written (rows and columns). It stays small: the run list is ``runs.parquet``, the engine's
    own record of every run is ``batch/``."""
    from datetime import UTC, datetime

    from sim.experiments.engine import MANIFEST, ResultStore
    from sim.provenance import git_commit, versions

    seeds = derive_seeds(spec.seed, spec.replications)
    n_runs = (
        len(pd.read_parquet(out / RUN_LIST, columns=[REP])) if (out / RUN_LIST).exists() else None
    )
    manifest = {
        "what": "sensitivity study",
        "name": spec.name,
        "hash": spec_hash(spec),
        "description": spec.description,
        "method": spec.method.model_dump(mode="json"),
        "inputs": {
            "spec": spec.source,
            "scenarios": dict(spec.scenarios),
            "parameters": [p.name for p in spec.params],
            "distributions": {p.name: p.dist for p in spec.params},
            "fixed": dict(spec.fixed),
            "imported_sample": spec.sample,
            "problem": "problem.json",
            "design": "samples.parquet",
        },
        "seeds": {
            "master": spec.seed,
            "replications": [int(x) for x in seeds],
            "salib_sample": salib_seed(spec.seed, SAMPLE_SEED),
            "salib_analysis": salib_seed(spec.seed, ANALYSIS_SEED),
        },
        "runs": {"count": n_runs, "list": RUN_LIST, "batch": BATCH},
        "tables": {
            f"{name}.parquet": {"rows": len(df), "columns": [str(c) for c in df.columns]}
            for name, df in tables.items()
        },
        "files": sorted(str(f.relative_to(out)) for f in files),
        "versions": versions(),
        "git_commit": git_commit(),
        "finished": datetime.now(UTC).isoformat(),
    }
    ResultStore(out, (), {}).write_manifest(manifest)
    return out / MANIFEST


def format_summary(
    spec: SensitivitySpec,
    indices: pd.DataFrame,
    noise: pd.DataFrame,
    texts: dict[str, str],
    outcomes: list | None = None,
) -> str:
    """A plain-text report per outcome: the indices side by side (most important first) with
    bounded CIs, their sums, the leading S2, the seed-noise split and the verdict."""
    from sim.sensitivity.analyse import MAIN_INDEX, SHOWN_INDICES

    m = spec.method
    conf_level = getattr(m, "conf_level", None)
    level = f"{conf_level:.0%} CIs" if conf_level is not None else "no CIs (the method gives none)"
    groups = f", {len(set(spec.groups))} groups" if spec.groups else ""
    lines = [
        f"{spec.name}: {m.name}, {len(spec.params)} parameters{groups}, "
        f"{spec.replications} replication(s) per point, master seed {spec.seed}; {level}"
    ]
    main = MAIN_INDEX[m.name]
    shown = SHOWN_INDICES[m.name]
    yearly_done: set[str] = set()
    for o in outcomes or spec.outcomes:
        if o.summary == "per_year":
            base = o.name.rsplit("@", 1)[0]
            if base not in yearly_done:
                yearly_done.add(base)
                lines += _per_year_lines(base, indices, texts, main, outcomes or [])
            continue
        sub = indices[(indices["outcome"] == o.name) & (indices["interaction"] == "")]
        size = int(sub["size"].iloc[0]) if len(sub) else 0
        from sim.sensitivity.analyse import method_for

        label = method_for(m).size_label
        lines.append(f"\n{o.name}  ({label}={size}, {_unit(o)})")
        kinds = [k for k in shown if k in set(sub["index"])]
        order = (
            sub[sub["index"] == main].sort_values("value", ascending=False)["parameter"].tolist()
        )
        head = f"  {'parameter':<44}" + "".join(f"{k:>26}" for k in kinds)
        lines.append(head)
        table = sub.set_index(["index", "parameter"])
        for name in order[:12]:
            cells = []
            for k in kinds:
                r = table.loc[(k, name)]
                ci = "" if np.isnan(r["conf"]) else f" [{r['lo']:.2g}, {r['hi']:.2g}]"
                cells.append(f"{r['value']:.3g}{ci}".rjust(26))
            lines.append(f"  {name:<44}" + "".join(cells))
        if len(order) > 12:
            lines.append(f"  … and {len(order) - 12} more (indices.csv)")
        sums = [
            f"Σ{k} = {sub.loc[sub['index'] == k, 'value'].sum():.3g}"
            for k in ("S1", "ST")
            if k in kinds
        ]
        if sums:
            lines.append("  " + ", ".join(sums))
        s2 = indices[(indices["outcome"] == o.name) & (indices["index"] == "S2")]
        if len(s2):
            top = s2.assign(_a=s2["value"].abs()).sort_values("_a", ascending=False).head(5)
            lines.append(f"  S2, the largest of {len(s2)} (ΣS2 = {s2['value'].sum():.3g}):")
            for r in top.to_dict("records"):
                pair = f"{r['parameter']} × {r['interaction']}"
                ci = "" if np.isnan(r["conf"]) else f" [{r['lo']:.2g}, {r['hi']:.2g}]"
                lines.append(f"    {pair:<70}{r['value']:.3g}{ci}")
        nz = noise[noise["outcome"] == o.name].iloc[0]
        if np.isnan(nz["single_run"]):
            lines.append("  seed noise: not measured (needs ≥ 2 replications)")
        else:
            lines.append(
                f"  variance of a single run: parameters {nz['parameters']:.1%}, common seed shift "
                f"{nz['common_seed']:.1%}, point × seed interaction {nz['interaction']:.1%}; "
                f"seed noise in the replication means analysed: {nz['in_means']:.1%}"
            )
        lines.append("  " + texts[o.name])
    return "\n".join(lines)


def _per_year_lines(base: str, indices: pd.DataFrame, texts: dict, main: str, outcomes) -> list:
    """A per-year outcome in a few lines: per year, the three largest main indices and the verdict."""
    out = [
        f"\n{base}  (per year: {main} of the three most important parameters; indices.csv has all)"
    ]
    for o in outcomes:
        if not o.name.startswith(base + "@"):
            continue
        sub = indices[(indices["outcome"] == o.name) & (indices["index"] == main)]
        top = sub.sort_values("value", ascending=False).head(3)
        cells = ", ".join(f"{r['parameter']} {r['value']:.2g}" for r in top.to_dict("records"))
        word = texts[o.name].split(":")[0].split(" at ")[0]
        out.append(f"  {o.years[0]}: {cells}  — {word}")
    return out


def _unit(o: Any) -> str:
    from sim.outputs import INDEX_UNITS, outcome

    out = outcome(o.column)
    unit = f"{out.unit} {out.scale}" if out.unit in INDEX_UNITS else out.unit
    what = "difference " if o.minus else ""
    span = f" of {o.years[0]}–{o.years[1]}" if o.years else ""
    return f"outcome {what}in {unit}, {o.summary}{span}"
