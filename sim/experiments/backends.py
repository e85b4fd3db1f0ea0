"""Executors behind one interface: ``map_unordered(fn, chunks, *args)`` yields each chunk's
result as soon as it finishes, in whatever order workers finish them.

- ``InProcess``: one worker, no pool — nothing to spawn, easiest to debug.
- ``LocalPool``: this process plus ``workers − 1`` processes of a ``ProcessPoolExecutor``.
  When this process has a single OS thread (no BLAS, jemalloc, pyarrow, tqdm or Dask thread yet
  — ``govsim batch`` sees to it), the pool processes are *forked* from it: they inherit the
  imported engine and start in milliseconds. Otherwise (forking a process with other threads
  can deadlock the child) they are forked from a *forkserver* that imports the engine (mesa,
  pandas, pyarrow) once, in a clean single-threaded process; where forkserver does not exist,
  spawn. A worker that dies (out of memory, a crash, ``os._exit``) breaks the pool: the pool
  is replaced and the chunks it held are run again (each alone, so a run that kills its worker
  is found); a run whose worker dies every time is reported as a failed run. Workers end
  themselves when the batch process dies (PR_SET_PDEATHSIG on Linux, and a thread that watches
  the parent), so a killed batch leaves no process behind.
- ``DaskBackend``: ``dask.distributed`` — a ``LocalCluster`` it starts, or an existing
  scheduler. Dask reschedules the tasks of a worker that dies, so no chunk is lost; a chunk that
  kills workers repeatedly (``KilledWorker``) is reported as failed runs rather than stopping the
  batch; with no live worker for ``worker_wait`` seconds the batch stops with a message.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.errors import GovsimError

BACKENDS = ("local", "dask")
SCHEDULER_TIMEOUT_S = 5
WORKER_WAIT_S = 60.0  # Dask: how long a batch waits with no live worker before it gives up
MAX_DEATHS = 2  # a run whose worker died this often (running alone) is recorded as failed
MAX_IDLE_BREAKS = 3
# Dask: chunks submitted ahead, per live worker plus a fixed few (enough to hide the scheduler's
# round trip; the rest are made and sent as chunks finish)
IN_FLIGHT_PER_WORKER, IN_FLIGHT_EXTRA = (
    3,
    4,
)  # pool breaks in a row with no run in it: the pool cannot start
PRELOAD = [
    "sim.experiments.engine",
    "sim.experiments.backends",
    "sim.runner",
    "sim.model",
    "pandas",
    "pyarrow.parquet",
    "psutil",
    "threadpoolctl",
]
# a process that forks must be single-threaded: one BLAS thread, and no background thread of
# the jemalloc that pyarrow bundles (it starts one at import otherwise). Read at import of
# numpy / pyarrow: the forkserver gets them, and `govsim batch` sets them before its imports.
SERVER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}


class Backend:
    """Context manager; `map_unordered` is the whole interface the engine uses."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers (default: nothing to release)."""

    def workers_seen(self) -> int:
        """The most worker processes that ran this batch at once (the manifest records it)."""
        return 1

    def map_unordered(
        self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any
    ) -> Iterator[Any]:
        raise NotImplementedError


class InProcess(Backend):
    def map_unordered(
        self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any
    ) -> Iterator[Any]:
        for c in chunks:
            with single_threaded_blas():
                out = fn(c, *args)
            yield out


def single_threaded_blas() -> Any:
    """Limit numpy's BLAS to one thread (a context manager; a no-op without threadpoolctl).

    The model's vectors are tiny (≈ 50 task packages) but ``volume @ exposed`` still wakes
    OpenBLAS's thread pool, whose threads spin-wait: with two workers on two cores each run took
    ≈ 3× longer (measured 50 ms against 15 ms per run). Processes run in parallel; BLAS need not."""
    controller = _controller()
    if controller is None:  # pragma: no cover - threadpoolctl ships with scipy's stack
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


def _controller() -> Any:
    """threadpoolctl's view of this process's native thread pools, kept while the process and its
    imports stay the same: making one scans every loaded library (≈ 1–12 ms, paid per chunk
    before), limiting through it takes microseconds. A new import (which may load another BLAS,
    e.g. scipy's) makes a new one."""
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    key = (os.getpid(), len(sys.modules))
    if _CONTROLLER is None or _CONTROLLER[0] != key:
        _CONTROLLER = (key, ThreadpoolController())
    return _CONTROLLER[1]


