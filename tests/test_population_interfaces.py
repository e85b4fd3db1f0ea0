"""Issue 12, point 6: a population in the experiment engine, `govsim batch`, `govsim compare`,
`govsim sensitivity` and `govsim report` — a population run's "yearly" table is its national
table; overrides set a parameter in every municipality that has it, or (``population.KEY``) a
key of the population file; bad overrides get one message before any run."""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest

from sim.errors import GovsimError
from sim.experiments.engine import RunSpec, run_many
from sim.population import load_population, run_population

SMALL = """
name: small
municipalities: 4
years: 2
regions:
  - {key: north, count: 2}
  - {key: south, count: 2}
governance:
  - {scenario: hod, count: 1}
  - {scenario: bum, rest: true, draw: {tendering.share: [0.2, 0.4]}}
networks: []
"""
# the same municipalities, all BUM: a second case for compare
ALL_BUM = """
extends: small.yaml
name: small_bum
governance:
  - {scenario: bum, rest: true, draw: {tendering.share: [0.2, 0.4]}}
"""
ID = ["run_id", "scenario", "seed"]


@pytest.fixture(scope="module")
def pops(tmp_path_factory):
    d = tmp_path_factory.mktemp("pops")
    (d / "small.yaml").write_text(textwrap.dedent(SMALL), encoding="utf-8")
    (d / "small_bum.yaml").write_text(textwrap.dedent(ALL_BUM), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def small(pops):
    return str(pops / "small.yaml")


def _own(df: pd.DataFrame, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    return df.drop(columns=[*ID, *drop]).reset_index(drop=True)


# ---------------------------------------------------------------- overrides on a population
def test_a_parameter_override_applies_to_every_municipality_that_has_it(small):
    base = load_population(small)
    pop = load_population(small, {"market.cost_mean": 1.1, "tendering.share": 0.35})
    assert {m.scenario.parameters.market.cost_mean for m in pop.municipalities} == {1.1}
    assert base.municipalities[0].scenario.parameters.market.cost_mean != 1.1
    shares = {
        (m.preset, r.share)
        for m in pop.municipalities
        for reg in m.scenario.regime_list()
        for r in reg.rules
        if r.rule == "tendering"
    }
    assert shares == {("bum", 0.35), ("hod", 0.35)}  # the drawn targets are overridden too
    # sizes are the population's: unchanged by a parameter override
    assert [m.citizens for m in pop.municipalities] == [m.citizens for m in base.municipalities]


def test_a_population_key_override_changes_the_file(small):
    base = load_population(small)
    wide = load_population(small, {"population.size.sigma": 1.5})
    assert [m.citizens for m in wide.municipalities] != [m.citizens for m in base.municipalities]
    moved = load_population(
        small, {"population.regions.south.count": 3, "population.municipalities": 5}
    )
    assert len(moved) == 5 and sum(m.region == "south" for m in moved.municipalities) == 3


@pytest.mark.parametrize(
    "overrides, needle",
    [
        ({"population.size.nope": 1}, "unknown key 'size.nope'"),
        ({"population.regions.east.count": 1}, "has no item 'east'; its items are north, south"),
        ({"population.diffusion.start": 2010}, "has no key 'diffusion'"),
        ({"nope.rate": 1}, "unknown name"),
        ({"municipality.citizens": 5000}, "from its size"),
        ({"market.cost_mean": -1.0}, "override market.cost_mean=-1: municipality"),
        ({"population.size.sigma": -1}, "key 'size.sigma' has value -1"),
    ],
)
def test_a_bad_population_override_is_one_message(small, overrides, needle):
    with pytest.raises(GovsimError, match=None) as e:
        load_population(small, overrides)
    msg = e.value.message
    assert needle in msg, msg
    name, value = next(iter(overrides.items()))
    assert f"override {name}=" in msg and "\n" not in msg


# ---------------------------------------------------------------- the engine
def test_the_engine_runs_a_population_spec_as_its_national_run(small):
    specs = [RunSpec("p0", small, seed=5), RunSpec("p1", small, (("market.cost_mean", 1.1),), 6)]
    res = run_many(specs, tables=("yearly", "municipalities_yearly"), strict=True)
    nat, muni = res.table("yearly"), res.table("municipalities_yearly")
    own = run_population(small, seed=5)
    pd.testing.assert_frame_equal(
        _own(nat[nat["run_id"] == "p0"], ("market.cost_mean",)), own.national
    )
    mine = _own(muni[muni["run_id"] == "p0"], ("market.cost_mean",))
    # the engine's order: by year, municipalities in the run's order within a year
    want = own.yearly.sort_values("year", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, want.rename(columns={"seed": "municipality_seed"}))
    changed = run_population(load_population(small, {"market.cost_mean": 1.1}), seed=6)
    pd.testing.assert_frame_equal(
        _own(nat[nat["run_id"] == "p1"], ("market.cost_mean",)), changed.national
    )
    assert nat.loc[nat["run_id"] == "p1", "market.cost_mean"].eq(1.1).all()
    assert (nat["scenario"] == small).all() and len(nat) == 2 * 2


def test_population_runs_give_identical_tables_on_one_and_two_workers(small):
    specs = [RunSpec(f"r{i}", small, seed=s) for i, s in enumerate((1, 2, 3))]
    one = run_many(specs, workers=1, tables=("yearly", "municipalities_yearly"), strict=True)
    two = run_many(specs, workers=2, tables=("yearly", "municipalities_yearly"), strict=True)
    for t in ("yearly", "municipalities_yearly"):
        pd.testing.assert_frame_equal(one.table(t), two.table(t))


def test_the_engine_refuses_bad_population_specs_before_any_run(small, tmp_path):
    out = tmp_path / "b"
    with pytest.raises(GovsimError, match=r"run p0 \(.*\): override population.size.nope=1"):
        run_many([RunSpec("p0", small, (("population.size.nope", 1),))], out=out)
    assert not out.exists()
    with pytest.raises(GovsimError, match="not both"):
        run_many([RunSpec("p0", small), RunSpec("s0", "bum")])
    with pytest.raises(GovsimError, match="not a population's national column"):
        run_many([RunSpec("p0", small)], columns=["admin_hours"])
    with pytest.raises(GovsimError, match="no run is of a population"):
        run_many([RunSpec("s0", "bum")], tables=("yearly", "municipalities_yearly"))


# ---------------------------------------------------------------- commands
def _experiment(tmp_path, scenario: str, extra: str = "") -> str:
    p = tmp_path / "exp.yaml"
    p.write_text(
        f"name: national\nreplications: 2\nyears: 3\nmaster_seed: 11\n"
        f"scenarios:\n  - {scenario}\n{extra}",
        encoding="utf-8",
    )
    return str(p)


def test_govsim_batch_and_report_on_denmark(invoke, tmp_path):
    """The shipped 98-municipality population in a batch (3 years, 2 replications), then its
    report: national rows, one per run and year, with every headline outcome."""
    from sim.analysis import KEY_OUTCOMES

    out = tmp_path / "out"
    r = invoke("batch", _experiment(tmp_path, "denmark"), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "2 runs done, 0 failed" in r.stdout
    y = pd.read_parquet(out / "yearly")
    assert len(y) == 2 * 3 and set(y["scenario"]) == {"denmark"}
    assert (y["municipalities"] == 98).all()
    assert set(KEY_OUTCOMES) <= set(y.columns) and "exposed_share" in y.columns
    assert y.groupby("run_id")["total_cost_dkk"].mean().nunique() == 2  # two seeds, two runs
    r = invoke("report", str(out))
    assert r.returncode == 0, r.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert set(KEY_OUTCOMES) <= set(summary["outcome"])
    assert "Traceback" not in r.stderr and (out / "report.html").stat().st_size > 0


def test_govsim_batch_keeps_the_municipality_table_and_varies_a_population_key(
    invoke, tmp_path, small
):
    extra = "tables: [yearly, municipalities_yearly]\n"
    exp = _experiment(
        tmp_path,
        f"{{scenario: {small}, values: [{{population.size.sigma: 0.3}}, "
        "{population.size.sigma: 1.2}]}",
        extra,
    )
    out = tmp_path / "out"
    r = invoke("batch", exp, "--out", str(out), "--no-progress", "--set", "market.cost_mean=1.05")
    assert r.returncode == 0, r.stderr
    m = pd.read_parquet(out / "municipalities_yearly")
    assert len(m) == 2 * 2 * 4 * 3  # variations × replications × municipalities × years
    spread = m.groupby("population.size.sigma")["budget_dkk"].std()
    assert spread[1.2] > spread[0.3]
    assert (pd.read_parquet(out / "yearly")["market.cost_mean"] == 1.05).all()


@pytest.mark.parametrize("cmd", ["batch", "compare", "sensitivity"])
def test_a_bad_population_override_on_the_command_line_is_one_message(
    invoke, tmp_path, small, pops, cmd
):
    out = tmp_path / "out"
    bad = ("--set", "population.size.nope=1")
    if cmd == "batch":
        args = ("batch", _experiment(tmp_path, small), "--out", str(out), *bad)
    elif cmd == "compare":
        args = ("compare", small, str(pops / "small_bum.yaml"), "--out", str(out), *bad)
    else:
        args = ("sensitivity", _sens(tmp_path, small), "--out", str(out), *bad)
    r = invoke(*args)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "override population.size.nope=1" in r.stderr
    assert "unknown key 'size.nope'" in r.stderr and "allowed keys here" in r.stderr
    assert not out.exists()


def test_govsim_compare_two_populations(invoke, tmp_path, small, pops):
    out = tmp_path / "cmp"
    r = invoke(
        "compare",
        small,
        str(pops / "small_bum.yaml"),
        "--replications",
        "2",
        "--years",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert "baseline small" in r.stdout and "In-house share" in r.stdout
    s = pd.read_csv(out / "summary.csv")
    assert set(s["scenario"]) == {"small", "small_bum"}
    y = pd.read_parquet(out / "yearly.parquet")
    assert "exposed_share" in y.columns and len(y) == 2 * 2 * 2
    # the all-BUM country has no HOD municipality: a different in-house share on the same seeds
    d = s[(s["scenario"] == "small_bum") & (s["outcome"] == "inhouse_share")]
    assert d["run_diff_vs_small"].iloc[0] != 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenarios"][0]["population"]["name"] == "small"
    assert (out / "timeseries.png").exists() and not (out / "admin.parquet").exists()
    r = invoke("report", str(out))  # a comparison folder of populations makes a report too
    assert r.returncode == 0, r.stderr
    assert set(pd.read_csv(out / "summary.csv")["case"]) == {"small", "small_bum"}


def _sens(tmp_path, small: str, column: str = "total_cost_dkk") -> str:
    p = tmp_path / "sens.yaml"
    p.write_text(
        textwrap.dedent(
            f"""
            name: national_morris
            years: 2
            parameters:
              market.cost_mean: [0.95, 1.05]
              trust_dynamics.build_rate: [0.05, 0.4]
            outcomes:
              - {{column: {column}, summary: mean, scenario: {small}}}
            method: {{name: morris, trajectories: 2, num_levels: 4}}
            replications: 1
            seed: 3
            """
        ),
        encoding="utf-8",
    )
    return str(p)


def test_govsim_sensitivity_on_a_population(invoke, tmp_path, small):
    out = tmp_path / "sa"
    r = invoke(
        "sensitivity",
        _sens(tmp_path, small, "exposed_share"),
        "--out",
        str(out),
        "--quiet",
        "--set",
        "population.size.sigma=0.5",
    )
    assert r.returncode == 0, r.stderr
    idx = pd.read_csv(out / "indices.csv")
    mu = idx[idx["index"] == "mu_star"].set_index("parameter")["value"]
    assert set(mu.index) == {"market.cost_mean", "trust_dynamics.build_rate"}
    assert "share of task volume" in (out / "summary.txt").read_text()
    runs = pd.read_parquet(out / "batch" / "yearly")
    assert "exposed_share" in runs.columns and len(runs) == 2 * (2 + 1) * 2  # Morris runs × years
    assert set(runs["year"]) == {2008, 2009} and runs["exposed_share"].between(0, 1).all()


def test_a_sensitivity_spec_of_a_population_names_national_columns(tmp_path, small):
    from sim.sensitivity.spec import load_spec

    with pytest.raises(GovsimError, match="not a column of population .*national table"):
        load_spec(_sens(tmp_path, small, "admin_hours"))


def test_the_shipped_national_experiment_and_study_are_valid():
    """experiments/national.yaml and national_morris.yaml (docs/population.md) pass every
    check a run would make, without running."""
    from pathlib import Path

    from sim.experiments.engine import validate_specs
    from sim.experiments.spec import expand, load_experiment
    from sim.sensitivity.spec import load_spec

    root = Path(__file__).resolve().parent.parent / "experiments"
    exp = load_experiment(root / "national.yaml")
    specs = expand(exp, root / "national.yaml")
    validate_specs(specs, tuple(exp.tables), exp.outcomes)
    assert {s.label for s in specs} == {"denmark", "denmark_diffusion"} and len(specs) == 40
    study = load_spec(root / "national_morris.yaml")
    assert {o.scenario for o in study.outcomes} == {"denmark"}


def _keys_spec(tmp_path, scenario: str, sigma: str = "[0.3, 1.2]") -> str:
    p = tmp_path / "keys.yaml"
    p.write_text(
        textwrap.dedent(
            f"""
            name: national_keys
            years: 2
            parameters:
              market.cost_mean: [0.95, 1.05]
              population.size.sigma: {sigma}
              population.regions.south.firms: [2, 6]
            outcomes:
              - {{column: total_cost_dkk, summary: mean, scenario: {scenario}}}
            method: {{name: morris, trajectories: 2, num_levels: 4}}
            seed: 3
            """
        ),
        encoding="utf-8",
    )
    return str(p)


def test_a_study_of_a_population_samples_keys_of_its_file(invoke, tmp_path, small):
    """population.KEY with [low, high] is a sampled input like a parameter; a whole-number
    range samples whole numbers (the firms of a region's shared market)."""
    from sim.sensitivity.spec import load_spec

    spec = load_spec(_keys_spec(tmp_path, small))
    kinds = {p.name: p.kind for p in spec.params}
    assert kinds["population.size.sigma"] == "float"
    assert kinds["population.regions.south.firms"] == "int"
    out = tmp_path / "sa"
    r = invoke("sensitivity", _keys_spec(tmp_path, small), "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    samples = pd.read_parquet(out / "samples.parquet")
    firms = samples["population.regions.south.firms"]
    assert firms.between(2, 6).all() and (firms == firms.round()).all()
    mu = pd.read_csv(out / "indices.csv").query("index == 'mu_star'").set_index("parameter")
    assert mu.loc["population.size.sigma", "value"] > 0  # the sizes move the national cost


@pytest.mark.parametrize(
    "scenario, sigma, needle",
    [
        (None, "null", "give its range as [low, high]"),
        (None, "[-1, 1]", "but -1 is not a valid value in population 'small'"),
        ("bum", "[0.3, 1.2]", "is sampled only in a study whose outcomes are of populations"),
    ],
)
def test_a_bad_sampled_population_key_is_one_message(tmp_path, small, scenario, sigma, needle):
    from sim.sensitivity.spec import load_spec

    with pytest.raises(GovsimError) as e:
        load_spec(_keys_spec(tmp_path, scenario or small, sigma))
    assert needle in e.value.message and "population.size.sigma" in e.value.message
