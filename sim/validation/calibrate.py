"""Calibration: choose the uncertain parameters so the model matches the calibration patterns.

Run ``python -m sim.validation.calibrate [experiments/calibration.yaml] [--workers N]``. The
experiment file lists steps; each sweeps one parameter over a grid with the experiment engine,
measures the named validation check at every grid value, fits a line through the grid means and
takes the value where it meets the evidence target. Steps run in order and every later step sees
the values chosen before it. Why a grid and not an optimiser: one parameter per pattern, a metric
that is monotone in it, and a table of the whole sweep that a reader can check
(docs/CALIBRATION.md).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from sim.errors import GovsimError
from sim.experiments.engine import execute
from sim.params import Range, resolve_range, schema_index
from sim.seeds import derive_seeds
from sim.stats import mean_ci
from sim.validation.checks import CHECKS, Check
from sim.validation.data import (
    VARIANTS,
    RunData,
    build_specs,
    read_tables,
    refuse_failed_runs,
    split_results,
)

TABLES = ("yearly", "tenders")  # the calibrated checks need no areas table

DEFAULT_FILE = Path("experiments/calibration.yaml")


@dataclass(frozen=True)
class Step:
    parameter: str
    check: Check
    target: float
    grid: tuple[float, ...]
    variants: tuple[str, ...]
    replications: int
    range: Range  # the grid's ends (sim.params.Range): how a value becomes a model value

    def model_value(self, value: float) -> float | int:
        """A grid or chosen value as the model takes it (whole-number parameters as Range floors them)."""
        return self.range.value(value)

    @property
    def resolution(self) -> float:
        """Chosen values are rounded to a tenth of the grid step."""
        return (self.grid[1] - self.grid[0]) / 10 if len(self.grid) > 1 else 1e-6


def load_plan(path: Path) -> tuple[int, int, list[Step]]:
    """Read and validate the experiment file → (replications, master seed, steps)."""
    from sim.scenario import read_yaml

    try:
        Path(path).read_bytes()
    except OSError as e:
        raise GovsimError(f"{path}: cannot read the calibration file ({e.strerror})") from None
    raw = read_yaml(Path(path))  # one message for bad YAML or a duplicate key
    if not isinstance(raw, dict) or "steps" not in raw:
        raise GovsimError(f"{path}: expected a mapping with keys replications, master_seed, steps")
    known = schema_index()
    checks = {c.id: c for c in CHECKS}
    labels = {v.label for v in VARIANTS}
    steps = []
    for i, s in enumerate(raw["steps"]):
        where = f"{path}: steps[{i}]"
        name = s.get("parameter")
        if name not in known:
            raise GovsimError(f"{where}.parameter: unknown parameter {name!r}; see `govsim params`")
        if s.get("check") not in checks:
            raise GovsimError(
                f"{where}.check: {s.get('check')!r} is not a check id; allowed: {', '.join(checks)}"
            )
        g = s.get("grid") or {}
        try:
            start, stop, step = float(g["start"]), float(g["stop"]), float(g["step"])
        except (KeyError, TypeError, ValueError):
            raise GovsimError(f"{where}.grid: needs numbers start, stop, step") from None
        if step <= 0 or stop < start:
            raise GovsimError(f"{where}.grid: needs step > 0 and stop ≥ start, got {g}")
        grid = tuple(float(round(v, 10)) for v in np.arange(start, stop + step / 2, step))
        # one treatment of whole numbers (sim.params.Range): a whole-number parameter needs
        # whole-number ends and step, so every grid value is a model value as it stands
        rng = resolve_range(name, grid[0], grid[-1], where=f"{where}.grid")
        if rng.kind == "int" and step != int(step):
            raise GovsimError(
                f"{where}.grid: step {step:g} is not a whole number, but {name!r} is a whole number"
            )
        bad = [v for v in s.get("variants", []) if v not in labels]
        if bad or not s.get("variants"):
            raise GovsimError(
                f"{where}.variants: {bad or 'missing'}; allowed: {', '.join(sorted(labels))}"
            )
        reps = s.get("replications", raw.get("replications", 30))
        if isinstance(reps, bool) or not isinstance(reps, int) or reps < 2:
            raise GovsimError(f"{where}.replications: {reps!r} must be a whole number ≥ 2")
        steps.append(
            Step(
                name, checks[s["check"]], float(s["target"]), grid, tuple(s["variants"]), reps, rng
            )
        )
    return int(raw.get("replications", 30)), int(raw.get("master_seed", 7)), steps


def grid_seeds(master_seed: int, k: int, n: int) -> list[int]:
    """The replication seeds of grid value `k`: independent between grid values, so the line
    fitted across the grid averages the seed noise of all of them (with common seeds every grid
    value would share one seed set's luck)."""
    return derive_seeds(master_seed, n, k)


def sweep(
    step: Step, chosen: dict[str, Any], master_seed: int, workers: int, start_year: int
) -> pd.DataFrame:
    """Run every grid value of `step` (with earlier choices applied) and measure its check."""
    variants = [v for v in VARIANTS if v.label in step.variants]
    seeds = {k: grid_seeds(master_seed, k, step.replications) for k in range(len(step.grid))}
    with tempfile.TemporaryDirectory(prefix="govsim-calibrate-") as tmp:
        tmp = Path(tmp)
        specs = []
        for k, value in enumerate(step.grid):
            specs += build_specs(
                variants,
                seeds[k],
                tmp,
                {**chosen, step.parameter: step.model_value(value)},
                prefix=f"g{k:03d}-",
            )
        out = tmp / "runs"
        summary = execute(specs, out, workers=workers, tables=TABLES, progress=sys.stderr.isatty())
        refuse_failed_runs(summary, out, specs, f"calibration of {step.parameter}")
        raw = read_tables(out, TABLES)
        rows = []
        for k, value in enumerate(step.grid):
            data = RunData(
                split_results(raw, prefix=f"g{k:03d}-"),
                seeds[k],
                start_year,
                overrides={**chosen, step.parameter: step.model_value(value)},
            )
            x = np.asarray(step.check.metric(data), dtype=float)
            finite = x[np.isfinite(x)]
            if finite.size < 2:
                raise GovsimError(
                    f"calibration of {step.parameter} = {value:g}: check {step.check.id} gives a "
                    f"value in only {finite.size} of {x.size} replications; no mean can be fitted"
                )
            if finite.size < x.size:  # a replication in which the check has nothing to measure
                click.echo(
                    f"warning: check {step.check.id} gives no value in {x.size - finite.size} of {x.size} "
                    f"replications at {step.parameter} = {value:g}; the mean is over the other "
                    f"{finite.size}",
                    err=True,
                )
            m, lo, hi = mean_ci(finite)
            rows.append({"value": value, "mean": m, "lo": lo, "hi": hi, "n": int(finite.size)})
    return pd.DataFrame(rows)


def fit_line(table: pd.DataFrame) -> tuple[float, float]:
    """Least-squares line mean = a + b · value across the grid, weighted by 1 / SE²."""
    se = ((table["hi"] - table["lo"]) / 2).clip(lower=1e-12)
    b, a = np.polyfit(table["value"], table["mean"], 1, w=1.0 / se)
    return float(a), float(b)


def choose(table: pd.DataFrame, target: float, resolution: float) -> float:
    """Where the fitted line meets the target, inside the grid, rounded to `resolution`.

    Why a line and not the nearest grid point: each grid value's mean carries its own seed
    noise; the line pools every replication of the sweep (the metrics calibrated here are
    close to linear over their grids, see the tables in docs/CALIBRATION.md)."""
    a, b = fit_line(table)
    lo, hi = float(table["value"].min()), float(table["value"].max())
    x = (
        (target - a) / b
        if b != 0
        else float(table.loc[(table["mean"] - target).abs().idxmin(), "value"])
    )
    x = min(max(x, lo), hi)
    digits = max(0, -int(np.floor(np.log10(resolution))))
    return round(round(x / resolution) * resolution, digits)


def calibrate(
    path: Path = DEFAULT_FILE, workers: int = 1
) -> tuple[dict[str, float], list[tuple[Step, pd.DataFrame]]]:
    from sim.scenario import load_scenario

    _, master_seed, steps = load_plan(path)
    start_year = load_scenario("bum").start_year
    chosen: dict[str, Any] = {}
    sweeps = []
    for step in steps:
        t0 = time.perf_counter()
        table = sweep(step, chosen, master_seed, workers, start_year)
        chosen[step.parameter] = step.model_value(choose(table, step.target, step.resolution))
        click.echo(
            f"{step.parameter:<40} → {chosen[step.parameter]:g}  (check {step.check.id}, target "
            f"{step.target:g}, {len(step.grid)} values × {step.replications} seeds, {time.perf_counter() - t0:.0f} s)"
        )
        sweeps.append((step, table))
    return chosen, sweeps


def write_docs(
    chosen: dict[str, float],
    sweeps: list[tuple[Step, pd.DataFrame]],
    plan: Path,
    docs: Path,
    seconds: float,
) -> Path:
    """docs/CALIBRATION.md (procedure, chosen values, full sweep tables) and calibration.json."""
    from sim.validation.report import fmt

    idx = schema_index()
    (docs / "validation").mkdir(parents=True, exist_ok=True)
    (docs / "validation" / "calibration.json").write_text(json.dumps(chosen, indent=2) + "\n")
    out = [
        "# Calibration",
        "",
        f"*Generated by `python -m sim.validation.calibrate {plan}` ({seconds:.0f} s). Do not edit by hand.*",
        "",
        "## Procedure",
        "",
        f"The experiment file [`{plan}`](../{plan}) lists the steps. Each step sweeps one uncertain parameter "
        "over a grid with the experiment engine (`sim.experiments.engine.execute`), each grid value on its "
        "own replication seeds, with every value chosen by an earlier step applied. The metric is the "
        "validation check of the same id (`sim/validation/checks.py`), so calibration and validation measure "
        "the same thing. A straight line (weighted by 1/SE²) is fitted to the grid means and the value where "
        "it meets the evidence target is chosen, rounded to a tenth of the grid step: the line pools every "
        "replication of the sweep, so the choice is not at the mercy of one grid value's seed noise. The "
        'chosen values are then the parameter defaults (source "calibrated …" in `govsim params`). '
        "`govsim validate` afterwards runs on other seeds, so the fit it reports is out of sample in the "
        "random numbers (not in the data: the same facts serve both).",
        "",
        "Only checks 1a, 5a, 5b and 8a are calibration targets; every other check in "
        "[VALIDATION.md](VALIDATION.md) is an independent test, and VALIDATION.md shows the fit of the four "
        "targets at the chosen values on independent seeds. After any change to the model, run this "
        "calibration again, copy changed values into the defaults (a test compares "
        "`docs/validation/calibration.json` with them) and regenerate VALIDATION.md with `govsim validate`.",
        "",
        "## Chosen values",
        "",
        "| parameter | chosen | target (check) | fitted line: mean = a + b · value | plausible range | source |",
        "|---|---|---|---|---|---|",
    ]
    for step, table in sweeps:
        a, b = fit_line(table)
        p = idx[step.parameter]
        u = step.check.unit
        out.append(
            f"| `{step.parameter}` | {chosen[step.parameter]:g} | {fmt(step.target, u)} ({step.check.id}: "
            f"{step.check.pattern}) | a = {a:.4g}, b = {b:.4g} | {p.low:g}–{p.high:g} | {p.source} |"
        )
    out += ["", "## Every grid value", ""]
    for step, table in sweeps:
        u = step.check.unit
        out += [
            f"### `{step.parameter}` → check {step.check.id}, target {fmt(step.target, u)} "
            f"({step.replications} replications)",
            "",
            "| value | model mean | 95 % CI |",
            "|---|---|---|",
        ]
        for _, r in table.iterrows():
            out.append(
                f"| {r['value']:g} | {fmt(r['mean'], u)} | [{fmt(r['lo'], u)}, {fmt(r['hi'], u)}] |"
            )
        out.append(
            f"| **{chosen[step.parameter]:g} (chosen)** | {fmt(step.target, u)} (target, on the fitted line) | |"
        )
        out.append("")
    path = docs / "CALIBRATION.md"
    path.write_text("\n".join(out) + "\n")
    return path


@click.command()
@click.argument("plan", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_FILE)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--docs",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs"),
    show_default=True,
)
def main(plan: Path, workers: int, docs: Path) -> None:
    """Calibrate the parameters named in PLAN and write docs/CALIBRATION.md."""
    t0 = time.perf_counter()
    try:
        chosen, sweeps = calibrate(plan, workers)
    except GovsimError as e:
        click.echo(f"error: {e.message}", err=True)
        sys.exit(2)
    path = write_docs(chosen, sweeps, plan, docs, time.perf_counter() - t0)
    idx = schema_index()
    click.echo(f"wrote {path}")
    changed = {k: v for k, v in chosen.items() if not np.isclose(float(idx[k].default), v)}
    for k, v in changed.items():
        click.echo(f"  default differs: {k} = {idx[k].default} in the code, calibrated {v:g}")
    if not changed:
        click.echo("  every calibrated value equals its default in the code")


if __name__ == "__main__":
    main()
