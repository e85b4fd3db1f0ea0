"""`govsim`: a thin command line over ``sim.run`` and the experiment tools.

Sub-commands of the heavier tools (batch, report, sensitivity, validate, app) are imported
only when used, and every command imports the simulation (Mesa, pandas, numpy) inside its
body, so `govsim --help` starts fast. Every user error becomes one message on stderr and exit
code 2; no traceback — also when the group is invoked in-process (click's ``CliRunner``).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from sim.atomic import check_out_dir
from sim.errors import GovsimError

LAZY = {
    "batch": ("sim.experiments.cli", "batch"),
    "report": ("sim.experiments.cli", "report"),
    "sensitivity": ("sim.sensitivity.cli", "sensitivity"),
    "validate": ("sim.validation.cli", "validate"),
    "robust": ("sim.robust.cli", "robust"),
    "app": ("sim.app.cli", "app"),
    "export": ("sim.experiments.cli", "export_cmd"),
    "population": ("sim.population.cli", "population"),  # issue 12: a population of municipalities
}


class UserError(click.ClickException):
    """A ``GovsimError`` as click reports it: ``error: <message>`` on stderr, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True, file=file)


class LazyGroup(click.Group):
    """A click group whose heavier commands are imported on first use (click docs' LazyGroup);
    a ``GovsimError`` from any command becomes a ``UserError`` (exit 2, no traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GovsimError as e:
            raise UserError(e.message) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list with each command's whole first sentence, wrapped (click cuts it
        to the line's width with "...")."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=300)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY:
            module, attr = LAZY[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


def set_option(scope: str = ""):
    """``--set KEY=VALUE`` (repeatable): parameter overrides by dotted name, as ``sim.overrides``
    applies them; `scope` says what they apply to."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a parameter by its `govsim params` name, e.g. --set tendering.share=0.4; "
        "VALUE is read as YAML (0.4, 12, true). Repeat for several" + scope + ".",
    )


def warn_ineffective(scenarios, sets: dict, seed: int = 0, years: int | None = None) -> None:
    """Print a warning on stderr for each ``--set`` item that changes nothing in one of
    `scenarios` (``sim.overrides.ineffective``: the item left out, one run on `seed`)."""
    from sim.overrides import ineffective

    if not sets:
        return
    for sc in scenarios:
        for w in ineffective(sc, sets, seed=seed, years=years):
            click.echo(f"warning: {w}", err=True)


@click.group(cls=LazyGroup)
@click.version_option(package_name="govsim")
def cli() -> None:
    """Compare municipal governance models: BUM, HOD and the Norwegian model municipality."""


#: run length, the same for every command that runs a scenario
years_option = click.option(
    "--years",
    type=click.IntRange(1, 200),
    default=None,
    help="Run length (default: the scenario's).",
)


@cli.command("run")
@click.argument("scenario")
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed."
)
@years_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for yearly/areas/admin/tenders.parquet and manifest.json "
    "(default: results/NAME_seedSEED, plus the --set items if any).",
)
@set_option()
def run_cmd(
    scenario: str, seed: int, years: int | None, out: Path | None, overrides: tuple[str, ...]
) -> None:
    """Run one SCENARIO (a preset name or a YAML file) and write its tables; a population
    (denmark, or a population file) runs as `govsim population` does."""
    import re

    from sim.outputs import label, listed
    from sim.overrides import apply_set, parse_set, show
    from sim.population.spec import is_population
    from sim.runner import run
    from sim.scenario import load_scenario

    if is_population(scenario):  # `govsim run denmark` is `govsim population denmark`
        from sim.population.cli import population

        click.get_current_context().invoke(
            population, population=scenario, seed=seed, years=years, out=out, overrides=overrides
        )
        return
    sets = parse_set(overrides)
    base = load_scenario(scenario)  # a bad scenario fails before the folder check and the run
    sc = apply_set(base, sets)  # so does a bad --set
    tag = "".join(f"_{k}={show(v)}" for k, v in sets.items())
    default = Path("results") / (f"{sc.name}_seed{seed}" + re.sub(r"[^\w.=+-]", "_", tag))
    out = check_out_dir(out or default)  # before the simulation
    warn_ineffective([base], sets, seed, years)
    res = run(base, seed=seed, years=years, set=sets)
    res.write(out)
    last = res.yearly.iloc[-1]
    changed = f" ({', '.join(f'{k}={show(v)}' for k, v in sets.items())})" if sets else ""
    click.echo(
        f"{res.manifest['scenario']['name']}{changed}, seed {seed}, {len(res.yearly)} years → {out}"
    )
    shown = {col: label(col) for col in listed("run")}  # the registry's `run` view
    width = max(map(len, shown.values()))
    for col, name in shown.items():
        click.echo(f"  {name:<{width}} {last[col]:.3f} (final year)")


