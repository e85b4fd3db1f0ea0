"""Multi-bottom-line benchmarking per geographic area (HOD's steering model).

Seed 000: areas are measured on several bottom lines — economic key figures, citizens'
holistic satisfaction, the professional staff's holistic assessment of the same area and
employee wellbeing — all compared with the political expectation for the area. A gap
between citizens' and staff's view, or a result below expectation, "gives cause for
reflection". Seed 001: the benchmarking system needs data before it works (a lag).
Private contractors are measured on the same bottom lines (seed 000). Seed 000: HOD rests on
benchmarking with other HOD municipalities; in a population a municipality of a benchmarking
network (``ctx.peers``, ``sim.population.network``) compares with its peers' data while its own
series is short, which shortens the lag by the network's ``lag_reduction_years`` once a peer
measures too.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.rules.base import Rule, RuleParams, Signals
from sim.rules.context import RuleContext, uses


class BenchmarkingParams(RuleParams):
    rule: Literal["benchmarking"]
    cost_per_area_dkk: float = param(
        25_000.0,
        unit="DKK/area/yr",
        plausible=(10_000, 60_000),
        ge=0,
        le=1e7,
        source="assumption: survey and data work per area",
        doc="Measurement cost per area per year.",
    )
    gap_threshold: float = param(
        0.05,
        unit="satisfaction points",
        plausible=(0.02, 0.1),
        ge=0,
        le=1,
        source="seed 000; size an assumption",
        doc="Citizen–staff gap that gives cause for reflection.",
    )
    expectation_margin: float = param(
        0.0,
        unit="satisfaction points",
        plausible=(0.0, 0.05),
        ge=0,
        le=1,
        source="seed 000",
        doc="How far below the political expectation an area may fall before it is flagged.",
    )
    data_lag_years: int = param(
        2,
        unit="years",
        plausible=(0, 3),
        ge=0,
        le=10,
        source="seed 001 (started April 2011, data only from the end of 2013: first flags after 2 year ends)",
        doc="Years of measurement before the system flags anything.",
    )
    pressure: float = param(
        0.1,
        unit="signal",
        plausible=(0.0, 0.3),
        ge=0,
        le=1,
        source="seed 001 (benchmarked on price and quality); size an assumption",
        doc="Competitive pressure from being benchmarked.",
    )


class Benchmarking(Rule[BenchmarkingParams]):
    key = "benchmarking"
    Params = BenchmarkingParams
    title = "Multi-bottom-line benchmarking"
    explanation = (
        "Each area is measured on several bottom lines: what citizens think, what the "
        "professional staff think, cost, and employee wellbeing — and compared with "
        "what the politicians expect there."
    )
    source = "seeds 000, 001"
    access = {
        "quarter": uses(writes=("ledger", "signals")),
        "measure": uses(
            reads=("areas.satisfaction", "areas.staff_assessment", "areas.expectation", "peers"),
            writes=("areas.flagged",),
        ),
    }

    def activate(self, ctx: RuleContext) -> None:
        self.years_measured = 0

    def quarter(self, ctx: RuleContext, s: Signals) -> None:
        ctx.ledger.charge("benchmarking", self.p.cost_per_area_dkk * ctx.n_areas / 4)
        s.competition += self.p.pressure

    def measure(self, ctx: RuleContext) -> None:
        self.years_measured += 1
        a = ctx.areas
        lag = self.p.data_lag_years
        peers = ctx.peers
        if peers is not None and peers.measuring > 0:  # peers' data stand in for a short series
            lag = max(0, lag - peers.lag_reduction_years)
        if self.years_measured <= lag:
            a.flagged[:] = False
            return
        gap = np.abs(a.satisfaction - a.staff_assessment) > self.p.gap_threshold
        below = a.satisfaction < a.expectation - self.p.expectation_margin
        a.flagged[:] = gap | below
