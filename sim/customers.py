"""Customers: effort remembered, churn as competing risks with their reasons, wins by reputation.

Every failed journey adds one unit to the account's remembered effort, a
delayed one ``delay_effort``; memory fades by ``effort_memory`` a week.  The
weekly churn hazard is

    h = background_hazard + failure_hazard · (failures + delay_effort · delays)

so effort drives disloyalty (Dixon, Freeman & Toman 2010: 96 % of customers
with high-effort experiences became more disloyal, 9 % of low-effort ones).
Each lost account's reason is drawn in proportion to the parts of its hazard
(competing risks): the handoff that failed it last, delays, or a reason
outside the organisation's reach (price, needs, moving away).  So removing
the failures of one kind removes the churn booked to them (seed 004:
customers lost or saved, and the reasons why).  Satisfaction is exp(−effort);
accounts outside the book are won at a rate that follows the book's mean
satisfaction, the organisation's reputation (Reichheld 1996).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.organisation import FUNCTIONS
from sim.work import HANDOFFS, WorkOutcome

DELAYS = len(HANDOFFS)  # reason: delays
OUTSIDE = len(HANDOFFS) + 1  # reason: outside the organisation's reach
REASONS = len(HANDOFFS) + 2
SUCCESS = len(HANDOFFS) + 1  # outcome code of a successful journey in a history
RECORD_WEEKS = 26  # a failed or delayed journey stays "on record" for half a year
HISTORY_WEEKS = 156  # weeks of past journeys that shaped the starting book
NEVER = -(10**6)  # week of the last bad journey of an account that never had one
HISTORY_CHUNK = 65_536  # accounts whose histories are drawn at once


def handoff_name(f: int, g: int) -> str:
    """Readable name of the handoff from function ``f`` to function ``g``."""
    if f == g:
        return f"within {FUNCTIONS[f]}"
    return f"{FUNCTIONS[f]} -> {FUNCTIONS[g]}"


REASON_NAMES: tuple[str, ...] = (
    *(handoff_name(f, g) for f, g in HANDOFFS), "delays", "outside the organisation's reach"
)


@dataclass
class Customers:
    """The market's accounts; ``active`` marks those in the book."""

    active: np.ndarray
    failures: np.ndarray  # remembered failed journeys (decaying)
    delays: np.ndarray  # remembered delayed journeys (decaying)
    last_failure: np.ndarray  # handoff index of the last failed journey, -1 if none
    last_bad_week: np.ndarray  # week of the last failed or delayed journey
    lost_by_reason: np.ndarray  # lost customers so far, by reason


def new_customers(n_customers: int, history_shares: np.ndarray, a, rng: np.random.Generator) -> Customers:
    """A market of market_factor·n accounts, the first n in the book with a history.

    Each account in the book had journeys over the past HISTORY_WEEKS weeks,
    with outcomes drawn from ``history_shares`` (one share per handoff
    failing, then delays, then success), which set its remembered effort.
    """
    slots = round(a.market_factor * n_customers)
    customers = Customers(
        np.arange(slots) < n_customers, np.zeros(slots), np.zeros(slots), np.full(slots, -1, dtype=np.int32),
        np.full(slots, NEVER, dtype=np.int32), np.zeros(REASONS, dtype=np.int64),
    )
    for start in range(0, n_customers, HISTORY_CHUNK):  # a block of accounts at a time bounds the memory
        _draw_history(customers, start, min(start + HISTORY_CHUNK, n_customers), history_shares, a, rng)
    return customers


def _draw_history(customers: Customers, start: int, stop: int, history_shares: np.ndarray, a,
                  rng: np.random.Generator) -> None:
    """Draw the past journeys of accounts ``start`` to ``stop`` and set what they remember."""
    n = stop - start
    count = rng.binomial(HISTORY_WEEKS, a.journey_rate, size=n)
    owner = np.repeat(np.arange(n), count)
    age = rng.integers(1, HISTORY_WEEKS + 1, size=len(owner))
    code = rng.choice(len(history_shares), size=len(owner), p=history_shares)
    weight = a.effort_memory ** (age - 1)
    customers.failures[start:stop] = np.bincount(owner, weights=weight * (code < DELAYS), minlength=n)
    customers.delays[start:stop] = np.bincount(owner, weights=weight * (code == DELAYS), minlength=n)
    bad = code != SUCCESS
    latest_bad = _latest(owner[bad], age[bad], n)
    customers.last_bad_week[start:stop] = np.where(latest_bad > 0, 1 - latest_bad, NEVER)
    failed = code < DELAYS
    order = np.lexsort((age[failed], owner[failed]))
    owners, first = np.unique(owner[failed][order], return_index=True)
    customers.last_failure[start + owners] = code[failed][order][first]


