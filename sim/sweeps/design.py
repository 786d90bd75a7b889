"""The frozen design: design points from SALib's samplers, runs and their seeds.

A design point sets the varied levers (parameters and intervention fields)
and the varied assumptions; every point runs under every contrast, and each
(point, contrast) ``replications`` times. Run ids count replications
fastest, then contrasts, then points:
``run_id = (point * n_contrasts + contrast) * replications + replication``.

Seeds (common random numbers): every run is built with the sweep's root seed
and its replication number, so its random streams come from
``SeedSequence(root, spawn_key=(replication,))`` -- exactly as
``cfsim run --seed ROOT --replications R`` would run it. Replication r of
every design point and every contrast therefore sees the same random
numbers, which sharpens the comparison between them (the differences come
from the parameters, not the noise). A run's seed depends only on its
replication number, never on which worker runs it or when.

The samplers (Latin hypercube, Sobol, Morris) are seeded from the same root:
``SeedSequence(root, spawn_key=(DESIGN_KEY,))``, a stream no replication uses.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import latin, morris, sobol

from sim.assumptions import ASSUMPTIONS, check_assumption
from sim.scenario import PARAMETERS, Intervention, check_value
from sim.sweeps.contrasts import intervention_value, is_intervention_key, timeline
from sim.sweeps.sweep_file import Sweep

DESIGN_KEY = 2**31  # spawn key of the sampler's stream; replications use 0..MAX_REPLICATIONS-1
KEYS = ("run_id", "point", "contrast", "replication", "seed")


@dataclass(frozen=True)
class Run:
    """Everything a worker needs to make one run."""

    run_id: int
    replication: int
    parameters: dict[str, Any]
    interventions: tuple[Intervention, ...]
    assumptions: dict[str, Any]


def sampler_seed(root: int) -> int:
    """The seed handed to SALib's sampler, derived from the sweep's root seed."""
    return int(np.random.SeedSequence(root, spawn_key=(DESIGN_KEY,)).generate_state(1, dtype=np.uint32)[0])


def problem(sweep: Sweep) -> dict:
    """SALib's problem dictionary of the varied factors (levers, then assumptions)."""
    return {"num_vars": len(sweep.names), "names": sweep.names,
            "bounds": [list(map(float, b)) for b in sweep.bounds]}


def sample(sweep: Sweep) -> np.ndarray:
    """The raw design matrix, one row per design point, in the sampler's order (floats, unrounded)."""
    if sweep.method == "grid":
        grid = list(itertools.product(*sweep.vary.values(), *sweep.uncertain.values()))
        if sweep.ensemble:
            grid = [(*values, *row) for values in grid for row in sweep.ensemble.rows]
        return np.array(grid, dtype=float).reshape(len(grid), len(sweep.names))
    seed = sampler_seed(sweep.seed)
    n = sweep.options["samples"]
    if sweep.method == "latin":
        return latin.sample(problem(sweep), n, seed=seed)
    if sweep.method == "sobol":
        return sobol.sample(problem(sweep), n, calc_second_order=sweep.options["calc_second_order"], seed=seed)
    return morris.sample(problem(sweep), n, num_levels=sweep.options["num_levels"], seed=seed)


def points(sweep: Sweep) -> list[dict[str, Any]]:
    """The design points as typed values by factor name: whole numbers rounded, everything validated."""
    where = f"{sweep.path}: design point "
    base = sweep.base.interventions
    rows = []
    for values in sample(sweep):
        row = {}
        for name, value in zip(sweep.names, values, strict=True):
            value = float(value)
            if is_intervention_key(name):
                row[name] = intervention_value(name, round(value) if name.endswith(".week") else value,
                                               base, sweep.weeks, where)
            elif name in PARAMETERS:
                row[name] = check_value(name, round(value) if PARAMETERS[name][0] is int else value, where)
            else:
                row[name] = check_assumption(name, round(value) if ASSUMPTIONS[name].integer else value, where)
        rows.append(row)
    return rows


def plan(sweep: Sweep) -> tuple[pd.DataFrame, list[Run]]:
    """The design (one row per run, sorted by run_id) and the runs, every timeline checked.

    Columns: run_id, point, contrast, replication, seed, every model
    parameter (the resolved values of the run), the varied intervention
    fields, then the varied assumptions.
    """
    contrasts = sweep.contrasts
    rows, runs = [], []
    for point, values in enumerate(points(sweep)):
        moves = {k: v for k, v in values.items() if is_intervention_key(k)}
        assumptions = {**sweep.base.assumptions, **{k: values[k] for k in sweep.assumption_names}}
        for c, (name, contrast) in enumerate(contrasts.items()):
            params = {**sweep.base_parameters, **{k: v for k, v in values.items() if k in PARAMETERS},
                      **contrast.parameters}
            where = f"{sweep.path}: design point {point}, contrast {name}: "
            interventions = timeline(sweep.base.interventions, moves, contrast, where)
            for replication in range(sweep.replications):
                run_id = (point * len(contrasts) + c) * sweep.replications + replication
                rows.append({"run_id": run_id, "point": point, "contrast": name, "replication": replication,
                             "seed": params["seed"], **{n: params[n] for n in PARAMETERS if n != "seed"},
                             **{n: values[n] for n in sweep.names}})
                runs.append(Run(run_id, replication, params, interventions, assumptions))
    frame = pd.DataFrame(rows, columns=design_columns(sweep))
    for name in frame.columns:
        frame[name] = frame[name].astype(column_type(name))
    return frame, runs


def design_frame(sweep: Sweep) -> pd.DataFrame:
    """The design alone (see :func:`plan`)."""
    return plan(sweep)[0]


def design_columns(sweep: Sweep) -> list[str]:
    """The columns of design.parquet, in order."""
    parameters = [name for name in PARAMETERS if name != "seed"]
    return [*KEYS, *parameters, *(n for n in sweep.names if n not in PARAMETERS)]


def column_type(name: str) -> str:
    """The pandas dtype of a design column."""
    if name == "contrast":
        return "object"
    if name in PARAMETERS:
        return "int64" if PARAMETERS[name][0] is int else "float64"
    if name in ASSUMPTIONS:
        return "int64" if ASSUMPTIONS[name].integer else "float64"
    return "float64" if is_intervention_key(name) and not name.endswith(".week") else "int64"
