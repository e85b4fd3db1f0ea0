"""Running a population: one ``MunicipalityModel`` per municipality, stepped in lockstep, quarter
by quarter, region by region; the per-municipality yearly table, the national aggregates and
the regional markets' table.

A region whose market is regional (``market: regional``, the default) has one shared contractor
market (``sim.population.market.RegionalMarket``): its municipalities tender in it in an order
drawn each year from the market's own stream, and ``Region.step`` settles it once a year after
all of them. A region with ``market: local`` steps independent municipalities, each with its own
market, exactly as ``sim.run``. Either way a region's models live in one process, so a national
run split by region over worker processes gives the same tables on any worker count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.atomic import atomic_directory
from sim.errors import GovsimError, check_seed, check_years
from sim.outputs import columns
from sim.population.diffusion import STREAM_DIFFUSION
from sim.population.spec import (
    STREAM_MARKETS,
    Municipality,
    Network,
    Population,
    RegionMarket,
    load_population,
)
from sim.provenance import git_commit, versions
from sim.seeds import derive_seeds

#: identity columns put before the yearly columns of every municipality × year row
ID_COLUMNS = columns("population")
NATIONAL_COLUMNS = columns("national")
MUNICIPALITY_COLUMNS = columns("municipalities")
MARKET_COLUMNS = columns("markets")
ADOPTION_COLUMNS = columns("adoption")


class Region:
    """The municipalities of one region, stepped together: every model does quarter t before any
    does quarter t + 1. With a shared market (`market` kind ``regional``) the models buy from
    one ``RegionalMarket`` seeded `market_seed`: they are built (each tendering its warm-start
    contracts) and step each year in an order the market's stream draws, and the market is
    settled after the last quarter of every year of all of them."""

    def __init__(
        self,
        key: str,
        members: Sequence[Municipality],
        seeds: Sequence[int],
        years: int,
        market: RegionMarket | None = None,
        market_seed: int = 0,
    ) -> None:
        from sim.model import MunicipalityModel

        self.key = key
        self.members = list(members)
        self.t = 0
        n = len(self.members)
        self.host = None
        if market is None or market.kind == "local":
            self.models = [
                MunicipalityModel(m.scenario, seed=s, years=years, collect=False)
                for m, s in zip(self.members, seeds, strict=True)
            ]
            self.order = np.arange(n)
            return
        from sim.population.market import RegionalMarket

        first = self.members[0].scenario
        self.host = RegionalMarket(
            key, first.parameters, market.firms, market_seed, first.start_year
        )
        models: list[Any] = [None] * n
        for i in self.host.order(n):  # warm-start tenders, in a drawn order
            m = self.members[i]
            models[i] = MunicipalityModel(
                m.scenario, seed=seeds[i], years=years, collect=False, market=self.host.market
            )
        self.models = models
        self.order = np.arange(n)

    @property
    def running(self) -> bool:
        return any(m.running for m in self.models)

    def step(self) -> None:
        """One quarter of every municipality of the region; with a shared market, in this
        year's order, and after the last quarter of a year the market is settled."""
        host = self.host
        if host is None:
            for m in self.models:
                m.step()
            self.t += 1
            return
        if self.t % 4 == 0:
            self.order = host.order(len(self.models))
        for i in self.order:
            self.models[i].step()
        if self.t % 4 == 3:
            host.settle(int(self.models[0].calendar_year))
        self.t += 1

    def market_rows(self) -> pd.DataFrame | None:
        """The shared market's yearly rows (None: local markets); releases its host."""
        if self.host is None:
            return None
        from sim.runner import release

        rows = pd.DataFrame(self.host.rows)
        release(self.host)
        self.host = None
        return pd.concat([pd.DataFrame({"region": self.key}, index=rows.index), rows], axis=1)

    def yearly(
        self,
        history: Sequence[Sequence[tuple[str, str]]] | None = None,
        network_of: dict[int, str] | None = None,
    ) -> list[pd.DataFrame]:
        """Each municipality's yearly table with its identity columns — its model and network
        in each year from `history` (by position; None: its preset, and its network in
        `network_of`, throughout) — and releases the models."""
        from sim.runner import release, tables

        out = []
        for mun, model in zip(self.members, self.models, strict=True):
            try:
                y = tables(model, ("yearly",))["yearly"]
            finally:
                release(model)
            if history is None:
                models, nets = mun.preset, (network_of or {}).get(mun.index, "")
            else:
                models = [h[0] for h in history[mun.index][: len(y)]]
                nets = [h[1] for h in history[mun.index][: len(y)]]
            ids = {
                "municipality": mun.key,
                "region": mun.region,
                "preset": mun.preset,
                "model": models,
                "network": nets,
                "seed": model.seed_value,
            }
            out.append(pd.concat([pd.DataFrame(ids, index=y.index), y], axis=1))
        self.models = []
        return out


