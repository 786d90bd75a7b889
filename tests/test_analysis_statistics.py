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
    frame["replication"] = np.tile(np.arange(20), 200)
    frame["y"] += 0.1 * frame["x"]  # between-point variance 0.01 / 12; within 0.0025
    expected = 0.0025 / (0.0025 + 0.01 / 12)
    shares = statistics.variance_shares(frame, "y")
    assert shares["within"] == pytest.approx(expected, abs=0.05)
    assert shares["stream"] == pytest.approx(0.0, abs=0.02)  # independent streams: nothing shared
    unbalanced = statistics.variance_shares(frame.iloc[:-7], "y")
    assert np.isnan(unbalanced["stream"]) and unbalanced["within"] == pytest.approx(expected, abs=0.05)


def test_noise_shares_split_out_the_common_stream(rng):
    points, replications = 50, 200
    frame = pd.DataFrame({"point": np.repeat(np.arange(points), replications),
                          "replication": np.tile(np.arange(replications), points)})
    # point effects var 0.0004, stream effects (shared by replication r at every point) 0.0016, residual 0.0004
    frame["y"] = (np.repeat(rng.normal(0, 0.02, points), replications)
                  + np.tile(rng.normal(0, 0.04, replications), points) + rng.normal(0, 0.02, len(frame)))
    shares = statistics.variance_shares(frame, "y")
    # the stream component rests on 200 streams (relative s.e. about 0.1); allow about twice that
    assert shares["within"] == pytest.approx(0.0020 / 0.0024, abs=0.08)
    assert shares["stream"] == pytest.approx(0.0016 / 0.0024, abs=0.12)


def test_noise_share_never_exceeds_one_with_common_streams(rng):
    # two replications on common streams, points alike: the mean within-point variance over the total
    # variance (the old estimator) exceeds 1 in about half of such sweeps; a share never does
    for _ in range(200):
        frame = pd.DataFrame({"point": np.repeat(np.arange(30), 2), "replication": np.tile([0, 1], 30)})
        frame["y"] = np.tile(rng.normal(0, 0.05, 2), 30) + rng.normal(0, 0.005, 60)
        within = frame.groupby("point")["y"].var(ddof=1).mean() / frame["y"].var(ddof=1)
        shares = statistics.variance_shares(frame, "y")
        assert 0 <= shares["within"] <= 1 and 0 <= shares["stream"] <= shares["within"]
    assert within > 1  # this data is the kind that gave "169 % of the variance"


def test_paired_differences_remove_the_common_stream(rng):
    replications = 10
    stream = rng.normal(0, 0.05, replications)
    frame = pd.DataFrame({"point": np.repeat([0, 1], replications), "replication": np.tile(np.arange(10), 2),
                          "y": np.concatenate([0.80 + stream, 0.81 + stream + rng.normal(0, 0.002, 10)])})
    table = statistics.paired_differences(frame, "y", reference=1, level=0.95).set_index("point")
    assert table.loc[0, "diff_high"] < 0 and table.loc[0, "p_value"] < 0.001  # found paired
    assert table.loc[0, "diff"] == pytest.approx(-0.01, abs=0.003) and table.loc[0, "pairs"] == 10
    separate = statistics.by_point(frame, "y", []).set_index("point")
    assert separate.loc[0, "high"] > separate.loc[1, "low"]  # the separate intervals overlap: inconclusive


def test_main_effect_share_picks_the_lever_that_matters(rng):
    frame = pd.DataFrame(rng.uniform(size=(2000, 3)), columns=["a", "b", "c"])
    frame["y"] = frame["b"] + rng.normal(0, 0.1, 2000)
    shares = {lever: statistics.main_effect_share(frame, "y", lever) for lever in "abc"}
    assert shares["b"] == pytest.approx((1 / 12) / (1 / 12 + 0.01), abs=0.05)
    assert max(shares["a"], shares["c"]) < 0.02
