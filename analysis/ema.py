"""The model as an EMA Workbench model: levers as levers, assumptions as uncertainties, weekly outputs as outcomes.

    from ema_workbench import SequentialEvaluator, perform_experiments
    from analysis.ema import ema_model

    model = ema_model(n_employees=120, n_customers=1500, weeks=104)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=50, policies=4, evaluator=evaluator)

Levers (:data:`sim.scenario.LEVERS`) take their allowed range; uncertainties
(:data:`sim.assumptions.ASSUMPTIONS`) their plausible range, whole-number
assumptions as IntegerParameter. Each weekly output is a ScalarOutcome, its
mean over the final ``final_weeks`` weeks (default 52, the final year), and,
with ``time_series=True``, a TimeSeriesOutcome ``NAME_weekly``. Every
experiment runs ``replications`` runs with the streams
``SeedSequence(seed, spawn_key=(r,))`` and reports their mean: the same
seeds in every experiment (common random numbers), so results do not depend
on the evaluator, its processes or the order of the experiments.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import numpy as np
from ema_workbench import Constant, IntegerParameter, Model, RealParameter, ScalarOutcome, TimeSeriesOutcome

from sim.assumptions import ASSUMPTIONS
from sim.model import CustomerFocusModel
from sim.record import WEEKLY_COLUMNS
from sim.scenario import LEVERS, PARAMETERS, InputError
from sim.scenario_files import find_preset

OUTPUTS = tuple(name for name in WEEKLY_COLUMNS if name != "week")
SETTINGS = ("scenario", "replications", "final_weeks")  # constants of the adapter, not of the model


def ema_model(name: str = "cfsim", *, scenario: str = "baseline", levers: Iterable[str] = LEVERS,
              uncertainties: Iterable[str] | None = None, outcomes: Iterable[str] = OUTPUTS,
              time_series: bool = False, final_weeks: int = 52, replications: int = 1,
              **parameters) -> Model:
    """An ``ema_workbench.Model`` of the preset ``scenario``.

    ``levers`` and ``uncertainties`` (default: every assumption) name what EMA
    samples; ``parameters`` (sizes, ``weeks``, ``seed``) and everything not
    named keep the scenario's values. Unknown names raise InputError.
    """
    preset = find_preset(scenario)
    levers, outcomes = list(levers), list(outcomes)
    uncertainties = list(ASSUMPTIONS) if uncertainties is None else list(uncertainties)
    _check(levers, LEVERS, "a lever")
    _check(uncertainties, ASSUMPTIONS, "an assumption")
    _check(outcomes, OUTPUTS, "a weekly output")
    _check(parameters, [p for p in PARAMETERS if p not in levers], "a parameter to fix (not one EMA samples)")
    preset.scenario(**parameters)  # validate the sizes now, not in the first experiment
    if not isinstance(replications, int) or replications < 1:
        raise InputError(f"replications = {replications!r}: expected a whole number of at least 1")
    model = Model(name, function=partial(run_experiment, outcomes=tuple(outcomes), time_series=time_series))
    model.levers = [RealParameter(n, PARAMETERS[n][1].low, PARAMETERS[n][1].high) for n in levers]
    model.uncertainties = [_uncertainty(n) for n in uncertainties]
    model.constants = [Constant(k, v) for k, v in
                       {**parameters, "scenario": scenario, "replications": replications,
                        "final_weeks": final_weeks}.items()]
    model.outcomes = [ScalarOutcome(n) for n in outcomes]
    if time_series:
        model.outcomes += [TimeSeriesOutcome(f"{n}_weekly") for n in outcomes]
    return model


def run_experiment(*, outcomes: tuple[str, ...], time_series: bool, scenario: str, replications: int,
                   final_weeks: int, **values) -> dict:
    """Run one experiment's replications; return each outcome averaged over them (EMA calls this)."""
    preset = find_preset(scenario)
    assumptions = {k: (int if ASSUMPTIONS[k].integer else float)(v) for k, v in values.items() if k in ASSUMPTIONS}
    parameters = {k: PARAMETERS[k][0](v) for k, v in values.items() if k not in ASSUMPTIONS}  # numpy to Python
    parameters["assumptions"] = assumptions
    runs = [CustomerFocusModel(preset.scenario(replication=r, **parameters)).run() for r in range(replications)]
    weekly = {name: np.nanmean([run[name].to_numpy(dtype=float) for run in runs], axis=0) for name in outcomes}
    result: dict = {name: float(np.nanmean(series[-final_weeks:])) for name, series in weekly.items()}
    if time_series:
        result |= {f"{name}_weekly": series for name, series in weekly.items()}
    return result


def _uncertainty(name: str):
    spec = ASSUMPTIONS[name]
    if spec.integer:
        return IntegerParameter(name, int(spec.low), int(spec.high))
    return RealParameter(name, spec.low, spec.high)


def _check(names: Iterable[str], known: Iterable[str], what: str) -> None:
    known = list(known)
    for name in names:
        if name not in known:
            raise InputError(f"{name}: not {what}; known: {', '.join(known)}")
