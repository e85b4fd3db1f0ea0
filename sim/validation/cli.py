"""`govsim validate`: run the stylised-fact checks, print the table, write VALIDATION.md and its
figures — into ``results/validation/`` by default, so a quick check never overwrites the
committed report; ``--docs`` (the same as ``--out docs``) regenerates docs/VALIDATION.md and
docs/validation/*.png on purpose.

Exit code 0 when every check passes, 1 when one fails, 2 for a user error or when runs failed
(no check is computed from the runs that happened to succeed).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from sim.cli import set_option, warn_ineffective

DEFAULT_REPLICATIONS = 200
DEFAULT_OUT = Path("results") / "validation"
DOCS = Path("docs")  # the committed report, written only with --docs (or --out docs)
NATIONAL_REPLICATIONS = 5  # national runs of a --population check (each ≈ 50 single runs)
NATIONAL_OUT = Path("results") / "validation_national"
NATIONAL_POPULATION = "denmark"  # the population whose checks VALIDATION.md carries


@click.command("validate")
@click.option(
    "--replications",
    type=click.IntRange(min=2),
    default=DEFAULT_REPLICATIONS,
    show_default=True,
    help="Seeded replications per scenario (each check's CI is over these).",
)
@click.option(
    "--seed",
    "master_seed",
    type=click.IntRange(min=0),
    default=None,
    help="Master seed of the replication seeds [default: 20110401].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes for the experiment engine.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where VALIDATION.md and validation/*.png are written [default: results/validation].",
)
@click.option(
    "--docs",
    "to_docs",
    is_flag=True,
    help="Regenerate the committed report: the same as --out docs (run from the repository root).",
)
@click.option(
    "--print-only",
    "--no-docs",
    "no_docs",
    is_flag=True,
    help="Only print the table; write no files.",
)
@click.option(
    "--keep-runs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the engine's run tables in this directory (default: a temporary one).",
)
@set_option(
    " (applied to every validated scenario that uses it: does the model still reproduce the "
    "stylised facts? Not with --docs, whose report is the model's defaults)"
)
@click.option(
    "--population",
    default=None,
    metavar="FILE",
    help="Run the national checks (E7, E8, E11) on a national batch of this population "
    "(a shipped name such as denmark, or a YAML file) instead of the stylised facts; "
    f"--replications defaults to {NATIONAL_REPLICATIONS} national runs here.",
)
@click.option(
    "--national/--no-national",
    default=None,
    help="Also run the national checks (N1–N3) on the shipped denmark population and add them "
    f"to the report ({NATIONAL_REPLICATIONS} national runs) [default: with --docs only].",
)
@click.pass_context
def validate(
    ctx: click.Context,
    replications: int,
    master_seed: int | None,
    workers: int,
    out: Path | None,
    to_docs: bool,
    no_docs: bool,
    keep_runs: Path | None,
    overrides: tuple[str, ...],
    population: str | None,
    national: bool | None,
) -> None:
    """Check the model against the eight stylised facts of EVIDENCE.md (exit 1 if one fails).

    With --population FILE: the national checks instead (docs/population.md)."""
    from sim.errors import GovsimError

    if population is not None:
        if national:
            raise GovsimError(
                "--national adds the denmark population's checks to the stylised facts; with "
                f"--population {population} only that population's checks run (leave one out)"
            )
        given = ctx.get_parameter_source("replications") != click.core.ParameterSource.DEFAULT
        return _national(
            population,
            replications if given else NATIONAL_REPLICATIONS,
            master_seed,
            workers,
            out,
            to_docs,
            no_docs,
            overrides,
        )
    from sim.overrides import parse_set, show
    from sim.validation.checks import evaluate
    from sim.validation.data import MASTER_SEED, check_set, collect
    from sim.validation.report import format_table, write_figures, write_markdown

    if to_docs and out is not None and out != DOCS:
        raise GovsimError(f"--docs writes into {DOCS}/; it cannot be combined with --out {out}")
    sets = parse_set(overrides)
    if sets and (to_docs or out == DOCS):
        k, v = next(iter(sets.items()))
        raise GovsimError(
            f"--set {k}={show(v)}: the committed report ({DOCS}/VALIDATION.md) checks the model's "
            "defaults; write a report with --set to another --out (default results/validation)"
        )
    users = check_set(sets)  # every bad --set before any run
    docs = DOCS if to_docs else (out if out is not None else DEFAULT_OUT)
    if national is None:
        national = docs == DOCS and not no_docs
    if national and sets:
        k, v = next(iter(sets.items()))
        raise GovsimError(
            f"--set {k}={show(v)}: the national checks run the denmark population's own "
            "parameters; leave out --national (or --set)"
        )
    pop = None
    if national:
        from sim.population import load_population

        pop = load_population(NATIONAL_POPULATION)
    if not no_docs:
        from sim.atomic import check_out_dir

        check_out_dir(docs, "--docs" if to_docs else "--out")  # before any run, not after
    t0 = time.perf_counter()
    seed = MASTER_SEED if master_seed is None else master_seed
    if sets:
        from sim.seeds import derive_seeds

        for sc, mine in users:
            warn_ineffective([sc], mine, derive_seeds(seed, 1)[0])
    data = collect(
        replications,
        seed,
        workers=workers,
        out=keep_runs,
        progress=sys.stderr.isatty(),
        overrides=sets or None,
    )
    results = evaluate(data)
    seconds = time.perf_counter() - t0
    click.echo(format_table(results))
    national_md = None
    national_results: list = []
    if pop is not None:
        from sim.validation.national import national_markdown

        t1 = time.perf_counter()
        ndata, national_results = _national_checks(pop, NATIONAL_REPLICATIONS, seed, workers)
        national_md = national_markdown(
            national_results, ndata, pop.name, time.perf_counter() - t1, level=2
        )
        seconds = time.perf_counter() - t0
    if not no_docs:
        figures = write_figures(data, docs / "validation")
        cmd = (
            f"govsim validate --replications {replications}"
            + ("" if master_seed is None else f" --seed {seed}")
            + (" --docs" if docs == DOCS else f" --out {docs}")
            + (" --national" if national and docs != DOCS else "")
            + (" --no-national" if not national and docs == DOCS else "")
            + "".join(f" --set {k}={show(v)}" for k, v in sets.items())
        )
        md = write_markdown(
            results, data, docs / "VALIDATION.md", figures, seconds, cmd, national=national_md
        )
        click.echo(f"wrote {md} and {len(figures)} figures in {docs / 'validation'}")
    click.echo(f"({time.perf_counter() - t0:.1f} s)")
    if any(not r.passed for r in [*results, *national_results]):
        sys.exit(1)


# ------------------------------------------------------------------ national checks (issue 12)
def _national_checks(pop: Any, replications: int, seed: int, workers: int) -> tuple[Any, list]:
    """Run and evaluate the national checks on `replications` national runs; print the table."""
    from sim.validation.national import collect_national, evaluate_national
    from sim.validation.report import format_table

    data = collect_national(pop, replications, seed, workers=workers)
    results = evaluate_national(data)
    click.echo(
        f"national checks: population {pop.name} ({len(pop)} municipalities), "
        f"{replications} national runs (master seed {seed})"
    )
    click.echo(format_table(results))
    return data, results


def _national(
    population: str,
    replications: int,
    master_seed: int | None,
    workers: int,
    out: Path | None,
    to_docs: bool,
    no_docs: bool,
    overrides: tuple[str, ...],
) -> None:
    """`govsim validate --population FILE`: the national checks on a national batch."""
    from sim.errors import GovsimError
    from sim.population import load_population
    from sim.validation.data import MASTER_SEED
    from sim.validation.national import write_national

    if to_docs:
        raise GovsimError(
            "--docs regenerates docs/VALIDATION.md, whose national checks are the shipped "
            f"{NATIONAL_POPULATION} population's; it cannot be combined with --population "
            "(write this population's checks to --out)"
        )
    if overrides:
        raise GovsimError(
            f"--set {overrides[0]}: --set cannot be combined with --population; give the "
            "parameters in the population file (governance[].set or overrides)"
        )
    pop = load_population(population)  # a bad file fails before any run
    dest = out if out is not None else NATIONAL_OUT
    if not no_docs:
        from sim.atomic import check_out_dir

        check_out_dir(dest)
    t0 = time.perf_counter()
    seed = MASTER_SEED if master_seed is None else master_seed
    data, results = _national_checks(pop, replications, seed, workers)
    for r in results:
        if not r.passed and r.check.missing:
            click.echo(f"{r.check.id} fails: {r.check.missing}")
    if not no_docs:
        path = write_national(results, data, dest, pop.name, time.perf_counter() - t0)
        click.echo(f"wrote {path}")
    click.echo(f"({time.perf_counter() - t0:.1f} s)")
    if any(not r.passed for r in results):
        sys.exit(1)
