"""The golden master: exact result tables of every preset × 2 seeds × 5 years.

It pins what the model computes, so a refactoring that changes any number fails
``tests/test_golden.py``. When a behaviour change is intended, regenerate the tables on purpose
(in a commit of its own that says why the numbers moved):

    python -m tests.golden.make
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SEEDS = (1, 2)
YEARS = 5
TABLES = ("yearly", "areas", "admin", "tenders")


def cases() -> list[str]:
    from sim.scenario import preset_names

    return sorted(preset_names())


def compute() -> dict[str, pd.DataFrame]:
    """Every table of every case, stacked with ``scenario`` and ``seed`` columns in front."""
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


def path(table: str) -> Path:
    return HERE / f"{table}.parquet"


def main() -> None:
    for t, df in compute().items():
        df.to_parquet(path(t), index=False)
        print(f"wrote {path(t).relative_to(HERE.parent.parent)}: {len(df)} rows")


if __name__ == "__main__":
    main()
