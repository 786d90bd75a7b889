"""Staffing: engagement, turnover, hiring, ramp-up and headcount (sim.staffing)."""

import numpy as np
import pytest
from scipy import stats

from sim.assumptions import Assumptions
from sim.culture import trust_target
from sim.organisation import EXECUTIVE, FUNCTIONS
from sim.staffing import (
    WEEKS_PER_YEAR,
    capacity,
    engagement_target,
    hire,
    leave,
    new_staff,
    plan_headcount,
    productive_share,
    update_engagement,
    wanted_headcount,
)

from .helpers import organisation_and_culture

F = len(FUNCTIONS)
PLANNED = np.linspace(40.0, 320.0, F)  # stages a week each function plans for


@pytest.fixture
def setting():
    """An organisation of 800, its culture with random focus, and its staff."""
    org, cult, lv, a = organisation_and_culture(800, seed=11)
    cult.focus = np.random.default_rng(12).random(org.size)
    staff = new_staff(org, cult, PLANNED, a, np.random.default_rng(13))
    return org, cult, staff, lv, a


def test_the_people_needed_are_work_with_headroom_plus_square_root_safety():
    a = Assumptions()
    expected = (a.staffing_headroom * PLANNED + a.safety_staffing * np.sqrt(PLANNED)) / a.stages_per_employee
    assert np.allclose(wanted_headcount(PLANNED, a), expected)
    # the safety margin weighs more for a small team
    share = a.safety_staffing * np.sqrt(PLANNED) / (a.staffing_headroom * PLANNED)
    assert np.all(np.diff(share) < 0)


def test_new_staff_spreads_the_staff_in_post_over_functions_by_the_work_they_need(setting):
    org, _, staff, _, a = setting
    assert np.array_equal(staff.staff, org.level != EXECUTIVE)
    wanted = wanted_headcount(PLANNED, a)
    assert np.allclose(staff.headcount, staff.staff.sum() * wanted / wanted.sum())


def test_starting_tenures_follow_engaged_turnover(setting):
    _org, _, staff, _, a = setting
    weekly = a.turnover_base / WEEKS_PER_YEAR
    tenure = staff.tenure[staff.staff]
    # geometric on 0, 1, 2, ... with mean (1 - p) / p; 4 standard errors of the mean
    mean, sd = (1 - weekly) / weekly, np.sqrt(1 - weekly) / weekly
    assert abs(tenure.mean() - mean) < 4 * sd / np.sqrt(len(tenure))


def test_engagement_target_has_the_stated_form(setting):
    org, cult, _, _, a = setting
    rng = np.random.default_rng(14)
    overload, friction = 0.3 * rng.random(F), 0.1 * rng.random(F)
    boss = cult.focus[org.manager]
    expected = np.clip(a.engagement_base + a.coaching_effect * boss - a.pressure_effect * overload[org.function]
                       - a.friction_effect * friction[org.function]
                       - a.misfit_effect * np.maximum(0, cult.focus - boss), 0, 1)
    target = engagement_target(org, cult, a, overload, friction)
    assert np.allclose(target, expected)
    assert ((expected > 0) & (expected < 1)).mean() > 0.5  # mostly the formula, not the clip
    unsupported = cult.focus > boss
    assert np.all(target[unsupported & (expected > 0)] < (a.engagement_base + a.coaching_effect * boss)[
        unsupported & (expected > 0)])


def test_engagement_closes_engagement_rate_of_the_distance_and_tenure_grows(setting):
    org, cult, staff, _, a = setting
    before, tenure = staff.engagement.copy(), staff.tenure.copy()
    target = engagement_target(org, cult, a, np.full(F, 0.5), np.zeros(F))
    update_engagement(staff, target, a)
    assert np.allclose(staff.engagement, before + a.engagement_rate * (target - before))
    assert np.array_equal(staff.tenure, tenure + 1)


