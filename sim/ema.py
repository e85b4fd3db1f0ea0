"""EMA Workbench adapter: govsim as an EMA `ReplicatorModel` over `sim.run`.

EMA Workbench (2.5) treats a model as a callable `f(**uncertainties) -> {outcome: value}`.
`ema_model` builds one whose uncertainties come from the parameter schema (same names and
plausible ranges as `govsim params` and the sensitivity specs), whose replications are the
seeds derived from a master seed (EMA passes each as the `seed` keyword), and whose outcomes are
scalar summaries of yearly columns, averaged over the replications.

    from ema_workbench import perform_experiments
    from sim.ema import ema_model
    model = ema_model("bum", ["inspection.share_of_volume", "trust_dynamics.build_rate"],
                      outcomes=[("admin_overhead_share", "mean")], replications=3)
    experiments, outcomes = perform_experiments(model, scenarios=50)

Scenario discovery on the results: `prim_region(experiments, y)` runs EMA Workbench's PRIM
on the points where `y` is true and picks a box without a human (`govsim robust` uses it);
`prim_ready` casts whole-number columns to float first, because EMA 2.5's PRIM fails on int64
columns (``TypeError: Invalid value '4.5' for dtype 'int64'``) — every ``IntegerParameter``
gives one.

Requires `pip install ema_workbench` (the `ema` extra of govsim).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import GovsimError
from sim.overrides import apply_overrides
from sim.params import resolve_range, schema_index
from sim.runner import run
from sim.scenario import Scenario, load_scenario
from sim.seeds import derive_seeds
from sim.sensitivity.spec import OUTCOME_COLUMNS


def outcome_name(column: str, summary: str) -> str:
    return f"{summary}_{column}"


@dataclass(frozen=True)
class GovsimFunction:
    """The callable EMA runs once per (experiment, replication). A class, not a closure, so that
    EMA's multiprocessing evaluator can pickle it."""

    scenario: Scenario
    years: int | None
    outcomes: tuple[tuple[str, str], ...]

    def __call__(self, seed: int, **params: Any) -> dict[str, float]:
        sc = apply_overrides(self.scenario, params, source="EMA experiment")
        yearly = run(sc, seed=int(seed), years=self.years).yearly
        out = {}
        for column, summary in self.outcomes:
            col = yearly[column]
            out[outcome_name(column, summary)] = float(
                col.mean() if summary == "mean" else col.iloc[-1]
            )
        return out


def ema_model(
    scenario: str | Scenario = "bum",
    parameters: Sequence[str] | None = None,
    *,
    outcomes: Sequence[tuple[str, str]] = (("admin_overhead_share", "mean"),),
    replications: int = 1,
    master_seed: int = 20110401,
    years: int | None = None,
    name: str = "govsim",
) -> Any:
    """An EMA Workbench ReplicatorModel for one scenario.

    Args:
        scenario: preset name, YAML path or Scenario.
        parameters: schema names to treat as uncertainties (default: every sampleable parameter
            the scenario uses); ranges are the schema's plausible ranges.
        outcomes: (yearly column, "mean" | "final") pairs; EMA reports their mean over replications.
        replications: seeded replications per experiment, seeds derived from `master_seed`.
        years: run length (default: the scenario's).
    """
    try:
        from ema_workbench import IntegerParameter, RealParameter, ReplicatorModel, ScalarOutcome
    except ImportError:
        raise GovsimError("EMA Workbench is not installed: pip install ema_workbench") from None

    sc = load_scenario(scenario)
    index = schema_index()
    names = (
        list(parameters)
        if parameters is not None
        else [
            p.name
            for p in index.values()
            if p.low is not None and p.kind in ("int", "float") and sc.uses_parameter(p.name)
        ]
    )
    uncertainties = []
    for n in names:
        r = resolve_range(n, where="EMA model")
        if not sc.uses_parameter(n):
            raise GovsimError(
                f"EMA model: parameter {n!r} belongs to a rule scenario {sc.name!r} does not use"
            )
        # EMA's IntegerParameter is inclusive at both ends, as Range is
        uncertainties.append(
            IntegerParameter(n, int(r.low), int(r.high))
            if r.kind == "int"
            else RealParameter(n, r.low, r.high)
        )
    for column, summary in outcomes:
        if column not in OUTCOME_COLUMNS or summary not in ("mean", "final"):
            raise GovsimError(
                f"EMA model: outcome ({column!r}, {summary!r}) is unknown; columns: "
                f"{', '.join(OUTCOME_COLUMNS)}; summaries: mean, final"
            )
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise GovsimError(
            f"EMA model: replications has value {replications!r}: it must be a whole number ≥ 1"
        )

    model = ReplicatorModel(name, function=GovsimFunction(sc, years, tuple(outcomes)))
    model.uncertainties = uncertainties
    model.outcomes = [ScalarOutcome(outcome_name(c, s), function=np.mean) for c, s in outcomes]
    model.replications = [{"seed": s} for s in derive_seeds(master_seed, replications)]
    return model