def step_regions(
    regions: Sequence[Region], networks: Sequence[Network] = (), diffusion: Any = None
) -> None:
    """Step every region in lockstep until all models have run their quarters; after the last
    quarter of every year the benchmarking networks exchange (``sim.population.network``) and,
    with a ``DiffusionState`` (`diffusion`), the municipalities decide whether to adopt another
    governance model from the next year on (``sim.population.diffusion``)."""
    from sim.population.network import exchange

    model_of = {m.index: mod for r in regions for m, mod in zip(r.members, r.models, strict=True)}
    ordered = [model_of[i] for i in sorted(model_of)]
    groups = [(list(n.members), n) for n in networks]
    t = 0
    while any(r.running for r in regions):
        for r in regions:
            r.step()
        t += 1
        if t % 4 == 0:
            if diffusion is not None:
                groups = diffusion.groups()
            for members, n in groups:
                exchange([model_of[i] for i in members], n.lag_reduction_years, n.transfer_rate)
            if diffusion is not None:
                diffusion.year_end(ordered, int(ordered[0].calendar_year))


def run_regions(task: tuple[Any, ...]) -> Any:
    """The unit of parallel work (picklable): whole regions of one national run, stepped together
    → (run position, (each row's municipality index, the municipalities' yearly tables as one,
    ``_joined``), [(region key, market rows), …]).
    With diffusion (the task's last item: (Diffusion, national seed), or None) the unit holds
    every region of the run."""
    pos, parts, years, networks, diffusion = task
    regions = [Region(key, members, seeds, years, mk, ms) for key, members, seeds, mk, ms in parts]
    state = None
    if diffusion is not None:
        from sim.population.diffusion import DiffusionState

        members = sorted((m for r in regions for m in r.members), key=lambda m: m.index)
        state = DiffusionState(diffusion[0], members, networks, diffusion[1])
    step_regions(regions, networks, state)
    out, markets = [], []
    for r in regions:
        markets.append((r.key, r.market_rows()))
        history = None if state is None else state.history
        yearly = r.yearly(history, {i: n.key for n in networks for i in n.members})
        out += [(m.index, y) for m, y in zip(r.members, yearly, strict=True)]
    return pos, _joined(out), markets


def _joined(parts: list[tuple[int, pd.DataFrame]]) -> tuple[np.ndarray, pd.DataFrame]:
    """A unit's municipality tables as one table and each row's municipality index: one frame
    to send back and keep instead of one per municipality (a batch's parent held ≈ 20,000
    small frames, which slowed its garbage collector and its final concatenation)."""
    idx = np.repeat([i for i, _ in parts], [len(y) for _, y in parts])
    return idx, pd.concat([y for _, y in parts], ignore_index=True)


def _assemble(units: list[tuple[np.ndarray, pd.DataFrame]], n: int) -> pd.DataFrame:
    """One run's yearly table from its units' joined tables: the rows of municipality 0, 1, …
    n − 1 in turn, each municipality's years in order — the table of one concatenation of the
    municipalities' tables in index order."""
    idx = np.concatenate([i for i, _ in units])
    counts = np.bincount(idx, minlength=n)
    if counts.size != n or counts.min() != counts.max():  # each municipality once, all years
        raise RuntimeError(f"a national run returned municipalities {counts.tolist()} times")
    y = units[0][1] if len(units) == 1 else pd.concat([f for _, f in units], ignore_index=True)
    order = np.argsort(idx, kind="stable")
    if np.array_equal(order, np.arange(order.size)):
        return y
    return y.iloc[order].reset_index(drop=True)


