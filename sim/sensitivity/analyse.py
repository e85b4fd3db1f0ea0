"""Sampling and analysis per method — thin wrappers over SALib, one small class per method.

Every method returns its indices as one tidy table (parameter, interaction, index, value, conf,
lo, hi, se_rows), so the convergence check, the files and the figures treat every method alike.
`conf` is SALib's bootstrap half-width at the spec's confidence level (NaN where SALib gives
none); every SALib method computes it as z · SD of its bootstrap replicates, so
`se_rows` = conf / z is the bootstrap standard error over the sample rows, whatever the level.

`lo` and `hi` are value ∓ conf cut to the range the index can take (`BOUNDS`: Sobol-type indices
in [0, 1], μ*, σ and DGSM ≥ 0): a symmetric normal interval would otherwise reach below zero for
a quantity that cannot be negative. The value itself is SALib's estimate, never clipped.

`with_seed_error` adds the seed-conditional error (docs/sensitivity.md, "Seeds and seed noise"):
the indices are recomputed on each replication alone (same design, one seed each); their spread
is the error a different seed set would make, which SALib's row bootstrap cannot see.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import delta as delta_analyze
from SALib.analyze import dgsm as dgsm_analyze
from SALib.analyze import fast as fast_analyze
from SALib.analyze import morris as morris_analyze
from SALib.analyze import pawn as pawn_analyze
from SALib.analyze import rbd_fast as rbd_fast_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import fast_sampler, finite_diff, latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.stats import norm

from sim.seeds import derive_seeds
from sim.sensitivity.spec import (
    DeltaSettings,
    DgsmSettings,
    FastSettings,
    MorrisSettings,
    PawnSettings,
    RbdFastSettings,
    SobolSettings,
)

INDEX_COLUMNS = ("parameter", "interaction", "index", "value", "conf", "lo", "hi", "se_rows")
#: the columns `with_seed_error` adds
SEED_COLUMNS = ("seed_sd", "se", "seed_exceeds_ci")

#: the range each index can take (its CI is cut to it); unlisted indices are unbounded
BOUNDS: dict[str, tuple[float, float]] = {
    "S1": (0.0, 1.0),
    "ST": (0.0, 1.0),
    "S2": (0.0, 1.0),
    "mu_star": (0.0, np.inf),
    "sigma": (0.0, np.inf),
    "median": (0.0, 1.0),
    "maximum": (0.0, 1.0),
    "delta": (0.0, 1.0),
    "delta_balanced": (0.0, 1.0),
    "vi": (0.0, np.inf),
    "dgsm": (0.0, np.inf),
}


#: per method: the index that orders parameters by importance, and the indices a summary shows
MAIN_INDEX = {
    "sobol": "ST",
    "fast": "ST",
    "morris": "mu_star",
    "pawn": "median",
    "delta": "delta",
    "rbd_fast": "S1",
    "dgsm": "dgsm",
}
SHOWN_INDICES = {
    "sobol": ("S1", "ST"),
    "fast": ("S1", "ST"),
    "morris": ("mu_star", "sigma"),
    "pawn": ("median", "maximum"),
    "delta": ("delta", "S1"),
    "rbd_fast": ("S1",),
    "dgsm": ("dgsm", "vi"),
}
#: what an index measures, for axis labels ("outcome" is replaced by the outcome's unit)
INDEX_UNITS = {
    "S1": "share of output variance",
    "ST": "share of output variance",
    "S2": "share of output variance",
    "median": "KS distance, 0–1",
    "maximum": "KS distance, 0–1",
    "delta": "0–1",
    "delta_balanced": "0–1",
    "mu_star": "outcome",
    "sigma": "outcome",
    "mu": "outcome",
    "dgsm": "upper bound of ST",
    "vi": "(outcome per parameter unit)²",
}


def z_value(conf_level: float) -> float:
    """The normal quantile SALib multiplies its bootstrap SD by (``norm.ppf(0.5 + level / 2)``)."""
    return float(norm.ppf(0.5 + conf_level / 2))


def bounded_ci(df: pd.DataFrame, half_width: Any) -> tuple[np.ndarray, np.ndarray]:
    """value ∓ half_width, cut to each index's range (`BOUNDS`); NaN where the half-width is NaN."""
    low = df["index"].map(lambda k: BOUNDS.get(k, (-np.inf, np.inf))[0]).to_numpy(dtype=float)
    high = df["index"].map(lambda k: BOUNDS.get(k, (-np.inf, np.inf))[1]).to_numpy(dtype=float)
    v = df["value"].to_numpy(dtype=float)
    h = np.asarray(half_width, dtype=float)
    lo = np.clip(v - h, low, high)
    hi = np.clip(v + h, low, high)
    return lo, hi


