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
    runs/part-*.parquet      one row per run attempt: status, error traceback, parameters, worker

Runs execute on a backend (``sim.experiments.backends``): this process (plus a process pool,
forked from a preloaded forkserver, for more workers) or Dask. Results are written by this
process only, so remote Dask workers need no shared disk. ``run_many`` is the one entry point
(tables in memory, or streamed to `out` under an exclusive lock); ``execute`` is ``run_many``
with an output folder, for existing callers.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import numbers
import os
import socket
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.atomic import check_out_dir
from sim.errors import GovsimError
from sim.metrics import AREA_COLUMNS, YEARLY_COLUMNS
from sim.outputs import columns as columns_of
from sim.outputs import outcome_columns
from sim.procurement import TENDER_COLUMNS
from sim.provenance import git_commit, versions
from sim.runner import RunResult, check_seed, check_years

ID_COLUMNS = ("run_id", "scenario", "seed")
#: the tables a run can give: a scenario's (``RunResult.TABLES``) and a population's
#: per-municipality × year table (a population run's "yearly" is its national table)
POPULATION_TABLE = "municipalities_yearly"
TABLES = (*RunResult.TABLES, POPULATION_TABLE)
#: the name of a municipality's seed in a batch's municipalities_yearly (``seed`` is the run's)
MUNICIPALITY_SEED = "municipality_seed"
HOST = socket.gethostname()
RUNS_TABLE = "runs"
STATUS_COLUMNS = ("run_id", "status", "error", "params", "seconds", "worker", "finished", "part")
#: the outcome columns of a population run's "yearly" (national) table
NATIONAL_OUTCOMES = outcome_columns("national")
MANIFEST = "manifest.json"
LOCK = ".lock"  # held (flock) by the process writing the folder, for the whole batch
COLLECT_EVERY = 25  # runs between full garbage collections in a worker
MAX_CHUNK = (
    25  # runs per task: ≈ 0.35 s of 20-year runs, so per-task overhead (≈ 2 ms on Dask) is < 1 %
)


@dataclass(frozen=True)
class RunSpec:
    """One run: a scenario with parameter overrides, a seed and a length.

    `scenario` is a preset name, a YAML path or a ``Scenario`` object (frozen and picklable, so
    it travels to pool and Dask workers; result rows carry its ``name``)."""

    run_id: str  # unique and stable, e.g. "bum-v0003-r007"
    scenario: Any  # preset name, YAML path or sim.scenario.Scenario
    overrides: tuple[tuple[str, Any], ...] = ()  # dotted schema names → values, sorted by name
    seed: int = 0
    years: int | None = None
    meta: tuple[tuple[str, Any], ...] = ()  # extra columns copied into every result row

    @property
    def label(self) -> str:
        """The scenario as result rows name it: the reference given, or a Scenario's name."""
        if isinstance(self.scenario, str | os.PathLike):
            return str(self.scenario)
        return str(getattr(self.scenario, "name", self.scenario))

    def params(self) -> dict[str, Any]:
        """The run as a JSON-able mapping (manifest, failure records, resume check); a Scenario
        object is recorded by name and a digest of its content."""
        p = {
            "run_id": self.run_id,
            "scenario": self.label,
            "overrides": dict(self.overrides),
            "seed": self.seed,
            "years": self.years,
            "meta": dict(self.meta),
        }
        if not isinstance(self.scenario, str | os.PathLike):
            p["scenario_digest"] = scenario_key(self.scenario)[1]
        return p


def scenario_key(ref: Any) -> tuple[str, Any]:
    """A hashable identity of a scenario reference: (path or name, file mtime), or for a
    Scenario object ("<object>", digest of its JSON) — equal content, equal key, on every
    worker; a Population object: ("<population>", digest of its file's mapping)."""
    if isinstance(ref, str | os.PathLike):
        return str(ref), _mtime(str(ref))
    from sim.population.spec import Population

    if isinstance(ref, Population):
        blob = json.dumps([ref.source, ref.spec], sort_keys=True, default=str)
        return "<population>", hashlib.sha256(blob.encode()).hexdigest()[:16]
    try:
        blob = ref.model_dump_json()
    except AttributeError:
        raise GovsimError(
            f"scenario {ref!r}: expected a preset name, a YAML path or a Scenario"
        ) from None
    return "<object>", hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ExecutionSummary:
    done: int  # runs completed by this call
    failed: int  # runs that raised in this call (recorded with traceback in runs/)
    skipped: int  # runs already complete in `out` (resume)
    out: Path
    pending: int = 0  # runs not stored (interrupted batch)


@dataclass
class RunOutcome:
    """What a worker sends back for one run: its tables, or the error."""

    run_id: str
    tables: dict[str, pd.DataFrame] | None
    error: str | None
    seconds: float
    worker: str = ""  # host:pid that ran it


# ---------------------------------------------------------------- validation


