"""`govsim sensitivity SPEC`: run a sensitivity study from a YAML spec (see sim/sensitivity/spec.py)."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli import set_option, warn_ineffective


@click.command("sensitivity")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: results/sensitivity/<spec name>).",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Parallel workers."
)
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address (backend dask; default: a local cluster).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Complete an interrupted study in --out (finished runs are kept).",
)
@click.option("--analyse-only", is_flag=True, help="Only re-analyse the runs already in --out.")
@click.option(
    "--progress/--no-progress",
    default=True,
    show_default=True,
    help="Progress bar on stderr (as on `govsim batch`).",
)
@click.option("--quiet", is_flag=True, hidden=True, help="Same as --no-progress (older name).")
@set_option(
    " (held fixed in every run of a scenario that uses it; a name the study samples, or one "
    "no scenario of the study uses, is an error)"
)
def sensitivity(
    spec: Path,
    out: Path | None,
    workers: int,
    backend: str,
    scheduler: str | None,
    resume: bool,
    analyse_only: bool,
    progress: bool,
    quiet: bool,
    overrides: tuple[str, ...],
) -> None:
    """Sample the parameters of SPEC, run the model, and write Sobol/Morris/eFAST/PAWN/delta/DGSM/
    RBD-FAST indices with CIs (seed error included), a convergence verdict and figures."""
    if workers > 1 and backend == "local" and scheduler is None and not analyse_only:
        from sim.experiments.backends import thread_env

        thread_env()  # before numpy and pyarrow load: no extra thread, so the pool can be forked
    from sim.overrides import parse_set
    from sim.scenario import load_scenario
    from sim.seeds import derive_seeds
    from sim.sensitivity.spec import load_spec, with_fixed
    from sim.sensitivity.study import analyse_study, run_study

    sets = parse_set(overrides)
    s = with_fixed(
        load_spec(spec), sets
    )  # every spec and --set error surfaces here, before any run
    if sets and not analyse_only:
        from sim.population.spec import is_population

        for _, ref in s.scenarios:
            if is_population(ref):  # held fixed in every municipality that has the name
                continue
            sc = load_scenario(ref)
            mine = {k: v for k, v in sets.items() if sc.uses_parameter(k)}
            warn_ineffective([sc], mine, derive_seeds(s.seed, 1)[0], s.years)
    out = out or Path("results") / "sensitivity" / s.name
    if analyse_only:
        res = analyse_study(s, out)
    else:
        res = run_study(
            s,
            out,
            workers=workers,
            backend=backend,
            scheduler=scheduler,
            resume=resume,
            progress=progress and not quiet,
        )
    click.echo((out / "summary.txt").read_text(encoding="utf-8"))
    click.echo(
        f"wrote {out}/indices.csv (.parquet), convergence.csv, seed_noise.csv, problem.json and "
        f"{len([f for f in res.files if f.suffix == '.png'])} figures in {out}/figures"
    )