def _chunk(task: list[Any]) -> list[Any]:
    """Backends map a function over chunks (lists); one task per chunk."""
    return [run_regions(t) for t in task]


@dataclass
class PopulationResult:
    """The tables of one national run (or of a national batch: then ``seed`` is the national
    seed of each row's run, and ``yearly`` also carries ``run_seed``)."""

    yearly: pd.DataFrame  # one row per municipality × year
    national: pd.DataFrame  # one row per year (per run seed in a batch)
    municipalities: pd.DataFrame  # one row per municipality: region, scenario, size, seed
    manifest: dict[str, Any] = field(default_factory=dict)
    markets: pd.DataFrame = field(  # one row per regional market × year
        default_factory=lambda: pd.DataFrame(columns=list(MARKET_COLUMNS))
    )
    adoption: pd.DataFrame = field(  # one row per year × governance model
        default_factory=lambda: pd.DataFrame(columns=list(ADOPTION_COLUMNS))
    )

    TABLES = ("yearly", "national", "municipalities", "markets", "adoption")

    def write(self, out: str | Path, csv: bool = True, figure: bool = True) -> Path:
        """Parquet (and CSV) tables (yearly, national, municipalities, markets, adoption),
        manifest.json and (`figure`) distributions.png and adoption.png into `out`,
        atomically (a temp dir renamed into place)."""
        out = Path(out)
        with atomic_directory(out) as tmp:
            if figure:
                from sim.population.figures import write_adoption, write_distribution

                name = str(self.manifest.get("name", ""))
                write_distribution(self.yearly, tmp, name)
                write_adoption(self.adoption, tmp, name)
            for name in self.TABLES:
                df = getattr(self, name)
                df.to_parquet(tmp / f"{name}.parquet", index=False)
                if csv:
                    df.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, default=str))
        return out


def municipality_table(pop: Population, seeds: Sequence[int]) -> pd.DataFrame:
    rows = []
    for m, s in zip(pop.municipalities, seeds, strict=True):
        mp = m.scenario.parameters.municipality
        mk = pop.market_of(m.region)
        rows.append(
            {
                "municipality": m.key,
                "region": m.region,
                "preset": m.preset,
                "seed": s,
                "market": mk.kind,
                "network": pop.network_of(m.index),
                "market_firms": mk.firms if mk.kind == "regional" else mp.contractors,
                "citizens": mp.citizens,
                "task_volume_dkk": mp.task_volume_dkk,
                "budget_dkk": mp.budget_dkk,
                "employees": mp.employees,
                "areas": mp.areas,
                "contractors": mp.contractors,
            }
        )
    return pd.DataFrame(rows, columns=list(MUNICIPALITY_COLUMNS))


#: the weight of each trust column's national mean: inhabitants for the citizens' and the
#: council's relations, in-house positions for the staff's, task volume for the relations of
#: buying (a municipality's contracts are a share of its volume)
TRUST_WEIGHTS = {
    "trust_employees_management": "positions",
    "trust_orderer_provider": "_vol",
    "trust_politicians_administration": "_cit",
    "trust_citizens_municipality": "_cit",
    "trust_municipality_contractors": "_vol",
}


def _wmean(x: pd.Series, w: pd.Series) -> float:
    tw = float(w.sum())
    return float((x * w).sum() / tw) if tw > 0 else float("nan")