def validate_specs(
    specs: Sequence[RunSpec], tables: tuple[str, ...], columns: Sequence[str] | None
) -> None:
    """Check every spec before any run starts: ids unique, scenarios load, overrides apply.

    One pass over `specs` (a lazy sequence stays lazy): the run ids are kept as 8-byte hashes
    (a possible duplicate is then checked on the ids themselves), and a scenario with the same
    overrides — 30 replications of one variation — is validated once."""
    from sim.overrides import apply_overrides
    from sim.scenario import load_scenario

    n = len(specs)
    if not n:
        raise GovsimError("nothing to run: the experiment has no runs")
    bad_tables = [t for t in tables if t not in TABLES]
    if bad_tables or not tables:
        raise GovsimError(f"tables {list(tables)!r}: allowed tables are {', '.join(TABLES)}")
    ids = np.empty(n, dtype=np.int64)
    kinds: dict[bool, RunSpec] = {}  # population or not → the first such run
    is_pop: dict[Any, bool] = {}
    loaded: dict[Any, Any] = {}
    keys: dict[int, Any] = {}
    checked: set[int] = set()  # hashes of (scenario, overrides) already validated
    reserved = (
        set(ID_COLUMNS)
        | set(YEARLY_COLUMNS)
        | set(AREA_COLUMNS)
        | set(TENDER_COLUMNS)
        | {"activity", "hours", "dkk"}
        | set(NATIONAL_OUTCOMES)
        | set(columns_of("population"))
    )
    for j, s in enumerate(specs):
        if not isinstance(s, RunSpec):
            raise GovsimError(f"expected RunSpec objects, got {type(s).__name__}")
        ids[j] = hash(s.run_id)
        try:
            check_seed(s.seed)
            check_years(s.years)
        except GovsimError as e:
            raise GovsimError(f"run {s.run_id}: {e.message}") from None
        clash = reserved & ({k for k, _ in s.meta} | {k for k, _ in s.overrides})
        if clash:
            raise GovsimError(
                f"run {s.run_id}: meta/override name {sorted(clash)[0]!r} clashes with a result column"
            )
        ref = _ref_key(s.scenario, keys)
        population = is_pop.get(ref)
        if population is None:  # once per scenario reference, not once per run
            population = is_pop[ref] = _is_population(s.scenario)
        first = kinds.setdefault(population, s)
        if len(kinds) == 2:
            p, m = (first, kinds[False]) if population else (kinds[True], first)
            raise GovsimError(
                f"run {p.run_id} is of population {p.label!r} and run {m.run_id} of scenario "
                f"{m.label!r}: one batch runs either populations (national tables) or single "
                "municipalities, not both; run them as two batches"
            )
        if ref not in loaded:
            loaded[ref] = None if population else load_scenario(s.scenario)
        try:
            key = hash((ref, s.overrides))
            if key in checked:  # 30 replications of one variation: validate it once
                continue
            checked.add(key)
        except TypeError:  # an unhashable override value
            pass
        if population:
            _check_population(s)
        elif s.overrides:
            apply_overrides(loaded[ref], dict(s.overrides), source=f"run {s.run_id} ({s.label})")
    _check_unique(specs, ids)
    _check_population_tables(set(kinds), tables, columns)


def _check_population_tables(
    kinds: set[bool], tables: tuple[str, ...], columns: Sequence[str] | None
) -> None:
    """Outcome columns of a population's national table or of a yearly table; the
    per-municipality table only where runs are of a population."""
    national = kinds == {True}
    if columns is not None:
        allowed = NATIONAL_OUTCOMES if national else YEARLY_COLUMNS
        what = "a population's national" if national else "a yearly"
        unknown = [c for c in columns if c not in allowed]
        if unknown:
            raise GovsimError(
                f"outcome {unknown[0]!r} is not {what} column; allowed: {', '.join(allowed)}"
            )
    if POPULATION_TABLE in tables and not national:
        raise GovsimError(
            f"table {POPULATION_TABLE!r} is a population's (one row per municipality × year), "
            "but no run is of a population; allowed tables here: " + ", ".join(RunResult.TABLES)
        )


def _is_population(ref: Any) -> bool:
    """Whether a run's scenario is a population (``sim.population.spec.is_population``), once
    per reference and process."""
    if not isinstance(ref, str | os.PathLike | dict):
        from sim.population.spec import Population

        return isinstance(ref, Population)  # a Scenario object is no population
    if isinstance(ref, dict):
        from sim.population.spec import is_population

        return is_population(ref)
    key = scenario_key(ref)
    hit = _KINDS.get(key)
    if hit is None:
        from sim.population.spec import is_population

        hit = _KINDS[key] = is_population(ref)
    return hit


_KINDS: dict[Any, bool] = {}


def _check_population(s: RunSpec) -> None:
    """A population run's overrides apply (``sim.population.spec.load_population``); the
    message names the run."""
    from sim.population.spec import load_population

    try:
        load_population(s.scenario, dict(s.overrides))
    except GovsimError as e:
        raise GovsimError(f"run {s.run_id} ({s.label}): {e.message}") from None


def _check_unique(specs: Sequence[RunSpec], ids: np.ndarray) -> None:
    """Refuse a run id given twice: equal hashes are candidates, compared on the ids themselves."""
    sorted_ids = np.sort(ids)
    same = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]]
    if not same.size:
        return
    seen: set[str] = set()
    for j in np.flatnonzero(np.isin(ids, same)):
        rid = specs[int(j)].run_id
        if rid in seen:
            raise GovsimError(f"run_id {rid!r} appears twice; every run needs its own id")
        seen.add(rid)


def _ref_key(ref: Any, memo: dict[int, Any]) -> Any:
    """scenario_key, computed once per Scenario object (10 000 specs share one object)."""
    if isinstance(ref, str | os.PathLike):
        return str(ref)
    if id(ref) not in memo:
        memo[id(ref)] = (ref, scenario_key(ref))  # keep ref alive: its id stays unique
    return memo[id(ref)][1]


# ---------------------------------------------------------------- worker side


