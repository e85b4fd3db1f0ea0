"""The experiment engine: identical tables on every backend, streaming parts, resume after a
SIGKILL, failures recorded, memory released, and interoperability (pandas, Mesa's batch_run)."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import run
from sim.errors import GovsimError
from sim.experiments.engine import RunSpec, execute, load_results, run_chunk, run_list

SPECS = [
    RunSpec(
        f"{sc}-v{v:04d}-r{r:03d}",
        sc,
        ov,
        seed=100 + r,
        years=5,
        meta=(("variation", v), ("replication", r)),
    )
    for sc, variants in (("bum", [(), (("tendering.share", 0.5),)]), ("hod", [()]))
    for v, ov in enumerate(variants)
    for r in range(3)
]


def assert_same(a: Path, b: Path) -> None:
    for t in ("yearly", "admin"):
        pd.testing.assert_frame_equal(load_results(a, t), load_results(b, t), check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "w1"
    s = execute(SPECS, out, workers=1, progress=False)
    assert (s.done, s.failed, s.skipped) == (len(SPECS), 0, 0)
    return out


def test_rows_carry_identity_and_match_the_api(reference):
    y = load_results(reference)
    assert list(y.columns[:6]) == [
        "run_id",
        "scenario",
        "seed",
        "variation",
        "replication",
        "tendering.share",
    ]
    assert y["run_id"].is_monotonic_increasing and len(y) == len(SPECS) * 5
    api = run("hod", seed=101, years=5).yearly
    got = (
        y[y["run_id"] == "hod-v0000-r001"].drop(columns=list(y.columns[:6])).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(got, api, check_exact=True)
    assert y.loc[y["scenario"] == "hod", "tendering.share"].isna().all()
    assert set(y.loc[y["run_id"].str.startswith("bum-v0001"), "tendering.share"]) == {0.5}
    # plain pandas reads the part directory as one table
    plain = pd.read_parquet(reference / "yearly")
    assert len(plain) == len(y) and set(plain["run_id"]) == {s.run_id for s in SPECS}
    man = json.loads((reference / "manifest.json").read_text())
    assert man["counts"] == {"done": len(SPECS), "failed": 0, "pending": 0}
    assert man["runs"] == {"count": len(SPECS), "list": "runlist.parquet", "attempts": "runs"}
    plan = run_list(reference)  # the planned runs in Parquet, in the experiment's order
    assert dict(zip(plan["run_id"], plan["seed"], strict=True)) == {s.run_id: s.seed for s in SPECS}
    assert plan["run_id"].tolist() == [s.run_id for s in SPECS] and set(plan["status"]) == {"done"}
    assert "git_commit" in man and man["versions"]["mesa"].startswith("3.3")


def test_two_local_workers_give_identical_tables(reference, tmp_path):
    s = execute(SPECS, tmp_path / "w2", workers=2, chunk_size=2, progress=False)
    assert s.done == len(SPECS)
    assert len(list((tmp_path / "w2" / "yearly").glob("part-*.parquet"))) == 5  # ceil(9 / 2) chunks
    assert_same(reference, tmp_path / "w2")


def test_dask_local_cluster_gives_identical_tables(reference, tmp_path):
    pytest.importorskip("distributed")
    s = execute(SPECS, tmp_path / "dask", workers=2, backend="dask", chunk_size=2, progress=False)
    assert s.done == len(SPECS)
    assert_same(reference, tmp_path / "dask")
    assert json.loads((tmp_path / "dask" / "manifest.json").read_text())["backend"] == "dask"


def test_a_failing_run_is_recorded_and_the_batch_goes_on(monkeypatch, tmp_path):
    import sim.runner

    real = sim.runner.simulate

    def flaky(scenario, seed=0, years=None):
        if seed == 101:
            raise RuntimeError("boom in run")
        return real(scenario, seed, years)

    monkeypatch.setattr(sim.runner, "simulate", flaky)
    out = tmp_path / "f"
    s = execute(SPECS, out, progress=False, chunk_size=4)
    assert (s.done, s.failed) == (len(SPECS) - 3, 3)
    runs = load_results(out, "runs")
    bad = runs[runs["status"] == "failed"]
    assert sorted(bad["run_id"]) == ["bum-v0000-r001", "bum-v0001-r001", "hod-v0000-r001"]
    assert bad["error"].str.contains("RuntimeError: boom in run").all()
    assert json.loads(bad.iloc[0]["params"])["seed"] == 101
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"]["failed"] == 3
    assert set(load_results(out)["seed"]) == {100, 102}
    # resume re-runs only the failed ones
    monkeypatch.setattr(sim.runner, "simulate", real)
    s2 = execute(SPECS, out, resume=True, progress=False)
    assert (s2.done, s2.failed, s2.skipped) == (3, 0, len(SPECS) - 3)
    assert load_results(out).groupby("run_id").size().eq(5).all()


def test_resume_removes_orphans_and_never_duplicates(reference, tmp_path):
    out = tmp_path / "o"
    execute(SPECS[:4], out, progress=False)  # a 'killed' batch: only the first runs committed
    part = next((out / "yearly").glob("part-*.parquet"))
    orphan = out / "yearly" / "part-ffff-orphan.parquet"  # a table part whose chunk never committed
    orphan.write_bytes(part.read_bytes())
    (out / "admin" / ".part-x.parquet.tmp").write_bytes(b"half")
    with pytest.raises(GovsimError, match="different experiment"):
        execute(SPECS, out, resume=True, progress=False)
    with pytest.raises(GovsimError, match="already holds results; pass --resume"):
        execute(SPECS[:4], out, progress=False)
    # same experiment: without the record of the 4-run batch (manifest and run list), its
    # runs are taken as the first runs of this one
    (out / "manifest.json").unlink()
    (out / "runlist.parquet").unlink()
    s = execute(SPECS, out, resume=True, progress=False)
    assert (s.done, s.skipped) == (len(SPECS) - 4, 4)
    assert not orphan.exists() and not list((out / "admin").glob(".*tmp"))
    assert_same(reference, out)


def test_specs_are_validated_before_any_run(tmp_path):
    out = tmp_path / "v"
    bad = [*SPECS, RunSpec("x", "hod", (("tendering.sharre", 0.1),), seed=1)]
    with pytest.raises(GovsimError, match="unknown parameter 'tendering.sharre'"):
        execute(bad, out, progress=False)
    with pytest.raises(GovsimError, match="appears twice"):
        execute([*SPECS, SPECS[0]], out, progress=False)
    with pytest.raises(GovsimError, match="no preset or file named 'nope'"):
        execute([RunSpec("n", "nope")], out, progress=False)
    with pytest.raises(GovsimError, match="seed"):
        execute([RunSpec("n", "bum", seed=-1)], out, progress=False)
    assert not out.exists()


def test_finished_models_are_freed():
    from sim.experiments import engine
    from sim.model import MunicipalityModel

    # models another test of this process still holds (a module fixture) are not the engine's
    gc.collect()
    held = {id(o) for o in gc.get_objects() if isinstance(o, MunicipalityModel)}

    def models() -> list:
        return [
            o for o in gc.get_objects() if isinstance(o, MunicipalityModel) and id(o) not in held
        ]

    gc.disable()  # no automatic collection: only the engine's own may free the models
    try:
        engine._runs_since_collect = 0
        specs = [RunSpec(f"m{i}", "bum", seed=i, years=2) for i in range(engine.COLLECT_EVERY)]
        run_chunk(specs[:-1], ("yearly",), None)
        assert models(), "cycles need the GC"
        run_chunk(specs[-1:], ("yearly",), None)
        assert not models()
    finally:
        gc.enable()


def test_kill_then_resume_equals_an_uninterrupted_batch(cli, tmp_path):
    exp = {
        "name": "kill",
        "scenarios": ["bum", "hod", "model_municipality"],
        "replications": 30,
        "years": 4,
        "master_seed": 5,
        "outcomes": ["admin_cost_dkk", "citizen_satisfaction"],
        "tables": ["yearly"],
    }
    path = tmp_path / "kill.yaml"
    path.write_text(yaml.safe_dump(exp))
    out = tmp_path / "killed"
    cmd = [*_govsim(), "batch", str(path), "--out", str(out), "--chunk-size", "1", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = out / "runs"
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and len(list(runs.glob("part-*.parquet")) if runs.exists() else []) < 15
    ):
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n_killed = len(load_results(out, "runs"))
    assert 0 < n_killed < 90, "the batch must be killed half-way"
    r = cli("batch", str(path), "--out", str(out), "--resume", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert f"{90 - n_killed} runs done, 0 failed, {n_killed} already done" in r.stdout
    full = tmp_path / "full"
    from sim.experiments.spec import expand, load_experiment

    execute(
        expand(load_experiment(path), path),
        full,
        tables=("yearly",),
        columns=exp["outcomes"],
        progress=False,
    )
    got = load_results(out)
    assert got.groupby("run_id").size().eq(4).all() and got["run_id"].nunique() == 90
    pd.testing.assert_frame_equal(got, load_results(full), check_exact=True)
    assert load_results(out, "runs")["run_id"].is_unique


def _govsim() -> list[str]:
    exe = Path(sys.executable).parent / "govsim"
    return (
        [str(exe)] if exe.exists() else [sys.executable, "-c", "from sim.cli import main; main()"]
    )


def test_model_runs_under_mesa_batch_run():
    from mesa.batchrunner import batch_run

    from sim.model import MunicipalityModel

    rows = batch_run(
        MunicipalityModel,
        {"scenario": ["bum", "hod"], "seed": [3], "years": 4},
        number_processes=1,
        iterations=1,
        data_collection_period=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 16
    for sc in ("bum", "hod"):
        ours = run(sc, seed=3, years=4).yearly
        year_ends = df[(df["scenario"] == sc) & (df["Step"] % 4 == 3)].reset_index(drop=True)
        for col in ("year", "admin_cost_dkk", "citizen_satisfaction", "employee_wellbeing"):
            assert year_ends[col].tolist() == ours[col].tolist(), (sc, col)
    final = batch_run(
        MunicipalityModel,
        {"scenario": "model_municipality", "seed": 9, "years": 3},
        number_processes=1,
        display_progress=False,
    )
    assert len(final) == 1
    assert (
        final[0]["sick_leave_rate"]
        == run("model_municipality", seed=9, years=3).yearly["sick_leave_rate"].iloc[-1]
    )


@pytest.mark.slow
def test_a_dask_worker_dying_mid_batch_loses_no_run(tmp_path):
    import threading

    from distributed import LocalCluster

    specs = [RunSpec(f"bum-v0000-r{r:03d}", "bum", seed=r, years=10) for r in range(60)]
    ref = tmp_path / "ref"
    execute(specs, ref, tables=("yearly",), progress=False)
    out = tmp_path / "dask"
    killed: list[int] = []
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:

        def kill_one_worker() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                parts = (
                    list((out / "runs").glob("part-*.parquet")) if (out / "runs").exists() else []
                )
                if len(parts) >= 5:
                    nanny = next(iter(cluster.workers.values()))
                    pid = nanny.process.process.pid
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
                time.sleep(0.005)

        watcher = threading.Thread(target=kill_one_worker)
        watcher.start()
        s = execute(
            specs,
            out,
            scheduler=cluster.scheduler_address,
            tables=("yearly",),
            chunk_size=1,
            progress=False,
        )
        watcher.join()
    assert killed, "no worker was killed"
    assert (s.done, s.failed) == (60, 0)
    got = load_results(out)
    assert load_results(out, "runs")["run_id"].is_unique
    pd.testing.assert_frame_equal(got, load_results(ref), check_exact=True)


def test_compare_runs_through_the_engine_unchanged():
    from sim.compare import run_comparison
    from sim.seeds import derive_seeds

    y, a = run_comparison(["hod", "bum"], 2, 3, 5)
    want_y, want_a = [], []
    for sc in ("hod", "bum"):
        for seed in derive_seeds(5, 2):
            r = run(sc, seed=seed, years=3)
            want_y.append(r.yearly.assign(scenario=sc, seed=seed))
            want_a.append(r.admin.assign(scenario=sc, seed=seed))
    pd.testing.assert_frame_equal(y, pd.concat(want_y, ignore_index=True), check_exact=True)
    pd.testing.assert_frame_equal(a, pd.concat(want_a, ignore_index=True), check_exact=True)


@pytest.mark.slow
def test_worker_memory_stays_flat_over_many_runs():
    import benchmarks.bench_batch as bench

    trace = bench.worker_memory(400, release=True, years=20)
    assert trace[-1] - trace[0] < 10, trace


def test_runs_without_rows_keep_the_table_typed(tmp_path):
    specs = [
        RunSpec(f"r{i}", sc, seed=i, years=3) for i, sc in enumerate(["model_municipality", "bum"])
    ]
    execute(specs, tmp_path / "t", tables=("tenders",), chunk_size=2, progress=False)
    t = load_results(tmp_path / "t", "tenders")
    assert set(t["run_id"]) == {"r1"}  # the model municipality never tenders
    assert t["saving_share"].dtype == "float64"
    pd.testing.assert_frame_equal(
        t.drop(columns=["run_id", "scenario", "seed"]),
        run("bum", seed=1, years=3).tenders,
        check_exact=True,
    )
    execute(specs[:1], tmp_path / "none", tables=("tenders",), progress=False)
    assert load_results(tmp_path / "none", "tenders").empty


def _square_after_nap(chunk: list[int]) -> list[int]:
    time.sleep(0.01)
    return [i * i for i in chunk]


def test_local_pool_yields_every_chunk_exactly_once_with_its_result():
    """Which process runs which chunk depends on how fast the pool starts: not a contract. What
    is: every chunk's result comes back exactly once, whatever the timing."""
    from sim.experiments.backends import LocalPool

    chunks = [[i, i + 100] for i in range(40)]
    for method, parent_computes in (
        ("fork", True),
        ("forkserver", True),
        ("forkserver", False),
        ("spawn", True),
    ):
        with LocalPool(2, start_method=method, parent_computes=parent_computes) as pool:
            got = list(pool.map_unordered(_square_after_nap, chunks))
        assert sorted(got) == sorted([i * i, (i + 100) ** 2] for i in range(40))


