"""Courage: silo breaking, aimed and random fixes, their effort, confronting resisters (sim.leadership)."""

import numpy as np
import pytest
from scipy import stats

from sim.assumptions import Assumptions
from sim.leadership import break_silos, confront_resisters, fix_handoffs, take_actions
from sim.organisation import BETWEEN_FUNCTIONS, EXECUTIVE
from sim.staffing import new_staff

from .helpers import organisation_and_culture, within

PAIRS = [(f, g) for f in range(8) for g in range(f + 1, 8)]


def setting(a=None, n=400, seed=21, **lever_values):
    """An organisation with its culture and staff; barriers all 0.5 between functions."""
    org, cult, lv, a = organisation_and_culture(n, seed=seed, a=a, **lever_values)
    org.barrier = 0.5 * BETWEEN_FUNCTIONS
    staff = new_staff(org, cult, np.full(8, 100.0), a, np.random.default_rng(seed + 1))
    return org, cult, staff, lv, a


def fixes_per_pair(before, after, factor, fix_size):
    """How many fixes each unordered pair got, from the barrier's change beyond ``factor``."""
    k = np.zeros((8, 8))
    k[BETWEEN_FUNCTIONS] = np.log(after[BETWEEN_FUNCTIONS] / (before[BETWEEN_FUNCTIONS] * factor)) / np.log(
        1 - fix_size)
    assert np.allclose(k, k.T) and np.allclose(k, np.round(k))
    return {p: round(k[p]) for p in PAIRS}


def test_break_silos_shrinks_every_barrier_by_rate_times_courage():
    barrier = np.random.default_rng(1).random((8, 8)) * BETWEEN_FUNCTIONS
    before = barrier.copy()
    break_silos(barrier, 0.4, 0.05)
    assert np.allclose(barrier, before * (1 - 0.05 * 0.4))


def test_take_actions_breaks_silos_by_courage_times_the_executives_focus_and_books_fix_effort():
    org, cult, staff, lv, a = setting(leadership_courage=0.8)
    rng = np.random.default_rng(2)
    total_fixes = 0
    for _ in range(20):
        before = org.barrier.copy()
        failures = rng.random((8, 8))
        actions = take_actions(org, cult, staff, lv, a, failures, rng)
        courage = 0.8 * cult.focus[org.executives].mean()
        per_pair = fixes_per_pair(before, org.barrier, 1 - a.silo_breaking_rate * courage, a.fix_size)
        assert sum(per_pair.values()) == actions.handoffs_fixed
        effort = np.zeros(8)
        for (f, g), k in per_pair.items():
            effort[[f, g]] += 0.5 * a.fix_effort * k
        assert np.allclose(actions.effort, effort)
        total_fixes += actions.handoffs_fixed
    assert total_fixes > 0


def test_without_courage_leaders_do_nothing():
    org, cult, staff, lv, a = setting(leadership_courage=0.0)
    barrier, disposition = org.barrier.copy(), cult.disposition.copy()
    rng = np.random.default_rng(3)
    for _ in range(20):
        actions = take_actions(org, cult, staff, lv, a, np.ones((8, 8)), rng)
        assert actions.handoffs_fixed == actions.resisters_changed == actions.employees_replaced == 0
        assert not actions.effort.any()
    assert np.array_equal(org.barrier, barrier) and np.array_equal(cult.disposition, disposition)


def test_the_number_of_fixes_is_binomial_over_the_executives():
    org, _, _, _, a = setting()
    rng = np.random.default_rng(4)
    courage, calls = 0.7, 3_000
    fixes = [fix_handoffs(org, courage, 1.0, np.zeros((8, 8)), np.zeros(8), a, rng) for _ in range(calls)]
    p = a.fix_rate * courage
    observed = np.bincount(fixes, minlength=9)[:9]
    expected = calls * stats.binom(8, p).pmf(np.arange(9))
    # chi-square on 0, 1, 2, 3 and "4 or more", at 0.1 %
    merged_o = np.append(observed[:4], observed[4:].sum())
    merged_e = np.append(expected[:4], expected[4:].sum())
    assert stats.chisquare(merged_o, merged_e * merged_o.sum() / merged_e.sum()).pvalue > 0.001


