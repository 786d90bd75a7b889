import numpy as np
import pytest
from scipy import stats

from sim.organisation import (
    EXECUTIVE,
    FRONTLINE,
    FUNCTIONS,
    MANAGER,
    TIES_PER_EMPLOYEE,
    build_organisation,
    function_sizes,
)


def test_eight_functions_from_seed_000_and_even_sizes():
    assert len(FUNCTIONS) == 8
    sizes = function_sizes(403)
    assert sizes.sum() == 403 and sizes.max() - sizes.min() <= 1


def test_reporting_tree(rng):
    org = build_organisation(400, 0.6, rng)
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
    assert (org.level == EXECUTIVE).sum() == len(FUNCTIONS)
    workers = org.workers
    assert (org.level[workers] != EXECUTIVE).all()
    for f in range(len(FUNCTIONS)):
        block = workers[org.worker_start[f]: org.worker_start[f] + org.worker_count[f]]
        assert (org.function[block] == f).all() and len(block) == org.worker_count[f]


@pytest.mark.parametrize("silo", [0.0, 0.5, 0.9, 1.0])
def test_cross_function_share_of_ties_is_set_by_silo_strength(rng, silo):
    org = build_organisation(2_000, silo, rng)
    rows, cols = org.peers.nonzero()
    weights = np.asarray(org.peers[rows, cols]).ravel()
    cross = (org.function[rows] != org.function[cols]) * weights * TIES_PER_EMPLOYEE
    n_ties = org.size * TIES_PER_EMPLOYEE
    expected = (1 - silo) * 7 / 8
    # binomial margin: 4 standard errors around the designed share
    margin = 4 * np.sqrt(max(expected * (1 - expected), 1e-12) / n_ties)
    assert abs(cross.sum() / n_ties - expected) <= margin + 1e-9
    assert np.allclose(np.asarray(org.peers.sum(axis=1)).ravel(), 1.0)
    assert org.peers.diagonal().sum() == 0


def test_barriers_start_at_silo_strength_between_functions(rng):
    org = build_organisation(100, 0.7, rng)
    assert np.allclose(np.diag(org.barrier), 0) and np.allclose(org.barrier[~np.eye(8, dtype=bool)], 0.7)


def test_ties_inside_a_function_fall_uniformly_on_colleagues(rng):
    org = build_organisation(800, 1.0, rng)
    _rows, cols = org.peers.nonzero()
    inside = cols[org.function[cols] == 0]
    counts = np.bincount(inside, minlength=100)[:100]
    # chi-square goodness of fit to uniform over the 100 members of function 0, at 0.1% significance
    assert stats.chisquare(counts).pvalue > 0.001
