"""Courage: the hard structural actions leaders take each week (seed 003).

Courage is the rate of hard acts; what they are aimed at is the customer
only as far as the executives themselves display customer focus (seed 003:
courageous leaders "lead by example"; the rest of their acts serve other
agendas and leave the customer's path as it was).  Aimed at the customer,
courageous leaders break down silos (every barrier between functions
shrinks), remove obstacles on failing handoffs (seed 001: remove obstacles;
seed 004: handoffs across silos), confront naysayers who then change or leave
("you can join us or you can leave us").  Courage also funds the change,
whatever it is aimed at (capacity, see ``sim.staffing``).  A fix goes to the handoff that fails customers most when
leaders can see it: through customer metrics (``metric_alignment``: customers
lost and why, seed 004) or by listening to customers (seed 003); otherwise it
lands on a pair of functions at random, often one no journey crosses.  Fixes
take work from the functions involved (Repenning & Sterman 2001: improvement
work first competes with production).  What courage removes, silos rebuild
unless people care (``sim.organisation.reform_silos``).  With courage 0 the
structure is left to itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.culture import Culture
from sim.organisation import BETWEEN_FUNCTIONS, EXECUTIVE, Organisation
from sim.staffing import Staff, hire


@dataclass
class LeadershipActions:
    """What leaders did this week and the work it took."""

    handoffs_fixed: int = 0
    resisters_changed: int = 0
    employees_replaced: int = 0
    effort: np.ndarray = field(default_factory=lambda: np.zeros(0))  # staff-weeks per function


def take_actions(org: Organisation, culture: Culture, staff: Staff, levers, a, failures_seen: np.ndarray,
                 rng: np.random.Generator) -> LeadershipActions:
    """Apply this week's structural actions: courage times the executives' displayed focus."""
    effort = np.zeros(len(org.barrier))
    if levers.leadership_courage == 0.0:
        return LeadershipActions(effort=effort)
    courage = levers.leadership_courage * culture.focus[org.executives].mean()  # acts aimed at the customer
    break_silos(org.barrier, courage, a.silo_breaking_rate)
    fixed = fix_handoffs(org, courage, levers.metric_alignment, failures_seen, effort, a, rng)
    changed, replaced = confront_resisters(org, culture, staff, courage, levers, a, rng)
    return LeadershipActions(fixed, changed, replaced, effort)


def break_silos(barrier: np.ndarray, courage: float, rate: float) -> None:
    """Every barrier between functions shrinks by ``rate`` × courage."""
    barrier *= 1.0 - rate * courage


def fix_handoffs(org: Organisation, courage: float, metric_alignment: float, failures_seen: np.ndarray,
                 effort: np.ndarray, a, rng: np.random.Generator) -> int:
    """Executives remove obstacles on handoffs between two functions; returns the number of fixes.

    A fix is aimed with probability m + (1 − m)·listening_share at the pair
    whose handoffs failed most in recent weeks (``failures_seen``), the next
    aimed fix at the next worst; otherwise it lands on a random pair.  Each
    fix costs ``fix_effort`` staff-weeks, split between the two functions.
    """
    n_fixes = rng.binomial(len(org.executives), a.fix_rate * courage)
    n_functions = len(org.barrier)
    across = np.where(BETWEEN_FUNCTIONS, failures_seen, 0.0)
    aimed = metric_alignment + (1.0 - metric_alignment) * a.listening_share
    for _ in range(n_fixes):
        if rng.random() < aimed and across.any():
            f, g = np.unravel_index(np.argmax(across), across.shape)
            across[f, g] = across[g, f] = 0.0
        else:
            f, g = rng.choice(n_functions, size=2, replace=False)
        org.barrier[f, g] *= 1.0 - a.fix_size
        org.barrier[g, f] *= 1.0 - a.fix_size
        effort[[f, g]] += 0.5 * a.fix_effort
    return int(n_fixes)


def confront_resisters(org: Organisation, culture: Culture, staff: Staff, courage: float, levers, a,
                       rng: np.random.Generator) -> tuple[int, int]:
    """Confronted resisters change (disposition halfway to 1) or leave for a hire."""
    resisters = np.flatnonzero((culture.disposition < a.resister_disposition) & (org.level != EXECUTIVE))
    confronted = resisters[rng.random(len(resisters)) < a.confront_rate * courage]
    if len(confronted) == 0:
        return 0, 0
    change = rng.random(len(confronted)) < a.change_share
    changed, leaving = confronted[change], confronted[~change]
    culture.disposition[changed] += 0.5 * (1.0 - culture.disposition[changed])
    hire(org, culture, staff, leaving, levers, a, rng)
    return len(changed), len(leaving)
