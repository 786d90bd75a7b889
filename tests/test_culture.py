"""Culture: the Friedkin-Johnsen update, its fixed point, socialisation and trust (sim.culture)."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from sim.culture import (
    deeds_seen,
    draw_dispositions,
    fixed_point,
    gap_seen,
    influence_matrix,
    observed,
    source_weights,
    trust_target,
    update_focus,
    update_trust,
    words,
)
from sim.organisation import EXECUTIVE

from .helpers import levers, organisation_and_culture


@pytest.fixture
def setting():
    """An organisation of 240 with random focus and trust, and non-default levers."""
    org, cult, lv, a = organisation_and_culture(240, seed=1, transparency=0.7, metric_alignment=0.4,
                                                 say_do_gap=0.3)
    rng = np.random.default_rng(2)
    cult.focus = rng.random(org.size)
    cult.trust = rng.random(org.size)
    return org, cult, lv, a


def test_rows_of_w_and_the_weights_of_s_sum_to_one(setting):
    org, cult, lv, a = setting
    W, _ = influence_matrix(org, cult.focus, cult.trust, lv, a)
    _, _, _, said, incentives, total = source_weights(org, cult.focus, cult.trust, lv, a)
    rows = np.asarray(W.sum(axis=1)).ravel()
    assert W.min() >= 0
    assert np.allclose(rows + (said + incentives) / total, 1.0)
    assert rows.max() < 1.0  # the fixed sources always carry weight


def test_the_fast_update_equals_the_explicit_sparse_form(setting):
    org, cult, lv, a = setting
    W, s = influence_matrix(org, cult.focus, cult.trust, lv, a)
    x = np.random.default_rng(3).random(org.size)
    assert np.allclose(W @ x + s, observed(org, x, cult.trust, lv, a))
    # s: what leaders say (deeds plus the gap of the way to full focus) and what people are measured on
    assert words(lv) == pytest.approx(lv.leader_customer_focus + lv.say_do_gap * (1 - lv.leader_customer_focus))
    _, _, _, said, incentives, total = source_weights(org, cult.focus, cult.trust, lv, a)
    assert np.allclose(s, (said * words(lv) + incentives * lv.metric_alignment) / total)


def test_the_executives_example_weighs_by_transparency_and_trust(setting):
    org, cult, lv, a = setting
    W, _ = influence_matrix(org, cult.focus, cult.trust, lv, a)
    *_, total = source_weights(org, cult.focus, cult.trust, lv, a)
    i = int(np.flatnonzero(org.level == 2)[0])
    others = np.setdiff1d(org.executives, [org.skip[i]])  # the skip-level executive also counts as such
    on_executives = W[i, others].toarray().ravel() - (a.peer_weight * org.peers)[i, others].toarray().ravel() / total[i]
    expected = a.executive_weight * lv.transparency * cult.trust[i] / total[i] / len(org.executives)
    assert np.allclose(on_executives, expected)


def test_update_focus_is_one_friedkin_johnsen_step_then_socialisation(setting):
    org, cult, lv, a = setting
    x, p, lam = cult.focus.copy(), cult.disposition.copy(), cult.susceptibility
    W, s = influence_matrix(org, x, cult.trust, lv, a)
    expected = sp.diags(lam) @ (W @ x + s) + (1 - lam) * p
    update_focus(org, cult, lv, a)
    assert np.allclose(cult.focus, expected)
    staff = org.level != EXECUTIVE
    assert np.allclose(cult.disposition[staff], (p + a.socialisation_rate * (expected - p))[staff])
    assert np.all(cult.disposition[~staff] == lv.leader_customer_focus)


def test_susceptibility_is_lower_for_executives(setting):
    org, cult, _, a = setting
    executive = org.level == EXECUTIVE
    assert np.all(cult.susceptibility[executive] == a.executive_susceptibility)
    assert np.all(cult.susceptibility[~executive] == a.susceptibility)
    assert np.all(cult.disposition[executive] == levers().leader_customer_focus)


def test_iterating_with_trust_and_dispositions_frozen_converges_to_the_fixed_point(setting):
    # socialisation_rate's plausible range excludes 0, so dispositions are restored after every step
    org, cult, lv, a = setting
    target = fixed_point(org, cult, lv, a)
    disposition = cult.disposition.copy()
    cult.focus = np.random.default_rng(4).random(org.size)  # start far from it
    for _ in range(300):
        update_focus(org, cult, lv, a)
        cult.disposition[:] = disposition
    assert np.max(np.abs(cult.focus - target)) < 1e-9
    assert np.max(np.abs(target - 0.5)) < 0.5  # a non-trivial answer, inside [0, 1]


def test_market_dispositions_are_beta_2_2():
    draws = draw_dispositions(np.random.default_rng(5), 4_000)
    # Kolmogorov-Smirnov against Beta(2, 2), at 0.1 % significance
    assert stats.kstest(draws, stats.beta(2, 2).cdf).pvalue > 0.001


def test_trust_closes_trust_rate_of_the_distance_to_its_target(setting):
    org, cult, lv, a = setting
    before = cult.trust.copy()
    target = trust_target(org, cult.focus, lv, a)
    update_trust(org, cult, lv, a)
    assert np.allclose(cult.trust, before + a.trust_rate * (target - before))


def test_trust_target_has_the_stated_form(setting):
    org, cult, lv, a = setting
    t = lv.transparency
    executives = cult.focus[org.executives].mean()
    seen = (cult.focus[org.manager] * org.has_manager + executives * t) / (org.has_manager + t)
    ceo = org.executives[0]
    assert seen[ceo] == pytest.approx(executives)  # the CEO sees only the executives
    assert np.allclose(deeds_seen(org, cult.focus, t), seen)
    gap = lv.say_do_gap * (a.gap_visibility + (1 - a.gap_visibility) * t)
    assert gap_seen(lv, a) == pytest.approx(gap)
    expected = np.clip(a.trust_base + a.trust_integrity * seen + a.trust_transparency * t - a.trust_gap * gap, 0, 1)
    assert np.allclose(trust_target(org, cult.focus, lv, a), expected)
    assert expected.min() > 0 and expected.max() < 1  # the clip did not decide this check


def test_trust_rises_with_the_deeds_people_see(setting):
    org, _cult, lv, a = setting
    low = trust_target(org, np.full(org.size, 0.2), lv, a)
    high = trust_target(org, np.full(org.size, 0.8), lv, a)
    assert np.allclose(high - low, a.trust_integrity * 0.6)


@pytest.mark.parametrize("side", [-1, 1])
def test_transparency_builds_trust_only_while_the_say_do_gap_is_small(side):
    # with everyone's focus alike the deeds seen do not depend on transparency, so the target is linear in it,
    # with slope trust_transparency - trust_gap * gap * (1 - gap_visibility)
    org, _cult, _lv, a = organisation_and_culture(80, seed=6)
    focus = np.full(org.size, 0.5)
    critical = a.trust_transparency / (a.trust_gap * (1 - a.gap_visibility))
    gap = critical + side * 0.05
    targets = [trust_target(org, focus, levers(say_do_gap=gap, transparency=t), a).mean()
               for t in np.linspace(0, 1, 6)]
    slope = np.diff(targets)
    assert np.allclose(slope, slope[0])  # linear, no clipping
    assert slope[0] == pytest.approx(0.2 * (a.trust_transparency - a.trust_gap * gap * (1 - a.gap_visibility)))
    assert np.sign(slope[0]) == -side


def test_trust_falls_with_the_say_do_gap(setting):
    org, cult, _, a = setting
    targets = [trust_target(org, cult.focus, levers(say_do_gap=g, transparency=0.5), a).mean()
               for g in (0.0, 0.2, 0.4)]
    assert targets[0] > targets[1] > targets[2]


def test_a_new_culture_starts_with_trust_at_its_target():
    org, cult, lv, a = organisation_and_culture(160, seed=7)
    assert np.allclose(cult.trust, trust_target(org, cult.focus, lv, a))
    assert np.array_equal(cult.focus, cult.disposition) and cult.focus is not cult.disposition
