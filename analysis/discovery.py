"""Scenario discovery: which ranges of the levers keep the response above a target (PRIM).

Uses the Patient Rule Induction Method of the EMA workbench
(``ema_workbench.analysis.prim``, Kwakkel 2017). PRIM peels the lever space
into a box; along its peeling trajectory, *coverage* is the share of all
cases of interest that fall in the box and *density* the share of cases in
the box that are of interest; each restricted limit has a quasi-p-value
(Bryant and Lempert 2010: a one-sided binomial test of whether the limit
raises density; small is significant). :func:`discover` picks, from that trajectory,
the box with the best balance of the two (their harmonic mean, as an F1
score), or, given ``min_density``, the box with the highest coverage among
those at least that dense.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.results import BASELINE, Response, Results
from sim.scenario import InputError

with warnings.catch_warnings():  # the workbench warns that its optional ipyparallel evaluator is unavailable
    warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
    from ema_workbench.analysis import prim


@dataclass(frozen=True)
class Box:
    """A box of lever ranges found by PRIM, with its statistics."""

    limits: pd.DataFrame  # index: lever; columns low, high, restricted, qp_low, qp_high
    coverage: float
    density: float
    mass: float  # share of all cases in the box
    cases: int  # cases in the box
    trajectory: pd.DataFrame  # the peeling trajectory: coverage, density, mass, res_dim, ...
    chosen: int  # the chosen box's row in the trajectory
    base_density: float  # share of all cases that are of interest

    def restricted(self) -> pd.DataFrame:
        """The limits of the levers the box restricts."""
        return self.limits[self.limits["restricted"]]


def discover(x: pd.DataFrame, interest, *, min_density: float | None = None, peel_alpha: float = 0.05,
             mass_min: float = 0.05) -> Box:
    """Run PRIM on cases ``x`` (one column per lever) with boolean ``interest``; return the chosen box."""
    interest = np.asarray(interest, dtype=bool)
    if not 0 < interest.sum() < len(interest):
        raise InputError(f"scenario discovery: {interest.sum()} of {len(interest)} cases are of interest; "
                         "choose a target that some but not all cases reach")
    x = x.astype(float).reset_index(drop=True)
    with warnings.catch_warnings():  # the workbench calls a pandas API that pandas 3 deprecates
        warnings.filterwarnings("ignore", message="The inplace keyword", module=r"ema_workbench\.")
        finder = prim.Prim(x, interest.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        found = finder.find_box()
    trajectory = found.peeling_trajectory.reset_index(drop=True)
    chosen = _choose(trajectory, min_density)
    lims = found.box_lims[chosen]
    initial = found.box_lims[0]
    limits = pd.DataFrame({
        "low": lims.iloc[0].to_numpy(dtype=float), "high": lims.iloc[1].to_numpy(dtype=float),
        "restricted": ~(np.isclose(lims.iloc[0], initial.iloc[0]) & np.isclose(lims.iloc[1], initial.iloc[1])),
    }, index=pd.Index(lims.columns, name="lever"))
    qp = found.p_values[chosen]  # per restricted lever: [lower, upper] quasi-p-value, -1 where not restricted
    for side, column in enumerate(("qp_low", "qp_high")):
        limits[column] = [qp[n][side] if n in qp and qp[n][side] >= 0 else np.nan for n in limits.index]
    row = trajectory.loc[chosen]
    return Box(limits, float(row["coverage"]), float(row["density"]), float(row["mass"]), int(row["n"]),
               trajectory, chosen, float(interest.mean()))


def _choose(trajectory: pd.DataFrame, min_density: float | None) -> int:
    coverage, density = trajectory["coverage"], trajectory["density"]
    if min_density is None:
        return int((2 * coverage * density / (coverage + density)).idxmax())
    dense = coverage[density >= min_density]
    return int(dense.idxmax() if len(dense) else density.idxmax())


def discover_levers(results: Results, response: Response, target: float, *, above: bool = True,
                    min_density: float | None = None) -> Box:
    """PRIM over a sweep's design points: a point is of interest when its mean response is above ``target``.

    The boxes bound the sampled factors (levers and assumptions). Replications
    (of the baseline contrast) are averaged first; a partial sweep uses the
    points it has.
    """
    runs = results.responses(response, contrast=BASELINE)
    means = runs.groupby("point")[[*results.factors, response.output]].mean()
    values = means[response.output]
    interest = values >= target if above else values <= target
    return discover(means[results.factors], interest, min_density=min_density)
