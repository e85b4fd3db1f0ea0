"""Sensitivity specs: one YAML file in `experiments/` says what varies, what is measured and how.

A spec is checked completely before any run (unknown keys, parameter names, ranges, outcome
columns, method settings), so a typo costs one message, not an hour of simulation.

```yaml
name: sobol_overhead
years: 20
parameters:                          # or: parameters: all   (every sampleable parameter)
  inspection.share_of_volume:        # empty → the schema's plausible range (`govsim params`)
  trust_dynamics.build_rate: [0.05, 0.4]   # or an explicit [low, high]
outcomes:
  - column: admin_overhead_share     # any numeric column of the yearly table
    summary: mean                    # mean (over the run) | final (final year)
    scenario: bum                    # a preset name or a scenario YAML (relative to this file)
    minus: hod                       # optional: difference from another scenario on the same seed
method: {name: sobol, N: 256, second_order: false}
replications: 2
seed: 20110401
```
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from sim.errors import GovsimError, describe_validation_errors
from sim.outputs import outcome_columns
from sim.params import NumbersModel, Range, resolve_range, schema, schema_index
from sim.scenario import load_scenario, read_yaml

#: the numeric yearly columns a spec may summarise (from the output registry, ``govsim outputs``).
OUTCOME_COLUMNS = outcome_columns("yearly")


class _Strict(NumbersModel):  # no .inf/.nan, no boolean as a number
    model_config = ConfigDict(extra="forbid", frozen=True)


class SobolSettings(_Strict):
    """Saltelli/Sobol' design: N base points → N·(D+2) runs, or N·(2D+2) with second order."""

    name: Literal["sobol"]
    N: int = Field(gt=0)
    second_order: bool = False
    num_resamples: int = Field(100, ge=10)
    conf_level: float = Field(0.95, gt=0, lt=1)

    @field_validator("N")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        # SALib/scipy warn that the Sobol' sequence keeps its balance only for N = 2^m; the
        # convergence check also needs the nested prefixes N/8, N/4, N/2 — so this is an error.
        if n < 8 or n & (n - 1) != 0:
            below = 1 << max(3, n.bit_length() - 1)
            raise ValueError(
                f"N must be a power of two ≥ 8 (Sobol' sequences are balanced only "
                f"for N = 2^m, and the convergence check uses N/8); try {below} or {below * 2}"
            )
        return n


class MorrisSettings(_Strict):
    """Morris elementary effects: `trajectories` · (D+1) runs."""

    name: Literal["morris"]
    trajectories: int = Field(gt=1)
    num_levels: int = Field(4, ge=2)
    optimal_trajectories: int | None = Field(None, gt=1)
    num_resamples: int = Field(1000, ge=10)
    conf_level: float = Field(0.95, gt=0, lt=1)


class FastSettings(_Strict):
    """Extended FAST: N · D runs; N must exceed 4·M² (SALib's requirement)."""

    name: Literal["fast"]
    N: int = Field(gt=0)
    M: int = Field(4, ge=1)
    num_resamples: int = Field(100, ge=10)
    conf_level: float = Field(0.95, gt=0, lt=1)


class PawnSettings(_Strict):
    """PAWN (moment-independent, CDF-based) on a Latin hypercube of N points."""

    name: Literal["pawn"]
    N: int = Field(gt=0)
    slices: int = Field(10, ge=2)


MethodSettings = Annotated[
    SobolSettings | MorrisSettings | FastSettings | PawnSettings, Field(discriminator="name")
]


class OutcomeSpec(_Strict):
    """A scalar summary of one yearly column in one scenario (optionally minus another on the same seed)."""

    column: str
    summary: Literal["mean", "final"] = "mean"
    scenario: str | list[str]
    minus: str | None = None
    name: str | None = None

    @field_validator("column")
    @classmethod
    def _known_column(cls, c: str) -> str:
        if c not in OUTCOME_COLUMNS:
            raise ValueError(
                f"unknown outcome column {c!r}; allowed are the numeric yearly columns: "
                + ", ".join(OUTCOME_COLUMNS)
            )
        return c