_CONTROLLER: tuple[tuple[int, int], Any] | None = None


def prepare_worker(parent_pid: int | None = None, forked: bool = False) -> None:
    """Start-up of a worker process we started: end with `parent_pid` (if given), one BLAS
    thread, and everything alive now (modules, classes) moved to the GC's permanent generation,
    so the full collection every few runs only walks the objects of recent runs (≈ 10 ms
    instead of ≈ 60 ms). `forked`: forked by the batch process's main thread itself."""
    import gc

    import sim.experiments.engine  # noqa: F401

    if forked:  # the output folder's lock stays with the batch process, not with its workers
        from sim.experiments.engine import close_inherited_locks

        close_inherited_locks()
    if parent_pid is not None:
        die_with_parent(parent_pid, forked=forked)
    single_threaded_blas()
    gc.collect()
    gc.freeze()


def die_with_parent(parent_pid: int, poll_s: float = 0.5, forked: bool = False) -> None:
    """End this process when `parent_pid` ends: PR_SET_PDEATHSIG (Linux; fires when the process
    that forked us — the batch process, or the forkserver, which itself exits when the batch
    process is gone — dies) and, everywhere, a daemon thread that checks every `poll_s` that the
    parent still lives (same create time, not a zombie) and calls ``os._exit`` otherwise."""
    import signal

    # only when forked by the forkserver or by the batch process's main thread: the death signal
    # follows the *thread* that started us, and a spawned worker's is a short-lived starter thread
    if sys.platform.startswith("linux") and (forked or os.getppid() != parent_pid):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
        if forked and os.getppid() != parent_pid:  # the parent died before prctl
            os._exit(3)
    import psutil

    try:
        born = psutil.Process(parent_pid).create_time()
    except psutil.Error:
        os._exit(3)

    def alive() -> bool:
        try:
            p = psutil.Process(parent_pid)
            return p.create_time() == born and p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def watch() -> None:
        while alive():
            time.sleep(poll_s)
        os._exit(3)

    threading.Thread(target=watch, name="govsim-parent-watch", daemon=True).start()


def _ready() -> bool:
    """A no-op task: its result tells that a pool process has started and imported the engine."""
    return True


