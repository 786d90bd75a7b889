"""Small helpers shared by the test modules."""

from types import SimpleNamespace

import numpy as np

from sim import CustomerFocusModel, CustomerFocusScenario
from sim.assumptions import Assumptions
from sim.culture import new_culture
from sim.organisation import build_organisation
from sim.scenario import Levers

SMALL = {"n_employees": 120, "n_customers": 1_500, "weeks": 30}


def final_year_retention(frame) -> float:
    """Mean weekly retention over the last 52 weeks of a run (all of it if shorter)."""
    return float(frame["retention_rate"].iloc[-52:].mean())


def paired_runs(seeds, low: dict, high: dict, **common):
    """Run the same seeds under two settings; return the weekly outputs of both."""
    lows = [CustomerFocusModel(seed=s, **common, **low).run() for s in seeds]
    highs = [CustomerFocusModel(seed=s, **common, **high).run() for s in seeds]
    return lows, highs


def levers(**values) -> Levers:
    """The default levers with ``values`` changed."""
    return Levers(**{**CustomerFocusScenario().levers(), **values})


def raw_assumptions(**values) -> SimpleNamespace:
    """The default assumptions with ``values`` set, unchecked: extreme values to isolate one mechanism."""
    return SimpleNamespace(**{**Assumptions().as_dict(), **values})


def organisation_and_culture(n: int, seed: int, silo_strength: float = 0.6, a=None, **lever_values):
    """A fresh organisation and its culture, outside any model."""
    a = a or Assumptions()
    rng = np.random.default_rng(seed)
    lv = levers(silo_strength=silo_strength, **lever_values)
    org = build_organisation(n, silo_strength, a, rng)
    return org, new_culture(org, lv, a, rng), lv, a


def within(observed: float, expected: float, n: int, sds: float = 4.0) -> bool:
    """True if a binomial share ``observed`` of ``n`` trials is within ``sds`` standard errors of ``expected``."""
    return abs(observed - expected) <= sds * np.sqrt(expected * (1 - expected) / n)
