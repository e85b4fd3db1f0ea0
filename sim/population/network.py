"""Inter-municipal benchmarking networks (issue 12, stage 2, point 2).

Seed 000: HOD rests on benchmarking *with other HOD municipalities* and on close inter-municipal
collaboration. The municipalities of a network share their benchmarking data and what their
learning teams found. Two mechanisms (the rules read a ``PeerView`` as ``ctx.peers``):

- **a shorter lag** (``sim.rules.benchmarking``): seed 001's system needed two years of own
  data before it flagged anything; with a peer that measures too, the comparison can start
  earlier, by the network's ``lag_reduction_years``;
- **learning travels** (``sim.rules.learning_teams``): each learning team takes up one of its
  peers' tested improvements with probability 1 − exp(−transfer_rate × the improvements the
  peers' teams implemented last year, per peer).

The exchange happens once a year, after every municipality of the population has ended its year
(``exchange``), and is read the next year: what a municipality sees does not depend on the order
in which the municipalities or regions step. A network may span regions, so a national run with
one runs all its regions in one process (``sim.population.run``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeerView:
    """What a member of a benchmarking network sees of its peers (last year's exchange)."""

    peers: int  # the other members
    measuring: int  # the other members whose benchmarking has measured at least one year
    improvements: float  # improvements the peers' learning teams implemented, per peer
    lag_reduction_years: int
    transfer_rate: float


def _rule(model: Any, key: str) -> Any:
    return next((r for r in model.active if r.key == key), None)


def exchange(models: Sequence[Any], lag_reduction_years: int, transfer_rate: float) -> None:
    """The network's members (`models`) share this year's data: each gets a ``PeerView`` of the
    others (``model.peers``), read by its rules next year."""
    measuring, improved = [], []
    for m in models:
        b, t = _rule(m, "benchmarking"), _rule(m, "learning_teams")
        measuring.append(int(b is not None and getattr(b, "years_measured", 0) > 0))
        improved.append(int(getattr(t, "implemented", 0)) if t is not None else 0)
    n, total_m, total_i = len(models), sum(measuring), sum(improved)
    for m, own_m, own_i in zip(models, measuring, improved, strict=True):
        m.peers = PeerView(
            peers=n - 1,
            measuring=total_m - own_m,
            improvements=(total_i - own_i) / max(n - 1, 1),
            lag_reduction_years=lag_reduction_years,
            transfer_rate=transfer_rate,
        )
