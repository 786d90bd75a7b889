"""History matching on a cheap synthetic simulator with a known answer, and the statistics targets compute."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from analysis.calibration import Target, match
from analysis.calibration.matching import implausibility, run_statistics

IDLE = [f"c{i}" for i in range(20)]  # assumptions that play no part in the simulator
PRIOR = {"a": (0.0, 1.0), "b": (0.0, 1.0), **{name: (0.0, 1.0) for name in IDLE}}
TRUTH = {"a": 0.3, "b": 0.6}
WEEKS = 20
NOISE = 0.02


def simulate(values: dict, replication: int, run_id: int) -> pd.DataFrame:
    """Weekly outputs of a toy simulator: sum = a + b, gap = a - b, num / den = 1 + a, each with noise."""
    rng = np.random.default_rng([replication, 7])  # common random numbers, as in a sweep
    noise = rng.normal(0, NOISE, size=(4, WEEKS))
    a, b = values["a"], values["b"]
    return pd.DataFrame({"run_id": run_id, "week": np.arange(1, WEEKS + 1),
                         "sum": a + b + noise[0], "gap": a - b + noise[1] + np.linspace(0, 0.1, WEEKS) * b,
                         "num": 1 + a + noise[2], "den": 1.0 + noise[3]})


def prior_sample(n: int, replications: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A Latin hypercube over PRIOR, run like a sweep: design (run_id, point, assumptions) and weekly runs."""
    unit = qmc.LatinHypercube(d=len(PRIOR), seed=11).random(n)
    design, runs = [], []
    for point, row in enumerate(unit):
        values = {name: low + u * (high - low) for u, (name, (low, high)) in zip(row, PRIOR.items(), strict=True)}
        for replication in range(replications):
            run_id = point * replications + replication
            design.append({"run_id": run_id, "point": point, "replication": replication, **values})
            runs.append(simulate(values, replication, run_id))
    return pd.DataFrame(design), pd.concat(runs, ignore_index=True)


def targets_from_truth(tolerance: float) -> tuple[Target, ...]:
    """Targets whose bands are the truth's own statistics (replication 0) plus or minus ``tolerance``."""
    shapes = [("sum_level", ("sum",), (11, 20), None), ("gap_trend", ("gap",), (11, 20), (1, 10)),
              ("gap_level", ("gap",), (1, 20), None), ("ratio", ("num", "den"), (1, 20), None)]
    truth_runs = simulate(TRUTH, 0, 0)
    targets = []
    for name, outputs, weeks, minus in shapes:
        probe = Target(name, outputs, weeks, (0.0, 1.0), minus)
        value = float(probe.statistic(truth_runs).iloc[0])
        targets.append(Target(name, outputs, weeks, (value - tolerance, value + tolerance), minus))
    return tuple(targets)


def test_known_assumption_vector_is_recovered_within_the_posterior():
    design, runs = prior_sample(n=1000, replications=2)
    result = match(targets_from_truth(0.1), PRIOR, 1.0, design, runs)
    spread = result.spread.set_index("assumption")
    assert 10 <= result.kept.sum() < 1000 * 0.1  # the targets rule out most of the prior, not all of it
    for name in ("a", "b"):
        assert spread.loc[name, "q05"] <= TRUTH[name] <= spread.loc[name, "q95"], name
        assert spread.loc[name, "identified"], name
        assert spread.loc[name, "interval_share"] < 0.3, name  # the 90 % interval is far narrower than the prior
    # They never enter the simulator. The false discovery rate is controlled at 5 % in expectation, so one of the
    # twenty may be flagged by chance (it is, with this seed: c18, q = 0.025); two would be a defect.
    assert spread.loc[IDLE, "identified"].sum() <= 1
    assert (spread.loc[IDLE, "interval_share"] > 0.6).all()
    posterior = result.posterior
    assert list(posterior.columns) == list(PRIOR)
    assert len(posterior) == result.kept.sum()


def test_every_kept_draw_meets_every_band_when_there_is_one_replication():
    design, runs = prior_sample(n=200, replications=1)
    targets = targets_from_truth(0.08)
    result = match(targets, PRIOR, 1.0, design, runs)
    assert result.kept.any() and not result.kept.all()
    for target in targets:
        means = result.points[target.name]
        inside = (means >= target.band[0]) & (means <= target.band[1])
        assert inside[result.kept].all(), target.name
    everywhere = pd.concat([(result.points[t.name] >= t.band[0]) & (result.points[t.name] <= t.band[1])
                            for t in targets], axis=1).all(axis=1)
    assert (everywhere == result.kept).all()  # with no replication noise, kept means inside every band


def test_statistics_follow_their_definitions():
    runs = pd.DataFrame({"run_id": [0] * 4 + [1] * 4, "week": [1, 2, 3, 4] * 2,
                         "x": [1.0, 2.0, 3.0, 4.0, 2.0, 2.0, 2.0, 2.0],
                         "y": [1.0, 1.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0]})
    window = Target("w", ("x",), (3, 4), (0, 1))
    difference = Target("d", ("x",), (3, 4), (0, 1), minus=(1, 2))
    ratio = Target("r", ("x", "y"), (1, 4), (0, 1))
    table = run_statistics(runs, (window, difference, ratio))
    assert table.loc[0].tolist() == [3.5, 3.5 - 1.5, 10.0 / 6.0]
    assert table.loc[1, "w"] == 2.0 and table.loc[1, "d"] == 0.0
    assert np.isnan(table.loc[1, "r"])  # a zero denominator gives no ratio, not an infinite one


def test_implausibility_widens_the_band_by_the_noise_of_the_mean():
    target = Target("t", ("x",), (1, 1), (0.0, 1.0))  # centre 0.5, half-width 0.5
    design = pd.DataFrame({"run_id": [0, 1, 2, 3], "point": [0, 0, 1, 1], "a": [0.1, 0.1, 0.9, 0.9]})
    values = pd.DataFrame({"t": [1.1, 1.1, 0.7, 1.5]}, index=pd.Index([0, 1, 2, 3], name="run_id"))
    table = implausibility(design, values, (target,), ["a"])
    assert table.loc[0, "implausibility"] == pytest.approx(0.6 / 0.5)  # no noise: outside the band, rejected
    noise = np.var([0.7, 1.5], ddof=1) / 2
    assert table.loc[1, "implausibility"] == pytest.approx(0.6 / np.sqrt(0.25 + noise))  # noisy: kept at 1
    assert table.loc[1, "implausibility"] < 1 < table.loc[0, "implausibility"]
    assert table["runs"].tolist() == [2, 2]


def test_a_draw_with_no_statistic_is_implausible():
    target = Target("r", ("x", "y"), (1, 1), (0.0, 10.0))
    design = pd.DataFrame({"run_id": [0], "point": [0], "a": [0.5]})
    values = pd.DataFrame({"r": [np.nan]}, index=pd.Index([0], name="run_id"))
    assert np.isinf(implausibility(design, values, (target,), ["a"]).loc[0, "implausibility"])


def test_no_kept_draw_gives_an_empty_posterior_with_the_assumption_columns():
    design, runs = prior_sample(n=20, replications=1)
    impossible = (Target("sum_level", ("sum",), (1, 20), (5.0, 6.0)),)
    result = match(impossible, PRIOR, 1.0, design, runs)
    assert not result.kept.any()
    assert list(result.posterior.columns) == list(PRIOR) and result.posterior.empty
