"""The diffusion of governance models (issue 12, point 3): a municipality switches model at a
year boundary when its drivers say so and not otherwise, through the single-municipality regime
switch (its unit, employees and trust carry over), the same on any worker count, with one clear
message for bad input."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pandas as pd
import pytest

from sim import run
from sim.errors import GovsimError
from sim.model import MunicipalityModel
from sim.population import load_population, run_population, run_population_batch
from sim.population.diffusion import DiffusionState
from sim.population.run import ID_COLUMNS
from sim.population.spec import Diffusion, Municipality, Target
from sim.scenario import load_scenario
from sim.seeds import derive_seeds

BASE = """
name: six
municipalities: 6
years: 4
market: local
regions: [{key: east, count: 3}, {key: west, count: 3}]
governance:
  - {scenario: hod, count: 2}
  - {scenario: model_municipality, count: 1}
  - {scenario: bum, rest: true}
networks: [{key: hod_net, scenarios: [hod]}]
"""


def with_diffusion(block: str, base: str = BASE) -> dict:
    import yaml

    data = yaml.safe_load(textwrap.dedent(base))
    data["diffusion"] = yaml.safe_load(textwrap.dedent(block))
    return data


def hod_from_bum(rate: float, **extra) -> dict:
    target = {"model": "hod", "from": ["bum"], "base_rate": rate, **extra}
    return with_diffusion(f"targets: [{target!r}]".replace("'", '"'))


# ---------------------------------------------------------------- forced to 0 and to 1
def test_a_probability_of_zero_changes_nothing():
    """Drivers at full weight, but a base rate of 0: every table as without diffusion (the
    diffusion's draws come from its own stream)."""
    off = run_population(with_diffusion("{targets: [{model: hod}], enabled: false}"), seed=5)
    on = run_population(hod_from_bum(0.0, imitation_weight=50, satisfaction_weight=500), seed=5)
    assert (on.yearly["model"] == on.yearly["preset"]).all()
    assert on.national["switches"].sum() == 0 and on.national["switched"].max() == 0
    pd.testing.assert_frame_equal(on.yearly, off.yearly)
    pd.testing.assert_frame_equal(on.national, off.national)


def test_a_probability_of_one_switches_every_candidate_at_the_first_boundary():
    data = hod_from_bum(1.0)
    data["diffusion"]["start"] = 2010
    res = run_population(data, seed=5)
    y = res.yearly
    bum = y[y["preset"] == "bum"]
    others = y[y["preset"] != "bum"]
    assert (bum.loc[bum["year"] < 2010, "model"] == "bum").all()  # not before start
    assert (bum.loc[bum["year"] >= 2010, "model"] == "hod").all()  # all of them, at once
    assert (bum.loc[bum["year"] >= 2010, "regime"] == 1).all()  # a regime switch
    assert (bum.loc[bum["year"] >= 2010, "network"] == "hod_net").all()  # joins HOD's network
    assert (others["model"] == others["preset"]).all()  # not a candidate: 'from' is [bum]
    nat = res.national.set_index("year")["switches"]
    assert nat.to_dict() == {2008: 0, 2009: 0, 2010: 3, 2011: 0}
    a = res.adoption
    assert (a.groupby("year")["municipalities"].sum() == 6).all()
    hod = a[a["model"] == "hod"].set_index("year")
    assert hod["municipalities"].to_dict() == {2008: 2, 2009: 2, 2010: 5, 2011: 5}
    assert hod["adopted"].to_dict() == {2008: 0, 2009: 0, 2010: 3, 2011: 0}
    assert a[a["model"] == "bum"].set_index("year")["left"][2010] == 3


def test_an_adoption_is_the_scheduled_regime_switch_of_a_single_run():
    """One BUM municipality that adopts HOD in 2010 gives, number for number, the single run of
    a scenario whose regimes switch from BUM to HOD in 2010: same switch machinery, the unit,
    employees, contracts and trust carry over."""
    data = with_diffusion(
        "{start: 2010, targets: [{model: hod, base_rate: 1.0}]}",
        """
        name: one
        municipalities: 1
        years: 4
        market: local
        regions: [{key: r, count: 1}]
        named: [{key: solo, region: r, scenario: bum, size: scenario}]
        """,
    )
    res = run_population(data, seed=9)
    bum, hod = load_scenario("bum").model_dump(), load_scenario("hod").model_dump()
    scheduled = {
        **bum,
        "rules": None,
        "regimes": [{"start": 2008, "rules": bum["rules"]}, {"start": 2010, "rules": hod["rules"]}],
    }
    single = run(load_scenario(scheduled), seed=derive_seeds(9, 1)[0], years=4)
    mine = res.yearly.iloc[:, len(ID_COLUMNS) :].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, single.yearly)
    assert list(res.yearly["model"]) == ["bum", "bum", "hod", "hod"]


