"""A population scenario file: N municipalities of heterogeneous size in regions, each with its
governance scenario — validated like every scenario file, one message naming file, key, value
and what is allowed.

The *structure* of a population (who is how big, in which region, under which scenario, with
which drawn parameter values) is data: it comes from the file and its ``structure_seed`` alone,
so every run seed of a national batch simulates the same country. The *run* seed
(``run_population(seed=…)``) gives each municipality its own model seed,
``sim.seeds.derive_seeds(seed, N)[i]`` for the municipality at position i of the file's
canonical order (regions in file order; within a region its named municipalities first, then the
generated ones).

Sizes: the citizens of the municipalities the file does not fix are drawn from a lognormal
(median and sigma in ``size``), by default as its stratified quantiles (i + ½)/n — so the drawn
distribution has the stated shape exactly, not up to sampling noise — clipped to [min, max] and
shuffled over the free places by the structure seed. The other size parameters scale from the
scenario's own municipality (``municipality.citizens`` is the reference): task volume, budget and
in-house staff in proportion to citizens (times a per-capita noise), areas and contractors with
an elasticity. See docs/population.md for the sources and what is an assumption.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationError
from scipy import stats

from sim.errors import GovsimError, describe_validation_errors
from sim.params import NumbersModel, hard_bounds, param, resolve_range
from sim.scenario import Scenario, allowed_keys, format_loc, load_scenario, presets_dir, read_yaml
from sim.seeds import stream_rng

KEY = r"^[a-z][a-z0-9_]*$"
#: independent streams of the structure seed (sim.seeds.stream_rng spawn keys)
STREAM_SIZES, STREAM_GOVERNANCE, STREAM_DRAWS, STREAM_VOLUME = 1, 2, 3, 4
#: the list of the regional markets' seeds (``derive_seeds(run seed, regions, STREAM_MARKETS)``)
STREAM_MARKETS = 5
#: the diffusion's stream (``derive_seeds(run seed, 1, STREAM_DIFFUSION)[0]``, sim.population.diffusion)
STREAM_DIFFUSION = 6
MARKET_KINDS = ("regional", "local")
#: Denmark's five regions since the 2007 structural reform and their municipality counts
#: (98 in all; Region Hovedstaden includes Bornholm; Ertholmene belongs to no municipality)
DENMARK_REGIONS: tuple[tuple[str, str, int], ...] = (
    ("hovedstaden", "Region Hovedstaden (Capital Region)", 29),
    ("sjaelland", "Region Sjælland (Zealand)", 17),
    ("syddanmark", "Region Syddanmark (Southern Denmark)", 22),
    ("midtjylland", "Region Midtjylland (Central Denmark)", 19),
    ("nordjylland", "Region Nordjylland (North Denmark)", 11),
)
#: the size parameters a population sets in each municipality's scenario
SIZE_PARAMETERS = (
    "municipality.citizens",
    "municipality.task_volume_dkk",
    "municipality.budget_dkk",
    "municipality.employees",
    "municipality.areas",
    "municipality.contractors",
)


class RegionSpec(NumbersModel):
    """A region: its municipalities (a count or a share of all), stepped together in one
    process, and — with a regional market — the contractor market they share."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    key: str = Field(pattern=KEY, description="Identifier (lower case, digits, _)")
    name: str = ""
    count: int | None = Field(None, ge=0, description="Municipalities in the region")
    share: float | None = Field(None, ge=0, le=1, description="Share of all municipalities")
    market: Literal["regional", "local"] | None = Field(
        None,
        description="regional: one shared market; local: one per municipality; "
        "None: the file's 'market'",
    )
    firms: int | None = Field(
        None,
        ge=0,
        le=10_000,
        description="Firms in the regional market at the start, and the most that entry lets "
        "in (None: size.regional_firms_share × the members' own pools)",
    )


class SizeSpec(NumbersModel):
    """How big the municipalities are and how the size parameters follow from citizens."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    distribution: Literal["lognormal"] = "lognormal"
    draw: Literal["quantiles", "random"] = Field(
        "quantiles",
        description="quantiles: the distribution's stratified quantiles (i + ½)/n, shuffled; "
        "random: independent draws",
    )
    median: float = param(
        43_000,
        unit="persons",
        plausible=(35_000, 50_000),
        ge=100,
        le=2_000_000,
        source="Statistics Denmark FOLK1A (population by municipality): median ≈ 43,000 "
        "(an assumption: the brief's figure, not verified here; see docs/population.md)",
        doc="Median inhabitants of a municipality.",
    )
    sigma: float = param(
        0.69,
        unit="log scale",
        plausible=(0.5, 0.9),
        ge=0,
        le=3,
        source="fitted: with median 43,000 and Copenhagen and Læsø fixed, a lognormal mean of "
        "≈ 54,700 for the other 96 gives Denmark's ≈ 5.9 M inhabitants (FOLK1A, 1 January 2023: "
        "5,883,141): sigma = sqrt(2 ln(54,700 / 43,000))",
        doc="Spread (lognormal sigma) of the municipalities' inhabitants.",
    )
    min: float = param(
        1_800,
        unit="persons",
        plausible=None,
        ge=100,
        le=2_000_000,
        source="FOLK1A: Læsø, the smallest municipality (1,789 on 1 January 2023; 1,759 in 2024)",
        doc="No drawn municipality is smaller.",
    )
    max: float = param(
        650_000,
        unit="persons",
        plausible=None,
        ge=100,
        le=2_000_000,
        source="FOLK1A: Copenhagen, the largest municipality (≈ 632,000 in 2020, ≈ 650,000 in "
        "2023/24)",
        doc="No drawn municipality is larger.",
    )
    volume_sd: float = param(
        0.15,
        unit="log scale",
        plausible=(0.0, 0.3),
        ge=0,
        le=2,
        source="assumption: municipalities differ in technical-services spending per inhabitant "
        "(KL/KFST key figures not consulted)",
        doc="Spread (lognormal sigma) of task volume per inhabitant around the scenario's; budget "
        "and in-house staff follow the task volume.",
    )
    areas_elasticity: float = param(
        0.5,
        unit="elasticity",
        plausible=(0.3, 0.8),
        ge=0,
        le=1,
        source="assumption: bigger municipalities have more, and bigger, areas",
        doc="Areas grow as (citizens / the scenario's citizens) to this power.",
    )
    contractors_elasticity: float = param(
        0.5,
        unit="elasticity",
        plausible=(0.0, 1.0),
        ge=0,
        le=1,
        source="assumption: a bigger municipality's market holds more firms (its own market "
        "with market: local; its contribution to the region's pool with market: regional)",
        doc="Contractors grow as (citizens / the scenario's citizens) to this power.",
    )
    regional_firms_share: float = param(
        1.0,
        unit="share of the members' own pools",
        plausible=(0.5, 1.0),
        gt=0,
        le=2,
        source="assumption: 1 keeps a region's firms and capacity at the sum of what its "
        "municipalities' own markets would hold (the calibrated single-municipality balance of "
        "capacity and demand), so that sharing alone changes the market; neighbouring "
        "municipalities' pools overlap in reality (a firm counted by each municipality it "
        "serves), which a share below 1 expresses",
        doc="Firms of a regional market (market: regional): this share of the sum of its "
        "municipalities' municipality.contractors, at least market.min_firms (a region's "
        "'firms' overrides it).",
    )
    contractors_min: int = param(
        2,
        unit="firms",
        plausible=(1, 4),
        ge=1,
        le=200,
        source="assumption: even the smallest municipality's tenders meet some competition",
        doc="The fewest contractors a municipality's market has.",
    )


class NetworkSpec(NumbersModel):
    """A benchmarking network: municipalities that share benchmarking data and learning
    (``sim.population.network``), chosen by scenario and/or by key."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    key: str = Field(pattern=KEY, description="Identifier (lower case, digits, _)")
    scenarios: list[str] = Field(
        default_factory=list, description="Every municipality running one of these scenarios"
    )
    municipalities: list[str] = Field(default_factory=list, description="These by key")
    lag_reduction_years: int = param(
        1,
        unit="years",
        plausible=(0, 2),
        ge=0,
        le=10,
        source="seed 000 (HOD benchmarks with other HOD municipalities) and seed 001 (2 years "
        "of own data before the first flags); that peers' data replace one of those years is "
        "an assumption",
        doc="Years by which a member's benchmarking lag shortens once a peer measures too.",
    )
    transfer_rate: float = param(
        0.5,
        unit="per peer improvement",
        plausible=(0.0, 1.5),
        ge=0,
        le=10,
        source="assumption: learning travels in benchmarking networks (seed 000: close "
        "inter-municipal collaboration); Walker 2006 finds that innovations spread between "
        "English local authorities through such contacts, without a rate for this setting",
        doc="A learning team takes up one of its peers' tested improvements with probability "
        "1 − exp(−rate × the improvements the peers' teams implemented last year, per peer).",
    )