def run_one(spec: RunSpec, tables: tuple[str, ...], columns: tuple[str, ...] | None) -> RunOutcome:
    """Run one spec and label its tables; an exception becomes a failure record, not a crash."""
    from sim.overrides import apply_overrides
    from sim.runner import check_seed, check_years, release, simulate
    from sim.runner import tables as build_tables
    from sim.scenario import load_scenario

    t0 = time.perf_counter()
    if _is_population(spec.scenario):
        return _run_population(spec, tables, columns, t0)
    try:
        try:
            sc = _scenario(scenario_key(spec.scenario), spec.overrides, spec.scenario)
        except TypeError:  # an unhashable override value: no cache
            sc = apply_overrides(load_scenario(spec.scenario), dict(spec.overrides))
        model = simulate(sc, check_seed(spec.seed), check_years(spec.years))
        try:
            out = build_tables(model, tables)
        finally:
            release(model)
        if "yearly" in out and columns is not None:
            out["yearly"] = out["yearly"][["year", *[c for c in columns if c != "year"]]]
        return RunOutcome(spec.run_id, out, None, time.perf_counter() - t0, f"{HOST}:{os.getpid()}")
    except Exception:  # noqa: BLE001 - a failing run is recorded, the batch goes on
        return _failure(spec, t0)


def _failure(spec: RunSpec, t0: float) -> RunOutcome:
    """The failure record of the exception being handled: its traceback, the time, the host."""
    return RunOutcome(
        spec.run_id, None, traceback.format_exc(), time.perf_counter() - t0, f"{HOST}:{os.getpid()}"
    )


def _run_population(
    spec: RunSpec, tables: tuple[str, ...], columns: tuple[str, ...] | None, t0: float
) -> RunOutcome:
    """One national run of a population spec, in this process (``run_population`` with one
    worker: the engine's pool gives the parallelism). Its tables: "yearly" = the national table
    (one row per year), ``municipalities_yearly`` = the per-municipality × year table; a
    population run has no areas, admin or tender rows."""
    from sim.population.run import run_population
    from sim.runner import check_seed, check_years

    try:
        pop = _population(scenario_key(spec.scenario), spec.overrides, spec.scenario)
        res = run_population(pop, seed=check_seed(spec.seed), years=check_years(spec.years))
        out: dict[str, pd.DataFrame] = {}
        for t in tables:
            if t == "yearly":
                nat = res.national
                keep = list(nat.columns) if columns is None else ["year", *columns]
                out[t] = nat[list(dict.fromkeys(keep))].reset_index(drop=True)
            elif t == POPULATION_TABLE:  # the municipality's own seed beside the run's
                out[t] = res.yearly.rename(columns={"seed": MUNICIPALITY_SEED})
            else:
                out[t] = pd.DataFrame()
        return RunOutcome(spec.run_id, out, None, time.perf_counter() - t0, f"{HOST}:{os.getpid()}")
    except Exception:  # noqa: BLE001 - a failing run is recorded, the batch goes on
        return _failure(spec, t0)


def _population(key: tuple[str, Any], overrides: tuple[tuple[str, Any], ...], ref: Any) -> Any:
    """A population with `overrides`, built once per worker (as ``_scenario``)."""
    hit = _POPULATIONS.get((key, overrides))
    if hit is None:
        from sim.population.spec import load_population

        hit = load_population(ref, dict(overrides))
        if len(_POPULATIONS) >= 16:
            _POPULATIONS.pop(next(iter(_POPULATIONS)))
        _POPULATIONS[(key, overrides)] = hit
    return hit


_POPULATIONS: dict[Any, Any] = {}


def _scenario(key: tuple[str, Any], overrides: tuple[tuple[str, Any], ...], ref: Any) -> Any:
    """Load and override a scenario once per worker, not once per run (YAML + validation cost
    ≈ 1 ms). Safe because runs never mutate their (frozen) Scenario; the key holds a file's
    mtime, which invalidates edited files in long-lived (Dask) workers, or an object's digest."""
    hit = _SCENARIOS.get((key, overrides))
    if hit is None:
        from sim.overrides import apply_overrides
        from sim.scenario import load_scenario

        hit = apply_overrides(load_scenario(ref), dict(overrides))
        if len(_SCENARIOS) >= 128:
            _SCENARIOS.pop(next(iter(_SCENARIOS)))
        _SCENARIOS[(key, overrides)] = hit
    return hit


_SCENARIOS: dict[Any, Any] = {}


def _mtime(ref: str) -> int | None:
    try:
        return os.stat(ref).st_mtime_ns
    except OSError:
        return None


def run_chunk(
    specs: Sequence[RunSpec], tables: tuple[str, ...], columns: tuple[str, ...] | None
) -> list[RunOutcome]:
    """The unit of work a backend ships to a worker: several short runs, one task.

    A finished model is a reference cycle (model ↔ agents, Mesa's wrapped step) that only a full
    garbage collection frees; left to the GC's own thresholds, ≈ 30 MB of dead models pile up
    per worker before one runs. A full collection every COLLECT_EVERY runs keeps a worker flat
    (cheap in processes that ``gc.freeze()`` their imports — see ``backends.prepare_worker``)."""
    global _runs_since_collect
    out = [run_one(s, tables, columns) for s in specs]
    _runs_since_collect += len(specs)
    if _runs_since_collect >= COLLECT_EVERY:
        gc.collect()
        _runs_since_collect = 0
    return out


_runs_since_collect = 0


