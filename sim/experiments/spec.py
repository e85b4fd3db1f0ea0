"""Experiment files (``experiments/*.yaml``): which scenarios, which parameter variations, how
many seeded replications — expanded into the engine's ``RunSpec`` list.

Example::

    name: tender_share_sweep
    replications: 20
    master_seed: 20110401
    scenarios:
      - scenario: bum
        grid: {tendering.share: {low: 0.0, high: 0.6, steps: 7}}
      - hod
      - model_municipality

A scenario entry varies its parameters by exactly one of
``values`` (a list of override mappings), ``grid`` (full factorial over lists or
``{low, high, steps}`` ranges) or ``lhs`` (a Latin hypercube over the schema's plausible ranges
or given ``[low, high]``; ``scipy.stats.qmc.LatinHypercube`` seeded from the master seed). A
top-level ``variations`` block applies to entries without their own.

Seeds: replication r of *every* scenario and variation uses the same seed (common random
numbers, as ``govsim compare``), derived from ``master_seed`` with ``numpy.random.SeedSequence``,
so differences between cases are paired and not blurred by seed noise.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import GovsimError, describe_validation_errors
from sim.experiments.engine import NATIONAL_OUTCOMES, POPULATION_TABLE, TABLES, RunSpec
from sim.metrics import YEARLY_COLUMNS
from sim.overrides import apply_overrides
from sim.params import NumbersModel, resolve_range
from sim.scenario import allowed_keys, format_loc, load_scenario, preset_names, read_yaml
from sim.seeds import derive_seeds, stream_rng

LHS_STREAM = 0x4C4853  # spawn key that separates LHS draws from the replication seeds


class Range(NumbersModel):
    """Evenly spaced values from low to high inclusive."""

    model_config = ConfigDict(extra="forbid")
    low: float
    high: float
    steps: int = Field(ge=1, le=10_000)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"range low {self.low:g} is above high {self.high:g}")
        if self.steps == 1 and self.low != self.high:
            raise ValueError("a range with one step needs low == high")
        return self

    def values(self) -> list[float]:
        return [round(float(v), 12) for v in np.linspace(self.low, self.high, self.steps)]


def _range_msg(err: dict) -> str:
    key = ".".join(str(x) for x in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{key}: {msg}" if key else msg


class Lhs(NumbersModel):
    """A Latin hypercube: `samples` points over the named parameters' ranges."""

    model_config = ConfigDict(extra="forbid")
    samples: int = Field(ge=1, le=1_000_000)
    parameters: list[str] | dict[str, tuple[float, float] | None] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Lhs:
        if isinstance(self.parameters, dict):
            for name, rng in self.parameters.items():
                if rng is not None and rng[0] > rng[1]:
                    raise ValueError(
                        f"parameter {name!r}: range low {rng[0]:g} is above high {rng[1]:g}"
                    )
        return self


class Variations(BaseModel):
    """Exactly one way of varying parameters."""

    model_config = ConfigDict(extra="forbid")
    values: list[dict[str, Any]] | None = Field(None, min_length=1)
    grid: dict[str, Any] | None = Field(None, min_length=1)  # name → list of values or a Range
    lhs: Lhs | None = None

    @model_validator(mode="after")
    def _one(self) -> Variations:
        given = [k for k in ("values", "grid", "lhs") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of values, grid, lhs (got {', '.join(given)})")
        for name, v in (self.grid or {}).items():
            if isinstance(v, dict):
                try:
                    self.grid[name] = Range.model_validate(v)
                except ValidationError as e:
                    raise ValueError(
                        f"grid parameter {name!r}: "
                        + "; ".join(_range_msg(err) for err in e.errors())
                    ) from None
            elif not isinstance(v, list | Range) or not v:
                raise ValueError(
                    f"grid parameter {name!r} needs a non-empty list of values "
                    "or a range {low, high, steps}"
                )
        return self

    def is_empty(self) -> bool:
        return self.values is None and self.grid is None and self.lhs is None


class ScenarioEntry(Variations):
    scenario: str = Field(min_length=1)
    label: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9_.+-]+$")


