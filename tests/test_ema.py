"""The EMA Workbench adapter: names and ranges from the model's tables, values reach the model, results reproduce."""

import numpy as np
import pytest
from ema_workbench import IntegerParameter, MultiprocessingEvaluator, SequentialEvaluator, perform_experiments

import analysis.ema as ema
from analysis.ema import OUTPUTS, ema_model, run_experiment
from sim.assumptions import ASSUMPTIONS
from sim.model import CustomerFocusModel
from sim.scenario import LEVERS, PARAMETERS, InputError
from sim.scenario_files import find_preset

SIZES = {"n_employees": 40, "n_customers": 400, "weeks": 20}
OUTCOMES = ["retention_rate", "customers_lost"]


def small_model(**options):
    return ema_model(**{"outcomes": OUTCOMES, "final_weeks": 8, "replications": 2, **SIZES, **options})


def test_levers_uncertainties_and_outcomes_come_from_the_model_tables():
    model = ema_model(n_employees=40, time_series=True)
    assert [p.name for p in model.levers] == list(LEVERS)
    for lever in model.levers:
        assert (lever.lower_bound, lever.upper_bound) == (PARAMETERS[lever.name][1].low, PARAMETERS[lever.name][1].high)
    assert [p.name for p in model.uncertainties] == list(ASSUMPTIONS)
    for uncertainty in model.uncertainties:
        spec = ASSUMPTIONS[uncertainty.name]
        assert (uncertainty.lower_bound, uncertainty.upper_bound) == (spec.low, spec.high)
        assert isinstance(uncertainty, IntegerParameter) == spec.integer
    assert [o.name for o in model.outcomes] == [*OUTPUTS, *(f"{name}_weekly" for name in OUTPUTS)]


def test_an_experiment_is_the_mean_of_its_replications_with_the_sweep_seeds():
    model = small_model(levers=["transparency", "leadership_courage"], uncertainties=["win_rate", "hiring_delay"])
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=2, policies=2, evaluator=evaluator,
                                                    uncertainty_sampling_kwargs={"rng": 1},
                                                    lever_sampling_kwargs={"rng": 2})
    preset = find_preset("baseline")
    for i, row in experiments.iterrows():
        levers = {"transparency": row["transparency"], "leadership_courage": row["leadership_courage"]}
        assumptions = {"win_rate": row["win_rate"], "hiring_delay": int(row["hiring_delay"])}
        runs = [CustomerFocusModel(preset.scenario(replication=r, assumptions=assumptions, **levers, **SIZES)).run()
                for r in range(2)]
        for name in OUTCOMES:
            expected = np.mean([run[name].to_numpy()[-8:].mean() for run in runs])
            assert outcomes[name][i] == pytest.approx(expected, rel=1e-12)
    assert len(set(np.round(outcomes["retention_rate"], 12))) > 1  # the levers reach the model


def test_assumption_values_reach_the_model(monkeypatch):
    seen = []

    def spy(scenario):
        seen.append(dict(scenario.assumptions))
        return CustomerFocusModel(scenario)

    monkeypatch.setattr(ema, "CustomerFocusModel", spy)
    run_experiment(outcomes=("retention_rate",), time_series=False, scenario="baseline", replications=1,
                   final_weeks=4, failure_hazard=np.float64(0.010), ties_per_employee=np.int64(6), **SIZES)
    assert seen == [{"failure_hazard": 0.010, "ties_per_employee": 6}]
    assert type(seen[0]["ties_per_employee"]) is int


def test_results_do_not_depend_on_the_evaluator_or_the_order_of_experiments():
    model = small_model(levers=["metric_alignment"], uncertainties=["failure_hazard"])
    with SequentialEvaluator(model) as evaluator:
        experiments, sequential = perform_experiments(model, scenarios=3, policies=2, evaluator=evaluator,
                                                      uncertainty_sampling_kwargs={"rng": 5},
                                                      lever_sampling_kwargs={"rng": 6})
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        _, parallel = perform_experiments(model, scenarios=3, policies=2, evaluator=evaluator,
                                          uncertainty_sampling_kwargs={"rng": 5}, lever_sampling_kwargs={"rng": 6})
    for name in OUTCOMES:
        assert np.array_equal(sequential[name], parallel[name])
    last = experiments.iloc[-1]
    alone = run_experiment(outcomes=tuple(OUTCOMES), time_series=False, scenario="baseline", replications=2,
                           final_weeks=8, metric_alignment=last["metric_alignment"],
                           failure_hazard=last["failure_hazard"], **SIZES)
    assert alone["retention_rate"] == sequential["retention_rate"][-1]  # run on its own, not after the others


def test_time_series_outcomes_are_the_weekly_means_over_replications():
    result = run_experiment(outcomes=("customers_lost",), time_series=True, scenario="baseline", replications=2,
                            final_weeks=5, **SIZES)
    runs = [CustomerFocusModel(find_preset("baseline").scenario(replication=r, **SIZES)).run() for r in range(2)]
    weekly = (runs[0]["customers_lost"].to_numpy() + runs[1]["customers_lost"].to_numpy()) / 2
    assert np.allclose(result["customers_lost_weekly"], weekly)
    assert result["customers_lost"] == pytest.approx(weekly[-5:].mean())


@pytest.mark.parametrize(("options", "message"), [
    ({"levers": ["courage"]}, "courage: not a lever"),
    ({"uncertainties": ["transparency"]}, "transparency: not an assumption"),
    ({"outcomes": ["profit"]}, "profit: not a weekly output"),
    ({"levers": ["transparency"], "transparency": 0.5}, "transparency: not a parameter to fix"),
    ({"n_employees": 5}, "n_employees"),
    ({"replications": 0}, "replications = 0"),
    ({"scenario": "nowhere"}, "no such preset"),
])
def test_bad_names_and_values_are_refused_with_one_clear_line(options, message):
    with pytest.raises(InputError, match=message):
        ema_model(**options)
