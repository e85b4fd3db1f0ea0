"""The real `govsim` command in a subprocess, compared with the API's output (pysd's CLI tests);
error paths run in this process (click's CliRunner, the ``invoke`` fixture)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd

from sim import outputs, run


def test_run_writes_the_same_tables_as_the_api(cli, tmp_path):
    out = tmp_path / "r"
    p = cli("run", "hod", "--seed", "3", "--years", "5", "--out", str(out))
    assert p.returncode == 0, p.stderr
    api = run("hod", seed=3, years=5)
    for t in ("yearly", "areas", "admin", "tenders"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / f"{t}.parquet"), getattr(api, t), check_exact=True
        )
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 3 and man["years"] == 5 and man["scenario"]["name"] == "hod"
    assert man["versions"]["mesa"].startswith("3.3")
    assert "git_commit" in man
    last = api.yearly.iloc[-1]
    for col in outputs.listed("run"):  # the registry's `run` view, with its labels
        assert f"{outputs.label(col)} " in p.stdout and f"{last[col]:.3f} (final year)" in p.stdout


def test_compare_small(cli, tmp_path):
    out = tmp_path / "c"
    p = cli("compare", "--replications", "2", "--years", "3", "--out", str(out))
    assert p.returncode == 0, p.stderr
    for f in (
        "summary.csv",
        "yearly.parquet",
        "admin.parquet",
        "timeseries.png",
        "final_year.png",
        "admin_breakdown.png",
    ):
        assert (out / f).stat().st_size > 0, f
    s = pd.read_csv(out / "summary.csv")
    assert set(s["scenario"]) == {"bum", "hod", "model_municipality"}
    y = pd.read_parquet(out / "yearly.parquet")
    assert len(y) == 3 * 2 * 3 and y["seed"].nunique() == 2
    # paired difference from BUM is the mean of per-seed differences
    row = s[(s["scenario"] == "hod") & (s["outcome"] == "admin_cost_dkk")].iloc[0]
    per = y.groupby(["scenario", "seed"])["admin_cost_dkk"].mean().unstack("scenario")
    assert abs(row["run_diff_vs_bum"] - (per["hod"] - per["bum"]).mean()) < 1e-6 * abs(
        row["run_diff_vs_bum"]
    )
    assert "paired difference from BUM" in p.stdout
    paired = p.stdout.split("paired difference from BUM")[1]
    from sim.analysis import shown_unit

    for col in outputs.listed("paired"):  # the registry's labels, each once per scenario but BUM
        name = re.escape(outputs.label(col, unit=False))
        unit = re.escape(shown_unit(col, diff=True))
        for scen in ("hod", "model_municipality"):
            line = rf"^  {name} +{scen} +[+-][\d,.]+ \[[+-][\d,.]+, [+-][\d,.]+\] +{unit} +[+-][\d,.]+ %$"
            assert len(re.findall(line, paired, re.M)) == 1, (col, scen)
    assert "e+0" not in paired and "e-0" not in paired  # no scientific notation


def test_scenarios_and_params_list(cli):
    p = cli("scenarios")
    assert p.returncode == 0
    for name in (
        "bum",
        "hod",
        "model_municipality",
        "quality_municipality",
        "dialogue_steering",
        "bum_to_hod",
    ):
        assert name in p.stdout
    p = cli("params", "--format", "csv")
    assert p.returncode == 0
    lines = p.stdout.strip().splitlines()
    assert lines[0].startswith("name,unit,default,low,high,source")
    assert any(line.startswith("tendering.share,") for line in lines)
    assert all(line.count(",") >= 6 for line in lines[1:])


def test_compare_rejects_ambiguous_scenarios(invoke, tmp_path):
    p = invoke(
        "compare",
        "--scenarios",
        "bum",
        "--scenarios",
        "bum",
        "--replications",
        "2",
        "--out",
        str(tmp_path / "o"),
    )
    assert (
        p.returncode == 2
        and "two scenarios are named 'bum'" in p.stderr
        and "Traceback" not in p.stderr
    )
    other = tmp_path / "late.yaml"
    other.write_text("name: late\nstart_year: 2012\nrules: [{rule: trust_dynamics}]\n")
    p = invoke(
        "compare",
        "--scenarios",
        "bum",
        "--scenarios",
        str(other),
        "--replications",
        "2",
        "--out",
        str(tmp_path / "o"),
    )
    assert p.returncode == 2 and "cover different years" in p.stderr
    assert not (tmp_path / "o").exists()


def test_compare_baseline_option(invoke, tmp_path):
    out = tmp_path / "b"
    p = invoke(
        "compare",
        "--scenarios",
        "hod",
        "--scenarios",
        "model_municipality",
        "--replications",
        "3",
        "--years",
        "3",
        "--baseline",
        "hod",
        "--out",
        str(out),
    )
    assert p.returncode == 0, p.stderr
    s = pd.read_csv(out / "summary.csv")
    assert "run_diff_vs_hod" in s.columns and "paired difference from HOD" in p.stdout
    assert s.loc[s["scenario"] == "model_municipality", "run_diff_vs_hod"].notna().all()
    p = invoke(
        "compare",
        "--scenarios",
        "hod",
        "--baseline",
        "bum",
        "--replications",
        "2",
        "--out",
        str(tmp_path / "x"),
    )
    assert (
        p.returncode == 2
        and "--baseline has value 'bum'" in p.stderr
        and not (tmp_path / "x").exists()
    )


def test_user_errors_in_process_exit_2_without_traceback(invoke, tmp_path):
    """A GovsimError raised inside any command is turned into `error: …`, exit 2 by the click
    group itself, so it holds in-process as in the installed command."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrules:\n  - rule: tendering\n    share: .inf\n")
    for args in (
        ["run", str(bad)],
        ["compare", "--scenarios", str(bad), "--out", str(tmp_path / "c")],
        ["run", "no_such_preset"],
    ):
        p = invoke(*args)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert p.stderr.startswith("error: ") and "Traceback" not in p.stderr, p.stderr
    assert "rules[0].tendering.share" in invoke("run", str(bad)).stderr
    assert not (tmp_path / "c").exists()


def test_from_sim_import_run_still_works_lazily():
    import sim

    assert sim.run is run and callable(sim.load_scenario) and sim.RunResult.__name__ == "RunResult"
    assert {"run", "Scenario", "GovsimError"} <= set(dir(sim))


def test_the_command_line_starts_without_the_simulation_stack():
    """`govsim --help` (and the import of sim.cli) loads neither Mesa nor pandas nor numpy, so it
    starts in a fraction of a second (measured, not asserted: see the README)."""
    code = (
        "import sys, sim.cli\n"
        "try:\n    sim.cli.cli.main(['--help'], prog_name='govsim', standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('mesa', 'pandas', 'numpy', 'pyarrow', 'matplotlib') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Commands:" in p.stdout and "validate" in p.stdout
    assert p.stdout.strip().splitlines()[-1] == "[]", p.stdout
