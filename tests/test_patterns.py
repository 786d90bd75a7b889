"""The patterns the seed articles claim, each checked with replications and a stated margin.

Runs are paired by seed (the model draws each mechanism from its own stream,
so paired runs share their randomness where the levers do not act) and
compared with one-sided paired t-tests at the 0.1 % level.
"""

import numpy as np
import pytest
from scipy import stats

from sim import CustomerFocusModel
from sim.scenario_files import find_preset

from .helpers import final_year_retention, paired_runs

SEEDS = range(20)
ALPHA = 0.001


@pytest.mark.parametrize(
    ("lever", "low", "high"),
    [("leadership_courage", 0.1, 0.6), ("transparency", 0.3, 0.8), ("metric_alignment", 0.2, 0.7)],
)
def test_raising_a_lever_raises_retention(lever, low, high):
    lows, highs = paired_runs(SEEDS, {lever: low}, {lever: high})
    a = np.array([final_year_retention(f) for f in lows])
    b = np.array([final_year_retention(f) for f in highs])
    assert b.mean() > a.mean()
    assert stats.ttest_rel(b, a, alternative="greater").pvalue < ALPHA


def test_baseline_retention_lies_in_the_published_band():
    # the commission's band for most sectors; the cited survey's service industries sit at 78-84 % (docs/ODD.md)
    values = np.array([final_year_retention(CustomerFocusModel(seed=s).run()) for s in range(10)])
    low, high = stats.t.interval(0.99, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert low > 0.75 and high < 0.93


@pytest.mark.parametrize("commitment", [0.3, 0.6, 0.9])
def test_frontline_focus_stays_at_or_below_the_leaders_commitment(commitment):
    for seed in range(5):
        model = CustomerFocusModel(n_employees=200, n_customers=1_000, weeks=52, seed=seed,
                                   leader_customer_focus=commitment, metric_alignment=1.0,
                                   transparency=1.0, leadership_courage=1.0)
        frame = model.run()
        assert model.culture.focus.max() <= commitment + 1e-12
        assert (frame["customer_focus_frontline"] <= commitment + 1e-12).all()


def test_frontline_focus_follows_the_leaders_commitment():
    low, high = paired_runs(range(5), {"leader_customer_focus": 0.3}, {"leader_customer_focus": 0.9},
                            n_employees=200, n_customers=500, weeks=10)
    assert all(h["customer_focus_frontline"].iloc[-1] > lo["customer_focus_frontline"].iloc[-1] + 0.2
               for lo, h in zip(low, high, strict=True))


def test_strong_silos_lower_cross_silo_success_and_make_failed_handoffs_the_leading_reason():
    open_shares, siloed_shares, open_rates, siloed_rates = [], [], [], []
    siloed_top = []
    for seed in SEEDS:
        for silo, shares, rates in ((0.2, open_shares, open_rates), (0.9, siloed_shares, siloed_rates)):
            model = CustomerFocusModel(seed=seed, silo_strength=silo, leadership_courage=0.0)
            frame = model.run()
            reasons = model.lost_by_reason()
            cross = [r for r in reasons.index if "->" in r]
            shares.append(reasons[cross].sum() / reasons.sum())
            rates.append(frame["cross_silo_handoff_success_rate"].mean())
            if silo == 0.9:
                siloed_top.append(reasons.idxmax())
    assert stats.ttest_rel(open_rates, siloed_rates, alternative="greater").pvalue < ALPHA
    assert stats.ttest_rel(siloed_shares, open_shares, alternative="greater").pvalue < ALPHA
    # under strong silos most lost customers leave over a failed cross-silo handoff, in every replication
    assert min(siloed_shares) > 0.5
    assert all("->" in top for top in siloed_top)


def test_an_interventions_effect_on_retention_arrives_with_a_lag():
    preset = find_preset("new_leadership_team")  # new leaders arrive at week 26
    early, late = [], []
    for seed in range(30):
        treated = CustomerFocusModel(preset.scenario(seed=seed)).run()
        control = CustomerFocusModel(**preset.parameters, seed=seed).run()
        gain = annual_churn(control) - annual_churn(treated)
        early.append(gain[26:30].mean())  # the first four weeks after the arrival
        late.append(gain[78:104].mean())  # the second year after it
    early, late = np.array(early), np.array(late)
    assert stats.ttest_1samp(late, 0, alternative="greater").pvalue < ALPHA
    assert stats.ttest_rel(late, early, alternative="greater").pvalue < ALPHA
    assert early.mean() < 0.25 * late.mean()


def annual_churn(frame) -> np.ndarray:
    exposed = frame["customers_active"].shift(1, fill_value=frame["customers_active"].iloc[0])
    return 52 * (frame["customers_lost"] / exposed).to_numpy()
