"""History matching: which prior draws reproduce every pattern, and what that says about each assumption.

For draw x and target k, with the mean m of the statistic over the draw's
replications, its replication variance s² over n replications, and the band
[low, high] with centre c and half-width h, the implausibility is

    I_k(x) = |m - c| / sqrt(h² + s²/n)

(Craig et al. 1997; Vernon, Goldstein & Bower 2010). A draw is kept when
max_k I_k(x) <= cutoff: with cutoff 1 and no noise that is "inside every
band"; simulation noise widens the band by the uncertainty of the mean. The
kept draws are the calibrated set: the assumption vectors consistent with
every pattern at once (pattern-oriented modelling, Grimm et al. 2005).

Whether the targets pin an assumption down: if keeping a draw did not
depend on the assumption, its kept and rejected values would be two samples
of the same distribution. The two-sample Kolmogorov-Smirnov test (exact where
SciPy can) gives each assumption's p-value; the Benjamini-Hochberg procedure
controls the false discovery rate over all the assumptions tested, and an
adjusted p (q) of 0.05 or more means the targets leave the assumption
unidentified at this sample size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, ks_2samp

from analysis.calibration.targets import Target

IDENTIFIED_Q = 0.05  # false discovery rate over the assumptions


def run_statistics(runs: pd.DataFrame, targets: tuple[Target, ...]) -> pd.DataFrame:
    """One row per run (index run_id), one column per target: the target's statistic."""
    return pd.concat([target.statistic(runs) for target in targets], axis=1)


def implausibility(design: pd.DataFrame, statistics: pd.DataFrame, targets: tuple[Target, ...],
                   assumptions: list[str]) -> pd.DataFrame:
    """One row per prior draw: its assumptions, each target's mean and implausibility, the worst, and n runs.

    ``design`` has run_id, point and the assumption columns; ``statistics``
    is :func:`run_statistics` (only finished runs). A statistic that cannot be
    computed (a zero denominator) makes the draw implausible.
    """
    joined = design.set_index("run_id")[["point", *assumptions]].join(statistics, how="inner")
    grouped = joined.groupby("point")
    table = grouped[assumptions].first()
    table["runs"] = grouped.size()
    worst = pd.Series(0.0, index=table.index)
    for target in targets:
        mean = grouped[target.name].mean()
        noise = grouped[target.name].var(ddof=1).fillna(0.0) / table["runs"]
        low, high = target.band
        centre, half = (low + high) / 2, (high - low) / 2
        score = (mean - centre).abs() / np.sqrt(half**2 + noise)
        score = score.fillna(np.inf)
        table[target.name] = mean
        table[f"implausibility_{target.name}"] = score
        worst = np.maximum(worst, score)
    table["implausibility"] = worst
    return table


def accept(table: pd.DataFrame, cutoff: float) -> pd.Series:
    """Which draws are consistent with every target."""
    return table["implausibility"] <= cutoff


def spread(table: pd.DataFrame, kept: pd.Series, prior: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per assumption: prior range, the calibrated set's spread, and whether the targets constrain it."""
    n_kept = int(kept.sum())
    inside = kept.to_numpy()
    rows = []
    for name, (low, high) in prior.items():
        values = table[name].to_numpy(dtype=float)
        posterior, rejected = values[inside], values[~inside]
        row = {"assumption": name, "prior_low": low, "prior_high": high, "kept": n_kept}
        if n_kept:
            q05, q50, q95 = np.quantile(posterior, [0.05, 0.5, 0.95])
            p = ks_2samp(posterior, rejected).pvalue if len(rejected) else 1.0
            row |= {"mean": posterior.mean(), "sd": posterior.std(ddof=1) if n_kept > 1 else np.nan,
                    "q05": q05, "median": q50, "q95": q95, "min": posterior.min(), "max": posterior.max(),
                    "interval_share": (q95 - q05) / (high - low), "p_value": p}
        rows.append(row)
    frame = pd.DataFrame(rows)
    if n_kept:
        frame["q_value"] = false_discovery_control(frame["p_value"].to_numpy(), method="bh")
        frame["identified"] = frame["q_value"] < IDENTIFIED_Q
    return frame
