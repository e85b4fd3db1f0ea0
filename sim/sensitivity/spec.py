"""Sensitivity specs: one YAML file in `experiments/` says what varies, what is measured and how.

A spec is checked completely before any run (unknown keys, parameter names, ranges, outcome
columns, method settings), so a typo costs one message, not an hour of simulation.

```yaml
name: sobol_overhead
years: 20
parameters:                          # or: parameters: all   (every sampleable parameter)
  inspection.share_of_volume:        # empty → the schema's plausible range (`govsim params`)
  trust_dynamics.build_rate: [0.05, 0.4]   # or an explicit [low, high]
  bureaucratic_drift.growth: {dist: triang, peak: 0.02}   # or a distribution (DISTRIBUTIONS)
outcomes:
  - column: admin_overhead_share     # any numeric column of the yearly table
    summary: mean                    # mean | final | max | min | slope (per year) | per_year
    years: [2015, 2020]              # optional: only these calendar years are summarised
    scenario: bum                    # a preset name or a scenario YAML (relative to this file)
    minus: hod                       # optional: difference from another scenario on the same seed
method: {name: sobol, N: 256, second_order: false}   # or morris, fast, pawn, delta, rbd_fast, dgsm
groups: {invoicing: [internal_invoicing.hours_per_invoice]}   # optional, sobol only
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
from sim.population.spec import FILE_PREFIX, load_case
from sim.scenario import read_yaml

#: the numeric yearly columns a spec may summarise (from the output registry, ``govsim outputs``).
OUTCOME_COLUMNS = outcome_columns("yearly")
#: the numeric national columns an outcome of a population may summarise
NATIONAL_COLUMNS = outcome_columns("national")


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


class DeltaSettings(_Strict):
    """Borgonovo's δ (moment-independent) on a Latin hypercube of N points (SALib's `delta`)."""

    name: Literal["delta"]
    N: int = Field(ge=40)
    num_resamples: int = Field(100, ge=10)
    conf_level: float = Field(0.95, gt=0, lt=1)


class RbdFastSettings(_Strict):
    """RBD-FAST first-order indices on a Latin hypercube of N points; N must exceed 2·M."""

    name: Literal["rbd_fast"]
    N: int = Field(gt=0)
    M: int = Field(10, ge=1)
    num_resamples: int = Field(100, ge=10)
    conf_level: float = Field(0.95, gt=0, lt=1)


class DgsmSettings(_Strict):
    """Derivative-based measures: N base points, each with one finite-difference step per parameter."""

    name: Literal["dgsm"]
    N: int = Field(gt=1)
    delta: float = Field(0.01, gt=0, lt=1)
    num_resamples: int = Field(100, ge=10)
    conf_level: float = Field(0.95, gt=0, lt=1)


MethodSettings = Annotated[
    SobolSettings
    | MorrisSettings
    | FastSettings
    | PawnSettings
    | DeltaSettings
    | RbdFastSettings
    | DgsmSettings,
    Field(discriminator="name"),
]


#: how a run's yearly values become one number (``per_year``: one outcome per simulated year)
SUMMARIES = ("mean", "final", "max", "min", "slope", "per_year")
Summary = Literal["mean", "final", "max", "min", "slope", "per_year"]


class OutcomeSpec(_Strict):
    """A scalar summary of one yearly column in one scenario (optionally minus another on the same seed)."""

    column: str
    summary: Summary = "mean"
    years: tuple[int, int] | None = None  # a calendar-year range [first, last] summarised
    scenario: str | list[str]
    minus: str | None = None
    name: str | None = None

    @field_validator("years")
    @classmethod
    def _ordered(cls, y: tuple[int, int] | None) -> tuple[int, int] | None:
        if y is not None and y[0] > y[1]:
            raise ValueError(f"the first year {y[0]} is after the last {y[1]}; give [first, last]")
        return y

    @field_validator("column")
    @classmethod
    def _known_column(cls, c: str) -> str:
        if c not in OUTCOME_COLUMNS and c not in NATIONAL_COLUMNS:
            raise ValueError(
                f"unknown outcome column {c!r}; allowed are the numeric yearly columns: "
                + ", ".join(OUTCOME_COLUMNS)
                + " (of a population: its national columns, `govsim outputs --table national`)"
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
    groups: dict[str, list[str]] | None = None
    sample: str | None = None  # an existing sample (CSV or Parquet) instead of sampling
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    method: MethodSettings
    replications: int = Field(1, ge=1)
    seed: int = Field(20110401, ge=0)


class Outcome(_Strict):
    """One expanded outcome: a unique name, one scenario label and optionally the one subtracted."""

    name: str
    column: str
    summary: Summary
    scenario: str
    minus: str | None = None
    years: tuple[int, int] | None = None


#: the input distributions a spec may give (SALib's ``dists``), with the keys each takes; ``low``
#: and ``high`` default to the schema's plausible range where a distribution has them
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "unif": ("low", "high"),
    "triang": ("low", "high", "peak"),
    "truncnorm": ("low", "high", "mean", "sd"),
    "norm": ("mean", "sd"),
    "lognorm": ("mu", "sigma"),
}
_REQUIRED = {
    "triang": ("peak",),
    "truncnorm": ("mean", "sd"),
    "norm": ("mean", "sd"),
    "lognorm": ("mu", "sigma"),
}


class Param(Range):
    """One varied parameter: the range it takes (``sim.params.Range``, which documents the one
    treatment of whole numbers) and its input distribution — uniform on the range unless the spec
    says otherwise. `low`/`high` are the distribution's support (±inf for ``norm``, (0, inf) for
    ``lognorm``); `args` are SALib's bounds for the distribution (docs/sensitivity.md)."""

    dist: Literal["unif", "triang", "truncnorm", "norm", "lognorm"] = "unif"
    #: triang [low, high, peak as a fraction of high − low], truncnorm [low, high, mean, sd],
    #: norm [mean, sd], lognorm [mu, sigma] (of the logarithm); empty for unif
    args: tuple[float, ...] = ()

    def salib_bounds(self) -> list[float]:
        """This parameter's entry in SALib's problem ``bounds``."""
        return list(self.sample_bounds()) if self.dist == "unif" else list(self.args)


