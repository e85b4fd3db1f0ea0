"""govsim: agent-based comparison of municipal governance models (BUM, HOD, model municipality).

``from sim import run`` is the one entry point every tool uses. The names below are imported
on first use (PEP 562 module ``__getattr__``), so ``import sim`` — and ``govsim --help`` —
does not pay for Mesa, pandas and numpy.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from sim.errors import GovsimError

# Arrow's allocator, read once when Arrow makes its first buffer (so it is set here, before
# govsim touches Arrow): the C library's, not the wheels' mimalloc, which keeps the pages of every
# Parquet part a batch or study writes and reads — a 114,688-run study's process grew ≈ 415
# bytes a run with it, ≈ 160 with this (benchmarks/bench_memory.py). Only a default: a pool
# the user chose with ARROW_DEFAULT_MEMORY_POOL stands. No result depends on the allocator.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

if TYPE_CHECKING:
    from sim.population import PopulationResult, load_population, run_population
    from sim.runner import RunResult, run
    from sim.scenario import Scenario, load_scenario

__version__ = "0.1.0"
__all__ = [
    "run",
    "RunResult",
    "Scenario",
    "load_scenario",
    "GovsimError",
    "__version__",
    # a population of municipalities (issue 12; docs/population.md)
    "run_population",
    "PopulationResult",
    "load_population",
]

_LAZY = {
    "run": "sim.runner",
    "RunResult": "sim.runner",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "run_population": "sim.population",
    "PopulationResult": "sim.population",
    "load_population": "sim.population",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
