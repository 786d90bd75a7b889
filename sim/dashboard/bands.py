"""Replications behind the page's bands, shared by every session of the server, and the effect they show.

A replication is keyed by the scenario's full content (levers, sizes, seed,
interventions, assumptions) and its number, so a class on the same preset runs
each replication once. Runs are deterministic, so a cached replication is the
replication. One replication runs at a time in the whole server, at low
operating-system priority, and it lets other threads in every week, so a
class's clicks (and, on a shared machine, the students' browsers) are not kept
waiting by it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.statistics import half_width
from sim.model import CustomerFocusModel
from sim.scenario import CustomerFocusScenario

BAND = 0.90  # confidence level of bands and intervals
REPLICATIONS = 20  # replications behind the page's bands
CACHE_SIZE = 4_000  # replications kept (about 1 kB each at 104 weeks)
BACKGROUND_NICE = 10  # priority of the threads that run replications (Linux: per thread; higher is lower)

_cache: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()
_one_at_a_time = threading.Lock()


def key(scenario: CustomerFocusScenario) -> str:
    """The scenario's full content as text: parameters, interventions, assumptions (not the replication)."""
    return json.dumps({"parameters": scenario.parameters(),
                       "interventions": [(i.week, i.lever, i.value) for i in scenario.interventions],
                       "assumptions": dict(sorted(scenario.assumptions.items()))}, sort_keys=True)


def _cached(entry: tuple[str, int]) -> np.ndarray | None:
    with _cache_lock:
        if entry in _cache:
            _cache.move_to_end(entry)
            return _cache[entry]
    return None


def yield_to_the_class() -> None:
    """Lower this (background) thread's priority to BACKGROUND_NICE, where the system allows it."""
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except (AttributeError, OSError):  # not Linux, or not permitted: run at normal priority
        pass


def retention(make: Callable[[int], CustomerFocusScenario], replication: int,
              stopped: Callable[[], bool] = lambda: False) -> np.ndarray | None:
    """Weekly retention of replication ``replication`` (cached across sessions); None if ``stopped()``."""
    scenario = make(replication)
    entry = (key(scenario), replication)
    found = _cached(entry)
    if found is not None:
        return found
    with _one_at_a_time:
        found = _cached(entry)  # another session may have run it while we waited
        if found is not None:
            return found
        yield_to_the_class()
        model = CustomerFocusModel(scenario)
        while model.running:
            if stopped():
                return None
            model.step()
            time.sleep(0)  # let the class's clicks in
        values = model.weekly_outputs()["retention_rate"].to_numpy()
    with _cache_lock:
        _cache[entry] = values
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return values


@dataclass(frozen=True, eq=False)
class Band:
    """Mean and ``BAND`` interval, week by week, over replications (rows of ``runs``)."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def of(cls, runs: np.ndarray) -> Band:
        """The band of a replications-by-weeks matrix (at least two rows)."""
        mean = runs.mean(axis=0)
        half = half_width(runs.std(axis=0, ddof=1), len(runs), BAND)
        return cls(mean, mean - half, mean + half)


@dataclass(frozen=True, eq=False)
class Effect:
    """A scenario against its counterfactual over the same seeds: both bands and their paired difference."""

    factual: Band
    counterfactual: Band | None
    difference: Band | None
    replications: int

    @classmethod
    def of(cls, factual: list[np.ndarray], counterfactual: list[np.ndarray] | None) -> Effect:
        """From lists of replications' weekly retention (replication r of each shares a seed)."""
        runs = np.vstack(factual)
        if counterfactual is None:
            return cls(Band.of(runs), None, None, len(runs))
        other = np.vstack(counterfactual)
        return cls(Band.of(runs), Band.of(other), Band.of(runs - other), len(runs))

    def at(self, week: int) -> tuple[float, float, float] | None:
        """The difference at ``week`` (1-based): mean, low, high; None past the run's end."""
        if self.difference is None or not 1 <= week <= len(self.difference.mean):
            return None
        d = self.difference
        return float(d.mean[week - 1]), float(d.low[week - 1]), float(d.high[week - 1])

    def shows_from(self) -> int | None:
        """The first week from which the difference's interval stays clear of zero to the end; None if never."""
        if self.difference is None:
            return None
        up = self.difference.low > 0
        clear = up if up[-1] else self.difference.high < 0  # clear of zero on the side it ends on
        if not clear[-1]:
            return None
        unclear = np.flatnonzero(~clear)
        return int(unclear[-1]) + 2 if len(unclear) else 1