class SensitivitySpec(_Strict):
    """A validated, expanded spec: everything the pipeline needs, nothing left to resolve."""

    name: str
    description: str
    years: int | None
    params: tuple[Param, ...]
    #: the group of each parameter (same order as params), or None: Sobol' indices per group
    groups: tuple[str, ...] | None = None
    outcomes: tuple[Outcome, ...]
    scenarios: tuple[tuple[str, str], ...]  # (label, reference given to `run`)
    method: MethodSettings
    replications: int
    seed: int
    source: str
    #: an imported sample: absolute path of a CSV/Parquet file, one column per parameter
    sample: str | None = None

    #: ``govsim sensitivity --set`` items: held fixed in every run of a scenario that uses them
    fixed: tuple[tuple[str, Any], ...] = ()


#: methods whose estimators take any sample (given-data methods): only they accept `sample`
GIVEN_DATA = ("pawn", "delta", "rbd_fast")


def with_fixed(
    spec: SensitivitySpec, sets: dict[str, Any], option: str = "--set"
) -> SensitivitySpec:
    """`sets` held fixed in every run of the study (``govsim sensitivity --set``): a name the study
    samples is an error (which would win?), so is one that none of its scenarios uses; each
    value is validated against every scenario that uses it, before any run."""
    from sim.overrides import apply_set, show

    if not sets:
        return spec
    from sim.population.spec import Population, load_population

    sampled = {p.name for p in spec.params}
    loaded = {label: load_case(ref) for label, ref in spec.scenarios}
    refs = dict(spec.scenarios)
    for name, value in sets.items():
        item = f"{option} {name}={show(value)}"
        if name in sampled:
            raise GovsimError(
                f"{item}: the study samples {name!r} (key 'parameters' of {spec.source}); "
                "fix it on the command line or sample it, not both"
            )
        if any(isinstance(sc, Population) for sc in loaded.values()):
            for label in loaded:  # a population's own check (parameter or population.KEY)
                try:
                    load_population(refs[label], {name: value})
                except GovsimError as e:
                    raise GovsimError(f"{option}: {e.message}") from None
            continue
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
    loaded = {label: load_case(ref) for label, ref in scenarios.items()}
    _check_columns(raw.outcomes, scenarios, loaded, source)
    params = _select_params(raw, loaded, source)
    for p in params:
        users = [sc for sc in loaded.values() if sc.uses_parameter(p.name)]
        check_param_range(p, users, source)
    groups = _check_groups(raw, params, source)
    _check_method(raw.method, params, groups, source)
    sample = _check_sample(raw, params, source, base)
    _check_distributions(raw, params, source)
    return SensitivitySpec(
        name=raw.name,
        description=raw.description,
        years=raw.years,
        params=tuple(params),
        groups=groups,
        outcomes=tuple(outcomes),
        scenarios=tuple(scenarios.items()),
        method=raw.method,
        replications=raw.replications,
        seed=raw.seed,
        source=source,
        sample=sample,
    )


