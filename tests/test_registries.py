"""One registry for parameter ranges, one for output columns, one seed derivation (issue 9, items 3–4)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim import outputs
from sim.cli import cli
from sim.params import resolve_range, schema_index
from sim.runner import RunResult, run
from tests.conftest import unregistered

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- parameter ranges
def test_resolve_range_treats_whole_numbers_one_way():
    r = resolve_range("market.exit_after_years")
    info = schema_index()["market.exit_after_years"]
    assert (r.low, r.high, r.kind) == (info.low, info.high, "int")
    assert r.sample_bounds() == (info.low, info.high + 1)
    # inclusive ends, each whole value gets an equal share of the unit interval
    got = Counter(r.from_unit(u) for u in (np.arange(600) + 0.5) / 600)
    assert sorted(got) == list(range(int(info.low), int(info.high) + 1))
    assert len(set(got.values())) == 1
    assert r.from_unit(1.0) == info.high and isinstance(r.from_unit(0.3), int)
    f = resolve_range("trust.initial", 0.2, 0.4)
    assert (f.sample_bounds(), f.from_unit(0.5)) == ((0.2, 0.4), pytest.approx(0.3))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("market.nope",), "unknown parameter 'market.nope'"),
        (("market.exit_after_years", 1.5, 4), "whole number, so give whole-number ends"),
        (("trust.initial", 0.6, 0.2), "low 0.6 is above high 0.2"),
        (("trust.initial", float("inf"), 1.0), "finite numbers"),
        (("tendering.floor",), "has no plausible range"),
    ],
)
def test_resolve_range_refuses_bad_ranges_with_one_message(args, needle):
    from sim.errors import GovsimError

    with pytest.raises(GovsimError, match=re.escape(needle)):
        resolve_range(*args, where="here")


def test_sensitivity_experiments_ema_and_app_resolve_an_integer_parameter_alike(tmp_path):
    """The four consumers agree on the range and on how a whole number is sampled (before, the
    experiments' Latin hypercube rounded over [low, high] and gave both ends half the weight)."""
    from sim.app.state import slider_for
    from sim.experiments.spec import Lhs, lhs_points
    from sim.sensitivity.problem import salib_problem, to_values
    from sim.sensitivity.spec import spec_from_dict

    name = "market.exit_after_years"
    want = resolve_range(name)
    spec = spec_from_dict(
        {
            "name": "t",
            "parameters": {name: None, "trust.initial": None},
            "outcomes": [{"column": "admin_cost_dkk", "scenario": "bum"}],
            "method": {"name": "morris", "trajectories": 2},
        }
    )
    sens = next(p for p in spec.params if p.name == name)
    assert (sens.name, sens.low, sens.high, sens.kind) == (
        want.name,
        want.low,
        want.high,
        want.kind,
    )
    lo, hi = salib_problem([sens])["bounds"][0]
    assert (lo, hi) == want.sample_bounds()
    assert to_values([sens], np.array([hi - 1e-9]))[name] == int(want.high)

    n = 6 * 200
    pts = lhs_points(Lhs(samples=n, parameters=[name]), 3, 0, "exp")
    counts = Counter(p[name] for p in pts)
    assert sorted(counts) == list(range(int(want.low), int(want.high) + 1))
    assert set(counts.values()) == {
        n // 6
    }  # one stratum per sixth: every whole value equally often

    s = slider_for(schema_index()[name])
    assert (s.low, s.high, s.step) == (want.low, want.high, 1.0)


def test_ema_uses_the_registry_range():
    pytest.importorskip("ema_workbench")
    from sim.ema import ema_model

    m = ema_model("bum", ["market.exit_after_years", "trust.initial"])
    u = {p.name: p for p in m.uncertainties}
    r = resolve_range("market.exit_after_years")
    assert (u["market.exit_after_years"].lower_bound, u["market.exit_after_years"].upper_bound) == (
        r.low,
        r.high,
    )


def test_range_resolution_and_seed_derivation_exist_once():
    """A scan: no consumer keeps its own copy of the range or seed logic."""
    consumers = [
        "sim/sensitivity/spec.py",
        "sim/experiments/spec.py",
        "sim/ema.py",
        "sim/app/state.py",
    ]
    for path in consumers:
        src = (ROOT / path).read_text()
        assert "resolve_range" in src, path
    for path in [*consumers, "sim/sensitivity/problem.py"]:
        src = (ROOT / path).read_text()
        assert not re.search(r"\.high \+ 1|int\(round\(|info\.low, info\.high|_hard_bounds", src), (
            path
        )
    for path in [*ROOT.glob("sim/**/*.py"), *ROOT.glob("benchmarks/*.py")]:
        if path.name == "seeds.py":
            continue
        assert "SeedSequence(" not in path.read_text(), (
            f"{path} derives seeds itself; use sim.seeds"
        )


def test_seed_derivation_is_unchanged():
    from sim.seeds import derive_seeds

    # the seeds every compare/batch with the default master seed has used
    assert derive_seeds(20110401, 3) == [1913262374, 243513447, 3248445982]
    assert derive_seeds(7, 4, 2) == [
        int(s) for s in np.random.SeedSequence([7, 2]).generate_state(4, dtype=np.uint32)
    ]
    assert derive_seeds(7, 4, 2) != derive_seeds(7, 4)


# ---------------------------------------------------------------- outputs
@pytest.fixture(scope="module")
def produced() -> RunResult:
    return run("bum", seed=1, years=3)


def test_every_column_a_run_produces_is_registered_and_vice_versa(produced):
    for table in RunResult.TABLES:
        df = getattr(produced, table)
        assert len(df), table
        assert tuple(df.columns) == outputs.columns(table), table
    for o in outputs.OUTPUTS:
        assert o.table in outputs.TABLES and o.over_years in outputs.AGGREGATIONS
        assert o.unit and o.scale and o.label and o.definition.endswith("."), o.name


def test_compare_summary_and_keys_columns_are_registered(produced):
    import pandas as pd

    from sim.analysis import summarise, with_common_savings

    yearly = pd.concat(
        [produced.yearly.assign(scenario=s, seed=k) for s in ("bum", "hod") for k in (1, 2)]
    )
    summary = summarise(yearly, baseline="bum")
    yearly = with_common_savings(yearly, "bum")  # the column compare adds to its yearly rows
    assert all(outputs.find(c, "summary") for c in summary.columns)
    matched = {outputs.find(c, "summary").name for c in summary.columns}
    assert matched == set(outputs.columns("summary"))
    assert set(outputs.columns("keys")) == set(yearly.columns) - set(produced.yearly.columns)
    assert set(summary["outcome"]) == set(outputs.key_outcomes())


def test_outcome_lists_derive_from_the_registry():
    from sim.analysis import KEY_OUTCOMES
    from sim.experiments.engine import YEARLY_COLUMNS as engine_cols
    from sim.metrics import AREA_COLUMNS, YEARLY_COLUMNS
    from sim.procurement import TENDER_COLUMNS
    from sim.sensitivity.spec import OUTCOME_COLUMNS

    assert YEARLY_COLUMNS == engine_cols == outputs.columns("yearly")
    assert AREA_COLUMNS == outputs.columns("areas") and TENDER_COLUMNS == outputs.columns("tenders")
    assert OUTCOME_COLUMNS == outputs.outcome_columns() and "regime" not in OUTCOME_COLUMNS
    assert KEY_OUTCOMES == outputs.key_outcomes()
    # the shown outcome lists are the registry's views; no consumer keeps its own list
    for path, names in (
        ("sim/analysis.py", ("employee_wellbeing", "inhouse_share")),
        ("sim/cli.py", ("sick_leave_rate", "tendered_share")),
        ("sim/app/page.py", ("admin_overhead_share", "proposals_implemented")),
        ("sim/app/exercises.py", ("(1–7)",)),
    ):
        src = (ROOT / path).read_text()
        for name in names:
            assert name not in src, (path, name)
    for view in outputs.VIEWS:
        assert outputs.listed(view) and set(outputs.listed(view)) <= set(outputs.outcome_columns())


def _relabel(monkeypatch, col: str, text: str, views: tuple[str, ...] | None = None):
    """Change a yearly column's label (and views) in the registry, as a later edit would."""
    from dataclasses import replace

    o = outputs._BY_TABLE["yearly"][col]
    new = replace(o, label=text, views=o.views if views is None else views)
    monkeypatch.setitem(outputs._BY_TABLE["yearly"], col, new)


def test_figures_run_compare_app_and_exercises_show_the_registry_views(
    produced, monkeypatch, tmp_path
):
    """The compare/report figures, `govsim run`'s and `govsim compare`'s printed columns, the
    app's latest table and the exercises follow the registry: relabel a column or add it to a
    view there, and each shows it (before, each kept its own list and labels)."""
    from types import SimpleNamespace

    import matplotlib.pyplot as plt
    import pandas as pd

    from sim.analysis import figures
    from sim.app import exercises
    from sim.app.page import latest_table

    yearly = pd.concat(
        [produced.yearly.assign(scenario=s, seed=k) for s in ("bum", "hod") for k in (1, 2)]
    )
    _relabel(monkeypatch, "employee_wellbeing", "Staff mood")
    _relabel(monkeypatch, "savings_dkk", "Money saved", views=("panel", "final_bar", "latest"))
    figs = figures(yearly, None)

    def shown(c: str) -> str:  # amounts in DKK are drawn in millions (no "1e6" offset)
        return outputs.label(c).replace("(DKK", "(M DKK")

    axes = [a for a in figs["timeseries"].axes if a.get_visible()]
    titles = [a.get_title() for a in axes]
    assert titles == [shown(c) for c in outputs.listed("panel")]
    assert "Staff mood (1–7 scale)" in titles and "Money saved (M DKK/yr)" in titles
    money = axes[titles.index("Money saved (M DKK/yr)")]
    figs["timeseries"].canvas.draw()
    assert money.yaxis.get_offset_text().get_text() == ""
    assert max(abs(v) for v in money.get_yticks()) > 1e5  # data in DKK, ticks read in millions
    tick = money.yaxis.get_major_formatter()(money.get_yticks()[-1], 0)
    assert (
        abs(float(tick.replace(",", "")) - money.get_yticks()[-1] / 1e6)
        < 1e-3 * abs(money.get_yticks()[-1] / 1e6) + 1e-9
    )
    bars = [a.get_title().split("\n")[0] for a in figs["final_year"].axes]
    assert bars == [shown(c) for c in outputs.listed("final_bar")]
    for f in figs.values():
        plt.close(f)

    last = produced.yearly.iloc[-1].to_dict()
    view = SimpleNamespace(
        label="A", calendar_year=2010, quarter=1, quarter_of_year=1, rows=(last,)
    )
    table = latest_table((view,))
    heads = re.findall(r"<tr class='govsim-outcome'><th>(.*?)</th>", table)
    assert heads == [outputs.output(c).label for c in outputs.listed("latest")]
    assert "Staff mood" in heads and "Money saved" in heads
    cells = re.findall(r"<tr class='govsim-outcome'><th>.*?</th><td>(.*?)</td>", table)
    share = outputs.listed("latest").index("admin_overhead_share")
    assert cells[share] == f"{last['admin_overhead_share'] * 100:.3g}%"  # a share in %
    assert cells[heads.index("Staff mood")] == f"{last['employee_wellbeing']:.3g}"

    monkeypatch.setattr(exercises, "series", lambda ref, col, seeds, **kw: np.zeros(3))
    names = [f.label for f in exercises._guarantee((0,))]
    assert "Staff mood (1–7 scale), with the guarantee" in names

    res = CliRunner().invoke(cli, ["run", "bum", "--years", "2", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "Staff mood (1–7 scale) " in res.output and "Money saved" not in res.output
    args = "compare --replications 2 --years 2 --workers 1 --out".split()
    res = CliRunner().invoke(cli, [*args, str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    paired = res.output.split("paired difference from BUM")[1].split("\n\n")[0]
    # one line per outcome of the `paired` view and scenario but BUM: label, then the unit column
    assert len(re.findall(r"^  Staff mood +hod .* 1–7 scale ", paired, re.M)) == 1
    assert len(re.findall(r"^  Staff mood +model_municipality ", paired, re.M)) == 1
    assert "Money saved" not in paired


def test_compare_report_and_app_labels_come_from_the_registry(produced, monkeypatch):
    import pandas as pd

    from sim import outputs as reg
    from sim.analysis import figures, format_table, summarise
    from sim.app import plots

    yearly = pd.concat(
        [produced.yearly.assign(scenario=s, seed=k) for s in ("bum", "hod") for k in (1, 2)]
    )
    summary = summarise(yearly, baseline="bum")
    text = format_table(summary)
    for col in reg.key_outcomes():
        assert reg.label(col) in text
    figs = figures(yearly, None)
    titles = [
        ax.get_title() for ax in figs["timeseries"].axes if ax.get_visible() and ax.get_title()
    ]
    assert reg.label("admin_cost_dkk").replace("(DKK", "(M DKK") in titles  # in millions
    import matplotlib.pyplot as plt

    for f in figs.values():
        plt.close(f)
    for spec in plots.PLOTS:
        first = spec.series[0]
        assert spec.unit == reg.axis_unit(first.column, percent=first.scale == 100.0)
        for s in spec.series:
            assert s.name == reg.short_label(s.column)
    assert plots.PLOTS[0].unit == "% of total cost"
    # a changed registry label shows up in compare's table (nothing keeps a copy)
    monkeypatch.setitem(
        reg._BY_TABLE["yearly"],
        "admin_cost_dkk",
        reg.Output("admin_cost_dkk", "yearly", "DKK/yr", "x", "Paperwork bill", "d."),
    )
    assert "Paperwork bill (DKK/yr)" in format_table(summary)


def test_report_uses_registry_labels(tmp_path):
    from sim.experiments.engine import RunSpec, execute
    from sim.experiments.report import write_report

    specs = [
        RunSpec(f"{s}-r{r}", s, seed=r, years=2, meta=(("label", s),))
        for s in ("bum", "hod")
        for r in (1, 2)
    ]
    execute(specs, tmp_path / "b", workers=1, progress=False)
    html = write_report(tmp_path / "b")[0].read_text()
    # tables name an outcome by its label, with its unit or scale under it
    assert outputs.label("employee_wellbeing", unit=False) in html
    assert outputs.axis_unit("employee_wellbeing") in html


@pytest.mark.parametrize("fmt", ["text", "csv", "markdown"])
def test_outputs_command_lists_every_column(fmt):
    res = CliRunner().invoke(cli, ["outputs", "--format", fmt])
    assert res.exit_code == 0, res.output
    for o in outputs.OUTPUTS:
        assert o.name in res.output and o.definition in res.output
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(res.output)))
        assert len(rows) == len(outputs.OUTPUTS)
        assert {(r["table"], r["column"]) for r in rows} == {
            (o.table, o.name) for o in outputs.OUTPUTS
        }
        assert all(r["unit"] and r["definition"] for r in rows)
    else:  # a header row names the columns, then one row per output
        head = res.output.splitlines()[0]
        assert "table" in head and "unit" in head and "definition" in head


def test_outputs_command_filters_tables():
    res = CliRunner().invoke(cli, ["outputs", "--format", "csv", "--table", "admin"])
    assert res.exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(res.output)))) == len(outputs.columns("admin"))