def labelled(
    frames: list[pd.DataFrame], specs: list[RunSpec], id_types: dict[str, pa.DataType]
) -> pa.Table:
    """The tables of several runs as one arrow table, prefixed with identity columns (run_id,
    scenario, seed, meta, overrides) in one fixed schema — nulls where a run lacks a name, so
    every part file has the same columns and types."""
    data = pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False)
    lengths = np.array([len(f) for f in frames])
    cols, fields = [], []
    for name, typ in id_types.items():
        values = [_ident(s, name) for s in specs]
        cols.append(
            pa.array(np.repeat(np.array(values, dtype=object), lengths), type=typ, from_pandas=True)
        )
        fields.append(pa.field(name, typ))
    return pa.Table.from_arrays([*cols, *data.columns], schema=pa.schema([*fields, *data.schema]))


def _ident(spec: RunSpec, name: str) -> Any:
    if name == "scenario":
        return spec.label
    if name in ("run_id", "seed"):
        return getattr(spec, name)
    for k, v in (*spec.meta, *spec.overrides):
        if k == name:
            return v
    return None


# ---------------------------------------------------------------- storage


def _id_schema(specs: Sequence[RunSpec]) -> dict[str, pa.DataType]:
    """One arrow type per identity column, fixed up front, so every part file has the same
    schema and ``pandas.read_parquet(out / table)`` reads them as one table (nulls where a run
    has no such override). One pass that keeps only the kinds of values seen per column."""
    kinds: dict[str, set[str]] = {"run_id": set(), "scenario": set(), "seed": set()}
    memo: dict[type, str] = {}
    for s in specs:
        for k, v in (
            ("run_id", s.run_id),
            ("scenario", s.label),
            ("seed", s.seed),
            *s.meta,
            *s.overrides,
        ):
            t = type(v)
            kind = memo.get(t)
            if kind is None:
                kind = memo[t] = _kind(v)
            kinds.setdefault(k, set()).add(kind)
    return {k: _arrow_type(v) for k, v in kinds.items()}


def _kind(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool | np.bool_):
        return "bool"
    if isinstance(v, numbers.Real):  # numpy scalars count: np.uint32 seeds are numbers
        return "int" if isinstance(v, numbers.Integral) else "float"
    return "other"


def _arrow_type(kinds: set[str]) -> pa.DataType:
    """bool if every value (None aside) is a bool, int64 if every one is a whole number, float64
    if every one is a number, else string."""
    kinds = kinds - {"none"}
    if kinds == {"bool"}:
        return pa.bool_()
    if kinds and kinds <= {"int", "float"}:
        return pa.int64() if kinds == {"int"} else pa.float64()
    return pa.string()


# ---------------------------------------------------------------- the run list

RUN_LIST = "runlist.parquet"  # the planned runs, one row each (the manifest names it)
RUN_LIST_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("scenario", pa.string()),
        ("scenario_digest", pa.string()),
        ("seed", pa.int64()),
        ("years", pa.int64()),
        ("overrides", pa.string()),  # JSON object, keys sorted
        ("meta", pa.string()),  # JSON object, keys sorted
    ]
)
RUN_LIST_TMP = f".{RUN_LIST}.tmp"  # written first, renamed once --resume accepts it
RUN_LIST_BATCH = 1_000  # rows per write: the list is never held whole


def _plan_row(spec: RunSpec) -> tuple[Any, ...]:
    """A run as its run-list row (RUN_LIST_SCHEMA's order); also what --resume compares."""
    digest = (
        None if isinstance(spec.scenario, str | os.PathLike) else scenario_key(spec.scenario)[1]
    )
    return (
        spec.run_id,
        spec.label,
        digest,
        _whole(spec.seed),
        None if spec.years is None else _whole(spec.years),
        json.dumps(dict(spec.overrides), sort_keys=True, default=str),
        json.dumps(dict(spec.meta), sort_keys=True, default=str),
    )


def _whole(x: Any) -> Any:
    try:
        return int(x)
    except (TypeError, ValueError):
        return x


def _row_digest(row: Sequence[Any]) -> bytes:
    return hashlib.blake2b(repr(tuple(row)).encode(), digest_size=16).digest()


def write_run_list(specs: Sequence[RunSpec], path: Path) -> np.ndarray:
    """Write the planned runs to `path` (Parquet, RUN_LIST_SCHEMA) in batches and return the
    16-byte digest of every row (what ``--resume`` compares); memory: 16 bytes a run."""
    digests = np.empty(len(specs), dtype="S16")
    with pq.ParquetWriter(path, RUN_LIST_SCHEMA) as w:
        rows: list[tuple[Any, ...]] = []
        for j, s in enumerate(specs):
            row = _plan_row(s)
            digests[j] = _row_digest(row)
            rows.append(row)
            if len(rows) == RUN_LIST_BATCH:
                w.write_table(_rows_table(rows))
                rows = []
        if rows or not len(specs):
            w.write_table(_rows_table(rows))
    return digests


def _rows_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in RUN_LIST_SCHEMA]
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(cols, RUN_LIST_SCHEMA, strict=True)],
        schema=RUN_LIST_SCHEMA,
    )


def _stored_plan(out: Path) -> Iterator[tuple[Any, ...]]:
    """The run-list rows of a batch folder: runlist.parquet, or the JSON run list of a folder
    written by an older govsim (its manifest's ``runs``), as the same tuples."""
    p = out / RUN_LIST
    if p.exists():
        for batch in pq.ParquetFile(p).iter_batches(batch_size=RUN_LIST_BATCH):
            yield from zip(*(c.to_pylist() for c in batch.columns), strict=True)
        return
    man = out / MANIFEST
    old = json.loads(man.read_text()).get("runs") if man.exists() else None
    for r in old if isinstance(old, list) else ():
        yield (
            r.get("run_id"),
            r.get("scenario"),
            r.get("scenario_digest"),
            _whole(r.get("seed")),
            None if r.get("years") is None else _whole(r.get("years")),
            json.dumps(r.get("overrides") or {}, sort_keys=True, default=str),
            json.dumps(r.get("meta") or {}, sort_keys=True, default=str),
        )


