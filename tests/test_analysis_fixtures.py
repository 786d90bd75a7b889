"""Builders of results directories in the layout ``cfsim sweep`` writes, from real model runs or test functions.

Imported by the other test_analysis_* modules; the tests here check that the
builders keep to the layout the analysis reads.
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.sample import latin as latin_sample
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim import CustomerFocusModel
from sim.provenance import code_version
from sim.scenario import DEFAULTS, CustomerFocusScenario

from .helpers import SMALL

OUTPUTS = ["retention_rate", "customers_lost", "customer_focus_mean", "cross_silo_handoff_success_rate"]
ROOT_SEED = 11


def sample(method: str, problem: dict, **options) -> np.ndarray:
    """Design points in the sampler's order."""
    if method == "grid":
        return np.array(list(itertools.product(*options["values"])), dtype=float)
    if method == "latin":
        return latin_sample.sample(problem, options["samples"], seed=ROOT_SEED)
    if method == "sobol":
        return sobol_sample.sample(problem, options["samples"], calc_second_order=options["calc_second_order"],
                                   seed=ROOT_SEED)
    return morris_sample.sample(problem, options["samples"], num_levels=options["num_levels"], seed=ROOT_SEED)


def model_run(params: dict, seed: int, replication: int) -> pd.DataFrame:
    """One small model run's weekly outputs."""
    scenario = CustomerFocusScenario(replication=replication, seed=seed, **params)
    return CustomerFocusModel(scenario).run()[["week", *OUTPUTS]]


def write_results(directory: Path, method: str, problem: dict, *, replications: int, options: dict,
                  run=model_run, fixed: dict | None = None, all_parameters: dict | None = None) -> Path:
    """Sample, run every replication of every point with ``run(params, seed, replication)``, write the layout."""
    fixed = dict(SMALL if fixed is None else fixed)
    base = {**(DEFAULTS if all_parameters is None else all_parameters), **fixed, "seed": ROOT_SEED}
    points = sample(method, problem, **options)
    directory.mkdir(parents=True)
    (directory / "runs").mkdir()
    rows = []
    for point, values in enumerate(points):
        for replication in range(replications):
            params = {**base, **dict(zip(problem["names"], values.tolist(), strict=True))}
            rows.append({"run_id": point * replications + replication, "point": point,
                         "replication": replication, **params})
            weekly = run({k: v for k, v in params.items() if k != "seed"}, ROOT_SEED, replication)
            weekly.insert(0, "run_id", rows[-1]["run_id"])
            weekly.astype({"run_id": "int64", "week": "int64"}).to_parquet(
                directory / "runs" / f"run-{rows[-1]['run_id']:06d}.parquet", index=False)
    design = pd.DataFrame(rows)
    design = design[["run_id", "point", "replication", "seed", *[c for c in design if c not in
                                                                 ("run_id", "point", "replication", "seed")]]]
    design.astype({k: "int64" for k in ("run_id", "point", "replication", "seed")}).to_parquet(
        directory / "design.parquet", index=False)
    weeks = int(weekly["week"].max())
    manifest = {"format": 1, "sweep_hash": "test", "code_version": code_version(), "name": f"test {method}",
                "method": method,
                "problem": {"names": problem["names"], "bounds": problem["bounds"]},
                "options": {k: v for k, v in options.items() if k != "values"}, "scenario": "baseline",
                "fixed": fixed, "seed": ROOT_SEED, "replications": replications, "weeks": weeks,
                "outputs": [c for c in weekly.columns if c not in ("run_id", "week")], "record_every": 1,
                "n_points": len(points), "n_runs": len(points) * replications}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (directory / "sweep.toml").write_text(f'name = "test {method}"\n')
    return directory


LEVERS2 = {"num_vars": 2, "names": ["leadership_courage", "metric_alignment"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}


def grid_results(directory: Path, replications: int = 3) -> Path:
    """A 3 x 2 grid over courage and metric alignment, small model runs."""
    return write_results(directory, "grid", LEVERS2, replications=replications,
                         options={"values": [[0.0, 0.5, 1.0], [0.0, 1.0]]})


def test_builders_keep_to_the_layout(tmp_path):
    from analysis.results import load

    directory = grid_results(tmp_path / "grid", replications=2)
    design = pd.read_parquet(directory / "design.parquet")
    assert (design["run_id"] == design["point"] * 2 + design["replication"]).all()
    assert design.dtypes[["run_id", "point", "replication", "seed"]].eq("int64").all()
    assert {"n_employees", "transparency", "weeks"} <= set(design.columns)
    assert len(list((directory / "runs").glob("run-*.parquet"))) == 12
    results = load(directory)
    assert results.complete and results.levers == LEVERS2["names"]
    assert sorted(results.weekly["week"].unique()) == list(range(1, SMALL["weeks"] + 1))


def write_contrast_results(directory: Path, problem: dict, contrasts: list[str], response, *, uncertain: list[str],
                           replications: int = 2, samples: int = 64, weeks: int = 4) -> Path:
    """A latin sweep with contrasts in the shared layout, each run's weekly ``retention_rate`` constant at
    ``response(values, contrast, replication)`` (values: the point's factors by name)."""
    points = sample("latin", problem, samples=samples)
    directory.mkdir(parents=True)
    (directory / "runs").mkdir()
    rows, run_id = [], 0
    for point, values in enumerate(points):
        factors = dict(zip(problem["names"], values.tolist(), strict=True))
        for contrast in contrasts:
            for replication in range(replications):
                rows.append({"run_id": run_id, "point": point, "contrast": contrast, "replication": replication,
                             "seed": ROOT_SEED, **factors})
                value = response(factors, contrast, replication)
                pd.DataFrame({"run_id": run_id, "week": np.arange(1, weeks + 1), "retention_rate": value}).to_parquet(
                    directory / "runs" / f"run-{run_id:06d}.parquet", index=False)
                run_id += 1
    pd.DataFrame(rows).to_parquet(directory / "design.parquet", index=False)
    manifest = {"format": 1, "code_version": code_version(), "name": "test contrasts", "method": "latin",
                "problem": problem,
                "options": {"samples": samples}, "scenario": "baseline", "fixed": {}, "seed": ROOT_SEED,
                "replications": replications, "weeks": weeks, "outputs": ["retention_rate"], "record_every": 1,
                "n_points": len(points), "n_runs": run_id, "uncertain": uncertain,
                "levers": [n for n in problem["names"] if n not in uncertain], "contrasts": contrasts}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return directory