def test_a_switched_municipality_keeps_its_unit_employees_and_trust():
    m = MunicipalityModel("bum", seed=3, years=3, collect=False)
    for _ in range(4):
        m.step()
    unit, staff, trust = m.unit, m.unit.staff, m.trust
    before = dict(trust)
    n_staff = staff.n if hasattr(staff, "n") else len(staff.sick)
    m.adopt_regime(load_scenario("hod").rules)
    with pytest.raises(ValueError):
        m.adopt_regime(load_scenario("hod").rules)  # one pending switch at a time
    m.step()
    assert m.regime_index == 1 and {r.key for r in m.active} >= {"fixed_inhouse_share"}
    assert m.unit is unit and m.unit.staff is staff and m.trust is trust
    assert dict(m.trust) == before  # trust moves at year ends, not at the switch
    assert (staff.n if hasattr(staff, "n") else len(staff.sick)) >= 0.9 * n_staff


def test_min_years_and_competing_models():
    """Forced both ways: BUM → HOD and HOD → BUM at rate 1; a switcher holds its new model for
    min_years before it may switch back."""
    data = with_diffusion(
        """
        min_years: 2
        targets:
          - {model: hod, from: [bum], base_rate: 1.0}
          - {model: bum, from: [hod], base_rate: 1.0}
        """
    )
    data["years"] = 6
    y = run_population(data, seed=2).yearly
    seq = y[y["preset"] == "bum"].groupby("municipality")["model"].apply(list)
    assert all(s == ["bum", "hod", "hod", "bum", "bum", "hod"] for s in seq)
    # HOD municipalities held theirs since before the run: they switch at once
    seq = y[y["preset"] == "hod"].groupby("municipality")["model"].apply(list)
    assert all(s == ["hod", "bum", "bum", "hod", "hod", "bum"] for s in seq)


# ---------------------------------------------------------------- the drivers
def fake(region: str, sat: float, cost: float = 1.0, gap: float = 0.0, austerity: float = 0.25):
    """What the diffusion reads of a municipality's model: last year's row, its parameters, its
    committee."""
    params = SimpleNamespace(
        municipality=SimpleNamespace(task_volume_dkk=1.0, budget_dkk=2.0),
        politics=SimpleNamespace(austerity=0.25),
    )
    row = {
        "citizen_satisfaction": sat,
        "expectation_gap": gap,
        "total_cost_dkk": cost,
        "budget_dkk": 2.0,
        "freed_dkk": 1.0,
    }
    model = SimpleNamespace(
        region=region,
        rows=[row],
        params=params,
        politicians=[SimpleNamespace(austerity=austerity)],
        running=True,
        regime_pending=False,
        adopted=None,
    )
    model.adopt_regime = lambda rules: setattr(model, "adopted", rules)
    return model


def decide(presets, models, base_rate: float = 1e-9, **weights) -> list[str]:
    w = dict.fromkeys(
        (
            "imitation_weight",
            "satisfaction_weight",
            "cost_weight",
            "dissatisfaction_weight",
            "fiscal_weight",
            "colour_weight",
        ),
        0.0,
    )
    w.update(weights)
    target = Target("hod", ("rule",), ("bum",), base_rate=base_rate, **w)
    members = [
        Municipality(i, f"m{i}", mod.region, p, None, 1, 1.0)  # type: ignore[arg-type]
        for i, (p, mod) in enumerate(zip(presets, models, strict=True))
    ]
    state = DiffusionState(Diffusion(2000, (target,), 1, True), members, (), seed=1)
    state.year_end(models, 2008)
    for i, m in enumerate(models):  # a switcher's model got the target's rules
        assert (m.adopted == ("rule",)) == (state.labels[i] != presets[i])
    return state.labels


def country():
    """East: a HOD municipality (0) doing better and cheaper than its BUM neighbour (1); west:
    a HOD municipality (2) doing worse and dearer than its BUM neighbour (3), which falls short
    of its committee's expectation and has an austere committee (1's is lenient)."""
    return [
        fake("east", sat=0.8, cost=0.8),
        fake("east", sat=0.6, cost=1.0, austerity=0.0),
        fake("west", sat=0.5, cost=0.9),
        fake("west", sat=0.9, cost=0.5, gap=-0.05, austerity=0.5),
    ]


@pytest.mark.parametrize(
    ("weights", "switchers"),
    [
        ({}, set()),  # no driver: the (tiny) base rate
        ({"satisfaction_weight": 2000.0}, {1}),  # learning: HOD peers do better (east)
        ({"satisfaction_weight": -2000.0}, {3}),
        ({"cost_weight": 2000.0}, {1}),  # learning: HOD peers are cheaper (east)
        ({"dissatisfaction_weight": 2000.0}, {3}),  # own shortfall (3 only)
        ({"colour_weight": 2000.0}, {3}),  # the austere committee
        ({"colour_weight": -2000.0}, {1}),  # the lenient one
    ],
)
def test_the_drivers_decide_who_switches(weights, switchers):
    """A base rate of 1e-9 and one driver at an overwhelming weight: a municipality switches
    exactly when the driver points its way (probability ≈ 1), else not (≈ 0)."""
    presets = ["hod", "bum", "hod", "bum"]
    labels = decide(presets, country(), **weights)
    assert {i for i, (a, b) in enumerate(zip(presets, labels, strict=True)) if a != b} == switchers


