"""The classroom exercises of docs/teaching.md, with the figures the model gives for them.

Each exercise states its observation as a *direction* ("higher tender share → higher
overhead"), computes the figures behind it as means over several seeds, and checks the
direction. `python -m sim.app.exercises` prints the figures as Markdown for the document;
tests/test_teaching.py recomputes them and checks that every observation still holds, so the
document cannot silently go stale when the model changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sim.app.state import configure
from sim.outputs import label
from sim.runner import run

DEFAULT_SEEDS = tuple(range(8))


@cache
def _yearly(ref: str, overrides: tuple[tuple[str, object], ...], seed: int):
    return run(configure([ref], dict(overrides))[0], seed=seed).yearly


def series(ref: str, column: str, seeds: Sequence[int], **overrides: object) -> np.ndarray:
    """The yearly `column` of a scenario, averaged over `seeds` (one value per year)."""
    ov = tuple(sorted((k.replace("__", "."), v) for k, v in overrides.items()))
    return np.mean([_yearly(ref, ov, s)[column].to_numpy() for s in seeds], axis=0)


def years(ref: str, seeds: Sequence[int]) -> np.ndarray:
    return _yearly(ref, (), seeds[0])["year"].to_numpy()


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    unit: str = ""

    def text(self) -> str:
        if self.unit == "%":
            return f"{self.value * 100:.2f} %"
        if self.unit == "M DKK":
            return f"{self.value / 1e6:.1f} M DKK"
        return f"{self.value:.3g}"


@dataclass(frozen=True)
class Preset:
    """What an exercise's one-click button in the app loads: models A and B, each model's own
    slider values, the seed and how many seeds the app averages (the document's seeds)."""

    a: str
    b: str | None = None
    a_set: tuple[tuple[str, object], ...] = ()
    b_set: tuple[tuple[str, object], ...] = ()
    seed: int = 0
    seeds: int = len(DEFAULT_SEEDS)


@dataclass(frozen=True)
class Exercise:
    key: str
    title: str
    question: str
    steps: str
    observation: str
    compute: Callable[[Sequence[int]], list[Figure]]
    holds: Callable[[list[Figure]], bool]
    preset: Preset | None = None


def _v(figs: list[Figure], i: int) -> float:
    return figs[i].value


def _tender_share(seeds):
    lo = series("bum", "admin_overhead_share", seeds, tendering__share=0.15).mean()
    hi = series("bum", "admin_overhead_share", seeds, tendering__share=0.45).mean()
    tlo = series("bum", "tenders_held", seeds, tendering__share=0.15).mean()
    thi = series("bum", "tenders_held", seeds, tendering__share=0.45).mean()
    return [
        Figure("BUM, tender share 15 %: admin overhead (run mean)", lo, "%"),
        Figure("BUM, tender share 45 %: admin overhead (run mean)", hi, "%"),
        Figure("BUM, tender share 15 %: tenders held per year", tlo),
        Figure("BUM, tender share 45 %: tenders held per year", thi),
    ]


def _bum_to_hod(seeds):
    yrs = years("bum", seeds)
    bum = series("bum", "trust_employees_management", seeds)
    sw = series("bum_to_hod", "trust_employees_management", seeds)
    i2010, i2013 = int(np.flatnonzero(yrs == 2010)[0]), int(np.flatnonzero(yrs == 2013)[0])
    ob = series("bum", "admin_overhead_share", seeds)[i2013:].mean()
    osw = series("bum_to_hod", "admin_overhead_share", seeds)[i2013:].mean()
    return [
        Figure("trust employees–management 2010, BUM throughout", bum[i2010]),
        Figure("trust employees–management 2013, BUM throughout", bum[i2013]),
        Figure("trust employees–management 2013, BUM → HOD in April 2011", sw[i2013]),
        Figure("admin overhead 2013 onwards, BUM throughout", ob, "%"),
        Figure("admin overhead 2013 onwards, BUM → HOD", osw, "%"),
    ]


def _guarantee(seeds):
    out = []
    for col in (
        "proposals_made",
        "proposals_implemented",
        "trust_employees_management",
        "employee_wellbeing",
    ):
        name = label(col)  # the registry's label and unit
        out.append(
            Figure(f"{name}, with the guarantee", series("model_municipality", col, seeds).mean())
        )
        out.append(
            Figure(
                f"{name}, without it (25 % tendered)",
                series("model_municipality_tendering", col, seeds).mean(),
            )
        )
    return out


def _drift(seeds):
    b = series("bum", "admin_overhead_share", seeds)
    h = series("hod", "admin_overhead_share", seeds)
    return [
        Figure("BUM admin overhead, first 3 years", b[:3].mean(), "%"),
        Figure("BUM admin overhead, last 3 years", b[-3:].mean(), "%"),
        Figure("HOD admin overhead, first 3 years", h[:3].mean(), "%"),
        Figure("HOD admin overhead, last 3 years", h[-3:].mean(), "%"),
    ]


def _learning_teams(seeds):
    # the unit may run up to 8 teams a year (the slider's top), so the count shows the gap
    # rather than HOD's default capacity of 4, which both settings reach
    lo = series("hod", "learning_teams", seeds, politics__expectation_mean=0.62, **_TEAMS)
    hi = series("hod", "learning_teams", seeds, politics__expectation_mean=0.74, **_TEAMS)
    return [
        Figure("HOD, politicians expect 0.62: learning teams per year", lo.mean()),
        Figure("HOD, politicians expect 0.74: learning teams per year", hi.mean()),
        Figure("HOD, politicians expect 0.62: learning teams in the last year", lo[-1]),
        Figure("HOD, politicians expect 0.74: learning teams in the last year", hi[-1]),
    ]


_TEAMS = {"learning_teams__max_teams": 8}


def _trust_pays_off(seeds):
    t = series("model_municipality", "trust_employees_management", seeds)
    p = series("model_municipality", "proposals_implemented", seeds)
    s = series("model_municipality", "savings_dkk", seeds)
    return [
        Figure("trust employees–management, years 1–3", t[:3].mean()),
        Figure("trust employees–management, years 9–11", t[8:11].mean()),
        Figure("proposals implemented per year, years 1–3", p[:3].mean()),
        Figure("proposals implemented per year, years 9–11", p[8:11].mean()),
        Figure("savings against year 1, years 1–3", s[:3].mean(), "M DKK"),
        Figure("savings against year 1, years 9–11", s[8:11].mean(), "M DKK"),
    ]


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "tender_share",
        "Raise the tender share under BUM and watch the overhead",
        "Does putting more work out to tender make the purchaser–provider split cheaper to run?",
        "App: *Info* → *Load exercise 1* (Model A = BUM with *Tendering: share* 0.15, Model B = "
        "BUM with 0.45, mean of 8 seeds). Play to the end; compare the overhead plot and the "
        "*Tenders held* monitor, and read a year's tenders in *What happened*.",
        "With a higher tender share BUM holds more tenders a year and its administrative overhead "
        "is higher.",
        _tender_share,
        lambda f: _v(f, 1) > _v(f, 0) and _v(f, 3) > _v(f, 2),
        Preset("bum", "bum", (("tendering.share", 0.15),), (("tendering.share", 0.45),)),
    ),
    Exercise(
        "bum_to_hod",
        "Switch BUM → HOD in 2011 and watch trust",
        "What happens to trust between employees and management when the split is dropped?",
        "App: *Info* → *Load exercise 2* (Model A = BUM, Model B = *BUM → HOD in April 2011*, mean "
        "of 8 seeds). Step quarter by quarter through 2011 (B's rules panel changes in 2011 Q2 and a "
        "dashed line marks the switch on every plot), then Play. CLI: "
        "`govsim compare --scenarios bum --scenarios bum_to_hod`.",
        "Under BUM trust falls year by year; after the switch to HOD it recovers, so by 2013 it is "
        "higher than under BUM throughout, and the administrative overhead is lower from 2013 on.",
        _bum_to_hod,
        lambda f: _v(f, 1) < _v(f, 0) and _v(f, 2) > _v(f, 1) and _v(f, 4) < _v(f, 3),
        Preset("bum", "bum_to_hod"),
    ),
    Exercise(
        "guarantee",
        "Remove the no-tendering guarantee from the model municipality",
        "Is the promise not to tender what makes employees propose improvements?",
        "App: *Info* → *Load exercise 3* (Model A = *Model municipality (modelkommune)*, Model B = "
        "*Model municipality, 25 % tendered*: the same rules with the guarantee replaced by 25 % "
        "tendering; mean of 8 seeds). Play and compare the proposals and trust plots.",
        "Without the guarantee employees make and see implemented fewer proposals, and trust and "
        "wellbeing are lower.",
        _guarantee,
        lambda f: all(_v(f, i) > _v(f, i + 1) for i in range(0, 8, 2)),
        Preset("model_municipality", "model_municipality_tendering"),
    ),
    Exercise(
        "drift",
        "Watch the bureaucracy grow",
        "Why does BUM get more expensive to administer over time, and HOD not?",
        "App: *Info* → *Load exercise 4* (Model A = BUM, Model B = HOD, mean of 8 seeds). "
        "Play to the end and compare the overhead plot; read the *Bureaucratic drift* rule in A's "
        "rules panel. Try A's *Bureaucratic drift: growth* = 0.",
        "BUM's overhead grows from the first years to the last (procedures accumulate); HOD's "
        "stays lower than BUM's and grows less.",
        _drift,
        lambda f: (
            _v(f, 1) > _v(f, 0)
            and _v(f, 3) < _v(f, 1)
            and (_v(f, 3) - _v(f, 2)) < (_v(f, 1) - _v(f, 0))
        ),
        Preset("bum", "hod"),
    ),
    Exercise(
        "learning_teams",
        "Learning teams react to a gap",
        "What makes HOD's learning teams form?",
        "App: *Info* → *Load exercise 5* (Model A = HOD with *Politics: expectation mean* 0.62, "
        "Model B = HOD with 0.74, both with *Learning teams: max teams* 8 so that the unit's "
        "capacity does not cap the count; mean of 8 seeds). Play; compare the *Learning teams* "
        "monitor, the areas marked LT on the map and the teams in *What happened*.",
        "When politicians expect more, more areas fall below expectation and more learning teams "
        "are formed per year.",
        _learning_teams,
        lambda f: _v(f, 1) > _v(f, 0) and _v(f, 3) > _v(f, 2),
        Preset(
            "hod",
            "hod",
            (("learning_teams.max_teams", 8), ("politics.expectation_mean", 0.62)),
            (("learning_teams.max_teams", 8), ("politics.expectation_mean", 0.74)),
        ),
    ),
    Exercise(
        "trust_pays_off",
        "Trust takes years to pay off in the model municipality",
        "Why did the Norwegian model municipalities need a long trial period?",
        "App: *Info* → *Load exercise 6* (Model A = *Model municipality (modelkommune)*, Model B = "
        "BUM, mean of 8 seeds). Play and follow trust, proposals implemented and the *Savings* monitor "
        "year by year.",
        "In the model municipality trust, implemented proposals and savings are all higher in "
        "years 9–11 than in years 1–3.",
        _trust_pays_off,
        lambda f: _v(f, 1) > _v(f, 0) and _v(f, 3) > _v(f, 2) and _v(f, 5) > _v(f, 4),
        Preset("model_municipality", "bum"),
    ),
)


