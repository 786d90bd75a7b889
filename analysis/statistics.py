"""Means and Student-t confidence intervals over replications.

Replications of a design point are independent runs (seeds spawned from the
root seed), so the interval of a point's mean is the t-interval of its
replications' responses: mean ± t(1 - (1 - level)/2, n - 1) · s / √n. A point
with one replication has no interval (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval (low, high) of ``values``; the interval is NaN for fewer than two."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    mean = float(values.mean()) if len(values) else float("nan")
    half = half_width(values.std(ddof=1) if len(values) > 1 else np.nan, len(values), level)
    return mean, mean - half, mean + half


def half_width(std, n, level: float):
    """Half-width of the ``level`` t-interval of a mean from ``n`` values with standard deviation ``std``.

    Element-wise over arrays; NaN where ``n`` < 2.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
        return quantile * std / np.sqrt(n)


def summarise(frame: pd.DataFrame, value: str, by: str | list[str], level: float = 0.95) -> pd.DataFrame:
    """Per group of ``by``: n, mean, std, and the ``level`` t-interval (low, high) of column ``value``."""
    grouped = frame.groupby(by, sort=True)[value]
    table = grouped.agg(n="count", mean="mean", std="std")
    half = half_width(table["std"].to_numpy(), table["n"].to_numpy(), level)
    return table.assign(low=table["mean"] - half, high=table["mean"] + half).reset_index()


def by_point(responses: pd.DataFrame, output: str, levers: list[str], level: float = 0.95) -> pd.DataFrame:
    """One row per design point: its lever values, n replications, mean, std and interval of ``output``."""
    table = summarise(responses, output, "point", level)
    values = responses.groupby("point", sort=True)[levers].first().reset_index()
    return values.merge(table, on="point")


def over_time(weekly: pd.DataFrame, output: str, level: float = 0.95, by: str = "point") -> pd.DataFrame:
    """Per ``by`` and week: the mean of ``output`` over the runs, with its interval.

    ``weekly`` has one row per run and week and a column ``by`` (join the
    design first, e.g. with :func:`with_design`).
    """
    return summarise(weekly, output, [by, "week"], level)


def with_design(weekly: pd.DataFrame, design: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Weekly outputs with the design ``columns`` of their run joined on ``run_id``."""
    return weekly.merge(design[["run_id", *columns]], on="run_id", how="left")


def marginal(responses: pd.DataFrame, output: str, lever: str, bins: int = 10, level: float = 0.95) -> pd.DataFrame:
    """Mean and interval of ``output`` over all runs at each value of ``lever``.

    Runs at the same value are averaged over whatever the other levers take in
    the design. A lever with more than ``bins`` distinct values (latin, sobol,
    morris designs) is cut into ``bins`` equal-count bins; ``value`` is then
    the mean lever value in the bin.
    """
    frame = responses[[lever, output]].copy()
    if frame[lever].nunique() > bins:
        frame["group"] = pd.qcut(frame[lever], bins, labels=False, duplicates="drop")
    else:
        frame["group"] = frame[lever]
    table = summarise(frame, output, "group", level)
    table.insert(0, "value", frame.groupby("group", sort=True)[lever].mean().to_numpy())
    return table.drop(columns="group").rename(columns={"value": lever})


def noise_share(responses: pd.DataFrame, output: str) -> float:
    """Share of the variance of ``output`` across runs that lies within design points (replication noise).

    The mean within-point variance over the total variance; NaN without replications.
    """
    within = responses.groupby("point")[output].var(ddof=1).mean()
    total = responses[output].var(ddof=1)
    return float(within / total) if total > 0 else float("nan")


def two_way(responses: pd.DataFrame, output: str, x: str, y: str, bins: int = 6) -> pd.DataFrame:
    """Mean of ``output`` over runs for each pair of values of levers ``x`` (columns) and ``y`` (rows).

    Grids keep their values; a lever with more than ``bins`` distinct values is
    cut into ``bins`` equal-width bins labelled by their centres.
    """
    frame = responses[[x, y, output]].copy()
    for lever in (x, y):
        if frame[lever].nunique() > bins:
            cut = pd.cut(frame[lever], bins)
            frame[lever] = cut.map(lambda interval: interval.mid).astype(float)
    return frame.pivot_table(index=y, columns=x, values=output, aggfunc="mean").sort_index(ascending=False)
