"""The order of rules in a scenario file never changes a result; a cyclic read/write
declaration between two rules of one regime is refused when the scenario is validated."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import GovsimError, run
from sim.rules import RULES, check_order, schedule
from sim.rules.context import uses
from sim.scenario import preset_names, presets_dir, scenario_from_dict
from tests.test_hybrid import HYBRID

ROOT = Path(__file__).resolve().parent.parent


def readme_hybrid() -> dict:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(re.search(r"```yaml\n(name: hod_tripartite.*?)```", text, re.S).group(1))


# dialogue_steering.measure writes areas.expectation, benchmarking.measure reads it, and the
# learning teams act on benchmarking's flags: the listed order used to decide the result
BENCH_DIALOGUE = {
    "name": "bench_dialogue",
    "rules": [
        {"rule": "tendering", "share": 0.25},
        {"rule": "benchmarking"},
        {"rule": "learning_teams"},
        {"rule": "dialogue_steering"},
        {"rule": "trust_dynamics"},
    ],
}


def cases() -> dict[str, dict]:
    out = {
        n: yaml.safe_load((presets_dir() / f"{n}.yaml").read_text(encoding="utf-8"))
        for n in preset_names()
    }
    out["test_hybrid"] = yaml.safe_load(HYBRID)
    out["readme_hod_tripartite"] = readme_hybrid()
    out["bench_dialogue"] = BENCH_DIALOGUE
    return out


def reorder(data: dict, how: str) -> dict:
    """The same scenario with every regime's rules listed in another order."""
    data = copy.deepcopy(data)
    lists = [data["rules"]] if "rules" in data else [reg["rules"] for reg in data["regimes"]]
    for i, rules in enumerate(lists):
        if how == "reversed":
            rules.reverse()
        else:
            random.Random(f"{how}/{i}").shuffle(rules)
    return data


def tables(data: dict, seed: int, years: int) -> dict[str, pd.DataFrame]:
    res = run(scenario_from_dict(data, data["name"]), seed=seed, years=years)
    return {t: getattr(res, t) for t in res.TABLES}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], check_exact=True, obj=t)


@pytest.mark.parametrize("name", list(cases()))
def test_listing_order_of_rules_changes_nothing(name):
    data = cases()[name]
    ref = tables(data, seed=1, years=8)
    for how in ("reversed", "shuffle-a", "shuffle-b"):
        assert_same(ref, tables(reorder(data, how), seed=1, years=8))


def test_benchmarking_and_dialogue_steering_in_either_order_give_the_same_learning_teams():
    """The defect: 65 vs 59–61 learning teams over 20 years on seed 1, by listing order alone."""
    data = BENCH_DIALOGUE
    swapped = reorder(data, "reversed")
    a = run(scenario_from_dict(data, "a"), seed=1).yearly
    b = run(scenario_from_dict(swapped, "b"), seed=1).yearly
    assert a["learning_teams"].sum() > 0
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_dialogue_steering_grounds_the_expectation_before_benchmarking_reads_it():
    order = schedule([RULES["benchmarking"], RULES["dialogue_steering"]])["measure"]
    assert [r.key for r in order] == ["dialogue_steering", "benchmarking"]
    order = schedule([RULES["dialogue_steering"], RULES["benchmarking"]])["measure"]
    assert [r.key for r in order] == ["dialogue_steering", "benchmarking"]


def test_every_declared_state_name_is_known_and_every_phase_declared_is_implemented():
    for key, cls in RULES.items():
        for phase, acc in cls.access.items():
            assert phase in cls.phases(), (key, phase)
            uses(acc.reads, acc.writes)  # raises on an unknown name
        for phase in cls.phases():
            assert phase in cls.access, (
                f"{key} implements {phase} but declares no reads/writes for it"
            )


def test_a_cycle_between_two_rules_is_refused_with_a_message_naming_both(monkeypatch):
    # benchmarking would also write the goals that dialogue steering reads while it writes the
    # expectation benchmarking reads: no order satisfies both
    bench = RULES["benchmarking"]
    cyclic = dict(bench.access)
    cyclic["measure"] = uses(
        reads=bench.access["measure"].reads, writes={"areas.flagged", "areas.goal"}
    )
    monkeypatch.setattr(bench, "access", cyclic)
    problem = check_order(["benchmarking", "dialogue_steering"])
    assert problem is not None
    assert (
        "'benchmarking'" in problem and "'dialogue_steering'" in problem and "'measure'" in problem
    )
    assert "areas.goal" in problem and "areas.expectation" in problem
    data = {"name": "cyc", "rules": [{"rule": "benchmarking"}, {"rule": "dialogue_steering"}]}
    with pytest.raises(GovsimError) as e:
        scenario_from_dict(data, "cyc.yaml")
    msg = str(e.value)
    assert (
        msg.startswith("cyc.yaml: key 'rules':")
        and "'benchmarking'" in msg
        and "'dialogue_steering'" in msg
    )
    assert "\n" not in msg


def test_no_registered_pair_of_rules_forms_a_cycle():
    keys = list(RULES)
    for a in keys:
        for b in keys:
            if a < b:
                assert check_order([a, b]) is None, (a, b)
