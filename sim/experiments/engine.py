"""The experiment engine: run many seeded runs, stream their tables to Parquet, resume, scale out.

Why this shape (issue 3): Mesa's ``batch_run`` and EMA Workbench keep every row in memory
until the end and cannot resume. Here every chunk of runs is written as soon as it finishes,
as one part file per table (temp file + ``os.replace``), and a *status part* in ``runs/`` is
written last as the commit marker of that chunk. A part whose status part is missing is an
orphan of a killed batch: ``resume`` deletes it and runs its runs again, so a run is never
present twice and never lost.

Layout of ``out``::

    manifest.json            specs, seeds, versions, git commit, status per run
    yearly/part-*.parquet    one row per run and year   (pandas.read_parquet(out / "yearly"))
    admin/part-*.parquet     one row per run, year and administrative activity
    runs/part-*.parquet      one row per run attempt: status, error traceback, parameters

Runs execute on a backend (``sim.experiments.backends``): in-process, a spawn process pool
or Dask. Results are written by this process only, so remote Dask workers need no shared disk.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import GovsimError
from sim.metrics import YEARLY_COLUMNS
from sim.provenance import git_commit, versions
from sim.runner import RunResult, check_seed, check_years

ID_COLUMNS = ("run_id", "scenario", "seed")
RUNS_TABLE = "runs"
MANIFEST = "manifest.json"
MAX_CHUNK = 25  # runs per task: ≈ 1 s of work, so per-task overhead (≈ 2 ms on Dask) is < 1 %


@dataclass(frozen=True)
class RunSpec:
    """One run: a scenario with parameter overrides, a seed and a length."""

    run_id: str                      # unique and stable, e.g. "bum-v0003-r007"
    scenario: str                    # preset name or YAML path
    overrides: tuple[tuple[str, Any], ...] = ()   # dotted schema names → values, sorted by name
    seed: int = 0
    years: int | None = None
    meta: tuple[tuple[str, Any], ...] = ()        # extra columns copied into every result row

    def params(self) -> dict[str, Any]:
        """The run as a JSON-able mapping (manifest, failure records, resume check)."""
        return {"run_id": self.run_id, "scenario": self.scenario, "overrides": dict(self.overrides),
                "seed": self.seed, "years": self.years, "meta": dict(self.meta)}


@dataclass(frozen=True)
class ExecutionSummary:
    done: int      # runs completed by this call
    failed: int    # runs that raised in this call (recorded with traceback in runs/)
    skipped: int   # runs already complete in `out` (resume)
    out: Path


@dataclass
class RunOutcome:
    """What a worker sends back for one run: its tables, or the error."""

    run_id: str
    tables: dict[str, pd.DataFrame] | None
    error: str | None
    seconds: float


# ---------------------------------------------------------------- validation

def validate_specs(specs: Sequence[RunSpec], tables: tuple[str, ...], columns: Sequence[str] | None) -> None:
    """Check every spec before any run starts: ids unique, scenarios load, overrides apply."""
    from sim.overrides import apply_overrides
    from sim.scenario import load_scenario

    if not specs:
        raise GovsimError("nothing to run: the experiment has no runs")
    bad_tables = [t for t in tables if t not in RunResult.TABLES]
    if bad_tables or not tables:
        raise GovsimError(f"tables {list(tables)!r}: allowed tables are {', '.join(RunResult.TABLES)}")
    if columns is not None:
        unknown = [c for c in columns if c not in YEARLY_COLUMNS]
        if unknown:
            raise GovsimError(f"outcome {unknown[0]!r} is not a yearly column; allowed: {', '.join(YEARLY_COLUMNS)}")
    seen: set[str] = set()
    loaded: dict[str, Any] = {}
    reserved = set(ID_COLUMNS) | {"year"}
    for s in specs:
        if not isinstance(s, RunSpec):
            raise GovsimError(f"expected RunSpec objects, got {type(s).__name__}")
        if s.run_id in seen:
            raise GovsimError(f"run_id {s.run_id!r} appears twice; every run needs its own id")
        seen.add(s.run_id)
        try:
            check_seed(s.seed)
            check_years(s.years)
        except GovsimError as e:
            raise GovsimError(f"run {s.run_id}: {e.message}") from None
        clash = reserved & ({k for k, _ in s.meta} | {k for k, _ in s.overrides})
        if clash:
            raise GovsimError(f"run {s.run_id}: meta/override name {sorted(clash)[0]!r} clashes with a result column")
        key = s.scenario
        if key not in loaded:
            loaded[key] = load_scenario(s.scenario)
        if s.overrides:
            apply_overrides(loaded[key], dict(s.overrides), source=f"run {s.run_id} ({s.scenario})")


# ---------------------------------------------------------------- worker side

def run_one(spec: RunSpec, tables: tuple[str, ...], columns: tuple[str, ...] | None) -> RunOutcome:
    """Run one spec and label its tables; an exception becomes a failure record, not a crash."""
    from sim.overrides import apply_overrides
    from sim.runner import run
    from sim.scenario import load_scenario

    t0 = time.perf_counter()
    try:
        sc = apply_overrides(load_scenario(spec.scenario), dict(spec.overrides))
        res = run(sc, seed=spec.seed, years=spec.years)
        out = {}
        for name in tables:
            df = getattr(res, name)
            if name == "yearly" and columns is not None:
                df = df[["year", *[c for c in columns if c != "year"]]]
            out[name] = label(df, spec)
        return RunOutcome(spec.run_id, out, None, time.perf_counter() - t0)
    except Exception:  # noqa: BLE001 - a failing run is recorded, the batch goes on
        return RunOutcome(spec.run_id, None, traceback.format_exc(), time.perf_counter() - t0)


def run_chunk(specs: Sequence[RunSpec], tables: tuple[str, ...], columns: tuple[str, ...] | None) -> list[RunOutcome]:
    """The unit of work a backend ships to a worker: several short runs, one task."""
    return [run_one(s, tables, columns) for s in specs]


def label(df: pd.DataFrame, spec: RunSpec) -> pd.DataFrame:
    """Prefix a run's table with its identity columns: run_id, scenario, seed, meta, overrides."""
    ids = {"run_id": spec.run_id, "scenario": spec.scenario, "seed": spec.seed, **dict(spec.meta),
           **dict(spec.overrides)}
    front = pd.DataFrame({k: [v] * len(df) for k, v in ids.items()}, index=df.index)
    return pd.concat([front, df], axis=1)