def salib_seed(master_seed: int, purpose: int) -> int:
    """A seed for SALib derived from the master seed. Never 0: SALib's `if seed:` treats 0 as 'unseeded'."""
    s = derive_seeds(master_seed, 1, purpose)[0]
    return s if s != 0 else 1


def _rows(names: list[str], index: str, values: Any, confs: Any = None) -> list[dict]:
    values = np.asarray(values, dtype=float)
    confs = np.full(values.shape, np.nan) if confs is None else np.asarray(confs, dtype=float)
    return [
        {"parameter": n, "interaction": "", "index": index, "value": v, "conf": c}
        for n, v, c in zip(names, values, confs, strict=True)
    ]


def _table(rows: list[dict], conf_level: float = 0.95) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["lo"], df["hi"] = bounded_ci(df, df["conf"])
    df["se_rows"] = df["conf"] / z_value(conf_level)
    return df[list(INDEX_COLUMNS)]


@dataclass(frozen=True)
class Method:
    """One SALib method: how to sample, how to analyse, and how to take a nested smaller design."""

    settings: Any

    name = "?"
    size_label = "N"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        raise NotImplementedError

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        raise NotImplementedError

    def block_rows(self, d: int) -> int | None:
        """Rows per design unit (base point or trajectory); None when the design is not nested."""
        return None

    def size(self, n_rows: int, d: int) -> int:
        rows = self.block_rows(d)
        return n_rows if rows is None else n_rows // rows

    def subsample(
        self, X: np.ndarray, Y: np.ndarray, units: int, d: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The first `units` design units: a valid smaller design of the same method."""
        rows = self.block_rows(d)
        if rows is None:
            raise ValueError(f"{self.name} designs are not nested")
        return X[: units * rows], Y[: units * rows]


class Sobol(Method):
    name = "sobol"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        return sobol_sample.sample(
            problem,
            self.settings.N,
            calc_second_order=self.settings.second_order,
            scramble=True,
            seed=seed,
        )

    def block_rows(self, d: int) -> int:
        return 2 * d + 2 if self.settings.second_order else d + 2

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        s = self.settings
        names = unit_names(problem)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = sobol_analyze.analyze(
                problem,
                Y,
                calc_second_order=s.second_order,
                num_resamples=s.num_resamples,
                conf_level=s.conf_level,
                seed=seed,
            )
        rows = _rows(names, "S1", si["S1"], si["S1_conf"]) + _rows(
            names, "ST", si["ST"], si["ST_conf"]
        )
        if s.second_order:
            for j in range(len(names)):
                for k in range(j + 1, len(names)):
                    rows.append(
                        {
                            "parameter": names[j],
                            "interaction": names[k],
                            "index": "S2",
                            "value": si["S2"][j, k],
                            "conf": si["S2_conf"][j, k],
                        }
                    )
        return _table(rows, s.conf_level)


class Morris(Method):
    name = "morris"
    size_label = "trajectories"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        s = self.settings
        return morris_sample.sample(
            problem,
            s.trajectories,
            num_levels=s.num_levels,
            optimal_trajectories=s.optimal_trajectories,
            seed=seed,
        )

    def block_rows(self, d: int) -> int:
        return d + 1

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        s = self.settings
        si = morris_analyze.analyze(
            problem,
            X,
            Y,
            num_resamples=s.num_resamples,
            conf_level=s.conf_level,
            num_levels=s.num_levels,
            seed=seed,
        )
        names = problem["names"]
        return _table(
            _rows(names, "mu_star", si["mu_star"], si["mu_star_conf"])
            + _rows(names, "sigma", si["sigma"])
            + _rows(names, "mu", si["mu"]),
            s.conf_level,
        )


class Fast(Method):
    name = "fast"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        return fast_sampler.sample(problem, self.settings.N, M=self.settings.M, seed=seed)

    def size(self, n_rows: int, d: int) -> int:
        return n_rows // d

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        s = self.settings
        with warnings.catch_warnings():
            # SALib warns that eFAST's bootstrap CIs are indicative only (SALib #649); docs/sensitivity.md says so
            warnings.simplefilter("ignore", UserWarning)
            si = fast_analyze.analyze(
                problem, Y, M=s.M, num_resamples=s.num_resamples, conf_level=s.conf_level, seed=seed
            )
        names = problem["names"]
        return _table(
            _rows(names, "S1", si["S1"], si["S1_conf"])
            + _rows(names, "ST", si["ST"], si["ST_conf"]),
            s.conf_level,
        )


class Pawn(Method):
    name = "pawn"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        return latin.sample(problem, self.settings.N, seed=seed)

    def block_rows(self, d: int) -> int:
        return 1  # any prefix of a random Latin hypercube is a random sample

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        si = pawn_analyze.analyze(problem, X, Y, S=self.settings.slices, seed=seed)
        names = problem["names"]
        return _table(_rows(names, "median", si["median"]) + _rows(names, "maximum", si["maximum"]))


class Delta(Method):
    """Borgonovo's moment-independent δ (and the Sobol' S1 SALib estimates alongside) on a Latin hypercube."""

    name = "delta"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        return latin.sample(problem, self.settings.N, seed=seed)

    def block_rows(self, d: int) -> int:
        return 1

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        s = self.settings
        # SALib 1.6 prints its binning notes for the balanced δ; they go nowhere (docs/sensitivity.md)
        # SALib 1.6's δ resets the filter to "once" and warns its binning notes: record and drop
        with warnings.catch_warnings(record=True), contextlib.redirect_stdout(io.StringIO()):
            si = delta_analyze.analyze(
                problem,
                X,
                Y,
                num_resamples=s.num_resamples,
                conf_level=s.conf_level,
                seed=seed,
                method="all",
            )
        names = problem["names"]
        return _table(
            _rows(names, "delta", si["delta_raw"], si["delta_raw_conf"])
            + _rows(names, "delta_balanced", si["delta_balanced"], si["delta_balanced_conf"])
            + _rows(names, "S1", si["S1"], si["S1_conf"]),
            s.conf_level,
        )


class RbdFast(Method):
    """Random balance designs FAST: first-order indices from any sample (here a Latin hypercube)."""

    name = "rbd_fast"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        return latin.sample(problem, self.settings.N, seed=seed)

    def block_rows(self, d: int) -> int:
        return 1

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        s = self.settings
        si = rbd_fast_analyze.analyze(
            problem, X, Y, M=s.M, num_resamples=s.num_resamples, conf_level=s.conf_level, seed=seed
        )
        return _table(_rows(problem["names"], "S1", si["S1"], si["S1_conf"]), s.conf_level)


class Dgsm(Method):
    """Derivative-based global sensitivity measures on SALib's finite-difference design."""

    name = "dgsm"

    def sample(self, problem: dict, seed: int) -> np.ndarray:
        return finite_diff.sample(problem, self.settings.N, delta=self.settings.delta, seed=seed)

    def block_rows(self, d: int) -> int:
        return d + 1

    def analyse(self, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> pd.DataFrame:
        s = self.settings
        si = dgsm_analyze.analyze(
            problem, X, Y, num_resamples=s.num_resamples, conf_level=s.conf_level, seed=seed
        )
        names = problem["names"]
        # SALib's `dgsm_conf` is the bootstrap CI of vi (its resamples recompute vi, not dgsm);
        # dgsm = vi · (b − a)² / (π² Var Y) per parameter, so its CI is that one scaled alike
        vi = np.asarray(si["vi"], dtype=float)
        scale = np.divide(si["dgsm"], vi, out=np.zeros_like(vi), where=vi != 0)
        return _table(
            _rows(names, "dgsm", si["dgsm"], np.asarray(si["dgsm_conf"]) * scale)
            + _rows(names, "vi", vi, si["dgsm_conf"]),
            s.conf_level,
        )


_METHODS: dict[type, type[Method]] = {
    SobolSettings: Sobol,
    MorrisSettings: Morris,
    FastSettings: Fast,
    PawnSettings: Pawn,
    DeltaSettings: Delta,
    RbdFastSettings: RbdFast,
    DgsmSettings: Dgsm,
}


def unit_names(problem: dict) -> list[str]:
    """The names the indices belong to: the groups (first appearance order, as SALib) or the parameters."""
    groups = problem.get("groups")
    return list(dict.fromkeys(groups)) if groups else list(problem["names"])


def n_units(problem: dict) -> int:
    """How many indices of a kind: groups when grouped, else parameters (sets the design's block size)."""
    return len(unit_names(problem))


def method_for(settings: Any) -> Method:
    return _METHODS[type(settings)](settings)


def analyse_outcome(
    method: Method, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int
) -> pd.DataFrame:
    """Indices for one outcome vector. A constant outcome has all indices 0 (SALib would divide by 0)."""
    if not np.all(np.isfinite(Y)):
        raise ValueError("outcome has non-finite values")
    if np.ptp(Y) == 0.0:
        probe = method.analyse(problem, X, Y + np.linspace(0, 1, Y.size), seed)
        return probe.assign(value=0.0, conf=0.0, lo=0.0, hi=0.0, se_rows=0.0)
    return method.analyse(problem, X, Y, seed)


def seed_tables(
    method: Method, problem: dict, X: np.ndarray, M: np.ndarray, seed: int
) -> pd.DataFrame:
    """The indices recomputed on each replication alone (column `sa_rep`): the same design and
    bootstrap, one seed each, so their spread is seed-conditional error only."""
    return pd.concat(
        [
            analyse_outcome(method, problem, X, M[:, r], seed).assign(sa_rep=r)
            for r in range(M.shape[1])
        ],
        ignore_index=True,
    )


def with_seed_error(
    main: pd.DataFrame, per_seed: pd.DataFrame | None, replications: int, conf_level: float
) -> pd.DataFrame:
    """Add the seed-conditional error to the indices computed from the replication means.

    `seed_sd`: SD (ddof 1) of the single-replication indices (NaN with 1 replication);
    `se`: sqrt(se_rows² + seed_sd² / R), the standard error of the index from the means, whose
    seed part shrinks with the replications R, not with N;
    `seed_exceeds_ci`: the spread across seeds exceeds the row bootstrap of a single-seed study
    (seed_sd > the mean se_rows of the single-replication indices) — a CI from SALib alone would
    understate the uncertainty;
    `conf`, `lo`, `hi`: the CI at `conf_level` from `se` (cut to the index's range).
    """
    df = main.copy()
    key = ["parameter", "interaction", "index"]
    if per_seed is None or replications < 2:
        df["seed_sd"] = np.nan
        df["se"] = df["se_rows"]
        df["seed_exceeds_ci"] = pd.array([pd.NA] * len(df), dtype="boolean")
    else:
        g = per_seed.groupby(key, sort=False)
        spread = g["value"].std(ddof=1).rename("seed_sd")
        rows_se = g["se_rows"].mean().rename("seed_rows_se")
        j = df.join(spread, on=key).join(rows_se, on=key)
        df["seed_sd"] = j["seed_sd"].to_numpy()
        seed_se = df["seed_sd"] / np.sqrt(replications)
        df["se"] = np.sqrt(df["se_rows"] ** 2 + seed_se**2)
        df.loc[df["se_rows"].isna(), "se"] = (
            np.nan
        )  # a method without CI gets none from seeds alone
        exceeds = pd.array(j["seed_sd"] > j["seed_rows_se"], dtype="boolean")
        exceeds[j["seed_rows_se"].isna().to_numpy()] = pd.NA
        df["seed_exceeds_ci"] = exceeds
    df["conf"] = z_value(conf_level) * df["se"]
    df["lo"], df["hi"] = bounded_ci(df, df["conf"])
    return df
