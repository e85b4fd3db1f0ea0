"""Small statistics shared by compare, report and validate: means with t-based 95 % intervals."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(
    x: np.ndarray, level: float = 0.95, bounds: tuple[float, float] | None = None
) -> tuple[float, float, float]:
    """Mean and the two ends of its `level` confidence interval (Student t over replications).

    With `bounds` (the values the quantity can take, e.g. (0, 1) for a share: ``Output.bounds``)
    the ends are clipped to them, so a share's interval never reaches below 0 with few
    replications. A mean outside `bounds` (bounds that are wrong) leaves the interval as it is."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if x.size < 2:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    lo, hi = m - half, m + half
    if bounds is not None and bounds[0] <= m <= bounds[1]:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return m, lo, hi


def ci_frame(grouped, bounds: tuple[float, float] | None = None):
    """``mean_ci`` of each group of `grouped` (a pandas ``SeriesGroupBy``) as a DataFrame with
    columns m, lo, hi, indexed by the groups."""
    import pandas as pd

    return grouped.apply(
        lambda x: pd.Series(mean_ci(x.to_numpy(), bounds=bounds), index=["m", "lo", "hi"])
    ).unstack()
