"""Have the indices converged? Recompute them on nested prefixes of the design (N/8, N/4, N/2, N).

Sobol' designs are nested: the first n base points of a scrambled Sobol' sequence (n a power of
two) form a balanced design on their own, and SALib lays out the runs of one base point together,
so a prefix of the runs *is* the smaller study. The same holds for Morris trajectories, DGSM's
finite-difference blocks and a random Latin hypercube (PAWN, δ, RBD-FAST). eFAST's search curves
are not nested; there only the final CI is judged.

The criterion is fixed and does not depend on the spec's reporting `conf_level`: every judged
half-width is ``Z95 · se`` with ``se`` the standard error (row bootstrap and, with ≥ 2
replications, the seed-conditional part; `analyse.with_seed_error`).

Verdict per index (at the full size):
- `ci_ok`: the 95 % half-width is below 10 % of the index (empty where the method gives no CI);
- `seed_ok`: the seed part alone (Z95 · seed_sd / √R) is below 10 % of the index (empty with
  one replication) — it does not shrink with N, only with more replications;
- `negligible`: relative to the total: the parameter belongs to the group of smallest indices
  whose upper 95 % ends sum to at most 5 % of the total of that index (Σ of the index, and at
  least 1 for variance shares). Ties enter together, so 30 equal inputs that explain everything
  are not negligible, while a long tail of near-zero indices is one negligible group;
- `rank_best`, `rank_worst`: the ranks the parameter can take given the 95 % CIs (those whose CI
  lies wholly above its CI rank above it; those whose CI overlaps share its rank group);
- `rank_stable`: the rank at N/2 lies within the rank group at N (ties may swap), or the index
  is negligible at both;
- `converged`: (`ci_ok` or negligible), `seed_ok` where measured, and `rank_stable`.
Methods without CIs (PAWN, Morris σ and μ, DGSM's vi) rest on rank stability (and seed
agreement) only, and `advice` says so instead of claiming a CI.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.sensitivity.analyse import Method, analyse_outcome, bounded_ci, n_units

Z95 = 1.959963984540054  # norm.ppf(0.975): the fixed level of the convergence criterion
REL_HALF_WIDTH = 0.10
NEGLIGIBLE_SHARE = 0.05
#: indices that are shares of the output variance (their total is at least 1)
VARIANCE_SHARES = frozenset({"S1", "ST", "S2"})
SOBOL_INDICES = VARIANCE_SHARES
#: indices whose ranking is judged (the others describe shape, e.g. Morris sigma and mu)
RANKED = frozenset({"S1", "ST", "mu_star", "median", "delta", "dgsm"})


def subsample_sizes(full: int, min_units: int = 2) -> list[int]:
    """N/8, N/4, N/2, N — dropping sizes too small to analyse."""
    sizes = sorted({full // k for k in (8, 4, 2, 1) if full // k >= min_units})
    return sizes or [full]


def _min_units(method: Method) -> int:
    s = method.settings
    if method.name == "rbd_fast":
        return 2 * s.M + 1
    if method.name == "delta":
        return 40
    return 2 * getattr(s, "slices", 1)


def indices_by_size(
    method: Method, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int
) -> pd.DataFrame:
    """The indices recomputed on each nested prefix; column `size` = base points or trajectories."""
    d = n_units(problem)
    full = method.size(len(Y), d)
    if method.block_rows(d) is None:
        return analyse_outcome(method, problem, X, Y, seed).assign(size=full)
    parts = []
    for n in subsample_sizes(full, _min_units(method)):
        Xs, Ys = method.subsample(X, Y, n, d)
        parts.append(analyse_outcome(method, problem, Xs, Ys, seed).assign(size=n))
    return pd.concat(parts, ignore_index=True)


def _half95(df: pd.DataFrame) -> pd.Series:
    se = df["se"] if "se" in df else df["se_rows"]
    return Z95 * se


def _ci95(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    h = _half95(df).to_numpy(dtype=float)
    lo, hi = bounded_ci(df, np.where(np.isnan(h), 0.0, h))
    return lo, hi


def _negligible(df: pd.DataFrame) -> np.ndarray:
    """Per row: in the group of smallest indices (of its kind and size) whose reaches sum ≤ 5 % of the total."""
    lo, hi = _ci95(df)
    reach = np.maximum(np.abs(lo), np.abs(hi))
    out = np.zeros(len(df), dtype=bool)
    for _, idx in df.groupby(["index", "size"], sort=False).indices.items():
        kind = df["index"].iloc[idx[0]]
        r = reach[idx]
        total = float(np.nansum(np.abs(df["value"].to_numpy()[idx])))
        if kind in VARIANCE_SHARES:
            total = max(total, 1.0)
        # the sum of every reach up to and including this one (ties enter together)
        order = np.sort(r)
        cum = np.cumsum(order)
        upto = cum[np.searchsorted(order, r, side="right") - 1]
        out[idx] = upto <= NEGLIGIBLE_SHARE * total
    return out


def _rank_groups(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point rank, and the best and worst rank the 95 % CIs allow, per (index, size)."""
    lo, hi = _ci95(df)
    v = df["value"].to_numpy(dtype=float)
    rank = np.zeros(len(df))
    best = np.zeros(len(df))
    worst = np.zeros(len(df))
    for _, idx in df.groupby(["index", "size"], sort=False).indices.items():
        vi, li, hi_ = v[idx], lo[idx], hi[idx]
        rank[idx] = 1 + (vi[None, :] > vi[:, None]).sum(axis=1)
        best[idx] = 1 + (li[None, :] > hi_[:, None]).sum(axis=1)
        worst[idx] = (hi_[None, :] >= li[:, None]).sum(axis=1)
    return rank, best, worst


