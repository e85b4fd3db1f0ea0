"""A region's shared contractor market (issue 12, stage 2): the municipalities of a region buy
from one ``sim.agents.Market`` whose firms' capacity and backlog, incumbency, price beliefs and
profits span all of them, so one municipality's tenders change the market for the next.

``RegionalMarket`` is the market's host: a Mesa model of its own that the firms (``Contractor``
agents) belong to, with its own random stream (the run seed's ``STREAM_MARKETS`` list, one seed
per region) and calendar. The municipalities' models receive its ``market``
(``MunicipalityModel(..., market=...)``), register as buyers (``Market.serve``) and tender in it;
``sim.population.run.Region`` steps them and settles the market once a year, after all of them
(``Market.year_end``: contracts paid, learning, indexation, exit and entry on the region's
profit).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mesa import Model

from sim.agents import Market


class RegionalMarket(Model):
    """The host of one region's shared market of `firms` firms.

    `params` are the scenario parameters the market reads (``market`` and ``tasks``): the
    members of a regional market agree on them (``sim.population.spec`` checks it), so any
    member's parameters will do; the region passes its first municipality's."""

    def __init__(self, key: str, params: Any, firms: int, seed: int, start_year: int) -> None:
        super().__init__(seed=seed)
        self.key = key
        self.params = params
        self.calendar_year = start_year - 1  # the municipalities' warm start
        self.market = Market(self, firms)
        self.rows: list[dict[str, Any]] = []

    def order(self, n: int) -> np.ndarray:
        """The order in which the region's `n` municipalities act this year (tender first,
        …): a permutation drawn from the market's stream, so no municipality always has the
        first pick of the firms' capacity and the order is the same on any worker count."""
        return self.rng.permutation(n)

    def settle(self, year: int) -> None:
        """The year's end of the market, after every member's: the state the year leaves
        (firms, who holds contracts with how many buyers), then ``Market.year_end``."""
        mk = self.market
        self.calendar_year = year
        n_before = int(mk.ids.size)
        buyers = np.zeros(mk.ids.size, dtype=int)
        held = np.zeros(mk.ids.size)
        for b in mk.books:
            pk = b.packages
            h = (pk.contractor >= 0) & (pk.private > 0)
            if h.any():
                r = mk.rows(pk.contractor[h])
                held += np.bincount(r, weights=pk.volume[h] * pk.private[h], minlength=mk.ids.size)
                buyers += np.bincount(np.unique(r), minlength=mk.ids.size)
        holders = held > 0
        total = float(held.sum())
        hhi = float(((held / total) ** 2).sum()) if total > 0 else float("nan")
        ids_before = set(mk.ids.tolist())
        mk.year_end()
        ids_after = set(mk.ids.tolist())
        self.rows.append(
            {
                "year": year,
                "buyers": len(mk.books),
                "firms": n_before,
                "holders": int(holders.sum()),
                "buyers_per_holder": float(buyers[holders].mean()) if holders.any() else 0.0,
                "multi_buyer_holders": int((buyers >= 2).sum()),
                "held_volume_dkk": total,
                "hhi": hhi,
                "margin": float(mk.margin),
                "terminations": int(mk.terminations),
                "exits": len(ids_before - ids_after),
                "entries": len(ids_after - ids_before),
            }
        )
