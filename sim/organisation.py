"""Structure: functions, levels, the reporting tree, the informal network, barriers.

Functions follow seed 000's list; the informal network is dense inside a
function and sparse across functions, with the cross-function share of ties
set by ``silo_strength`` (seed 004: silos).  Silos re-form without effort:
every barrier drifts back towards ``silo_strength`` at a rate that falls as
the two functions' people care for the customer (seed 000: people in one
organisation do not row in the same direction by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

FUNCTIONS: tuple[str, ...] = (
    "strategy and planning",
    "product and innovation",
    "supply chain",
    "delivery",
    "finance and billing",
    "marketing and communications",
    "sales",
    "customer success",
)
BETWEEN_FUNCTIONS = ~np.eye(len(FUNCTIONS), dtype=bool)  # mask of the F x F pairs of two different functions
LEVELS: tuple[str, ...] = ("executive", "manager", "frontline")
EXECUTIVE, MANAGER, FRONTLINE = 0, 1, 2


@dataclass
class Organisation:
    """Who is in which function and level, who reports to whom, who talks to whom."""

    function: np.ndarray  # function index of each employee
    level: np.ndarray  # EXECUTIVE, MANAGER or FRONTLINE
    manager: np.ndarray  # index of the manager; the CEO points at itself
    skip: np.ndarray  # index of the manager's manager (masked by has_skip where it is the manager)
    has_manager: np.ndarray  # float mask: 1 where a manager exists
    has_skip: np.ndarray  # float mask: 1 where a skip-level manager exists
    executives: np.ndarray  # indices of the function heads (the CEO first)
    workers: np.ndarray  # non-executives, grouped by function
    worker_start: np.ndarray  # first position of each function in ``workers``
    worker_count: np.ndarray  # number of workers of each function
    peers: sp.csr_matrix  # informal network, row-normalised
    barrier: np.ndarray  # F x F barrier on handoffs between functions

    @cached_property
    def function_size(self) -> np.ndarray:
        """Number of employees in each function (functions never change size)."""
        return np.bincount(self.function, minlength=len(self.barrier))

    @cached_property
    def leaders(self) -> np.ndarray:
        """True for executives and managers."""
        return self.level != FRONTLINE

    @property
    def size(self) -> int:
        """Number of employees."""
        return len(self.function)


def function_sizes(n_employees: int, n_functions: int = len(FUNCTIONS)) -> np.ndarray:
    """Split ``n_employees`` as evenly as possible over the functions."""
    sizes = np.full(n_functions, n_employees // n_functions)
    sizes[: n_employees % n_functions] += 1
    return sizes


def build_organisation(n_employees: int, silo_strength: float, a, rng: np.random.Generator) -> Organisation:
    """Lay out functions, levels and the reporting tree; wire the informal network (``a``: assumptions)."""
    sizes = function_sizes(n_employees)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    function = np.repeat(np.arange(len(sizes)), sizes)
    level = np.full(n_employees, FRONTLINE, dtype=np.int8)
    manager = np.empty(n_employees, dtype=np.int64)
    ceo = starts[0]
    for start, size in zip(starts, sizes, strict=True):
        n_managers = max(1, round(size * a.manager_share))
        managers = start + 1 + np.arange(n_managers)
        frontline = np.arange(start + 1 + n_managers, start + size)
        level[start] = EXECUTIVE
        level[managers] = MANAGER
        manager[start] = ceo
        manager[managers] = start
        manager[frontline] = managers[np.arange(len(frontline)) % n_managers]
    skip = manager[manager]
    index = np.arange(n_employees)
    workers = index[level != EXECUTIVE]
    return Organisation(
        function=function,
        level=level,
        manager=manager,
        skip=skip,
        has_manager=(manager != index).astype(float),
        has_skip=(skip != manager).astype(float),
        executives=starts.copy(),
        workers=workers,
        worker_start=starts - np.arange(len(sizes)),
        worker_count=sizes - 1,
        peers=informal_network(function, starts, sizes, silo_strength, a.ties_per_employee, rng),
        barrier=initial_barriers(len(sizes), silo_strength),
    )


def initial_barriers(n_functions: int, silo_strength: float) -> np.ndarray:
    """Barrier ``silo_strength`` between every two functions, none inside one."""
    barrier = np.full((n_functions, n_functions), float(silo_strength))
    np.fill_diagonal(barrier, 0.0)
    return barrier


def informal_network(function, starts, sizes, silo_strength, ties, rng) -> sp.csr_matrix:
    """Each employee's ties: across functions with probability (1 - silo_strength)·(F-1)/F.

    At ``silo_strength`` 0 ties fall on random colleagues anywhere; at 1 every
    tie stays inside the employee's own function.  Rows sum to one.
    """
    n, k, n_functions = len(function), int(ties), len(sizes)
    own = np.repeat(function, k)
    p_cross = (1.0 - silo_strength) * (n_functions - 1) / n_functions
    cross = rng.random(n * k) < p_cross
    shift = 1 + rng.integers(0, n_functions - 1, size=n * k)
    target_function = np.where(cross, (own + shift) % n_functions, own)
    target = starts[target_function] + (rng.random(n * k) * sizes[target_function]).astype(np.int64)
    source = np.repeat(np.arange(n), k)
    same = target == source  # a tie to oneself moves to the next colleague in the function
    target[same] = starts[own[same]] + (target[same] - starts[own[same]] + 1) % sizes[own[same]]
    weights = np.full(n * k, 1.0 / k)
    return sp.csr_matrix((weights, (source, target)), shape=(n, n))


def function_means(org: Organisation, values: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (one per employee) in each function."""
    return np.bincount(org.function, weights=values, minlength=len(org.barrier)) / org.function_size


def reform_silos(org: Organisation, focus: np.ndarray, silo_strength: float, rate: float) -> None:
    """Barriers drift back towards ``silo_strength``, the faster the less the two functions care.

    The rate between functions f and g is ``rate`` times one minus the mean
    customer focus of their people: what leaders remove is kept only where
    people want to keep it (seed 003: change does not stick without
    commitment).
    """
    care = function_means(org, focus)
    keep = 0.5 * (care[:, None] + care[None, :])
    drift = rate * (1.0 - keep) * (silo_strength - org.barrier)
    org.barrier += np.where(BETWEEN_FUNCTIONS, drift, 0.0)
