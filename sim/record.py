"""The weekly output columns and the breakdowns asked for on demand.

``retention_rate`` is annual gross customer retention: one minus the share of
accounts lost per account-week over the trailing RETENTION_WINDOW weeks (new
accounts count only from the week after they were won), raised to 52.  The
window starts filled with the churn the starting book's hazards imply, so a
run does not begin with a window of one noisy week.  ``employee_turnover_rate``
is annualised the same way.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd

from sim.customers import REASON_NAMES
from sim.organisation import BETWEEN_FUNCTIONS, FUNCTIONS, LEVELS

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
    "employee_engagement_mean": "mean engagement of staff, 0 to 1",
    "employee_turnover_rate": "staff who left per year, as a share of staff, over the trailing quarter",
    "cycle_time_mean": "mean working days of a journey, queues and cross-silo coordination included",
    "change_cost": "staff-weeks spent this week on the change: fixing handoffs and funded capacity",
    "headcount": "people employed (executives included); staff follow the work planned",
    "churn_with_failure": "weekly churn of accounts with a failed or delayed journey in the last 26 weeks",
    "churn_without_failure": "weekly churn of accounts with none",
    "lost_with_failure": "accounts lost this week with a failed or delayed journey in the last 26 weeks",
}

# Outputs that count things (whole numbers); the rest are shares, means or rates.
COUNT_COLUMNS = frozenset({"customers_active", "customers_lost", "customers_won", "journeys", "journeys_delayed",
                           "handoffs_fixed", "employees_replaced", "lost_with_failure"})


class Trailing:
    """A quarter's trailing events per exposure, annualised; starts filled with an expected weekly rate."""

    def __init__(self, expected_rate: float, exposure: float):
        """Fill the window with RETENTION_WINDOW - 1 weeks at ``expected_rate`` of ``exposure``."""
        weeks = RETENTION_WINDOW - 1
        self.events = deque([expected_rate * exposure] * weeks, maxlen=RETENTION_WINDOW)
        self.exposed = deque([exposure] * weeks, maxlen=RETENTION_WINDOW)

    def add(self, events: float, exposed: float) -> float:
        """Add this week; return the weekly rate over the window."""
        self.events.append(events)
        self.exposed.append(exposed)
        return sum(self.events) / max(sum(self.exposed), 1e-12)


class Recorder:
    """Keeps the trailing churn and turnover windows and cumulative handoff counts."""

    def __init__(self, n_functions: int, churn: Trailing, turnover: Trailing):
        """Start with pre-filled windows and no handoffs counted."""
        self.churn = churn
        self.turnover = turnover
        self.attempts = np.zeros((n_functions, n_functions), dtype=np.int64)
        self.successes = np.zeros((n_functions, n_functions), dtype=np.int64)

    def retention_rate(self, lost: int, exposed: int) -> float:
        """Add this week's churn to the window; return annualised retention."""
        return (1.0 - self.churn.add(lost, exposed)) ** WEEKS_PER_YEAR

    def turnover_rate(self, left: int, staff: int) -> float:
        """Add this week's leavers to the window; return the annual share of staff who leave."""
        return 1.0 - (1.0 - self.turnover.add(left, staff)) ** WEEKS_PER_YEAR

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
    """Customers lost so far, by reason: the handoff that failed them, delays, or outside reasons."""
    return pd.Series(lost_counts, index=pd.Index(REASON_NAMES, name="reason"), name="customers_lost")


def leader_mask(org) -> np.ndarray:
    """True for executives and managers."""
    return org.leaders
