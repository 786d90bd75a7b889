import numpy as np
from scipy import stats

from sim.customers import (
    BACKGROUND_HAZARD,
    DELAYS,
    FAILURE_LOSS,
    NO_FAILURE,
    REASON_NAMES,
    REASONS,
    SUCCESS,
    SUCCESS_GAIN,
    WIN_RATE,
    churn,
    churn_hazard,
    new_customers,
    react,
    win,
)
from sim.work import HANDOFFS


def only_success():
    shares = np.zeros(SUCCESS + 1)
    shares[SUCCESS] = 1.0
    return shares


def test_failure_hurts_more_than_success_helps():
    # wherever satisfaction is above SUCCESS_GAIN / (SUCCESS_GAIN + FAILURE_LOSS)
    low = SUCCESS_GAIN / (SUCCESS_GAIN + FAILURE_LOSS)
    s = np.linspace(low + 0.01, 0.99, 7)
    gain = react(s, np.zeros(7, int)) - s
    loss = s - react(s, np.full(7, 2))
    delay = s - react(s, np.ones(7, int))
    assert np.all(gain > 0) and np.all(loss > gain) and np.all((delay > 0) & (delay < loss))


def test_hazard_rises_as_satisfaction_falls():
    assert np.all(np.diff(churn_hazard(np.linspace(0, 1, 11))) < 0)
    assert np.isclose(churn_hazard(np.array([1.0]))[0], BACKGROUND_HAZARD)


def test_survival_under_constant_hazard_follows_the_geometric_law(rng):
    n, weeks = 20_000, 60
    customers = new_customers(n, only_success(), rng)
    customers.satisfaction[:] = 0.5  # constant hazard: no journeys, no winning
    h = churn_hazard(np.array([0.5]))[0]
    survivors = [n]
    for _ in range(weeks):
        churn(customers, rng)
        survivors.append(int(customers.active.sum()))
    for t in (10, 30, 60):
        expected = (1 - h) ** t
        # binomial margin: 4 standard errors
        assert abs(survivors[t] / n - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    lifetimes = np.repeat(np.arange(1, weeks + 1), -np.diff(survivors))
    # lifetimes (censored at `weeks`) against the geometric law, chi-square at 0.1 %
    observed = np.bincount(lifetimes, minlength=weeks + 1)[1:]
    expected = n * h * (1 - h) ** np.arange(weeks)
    censored = n - observed.sum()
    result = stats.chisquare(np.append(observed, censored), np.append(expected, n * (1 - h) ** weeks))
    assert result.pvalue > 0.001


def test_lost_customers_carry_the_handoff_that_failed_them_most(rng):
    customers = new_customers(4, only_success(), rng)
    customers.failures[0, 3] = 2
    customers.failures[0, 5] = 1
    customers.failures[1, DELAYS] = 4
    customers.satisfaction[:] = -1e6  # certain churn
    assert churn(customers, rng) == 4
    counts = customers.lost_by_reason
    assert counts[3] == 1 and counts[DELAYS] == 1 and counts[NO_FAILURE] == 2 and counts.sum() == 4
    assert len(REASON_NAMES) == REASONS == len(HANDOFFS) + 2


def test_won_customers_start_afresh_at_the_win_rate(rng):
    customers = new_customers(10_000, only_success(), rng)
    customers.failures[:] = 7
    won = win(customers, rng)
    outside = 10_000  # the market holds twice the book
    assert abs(won - WIN_RATE * outside) < 4 * np.sqrt(outside * WIN_RATE)
    newly = np.flatnonzero(customers.active[10_000:]) + 10_000
    assert len(newly) == won and (customers.failures[newly] == 0).all()


def test_history_gives_the_book_failure_records_in_proportion(rng):
    shares = np.zeros(SUCCESS + 1)
    shares[[0, SUCCESS]] = 0.5
    customers = new_customers(5_000, shares, rng)
    book = customers.failures[:5_000]
    assert book[:, 1:].sum() == 0 and book[:, 0].mean() > 10
    assert customers.failures[5_000:].sum() == 0
