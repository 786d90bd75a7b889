"""Courage: the hard structural actions leaders take each week (seed 003).

Courageous leaders break down silos (all barriers between functions shrink),
remove obstacles on the handoffs that fail most (seed 001: remove obstacles;
seed 004: handoffs across silos), confront naysayers who then change or leave
and are replaced by hires ("you can join us or you can leave us"), and fund
the change (capacity, see ``sim.work``).  Which handoffs they fix depends on
metric alignment: only leaders who measure customers lost and why can see
which handoffs fail (seed 004).  With courage 0 the structure stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.culture import Culture, anchors, draw_dispositions, trust_target_without_gap
from sim.organisation import BETWEEN_FUNCTIONS, EXECUTIVE, Organisation

SILO_BREAKING_RATE = 0.02  # share of every barrier removed per week at full courage
FIX_RATE = 0.1  # chance per executive-week at full courage of fixing one handoff
FIX_SIZE = 0.5  # share of a fixed handoff's barrier removed
RESISTER_DISPOSITION = 0.25  # staff below this disposition resist the change
CONFRONT_RATE = 0.05  # chance per resister-week at full courage of being confronted
CHANGE_SHARE = 0.5  # of those confronted, the share who change rather than leave


@dataclass
class LeadershipActions:
    """What leaders did this week."""

    handoffs_fixed: int = 0
    resisters_changed: int = 0
    employees_replaced: int = 0


def take_actions(org: Organisation, culture: Culture, levers, failures_seen: np.ndarray,
                 rng: np.random.Generator) -> LeadershipActions:
    """Apply this week's structural actions in proportion to courage."""
    courage = levers.leadership_courage
    if courage == 0.0:
        return LeadershipActions()
    break_silos(org.barrier, courage)
    fixed = fix_handoffs(org, courage, levers.metric_alignment, failures_seen, rng)
    changed, replaced = confront_resisters(org, culture, courage, levers, rng)
    return LeadershipActions(fixed, changed, replaced)


def break_silos(barrier: np.ndarray, courage: float) -> None:
    """Every barrier between functions shrinks at a rate set by courage."""
    barrier *= 1.0 - SILO_BREAKING_RATE * courage


def fix_handoffs(org: Organisation, courage: float, metric_alignment: float,
                 failures_seen: np.ndarray, rng: np.random.Generator) -> int:
    """Executives remove obstacles on handoffs between two functions.

    With probability ``metric_alignment`` a fix goes to the pair of functions
    whose cross-function handoffs failed most in recent weeks (``failures_seen``,
    decayed counts), the next fix to the next worst, and so on; otherwise
    leaders cannot see why customers are lost and fix a pair at random.
    """
    n_fixes = rng.binomial(len(org.executives), FIX_RATE * courage)
    n_functions = len(org.barrier)
    across = np.where(BETWEEN_FUNCTIONS, failures_seen, 0.0)
    for _ in range(n_fixes):
        if rng.random() < metric_alignment and across.any():
            a, b = np.unravel_index(np.argmax(across), across.shape)
            across[a, b] = across[b, a] = 0.0
        else:
            a, b = rng.choice(n_functions, size=2, replace=False)
        org.barrier[a, b] *= 1.0 - FIX_SIZE
        org.barrier[b, a] *= 1.0 - FIX_SIZE
    return int(n_fixes)


def confront_resisters(org: Organisation, culture: Culture, courage: float, levers,
                       rng: np.random.Generator) -> tuple[int, int]:
    """Confronted resisters change (disposition halfway to 1) or leave for a hire."""
    resisters = np.flatnonzero(
        (culture.disposition < RESISTER_DISPOSITION) & (org.level != EXECUTIVE)
    )
    confronted = resisters[rng.random(len(resisters)) < CONFRONT_RATE * courage]
    if len(confronted) == 0:
        return 0, 0
    change = rng.random(len(confronted)) < CHANGE_SHARE
    changed, leaving = confronted[change], confronted[~change]
    culture.disposition[changed] += 0.5 * (1.0 - culture.disposition[changed])
    culture.disposition[leaving] = draw_dispositions(rng, len(leaving))
    culture.focus[leaving] = anchors(org, culture.disposition, levers)[leaving]
    culture.trust[leaving] = trust_target_without_gap(levers.transparency)
    return len(changed), len(leaving)
