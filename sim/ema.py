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

Requires `pip install ema_workbench` (the `ema` extra of govsim).
"""

from __future__ import annotations

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
