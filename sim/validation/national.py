"""National checks: facts about a *population* of municipalities (issue 12), checked on a
national batch of a population file (``govsim validate --population FILE``), and on the shipped
``denmark`` population by ``govsim validate --docs`` (or ``--national``) into VALIDATION.md.

Each check computes its metric once per national run seed and applies the pass rules of
``sim.validation.checks`` (the whole 95 % CI inside the source's band, or on its side). The bands
come from shared/EVIDENCE.md (E7, E8, E11), never from what the model gives. A plain
``govsim validate`` does not run these (a national run costs ≈ 50 single runs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.validation.checks import PROPORTION, Check, CheckResult, evaluate

E7_YEARS = (2009, 2023)  # E7's series: 25.0 % (2009) … 27.8 % (2023)
E8_YEAR = 2016  # KFST (2017): the spread across municipalities, the year before
E8_BAND = (0.21, 0.37)  # over 80 % of municipalities between ≈ 21 % and 37 %
DEFAULT_REPLICATIONS = 5


@dataclass
class NationalData:
    """A national batch: per-municipality yearly rows and national rows, by ``run_seed``."""

    yearly: pd.DataFrame
    national: pd.DataFrame
    seeds: list[int]

    def years_in(self, lo: int, hi: int) -> list[int]:
        years = sorted(self.national["year"].unique())
        inside = [y for y in years if lo <= y <= hi]
        return inside or years  # a run outside the source's years: all of its years

    def per_seed(self, frame: pd.DataFrame, fn) -> np.ndarray:
        return np.array([fn(frame[frame["run_seed"] == s]) for s in self.seeds], dtype=float)


def national_exposure(d: NationalData) -> np.ndarray:
    """Task-volume-weighted national exposure share, mean over E7's years within the run."""
    years = d.years_in(*E7_YEARS)
    nat = d.national[d.national["year"].isin(years)]
    return d.per_seed(nat, lambda g: g["exposed_share"].mean())


def share_in_e8_band(d: NationalData) -> np.ndarray:
    """Share of municipalities whose exposure share lies within E8's ≈ 21–37 % (in 2016, or the
    run's last year if 2016 is outside it)."""
    years = d.years_in(E8_YEAR, E8_YEAR)
    year = E8_YEAR if E8_YEAR in years else max(years)
    y = d.yearly[d.yearly["year"] == year]
    lo, hi = E8_BAND
    return d.per_seed(
        y, lambda g: ((g["tendered_share"] >= lo) & (g["tendered_share"] <= hi)).mean()
    )


def national_control_bid_share(d: NationalData) -> np.ndarray:
    """Tenders with a control bid over all tenders of all municipalities, all years of the run."""
    return d.per_seed(
        d.national, lambda g: g["control_bids"].sum() / max(g["tenders_held"].sum(), 1)
    )


NATIONAL_CHECKS: tuple[Check, ...] = (
    Check(
        "N1",
        0,
        "National share of municipal tasks exposed to competition (task-volume weighted, "
        "mean of 2009–2023)",
        "E7 KL / udbudsportalen / KFST statistics (IKU)",
        "25.0 % (2009) … 27.8 % (2023) → 25–28 %",
        "band",
        0.25,
        0.28,
        national_exposure,
        "%",
        missing=(
            "Each municipality's realised exposure equals its planned share (the tendering rule "
            "reaches its target), and the BUM municipalities' targets are drawn from the schema's "
            "plausible range of tendering.share (15–45 %, mean 30 %, around E9's 31.5 % target). "
            "Nothing makes municipalities fall short of their targets, as the realised 25–28 % "
            "(E7) fall short of the 31.5 % target (E9): no limit on the orderer's tendering "
            "capacity, no lot that draws no bid, no political reluctance to tender."
        ),
    ),
    Check(
        "N2",
        0,
        "Municipalities whose exposure share lies within ≈ 21–37 % (2016)",
        "E8 KFST (2017)",
        "over 80 % of municipalities",
        "above",
        0.80,
        None,
        share_in_e8_band,
        "%",
        missing=(
            "The spread across municipalities is an input: each BUM municipality's "
            "target is drawn uniformly from 15–45 %, so ≈ 53 % of draws fall within 21–37 %. "
            "Nothing pulls municipalities toward a national norm — no comparison with peers or "
            "diffusion of practice acting on targets, no national agreement acting on a municipality's "
            "target."
        ),
    ),
    Check(
        "N3",
        4,
        "National share of tenders with an in-house control bid",
        'E11 KL / Udbudsportalen 2016 ("very few percent" of tenders)',
        "very few percent: ≤ 5 %",
        "band",
        0.0,
        0.05,
        national_control_bid_share,
        "%",
        missing=(
            "Each BUM municipality's in-house unit decides per lot whether to control-bid (where "
            "it expects to win and keep its crews, sim.rules.control_bids); where the national "
            "share still exceeds a few percent, the units expect to win more lots than Danish "
            "units did, or more municipalities tender without a purchaser–provider split than "
            "the population assigns (no source read yet for how many)."
        ),
    ),
)
NATIONAL_CHECKS = tuple(replace(c, support=PROPORTION) for c in NATIONAL_CHECKS)  # all shares


