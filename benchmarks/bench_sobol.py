"""Benchmark: a 12-parameter Sobol study (first and total order) of one preset, local backend.

N = 1024 gives 1024 × (12 + 2) = 14,336 runs (target: under 15 minutes on the 2-core machine).
Reports wall time per phase, time per run, and the share of time spent outside the model.

    python benchmarks/bench_sobol.py                      # N=1024, 2 workers
    python benchmarks/bench_sobol.py --N 64 --workers 1   # in-process: exact model-time accounting
    python benchmarks/bench_sobol.py --no-baseline        # the study only
    python benchmarks/bench_sobol.py --N 256 --dask-external  # also on an external Dask cluster

The same design is also run by a plain baseline (issue 15's yardstick): `multiprocessing.Pool`
with the same number of workers mapping `sim.run` over SALib's sample, then SALib's Sobol'
analysis of the same two outcomes. `study_over_baseline` is the ratio of the two wall times
(target ≤ 1.05). Both run in the same invocation, one after the other, so they see roughly the
same load; the load average (`os.getloadavg`, as `uptime` shows it) is reported before and
after each, because the machine is shared. `cpu_study_over_baseline` is the ratio of their CPU
seconds (this process and its workers), which other users' load moves much less; `--order
baseline-first` runs the baseline first, to see whether the order (warm caches, a load that
changes) moves the ratio.

`--dask-external` also runs the study on an external Dask cluster that the benchmark starts
itself (`dask scheduler` and `--workers` single-threaded `dask worker` processes on this
machine, reached through `--scheduler`, as a user's cluster would be): `dask_over_local` is
its wall time over the local pool's (target ≤ 1.1), `dask_cpu_over_local` the same in CPU
seconds (the scheduler, workers and this process).

"Inside the model" = `sim.runner.simulate` (building and stepping the Mesa model). With one
worker everything runs in this process, so that time is measured directly; with several
workers it is estimated from the per-run model time of a one-worker calibration on the first
`--calibrate` runs of the same design.

The machine is shared, so wall time depends on the other users' load; CPU seconds (this
process plus its worker processes, polled with psutil) are reported too, as the
load-independent cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

import psutil

import sim.runner
from sim.sensitivity.spec import spec_from_dict
from sim.sensitivity.study import analyse_study, design, run_study

PARAMETERS = (
    "inspection.share_of_volume",
    "inspection.trust_sensitivity",
    "internal_invoicing.hours_per_invoice",
    "internal_invoicing.invoices_per_package",
    "control_bids.prep_cost_rate",
    "control_bids.cost_coverage",
    "tendering.buyer_cost_rate",
    "tendering.share",
    "bureaucratic_drift.growth",
    "trust_dynamics.build_rate",
    "trust_dynamics.loss_rate",
    "municipality.admin_hourly_dkk",
)


def bench_spec(n: int, scenario: str = "bum"):
    return spec_from_dict(
        {
            "name": f"bench_sobol_{scenario}_N{n}",
            "parameters": {p: None for p in PARAMETERS},
            "outcomes": [
                {"column": "admin_overhead_share", "summary": "mean", "scenario": scenario},
                {"column": "admin_cost_dkk", "summary": "final", "scenario": scenario},
            ],
            "method": {"name": "sobol", "N": n, "second_order": False},
            "replications": 1,
            "seed": 20110401,
        },
        "bench_sobol",
    )


class ModelClock:
    """Accumulates the CPU time spent in `sim.runner.simulate` (this process only; CPU, not wall
    time, so other users of the machine do not inflate it)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._orig = sim.runner.simulate

    def __enter__(self) -> ModelClock:
        def timed(*a, **k):
            t = time.process_time()
            try:
                return self._orig(*a, **k)
            finally:
                self.seconds += time.process_time() - t
                self.calls += 1

        sim.runner.simulate = timed
        return self

    def __exit__(self, *exc: object) -> None:
        sim.runner.simulate = self._orig


class CpuMeter:
    """CPU seconds of this process and every descendant (pool workers live under a forkserver, so
    `getrusage(RUSAGE_CHILDREN)` misses them): descendants are polled and their last reading kept."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._me = psutil.Process()

    def _poll(self) -> None:
        for p in self._me.children(recursive=True):
            try:
                t = p.cpu_times()
                self.seen[p.pid] = t.user + t.system
            except psutil.Error:
                pass

    def __enter__(self) -> CpuMeter:
        t = self._me.cpu_times()
        self.start = t.user + t.system
        self._poll()
        self.before = dict(self.seen)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._poll()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        t = self._me.cpu_times()
        self.seconds = (
            t.user
            + t.system
            - self.start
            + sum(v - self.before.get(pid, 0.0) for pid, v in self.seen.items())
        )


def calibrate(spec, k: int) -> float:
    """Mean model seconds per run over the first k runs of the design, in this process."""
    from sim.experiments.engine import run_one

    runs = design(spec).runs[:k]
    with ModelClock() as clock:
        for r in runs:
            run_one(r, ("yearly",), ("admin_overhead_share", "admin_cost_dkk"))
    return clock.seconds / max(clock.calls, 1)


def _baseline_run(args: tuple) -> tuple[float, float]:
    """One run of the plain baseline: `sim.run` with the point's values, the two outcomes."""
    values, seed, years = args
    y = sim.runner.run("bum", seed=seed, years=years, set=values).yearly
    return float(y["admin_overhead_share"].mean()), float(y["admin_cost_dkk"].iloc[-1])