def os_threads() -> int:
    """OS threads of this process (Linux: /proc; elsewhere psutil)."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import psutil

    return psutil.Process().num_threads()


def can_fork() -> bool:
    """Forking this process is safe: Linux (macOS system libraries are not fork-safe) and one
    OS thread — no BLAS pool, no jemalloc background thread, no pyarrow CPU pool (it starts
    with the first Parquet read or write), no tqdm monitor, no Dask or executor thread, whose
    locks a child could inherit held."""
    return (
        sys.platform.startswith("linux")
        and "fork" in mp.get_all_start_methods()
        and os_threads() == 1
    )


def thread_env() -> None:
    """Set SERVER_ENV's defaults in this process (a value the user set stays): called by the
    command line before it imports numpy and pyarrow, so the batch process stays
    single-threaded and can fork its pool."""
    for k, v in SERVER_ENV.items():
        os.environ.setdefault(k, v)


def pool_context(method: str | None = None) -> Any:
    """The multiprocessing context of a pool that cannot be forked from this process:
    forkserver preloading the engine where it exists, else spawn."""
    if method is None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        from multiprocessing import forkserver

        ctx.set_forkserver_preload(PRELOAD)  # no effect once the server runs: it keeps its imports
        saved = {k: os.environ.get(k) for k in SERVER_ENV}
        os.environ.update(SERVER_ENV)  # read by the server (and its workers) only
        try:
            forkserver.ensure_running()  # starts the server without waiting for its imports
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return ctx


class Feed:
    """The chunks not yet handed out, taken one at a time from an iterator (the engine makes them
    lazily): truthy while one is left, ``popleft`` takes it. Never holds more than one ahead."""

    def __init__(self, chunks: Iterable[Any]) -> None:
        self._it = iter(chunks)
        self._next: list[Any] = []

    def __bool__(self) -> bool:
        if not self._next:
            for c in self._it:
                self._next.append(c)
                break
        return bool(self._next)

    def popleft(self) -> Any:
        if not self:
            raise IndexError("no chunk left")
        return self._next.pop()


class LocalPool(Backend):
    """`workers` processes compute: this one and a pool of `workers` − 1 processes.

    The pool is forked from this process when it is single-threaded (``can_fork``): its
    processes are ready at once. Otherwise they come from the forkserver (or spawn), and the
    first pool of a command waits for the server to import mesa, pandas and pyarrow (≈ 2 s);
    chunks go to a pool process only once it has answered a no-op task, so no chunk waits for a
    process that is still starting, and the processes are started from a thread, as starting
    one blocks until the server is ready. This process runs chunks too (one at a time, whenever
    nothing has finished), and each ready pool process keeps two chunks queued.
    ``parent_computes=False`` leaves all runs to the pool (this process only collects).
    `start_method` forces a multiprocessing start method (tests); None = fork if safe, else
    forkserver, else spawn.

    A broken pool (a worker died) is replaced (forked again if this process is still
    single-threaded, which it rarely is by then); the chunks it held become *suspects*, each run
    alone in a pool process, never in this one: a suspect chunk that breaks the pool again is
    split into single runs, and a single run that breaks it MAX_DEATHS times is reported failed."""

    def __init__(
        self, workers: int, start_method: str | None = None, parent_computes: bool = True
    ) -> None:
        self.n = workers - 1
        self.start_method = start_method
        self.parent_computes = parent_computes
        self.restarts = 0
        self.forked = False  # the current pool was forked from this process
        self._start()

    def workers_seen(self) -> int:
        return self.n + (1 if self.parent_computes else 0)

    def _start(self) -> None:
        fork = self.start_method == "fork" or (self.start_method is None and can_fork())
        self.forked = fork
        ctx = mp.get_context("fork") if fork else pool_context(self.start_method)
        self.pool = ProcessPoolExecutor(
            self.n,
            mp_context=ctx,
            initializer=prepare_worker,
            initargs=(os.getpid(), fork),
        )
        self.probes: list[Future] = []
        pool = self.pool

        def launch() -> None:  # each submit starts one process; the first may wait for the server
            probes = []
            for _ in range(self.n):
                try:
                    probes.append(pool.submit(_ready))
                except (BrokenProcessPool, RuntimeError) as e:
                    f: Future = Future()
                    f.set_exception(
                        e if isinstance(e, BrokenProcessPool) else BrokenProcessPool(str(e))
                    )
                    probes.append(f)
                    break
            self.probes = probes

        # fork: the first submit forks every process, here, before the pool starts its threads
        self.starter = threading.Thread(target=launch, name="govsim-pool-start", daemon=True)
        if fork:
            launch()
        else:
            self.starter.start()

    def _restart(self) -> None:
        self._join_starter()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.restarts += 1
        self._start()

    def _join_starter(self) -> None:
        if self.starter.ident is not None:  # started (forkserver, spawn)
            self.starter.join()

    def _ready_count(self) -> tuple[int, bool]:
        probes = self.probes
        ready = sum(1 for p in probes if p.done() and p.exception() is None)
        broken = any(p.done() and p.exception() is not None for p in probes)
        return ready, broken

    def map_unordered(
        self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any
    ) -> Iterator[Any]:
        queue = Feed(chunks)  # chunks not yet run, made as they are taken
        suspects: deque = deque()  # chunks of a broken pool: run alone, in the pool only
        deaths: dict[int, int] = {}  # id(single-run chunk) → times its worker died alone
        pending: dict[Future, tuple[Any, bool]] = {}  # future → (chunk, runs alone as a suspect)
        idle_breaks = 0
        while queue or suspects or pending:
            ready, broken = self._ready_count()
            try:
                if not broken and ready:
                    if suspects:
                        if not pending:
                            c = suspects.popleft()
                            pending[self.pool.submit(fn, c, *args)] = (c, True)
                    else:
                        while queue and len(pending) < 2 * ready:
                            c = queue.popleft()
                            pending[self.pool.submit(fn, c, *args)] = (c, False)
            except BrokenProcessPool:
                broken = True
            finished = [f for f in pending if f.done()]
            for f in finished:
                if isinstance(f.exception(), BrokenProcessPool):
                    broken = True
                    continue
                del pending[f]
                idle_breaks = 0
                yield f.result()
            if broken:
                lost = list(pending.values())
                pending.clear()
                idle_breaks = 0 if lost else idle_breaks + 1
                if idle_breaks > MAX_IDLE_BREAKS:
                    raise GovsimError(
                        "the local worker processes die as they start (see the messages above); "
                        "run with --workers 1 to find the cause"
                    )
                yield from self._triage(lost, suspects, deaths)
                self._restart()
                continue
            if self.parent_computes and queue and not finished:
                with single_threaded_blas():
                    out = fn(queue.popleft(), *args)
                yield out
            elif not finished:
                waiting = set(pending) | {p for p in self.probes if not p.done()}
                if waiting:
                    wait(waiting, timeout=0.5, return_when=FIRST_COMPLETED)
                else:  # the starter thread has not submitted its probes yet
                    time.sleep(0.01)

    def _triage(
        self, lost: list[tuple[Any, bool]], suspects: deque, deaths: dict[int, int]
    ) -> Iterator[Any]:
        """Chunks of a pool that broke: which to run again, alone, and which are failed."""
        if len(lost) == 1 and lost[0][1]:  # a suspect running alone killed its worker
            chunk = lost[0][0]
            if len(chunk) > 1:
                suspects.extend([x] for x in chunk)
                return
            deaths[id(chunk)] = deaths.get(id(chunk), 0) + 1
            if deaths[id(chunk)] >= MAX_DEATHS:
                yield killed_chunk(
                    chunk,
                    f"the worker process running this run died each of the {MAX_DEATHS} "
                    "times it ran alone (killed by the OS, e.g. out of memory; a crash in "
                    "native code; or os._exit in the run)",
                    where="local",
                )
            else:
                suspects.append(chunk)
            return
        suspects.extend(c for c, _ in lost)

    def close(self) -> None:
        # every result is in: idle workers exit at once (waiting avoids a CPython 3.11 error
        # message at exit about a pool shut down without waiting)
        self._join_starter()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _prepared_worker_plugin() -> Any:
    """A Dask worker plugin that runs `prepare_worker` on each worker, present or joining later
    (defined here so that importing this module does not import dask.distributed)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class PreparedWorker(WorkerPlugin):
        def setup(self, worker: Any) -> None:
            from sim.experiments.backends import prepare_dask_worker

            prepare_dask_worker(worker)

    return PreparedWorker()