METHODS = {
    "sobol": SobolSettings,
    "morris": MorrisSettings,
    "fast": FastSettings,
    "pawn": PawnSettings,
    "delta": DeltaSettings,
    "rbd_fast": RbdFastSettings,
    "dgsm": DgsmSettings,
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
                load_case(resolved)
            except GovsimError as e:
                raise GovsimError(
                    f"{source}: key 'outcomes[{i}]' names scenario {ref!r}: {e.message}"
                ) from None
            refs[label] = resolved
    return refs


def _check_columns(
    outcomes: list[OutcomeSpec], refs: dict[str, str], loaded: dict, source: str
) -> None:
    """A population's outcome is a column of its national table, a scenario's of its yearly
    table; an outcome minus another compares like with like."""
    from sim.population.spec import Population

    for i, o in enumerate(outcomes):
        names = [o.scenario] if isinstance(o.scenario, str) else list(o.scenario)
        names += [o.minus] if o.minus is not None else []
        for ref in names:
            national = isinstance(loaded[_scenario_label(ref)], Population)
            allowed = NATIONAL_COLUMNS if national else OUTCOME_COLUMNS
            if o.column not in allowed:
                what = (
                    f"population {ref!r}'s national" if national else f"scenario {ref!r}'s yearly"
                )
                raise GovsimError(
                    f"{source}: key 'outcomes[{i}].column' has value {o.column!r}: not a column "
                    f"of {what} table; allowed: {', '.join(allowed)}"
                )
    kinds = {isinstance(sc, Population) for sc in loaded.values()}
    if len(kinds) > 1:
        raise GovsimError(
            f"{source}: key 'outcomes' names populations and scenarios ("
            + ", ".join(refs)
            + "): a study runs populations (national tables) or single municipalities, not both"
        )


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
            span = f"[{o.years[0]}-{o.years[1]}]" if o.years else ""
            auto = f"{label}{'-' + minus if minus else ''}:{o.column}:{o.summary}{span}"
            name = auto if o.name is None or len(names) > 1 else o.name
            if o.name is not None and len(names) > 1:
                name = f"{o.name}@{label}"
            out.append(
                Outcome(
                    name=name,
                    column=o.column,
                    summary=o.summary,
                    scenario=label,
                    minus=minus,
                    years=o.years,
                )
            )
    seen: set[str] = set()
    for o in out:
        if o.name in seen:
            raise GovsimError(
                f"{source}: outcome {o.name!r} is listed twice; give each a distinct 'name'"
            )
        seen.add(o.name)
    return out


def _select_params(raw: SpecFile, loaded: dict, source: str) -> list[Param]:
    index = schema_index()
    for name in raw.exclude:
        if name not in index:
            raise GovsimError(
                f"{source}: key 'exclude' names unknown parameter {name!r}; "
                "see `govsim params` for the names"
            )
    chosen: list[Param] = []
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
                r = resolve_range(p.name, where=f"{source}: key 'parameters'")
                chosen.append(Param(**r.model_dump()))
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
        if name.startswith(FILE_PREFIX):  # a key of the population file (docs/population.md)
            chosen.append(_file_key(name, rng, loaded, source))
            continue
        if name not in index:
            raise GovsimError(
                f"{source}: key 'parameters' names unknown parameter {name!r}; "
                "see `govsim params` for the names"
            )
        if name in raw.exclude:
            continue
        if isinstance(rng, dict):
            r = _distribution(name, rng, f"{source}: key 'parameters.{name}")
            _check_used(name, loaded, source)
            chosen.append(r)
            continue
        if rng is not None and not (
            isinstance(rng, list | tuple)
            and len(rng) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
        ):
            raise GovsimError(
                f"{source}: key 'parameters.{name}' has value {rng!r}: give null (the schema's "
                "plausible range), [low, high] or a distribution such as {dist: triang, peak: 0.2} "
                f"(allowed distributions: {', '.join(DISTRIBUTIONS)})"
            )
        low, high = (None, None) if rng is None else rng
        if rng is not None and math.isfinite(low) and math.isfinite(high) and low >= high:
            raise GovsimError(
                f"{source}: key 'parameters.{name}' has range [{low:g}, {high:g}]: "
                "low must be smaller than high (a sensitivity analysis needs the parameter to vary)"
            )
        r = resolve_range(name, low, high, where=f"{source}: key 'parameters.{name}'")
        _check_used(name, loaded, source)
        chosen.append(Param(**r.model_dump()))
    return chosen


def _file_key(name: str, rng: Any, loaded: dict, source: str) -> Param:
    """A sampled key of the population file (``population.size.sigma``): only a study of
    populations has one, and it needs its range, [low, high] (whole numbers: an int key); both
    ends are checked in every population, before any run."""
    from sim.population.spec import Population, load_population

    where = f"{source}: key 'parameters.{name}'"
    if not loaded or not all(isinstance(sc, Population) for sc in loaded.values()):
        raise GovsimError(
            f"{where}: a key of a population file ({FILE_PREFIX}…) is sampled only in a study "
            f"whose outcomes are of populations; this study's scenarios: {', '.join(loaded)}"
        )
    ok = (
        isinstance(rng, list | tuple)
        and len(rng) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
        and all(math.isfinite(v) for v in rng)
        and rng[0] < rng[1]
    )
    if not ok:
        raise GovsimError(
            f"{where}' has value {rng!r}: give its range as [low, high] with low < high (a key "
            "of the population file has no schema range to default to)"
        )
    kind = "int" if all(isinstance(v, int) for v in rng) else "float"
    p = Param(name=name, low=float(rng[0]), high=float(rng[1]), kind=kind)
    for label, pop in loaded.items():
        for end in rng:
            try:
                load_population(pop, {name: end})
            except GovsimError as e:
                raise GovsimError(
                    f"{where}' has range [{rng[0]:g}, {rng[1]:g}], but {end:g} is not a valid "
                    f"value in population {label!r}: {e.message}"
                ) from None
    return p


def _check_used(name: str, loaded: dict, source: str) -> None:
    from sim.population.spec import SIZE_PARAMETERS, Population

    if name in SIZE_PARAMETERS and any(isinstance(sc, Population) for sc in loaded.values()):
        raise GovsimError(
            f"{source}: key 'parameters' names {name!r}, which a population sets in each "
            "municipality from its size; sample another parameter (the size distribution is a "
            "key of the population file, population.size.…, fixed with --set)"
        )
    if not any(sc.uses_parameter(name) for sc in loaded.values()):
        rule = name.split(".", 1)[0]
        raise GovsimError(
            f"{source}: parameter {name!r} belongs to rule {rule!r}, which none of the "
            f"scenarios ({', '.join(loaded)}) uses"
        )


def _distribution(name: str, entry: dict, where: str) -> Param:
    """``{dist: …, <its keys>}`` → a Param with SALib's bounds for it; every mistake is one
    message naming the key, the value and what is allowed. `where` is "<file>: key 'parameters.<name>"
    (the closing quote follows the sub-key)."""
    from sim.params import hard_bounds

    dist = entry.get("dist", "unif")
    if dist not in DISTRIBUTIONS:
        raise GovsimError(
            f"{where}.dist' has value {dist!r}: allowed distributions are "
            + ", ".join(DISTRIBUTIONS)
        )
    keys = DISTRIBUTIONS[dist]
    for k, v in entry.items():
        if k == "dist":
            continue
        if k not in keys:
            raise GovsimError(
                f"{where}.{k}' (value {v!r}) is not a key of distribution {dist!r}; "
                f"allowed keys: dist, {', '.join(keys)}"
            )
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise GovsimError(f"{where}.{k}' has value {v!r}: it must be a finite number")
    missing = [k for k in _REQUIRED.get(dist, ()) if k not in entry]
    if missing:
        raise GovsimError(
            f"{where}': distribution {dist!r} needs {', '.join(missing)} "
            f"(its keys: {', '.join(keys)})"
        )
    info = schema_index()[name]
    if dist != "unif" and info.kind == "int":
        raise GovsimError(
            f"{where}.dist' has value {dist!r}, but {name!r} is a whole number, which is "
            "sampled uniformly over its values; allowed here: unif"
        )
    if "low" in keys:
        low, high = entry.get("low"), entry.get("high")
        if low is not None and high is not None and low >= high:
            raise GovsimError(
                f"{where}' has range [{low:g}, {high:g}]: low must be smaller than high "
                "(a sensitivity analysis needs the parameter to vary)"
            )
        r = resolve_range(name, low, high, where=f"{where}'")
        low, high = r.low, r.high
    if dist == "unif":
        return Param(**r.model_dump())
    if dist == "triang":
        peak = float(entry["peak"])
        if not low <= peak < high:
            raise GovsimError(
                f"{where}.peak' has value {peak:g}: allowed is low ≤ peak < high, "
                f"here [{low:g}, {high:g}) (SALib's triangular distribution)"
            )
        args: tuple[float, ...] = (low, high, (peak - low) / (high - low))
    else:
        spread = "sigma" if dist == "lognorm" else "sd"
        if entry[spread] <= 0:
            raise GovsimError(f"{where}.{spread}' has value {entry[spread]!r}: it must be > 0")
        if dist == "truncnorm":
            args = (low, high, float(entry["mean"]), float(entry["sd"]))
        else:  # unbounded support: the parameter's valid values must cover it
            low, high = (-math.inf, math.inf) if dist == "norm" else (0.0, math.inf)
            b_lo, b_hi = hard_bounds(name)
            if (b_lo is not None and b_lo > low) or b_hi is not None:
                valid = f"[{'-inf' if b_lo is None else f'{b_lo:g}'}, {'inf' if b_hi is None else f'{b_hi:g}'}]"
                raise GovsimError(
                    f"{where}.dist' has value {dist!r}, which takes values outside {valid}, the "
                    f"valid values of {name!r}; use truncnorm (a normal cut to [low, high]) or triang"
                )
            args = (float(entry[keys[0]]), float(entry[keys[1]]))
    return Param(name=name, low=low, high=high, kind=info.kind, dist=dist, args=args)


def _check_distributions(raw: SpecFile, params: list[Param], source: str) -> None:
    """Non-uniform inputs need a method whose design maps the unit cube through each input's
    quantile function: not Morris (its grid reaches the unbounded ends), not DGSM (its measure
    assumes uniform inputs), not an imported sample (which brings its own distribution)."""
    odd = [p.name for p in params if p.dist != "unif"]
    if not odd:
        return
    if raw.method.name in ("morris", "dgsm"):
        raise GovsimError(
            f"{source}: key 'parameters.{odd[0]}' has a {params[[p.name for p in params].index(odd[0])].dist!r} "
            f"distribution, but method {raw.method.name!r} needs uniform inputs; non-uniform "
            "inputs work with sobol, fast, pawn, delta and rbd_fast"
        )
    if raw.sample is not None:
        raise GovsimError(
            f"{source}: key 'parameters.{odd[0]}' has a distribution, but key 'sample' imports "
            "the sample, which brings its own; give the parameters as null or [low, high]"
        )


def read_sample(path: str | Path, params: list[Range], source: str) -> Any:
    """An imported sample → the (rows × parameters) array of model values, checked: one column
    per varied parameter, every value finite, inside its range, whole where the parameter is."""
    import numpy as np
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise GovsimError(
            f"{source}: key 'sample' names {str(path)!r}, which cannot be read ({e})"
        ) from None
    names = [p.name for p in params]
    missing = [n for n in names if n not in df.columns]
    extra = [c for c in df.columns if c not in names]
    if missing or extra:
        raise GovsimError(
            f"{source}: key 'sample': {path} must have one column per varied parameter "
            f"({', '.join(names)}); "
            + "; ".join(
                x
                for x in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unknown {', '.join(map(str, extra))}" if extra else "",
                )
                if x
            )
        )
    X = df[names].to_numpy(dtype=float)
    for j, p in enumerate(params):
        col = X[:, j]
        bad = ~np.isfinite(col) | (col < p.low) | (col > p.high)
        if p.kind == "int":
            bad |= col != np.floor(col)
        if bad.any():
            i = int(np.argmax(bad))
            what = "a whole number " if p.kind == "int" else ""
            raise GovsimError(
                f"{source}: key 'sample': {path} row {i + 1}, column {p.name!r} has value "
                f"{float(col[i])!r}; allowed is {what}in [{p.low:g}, {p.high:g}]"
            )
    return X