# ---------------------------------------------------------------- storage

def _id_schema(specs: Sequence[RunSpec]) -> dict[str, pa.DataType]:
    """One arrow type per identity column, fixed up front, so every part file has the same
    schema and ``pandas.read_parquet(out / table)`` reads them as one table (nulls where a run
    has no such override)."""
    names: dict[str, list[Any]] = {"run_id": [], "scenario": [], "seed": []}
    for s in specs:
        for k, v in (("run_id", s.run_id), ("scenario", s.scenario), ("seed", s.seed), *s.meta, *s.overrides):
            names.setdefault(k, []).append(v)
    return {k: _arrow_type(v) for k, v in names.items()}


def _arrow_type(values: list[Any]) -> pa.DataType:
    vals = [v for v in values if v is not None]
    if vals and all(isinstance(v, bool) for v in vals):
        return pa.bool_()
    if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return pa.int64()
    if vals and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return pa.float64()
    return pa.string()


class ResultStore:
    """The output directory: atomic part files per table, the runs status table, the manifest."""

    def __init__(self, out: Path, tables: tuple[str, ...], id_types: dict[str, pa.DataType]) -> None:
        self.out = out
        self.tables = tables
        self.id_types = id_types

    def write_part(self, table: str, token: str, df: pd.DataFrame) -> None:
        d = self.out / table
        d.mkdir(parents=True, exist_ok=True)
        arrow = pa.Table.from_pandas(df, preserve_index=False)
        for i, name in enumerate(arrow.column_names):
            want = self.id_types.get(name)
            if want is not None and arrow.schema.field(name).type != want:
                arrow = arrow.set_column(i, pa.field(name, want), arrow.column(name).cast(want))
        tmp = d / f".part-{token}.parquet.tmp"
        pq.write_table(arrow, tmp)
        os.replace(tmp, d / f"part-{token}.parquet")

    def write_chunk(self, outcomes: list[RunOutcome], by_id: dict[str, RunSpec]) -> None:
        """Tables first, the runs status part last: its presence commits the chunk."""
        token = f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"
        ok = [o for o in outcomes if o.tables is not None]
        for table in self.tables if ok else ():
            self.write_part(table, token, pd.concat([o.tables[table] for o in ok], ignore_index=True))
        now = datetime.now(UTC).isoformat()
        status = pd.DataFrame({
            "run_id": [o.run_id for o in outcomes],
            "status": ["done" if o.tables is not None else "failed" for o in outcomes],
            "error": [o.error or "" for o in outcomes],
            "params": [json.dumps(by_id[o.run_id].params(), default=str) for o in outcomes],
            "seconds": [o.seconds for o in outcomes],
            "finished": [now] * len(outcomes),
            "part": [token] * len(outcomes),
        })
        self.write_part(RUNS_TABLE, token, status)

    def statuses(self) -> pd.DataFrame:
        """The latest status of every run attempted so far (empty if none)."""
        d = self.out / RUNS_TABLE
        if not d.exists() or not any(d.glob("part-*.parquet")):
            return pd.DataFrame(columns=["run_id", "status", "error", "params", "seconds", "finished", "part"])
        runs = pd.read_parquet(d)
        return runs.sort_values("finished", kind="stable").drop_duplicates("run_id", keep="last")

    def committed_tokens(self) -> set[str]:
        d = self.out / RUNS_TABLE
        return {p.name[len("part-"):-len(".parquet")] for p in d.glob("part-*.parquet")} if d.exists() else set()

    def remove_orphans(self) -> int:
        """Delete temp files and table parts of chunks whose status part was never written."""
        committed = self.committed_tokens()
        removed = 0
        for d in (self.out / t for t in (*RunResult.TABLES, RUNS_TABLE)):
            if not d.exists():
                continue
            for p in d.iterdir():
                token = p.name[len("part-"):-len(".parquet")] if p.name.startswith("part-") else None
                if p.name.endswith(".tmp") or (token is not None and token not in committed):
                    p.unlink()
                    removed += 1
        return removed

    def has_results(self) -> bool:
        return any(any((self.out / t).glob("part-*.parquet")) for t in (*RunResult.TABLES, RUNS_TABLE))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=1, default=str))
        os.replace(tmp, self.out / MANIFEST)

    def read_manifest(self) -> dict[str, Any] | None:
        p = self.out / MANIFEST
        return json.loads(p.read_text()) if p.exists() else None


