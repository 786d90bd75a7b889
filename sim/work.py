"""Work across silos: customer journeys pass through functions in handoffs.

Each stage of a journey is done by a random non-executive of its function;
each handoff succeeds with probability

    logit p = HANDOFF_BASE + HANDOFF_FOCUS · (x_a + x_b)/2 − HANDOFF_BARRIER · B[f_a, f_b]

rising with both employees' customer focus and falling with the barrier
between their functions (seed 004: handoffs across silos must be executed
well).  A journey succeeds when all its handoffs do; it ends at its first
failed handoff.  Cross-silo collaboration costs time (seed 004: it will seem
to slow people down): a stage handed across functions costs 1 + COLLAB_COST·x
of capacity, and stages beyond a function's capacity are delayed.  Funding
(seed 003: allocate sufficient funding) adds capacity in proportion to courage.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.organisation import FUNCTIONS, Organisation

JOURNEY_RATE = 0.1  # journeys started per active customer per week
HANDOFF_BASE = 2.1
HANDOFF_FOCUS = 4.0
HANDOFF_BARRIER = 2.5
COLLAB_COST = 0.3  # extra capacity used by a cross-function stage at full focus
CAPACITY_HEADROOM = 1.25  # capacity over the expected demand of the initial book
FUNDING_GAIN = 0.2  # extra capacity at full courage

_F = {name: i for i, name in enumerate(FUNCTIONS)}
JOURNEYS: dict[str, tuple[float, tuple[str, ...]]] = {
    "order to delivery": (0.30, ("sales", "finance and billing", "supply chain", "delivery", "customer success")),
    "issue resolution": (0.25, ("customer success", "customer success", "product and innovation", "delivery",
                                "customer success")),
    "billing query": (0.15, ("customer success", "finance and billing", "finance and billing", "customer success")),
    "renewal": (0.15, ("customer success", "sales", "strategy and planning", "finance and billing")),
    "campaign to onboarding": (0.10, ("marketing and communications", "sales", "customer success")),
    "change request": (0.05, ("sales", "product and innovation", "strategy and planning", "product and innovation",
                              "delivery")),
}
MAX_STAGES = max(len(stages) for _, stages in JOURNEYS.values())
JOURNEY_SHARES = np.array([share for share, _ in JOURNEYS.values()])
TEMPLATES = np.array([[_F[s] for s in stages] + [-1] * (MAX_STAGES - len(stages))
                      for _, stages in JOURNEYS.values()])
HANDOFFS: tuple[tuple[int, int], ...] = tuple(sorted({
    (int(a), int(b)) for row in TEMPLATES for a, b in itertools.pairwise(row) if b >= 0
}))


@dataclass
class WorkOutcome:
    """What happened to this week's journeys, one entry per journey."""

    failed: np.ndarray  # bool
    delayed: np.ndarray  # bool (only where not failed)
    failed_handoff: np.ndarray  # index into HANDOFFS of the first failed handoff, or -1
    attempts: np.ndarray  # F x F handoffs attempted
    successes: np.ndarray  # F x F handoffs that succeeded


def handoff_probability(focus_a, focus_b, barrier):
    """Probability that a handoff between two employees succeeds."""
    z = HANDOFF_BASE + HANDOFF_FOCUS * 0.5 * (focus_a + focus_b) - HANDOFF_BARRIER * barrier
    return 1.0 / (1.0 + np.exp(-z))


def journey_success_probability(template: int, focus: np.ndarray, barrier: np.ndarray) -> float:
    """Closed form: the product of a journey's handoff probabilities for given workers."""
    stages = TEMPLATES[template][TEMPLATES[template] >= 0]
    return float(np.prod(handoff_probability(focus[:-1], focus[1:], barrier[stages[:-1], stages[1:]])))


def expected_stages(n_customers: int) -> np.ndarray:
    """Stages per function per week expected from ``n_customers`` active accounts."""
    per_journey = np.array([np.bincount(row[row >= 0], minlength=len(FUNCTIONS)) for row in TEMPLATES])
    return n_customers * JOURNEY_RATE * (JOURNEY_SHARES @ per_journey)


def run_journeys(n_journeys: int, org: Organisation, focus: np.ndarray, capacity: np.ndarray,
                 rng: np.random.Generator) -> WorkOutcome:
    """Pass ``n_journeys`` journeys through the organisation for one week."""
    n_functions = len(FUNCTIONS)
    kind = rng.choice(len(TEMPLATES), size=n_journeys, p=JOURNEY_SHARES)
    stage_fn = TEMPLATES[kind]
    valid = stage_fn >= 0
    fn = np.where(valid, stage_fn, 0)
    slot = org.worker_start[fn] + (rng.random(fn.shape) * org.worker_count[fn]).astype(np.int64)
    x = focus[org.workers[slot]]
    a, b = fn[:, :-1], fn[:, 1:]
    real = valid[:, 1:]
    p = handoff_probability(x[:, :-1], x[:, 1:], org.barrier[a, b])
    ok = (rng.random(p.shape) < p) | ~real
    failed = ~ok.all(axis=1)
    first_fail = np.argmin(ok, axis=1)
    reached = np.arange(MAX_STAGES - 1) <= np.where(failed, first_fail, MAX_STAGES)[:, None]
    tried = real & reached
    pair = a * n_functions + b
    attempts = np.bincount(pair[tried], minlength=n_functions**2).reshape(n_functions, n_functions)
    successes = np.bincount(pair[tried & ok], minlength=n_functions**2).reshape(n_functions, n_functions)
    delay_share = stage_delay_share(fn, valid, x, capacity)
    on_time = np.where(valid, 1.0 - delay_share[fn], 1.0).prod(axis=1)
    delayed = ~failed & (rng.random(n_journeys) >= on_time)
    failed_pair = pair[np.arange(n_journeys), first_fail]
    return WorkOutcome(failed, delayed, np.where(failed, HANDOFF_INDEX[failed_pair], -1), attempts, successes)


def stage_delay_share(fn: np.ndarray, valid: np.ndarray, x: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Share of each function's stages delayed because its load exceeds capacity.

    A stage handed on to another function costs 1 + COLLAB_COST·x of the
    worker's time: collaborating across silos is slower.  The load counts
    every stage of every journey that arrives this week: work is planned when
    it arrives, before anyone knows which handoffs will fail.
    """
    crosses = np.zeros_like(valid)
    crosses[:, :-1] = valid[:, 1:] & (fn[:, 1:] != fn[:, :-1])
    cost = np.where(valid, 1.0 + COLLAB_COST * x * crosses, 0.0)
    load = np.bincount(fn.ravel(), weights=cost.ravel(), minlength=len(capacity))
    return np.clip(1.0 - capacity / np.maximum(load, 1e-12), 0.0, 1.0)


def capacity(demand: np.ndarray, courage: float) -> np.ndarray:
    """Stage capacity of each function per week: headroom over ``demand``, plus funding."""
    return CAPACITY_HEADROOM * demand * (1.0 + FUNDING_GAIN * courage)


HANDOFF_INDEX = np.full(len(FUNCTIONS) ** 2, -1)
HANDOFF_INDEX[[a * len(FUNCTIONS) + b for a, b in HANDOFFS]] = np.arange(len(HANDOFFS))
