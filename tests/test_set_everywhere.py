"""`--set` on sensitivity, validate and app; the warning for a `--set` the scenario's rules make
ineffective; `base:` scenario files. Bad input: one line naming key, value and what is allowed."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from sim import run
from sim.scenario import load_scenario


def _one_line_error(p, starts: str, says: str) -> None:
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.startswith(starts) and says in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


# ------------------------------------------------------------------ ineffective --set
def test_a_set_the_rules_make_ineffective_is_warned_with_the_reason(invoke, tmp_path):
    # HOD tenders max(floor, tendering.share, 1 − fixed share): with 40 % asked for, a fixed
    # share of 0.65 (leaving 35 %) binds nowhere
    sets = ["--set", "tendering.share=0.4", "--set", "fixed_inhouse_share.share=0.65"]
    p = invoke("run", "hod", *sets, "--years", "2", "--out", str(tmp_path / "h"))
    assert p.returncode == 0, p.stderr
    warn = [ln for ln in p.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warn) == 1
    assert "--set fixed_inhouse_share.share=0.65 has no effect in scenario 'hod'" in warn[0]
    assert "'tendering'" in warn[0] and "'plan'" in warn[0]
    # tendering.share above what the fixed share leaves acts: no warning
    q = invoke(
        "run", "hod", "--set", "tendering.share=0.4", "--years", "2", "--out", str(tmp_path / "b")
    )
    assert q.returncode == 0 and "warning" not in q.stderr


def test_a_set_below_the_tendering_floor_is_refused_before_any_run(invoke, tmp_path):
    p = invoke(
        "run", "hod", "--set", "tendering.share=0.2", "--years", "2", "--out", str(tmp_path / "h")
    )
    _one_line_error(
        p,
        "error: --set tendering.share=0.2",
        "rule 'tendering' has share 0.2, below the tendering floor 0.3; allowed: a share from "
        "the floor (0.3) to 1",
    )
    assert not (tmp_path / "h").exists()


def test_compare_warns_for_the_scenario_where_a_set_changes_nothing(invoke, tmp_path):
    args = ["--scenarios", "bum", "--scenarios", "hod", "--replications", "2", "--years", "2"]
    p = invoke(
        "compare",
        *args,
        "--workers",
        "1",
        "--set",
        "tendering.share=0.3",  # HOD's own value: no effect there, BUM's 0.315 lowered
        "--out",
        str(tmp_path / "c"),
    )
    assert p.returncode == 0, p.stderr
    assert "no effect in scenario 'hod'" in p.stderr and "scenario 'bum'" not in p.stderr


def test_ineffective_leaves_each_item_out_in_turn():
    from sim.overrides import ineffective

    hod = load_scenario("hod")
    # 40 % asked for and 35 % left by the fixed share: the target decides, the fixed share not
    both = ineffective(hod, {"tendering.share": 0.4, "fixed_inhouse_share.share": 0.65}, years=2)
    assert len(both) == 1 and both[0].startswith("--set fixed_inhouse_share.share=0.65 has no")
    assert ineffective(hod, {"tendering.share": 0.4}, years=2) == []
    assert ineffective(load_scenario("bum"), {"tendering.share": 0.4}, years=2) == []


# ------------------------------------------------------------------ sensitivity --set
TINY = {
    "name": "tiny",
    "years": 2,
    "parameters": {"inspection.share_of_volume": None, "municipality.staff_hourly_dkk": None},
    "outcomes": [{"column": "admin_overhead_share", "summary": "mean", "scenario": "bum"}],
    "method": {"name": "morris", "trajectories": 2},
    "replications": 1,
    "seed": 5,
}


def _spec(tmp_path, **change) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**TINY, **change}))
    return str(path)


def test_sensitivity_set_is_held_fixed_in_every_run(invoke, tmp_path):
    out = tmp_path / "s"
    p = invoke(
        "sensitivity",
        _spec(tmp_path),
        "--set",
        "tendering.share=0.2",
        "--out",
        str(out),
        "--no-progress",
    )
    assert p.returncode == 0, p.stderr
    study = json.loads((out / "study.json").read_text())
    assert study["spec"]["fixed"] == [["tendering.share", 0.2]]
    y = pd.read_parquet(out / "batch" / "yearly")
    assert (y["tendering.share"] == 0.2).all()
    # resuming without the --set is a different study: refused
    q = invoke("sensitivity", _spec(tmp_path), "--out", str(out), "--resume", "--no-progress")
    assert q.returncode == 2 and "holds a different study" in q.stderr


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("inspection.share_of_volume=0.1", "the study samples 'inspection.share_of_volume'"),
        ("tendering.shar=0.2", "unknown parameter 'tendering.shar'"),
        ("fixed_inhouse_share.share=0.6", "which none of the study's scenarios (bum) uses"),
        ("tendering.share=1.5", "has value 1.5: Input should be less than or equal to 1"),
    ],
)
def test_sensitivity_bad_set_is_one_line_before_any_run(invoke, tmp_path, item, says):
    out = tmp_path / "s"
    p = invoke("sensitivity", _spec(tmp_path), "--set", item, "--out", str(out))
    _one_line_error(p, f"error: --set {item}: ", says)
    assert not out.exists()


def test_sensitivity_progress_flag_matches_batch(invoke):
    h = invoke("sensitivity", "--help").stdout
    assert "--progress / --no-progress" in h and "--set KEY=VALUE" in h


# ------------------------------------------------------------------ validate --set
def test_validate_set_reaches_the_runs_and_the_report(invoke, tmp_path, monkeypatch):
    from sim.validation import data

    seen = {}
    real = data.collect

    def spy(*a, **kw):
        seen.update(kw)
        return real(*a, **kw)

    monkeypatch.setattr(data, "collect", spy)
    out = tmp_path / "v"
    p = invoke("validate", "--replications", "2", "--set", "tendering.share=0.4", "--out", str(out))
    assert p.returncode in (0, 1), p.stderr
    assert seen["overrides"] == {"tendering.share": 0.4}
    md = (out / "VALIDATION.md").read_text()
    assert "--set tendering.share=0.4" in md and "`tendering.share=0.4`" in md


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--set", "tendering.shar=0.4"], "unknown parameter 'tendering.shar'"),
        (
            ["--set", "tendering.share=1.4"],
            "has value 1.4: Input should be less than or equal to 1",
        ),
        (["--set", "tendering.share=0.4", "--docs"], "checks the model's defaults"),
    ],
)
def test_validate_bad_set_is_one_line(invoke, tmp_path, args, says):
    p = invoke("validate", "--replications", "2", *args)
    _one_line_error(p, f"error: {args[0]} {args[1]}: ", says)


# ------------------------------------------------------------------ app --set
def test_app_set_starts_the_models_with_the_override(invoke, monkeypatch):
    import os

    from sim.app import assets
    from sim.app import cli as app_cli
    from sim.app.page import CONFIG_ENV, AppConfig

    monkeypatch.setattr(app_cli, "serve", lambda port: None)
    monkeypatch.setattr(assets, "ensure", lambda: None)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    p = invoke("app", "--model-b", "model_municipality", "--set", "tendering.share=0.2")
    assert p.returncode == 0, p.stderr
    cfg = AppConfig.from_env()
    assert cfg.overrides == (("tendering.share", 0.2),)
    monkeypatch.setenv(CONFIG_ENV, os.environ[CONFIG_ENV])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--set", "tendering.shar=0.2"], "unknown parameter 'tendering.shar'"),
        (["--set", "tendering.share=2"], "has value 2: Input should be less than or equal to 1"),
        (
            [
                "--model-a",
                "hod",
                "--model-b",
                "model_municipality",
                "--set",
                "control_bids.cost_coverage=0.1",
            ],
            "which neither model (hod, model_municipality) uses",
        ),
    ],
)
def test_app_bad_set_is_one_line(invoke, monkeypatch, args, says):
    from sim.app import cli as app_cli

    monkeypatch.setattr(app_cli, "serve", lambda port: pytest.fail("served despite a bad --set"))
    p = invoke("app", *args)
    i = args.index("--set")
    _one_line_error(p, f"error: --set {args[i + 1]}: ", says)


# ------------------------------------------------------------------ base: scenario files
def _file(tmp_path, text: str, name: str = "mine.yaml") -> str:
    f = tmp_path / name
    f.write_text(text)
    return str(f)


def test_base_file_equals_the_preset_with_the_same_set(tmp_path):
    f = _file(
        tmp_path,
        "base: hod\nname: hod40\nset:\n  tendering.share: 0.4\n  fixed_inhouse_share.share: 0.6\n"
        "parameters:\n  municipality:\n    employees: 180\n",
    )
    sc = load_scenario(f)
    assert sc.name == "hod40" and sc.description.startswith("hod, changed: ")
    by_file = run(f, seed=2, years=2)
    by_set = run(
        "hod",
        seed=2,
        years=2,
        set={
            "tendering.share": 0.4,
            "fixed_inhouse_share.share": 0.6,
            "municipality.employees": 180,
        },
    )
    for t in ("yearly", "areas", "admin", "tenders"):
        pd.testing.assert_frame_equal(getattr(by_file, t), getattr(by_set, t), check_exact=True)
    # the municipality's other parameters stay the base's
    assert (
        sc.parameters.municipality.citizens == load_scenario("hod").parameters.municipality.citizens
    )


def test_base_file_adds_and_removes_rules_and_chains(tmp_path):
    first = _file(tmp_path, "base: bum\nremove_rules: [inspection]\n", "noinsp.yaml")
    sc = load_scenario(first)
    assert sc.name == "noinsp" and "inspection" not in sc.rule_keys()
    assert sc.rule_keys() == load_scenario("bum").rule_keys() - {"inspection"}
    second = _file(
        tmp_path, "base: noinsp.yaml\nadd_rules: [{rule: sick_leave_goal}]\n", "more.yaml"
    )
    assert load_scenario(second).rule_keys() == sc.rule_keys() | {"sick_leave_goal"}
    # a base with regimes: the change applies in every regime
    third = _file(tmp_path, "base: bum_to_hod\nadd_rules: [{rule: sick_leave_goal}]\n", "reg.yaml")
    assert all(
        "sick_leave_goal" in {r.rule for r in reg.rules}
        for reg in load_scenario(third).regime_list()
    )


def test_base_coupled_set_items_apply_together(tmp_path):
    f = _file(
        tmp_path,
        "base: hod\nset: {tendering.floor: 0.5, tendering.share: 0.5, "
        "fixed_inhouse_share.share: 0.5}\n",
    )
    assert load_scenario(f).rule_keys() == load_scenario("hod").rule_keys()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "base: hd\n",
            "key 'base' has value 'hd': no such preset or file; allowed: a preset (bum,",
        ),
        ("base: 3\n", "key 'base' has value 3; allowed: a preset"),
        (
            "base: hod\nset: {tendering.shar: 0.4}\n",
            "key 'set.tendering.shar': unknown parameter 'tendering.shar'",
        ),
        (
            "base: hod\nset: {tendering.share: 1.4}\n",
            "key 'set.tendering.share' has value 1.4: Input should be less than or equal to 1",
        ),
        (
            "base: hod\nset: {tendering.floor: 0.5}\n",
            "key 'set.tendering.floor' has value 0.5: key 'rules': rule 'tendering' has share "
            "0.3, below the tendering floor 0.5",
        ),
        (
            "base: hod\nset: [tendering.share]\n",
            "key 'set' has value ['tendering.share']: it must be a mapping",
        ),
        (
            "base: hod\nremove_rules: [inspection]\n",
            "key 'remove_rules' has value 'inspection': base 'hod' has no rule 'inspection'; its rules are: benchmarking,",
        ),
        (
            "base: hod\nremove_rules: [benchmarking]\n",
            "rule 'learning_teams' needs rule 'benchmarking'",
        ),
        (
            "base: hod\nadd_rules: [{rule: tendering}]\n",
            "key 'add_rules[0]' adds rule 'tendering', which base 'hod' already has",
        ),
        (
            "base: hod\nadd_rules: [{rule: tenderin}]\n",
            "add_rules[0]: unknown rule 'tenderin'; allowed rules: tendering,",
        ),
        (
            "base: hod\nadd_rules: [{rule: sick_leave_goal, targt: 1}]\n",
            "unknown key 'add_rules[0].targt' (value 1); allowed keys here:",
        ),
        (
            "base: hod\nparameters: {municipality: {employes: 3}}\n",
            "unknown key 'parameters.municipality.employes' (value 3); allowed keys here: citizens",
        ),
        (
            "base: hod\nrules: [{rule: trust_dynamics}]\nremove_rules: [benchmarking]\n",
            "key 'rules' replaces the base's rules; it cannot be combined",
        ),
        (
            "name: x\nremove_rules: [tendering]\nrules: [{rule: trust_dynamics}]\n",
            "key 'remove_rules' is only allowed in a scenario with 'base: PRESET'",
        ),
        ("base: mine.yaml\n", "the bases form a cycle (mine → mine)"),
    ],
)
def test_bad_base_file_is_one_message_naming_file_key_and_value(invoke, tmp_path, text, says):
    f = _file(tmp_path, text)
    p = invoke("run", f, "--years", "1", "--out", str(tmp_path / "o"))
    _one_line_error(p, f"error: {f}: ", says)
    assert not (tmp_path / "o").exists()


def test_base_file_is_reloaded_when_its_base_changes(tmp_path):
    _file(tmp_path, "base: bum\nname: inner\n", "inner.yaml")
    outer = _file(tmp_path, "base: inner.yaml\nname: outer\n", "outer.yaml")
    assert "inspection" in load_scenario(outer).rule_keys()
    _file(tmp_path, "base: bum\nname: inner\nremove_rules: [inspection]\n", "inner.yaml")
    assert "inspection" not in load_scenario(outer).rule_keys()


def test_readme_base_example_is_a_valid_scenario(tmp_path, invoke):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(name: hod_tender40\n.*?)```", readme, re.S)
    assert block, "README no longer shows the base: example"
    f = tmp_path / "hod_tender40.yaml"
    f.write_text(block.group(1))
    sc = load_scenario(f)
    assert sc.parameters.municipality.employees == 180
    assert "learning_teams" not in sc.rule_keys() and "sick_leave_goal" in sc.rule_keys()
    p = invoke("diff", "hod", str(f))
    assert p.returncode == 0 and "fixed_inhouse_share.share 0.7 → 0.6" in p.stdout


def test_top_level_help_shows_whole_descriptions(invoke):
    h = invoke("--help").stdout.split("Commands:")[1]
    assert "..." not in h and "diff" in h and "export" in h