def test_weekly_leaving_hazard_follows_engagement(setting):
    org, _cult, staff, _lv, a = setting
    rng = np.random.default_rng(15)
    levels = (0.0, 0.5, 1.0)
    staff.engagement = np.array(levels)[np.arange(org.size) % 3]
    weeks = 200
    counts = np.zeros(org.size)
    for _ in range(weeks):
        counts[leave(staff, a, rng)] += 1
    assert counts[~staff.staff].sum() == 0  # executives never leave
    for engagement in levels:
        group = staff.staff & (staff.engagement == engagement)
        hazard = (a.turnover_base + a.turnover_disengaged * (1 - engagement)) / WEEKS_PER_YEAR
        n = group.sum() * weeks
        # binomial margin: 4 standard errors
        assert abs(counts[group].sum() - n * hazard) < 4 * np.sqrt(n * hazard * (1 - hazard))


def test_hires_resemble_their_hiring_manager_by_hiring_fit(setting):
    org, cult, staff, lv, a = setting
    rng = np.random.default_rng(16)
    seats = np.flatnonzero(org.level == 2)
    boss = cult.focus[org.manager[seats]].copy()
    hire(org, cult, staff, seats, lv, a, rng)
    chosen = cult.disposition[seats]
    # in expectation (1 - fit)·E[market] + fit·boss, E[market] = 1/2; 4 standard errors of the market's sd
    residual = chosen - a.hiring_fit * boss
    sd = (1 - a.hiring_fit) * np.sqrt(0.05)
    assert abs(residual.mean() - (1 - a.hiring_fit) * 0.5) < 4 * sd / np.sqrt(len(seats))
    # and what is left is the labour market, Beta(2, 2) (Kolmogorov-Smirnov at 0.1 %)
    assert stats.kstest(residual / (1 - a.hiring_fit), stats.beta(2, 2).cdf).pvalue > 0.001
    assert np.array_equal(cult.focus[seats], chosen)
    assert np.allclose(cult.trust[seats], trust_target(org, cult.focus, lv, a)[seats])
    assert np.allclose(staff.engagement[seats], a.engagement_base + a.coaching_effect * boss)
    assert np.all(staff.tenure[seats] == 0)


def test_hiring_nobody_changes_nothing(setting):
    org, cult, staff, lv, a = setting
    before = cult.focus.copy()
    hire(org, cult, staff, np.array([], dtype=int), lv, a, np.random.default_rng(17))
    assert np.array_equal(cult.focus, before)


@pytest.mark.parametrize("tenure", [0, 3, 12, 40])
def test_ramp_up_is_linear(setting, tenure):
    org, _, staff, _, a = setting
    staff.tenure[:] = tenure
    expected = min(1.0, (tenure + 1) / a.ramp_up_weeks)
    assert np.allclose(productive_share(org, staff, a), expected)


def test_productive_share_averages_over_a_function(setting):
    org, _, staff, _, a = setting
    staff.tenure[:] = 1000
    first = np.flatnonzero(staff.staff & (org.function == 0))
    staff.tenure[first[: len(first) // 2]] = 0
    share = productive_share(org, staff, a)
    assert share[0] == pytest.approx(1 - (len(first) // 2) / len(first) * (1 - 1 / a.ramp_up_weeks))
    assert np.allclose(share[1:], 1.0)


def test_headcount_follows_planned_work_as_a_first_order_lag(setting):
    _, _, staff, _, a = setting
    planned = PLANNED[::-1]
    wanted = (a.staffing_headroom * planned + a.safety_staffing * np.sqrt(planned)) / a.stages_per_employee
    start = staff.headcount.copy()
    for _ in range(30):
        plan_headcount(staff, planned, a)
    expected = wanted + (start - wanted) * (1 - 1 / a.hiring_delay) ** 30
    assert np.allclose(staff.headcount, expected)
    assert np.all(np.abs(staff.headcount - wanted) < np.abs(start - wanted))


def test_capacity_is_headcount_times_speed_plus_funding(setting):
    org, _, staff, _, a = setting
    staff.tenure[:] = 0
    share = 1 / a.ramp_up_weeks
    for courage in (0.0, 0.5):
        expected = staff.headcount * a.stages_per_employee * share * (1 + a.funding_gain * courage)
        assert np.allclose(capacity(org, staff, a, courage), expected)