#: set to 1 to keep the Dask workers' statistical profiler (the dashboard's Profile page)
KEEP_PROFILER_ENV = "GOVSIM_DASK_PROFILER"


def prepare_dask_worker(dask_worker: Any) -> None:
    """`prepare_worker` on a Dask worker, and its statistical profiler stopped (unless
    ``GOVSIM_DASK_PROFILER=1``): the profiler samples the running task's stack every 10 ms,
    which cost ≈ 5 % of a worker's CPU on govsim's short runs (benchmarks/bench_sobol.py,
    --dask-external); the dashboard's Profile page, ``Client.profile`` and
    ``performance_report`` use it. Called by the worker plugin with the worker."""
    prepare_worker()
    if os.environ.get(KEEP_PROFILER_ENV, "") == "1":
        return
    for name in ("profile", "profile-cycle"):
        pc = dask_worker.periodic_callbacks.pop(name, None)
        if pc is not None:
            pc.stop()


class DaskBackend(Backend):
    """Dask distributed: starts a loopback LocalCluster with `workers` single-threaded worker
    processes, or connects to `scheduler` (failing within SCHEDULER_TIMEOUT_S if unreachable).
    With no live worker for `worker_wait` seconds — none joined, or all died — the batch stops
    with a GovsimError (what is stored stays; ``--resume`` completes it)."""

    def __init__(
        self, workers: int, scheduler: str | None = None, worker_wait: float = WORKER_WAIT_S
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a core dependency
            raise GovsimError(
                "backend 'dask' needs dask.distributed: pip install 'dask[distributed]'"
            ) from None
        self.cluster = None
        self.where = scheduler or "the local Dask cluster"
        self.worker_wait = float(worker_wait)
        if scheduler is None:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
            # a worker plugin: also a worker the nanny restarts after a death is prepared
            self.client.register_plugin(_prepared_worker_plugin(), name="govsim-prepare-worker")
            return
        try:
            self.client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as e:
            raise GovsimError(
                f"cannot reach the Dask scheduler at {scheduler!r} within {SCHEDULER_TIMEOUT_S} s "
                f"({type(e).__name__}: {e}); start one with `dask scheduler` "
                "or leave out --scheduler to use a local cluster"
            ) from None
        # external workers get the start-up of local ones (one BLAS thread, gc.freeze, no
        # profiler), also those that join later: a worker plugin runs on every worker, present
        # and future
        self.client.register_plugin(_prepared_worker_plugin(), name="govsim-prepare-worker")

    def _live_workers(self) -> int:
        try:
            n = len(self.client.nthreads())
        except Exception:  # noqa: BLE001 - a lost scheduler counts as no worker
            return 0
        self._most = max(getattr(self, "_most", 0), n)
        return n

    def _workers_cached(self, every_s: float = 1.0) -> int:
        """Live workers, asked of the scheduler at most every `every_s` seconds."""
        now = time.monotonic()
        if now - getattr(self, "_asked", -1e9) >= every_s:
            self._asked = now
            self._cached = self._live_workers()
        return self._cached

    def workers_seen(self) -> int:
        """The most Dask workers seen at once (an external cluster's real size, not --workers)."""
        self._live_workers()
        return getattr(self, "_most", 0)

    def _no_workers(self) -> GovsimError:
        return GovsimError(
            f"no live Dask worker at {self.where} for {self.worker_wait:g} s (none joined, or all "
            "died); the runs finished so far are stored — start workers "
            "(`dask worker ADDRESS`) and complete the batch with --resume"
        )

    def map_unordered(
        self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any
    ) -> Iterator[Any]:
        from distributed import wait as dwait
        from distributed.scheduler import KilledWorker

        feed = Feed(chunks)
        futures: dict[Any, Any] = {}  # in flight: future → chunk
        left: set[Any] = set()
        seen_worker = time.monotonic()

        def top_up() -> None:
            # a bounded queue, not every chunk at once: the parent holds only the chunks in
            # flight, and a cluster that grows gets more as soon as it is seen
            limit = IN_FLIGHT_PER_WORKER * max(1, self._workers_cached()) + IN_FLIGHT_EXTRA
            while len(left) < limit and feed:
                c = feed.popleft()
                fut = self.client.submit(fn, c, *args, pure=False)
                futures[fut] = c
                left.add(fut)

        try:
            top_up()
            while left:
                try:
                    done, _ = dwait(
                        list(left),
                        timeout=min(1.0, self.worker_wait),
                        return_when="FIRST_COMPLETED",
                    )
                except TimeoutError:
                    done = set()
                if not done:
                    if self._live_workers():
                        seen_worker = time.monotonic()
                    elif time.monotonic() - seen_worker > self.worker_wait:
                        raise self._no_workers()
                    continue
                seen_worker = time.monotonic()
                for fut in done:
                    left.discard(fut)
                    chunk = futures.pop(fut)
                    try:
                        yield fut.result()
                    except KilledWorker as e:
                        yield killed_chunk(chunk, e)
                    finally:
                        fut.release()
                top_up()
        finally:
            for fut in left:
                fut.cancel()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def killed_chunk(chunk: Sequence[Any], exc: BaseException | str, where: str = "dask") -> list[Any]:
    """Failure records for every run of a chunk whose worker died too often to retry."""
    from sim.experiments.engine import RunOutcome

    msg = (
        exc
        if isinstance(exc, str)
        else f"the Dask worker running this chunk died repeatedly: {exc!r}"
    )
    return [RunOutcome(s.run_id, None, msg, 0.0, where) for s in chunk]


def make_backend(name: str, workers: int, scheduler: str | None = None, **options: Any) -> Backend:
    """`scheduler` implies Dask; local with one worker runs in this process. `options` go to the
    backend's constructor (Dask: worker_wait; local pool: start_method, parent_computes)."""
    if scheduler is not None:
        name = "dask"
    if name not in BACKENDS:
        raise GovsimError(f"backend {name!r}: allowed backends are {', '.join(BACKENDS)}")
    if name == "dask":
        return DaskBackend(workers, scheduler, **options)
    if workers == 1 and options.get("parent_computes", True):
        return InProcess()
    return LocalPool(max(workers, 2), **options)


__all__ = ["Backend", "InProcess", "LocalPool", "DaskBackend", "make_backend", "BACKENDS"]
