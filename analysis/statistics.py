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


def variance_shares(responses: pd.DataFrame, output: str) -> dict[str, float]:
    """Shares of the variance of ``output`` across runs, from the variance components of an ANOVA.

    ``within``: replication noise (the variance within design points) over the
    total; ``stream``: the part of it shared by all runs of the same
    replication, which uses the same random stream at every point (common
    random numbers), so a paired comparison of points removes it. With every
    point at every replication, the two-way components (point, stream,
    residual) are used, else one-way ones (point, residual; ``stream`` NaN).
    Negative component estimates count as 0, so each share lies in [0, 1].
    NaN when undefined (no replications, no variance).
    """
    frame = responses[["point", "replication", output]].dropna()
    table = frame.pivot_table(index="point", columns="replication", values=output, aggfunc="mean")
    k, r = table.shape
    undefined = {"within": float("nan"), "stream": float("nan")}
    if frame.groupby("point")[output].count().max() < 2 or k < 2:
        return undefined
    y = frame[output].to_numpy(dtype=float)
    total_ss = float(((y - y.mean()) ** 2).sum())
    if not table.isna().to_numpy().any() and len(frame) == k * r:
        values = table.to_numpy(dtype=float)
        grand = values.mean()
        ss_point = r * ((values.mean(axis=1) - grand) ** 2).sum()
        ss_stream = k * ((values.mean(axis=0) - grand) ** 2).sum()
        ms_residual = (total_ss - ss_point - ss_stream) / ((k - 1) * (r - 1))
        point = max(0.0, (ss_point / (k - 1) - ms_residual) / r)
        stream = max(0.0, (ss_stream / (r - 1) - ms_residual) / k)
        total = point + stream + ms_residual
        return undefined if total <= 0 else {"within": (stream + ms_residual) / total, "stream": stream / total}
    counts = frame.groupby("point")[output].count().to_numpy()
    means = frame.groupby("point")[output].transform("mean").to_numpy()
    ms_within = float(((y - means) ** 2).sum()) / (len(y) - k)
    ms_between = (total_ss - ms_within * (len(y) - k)) / (k - 1)
    n0 = (len(y) - (counts ** 2).sum() / len(y)) / (k - 1)
    between = max(0.0, (ms_between - ms_within) / n0)
    total = between + ms_within
    return undefined if total <= 0 else {"within": ms_within / total, "stream": float("nan")}


def paired_differences(responses: pd.DataFrame, output: str, reference, level: float = 0.95) -> pd.DataFrame:
    """Each point's difference from point ``reference``, paired by replication (the same random stream).

    One row per point: ``diff`` (mean of the paired differences), its ``level``
    t-interval (``diff_low``, ``diff_high``), ``pairs`` and ``p_value`` (paired
    two-sided t-test); NaN with fewer than two pairs.
    """
    table = responses.pivot_table(index="replication", columns="point", values=output, aggfunc="mean")
    diffs = table.sub(table[reference], axis=0)
    rows = []
    for point in diffs.columns:
        values = diffs[point].dropna().to_numpy()
        mean, low, high = t_interval(values, level)
        p_value = stats.ttest_1samp(values, 0.0).pvalue if len(values) > 1 and values.std() > 0 else np.nan
        rows.append({"point": point, "diff": mean, "diff_low": low, "diff_high": high, "pairs": len(values),
                     "p_value": float(p_value)})
    return pd.DataFrame(rows)


def main_effect_share(responses: pd.DataFrame, output: str, lever: str, bins: int = 10) -> float:
    """The share of the variance of ``output`` explained by ``lever`` alone (its binned conditional means).

    A rough first-order index for any design (a correlation ratio); used to rank levers without Sobol or Morris.
    """
    frame = responses[[lever, output]].dropna()
    groups = pd.qcut(frame[lever], bins, labels=False, duplicates="drop") if frame[lever].nunique() > bins \
        else frame[lever]
    total = frame[output].var(ddof=0)
    if not total > 0:
        return 0.0
    return float(frame.groupby(groups)[output].transform("mean").var(ddof=0) / total)


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