def test_aimed_fixes_go_to_the_worst_pairs_by_failures_seen():
    org, _, _, _, a = setting()
    seen = np.zeros((8, 8))
    seen[2, 3] = 10.0  # supply chain -> delivery fails most
    seen[1, 3] = 5.0  # then product and innovation -> delivery
    seen[4, 4] = 99.0  # failures inside a function: no barrier to remove
    rng = np.random.default_rng(5)
    by_count = {}
    for _ in range(200):
        org.barrier = 0.5 * BETWEEN_FUNCTIONS
        effort = np.zeros(8)
        n = fix_handoffs(org, 1.0, 1.0, seen, effort, a, rng)
        fixed = {p for p, k in fixes_per_pair(0.5 * BETWEEN_FUNCTIONS, org.barrier, 1.0, a.fix_size).items() if k}
        by_count.setdefault(n, []).append(fixed)
        if n in (1, 2):
            assert fixed == [{(2, 3)}, {(2, 3), (1, 3)}][n - 1]
        assert np.isclose(effort.sum(), n * a.fix_effort)
    assert {1, 2} <= set(by_count)


def test_blind_fixes_land_on_random_pairs():
    org, _, _, _, a = setting(a=Assumptions({"listening_share": 0.0}))
    seen = np.zeros((8, 8))
    seen[2, 3] = 10.0
    rng = np.random.default_rng(6)
    counts = dict.fromkeys(PAIRS, 0)
    for _ in range(1_500):
        org.barrier = 0.5 * BETWEEN_FUNCTIONS
        fix_handoffs(org, 1.0, 0.0, seen, np.zeros(8), a, rng)
        for p, k in fixes_per_pair(0.5 * BETWEEN_FUNCTIONS, org.barrier, 1.0, a.fix_size).items():
            counts[p] += k
    observed = np.array(list(counts.values()))
    # uniform over the 28 pairs: chi-square at 0.1 %
    assert observed.sum() > 500 and stats.chisquare(observed).pvalue > 0.001


@pytest.mark.parametrize(("alignment", "listening"), [(0.0, 0.3), (0.5, 0.3), (0.0, 0.6)])
def test_a_fix_is_aimed_with_probability_m_plus_one_minus_m_times_listening(alignment, listening):
    org, _, _, _, a = setting(a=Assumptions({"listening_share": listening}))
    seen = np.zeros((8, 8))
    seen[2, 3] = 10.0
    rng = np.random.default_rng(7)
    hits = singles = 0
    for _ in range(6_000):
        org.barrier = 0.5 * BETWEEN_FUNCTIONS
        if fix_handoffs(org, 0.5, alignment, seen, np.zeros(8), a, rng) == 1:
            singles += 1
            hits += org.barrier[2, 3] < 0.5
    aimed = alignment + (1 - alignment) * listening
    expected = aimed + (1 - aimed) / len(PAIRS)  # a random fix may land there too
    assert singles > 1_000 and within(hits / singles, expected, singles)


def test_confronted_resisters_change_halfway_to_full_focus_or_leave_for_a_hire():
    org, cult, staff, lv, a = setting(n=2_000, seed=30)
    staff.tenure[:] = 100
    cult.disposition[org.level != EXECUTIVE] = np.linspace(0, 0.5, (org.level != EXECUTIVE).sum())
    before = cult.disposition.copy()
    resisters = (before < a.resister_disposition) & (org.level != EXECUTIVE)
    rng = np.random.default_rng(8)
    changed, replaced = confront_resisters(org, cult, staff, 1.0, lv, a, rng)
    hired = staff.tenure == 0
    moved = (cult.disposition != before) & ~hired
    assert hired.sum() == replaced and moved.sum() == changed
    assert np.all(resisters[hired]) and np.all(resisters[moved])
    assert np.allclose(cult.disposition[moved], before[moved] + 0.5 * (1 - before[moved]))
    n = resisters.sum()
    assert within((changed + replaced) / n, a.confront_rate, n)
    assert within(changed / (changed + replaced), a.change_share, changed + replaced)
