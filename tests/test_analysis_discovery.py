"""PRIM finds a box planted in synthetic data, with coverage and density near the truth."""

import numpy as np
import pandas as pd
import pytest

from analysis.discovery import discover
from sim.scenario import InputError

BOX = {"a": (0.2, 0.6), "b": (0.5, 1.0)}  # planted; c and d are irrelevant
INSIDE, OUTSIDE = 0.95, 0.05  # chance a case is of interest inside and outside the box


def planted(seed, n=2000):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=list("abcd"))
    inside = np.logical_and.reduce([x[k].between(lo, hi) for k, (lo, hi) in BOX.items()])
    return x, np.where(inside, rng.uniform(size=n) < INSIDE, rng.uniform(size=n) < OUTSIDE)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prim_finds_the_planted_box(seed):
    x, interest = planted(seed)
    box = discover(x, interest)
    mass = 0.4 * 0.5
    true_density = INSIDE
    true_coverage = mass * INSIDE / (mass * INSIDE + (1 - mass) * OUTSIDE)  # 0.826
    for lever, (low, high) in BOX.items():
        assert box.limits.loc[lever, "restricted"]
        assert box.limits.loc[lever, "low"] == pytest.approx(low, abs=0.06)
        assert box.limits.loc[lever, "high"] == pytest.approx(high, abs=0.06)
        assert box.limits.loc[lever, ["qp_low", "qp_high"]].min() < 1e-3
    assert not box.limits.loc[["c", "d"], "restricted"].any()
    assert box.coverage == pytest.approx(true_coverage, abs=0.06)
    assert box.density == pytest.approx(true_density, abs=0.06)
    assert box.mass == pytest.approx(mass, abs=0.04)
    assert box.base_density == pytest.approx(interest.mean())


def test_a_minimum_density_trades_coverage_for_density():
    x, interest = planted(4)
    balanced = discover(x, interest)
    dense = discover(x, interest, min_density=0.97)
    assert dense.density >= 0.97 and dense.coverage < balanced.coverage


def test_prim_needs_some_but_not_all_cases_of_interest():
    x, _ = planted(5, n=100)
    with pytest.raises(InputError, match="0 of 100 cases"):
        discover(x, np.zeros(100, dtype=bool))
