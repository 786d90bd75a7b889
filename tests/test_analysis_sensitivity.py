"""Sensitivity indices against known answers: Ishigami (Sobol), a linear function (Morris), and a sweep's averaging."""

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from analysis import sensitivity
from analysis.results import Response, load
from sim.scenario import InputError

from .test_analysis_fixtures import ROOT_SEED, write_results

PI = np.pi
ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a=7.0, b=0.1):
    """Closed-form first-order and total indices (Ishigami and Homma 1990)."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def test_ishigami_closed_form_is_the_published_one():
    s1, st = ishigami_indices()
    assert s1 == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-4)
    assert st == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)


@pytest.mark.parametrize("second_order", [True, False])
def test_sobol_indices_of_ishigami_match_the_closed_form(second_order):
    # N = 4096 base samples; at this N the estimates lie within 0.03 of the closed form
    x = sobol_sample.sample(ISHIGAMI, 4096, calc_second_order=second_order, seed=3)
    table = sensitivity.sobol(ISHIGAMI, ishigami(x), calc_second_order=second_order, seed=3, resamples=200)
    s1, st = ishigami_indices()
    assert table["S1"].to_numpy() == pytest.approx(s1, abs=0.03)
    assert table["ST"].to_numpy() == pytest.approx(st, abs=0.03)
    assert (table[["S1_conf", "ST_conf"]] > 0).all().all()
    assert (table[["S1_conf", "ST_conf"]] < 0.1).all().all()
    assert sensitivity.ranking(table) == ["x1", "x2", "x3"]
    if second_order:  # the only interaction is x1 with x3: S13 = v13 / total
        s13 = st[2]
        assert table.attrs["S2"].loc["x1", "x3"] == pytest.approx(s13, abs=0.06)
        assert abs(table.attrs["S2"].loc["x1", "x2"]) < 0.06


def test_sobol_confidence_intervals_shrink_with_more_samples():
    widths = []
    for n in (256, 4096):
        x = sobol_sample.sample(ISHIGAMI, n, calc_second_order=False, seed=5)
        widths.append(sensitivity.sobol(ISHIGAMI, ishigami(x), calc_second_order=False, resamples=200)["ST_conf"])
    assert (widths[1] < widths[0]).all()


def test_morris_mu_star_of_a_linear_function_is_its_coefficient_times_the_range():
    problem = {"num_vars": 4, "names": ["a", "b", "c", "d"], "bounds": [[0, 1], [0, 2], [-1, 1], [10, 20]]}
    coef = np.array([3.0, -1.0, 0.5, 0.0])
    x = morris_sample.sample(problem, 20, num_levels=4, seed=1)
    table = sensitivity.morris(problem, x, x @ coef, num_levels=4, seed=1)
    ranges = np.ptp(np.array(problem["bounds"], dtype=float), axis=1)
    assert table["mu_star"].to_numpy() == pytest.approx(np.abs(coef) * ranges, abs=1e-9)
    assert table["mu"].to_numpy() == pytest.approx(coef * ranges, abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx(0.0, abs=1e-9)  # a linear function has no spread of effects
    assert sensitivity.ranking(table)[:3] == ["a", "b", "c"]  # |coef| * range: 3, 2, 1, 0


def test_morris_sigma_flags_an_interaction():
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x = morris_sample.sample(problem, 30, num_levels=4, seed=2)
    table = sensitivity.morris(problem, x, x[:, 0] * x[:, 1] + x[:, 2])
    assert table.loc["a", "sigma"] > 0.1 and table.loc["b", "sigma"] > 0.1
    assert table.loc["c", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["c", "mu_star"] == pytest.approx(1.0)


def offset(params, replication):
    """Replication noise that cancels exactly in the mean of replications 0 and 1, and differs between points."""
    size = np.random.default_rng(abs(hash(tuple(params.values()))) % 2**32).uniform(2.0, 6.0)
    return size if replication == 0 else -size


def ishigami_run(params, seed, replication):
    """A 'run' whose only week is Ishigami at the point plus replication noise."""
    x = np.array([[params["x1"], params["x2"], params["x3"]]])
    return pd.DataFrame({"week": [1], "retention_rate": ishigami(x) + offset(params, replication)})


@pytest.fixture(scope="module")
def ishigami_sweep(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ishigami") / "sweep"
    return write_results(directory, "sobol", ISHIGAMI, replications=2, run=ishigami_run, fixed={},
                         all_parameters={}, options={"samples": 32, "calc_second_order": False})


def test_a_sobol_sweep_averages_replications_in_the_samplers_order(ishigami_sweep):
    results = load(ishigami_sweep)
    table = sensitivity.analyse(results, Response("retention_rate"))
    x = sobol_sample.sample(ISHIGAMI, 32, calc_second_order=False, seed=ROOT_SEED)
    direct = sensitivity.sobol(ISHIGAMI, ishigami(x), calc_second_order=False, seed=ROOT_SEED)
    pd.testing.assert_frame_equal(table, direct, atol=1e-9)
    one_replication = results.responses("retention_rate").query("replication == 0")["retention_rate"]
    noisy = sensitivity.sobol(ISHIGAMI, one_replication.to_numpy(), calc_second_order=False)
    difference = np.abs(noisy[["S1", "ST"]] - direct[["S1", "ST"]]).to_numpy().sum()
    assert difference > 0.2  # the noise is large: without averaging the indices would be far off


def test_a_morris_sweep_averages_replications_in_the_samplers_order(tmp_path):
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1], [0, 2], [0, 4]]}
    coef = np.array([1.0, -3.0, 0.25])

    def linear_run(params, seed, replication):
        value = np.array([params["x1"], params["x2"], params["x3"]]) @ coef + offset(params, replication)
        return pd.DataFrame({"week": [1, 2], "retention_rate": [np.nan, value]})

    directory = write_results(tmp_path / "morris", "morris", problem, replications=2, run=linear_run, fixed={},
                              all_parameters={}, options={"samples": 6, "num_levels": 4})
    table = sensitivity.analyse(load(directory), Response("retention_rate", last_weeks=1))
    assert table["mu_star"].to_numpy() == pytest.approx(np.abs(coef) * [1, 2, 4], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx(0.0, abs=1e-9)


def test_sensitivity_refuses_a_partial_sweep(ishigami_sweep, tmp_path):
    import shutil

    partial = shutil.copytree(ishigami_sweep, tmp_path / "partial")
    for run_file in sorted((partial / "runs").glob("run-*.parquet"))[-5:]:
        run_file.unlink()
    results = load(partial)
    assert not results.complete
    with pytest.raises(InputError, match=r"needs every run: \d+ of \d+ present"):
        sensitivity.analyse(results, Response())


def test_grid_and_latin_sweeps_have_no_indices(tmp_path):
    problem = {"num_vars": 1, "names": ["x1"], "bounds": [[0, 1]]}
    flat = write_results(tmp_path / "grid", "grid", problem, replications=1, fixed={}, all_parameters={},
                         run=lambda p, s, r: pd.DataFrame({"week": [1], "retention_rate": [p["x1"]]}),
                         options={"values": [[0.0, 1.0]]})
    assert sensitivity.analyse(load(flat), Response()) is None