class SpecFile(_Strict):
    """The YAML file as written (before expansion)."""

    name: str
    description: str = ""
    years: int | None = Field(None, ge=1, le=200)
    parameters: (
        Any  # 'all' or {name: null | [low, high]}; checked in _select_params for clear messages
    )
    exclude: list[str] = []
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    method: MethodSettings
    replications: int = Field(1, ge=1)
    seed: int = Field(20110401, ge=0)


class Outcome(_Strict):
    """One expanded outcome: a unique name, one scenario label and optionally the one subtracted."""

    name: str
    column: str
    summary: Literal["mean", "final"]
    scenario: str
    minus: str | None = None


#: one varied parameter with the range actually sampled (``sim.params.Range``, which documents
#: the one treatment of whole numbers).
Param = Range


class SensitivitySpec(_Strict):
    """A validated, expanded spec: everything the pipeline needs, nothing left to resolve."""

    name: str
    description: str
    years: int | None
    params: tuple[Param, ...]
    outcomes: tuple[Outcome, ...]
    scenarios: tuple[tuple[str, str], ...]  # (label, reference given to `run`)
    method: MethodSettings
    replications: int
    seed: int
    source: str
    #: ``govsim sensitivity --set`` items: held fixed in every run of a scenario that uses them
    fixed: tuple[tuple[str, Any], ...] = ()


def with_fixed(
    spec: SensitivitySpec, sets: dict[str, Any], option: str = "--set"
) -> SensitivitySpec:
    """`sets` held fixed in every run of the study (``govsim sensitivity --set``): a name the study
    samples is an error (which would win?), so is one that none of its scenarios uses; each
    value is validated against every scenario that uses it, before any run."""
    from sim.overrides import apply_set, show

    if not sets:
        return spec
    sampled = {p.name for p in spec.params}
    loaded = {label: load_scenario(ref) for label, ref in spec.scenarios}
    for name, value in sets.items():
        item = f"{option} {name}={show(value)}"
        if name in sampled:
            raise GovsimError(
                f"{item}: the study samples {name!r} (key 'parameters' of {spec.source}); "
                "fix it on the command line or sample it, not both"
            )
        if name not in schema_index():
            raise GovsimError(
                f"{item}: unknown parameter {name!r}; see `govsim params` for the names"
            )
        users = [sc for sc in loaded.values() if sc.uses_parameter(name)]
        if not users:
            raise GovsimError(
                f"{item}: parameter {name!r} belongs to rule {name.split('.', 1)[0]!r}, which "
                f"none of the study's scenarios ({', '.join(loaded)}) uses"
            )
        for sc in users:
            apply_set(sc, {name: value}, source=option)
    return spec.model_copy(update={"fixed": tuple(sets.items())})


def load_spec(path: str | Path) -> SensitivitySpec:
    """Read and validate a spec file; every problem raises GovsimError naming file, key and value."""
    path = Path(path)
    data = read_yaml(path)
    return spec_from_dict(data, str(path), base=path.parent)


def spec_from_dict(data: Any, source: str = "<spec>", base: Path | None = None) -> SensitivitySpec:
    """Validate a spec mapping (as read from YAML). `base` resolves relative scenario paths."""
    from sim.sensitivity.problem import check_param_range

    if not isinstance(data, dict):
        raise GovsimError(
            f"{source}: a sensitivity spec must be a mapping (name, parameters, outcomes, "
            f"method, …), got {type(data).__name__}"
        )
    try:
        raw = SpecFile.model_validate(data)
    except ValidationError as e:
        raise GovsimError(_format_errors(source, e)) from None

    scenarios = _resolve_scenarios(raw.outcomes, source, base)
    outcomes = _expand_outcomes(raw.outcomes, source)
    loaded = {label: load_scenario(ref) for label, ref in scenarios.items()}
    params = _select_params(raw, loaded, source)
    for p in params:
        users = [sc for sc in loaded.values() if sc.uses_parameter(p.name)]
        check_param_range(p, users, source)
    _check_method(raw.method, len(params), source)
    return SensitivitySpec(
        name=raw.name,
        description=raw.description,
        years=raw.years,
        params=tuple(params),
        outcomes=tuple(outcomes),
        scenarios=tuple(scenarios.items()),
        method=raw.method,
        replications=raw.replications,
        seed=raw.seed,
        source=source,
    )


