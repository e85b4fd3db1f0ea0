"""Itemised administrative cost: every hour the governance model costs, by activity.

MODEL_BRIEF 'What every run must report': administrative overhead in hours and DKK of
ordering, tendering, control bids, inspection, invoicing, benchmarking, learning teams,
meetings and development guides. Rules charge it here; the model closes the books yearly.
"""

from __future__ import annotations

import numpy as np

ACTIVITIES: tuple[str, ...] = (
    "ordering", "tendering", "control_bids", "inspection", "invoicing", "benchmarking",
    "learning_teams", "meetings", "guides", "proposals", "sick_leave_goal", "transition",
)
_INDEX = {a: i for i, a in enumerate(ACTIVITIES)}


class Ledger:
    """Running totals for the current year; ``close_year`` returns them and starts afresh."""

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

    def close_year(self) -> tuple[np.ndarray, np.ndarray]:
        dkk, hours = self.dkk, self.hours
        self.dkk = np.zeros(len(ACTIVITIES))
        self.hours = np.zeros(len(ACTIVITIES))
        return dkk, hours