def baseline(spec, workers: int) -> dict:
    """SALib sample → multiprocessing.Pool(workers) mapping sim.run → SALib analysis."""
    import multiprocessing

    import numpy as np
    from SALib.analyze import sobol as sobol_analyze

    from sim.seeds import derive_seeds
    from sim.sensitivity.analyse import salib_seed
    from sim.sensitivity.study import ANALYSIS_SEED

    t0 = time.perf_counter()
    d = design(spec, with_runs=False)  # SALib's sample of the same problem, same seed
    seed = derive_seeds(spec.seed, 1)[0]
    tasks = [(v, seed, spec.years) for v in d.values]
    with CpuMeter() as cpu, multiprocessing.Pool(workers) as pool:
        out = np.array(pool.map(_baseline_run, tasks, chunksize=25))
    for j in range(out.shape[1]):
        sobol_analyze.analyze(
            d.problem,
            out[:, j],
            calc_second_order=False,
            num_resamples=100,
            seed=salib_seed(spec.seed, ANALYSIS_SEED),
        )
    return {
        "baseline_wall_s": round(time.perf_counter() - t0, 1),
        "baseline_cpu_s": round(cpu.seconds, 1),
        "baseline_runs": len(tasks),
    }


def external_dask(spec, workers: int, out: Path) -> dict:
    """The study on an external cluster: a `dask scheduler` and `workers` one-thread `dask
    worker` processes started here, the study connecting with `scheduler=` like `--scheduler`."""
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        time.sleep(3)
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        addr,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-nanny",
                        "--dashboard-address",
                        ":0",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(addr, timeout=30) as c:
            c.wait_for_workers(workers, timeout=120)
        with CpuMeter() as cpu:
            t0 = time.perf_counter()
            run_study(spec, out, scheduler=addr, progress=False)
            wall = time.perf_counter() - t0
        return {
            "dask_external_wall_s": round(wall, 1),
            "dask_external_cpu_s": round(cpu.seconds, 1),
        }
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=1024)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--calibrate", type=int, default=200, help="runs timed in-process when workers > 1"
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-baseline", action="store_true", help="skip the Pool + sim.run baseline")
    ap.add_argument("--order", choices=("study-first", "baseline-first"), default="study-first")
    ap.add_argument(
        "--dask-external", action="store_true", help="also run the study on an external cluster"
    )
    args = ap.parse_args()
    pre: dict = {}
    if not args.no_baseline and args.order == "baseline-first":
        pre["load_avg_before_baseline"] = load()
        pre.update(baseline(bench_spec(args.N), args.workers))
        pre["load_avg_after_baseline"] = load()
    load_start = load()

    spec = bench_spec(args.N)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_sobol_")) / "study"
    t0 = time.perf_counter()
    d = design(spec)
    t_design = time.perf_counter() - t0
    n_runs = len(d.runs)

    with ModelClock() as clock, CpuMeter() as cpu:
        t1 = time.perf_counter()
        run_study(spec, out, workers=args.workers, progress=False)
        t_total = time.perf_counter() - t1
    cpu_study = cpu.seconds
    t2 = time.perf_counter()
    analyse_study(spec, out)
    t_analyse = time.perf_counter() - t2

    if args.workers == 1:
        model_per_run = clock.seconds / max(clock.calls, 1)
        how = "measured in-process"
    else:
        model_per_run = calibrate(spec, min(args.calibrate, n_runs))
        how = f"calibrated on {min(args.calibrate, n_runs)} in-process runs"
    report = {
        "N": args.N,
        "parameters": len(PARAMETERS),
        "runs": n_runs,
        "workers": args.workers,
        "design_s": round(t_design, 2),
        "study_wall_s": round(t_total, 1),
        "analysis_s": round(t_analyse, 2),
        "wall_ms_per_run": round(1000 * t_total / n_runs, 2),
        "cpu_s_study": round(cpu_study, 1),
        "cpu_ms_per_run": round(1000 * cpu_study / n_runs, 2),
        "model_cpu_ms_per_run": round(1000 * model_per_run, 2),
        "model_time": how,
        "outside_model_fraction": round(1 - model_per_run * n_runs / cpu_study, 3),
        "out": str(out),
    }
    report["load_avg_before_study"] = load_start
    report["load_avg_after_study"] = load()
    report["parent_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    if not args.no_baseline:
        if args.order == "baseline-first":
            report.update(pre)
        else:
            report.update(baseline(spec, args.workers))
            report["load_avg_after_baseline"] = load()
        # the study's wall time includes its analysis with convergence check and figures
        report["study_wall_with_analysis_s"] = round(t_total, 1)
        report["study_over_baseline"] = round(t_total / report["baseline_wall_s"], 3)
        report["cpu_study_over_baseline"] = round(cpu_study / report["baseline_cpu_s"], 3)
    if args.dask_external:
        report.update(external_dask(spec, args.workers, out.with_name(out.name + "_dask")))
        report["load_avg_after_dask"] = load()
        report["dask_over_local"] = round(report["dask_external_wall_s"] / t_total, 3)
        report["dask_cpu_over_local"] = round(report["dask_external_cpu_s"] / cpu_study, 3)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