def _latest(owner: np.ndarray, age: np.ndarray, n: int) -> np.ndarray:
    """Smallest age per owner (0 where an owner has none)."""
    youngest = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(youngest, owner, age)
    return np.where(youngest == np.iinfo(np.int64).max, 0, youngest)


def chosen(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Indices in range(n), each chosen independently with probability ``p`` (by geometric skips, sorted)."""
    if n == 0 or p <= 0.0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n)
    block = int(n * p + 4.0 * np.sqrt(n * p) + 16)
    position = np.cumsum(rng.geometric(p, size=block)) - 1
    while position[-1] < n:
        position = np.concatenate((position, position[-1] + np.cumsum(rng.geometric(p, size=block))))
    return position[: np.searchsorted(position, n)]


def start_journeys(customers: Customers, a, rng: np.random.Generator) -> np.ndarray:
    """Indices of the accounts that start a journey this week."""
    book = np.flatnonzero(customers.active)
    return book[chosen(len(book), a.journey_rate, rng)]


def experience(customers: Customers, who: np.ndarray, outcome: WorkOutcome, week: int, a) -> None:
    """Memory fades a week; this week's failed and delayed journeys are remembered."""
    customers.failures *= a.effort_memory
    customers.delays *= a.effort_memory
    failed, delayed = who[outcome.failed], who[outcome.delayed]
    customers.failures[failed] += 1.0
    customers.delays[delayed] += 1.0
    customers.last_failure[failed] = outcome.failed_handoff[outcome.failed]
    customers.last_bad_week[failed] = week
    customers.last_bad_week[delayed] = week


def effort(customers: Customers, a, index=slice(None)) -> np.ndarray:
    """Remembered effort: failures plus delays weighted by ``delay_effort``."""
    return customers.failures[index] + a.delay_effort * customers.delays[index]


def satisfaction(customers: Customers, a, index=slice(None)) -> np.ndarray:
    """exp(−effort): 1 for an account that remembers no trouble."""
    return np.exp(-effort(customers, a, index))


def mean_satisfaction(customers: Customers, a) -> float:
    """Mean satisfaction of the book (nan for an empty book)."""
    size = np.count_nonzero(customers.active)
    if size == 0:
        return float("nan")
    return float((satisfaction(customers, a) * customers.active).sum() / size)


def on_record(customers: Customers, week: int, index=slice(None)) -> np.ndarray:
    """True for accounts with a failed or delayed journey in the last RECORD_WEEKS weeks."""
    return week - customers.last_bad_week[index] < RECORD_WEEKS


@dataclass
class Churn:
    """Losses of one week: all of them, those with a failure on record, and how many were exposed."""

    lost: int
    lost_with_failure: int
    exposed_with_failure: int
    exposed_without_failure: int


def churn(customers: Customers, week: int, a, rng: np.random.Generator) -> Churn:
    """Lose accounts by their hazard; draw each one's reason from the parts of its hazard.

    Candidates are drawn at the book's highest hazard and kept in proportion
    to their own (thinning), so only they need a hazard and a draw.
    """
    active = customers.active
    book = np.flatnonzero(active)
    top = a.background_hazard + a.failure_hazard * (effort(customers, a, book).max() if len(book) else 0.0)
    bound = min(top, 1.0)
    candidates = book[chosen(len(book), bound, rng)]
    failures = a.failure_hazard * customers.failures[candidates]
    hazard = a.background_hazard + failures + a.failure_hazard * a.delay_effort * customers.delays[candidates]
    leaving = rng.random(len(candidates)) * bound < hazard
    lost = candidates[leaving]
    share = rng.random(len(lost)) * hazard[leaving]
    reason = np.where(share < a.background_hazard, OUTSIDE,
                      np.where(share < a.background_hazard + failures[leaving], customers.last_failure[lost], DELAYS))
    customers.lost_by_reason += np.bincount(reason, minlength=REASONS)
    exposed_with_failure = np.count_nonzero(on_record(customers, week) & active)
    lost_with_failure = np.count_nonzero(on_record(customers, week, lost))
    active[lost] = False
    return Churn(len(lost), int(lost_with_failure), int(exposed_with_failure), len(book) - int(exposed_with_failure))


def win(customers: Customers, a, rng: np.random.Generator, reputation: float | None = None) -> int:
    """Win accounts from outside the book at ``win_rate`` × reputation; they start with no trouble remembered.

    ``reputation`` is the book's mean satisfaction, if already known.
    """
    if reputation is None:
        reputation = mean_satisfaction(customers, a)
    if np.isnan(reputation):  # nobody in the book
        reputation = 1.0
    outside = np.flatnonzero(~customers.active)
    won = outside[chosen(len(outside), a.win_rate * reputation**a.reputation_elasticity, rng)]
    customers.active[won] = True
    customers.failures[won] = 0.0
    customers.delays[won] = 0.0
    customers.last_failure[won] = -1
    customers.last_bad_week[won] = NEVER
    return len(won)
