import itertools

import numpy as np
import pytest

import sim.work as work
from sim.organisation import FUNCTIONS, build_organisation
from sim.work import (
    HANDOFFS,
    JOURNEY_SHARES,
    TEMPLATES,
    capacity,
    expected_stages,
    handoff_probability,
    journey_success_probability,
    run_journeys,
)


def test_handoff_probability_rises_with_focus_and_falls_with_barrier():
    x = np.linspace(0, 1, 11)
    assert np.all(np.diff(handoff_probability(x, 0.5, 0.5)) > 0)
    assert np.all(np.diff(handoff_probability(0.5, x, 0.5)) > 0)
    assert np.all(np.diff(handoff_probability(0.5, 0.5, x)) < 0)


def test_journey_shares_and_templates():
    assert np.isclose(JOURNEY_SHARES.sum(), 1.0)
    assert all(0 <= a < len(FUNCTIONS) and 0 <= b < len(FUNCTIONS) for a, b in HANDOFFS)
    assert any(a == b for a, b in HANDOFFS) and any(a != b for a, b in HANDOFFS)


@pytest.mark.parametrize("template", range(len(TEMPLATES)))
def test_journey_success_matches_the_product_of_handoff_probabilities(rng, monkeypatch, template):
    org = build_organisation(240, 0.7, rng)
    function_focus = np.linspace(0.1, 0.8, len(FUNCTIONS))
    focus = function_focus[org.function]  # everyone in a function alike: workers don't matter
    org.barrier = rng.random((8, 8)) * (1 - np.eye(8))
    stages = TEMPLATES[template][TEMPLATES[template] >= 0]
    expected = journey_success_probability(template, function_focus[stages], org.barrier)
    only = np.zeros(len(TEMPLATES))
    only[template] = 1.0
    n = 40_000
    roomy = np.full(len(FUNCTIONS), 1e9)
    monkeypatch.setattr(work, "JOURNEY_SHARES", only)  # every journey of this kind
    outcome = run_journeys(n, org, focus, roomy, rng)
    observed = 1 - outcome.failed.mean()
    # normal approximation to the binomial: 4 standard errors
    assert abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    assert not outcome.delayed.any()


def test_first_failure_ends_the_journey_and_is_its_reason(rng):
    org = build_organisation(240, 1.0, rng)
    focus = np.zeros(org.size)
    org.barrier[:] = 50.0  # every cross-function handoff fails
    np.fill_diagonal(org.barrier, -50.0)  # every handoff within a function succeeds
    outcome = run_journeys(2_000, org, focus, np.full(8, 1e9), rng)
    assert outcome.failed.all()
    first_cross = [next((a, b) for a, b in itertools.pairwise(r) if a != b and b >= 0)
                   for r in TEMPLATES]
    reasons = {HANDOFFS[i] for i in np.unique(outcome.failed_handoff)}
    assert reasons == {tuple(map(int, pair)) for pair in first_cross}
    assert outcome.attempts.sum() - outcome.successes.sum() == 2_000


def test_journeys_beyond_capacity_are_delayed_and_funding_adds_capacity(rng):
    org = build_organisation(240, 0.0, rng)
    focus = np.full(org.size, 0.9)
    org.barrier[:] = -50.0  # no failures: only delays can go wrong
    demand = expected_stages(4_000)
    tight = run_journeys(400, org, focus, 0.5 * demand, rng)
    roomy = run_journeys(400, org, focus, capacity(demand, 1.0) * 10, rng)
    assert tight.delayed.mean() > 0.5 and not roomy.delayed.any()
    assert np.all(capacity(demand, 1.0) > capacity(demand, 0.0))
