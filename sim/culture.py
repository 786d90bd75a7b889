"""Culture: customer focus moves towards what people observe (Friedkin-Johnsen).

x(t+1) = Λ (W x(t) + s) + (I − Λ) p.  Each employee weighs their own focus,
their manager's displayed focus and their skip-level manager's (the
example channel, scaled by trust), the executives' in proportion to
transparency and trust, their informal peers', what leaders say (scaled by
trust, and lighter than deeds: seed 002, "words don't carry the same
weight/impact that actions do") and what everyone is measured and rewarded on
(``metric_alignment``, weight ``incentive_weight``; seed 003: align
measurements with customer outcomes).  s holds those last two fixed sources; p is each person's own
disposition, Λ their susceptibility.  Seeds 001, 002: employees observe and
mimic the focus leaders display.

No lever sets or caps anybody's focus: executives' own disposition is what
leaders do (``leader_customer_focus``), and staff's dispositions drift towards
how they behave at work (socialisation, Harrison & Carroll 1991; March 1991),
so the organisation's culture is carried by the example leaders set.

Trust (seed 002: transparency builds trust; honesty and integrity; actions
outweigh words) moves towards a target that rises with the deeds people see
(their manager's focus, and the executives' as far as transparency shows
them), with transparency, and falls with the say-do gap they see, which
transparency also reveals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from sim.organisation import EXECUTIVE, Organisation


@dataclass
class Culture:
    """Customer focus, trust and disposition of every employee."""

    focus: np.ndarray
    trust: np.ndarray
    disposition: np.ndarray
    susceptibility: np.ndarray


def draw_dispositions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Personal customer disposition of ``n`` people from the labour market: Beta(2, 2)."""
    return rng.beta(2.0, 2.0, size=n)


def new_culture(org: Organisation, levers, a, rng: np.random.Generator) -> Culture:
    """Staff with market dispositions, executives with the leaders' commitment, trust at its target."""
    disposition = draw_dispositions(rng, org.size)
    executive = org.level == EXECUTIVE
    disposition[executive] = levers.leader_customer_focus
    susceptibility = np.where(executive, a.executive_susceptibility, a.susceptibility)
    culture = Culture(disposition.copy(), np.zeros(org.size), disposition, susceptibility)
    culture.trust = trust_target(org, culture.focus, levers, a)
    return culture


def words(levers) -> float:
    """The customer focus leaders voice: their deeds plus ``say_do_gap`` of the way to full focus."""
    deeds = levers.leader_customer_focus
    return deeds + levers.say_do_gap * (1.0 - deeds)


def source_weights(org: Organisation, focus: np.ndarray, trust: np.ndarray, levers, a):
    """Unnormalised weights on manager, skip-level, executives, words and incentives, and the row total."""
    manager = a.manager_weight * trust * org.has_manager
    skip = a.skip_weight * trust * org.has_skip
    executives = a.executive_weight * levers.transparency * trust
    said = a.words_weight * trust
    incentives = a.incentive_weight
    total = a.self_weight + manager + skip + executives + a.peer_weight + said + incentives
    return manager, skip, executives, said, incentives, total


def observed(org: Organisation, focus: np.ndarray, trust: np.ndarray, levers, a):
    """(W x + s): the trust-weighted focus each employee observes and is asked for, without building W."""
    manager, skip, executives, said, incentives, total = source_weights(org, focus, trust, levers, a)
    mixed = (
        a.self_weight * focus
        + manager * focus[org.manager]
        + skip * focus[org.skip]
        + executives * focus[org.executives].mean()
        + a.peer_weight * (org.peers @ focus)
        + said * words(levers)
        + incentives * levers.metric_alignment
    )
    return mixed / total


def influence_matrix(org: Organisation, focus, trust, levers, a) -> tuple[sp.csr_matrix, np.ndarray]:
    """W and s of the update as an explicit sparse matrix and vector (for checks and analysis)."""
    n = org.size
    manager, skip, executives, said, incentives, total = source_weights(org, focus, trust, levers, a)
    rows = np.arange(n)
    n_exec = len(org.executives)
    parts = [
        sp.csr_matrix((np.full(n, a.self_weight), (rows, rows)), shape=(n, n)),
        sp.csr_matrix((manager, (rows, org.manager)), shape=(n, n)),
        sp.csr_matrix((skip, (rows, org.skip)), shape=(n, n)),
        sp.csr_matrix(
            (np.repeat(executives / n_exec, n_exec), (np.repeat(rows, n_exec), np.tile(org.executives, n))),
            shape=(n, n),
        ),
        a.peer_weight * org.peers,
    ]
    W = sp.diags(1.0 / total) @ sum(parts[1:], parts[0])
    s = (said * words(levers) + incentives * levers.metric_alignment) / total
    return W, s


def update_focus(org: Organisation, culture: Culture, levers, a) -> None:
    """One Friedkin-Johnsen step, then socialisation: dispositions drift towards behaviour.

    Executives' disposition is the leaders' commitment, ``leader_customer_focus``.
    """
    lam = culture.susceptibility
    seen = observed(org, culture.focus, culture.trust, levers, a)
    culture.focus = lam * seen + (1.0 - lam) * culture.disposition
    culture.disposition += a.socialisation_rate * (culture.focus - culture.disposition)
    culture.disposition[org.executives] = levers.leader_customer_focus


def fixed_point(org: Organisation, culture: Culture, levers, a) -> np.ndarray:
    """(I − ΛW)⁻¹ (Λ s + (I − Λ) p): where focus settles if trust, incentives and dispositions stay."""
    lam = culture.susceptibility
    W, s = influence_matrix(org, culture.focus, culture.trust, levers, a)
    A = sp.identity(org.size, format="csr") - sp.diags(lam) @ W
    return spsolve(A.tocsc(), lam * s + (1.0 - lam) * culture.disposition)


def deeds_seen(org: Organisation, focus: np.ndarray, transparency: float, who=slice(None)) -> np.ndarray:
    """The leaders' deeds each employee in ``who`` sees: their manager's focus, and the executives' as disclosed."""
    executives = focus[org.executives].mean()
    has_manager = org.has_manager[who]
    weight = has_manager + transparency
    seen = (focus[org.manager[who]] * has_manager + executives * transparency) / np.maximum(weight, 1e-12)
    return np.where(weight > 0, seen, executives)


def gap_seen(levers, a) -> float:
    """The say-do gap people see: some through their own manager, the rest as transparency reveals it."""
    return levers.say_do_gap * (a.gap_visibility + (1.0 - a.gap_visibility) * levers.transparency)


def trust_target(org: Organisation, focus: np.ndarray, levers, a, who=slice(None)) -> np.ndarray:
    """Trust people in ``who`` move towards: base, plus deeds seen, plus transparency, minus the gap seen; in [0, 1]."""
    target = (a.trust_base + a.trust_integrity * deeds_seen(org, focus, levers.transparency, who)
              + a.trust_transparency * levers.transparency - a.trust_gap * gap_seen(levers, a))
    return np.clip(target, 0.0, 1.0)


def update_trust(org: Organisation, culture: Culture, levers, a) -> None:
    """Trust closes ``trust_rate`` of the distance to its target each week."""
    culture.trust += a.trust_rate * (trust_target(org, culture.focus, levers, a) - culture.trust)