METHODS = {
    "sobol": SobolSettings,
    "morris": MorrisSettings,
    "fast": FastSettings,
    "pawn": PawnSettings,
}


def _allowed(loc: tuple) -> list[str]:
    """The keys allowed where an unknown key was found (top level, an outcome or the method)."""
    if len(loc) == 1:
        return list(SpecFile.model_fields)
    if loc[0] == "outcomes":
        return list(OutcomeSpec.model_fields)
    if loc[0] == "method" and len(loc) == 3 and loc[1] in METHODS:
        return list(METHODS[loc[1]].model_fields)
    return []


def _key(loc: tuple) -> str:
    # unions (range or null, method by name) name their member in the location: leave it out
    kept = tuple(x for x in loc if not (isinstance(x, str) and ("[" in x or x in METHODS)))
    return ".".join(f"[{x}]" if isinstance(x, int) else str(x) for x in kept).replace(".[", "[")


def _allowed_here(loc: tuple) -> list[str]:
    return _allowed(
        tuple(x for x in loc if not (isinstance(x, str) and ("[" in x or x in METHODS)))
    )


def _unknown_method(key: str, inp: Any) -> str:
    tag = inp.get("name") if isinstance(inp, dict) else inp
    return f"key '{key}.name' has value {tag!r}: allowed methods are " + ", ".join(METHODS)


def _format_errors(source: str, exc: ValidationError) -> str:
    """pydantic's errors → one line per offending key, naming file, key, value and what is allowed."""
    return describe_validation_errors(
        source, exc, key=_key, allowed=_allowed_here, unknown_tag=_unknown_method
    )


def _scenario_label(ref: str) -> str:
    return Path(ref).stem if ref.lower().endswith((".yaml", ".yml")) else ref


def _resolve_scenarios(
    outcomes: list[OutcomeSpec], source: str, base: Path | None
) -> dict[str, str]:
    """Scenario label → reference for `run` (YAML paths made absolute against the spec's folder)."""
    refs: dict[str, str] = {}
    for i, o in enumerate(outcomes):
        names = [o.scenario] if isinstance(o.scenario, str) else list(o.scenario)
        if not names:
            raise GovsimError(
                f"{source}: key 'outcomes[{i}].scenario' is an empty list; name at least one scenario"
            )
        for ref in names + ([o.minus] if o.minus is not None else []):
            resolved = ref
            if (
                ref.lower().endswith((".yaml", ".yml"))
                and base is not None
                and not Path(ref).is_absolute()
            ):
                resolved = str((base / ref).resolve())
            label = _scenario_label(ref)
            if refs.get(label, resolved) != resolved:
                raise GovsimError(f"{source}: two different scenarios are both called {label!r}")
            try:
                load_scenario(resolved)
            except GovsimError as e:
                raise GovsimError(
                    f"{source}: key 'outcomes[{i}]' names scenario {ref!r}: {e.message}"
                ) from None
            refs[label] = resolved
    return refs


