"""Have the indices converged? Recompute them on nested prefixes of the design (N/8, N/4, N/2, N).

Sobol' designs are nested: the first n base points of a scrambled Sobol' sequence (n a power of
two) form a balanced design on their own, and SALib lays out the runs of one base point together,
so a prefix of the runs *is* the smaller study. The same holds for Morris trajectories and for a
random Latin hypercube. eFAST's search curves are not nested; there only the final CI is judged.

Verdict per index (at the full size):
- `ci_ok`: the CI half-width is below 10 % of the index (the issue's criterion);
- `negligible`: the whole CI lies within ±0.05 (Sobol-type indices: under 5 % of the variance,
  the usual cut-off for a non-influential factor) or within 1 % of the largest index of its kind
  (Morris μ*, PAWN) — a near-zero index never meets a *relative* criterion, yet "unimportant"
  is a converged answer;
- `rank_stable`: the parameter's rank is the same at N/2 and N (or it is negligible at both).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.sensitivity.analyse import Method, analyse_outcome

REL_HALF_WIDTH = 0.10
NEGLIGIBLE_SOBOL = 0.05
NEGLIGIBLE_RELATIVE = 0.01
SOBOL_INDICES = frozenset({"S1", "ST", "S2"})
#: indices whose ranking is judged (the others describe shape, e.g. Morris sigma and mu)
RANKED = frozenset({"S1", "ST", "mu_star", "median"})


def subsample_sizes(full: int, min_units: int = 2) -> list[int]:
    """N/8, N/4, N/2, N — dropping sizes too small to analyse."""
    sizes = sorted({full // k for k in (8, 4, 2, 1) if full // k >= min_units})
    return sizes or [full]


def indices_by_size(
    method: Method, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int
) -> pd.DataFrame:
    """The indices recomputed on each nested prefix; column `size` = base points or trajectories."""
    d = problem["num_vars"]
    full = method.size(len(Y), d)
    if method.block_rows(d) is None:
        return analyse_outcome(method, problem, X, Y, seed).assign(size=full)
    min_units = 2 * getattr(method.settings, "slices", 1)
    parts = []
    for n in subsample_sizes(full, min_units):
        Xs, Ys = method.subsample(X, Y, n, d)
        parts.append(analyse_outcome(method, problem, Xs, Ys, seed).assign(size=n))
    return pd.concat(parts, ignore_index=True)


def _ranks(df: pd.DataFrame) -> pd.Series:
    return df.groupby(["index", "size"])["value"].rank(ascending=False, method="min")


def verdict(by_size: pd.DataFrame) -> pd.DataFrame:
    """One row per index at the full size, with ci_ok, negligible, rank_stable and converged."""
    df = by_size.copy()
    df["rank"] = _ranks(df)
    largest = df.groupby(["index", "size"])["value"].transform(lambda v: np.nanmax(np.abs(v)))
    limit = np.where(
        df["index"].isin(SOBOL_INDICES), NEGLIGIBLE_SOBOL, NEGLIGIBLE_RELATIVE * largest
    )
    reach = np.where(
        df["conf"].notna(), np.maximum(df["lo"].abs(), df["hi"].abs()), df["value"].abs()
    )
    df["negligible"] = reach < limit
    sizes = sorted(df["size"].unique())
    full = df[df["size"] == sizes[-1]].copy()
    rel = full["conf"] / full["value"].abs()
    full["rel_half_width"] = rel.where(full["conf"].notna())
    ci_ok = pd.array(full["conf"] < REL_HALF_WIDTH * full["value"].abs(), dtype="boolean")
    ci_ok[full["conf"].isna().to_numpy()] = pd.NA
    full["ci_ok"] = ci_ok
    key = ["parameter", "interaction", "index"]
    if len(sizes) > 1:
        half = df[df["size"] == sizes[-2]].set_index(key)
        h = half.reindex(full.set_index(key).index)
        full["rank_half"] = h["rank"].to_numpy()
        same = full["rank"].to_numpy() == h["rank"].to_numpy()
        both_small = full["negligible"].to_numpy() & h["negligible"].to_numpy().astype(bool)
        full["rank_stable"] = pd.array(same | both_small, dtype="boolean")
    else:
        full["rank_half"] = np.nan
        full["rank_stable"] = pd.array([pd.NA] * len(full), dtype="boolean")
    full.loc[~full["index"].isin(RANKED), "rank_stable"] = pd.NA
    ok_ci = full["ci_ok"].fillna(True).astype(bool) | full["negligible"]
    ok_rank = full["rank_stable"].fillna(True).astype(bool)
    full["converged"] = ok_ci & ok_rank
    return full.drop(columns=["size"]).reset_index(drop=True)


def advice(v: pd.DataFrame, size: int, size_label: str) -> str:
    """A plain sentence: converged, or which indices are not and what to do."""
    judged = v[v["index"].isin(RANKED | SOBOL_INDICES)]
    bad = judged[~judged["converged"]]
    if bad.empty:
        return f"converged at {size_label}={size}: every CI is within 10 % of its index (or the index is negligible) and the ranking is stable"
    names = ", ".join(
        f"{r['index']}({r['parameter']}{'×' + r['interaction'] if r['interaction'] else ''})"
        for r in bad.head(6).to_dict("records")
    )
    more = f" and {len(bad) - 6} more" if len(bad) > 6 else ""
    return (
        f"NOT converged at {size_label}={size}: {len(bad)} of {len(judged)} indices fail "
        f"({names}{more}); more samples are needed — try {size_label}={4 * size}"
    )
