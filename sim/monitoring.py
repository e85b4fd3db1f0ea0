"""Provider effort and what monitoring buys.

A provider — a firm on its contract, the in-house unit on its own work — may fall short on a
package in a year (quality shading: Hart, Shleifer & Vishny 1997). It does so less where it
expects to be found out: its expected detection follows the detection it has seen on that
package (``monitoring.belief_rate``). In-house staff shirk less when they trust management
(seed 003; stewardship). Inspection hours on a package (the ``inspection`` rule) find a
shortfall with probability ``1 − exp(−hours / detection_hours)``; an area the measurements
flagged (``benchmarking``, after its data lag) is looked into, finding a shortfall with
probability ``benchmark_detection``. A found shortfall is corrected within the year; a firm
pays a penalty. So control costs hours (and, through the hours staff bear, wellbeing) *and*
buys discipline; benchmarking substitutes for it once its data arrive (seed 001). Contract-
management capacity as the buyer's lever: Brown & Potoski 2003.

Each inspected package is a commitment test: work found done is a kept commitment, a
shortfall found a broken one (``orderer_provider`` for in-house work,
``municipality_contractors`` for a firm's).
"""

from __future__ import annotations

import numpy as np

from sim.arrays import add, clip


class Monitoring:
    """Per-package effort, inspection hours and providers' expected detection."""

    __slots__ = (
        "belief",
        "shirk_inhouse",
        "shirk_private",
        "hours",
        "found",
        "found_private",
        "penalty_dkk",
    )

    def __init__(self, n: int) -> None:
        self.belief = np.zeros(n)  # providers' expected chance that a shortfall is found
        self.shirk_inhouse = np.zeros(n, dtype=bool)
        self.shirk_private = np.zeros(n, dtype=bool)
        self.hours = np.zeros(n)  # inspection hours this year
        self.found = 0  # shortfalls found this year
        self.found_private = np.zeros(n, dtype=bool)  # per package: a firm's shortfall found
        self.penalty_dkk = 0.0

    def begin_year(self, rng: np.random.Generator, mp, packages, trust_in_management: float):
        """Providers decide their effort for the year."""
        pk = packages
        n = pk.n
        deterred = 1.0 - self.belief
        reciprocity = max(0.0, 1.0 + mp.reciprocity * 2.0 * (0.5 - trust_in_management))
        p_in = clip(mp.shirk_inhouse * deterred * reciprocity, 0.0, 1.0)
        p_pr = clip(mp.shirk_private * deterred, 0.0, 1.0)
        u_in = rng.random(n)  # drawn in this order: in-house first, then private
        u_pr = rng.random(n)
        self.shirk_inhouse = (pk.private < 1.0) & (u_in < p_in)
        self.shirk_private = (pk.private > 0.0) & (u_pr < p_pr)
        self.hours[:] = 0.0
        self.found = 0
        self.found_private = np.zeros(n, dtype=bool)
        self.penalty_dkk = 0.0

    def inspect(self, hours: np.ndarray) -> None:
        """Inspection hours spent on each package this quarter."""
        self.hours += hours

    def resolve(self, rng, mp, packages, flagged_areas: np.ndarray, commitments) -> np.ndarray:
        """Year end: which shortfalls are found (and corrected); returns the quality lost per
        package on the in-house and private parts as one array of the package's loss."""
        pk = packages
        p_insp = 1.0 - np.exp(-self.hours / mp.detection_hours)
        p_bench = mp.benchmark_detection * flagged_areas[pk.area]
        p = 1.0 - (1.0 - p_insp) * (1.0 - p_bench)
        found = rng.random(pk.n) < p
        looked = (self.hours > 0.0) | (p_bench > 0.0)  # inspected, or in a flagged area
        found_in = self.shirk_inhouse & found
        found_pr = self.shirk_private & found
        # commitments: work looked into and found done is kept; a shortfall found is broken
        commitments.keep(
            "orderer_provider",
            int(np.count_nonzero(looked & (pk.private < 1) & ~self.shirk_inhouse)),
        )
        commitments.break_("orderer_provider", int(np.count_nonzero(found_in)))
        commitments.keep(
            "municipality_contractors",
            int(np.count_nonzero(looked & (pk.private > 0) & ~self.shirk_private)),
        )
        commitments.break_("municipality_contractors", int(np.count_nonzero(found_pr)))
        self.found_private = found_pr  # the contract terms count them (``sim.agents.Market``)
        self.penalty_dkk = float(mp.penalty_share * add(pk.price[found_pr]))
        self.found = int(np.count_nonzero(found_in) + np.count_nonzero(found_pr))
        # providers learn how closely they are watched
        self.belief += mp.belief_rate * (p - self.belief)
        loss_in = np.where(self.shirk_inhouse & ~found, mp.shortfall_size, 0.0)
        loss_pr = np.where(self.shirk_private & ~found, mp.shortfall_size, 0.0)
        return loss_in, loss_pr
