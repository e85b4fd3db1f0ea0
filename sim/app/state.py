"""What the teaching app shows, kept apart from Solara so it can be tested without a browser.

A ``Session`` holds one or two ``MunicipalityModel``s built from the same seed and the same
slider overrides (the side-by-side mode of issue 5) and advances them together. After every
step it freezes what the page needs into ``RunView`` snapshots, so the page never reads a
model while the play loop is stepping it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from sim.app.config import MAX_SEEDS
from sim.app.events import Event, election_marks, switch_marks, year_events
from sim.errors import GovsimError
from sim.model import MunicipalityModel
from sim.overrides import apply_overrides
from sim.params import Parameters, ParamInfo, resolve_range, schema_index
from sim.rules import RULES
from sim.runner import check_seed, release
from sim.scenario import Scenario, load_scenario, preset_names

# Parameters a teacher is most likely to move (issue 5: "sliders for the key parameters").
# Group parameters apply to every model; a rule's parameter only to models that use the rule.
KEY_PARAMS: tuple[str, ...] = (
    "tendering.share",
    "tendering.floor",
    "tendering.contract_years",
    "fixed_inhouse_share.share",
    "bureaucratic_drift.growth",
    "inspection.share_of_volume",
    "learning_teams.max_teams",
    "trust.initial",
    "politics.expectation_mean",
    "politics.austerity",
    "market.cost_mean",
    "employees.control_effect",
    "employees.participation_effect",
    "municipality.areas",
)

QUARTERS_PER_YEAR = 4


@dataclass(frozen=True)
class Slider:
    """A slider for one schema parameter: range from the plausible range, else the hard bounds."""

    name: str
    unit: str
    doc: str
    low: float
    high: float
    step: float
    kind: str


def slider_for(info: ParamInfo) -> Slider:
    """The slider of one parameter: its ``resolve_range`` (plausible range, else the hard bounds;
    a whole-number parameter moves in steps of 1 over both inclusive ends)."""
    r = resolve_range(info.name, bounds_if_implausible=True, where="slider")
    if r.kind == "int":
        step = 1.0
    else:
        step = 10 ** math.floor(math.log10((r.high - r.low) / 100)) if r.high > r.low else 0.01
    return Slider(info.name, info.unit, info.doc, r.low, r.high, step, r.kind)


def param_parts(name: str) -> tuple[str, str]:
    """A parameter's readable group and field from the registries: the rule's title
    (``RULES``) or the parameter group, and the field ("Tendering", "share")."""
    head, fld = name.split(".", 1)
    group = RULES[head].title if head in RULES else head.replace("_", " ").capitalize()
    return group, fld.replace("_", " ")


def param_title(name: str, lang: str = "en") -> str:
    """ "Tendering: share", "Politics: expectation mean" (or their Danish)."""
    from sim.app.i18n import tr

    group, fld = param_parts(name)
    return f"{tr(group, lang)}: {tr(fld, lang)}"


def key_sliders() -> list[Slider]:
    index = schema_index()
    return [slider_for(index[n]) for n in KEY_PARAMS]


def scenario_value(sc: Scenario, name: str) -> Any:
    """The value a scenario uses for a dotted parameter (its first regime that has the rule)."""
    head, fld = name.split(".", 1)
    if head in Parameters.model_fields:
        return getattr(getattr(sc.parameters, head), fld)
    for reg in sc.regime_list():
        for r in reg.rules:
            if r.rule == head:
                return getattr(r, fld)
    return None


def configure_each(refs: list[str], overrides: list[dict[str, Any]]) -> list[Scenario]:
    """Like ``configure``, with each model's own slider values (``overrides[i]`` for ``refs[i]``)."""
    return [configure([ref], ov)[0] for ref, ov in zip(refs, overrides, strict=True)]


def model_title(ref: str, lang: str = "en") -> str:
    """How the page names a model: a preset or teaching variant by its display name from the
    preset registry (its ``title``, in the page's language), a file by its file name (an
    edited copy of a preset is not the preset)."""
    from sim.app.i18n import tr

    if ref in preset_names() or ref in TEACHING_VARIANTS:
        title = _preset_title(ref)
        return tr(title, lang) if title else ref
    from pathlib import Path

    return Path(ref).name


@cache
def _preset_title(ref: str) -> str:
    return load_scenario(teaching_scenario(ref) if ref in TEACHING_VARIANTS else ref).title


def short_title(title: str) -> str:
    """A display name without its parenthesis, for legends ("BUM (purchaser–provider
    split)" → "BUM")."""
    return title.split(" (", 1)[0] if " (" in title else title


def configure(refs: list[str], overrides: dict[str, Any]) -> list[Scenario]:
    """Load the chosen scenarios and apply the slider values each one uses.

    Raises GovsimError (with the schema's message) if a combination is not allowed.
    """
    out = []
    for ref in refs:
        sc = load_scenario(teaching_scenario(ref) if ref in TEACHING_VARIANTS else ref)
        mine = {k: v for k, v in overrides.items() if sc.uses_parameter(k)}
        out.append(apply_overrides(sc, mine, source=f"sliders for {sc.name}"))
    return out