POOL_START = """
import threading
from sim.experiments.backends import LocalPool
with LocalPool(2) as pool:
    print(pool.forked, sorted(pool.map_unordered(sum, [[1, 2], [3, 4], [5]])))
threading.Thread(target=threading.Event().wait, daemon=True).start()  # a second thread
with LocalPool(2, parent_computes=False) as pool:
    print(pool.forked, sorted(pool.map_unordered(sum, [[1, 2], [3, 4], [5]])))
"""


def test_the_pool_is_forked_only_from_a_single_threaded_process():
    """Forking a process with other threads can deadlock the child: then the forkserver."""
    from sim.experiments.backends import SERVER_ENV

    r = subprocess.run(
        [sys.executable, "-c", POOL_START],
        env={**os.environ, **SERVER_ENV},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["True [3, 5, 7]", "False [3, 5, 7]"], r.stdout


def test_batch_command_exits_1_when_runs_fail(monkeypatch, tmp_path):
    """In-process (one worker), so the injected failure reaches the runs; the batch still completes."""
    from click.testing import CliRunner

    import sim.runner
    from sim.cli import cli

    real = sim.runner.simulate

    def flaky(scenario, seed=0, years=None):
        if scenario.name == "hod":
            raise RuntimeError("boom")
        return real(scenario, seed, years)

    monkeypatch.setattr(sim.runner, "simulate", flaky)
    exp = tmp_path / "e.yaml"
    exp.write_text(
        yaml.safe_dump(
            {
                "name": "e",
                "scenarios": ["bum", "hod"],
                "replications": 2,
                "years": 2,
                "master_seed": 1,
            }
        )
    )
    res = CliRunner().invoke(
        cli, ["batch", str(exp), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]
    )
    assert res.exit_code == 1, res.output
    assert "2 runs done, 2 failed" in res.output
    assert set(load_results(tmp_path / "o")["scenario"]) == {"bum"}


def _profiler_running(dask_worker) -> bool:
    pc = dask_worker.periodic_callbacks.get("profile")
    return pc is not None and pc.is_running()


def test_local_dask_cluster_workers_run_without_the_profiler(monkeypatch):
    from sim.experiments.backends import KEEP_PROFILER_ENV, DaskBackend

    with DaskBackend(2) as backend:
        backend.client.wait_for_workers(2, timeout=60)
        assert set(backend.client.run(_profiler_running).values()) == {False}
    monkeypatch.setenv(KEEP_PROFILER_ENV, "1")  # inherited by the cluster's worker processes
    with DaskBackend(1) as backend:
        backend.client.wait_for_workers(1, timeout=60)
        assert set(backend.client.run(_profiler_running).values()) == {True}


@pytest.mark.slow
def test_external_dask_workers_are_prepared_like_local_ones(tmp_path):
    """--scheduler: every worker (also one that joins later) gets `prepare_worker` (gc.freeze),
    and the manifest records the cluster's real size, not the --workers asked for."""
    import gc

    from distributed import LocalCluster

    from sim.experiments.backends import DaskBackend

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        backend = DaskBackend(1, scheduler=cluster.scheduler_address)
        try:
            cluster.scale(2)
            backend.client.wait_for_workers(2, timeout=60)
            frozen = backend.client.run(gc.get_freeze_count)
            assert len(frozen) == 2 and all(n > 0 for n in frozen.values()), frozen
            # the statistical profiler is stopped on every worker (≈ 5 % of a worker's CPU)
            profiling = backend.client.run(_profiler_running)
            assert profiling == dict.fromkeys(frozen, False), profiling
        finally:
            backend.close()
        specs = [RunSpec(f"c{i}", "bum", seed=i, years=2) for i in range(4)]
        execute(specs, tmp_path / "b", scheduler=cluster.scheduler_address, progress=False)
        m = json.loads((tmp_path / "b" / "manifest.json").read_text())
        assert (m["workers"], m["cluster_workers"]) == (1, 2)
    execute(specs, tmp_path / "l", workers=2, progress=False)
    m = json.loads((tmp_path / "l" / "manifest.json").read_text())
    assert (m["workers"], m["cluster_workers"]) == (2, 2)
