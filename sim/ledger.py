"""Itemised administrative cost: every hour the governance model costs, by activity.

MODEL_BRIEF 'What every run must report': administrative overhead in hours and DKK of
ordering, tendering, control bids, inspection, invoicing, benchmarking, learning teams,
meetings and development guides. Rules charge it here; the model closes the books yearly.
"""

from __future__ import annotations

import numpy as np

ACTIVITIES: tuple[str, ...] = (
    "ordering",
    "tendering",
    "control_bids",
    "inspection",
    "invoicing",
    "benchmarking",
    "learning_teams",
    "meetings",
    "guides",
    "proposals",
    "sick_leave_goal",
    "transition",
)
_INDEX = {a: i for i, a in enumerate(ACTIVITIES)}


class Ledger:
    """The orderer's (central administration's) books: running totals of hours and DKK by
    activity for the current year; ``close_year`` returns them and starts afresh. Rules charge
    it through ``charge`` and ``charge_hours`` only."""

    HOURS_PER_FTE = 1628.0  # a Danish full-time year after holidays (assumption)

    def __init__(self, admin_hourly_dkk: float) -> None:
        self.rate = admin_hourly_dkk
        self.dkk = np.zeros(len(ACTIVITIES))
        self.hours = np.zeros(len(ACTIVITIES))

    def charge(self, activity: str, dkk: float, hours: float | None = None) -> None:
        """Charge `dkk`; hours default to dkk at the administrative hourly rate."""
        i = _INDEX[activity]
        self.dkk[i] += dkk
        self.hours[i] += dkk / self.rate if hours is None else hours

    def charge_hours(self, activity: str, hours: float) -> None:
        i = _INDEX[activity]
        self.hours[i] += hours
        self.dkk[i] += hours * self.rate

    @staticmethod
    def fte(hours: float) -> float:
        """Full-time equivalents of `hours` a year."""
        return hours / Ledger.HOURS_PER_FTE

    def close_year(self) -> tuple[np.ndarray, np.ndarray]:
        dkk, hours = self.dkk, self.hours
        self.dkk = np.zeros(len(ACTIVITIES))
        self.hours = np.zeros(len(ACTIVITIES))
        return dkk, hours
