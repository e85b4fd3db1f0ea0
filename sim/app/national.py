"""The teaching app's national view (issue 12): a shipped population of municipalities run for
a seed, frozen into a ``NationalView`` the page draws year by year. Kept apart from Solara (like
``sim.app.state``) so it can be tested without a browser.

What the view holds: every municipality's governance model and three outcomes (tendered share,
administrative overhead, citizen satisfaction) in every year, in a fixed order (by region as
the population file lists them, then by inhabitants, largest first), and the national lines
over time — the national exposure share, administrative overhead and citizen satisfaction
(``national`` table) and the municipalities per governance model (``adoption`` table). Labels
and units come from the output registry (``sim.outputs``); the exposure share's band is E7's,
taken from the national check that tests it (``sim.validation.national``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sim.errors import GovsimError, check_seed, check_years

#: the yearly outcomes a municipality's tile can be coloured by (``tile`` colouring "model" =
#: its governance model), with the colour map of each (high = good: green)
TILE_OUTCOMES: dict[str, str] = {
    "tendered_share": "YlOrBr",
    "admin_overhead_share": "RdYlGn_r",
    "citizen_satisfaction": "RdYlGn",
}
#: the national lines over time: (key, table, column); "models" = municipalities per model
NATIONAL_LINES: tuple[tuple[str, str, str], ...] = (
    ("exposure", "national", "exposed_share"),
    ("overhead", "national", "admin_overhead_share"),
    ("satisfaction", "national", "citizen_satisfaction"),
    ("models", "adoption", "municipalities"),
)
MIN_YEARS = 2  # the years slider's low end: a line needs two years
#: the quantiles of a tile outcome (over every municipality and year) its colour scale spans
SCALE_QUANTILES = (0.02, 0.98)


def national_choices() -> list[str]:
    """The shipped populations (``scenarios/populations/*.yaml``), in name order."""
    from sim.population.spec import population_names

    return population_names()


@cache
def population_info(name: str) -> tuple[str, int, int, int]:
    """A shipped population's description, municipalities, regions and default years."""
    from sim.population import load_population

    pop = load_population(name)
    desc = " ".join(str(pop.spec.get("description", "")).split())
    return desc, len(pop), len(pop.regions), pop.years


@dataclass(frozen=True)
class E7Band:
    """The band of the national exposure share the sources give (E7), and its years."""

    low: float
    high: float
    first: int
    last: int
    source: str


def band_text(band: E7Band, lang: str = "en") -> str:
    """ "25–28%" (Danish "25–28 %"), as the app writes a percentage."""
    from sim.app.i18n import num, pct

    return f"{num(band.low * 100, lang, 0)}–{pct(band.high * 100, lang, 0)}"


def e7_band() -> E7Band:
    """E7's band, from the national check N1 that tests it (so the app and
    ``govsim validate`` show one band)."""
    from sim.validation.national import E7_YEARS, NATIONAL_CHECKS

    n1 = next(c for c in NATIONAL_CHECKS if c.id == "N1")
    return E7Band(float(n1.low), float(n1.high), E7_YEARS[0], E7_YEARS[1], n1.source)


@dataclass(frozen=True)
class NationalView:
    """One national run as the page shows it. Arrays are indexed [year, municipality] in the
    view's order (``keys``); ``national`` and ``per_model`` by year."""

    name: str
    seed: int
    years: tuple[int, ...]  # calendar years
    regions: tuple[tuple[str, str], ...]  # (key, display name) in file order
    keys: tuple[str, ...]  # municipality keys, by region then inhabitants (largest first)
    region_of: tuple[str, ...]
    citizens: np.ndarray  # per municipality
    models: tuple[str, ...]  # every model assigned or adoptable, canonical order
    model: np.ndarray  # [year, municipality] → index into ``models``
    switched: np.ndarray  # [year, municipality]: adopted another model at this year's start
    values: dict[str, np.ndarray]  # TILE_OUTCOMES column → [year, municipality]
    national: dict[str, np.ndarray]  # national column → per year
    per_model: dict[str, np.ndarray]  # model → municipalities running it, per year
    adopted: dict[str, np.ndarray]  # model → municipalities adopting it at the year's start

    @property
    def n(self) -> int:
        return len(self.keys)

    def year_index(self, year: int) -> int:
        """The position of calendar `year` (clipped to the run's years)."""
        return int(np.clip(year - self.years[0], 0, len(self.years) - 1))

    def members(self, region: str) -> np.ndarray:
        """Positions of the region's municipalities in the view's order."""
        return np.flatnonzero(np.asarray(self.region_of) == region)

    def counts(self, year_i: int, region: str | None = None) -> dict[str, int]:
        """Municipalities per model in year `year_i` (nationally, or in `region`)."""
        idx = self.model[year_i] if region is None else self.model[year_i, self.members(region)]
        return {m: int((idx == k).sum()) for k, m in enumerate(self.models)}

    def scale(self, column: str) -> tuple[float, float]:
        """The colour scale of a tile outcome: from its ``SCALE_QUANTILES`` low to its high
        quantile over every municipality and year — one scale for the whole run, so colours
        compare across years, and not stretched by a rare outlier (a municipality's overhead in
        the year it switches model); values beyond either end take the end's colour."""
        v = self.values[column]
        lo, hi = (float(x) for x in np.nanquantile(v, SCALE_QUANTILES))
        return (lo, hi) if hi > lo else (lo, lo + 1e-9)


def national_view(result: Any, name: str, seed: int, regions) -> NationalView:
    """The view of a ``PopulationResult`` (`regions`: the population's (key, name) pairs)."""
    munis = result.municipalities
    order_region = {k: i for i, (k, _) in enumerate(regions)}
    m = munis.assign(_r=munis["region"].map(order_region), _pos=np.arange(len(munis)))
    m = m.sort_values(["_r", "citizens", "_pos"], ascending=[True, False, True], kind="stable")
    keys = tuple(m["municipality"])
    pos = {k: i for i, k in enumerate(keys)}
    y = result.yearly
    years = tuple(int(v) for v in sorted(y["year"].unique()))
    yi = y["year"].to_numpy() - years[0]
    mi = y["municipality"].map(pos).to_numpy()
    shape = (len(years), len(keys))
    models = tuple(dict.fromkeys(result.adoption["model"])) or tuple(dict.fromkeys(y["model"]))
    model_pos = {mod: k for k, mod in enumerate(models)}
    model = np.full(shape, -1, dtype=int)
    model[yi, mi] = y["model"].map(model_pos).to_numpy()
    switched = np.zeros(shape, dtype=bool)
    switched[1:] = model[1:] != model[:-1]
    values = {}
    for col in TILE_OUTCOMES:
        a = np.full(shape, np.nan)
        a[yi, mi] = y[col].to_numpy(dtype=float)
        values[col] = a
    nat = result.national.sort_values("year")
    national = {
        col: nat[col].to_numpy(dtype=float)
        for _, table, col in NATIONAL_LINES
        if table == "national"
    }
    ad = result.adoption
    per_model, adopted = {}, {}
    for mod in models:
        g = ad[ad["model"] == mod].sort_values("year")
        per_model[mod] = g["municipalities"].to_numpy(dtype=int)
        adopted[mod] = g["adopted"].to_numpy(dtype=int)
    return NationalView(
        name=name,
        seed=seed,
        years=years,
        regions=tuple((str(k), str(v)) for k, v in regions),
        keys=keys,
        region_of=tuple(m["region"]),
        citizens=m["citizens"].to_numpy(dtype=int),
        models=models,
        model=model,
        switched=switched,
        values=values,
        national=national,
        per_model=per_model,
        adopted=adopted,
    )


def check_request(name: str, seed: Any, years: Any) -> tuple[str, int, int | None]:
    """A national run's population, seed and years as the page gives them, or GovsimError
    with one message naming what is wrong and what is allowed."""
    choices = national_choices()
    if name not in choices:
        raise GovsimError(
            f"population has value {name!r}: it must be one of {', '.join(choices) or '—'}"
        )
    if isinstance(seed, str):
        text = seed.strip()
        if not text.isdigit():
            raise GovsimError(f"seed has value {text!r}: it must be a whole number ≥ 0")
        seed = int(text)
    seed = check_seed(seed)
    years = check_years(years)
    if years is not None and years < MIN_YEARS:
        raise GovsimError(f"years has value {years}: the national view needs at least {MIN_YEARS}")
    return name, seed, years


def run_national(name: str, seed: Any = 0, years: Any = None) -> NationalView:
    """Run a shipped population for `seed` (and `years`, default the population's) → its view.
    One process: a national run costs a few seconds; the page calls this off its UI thread."""
    from sim.population import load_population, run_population

    name, seed, years = check_request(name, seed, years)
    pop = load_population(name)
    result = run_population(pop, seed=seed, years=years)
    return national_view(result, name, seed, pop.regions)
