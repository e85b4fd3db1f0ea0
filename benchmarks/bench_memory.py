"""Benchmark: the parent process's memory over a whole sensitivity study of 10,000–100,000 runs.

Issue 15 asks that the parent grow by < 50 MB over 100,000 runs (< 500 bytes a run), execution
and analysis together. The model is replaced by a fake that returns two years of one outcome at
once (so 100,000 runs take minutes, not hours); everything else is the real study: the Sobol'
design, the engine's validation of every point, the run list, the chunks, the Parquet parts,
the status and manifest writes, the analysis with its convergence check. Figures are left out
(their cost depends on the parameters, not the runs).

Each size runs in a fresh process, which reports
- `traced_peak_mb`: the peak of Python allocations (tracemalloc) during `run_study`,
- `rss_growth_mb`: the process's peak resident memory (ru_maxrss) minus its resident memory just
  before the study (it also counts numpy and Arrow buffers, and the allocator's fragmentation),
and the bytes per run between the smallest and the largest size are the growth rates.

    python benchmarks/bench_memory.py                    # N = 1024, 4096, 8192: 14,336–114,688 runs
    python benchmarks/bench_memory.py --N 256 1024       # quicker: 3,584 and 14,336 runs
    python benchmarks/bench_memory.py --no-trace         # RSS only (tracemalloc slows it ≈ 2×)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARAMETERS = 12  # as bench_sobol: N × (12 + 2) runs


def fake_chunk(specs, tables, columns):
    """Two years of `admin_overhead_share`, a smooth function of the parameters and the seed."""
    import pandas as pd

    from sim.experiments.engine import RunOutcome

    out = []
    for s in specs:
        x = sum(float(v) for _, v in s.overrides) + (s.seed % 7) * 1e-3
        y = pd.DataFrame({"year": [2008, 2009], "admin_overhead_share": [x, 2 * x]})
        out.append(RunOutcome(s.run_id, {"yearly": y}, None, 0.0, "fake"))
    return out


def child(n: int, out: Path, trace: bool) -> dict:
    import tracemalloc

    import psutil

    import sim.experiments.engine as engine
    import sim.sensitivity.figures as figures
    from benchmarks.bench_sobol import PARAMETERS as NAMES
    from sim.sensitivity.spec import spec_from_dict
    from sim.sensitivity.study import run_study

    engine.run_chunk = fake_chunk
    figures.write_figures = lambda *a, **k: []

    def spec(n: int):
        return spec_from_dict(
            {
                "name": f"bench_memory_N{n}",
                "parameters": {p: None for p in NAMES[:PARAMETERS]},
                "outcomes": [
                    {"column": "admin_overhead_share", "summary": "mean", "scenario": "bum"}
                ],
                "method": {"name": "sobol", "N": n, "num_resamples": 10},
                "replications": 1,
                "years": 2,
                "seed": 11,
            },
            "bench_memory",
        )

    run_study(spec(8), out / "warm", progress=False)  # imports, caches, the forkserver
    rss0 = psutil.Process().memory_info().rss
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    run_study(spec(n), out / "study", progress=False)
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "N": n,
        "runs": n * (PARAMETERS + 2),
        "wall_s": round(wall, 1),
        "traced_peak_mb": None if peak is None else round(peak / 1e6, 2),
        "rss_before_mb": round(rss0 / 1e6, 1),
        "rss_growth_mb": round((maxrss - rss0) / 1e6, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, nargs="+", default=[1024, 4096, 8192])
    ap.add_argument("--no-trace", action="store_true", help="RSS only, no tracemalloc")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.out, not args.no_trace)))
        return
    root = Path(__file__).resolve().parents[1]
    rows = []
    for n in sorted(args.N):
        with tempfile.TemporaryDirectory(prefix="bench_memory_") as tmp:
            cmd = [sys.executable, "-m", "benchmarks.bench_memory", "--child", str(n)]
            cmd += ["--out", tmp] + (["--no-trace"] if args.no_trace else [])
            load = [round(x, 2) for x in os.getloadavg()]
            p = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True)
            rows.append({**json.loads(p.stdout.strip().splitlines()[-1]), "load_avg": load})
            print(json.dumps(rows[-1]), flush=True)
    report: dict = {"sizes": rows}
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        extra = b["runs"] - a["runs"]
        if a["traced_peak_mb"] is not None:
            report["traced_bytes_per_run"] = round(
                (b["traced_peak_mb"] - a["traced_peak_mb"]) * 1e6 / extra, 1
            )
        report["rss_bytes_per_run"] = round(
            (b["rss_growth_mb"] - a["rss_growth_mb"]) * 1e6 / extra, 1
        )
        per_run = report.get("traced_bytes_per_run", report["rss_bytes_per_run"])
        report["mb_per_100k_runs"] = round(per_run * 100_000 / 1e6, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