def _check_sample(raw: SpecFile, params: list[Range], source: str, base: Path | None) -> str | None:
    if raw.sample is None:
        return None
    if raw.method.name not in GIVEN_DATA:
        raise GovsimError(
            f"{source}: key 'sample' is given, but method {raw.method.name!r} needs its own "
            f"design; an imported sample works with {', '.join(GIVEN_DATA)}"
        )
    path = Path(raw.sample)
    if not path.is_absolute() and base is not None:
        path = (base / path).resolve()
    X = read_sample(path, params, source)
    if len(X) != raw.method.N:
        raise GovsimError(
            f"{source}: key 'method.N' has value {raw.method.N}, but the sample {path} has "
            f"{len(X)} rows; set N to {len(X)}"
        )
    return str(path)


def _check_groups(raw: SpecFile, params: list[Range], source: str) -> tuple[str, ...] | None:
    """`groups: {name: [parameter, …]}` → the group of each parameter; an ungrouped one is its own group."""
    if raw.groups is None:
        return None
    if not isinstance(raw.method, SobolSettings):
        raise GovsimError(
            f"{source}: key 'groups' is given, but method {raw.method.name!r} has no grouped "
            "indices; groups work with method sobol"
        )
    names = [p.name for p in params]
    of: dict[str, str] = {}
    for g, members in raw.groups.items():
        if not members:
            raise GovsimError(f"{source}: key 'groups.{g}' is empty; list at least one parameter")
        for m in members:
            if m not in names:
                raise GovsimError(
                    f"{source}: key 'groups.{g}' names {m!r}, which is not one of the varied "
                    f"parameters ({', '.join(names)})"
                )
            if m in of:
                raise GovsimError(
                    f"{source}: key 'groups.{g}' names {m!r}, which is already in group "
                    f"{of[m]!r}; each parameter belongs to one group"
                )
            of[m] = g
    for n in names:
        if n not in of and n in raw.groups:
            raise GovsimError(
                f"{source}: key 'groups.{n}': a group may not be named like an ungrouped parameter"
            )
    return tuple(of.get(n, n) for n in names)


def _check_method(m: Any, params: list[Range], groups: tuple | None, source: str) -> None:
    d = len(set(groups)) if groups else len(params)
    if isinstance(m, RbdFastSettings) and m.N <= 2 * m.M:
        raise GovsimError(
            f"{source}: key 'method.N' has value {m.N}: RBD-FAST needs N > 2·M = {2 * m.M}"
        )
    if isinstance(m, DgsmSettings):
        whole = [p.name for p in params if p.kind == "int"]
        if whole:
            raise GovsimError(
                f"{source}: key 'parameters' varies whole-number parameter(s) "
                f"{', '.join(whole)}: DGSM needs derivatives, which a whole number has not; "
                "exclude them or use another method"
            )
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
        what = "groups" if groups else "parameters"
        raise GovsimError(f"{source}: key '{what}': vary at least two {what} for {m.name}")
