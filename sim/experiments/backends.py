"""Executors behind one interface: ``map_unordered(fn, chunks, *args)`` yields each chunk's
result as soon as it finishes, in whatever order workers finish them.

- ``InProcess``: one worker, no pool — nothing to spawn, easiest to debug.
- ``LocalPool``: this process plus ``workers − 1`` processes of a ``ProcessPoolExecutor`` with an
  explicit *spawn* context. ``import mesa`` calls ``set_start_method("spawn", force=True)`` for
  the whole process; we pass the context explicitly so the pool does not depend on that side
  effect (or on another library undoing it).
- ``DaskBackend``: ``dask.distributed`` — a ``LocalCluster`` it starts, or an existing
  scheduler. Dask reschedules the tasks of a worker that dies, so no chunk is lost; a chunk that
  kills workers repeatedly (``KilledWorker``) is reported as failed runs rather than stopping the batch.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.errors import GovsimError

BACKENDS = ("local", "dask")
SCHEDULER_TIMEOUT_S = 5


class Backend:
    """Context manager; `map_unordered` is the whole interface the engine uses."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers (default: nothing to release)."""

    def map_unordered(self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any) -> Iterator[Any]:
        raise NotImplementedError


class InProcess(Backend):
    def map_unordered(self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any) -> Iterator[Any]:
        for c in chunks:
            with single_threaded_blas():
                out = fn(c, *args)
            yield out


def single_threaded_blas() -> Any:
    """Limit numpy's BLAS to one thread (a context manager; a no-op without threadpoolctl).

    The model's vectors are tiny (≈ 50 task packages) but ``volume @ exposed`` still wakes
    OpenBLAS's thread pool, whose threads spin-wait: with two workers on two cores each run took
    ≈ 3× longer (measured 50 ms against 15 ms per run). Processes run in parallel; BLAS need not."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scipy's stack
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def prepare_worker() -> None:
    """Start-up of a worker process we started: one BLAS thread, and everything alive now
    (modules, classes) moved to the GC's permanent generation, so the full collection every
    few runs only walks the objects of recent runs (≈ 10 ms instead of ≈ 60 ms)."""
    import gc

    import sim.experiments.engine  # noqa: F401

    single_threaded_blas()
    gc.collect()
    gc.freeze()


def _ready() -> bool:
    """A no-op task: its result tells that a pool process has started and imported the engine."""
    return True


class LocalPool(Backend):
    """`workers` processes compute: this one and a pool of `workers` − 1 spawned processes.

    Why this process works too: a spawned process needs ≈ 1–2 s to import mesa, pandas and
    pyarrow before its first run; a pool of `workers` processes would leave the cores idle that
    long, which on a 500-run batch (≈ 8 s of work) costs a fifth of the parallel efficiency.
    Chunks go to a pool process only once it has answered a no-op task, so no chunk waits
    for a process that is still starting (a small batch is done here before the pool is up).
    Spawn, not forkserver (whose start blocks the caller during that import) and never fork
    (unsafe with threads). Each ready pool process keeps two chunks queued."""

    def __init__(self, workers: int, start_method: str = "spawn") -> None:
        self.pool = ProcessPoolExecutor(workers - 1, mp_context=mp.get_context(start_method),
                                        initializer=prepare_worker)
        self.probes = [self.pool.submit(_ready) for _ in range(workers - 1)]  # start the processes now

    def map_unordered(self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any) -> Iterator[Any]:
        queue = deque(chunks)
        pending: set[Future] = set()
        while queue or pending:
            ready = sum(p.done() for p in self.probes)
            while queue and len(pending) < 2 * ready:
                pending.add(self.pool.submit(fn, queue.popleft(), *args))
            finished = {f for f in pending if f.done()}
            if not finished and not queue:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            pending -= finished
            for f in finished:
                yield f.result()
            if queue and not finished:
                with single_threaded_blas():
                    out = fn(queue.popleft(), *args)
                yield out

    def close(self) -> None:
        # every result is in; a pool process still starting up exits on its own
        self.pool.shutdown(wait=False, cancel_futures=True)


class DaskBackend(Backend):
    """Dask distributed: starts a loopback LocalCluster with `workers` single-threaded worker
    processes, or connects to `scheduler` (failing within SCHEDULER_TIMEOUT_S if unreachable)."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a core dependency
            raise GovsimError("backend 'dask' needs dask.distributed: pip install 'dask[distributed]'") from None
        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)
            self.client.run(prepare_worker)
            return
        try:
            self.client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as e:
            raise GovsimError(f"cannot reach the Dask scheduler at {scheduler!r} within {SCHEDULER_TIMEOUT_S} s "
                              f"({type(e).__name__}: {e}); start one with `dask scheduler` "
                              "or leave out --scheduler to use a local cluster") from None

    def map_unordered(self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any) -> Iterator[Any]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        futures = {self.client.submit(fn, c, *args, pure=False): c for c in chunks}
        for fut in as_completed(list(futures)):
            try:
                yield fut.result()
            except KilledWorker as e:
                yield killed_chunk(futures[fut], e)
            finally:
                fut.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def killed_chunk(chunk: Sequence[Any], exc: BaseException) -> list[Any]:
    """Failure records for every run of a chunk whose worker died too often to retry."""
    from sim.experiments.engine import RunOutcome

    msg = f"the Dask worker running this chunk died repeatedly: {exc!r}"
    return [RunOutcome(s.run_id, None, msg, 0.0, "dask") for s in chunk]


def make_backend(name: str, workers: int, scheduler: str | None = None) -> Backend:
    """`scheduler` implies Dask; local with one worker runs in this process."""
    if scheduler is not None:
        name = "dask"
    if name not in BACKENDS:
        raise GovsimError(f"backend {name!r}: allowed backends are {', '.join(BACKENDS)}")
    if name == "dask":
        return DaskBackend(workers, scheduler)
    return InProcess() if workers == 1 else LocalPool(workers)


__all__ = ["Backend", "InProcess", "LocalPool", "DaskBackend", "make_backend", "BACKENDS"]
