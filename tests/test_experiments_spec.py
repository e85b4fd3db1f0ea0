"""Experiment files: expansion into runs, seeds, grids, Latin hypercubes, and bad files that must
fail fast — one clear message, exit code 2, before any run starts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.errors import GovsimError
from sim.experiments.spec import expand, load_experiment
from sim.params import schema_index
from sim.seeds import derive_seeds

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, data: dict, name: str = "exp.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def base(**kw) -> dict:
    return {
        "name": "t",
        "scenarios": ["bum", "hod"],
        "replications": 3,
        "years": 4,
        "master_seed": 11,
        **kw,
    }


def test_shipped_experiments_expand():
    cm = expand(
        load_experiment(ROOT / "experiments/compare_models.yaml"),
        ROOT / "experiments/compare_models.yaml",
    )
    assert len(cm) == 3 * 30
    assert {s.scenario for s in cm} == {"bum", "hod", "model_municipality"}
    path = ROOT / "experiments/tender_share_sweep.yaml"
    sw = expand(load_experiment(path), path)
    shares = sorted({dict(s.overrides)["tendering.share"] for s in sw if s.scenario == "bum"})
    assert shares == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert {s.scenario for s in sw if not s.overrides} == {"hod", "model_municipality"}
    assert len(sw) == (7 + 2) * 20


def test_seeds_are_common_across_cases_and_derive_from_master_seed(tmp_path):
    specs = expand(load_experiment(write(tmp_path, base())))
    seeds = derive_seeds(11, 3)
    assert [s.seed for s in specs] == seeds * 2
    assert [s.run_id for s in specs][:3] == ["bum-v0000-r000", "bum-v0000-r001", "bum-v0000-r002"]
    assert dict(specs[4].meta) == {"label": "hod", "case": "hod", "variation": 0, "replication": 1}
    assert len({s.run_id for s in specs}) == len(specs)


def test_grid_is_full_factorial_and_values_explicit(tmp_path):
    exp = base(
        scenarios=[
            {
                "scenario": "bum",
                "grid": {"tendering.share": [0.1, 0.2], "tendering.contract_years": [2, 4, 6]},
            },
            {"scenario": "hod", "values": [{"trust.initial": 0.4}, {"trust.initial": 0.6}]},
        ]
    )
    specs = expand(load_experiment(write(tmp_path, exp)))
    bum = {s.overrides for s in specs if s.scenario == "bum"}
    assert len(bum) == 6 and (("tendering.contract_years", 6), ("tendering.share", 0.2)) in bum
    assert {s.overrides for s in specs if s.scenario == "hod"} == {
        (("trust.initial", 0.4),),
        (("trust.initial", 0.6),),
    }
    assert len(specs) == (6 + 2) * 3


def test_latin_hypercube_is_stratified_in_the_schema_ranges_and_seeded(tmp_path):
    exp = base(
        scenarios=["bum"],
        replications=1,
        variations={
            "lhs": {"samples": 10, "parameters": ["tendering.share", "municipality.contractors"]}
        },
    )
    p = write(tmp_path, exp)
    a = expand(load_experiment(p))
    assert [s.overrides for s in a] == [s.overrides for s in expand(load_experiment(p))]
    info = schema_index()["tendering.share"]
    share = np.array([dict(s.overrides)["tendering.share"] for s in a])
    # one point in each of the 10 equal strata of the plausible range
    strata = np.floor((share - info.low) / (info.high - info.low) * 10).astype(int)
    assert sorted(strata) == list(range(10))
    assert all(isinstance(dict(s.overrides)["municipality.contractors"], int) for s in a)
    other = expand(load_experiment(write(tmp_path, {**exp, "master_seed": 12}, "b.yaml")))
    assert [s.overrides for s in other] != [s.overrides for s in a]


BAD = [
    (base(scenarios=["bum", "no_such_model"]), "no_such_model"),
    (
        base(variations={"grid": {"tendering.sharre": [0.1]}}),
        "unknown parameter 'tendering.sharre'",
    ),
    (
        base(variations={"grid": {"tendering.share": {"low": 0.6, "high": 0.1, "steps": 3}}}),
        "range low 0.6 is above high 0.1",
    ),
    (
        base(variations={"lhs": {"samples": 4, "parameters": {"tendering.share": [0.5, 0.2]}}}),
        "low 0.5 is above high 0.2",
    ),
    (base(replications=0), "replications"),
    (base(outcomes=["happiness"]), "'happiness'"),
    (base(variations={"values": [{"tendering.share": 1.7}]}), "tendering.share"),
]


@pytest.mark.parametrize(
    ("data", "needle"),
    BAD,
    ids=["scenario", "param", "range", "lhs-range", "replications", "outcome", "value"],
)
def test_bad_experiment_raises_one_clear_error(tmp_path, data, needle):
    p = write(tmp_path, data)
    with pytest.raises(GovsimError) as e:
        expand(load_experiment(p), p)
    assert needle in e.value.message
    assert str(p) in e.value.message


@pytest.mark.parametrize(
    ("data", "needle"), [BAD[0], BAD[2], BAD[4]], ids=["scenario", "range", "replications"]
)
def test_bad_experiment_cli_exits_2_before_any_run(cli, tmp_path, data, needle):
    p = write(tmp_path, data)
    out = tmp_path / "out"
    r = cli("batch", str(p), "--out", str(out), "--no-progress")
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and needle in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_unknown_parameter_cli(invoke, tmp_path):
    p = write(tmp_path, BAD[1][0])
    r = invoke("batch", str(p), "--out", str(tmp_path / "o"), "--no-progress")
    assert r.returncode == 2 and "unknown parameter 'tendering.sharre'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_unreachable_scheduler_fails_fast(cli, tmp_path):
    p = write(tmp_path, base())
    out = tmp_path / "out"
    r = cli(
        "batch",
        str(p),
        "--out",
        str(out),
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--no-progress",
        timeout=60,
    )
    assert r.returncode == 2
    assert (
        "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in r.stderr
        and "Traceback" not in r.stderr
    )
    assert not out.exists()


def test_the_example_in_docs_is_a_valid_experiment(tmp_path):
    text = (ROOT / "docs/experiments.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    p = tmp_path / "doc.yaml"
    p.write_text(block)
    specs = expand(load_experiment(p), p)
    assert len(specs) == (7 + 2) * 20
    assert (
        specs[0].run_id == "bum-v0000-r000"
        and dict(specs[0].meta)["case"] == "bum [tendering.share=0]"
    )
