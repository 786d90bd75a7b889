"""Work across silos: customer journeys pass through functions in handoffs.

Each stage of a journey is done by a random non-executive of its function;
a handoff needs the will and the way: the two people must execute it well and
the structure must let it through (seed 004: handoffs across silos must be
executed well), so it succeeds with probability

    p = σ(handoff_base + handoff_focus · (x_a + x_b)/2) · σ(handoff_structure − handoff_barrier · B[f_a, f_b])

rising with both employees' customer focus and falling with the barrier
between their functions; removing a barrier helps the more, the more the
people care (courage and commitment are complements, seed 003).  A
journey succeeds when all its handoffs do; it ends at its first failed
handoff (the stages after it are not worked), and the failure makes rework
for the sending function; the customer's time to resolution is the whole
journey's, and ``rework`` of it again.

Unfamiliar cross-silo collaboration costs time (seed 004: "it will seem to
slow people down"): a function's collaboration y = x̄ · (1 − B̄) is how much
it works across open boundaries; its routine r follows y with a lag
(collab_learning); a stage handed across an open boundary takes
1 + collab_cost · x · (1 − B) · max(0, 1 − r / y) stages of work, where x is
the worker's focus (people who care take the time to hand over well) and
1 − B how open the boundary is (behind a wall work is thrown over it).  So a
push across silos first slows work and frustrates people, and then, once
the new way is routine and fewer handoffs fail and need rework, pays: worse
before better (Repenning & Sterman 2001).

Each function works through its queue: this week's stages, rework and
change work join the backlog, and capacity clears what it can.  Work left
over beyond ``delay_tolerance`` working days of capacity is late: that share
of the queue is the share of stages delayed (a day's wait goes unnoticed).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.organisation import FUNCTIONS, Organisation, function_means

WORKING_DAYS = 5  # days in a working week: cycle time is reported in working days

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
class Workload:
    """Each function's queue, routine in cross-silo work, and the work it plans for."""

    backlog: np.ndarray  # stages waiting
    routine: np.ndarray  # in [0, 1]
    planned: np.ndarray  # smoothed weekly work (stages), what headcount is planned for


@dataclass
class WorkOutcome:
    """What happened to this week's journeys, one entry per journey, and to each function's work."""

    failed: np.ndarray  # bool
    delayed: np.ndarray  # bool (only where not failed)
    failed_handoff: np.ndarray  # index into HANDOFFS of the first failed handoff, or -1
    attempts: np.ndarray  # F x F handoffs attempted
    successes: np.ndarray  # F x F handoffs that succeeded
    cycle_time: float  # mean working days of a journey
    overload: np.ndarray  # per function: queue beyond capacity, as a share of capacity
    friction: np.ndarray  # per function: share of work spent on unfamiliar cross-silo coordination


def care(focus_a, focus_b, a):
    """Chance that two people execute a handoff well: σ(handoff_base + handoff_focus · (x_a + x_b)/2)."""
    return _sigmoid(a.handoff_base + a.handoff_focus * 0.5 * (focus_a + focus_b))


def way(barrier, a):
    """Chance that the structure lets a well-executed handoff through: σ(handoff_structure − handoff_barrier · B)."""
    return _sigmoid(a.handoff_structure - a.handoff_barrier * barrier)


def handoff_probability(focus_a, focus_b, barrier, a):
    """Probability that a handoff between two employees succeeds."""
    return care(focus_a, focus_b, a) * way(barrier, a)


def journey_success_probability(template: int, focus: np.ndarray, barrier: np.ndarray, a) -> float:
    """Closed form: the product of a journey's handoff probabilities for given workers."""
    stages = TEMPLATES[template][TEMPLATES[template] >= 0]
    return float(np.prod(handoff_probability(focus[:-1], focus[1:], barrier[stages[:-1], stages[1:]], a)))


def expected_stages(n_customers: float, a) -> np.ndarray:
    """Stages per function per week expected from ``n_customers`` active accounts."""
    per_journey = np.array([np.bincount(row[row >= 0], minlength=len(FUNCTIONS)) for row in TEMPLATES])
    return n_customers * a.journey_rate * (JOURNEY_SHARES @ per_journey)


def new_workload(org: Organisation, focus: np.ndarray, n_customers: int, a) -> Workload:
    """No queue, routine settled at the collaboration each function practises, plans for the expected stages."""
    n = len(FUNCTIONS)
    return Workload(np.zeros(n), collaboration(org, focus), expected_stages(n_customers, a))


def collaboration(org: Organisation, focus: np.ndarray) -> np.ndarray:
    """How much each function works across silos: its mean focus times the mean openness of its boundaries."""
    n = len(FUNCTIONS)
    openness = 1.0 - org.barrier.sum(axis=1) / (n - 1)
    return function_means(org, focus) * openness


