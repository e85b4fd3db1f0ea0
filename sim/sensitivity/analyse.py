"""Sampling and analysis per method — thin wrappers over SALib, one small class per method.

Every method returns its indices as one tidy table (parameter, index, value, conf, lo, hi), so
the convergence check, the files and the figures treat Sobol, Morris, eFAST and PAWN alike.
`conf` is SALib's bootstrap half-width at the spec's confidence level (NaN where SALib gives none).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import fast as fast_analyze
from SALib.analyze import morris as morris_analyze
from SALib.analyze import pawn as pawn_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import fast_sampler, latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.seeds import derive_seeds
from sim.sensitivity.spec import FastSettings, MorrisSettings, PawnSettings, SobolSettings

INDEX_COLUMNS = ("parameter", "interaction", "index", "value", "conf", "lo", "hi")


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


def _table(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["lo"] = df["value"] - df["conf"]
    df["hi"] = df["value"] + df["conf"]
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
        names = problem["names"]
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
        return _table(rows)


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
            + _rows(names, "mu", si["mu"])
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
            + _rows(names, "ST", si["ST"], si["ST_conf"])
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


_METHODS: dict[type, type[Method]] = {
    SobolSettings: Sobol,
    MorrisSettings: Morris,
    FastSettings: Fast,
    PawnSettings: Pawn,
}


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
        return probe.assign(value=0.0, conf=0.0, lo=0.0, hi=0.0)
    return method.analyse(problem, X, Y, seed)
