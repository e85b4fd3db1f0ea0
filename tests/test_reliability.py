"""Issue 9, 'one execution path' and 'nothing lost, nothing doubled': run_many in memory and on
disk, Scenario objects as run specs, failures reported or raised, the output folder lock,
unwritable folders refused before any run, dead pool workers replaced, no process left behind a
killed batch, truthful pending counts, report warnings and corrupt parts, a Dask batch without
workers. Timeouts here only guard hangs."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
import yaml
from click.testing import CliRunner

from sim.errors import GovsimError
from sim.experiments.engine import (
    RunSpec,
    execute,
    load_results,
    run_chunk,
    run_list,
    run_many,
)
from tests.conftest import govsim_exe

SPECS = [
    RunSpec(f"{sc}-r{r}", sc, seed=10 + r, years=2, meta=(("replication", r),))
    for sc in ("bum", "hod")
    for r in range(3)
]


def _wait_for(pred, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# ------------------------------------------------------------------ one execution path


def test_run_many_in_memory_equals_the_stored_tables_and_takes_scenario_objects(tmp_path):
    from sim.overrides import apply_overrides
    from sim.scenario import load_scenario

    mem = run_many(SPECS, tables=("yearly", "admin"))
    assert (mem.done, mem.failed, mem.pending, mem.out) == (len(SPECS), 0, 0, None)
    disk = run_many(SPECS, out=tmp_path / "d", workers=2, chunk_size=2)
    for t in ("yearly", "admin"):
        pd.testing.assert_frame_equal(
            mem.table(t), load_results(tmp_path / "d", t), check_exact=True
        )
        pd.testing.assert_frame_equal(disk.table(t), mem.table(t), check_exact=True)
    # a Scenario object (here an edited one, as an analysis builds it) runs like its file
    hod = load_scenario("hod")
    edited = apply_overrides(hod, {"municipality.staff_hourly_dkk": 450.0})
    obj = [RunSpec(f"o{r}", hod, seed=10 + r, years=2) for r in range(3)] + [
        RunSpec("e", edited, seed=1, years=2)
    ]
    got = run_many(obj, tables=("yearly",), workers=2, chunk_size=1).table("yearly")
    ref = mem.table("yearly")
    strip = ["run_id", "scenario", "seed", "replication"]
    for r in range(3):
        pd.testing.assert_frame_equal(
            got[got["run_id"] == f"o{r}"]
            .drop(columns=["run_id", "scenario", "seed"])
            .reset_index(drop=True),
            ref[ref["run_id"] == f"hod-r{r}"].drop(columns=strip).reset_index(drop=True),
            check_exact=True,
        )
    assert set(got["scenario"]) == {hod.name}
    # stored: the manifest names the object's scenario and pins its content for --resume
    run_many(obj, out=tmp_path / "o", tables=("yearly",))
    man = json.loads((tmp_path / "o" / "manifest.json").read_text())
    plan = run_list(tmp_path / "o")
    assert man["runs"]["count"] == 4 and set(plan["scenario"]) == {hod.name}
    assert plan["scenario_digest"].map(bool).all()
    with pytest.raises(GovsimError, match="different experiment"):
        run_many(
            [RunSpec("o0", edited, seed=10, years=2), *obj[1:]], out=tmp_path / "o", resume=True
        )


def test_failed_runs_are_reported_or_raise_with_the_first_traceback(monkeypatch):
    import sim.runner

    real = sim.runner.simulate

    def flaky(scenario, seed=0, years=None):
        if seed == 11:
            raise RuntimeError("boom on seed 11")
        return real(scenario, seed, years)

    monkeypatch.setattr(sim.runner, "simulate", flaky)  # in-process (1 worker): the patch applies
    res = run_many(SPECS, tables=("yearly",))
    assert (res.done, res.failed) == (4, 2)
    assert sorted(res.failures) == ["bum-r1", "hod-r1"]
    assert all(
        "RuntimeError: boom on seed 11" in tb and "Traceback" in tb for tb in res.failures.values()
    )
    assert set(res.table("yearly")["seed"]) == {10, 12}
    with pytest.raises(GovsimError) as e:
        run_many(SPECS, tables=("yearly",), strict=True)
    assert e.value.message.startswith("2 of 6 runs failed")
    assert "bum-r1" in e.value.message and "RuntimeError: boom on seed 11" in e.value.message


def test_a_sensitivity_study_with_failed_runs_stops_with_the_first_traceback(monkeypatch, tmp_path):
    import sim.runner
    from sim.sensitivity.spec import spec_from_dict
    from sim.sensitivity.study import analyse_study, run_study

    spec = spec_from_dict(
        {
            "name": "t",
            "years": 2,
            "parameters": {
                "inspection.share_of_volume": None,
                "internal_invoicing.hours_per_invoice": [1, 8],
            },
            "outcomes": [{"column": "admin_overhead_share", "summary": "mean", "scenario": "bum"}],
            "method": {"name": "morris", "trajectories": 2},
            "replications": 1,
            "seed": 3,
        }
    )
    real, calls = sim.runner.simulate, []

    def flaky(scenario, seed=0, years=None):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom in study")
        return real(scenario, seed, years)

    monkeypatch.setattr(sim.runner, "simulate", flaky)
    with pytest.raises(GovsimError) as e:
        run_study(spec, tmp_path / "s", progress=False)
    assert "1 of " in e.value.message and "no indices were computed" in e.value.message
    assert "RuntimeError: boom in study" in e.value.message
    assert not (tmp_path / "s" / "indices.csv").exists()
    with pytest.raises(
        GovsimError, match="RuntimeError: boom in study"
    ):  # re-analysis refuses the holes too
        analyse_study(spec, tmp_path / "s")


# ------------------------------------------------------------------ the folder lock


def _slow_experiment(tmp_path: Path) -> Path:
    path = tmp_path / "slow.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "slow",
                "scenarios": ["bum", "hod"],
                "replications": 10,
                "years": 4,
                "master_seed": 2,
                "tables": ["yearly"],
                "outcomes": ["admin_cost_dkk"],
            }
        )
    )
    return path


def gated_chunk(chunk, tables, cols):
    """run_chunk once the file named by $GOVSIM_TEST_GATE exists: holds a batch (and its lock) open."""
    while not os.path.exists(os.environ["GOVSIM_TEST_GATE"]):
        time.sleep(0.01)
    return run_chunk(chunk, tables, cols)


HOLDER = """
import sys
from pathlib import Path
from tests.test_reliability import gated_chunk, load_spec_runs
from sim.experiments.engine import run_many
exp, out, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
run_many(load_spec_runs(exp), out=out, tables=("yearly",), columns=["admin_cost_dkk"], chunk_size=1,
         _task=gated_chunk, workers=workers)
