"""`govsim population FILE`: one national run of a population of municipalities — the
per-municipality yearly table, the national aggregates, the municipality table, the regional
markets' table and the adoption table as Parquet and CSV, a manifest, the distribution figure
and the adoption figure, written all at once or not at all."""

from __future__ import annotations

import re
from pathlib import Path

import click

from sim.cli import set_option


@click.command("population")
@click.argument("population", default="denmark")
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="National seed."
)
@click.option(
    "--years", type=click.IntRange(1, 200), default=None, help="Run length (default: the file's)."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes; the regions are dealt out over them (the same tables on any count).",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine's process pool; dask: a Dask LocalCluster of --workers (or "
    "--scheduler's cluster). The same tables on every backend.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="A running Dask scheduler (tcp://host:port) to send the regions to (implies dask).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for yearly/national/municipalities/markets/adoption (.parquet and .csv), "
    "manifest.json, distributions.png and adoption.png (default: results/population_NAME_seedSEED).",
)
@set_option(
    " (a parameter is set in every municipality whose scenario has it; population.KEY sets a "
    "key of the population file, e.g. population.size.sigma=0.8)"
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="Only print the municipalities (key, region, scenario, size); run nothing.",
)
def population(
    population: str,
    seed: int,
    years: int | None,
    workers: int,
    backend: str,
    scheduler: str | None,
    out: Path | None,
    list_only: bool,
    overrides: tuple[str, ...] = (),
) -> None:
    """Run a POPULATION of municipalities (a shipped name such as denmark, or a YAML file).

    Each municipality runs its own governance scenario on its own seed, derived from --seed;
    the municipalities step together quarter by quarter, region by region, and those of a region
    buy from one shared contractor market unless the file says market: local; with a diffusion
    block a municipality may adopt another governance model at a year start
    (docs/population.md)."""
    from sim.atomic import check_out_dir
    from sim.overrides import parse_set, show
    from sim.population.run import municipality_table, run_population
    from sim.population.spec import load_population
    from sim.seeds import derive_seeds

    sets = parse_set(overrides)
    pop = load_population(population, sets)  # a bad file or --set fails before the folder check
    if list_only:
        table = municipality_table(pop, derive_seeds(seed, len(pop)))
        click.echo(table.to_string(index=False))
        return
    tag = "".join(f"_{k}={show(v)}" for k, v in sets.items())
    default = Path("results") / re.sub(r"[^\w.=+-]", "_", f"population_{pop.name}_seed{seed}{tag}")
    out = check_out_dir(out or default)
    res = run_population(
        pop, seed=seed, years=years, workers=workers, backend=backend, scheduler=scheduler
    )
    if sets:
        res.manifest["overrides"] = sets
    written = res.write(out)
    last = res.national.iloc[-1]
    click.echo(
        f"{pop.name}: {len(pop)} municipalities in {len(pop.regions)} regions, seed {seed}, "
        f"{len(res.national)} years → {written}"
    )
    from sim.outputs import label

    shown = (
        "exposed_share",
        "control_bid_share",
        "admin_overhead_share",
        "total_cost_dkk",
        "citizen_satisfaction",
        "employee_wellbeing",
        "sick_leave_rate",
    )
    names = {c: label(c, "national") for c in shown}
    width = max(map(len, names.values()))
    for c, name in names.items():
        click.echo(f"  {name:<{width}} {last[c]:.4g} (final year {int(last['year'])})")
    if pop.diffusion is not None:
        first, end = res.adoption["year"].min(), res.adoption["year"].max()
        counts = res.adoption.set_index(["year", "model"])["municipalities"]
        models = ", ".join(
            f"{m} {counts[(first, m)]} → {counts[(end, m)]}"
            for m in dict.fromkeys(res.adoption["model"])
        )
        click.echo(
            f"  diffusion: {int(res.national['switches'].sum())} switches; municipalities per "
            f"model {int(first)} → {int(end)}: {models}"
        )
    click.echo(
        "wrote yearly, national, municipalities, markets, adoption (.parquet, .csv), "
        "manifest.json, distributions.png and adoption.png"
    )
