"""The SALib problem, built from the parameter schema (names, ranges, kinds are never written twice).

Parameters are ``sim.params.Range`` objects (``resolve_range``): whole-number parameters
(contractors, contract years, …) are sampled on ``Range.sample_bounds()`` = [low, high + 1) and
floored by ``Range.value``, so each whole value from low to high is equally likely; SALib still
sees the continuous coordinate, which keeps its estimators (and Morris' step sizes) unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from sim.errors import GovsimError
from sim.overrides import apply_overrides
from sim.scenario import Scenario


def check_param_range(p: Any, scenarios: Iterable[Scenario], source: str) -> None:
    """Both ends of a sampled range must be valid values (the schema's hard bounds) in every
    scenario; a population's are its municipalities' scenarios (``Population.scenarios``)."""
    from sim.population.spec import FILE_PREFIX, Population

    if p.name.startswith(FILE_PREFIX):  # a key of a population file: sensitivity.spec._file_key
        return
    scenarios = [
        s for sc in scenarios for s in (sc.scenarios() if isinstance(sc, Population) else [sc])
    ]
    for sc in scenarios:
        if not sc.uses_parameter(p.name):
            continue
        ends: tuple[float, ...] = (p.low, p.high)
        if getattr(p, "dist", "unif") in ("norm", "lognorm"):
            # an open or unbounded support, checked against the hard bounds (spec._distribution):
            # here its median stands for it
            mid = p.args[0]
            ends = (mid if p.dist == "norm" else float(np.exp(mid)),)
        for end in ends:
            value = int(end) if p.kind == "int" else end
            try:
                apply_overrides(sc, {p.name: value}, f"scenario {sc.name!r}")
            except GovsimError as e:
                raise GovsimError(
                    f"{source}: key 'parameters.{p.name}' has range [{p.low:g}, {p.high:g}], "
                    f"but {value:g} is not a valid value: {e.message}"
                ) from None


def salib_problem(params: Sequence[Any], groups: Sequence[str] | None = None) -> dict[str, Any]:
    """SALib's problem dict; whole-number parameters get the half-open [low, high + 1).

    A non-uniform input (``Param.dist``) adds SALib's ``dists`` and its distribution's bounds
    (triang [low, high, peak fraction], truncnorm [low, high, mean, sd], norm [mean, sd],
    lognorm [mu, sigma]).

    `groups` (one group name per parameter) makes SALib's Sobol' compute indices per group.
    The dict is saved as run (``problem.json``), so SALib can be called on it directly.
    """
    problem: dict[str, Any] = {
        "num_vars": len(params),
        "names": [p.name for p in params],
        "bounds": [_bounds(p) for p in params],
    }
    dists = [getattr(p, "dist", "unif") for p in params]
    if any(d != "unif" for d in dists):  # SALib maps the unit cube through each quantile function
        problem["dists"] = dists
    if groups:
        problem["groups"] = list(groups)
    return problem


def _bounds(p: Any) -> list[float]:
    return p.salib_bounds() if hasattr(p, "salib_bounds") else list(p.sample_bounds())


def to_values(params: Sequence[Any], row: np.ndarray) -> dict[str, float | int]:
    """One sample row → {parameter name: model value} (whole numbers floored and kept in range)."""
    return {p.name: p.value(x) for p, x in zip(params, row, strict=True)}


def overrides_for(values: dict[str, Any], sc: Scenario) -> tuple[tuple[str, Any], ...]:
    """The part of a sample point that exists in scenario `sc` (rule parameters of rules it lacks are dropped:
    they cannot affect it, and `apply_overrides` rightly refuses them)."""
    return tuple((k, v) for k, v in values.items() if sc.uses_parameter(k))
