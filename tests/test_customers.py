"""Customers: remembered effort, competing-risk churn and its reasons, wins by reputation (sim.customers)."""

import numpy as np
import pytest
from scipy import stats

from sim.assumptions import Assumptions
from sim.customers import (
    DELAYS,
    HISTORY_WEEKS,
    NEVER,
    OUTSIDE,
    REASON_NAMES,
    REASONS,
    RECORD_WEEKS,
    SUCCESS,
    chosen,
    churn,
    effort,
    experience,
    new_customers,
    on_record,
    satisfaction,
    win,
)
from sim.work import HANDOFFS, WorkOutcome

from .helpers import within

A = Assumptions()


def only_success():
    """History shares: every past journey went well."""
    shares = np.zeros(SUCCESS + 1)
    shares[SUCCESS] = 1.0
    return shares


def outcome(failed, delayed, failed_handoff):
    """A WorkOutcome with just the parts customers read."""
    z = np.zeros((8, 8))
    return WorkOutcome(np.array(failed, dtype=bool), np.array(delayed, dtype=bool),
                       np.array(failed_handoff, dtype=np.int64), z, z, 0.0, z[0], z[0])


def test_reasons_are_the_handoffs_then_delays_then_outside():
    assert len(REASON_NAMES) == REASONS == len(HANDOFFS) + 2
    assert REASON_NAMES[DELAYS] == "delays" and OUTSIDE == REASONS - 1


def test_the_market_holds_market_factor_times_the_book(rng):
    customers = new_customers(1_000, only_success(), Assumptions({"market_factor": 3.0}), rng)
    assert len(customers.active) == 3_000 and customers.active[:1_000].all() and not customers.active[1_000:].any()


def test_survival_under_constant_hazard_follows_the_geometric_law(rng):
    n, weeks = 20_000, 60
    customers = new_customers(n, only_success(), A, rng)
    customers.failures[:n], customers.delays[:n] = 2.0, 3.0  # churn does not fade memory: the hazard stays
    customers.last_failure[:n] = 0
    h = A.background_hazard + A.failure_hazard * (2.0 + A.delay_effort * 3.0)
    survivors = [n]
    for week in range(weeks):
        churn(customers, week, A, rng)
        survivors.append(int(customers.active.sum()))
    lifetimes = -np.diff(survivors)
    expected = n * h * (1 - h) ** np.arange(weeks)
    # lifetimes (censored at `weeks`) against the geometric law, chi-square at 0.1 %
    result = stats.chisquare(np.append(lifetimes, survivors[-1]), np.append(expected, n * (1 - h) ** weeks))
    assert result.pvalue > 0.001
    assert survivors[-1] / n == pytest.approx((1 - h) ** weeks, abs=4 * np.sqrt(0.25 / n))


def test_reasons_are_drawn_in_proportion_to_the_parts_of_the_hazard(rng):
    n = 100_000
    customers = new_customers(n, only_success(), A, rng)
    failures, delays = 20.0, 40.0
    customers.failures[:n], customers.delays[:n] = failures, delays
    handoff = 5
    customers.last_failure[:n] = handoff
    result = churn(customers, 0, A, rng)
    parts = np.array([A.background_hazard, A.failure_hazard * failures, A.failure_hazard * A.delay_effort * delays])
    counts = customers.lost_by_reason[[OUTSIDE, handoff, DELAYS]]
    assert counts.sum() == result.lost == customers.lost_by_reason.sum()
    # multinomial: chi-square at 0.1 %
    assert stats.chisquare(counts, result.lost * parts / parts.sum()).pvalue > 0.001
    assert within(result.lost / n, parts.sum(), n)


def test_churn_counts_the_losses_with_a_failure_on_record(rng):
    n, week = 4_000, 100
    customers = new_customers(n, only_success(), A, rng)
    customers.failures[:n] = 1e3  # everybody leaves
    customers.last_failure[:n] = 0
    recent = np.arange(n) % 4 == 0
    customers.last_bad_week[:n] = np.where(recent, week - RECORD_WEEKS + 1, week - RECORD_WEEKS)
    assert np.array_equal(on_record(customers, week)[:n], recent)
    result = churn(customers, week, A, rng)
    assert result.lost == n and result.lost_with_failure == recent.sum()
    assert result.exposed_with_failure == recent.sum() and result.exposed_without_failure == n - recent.sum()
    assert not customers.active.any()


