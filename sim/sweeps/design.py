"""The frozen design: design points from SALib's samplers, runs and their seeds.

Seeds (common random numbers): every run is built with the sweep's root seed
and its replication number, so its random streams come from
``SeedSequence(root, spawn_key=(replication,))`` -- exactly as
``cfsim run --seed ROOT --replications R`` would run it. Replication r of
every design point therefore sees the same random numbers, which sharpens the
comparison between design points (the differences come from the parameters,
not the noise). A run's seed depends only on its replication number, never on
which worker runs it or when.

The samplers (Latin hypercube, Sobol, Morris) are seeded from the same root:
``SeedSequence(root, spawn_key=(DESIGN_KEY,))``, a stream no replication uses.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from SALib.sample import latin, morris, sobol

from sim.scenario import PARAMETERS, check_value
from sim.sweeps.sweep_file import Sweep

DESIGN_KEY = 2**31  # spawn key of the sampler's stream; replications use 0..MAX_REPLICATIONS-1


def sampler_seed(root: int) -> int:
    """The seed handed to SALib's sampler, derived from the sweep's root seed."""
    return int(np.random.SeedSequence(root, spawn_key=(DESIGN_KEY,)).generate_state(1, dtype=np.uint32)[0])


def problem(sweep: Sweep) -> dict:
    """SALib's problem dictionary of the varied parameters."""
    return {"num_vars": len(sweep.vary), "names": sweep.names, "bounds": [list(map(float, b)) for b in sweep.bounds]}


def sample(sweep: Sweep) -> np.ndarray:
    """The raw design matrix, one row per design point, in the sampler's order (floats, unrounded)."""
    if sweep.method == "grid":
        return np.array(list(itertools.product(*sweep.vary.values())), dtype=float)
    seed = sampler_seed(sweep.seed)
    n = sweep.options["samples"]
    if sweep.method == "latin":
        return latin.sample(problem(sweep), n, seed=seed)
    if sweep.method == "sobol":
        return sobol.sample(problem(sweep), n, calc_second_order=sweep.options["calc_second_order"], seed=seed)
    return morris.sample(problem(sweep), n, num_levels=sweep.options["num_levels"], seed=seed)


def points(sweep: Sweep) -> list[dict]:
    """The design points as typed parameter values: integer parameters rounded, everything validated."""
    where = f"{sweep.path}: design point "
    rows = []
    for values in sample(sweep):
        row = {}
        for name, value in zip(sweep.names, values, strict=True):
            if PARAMETERS[name][0] is int:
                value = round(float(value))
            row[name] = check_value(name, value, where)
        rows.append(row)
    return rows


def design_frame(sweep: Sweep) -> pd.DataFrame:
    """One row per run, sorted by run_id = point * replications + replication.

    Columns: run_id, point, replication, seed, then every other model
    parameter (the full resolved set, varied or not).
    """
    design_points = points(sweep)
    replications = sweep.replications
    rows = []
    for point, values in enumerate(design_points):
        params = {**sweep.base_parameters, **values}
        for replication in range(replications):
            rows.append({"run_id": point * replications + replication, "point": point,
                         "replication": replication, "seed": params["seed"],
                         **{name: params[name] for name in PARAMETERS if name != "seed"}})
    frame = pd.DataFrame(rows, columns=design_columns())
    for name in frame.columns:
        kind = PARAMETERS.get(name, (int, None))[0]
        frame[name] = frame[name].astype("int64" if kind is int else "float64")
    return frame


def design_columns() -> list[str]:
    """The columns of design.parquet, in order."""
    return ["run_id", "point", "replication", "seed", *(name for name in PARAMETERS if name != "seed")]


def run_parameters(row: dict) -> tuple[int, dict]:
    """(replication, model parameters) of one row of the design."""
    params = {name: row[name] for name in PARAMETERS}
    for name, value in params.items():
        params[name] = PARAMETERS[name][0](value)
    return int(row["replication"]), params
