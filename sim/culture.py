"""Culture: customer focus moves towards what people observe (Friedkin-Johnsen).

x(t+1) = Λ W x(t) + (I − Λ) u.  W is row-stochastic: each employee weighs
their own focus, their manager's displayed focus (scaled by trust), their
skip-level manager's at half that weight (influence weakens level by level),
the executives' in proportion to transparency and trust, and their informal
peers'.  u is each employee's anchor; Λ their susceptibility.  Seeds 001, 002:
employees observe and mimic the focus leaders display; actions outweigh words.
Trust follows the say-do gap of the leaders one observes and transparency
(seed 002: transparency is a key element in trust).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from sim.organisation import EXECUTIVE, Organisation

SELF_WEIGHT = 1.0
MANAGER_WEIGHT = 1.0
SKIP_WEIGHT = 0.5  # influence halves with each level up
EXECUTIVE_WEIGHT = 2.0
PEER_WEIGHT = 1.0
SUSCEPTIBILITY = 0.9  # employees: weight of what they observe against their anchor
EXECUTIVE_SUSCEPTIBILITY = 0.5  # executives hold more firmly to their commitment
TRUST_FLOOR = 0.5  # trust target with no transparency and no say-do gap
TRUST_RATE = 0.05  # share of the distance to the trust target closed per week
DISPOSITION_SHAPE = (2.0, 2.0)  # Beta shape of personal customer disposition


@dataclass
class Culture:
    """Customer focus, trust and disposition of every employee."""

    focus: np.ndarray
    trust: np.ndarray
    disposition: np.ndarray
    susceptibility: np.ndarray


def draw_dispositions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Personal customer disposition of ``n`` people (hires included)."""
    return rng.beta(*DISPOSITION_SHAPE, size=n)


SETTLING_WEEKS = 52  # weeks of culture run before week 1, so a run starts settled


def new_culture(org: Organisation, levers, rng: np.random.Generator) -> Culture:
    """Start everyone at their anchor with trust at its no-gap target, then let culture settle.

    The organisation has existed before week 1: SETTLING_WEEKS of trust and
    focus updates under the starting levers bring it close to its steady
    state, so that a run shows the effect of the levers rather than of its
    arbitrary start.
    """
    disposition = draw_dispositions(rng, org.size)
    susceptibility = np.where(org.level == EXECUTIVE, EXECUTIVE_SUSCEPTIBILITY, SUSCEPTIBILITY)
    focus = anchors(org, disposition, levers)
    trust = np.full(org.size, trust_target_without_gap(levers.transparency))
    culture = Culture(focus, trust, disposition, susceptibility)
    for _ in range(SETTLING_WEEKS):
        update_trust(org, culture, levers)
        update_focus(org, culture, levers)
    return culture


def anchors(org: Organisation, disposition: np.ndarray, levers) -> np.ndarray:
    """U = L·((1 − m)·p + m) for staff, u = L for executives.

    Metric alignment m pulls each person's own aim p towards full customer
    focus, but nobody's anchor exceeds the leaders' commitment L (seed 003:
    no organisation rises above the commitment of its leadership).
    """
    L, m = levers.leader_customer_focus, levers.metric_alignment
    staff = L * ((1.0 - m) * disposition + m)
    return np.where(org.level == EXECUTIVE, L, staff)


def influence_weights(org: Organisation, trust: np.ndarray, transparency: float):
    """Unnormalised weights on manager, skip-level, executives, and the row total."""
    manager = MANAGER_WEIGHT * trust * org.has_manager
    skip = SKIP_WEIGHT * trust * org.has_skip
    executives = EXECUTIVE_WEIGHT * transparency * trust
    total = SELF_WEIGHT + manager + skip + executives + PEER_WEIGHT
    return manager, skip, executives, total


def observed(org: Organisation, focus: np.ndarray, trust: np.ndarray, transparency: float) -> np.ndarray:
    """W x: the trust-weighted focus each employee observes, without building W."""
    manager, skip, executives, total = influence_weights(org, trust, transparency)
    mixed = (
        SELF_WEIGHT * focus
        + manager * focus[org.manager]
        + skip * focus[org.skip]
        + executives * focus[org.executives].mean()
        + PEER_WEIGHT * (org.peers @ focus)
    )
    return mixed / total


def influence_matrix(org: Organisation, trust: np.ndarray, transparency: float) -> sp.csr_matrix:
    """W as an explicit sparse row-stochastic matrix (for checks and analysis)."""
    n = org.size
    manager, skip, executives, total = influence_weights(org, trust, transparency)
    rows = np.arange(n)
    n_exec = len(org.executives)
    parts = [
        sp.csr_matrix((np.full(n, SELF_WEIGHT), (rows, rows)), shape=(n, n)),
        sp.csr_matrix((manager, (rows, org.manager)), shape=(n, n)),
        sp.csr_matrix((skip, (rows, org.skip)), shape=(n, n)),
        sp.csr_matrix(
            (np.repeat(executives / n_exec, n_exec), (np.repeat(rows, n_exec), np.tile(org.executives, n))),
            shape=(n, n),
        ),
        PEER_WEIGHT * org.peers,
    ]
    return sp.diags(1.0 / total) @ sum(parts[1:], parts[0])


def update_focus(org: Organisation, culture: Culture, levers) -> None:
    """One Friedkin-Johnsen step: x ← Λ W x + (I − Λ) u."""
    lam = culture.susceptibility
    wx = observed(org, culture.focus, culture.trust, levers.transparency)
    culture.focus = lam * wx + (1.0 - lam) * anchors(org, culture.disposition, levers)


def fixed_point(org: Organisation, culture: Culture, levers) -> np.ndarray:
    """(I − ΛW)⁻¹ (I − Λ) u: where focus settles if trust and structure stay."""
    lam = culture.susceptibility
    W = influence_matrix(org, culture.trust, levers.transparency)
    A = sp.identity(org.size, format="csr") - sp.diags(lam) @ W
    b = (1.0 - lam) * anchors(org, culture.disposition, levers)
    return spsolve(A.tocsc(), b)


def say_do_gap(focus: np.ndarray, commitment: float) -> np.ndarray:
    """How far each person's displayed focus falls short of the commitment leaders voice."""
    return np.maximum(0.0, commitment - focus)


def trust_target_without_gap(transparency: float) -> float:
    """Trust people settle at when leaders do what they say."""
    return TRUST_FLOOR + (1.0 - TRUST_FLOOR) * transparency


def update_trust(org: Organisation, culture: Culture, levers) -> None:
    """Trust moves towards its target, eroded by the say-do gap one observes.

    The gap observed is one's own manager's, plus the executives' in
    proportion to transparency.
    """
    T = levers.transparency
    gap = say_do_gap(culture.focus, levers.leader_customer_focus)
    seen = (gap[org.manager] * org.has_manager + T * gap[org.executives].mean()) / (org.has_manager + T + 1e-12)
    target = trust_target_without_gap(T) * (1.0 - seen)
    culture.trust += TRUST_RATE * (target - culture.trust)