class Experiment(NumbersModel):
    """An experiment file, validated."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str = ""
    scenarios: list[ScenarioEntry] = Field(min_length=1)
    variations: Variations | None = None
    replications: int = Field(ge=1, le=100_000)
    years: int | None = Field(None, ge=1, le=200)
    master_seed: int = Field(ge=0)
    outcomes: list[str] | None = Field(None, min_length=1)
    tables: list[str] = Field(default_factory=lambda: ["yearly", "admin"], min_length=1)

    @field_validator("scenarios", mode="before")
    @classmethod
    def _names_to_entries(cls, v: Any) -> Any:
        """A bare preset name or path is shorthand for an entry without variations."""
        if isinstance(v, list):
            return [{"scenario": e} if isinstance(e, str) else e for e in v]
        return v


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file (structure only; `expand` checks scenarios and parameters)."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise GovsimError(
            f"{path}: an experiment must be a mapping of keys (name, scenarios, replications, …)"
        )
    try:
        exp = Experiment.model_validate(data)
    except ValidationError as e:
        raise GovsimError(
            describe_validation_errors(
                str(path),
                e,
                key=format_loc,
                allowed=lambda loc: allowed_keys(loc, Experiment),
                unknown_tag=lambda key, inp: f"key '{key}' has value {inp!r}: not allowed here",
            )
        ) from None
    for col in exp.outcomes or ():
        if col not in YEARLY_COLUMNS and col not in NATIONAL_OUTCOMES:
            raise GovsimError(
                f"{path}: key 'outcomes' has value {col!r}: not a yearly column (nor, for a "
                f"population, a national one); allowed: {', '.join(YEARLY_COLUMNS)} (a "
                f"population also: {', '.join(c for c in NATIONAL_OUTCOMES if c not in YEARLY_COLUMNS)})"
            )
    for t in exp.tables:
        if t not in TABLES:
            raise GovsimError(
                f"{path}: key 'tables' has value {t!r}; allowed: {', '.join(TABLES)} "
                f"({POPULATION_TABLE}: a population's per-municipality table)"
            )
    return exp


def load_case(ref: Any, overrides: dict[str, Any], where: str) -> Any:
    """The scenario or population (``sim.population.spec.is_population``) of a run with
    `overrides` applied: what a run of it would run, checked before any run."""
    from sim.population.spec import is_population, load_population

    if is_population(ref):
        try:
            return load_population(ref, overrides)
        except GovsimError as e:
            raise GovsimError(f"{where}: {e.message}") from None
    return apply_overrides(load_scenario(ref), overrides, source=where)


def resolve_scenario(ref: str, base: Path) -> str:
    """A preset name stays a name; a file path is made absolute against the experiment's folder."""
    if ref in preset_names() and not Path(ref).suffix:
        return ref
    p = Path(ref)
    if not p.is_absolute() and (base / p).exists():
        p = base / p
    return str(p.resolve()) if p.exists() else ref


def override_sets(
    var: Variations, master_seed: int, block: int, where: str
) -> list[dict[str, Any]]:
    """The list of override mappings a variation block stands for ([{}] = the scenario as is)."""
    if var.values is not None:
        return [dict(v) for v in var.values]
    if var.grid is not None:
        names = sorted(var.grid)
        axes = [
            v.values() if isinstance(v, Range) else list(v) for v in (var.grid[n] for n in names)
        ]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
    if var.lhs is not None:
        return lhs_points(var.lhs, master_seed, block, where)
    return [{}]


def lhs_points(lhs: Lhs, master_seed: int, block: int, where: str) -> list[dict[str, Any]]:
    """Latin hypercube over the schema's plausible ranges (or the given ones), seeded from the master seed.

    Ranges come from ``sim.params.resolve_range``: a whole-number parameter's stratum coordinate
    spans [low, high + 1) and is floored, so each whole value is equally likely."""
    from scipy.stats import qmc

    spec = lhs.parameters if isinstance(lhs.parameters, dict) else dict.fromkeys(lhs.parameters)
    names = sorted(spec)
    ranges = [resolve_range(n, *(spec[n] or (None, None)), where=f"{where}: lhs") for n in names]
    sampler_rng = stream_rng(master_seed, LHS_STREAM, block)
    try:
        sampler = qmc.LatinHypercube(d=len(names), rng=sampler_rng)
    except TypeError:  # scipy < 1.15 calls it `seed`
        sampler = qmc.LatinHypercube(d=len(names), seed=sampler_rng)
    unit = sampler.random(lhs.samples)
    return [{r.name: r.from_unit(u) for r, u in zip(ranges, row, strict=True)} for row in unit]


