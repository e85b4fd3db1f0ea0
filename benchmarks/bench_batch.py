"""Benchmark of the experiment engine (issue 3's performance targets).

    python benchmarks/bench_batch.py [--runs 500] [--memory-runs 1000] [--years 20] [--repeats 3]

1. parallel efficiency of 2 local workers against 1 on a `--runs` batch (target ≥ 0.9);
2. peak memory of one worker over `--memory-runs` runs, with the engine (models released)
   and without release — what a Mesa 3.3 `batch_run` worker does (target: growth < 20 MB);
3. wall time against Mesa's `batch_run(number_processes=2)` on the same runs (target ≤ 0.8×);
4. Dask LocalCluster (2 workers) against the local pool on the same batch.

Every timed batch runs in a fresh Python process (timed from after its imports), as a
`govsim batch` command would, with the thread settings `govsim batch` makes before its imports
(backends.SERVER_ENV, on both sides): each pays for starting its pool or cluster — Mesa's spawn
pool its imports, ours its fork (or the forkserver's imports, if it cannot fork) — and none
profits from a server or cache a previous repeat left warm. Both sides run the same
scenarios, seeds and years (batch_run's grid of 3 scenarios × 167 seeds has one run more than
500). The figures are noisy when other processes share the cores: the
load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from sim.compare import CANONICAL
from sim.experiments.backends import SERVER_ENV
from sim.experiments.engine import RunSpec, execute, load_results
from sim.seeds import derive_seeds


def specs(n: int, years: int) -> list[RunSpec]:
    per = -(-n // len(CANONICAL))
    seeds = derive_seeds(1, per)
    out = [
        RunSpec(f"{sc}-v0000-r{r:04d}", sc, seed=s, years=years, meta=(("replication", r),))
        for sc in CANONICAL
        for r, s in enumerate(seeds)
    ]
    return out[:n]


def timed_execute(runs: list[RunSpec], **kw) -> tuple[float, float]:
    """Wall time of the batch and the mean wall time of one run inside its worker (which grows
    when other processes compete for the cores)."""
    out = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        t = time.perf_counter()
        s = execute(runs, out / "b", progress=False, **kw)
        dt = time.perf_counter() - t
        if s.done != len(runs):
            raise RuntimeError(f"benchmark batch incomplete: {s}")
        return dt, float(load_results(out / "b", "runs")["seconds"].mean())
    finally:
        shutil.rmtree(out, ignore_errors=True)


def timed_batch_run(runs: list[RunSpec], processes: int) -> float:
    from mesa.batchrunner import batch_run

    from sim.model import MunicipalityModel

    scen = sorted({r.scenario for r in runs})
    seeds = sorted({r.seed for r in runs})
    t = time.perf_counter()
    rows = batch_run(
        MunicipalityModel,
        {"scenario": scen, "seed": seeds, "years": runs[0].years},
        number_processes=processes,
        iterations=1,
        display_progress=False,
    )
    dt = time.perf_counter() - t
    if len(rows) != len(scen) * len(seeds):
        raise RuntimeError("batch_run returned the wrong number of rows")
    return dt


def fresh(fn: str, n: int, years: int, **kw) -> tuple[float, float]:
    """`fn(specs(n, years), **kw)` in a new interpreter: a cold start, as on the command line."""
    code = (
        f"import json, benchmarks.bench_batch as b; r = b.{fn}(b.specs({n}, {years}), **{kw!r}); "
        "print(json.dumps(r if isinstance(r, (list, tuple)) else [r, float('nan')]))"
    )
    root = Path(__file__).resolve().parent.parent
    # the thread settings `govsim batch` makes before its imports (backends.thread_env), for
    # both sides: one BLAS thread also spares batch_run's workers BLAS's spinning threads
    env = {**SERVER_ENV, **os.environ}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    t, per_run = json.loads(out.stdout.strip().splitlines()[-1])
    return t, per_run


def memory_trace(n: int, release: bool, years: int, q: mp.Queue) -> None:
    """In a fresh worker process: RSS (MB) after every 50 runs, released or not."""
    from sim.experiments.engine import run_chunk
    from sim.model import MunicipalityModel
    from sim.runner import tables

    proc = psutil.Process()
    trace = []
    runs = specs(n, years)
    for i in range(0, n, 25):
        chunk = runs[i : i + 25]
        if release:
            run_chunk(chunk, ("yearly", "admin"), None)
        else:  # Mesa's batch_run: build, run, read, drop — but Agent._ids keeps every model alive
            for s in chunk:
                m = MunicipalityModel(s.scenario, seed=s.seed, years=s.years)
                m.run()
                tables(m)
        if (i + 25) % 50 == 0:
            trace.append(proc.memory_info().rss / 2**20)
    q.put(trace)


def worker_memory(n: int, release: bool, years: int) -> list[float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=memory_trace, args=(n, release, years, q))
    p.start()
    trace = q.get()
    p.join()
    return trace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--memory-runs", type=int, default=1000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--only",
        default="serial,pool,batch_run,dask,memory",
        help="comma-separated parts to run (efficiency needs serial and pool; ratio pool and batch_run)",
    )
    a = ap.parse_args()
    parts = set(a.only.split(","))
    runs = specs(a.runs, a.years)
    print(
        f"{len(runs)} runs of {a.years} years; {os.cpu_count()} cores; load average at start "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    def best(fn, *args, **kw) -> tuple[float, float, float]:
        """Minimum and median wall time over --repeats (the minimum is the least disturbed by
        other processes), and the per-run time inside the worker of the fastest repeat."""
        res = [fn(*args, **kw) for _ in range(a.repeats)]
        res = [r if isinstance(r, tuple) else (r, float("nan")) for r in res]
        fastest = min(res)
        return fastest[0], statistics.median(r[0] for r in res), fastest[1]

    n, y = a.runs, a.years
    nan = (float("nan"),) * 3

    def load() -> str:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())

    t1, m1, r1 = best(fresh, "timed_execute", n, y, workers=1) if "serial" in parts else nan
    t2, m2, r2 = best(fresh, "timed_execute", n, y, workers=2) if "pool" in parts else nan
    tb, mb, _ = best(fresh, "timed_batch_run", n, y, processes=2) if "batch_run" in parts else nan
    td, md, rd = (
        best(fresh, "timed_execute", n, y, workers=2, backend="dask") if "dask" in parts else nan
    )
    print(
        f"best of {a.repeats} (median in brackets); per-run time inside a worker for the best "
        f"repeat; load average now {load()}"
    )
    print(f"engine, 1 worker (in-process):        {t1:6.2f} s [{m1:6.2f}]  {r1 * 1000:5.1f} ms/run")
    print(
        f"engine, 2 workers (this + 1 process): {t2:6.2f} s [{m2:6.2f}]  {r2 * 1000:5.1f} ms/run"
        f"  → parallel efficiency {t1 / (2 * t2):.2f} [{m1 / (2 * m2):.2f}] (target ≥ 0.9)"
    )
    print(
        f"mesa batch_run(number_processes=2):   {tb:6.2f} s [{mb:6.2f}]"
        f"             → engine / batch_run {t2 / tb:.2f} [{m2 / mb:.2f}] (target ≤ 0.8)"
    )
    print(
        f"engine, Dask LocalCluster 2 workers:  {td:6.2f} s [{md:6.2f}]  {rd * 1000:5.1f} ms/run"
        f"  → overhead vs local pool {td - t2:+.2f} s ({(td / t2 - 1) * 100:+.0f} %)"
    )

    for release in (True, False) if "memory" in parts else ():
        tr = worker_memory(a.memory_runs, release, a.years)
        label = "engine worker (released)" if release else "batch_run-style worker (not released)"
        print(
            f"{label}: RSS after 50 runs {tr[0]:.0f} MB, after {a.memory_runs} {tr[-1]:.0f} MB, "
            f"peak {max(tr):.0f} MB → growth {tr[-1] - tr[0]:+.0f} MB (target < 20 MB)"
        )
    print(f"load average at end {load()}")


if __name__ == "__main__":
    main()