# ---------------------------------------------------------------- scenario discovery (PRIM)

#: columns EMA's ``perform_experiments`` adds to the experiments frame that are not uncertainties
EMA_ID_COLUMNS = ("scenario", "policy", "model")


def prim_ready(x: Any) -> Any:
    """The experiments frame as EMA Workbench's PRIM can peel it: identifier columns dropped and
    every whole-number (or boolean) column cast to float.

    EMA Workbench 2.5's PRIM peels and pastes an integer dimension at a midpoint between two whole
    values (4.5) and writes it back into the box limits, which keep the column's dtype: on an
    int64 column that fails (``TypeError: Invalid value '4.5' for dtype 'int64'``). An
    ``IntegerParameter`` of ``ema_model`` (``municipality.contractors``, …) gives such a column,
    and so does a robustness draw of a whole-number parameter; as floats, the limits stay
    midpoints (``≤ 4.5`` reads ``≤ 4``)."""
    import pandas as pd

    x = x.drop(columns=[c for c in EMA_ID_COLUMNS if c in x.columns]).reset_index(drop=True)
    cast = {
        c: float
        for c in x.columns
        if pd.api.types.is_integer_dtype(x[c]) or pd.api.types.is_bool_dtype(x[c])
    }
    return x.astype(cast) if cast else x


@dataclass(frozen=True)
class Restriction:
    """One restricted dimension of a PRIM box: the box keeps `low` ≤ value ≤ `high` (None = that
    side unrestricted) out of the sampled [`min`, `max`]; `qp` is PRIM's quasi-p value (Bryant &
    Lempert 2010: a one-sided binomial test of the restriction; the smaller of the two sides)."""

    name: str
    low: float | None
    high: float | None
    min: float
    max: float
    qp: float
    whole: bool = False  # a whole-number parameter: limits are midpoints between whole values

    def text(self) -> str:
        def show(v: float, up: bool) -> str:
            if self.whole:
                return f"{math.floor(v) if up else math.ceil(v):d}"
            return f"{v:.3g}"

        if self.low is not None and self.high is not None:
            core = f"{show(self.low, False)} ≤ {self.name} ≤ {show(self.high, True)}"
        elif self.low is not None:
            core = f"{self.name} ≥ {show(self.low, False)}"
        else:
            core = f"{self.name} ≤ {show(self.high, True)}"
        return f"{core} (sampled {show(self.min, False)}–{show(self.max, True)})"


@dataclass(frozen=True)
class PrimRegion:
    """A box PRIM found: its share of all cases of interest (`coverage`), the share of its points
    that are cases of interest (`density`), its share of all points (`mass`), its point count
    `n` and cases of interest `k`, and its restrictions."""

    coverage: float
    density: float
    mass: float
    n: int
    k: int
    restrictions: tuple[Restriction, ...]

    def text(self) -> str:
        return " and ".join(r.text() for r in self.restrictions)


