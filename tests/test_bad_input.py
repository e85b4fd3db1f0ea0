"""Bad input: one clear message naming file, key, value and what is allowed; exit ≠ 0; no
traceback; no output directory left behind that looks complete."""

from __future__ import annotations

import textwrap

import pytest

from sim import GovsimError, load_scenario, run
from sim.overrides import apply_overrides

GOOD = textwrap.dedent("""\
    name: mine
    rules:
      - rule: tendering
        share: 0.3
      - rule: trust_dynamics
    """)

CASES = {
    "malformed": ("name: x\nrules: [\n  - rule: tendering\n", ["malformed YAML", ":3:"]),
    "unknown_key": (GOOD + "colour: blue\n", ["unknown key 'colour'", "'blue'", "allowed keys here", "regimes"]),
    "unknown_rule_key": (GOOD.replace("share: 0.3", "share: 0.3\n    sharre: 0.2"),
                         ["unknown key 'rules[0].tendering.sharre'", "0.2", "floor"]),
    "share_1_7": (GOOD.replace("0.3", "1.7"), ["rules[0].tendering.share", "1.7", "less than or equal to 1"]),
    "missing_param": ("name: x\nrules:\n  - rule: fixed_inhouse_share\n  - rule: tendering\n    share: 0.3\n",
                      ["rules[0].fixed_inhouse_share.share", "required"]),
    "unknown_rule": ("name: x\nrules:\n  - rule: telepathy\n", ["telepathy", "allowed rules", "tendering"]),
    "negative_years": (GOOD + "years: -4\n", ["key 'years'", "-4", "greater than or equal to 1"]),
    "bad_param_group": (GOOD + "parameters:\n  market:\n    cost_mean: -1\n",
                        ["parameters.market.cost_mean", "-1", "greater than 0"]),
    "empty_rules": ("name: x\nrules: []\n", ["key 'rules' has value []", "at least 1 item"]),
    "no_rules": ("name: x\n", ["give exactly one of the keys 'rules'", "'regimes'"]),
    "empty_regimes": ("name: x\nregimes: []\n", ["key 'regimes' has value []", "at least 1 item"]),
    "missing_requirement": ("name: x\nrules:\n  - rule: learning_teams\n", ["learning_teams", "needs rule 'benchmarking'"]),
    "conflict": (GOOD + "  - rule: no_tendering_guarantee\n", ["cannot be combined", "no_tendering_guarantee"]),
    "bad_date": ("name: x\nregimes:\n  - start: 2008\n    rules: [{rule: trust_dynamics}]\n"
                 "  - start: 2011-13\n    rules: [{rule: trust_dynamics}]\n", ["regimes[1].start", "2011-13", "month"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_file_cli(case, tmp_path, cli):
    text, needles = CASES[case]
    f = tmp_path / f"{case}.yaml"
    f.write_text(text)
    out = tmp_path / "out"
    p = cli("run", str(f), "--years", "2", "--out", str(out))
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    assert str(f) in p.stderr
    for n in needles:
        assert n in p.stderr, f"{n!r} not in {p.stderr!r}"
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))


def test_missing_file(tmp_path, cli):
    p = cli("run", str(tmp_path / "nope.yaml"))
    assert p.returncode == 2
    assert "nope.yaml: file not found" in p.stderr and "Traceback" not in p.stderr


def test_negative_years_option(cli, tmp_path):
    p = cli("run", "bum", "--years", "-3", "--out", str(tmp_path / "o"))
    assert p.returncode == 2 and "--years" in p.stderr and "-3" in p.stderr and "1<=x<=200" in p.stderr
    assert not (tmp_path / "o").exists()


def test_api_errors_are_govsim_errors():
    with pytest.raises(GovsimError, match=r"years has value -1: it must be a whole number from 1 to 200"):
        run("bum", years=-1)
    with pytest.raises(GovsimError, match=r"seed has value -5"):
        run("bum", seed=-5)
    with pytest.raises(GovsimError, match=r"unknown parameter 'tendering.shar'"):
        apply_overrides(load_scenario("bum"), {"tendering.shar": 0.2})
    with pytest.raises(GovsimError, match=r"which scenario 'model_municipality' does not use"):
        apply_overrides(load_scenario("model_municipality"), {"tendering.share": 0.2})
    with pytest.raises(GovsimError, match=r"tendering.share' has value 1.7"):
        apply_overrides(load_scenario("bum"), {"tendering.share": 1.7})
