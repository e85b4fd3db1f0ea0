"""`--set KEY=VALUE` on run and compare, and ``run(..., set={...})``: the override reaches the
model, the manifest records it, and bad items get one message naming key, value and what is
allowed, before any run."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from sim import run
from sim.overrides import parse_set
from sim.scenario import presets_dir

# HOD's fixed 70 % in-house share caps tendering at 30 %: a higher tender share needs both
SET = {"tendering.share": 0.4, "fixed_inhouse_share.share": 0.6}
SET_ARGS = [a for k, v in SET.items() for a in ("--set", f"{k}={v}")]


def _rule(manifest: dict, name: str) -> dict:
    return next(r for r in manifest["scenario"]["rules"] if r["rule"] == name)


def test_run_set_changes_the_run_and_the_manifest_records_it(invoke, tmp_path):
    out, plain = tmp_path / "set", tmp_path / "plain"
    p = invoke("run", "hod", *SET_ARGS, "--years", "2", "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "tendering.share=0.4" in p.stdout
    q = invoke("run", "hod", "--years", "2", "--out", str(plain))
    assert q.returncode == 0, q.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert man["overrides"] == SET
    assert _rule(man, "tendering")["share"] == 0.4
    assert _rule(man, "fixed_inhouse_share")["share"] == 0.6
    assert json.loads((plain / "manifest.json").read_text())["overrides"] == {}
    a, b = (pd.read_parquet(d / "yearly.parquet") for d in (out, plain))
    assert a["tendered_share"].iloc[-1] == pytest.approx(0.4)
    assert b["tendered_share"].iloc[-1] == pytest.approx(0.3)
    assert not a.equals(b)


def test_set_default_out_folder_differs_from_the_plain_run(invoke, tmp_path):
    p = invoke("run", "bum", "--set", "tendering.share=0.4", "--years", "1", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "results" / "bum_seed0_tendering.share=0.4" / "manifest.json").exists()
    assert not (tmp_path / "results" / "bum_seed0").exists()


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("tendering.shar=0.4", "unknown parameter 'tendering.shar'; see `govsim params`"),
        ("tendering.share=1.7", "has value 1.7: Input should be less than or equal to 1"),
        ("tendering.share", "expected KEY=VALUE"),
        ("=0.4", "expected KEY=VALUE"),
        ("tendering.share=abc", "has value 'abc': Input should be a valid number"),
        ("control_bids.cost_coverage=0.05", "which scenario 'hod' does not use"),
    ],
)
def test_run_bad_set_is_one_line_and_exit_2(invoke, tmp_path, item, says):
    out = tmp_path / "r"
    p = invoke("run", "hod", "--set", item, "--years", "2", "--out", str(out))
    assert p.returncode == 2
    assert p.stderr.startswith(f"error: --set {item}: ") and says in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert not out.exists()


def test_set_given_twice_is_an_error(invoke):
    p = invoke("run", "hod", "--set", "tendering.share=0.4", "--set", "tendering.share=0.5")
    assert p.returncode == 2 and "set twice" in p.stderr


def test_values_are_yaml_scalars():
    got = parse_set(["a.b=0.4", "a.c=12", "a.d=true", "a.e=1e6", "a.f=abc"])
    assert got == {"a.b": 0.4, "a.c": 12, "a.d": True, "a.e": 1e6, "a.f": "abc"}
    assert type(got["a.c"]) is int and type(got["a.e"]) is float


def test_run_set_equals_the_scenario_file(tmp_path):
    data = yaml.safe_load((presets_dir() / "hod.yaml").read_text())
    for r in data["rules"]:
        if r["rule"] == "tendering":
            r["share"] = 0.4
        if r["rule"] == "fixed_inhouse_share":
            r["share"] = 0.6
    f = tmp_path / "hod40.yaml"
    f.write_text(yaml.safe_dump(data))
    by_set = run("hod", seed=1, years=2, set=SET)
    by_file = run(f, seed=1, years=2)
    for t in ("yearly", "areas", "admin", "tenders"):
        pd.testing.assert_frame_equal(getattr(by_set, t), getattr(by_file, t), check_exact=True)
    assert by_set.manifest["overrides"] == SET
    assert by_set.manifest["scenario"] == by_file.manifest["scenario"]


def test_run_set_errors_name_the_item():
    from sim.errors import GovsimError

    with pytest.raises(GovsimError, match=r"^set tendering.share=1.7: .*less than or equal to 1"):
        run("hod", years=1, set={"tendering.share": 1.7})
    with pytest.raises(GovsimError, match="must be a mapping"):
        run("hod", years=1, set=["tendering.share=0.4"])


def test_compare_set_applies_to_every_scenario(invoke, tmp_path):
    out, plain = tmp_path / "c", tmp_path / "p"
    common = ["--scenarios", "bum", "--scenarios", "hod", "--years", "2", "--replications", "2"]
    common += ["--workers", "1"]
    p = invoke("compare", *common, "--set", "tendering.share=0.4", "--out", str(out))
    assert p.returncode == 0, p.stderr
    q = invoke("compare", *common, "--out", str(plain))
    assert q.returncode == 0, q.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert man["overrides"] == {"tendering.share": 0.4}
    for sc in man["scenarios"]:
        assert _rule({"scenario": sc}, "tendering")["share"] == 0.4
    a, b = (pd.read_parquet(d / "yearly.parquet") for d in (out, plain))
    bum_a, bum_b = (y[y["scenario"] == "bum"] for y in (a, b))
    assert bum_a["tendered_share"].iloc[-1] == pytest.approx(0.4)
    assert not bum_a.reset_index(drop=True).equals(bum_b.reset_index(drop=True))
    # the same runs as the API with the same override and seed
    seed = int(bum_a["seed"].iloc[0])
    api = run("bum", seed=seed, years=2, set={"tendering.share": 0.4}).yearly
    got = bum_a[bum_a["seed"] == seed][list(api.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, api, check_exact=True)


def test_compare_set_a_scenario_does_not_use_names_it(invoke, tmp_path):
    out = tmp_path / "c"
    p = invoke("compare", "--set", "tendering.share=0.4", "--years", "1", "--out", str(out))
    assert p.returncode == 2
    assert p.stderr.startswith("error: --set tendering.share=0.4: ")
    assert "scenario 'model_municipality' does not use" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_help_documents_set(invoke):
    assert "--set KEY=VALUE" in invoke("run", "--help").stdout
    h = invoke("compare", "--help").stdout
    assert "--set KEY=VALUE" in h and "every compared scenario" in " ".join(h.split())


def _experiment(tmp_path, scenarios: list) -> str:
    f = tmp_path / "exp.yaml"
    exp = {"name": "e", "scenarios": scenarios, "replications": 2, "years": 2, "master_seed": 7}
    f.write_text(yaml.safe_dump({**exp, "tables": ["yearly"]}))
    return str(f)


def test_batch_set_applies_to_every_run(invoke, tmp_path):
    from sim.experiments.engine import load_results, run_list

    exp, out = _experiment(tmp_path, ["bum", "hod"]), tmp_path / "o"
    p = invoke("batch", exp, *SET_ARGS[:2], "--out", str(out), "--no-progress")
    assert p.returncode == 0, p.stderr
    y = load_results(out, "yearly")
    assert set(y["case"]) == {"bum", "hod"}  # the file's case labels
    bum = y[y["scenario"] == "bum"]
    assert bum["tendered_share"].to_numpy() == pytest.approx(0.4)
    seed = int(bum["seed"].iloc[0])
    api = run("bum", seed=seed, years=2, set={"tendering.share": 0.4}).yearly
    pd.testing.assert_frame_equal(
        bum[bum["seed"] == seed][list(api.columns)].reset_index(drop=True), api, check_exact=True
    )
    man = json.loads((out / "manifest.json").read_text())
    assert man["overrides"] == {"tendering.share": 0.4}
    plan = run_list(out)
    assert all(json.loads(o)["tendering.share"] == 0.4 for o in plan["overrides"])


@pytest.mark.parametrize(
    ("scenarios", "item", "says"),
    [
        (
            [
                {
                    "scenario": "bum",
                    "grid": {"tendering.share": {"low": 0.1, "high": 0.2, "steps": 2}},
                }
            ],
            "tendering.share=0.4",
            "the experiment already varies 'tendering.share'",
        ),
        (["model_municipality"], "tendering.share=0.4", "'model_municipality' does not use"),
        (["bum"], "tendering.share=1.7", "less than or equal to 1"),
    ],
)
def test_batch_bad_set_is_one_line_before_any_run(invoke, tmp_path, scenarios, item, says):
    out = tmp_path / "o"
    exp = _experiment(tmp_path, scenarios)
    p = invoke("batch", exp, "--set", item, "--out", str(out), "--no-progress")
    assert p.returncode == 2
    assert p.stderr.startswith(f"error: --set {item}: ") and says in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert not out.exists()
