"""Work across silos: handoffs, journeys, queues, collaboration cost and routine (sim.work)."""

import itertools

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

import sim.work as work
from sim.assumptions import Assumptions
from sim.organisation import BETWEEN_FUNCTIONS, FUNCTIONS, build_organisation
from sim.work import (
    HANDOFFS,
    JOURNEY_SHARES,
    JOURNEYS,
    PLANNING_WEEKS,
    TEMPLATES,
    WORKING_DAYS,
    Workload,
    collaboration,
    expected_stages,
    handoff_probability,
    journey_success_probability,
    new_workload,
    run_journeys,
)

from .helpers import raw_assumptions, within

A = Assumptions()
F = len(FUNCTIONS)
ROOMY = np.full(F, 1e9)
BILLING = list(JOURNEYS).index("billing query")  # customer success, finance, finance, customer success
CS, FB = FUNCTIONS.index("customer success"), FUNCTIONS.index("finance and billing")
CERTAIN = {"handoff_base": 60.0, "handoff_structure": 60.0}  # every handoff succeeds
BLOCKED = {**CERTAIN, "handoff_barrier": 200.0}  # every handoff succeeds unless a full barrier blocks it


def only(monkeypatch, template):
    """Make every journey of kind ``template``."""
    shares = np.zeros(len(TEMPLATES))
    shares[template] = 1.0
    monkeypatch.setattr(work, "JOURNEY_SHARES", shares)


def settled(org, focus):
    """A workload with no queue whose routine has caught up with the collaboration practised."""
    return Workload(np.zeros(F), collaboration(org, focus), np.zeros(F))


def test_handoff_probability_is_will_times_way():
    rng = np.random.default_rng(1)
    xa, xb, b = rng.random(50), rng.random(50), rng.random(50)
    will = expit(A.handoff_base + A.handoff_focus * (xa + xb) / 2)
    way = expit(A.handoff_structure - A.handoff_barrier * b)
    assert np.allclose(handoff_probability(xa, xb, b, A), will * way)
    x = np.linspace(0, 1, 11)
    assert np.all(np.diff(handoff_probability(x, 0.5, 0.5, A)) > 0)
    assert np.all(np.diff(handoff_probability(0.5, 0.5, x, A)) < 0)


def test_journey_shares_and_templates():
    assert np.isclose(JOURNEY_SHARES.sum(), 1.0)
    assert all(0 <= f < F and 0 <= g < F for f, g in HANDOFFS)
    assert any(f == g for f, g in HANDOFFS) and any(f != g for f, g in HANDOFFS)


@pytest.mark.parametrize("template", range(len(TEMPLATES)))
def test_journey_success_is_the_product_of_handoff_probabilities(rng, monkeypatch, template):
    org = build_organisation(240, 0.7, A, rng)
    function_focus = np.linspace(0.1, 0.8, F)
    focus = function_focus[org.function]  # everyone in a function alike: which worker does a stage doesn't matter
    org.barrier = rng.random((F, F)) * BETWEEN_FUNCTIONS
    stages = TEMPLATES[template][TEMPLATES[template] >= 0]
    expected = journey_success_probability(template, function_focus[stages], org.barrier, A)
    by_hand = np.prod([handoff_probability(function_focus[f], function_focus[g], org.barrier[f, g], A)
                       for f, g in itertools.pairwise(stages)])
    assert expected == pytest.approx(by_hand)
    only(monkeypatch, template)
    n = 20_000
    outcome = run_journeys(n, org, focus, ROOMY, np.zeros(F), settled(org, focus), A, rng)
    # binomial margin: 4 standard errors
    assert within(1 - outcome.failed.mean(), expected, n)
    assert not outcome.delayed.any()


def test_the_first_failed_handoff_ends_a_journey_and_is_its_reason(rng):
    a = raw_assumptions(**BLOCKED)
    org = build_organisation(240, 1.0, a, rng)
    focus = np.full(org.size, 0.5)
    org.barrier = 1.0 * BETWEEN_FUNCTIONS  # every handoff between functions fails, every one inside succeeds
    n = 3_000
    outcome = run_journeys(n, org, focus, ROOMY, np.zeros(F), settled(org, focus), a, rng)
    assert outcome.failed.all()
    first_cross = [next(i for i, (f, g) in enumerate(itertools.pairwise(r)) if f != g and g >= 0) for r in TEMPLATES]
    reasons = {HANDOFFS[i] for i in np.unique(outcome.failed_handoff)}
    assert reasons == {(int(r[i]), int(r[i + 1])) for r, i in zip(TEMPLATES, first_cross, strict=True)}
    assert outcome.attempts.sum() - outcome.successes.sum() == n  # exactly one failure each
    assert not outcome.successes[BETWEEN_FUNCTIONS].any()
    # handoffs after the first failure are not attempted: attempts per journey = first failure's position + 1
    kinds = [r.tolist() for r in TEMPLATES]
    index = {HANDOFFS.index((int(r[i]), int(r[i + 1]))): i + 1 for r, i in zip(TEMPLATES, first_cross, strict=True)}
    assert len(index) == len(kinds)  # each kind fails at a different first handoff
    assert outcome.attempts.sum() == sum(index[h] for h in outcome.failed_handoff)


