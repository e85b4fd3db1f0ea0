"""Task packages: the grey and green tasks of each area, and who delivers each share of them.

Seed 000: the municipality's operations cut across grey and green elements (roads, street
cleaning, parks, winter service) in geographic areas; citizens experience them as a whole.
Each package may have one exposed lot (a fraction of its volume under a contract period);
the lot is delivered privately or, after a won control bid, in-house. Fractions make HOD's
fixed 70/30 split exact on volume.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import weighted_sum
from sim.params import TaskParams

#: The task types of every area; each has a volume weight and a private cost advantage in the
#: schema (``tasks.<task>_weight``, ``tasks.<task>_advantage``: ``sim.params.TaskParams``).
TASKS: tuple[str, ...] = ("roads", "street_cleaning", "parks", "winter_service")


def task_weights(tasks: TaskParams) -> np.ndarray:
    """Each task type's weight in an area's volume, in the order of ``TASKS``."""
    return np.array([getattr(tasks, f"{t}_weight") for t in TASKS])


def task_advantage(tasks: TaskParams) -> np.ndarray:
    """Each task type's mean private cost advantage, in the order of ``TASKS``."""
    return np.array([getattr(tasks, f"{t}_advantage") for t in TASKS])


def task_attribute(tasks: TaskParams, name: str) -> np.ndarray:
    """Each task type's value of attribute `name` (``asset_specificity``, ``measurability``,
    ``market_thickness``, ``weight``, ``advantage``), in the order of ``TASKS``."""
    return np.array([getattr(tasks, f"{t}_{name}") for t in TASKS])


class TaskPackages:
    """Vectorised state of all packages (areas × task types)."""

    def __init__(
        self,
        rng: np.random.Generator,
        n_areas: int,
        total_volume: float,
        area_weight: np.ndarray,
        tasks: TaskParams | None = None,
    ) -> None:
        """`tasks`: the task types' weights and cost advantages (the schema's defaults if None)."""
        tasks = TaskParams() if tasks is None else tasks
        k = len(TASKS)
        self.area = np.repeat(np.arange(n_areas), k)
        self.task = np.tile(np.arange(k), n_areas)
        w = area_weight[self.area] * task_weights(tasks)[self.task]
        self.volume = total_volume * w / w.sum()
        self.total_volume = float(self.volume.sum())
        n = self.area.size
        # per-package private cost advantage (easiest tasks are tendered first; it erodes per round)
        self.advantage = task_advantage(tasks)[self.task] + rng.normal(0.0, tasks.advantage_sd, n)
        self.exposed = np.zeros(n)  # fraction under a contract period (tendered)
        self.private = np.zeros(n)  # fraction delivered by a private firm
        self.contractor = np.full(n, -1)
        self.price = np.zeros(n)  # realised yearly cost of the private fraction
        self.end = np.zeros(n, dtype=int)
        self.rounds = np.zeros(n, dtype=int)

    @property
    def n(self) -> int:
        return self.area.size

    def exposed_share(self) -> float:
        return weighted_sum(self.volume, self.exposed) / self.total_volume

    def private_share(self) -> float:
        return weighted_sum(self.volume, self.private) / self.total_volume

    def inhouse_volume(self) -> float:
        return self.total_volume - weighted_sum(self.volume, self.private)

    def inhouse_package_count(self) -> int:
        return int(np.count_nonzero(self.private < 1.0))

    def release(self, idx) -> None:
        """End the contract period of these packages: the work returns in-house."""
        self.exposed[idx] = 0.0
        self.private[idx] = 0.0
        self.contractor[idx] = -1
        self.price[idx] = 0.0

    def release_expired(self, year: int) -> None:
        expired = (self.exposed > 0) & (self.end <= year)
        if np.count_nonzero(expired):
            self.release(expired)
