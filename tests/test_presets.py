"""Presets tell true stories: what each description says holds against the right counterfactual.

A preset with interventions is judged against the same organisation without
them; the others against the baseline (their descriptions say so), on paired
seeds, one-sided paired t-tests at 1 %.
"""

import numpy as np
import pytest
from scipy import stats

from sim import CustomerFocusModel
from sim.scenario_files import find_preset, list_presets

from .pattern_helpers import SIZE, final_year_mean

SEEDS = range(6)


def final(preset: str, output: str, interventions: bool = True) -> np.ndarray:
    """Final-year mean of ``output`` for each seed under ``preset`` (optionally without its interventions)."""
    p = find_preset(preset)
    values = []
    for seed in SEEDS:
        scenario = p.scenario(seed=seed, **SIZE)
        model = CustomerFocusModel(scenario) if interventions else CustomerFocusModel(
            scenario, interventions=())
        values.append(final_year_mean(model.run(), output))
    return np.array(values)


def higher(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` exceeds ``b`` on paired seeds at the 1 % level."""
    return bool((a - b).mean() > 0 and stats.ttest_rel(a, b, alternative="greater").pvalue < 0.01)


STORIES = {  # preset: (output, "higher" or "lower", against)
    "courageous_leadership": [("retention_rate", "higher", "baseline"), ("barrier_mean", "lower", "baseline"),
                              ("change_cost", "higher", "baseline")],
    "transparent_leadership": [("trust_mean", "higher", "baseline"), ("retention_rate", "higher", "baseline")],
    "aligned_metrics": [("customer_focus_mean", "higher", "baseline"), ("retention_rate", "higher", "baseline")],
    "siloed_organisation": [("retention_rate", "lower", "baseline"),
                            ("cross_silo_handoff_success_rate", "lower", "baseline")],
    "empty_promises": [("trust_mean", "lower", "baseline"), ("retention_rate", "lower", "transparent_leadership"),
                       ("trust_mean", "lower", "transparent_leadership")],
    "all_levers": [("retention_rate", "higher", "courageous_leadership"), ("customers_active", "higher", "baseline"),
                   ("change_cost", "higher", "baseline")],
    "new_leadership_team": [("retention_rate", "higher", "without its interventions"),
                            ("customer_focus_frontline", "higher", "without its interventions")],
}


def test_every_preset_has_a_story_and_a_description():
    presets = {p.key: p for p in list_presets()}
    assert set(STORIES) | {"baseline"} == set(presets)
    assert all(len(p.description) > 100 for p in presets.values())


@pytest.mark.parametrize("preset", list(STORIES))
def test_the_story_holds(preset):
    for output, direction, against in STORIES[preset]:
        mine = final(preset, output)
        other = final(preset, output, interventions=False) if against.startswith("without") else final(against, output)
        ok = higher(mine, other) if direction == "higher" else higher(other, mine)
        assert ok, (preset, output, direction, against, mine.mean(), other.mean())


def test_a_new_team_strains_people_before_customers_notice():
    # the description: people feel the strain of working across silos first, customers notice over the year
    p = find_preset("new_leadership_team")
    strain, noticed = [], []
    for seed in SEEDS:
        treated = CustomerFocusModel(p.scenario(seed=seed, **SIZE, weeks=104)).run()
        control = CustomerFocusModel(p.scenario(seed=seed, **SIZE, weeks=104), interventions=()).run()
        strain.append((treated["cycle_time_mean"] - control["cycle_time_mean"]).iloc[30:52].mean())
        noticed.append((treated["retention_rate"] - control["retention_rate"]).iloc[78:104].mean())
    assert stats.ttest_1samp(strain, 0, alternative="greater").pvalue < 0.01
    assert stats.ttest_1samp(noticed, 0, alternative="greater").pvalue < 0.01