@cli.command("compare")
@click.argument("positional", metavar="[SCENARIO]...", nargs=-1)
@click.option(
    "--scenarios",
    "scenarios",
    multiple=True,
    help="Scenarios to compare (repeat the option); default: bum, hod, model_municipality.",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Seeded replications per scenario.",
)
@years_option
@click.option(
    "--seed",
    "master_seed",
    type=click.IntRange(min=0),
    default=20110401,
    show_default=True,
    help="Master seed; replication seeds derive from it.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: min(8, os.cpu_count() or 1),
    show_default="this machine's cores, at most 8",
    help="Local processes.",
)
@click.option(
    "--baseline",
    default=None,
    help="Case (scenario name, or NAME KEY=V with --vary) the paired differences and "
    "savings_vs_baseline_dkk are taken against; default: bum if compared, else the first case.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("results/compare"),
    show_default=True,
)
@set_option(" (applied to every compared scenario, which must all use the parameter)")
@click.option(
    "--vary",
    default=None,
    metavar="KEY=V1,V2,...",
    help="Compare each scenario at several values of one parameter, e.g. --vary "
    "fixed_inhouse_share.share=0.7,0.6: one case per value, named 'NAME KEY=V', all on the "
    "same seeds.",
)
def compare_cmd(
    positional: tuple[str, ...],
    scenarios: tuple[str, ...],
    replications: int,
    years: int | None,
    master_seed: int,
    workers: int,
    baseline: str | None,
    out: Path,
    overrides: tuple[str, ...],
    vary: str | None,
) -> None:
    """Run the governance models on the same seeds and compare them with 95 % CIs.

    Prints the run mean of every headline outcome per case with its unit, then the paired
    difference of every outcome from the baseline case (plain numbers and % of the baseline).
    --set changes every compared scenario the same way; a name one of them does not use is an
    error naming that scenario. --vary makes one case per value of a parameter.

    SCENARIO... (or --scenarios) may name populations instead (denmark denmark_diffusion):
    then each replication is a national run and the outcomes are the national table's;
    --set/--vary take a parameter (set in every municipality that has it) or population.KEY
    (a key of the population file; docs/population.md)."""
    from sim.analysis import (
        compared_outcomes,
        format_paired,
        format_table,
        outcome_label,
        summarise,
        with_common_savings,
    )
    from sim.compare import (
        CANONICAL,
        comparison_cases,
        comparison_manifest,
        parse_vary,
        run_comparison,
        write_comparison,
    )
    from sim.overrides import parse_set, show
    from sim.scenario import load_scenario
    from sim.seeds import derive_seeds

    names = list(positional) + list(scenarios) or list(CANONICAL)
    sets = parse_set(overrides)
    varied = parse_vary(vary)
    # fails fast on a bad scenario or a --set/--vary one of them cannot take
    cases = comparison_cases(names, sets, varied)
    labels = [c[2] for c in cases]
    if baseline is None:
        baseline = "bum" if "bum" in labels else labels[0]
    elif baseline not in labels:
        raise GovsimError(
            f"--baseline has value {baseline!r}: it must be one of the compared cases "
            f"({', '.join(labels)})"
        )
    check_out_dir(out)  # before any simulation: an unwritable --out must not cost the runs
    first_seed = derive_seeds(master_seed, 1)[0]
    from sim.population.spec import is_population

    singles = [load_scenario(n) for n in names if not is_population(n)]
    warn_ineffective(singles, sets, first_seed, years)
    yearly, admin = run_comparison(names, replications, years, master_seed, workers, sets, varied)
    yearly = with_common_savings(yearly, baseline)
    outcomes = compared_outcomes(yearly)
    summary = summarise(yearly, baseline=baseline, outcomes=outcomes)
    figs = write_comparison(
        out,
        yearly,
        admin,
        summary,
        comparison_manifest(names, replications, years, master_seed, baseline, sets, varied),
    )
    y0, y1 = int(yearly["year"].min()), int(yearly["year"].max())
    changed = f"; --set {', '.join(f'{k}={show(v)}' for k, v in sets.items())}" if sets else ""
    context = (
        f"govsim compare: {len(labels)} cases × {replications} seeded replications (master seed "
        f"{master_seed}), years {y0}–{y1}; baseline {baseline}{changed}"
    )
    click.echo(format_table(summary, outcomes, context))
    if len(labels) > 1:
        click.echo("\n" + format_paired(summary, baseline))  # the registry's `paired` view
    click.echo(
        f"\nsavings: {outcome_label('savings_dkk')} is against each run's own first year; "
        f"{outcome_label('savings_vs_baseline_dkk')} against {baseline}'s first year on the same "
        "seed, the same reference for every case"
    )
    click.echo(
        f"figures: timeseries.png shows each year's mean, final_year.png the final year ({y1}) "
        "only — the table above shows run means"
    )
    admin_file = "admin.parquet, " if len(admin.columns) else ""
    click.echo(
        f"wrote {out}/summary.csv, yearly.parquet, {admin_file}manifest.json and "
        + ", ".join(p.name for p in figs)
    )