def national_table(yearly: pd.DataFrame, munis: pd.DataFrame) -> pd.DataFrame:
    """National aggregates per year (per ``run_seed`` too, if the table has one)."""
    vol = munis.set_index("municipality")["task_volume_dkk"]
    cit = munis.set_index("municipality")["citizens"]
    y = yearly.assign(
        _vol=yearly["municipality"].map(vol),
        _cit=yearly["municipality"].map(cit),
        _switch=_switch_flags(yearly)[1],
    )
    keys = ["run_seed", "year"] if "run_seed" in y.columns else ["year"]
    rows = []
    for k, g in y.groupby(keys, sort=True):
        k = k if isinstance(k, tuple) else (k,)
        tenders = float(g["tenders_held"].sum())
        exposed = g["tendered_share"]
        rows.append(
            {
                **dict(zip(keys, k, strict=True)),
                "municipalities": len(g),
                "citizens": int(g["_cit"].sum()),
                "task_volume_dkk": float(g["_vol"].sum()),
                "exposed_share": _wmean(exposed, g["_vol"]),
                "exposed_share_p10": float(exposed.quantile(0.1)),
                "exposed_share_median": float(exposed.median()),
                "exposed_share_p90": float(exposed.quantile(0.9)),
                "private_share": _wmean(g["private_share"], g["_vol"]),
                "tenders_held": int(tenders),
                "control_bids": int(g["control_bids"].sum()),
                "control_bid_share": float(g["control_bids"].sum() / tenders)
                if tenders > 0
                else float("nan"),
                "budget_dkk": float(g["budget_dkk"].sum()),
                "production_cost_dkk": float(g["production_cost_dkk"].sum()),
                "admin_cost_dkk": float(g["admin_cost_dkk"].sum()),
                "total_cost_dkk": float(g["total_cost_dkk"].sum()),
                "admin_overhead_share": float(
                    g["admin_cost_dkk"].sum() / g["total_cost_dkk"].sum()
                ),
                "savings_dkk": float(g["savings_dkk"].sum()),
                "citizen_satisfaction": _wmean(g["citizen_satisfaction"], g["_cit"]),
                "positions": int(g["positions"].sum()),
                "employee_wellbeing": _wmean(g["employee_wellbeing"], g["positions"]),
                "sick_leave_rate": _wmean(g["sick_leave_rate"], g["positions"]),
                "expectation_gap": _wmean(g["expectation_gap"], g["_cit"]),
                "inhouse_share": _wmean(g["inhouse_share"], g["_vol"]),
                "proposals_implemented": int(g["proposals_implemented"].sum()),
                **{c: _wmean(g[c], g[w]) for c, w in TRUST_WEIGHTS.items()},
                "switches": int(g["_switch"].sum()),
                "switched": int((g["model"] != g["preset"]).sum()),
            }
        )
    cols = (["run_seed"] if "run_seed" in y.columns else []) + list(NATIONAL_COLUMNS)
    return pd.DataFrame(rows, columns=cols)


