"""The frozen design: samplers against known answers, integer rounding, the seed scheme."""

import itertools

import numpy as np
import pytest
from SALib.sample import sobol

from sim.model import CustomerFocusModel
from sim.scenario import PARAMETERS, CustomerFocusScenario
from sim.sweeps import load_sweep_file
from sim.sweeps.design import design_frame, plan, problem, sample, sampler_seed

from .test_sweep_file import GRID, write_sweep

FIVE = """\
seed = {seed}
replications = {replications}
weeks = 8

[design]
method = "{method}"
{options}

[design.vary]
leadership_courage = [0.0, 1.0]
transparency = [0.2, 0.6]
metric_alignment = [0.0, 1.0]
n_employees = [30, 300]
silo_strength = [0.1, 0.9]
"""


def sampled(tmp_path, method, options, seed=3, replications=1):
    text = FIVE.format(method=method, options=options, seed=seed, replications=replications)
    return load_sweep_file(write_sweep(tmp_path, text))


def test_grid_is_the_full_factorial_in_file_order(tmp_path):
    text = GRID.replace("leadership_courage = [0.1, 0.5]", "leadership_courage = [0.1, 0.5, 0.9]")
    sweep = load_sweep_file(write_sweep(tmp_path, text))
    design = design_frame(sweep)
    expected = list(itertools.product([0.2, 0.8], [0.1, 0.5, 0.9]))
    points = design[design["replication"] == 0][["transparency", "leadership_courage"]]
    assert [tuple(row) for row in points.itertuples(index=False)] == expected


def test_design_columns_and_run_ids(tmp_path):
    sweep = load_sweep_file(write_sweep(tmp_path, GRID))
    design = design_frame(sweep)
    assert list(design.columns) == ["run_id", "point", "contrast", "replication", "seed",
                                    *(n for n in PARAMETERS if n != "seed")]
    assert (design["contrast"] == "baseline").all()
    assert design["run_id"].tolist() == list(range(8))
    assert (design["run_id"] == design["point"] * 2 + design["replication"]).all()
    assert (design["seed"] == 9).all() and (design["weeks"] == 8).all() and (design["n_employees"] == 60).all()
    for name, (kind, _) in PARAMETERS.items():
        assert design[name].dtype == (np.int64 if kind is int else np.float64), name


def test_latin_hypercube_has_one_point_per_stratum(tmp_path):
    n = 20
    sweep = sampled(tmp_path, "latin", f"samples = {n}")
    raw = sample(sweep)
    assert raw.shape == (n, 5)
    for column, (low, high) in zip(raw.T, problem(sweep)["bounds"], strict=True):
        strata = np.floor((column - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))


@pytest.mark.parametrize(("second", "rows"), [(True, 8 * (2 * 5 + 2)), (False, 8 * (5 + 2))])
def test_saltelli_row_count_and_bounds(tmp_path, second, rows):
    sweep = sampled(tmp_path, "sobol", f"samples = 8\ncalc_second_order = {str(second).lower()}")
    design = design_frame(sweep)
    assert len(design) == rows
    for name, (low, high) in zip(sweep.names, sweep.bounds, strict=True):
        assert design[name].between(low, high).all()
    # the same matrix SALib gives for the derived seed, integers rounded
    expected = sobol.sample(problem(sweep), 8, calc_second_order=second, seed=sampler_seed(3))
    assert np.array_equal(design["transparency"].to_numpy(), expected[:, 1])
    assert np.array_equal(design["n_employees"].to_numpy(), np.round(expected[:, 3]).astype(np.int64))


def test_morris_trajectories_move_one_parameter_at_a_time(tmp_path):
    trajectories, levels = 6, 4
    sweep = sampled(tmp_path, "morris", f"samples = {trajectories}\nnum_levels = {levels}")
    raw = sample(sweep)
    d = 5
    assert raw.shape == (trajectories * (d + 1), d)
    bounds = np.array(sweep.bounds, dtype=float)
    unit = (raw - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    delta = levels / (2 * (levels - 1))
    for t in range(trajectories):
        steps = np.diff(unit[t * (d + 1):(t + 1) * (d + 1)], axis=0)
        moved = np.abs(steps) > 1e-12
        assert (moved.sum(axis=1) == 1).all()              # one parameter per step
        assert sorted(np.nonzero(moved)[1]) == list(range(d))  # each parameter once
        assert np.allclose(np.abs(steps[moved]), delta)
    grid = unit * (levels - 1)
    assert np.allclose(grid, np.round(grid))  # on the p-level grid


def test_sampled_integer_parameters_are_rounded_and_in_range(tmp_path):
    design = design_frame(sampled(tmp_path, "latin", "samples = 50"))
    assert design["n_employees"].dtype == np.int64
    assert design["n_employees"].between(30, 300).all()
    assert design["n_employees"].nunique() > 10


def test_design_depends_on_the_root_seed_only(tmp_path):
    a = design_frame(sampled(tmp_path, "latin", "samples = 10", seed=3))
    b = design_frame(sampled(tmp_path, "latin", "samples = 10", seed=3))
    c = design_frame(sampled(tmp_path, "latin", "samples = 10", seed=4))
    assert a.equals(b)
    assert not np.allclose(a["transparency"], c["transparency"])


def test_seeds_are_common_random_numbers_whatever_the_order(tmp_path):
    """Replication r of every point gets SeedSequence(root, (r,)): a run rebuilt in any order is the same run."""
    sweep = sampled(tmp_path, "latin", "samples = 3", seed=77, replications=2)
    design = design_frame(sweep)
    assert (design["seed"] == 77).all()
    assert (design["replication"] == design["run_id"] % 2).all()
    _, runs = plan(sweep)

    def rebuild(run_id):
        run = runs[run_id]
        return CustomerFocusScenario(replication=run.replication, interventions=run.interventions,
                                     assumptions=run.assumptions, **{**run.parameters, "n_employees": 60})

    frames = {run_id: CustomerFocusModel(rebuild(run_id)).run() for run_id in (5, 0, 3)}  # any order, fresh
    assert frames[3].equals(CustomerFocusModel(rebuild(3)).run())
    # the stream is the model's own seed/replication scheme
    scenario = rebuild(1)
    assert scenario.rng.entropy == 77 and scenario.rng.spawn_key == (1,)
