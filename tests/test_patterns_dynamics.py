"""Patterns in time, at every size, and of the customer book: stationarity, worse before better, sizes,
the calibration targets together (pattern-oriented modelling, Grimm et al. 2005), and churn reasons that
mean something counterfactually.  Every test here is named by a mutant in tests/mutants.py."""

from unittest import mock

import numpy as np
import pytest
from scipy import stats

import sim.work
from sim import CustomerFocusModel
from sim.assumptions import Assumptions
from sim.organisation import FUNCTIONS
from sim.scenario import Intervention
from sim.scenario_files import find_preset
from sim.staffing import wanted_headcount
from sim.work import expected_stages

from .pattern_helpers import SIZE, final_year_mean

ALPHA = 0.001
STATIONARY = ("retention_rate", "customers_active", "customer_focus_mean", "trust_mean", "barrier_mean",
              "employee_engagement_mean", "employee_turnover_rate", "cycle_time_mean", "headcount",
              "cross_silo_handoff_success_rate", "satisfaction_mean")


def yearly(frame, output: str) -> np.ndarray:
    """Mean of ``output`` in each whole year of a run."""
    values = frame[output].to_numpy()
    return values[: len(values) // 52 * 52].reshape(-1, 52).mean(axis=1)


@pytest.mark.slow
def test_the_baseline_is_stationary_over_ten_years():
    # issue 11, item 4: with levers constant every output stays put: years 2 and 10 differ by no more than
    # 2 % or three standard errors of the paired difference over seeds, whichever is larger (12 seeds: with 6 the
    # book's standard error, about 17 accounts, is near the 2 % margin)
    frames = [CustomerFocusModel(find_preset("baseline").scenario(seed=s, weeks=520, **SIZE)).run() for s in range(12)]
    for output in STATIONARY:
        years = np.array([yearly(f, output) for f in frames])
        change = years[:, 9] - years[:, 1]
        margin = max(0.02 * abs(years[:, 1].mean()), 3 * stats.sem(change))
        assert abs(change.mean()) <= margin, (output, years[:, 1].mean(), years[:, 9].mean())


@pytest.mark.slow
def test_a_good_organisation_grows_and_hires_rather_than_collapsing_into_delays():
    # issue 11, item 4: reputation wins customers; headcount follows demand (Oliva & Sterman 2001)
    frames = [CustomerFocusModel(find_preset("all_levers").scenario(seed=s, weeks=520, **SIZE)).run() for s in range(3)]
    for frame in frames:
        assert yearly(frame, "customers_active")[9] > 1.2 * SIZE["n_customers"]
        assert yearly(frame, "headcount")[9] > 1.2 * yearly(frame, "headcount")[0]
        retention = yearly(frame, "retention_rate")
        assert retention[9] > retention[1] - 0.01
        delayed = yearly(frame, "journeys_delayed") / yearly(frame, "journeys")
        assert delayed.max() < 0.02


@pytest.mark.slow
def test_a_push_across_silos_is_worse_before_it_is_better():
    # seed 004: cross-functional work "will seem to slow people down. They will feel frustrated";
    # Repenning & Sterman 2001.  Courage 0.1 -> 1 at week 26, against the same organisation without it.
    push = [Intervention(26, "leadership_courage", 1.0)]
    cycle, engagement = [], []
    for seed in range(16):
        treated = CustomerFocusModel(seed=seed, **SIZE, weeks=208, interventions=push).run()
        control = CustomerFocusModel(seed=seed, **SIZE, weeks=208).run()
        cycle.append((treated["cycle_time_mean"] - control["cycle_time_mean"]).to_numpy())
        engagement.append((treated["employee_engagement_mean"] - control["employee_engagement_mean"]).to_numpy())
    cycle, engagement = np.array(cycle), np.array(engagement)
    slower, faster = cycle[:, 35:65].mean(axis=1), cycle[:, 156:208].mean(axis=1)
    assert stats.ttest_1samp(slower, 0, alternative="greater").pvalue < 0.01
    assert stats.ttest_1samp(faster, 0, alternative="less").pvalue < ALPHA
    dip, later = engagement[:, 52:104].mean(axis=1), engagement[:, 156:208].mean(axis=1)
    assert stats.ttest_1samp(dip, 0, alternative="less").pvalue < ALPHA
    assert later.mean() > 0.5 * dip.mean()  # at least half of the frustration gone two years on


@pytest.mark.slow
def test_results_do_not_depend_on_the_size_of_the_book():
    # issue 11, item 7: each book staffed as its work needs (square-root staffing: small books need relatively
    # more people, see the understaffing test); final-year retention within 0.02 of the default size's
    def retention(n_customers):
        a = Assumptions()
        staffed = round(wanted_headcount(expected_stages(n_customers, a), a).sum()) + len(FUNCTIONS)
        return np.mean([final_year_mean(CustomerFocusModel(seed=s, n_customers=n_customers,
                                                           n_employees=max(24, staffed)).run(), "retention_rate")
                        for s in range(4)])
    reference = retention(4_000)
    for n_customers in (300, 1_000, 16_000):
        assert abs(retention(n_customers) - reference) < 0.02, n_customers


def test_understaffing_causes_delays_until_hiring_catches_up():
    # issue 11, item 7: headcount matters through capacity per employee
    for seed in range(3):
        short = CustomerFocusModel(seed=seed, n_employees=120, n_customers=2_000, weeks=78).run()
        staffed = CustomerFocusModel(seed=seed, **SIZE, weeks=78).run()
        assert short["journeys_delayed"].iloc[:13].sum() > 5 * max(1, staffed["journeys_delayed"].iloc[:13].sum())
        assert short["headcount"].iloc[-1] > short["headcount"].iloc[0] + 10


def test_the_calibration_targets_hold_together():
    # pattern-oriented modelling: several published patterns at once, at the baseline (docs/ODD.md, section 7)
    frames = [CustomerFocusModel(seed=s).run() for s in range(6)]
    retention = [final_year_mean(f, "retention_rate") for f in frames]
    cross = [final_year_mean(f, "cross_silo_handoff_success_rate") for f in frames]
    share = [f["lost_with_failure"].sum() / f["customers_lost"].sum() for f in frames]
    ratio = [f["churn_with_failure"].mean() / f["churn_without_failure"].mean() for f in frames]
    first, second = ([f["retention_rate"].iloc[a:b].mean() for f in frames] for a, b in ((0, 52), (52, 104)))
    assert 0.78 <= np.mean(retention) <= 0.88  # Statista 2018 via secondary sources: service industries 78-84 %
    assert 0.85 <= np.mean(cross) <= 0.97
    assert 0.5 <= np.mean(share) <= 0.8
    assert 2.5 <= np.mean(ratio) <= 10  # effort drives disloyalty (Dixon, Freeman & Toman 2010)
    assert abs(np.mean(second) - np.mean(first)) < 0.01


def without_failures_at(pairs):
    """The model with every failed handoff between ``pairs`` of functions turned into a success for the customer."""
    original = sim.work.run_journeys
    codes = [sim.work.HANDOFFS.index(p) for p in pairs]

    def run_journeys(*args, **kwargs):
        outcome = original(*args, **kwargs)
        removed = np.isin(outcome.failed_handoff, codes)
        outcome.failed = outcome.failed & ~removed
        outcome.failed_handoff = np.where(removed, -1, outcome.failed_handoff)
        return outcome

    return mock.patch("sim.work.run_journeys", run_journeys)


def churn_rate(frame) -> float:
    """Accounts lost per account-week over a run."""
    exposed = frame["customers_active"] + frame["customers_lost"] - frame["customers_won"]
    return float(frame["customers_lost"].sum() / exposed.sum())


def test_churn_falls_by_the_share_booked_to_the_failures_removed():
    # issue 11, item 6: a reason means something counterfactually (competing risks; seed 004: lost and why)
    cross = [p for p in sim.work.HANDOFFS if p[0] != p[1]]
    booked, fallen = [], []
    for seed in range(6):
        model = CustomerFocusModel(seed=seed, **SIZE, weeks=52)
        base = model.run()
        reasons = model.lost_by_reason()
        booked.append(reasons[[r for r in reasons.index if "->" in r]].sum() / reasons.sum())
        with without_failures_at(cross):
            removed = CustomerFocusModel(seed=seed, **SIZE, weeks=52).run()
        fallen.append(1 - churn_rate(removed) / churn_rate(base))
    # within 25 % of the share booked (the book starts with a history of such failures, which fades)
    assert abs(np.mean(fallen) - np.mean(booked)) < 0.25 * np.mean(booked), (np.mean(fallen), np.mean(booked))