def test_successful_journeys_have_no_reason(rng):
    a = raw_assumptions(**CERTAIN)
    org = build_organisation(240, 0.0, a, rng)
    org.barrier = np.zeros((F, F))
    focus = np.ones(org.size)
    outcome = run_journeys(500, org, focus, ROOMY, np.zeros(F), settled(org, focus), a, rng)
    assert not outcome.failed.any() and np.all(outcome.failed_handoff == -1)
    assert np.array_equal(outcome.attempts, outcome.successes)


@pytest.mark.parametrize("tolerance", [0.5, 1.0, 2.0])
def test_the_queue_clears_at_capacity_and_work_waiting_beyond_tolerance_is_late(rng, monkeypatch, tolerance):
    a = raw_assumptions(**CERTAIN, delay_tolerance=tolerance)
    org = build_organisation(240, 0.0, a, rng)
    org.barrier = np.zeros((F, F))
    focus = np.full(org.size, 0.5)
    only(monkeypatch, BILLING)
    n = 4_000
    extra = np.zeros(F)
    extra[FB] = 300.0
    workload = settled(org, focus)
    workload.backlog[CS] = 500.0
    cap = np.full(F, 1e6)
    cap[CS], cap[FB] = 5_000.0, 8_000.0
    outcome = run_journeys(n, org, focus, cap, extra, workload, a, rng)
    queue = np.zeros(F)
    queue[[CS, FB]] = [500 + 2 * n, 2 * n + 300]  # two stages each per journey
    assert np.allclose(workload.backlog, np.maximum(0, queue - cap))
    assert np.allclose(outcome.overload, np.maximum(0, queue / cap - 1))
    late = np.maximum(0, workload.backlog - tolerance / WORKING_DAYS * cap) / np.maximum(queue, 1e-12)
    assert late[CS] > 0.1 and workload.backlog[FB] > 0 and late[FB] == 0  # finance's wait goes unnoticed
    on_time = (1 - late[CS]) ** 2 * (1 - late[FB]) ** 2
    # binomial margin: 4 standard errors
    assert within(outcome.delayed.mean(), 1 - on_time, n)
    wait = WORKING_DAYS * workload.backlog / cap
    assert outcome.cycle_time == pytest.approx(4 + 2 * wait[CS] + 2 * wait[FB])


def test_failed_handoffs_make_rework_for_the_sending_function(rng, monkeypatch):
    a = raw_assumptions(**BLOCKED)
    org = build_organisation(240, 1.0, a, rng)
    org.barrier = np.zeros((F, F))
    org.barrier[FB, CS] = 1.0  # the billing query's last handoff, finance -> customer success, fails every time
    focus = np.full(org.size, 0.5)
    only(monkeypatch, BILLING)
    n = 1_000
    workload = settled(org, focus)
    outcome = run_journeys(n, org, focus, np.zeros(F), np.zeros(F), workload, a, rng)
    assert outcome.failed.all() and np.all(outcome.failed_handoff == HANDOFFS.index((FB, CS)))
    # no capacity: the week's load stays queued; finance did its two stages and owes the rework
    assert workload.backlog[FB] == pytest.approx((2 + a.rework) * n)


def test_collaboration_is_mean_focus_times_mean_openness(rng):
    org = build_organisation(240, 0.6, A, rng)
    org.barrier = rng.random((F, F)) * BETWEEN_FUNCTIONS
    focus = rng.random(org.size)
    mean_focus = np.array([focus[org.function == f].mean() for f in range(F)])
    openness = 1 - org.barrier.sum(axis=1) / (F - 1)
    assert np.allclose(collaboration(org, focus), mean_focus * openness)


