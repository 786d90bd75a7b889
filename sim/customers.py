"""Customers: satisfaction follows the journeys they experience; churn carries its reason.

A success lifts satisfaction a little, a delay lowers it a little, a failed
handoff lowers it a lot (more than a success lifts it wherever satisfaction
exceeds SUCCESS_GAIN / (SUCCESS_GAIN + FAILURE_LOSS) = 0.25): bad is stronger than good (Baumeister et al. 2001;
Anderson & Sullivan 1993 on the asymmetric effect of disconfirmation).  The
weekly churn hazard rises as satisfaction falls.  Every lost customer carries
its reason, the handoff that failed it most (seed 004: customers lost or
saved, and the reasons why).  New customers are won from the rest of the
market at a weekly rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.organisation import FUNCTIONS
from sim.work import HANDOFFS, JOURNEY_RATE, WorkOutcome

MARKET_FACTOR = 2  # the market holds twice the initial book of accounts
SUCCESS_GAIN = 0.04  # share of the distance to full satisfaction gained per success
DELAY_LOSS = 0.03  # share of satisfaction lost per delayed journey
FAILURE_LOSS = 0.12  # share of satisfaction lost per failed journey
BACKGROUND_HAZARD = 0.001  # weekly churn for reasons outside the organisation's reach
SATISFACTION_HAZARD = 0.018  # extra weekly churn hazard of a fully dissatisfied account
WIN_RATE = 0.004  # weekly chance that an account outside the book is won
INITIAL_SATISFACTION = (6.0, 3.0)  # Beta shape of a new account's satisfaction
HISTORY_JOURNEYS = 30  # past journeys that shaped the starting book's satisfaction
DELAYS = len(HANDOFFS)  # reason column: delays
NO_FAILURE = len(HANDOFFS) + 1  # reason of customers lost with no failure on record
REASONS = len(HANDOFFS) + 2
SUCCESS = len(HANDOFFS) + 1  # outcome code of a successful journey in a history


def handoff_name(a: int, b: int) -> str:
    """Readable name of the handoff from function ``a`` to function ``b``."""
    if a == b:
        return f"within {FUNCTIONS[a]}"
    return f"{FUNCTIONS[a]} -> {FUNCTIONS[b]}"


REASON_NAMES: tuple[str, ...] = (
    *(handoff_name(a, b) for a, b in HANDOFFS), "delays", "no failure on record"
)


@dataclass
class Customers:
    """The market's accounts; ``active`` marks those in the book."""

    active: np.ndarray
    satisfaction: np.ndarray
    failures: np.ndarray  # accounts x (handoffs + delays): failures experienced
    lost_by_reason: np.ndarray  # lost customers so far, by reason


def new_customers(n_customers: int, history_shares: np.ndarray, rng: np.random.Generator) -> Customers:
    """A market of MARKET_FACTOR·n accounts, the first n in the book.

    Accounts in the book arrive with a history: HISTORY_JOURNEYS past journeys
    each, whose outcomes are drawn with ``history_shares`` (one share per
    failure-record column, i.e. each handoff failing and a delay, then success
    last), shape their satisfaction and failure record, so the book starts
    near its steady state.
    """
    slots = MARKET_FACTOR * n_customers
    active = np.zeros(slots, dtype=bool)
    active[:n_customers] = True
    satisfaction = rng.beta(*INITIAL_SATISFACTION, size=slots)
    failures = np.zeros((slots, REASONS - 1), dtype=np.uint16)
    book = np.arange(n_customers)
    for code in rng.choice(len(history_shares), size=(HISTORY_JOURNEYS, n_customers), p=history_shares):
        kind = np.where(code == SUCCESS, 0, np.where(code == DELAYS, 1, 2))
        satisfaction[:n_customers] = react(satisfaction[:n_customers], kind)
        bad = code != SUCCESS
        failures[book[bad], code[bad]] += 1
    return Customers(active, satisfaction, failures, np.zeros(REASONS, dtype=np.int64))


def start_journeys(customers: Customers, rng: np.random.Generator) -> np.ndarray:
    """Indices of the accounts that start a journey this week."""
    return np.flatnonzero(customers.active & (rng.random(len(customers.active)) < JOURNEY_RATE))


def react(satisfaction: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Satisfaction after one journey each: outcome 0 success, 1 delay, 2 failure."""
    loss = np.where(outcome == 1, DELAY_LOSS, FAILURE_LOSS)
    return np.where(outcome == 0, satisfaction + SUCCESS_GAIN * (1.0 - satisfaction),
                    satisfaction * (1.0 - loss))


def experience(customers: Customers, who: np.ndarray, outcome: WorkOutcome) -> None:
    """Update satisfaction and failure records from this week's journeys."""
    kind = np.where(outcome.failed, 2, outcome.delayed.astype(np.int64))
    customers.satisfaction[who] = react(customers.satisfaction[who], kind)
    customers.failures[who[outcome.failed], outcome.failed_handoff[outcome.failed]] += 1
    customers.failures[who[outcome.delayed], DELAYS] += 1


def churn_hazard(satisfaction: np.ndarray) -> np.ndarray:
    """Weekly probability of leaving, rising as satisfaction falls."""
    return BACKGROUND_HAZARD + SATISFACTION_HAZARD * (1.0 - satisfaction) ** 2


def churn(customers: Customers, rng: np.random.Generator) -> int:
    """Lose accounts by their hazard; record each one's reason; free their slots."""
    draw = rng.random(len(customers.active))
    lost = np.flatnonzero(customers.active & (draw < churn_hazard(customers.satisfaction)))
    record = customers.failures[lost]
    reason = np.where(record.any(axis=1), record.argmax(axis=1), NO_FAILURE)
    customers.lost_by_reason += np.bincount(reason, minlength=REASONS)
    customers.active[lost] = False
    return len(lost)


def win(customers: Customers, rng: np.random.Generator) -> int:
    """Win accounts from outside the book; they start afresh."""
    outside = np.flatnonzero(~customers.active)
    won = outside[rng.random(len(outside)) < WIN_RATE]
    customers.active[won] = True
    customers.satisfaction[won] = rng.beta(*INITIAL_SATISFACTION, size=len(won))
    customers.failures[won] = 0
    return len(won)
