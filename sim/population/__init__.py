"""A population of municipalities (issue 12, stage 1): a population file (``spec``), national runs
stepped in lockstep by region (``run``), the distribution figures (``figures``) and
``govsim population`` (``cli``). See docs/population.md.
"""

from __future__ import annotations

from sim.population.run import PopulationResult, Region, run_population, run_population_batch
from sim.population.spec import Municipality, Population, load_population

__all__ = [
    "Municipality",
    "Population",
    "PopulationResult",
    "Region",
    "load_population",
    "run_population",
    "run_population_batch",
]
