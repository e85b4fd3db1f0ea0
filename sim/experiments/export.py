"""`govsim export DIR`: the tables of a batch, a comparison or a run as CSV (or XLSX) for a
spreadsheet, plus ``runs_summary``: one row per run with its identity (scenario, case, seed,
overridden parameters) and each outcome's run mean and final-year value.

Reads what the commands write: a `govsim batch` (or sensitivity ``batch/``) store, or a folder
with ``yearly.parquet`` (`govsim compare`, `govsim run`). Writes into ``--out`` (default:
``DIR/export``) all at once or not at all (``sim.atomic``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import GovsimError
from sim.outputs import find, outcome_columns

TABLES = ("yearly", "areas", "admin", "tenders", "municipalities_yearly")  # the last: populations
FORMATS = ("csv", "xlsx")
#: identity columns that mark one run, in the order a summary row shows them
RUN_KEYS = ("run_id", "scenario", "label", "case", "variation", "replication", "seed")


def read_tables(results: Path) -> dict[str, pd.DataFrame]:
    """Every table `results` holds: a batch store's (``yearly/`` …) or a folder's ``*.parquet``."""
    from sim.experiments.engine import load_results

    results = Path(results)
    if not results.is_dir():
        raise GovsimError(
            f"{results}: not a directory (give the output folder of batch, compare or run)"
        )
    out: dict[str, pd.DataFrame] = {}
    for t in TABLES:
        if (results / f"{t}.parquet").is_file():
            out[t] = pd.read_parquet(results / f"{t}.parquet")
        elif (results / t).is_dir():
            out[t] = load_results(results, t)
    man = results / "manifest.json"
    if "yearly" in out and "scenario" not in out["yearly"].columns and man.is_file():
        import json

        m = json.loads(man.read_text())  # a `govsim run` folder: one run, named in its manifest
        if isinstance(m.get("scenario"), dict) and "seed" in m:
            for t, df in out.items():
                out[t] = df.assign(scenario=m["scenario"].get("name"), seed=m["seed"])
    if "yearly" not in out:
        raise GovsimError(
            f"{results}: no yearly table (neither yearly.parquet nor a batch's yearly/); give the "
            "output folder of `govsim batch`, `govsim compare` or `govsim run`"
        )
    return out


def run_keys(yearly: pd.DataFrame) -> list[str]:
    """The columns that identify a run in `yearly`: the batch/compare identity columns present,
    and every overridden parameter's column (a batch's ``<parameter name>`` columns)."""
    keys = [c for c in RUN_KEYS if c in yearly.columns]
    keys += [
        c
        for c in yearly.columns
        if c not in keys and find(c, "yearly") is None and find(c, "batch") is not None
    ]
    return keys


def runs_summary(yearly: pd.DataFrame) -> pd.DataFrame:
    """One row per run: its identity columns, ``years``, and for each numeric outcome
    ``<outcome>_mean`` (mean over the run's years) and ``<outcome>_final`` (its final year)."""
    keys = run_keys(yearly)
    outcomes = [c for c in outcome_columns("yearly") if c in yearly.columns]
    outcomes += [  # a population's national outcomes that a single run has not
        c for c in outcome_columns("national") if c in yearly.columns and c not in outcomes
    ]
    outcomes += [
        c for c in yearly.columns if c not in outcomes and find(c, "keys") and c not in RUN_KEYS
    ]
    by = ["run_id"] if "run_id" in keys else [k for k in ("scenario", "seed") if k in keys]
    ys = yearly.reset_index(drop=True)
    if not by:  # one run (`govsim run`): the whole table
        ys, by = ys.assign(_run=0), ["_run"]
    g = ys.groupby(by, sort=False, dropna=False)
    ident = g[[k for k in keys if k not in by]].first() if keys else None
    means = g[outcomes].mean().add_suffix("_mean")
    idx = g["year"].idxmax()
    finals = ys.loc[idx.to_numpy(), outcomes].set_axis(idx.index).add_suffix("_final")
    years = g["year"].nunique().rename("years")
    cols = [f"{c}_{s}" for c in outcomes for s in ("mean", "final")]
    parts = [
        x
        for x in (ident, years.to_frame(), pd.concat([means, finals], axis=1)[cols])
        if x is not None
    ]
    table = pd.concat(parts, axis=1).reset_index()
    return table.drop(columns=["_run"], errors="ignore")[[*[k for k in keys], "years", *cols]]


def export(results: Path, out: Path | None = None, fmt: str = "csv") -> list[Path]:
    """Write every table and ``runs_summary`` of `results` as CSV files (or one XLSX workbook
    with a sheet each) into `out`; return the files written."""
    from sim.atomic import atomic_directory, check_out_dir

    if fmt not in FORMATS:
        raise GovsimError(f"--format has value {fmt!r}; allowed: {', '.join(FORMATS)}")
    if fmt == "xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise GovsimError(
                "--format xlsx needs the openpyxl package, which is not installed here "
                "(pip install openpyxl); --format csv opens in every spreadsheet"
            ) from None
    results = Path(results)
    out = check_out_dir(Path(out) if out is not None else results / "export", "--out")
    tables = read_tables(results)
    tables["runs_summary"] = runs_summary(tables["yearly"])
    with atomic_directory(out) as tmp:
        if fmt == "csv":
            for name, df in tables.items():
                df.to_csv(tmp / f"{name}.csv", index=False)
            files = [out / f"{name}.csv" for name in tables]
        else:
            with pd.ExcelWriter(tmp / "tables.xlsx", engine="openpyxl") as xw:
                for name, df in tables.items():
                    df.to_excel(xw, sheet_name=name[:31], index=False)
            files = [out / "tables.xlsx"]
    return files