def run_journeys(n_journeys: int, org: Organisation, focus: np.ndarray, capacity: np.ndarray, extra: np.ndarray,
                 workload: Workload, a, rng: np.random.Generator) -> WorkOutcome:
    """Pass ``n_journeys`` journeys through the organisation for one week.

    ``extra`` is other work each function must do this week (change work), in stages.
    Everything that depends only on a journey's kind and how far it got is
    computed once per kind (tables of kind x stage), so the per-journey work
    is drawing the workers and the handoffs.  A journey's handoffs are drawn
    with one uniform u: it passes handoff h while u <= p_0 ... p_h, which
    gives each handoff its own chance p_h given the ones before.
    """
    n_functions = len(FUNCTIONS)
    u = rng.random((MAX_STAGES + 3, n_journeys))  # per journey (column): kind, a worker per stage, handoffs, delay
    shares = np.cumsum(JOURNEY_SHARES)
    kind = (u[0] * shares[-1] >= shares[:-1, None]).sum(axis=0)  # the first kind whose cumulative share exceeds u
    fn = np.take(STAGE_FUNCTION.T, kind, axis=1)  # stage x journey, as every array below
    slot = org.worker_start[fn] + (u[1:MAX_STAGES + 1] * org.worker_count[fn]).astype(np.int64)
    x = focus[org.workers[slot]]
    ways = way(org.barrier[SENDER, RECEIVER], a)  # kind x handoff
    survive = care(x[:-1], x[1:], a) * np.take(ways.T, kind, axis=1)
    for h in range(1, MAX_STAGES - 1):
        survive[h] *= survive[h - 1]
    passed = np.minimum((u[MAX_STAGES + 1] <= survive).sum(axis=0), HANDOFF_COUNT[kind])
    failed = passed < HANDOFF_COUNT[kind]  # ``passed`` is then the index of the handoff that failed
    ended = np.bincount(kind * MAX_STAGES + passed, minlength=TEMPLATES.size).reshape(TEMPLATES.shape)
    reached = ended[:, ::-1].cumsum(axis=1)[:, ::-1]  # journeys of each kind that reached each stage
    pair = SENDER[REAL] * n_functions + RECEIVER[REAL]
    attempts = np.bincount(pair, weights=reached[:, :-1][REAL], minlength=n_functions**2)
    successes = np.bincount(pair, weights=reached[:, 1:][REAL], minlength=n_functions**2)
    rework = np.bincount(SENDER[REAL], weights=ended[:, :-1][REAL], minlength=n_functions) * a.rework
    practised = collaboration(org, focus)
    unfamiliar = np.maximum(0.0, 1.0 - workload.routine / np.maximum(practised, 1e-12))
    cost = a.collab_cost * CROSSES * (1.0 - org.barrier[STAGE_FUNCTION, NEXT_FUNCTION]) * unfamiliar[STAGE_FUNCTION]
    slow = x * np.take(cost.T, kind, axis=1)  # coordination of each stage handed across an open boundary
    worked = np.arange(MAX_STAGES)[:, None] <= passed
    coordination = np.bincount(fn.ravel(), weights=np.where(worked, slow, 0.0).ravel(), minlength=n_functions)
    stages = np.bincount(STAGE_FUNCTION[VALID], weights=reached[VALID], minlength=n_functions)
    load = stages + coordination + rework + extra
    queue = workload.backlog + load
    workload.backlog = np.maximum(0.0, queue - capacity)
    late = np.maximum(0.0, workload.backlog - a.delay_tolerance / WORKING_DAYS * capacity) / np.maximum(queue, 1e-12)
    on_time = np.cumprod(np.where(VALID, 1.0 - late[STAGE_FUNCTION], 1.0), axis=1)  # kind x last stage worked
    delayed = ~failed & (u[MAX_STAGES + 2] >= on_time[kind, passed])
    wait = WORKING_DAYS * workload.backlog / np.maximum(capacity, 1e-12)
    # time to resolution: a failed journey is finished after its rework, so all its stages count
    base_days = np.where(VALID, 1.0 + wait[STAGE_FUNCTION], 0.0).sum(axis=1)
    days = (base_days[kind] + slow.sum(axis=0)) * (1.0 + a.rework * failed)
    learn(workload, practised, load, a)
    return WorkOutcome(
        failed, delayed, np.where(failed, FAILED_HANDOFF[kind, passed], -1),
        attempts.astype(np.int64).reshape(n_functions, n_functions),
        successes.astype(np.int64).reshape(n_functions, n_functions),
        float(days.mean()) if n_journeys else float("nan"),
        np.maximum(0.0, queue / np.maximum(capacity, 1e-12) - 1.0),
        coordination / np.maximum(load, 1e-12),
    )


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def learn(workload: Workload, practised: np.ndarray, load: np.ndarray, a) -> None:
    """Routine follows the collaboration each function practises; the plan follows the work (a quarter's smoothing)."""
    workload.routine += a.collab_learning * (practised - workload.routine)
    workload.planned += (load - workload.planned) / PLANNING_WEEKS


PLANNING_WEEKS = 13  # the work plan averages about a quarter


HANDOFF_INDEX = np.full(len(FUNCTIONS) ** 2, -1)
HANDOFF_INDEX[[a * len(FUNCTIONS) + b for a, b in HANDOFFS]] = np.arange(len(HANDOFFS))

# Tables of kind x stage (or x handoff) that do not change: who works each stage, who they hand to.
VALID = TEMPLATES >= 0
STAGE_FUNCTION = np.where(VALID, TEMPLATES, 0)
NEXT_FUNCTION = np.concatenate([STAGE_FUNCTION[:, 1:], STAGE_FUNCTION[:, -1:]], axis=1)
SENDER, RECEIVER, REAL = STAGE_FUNCTION[:, :-1], STAGE_FUNCTION[:, 1:], VALID[:, 1:]
HANDOFF_COUNT = REAL.sum(axis=1)
CROSSES = np.concatenate([REAL & (SENDER != RECEIVER), np.zeros((len(TEMPLATES), 1), dtype=bool)], axis=1)
FAILED_HANDOFF = np.concatenate([np.where(REAL, HANDOFF_INDEX[SENDER * len(FUNCTIONS) + RECEIVER], -1),
                                 np.full((len(TEMPLATES), 1), -1)], axis=1)  # reason when handoff h fails
