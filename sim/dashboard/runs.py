"""Runs the dashboard makes beside the one being explored: the baseline, and replicated comparisons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.statistics import half_width, t_interval
from sim.model import CustomerFocusModel
from sim.scenario import CustomerFocusScenario
from sim.scenario_files import find_preset

BAND = 0.90  # confidence level of the comparison's bands and difference
FINAL_YEAR = 52  # weeks at the end of a run that the comparison's summary averages


@lru_cache(maxsize=64)
def baseline_outputs(n_employees: int, n_customers: int, weeks: int, seed: int) -> pd.DataFrame:
    """Weekly retention of the baseline preset at this size and seed (cached: runs are deterministic)."""
    scenario = find_preset("baseline").scenario(n_employees=n_employees, n_customers=n_customers,
                                                weeks=weeks, seed=seed)
    return CustomerFocusModel(scenario).run()[["week", "retention_rate"]]


@dataclass(frozen=True)
class Series:
    """One scenario's retention across replications: mean and confidence band per week."""

    label: str
    week: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    final_year: np.ndarray  # each replication's mean retention over the last FINAL_YEAR weeks


@dataclass(frozen=True)
class Comparison:
    """Two scenarios run with the same seeds, replication by replication."""

    series: tuple[Series, Series]
    replications: int

    def difference(self) -> tuple[float, float, float]:
        """Second minus first in final-year retention: mean and 90% paired t-interval."""
        return t_interval(self.series[1].final_year - self.series[0].final_year, BAND)


def band(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (rows) and its ``BAND`` t-interval, week by week."""
    mean = runs.mean(axis=0)
    half = half_width(runs.std(axis=0, ddof=1), len(runs), BAND)
    return mean, mean - half, mean + half


def compare(scenarios: list[tuple[str, Callable[[int], CustomerFocusScenario]]], replications: int,
            progress: Callable[[float], None] = lambda share: None,
            stopped: Callable[[], bool] = lambda: False) -> Comparison | None:
    """Run each ``(label, replication -> scenario)`` ``replications`` times; None if ``stopped()``.

    Replication r of every scenario uses the same seed, so differences are paired.
    ``stopped`` is asked every week, so a cancel takes effect at once.
    """
    total, done = len(scenarios) * replications, 0
    series = []
    for label, make in scenarios:
        runs = []
        for replication in range(replications):
            model = CustomerFocusModel(make(replication))
            while model.running:
                if stopped():
                    return None
                model.step()
            runs.append(model.weekly_outputs()["retention_rate"].to_numpy())
            done += 1
            progress(done / total)
        matrix = np.vstack(runs)
        series.append(Series(label, np.arange(1, matrix.shape[1] + 1), *band(matrix),
                             final_year=matrix[:, -FINAL_YEAR:].mean(axis=1)))
    return Comparison(tuple(series), replications)
