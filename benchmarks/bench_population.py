"""Benchmark: one national run of Denmark's 98 municipalities over 20 years against one default
single-municipality run (bum, 20 years) measured in the same process, and how a national run
scales with the number of municipalities (N = 25, 50, 98, 200: the Denmark file with N changed,
its five regions as shares).

    python benchmarks/bench_population.py [--repeats 3] [--single-repeats 15]
    python benchmarks/bench_population.py --batch 200 [--batch-years 20] [--batch-repeats 2]

Issue 12's batch target: a 200-run national batch (`run_population_batch`, one national run
per task) on 2 workers reaches a parallel efficiency of at least 0.85 — wall time on 1 worker
over twice the wall time on 2, the two timed one after the other in this process.

Issue 12's target: a 98-municipality, 20-year national run costs at most 30 × one default run,
and time grows at most linearly with N. The machine may be shared: the load average (`uptime`)
is printed before and after, every figure is a median of repeats, and CPU time of this process
(all runs are in it) is reported beside wall time, as it is less sensitive to other jobs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from sim import run
from sim.population import load_population, run_population
from sim.population.spec import build_population, populations_dir, read_yaml


def median_time(fn, repeats: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (less sensitive to other jobs on a
    shared machine; every run here is in this process)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def denmark_with(n: int):
    path = populations_dir() / "denmark.yaml"
    data = read_yaml(path)
    data = {**data, "municipalities": n, "name": f"denmark_n{n}"}
    data.pop("regions", None)  # Denmark's five regions, as shares of N
    return build_population(data, f"{path} (municipalities: {n})", path.parent)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3, help="repeats of each national run")
    ap.add_argument("--single-repeats", type=int, default=15)
    ap.add_argument("--batch", type=int, default=0, help="only the batch part: RUNS national runs")
    ap.add_argument("--batch-years", type=int, default=20)
    ap.add_argument("--batch-repeats", type=int, default=1, help="alternating 1/2-worker pairs")
    args = ap.parse_args()
    if args.batch:
        return batch(args.batch, args.batch_years, args.batch_repeats)
    print(f"before: {load()}")
    run("bum", seed=1, years=2)  # warm up imports and caches

    def single() -> tuple[float, float]:
        return median_time(lambda: run("bum", seed=1, years=20), args.single_repeats)

    s1 = single()
    t = time.perf_counter()
    pop = load_population("denmark")
    build = time.perf_counter() - t
    nat = median_time(lambda: run_population(pop, seed=1, years=20), args.repeats)
    s2 = single()  # again after the national runs: the load may have changed meanwhile
    one = tuple((a + b) / 2 for a, b in zip(s1, s2, strict=True))
    print(
        f"default single run (bum, 20 years, tables built): median {s1[0]:.3f} s before, "
        f"{s2[0]:.3f} s after the national runs (CPU {s1[1]:.3f} s, {s2[1]:.3f} s)"
    )
    print(
        f"national run (denmark, {len(pop)} municipalities, 20 years, 1 process): median "
        f"{nat[0]:.2f} s wall = {nat[0] / one[0]:.1f} × the single run, CPU {nat[1]:.2f} s = "
        f"{nat[1] / one[1]:.1f} × (target ≤ 30 ×); building the population from its file: "
        f"{build:.2f} s"
    )
    print(
        f"\n{'N':>5} {'wall s':>8} {'CPU s':>8} {'CPU s per municipality':>23} {'CPU × single':>13}"
    )
    per = {}
    for n in (25, 50, 98, 200):
        p = denmark_with(n)
        wall, cpu = median_time(lambda p=p: run_population(p, seed=1, years=20), 1)
        per[n] = cpu / n
        print(f"{n:>5} {wall:>8.2f} {cpu:>8.2f} {cpu / n:>23.3f} {cpu / one[1]:>13.1f}")
    growth = per[200] / per[25]
    print(
        f"CPU time per municipality at N = 200 / at N = 25: {growth:.2f} "
        "(≤ 1: at most linear growth)"
    )
    print(f"after: {load()}")


def batch(runs: int, years: int, repeats: int = 1) -> None:
    """Parallel efficiency of a national batch of `runs` runs on 2 workers against 1; with
    `repeats` > 1 the legs alternate (1, 2, 1, 2, …) and each pair gives one efficiency, so a
    change of the machine's speed between legs shows as a spread instead of one biased ratio."""
    from sim.population import run_population_batch
    from sim.seeds import derive_seeds

    pop = load_population("denmark")
    seeds = derive_seeds(7, runs)
    run_population_batch(pop, seeds[:2], years=2, workers=2)  # warm: imports, the pool's start
    effs = []
    for rep in range(repeats):
        times = {}
        for workers in (1, 2):
            before = load()
            t = time.perf_counter()
            res = run_population_batch(pop, seeds, years=years, workers=workers)
            times[workers] = time.perf_counter() - t
            assert res.national["run_seed"].nunique() == runs
            print(
                f"[{rep + 1}/{repeats}] {runs} national runs × {years} years on {workers} "
                f"worker(s): {times[workers]:.1f} s ({before} before, {load()} after)"
            )
        effs.append(times[1] / (2 * times[2]))
        print(f"[{rep + 1}/{repeats}] parallel efficiency on 2 workers: {effs[-1]:.2f}")
    print(
        f"parallel efficiency on 2 workers: median {statistics.median(effs):.2f}, "
        f"range {min(effs):.2f}–{max(effs):.2f} over {repeats} pair(s) (target ≥ 0.85)"
    )


if __name__ == "__main__":
    main()
