"""Benchmark: wall time of one default 20-year run per preset, against Mesa's BoltzmannWealth
(1,000 agents, 40 steps) measured in the same process as a yardstick, and scaling when the
numbers of citizens and employees double.

    python benchmarks/bench_run.py [--repeats 15]

Targets (issues 10 and 11): a govsim default run costs at most 0.25 × a Boltzmann run, and
doubling citizens and employees at most doubles the time. Each preset's ratio is the median
over back-to-back pairs (Boltzmann, preset), so load that comes and goes on a shared machine
moves both sides of a ratio; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

from sim import load_scenario
from sim.overrides import apply_overrides
from sim.runner import release, simulate
from sim.scenario import preset_names


def median_time(fn, repeats: int) -> float:
    fn()  # warm up imports and caches
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def paired_ratio(fn, yard, repeats: int) -> tuple[float, float]:
    """Median of `fn`'s time over the yardstick's, each pair run back to back (yardstick, fn,
    yardstick, fn, …), so a machine that gets busier or quieter moves both sides of a ratio;
    returns (median ratio, median time of fn)."""
    fn()
    yard()
    ratios, times = [], []
    for _ in range(repeats):
        y = timed(yard)
        t = timed(fn)
        ratios.append(t / y)
        times.append(t)
    return statistics.median(ratios), statistics.median(times)


def boltzmann() -> None:
    m = BoltzmannWealth(n=1000, seed=1)
    for _ in range(40):
        m.step()


def govsim(sc):
    def go() -> None:
        release(simulate(sc, seed=1))

    return go


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    yard = median_time(boltzmann, args.repeats)
    print(f"BoltzmannWealth(n=1000), 40 steps: median {yard * 1000:.1f} ms (yardstick)")
    print(f"{'preset':<22} {'median ms':>10} {'× Boltzmann':>12}  (median of back-to-back pairs)")
    for name in preset_names():
        ratio, t = paired_ratio(govsim(load_scenario(name)), boltzmann, args.repeats)
        print(f"{name:<22} {t * 1000:>10.1f} {ratio:>12.2f}")
    base = load_scenario("bum")
    p = base.parameters.municipality
    double = apply_overrides(
        base, {"municipality.citizens": 2 * p.citizens, "municipality.employees": 2 * p.employees}
    )
    t1 = median_time(govsim(base), args.repeats)
    t2 = median_time(govsim(double), args.repeats)
    print(
        f"bum with 2× citizens and employees: {t2 * 1000:.1f} ms vs {t1 * 1000:.1f} ms → ratio {t2 / t1:.2f}"
    )


if __name__ == "__main__":
    main()