def test_every_column_a_sensitivity_study_produces_is_registered(tmp_path):
    import pandas as pd

    from sim.experiments.engine import load_results
    from sim.sensitivity.spec import spec_from_dict
    from sim.sensitivity.study import run_study

    spec = spec_from_dict(
        {
            "name": "t",
            "years": 2,
            "parameters": {"trust.initial": None, "market.exit_after_years": None},
            "outcomes": [{"column": "admin_cost_dkk", "scenario": "bum"}],
            "method": {"name": "morris", "trajectories": 2},
            "replications": 2,
            "seed": 1,
        }
    )
    out = tmp_path / "s"
    run_study(spec, out, progress=False)
    for name in ("indices", "convergence", "seed_noise", "indices_by_seed"):
        df = pd.read_csv(out / f"{name}.csv")
        assert tuple(df.columns) == outputs.columns(name), name
    assert tuple(pd.read_parquet(out / "outcomes.parquet").columns) == outputs.columns(
        "sa_outcomes"
    )
    assert not unregistered(pd.read_parquet(out / "samples.parquet").columns, "sa_samples")
    assert not unregistered(load_results(out / "batch", "yearly").columns, "yearly", "batch")
    assert tuple(load_results(out / "batch", "runs").columns) == outputs.columns("runs")


def test_turnover_rate_is_defined_as_the_model_counts_it():
    """sim.agents.Employees.turnover counts positions whose holder left, each position once."""
    from sim.agents import Employees

    o = outputs.output("turnover_rate")
    assert o.unit == "share of positions per year"
    assert "holder left" in o.definition and "once" in o.definition
    assert "holder left" in Employees.turnover.__doc__


def test_rule_context_takes_the_tally_names_from_the_tally():
    from sim.rules.context import STATE
    from sim.state import Tally

    want = {f"tally.{k}" for k in Tally.__slots__ if k not in Tally.MODEL_ONLY}
    assert {n for n in STATE if n.startswith("tally.")} == want
    assert "tally.proposals_made" in want and "tally.quarters" not in want
    src = (ROOT / "sim" / "rules" / "context.py").read_text()
    assert '"proposals_made"' not in src and '"control_bids"' not in src
