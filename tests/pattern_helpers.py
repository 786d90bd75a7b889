"""Helpers of the pattern tests: final-year means and paired effects."""

import numpy as np
from scipy import stats

from sim import CustomerFocusModel

SIZE = {"n_employees": 200, "n_customers": 2_000}  # staff to customers as at the default size, half as many


def final_year_mean(frame, output: str) -> float:
    """Mean of ``output`` over the last 52 weeks of a run (all of it if shorter)."""
    return float(frame[output].iloc[-52:].mean())


def effect(output: str, low: dict, high: dict, seeds, **common) -> np.ndarray:
    """Per seed: the final-year mean of ``output`` under ``high`` minus under ``low`` (paired by seed)."""
    common = {**SIZE, **common}
    return np.array([
        final_year_mean(CustomerFocusModel(seed=s, **common, **high).run(), output)
        - final_year_mean(CustomerFocusModel(seed=s, **common, **low).run(), output)
        for s in seeds
    ])


def lower_bound(d: np.ndarray, level: float = 0.95) -> float:
    """One-sided lower confidence bound of the mean of ``d`` (Student t)."""
    return float(d.mean() - stats.t.ppf(level, len(d) - 1) * stats.sem(d))
