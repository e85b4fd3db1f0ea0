"""From the engine's yearly rows to one number per (sample point, replication) and outcome.

Replications at a sample point share their seeds with every other point (common random
numbers, as `govsim compare` does across models): the differences between points are then
parameter effects, not different luck. The seed noise that remains is measured, not hidden:
`seed_noise` reports the share of the single-run variance that lies *within* sample points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.errors import GovsimError

POINT, REP, ARM = "sa_point", "sa_rep", "sa_arm"


def run_summaries(yearly: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per run (arm, point, rep): `column:mean` over the run and `column:final` in its last year."""
    keys = [ARM, POINT, REP]
    g = yearly.sort_values([*keys, "year"]).groupby(keys, sort=True)[columns]
    means = g.mean().add_suffix(":mean")
    finals = g.last().add_suffix(":final")
    return means.join(finals)


def outcome_matrix(
    summaries: pd.DataFrame, outcome, n_points: int, replications: int
) -> np.ndarray:
    """(points × replications) values of one outcome; differences are taken on the same seed."""

    def arm(label: str) -> np.ndarray:
        col = f"{outcome.column}:{outcome.summary}"
        try:
            s = summaries.loc[label, col]
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
    """How much of the variance is seed noise (needs ≥ 2 replications; NaN otherwise).

    `single_run`: E[Var(Y | parameters)] / Var(Y) over single runs.
    `in_means`: the same for the replication means the indices are computed from.
    """
    p, r = matrix.shape
    if r < 2:
        return {"replications": r, "single_run": np.nan, "in_means": np.nan}
    within = float(matrix.var(axis=1, ddof=1).mean())
    total = float(matrix.ravel().var(ddof=1))
    means = float(matrix.mean(axis=1).var(ddof=1))
    return {
        "replications": r,
        "single_run": within / total if total > 0 else 0.0,
        "in_means": (within / r) / means if means > 0 else 0.0,
    }