def verdict(
    by_size: pd.DataFrame, full: pd.DataFrame | None = None, replications: int = 1
) -> pd.DataFrame:
    """One row per index at the full size, with the verdict columns (module docstring).

    `full` is the full-size table with the seed-conditional error (`with_seed_error`); without
    it the last size of `by_size` is judged on its row bootstrap alone.
    """
    df = by_size.copy()
    sizes = sorted(df["size"].unique())
    key = ["parameter", "interaction", "index"]
    if full is not None:
        top = df[df["size"] == sizes[-1]].set_index(key)
        f = full.set_index(key).reindex(top.index).reset_index().assign(size=sizes[-1])
        df = pd.concat([df[df["size"] != sizes[-1]], f], ignore_index=True)
    if "se" not in df:
        df["se"] = df["se_rows"]
    df["rank"], df["rank_best"], df["rank_worst"] = _rank_groups(df)
    df["negligible"] = _negligible(df)
    last = df[df["size"] == sizes[-1]].copy()
    half = _half95(last)
    absval = last["value"].abs()
    last["rel_half_width"] = (half / absval).where(half.notna())
    ci_ok = pd.array(half < REL_HALF_WIDTH * absval, dtype="boolean")
    ci_ok[half.isna().to_numpy()] = pd.NA
    last["ci_ok"] = ci_ok
    seed_sd = last["seed_sd"] if "seed_sd" in last else pd.Series(np.nan, index=last.index)
    seed_half = Z95 * seed_sd / math.sqrt(replications)
    seed_ok = pd.array(seed_half < REL_HALF_WIDTH * absval, dtype="boolean")
    seed_ok[seed_half.isna().to_numpy()] = pd.NA
    last["seed_ok"] = seed_ok
    if len(sizes) > 1:
        prev = df[df["size"] == sizes[-2]].set_index(key).reindex(last.set_index(key).index)
        last["rank_half"] = prev["rank"].to_numpy()
        inside = (prev["rank"].to_numpy() >= last["rank_best"].to_numpy()) & (
            prev["rank"].to_numpy() <= last["rank_worst"].to_numpy()
        )
        both_small = last["negligible"].to_numpy() & prev["negligible"].to_numpy().astype(bool)
        last["rank_stable"] = pd.array(inside | both_small, dtype="boolean")
    else:
        last["rank_half"] = np.nan
        last["rank_stable"] = pd.array([pd.NA] * len(last), dtype="boolean")
    last.loc[~last["index"].isin(RANKED), "rank_stable"] = pd.NA
    ok_ci = last["ci_ok"].fillna(True).astype(bool) | last["negligible"]
    ok_seed = last["seed_ok"].fillna(True).astype(bool) | last["negligible"]
    ok_rank = last["rank_stable"].fillna(True).astype(bool)
    last["converged"] = ok_ci & ok_seed & ok_rank
    return last.drop(columns=["size"]).reset_index(drop=True)


def consistency(v: pd.DataFrame) -> list[str]:
    """Warnings where estimates break what the indices must satisfy: S1 ≤ ST, ΣS1 ≤ 1 (beyond the 95 % CIs)."""
    out: list[str] = []
    s1 = v[(v["index"] == "S1") & (v["interaction"] == "")].set_index("parameter")
    st = v[(v["index"] == "ST") & (v["interaction"] == "")].set_index("parameter")
    if not s1.empty and not st.empty:
        both = s1.add_suffix("_1").join(st.add_suffix("_t"), how="inner")
        h1 = Z95 * both["se_1"].fillna(0.0)
        ht = Z95 * both["se_t"].fillna(0.0)
        bad = both[both["value_1"] - h1 > both["value_t"] + ht]
        for name, r in bad.iterrows():
            out.append(
                f"S1({name}) = {r['value_1']:.3g} exceeds ST = {r['value_t']:.3g} beyond their "
                "95 % CIs (S1 ≤ ST must hold): the estimates are not yet reliable"
            )
    if not s1.empty:
        total = float(s1["value"].sum())
        half = Z95 * math.sqrt(float((s1["se"].fillna(0.0) ** 2).sum()))
        if total - half > 1.0:
            out.append(
                f"ΣS1 = {total:.3g} exceeds 1 beyond its 95 % CI (±{half:.2g}); first-order "
                "indices cannot explain more than all the variance: the estimates are not yet reliable"
            )
    return out


