"""`govsim compare` and `govsim run --out`: manifest, folder refused before any simulation, failed runs reported."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from sim.cli import cli, main


def _main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The real entry point (``govsim``'s error handling included), in this process."""
    monkeypatch.setattr(sys, "argv", ["govsim", *args])
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_writes_a_manifest(tmp_path):
    out = tmp_path / "cmp"
    res = CliRunner().invoke(
        cli,
        [
            "compare",
            "--scenarios",
            "bum",
            "--scenarios",
            "hod",
            "--replications",
            "2",
            "--years",
            "2",
            "--workers",
            "1",
            "--seed",
            "5",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    m = json.loads((out / "manifest.json").read_text())
    from sim.seeds import derive_seeds

    assert [s["name"] for s in m["scenarios"]] == ["bum", "hod"]
    assert m["seeds"] == derive_seeds(5, 2) and m["replications"] == 2 and m["years"] == 2
    assert m["master_seed"] == 5 and m["baseline"] == "bum"
    assert m["versions"]["govsim"] and "git_commit" in m
    assert "manifest.json" in res.output
    for name in ("summary.csv", "yearly.parquet", "admin.parquet"):
        assert (out / name).exists()


@pytest.mark.parametrize(
    "command",
    [
        ["compare", "--replications", "1", "--years", "1", "--workers", "1"],
        ["run", "bum", "--years", "1"],
    ],
)
def test_an_out_under_a_file_is_refused_before_any_simulation(
    tmp_path, monkeypatch, capsys, command
):
    import sim.compare
    import sim.runner

    def boom(*a, **k):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(sim.compare, "run_comparison", boom)
    monkeypatch.setattr(sim.runner, "run", boom)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code, out, err = _main(monkeypatch, capsys, *command, "--out", str(blocker / "results"))
    assert code == 2
    assert "is a file" in err and str(blocker) in err
    assert "Traceback" not in err + out


def test_compare_reports_failed_runs_and_writes_nothing(tmp_path, monkeypatch, capsys):
    # one of the two replications fails inside the model (workers=1 runs in this process)
    from sim import model as model_mod

    orig_init = model_mod.MunicipalityModel.__init__

    def init(self, scenario, seed=0, *a, **k):
        if seed == 1913262374:  # the first replication seed of the default master seed
            raise RuntimeError("injected failure")
        orig_init(self, scenario, seed, *a, **k)

    monkeypatch.setattr(model_mod.MunicipalityModel, "__init__", init)
    out = tmp_path / "cmp"
    code, stdout, err = _main(
        monkeypatch,
        capsys,
        "compare",
        "--scenarios",
        "bum",
        "--replications",
        "2",
        "--years",
        "1",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert code == 2
    assert "2 of 2 runs failed" not in err and "1 of 2 runs failed or are missing" in err
    assert "injected failure" in err and "Traceback" not in err
    assert not out.exists()


def test_compare_is_a_command_module_that_no_library_module_imports():
    """The analysis compare does lives in sim.analysis (which report and others import);
    sim.compare is the command's own module and only the CLI imports it."""
    import ast
    from pathlib import Path

    import sim

    importers = []
    for path in Path(sim.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if "sim.compare" in names:
                importers.append(path.name)
    assert sorted(set(importers)) == ["cli.py"], importers
