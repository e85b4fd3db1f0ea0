"""The golden master: exact result tables of every preset × 2 seeds × 5 years.

It pins what the model computes, so a refactoring that changes any number fails
``tests/test_golden.py``. When a behaviour change is intended, regenerate the tables on purpose
(in a commit of its own that says why the numbers moved):

    python -m tests.golden.make

**Reference arithmetic.** On a processor with AVX-512, numpy computes ``exp`` and ``power`` of
float64 arrays with other kernels than on an AVX2 processor, which differ in the last bit; over
a run such a bit can flip a decision (a bid that wins by 1e-16), and the tables then differ by
far more. So the golden tables are computed — when written and when checked — in a subprocess
whose numpy has its AVX-512 kernels switched off (``NPY_DISABLE_CPU_FEATURES``): the same
arithmetic on every x86-64 machine with AVX2. (The model uses no BLAS routine, whose kernels
also differ by processor: ``sim.arrays.weighted_sum``.) Same seed, same results on one
machine across workers and backends needs no such switch; it is tested elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEEDS = (1, 2)
YEARS = 5
TABLES = ("yearly", "areas", "admin", "tenders")


def cases() -> list[str]:
    from sim.scenario import preset_names

    return sorted(preset_names())


def compute() -> dict[str, pd.DataFrame]:
    """Every table of every case, stacked with ``scenario`` and ``seed`` columns in front, in
    this process's arithmetic."""
    from sim import run

    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    for name in cases():
        for seed in SEEDS:
            res = run(name, seed=seed, years=YEARS)
            for t in TABLES:
                df = getattr(res, t).copy()
                df.insert(0, "seed", seed)
                df.insert(0, "scenario", name)
                parts[t].append(df)
    return {t: pd.concat(parts[t], ignore_index=True) for t in TABLES}


def reference_env() -> dict[str, str]:
    """This environment with numpy's AVX-512 kernels switched off (those this processor has)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    off = [
        f
        for f in __cpu_dispatch__
        if __cpu_features__.get(f) and (f.startswith("AVX512") or f == "X86_V4")
    ]
    env = dict(os.environ)
    given = env.get("NPY_DISABLE_CPU_FEATURES", "").split()
    if off or given:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(dict.fromkeys([*given, *off]))
    return env


def compute_reference() -> dict[str, pd.DataFrame]:
    """``compute()`` in the reference arithmetic (a subprocess), as the tables are stored."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "tests.golden.make", "--to", tmp],
            cwd=ROOT,
            env=reference_env(),
            check=True,
            timeout=600,
        )
        return {t: pd.read_parquet(Path(tmp) / f"{t}.parquet") for t in TABLES}


def path(table: str) -> Path:
    return HERE / f"{table}.parquet"


def write(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    for t, df in tables.items():
        df.to_parquet(folder / f"{t}.parquet", index=False)


def main() -> None:
    if sys.argv[1:2] == ["--to"]:  # the reference subprocess
        write(compute(), Path(sys.argv[2]))
        return
    tables = compute_reference()
    write(tables, HERE)
    for t, df in tables.items():
        print(f"wrote {path(t).relative_to(ROOT)}: {len(df)} rows")


if __name__ == "__main__":
    main()