def test_imitation_and_fiscal_pressure_decide_who_switches():
    presets = ["hod", "bum", "bum", "bum"]  # only the east has a HOD municipality
    assert decide(presets, country(), imitation_weight=200.0) == ["hod", "hod", "bum", "bum"]
    assert decide(presets, country(), imitation_weight=-200.0) == presets
    models = country()
    models[2].rows[0]["budget_dkk"] = 1.6  # 20 % of its budget cut since the start
    assert decide(presets, models, fiscal_weight=200.0) == ["hod", "bum", "hod", "bum"]
    models = country()
    models[3].rows[0]["freed_dkk"] = -0.4  # 20 % over its budget last year
    assert decide(presets, models, fiscal_weight=200.0) == ["hod", "bum", "bum", "hod"]


def test_nobody_switches_who_is_not_a_candidate():
    models = [fake("east", 0.1), fake("east", 0.9)]
    models[1].regime_pending = True  # a scheduled regime of its own scenario is to come
    labels = decide(["model_municipality", "bum"], models, base_rate=1.0)
    assert labels == ["model_municipality", "bum"]  # not in 'from'; pending regime


# ---------------------------------------------------------------- determinism
def test_the_same_tables_on_one_and_two_workers():
    data = hod_from_bum(0.3, imitation_weight=3.0)
    one = run_population_batch(data, [1, 2], workers=1)
    two = run_population_batch(data, [1, 2], workers=2)
    assert one.national["switches"].sum() > 0  # something to be identical about
    for name in ("yearly", "national", "adoption"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    single = run_population(data, seed=1, workers=2)
    pd.testing.assert_frame_equal(
        single.yearly.reset_index(drop=True),
        one.yearly[one.yearly["run_seed"] == 1].drop(columns="run_seed").reset_index(drop=True),
    )


def test_writes_the_adoption_table_and_figure(tmp_path):
    res = run_population(hod_from_bum(1.0), seed=1, years=3)
    out = res.write(tmp_path / "out", csv=False)
    assert (out / "adoption.png").stat().st_size > 0
    a = pd.read_parquet(out / "adoption.parquet")
    assert list(a.columns) == list(res.adoption.columns)
    assert set(a["model"]) == {"hod", "model_municipality", "bum"}


def test_the_shipped_diffusion_file_extends_denmark():
    base, diff = load_population("denmark"), load_population("denmark_diffusion")
    assert base.diffusion is None and diff.diffusion is not None
    assert [m.key for m in base.municipalities] == [m.key for m in diff.municipalities]
    assert [m.scenario for m in base.municipalities] == [m.scenario for m in diff.municipalities]
    assert [t.model for t in diff.diffusion.targets] == ["hod"]


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("{targets: [{model: nope}]}", "key 'diffusion.targets[0].model' has value 'nope'"),
        (
            "{targets: [{model: hod, from: [atlantis]}]}",
            "key 'diffusion.targets[0].from[0]' has value 'atlantis': no municipality runs",
        ),
        (
            "{targets: [{model: hod, from: [hod]}]}",
            "key 'diffusion.targets[0].from[0]' has value 'hod': a model cannot be adopted",
        ),
        (
            "{targets: [{model: hod}, {model: hod}]}",
            "key 'diffusion.targets[1].model' has value 'hod': each model is a target once",
        ),
        ("{start: 2008, targets: [{model: hod}]}", "key 'diffusion.start' has value 2008"),
        ("{start: 2030, targets: [{model: hod}]}", "must lie in 2009–2011"),
        ("{targets: [{model: hod, base_rate: 1.5}]}", "diffusion.targets[0].base_rate"),
        ("{targets: [{model: hod, base_rate: true}]}", "diffusion.targets[0].base_rate"),
        ("{targets: []}", "diffusion.targets"),
        ("{targets: [{model: hod}], rate: 1}", "rate"),
        ("{targets: [{model: hod}], min_years: 0}", "diffusion.min_years"),
    ],
)
def test_bad_diffusion_input_gets_one_clear_message(block, expected):
    with pytest.raises(GovsimError) as e:
        load_population(with_diffusion(block))
    assert expected in e.value.message, e.value.message
    assert "\n" not in e.value.message, e.value.message


def test_a_one_year_run_has_no_boundary_to_switch_at():
    data = hod_from_bum(0.5)
    data["years"] = 1
    with pytest.raises(GovsimError, match="no year boundary"):
        load_population(data)


def test_bad_extends_gets_one_message(tmp_path):
    with pytest.raises(GovsimError, match="key 'extends' has value 'atlantis'"):
        load_population({"extends": "atlantis", "name": "x"})
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\nname: a\n")
    b.write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(GovsimError, match="in a circle"):
        load_population(a)


def test_the_cli_reports_bad_diffusion_without_a_traceback(tmp_path, invoke):
    p = tmp_path / "pop.yaml"
    p.write_text(textwrap.dedent(BASE) + "diffusion: {targets: [{model: hod, from: [nope]}]}\n")
    r = invoke("population", str(p), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "diffusion.targets[0].from[0]" in r.stderr and "'nope'" in r.stderr
    assert str(p) in r.stderr and not (tmp_path / "o").exists()