def _switch_flags(yearly: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per row: the model of the municipality's previous year (NaN in its first), and whether
    this year's model differs from it."""
    keys = ["run_seed", "municipality"] if "run_seed" in yearly.columns else ["municipality"]
    before = yearly.sort_values([*keys, "year"]).groupby(keys, sort=False)["model"].shift()
    before = before.reindex(yearly.index)
    return before, before.notna() & (before != yearly["model"])


def adoption_table(
    yearly: pd.DataFrame, munis: pd.DataFrame, models: Sequence[str]
) -> pd.DataFrame:
    """One row per (run seed,) year and governance model: how many municipalities run it, their
    share of municipalities and of inhabitants, adoptions and departures at the year's start.
    `models`: every model that is assigned or can be adopted, in the order given (a model no
    municipality runs in a year has a row of zeros)."""
    cit = yearly["municipality"].map(
        munis.drop_duplicates("municipality").set_index("municipality")["citizens"]
    )
    before, switch = _switch_flags(yearly)
    y = yearly.assign(_cit=cit, _before=before, _switch=switch)
    keys = ["run_seed", "year"] if "run_seed" in y.columns else ["year"]
    rows = []
    for k, g in y.groupby(keys, sort=True):
        k = k if isinstance(k, tuple) else (k,)
        n, c = len(g), float(g["_cit"].sum())
        for m in models:
            runs = g["model"] == m
            rows.append(
                {
                    **dict(zip(keys, k, strict=True)),
                    "model": m,
                    "municipalities": int(runs.sum()),
                    "share": float(runs.sum() / n) if n else float("nan"),
                    "citizens_share": float(g.loc[runs, "_cit"].sum() / c) if c else float("nan"),
                    "adopted": int((runs & g["_switch"]).sum()),
                    "left": int(((g["_before"] == m) & g["_switch"]).sum()),
                }
            )
    cols = (["run_seed"] if "run_seed" in y.columns else []) + list(ADOPTION_COLUMNS)
    return pd.DataFrame(rows, columns=cols)


def population_models(pop: Population) -> list[str]:
    """The models of a population: its presets in canonical order, then its diffusion targets."""
    out = list(dict.fromkeys(m.preset for m in pop.municipalities))
    if pop.diffusion is not None:
        out += [t.model for t in pop.diffusion.targets if t.model not in out]
    return out


def _tasks(pop: Population, run_seeds: Sequence[int], years: int, workers: int) -> list[Any]:
    """Work units: (run position, regions, years, networks). With one national run on several
    workers and no benchmarking network spanning regions the regions are dealt out over
    `workers` units (most municipalities first, each to the least
    loaded unit: a municipality costs about the same whatever its size); a batch of several runs
    gives one unit per run."""
    tasks = []
    for pos, seed in enumerate(run_seeds):
        seeds = derive_seeds(seed, len(pop))
        market_seeds = derive_seeds(seed, len(pop.regions), STREAM_MARKETS)
        parts = [
            (key, members, [seeds[m.index] for m in members], mk, ms)
            for (key, members), mk, ms in zip(
                pop.by_region(), pop.markets, market_seeds, strict=True
            )
        ]
        if len(run_seeds) == 1 and workers > 1 and not pop.networks_span_regions():
            bins: list[list[Any]] = [[] for _ in range(min(workers, len(parts)))]
            load = [0.0] * len(bins)
            for part in sorted(parts, key=lambda p: -len(p[1])):
                b = int(np.argmin(load))
                bins[b].append(part)
                load[b] += len(part[1])
            tasks += [(pos, b, years, _networks_in(pop, b), None) for b in bins if b]
        else:
            diffusion = None if pop.diffusion is None else (pop.diffusion, seed)
            tasks.append((pos, parts, years, pop.networks, diffusion))
    return tasks


def _networks_in(pop: Population, parts: list[Any]) -> tuple[Network, ...]:
    """The networks whose members all lie in the regions of `parts` (a network spanning
    regions keeps the national run in one unit, ``_tasks``)."""
    inside = {m.index for _, members, *_ in parts for m in members}
    return tuple(n for n in pop.networks if set(n.members) <= inside)


def _execute(
    pop: Population,
    run_seeds: Sequence[int],
    years: int,
    workers: int,
    backend: str = "local",
    scheduler: str | None = None,
) -> list[tuple[list[tuple[np.ndarray, pd.DataFrame]], dict[str, pd.DataFrame | None]]]:
    """Per run seed: its units' (row municipality indices, yearly table) pairs (``_assemble``
    makes the run's table), {region key: market rows or None}. The tasks and their results do
    not depend on the backend: the same tables everywhere."""
    from sim.experiments.backends import make_backend

    tasks = _tasks(pop, run_seeds, years, workers)
    results: list[tuple[list, dict]] = [([], {}) for _ in run_seeds]
    local = backend == "local" and scheduler is None
    if local and (workers == 1 or len(tasks) == 1):  # one unit of work: no pool to feed
        outs = [run_regions(t) for t in tasks]
    else:
        # on the local pool the parent only collects: it holds every finished run's tables, and
        # national runs computed in it were slowed by garbage collections over them (a 40-run
        # batch of 20-year runs on 2 workers: parallel efficiency 0.84 → 0.87)
        options = {"parent_computes": False} if local else {}
        with make_backend(backend, workers + 1 if local else workers, scheduler, **options) as pool:
            outs = [o for out in pool.map_unordered(_chunk, [[t] for t in tasks]) for o in out]
    for pos, unit, markets in outs:
        results[pos][0].append(unit)
        results[pos][1].update(markets)
    return results


def market_table(pop: Population, markets: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """The regional markets' rows in region order (empty if every market is local)."""
    frames = [markets[k] for k, _ in pop.regions if markets.get(k) is not None]
    if not frames:
        return pd.DataFrame(columns=list(MARKET_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(MARKET_COLUMNS)]


def _backend(backend: str, scheduler: str | None) -> str:
    return "dask" if scheduler is not None else backend


def _check_workers(workers: Any) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise GovsimError(f"workers has value {workers!r}: it must be a whole number ≥ 1")
    return workers


def run_population(
    population: str | Path | dict | Population = "denmark",
    seed: int = 0,
    years: int | None = None,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
) -> PopulationResult:
    """Run a population of municipalities with one national seed.

    Args:
        population: a shipped population (``denmark``), a YAML path, a mapping or a Population.
        seed: the national seed; municipality i runs on ``derive_seeds(seed, N)[i]``.
        years: run length (default: the population's).
        workers: processes; the regions are dealt out over them (same tables on any count).
        backend: ``local`` (this machine's pool) or ``dask`` (a LocalCluster of `workers`, or
            the cluster at `scheduler`); the same tables on every backend.

    Returns the per-municipality yearly table, the national aggregates per year and the
    municipality table (region, scenario, size, seed), with a manifest.
    """
    pop = load_population(population)
    seed = check_seed(seed)
    years = check_years(years) or pop.years
    workers = _check_workers(workers)
    ((units, markets),) = _execute(pop, [seed], years, workers, backend, scheduler)
    yearly = _assemble(units, len(pop))
    munis = municipality_table(pop, derive_seeds(seed, len(pop)))
    return PopulationResult(
        yearly=yearly,
        national=national_table(yearly, munis),
        municipalities=munis,
        manifest=population_manifest(
            pop, years, {"seed": seed, "workers": workers, "backend": _backend(backend, scheduler)}
        ),
        markets=market_table(pop, markets),
        adoption=adoption_table(yearly, munis, population_models(pop)),
    )


def run_population_batch(
    population: str | Path | dict | Population,
    seeds: Sequence[int],
    years: int | None = None,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
) -> PopulationResult:
    """Several national runs (one per seed of `seeds`) on the local pool or Dask (`backend`,
    `scheduler` as in ``run_population``), one run per task. Every table gains ``run_seed``
    (the national seed); identical on any worker count and backend."""
    pop = load_population(population)
    seeds = [check_seed(s) for s in seeds]
    if not seeds:
        raise GovsimError("seeds is empty: give at least one national seed")
    years = check_years(years) or pop.years
    workers = _check_workers(workers)
    results = _execute(pop, seeds, years, workers, backend, scheduler)
    yearly, munis, mks = [], [], []
    for s, (units, markets) in zip(seeds, results, strict=True):
        y = _assemble(units, len(pop))
        yearly.append(y.assign(run_seed=s))
        munis.append(municipality_table(pop, derive_seeds(s, len(pop))).assign(run_seed=s))
        mks.append(market_table(pop, markets).assign(run_seed=s))
    y, m = pd.concat(yearly, ignore_index=True), pd.concat(munis, ignore_index=True)
    k = pd.concat(mks, ignore_index=True)
    first = m[m["run_seed"] == seeds[0]]

    def seed_first(df: pd.DataFrame) -> pd.DataFrame:
        return df[["run_seed", *[c for c in df.columns if c != "run_seed"]]]

    return PopulationResult(
        yearly=seed_first(y),
        national=national_table(y, first),
        municipalities=seed_first(m),
        manifest=population_manifest(
            pop,
            years,
            {"seeds": list(seeds), "workers": workers, "backend": _backend(backend, scheduler)},
        ),
        markets=seed_first(k),
        adoption=adoption_table(y, first, population_models(pop)),
    )


def population_manifest(pop: Population, years: int, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": pop.name,
        "population": pop.spec,
        "source": pop.source,
        "municipalities": len(pop),
        "regions": [k for k, _ in pop.regions],
        "years": years,
        "start_year": pop.start_year,
        **extra,
        "seed_derivation": "municipality i runs on sim.seeds.derive_seeds(seed, N)[i]",
        "markets": {
            k: (
                f"regional: one shared market of {mk.firms} firms"
                if mk.kind == "regional"
                else "local: one market per municipality"
            )
            for (k, _), mk in zip(pop.regions, pop.markets, strict=True)
        },
        "networks": {n.key: len(n.members) for n in pop.networks},
        "diffusion": (
            "off"
            if pop.diffusion is None
            else {
                "start": pop.diffusion.start,
                "targets": {
                    t.model: list(t.sources) or "any other model" for t in pop.diffusion.targets
                },
                "seed_derivation": "sim.seeds.derive_seeds(seed, 1, "
                f"{STREAM_DIFFUSION})[0] (N uniforms a year)",
            }
        ),
        "market_seed_derivation": "region j's shared market runs on "
        f"sim.seeds.derive_seeds(seed, regions, {STREAM_MARKETS})[j]",
        "versions": versions(),
        "git_commit": git_commit(),
    }