def _expand_outcomes(outcomes: list[OutcomeSpec], source: str) -> list[Outcome]:
    out: list[Outcome] = []
    for i, o in enumerate(outcomes):
        names = [o.scenario] if isinstance(o.scenario, str) else list(o.scenario)
        for ref in names:
            label = _scenario_label(ref)
            minus = None if o.minus is None else _scenario_label(o.minus)
            if minus == label:
                raise GovsimError(
                    f"{source}: key 'outcomes[{i}].minus' has value {o.minus!r}: "
                    "a scenario minus itself is always 0"
                )
            auto = f"{label}{'-' + minus if minus else ''}:{o.column}:{o.summary}"
            name = auto if o.name is None or len(names) > 1 else o.name
            if o.name is not None and len(names) > 1:
                name = f"{o.name}@{label}"
            out.append(
                Outcome(name=name, column=o.column, summary=o.summary, scenario=label, minus=minus)
            )
    seen: set[str] = set()
    for o in out:
        if o.name in seen:
            raise GovsimError(
                f"{source}: outcome {o.name!r} is listed twice; give each a distinct 'name'"
            )
        seen.add(o.name)
    return out


def _select_params(raw: SpecFile, loaded: dict, source: str) -> list[Range]:
    index = schema_index()
    for name in raw.exclude:
        if name not in index:
            raise GovsimError(
                f"{source}: key 'exclude' names unknown parameter {name!r}; "
                "see `govsim params` for the names"
            )
    chosen: list[Range] = []
    if (
        isinstance(raw.parameters, str)
        and raw.parameters != "all"
        or not isinstance(raw.parameters, str | dict)
    ):
        raise GovsimError(
            f"{source}: key 'parameters' has value {raw.parameters!r}: give 'all' or a mapping "
            "of parameter names to null (the schema's range) or [low, high]"
        )
    if raw.parameters == "all":
        for p in schema():
            if p.low is None or p.name in raw.exclude or p.kind not in ("float", "int"):
                continue
            if any(sc.uses_parameter(p.name) for sc in loaded.values()):
                chosen.append(resolve_range(p.name, where=f"{source}: key 'parameters'"))
        if not chosen:
            raise GovsimError(
                f"{source}: key 'parameters' is 'all' but no sampleable parameter is left"
            )
        return chosen
    if not raw.parameters:
        raise GovsimError(
            f"{source}: key 'parameters' is empty; name at least one parameter or write 'all'"
        )
    for name, rng in raw.parameters.items():
        if name not in index:
            raise GovsimError(
                f"{source}: key 'parameters' names unknown parameter {name!r}; "
                "see `govsim params` for the names"
            )
        if name in raw.exclude:
            continue
        if rng is not None and not (
            isinstance(rng, list | tuple)
            and len(rng) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
        ):
            raise GovsimError(
                f"{source}: key 'parameters.{name}' has value {rng!r}: give null (the schema's "
                "plausible range) or [low, high]"
            )
        low, high = (None, None) if rng is None else rng
        if rng is not None and math.isfinite(low) and math.isfinite(high) and low >= high:
            raise GovsimError(
                f"{source}: key 'parameters.{name}' has range [{low:g}, {high:g}]: "
                "low must be smaller than high (a sensitivity analysis needs the parameter to vary)"
            )
        r = resolve_range(name, low, high, where=f"{source}: key 'parameters.{name}'")
        if not any(sc.uses_parameter(name) for sc in loaded.values()):
            rule = name.split(".", 1)[0]
            raise GovsimError(
                f"{source}: parameter {name!r} belongs to rule {rule!r}, which none of the "
                f"scenarios ({', '.join(loaded)}) uses"
            )
        chosen.append(r)
    return chosen


def _check_method(m: Any, d: int, source: str) -> None:
    if isinstance(m, FastSettings) and m.N <= 4 * m.M**2:
        raise GovsimError(
            f"{source}: key 'method.N' has value {m.N}: eFAST needs N > 4·M² = {4 * m.M**2}"
        )
    if (
        isinstance(m, MorrisSettings)
        and m.optimal_trajectories is not None
        and m.optimal_trajectories >= m.trajectories
    ):
        raise GovsimError(
            f"{source}: key 'method.optimal_trajectories' has value {m.optimal_trajectories}: "
            f"it must be smaller than 'trajectories' ({m.trajectories})"
        )
    if d < 2 and not isinstance(m, PawnSettings):
        raise GovsimError(f"{source}: key 'parameters': vary at least two parameters for {m.name}")