def negligible_group(v: pd.DataFrame, index: str) -> list[str]:
    """The parameters whose `index` is negligible (together at most 5 % of the total)."""
    g = v[(v["index"] == index) & (v["interaction"] == "") & v["negligible"]]
    return g["parameter"].tolist()


def _needed(bad: pd.DataFrame, size: int, size_label: str) -> int:
    """The size at which the failing row half-widths of the material indices (≥ 10 % of the
    largest of their kind) would reach 10 % (a CI shrinks as 1/√N); at least 4N, at most 64N."""
    se_rows = bad["se_rows"] if "se_rows" in bad else bad["se"]
    big = bad.groupby("index")["value"].transform(lambda x: x.abs().max())
    material = bad["value"].abs() >= 0.1 * big
    rel = (Z95 * se_rows / bad["value"].abs())[material].replace([np.inf], np.nan).dropna()
    factor = max(4.0, float(((rel / REL_HALF_WIDTH) ** 2).max())) if len(rel) else 4.0
    factor = min(factor, 64.0)
    if size_label == "N" and size & (size - 1) == 0:
        return size << max(1, math.ceil(math.log2(factor)))
    return int(math.ceil(size * factor))


def advice(
    v: pd.DataFrame,
    size: int,
    size_label: str,
    method: str = "",
    replications: int = 1,
) -> str:
    """A plain verdict: converged (or, without CIs, what it rests on), or which indices fail and what to do."""
    judged = v[v["index"].isin(RANKED | SOBOL_INDICES)]
    warnings = consistency(v)
    has_ci = judged["conf"].notna().any()
    bad = judged[~judged["converged"]]
    seed_note = (
        f"; seed-conditional error from {replications} replications is included"
        if replications >= 2
        else "; seed-conditional error not measured (1 replication)"
    )
    lines: list[str] = []
    if bad.empty and not warnings:
        if has_ci:
            lines.append(
                f"converged at {size_label}={size}: every 95 % CI half-width is within 10 % of "
                f"its index (or the index is in the negligible group) and the rank groups are "
                f"stable from {size_label}/2{seed_note}"
            )
        else:
            rests = "the ranking at N/2 and N"
            if replications >= 2:
                rests += f" and the agreement of the {replications} per-seed indices"
            lines.append(
                f"rank-stable at {size_label}={size}: {method or 'this method'} gives no "
                f"confidence intervals, so this verdict rests only on {rests}; it says nothing "
                "about the precision of the values"
            )
    else:
        order = bad.assign(_a=bad["value"].abs()).sort_values("_a", ascending=False)
        names = ", ".join(
            f"{r['index']}({r['parameter']}{'×' + r['interaction'] if r['interaction'] else ''})"
            for r in order.head(6).to_dict("records")
        )
        more = f" and {len(bad) - 6} more" if len(bad) > 6 else ""
        seed_bad = bad["seed_ok"].eq(False).fillna(False) & ~bad["ci_ok"].isna()
        rows_bad = (
            ~bad["ci_ok"].fillna(True).astype(bool) & ~bad["seed_ok"].eq(False).fillna(False)
        ) | ~bad["rank_stable"].fillna(True).astype(bool)
        todo = []
        if rows_bad.any():
            todo.append(f"try {size_label}={_needed(bad[rows_bad], size, size_label)}")
        if seed_bad.any():
            todo.append(
                f"the spread across seeds does not shrink with {size_label}: raise replications "
                f"(now {replications})"
            )
        if bad.empty:
            lines.append(
                f"NOT converged at {size_label}={size}: the estimates are inconsistent "
                f"(below); more samples are needed — try {size_label}={4 * size}"
            )
        else:
            lines.append(
                f"NOT converged at {size_label}={size}: {len(bad)} of {len(judged)} indices fail "
                f"({names}{more}); more samples are needed — "
                + "; ".join(todo or [f"try {size_label}={4 * size}"])
            )
    for k in ("ST", "mu_star", "median", "delta", "dgsm", "S1"):
        group = negligible_group(v, k)
        if group and k in set(v["index"]):
            lines.append(
                f"negligible together ({k}, ≤ 5 % of the total): {len(group)} of "
                f"{int((v['index'] == k).sum())} — "
                + ", ".join(group[:8])
                + (f" and {len(group) - 8} more" if len(group) > 8 else "")
            )
            break
    if "seed_exceeds_ci" in v:
        exceed = v[v["seed_exceeds_ci"].fillna(False).astype(bool) & v["index"].isin(RANKED)]
        if not exceed.empty:
            r = exceed.sort_values("value", ascending=False).iloc[0]
            lines.append(
                f"warning: for {len(exceed)} {'index' if len(exceed) == 1 else 'indices'} the spread across the {replications} seeds "
                f"exceeds the row-bootstrap CI of a single-seed study (e.g. {r['index']}"
                f"({r['parameter']}): seed SD {r['seed_sd']:.2g}); the CIs here include it"
            )
    lines += [f"warning: {w}" for w in warnings]
    return "\n  ".join(lines)