def run_list(out: str | Path, status: bool = True) -> pd.DataFrame:
    """The planned runs of a batch folder, one row each in the experiment's order: run_id,
    scenario, scenario_digest, seed, years, overrides and meta (JSON text), and (`status`) the
    latest stored status — done, failed, or pending (never stored)."""
    out = Path(out)
    rows = list(_stored_plan(out))
    df = pd.DataFrame(rows, columns=RUN_LIST_SCHEMA.names)
    if status:
        st = ResultStore(out, (), {}).statuses(columns=("run_id", "status", "finished"))
        latest = dict(zip(st["run_id"], st["status"], strict=True))
        df["status"] = [latest.get(r, "pending") for r in df["run_id"]]
    return df


def read_part(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One part file (`columns`: only these); a damaged one is refused with one message naming
    it (no pyarrow traceback)."""
    try:
        return pd.read_parquet(path, columns=None if columns is None else list(columns))
    except (OSError, pa.ArrowException, ValueError) as e:
        raise GovsimError(
            f"{path}: not a readable Parquet part ({type(e).__name__}: {str(e).splitlines()[0]}); "
            "the batch output is damaged — delete this file and the runs/ part of the same "
            "name, then complete the batch with `govsim batch --resume`"
        ) from None


class MemoryStore:
    """`run_many` without `out`: the chunks' labelled tables kept in memory, read back exactly as
    `load_results` reads them from disk (same columns, types and order)."""

    def __init__(self, tables: tuple[str, ...], id_types: dict[str, pa.DataType]) -> None:
        self.tables = tables
        self.id_types = id_types
        self.parts: dict[str, list[pd.DataFrame]] = {t: [] for t in tables}

    def write_chunk(self, outcomes: list[RunOutcome], by_id: dict[str, RunSpec]) -> None:
        ok = [o for o in outcomes if o.tables is not None]
        for table in self.tables:
            rows = [o for o in ok if len(o.tables[table])]
            if rows:
                arrow = labelled(
                    [o.tables[table] for o in rows], [by_id[o.run_id] for o in rows], self.id_types
                )
                self.parts[table].append(arrow.to_pandas())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise GovsimError(f"table {name!r} was not kept; kept tables: {', '.join(self.tables)}")
        return _sorted_rows(self.parts[name])


class ResultStore:
    """The output directory: atomic part files per table, the runs status table, the manifest."""

    def __init__(
        self, out: Path, tables: tuple[str, ...], id_types: dict[str, pa.DataType]
    ) -> None:
        self.out = out
        self.tables = tables
        self.id_types = id_types

    def write_part(self, table: str, token: str, arrow: pa.Table) -> None:
        d = self.out / table
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".part-{token}.parquet.tmp"
        pq.write_table(arrow, tmp)
        os.replace(tmp, d / f"part-{token}.parquet")

    def write_chunk(self, outcomes: list[RunOutcome], by_id: dict[str, RunSpec]) -> None:
        """Tables first, the runs status part last: its presence commits the chunk."""
        token = f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"
        ok = [o for o in outcomes if o.tables is not None]
        for table in self.tables:
            # runs without rows (no tenders in the model municipality) are left out: their empty
            # frames have untyped columns that would turn the part's numbers into objects
            rows = [o for o in ok if len(o.tables[table])]
            if rows:
                self.write_part(
                    table,
                    token,
                    labelled(
                        [o.tables[table] for o in rows],
                        [by_id[o.run_id] for o in rows],
                        self.id_types,
                    ),
                )
        now = datetime.now(UTC).isoformat()
        status = pd.DataFrame(
            {
                "run_id": [o.run_id for o in outcomes],
                "status": ["done" if o.tables is not None else "failed" for o in outcomes],
                "error": [o.error or "" for o in outcomes],
                "params": [json.dumps(by_id[o.run_id].params(), default=str) for o in outcomes],
                "seconds": [o.seconds for o in outcomes],
                "worker": [o.worker for o in outcomes],
                "finished": [now] * len(outcomes),
                "part": [token] * len(outcomes),
            }
        )
        self.write_part(RUNS_TABLE, token, pa.Table.from_pandas(status, preserve_index=False))

    def statuses(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The latest status of every run attempted so far (empty if none); `columns`: only
        these columns of the runs table (``finished`` is always read: it orders the attempts)."""
        d = self.out / RUNS_TABLE
        names = list(STATUS_COLUMNS) if columns is None else list(columns)
        read = names if "finished" in names else [*names, "finished"]
        if not d.exists() or not any(d.glob("part-*.parquet")):
            return pd.DataFrame(columns=names)
        runs = pd.concat(
            [
                read_part(p, None if columns is None else read)
                for p in sorted(d.glob("part-*.parquet"))
            ],
            ignore_index=True,
        )
        runs = runs.sort_values("finished", kind="stable").drop_duplicates("run_id", keep="last")
        return runs[names] if columns is not None else runs

    def committed_tokens(self) -> set[str]:
        d = self.out / RUNS_TABLE
        return (
            {p.name[len("part-") : -len(".parquet")] for p in d.glob("part-*.parquet")}
            if d.exists()
            else set()
        )

    def remove_orphans(self) -> int:
        """Delete temp files and table parts of chunks whose status part was never written."""
        committed = self.committed_tokens()
        removed = 0
        for d in (self.out / t for t in (*TABLES, RUNS_TABLE)):
            if not d.exists():
                continue
            for p in d.iterdir():
                token = (
                    p.name[len("part-") : -len(".parquet")] if p.name.startswith("part-") else None
                )
                if p.name.endswith(".tmp") or (token is not None and token not in committed):
                    p.unlink()
                    removed += 1
        return removed

    def has_results(self) -> bool:
        return any(any((self.out / t).glob("part-*.parquet")) for t in (*TABLES, RUNS_TABLE))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=1, default=str))
        os.replace(tmp, self.out / MANIFEST)

    def read_manifest(self) -> dict[str, Any] | None:
        p = self.out / MANIFEST
        return json.loads(p.read_text()) if p.exists() else None


