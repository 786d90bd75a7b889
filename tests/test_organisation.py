"""Structure: functions, levels, the reporting tree, the informal network, barriers (sim.organisation)."""

import numpy as np
import pytest
from scipy import stats

from sim.assumptions import Assumptions
from sim.organisation import (
    BETWEEN_FUNCTIONS,
    EXECUTIVE,
    FRONTLINE,
    FUNCTIONS,
    MANAGER,
    build_organisation,
    function_means,
    function_sizes,
    initial_barriers,
    reform_silos,
)

A = Assumptions()


def test_eight_functions_from_seed_000_and_even_sizes():
    assert len(FUNCTIONS) == 8
    sizes = function_sizes(403)
    assert sizes.sum() == 403 and sizes.max() - sizes.min() <= 1


def test_reporting_tree(rng):
    org = build_organisation(400, 0.6, A, rng)
    ceo = org.executives[0]
    assert org.manager[ceo] == ceo and org.has_manager[ceo] == 0
    for i in range(org.size):
        boss = org.manager[i]
        if org.level[i] == FRONTLINE:
            assert org.level[boss] == MANAGER and org.function[boss] == org.function[i]
        elif org.level[i] == MANAGER:
            assert org.level[boss] == EXECUTIVE and org.function[boss] == org.function[i]
        elif i != ceo:
            assert boss == ceo
    assert np.array_equal(org.skip, org.manager[org.manager])
    assert np.array_equal(org.has_skip, (org.skip != org.manager).astype(float))
    assert (org.level == EXECUTIVE).sum() == len(FUNCTIONS)
    assert (org.level[org.workers] != EXECUTIVE).all()
    for f in range(len(FUNCTIONS)):
        block = org.workers[org.worker_start[f]: org.worker_start[f] + org.worker_count[f]]
        assert (org.function[block] == f).all() and len(block) == org.worker_count[f]


@pytest.mark.parametrize("share", [0.08, 0.2])
def test_manager_share_sets_the_managers_of_each_function(rng, share):
    org = build_organisation(400, 0.6, Assumptions({"manager_share": share}), rng)
    managers = np.bincount(org.function[org.level == MANAGER], minlength=len(FUNCTIONS))
    assert np.array_equal(managers, np.maximum(1, np.round(function_sizes(400) * share)))


@pytest.mark.parametrize("silo", [0.0, 0.5, 0.9, 1.0])
def test_cross_function_share_of_ties_is_set_by_silo_strength(rng, silo):
    org = build_organisation(2_000, silo, A, rng)
    k = A.ties_per_employee
    rows, cols = org.peers.nonzero()
    weights = np.asarray(org.peers[rows, cols]).ravel()
    cross = (org.function[rows] != org.function[cols]) * weights * k
    n_ties = org.size * k
    expected = (1 - silo) * 7 / 8
    # binomial margin: 4 standard errors around the designed share
    margin = 4 * np.sqrt(max(expected * (1 - expected), 1e-12) / n_ties)
    assert abs(cross.sum() / n_ties - expected) <= margin + 1e-9
    assert np.allclose(np.asarray(org.peers.sum(axis=1)).ravel(), 1.0)
    assert org.peers.diagonal().sum() == 0


def test_ties_per_employee_is_taken_from_the_assumptions(rng):
    org = build_organisation(400, 0.6, Assumptions({"ties_per_employee": 4}), rng)
    # each tie weighs 1/k; ties that land on the same colleague add up
    assert np.all(np.round(org.peers.data * 4) == org.peers.data * 4)
    assert np.isclose(org.peers.data.min(), 0.25)


def test_ties_inside_a_function_fall_uniformly_on_colleagues(rng):
    org = build_organisation(800, 1.0, A, rng)
    _rows, cols = org.peers.nonzero()
    inside = cols[org.function[cols] == 0]
    counts = np.bincount(inside, minlength=100)[:100]
    # chi-square goodness of fit to uniform over the 100 members of function 0, at 0.1% significance
    assert stats.chisquare(counts).pvalue > 0.001


def test_barriers_start_at_silo_strength_between_functions(rng):
    org = build_organisation(100, 0.7, A, rng)
    assert np.allclose(np.diag(org.barrier), 0) and np.allclose(org.barrier[BETWEEN_FUNCTIONS], 0.7)
    assert np.array_equal(initial_barriers(8, 0.7), org.barrier)


def test_function_means(rng):
    org = build_organisation(100, 0.7, A, rng)
    values = rng.random(org.size)
    assert np.allclose(function_means(org, values), [values[org.function == f].mean() for f in range(8)])


def test_silos_reform_at_rate_times_one_minus_the_pairs_mean_focus(rng):
    org = build_organisation(400, 0.6, A, rng)
    care = np.linspace(0.0, 0.9, 8)
    focus = care[org.function]
    org.barrier = rng.random((8, 8)) * BETWEEN_FUNCTIONS
    before = org.barrier.copy()
    rate, silo = 0.03, 0.8
    reform_silos(org, focus, silo, rate)
    keep = 0.5 * (care[:, None] + care[None, :])
    expected = before + rate * (1 - keep) * (silo - before)
    assert np.allclose(org.barrier[BETWEEN_FUNCTIONS], expected[BETWEEN_FUNCTIONS])
    assert np.all(np.diag(org.barrier) == 0)


def test_silos_reform_geometrically_towards_silo_strength_and_not_where_everyone_cares(rng):
    org = build_organisation(200, 0.6, A, rng)
    focus = np.where(org.function < 4, 0.5, 1.0)
    org.barrier = 0.1 * BETWEEN_FUNCTIONS
    for _ in range(50):
        reform_silos(org, focus, 0.6, A.silo_reform_rate)
    caring = np.ix_(range(4, 8), range(4, 8))
    settled = BETWEEN_FUNCTIONS[caring]
    assert np.allclose(org.barrier[caring][settled], 0.1)  # full focus on both sides: no drift
    half = np.ix_(range(4), range(4))
    expected = 0.6 - 0.5 * (1 - A.silo_reform_rate * 0.5) ** 50
    assert np.allclose(org.barrier[half][BETWEEN_FUNCTIONS[half]], expected)
