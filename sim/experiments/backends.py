"""Executors behind one interface: ``map_unordered(fn, chunks, *args)`` yields each chunk's
result as soon as it finishes, in whatever order workers finish them.

- ``InProcess``: one worker, no pool — nothing to spawn, easiest to debug.
- ``LocalPool``: a ``ProcessPoolExecutor`` with an explicit *spawn* context. ``import mesa``
  calls ``set_start_method("spawn", force=True)`` for the whole process; we pass the context
  explicitly so the pool does not depend on that side effect (or on another library undoing it).
- ``DaskBackend``: ``dask.distributed`` — a ``LocalCluster`` it starts, or an existing
  scheduler. Dask reschedules the tasks of a worker that dies, so no chunk is lost; a chunk that
  kills workers repeatedly (``KilledWorker``) is reported as failed runs rather than stopping the batch.
"""

from __future__ import annotations

import multiprocessing as mp
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
            yield fn(c, *args)


class LocalPool(Backend):
    """A process pool; at most 2 × workers chunks in flight so results stream steadily."""

    def __init__(self, workers: int, start_method: str = "spawn") -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, mp_context=mp.get_context(start_method))

    def map_unordered(self, fn: Callable[..., Any], chunks: Sequence[Any], *args: Any) -> Iterator[Any]:
        pending: set[Future] = set()
        queue = iter(chunks)
        for c in queue:
            pending.add(self.pool.submit(fn, c, *args))
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                nxt = next(queue, None)
                if nxt is not None:
                    pending.add(self.pool.submit(fn, nxt, *args))
                yield f.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


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
    return [RunOutcome(s.run_id, None, msg, 0.0) for s in chunk]


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
