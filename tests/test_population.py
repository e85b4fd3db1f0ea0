"""A population of municipalities (issue 12): the file, the lockstep national run, determinism
over workers, the national tables and their registry, and bad input. The shared regional
markets: tests/test_population_market.py."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from sim import outputs, run
from sim.errors import GovsimError
from sim.metrics import YEARLY_COLUMNS
from sim.population import (
    load_population,
    run_population,
    run_population_batch,
)
from sim.seeds import derive_seeds

SMALL = """
name: small
municipalities: 6
years: 2
regions:
  - {key: north, count: 2}
  - {key: south, count: 4}
named:
  - {key: big, region: south, citizens: 300000}
governance:
  - {scenario: hod, count: 1}
  - {scenario: model_municipality, count: 1}
  - {scenario: bum, rest: true, draw: {tendering.share: [0.2, 0.4]}}
"""


def write(tmp_path, text: str, name: str = "pop.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write(tmp_path_factory.mktemp("pop"), SMALL)


@pytest.fixture(scope="module")
def small_run(small):
    return run_population(small, seed=5)


# ---------------------------------------------------------------- the population path = sim.run
def test_a_population_of_one_gives_exactly_the_single_run(tmp_path):
    """The population generalises the single municipality: a population of one with its own
    market that keeps its scenario's size runs the same model on the derived seed, number for
    number."""
    p = write(
        tmp_path,
        """
        name: one
        municipalities: 1
        years: 3
        market: local
        regions: [{key: only, count: 1}]
        named: [{key: solo, region: only, size: scenario}]
        governance: [{scenario: hod, rest: true}]
        """,
    )
    res = run_population(p, seed=11)
    single = run("hod", seed=derive_seeds(11, 1)[0], years=3).yearly
    mine = res.yearly.drop(columns=list(outputs.columns("population")))
    pd.testing.assert_frame_equal(mine, single)
    assert res.yearly["municipality"].unique().tolist() == ["solo"]
    assert res.municipalities["seed"].tolist() == [derive_seeds(11, 1)[0]]


# ---------------------------------------------------------------- determinism
def test_same_seed_same_tables_twice_and_on_two_workers(small, small_run):
    again = run_population(small, seed=5)
    two = run_population(small, seed=5, workers=2)
    for name in ("yearly", "national", "municipalities"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(small_run, name))
        pd.testing.assert_frame_equal(getattr(two, name), getattr(small_run, name))
    other = run_population(small, seed=6)
    assert not other.yearly["total_cost_dkk"].equals(small_run.yearly["total_cost_dkk"])
    # the structure (who is how big, under which scenario) does not depend on the run seed
    cols = ["municipality", "region", "preset", "citizens", "task_volume_dkk"]
    pd.testing.assert_frame_equal(other.municipalities[cols], small_run.municipalities[cols])


def test_a_dask_local_cluster_gives_the_same_national_tables(small, small_run):
    """Issue 12: identical national tables with 1 worker, 2 workers and a Dask LocalCluster —
    one national run (regions dealt out) and a national batch (one run per task)."""
    from distributed import LocalCluster

    local = run_population_batch(small, [5, 9], workers=2)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:  # one cluster for both calls (as --scheduler): starting one takes seconds
        at = cluster.scheduler_address
        dask = run_population(small, seed=5, workers=2, scheduler=at)
        on_dask = run_population_batch(small, [5, 9], workers=2, scheduler=at)
    for name in ("yearly", "national", "municipalities", "markets"):
        pd.testing.assert_frame_equal(getattr(dask, name), getattr(small_run, name))
    assert dask.manifest["backend"] == "dask" and small_run.manifest["backend"] == "local"
    for name in ("yearly", "national", "markets"):
        pd.testing.assert_frame_equal(getattr(on_dask, name), getattr(local, name))
    with pytest.raises(GovsimError, match="allowed backends are"):
        run_population(small, seed=5, backend="cloud")


def test_sim_run_and_govsim_run_take_a_population(small, small_run, invoke, tmp_path):
    """Issue 12: `from sim import run` and `govsim run` accept a population file and give the
    national run's tables; a scenario is still a scenario; --set is refused with one message."""
    from sim.population.spec import is_population

    res = run(small, seed=5)
    pd.testing.assert_frame_equal(res.yearly, small_run.yearly)
    pd.testing.assert_frame_equal(res.national, small_run.national)
    assert is_population("denmark") and is_population({"municipalities": 3})
    assert not is_population("bum") and not is_population({"rules": [], "municipalities": 3})
    r = invoke("run", str(small), "--seed", "5", "--out", str(tmp_path / "r"))
    assert r.returncode == 0, r.stderr
    got = pd.read_parquet(tmp_path / "r" / "national.parquet")
    pd.testing.assert_frame_equal(got, small_run.national, check_dtype=False)
    # --set on a population: in every municipality that has the parameter (docs/population.md)
    r = invoke("run", str(small), "--set", "tendering.share=0.35", "--out", str(tmp_path / "s"))
    assert r.returncode == 0, r.stderr
    got = pd.read_parquet(tmp_path / "s" / "yearly.parquet")
    final = got[got["year"] == got["year"].max()]
    shares = final.loc[final["preset"] != "model_municipality", "tendered_share"]
    assert shares.to_numpy() == pytest.approx([0.35] * len(shares))
    man = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert man["overrides"] == {"tendering.share": 0.35}
    r = invoke("run", str(small), "--set", "population.nope=1", "--out", str(tmp_path / "t"))
    assert r.returncode != 0 and "override population.nope=1" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "t").exists()
    with pytest.raises(GovsimError, match="override tendering.share=0.1"):
        run(small, seed=5, set={"tendering.share": 0.1})  # below HOD's tendering floor