class NamedMunicipality(NumbersModel):
    """A municipality the file names: its region, and optionally its size and scenario."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    key: str = Field(pattern=KEY)
    region: str
    citizens: int | None = Field(None, ge=100, le=2_000_000, description="None: drawn")
    scenario: str | None = Field(None, description="None: assigned by 'governance'")
    size: Literal["scaled", "scenario"] = Field(
        "scaled",
        description="scaled: size parameters from citizens; scenario: the scenario's own "
        "municipality parameters, unchanged",
    )


class GovernanceEntry(NumbersModel):
    """How many municipalities run a scenario: a count, a share, or the rest."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenario: str = Field(min_length=1, description="A preset or a scenario .yaml path")
    count: int | None = Field(None, ge=0)
    share: float | None = Field(None, ge=0, le=1)
    rest: bool = False
    set: dict[str, Any] = Field(default_factory=dict, description="--set items for all of them")
    draw: dict[str, list[float] | None] = Field(
        default_factory=dict,
        description="parameter → [low, high] (None: its plausible range): each municipality "
        "draws its own value, uniformly",
    )


class DiffusionTargetSpec(NumbersModel):
    """A governance model municipalities may adopt, and how strongly each driver moves the
    yearly probability that a municipality does (a logistic hazard, Berry & Berry 1990)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    model: str = Field(
        min_length=1,
        description="A preset or a scenario .yaml path: an adopter takes over the rules of its "
        "last regime",
    )
    from_: list[str] = Field(
        default_factory=list,
        alias="from",
        description="The models (preset names as the file names them, or adopted models) that "
        "may switch to it (empty: every other model)",
    )
    base_rate: float = param(
        0.005,
        unit="probability per year",
        plausible=(0.0, 0.03),
        ge=0,
        le=1,
        source="assumption: seed 000 ('a handful of Danish municipalities have chosen HOD, and "
        "more will follow'): a few adoptions per decade among ≈ 90 candidates; no source gives "
        "a rate",
        doc="Yearly probability that a municipality with no driver (no adopting peer, results "
        "like its peers', no shortfall, no cuts, a committee of average austerity) adopts the "
        "model.",
    )
    imitation_weight: float = param(
        3.0,
        unit="× log-odds per share of peers",
        plausible=(0.0, 6.0),
        ge=-50,
        le=50,
        source="Berry & Berry 1990 (the regional diffusion model: the more neighbours have "
        "adopted, the likelier adoption); Shipan & Volden 2008 (imitation); the size is an "
        "assumption",
        doc="The odds rise by exp(weight × the share of the municipality's peers — its region "
        "and its benchmarking network — that run the model).",
    )
    satisfaction_weight: float = param(
        20.0,
        unit="× log-odds per satisfaction point",
        plausible=(0.0, 40.0),
        ge=-500,
        le=500,
        source="Shipan & Volden 2008 (learning: a policy spreads when its adopters' results are "
        "seen to succeed); Walker 2006 (English local authorities learn from each other); the "
        "size is an assumption",
        doc="The odds rise by exp(weight × (the mean citizen satisfaction of the peers that run "
        "the model − the municipality's own)); 0 while no peer runs it.",
    )
    cost_weight: float = param(
        10.0,
        unit="× log-odds per share of own cost",
        plausible=(0.0, 20.0),
        ge=-500,
        le=500,
        source="Shipan & Volden 2008 (learning from adopters' results); seed 001 (HOD freed "
        "administrative resources); the size is an assumption",
        doc="The odds rise by exp(weight × (own cost per unit of task volume − the adopting "
        "peers' mean) / own); 0 while no peer runs the model.",
    )
    dissatisfaction_weight: float = param(
        20.0,
        unit="× log-odds per satisfaction point",
        plausible=(0.0, 40.0),
        ge=-500,
        le=500,
        source="Berry & Berry 1990 (internal determinants: problems motivate adoption); Cyert & "
        "March 1963 (problemistic search when performance falls short of aspiration); the size "
        "is an assumption",
        doc="The odds rise by exp(weight × how far citizen satisfaction fell short of the "
        "committee's expectation last year, max(0, −expectation_gap)).",
    )
    fiscal_weight: float = param(
        10.0,
        unit="× log-odds per share of budget",
        plausible=(0.0, 30.0),
        ge=-500,
        le=500,
        source="Berry & Berry 1990 (fiscal health among the internal determinants); the sign "
        "(pressure drives reform in search of savings) and size are assumptions",
        doc="The odds rise by exp(weight × fiscal pressure): the share of the budget cut since "
        "the start plus last year's overspend share.",
    )
    colour_weight: float = param(
        0.0,
        unit="× log-odds per unit austerity",
        plausible=(-10.0, 10.0),
        ge=-500,
        le=500,
        source="Berry & Berry 1990 (political ideology among the internal determinants); the "
        "model's only political attribute is the committee's inclination to cut, whose relation "
        "to adopting a model is not known for Danish municipalities: assumption, 0 by default",
        doc="The odds change by exp(weight × (the committee's mean austerity − "
        "politics.austerity)): political colour, read as the committee's inclination to cut "
        "(it changes at elections).",
    )


class DiffusionSpec(NumbersModel):
    """The diffusion of governance models: at each year end a municipality may decide to adopt
    another model from the next year on (``sim.population.diffusion``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    enabled: bool = Field(True, description="false: the block is kept but nothing switches")
    start: int | None = Field(
        None,
        ge=1970,
        le=2300,
        description="First year a switch may take effect (None: the run's second year)",
    )
    targets: list[DiffusionTargetSpec] = Field(min_length=1)
    min_years: int = param(
        4,
        unit="years",
        plausible=(2, 8),
        ge=1,
        le=50,
        source="assumption: a council that has reorganised gives the new model at least an "
        "election period (4 years) before it reorganises again",
        doc="Years a municipality that switched keeps its new model before it may switch again.",
    )
    join_networks: bool = Field(
        True,
        description="An adopter joins the benchmarking network that selects its new model by "
        "scenario (if it is in no network) and leaves one that selected its old model",
    )


class PopulationFile(NumbersModel):
    """The file as written (validated); ``build_population`` turns it into municipalities."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    name: str = Field(min_length=1)
    description: str = ""
    municipalities: int = Field(98, ge=0, le=2_000, description="N (default: Denmark's 98)")
    structure_seed: int = Field(2007, ge=0, description="Seed of the sizes and assignments")
    years: int | None = Field(None, ge=1, le=200)
    regions: list[RegionSpec] | None = None
    size: SizeSpec = Field(default_factory=SizeSpec)
    named: list[NamedMunicipality] = Field(default_factory=list)
    governance: list[GovernanceEntry] = Field(
        default_factory=lambda: [GovernanceEntry(scenario="bum", rest=True)]
    )
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    market: Literal["regional", "local"] = Field(
        "regional",
        description="regional: the municipalities of a region buy from one shared contractor "
        "market; local: each has its own, as a single run",
    )
    networks: list[NetworkSpec] = Field(default_factory=list)
    diffusion: DiffusionSpec | None = Field(
        None, description="The diffusion of governance models (None: no municipality switches)"
    )
    extends: str | None = Field(
        None,
        description="A shipped population or .yaml path whose keys this file starts from (its "
        "own top-level keys replace them)",
    )


@dataclass(frozen=True)
class Network:
    """A built benchmarking network: its members' positions in the canonical order."""

    key: str
    members: tuple[int, ...]
    lag_reduction_years: int
    transfer_rate: float
    scenarios: tuple[str, ...] = ()  # the models that select members (diffusion: who joins)
    named: tuple[int, ...] = ()  # the members chosen by key (they never leave)


@dataclass(frozen=True)
class Target:
    """A built diffusion target: the model's label, the rules an adopter takes over and the
    coefficients of its hazard (``DiffusionTargetSpec``)."""

    model: str
    rules: tuple[Any, ...]  # rule parameter objects (sim.rules RuleParams)
    sources: tuple[str, ...]  # the models that may switch to it (empty: any other)
    base_rate: float
    imitation_weight: float
    satisfaction_weight: float
    cost_weight: float
    dissatisfaction_weight: float
    fiscal_weight: float
    colour_weight: float


@dataclass(frozen=True)
class Diffusion:
    """The built diffusion of governance models (``sim.population.diffusion``)."""

    start: int  # first year a switch may take effect
    targets: tuple[Target, ...]
    min_years: int
    join_networks: bool


@dataclass(frozen=True)
class RegionMarket:
    """How a region's municipalities buy: one shared market of `firms` firms (``regional``) or
    each its own (``local``, `firms` 0)."""

    kind: str
    firms: int = 0


@dataclass(frozen=True)
class Municipality:
    """One member of a built population (picklable: travels to pool workers)."""

    index: int
    key: str
    region: str
    preset: str  # the scenario as the file names it (preset name or file stem)
    scenario: Scenario  # sizes, draws and overrides applied
    citizens: int
    task_volume_dkk: float


@dataclass(frozen=True)
class Population:
    """A validated, built population: its municipalities in canonical order."""

    name: str
    source: str
    municipalities: tuple[Municipality, ...]
    regions: tuple[tuple[str, str], ...]  # (key, name) in file order
    years: int
    start_year: int
    spec: dict[str, Any] = field(default_factory=dict)
    markets: tuple[RegionMarket, ...] = ()  # one per region, in the order of `regions`
    networks: tuple[Network, ...] = ()
    diffusion: Diffusion | None = None

    def network_of(self, index: int) -> str:
        """The key of municipality `index`'s benchmarking network ('' if none)."""
        return next((n.key for n in self.networks if index in n.members), "")

    def networks_span_regions(self) -> bool:
        """True if a benchmarking network spans regions, or diffusion (whose peers and
        networks may span them) is on: then a national run steps in one process."""
        if self.diffusion is not None:
            return True
        region = {m.index: m.region for m in self.municipalities}
        return any(len({region[i] for i in n.members}) > 1 for n in self.networks)

    def __len__(self) -> int:
        return len(self.municipalities)

    def market_of(self, region: str) -> RegionMarket:
        for (k, _), m in zip(self.regions, self.markets, strict=True):
            if k == region:
                return m
        raise KeyError(region)

    def by_region(self) -> list[tuple[str, list[Municipality]]]:
        return [(k, [m for m in self.municipalities if m.region == k]) for k, _ in self.regions]

    def scenarios(self) -> list[Scenario]:
        """One scenario per governance scenario the file assigns (its first municipality's):
        what a check of a parameter value needs (they differ only in size and drawn values)."""
        first: dict[str, Scenario] = {}
        for m in self.municipalities:
            first.setdefault(m.preset, m.scenario)
        return list(first.values())

    def uses_parameter(self, name: str) -> bool:
        """True if the dotted parameter `name` acts in some municipality (``Scenario.
        uses_parameter``) or is a parameter of a rule a diffusion target brings; a key of the
        population file (``population.…``) always does."""
        if name.startswith(FILE_PREFIX):
            return True
        if name in SIZE_PARAMETERS:  # set by the population (each municipality's size)
            return False
        if any(sc.uses_parameter(name) for sc in self.scenarios()):
            return True
        brought = {
            r.rule for t in (self.diffusion.targets if self.diffusion else ()) for r in t.rules
        }
        return name.split(".", 1)[0] in brought


def populations_dir() -> Path:
    return presets_dir() / "populations"


def population_names() -> list[str]:
    d = populations_dir()
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


# keys only a population file has (a scenario file has rules, regimes or base instead)
POPULATION_KEYS = frozenset(
    {"municipalities", "regions", "governance", "named", "networks", "diffusion", "extends"}
)
SCENARIO_KEYS = frozenset({"rules", "regimes", "base"})


def is_population(ref: Any) -> bool:
    """Whether `ref` names a population rather than a scenario: a Population, a mapping with
    population keys and no scenario keys, a shipped population name that is no preset, or a YAML
    file whose top-level keys are a population's (so ``sim.run`` and ``govsim run`` take both)."""
    if isinstance(ref, Population):
        return True
    if isinstance(ref, dict):
        keys = set(ref)
        return bool(keys & POPULATION_KEYS) and not keys & SCENARIO_KEYS
    if not isinstance(ref, str | Path):
        return False
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        try:
            data = read_yaml(path)
        except GovsimError:
            return False  # the scenario loader gives the message
        return isinstance(data, dict) and is_population(data)
    from sim.scenario import preset_names

    return str(ref) in population_names() and str(ref) not in preset_names()


def load_case(ref: Any) -> Scenario | Population:
    """A run's scenario reference as what it runs: a Population if it names one
    (``is_population``), else the Scenario (``sim.scenario.load_scenario``)."""
    return load_population(ref) if is_population(ref) else load_scenario(ref)


def load_population(
    ref: str | Path | dict | Population, overrides: dict[str, Any] | None = None
) -> Population:
    """A shipped population name (``denmark``), a YAML path or a mapping → a built Population.

    `overrides` (dotted names → values, as a batch variation, a sensitivity sample or
    ``--set`` gives them; ``apply_population_overrides``): a name with the prefix
    ``population.`` sets a key of the population file itself (``population.size.sigma``,
    ``population.networks.hod_network.transfer_rate``); any other name is a schema parameter
    set in every municipality's scenario that has it (``market.cost_mean``,
    ``tendering.share``), and in the diffusion targets' rules."""
    if isinstance(ref, Population) and not overrides:
        return ref
    data, source, directory = _raw(ref)
    if not overrides:
        return build_population(data, source, directory)
    return apply_population_overrides(data, source, directory, overrides)


def _raw(ref: str | Path | dict | Population) -> tuple[Any, str, Path]:
    """The population's mapping as written, its source (for messages) and its folder."""
    if isinstance(ref, Population):
        here = Path(ref.source)
        return dict(ref.spec), ref.source, here.parent if here.is_file() else Path.cwd()
    if isinstance(ref, dict):
        return ref, "<population>", Path.cwd()
    s = str(ref)
    path = Path(s)
    if not path.exists() and path.suffix.lower() not in (".yaml", ".yml"):
        if s in population_names():
            path = populations_dir() / f"{s}.yaml"
        else:
            raise GovsimError(
                f"no population or file named {s!r}; shipped populations are: "
                f"{', '.join(population_names()) or '—'} (or give a path to a .yaml file)"
            )
    return read_yaml(path), str(path), path.parent


#: the prefix of an override that sets a key of the population file (not a scenario parameter)
FILE_PREFIX = "population."
#: how a list of the population file is indexed in an override name: by the items' key
#: (``population.regions.sjaelland.firms``), by a diffusion target's model
#: (``population.diffusion.targets.hod.base_rate``), or by position (``…targets.0.base_rate``)
LIST_KEYS = ("key", "model", "scenario")


def split_overrides(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the population file's own keys, without the prefix; the scenario parameters)."""
    own = {
        k.removeprefix(FILE_PREFIX): v for k, v in overrides.items() if k.startswith(FILE_PREFIX)
    }
    params = {k: v for k, v in overrides.items() if not k.startswith(FILE_PREFIX)}
    return own, params


def apply_population_overrides(
    data: Any, source: str, directory: Path, overrides: dict[str, Any]
) -> Population:
    """Build the population of mapping `data` with `overrides` (``load_population``). A name
    neither the file nor the schema accepts, a parameter no municipality's scenario has, a size
    parameter (the population sets each municipality's size) or a bad value is one GovsimError
    naming the override, its value and what is allowed."""
    import copy

    from sim.overrides import show

    own, params = split_overrides(overrides)
    merged = _extended(data, source, directory)
    _validated(merged, source)  # the file as written is sound: a later error is the overrides'
    merged = copy.deepcopy(merged)
    for name, value in own.items():
        _set_key(merged, name, value, source)
    _check_params(params, source)
    try:
        return build_population(merged, source, directory, params)
    except GovsimError as e:
        if not own:
            raise
        given = ", ".join(f"{FILE_PREFIX}{k}={show(v)}" for k, v in own.items())
        raise GovsimError(f"override {given}: {e.message}") from None


def _set_key(data: dict, name: str, value: Any, source: str) -> None:
    """Set the population file's key `name` (dotted; list items by key, model or position)."""
    from sim.overrides import show

    where = f"override {FILE_PREFIX}{name}={show(value)}"
    parts = name.split(".")
    if not name or any(not p for p in parts):
        raise GovsimError(f"{where}: give a key of the population file after '{FILE_PREFIX}'")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = ".".join(parts[:i]) or "the top level"
        if isinstance(node, dict):
            if last:
                node[part] = value
                return
            if node.get(part) is None:
                if part not in _NESTED_KEYS:
                    raise GovsimError(
                        f"{where}: {source} has no key {part!r} at {here}; the keys it has "
                        f"there: {', '.join(sorted(k for k in node if node[k] is not None))}"
                        + (
                            " (a file with a diffusion block: denmark_diffusion)"
                            if part == "diffusion"
                            else ""
                        )
                    )
                node[part] = {}
            node = node[part]
        elif isinstance(node, list):
            j = _item(node, part)
            if j is None:
                ids = [_item_id(x, k) for k, x in enumerate(node)]
                raise GovsimError(
                    f"{where}: {here} of {source} has no item {part!r}; its items are "
                    f"{', '.join(ids) or '—'} (by key, model or scenario, or by position 0 … "
                    f"{len(node) - 1})"
                )
            if last:
                node[j] = value
                return
            node = node[j]
        else:
            raise GovsimError(
                f"{where}: {source}'s key {here!r} is a single value ({show(node)}), not a "
                f"mapping with a key {part!r}"
            )


#: the population file's mappings that may be absent from a file (their defaults apply)
_NESTED_KEYS = frozenset({"size", "overrides"})


def _item(items: list, part: str) -> int | None:
    for j, x in enumerate(items):
        if isinstance(x, dict) and any(x.get(k) == part for k in LIST_KEYS):
            return j
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _item_id(x: Any, j: int) -> str:
    if isinstance(x, dict):
        for k in LIST_KEYS:
            if isinstance(x.get(k), str):
                return x[k]
    return str(j)


def _check_params(params: dict[str, Any], source: str) -> None:
    """Every scenario-parameter override names a schema parameter that is not a size."""
    from sim.overrides import show
    from sim.params import schema_index

    known = schema_index()
    for name, value in params.items():
        where = f"override {name}={show(value)}"
        if name in SIZE_PARAMETERS:
            raise GovsimError(
                f"{where}: population {source} sets {name} of each municipality from its size; "
                f"vary the size distribution instead ({FILE_PREFIX}size.median, "
                f"{FILE_PREFIX}size.sigma, …; docs/population.md)"
            )
        if name not in known:
            raise GovsimError(
                f"{where}: unknown name for population {source}: a scenario parameter (see "
                f"`govsim params`) applies to every municipality, and a key of the population "
                f"file takes the prefix '{FILE_PREFIX}' ({FILE_PREFIX}size.sigma, "
                f"{FILE_PREFIX}networks.KEY.transfer_rate, "
                f"{FILE_PREFIX}diffusion.targets.MODEL.base_rate, …)"
            )


def _applicable(sc: Scenario, params: dict[str, Any]) -> dict[str, Any]:
    """Of `params`, those scenario `sc` has: every parameter group's, and a rule's parameter
    if one of its regimes uses the rule."""
    from sim.params import Parameters

    rules = {r.rule for reg in sc.regime_list() for r in reg.rules}
    return {
        k: v
        for k, v in params.items()
        if k.split(".", 1)[0] in Parameters.model_fields or k.split(".", 1)[0] in rules
    }


def _validated(data: Any, source: str) -> PopulationFile:
    if not isinstance(data, dict):
        raise GovsimError(
            f"{source}: a population file must be a mapping of keys (name, municipalities, "
            f"regions, governance, …), got {type(data).__name__}"
        )
    try:
        return PopulationFile.model_validate(data)
    except ValidationError as e:
        raise GovsimError(
            describe_validation_errors(
                source,
                e,
                key=format_loc,
                allowed=lambda loc: allowed_keys(loc, PopulationFile),
                unknown_tag=lambda k, inp: f"key '{k}' has value {inp!r}",
            )
        ) from None


def _largest_remainder(shares: list[float], total: int) -> list[int]:
    """Whole counts proportional to `shares` that sum to `total` (Hamilton's method; ties go to
    the earlier entry, so the result is deterministic)."""
    raw = [s * total for s in shares]
    out = [math.floor(r) for r in raw]
    left = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:left]:
        out[i] += 1
    return out


def _region_counts(f: PopulationFile, source: str) -> list[tuple[str, str, int]]:
    n = f.municipalities
    if f.regions is None:
        keys = [(k, name) for k, name, _ in DENMARK_REGIONS]
        total = sum(c for *_, c in DENMARK_REGIONS)
        if n == total:
            counts = [c for *_, c in DENMARK_REGIONS]
        else:
            counts = _largest_remainder([c / total for *_, c in DENMARK_REGIONS], n)
        if min(counts) == 0:
            raise GovsimError(
                f"{source}: key 'municipalities' has value {n}: Denmark's {len(keys)} default "
                f"regions need at least {len(keys)} municipalities (one each); give 'regions' "
                "with fewer regions, e.g. regions: [{key: all, count: " + str(n) + "}]"
            )
        return [(k, name, c) for (k, name), c in zip(keys, counts, strict=True)]
    regions = f.regions
    if not regions:
        raise GovsimError(f"{source}: key 'regions' is empty; give at least one region")
    seen: set[str] = set()
    for i, r in enumerate(regions):
        if r.key in seen:
            raise GovsimError(
                f"{source}: key 'regions[{i}].key' has value {r.key!r}: each region key once"
            )
        seen.add(r.key)
        if (r.count is None) == (r.share is None):
            raise GovsimError(
                f"{source}: key 'regions[{i}]' (region {r.key!r}): give exactly one of 'count' "
                "(municipalities) or 'share' (of all municipalities)"
            )
    kinds = {"count" if r.count is not None else "share" for r in regions}
    if len(kinds) > 1:
        raise GovsimError(
            f"{source}: key 'regions': give every region a 'count' or every region a 'share', "
            "not a mix"
        )
    if kinds == {"count"}:
        counts = [int(r.count) for r in regions]  # type: ignore[arg-type]
        if sum(counts) != n:
            raise GovsimError(
                f"{source}: key 'regions': the regions' counts sum to {sum(counts)}, but key "
                f"'municipalities' has value {n}; they must be equal"
            )
    else:
        shares = [float(r.share) for r in regions]  # type: ignore[arg-type]
        if abs(sum(shares) - 1.0) > 1e-6:
            raise GovsimError(
                f"{source}: key 'regions': the regions' shares sum to {sum(shares):.6g}; "
                "they must sum to 1"
            )
        counts = _largest_remainder(shares, n)
    for i, (r, c) in enumerate(zip(regions, counts, strict=True)):
        if c == 0:
            what = f"count {r.count}" if r.count is not None else f"share {r.share:g} of {n}"
            raise GovsimError(
                f"{source}: key 'regions[{i}]' (region {r.key!r}) has no municipality ({what}); "
                "every region needs at least one (it is the unit that steps together and shares "
                "a market) — remove it or give it municipalities"
            )
    return [(r.key, r.name or r.key, c) for r, c in zip(regions, counts, strict=True)]


def _scenario_ref(ref: str, directory: Path) -> tuple[str, str | Path]:
    """A governance scenario reference → (label for the tables, what load_scenario takes)."""
    p = Path(ref)
    if p.suffix.lower() in (".yaml", ".yml"):
        full = p if p.is_absolute() else directory / p
        return p.stem, full
    return ref, ref


def _load(ref: str, directory: Path, where: str) -> tuple[str, Scenario]:
    label, target = _scenario_ref(ref, directory)
    try:
        return label, load_scenario(target)
    except GovsimError as e:
        raise GovsimError(f"{where} has value {ref!r}: {e.message}") from None


def _lognormal_sizes(s: SizeSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=int)
    if s.draw == "quantiles":
        z = stats.norm.ppf((np.arange(n) + 0.5) / n)
        values = rng.permutation(s.median * np.exp(s.sigma * z))
    else:
        values = rng.lognormal(math.log(s.median), s.sigma, n)
    return np.rint(np.clip(values, s.min, s.max)).astype(int)


def _clip(name: str, value: float) -> float:
    lo, hi = hard_bounds(name)
    return float(min(max(value, lo if lo is not None else value), hi if hi is not None else value))


def size_overrides(s: SizeSpec, sc: Scenario, citizens: int, noise: float) -> dict[str, Any]:
    """The municipality parameters of a municipality of `citizens` inhabitants, scaled from
    scenario `sc`'s own municipality (its ``citizens`` is the reference), within the schema's
    bounds. `noise` multiplies the task volume per inhabitant."""
    mp = sc.parameters.municipality
    scale = citizens / mp.citizens
    volume = _clip("municipality.task_volume_dkk", mp.task_volume_dkk * scale * noise)
    ratio = volume / mp.task_volume_dkk
    return {
        "municipality.citizens": int(citizens),
        "municipality.task_volume_dkk": volume,
        "municipality.budget_dkk": _clip("municipality.budget_dkk", mp.budget_dkk * ratio),
        "municipality.employees": int(_clip("municipality.employees", round(mp.employees * ratio))),
        "municipality.areas": int(
            _clip("municipality.areas", round(mp.areas * scale**s.areas_elasticity))
        ),
        "municipality.contractors": int(
            _clip(
                "municipality.contractors",
                max(s.contractors_min, round(mp.contractors * scale**s.contractors_elasticity)),
            )
        ),
    }


def _assign_governance(
    f: PopulationFile, free: list[int], source: str, rng: np.random.Generator
) -> dict[int, int]:
    """Municipality index → governance entry, for the municipalities the file does not assign
    by name (`free`)."""
    entries = f.governance
    if not entries:
        raise GovsimError(
            f"{source}: key 'governance' is empty; give at least one entry "
            "({scenario: PRESET, count: N | share: S | rest: true})"
        )
    m = len(free)
    rest = [i for i, e in enumerate(entries) if e.rest]
    for i, e in enumerate(entries):
        given = sum(x is not None and x is not False for x in (e.count, e.share, e.rest or None))
        if given != 1:
            raise GovsimError(
                f"{source}: key 'governance[{i}]' (scenario {e.scenario!r}): give exactly one "
                "of 'count' (municipalities), 'share' (of the municipalities not assigned by "
                "name) or 'rest: true'"
            )
    if len(rest) > 1:
        raise GovsimError(
            f"{source}: key 'governance[{rest[1]}]': only one entry may take the rest "
            f"(governance[{rest[0]}] already does)"
        )
    counts = [e.count or 0 for e in entries]
    c_sum = sum(counts)
    if c_sum > m:
        raise GovsimError(
            f"{source}: key 'governance': the counts sum to {c_sum}, but only {m} "
            f"municipalities are left to assign ({f.municipalities} minus those the file assigns "
            "by name)"
        )
    after = m - c_sum  # what the shares are shares of
    shared = [i for i, e in enumerate(entries) if e.share is not None]
    ssum = sum(entries[i].share for i in shared)  # type: ignore[misc]
    taken = list(counts)
    if shared:
        if ssum > 1.0 + 1e-6 or (not rest and abs(ssum - 1.0) > 1e-6):
            need = "at most 1" if rest else "1 (or add an entry with 'rest: true')"
            raise GovsimError(
                f"{source}: key 'governance': the shares sum to {ssum:.6g}; they are shares of "
                f"the {after} municipalities neither named with a scenario nor counted, and "
                f"must sum to {need}"
            )
        total = after if not rest else round(ssum * after)
        weights = [entries[i].share / ssum if ssum > 0 else 0.0 for i in shared]
        for i, k in zip(shared, _largest_remainder(weights, total), strict=True):
            taken[i] = k
    left = m - sum(taken)
    if rest:
        taken[rest[0]] = left
    elif left != 0:
        raise GovsimError(
            f"{source}: key 'governance': the counts sum to {c_sum}, but {m} municipalities are "
            "to be assigned (all but those named with a scenario); make them sum up, or add an "
            "entry with 'rest: true'"
        )
    order = [free[i] for i in rng.permutation(m)]
    out: dict[int, int] = {}
    pos = 0
    for i, k in enumerate(taken):
        for idx in order[pos : pos + k]:
            out[idx] = i
        pos += k
    return out


def _extended(data: Any, source: str, directory: Path, seen: tuple[str, ...] = ()) -> Any:
    """A mapping with an ``extends`` key: the keys of the population it names (a shipped name
    or a .yaml path relative to the file), replaced by the mapping's own top-level keys."""
    if not isinstance(data, dict) or data.get("extends") is None:
        return data
    ref = data["extends"]
    if not isinstance(ref, str) or not ref:
        raise GovsimError(
            f"{source}: key 'extends' has value {ref!r}: give a shipped population "
            f"({', '.join(population_names()) or '—'}) or a path to a .yaml file"
        )
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml"):
        path = path if path.is_absolute() else directory / path
    elif ref in population_names():
        path = populations_dir() / f"{ref}.yaml"
    else:
        raise GovsimError(
            f"{source}: key 'extends' has value {ref!r}: no population or file of that name; "
            f"shipped populations are: {', '.join(population_names()) or '—'} (or give a path "
            "to a .yaml file)"
        )
    key = str(path.resolve())
    if key in seen:
        raise GovsimError(
            f"{source}: key 'extends' has value {ref!r}: the files extend each other in a circle"
        )
    if not path.is_file():
        raise GovsimError(f"{source}: key 'extends' has value {ref!r}: {path}: file not found")
    base = _extended(read_yaml(path), str(path), path.parent, (*seen, key))
    if not isinstance(base, dict):
        raise GovsimError(
            f"{source}: key 'extends' has value {ref!r}: {path} is not a population file (a "
            "mapping of keys)"
        )
    return {**base, **{k: v for k, v in data.items() if k != "extends"}}


def build_population(
    data: Any, source: str, directory: Path, params: dict[str, Any] | None = None
) -> Population:
    """Validate a population mapping and build its municipalities (sizes, regions, scenarios);
    `params` (schema parameter → value) are set in every municipality's scenario that has them
    after the file's own items, as ``--set`` would set them in each (``load_population``)."""
    params = dict(params or {})
    f = _validated(_extended(data, source, directory), source)
    if f.municipalities == 0:
        raise GovsimError(
            f"{source}: key 'municipalities' has value 0: a population needs at least one "
            "municipality (Denmark has 98)"
        )
    regions = _region_counts(f, source)
    region_keys = [k for k, _, _ in regions]
    # named municipalities: unique keys, known regions, no more than a region holds
    named_by_region: dict[str, list[NamedMunicipality]] = {k: [] for k in region_keys}
    keys: set[str] = set()
    for i, nm in enumerate(f.named):
        if nm.key in keys:
            raise GovsimError(
                f"{source}: key 'named[{i}].key' has value {nm.key!r}: each municipality key once"
            )
        keys.add(nm.key)
        if nm.region not in named_by_region:
            raise GovsimError(
                f"{source}: key 'named[{i}].region' has value {nm.region!r}: no such region; "
                f"regions are: {', '.join(region_keys)}"
            )
        if nm.size == "scenario" and nm.citizens is not None:
            raise GovsimError(
                f"{source}: key 'named[{i}].citizens' has value {nm.citizens}: a municipality "
                "with 'size: scenario' keeps its scenario's municipality parameters; give "
                "citizens only with 'size: scaled' (the default)"
            )
        named_by_region[nm.region].append(nm)
    for k, _, c in regions:
        if len(named_by_region[k]) > c:
            raise GovsimError(
                f"{source}: key 'named': region {k!r} has {c} municipalities, but the file names "
                f"{len(named_by_region[k])} in it"
            )
    # canonical order: regions in file order, named first, then generated keys
    slots: list[tuple[str, NamedMunicipality | None, str]] = []
    for k, _, c in regions:
        j = 0
        for nm in named_by_region[k]:
            slots.append((k, nm, nm.key))
        for _ in range(c - len(named_by_region[k])):
            j += 1
            while f"{k}_{j:02d}" in keys:
                j += 1
            key = f"{k}_{j:02d}"
            keys.add(key)
            slots.append((k, None, key))
    n = len(slots)
    all_keys = [key for *_, key in slots]
    for key in f.overrides:
        if key not in keys:
            shown = ", ".join(all_keys[:8]) + (", …" if n > 8 else "")
            raise GovsimError(
                f"{source}: key 'overrides.{key}': unknown municipality {key!r}; the "
                f"municipalities are {shown} (named ones by their key, the others "
                "REGION_NN in region order; `govsim population FILE --list` shows them all)"
            )
    # sizes
    seed = f.structure_seed
    fixed = [nm.citizens if nm is not None else None for _, nm, _ in slots]
    free_size = [i for i, c in enumerate(fixed) if c is None]
    drawn = _lognormal_sizes(f.size, len(free_size), stream_rng(seed, STREAM_SIZES))
    citizens = list(fixed)
    for i, c in zip(free_size, drawn, strict=True):
        citizens[i] = int(c)
    noise = stream_rng(seed, STREAM_VOLUME).lognormal(0.0, f.size.volume_sd, n)
    # governance
    free_gov = [i for i, (_, nm, _) in enumerate(slots) if nm is None or nm.scenario is None]
    entry_of = _assign_governance(f, free_gov, source, stream_rng(seed, STREAM_GOVERNANCE))
    draw_rng = stream_rng(seed, STREAM_DRAWS)
    loaded: dict[str, tuple[str, Scenario]] = {}
    ranges = {}
    for gi, e in enumerate(f.governance):
        for name, bounds in e.draw.items():
            where = f"{source}: key 'governance[{gi}].draw.{name}'"
            if bounds is not None and len(bounds) != 2:
                raise GovsimError(
                    f"{where} has value {bounds!r}: give [low, high] or null (the parameter's "
                    "plausible range, `govsim params`)"
                )
            ranges[(gi, name)] = resolve_range(name, *(bounds or (None, None)), where=where)
    members: list[Municipality] = []
    for i, (region, nm, key) in enumerate(slots):
        items: list[tuple[str, str, Any]] = []  # (the file's key that gave it, name, value)
        if nm is not None and nm.scenario is not None:
            ni = f.named.index(nm)
            ref, where = nm.scenario, f"{source}: key 'named[{ni}].scenario'"
        else:
            gi = entry_of[i]
            e = f.governance[gi]
            ref, where = e.scenario, f"{source}: key 'governance[{gi}].scenario'"
            items += [(f"governance[{gi}].set.{k}", k, v) for k, v in e.set.items()]
            for name in e.draw:
                value = ranges[(gi, name)].from_unit(float(draw_rng.random()))
                items.append((f"governance[{gi}].draw.{name}", name, value))
        items += [(f"overrides.{key}.{k}", k, v) for k, v in f.overrides.get(key, {}).items()]
        if ref not in loaded:
            loaded[ref] = _load(ref, directory, where)
        label, base = loaded[ref]
        if params:
            items += [(_OVERRIDE, k, v) for k, v in _applicable(base, params).items()]
        size = (
            {}
            if nm is not None and nm.size == "scenario"
            else size_overrides(f.size, base, int(citizens[i]), float(noise[i]))
        )
        sc = _apply(base, size, items, source, key, label)
        mp = sc.parameters.municipality
        members.append(
            Municipality(i, key, region, label, sc, int(mp.citizens), float(mp.task_volume_dkk))
        )
    start = {m.scenario.start_year for m in members}
    if len(start) > 1:
        raise GovsimError(
            f"{source}: the municipalities' scenarios start in different years "
            f"({', '.join(map(str, sorted(start)))}); the municipalities of a population step "
            "together, so their scenarios must share start_year"
        )
    if f.years is None:
        spans = {m.scenario.years for m in members}
        if len(spans) > 1:
            raise GovsimError(
                f"{source}: the municipalities' scenarios run for different numbers of years "
                f"({', '.join(map(str, sorted(spans)))}); give key 'years'"
            )
        years = spans.pop()
    else:
        years = f.years
    return Population(
        name=f.name,
        source=source,
        municipalities=tuple(members),
        regions=tuple((k, name) for k, name, _ in regions),
        years=int(years),
        start_year=int(start.pop()),
        spec=f.model_dump(mode="json", by_alias=True),
        markets=_region_markets(f, source, members),
        networks=_networks(f, source, members),
        diffusion=_diffusion(f, source, members, directory, int(years), params),
    )


_OVERRIDE = "override"  # the "where" of an override's item (``_apply``'s message)


def _check_used(params: dict[str, Any], scenarios: list[Scenario], source: str) -> None:
    """A rule's parameter that no municipality's scenario (nor diffusion target) uses changes
    nothing: refused, naming the rules they use."""
    from sim.overrides import show

    used = [_applicable(sc, params) for sc in scenarios]
    for name, value in params.items():
        if not any(name in u for u in used):
            rules = sorted(
                {r.rule for sc in scenarios for reg in sc.regime_list() for r in reg.rules}
            )
            raise GovsimError(
                f"override {name}={show(value)}: parameter {name!r} belongs to rule "
                f"{name.split('.', 1)[0]!r}, which no municipality of population {source} uses "
                f"(their rules: {', '.join(rules)})"
            )


def _diffusion(
    f: PopulationFile,
    source: str,
    members: list[Municipality],
    directory: Path,
    years: int,
    params: dict[str, Any] | None = None,
) -> Diffusion | None:
    """The built diffusion block: each target's model loaded (its last regime's rules, with
    the rule parameters of `params` it has), the models it may replace known, switches within
    the run. `params`: also checked to change something in some municipality or target."""
    d = f.diffusion
    if d is None or not d.enabled:
        if params:
            _check_used(params, [m.scenario for m in members], source)
        return None
    start_year = members[0].scenario.start_year
    first, last = start_year + 1, start_year + years - 1
    start = first if d.start is None else d.start
    if not first <= start <= last:
        raise GovsimError(
            f"{source}: key 'diffusion.start' has value {d.start}: a switch takes effect at the "
            f"start of a year after the first, so start must lie in {first}–{last} (start_year "
            f"{start_year}, years {years})"
            if first <= last
            else f"{source}: key 'diffusion' is given, but a run of {years} year(s) has no year "
            "boundary at which a municipality could switch; give years ≥ 2 or remove 'diffusion'"
        )
    labels = {m.preset for m in members}
    targets: list[Target] = []
    loaded: list[Scenario] = []
    for i, t in enumerate(d.targets):
        where = f"{source}: key 'diffusion.targets[{i}].model'"
        label, sc = _load(t.model, directory, where)
        loaded.append(sc)
        if params and _applicable(sc, params):
            from sim.overrides import apply_set

            sc = apply_set(
                sc, _applicable(sc, params), source=f"override (diffusion target {label!r})"
            )
        if any(x.model == label for x in targets):
            raise GovsimError(
                f"{where} has value {t.model!r}: each model is a target once (give it several "
                "'from' models instead)"
            )
        targets.append(
            Target(
                model=label,
                rules=tuple(sc.regime_list()[-1].rules),
                sources=tuple(t.from_),
                base_rate=t.base_rate,
                imitation_weight=t.imitation_weight,
                satisfaction_weight=t.satisfaction_weight,
                cost_weight=t.cost_weight,
                dissatisfaction_weight=t.dissatisfaction_weight,
                fiscal_weight=t.fiscal_weight,
                colour_weight=t.colour_weight,
            )
        )
    if params:
        _check_used(params, [m.scenario for m in members] + loaded, source)
    known = sorted(labels | {t.model for t in targets})
    for i, t in enumerate(targets):
        for j, src in enumerate(t.sources):
            if src not in known:
                raise GovsimError(
                    f"{source}: key 'diffusion.targets[{i}].from[{j}]' has value {src!r}: no "
                    f"municipality runs or can adopt that model; the models are "
                    f"{', '.join(known)}"
                )
            if src == t.model:
                raise GovsimError(
                    f"{source}: key 'diffusion.targets[{i}].from[{j}]' has value {src!r}: a "
                    "model cannot be adopted by its own municipalities; list the models that "
                    "switch to it"
                )
    return Diffusion(start, tuple(targets), int(d.min_years), bool(d.join_networks))


def _networks(f: PopulationFile, source: str, members: list[Municipality]) -> tuple[Network, ...]:
    """The benchmarking networks: members by scenario and by key; a municipality in at most
    one network; at least two members each."""
    keys = {m.key: m.index for m in members}
    labels = sorted({m.preset for m in members})
    taken: dict[int, str] = {}
    out = []
    seen: set[str] = set()
    for i, n in enumerate(f.networks):
        where = f"{source}: key 'networks[{i}]"
        if n.key in seen:
            raise GovsimError(f"{where}.key' has value {n.key!r}: each network key once")
        seen.add(n.key)
        chosen: set[int] = set()
        for j, sc in enumerate(n.scenarios):
            if sc not in labels:
                raise GovsimError(
                    f"{where}.scenarios[{j}]' has value {sc!r}: no municipality runs it; the "
                    f"population's scenarios are {', '.join(labels)}"
                )
            chosen |= {m.index for m in members if m.preset == sc}
        for j, k in enumerate(n.municipalities):
            if k not in keys:
                shown = ", ".join(list(keys)[:8]) + (", …" if len(keys) > 8 else "")
                raise GovsimError(
                    f"{where}.municipalities[{j}]' has value {k!r}: unknown municipality; the "
                    f"municipalities are {shown}"
                )
            chosen.add(keys[k])
        if len(chosen) < 2:
            raise GovsimError(
                f"{where}' (network {n.key!r}) has {len(chosen)} member(s): a benchmarking "
                "network needs at least 2 municipalities (give 'scenarios' and/or "
                "'municipalities')"
            )
        for idx in sorted(chosen):
            if idx in taken:
                raise GovsimError(
                    f"{where}' (network {n.key!r}): municipality {members[idx].key!r} is "
                    f"already in network {taken[idx]!r}; a municipality is in at most one network"
                )
            taken[idx] = n.key
        named = tuple(sorted(keys[k] for k in n.municipalities))
        out.append(
            Network(
                n.key,
                tuple(sorted(chosen)),
                int(n.lag_reduction_years),
                n.transfer_rate,
                tuple(n.scenarios),
                named,
            )
        )
    return tuple(out)


def _market_values(sc: Scenario) -> dict[str, Any]:
    """The parameters a shared market reads from its municipalities' scenarios: the ``market``
    group and each task type's market thickness."""
    p = sc.parameters
    out = {f"market.{k}": v for k, v in p.market.model_dump().items()}
    out.update({f"tasks.{k}": v for k, v in p.tasks.model_dump().items() if "thickness" in k})
    return out


def _region_markets(
    f: PopulationFile, source: str, members: list[Municipality]
) -> tuple[RegionMarket, ...]:
    """Each region's market: its kind (the region's 'market', else the file's) and, for a
    shared one, its firms (the region's 'firms', else size.regional_firms_share × the members'
    own pools, at least market.min_firms). The members of a shared market must agree on the
    parameters it reads."""
    specs = f.regions or [None] * len({m.region for m in members})
    keys = list(dict.fromkeys(m.region for m in members))
    out = []
    for i, (key, r) in enumerate(zip(keys, specs, strict=True)):
        kind = (r.market if r is not None else None) or f.market
        mine = [m for m in members if m.region == key]
        if kind == "local":
            if r is not None and r.firms is not None:
                raise GovsimError(
                    f"{source}: key 'regions[{i}].firms' has value {r.firms} (region {key!r}): "
                    "a region with market: local has no shared market to size; remove 'firms' "
                    "or give the region market: regional"
                )
            out.append(RegionMarket("local"))
            continue
        if r is not None and r.firms == 0:
            raise GovsimError(
                f"{source}: key 'regions[{i}].firms' has value 0: region {key!r} would have no "
                "market (market: regional needs at least 1 firm); give firms ≥ 1, leave it out "
                "(size.regional_firms_share of the municipalities' own pools) or give the region "
                "market: local"
            )
        first = _market_values(mine[0].scenario)
        for m in mine[1:]:
            other = _market_values(m.scenario)
            diff = next((k for k in first if first[k] != other[k]), None)
            if diff is not None:
                raise GovsimError(
                    f"{source}: key 'regions[{i}]' (region {key!r}) has market: regional, but "
                    f"its municipalities differ on {diff}, which the shared market reads: "
                    f"{mine[0].key!r} has {first[diff]!r}, {m.key!r} has {other[diff]!r}; give "
                    f"them the same value, or the region market: local"
                )
        if r is not None and r.firms is not None:
            firms = int(r.firms)
        else:
            pools = sum(m.scenario.parameters.municipality.contractors for m in mine)
            firms = max(
                int(mine[0].scenario.parameters.market.min_firms),
                int(round(f.size.regional_firms_share * pools)),
            )
        out.append(RegionMarket("regional", firms))
    return tuple(out)


def _why(message: str) -> str:
    """A message of a validation run with source "\0", without that source and its key prefix."""
    first = message.splitlines()[0]
    return re.sub(r"^\0: (key '[^']*' has value .*?: )?", "", first)


def _apply(
    base: Scenario,
    size: dict[str, Any],
    items: list[tuple[str, str, Any]],
    source: str,
    key: str,
    label: str,
) -> Scenario:
    """The municipality's scenario: its size, then the file's items (governance set and draw,
    its overrides), validated together; on failure, item by item, so the message names the key
    of the file that gave the bad value."""
    from sim.overrides import apply_overrides, show

    try:
        return apply_overrides(base, {**size, **{n: v for _, n, v in items}}, source="\0")
    except GovsimError as whole:
        try:
            sc = apply_overrides(base, size, source="\0")
        except GovsimError as e:
            raise GovsimError(
                f"{source}: municipality {key!r} (scenario {label!r}): its size parameters "
                f"{', '.join(f'{k}={show(v)}' for k, v in size.items())} are invalid: {_why(e.message)}"
            ) from None
        for where, name, value in items:
            try:
                sc = apply_overrides(sc, {name: value}, source="\0")
            except GovsimError as e:
                shown = f"{value:.6g}" if isinstance(value, float) else show(value)
                if where == _OVERRIDE:
                    raise GovsimError(
                        f"override {name}={shown}: municipality {key!r} (scenario {label!r}) of "
                        f"population {source}: {_why(e.message)}"
                    ) from None
                raise GovsimError(
                    f"{source}: key '{where}' has value {shown} (municipality {key!r}, scenario "
                    f"{label!r}): {_why(e.message)}"
                ) from None
        raise GovsimError(
            f"{source}: municipality {key!r} (scenario {label!r}): its parameters are invalid "
            f"together: {_why(whole.message)}"
        ) from None
