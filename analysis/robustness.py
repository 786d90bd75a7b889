"""Robustness of conclusions: how each contrast's effect varies over the assumption draws.

A sweep with ``[design.contrasts]`` runs every design point (one draw of the
assumptions, and of any varied levers) under every contrast with the same
seeds, so a contrast's effect at a point is paired: its response minus the
"baseline" contrast's, replication by replication, then averaged over the
replications. Over the draws, this module gives each effect's distribution
(median, 90 % range), the share of draws in which the contrast helps (with a
Wilson interval), how often the contrasts' ranking holds (the modal ranking,
and pairwise "A beats B in x % of draws"), and which assumptions each effect
hinges on: Sobol indices of each effect over the assumptions, with bootstrap
intervals: first-order indices from the draws as given (SALib's RBD-FAST) for
any sample, or first-order and total indices from a complete Saltelli design.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import rbd_fast as salib_rbd_fast
from scipy import stats

from analysis import sensitivity
from analysis.results import BASELINE, Response, Results
from sim.scenario import InputError

RANGE = 0.90  # the central range of an effect's distribution over the draws
RESAMPLES = 100  # bootstrap resamples of the hinge indices
HARMONICS = 6  # RBD-FAST's harmonics (fewer for very small samples)


@dataclass(frozen=True)
class Robustness:
    """A sweep's contrasts judged over its draws; the tables are described in :func:`robustness`."""

    effects: pd.DataFrame  # index: point (draw); one column per contrast: its paired effect
    draws: pd.DataFrame  # index: point; the varied factors (assumptions, levers) of each draw
    summary: pd.DataFrame  # one row per contrast
    pairwise: pd.DataFrame  # share of draws in which the row's contrast beats the column's
    modal_ranking: tuple[str, ...]
    modal_share: float  # share of draws ranking the contrasts exactly as the modal ranking
    hinges: pd.DataFrame | None  # one row per (contrast, factor): index and its interval half-width
    hinge_method: str  # "rbd-fast" (any sample) or "sobol" (a complete Saltelli design)


def paired_effects(responses: pd.DataFrame, output: str, contrasts: list[str]) -> pd.DataFrame:
    """Each contrast's effect per point: its response minus baseline's at the same replication, averaged.

    ``responses`` has one row per run (point, replication, contrast). Pairs with
    a missing partner are dropped; a point with no complete pair is left out.
    """
    table = responses.pivot_table(index=["point", "replication"], columns="contrast", values=output,
                                  aggfunc="mean")
    others = [c for c in contrasts if c != BASELINE and c in table.columns]
    if BASELINE not in table.columns or not others:
        raise InputError("robustness: needs runs of the baseline contrast and of at least one other")
    differences = table[others].sub(table[BASELINE], axis=0)
    return differences.groupby(level="point").mean().dropna(how="all").rename_axis(columns="contrast")


def summarise(effects: pd.DataFrame, *, spread: float = RANGE, level: float = 0.95) -> pd.DataFrame:
    """Per contrast: its effect's distribution over the draws and how often it helps.

    Columns: draws, mean, median, the central ``spread`` range (low, high),
    ``helps`` (share of draws with a positive effect) with its ``level`` Wilson
    interval (helps_low, helps_high), and ``best`` (share of draws in which it
    has the largest effect).
    """
    tail = (1 - spread) / 2
    best = effects.idxmax(axis=1).value_counts(normalize=True)
    rows = []
    for contrast in effects.columns:
        values = effects[contrast].dropna().to_numpy()
        helps = int((values > 0).sum())
        interval = stats.binomtest(helps, len(values)).proportion_ci(level, method="wilson")
        rows.append({"contrast": contrast, "draws": len(values), "mean": values.mean(),
                     "median": np.median(values), "low": np.quantile(values, tail),
                     "high": np.quantile(values, 1 - tail), "helps": helps / len(values),
                     "helps_low": interval.low, "helps_high": interval.high,
                     "best": float(best.get(contrast, 0.0))})
    return pd.DataFrame(rows).set_index("contrast")


def rankings(effects: pd.DataFrame) -> tuple[tuple[str, ...], float, pd.DataFrame]:
    """The modal ranking of the contrasts (best first), its share of the draws, and the pairwise table.

    ``pairwise.loc[a, b]`` is the share of draws in which ``a``'s effect is larger than ``b``'s.
    """
    complete = effects.dropna()
    if complete.empty:
        raise InputError("robustness: no draw has every contrast's effect")
    names = np.asarray(complete.columns)
    orders = [tuple(names[np.argsort(-row, kind="stable")]) for row in complete.to_numpy()]
    counts = pd.Series(orders).value_counts(sort=False)
    modal = min(counts.index, key=lambda order: (-counts[order], order))  # ties: the alphabetically first
    values = complete.to_numpy()
    beats = (values[:, :, None] > values[:, None, :]).mean(axis=0)
    pairwise = pd.DataFrame(beats, index=names, columns=names).rename_axis(index="contrast", columns="beats")
    return modal, float(counts[modal] / len(complete)), pairwise