def test_a_national_batch_is_its_single_runs(small, small_run):
    batch = run_population_batch(small, [5, 9])
    y = batch.yearly
    assert sorted(y["run_seed"].unique()) == [5, 9]
    mine = y[y["run_seed"] == 5].drop(columns="run_seed").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, small_run.yearly)
    nat = batch.national[batch.national["run_seed"] == 5].drop(columns="run_seed")
    pd.testing.assert_frame_equal(nat.reset_index(drop=True), small_run.national)


# ---------------------------------------------------------------- tables
def test_tables_have_the_registered_columns(small_run):
    assert tuple(small_run.yearly.columns) == outputs.columns("population") + YEARLY_COLUMNS
    assert tuple(small_run.national.columns) == outputs.columns("national")
    assert tuple(small_run.municipalities.columns) == outputs.columns("municipalities")
    assert tuple(small_run.markets.columns) == outputs.columns("markets")
    assert tuple(small_run.adoption.columns) == outputs.columns("adoption")
    assert len(small_run.markets) == 2 * 2  # two regional markets × two years
    for t in ("population", "national", "municipalities", "markets", "adoption"):
        for o in outputs.rows((t,)):
            assert o.unit and o.definition.endswith("."), (t, o.name)
    assert len(small_run.yearly) == 6 * 2 and len(small_run.national) == 2


