"""From the engine's yearly rows to one number per (sample point, replication) and outcome.

Replications at a sample point share their seeds with every other point (common random
numbers, as `govsim compare` does across models): the differences between points are then
parameter effects, not different luck. The seed noise that remains is measured, not hidden:
`seed_noise` splits the variance of the (points × seeds) table by a two-way ANOVA into a
parameter part, a common seed shift (the same for every point, which cancels in the indices)
and the point × seed interaction (the noise that reaches the means the indices use).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.errors import GovsimError

POINT, REP, ARM = "sa_point", "sa_rep", "sa_arm"


def summarise(yearly: pd.DataFrame, outcome) -> pd.DataFrame:
    """Per run (arm, point, rep): the outcome's summary of its column over its years, one
    column per simulated year for ``per_year``, else one column ``value``.

    mean / max / min: over the years; final: the last year; slope: the least-squares slope
    per year. `outcome.years` = [first, last] keeps only those calendar years first.
    """
    keys = [ARM, POINT, REP]
    y = yearly[[*keys, "year", outcome.column]]
    if outcome.years is not None:
        y = y[y["year"].between(*outcome.years)]
        if y.empty:
            have = sorted(yearly["year"].unique())
            raise GovsimError(
                f"outcome {outcome.name!r}: key 'years' is {list(outcome.years)}, but the runs "
                f"cover {have[0]}–{have[-1]}; choose years inside that range"
            )
    y = y.sort_values([*keys, "year"])
    if outcome.summary == "per_year":
        return y.set_index([*keys, "year"])[outcome.column].unstack("year")
    g = y.groupby(keys, sort=True)
    if outcome.summary == "slope":
        t = y["year"] - g["year"].transform("mean")
        v = y[outcome.column] - g[outcome.column].transform("mean")
        num = (t * v).groupby([y[k] for k in keys]).sum()
        den = (t * t).groupby([y[k] for k in keys]).sum()
        value = (num / den).where(den > 0, 0.0)
    else:
        value = getattr(
            g[outcome.column], {"final": "last"}.get(outcome.summary, outcome.summary)
        )()
    return value.rename("value").to_frame()


def outcome_matrix(
    values: pd.DataFrame, outcome, n_points: int, replications: int, column: Any = "value"
) -> np.ndarray:
    """(points × replications) values of one outcome from `summarise`'s table of its scenario
    (and the one subtracted); differences are taken on the same seed."""

    def arm(label: str) -> np.ndarray:
        try:
            s = values.loc[label, column]
        except KeyError:
            raise GovsimError(
                f"no results for scenario {label!r}; the run directory is incomplete"
            ) from None
        full = pd.MultiIndex.from_product(
            [range(n_points), range(replications)], names=[POINT, REP]
        )
        s = s.reindex(full)
        missing = int(s.isna().sum())
        if missing:
            raise GovsimError(
                f"{missing} of {len(s)} runs of scenario {label!r} are missing; "
                "rerun with --resume to complete them"
            )
        return s.to_numpy(dtype=float).reshape(n_points, replications)

    y = arm(outcome.scenario)
    return y - arm(outcome.minus) if outcome.minus is not None else y


def seed_noise(matrix: np.ndarray) -> dict[str, float]:
    """Seed noise by a two-way ANOVA of the (points × replications) table without repetition.

    With y[i, j] = mu + a[i] + b[j] + e[i, j] (a: the parameters at point i; b: seed j's shift,
    common to every point by the common random numbers; e: the point × seed interaction), the
    mean squares of the balanced table give the method-of-moments variance components
        var_e = MS_interaction, var_a = (MS_points − var_e) / R, var_b = (MS_seeds − var_e) / P,
    each cut at 0. Returned (needs ≥ 2 replications; NaN otherwise):

    `parameters`, `common_seed`, `interaction`: the components as shares of their sum (each in
    [0, 1], summing to 1) — the variance of a single run;
    `single_run`: common_seed + interaction, the seed noise in a single run;
    `in_means`: the noise share of the replication means the indices use,
    (var_e / R) / (var_a + var_e / R); the common shift b is the same at every point and
    cancels, so it is not noise there.
    A constant table has every share 0.
    """
    p, r = matrix.shape
    keys = ("parameters", "common_seed", "interaction", "single_run", "in_means")
    if r < 2 or p < 2:
        return {"replications": r, **dict.fromkeys(keys, np.nan)}
    grand = matrix.mean()
    rows = matrix.mean(axis=1)
    cols = matrix.mean(axis=0)
    ss_points = r * float(((rows - grand) ** 2).sum())
    ss_seeds = p * float(((cols - grand) ** 2).sum())
    resid = matrix - rows[:, None] - cols[None, :] + grand
    ss_inter = float((resid**2).sum())
    var_e = ss_inter / ((p - 1) * (r - 1))
    var_a = max(0.0, (ss_points / (p - 1) - var_e) / r)
    var_b = max(0.0, (ss_seeds / (r - 1) - var_e) / p)
    total = var_a + var_b + var_e
    if total <= 0.0:
        return {"replications": r, **dict.fromkeys(keys, 0.0)}
    in_means = var_e / r + var_a
    return {
        "replications": r,
        "parameters": var_a / total,
        "common_seed": var_b / total,
        "interaction": var_e / total,
        "single_run": (var_b + var_e) / total,
        "in_means": (var_e / r) / in_means if in_means > 0 else 0.0,
    }