def _case(label: str, ov: dict[str, Any], n_variations: int) -> str:
    if n_variations == 1 and not ov:
        return label
    return (
        label
        + " ["
        + ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(ov.items())
        )
        + "]"
    )


def expand(exp: Experiment, source: str | Path = "<experiment>") -> list[RunSpec]:
    """Every (scenario, variation, replication) as a RunSpec, validated against scenarios and schema."""
    source = str(source)
    base = Path(source).parent if source != "<experiment>" else Path.cwd()
    seeds = derive_seeds(exp.master_seed, exp.replications)
    rwidth = max(3, len(str(exp.replications - 1)))
    specs: list[RunSpec] = []
    labels: set[str] = set()
    for i, entry in enumerate(exp.scenarios):
        where = f"{source}: scenarios[{i}]"
        ref = resolve_scenario(entry.scenario, base)
        try:
            sc = load_case(ref, {}, where)
        except GovsimError as e:
            raise GovsimError(f"{where}: scenario {entry.scenario!r}: {e.message}") from None
        label = entry.label or sc.name
        if label in labels:
            raise GovsimError(
                f"{where}: label {label!r} is used by an earlier entry; give this entry its own 'label'"
            )
        labels.add(label)
        var = entry if not entry.is_empty() else (exp.variations or entry)
        sets = override_sets(var, exp.master_seed, i, where)
        vwidth = max(4, len(str(len(sets) - 1)))
        for v, ov in enumerate(sets):
            if ov:
                load_case(ref, ov, f"{where} ({label}) variation {v}")
            case = _case(label, ov, len(sets))
            for r, seed in enumerate(seeds):
                specs.append(
                    RunSpec(
                        run_id=f"{label}-v{v:0{vwidth}d}-r{r:0{rwidth}d}",
                        scenario=ref,
                        overrides=tuple(sorted(ov.items())),
                        seed=seed,
                        years=exp.years,
                        meta=(
                            ("label", label),
                            ("case", case),
                            ("variation", v),
                            ("replication", r),
                        ),
                    )
                )
    return specs


def with_set(specs: list[RunSpec], sets: dict[str, Any], option: str = "--set") -> list[RunSpec]:
    """`sets` (``govsim batch --set``) added to every run's overrides, checked against every
    scenario before any run; a name the experiment itself varies is an error (which would win?).
    The ``case`` labels stay those of the file."""
    from dataclasses import replace

    from sim.overrides import apply_set, show

    if not sets:
        return specs
    for s in specs:
        clash = next((k for k, _ in s.overrides if k in sets), None)
        if clash is not None:
            raise GovsimError(
                f"{option} {clash}={show(sets[clash])}: the experiment already varies {clash!r} "
                f"(run {s.run_id}); set it in the file or on the command line, not both"
            )
    from sim.population.spec import is_population

    for ref in dict.fromkeys(s.scenario for s in specs):
        if is_population(ref):
            load_case(ref, sets, option)
        else:
            apply_set(load_scenario(ref), sets, source=option)
    return [
        replace(s, overrides=tuple(sorted({**dict(s.overrides), **sets}.items()))) for s in specs
    ]


def describe(exp: Experiment, specs: list[RunSpec]) -> dict[str, Any]:
    """The experiment as resolved, for the manifest."""
    return {
        "experiment": exp.model_dump(mode="json"),
        "n_runs": len(specs),
        "seeds": derive_seeds(exp.master_seed, exp.replications),
    }


__all__ = ["Experiment", "load_experiment", "expand", "with_set", "describe", "LHS_STREAM"]