@cli.command("outputs")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "markdown"]),
    default="text",
    show_default=True,
)
@click.option("--table", "tables", multiple=True, help="Only these tables (repeat); default: all.")
def outputs_cmd(fmt: str, tables: tuple[str, ...]) -> None:
    """Print the data dictionary: every output column with table, unit, scale and definition."""
    from sim.outputs import TABLES, rows

    bad = [t for t in tables if t not in TABLES]
    if bad:
        raise GovsimError(f"--table has value {bad[0]!r}; allowed: {', '.join(TABLES)}")
    entries = rows(tables or TABLES)
    head = ["table", "column", "label", "unit", "scale", "over_years", "definition"]
    cells = [
        [o.table, o.name, o.label, o.unit, o.scale, o.over_years, o.definition] for o in entries
    ]
    if fmt == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(head)
        w.writerows(cells)
    elif fmt == "markdown":
        click.echo("| " + " | ".join(head) + " |")
        click.echo("|" + "---|" * len(head))
        for c in cells:
            click.echo(
                "| "
                + " | ".join(x.replace("|", "\\|") for x in c[:1] + [f"`{c[1]}`"] + c[2:])
                + " |"
            )
    else:
        for c in [["table", "column", "", "unit", "scale", "years", "definition"], *cells]:
            click.echo(f"{c[0]:<17} {c[1]:<34} {c[3]:<28} {c[4]:<26} {c[5]:<5} {c[6]}")


@cli.command("scenarios")
def scenarios_cmd() -> None:
    """List the preset scenarios."""
    from sim.scenario import describe_presets

    for name, desc in describe_presets():
        click.echo(f"{name:<22} {desc}")


@cli.command("params")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True
)
@click.option(
    "--scenario",
    default=None,
    metavar="NAME",
    help="Only the parameters this scenario (a preset or a YAML file) uses, with its values.",
)
def params_cmd(fmt: str, scenario: str | None) -> None:
    """Print every parameter: name, unit, default, plausible range and source.

    With --scenario, only the parameters that scenario uses (the municipality and behaviour
    groups and the parameters of its rules) and the value it gives each ('value'; per regime
    for a scenario that switches regime)."""
    from sim.params import schema
    from sim.scenario import load_scenario, scenario_values

    rows = schema()
    values: dict[str, str] = {}
    if scenario is not None:
        sc = load_scenario(scenario)
        flat = scenario_values(sc)
        rows = [p for p in rows if sc.uses_parameter(p.name)]
        values = {p.name: flat.get(p.name, "") for p in rows}
    if fmt == "csv":
        import csv

        w = csv.writer(sys.stdout)
        head = ["name", "unit", "default", "low", "high", "source", "description"]
        w.writerow(head + (["value"] if scenario else []))
        for p in rows:
            extra = [values[p.name]] if scenario else []
            w.writerow([p.name, p.unit, p.default, p.low, p.high, p.source, p.doc, *extra])
        return
    if scenario is not None:
        click.echo(f"parameters scenario {sc.name!r} uses (value: its own; default: the schema's)")
        click.echo(f"{'name':<42} {'value':>12} {'default':>10}  {'range':<16} {'unit':<28} source")
    for p in rows:
        rng = "—" if p.low is None else f"{p.low:g}–{p.high:g}"
        own = f"{values[p.name]:>12} " if scenario else ""
        click.echo(f"{p.name:<42} {own}{str(p.default):>10}  {rng:<16} {p.unit:<28} {p.source}")


@cli.command("diff")
@click.argument("a")
@click.argument("b")
def diff_cmd(a: str, b: str) -> None:
    """Show what two scenarios (presets or YAML files) differ in: rules and parameter values.

    Rules only one of them has, then every parameter both use with a different value (A → B),
    then the scenario's own keys (years, start_year, regimes, …) that differ."""
    from sim.params import schema_index
    from sim.scenario import load_scenario, scenario_values

    sa, sb = load_scenario(a), load_scenario(b)
    ra, rb = sa.rule_keys(), sb.rule_keys()
    click.echo(f"A = {sa.name} ({a}), B = {sb.name} ({b})")
    only_a, only_b = sorted(ra - rb), sorted(rb - ra)
    click.echo(f"rules only in A: {', '.join(only_a) or '—'}")
    click.echo(f"rules only in B: {', '.join(only_b) or '—'}")
    va, vb = scenario_values(sa), scenario_values(sb)
    index = schema_index()
    changed = [
        n for n in index if n in va and n in vb and va[n] != vb[n]
    ]  # both use it, values differ
    click.echo(f"parameters both use, with different values ({len(changed)}):")
    width = max([len(n) for n in changed] + [10])
    for n in changed:
        click.echo(f"  {n:<{width}} {va[n]} → {vb[n]}  ({index[n].unit})")
    own = ("start_year", "years", "transition_cost_dkk")
    keys = [k for k in own if getattr(sa, k) != getattr(sb, k)]
    starts = [[str(r.start) for r in s.regime_list()] for s in (sa, sb)]
    other = [f"{k}: {getattr(sa, k)} → {getattr(sb, k)}" for k in keys]
    if len(starts[0]) > 1 or len(starts[1]) > 1:
        if starts[0] != starts[1]:
            other.append(f"regime starts: {', '.join(starts[0])} → {', '.join(starts[1])}")
    click.echo("other keys: " + ("; ".join(other) if other else "the same"))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except GovsimError as e:
        click.echo(f"error: {e.message}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
