"""`govsim batch` and `govsim report`: thin click commands over the engine and the report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sim.cli import set_option, warn_ineffective
from sim.errors import GovsimError


@click.command("batch")
@click.argument("experiment", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: results/<experiment name>).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that compute: this one plus N-1 in a local pool, or N Dask workers.",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local = process pool on this machine; dask = dask.distributed.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --backend dask).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Complete a partly written output directory: run only missing runs.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=None,
    help="Runs per task (default: shrinking chunks of at most 25 runs).",
)
@click.option(
    "--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr."
)
@click.option(
    "--worker-wait",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Dask: give up with a message after this long with no live worker.",
)
@set_option(" (added to every run of the experiment; a name the file already varies is an error)")
def batch(
    experiment: Path,
    out: Path | None,
    workers: int,
    backend: str,
    scheduler: str | None,
    resume: bool,
    chunk_size: int | None,
    progress: bool,
    worker_wait: float,
    overrides: tuple[str, ...],
) -> None:
    """Run every (scenario, variation, replication) of an EXPERIMENT file; stream results to Parquet."""
    if workers > 1 and backend == "local" and scheduler is None:
        from sim.experiments.backends import thread_env

        thread_env()  # before numpy and pyarrow load: no extra thread, so the pool can be forked
    from sim.experiments.engine import execute
    from sim.experiments.spec import describe, expand, load_experiment, with_set
    from sim.overrides import parse_set

    sets = parse_set(overrides)
    exp = load_experiment(experiment)
    plain = expand(exp, experiment)
    specs = with_set(plain, sets)
    out = out or Path("results") / exp.name
    if sets:
        from sim.overrides import apply_overrides
        from sim.population.spec import is_population
        from sim.scenario import load_scenario

        firsts = {s.scenario: s for s in reversed(plain)}  # each scenario's first run
        for ref, s in reversed(firsts.items()):
            if is_population(ref):  # --set applies to each municipality that has the name
                continue
            sc = apply_overrides(load_scenario(ref), dict(s.overrides))
            warn_ineffective([sc], sets, s.seed, s.years)
    summary = execute(
        specs,
        out,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        resume=resume,
        tables=tuple(exp.tables),
        columns=exp.outcomes,
        chunk_size=chunk_size,
        progress=progress,
        manifest_extra={
            **describe(exp, specs),
            "experiment_file": str(experiment),
            "overrides": sets,
        },
        worker_wait=worker_wait if (backend == "dask" or scheduler) else None,
    )
    click.echo(
        f"{exp.name}: {summary.done} runs done, {summary.failed} failed, {summary.skipped} already done "
        f"→ {out}"
    )
    if summary.failed:
        click.echo(
            f"failed runs (traceback and parameters) are in {out}/runs; "
            "fix the cause and run again with --resume",
            err=True,
        )
        sys.exit(1)


@click.command("report")
@click.argument("results", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file (default: RESULTS/report.html); CSV summaries go beside it.",
)
@click.option(
    "--baseline",
    default=None,
    help="Case the differences are taken against (default: 'bum' if present, else the first case).",
)
def report(results: Path, out: Path | None, baseline: str | None) -> None:
    """Write a self-contained HTML report and CSV summaries for a `govsim batch` or
    `govsim compare` output directory."""
    from sim.atomic import check_out_dir
    from sim.experiments.export import read_tables
    from sim.experiments.report import check_rows, is_store, missing_runs, write_report

    check_out_dir((out or results / "report.html").parent, "--out")
    yearly = read_tables(results)["yearly"]
    if is_store(results):
        check_rows(results, {"yearly": yearly})
        for w in missing_runs(results, yearly):
            click.echo(f"warning: {w}", err=True)
    paths = write_report(results, out, baseline=baseline)
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@click.command("export")
@click.argument("results", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
    help="csv: one file per table; xlsx: one workbook with a sheet per table (needs openpyxl).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: RESULTS/export).",
)
def export_cmd(results: Path, fmt: str, out: Path | None) -> None:
    """Export the tables of a batch, compare or run folder for a spreadsheet, with runs_summary:
    one row per run (scenario, case, seed, overrides; each outcome's run mean and final value)."""
    from sim.experiments.export import export

    files = export(results, out, fmt)
    click.echo(
        f"wrote {len(files)} files in {files[0].parent}: " + ", ".join(f.name for f in files)
    )


__all__ = ["batch", "report", "export_cmd", "GovsimError"]
