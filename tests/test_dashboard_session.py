"""The dashboard's session logic and background runs, without a browser."""

import numpy as np
import pytest
from scipy import stats

from sim import CustomerFocusModel
from sim.dashboard.runs import band, baseline_outputs, compare
from sim.dashboard.session import DASHBOARD_LIMITS, Session, check_field
from sim.scenario import InputError
from sim.scenario_files import find_preset

SMALL = {"n_employees": "120", "n_customers": "1500", "weeks": "30"}


def small_session(preset="baseline"):
    session = Session(preset)
    for name, value in SMALL.items():
        session.set_parameter(name, value)
    return session


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("n_employees", "abc", "n_employees = 'abc': expected a whole number from 24 to 20,000 (`cfsim run` takes"),
    ("n_employees", "25000", "n_employees = '25000': expected a whole number from 24 to 20,000"),
    ("weeks", "0", "weeks = '0': expected a whole number from 1 to 520"),
    ("transparency", "1.5", "transparency = '1.5' is out of range: expected a number from 0 to 1"),
    ("seed", "-1", "seed = '-1' is out of range"),
    ("colour", "1", "colour: unknown parameter"),
])
def test_bad_fields_are_refused_with_the_field_and_what_is_allowed(name, text, expected):
    with pytest.raises(InputError, match=expected.replace("(", r"\(")):
        check_field(name, text)


def test_fields_at_the_dashboard_limit_are_accepted():
    assert check_field("n_employees", str(DASHBOARD_LIMITS["n_employees"])) == DASHBOARD_LIMITS["n_employees"]
    assert check_field("transparency", " 0.25 ") == 0.25


def test_a_refused_change_leaves_setup_and_model_untouched():
    session = small_session()
    session.step(3)
    setup, model = session.setup, session.model
    with pytest.raises(InputError):
        session.set_parameter("n_customers", "lots")
    assert session.setup is setup and session.model is model and model.steps == 3


def test_a_change_starts_the_run_again_with_the_new_value():
    session = small_session()
    session.step(2)
    session.set_parameter("transparency", 0.9)
    assert session.model.steps == 0
    assert session.model.levers.transparency == 0.9


def test_presets_bring_their_parameters_and_interventions():
    session = Session()
    session.choose_preset("new_leadership_team")
    preset = find_preset("new_leadership_team")
    assert session.setup.interventions == preset.interventions
    assert all(session.setup.parameters[k] == v for k, v in preset.parameters.items())


def test_interventions_are_validated_added_and_removed():
    session = small_session()
    with pytest.raises(InputError, match=r"week = 31: expected a whole number from 1 to weeks \(30\)"):
        session.add_intervention("31", "transparency", "0.5")
    with pytest.raises(InputError, match="colour: not a lever"):
        session.add_intervention("5", "colour", "0.5")
    with pytest.raises(InputError, match="transparency = '2' is out of range"):
        session.add_intervention("5", "transparency", "2")
    session.add_intervention("5", "transparency", "0.9")
    (added,) = session.setup.interventions
    session.step(5)
    assert session.model.levers.transparency == 0.9
    with pytest.raises(InputError, match="an intervention is scheduled at week 5"):
        session.set_parameter("weeks", "4")
    session.remove_intervention(added)
    assert session.setup.interventions == ()


def test_step_stops_at_the_last_week():
    session = small_session()
    session.step(100)
    assert session.model.steps == 30 and not session.model.running


def test_sessions_do_not_share_models():
    first, second = small_session(), small_session()
    first.step(4)
    first.set_parameter("silo_strength", 0.9)
    assert second.model.steps == 0 and second.setup.parameters["silo_strength"] == 0.6


def test_baseline_is_the_baseline_preset_at_the_same_size_and_seed():
    expected = CustomerFocusModel(find_preset("baseline").scenario(n_employees=120, n_customers=1500, weeks=30,
                                                                   seed=5)).run()
    got = baseline_outputs(120, 1500, 30, 5)
    assert np.array_equal(got["retention_rate"].to_numpy(), expected["retention_rate"].to_numpy())


def test_band_is_the_t_interval_of_the_mean_week_by_week(rng):
    runs = rng.normal(0.8, 0.02, size=(7, 12))
    mean, low, high = band(runs)
    for week in (0, 5, 11):
        interval = stats.t.interval(0.9, 6, loc=runs[:, week].mean(), scale=stats.sem(runs[:, week]))
        assert np.isclose(low[week], interval[0]) and np.isclose(high[week], interval[1])
        assert np.isclose(mean[week], runs[:, week].mean())


def test_comparison_pairs_replications_and_reports_progress():
    session = small_session()
    shares = []
    result = compare([("a", session.setup.scenario), ("b", session.setup.scenario)], 3, progress=shares.append)
    assert shares == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1])
    # the same scenario twice with the same seeds gives identical runs: a difference of exactly zero
    assert result.difference() == (0.0, 0.0, 0.0)
    first = CustomerFocusModel(session.setup.scenario(1)).run()["retention_rate"].to_numpy()
    assert np.isclose(result.series[0].final_year[1], first[-52:].mean())


def test_comparison_stops_when_asked():
    session = small_session()
    calls = []
    assert compare([("a", session.setup.scenario)], 5, stopped=lambda: calls.append(1) or len(calls) > 10) is None
    assert len(calls) == 11  # asked every week, stopped at once


def test_courage_beats_baseline_in_a_comparison():
    """The comparison finds the effect the model's patterns claim (paired seeds, 8 replications, 90% interval)."""
    baseline, courage = small_session(), small_session("courageous_leadership")
    courage.set_parameter("weeks", "60")
    baseline.set_parameter("weeks", "60")
    result = compare([("baseline", baseline.setup.scenario), ("courage", courage.setup.scenario)], 8)
    mean, low, high = result.difference()
    assert low > 0, f"courage should raise retention: difference {mean:.3f} ({low:.3f} to {high:.3f})"
