import numpy as np
import scipy.sparse as sp

from sim import CustomerFocusModel
from sim.culture import (
    SETTLING_WEEKS,
    anchors,
    fixed_point,
    influence_matrix,
    observed,
    update_focus,
    update_trust,
)
from sim.organisation import FRONTLINE


def test_influence_matrix_is_row_stochastic_and_matches_the_fast_update(small_model):
    org, cult, levers = small_model.organisation, small_model.culture, small_model.levers
    W = influence_matrix(org, cult.trust, levers.transparency)
    assert np.allclose(np.asarray(W.sum(axis=1)).ravel(), 1.0)
    assert W.min() >= 0
    x = np.random.default_rng(1).random(org.size)
    assert np.allclose(W @ x, observed(org, x, cult.trust, levers.transparency))


def test_update_is_friedkin_johnsen(small_model):
    org, cult, levers = small_model.organisation, small_model.culture, small_model.levers
    before = cult.focus.copy()
    W = influence_matrix(org, cult.trust, levers.transparency)
    lam = sp.diags(cult.susceptibility)
    expected = lam @ W @ before + (1 - cult.susceptibility) * anchors(org, cult.disposition, levers)
    update_focus(org, cult, levers)
    assert np.allclose(cult.focus, expected)


def test_iteration_converges_to_the_closed_form_fixed_point(small_model):
    org, cult, levers = small_model.organisation, small_model.culture, small_model.levers
    cult.focus = np.random.default_rng(2).random(org.size)  # start far from equilibrium
    target = fixed_point(org, cult, levers)
    for _ in range(400):  # trust frozen, structure frozen
        update_focus(org, cult, levers)
    assert np.max(np.abs(cult.focus - target)) < 1e-9


def test_nobody_exceeds_the_leaders_commitment_at_the_fixed_point():
    for commitment in (0.3, 0.6, 0.9):
        model = CustomerFocusModel(n_employees=200, n_customers=200, leader_customer_focus=commitment,
                                   metric_alignment=1.0, transparency=1.0, seed=4)
        x = fixed_point(model.organisation, model.culture, model.levers)
        assert x.max() <= commitment + 1e-12


def test_trust_falls_when_leaders_say_more_than_they_do(small_model):
    org, cult, levers = small_model.organisation, small_model.culture, small_model.levers
    settled = cult.trust.copy()
    levers.leader_customer_focus = 1.0  # leaders now voice full commitment; behaviour lags
    update_trust(org, cult, levers)
    frontline = org.level == FRONTLINE
    assert (cult.trust[frontline] < settled[frontline]).all()


def test_culture_has_settled_before_week_one():
    model = CustomerFocusModel(n_employees=200, n_customers=200, seed=5)
    assert SETTLING_WEEKS >= 26
    before = model.culture.focus.copy()
    update_focus(model.organisation, model.culture, model.levers)
    assert np.max(np.abs(model.culture.focus - before)) < 0.01