def test_national_aggregates_are_the_stated_sums_and_weighted_means(small_run):
    y, m, nat = small_run.yearly, small_run.municipalities, small_run.national
    year = int(nat["year"].iloc[-1])
    g = y[y["year"] == year].merge(m[["municipality", "task_volume_dkk", "citizens"]])
    row = nat[nat["year"] == year].iloc[0]
    vol = g["task_volume_dkk"]
    assert row["exposed_share"] == pytest.approx((g["tendered_share"] * vol).sum() / vol.sum())
    assert row["total_cost_dkk"] == pytest.approx(g["total_cost_dkk"].sum())
    assert row["admin_overhead_share"] == pytest.approx(
        g["admin_cost_dkk"].sum() / g["total_cost_dkk"].sum()
    )
    assert row["control_bid_share"] == pytest.approx(
        g["control_bids"].sum() / g["tenders_held"].sum()
    )
    w = g["citizens"]
    assert row["citizen_satisfaction"] == pytest.approx(
        (g["citizen_satisfaction"] * w).sum() / w.sum()
    )
    assert row["citizens"] == m["citizens"].sum() and row["municipalities"] == 6
    assert row["expectation_gap"] == pytest.approx((g["expectation_gap"] * w).sum() / w.sum())
    assert row["inhouse_share"] == pytest.approx((g["inhouse_share"] * vol).sum() / vol.sum())
    assert row["proposals_implemented"] == g["proposals_implemented"].sum()
    pos = g["positions"]
    trust = g["trust_employees_management"]
    assert row["trust_employees_management"] == pytest.approx((trust * pos).sum() / pos.sum())
    trust = g["trust_citizens_municipality"]
    assert row["trust_citizens_municipality"] == pytest.approx((trust * w).sum() / w.sum())
    trust = g["trust_municipality_contractors"]
    assert row["trust_municipality_contractors"] == pytest.approx((trust * vol).sum() / vol.sum())


def test_the_national_table_has_every_headline_outcome_under_its_name(small_run):
    """compare, report and sensitivity read a population's national table as a run's yearly
    table: every headline outcome is there, with the yearly table's unit."""
    from sim.analysis import KEY_OUTCOMES

    for c in KEY_OUTCOMES:
        assert c in small_run.national.columns, c
        assert outputs.output(c, "national").unit == outputs.output(c).unit, c
    assert small_run.national[list(KEY_OUTCOMES)].notna().all().all()


def test_each_municipality_runs_its_assigned_scenario_and_size(small_run):
    y, m = small_run.yearly, small_run.municipalities
    assert m["preset"].value_counts().to_dict() == {"bum": 4, "hod": 1, "model_municipality": 1}
    last = y[y["year"] == y["year"].max()].set_index("municipality")
    for _, row in m.iterrows():
        share = last.loc[row["municipality"], "tendered_share"]
        if row["preset"] == "model_municipality":
            assert share == 0.0
        elif row["preset"] == "hod":
            assert share == pytest.approx(0.30)
        else:
            assert 0.2 <= share <= 0.4  # its own drawn target
    big = m.set_index("municipality").loc["big"]
    assert big["citizens"] == 300_000
    assert big["task_volume_dkk"] == m["task_volume_dkk"].max()
    assert big["areas"] == m["areas"].max() and big["employees"] == m["employees"].max()
    assert len(set(m["seed"])) == 6


# ---------------------------------------------------------------- the shipped population
def test_denmark_has_98_municipalities_in_5_regions_sized_as_folk1a():
    pop = load_population("denmark")
    assert len(pop) == 98 and pop.years == 20
    regions = pd.Series([m.region for m in pop.municipalities]).value_counts().to_dict()
    assert regions == {
        "hovedstaden": 29,
        "syddanmark": 22,
        "midtjylland": 19,
        "sjaelland": 17,
        "nordjylland": 11,
    }
    c = np.array([m.citizens for m in pop.municipalities])
    assert c.min() == 1_800 and c.max() == 650_000
    assert np.median(c) == pytest.approx(43_000, rel=0.02)
    assert c.sum() == pytest.approx(5.9e6, rel=0.03)
    presets = pd.Series([m.preset for m in pop.municipalities]).value_counts().to_dict()
    assert presets == {"bum": 91, "hod": 5, "model_municipality": 2}
    shares = [m.scenario.rules[0].share for m in pop.municipalities if m.preset == "bum"]
    assert len(set(shares)) == 91 and 0.15 <= min(shares) and max(shares) <= 0.45