def collect_national(
    population: str | Path, replications: int, master_seed: int, workers: int = 1
) -> NationalData:
    """A national batch of `replications` runs on seeds derived from `master_seed`."""
    from sim.population import load_population, run_population_batch
    from sim.seeds import derive_seeds

    pop = load_population(population)
    seeds = derive_seeds(master_seed, replications)
    res = run_population_batch(pop, seeds, workers=workers)
    return NationalData(res.yearly, res.national, seeds)


def evaluate_national(d: NationalData) -> list[CheckResult]:
    return evaluate(d, NATIONAL_CHECKS)  # type: ignore[arg-type] (a metric takes NationalData)


def national_markdown(
    results: list[CheckResult], d: NationalData, name: str, seconds: float, level: int = 1
) -> list[str]:
    """The national checks as Markdown lines: a heading at `level`, the table with each check's
    source band, and what a failing check lacks (NATIONAL.md; a section of VALIDATION.md)."""
    from sim.validation.report import band_text, model_text

    h = "#" * level
    md = [
        f"{h} National checks: population {name}",
        "",
        f"{len(d.seeds)} national runs (seeds {', '.join(map(str, d.seeds))}), {seconds:.0f} s. "
        "Each metric once per national run; mean and 95 % Student-t CI (clipped to 0–100 %: every "
        "metric is a share) against the source's band.",
        "",
        f"**{sum(r.passed for r in results)} of {len(results)} national checks pass.**",
        "",
        "| id | pattern | source | evidence | band | model mean [95 % CI] | n | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r.check
        md.append(
            f"| {c.id} | {c.pattern} | {c.source} | {c.evidence} | {band_text(r)} | "
            f"{model_text(r)} | {r.n} | {'pass' if r.passed else '**FAIL**'} |"
        )
    md += ["", f"{h}# What a failing national check lacks", ""]
    md += [f"- **{r.check.id}**: {r.check.missing}" for r in results if not r.passed] or [
        "Every check passes."
    ]
    return md


def write_national(
    results: list[CheckResult], d: NationalData, out: Path, name: str, seconds: float
) -> Path:
    """national_checks.csv and NATIONAL.md (the table and what a failing check lacks) in `out`."""
    from sim.atomic import atomic_directory
    from sim.validation.report import band_text

    rows = [
        {
            "id": r.check.id,
            "pattern": r.check.pattern,
            "source": r.check.source,
            "evidence": r.check.evidence,
            "band": band_text(r),
            "mean": r.mean,
            "ci_low": r.lo,
            "ci_high": r.hi,
            "n": r.n,
            "result": r.status,
        }
        for r in results
    ]
    md = national_markdown(results, d, name, seconds, level=1)
    with atomic_directory(out) as tmp:
        pd.DataFrame(rows).to_csv(tmp / "national_checks.csv", index=False)
        (tmp / "NATIONAL.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return Path(out) / "NATIONAL.md"
