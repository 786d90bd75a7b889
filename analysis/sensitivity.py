"""Sobol and Morris sensitivity indices with confidence intervals (SALib).

The functions take plain arrays in the sampler's row order, so any model
(or a test function) can be analysed; :func:`analyse` does it for a sweep,
averaging each design point's replications first, so the indices describe
the expected response and replication noise does not count as sensitivity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol

from analysis.results import BASELINE, Response, Results
from sim.scenario import InputError

RESAMPLES = 1000  # bootstrap resamples for the confidence intervals


def sobol(problem: dict, y, *, calc_second_order: bool = True, level: float = 0.95,
          resamples: int = RESAMPLES, seed: int | None = 0) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of ``y``, one row per parameter.

    ``y`` is in the row order of ``SALib.sample.sobol.sample(problem, N,
    calc_second_order=...)``. The ``*_conf`` columns are half-widths of the
    ``level`` bootstrap intervals. Second-order indices are in
    ``table.attrs["S2"]`` (a parameter x parameter frame) when computed.
    """
    y = np.asarray(y, dtype=float)
    if np.isnan(y).any():
        raise InputError("Sobol indices: the response has missing values (NaN)")
    result = salib_sobol.analyze(problem, y, calc_second_order=calc_second_order, num_resamples=resamples,
                                 conf_level=level, seed=seed)
    table = pd.DataFrame({key: result[key] for key in ("S1", "S1_conf", "ST", "ST_conf")},
                         index=pd.Index(problem["names"], name="parameter"))
    if calc_second_order:
        table.attrs["S2"] = pd.DataFrame(result["S2"], index=problem["names"], columns=problem["names"])
        table.attrs["S2_conf"] = pd.DataFrame(result["S2_conf"], index=problem["names"], columns=problem["names"])
    return table


def morris(problem: dict, x, y, *, num_levels: int = 4, level: float = 0.95, resamples: int = RESAMPLES,
           seed: int | None = 0) -> pd.DataFrame:
    """Morris elementary-effects statistics of ``y``, one row per parameter.

    ``x`` and ``y`` are in the row order of ``SALib.sample.morris.sample``.
    ``mu_star`` (mean absolute effect, in units of the response per full range
    of the parameter) ranks importance; ``sigma`` large relative to it flags
    interactions or non-linearity; ``mu_star_conf`` is the half-width of the
    ``level`` bootstrap interval of ``mu_star``.
    """
    y = np.asarray(y, dtype=float)
    if np.isnan(y).any():
        raise InputError("Morris indices: the response has missing values (NaN)")
    result = salib_morris.analyze(problem, np.asarray(x, dtype=float), y, num_resamples=resamples,
                                  conf_level=level, num_levels=num_levels, seed=seed)
    return pd.DataFrame({key: np.asarray(result[key], dtype=float) for key in ("mu", "mu_star", "mu_star_conf",
                                                                               "sigma")},
                        index=pd.Index(problem["names"], name="parameter"))


def point_means(results: Results, response: Response) -> pd.DataFrame:
    """Design points in the sampler's order: the sampled factors and the baseline's mean response over replications.

    Raises InputError when runs are missing: indices need every design point.
    """
    if not results.complete:
        raise InputError(f"sensitivity analysis needs every run: {len(results.present)} of {results.n_runs} "
                         f"present; finish the sweep (re-run cfsim sweep with the same --out) first")
    responses = results.responses(response, contrast=BASELINE)
    return responses.groupby("point", sort=True).agg({**dict.fromkeys(results.factors, "first"),
                                                      response.output: "mean"})


def analyse(results: Results, response: Response, level: float = 0.95) -> pd.DataFrame | None:
    """Indices that fit the sweep's method (Sobol or Morris); None for grid and latin designs."""
    if results.method not in ("sobol", "morris"):
        return None
    means = point_means(results, response)
    options = results.manifest.get("options", {})
    seed = results.manifest.get("seed", 0)
    if results.method == "sobol":
        return sobol(results.problem, means[response.output], level=level, seed=seed,
                     calc_second_order=bool(options.get("calc_second_order", True)))
    return morris(results.problem, means[results.factors], means[response.output], level=level, seed=seed,
                  num_levels=int(options.get("num_levels", 4)))


def ranking(table: pd.DataFrame) -> list[str]:
    """Parameters from most to least influential (by ST for Sobol, mu_star for Morris)."""
    key = "ST" if "ST" in table.columns else "mu_star"
    return list(table[key].sort_values(ascending=False).index)