def hinges_given_data(effects: pd.DataFrame, draws: pd.DataFrame, *, level: float = 0.95,
                      resamples: int = RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """First-order Sobol indices of each contrast's effect over the factors in ``draws``, from the draws as given.

    SALib's RBD-FAST estimator (Tarantola et al. 2006, with the bias correction
    of Tissot and Prieur 2012) works on any sample of independent draws (latin,
    morris, grid, ensembles). One row per (contrast, factor): ``index`` (the
    share of the effect's variance the factor explains alone; near 0, possibly
    slightly negative, when it does not matter), ``conf`` (half-width of the
    ``level`` bootstrap interval) and ``S1`` (the same index).
    """
    factors = [f for f in draws.columns if draws[f].nunique() > 1]
    harmonics = min(HARMONICS, (len(effects) - 1) // 2)
    if not factors or harmonics < 1:
        raise InputError(f"robustness: {len(effects)} draws over {len(factors)} varied factors; "
                         "hinge indices need at least 3 draws of at least one factor")
    x = draws.loc[effects.index, factors].to_numpy(dtype=float)
    problem = {"num_vars": len(factors), "names": factors,
               "bounds": [[float(x[:, i].min()), float(x[:, i].max())] for i in range(len(factors))]}
    frames = []
    for contrast in effects.columns:
        y = effects[contrast].to_numpy(dtype=float)
        result = salib_rbd_fast.analyze(problem, x, y, M=harmonics, num_resamples=resamples, conf_level=level,
                                        seed=seed)
        frames.append(pd.DataFrame({"contrast": contrast, "factor": factors, "index": result["S1"],
                                    "conf": result["S1_conf"], "S1": result["S1"]}))
    return pd.concat(frames, ignore_index=True)


def hinges_sobol(results: Results, effects: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Sobol indices (total ``index``, first-order ``S1``) of each contrast's effect over the sampled factors.

    Needs a complete Saltelli design (``results.method == "sobol"``); rows as in :func:`hinges_given_data`.
    """
    options = results.manifest.get("options", {})
    second = bool(options.get("calc_second_order", True))
    frames = []
    for contrast in effects.columns:
        table = sensitivity.sobol(results.problem, effects[contrast].sort_index().to_numpy(),
                                  calc_second_order=second, level=level, seed=results.manifest.get("seed", 0))
        frames.append(pd.DataFrame({"contrast": contrast, "factor": table.index, "index": table["ST"].to_numpy(),
                                    "conf": table["ST_conf"].to_numpy(), "S1": table["S1"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def robustness(results: Results, response: Response, *, level: float = 0.95) -> Robustness:
    """Judge every contrast of ``results`` over its draws (points); raises InputError without contrasts.

    A partial sweep uses the complete pairs it has and gets RBD-FAST indices
    (Saltelli's Sobol indices need every run).
    """
    if len(results.contrasts) < 2:
        raise InputError("robustness: the sweep has no [design.contrasts] to compare with the baseline")
    responses = results.responses(response)
    effects = paired_effects(responses, response.output, results.contrasts)
    factors = list(dict.fromkeys([*results.uncertain, *results.factors]))
    baseline = results.design[results.design["contrast"] == BASELINE]  # a contrast may set a varied lever
    draws = baseline.groupby("point", sort=True)[factors].first()
    modal, modal_share, pairwise = rankings(effects) if effects.shape[1] > 1 else ((effects.columns[0],), 1.0,
                                                                                   pd.DataFrame())
    sobol_ready = results.method == "sobol" and results.complete
    try:
        hinges = (hinges_sobol(results, effects, level=level) if sobol_ready else
                  hinges_given_data(effects, draws, level=level,
                                            seed=int(results.manifest.get("seed", 0)) % 2**32))
    except InputError:
        hinges = None
    return Robustness(effects, draws, summarise(effects, level=level), pairwise, modal, modal_share, hinges,
                      "sobol" if sobol_ready else "rbd-fast")


def hinge_table(hinges: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Indices as a factor x contrast table, factors ordered by their largest index (``top`` of them)."""
    table = hinges.pivot(index="factor", columns="contrast", values="index")
    order = table.max(axis=1).sort_values(ascending=False).index
    return table.loc[order[:top] if top else order]