def test_unfamiliar_collaboration_costs_time_until_routine_catches_up(rng, monkeypatch):
    a = raw_assumptions(**CERTAIN)
    org = build_organisation(240, 0.6, a, rng)
    b, x = 0.4, 0.7
    org.barrier = b * BETWEEN_FUNCTIONS
    focus = np.full(org.size, x)
    only(monkeypatch, BILLING)
    practised = x * (1 - b)
    assert np.allclose(collaboration(org, focus), practised)
    workload = Workload(np.zeros(F), np.zeros(F), np.zeros(F))
    frictions = []
    for week in range(120):
        routine = workload.routine[CS]
        assert routine == pytest.approx(practised * (1 - (1 - a.collab_learning) ** week))
        outcome = run_journeys(200, org, focus, ROOMY, np.zeros(F), workload, a, rng)
        # per journey each of customer success and finance hands one stage across an open boundary
        slow = a.collab_cost * x * (1 - b) * (1 - routine / practised)
        assert outcome.friction[CS] == pytest.approx(slow / (2 + slow))
        assert outcome.friction[FB] == pytest.approx(slow / (2 + slow))
        assert outcome.cycle_time == pytest.approx(4 + 2 * slow)
        frictions.append(outcome.friction[CS])
    assert frictions[0] > 0.1 and np.all(np.diff(frictions) < 0)
    workload.routine[:] = 2 * practised  # beyond the collaboration practised: no cost at all
    outcome = run_journeys(200, org, focus, ROOMY, np.zeros(F), workload, a, rng)
    assert not outcome.friction.any() and outcome.cycle_time == pytest.approx(4)


def test_a_closed_boundary_costs_no_collaboration_time(rng, monkeypatch):
    a = raw_assumptions(**CERTAIN)
    org = build_organisation(240, 1.0, a, rng)
    org.barrier = 1.0 * BETWEEN_FUNCTIONS  # behind a wall work is thrown over it
    focus = np.full(org.size, 0.9)
    only(monkeypatch, BILLING)
    workload = Workload(np.zeros(F), np.zeros(F), np.zeros(F))
    outcome = run_journeys(200, org, focus, ROOMY, np.zeros(F), workload, a, rng)
    assert not outcome.friction.any()


def test_the_plan_follows_the_work_over_a_quarter(rng, monkeypatch):
    a = raw_assumptions(**CERTAIN)
    org = build_organisation(240, 0.0, a, rng)
    org.barrier = np.zeros((F, F))
    focus = np.full(org.size, 0.5)
    only(monkeypatch, BILLING)
    workload = settled(org, focus)
    for _ in range(10):
        run_journeys(100, org, focus, ROOMY, np.zeros(F), workload, a, rng)
    expected = np.zeros(F)
    expected[[CS, FB]] = 200 * (1 - (1 - 1 / PLANNING_WEEKS) ** 10)
    assert np.allclose(workload.planned, expected)


def test_expected_stages_match_the_journeys_drawn(rng):
    n_customers = 30_000
    expected = expected_stages(n_customers, A)
    per_journey = np.array([np.bincount(r[r >= 0], minlength=F) for r in TEMPLATES])
    assert np.allclose(expected, n_customers * A.journey_rate * JOURNEY_SHARES @ per_journey)
    a = raw_assumptions(**CERTAIN)
    org = build_organisation(240, 0.0, a, rng)
    org.barrier = np.zeros((F, F))
    focus = np.full(org.size, 0.5)
    workload = settled(org, focus)
    n = round(n_customers * A.journey_rate)
    run_journeys(n, org, focus, np.zeros(F), np.zeros(F), workload, a, rng)
    # the week's stages per function, against their expectation: 5 % (about 10 standard errors of the draw)
    assert np.allclose(workload.backlog, expected, rtol=0.05)


def test_a_new_workload_has_settled_routine_and_plans_for_the_expected_stages(rng):
    org = build_organisation(240, 0.6, A, rng)
    focus = rng.random(org.size)
    workload = new_workload(org, focus, 2_000, A)
    assert not workload.backlog.any()
    assert np.allclose(workload.routine, collaboration(org, focus))
    assert np.allclose(workload.planned, expected_stages(2_000, A))


def test_each_handoff_fails_with_its_own_chance_given_the_ones_before(rng, monkeypatch):
    only(monkeypatch, BILLING)  # customer success -> finance -> finance -> customer success
    org = build_organisation(240, 1.0, A, rng)
    org.barrier = np.zeros((F, F))
    org.barrier[CS, FB], org.barrier[FB, CS] = 0.9, 0.5
    focus = np.full(org.size, 0.5)
    n = 40_000
    outcome = run_journeys(n, org, focus, ROOMY, np.zeros(F), settled(org, focus), A, rng)
    handoffs = [(CS, FB), (FB, FB), (FB, CS)]
    p = np.array([handoff_probability(0.5, 0.5, org.barrier[f, g], A) for f, g in handoffs])
    reached = np.concatenate(([1.0], np.cumprod(p)[:-1]))
    expected = n * np.append(reached * (1 - p), np.prod(p))  # first failure at each handoff, or none
    counts = [np.sum(outcome.failed_handoff == HANDOFFS.index(h)) for h in handoffs] + [np.sum(~outcome.failed)]
    # multinomial: chi-square at 0.1 %
    assert stats.chisquare(counts, expected).pvalue > 0.001