def prim_region(
    x: Any,
    y: Any,
    *,
    density: float = 0.8,
    max_dims: int = 3,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    qp_max: float = 0.05,
    preselect: int | None = None,
    random_state: int = 0,
) -> PrimRegion | None:
    """The first PRIM box (EMA Workbench) of the points where `y` is true, chosen on its peeling
    trajectory without a human: among the boxes restricting 1 … `max_dims` parameters, the one of
    highest coverage whose density reaches `density`; if none does, the one of highest density
    (ties: the higher coverage). Restrictions whose quasi-p value exceeds `qp_max` are then
    dropped one at a time, the weakest first (EMA's ``drop_restriction``), while more than one is
    left. None when no box restricts anything.

    With `preselect`, PRIM peels only the `preselect` columns that EMA's extra-trees feature
    scoring (``get_ex_feature_scores``, seeded with `random_state`) ranks highest for `y` — the
    workbench's usual first step with many uncertainties, so that PRIM does not spend its
    restrictions on parameters that do not matter.

    `x` may hold whole-number columns (see `prim_ready`); `y` is one boolean per row."""
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's import warns about optional parallel back ends
        from ema_workbench.analysis import prim
        from ema_workbench.analysis import scenario_discovery_util as sdu

    whole = {c for c in x.columns if pd.api.types.is_integer_dtype(x[c])}
    xf = prim_ready(x)
    y = np.asarray(y, dtype=bool)
    if not y.any() or y.all():
        return None
    # in binary mode `threshold` is what counts as a case of interest (y ≥ threshold) and the
    # least mean a final box must reach (else PRIM returns a dump box): any true, any box
    if preselect is not None and preselect < xf.shape[1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring as fs

            scores = fs.get_ex_feature_scores(
                xf, y, mode=fs.RuleInductionType.CLASSIFICATION, random_state=random_state
            )[0].iloc[:, 0]
        ranked = sorted(xf.columns, key=lambda c: (-float(scores[c]), c))
        xf = xf[ranked[:preselect]]
    with warnings.catch_warnings():  # EMA 2.5 uses pandas' deprecated drop(inplace=True)
        warnings.simplefilter("ignore")
        alg = prim.Prim(xf, y, threshold=0.5 / len(y), peel_alpha=peel_alpha, mass_min=mass_min)
        box = alg.find_box()
    traj = box.peeling_trajectory
    cand = traj[(traj["res_dim"] >= 1) & (traj["res_dim"] <= max_dims)]
    if cand.empty:
        return None
    dense = cand[cand["density"] >= density]
    if len(dense):
        pick = dense.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0]
    else:
        pick = cand.sort_values(["density", "coverage"], ascending=False, kind="stable").index[0]
    i = int(pick)
    init = alg.box_init
    # drop restrictions PRIM cannot tell from chance (quasi-p > qp_max), the weakest first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while True:
            dims = list(sdu._determine_restricted_dims(box.box_lims[i], init))
            qp = {d: _qp(v) for d, v in box._calculate_quasi_p(i, dims).items()}
            weak = [d for d in dims if not qp[d] <= qp_max]
            if not weak or len(dims) == 1:
                break
            box.drop_restriction(max(weak, key=lambda d: (qp[d], d)), i)
            i = len(box.peeling_trajectory) - 1
    lims = box.box_lims[i]
    restrictions = []
    for d in dims:
        lo, hi = float(lims.loc[0, d]), float(lims.loc[1, d])
        mn, mx = float(init.loc[0, d]), float(init.loc[1, d])
        restrictions.append(
            Restriction(
                name=str(d),
                low=lo if lo > mn else None,
                high=hi if hi < mx else None,
                min=mn,
                max=mx,
                qp=qp[d],
                whole=d in whole,
            )
        )
    traj = box.peeling_trajectory
    row = traj.loc[i]
    return PrimRegion(
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
        n=int(row["n"]),
        k=int(row["k"]),
        restrictions=tuple(restrictions),
    )


def _qp(sides: Any) -> float:
    """The quasi-p value of a restriction: the smaller of its two sides (−1 = side not restricted)."""
    vals = [float(v) for v in sides if v is not None and np.isfinite(v) and v >= 0]
    return min(vals) if vals else float("nan")
