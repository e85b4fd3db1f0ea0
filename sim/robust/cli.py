"""`govsim robust`: where each conclusion holds — the robustness study of BUM, HOD and the model
municipality over a Latin hypercube of every parameter they use (``sim.robust.study``).

Tables go to ``--out`` (default ``results/robust/``), with ROBUSTNESS.md beside them; ``--docs``
writes the committed docs/ROBUSTNESS.md instead (run from the repository root). The runs stream
to ``--out``/batch, so an interrupted study completes with ``--resume``.

``govsim robust EXPERIMENT.yaml`` instead runs the file's levers across a Latin hypercube of its
uncertainties (``sim.robust.policies``, docs/robustness_policies.md); its tables go to ``--out``
(default ``results/robust/<file stem>/``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

DEFAULT_OUT = Path("results") / "robust"
DOCS = Path("docs")


@click.command("robust")
@click.argument(
    "experiment", required=False, type=click.Path(dir_okay=False, path_type=Path), default=None
)
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Latin-hypercube draws; each runs BUM, HOD and the model municipality on one seed.",
)
@click.option(
    "--years",
    type=click.IntRange(1, 200),
    default=None,
    help="Run length (default: the scenarios' 20 years).",
)
@click.option(
    "--seed",
    "master_seed",
    type=click.IntRange(min=0),
    default=20110401,
    show_default=True,
    help="Master seed of the draws, their seeds and the default runs.",
)
@click.option(
    "--default-replications",
    "replications",
    type=click.IntRange(min=2),
    default=30,
    show_default=True,
    help="Paired seeds of the default result whose direction each comparison tests "
    "(the runs of `govsim compare` with this many replications and the same --seed).",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Local processes."
)
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option(
    "--scheduler", default=None, help="Dask scheduler address (backend dask; default: a local one)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder of the runs (batch/), the tables, manifest.json and ROBUSTNESS.md.",
)
@click.option(
    "--resume", is_flag=True, help="Complete an interrupted study in --out (done runs are kept)."
)
@click.option(
    "--docs",
    "to_docs",
    is_flag=True,
    help="Write ROBUSTNESS.md into docs/ (the committed report; run from the repository root) "
    "instead of into --out.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def robust(
    ctx: click.Context,
    experiment: Path | None,
    draws: int,
    years: int | None,
    master_seed: int,
    replications: int,
    workers: int,
    backend: str,
    scheduler: str | None,
    out: Path,
    resume: bool,
    to_docs: bool,
    quiet: bool,
) -> None:
    """Where each conclusion holds: the share of Latin-hypercube draws in which each headline
    comparison of BUM, HOD and the model municipality keeps its default direction, and (PRIM)
    the region where it reverses.

    With EXPERIMENT (a YAML file of levers and uncertainties, docs/robustness_policies.md):
    every policy on each Latin-hypercube draw of the uncertainties, its outcome's distribution,
    its regret against the best policy per draw, the minimax-regret ranking and (PRIM) where
    the chosen policy fails. --draws, --years and --seed, when given, override the file's."""
    if workers > 1 and backend == "local" and scheduler is None:
        from sim.experiments.backends import thread_env

        thread_env()  # before numpy and pyarrow load: no extra thread, so the pool can be forked
    import importlib.util

    from sim.atomic import check_out_dir
    from sim.errors import GovsimError

    if importlib.util.find_spec("ema_workbench") is None:  # PRIM: checked before any run
        raise GovsimError("govsim robust needs EMA Workbench for PRIM: pip install 'govsim[ema]'")
    if experiment is not None:
        given = {
            n
            for n in ("draws", "years", "master_seed", "replications", "to_docs")
            if ctx.get_parameter_source(n) is not click.core.ParameterSource.DEFAULT
        }
        if given & {"replications", "to_docs"}:
            raise GovsimError(
                "--default-replications and --docs belong to the study of the three presets; "
                f"they cannot be used with an experiment file ({experiment})"
            )
        if ctx.get_parameter_source("out") is click.core.ParameterSource.DEFAULT:
            out = DEFAULT_OUT / experiment.stem
        _policies(
            experiment,
            draws if "draws" in given else None,
            years,
            master_seed if "master_seed" in given else None,
            workers,
            backend,
            scheduler,
            out,
            resume,
            quiet,
        )
        return
    from sim.robust.report import headline, write_markdown
    from sim.robust.study import check_study_dir, plan, run_study, write_tables

    t0 = time.perf_counter()
    study = plan(draws, years, master_seed, replications)
    check_study_dir(out, resume)  # before any run: a wrong --out must not cost the runs
    if to_docs:
        check_out_dir(DOCS, "--docs")
    draws_df, summary = run_study(
        study,
        out,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        resume=resume,
        progress=not quiet and sys.stderr.isatty(),
    )
    seconds = time.perf_counter() - t0
    cmd = (
        f"govsim robust --draws {draws}"
        + ("" if years is None else f" --years {years}")
        + ("" if master_seed == 20110401 else f" --seed {master_seed}")
        + ("" if replications == 30 else f" --default-replications {replications}")
        + f" --workers {workers}"
        + ("" if out == DEFAULT_OUT else f" --out {out}")
        + (" --docs" if to_docs else "")
    )
    files = write_tables(
        study, out, draws_df, summary, {"seconds": round(seconds, 1), "workers": workers}
    )
    md = write_markdown(
        summary,
        study,
        (DOCS if to_docs else out) / "ROBUSTNESS.md",
        seconds,
        cmd,
        workers,
        out,
    )
    click.echo(headline(summary))
    click.echo(f"\nwrote {', '.join(str(f) for f in files)} and {md} ({seconds:.1f} s)")


def _policies(
    experiment: Path,
    draws: int | None,
    years: int | None,
    seed: int | None,
    workers: int,
    backend: str,
    scheduler: str | None,
    out: Path,
    resume: bool,
    quiet: bool,
) -> None:
    """`govsim robust EXPERIMENT.yaml`: the levers across the uncertainties (sim.robust.policies)."""
    from sim.robust.policies import headline, load_experiment, run_policies, write_tables
    from sim.robust.study import check_study_dir

    t0 = time.perf_counter()
    exp = load_experiment(experiment, draws=draws, seed=seed, years=years)
    check_study_dir(out, resume)  # before any run: a wrong --out must not cost the runs
    draws_df, summary, prim = run_policies(
        exp,
        out,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        resume=resume,
        progress=not quiet and sys.stderr.isatty(),
    )
    seconds = time.perf_counter() - t0
    files = write_tables(
        exp, out, draws_df, summary, prim, {"seconds": round(seconds, 1), "workers": workers}
    )
    click.echo(headline(exp, summary, prim))
    click.echo(f"\nwrote {', '.join(str(f) for f in files)} ({seconds:.1f} s)")