# ---------------------------------------------------------------- orchestration

def default_chunk_size(n: int, workers: int) -> int:
    """About eight tasks per worker for load balance, at most MAX_CHUNK runs per task."""
    return max(1, min(MAX_CHUNK, -(-n // (8 * max(1, workers)))))


def chunked(specs: Sequence[RunSpec], size: int) -> Iterator[list[RunSpec]]:
    for i in range(0, len(specs), size):
        yield list(specs[i:i + size])


def _check_resume(store: ResultStore, specs: Sequence[RunSpec], resume: bool) -> set[str]:
    """Run ids already complete in `out`; refuse to mix two different experiments in one directory."""
    if not store.has_results():
        return set()
    if not resume:
        raise GovsimError(f"{store.out} already holds results; pass --resume to complete them, "
                          "or choose another output directory")
    old = store.read_manifest()
    if old is not None:
        before = {r["run_id"]: {k: r.get(k) for k in ("scenario", "overrides", "seed", "years", "meta")}
                  for r in old.get("runs", [])}
        now = {s.run_id: {k: v for k, v in s.params().items() if k != "run_id"} for s in specs}
        now = json.loads(json.dumps(now, default=str))
        if before != now:
            changed = sorted(set(before) ^ set(now)) or sorted(k for k in now if before[k] != now[k])
            raise GovsimError(f"{store.out} was written by a different experiment (first differing run: "
                              f"{changed[0]}); resume it with the same experiment or use another directory")
    store.remove_orphans()
    st = store.statuses()
    return set(st.loc[st["status"] == "done", "run_id"])


def _manifest(specs: Sequence[RunSpec], status: dict[str, str], tables: tuple[str, ...],
              columns: Sequence[str] | None, backend: str, workers: int, extra: dict | None,
              started: str, finished: str | None) -> dict[str, Any]:
    return {
        **(extra or {}),
        "tables": list(tables),
        "columns": None if columns is None else list(columns),
        "backend": backend,
        "workers": workers,
        "started": started,
        "finished": finished,
        "versions": versions(),
        "git_commit": git_commit(),
        "counts": {k: sum(1 for v in status.values() if v == k) for k in ("done", "failed", "pending")},
        "runs": [{**s.params(), "status": status.get(s.run_id, "pending")} for s in specs],
    }


def execute(specs: Sequence[RunSpec], out: Path, *, workers: int = 1, backend: str = "local",
            scheduler: str | None = None, resume: bool = False, tables: tuple[str, ...] = ("yearly", "admin"),
            columns: Sequence[str] | None = None, chunk_size: int | None = None, progress: bool = True,
            manifest_extra: dict | None = None) -> ExecutionSummary:
    """Run every spec exactly once, streaming its tables to Parquet parts in `out`.

    Args:
        specs: the runs; every one is validated before the first starts.
        out: output directory (see module docstring for its layout).
        workers: processes (local) or Dask workers started (dask without `scheduler`).
        backend: "local" (in-process for 1 worker, else a spawn process pool) or "dask".
        scheduler: address of a running Dask scheduler ("tcp://host:8786"); implies backend "dask".
        resume: complete a partly written `out`; runs already done are skipped, never repeated.
        tables: which of the run's tables to keep (yearly, areas, admin, tenders).
        columns: yearly outcome columns to keep (``year`` is always kept); None = all.
        chunk_size: runs per task; default ≈ 8 tasks per worker, at most 25 runs.
        progress: show a tqdm bar (runs done, failures, ETA) on stderr.
        manifest_extra: extra keys for manifest.json (e.g. the resolved experiment).
    """
    from sim.experiments.backends import make_backend

    out = Path(out)
    specs = list(specs)
    tables = tuple(tables)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise GovsimError(f"workers has value {workers!r}: it must be a whole number ≥ 1")
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1):
        raise GovsimError(f"chunk_size has value {chunk_size!r}: it must be a whole number ≥ 1")
    validate_specs(specs, tables, columns)
    cols = None if columns is None else tuple(columns)
    store = ResultStore(out, tables, _id_schema(specs))
    done_before = _check_resume(store, specs, resume)
    todo = [s for s in specs if s.run_id not in done_before]
    by_id = {s.run_id: s for s in specs}
    status = {rid: "done" for rid in done_before}
    started = datetime.now(UTC).isoformat()

    def manifest(finished: str | None) -> dict[str, Any]:
        return _manifest(specs, status, tables, columns, backend if scheduler is None else "dask", workers,
                         manifest_extra, started, finished)

    size = chunk_size or default_chunk_size(len(todo), workers)
    done = failed = 0
    with make_backend(backend, workers, scheduler) as pool:  # connects (and fails fast) before any run
        store.write_manifest(manifest(None))
        bar = _progress(len(specs), len(done_before), progress)
        try:
            for outcomes in pool.map_unordered(run_chunk, list(chunked(todo, size)), tables, cols):
                store.write_chunk(outcomes, by_id)
                for o in outcomes:
                    status[o.run_id] = "done" if o.tables is not None else "failed"
                n_ok = sum(o.tables is not None for o in outcomes)
                done += n_ok
                failed += len(outcomes) - n_ok
                if bar is not None:
                    bar.update(len(outcomes))
                    bar.set_postfix(failed=failed, refresh=False)
        finally:
            if bar is not None:
                bar.close()
            store.write_manifest(manifest(datetime.now(UTC).isoformat()))
    return ExecutionSummary(done=done, failed=failed, skipped=len(done_before), out=out)


def _progress(total: int, initial: int, show: bool) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc="runs", dynamic_ncols=True)


def load_results(out: Path, table: str = "yearly") -> pd.DataFrame:
    """One table of a batch: rows carry run_id, scenario, seed, every meta key and every override
    name as columns, sorted by run_id then year (then activity/area where the table has them)."""
    d = Path(out) / table
    if table not in (*RunResult.TABLES, RUNS_TABLE):
        raise GovsimError(f"table {table!r}: allowed tables are {', '.join((*RunResult.TABLES, RUNS_TABLE))}")
    if not d.is_dir() or not any(d.glob("part-*.parquet")):
        raise GovsimError(f"{d}: no results (is {out} the output directory of `govsim batch`?)")
    store = ResultStore(Path(out), (), {})
    committed = store.committed_tokens()
    parts = sorted(p for p in d.glob("part-*.parquet") if p.name[5:-8] in committed)
    df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.read_parquet(d).iloc[:0]
    keys = [k for k in ("run_id", "year", "area", "task", "activity", "round") if k in df.columns]
    return df.sort_values(keys, kind="stable").reset_index(drop=True)