# ---------------------------------------------------------------- the command
def test_population_command_writes_tables_manifest_and_figure(small, invoke, tmp_path):
    out = tmp_path / "out"
    r = invoke("population", str(small), "--seed", "5", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Exposure to competition (national)" in r.stdout
    for t in ("yearly", "national", "municipalities", "adoption"):
        assert (out / f"{t}.parquet").is_file() and (out / f"{t}.csv").is_file()
    assert (out / "distributions.png").stat().st_size > 0
    assert (out / "adoption.png").stat().st_size > 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 5 and man["municipalities"] == 6 and man["population"]["name"] == "small"
    assert man["markets"] == {
        "north": "regional: one shared market of 12 firms",
        "south": "regional: one shared market of 34 firms",
    }
    assert (out / "markets.parquet").is_file() and (out / "markets.csv").is_file()
    listed = invoke("population", str(small), "--list")
    assert listed.returncode == 0 and "big" in listed.stdout and "south_01" in listed.stdout


# ---------------------------------------------------------------- bad input: one clear message
BAD = [
    ("municipalities: 0", "key 'municipalities' has value 0"),
    (
        "regions: [{key: a, count: 6}, {key: b, count: 0}]",
        "key 'regions[1]' (region 'b') has no municipality",
    ),
    ("regions: [{key: a, count: 4}, {key: b, count: 1}]", "counts sum to 5"),
    ("regions: [{key: a, share: 0.5}, {key: b, share: 0.4}]", "shares sum to 0.9"),
    (
        "governance: [{scenario: hod, share: 0.5}, {scenario: bum, share: 0.3}]",
        "shares sum to 0.8",
    ),
    ("governance: [{scenario: nope, rest: true}]", "no preset or file named 'nope'"),
    ("governance: [{scenario: hod, count: 7}, {scenario: bum, rest: true}]", "counts sum to 7"),
    ("overrides: {atlantis: {tendering.share: 0.3}}", "unknown municipality 'atlantis'"),
    ("overrides: {a_01: {tendering.share: 2}}", "key 'overrides.a_01.tendering.share' has value 2"),
    ("overrides: {a_01: {nope.x: 1}}", "unknown parameter 'nope.x'"),
    ("named: [{key: x, region: mars}]", "key 'named[0].region' has value 'mars'"),
    ("regionz: []", "unknown key 'regionz'"),
    (
        "governance: [{scenario: bum, rest: true, set: {tendering.share: 3}}]",
        "key 'governance[0].set.tendering.share' has value 3",
    ),
    (
        "governance: [{scenario: hod, rest: true, set: {control_bids.cost_coverage: 0.1}}]",
        "which scenario 'hod' does not use",
    ),
    (
        "named: [{key: x, region: a, citizens: 5000, size: scenario}]",
        "key 'named[0].citizens' has value 5000",
    ),
    (
        "governance: [{scenario: bum, rest: true, draw: {tendering.share: [0.5]}}]",
        "key 'governance[0].draw.tendering.share' has value [0.5]",
    ),
]


@pytest.mark.parametrize(("line", "needle"), BAD)
def test_bad_population_file_gets_one_message(tmp_path, invoke, line, needle):
    base = {
        "municipalities": "municipalities: 6",
        "regions": "regions: [{key: a, count: 3}, {key: b, count: 3}]",
        "governance": "governance: [{scenario: bum, rest: true}]",
    }
    key = line.split(":", 1)[0]
    body = "\n".join(["name: bad", *(v for k, v in base.items() if k != key), line])
    p = write(tmp_path, body, "bad.yaml")
    with pytest.raises(GovsimError) as e:
        load_population(p)
    msg = e.value.message
    assert needle in msg and str(p) in msg, msg
    assert "\n" not in msg, msg
    r = invoke("population", str(p), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_unknown_shipped_population_names_the_shipped_ones(invoke):
    r = invoke("population", "atlantis")
    assert r.returncode == 2 and "denmark" in r.stderr and "Traceback" not in r.stderr