# ---------------------------------------------------------------- teaching variants
def _without_guarantee() -> dict[str, Any]:
    """The model municipality with its no-tendering guarantee replaced by ordinary tendering
    at about the realised national level (E7) — docs/teaching.md, exercise 3."""
    data = load_scenario("model_municipality").model_dump(mode="python", exclude_none=True)
    data["name"] = "model_municipality_tendering"
    data["title"] = "Model municipality, 25 % tendered"
    data["description"] = (
        "The model municipality without its no-tendering guarantee (25 % tendered)."
    )
    data["rules"] = [r for r in data["rules"] if r["rule"] != "no_tendering_guarantee"]
    data["rules"].insert(0, {"rule": "tendering", "share": 0.25})
    return data


TEACHING_VARIANTS = {"model_municipality_tendering": _without_guarantee}


def teaching_scenario(name: str) -> dict[str, Any]:
    return TEACHING_VARIANTS[name]()


def scenario_choices(extra: list[str] | None = None) -> list[str]:
    """Presets, the app's teaching variants, then scenario files named on the command line."""
    return [*preset_names(), *TEACHING_VARIANTS, *(extra or [])]


# ---------------------------------------------------------------- snapshots
@dataclass(frozen=True)
class RuleView:
    key: str
    title: str
    explanation: str
    odd_section: str


@dataclass(frozen=True)
class AreaView:
    """The municipality's areas this quarter, as arrays indexed by area."""

    x: np.ndarray
    y: np.ndarray
    satisfaction: np.ndarray
    expectation: np.ndarray
    quality: np.ndarray
    staff: np.ndarray
    flagged: np.ndarray
    team: np.ndarray
    status: np.ndarray
    inhouse: np.ndarray  # volume-weighted in-house fraction
    contractors: tuple[tuple[str, ...], ...]  # firm labels serving each area
    surveyed: bool  # False before the first year-end survey


@dataclass(frozen=True)
class RunView:
    label: str
    scenario: str
    quarter: int  # quarters simulated so far (0 = not started)
    calendar_year: int  # of the last simulated quarter (of the first, before any step)
    quarter_of_year: int  # 1–4, of the last simulated quarter
    running: bool
    rows: tuple[dict[str, float], ...]
    areas: AreaView
    rules: tuple[RuleView, ...]
    regime: int
    start_year: int
    n_years: int
    events: tuple[tuple[Event, ...], ...] = ()  # per recorded year (``sim.app.events``)
    switches: tuple[tuple[float, str], ...] = ()  # regime switches so far: (year, label)
    elections: tuple[int, ...] = ()  # election years reached
    description: str = ""
    band: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
    seeds: int = 1

    @property
    def n_quarters(self) -> int:
        return self.n_years * QUARTERS_PER_YEAR

    @property
    def now(self) -> str:
        """The quarter last simulated ("2011 Q2"), or "start" before the first step."""
        return f"{self.calendar_year} Q{self.quarter_of_year}" if self.quarter else "start"


def rule_views(keys: list[str]) -> tuple[RuleView, ...]:
    return tuple(
        RuleView(k, RULES[k].title, RULES[k].explanation, RULES[k].odd_section()) for k in keys
    )


def area_view(m: MunicipalityModel) -> AreaView:
    a, pk = m.areas, m.packages
    vol = np.bincount(pk.area, weights=pk.volume, minlength=m.n_areas)
    private = np.bincount(pk.area, weights=pk.volume * pk.private, minlength=m.n_areas)
    label = {f.unique_id: f"F{i + 1}" for i, f in enumerate(m.market.firms)}
    firms = []
    for i in range(m.n_areas):
        ids = pk.contractor[(pk.area == i) & (pk.contractor >= 0) & (pk.private > 0)]
        firms.append(tuple(sorted({label[int(c)] for c in ids}, key=lambda s: int(s[1:]))))
    return AreaView(
        x=a.x.copy(),
        y=a.y.copy(),
        satisfaction=a.satisfaction.copy(),
        expectation=a.expectation.copy(),
        quality=a.quality.copy(),
        staff=a.staff_assessment.copy(),
        flagged=a.flagged.copy(),
        team=a.team.copy() if m.t % QUARTERS_PER_YEAR else _last_teams(m),
        status=a.status.copy(),
        inhouse=1.0 - private / vol,
        contractors=tuple(firms),
        surveyed=bool(m.rows),
    )


def _last_teams(m: MunicipalityModel) -> np.ndarray:
    """Teams are cleared at year end; show the ones the last year formed (from its area record)."""
    if not m.area_rows:
        return np.zeros(m.n_areas, dtype=bool)
    rec = m.area_rows[-1]
    out = np.zeros(m.n_areas, dtype=bool)
    out[rec["area"][rec["learning_team"]]] = True
    return out


