"""A population of municipalities (issue 12): a population file (``spec``), national runs
stepped in lockstep by region (``run``), the regions' shared contractor markets (``market``),
the distribution figures (``figures``) and
``govsim population`` (``cli``). See docs/population.md.

The names below are imported on first use (PEP 562), so ``govsim --help``, which imports
``sim.population.cli``, does not pay for Mesa, pandas and numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.population.run import (
        PopulationResult,
        Region,
        run_population,
        run_population_batch,
    )
    from sim.population.spec import Municipality, Population, load_population

_LAZY = {
    "PopulationResult": "sim.population.run",
    "Region": "sim.population.run",
    "run_population": "sim.population.run",
    "run_population_batch": "sim.population.run",
    "Municipality": "sim.population.spec",
    "Population": "sim.population.spec",
    "load_population": "sim.population.spec",
}
__all__ = [
    "Municipality",
    "Population",
    "PopulationResult",
    "Region",
    "load_population",
    "run_population",
    "run_population_batch",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.population' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