def test_memory_fades_by_effort_memory_each_week_and_new_trouble_is_remembered(rng):
    customers = new_customers(10, only_success(), A, rng)
    customers.failures[:10], customers.delays[:10] = 3.0, 5.0
    nobody = np.array([], dtype=int)
    for week in range(4):
        experience(customers, nobody, outcome([], [], []), week, A)
    assert np.allclose(customers.failures[:10], 3.0 * A.effort_memory**4)
    assert np.allclose(customers.delays[:10], 5.0 * A.effort_memory**4)
    who = np.array([1, 2, 3])
    experience(customers, who, outcome([True, False, False], [False, True, False], [7, -1, -1]), 9, A)
    assert customers.failures[1] == pytest.approx(3.0 * A.effort_memory**5 + 1)
    assert customers.delays[2] == pytest.approx(5.0 * A.effort_memory**5 + 1)
    assert customers.failures[3] == pytest.approx(3.0 * A.effort_memory**5)
    assert customers.last_failure[1] == 7 and customers.last_failure[2] == -1
    assert customers.last_bad_week[1] == customers.last_bad_week[2] == 9 and customers.last_bad_week[3] == NEVER


def test_satisfaction_is_exp_of_minus_effort(rng):
    customers = new_customers(10, only_success(), A, rng)
    customers.failures[:10], customers.delays[:10] = np.arange(10), 1.0
    assert np.allclose(effort(customers, A)[:10], np.arange(10) + A.delay_effort)
    assert np.allclose(satisfaction(customers, A)[:10], np.exp(-(np.arange(10) + A.delay_effort)))


@pytest.mark.parametrize("elasticity", [0.0, 1.0, 2.0])
def test_wins_follow_win_rate_times_reputation_to_the_elasticity(rng, elasticity):
    a = Assumptions({"reputation_elasticity": elasticity, "win_rate": 0.008, "market_factor": 4.0})
    n = 20_000
    customers = new_customers(n, only_success(), a, rng)
    customers.failures[:n] = np.log(2)  # the book's mean satisfaction: 1/2
    outside = len(customers.active) - n
    p = a.win_rate * 0.5**elasticity
    won = win(customers, a, rng)
    # binomial margin: 4 standard errors
    assert within(won / outside, p, outside)
    newly = np.flatnonzero(customers.active[n:]) + n
    assert len(newly) == won
    assert not customers.failures[newly].any() and not customers.delays[newly].any()
    assert np.all(customers.last_failure[newly] == -1) and np.all(customers.last_bad_week[newly] == NEVER)


def test_the_starting_book_remembers_its_history_in_proportion_to_the_shares(rng):
    n = 20_000
    shares = np.zeros(SUCCESS + 1)
    shares[[0, 3, DELAYS, SUCCESS]] = [0.05, 0.15, 0.2, 0.6]
    customers = new_customers(n, shares, A, rng)
    m = A.effort_memory
    # E[remembered] = journeys per week × share × Σ_{age=1..H} m^(age-1) / H × H
    per_share = A.journey_rate * (1 - m**HISTORY_WEEKS) / (1 - m)
    book = slice(0, n)
    for values, share in ((customers.failures[book], 0.2), (customers.delays[book], 0.2)):
        # 4 standard errors of the mean
        assert abs(values.mean() - share * per_share) < 4 * values.std() / np.sqrt(n)
    assert not customers.failures[n:].any() and not customers.delays[n:].any()
    # the last failure of each account is a handoff in proportion 0.05 : 0.15
    last = customers.last_failure[book]
    assert set(np.unique(last)) <= {-1, 0, 3}
    had = last >= 0
    assert within((last[had] == 0).mean(), 0.25, had.sum())
    # the week of the last trouble: 1 - the youngest age of a failed or delayed journey, NEVER if none
    weeks = customers.last_bad_week[book]
    assert np.all((weeks == NEVER) | ((weeks <= 0) & (weeks > -HISTORY_WEEKS)))
    clean = customers.failures[book] + customers.delays[book] == 0
    assert np.all(weeks[clean] == NEVER) and np.all(weeks[~clean] != NEVER)


@pytest.mark.parametrize("p", [0.003, 0.1, 0.6])
def test_chosen_picks_each_index_independently_with_probability_p(rng, p):
    n, draws = 5_000, 200
    hits = np.zeros(n)
    sizes = []
    for _ in range(draws):
        picked = chosen(n, p, rng)
        assert np.all(np.diff(picked) > 0) and (len(picked) == 0 or (picked[0] >= 0 and picked[-1] < n))
        hits[picked] += 1
        sizes.append(len(picked))
    # each draw's count is binomial(n, p): 4 standard errors on the mean of `draws` counts
    assert abs(np.mean(sizes) - n * p) < 4 * np.sqrt(n * p * (1 - p) / draws)
    # every index as often as any other: chi-square over 50 blocks of indices at 0.1 %
    blocks = hits.reshape(50, -1).sum(axis=1)
    assert stats.chisquare(blocks).pvalue > 0.001


def test_chosen_at_the_edges(rng):
    assert len(chosen(0, 0.5, rng)) == 0 and len(chosen(100, 0.0, rng)) == 0
    assert np.array_equal(chosen(100, 1.0, rng), np.arange(100))
