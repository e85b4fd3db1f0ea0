"""What happened in each simulated year of a model, for the app's event log and plot marks.

Everything here is read from what the model records — its yearly rows (``model.rows``), its
area records (``model.area_rows``), its tender log (``model.tender_log``) and its scenario's
regime dates — never from the model's internals. The labels of the counted things come from
the output registry (``sim.outputs``), so the log says "Tenders held", "Control bids" and
"Learning teams" exactly as the tables, plots and data dictionary do.

Elections and framework cuts are recorded by the model (the yearly columns ``elections`` and
``budget_cuts``); the log shows how the politicians' expectation changed with an election.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.app.i18n import num, t, tr
from sim.outputs import label
from sim.packages import TASKS
from sim.procurement import TENDER_COLUMNS
from sim.rules import RULES

QUARTERS_PER_YEAR = 4

#: the kinds of event, in the order the log lists them within a year
KINDS = ("regime", "election", "budget_cut", "tender", "control_bid", "learning_team")


@dataclass(frozen=True)
class Event:
    """One thing that happened: its kind (``KINDS``), calendar year, quarter (1–4, or 0 for
    the year as a whole) and a one-line text."""

    kind: str
    year: int
    quarter: int
    text: str


def _dkk(v: float, lang: str = "en") -> str:
    return t("dkk", lang, m=num(v / 1e6, lang, 2))


def task_name(i: int, lang: str = "en") -> str:
    return t(f"task.{TASKS[int(i)]}", lang)


def _label(col: str, lang: str, unit: bool = False) -> str:
    return tr(label(col, unit=unit), lang)


def firm_labels(model) -> dict[int, str]:
    """F1, F2, … by the order firms entered the market (the map uses the same labels)."""
    return {int(f.unique_id): f"F{i + 1}" for i, f in enumerate(model.market.firms)}


def regime_switches(model) -> list[tuple[int, int]]:
    """(quarter index, regime index) of every regime switch after the start, planned or done."""
    qs = model.scenario.regime_quarters()
    return [(q, i) for i, q in enumerate(qs) if i > 0 and 0 < q < model.n_quarters]


def regime_rules(model, i: int, lang: str = "en") -> str:
    keys = [r.rule for r in model.scenario.regime_list()[i].rules]
    return ", ".join(tr(RULES[k].title, lang) for k in keys)


def is_election_year(model, year: int) -> bool:
    """Whether the model recorded an election at the start of `year`."""
    return any(int(r["year"]) == year and r.get("elections", 0) > 0 for r in model.rows)


def year_events(model, i: int, lang: str = "en") -> tuple[Event, ...]:
    """The events of the model's `i`-th recorded year (``model.rows[i]``), worded in `lang`."""
    row = model.rows[i]
    year = int(row["year"])
    prev = model.rows[i - 1] if i > 0 else None
    out: list[Event] = []
    for q, r in regime_switches(model):
        if model.start_year + q // QUARTERS_PER_YEAR == year:
            out.append(
                Event(
                    "regime",
                    year,
                    q % QUARTERS_PER_YEAR + 1,
                    t("ev.regime", lang, r=r + 1, rules=regime_rules(model, r, lang)),
                )
            )
    if is_election_year(model, year):
        text = t("ev.election", lang)
        if prev is not None:
            text += (
                f": {_label('political_expectation', lang)} {num(prev['political_expectation'], lang, 3)} → "
                f"{num(row['political_expectation'], lang, 3)}"
            )
        out.append(Event("election", year, 1, text))
    budget_before = prev["budget_dkk"] if prev is not None else None
    if budget_before is not None and row["budget_dkk"] < budget_before - 0.5:
        cut = budget_before - row["budget_dkk"]
        out.append(
            Event(
                "budget_cut",
                year,
                1,
                t(
                    "ev.budget_cut",
                    lang,
                    what=_label("budget_dkk", lang),
                    cut=_dkk(cut, lang),
                    now=_dkk(row["budget_dkk"], lang),
                ),
            )
        )
    firms = firm_labels(model)
    idx = {c: k for k, c in enumerate(TENDER_COLUMNS)}
    tenders = [tn for tn in model.tender_log if int(tn[idx["year"]]) == year]
    n = len(tenders)
    if n or row.get("tenders_held", 0):
        out.append(Event("tender", year, 0, f"{_label('tenders_held', lang)}: {n}"))
    for tn in tenders:
        winner = int(tn[idx["winner"]])
        who = (
            t("ev.inhouse", lang)
            if winner < 0
            else firms.get(winner, t("ev.firm", lang, id=winner))
        )
        bid = ""
        if bool(tn[idx["control_bid"]]):
            bid = t("ev.bid_won" if bool(tn[idx["inhouse_won"]]) else "ev.bid_lost", lang)
        out.append(
            Event(
                "tender",
                year,
                0,
                t(
                    "ev.tender",
                    lang,
                    area=int(tn[idx["area"]]) + 1,
                    task=task_name(tn[idx["task"]], lang),
                    pct=num(float(tn[idx["fraction"]]) * 100, lang, 0),
                    value=_dkk(float(tn[idx["value_dkk"]]), lang),
                    who=who,
                    bidders=int(tn[idx["bidders"]]),
                    bid=bid,
                    saving=num(float(tn[idx["saving_share"]]) * 100, lang, 0),
                ),
            )
        )
    bids = int(row.get("control_bids", 0))
    if bids:
        won = sum(
            1 for tn in tenders if bool(tn[idx["control_bid"]]) and bool(tn[idx["inhouse_won"]])
        )
        out.append(
            Event(
                "control_bid",
                year,
                0,
                t("ev.control_bids", lang, what=_label("control_bids", lang), n=bids, won=won),
            )
        )
    teams = int(row.get("learning_teams", 0))
    if teams:
        rec = model.area_rows[i] if i < len(model.area_rows) else None
        where = ""
        if rec is not None:
            areas = np.unique(rec["area"][np.asarray(rec["learning_team"], dtype=bool)])
            if len(areas):
                where = t("ev.areas", lang, areas=", ".join(str(int(a) + 1) for a in areas))
        out.append(
            Event("learning_team", year, 0, f"{_label('learning_teams', lang)}: {teams}{where}")
        )
    order = {k: j for j, k in enumerate(KINDS)}
    return tuple(sorted(out, key=lambda e: order[e.kind]))


def switch_marks(model) -> tuple[tuple[float, str], ...]:
    """Regime switches that have happened: (fractional calendar year, label) for the plots."""
    return tuple(
        (model.start_year + q / QUARTERS_PER_YEAR, f"regime {r + 1}")
        for q, r in regime_switches(model)
        if model.t > q
    )


def election_marks(model) -> tuple[int, ...]:
    """Election years that the model has reached."""
    return tuple(int(r["year"]) for r in model.rows if r.get("elections", 0) > 0)
