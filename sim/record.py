"""The weekly output columns and the breakdowns asked for on demand.

``retention_rate`` is annual gross customer retention: one minus the share of
accounts lost per account-week over the trailing RETENTION_WINDOW weeks (new
accounts count only from the week after they were won), raised to 52.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd

from sim.customers import REASON_NAMES
from sim.organisation import BETWEEN_FUNCTIONS, FRONTLINE, FUNCTIONS, LEVELS

RETENTION_WINDOW = 13  # weeks: one quarter
WEEKS_PER_YEAR = 52

WEEKLY_COLUMNS: dict[str, str] = {
    "week": "week number, 1 to weeks",
    "retention_rate": "annual gross customer retention over the trailing quarter",
    "customers_active": "accounts in the book at the end of the week",
    "customers_lost": "accounts lost this week",
    "customers_won": "accounts won this week",
    "satisfaction_mean": "mean satisfaction of active accounts",
    "customer_focus_mean": "mean customer focus of all employees",
    "customer_focus_leaders": "mean customer focus of executives and managers",
    "customer_focus_frontline": "mean customer focus of frontline employees",
    "trust_mean": "mean trust in leadership",
    "handoff_success_rate": "share of this week's handoffs that succeeded",
    "cross_silo_handoff_success_rate": "the same, for handoffs between two functions",
    "journeys": "customer journeys started this week",
    "journey_success_rate": "share of journeys with no failed handoff and no delay",
    "journeys_delayed": "journeys delayed by lack of capacity",
    "barrier_mean": "mean barrier between two functions",
    "handoffs_fixed": "handoffs whose obstacles leaders removed this week",
    "employees_replaced": "resisters who left and were replaced this week",
}

# Outputs that count things (whole numbers); the rest are shares, means or rates.
COUNT_COLUMNS = frozenset({"customers_active", "customers_lost", "customers_won", "journeys", "journeys_delayed",
                           "handoffs_fixed", "employees_replaced"})


class Recorder:
    """Keeps the trailing churn window and cumulative handoff counts."""

    def __init__(self, n_functions: int):
        """Start with empty windows and counts."""
        self.lost = deque(maxlen=RETENTION_WINDOW)
        self.exposed = deque(maxlen=RETENTION_WINDOW)
        self.attempts = np.zeros((n_functions, n_functions), dtype=np.int64)
        self.successes = np.zeros((n_functions, n_functions), dtype=np.int64)

    def retention_rate(self, lost: int, exposed: int) -> float:
        """Add this week's churn to the window; return annualised retention."""
        self.lost.append(lost)
        self.exposed.append(exposed)
        weekly_churn = sum(self.lost) / max(sum(self.exposed), 1)
        return (1.0 - weekly_churn) ** WEEKS_PER_YEAR

    def add_handoffs(self, attempts: np.ndarray, successes: np.ndarray) -> tuple[float, float]:
        """Accumulate this week's handoffs; return this week's overall and cross-silo success."""
        self.attempts += attempts
        self.successes += successes
        across = BETWEEN_FUNCTIONS
        return _share(successes.sum(), attempts.sum()), _share(successes[across].sum(), attempts[across].sum())


def _share(part, whole) -> float:
    return float(part / whole) if whole else float("nan")


def focus_by_function_and_level(org, culture) -> pd.DataFrame:
    """Mean customer focus, one row per function, one column per level."""
    table = np.full((len(FUNCTIONS), len(LEVELS)), np.nan)
    for level in range(len(LEVELS)):
        mask = org.level == level
        sums = np.bincount(org.function[mask], weights=culture.focus[mask], minlength=len(FUNCTIONS))
        counts = np.bincount(org.function[mask], minlength=len(FUNCTIONS))
        table[:, level] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return pd.DataFrame(table, index=pd.Index(FUNCTIONS, name="function"), columns=list(LEVELS))


def handoff_success_by_pair(recorder: Recorder) -> pd.DataFrame:
    """Cumulative handoff success from each function (rows) to each function (columns)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(recorder.attempts > 0, recorder.successes / recorder.attempts, np.nan)
    return pd.DataFrame(rate, index=pd.Index(FUNCTIONS, name="from"), columns=pd.Index(FUNCTIONS, name="to"))


def lost_by_reason(lost_counts: np.ndarray) -> pd.Series:
    """Customers lost so far, by the handoff that failed them most."""
    return pd.Series(lost_counts, index=pd.Index(REASON_NAMES, name="reason"), name="customers_lost")


def leader_mask(org) -> np.ndarray:
    """True for executives and managers."""
    return org.level != FRONTLINE