# ---------------------------------------------------------------- orchestration


def chunk_sizes(n: int, workers: int, size: int | None = None) -> Iterator[int]:
    """Runs per task for `n` runs: `size` each if given, else guided self-scheduling — a chunk
    holds a quarter of each worker's share of the runs still left, at most MAX_CHUNK. Big chunks
    early keep the per-task overhead small; ever smaller ones at the end keep every worker busy
    until the last run (the tail waits for one chunk at most)."""
    i = 0
    while i < n:
        k = min(n - i, size or max(1, min(MAX_CHUNK, -(-(n - i) // (4 * max(1, workers))))))
        yield k
        i += k


def make_chunks(
    specs: Sequence[RunSpec], workers: int, size: int | None = None
) -> list[list[RunSpec]]:
    """`specs` grouped into tasks of ``chunk_sizes`` runs (the batch itself makes them lazily)."""
    out, i = [], 0
    for k in chunk_sizes(len(specs), workers, size):
        out.append(list(specs[i : i + k]))
        i += k
    return out


def iter_chunks(
    specs: Sequence[RunSpec],
    todo: np.ndarray,
    workers: int,
    size: int | None,
    inflight: dict[str, tuple[int, RunSpec]],
) -> Iterator[list[RunSpec]]:
    """The chunks of the runs at positions `todo`, made only when a backend asks for the next:
    a lazy spec sequence is never held whole. Each run handed out is entered in `inflight`
    (run id → position, spec) until its outcome is stored."""
    i = 0
    for k in chunk_sizes(len(todo), workers, size):
        chunk = []
        for j in todo[i : i + k].tolist():
            s = specs[j]
            inflight[s.run_id] = (j, s)
            chunk.append(s)
        i += k
        yield chunk


PENDING, DONE, FAILED = 0, 1, 2  # a run's status in the batch's status array
STATUS_NAMES = ("pending", "done", "failed")


def _refuse_mixing(store: ResultStore, resume: bool) -> bool:
    """Whether `out` already holds results; refused unless resuming."""
    if not store.has_results():
        return False
    if not resume:
        raise GovsimError(
            f"{store.out} already holds results; pass --resume to complete them, "
            "or choose another output directory"
        )
    return True


def _check_resume(store: ResultStore, specs: Sequence[RunSpec], digests: np.ndarray) -> np.ndarray:
    """The status array of a resumed batch (DONE where a run is complete in `out`); refuse to
    mix two different experiments in one directory. The stored run list and the new one are
    compared as sorted 16-byte digests of their rows (any order), never held as objects."""
    old = np.fromiter((_row_digest(r) for r in _stored_plan(store.out)), dtype="S16")
    if old.size and (
        old.size != digests.size or not np.array_equal(np.sort(old), np.sort(digests))
    ):
        before = {r[0]: r for r in _stored_plan(store.out)}  # only to name the first difference
        now = {s.run_id: _plan_row(s) for s in specs}
        changed = sorted(set(before) ^ set(now)) or sorted(k for k in now if before[k] != now[k])
        raise GovsimError(
            f"{store.out} was written by a different experiment (first differing run: "
            f"{changed[0]}); resume it with the same experiment or use another directory"
        )
    del old
    store.remove_orphans()
    st = store.statuses(columns=("run_id", "status"))
    done_ids = set(st.loc[st["status"] == "done", "run_id"])
    del st
    status = np.zeros(len(specs), dtype=np.int8)
    if done_ids:
        for j, s in enumerate(specs):
            if s.run_id in done_ids:
                status[j] = DONE
    return status


def _manifest(
    n_runs: int,
    status: np.ndarray,
    tables: tuple[str, ...],
    columns: Sequence[str] | None,
    backend: str,
    workers: int,
    extra: dict | None,
    started: str,
    finished: str | None,
    cluster_workers: int | None = None,
) -> dict[str, Any]:
    """`counts`: done and failed = the latest stored status of each run; pending = not stored yet
    (all of them while the batch runs, the missing ones after an interruption). The runs
    themselves are listed in RUN_LIST (Parquet), their attempts in runs/: the manifest stays a
    few kB whatever the number of runs."""
    counts = {name: int(np.count_nonzero(status == code)) for code, name in enumerate(STATUS_NAMES)}
    return {
        **(extra or {}),
        "tables": list(tables),
        "columns": None if columns is None else list(columns),
        "backend": backend,
        "workers": workers,
        "cluster_workers": cluster_workers,
        "started": started,
        "finished": finished,
        "complete": finished is not None and counts["pending"] == 0,
        "versions": versions(),
        "git_commit": git_commit(),
        "counts": {k: counts[k] for k in ("done", "failed", "pending")},
        "runs": {"count": n_runs, "list": RUN_LIST, "attempts": RUNS_TABLE},
    }


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder for the whole batch (``flock`` on out/.lock,
    released by the kernel even if this process is killed). A second writer — another
    ``govsim batch`` or ``--resume`` on the same folder — is refused, naming the holder's PID."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    _LOCK_FDS.add(fd)
    held = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise GovsimError(
                f"{out} is being written by another govsim process (PID {holder}); "
                "wait for it to finish, or choose another --out"
            ) from None
        held = True
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} on {HOST}\n".encode(), 0)
        yield
    finally:
        # a folder this call made and never ran a run in (e.g. the Dask scheduler was
        # unreachable: it holds the run list at most) goes again; otherwise the lock file stays
        # (removing it would race a waiting writer)
        unused = {LOCK, RUN_LIST, RUN_LIST_TMP}
        if held and created and {p.name for p in out.iterdir()} <= unused:
            with contextlib.suppress(OSError):
                for name in unused - {LOCK}:
                    (out / name).unlink(missing_ok=True)
                (out / LOCK).unlink()
                out.rmdir()
        _LOCK_FDS.discard(fd)
        os.close(fd)  # releases the lock


_LOCK_FDS: set[int] = set()  # descriptors of the locks this process holds


def close_inherited_locks() -> None:
    """In a pool process forked from the batch process: close its copies of the lock
    descriptors, so the lock lives exactly as long as the batch process holds it."""
    for fd in list(_LOCK_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _LOCK_FDS.clear()


@dataclass
class BatchResult:
    """What `run_many` returns: counts, the failures of this call with their tracebacks, and the
    tables — in memory, or read from `out` on demand."""

    done: int
    failed: int
    skipped: int
    pending: int
    failures: dict[str, str]  # run_id → traceback, for every run that failed in this call
    out: Path | None
    _memory: MemoryStore | None = None

    def table(self, name: str = "yearly") -> pd.DataFrame:
        """One table of the batch, as `load_results` gives it (sorted by run_id, then year)."""
        return (
            self._memory.table(name) if self._memory is not None else load_results(self.out, name)
        )

    @property
    def yearly(self) -> pd.DataFrame:
        return self.table("yearly")

    def failure_message(self, total: int | None = None) -> str:
        rid, tb = next(iter(self.failures.items()))
        where = f" (tracebacks in {self.out}/runs/)" if self.out is not None else ""
        of = f" of {total}" if total is not None else ""
        return f"{self.failed}{of} runs failed{where}; the first, {rid}:\n{tb.rstrip()}"


def run_many(
    specs: Sequence[RunSpec],
    *,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    tables: Sequence[str] = ("yearly", "admin"),
    columns: Sequence[str] | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
    strict: bool = False,
    manifest_extra: dict | None = None,
    worker_wait: float | None = None,
    _task: Any = None,
    _backend_options: dict | None = None,
) -> BatchResult:
    """The one way to run many runs: every spec exactly once, on any backend, same tables.

    Without `out` the tables are kept in memory (``result.table("yearly")``); with `out` they
    stream to Parquet parts there (module docstring), the folder is locked for the call, and
    `resume` completes it. Failed runs are in ``result.failures`` (run id → traceback) and, with
    `out`, in ``out/runs``; with ``strict=True`` any failure raises a GovsimError naming how many
    failed and showing the first traceback (after every other run finished and was stored).

    Args:
        specs: the runs; every one is validated before the first starts.
        workers: processes (local) or Dask workers started (dask without `scheduler`).
        backend: "local" (this process, plus a pool of workers − 1 processes) or "dask".
        scheduler: address of a running Dask scheduler ("tcp://host:8786"); implies backend "dask".
        tables: which of the run's tables to keep (yearly, areas, admin, tenders).
        columns: yearly outcome columns to keep (``year`` is always kept); None = all.
        chunk_size: runs per task; default: shrinking chunks of at most 25 runs (``make_chunks``).
        progress: show a tqdm bar (runs done, failures, ETA) on stderr.
        manifest_extra: extra keys for manifest.json (e.g. the resolved experiment).
        worker_wait: Dask only: seconds to wait for a live worker before giving up with a message
            (default ``backends.WORKER_WAIT_S``).
    """
    from sim.experiments.backends import BACKENDS, make_backend

    if not isinstance(specs, Sequence):  # a generator: listed; a lazy Sequence stays lazy
        specs = list(specs)
    tables = tuple(tables)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise GovsimError(f"workers has value {workers!r}: it must be a whole number ≥ 1")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise GovsimError(f"chunk_size has value {chunk_size!r}: it must be a whole number ≥ 1")
    if scheduler is not None:
        backend = "dask"
    if backend not in BACKENDS:
        raise GovsimError(f"backend {backend!r}: allowed backends are {', '.join(BACKENDS)}")
    validate_specs(specs, tables, columns)
    cols = None if columns is None else tuple(columns)
    n_runs = len(specs)
    if out is None:
        if resume:
            raise GovsimError("resume needs an output folder (out=…)")
        store: Any = MemoryStore(tables, _id_schema(specs))
        lock: Any = contextlib.nullcontext()
    else:
        out = check_out_dir(Path(out))
        store = ResultStore(out, tables, {})
        lock = locked(out)
    options = dict(_backend_options or {})
    if backend == "dask" and worker_wait is not None:
        options["worker_wait"] = worker_wait
    with lock:
        if out is not None:
            resuming = _refuse_mixing(store, resume)
            store.id_types = _id_schema(specs)
            plan = out / RUN_LIST_TMP
            digests = write_run_list(specs, plan)
            try:
                status = (
                    _check_resume(store, specs, digests)
                    if resuming
                    else np.zeros(n_runs, dtype=np.int8)
                )
            except BaseException:
                plan.unlink(missing_ok=True)
                raise
            del digests
            os.replace(plan, out / RUN_LIST)
        else:
            status = np.zeros(n_runs, dtype=np.int8)
        skipped = int(np.count_nonzero(status == DONE))
        todo = np.flatnonzero(status != DONE)
        started = datetime.now(UTC).isoformat()

        used: list[Any] = []  # the backend, once made: its real size goes into the manifest

        def manifest(finished: str | None) -> dict[str, Any]:
            real = used[0].workers_seen() if used else None
            return _manifest(
                n_runs,
                status,
                tables,
                columns,
                backend,
                workers,
                manifest_extra,
                started,
                finished,
                real,
            )

        inflight: dict[str, tuple[int, RunSpec]] = {}
        chunks = iter_chunks(specs, todo, workers, chunk_size, inflight)
        failures: dict[str, str] = {}
        # Everything alive now (the caller's modules and data) is set aside from the garbage
        # collector for the batch, so the full collection every COLLECT_EVERY runs in this process
        # only walks the objects of recent runs; gc.unfreeze() hands them back at the end.
        gc.collect()
        gc.freeze()
        try:
            # connects (and fails fast) before any run; nothing left to do needs no cluster
            with make_backend(
                backend if todo.size else "local",
                workers if todo.size else 1,
                scheduler if todo.size else None,
                **(options if todo.size else {}),
            ) as pool:
                used.append(pool)
                done, failed = _stream(
                    pool,
                    _task or run_chunk,
                    chunks,
                    tables,
                    cols,
                    store,
                    inflight,
                    status,
                    manifest,
                    progress,
                    n_runs,
                    skipped,
                    failures,
                )
        finally:
            gc.unfreeze()
    pending = int(np.count_nonzero(status == PENDING))
    res = BatchResult(
        done=done,
        failed=failed,
        skipped=skipped,
        pending=pending,
        failures=failures,
        out=None if out is None else Path(out),
        _memory=store if out is None else None,
    )
    if strict and failed:
        raise GovsimError(res.failure_message(n_runs))
    return res


def execute(
    specs: Sequence[RunSpec],
    out: Path,
    *,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    tables: tuple[str, ...] = ("yearly", "admin"),
    columns: Sequence[str] | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    manifest_extra: dict | None = None,
    worker_wait: float | None = None,
) -> ExecutionSummary:
    """Run every spec exactly once, streaming its tables to Parquet parts in `out`: `run_many`
    with an output folder, returning only the counts (kept for existing callers)."""
    r = run_many(
        specs,
        out=out,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        resume=resume,
        tables=tables,
        columns=columns,
        chunk_size=chunk_size,
        progress=progress,
        manifest_extra=manifest_extra,
        worker_wait=worker_wait,
    )
    return ExecutionSummary(
        done=r.done, failed=r.failed, skipped=r.skipped, out=Path(out), pending=r.pending
    )


def _stream(
    pool: Any,
    task: Any,
    chunks: Iterator[list[RunSpec]],
    tables: tuple[str, ...],
    cols: tuple[str, ...] | None,
    store: Any,
    inflight: dict[str, tuple[int, RunSpec]],
    status: np.ndarray,
    manifest: Any,
    progress: bool,
    total: int,
    initial: int,
    failures: dict[str, str],
) -> tuple[int, int]:
    """Run the chunks on `pool`, writing each as it arrives; the manifest is rewritten at the end
    even if the batch is interrupted. A stored run leaves `inflight` and is one byte of `status`."""
    done = failed = 0
    store.write_manifest(manifest(None))
    bar = _progress(total, initial, progress)
    try:
        for outcomes in pool.map_unordered(task, chunks, tables, cols):
            store.write_chunk(outcomes, {o.run_id: inflight[o.run_id][1] for o in outcomes})
            for o in outcomes:
                j, _ = inflight.pop(o.run_id)
                status[j] = DONE if o.tables is not None else FAILED
                if o.tables is None:
                    failures[o.run_id] = o.error or ""
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
    return done, failed


def _progress(total: int, initial: int, show: bool) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc="runs", dynamic_ncols=True)


def _sorted_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    df = pd.concat(frames, ignore_index=True)
    keys = [
        k for k in ("run_id", "year") if k in df.columns
    ]  # stable: a run keeps its own row order
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def load_results(out: Path, table: str = "yearly") -> pd.DataFrame:
    """One table of a batch: rows carry run_id, scenario, seed, every meta key and every override
    name as columns, sorted by run_id then year; within a year, rows keep the run's own order."""
    d = Path(out) / table
    if table not in (*TABLES, RUNS_TABLE):
        raise GovsimError(f"table {table!r}: allowed tables are {', '.join((*TABLES, RUNS_TABLE))}")
    store = ResultStore(Path(out), (), {})
    committed = store.committed_tokens()
    if not committed:
        raise GovsimError(f"{out}: no results (is it the output directory of `govsim batch`?)")
    parts = sorted(p for p in d.glob("part-*.parquet") if p.name[5:-8] in committed)
    # runs done but none had rows in this table (or the table was not kept): an empty frame
    return _sorted_rows([read_part(p) for p in parts])