def compute(seeds: Sequence[int] = DEFAULT_SEEDS) -> list[tuple[Exercise, list[Figure]]]:
    return [(ex, ex.compute(tuple(seeds))) for ex in EXERCISES]


def markdown(results: list[tuple[Exercise, list[Figure]]], seeds: Sequence[int]) -> str:
    """Every exercise as the Markdown section docs/teaching.md holds (question, steps, what
    the model shows, figures)."""
    span = f"{min(seeds)}–{max(seeds)}" if len(seeds) > 1 else f"{seeds[0]}"
    out = []
    for i, (ex, figs) in enumerate(results, 1):
        out += [
            f"## Exercise {i}: {ex.title}\n",
            f"**Question.** {ex.question}\n",
            f"**Steps.** {ex.steps}\n",
            f"**What the model shows.** {ex.observation}\n",
            f"| figure (mean over seeds {span}) | value |",
            "|---|---:|",
        ]
        out += [f"| {f.label} | {f.text()} |" for f in figs]
        if not ex.holds(figs):
            out.append("\n**With these seeds the observation does NOT hold.**")
        out.append("")
    return "\n".join(out)


START, END = "<!-- exercises:start -->", "<!-- exercises:end -->"


def replace_section(doc: str, body: str) -> str:
    """`doc` with the text between the exercise markers replaced by `body`."""
    if START not in doc or END not in doc:
        raise ValueError(f"the document has no {START} … {END} markers")
    head, rest = doc.split(START, 1)
    return f"{head}{START}\n{body}\n{END}{rest.split(END, 1)[1]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Compute the figures of docs/teaching.md's exercises.")
    ap.add_argument(
        "--seeds", type=int, default=len(DEFAULT_SEEDS), help="seeds 0..N-1 (default 8)"
    )
    ap.add_argument(
        "--write",
        metavar="DOC",
        help="replace the exercises of this Markdown file "
        "(between its exercise markers) instead of printing them",
    )
    args = ap.parse_args(argv)
    if args.seeds < 1:
        ap.error("--seeds must be at least 1")
    seeds = tuple(range(args.seeds))
    results = compute(seeds)
    body = markdown(results, seeds)
    if args.write:
        path = Path(args.write)
        path.write_text(replace_section(path.read_text(encoding="utf-8"), body), encoding="utf-8")
    else:
        print(body)
    return 0 if all(ex.holds(f) for ex, f in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
