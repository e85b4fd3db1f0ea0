"""Ideas and their uncertain effects: who initiated an idea decides what it knows.

Stylised fact 7 (Danish innovation barometer): employee-initiated innovations more often raise
quality and employee satisfaction than management-initiated ones. Seed 004 (Steinkjer): the
refuse collectors, under the threat of outsourcing, proposed a one-person truck; the idea
spread to all technical areas. Here that frequency is not assumed, it follows from two
mechanisms that can fail:

- **local knowledge**: an idea's quality effect, cost effect and effect on the task demands of
  the employees it touches are drawn from distributions whose means improve with the local
  knowledge of whoever designed it (employees: years on their post and skill; a steering group
  or management: ``innovation.steering_knowledge``);
- **screening**: management screens employees' proposals on a noisy estimate of their quality
  effect and implements only those it expects to help; a steering group decides by consensus
  (on trust, ``tripartite_consensus``) and management follow-up acts on every red goal, without
  screening on the effect.

Implemented ideas change the area's quality (``areas.bonus``, decaying), the in-house unit's
cost (``InHouseUnit.improve``) and the task demands of the employees posted in the area
(``InHouseUnit.change_demands``); an idea that raised quality may spread to other areas.
Every implemented idea is counted by origin, with whether it raised quality and whether it
eased the work (``Tally`` counters ``innovations_<origin>…``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import add, normal

if TYPE_CHECKING:
    from sim.rules.context import RuleContext

ORIGINS: tuple[str, ...] = ("employee", "steering")


def adopt(
    ctx: RuleContext,
    origin: str,
    areas: np.ndarray,
    knowledge: np.ndarray,
    screened: bool,
    boost: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Ideas of `origin` for `areas` (one entry per idea), designed with `knowledge` (0–1 each):
    draw their effects, screen them if `screened`, implement with the implementation chance
    (+ `boost`), apply the effects. Returns, per idea, whether it was accepted and whether it
    was implemented."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown idea origin {origin!r}; origins: {', '.join(ORIGINS)}")
    areas = np.asarray(areas, dtype=int)
    n = areas.size
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    ip = ctx.params.innovation
    rng = ctx.rng
    k = np.asarray(knowledge, dtype=float)
    if k.shape != (n,):  # one knowledge for all ideas
        k = np.broadcast_to(k, (n,))
    q = normal(rng, ip.quality_mean + ip.quality_knowledge * k, ip.quality_sd)
    c = rng.normal(ip.cost_mean, ip.cost_sd, n)
    d = normal(rng, ip.demand_mean - ip.demand_knowledge * k, ip.demand_sd)
    if screened:
        accept = q + rng.normal(0.0, ip.screening_sd, n) > 0.0
    else:
        accept = np.ones(n, dtype=bool)
    done = accept & (rng.random(n) < min(1.0, ip.implementation_base + boost))
    idx = done.nonzero()[0]
    if idx.size == 0:
        return accept, done
    a = ctx.areas
    np.add.at(a.bonus, areas[idx], q[idx])
    ctx.unit.improve(float(add(c[idx])))
    # the employees posted in an idea's area live with the change of practice
    per_area = np.bincount(areas[idx], weights=d[idx], minlength=ctx.n_areas)
    ctx.unit.change_demands(slice(None), per_area[ctx.packages.area[ctx.unit.posts]])
    # an idea that raised quality may be taken up elsewhere (Steinkjer: all technical areas)
    good = idx[q[idx] > 0.0]
    if good.size and ctx.n_areas > 1 and ip.spread_probability > 0:
        take = rng.random((good.size, ctx.n_areas)) < ip.spread_probability
        take[np.arange(good.size), areas[good]] = False
        a.bonus += ip.transfer_share * add(q[good, None] * take, axis=0)
    t = ctx.tally
    t.add(f"innovations_{origin}", int(idx.size))
    t.add(f"innovations_{origin}_raised_quality", int(np.count_nonzero(q[idx] > 0.0)))
    t.add(f"innovations_{origin}_eased_work", int(np.count_nonzero(d[idx] < 0.0)))
    return accept, done
