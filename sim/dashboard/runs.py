"""Replicated comparisons of two scenarios (the Compare tab), from the server's shared replications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.statistics import t_interval
from sim.dashboard.bands import BAND, Effect, retention
from sim.scenario import CustomerFocusScenario

FINAL_YEAR = 52  # weeks at the end of a run that the comparison's summary averages


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two scenarios run with the same seeds, replication by replication: the second against the first."""

    labels: tuple[str, str]
    runs: tuple[np.ndarray, np.ndarray]  # replications by weeks, weekly retention

    @property
    def replications(self) -> int:
        """Replications of each scenario."""
        return len(self.runs[0])

    def effect(self) -> Effect:
        """The second scenario against the first, week by week."""
        return Effect.of(list(self.runs[1]), list(self.runs[0]))

    def final_year(self, which: int) -> np.ndarray:
        """Each replication's mean retention over the last FINAL_YEAR weeks."""
        return self.runs[which][:, -FINAL_YEAR:].mean(axis=1)

    def difference(self) -> tuple[float, float, float]:
        """Second minus first in final-year retention: mean and 90% paired t-interval."""
        return t_interval(self.final_year(1) - self.final_year(0), BAND)

    def table(self) -> pd.DataFrame:
        """Both scenarios' bands, week by week, for download."""
        found = self.effect()
        frames = [pd.DataFrame({"scenario": name, "week": np.arange(1, len(band.mean) + 1),
                                "retention_mean": band.mean, f"retention_low_{BAND:.0%}": band.low,
                                f"retention_high_{BAND:.0%}": band.high})
                  for name, band in zip(self.labels, (found.counterfactual, found.factual), strict=True)]
        return pd.concat(frames, ignore_index=True)


def compare(scenarios: list[tuple[str, Callable[[int], CustomerFocusScenario]]], replications: int,
            progress: Callable[[float], None] = lambda share: None,
            stopped: Callable[[], bool] = lambda: False) -> Comparison | None:
    """Run each ``(label, replication -> scenario)`` ``replications`` times; None if ``stopped()``.

    Replication r of every scenario uses the same seed, so differences are paired.
    ``stopped`` is asked every week, so a cancel takes effect at once.
    """
    total, done, runs = len(scenarios) * replications, 0, []
    for _, make in scenarios:
        rows = []
        for replication in range(replications):
            values = retention(make, replication, stopped)
            if values is None:
                return None
            rows.append(values)
            done += 1
            progress(done / total)
        runs.append(np.vstack(rows))
    return Comparison(tuple(name for name, _ in scenarios), tuple(runs))