"""


def _holder(
    exp: Path, out: Path, gate: Path, workers: int = 1, env: dict | None = None
) -> subprocess.Popen:
    """A batch in another process that holds `out` until `gate` exists."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(exp), str(out), str(workers)],
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **(env or {}), "GOVSIM_TEST_GATE": str(gate)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_second_writer_on_the_same_out_is_refused_and_no_run_is_stored_twice(tmp_path):
    exp = _slow_experiment(tmp_path)
    out = tmp_path / "o"
    gate = tmp_path / "go"
    first = _holder(exp, out, gate)
    try:
        _wait_for(
            lambda: (out / "manifest.json").exists() or first.poll() is not None,
            what="the first writer",
        )
        second = subprocess.run(
            [*govsim_exe(), "batch", str(exp), "--out", str(out), "--resume", "--no-progress"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2, second.stderr
        assert f"PID {first.pid}" in second.stderr and str(out) in second.stderr
        assert "Traceback" not in second.stderr
        with pytest.raises(
            GovsimError, match=f"being written by another govsim process \\(PID {first.pid}"
        ):
            execute(
                load_spec_runs(exp),
                out,
                tables=("yearly",),
                columns=["admin_cost_dkk"],
                progress=False,
            )
    finally:
        gate.touch()
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    runs = load_results(out, "runs")
    assert runs["run_id"].is_unique and len(runs) == 20
    assert load_results(out).groupby("run_id").size().eq(4).all()
    # once the writer is gone the folder is free again
    assert (
        execute(
            load_spec_runs(exp),
            out,
            resume=True,
            tables=("yearly",),
            columns=["admin_cost_dkk"],
            progress=False,
        ).skipped
        == 20
    )


def load_spec_runs(exp: Path) -> list[RunSpec]:
    from sim.experiments.spec import expand, load_experiment

    return expand(load_experiment(exp), exp)


@pytest.mark.parametrize("command", ["batch", "sensitivity"])
def test_an_out_that_cannot_be_made_is_refused_before_any_run(command, tmp_path, monkeypatch):
    import sim.runner
    from sim.cli import cli

    def no_runs(*a, **k):
        raise AssertionError("a run started")

    monkeypatch.setattr(sim.runner, "simulate", no_runs)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    if command == "batch":
        spec = tmp_path / "e.yaml"
        spec.write_text(
            yaml.safe_dump(
                {"name": "e", "scenarios": ["bum"], "replications": 1, "years": 2, "master_seed": 1}
            )
        )
    else:
        spec = tmp_path / "s.yaml"
        spec.write_text(
            yaml.safe_dump(
                {
                    "name": "s",
                    "years": 2,
                    "parameters": {
                        "inspection.share_of_volume": None,
                        "internal_invoicing.hours_per_invoice": [1, 8],
                    },
                    "outcomes": [{"column": "admin_cost_dkk", "scenario": "bum"}],
                    "method": {"name": "morris", "trajectories": 2},
                    "replications": 1,
                }
            )
        )
    res = CliRunner().invoke(cli, [command, str(spec), "--out", str(a_file / "sub")])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    message = res.stderr.strip()
    assert message.startswith("error: ") and len(message.splitlines()) == 1, message
    assert "is a file" in message and str(a_file) in message


# ------------------------------------------------------------------ dead workers, truthful counts


def killer_chunk(chunk, tables, cols):
    """run_chunk, except that a run with meta die=always kills its pool process every time and one
    with die=<path> once (the file marks that it did); never in the test's own process."""
    if mp.parent_process() is not None:
        for s in chunk:
            die = dict(s.meta).get("die")
            if die == "always" or (die and not os.path.exists(die)):
                if die != "always":
                    Path(die).touch()
                os._exit(7)
    return run_chunk(chunk, tables, cols)


def _with_meta(specs: list[RunSpec], which: dict[str, str]) -> list[RunSpec]:
    return [
        RunSpec(
            s.run_id,
            s.scenario,
            s.overrides,
            s.seed,
            s.years,
            (*s.meta, ("die", which.get(s.run_id, ""))),
        )
        for s in specs
    ]


def test_a_dead_pool_worker_is_replaced_and_its_runs_are_run_again(tmp_path):
    ref = run_many(SPECS, tables=("yearly",)).table("yearly")
    specs = _with_meta(
        SPECS, {"bum-r2": str(tmp_path / "died-once"), "hod-r0": str(tmp_path / "died-too")}
    )
    res = run_many(
        specs,
        workers=3,
        chunk_size=2,
        tables=("yearly",),
        out=tmp_path / "o",
        _task=killer_chunk,
        _backend_options={"parent_computes": False},
    )
    assert (tmp_path / "died-once").exists() and (tmp_path / "died-too").exists()
    assert (res.done, res.failed, res.pending) == (len(SPECS), 0, 0)
    got = res.table("yearly").drop(columns=["die"])
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert load_results(tmp_path / "o", "runs")["run_id"].is_unique


def test_a_run_that_kills_its_worker_every_time_is_recorded_as_failed(tmp_path):
    specs = _with_meta(SPECS, {"hod-r1": "always"})
    out = tmp_path / "o"
    res = run_many(
        specs,
        workers=2,
        chunk_size=3,
        tables=("yearly",),
        out=out,
        _task=killer_chunk,
        _backend_options={"parent_computes": False},
    )
    assert (res.done, res.failed, res.pending) == (len(SPECS) - 1, 1, 0)
    assert (
        list(res.failures) == ["hod-r1"]
        and "worker process running this run died" in res.failures["hod-r1"]
    )
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"] == {"done": 5, "failed": 1, "pending": 0} and man["complete"]
    assert sorted(set(load_results(out)["run_id"])) == sorted(
        s.run_id for s in SPECS if s.run_id != "hod-r1"
    )


def interrupting_chunk(chunk, tables, cols):
    if any(dict(s.meta).get("die") == "interrupt" for s in chunk):
        raise KeyboardInterrupt
    return run_chunk(chunk, tables, cols)


def test_an_interrupted_batch_counts_its_missing_runs_as_pending_and_report_warns(tmp_path):
    from sim.cli import cli
    from sim.experiments.report import write_report

    specs = _with_meta(SPECS, {"hod-r1": "interrupt"})
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        run_many(specs, out=out, chunk_size=1, _task=interrupting_chunk)
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"] == {"done": 4, "failed": 0, "pending": 2} and not man["complete"]
    assert run_list(out)["status"].tolist() == ["done"] * 4 + ["pending"] * 2
    html = write_report(out)[0].read_text()
    assert "Warning:" in html and "2 of 6 runs of this batch have no results" in html
    res = CliRunner().invoke(cli, ["report", str(out)])
    assert res.exit_code == 0
    assert "warning: 2 of 6 runs of this batch have no results" in res.output
    assert "cases have different numbers of replications: bum: 3, hod: 1" in res.output


def test_report_refuses_a_corrupt_part_with_one_message(cli, tmp_path):
    out = tmp_path / "o"
    execute(SPECS, out, progress=False, chunk_size=3)
    part = sorted((out / "yearly").glob("part-*.parquet"))[0]
    part.write_bytes(b"PAR1 not really parquet")
    r = cli("report", str(out))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and str(part) in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "not a readable Parquet part" in r.stderr


# ------------------------------------------------------------------ no process left behind


@pytest.mark.parametrize("forked", [False, True], ids=["forkserver", "forked"])
def test_a_killed_batch_leaves_no_pool_worker_or_resource_tracker(tmp_path, forked):
    """Both ways a pool starts: from the forkserver (the batch process has other threads: BLAS
    threads, as numpy starts them here) and forked from the single-threaded batch process."""
    from sim.experiments.backends import SERVER_ENV

    exp = _slow_experiment(tmp_path)
    proc = _holder(
        exp, tmp_path / "k", tmp_path / "never", workers=3, env=SERVER_ENV if forked else None
    )  # every run waits: still going when killed
    parent = psutil.Process(proc.pid)
    try:

        def pool_up() -> bool:
            if proc.poll() is not None:
                return True
            kids = parent.children(recursive=True)
            if forked:  # 2 pool processes, children of the batch process
                return len(parent.children()) >= 2
            # the resource tracker, the forkserver and its 2 pool processes
            return len(kids) >= 4 and any(len(k.children()) >= 2 for k in kids)

        _wait_for(pool_up, what="the pool to start")
        children = parent.children(recursive=True)
        assert proc.poll() is None, proc.communicate()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    gone, alive = psutil.wait_procs(children, timeout=20)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for p in alive:  # do not leave them behind for the rest of the suite either
        p.kill()
    assert not alive, [" ".join(p.cmdline())[:80] for p in alive]


# ------------------------------------------------------------------ Dask without workers


def test_a_dask_batch_with_no_live_worker_fails_after_a_bounded_wait(tmp_path):
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with Client(cluster) as c:
            c.retire_workers(list(c.scheduler_info()["workers"]), close_workers=True)
            _wait_for(
                lambda: not c.scheduler_info()["workers"], timeout=60, what="workers to close"
            )
            cluster.scale(0)
        t0 = time.monotonic()
        with pytest.raises(GovsimError, match="no live Dask worker .* for 1 s"):
            execute(
                SPECS,
                tmp_path / "d",
                scheduler=cluster.scheduler_address,
                worker_wait=1,
                progress=False,
            )
        assert time.monotonic() - t0 < 120  # guards a hang only
    man = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert man["counts"]["pending"] == len(SPECS) and not man["complete"]