def run_view(
    label: str, m: MunicipalityModel, events: tuple[tuple[Event, ...], ...] = ()
) -> RunView:
    last = max(m.t - 1, 0)  # the quarter just simulated
    return RunView(
        label=label,
        scenario=m.scenario.name,
        quarter=m.t,
        calendar_year=m.start_year + last // QUARTERS_PER_YEAR,
        quarter_of_year=last % QUARTERS_PER_YEAR + 1,
        running=m.running,
        rows=tuple(m.rows),
        areas=area_view(m),
        rules=rule_views([type(r).key for r in m.active]),
        regime=m.regime_index,
        start_year=m.start_year,
        n_years=m.years,
        events=events,
        switches=switch_marks(m),
        elections=election_marks(m),
        description=scenario_description(m.scenario),
    )


def scenario_description(sc: Scenario) -> str:
    """The scenario's one-line description (its registry text), or its name."""
    return " ".join(sc.description.split()) or sc.name


@dataclass
class Session:
    """One browser tab's models: one or two scenarios on the same seed, stepped together."""

    scenarios: list[Scenario]
    seed: int = 0
    years: int | None = None
    seeds: int = 1  # > 1: every scenario also runs on seeds seed+1 … seed+seeds−1 (mean and band)
    titles: list[str] | None = None  # how the page names each model (default: scenario names)
    extra: list[list[MunicipalityModel]] = field(default_factory=list)
    models: list[MunicipalityModel] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: per language, per model: each recorded year's events
    events_by_lang: dict[str, list[list[tuple[Event, ...]]]] = field(default_factory=dict)

    LABELS = ("A", "B")

    def __post_init__(self) -> None:
        if not 1 <= len(self.scenarios) <= 2:
            raise GovsimError(f"the app shows one or two models, got {len(self.scenarios)}")
        self.seed = check_seed(self.seed)
        if not 1 <= self.seeds <= MAX_SEEDS:
            raise GovsimError(f"seeds has value {self.seeds}: it must be 1–{MAX_SEEDS}")
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.close_models()
            self.models = [
                MunicipalityModel(sc, seed=self.seed, years=self.years) for sc in self.scenarios
            ]
            self.events_by_lang = {}
            self.extra = [
                [
                    MunicipalityModel(sc, seed=self.seed + k, years=self.years, collect=False)
                    for k in range(1, self.seeds)
                ]
                for sc in self.scenarios
            ]

    def close_models(self) -> None:
        for m in [*self.models, *(x for ms in self.extra for x in ms)]:
            release(m)
        self.models, self.extra = [], []

    @property
    def running(self) -> bool:
        return any(m.running for m in self.models)

    def step(self, quarters: int = 1) -> None:
        """Advance every model by `quarters` quarters (fewer at the end of the run)."""
        with self.lock:
            every = [*self.models, *(x for ms in self.extra for x in ms)]
            for _ in range(quarters):
                for m in every:
                    if m.running:
                        m.step()

    @property
    def finished(self) -> bool:
        return not self.running

    def views(self, titles: list[str] | None = None, lang: str = "en") -> tuple[RunView, ...]:
        """Snapshots of the models, labelled "A: <title>" (`titles`, else ``self.titles``,
        else the scenario names), their event logs in `lang`."""
        with self.lock:
            out = []
            titles = titles or self.titles or [m.scenario.name for m in self.models]
            logs = self.events_by_lang.setdefault(lang, [[] for _ in self.models])
            for i, (lab, m, ev) in enumerate(zip(self.LABELS, self.models, logs, strict=False)):
                while len(ev) < len(m.rows):  # each year's events, computed once per language
                    ev.append(year_events(m, len(ev), lang))
                v = run_view(f"{lab}: {titles[i]}", m, tuple(ev))
                if self.extra and self.extra[i]:
                    v = with_band(v, [m, *self.extra[i]])
                out.append(v)
            return tuple(out)


def with_band(v: RunView, models: list[MunicipalityModel]) -> RunView:
    """The view with its yearly rows replaced by their mean over `models` (one per seed) and a
    band (lowest and highest seed) for every numeric column."""
    n = min(len(m.rows) for m in models)
    if n == 0:
        return replace(v, seeds=len(models), band={})
    cols = [c for c, x in models[0].rows[0].items() if isinstance(x, int | float) and c != "year"]
    data = np.array([[[m.rows[y][c] for c in cols] for y in range(n)] for m in models], float)
    mean, low, high = data.mean(axis=0), data.min(axis=0), data.max(axis=0)
    rows = tuple(
        {"year": v.rows[y]["year"], **{c: float(mean[y, j]) for j, c in enumerate(cols)}}
        for y in range(n)
    )
    band = {c: (low[:, j], high[:, j], mean[:, j]) for j, c in enumerate(cols)}
    return replace(v, rows=rows, band=band, seeds=len(models))
