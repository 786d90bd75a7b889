"""Means and intervals: coverage of the true mean at the stated rate, agreement with scipy, marginals and tables."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import statistics


def draws(rng, points, replications, mean=0.8, sd=0.05):
    return pd.DataFrame({"point": np.repeat(np.arange(points), replications),
                         "x": np.repeat(rng.uniform(size=points), replications),
                         "y": rng.normal(mean, sd, points * replications)})


@pytest.mark.parametrize(("level", "replications"), [(0.95, 5), (0.9, 3), (0.99, 10)])
def test_intervals_cover_the_true_mean_at_the_stated_rate(rng, level, replications):
    points = 4000
    table = statistics.by_point(draws(rng, points, replications), "y", ["x"], level)
    covered = ((table["low"] <= 0.8) & (table["high"] >= 0.8)).mean()
    # binomial standard error of a coverage estimate from 4000 intervals; allow four of them
    assert abs(covered - level) < 4 * np.sqrt(level * (1 - level) / points)


def test_by_point_agrees_with_scipys_t_interval(rng):
    frame = draws(rng, 3, 6)
    table = statistics.by_point(frame, "y", ["x"], 0.9)
    for point, rows in frame.groupby("point"):
        low, high = stats.t.interval(0.9, len(rows) - 1, loc=rows["y"].mean(), scale=stats.sem(rows["y"]))
        row = table.set_index("point").loc[point]
        assert (row["low"], row["high"], row["n"]) == pytest.approx((low, high, 6))
        assert row["x"] == rows["x"].iloc[0]


def test_one_replication_has_no_interval():
    mean, low, high = statistics.t_interval([0.7])
    assert mean == 0.7 and np.isnan(low) and np.isnan(high)
    table = statistics.by_point(pd.DataFrame({"point": [0, 1], "x": [0.0, 1.0], "y": [0.5, 0.6]}), "y", ["x"])
    assert table["low"].isna().all() and table["mean"].tolist() == [0.5, 0.6]


def test_marginal_keeps_grid_values_and_bins_continuous_levers(rng):
    grid = pd.DataFrame({"lever": np.repeat([0.0, 0.5, 1.0], 4), "y": np.arange(12.0)})
    table = statistics.marginal(grid, "y", "lever")
    assert table["lever"].tolist() == [0.0, 0.5, 1.0]
    assert table["mean"].tolist() == [1.5, 5.5, 9.5] and table["n"].tolist() == [4, 4, 4]
    continuous = pd.DataFrame({"lever": rng.uniform(size=1000)})
    continuous["y"] = 2 * continuous["lever"] + rng.normal(0, 0.1, 1000)
    binned = statistics.marginal(continuous, "y", "lever", bins=5)
    assert len(binned) == 5 and binned["n"].sum() == 1000
    assert binned["mean"].to_numpy() == pytest.approx(2 * binned["lever"].to_numpy(), abs=0.03)
    assert (binned["low"] < binned["mean"]).all() and (binned["mean"] < binned["high"]).all()


def test_two_way_table_is_the_mean_in_each_cell():
    frame = pd.DataFrame({"a": [0, 0, 1, 1, 1], "b": [0, 1, 0, 1, 1], "y": [1.0, 2.0, 3.0, 4.0, 6.0]})
    table = statistics.two_way(frame, "y", "a", "b")
    assert table.loc[1, 1] == 5.0 and table.loc[0, 0] == 1.0
    assert list(table.index) == [1, 0]  # highest value of the row lever on top


def test_noise_share_is_the_within_point_share_of_variance(rng):
    frame = draws(rng, 200, 20, sd=0.05)
    frame["y"] += 0.1 * frame["x"]  # between-point variance 0.01 / 12; within 0.0025
    expected = 0.0025 / (0.0025 + 0.01 / 12)
    assert statistics.noise_share(frame, "y") == pytest.approx(expected, abs=0.05)
