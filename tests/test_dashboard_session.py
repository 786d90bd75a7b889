"""The dashboard's session logic, background runs, effects, addresses and scenario files, without a browser."""

import threading

import numpy as np
import pytest
from scipy import stats

from sim import CustomerFocusModel
from sim.dashboard import bands
from sim.dashboard.bands import Band, Effect, retention
from sim.dashboard.links import from_query, to_query
from sim.dashboard.runs import compare
from sim.dashboard.scenario_card import setup_from_text, setup_toml
from sim.dashboard.session import DASHBOARD_LIMITS, Session, Setup, check_field
from sim.dashboard.words import label, meaning, plain_number
from sim.scenario import LEVERS, InputError
from sim.scenario_files import find_preset

SMALL = {"n_employees": "120", "n_customers": "1500", "weeks": "30"}


def small_session(preset="baseline"):
    session = Session(Setup.of(find_preset(preset)))
    for name, value in SMALL.items():
        session.set_parameter(name, value)
    return session


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("n_employees", "abc", "Employees: 'abc' is not allowed here; type a whole number from 24 to 20,000 (`cfsim run`"),
    ("n_employees", "25000", "Employees: '25000' is not allowed here; type a whole number from 24 to 20,000"),
    ("weeks", "0", "Weeks to simulate: '0' is not allowed here; type a whole number from 1 to 520"),
    ("transparency", "1.5", "Leaders' openness: '1.5' is not allowed here; type a number from 0 to 1"),
    ("seed", "-1", "Random seed (same seed, same run): '-1' is not allowed here"),
])
def test_bad_fields_are_refused_in_plain_words_with_what_is_allowed(name, text, expected):
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        check_field(name, text)


@pytest.mark.parametrize(("text", "value"), [("4,000", 4000), ("4 000", 4000), ("12,345", 12345), (" 400 ", 400)])
def test_thousands_separators_are_accepted(text, value):
    assert check_field("n_customers", text) == value


def test_a_comma_that_is_not_a_thousands_separator_is_refused():
    assert plain_number("4,00") == "4,00"
    with pytest.raises(InputError, match="Customer accounts: '4,00' is not allowed here"):
        check_field("n_customers", "4,00")


def test_fields_at_the_dashboard_limit_are_accepted():
    assert check_field("n_employees", str(DASHBOARD_LIMITS["n_employees"])) == DASHBOARD_LIMITS["n_employees"]
    assert check_field("transparency", " 0.25 ") == 0.25


def test_every_lever_has_a_label_and_says_what_0_half_and_1_mean():
    for name in LEVERS:
        assert "_" not in label(name)
        assert all(f"{point}: " in meaning(name) for point in ("0", "0.5", "1"))


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
    assert session.view.week == 0
    assert session.view.levers["transparency"] == 0.9


def test_the_view_shows_the_levers_now_after_a_scheduled_change():
    session = small_session()
    session.add_intervention("5", "transparency", "0.9")
    session.step(4)
    assert session.view.levers["transparency"] == 0.3
    session.step(1)
    assert session.view.levers["transparency"] == 0.9 and session.setup.parameters["transparency"] == 0.3


def test_the_view_is_a_snapshot_that_a_step_does_not_change():
    session = small_session()
    session.step(2)
    view = session.view
    session.step(3)
    assert view.week == 2 and len(view.outputs) == 2 and session.view.week == 5


def test_reads_wait_for_a_step_in_progress():
    session = small_session()
    inside = threading.Event()
    release = threading.Event()
    seen = []

    def slow_look(model):
        inside.set()
        release.wait(5)
        return model.steps

    reader = threading.Thread(target=lambda: seen.append(session.read(slow_look)))
    reader.start()
    inside.wait(5)
    stepper = threading.Thread(target=session.step, args=(3,))
    stepper.start()
    stepper.join(0.3)
    assert stepper.is_alive()  # the step waits for the read to finish
    release.set()
    reader.join(5)
    stepper.join(5)
    assert seen == [0] and session.view.week == 3


def test_interventions_are_validated_added_and_removed():
    session = small_session()
    with pytest.raises(InputError, match=r"week = 31: expected a whole number from 1 to weeks \(30\)"):
        session.add_intervention("31", "transparency", "0.5")
    with pytest.raises(InputError, match="colour: not a lever"):
        session.add_intervention("5", "colour", "0.5")
    session.add_intervention("5", "transparency", "0.9")
    (added,) = session.setup.interventions
    with pytest.raises(InputError, match="a change is scheduled at week 5"):
        session.set_parameter("weeks", "4")
    session.remove_intervention(added)
    assert session.setup.interventions == ()


def test_step_stops_at_the_last_week():
    session = small_session()
    session.step(100)
    assert session.view.week == 30 and not session.view.running


def test_the_counterfactual_of_a_preset_with_changes_is_itself_without_them():
    setup = Setup.of(find_preset("new_leadership_team"))
    words, other = setup.counterfactual()
    assert words == "the same organisation without the change at week 26"
    assert other.interventions == () and other.parameters == setup.parameters


def test_the_counterfactual_of_a_preset_without_changes_is_the_baseline_said_to_differ():
    setup = Setup.of(find_preset("courageous_leadership"))
    words, other = setup.counterfactual()
    assert words == "Baseline (a different starting organisation)"
    assert other.parameters == {**Setup.of(find_preset("baseline")).parameters, **setup.sizes()}
    assert Setup.of(find_preset("baseline")).counterfactual() is None


def test_a_band_is_the_t_interval_of_the_mean_week_by_week(rng):
    runs = rng.normal(0.8, 0.02, size=(7, 12))
    band = Band.of(runs)
    for week in (0, 5, 11):
        interval = stats.t.interval(0.9, 6, loc=runs[:, week].mean(), scale=stats.sem(runs[:, week]))
        assert np.isclose(band.low[week], interval[0]) and np.isclose(band.high[week], interval[1])


def test_the_effect_shows_from_the_first_week_its_interval_stays_clear_of_zero(rng):
    noise = rng.normal(0, 0.01, size=(10, 40))
    step = np.where(np.arange(40) >= 20, 0.05, 0.0)  # an effect from week 21
    blip = np.where(np.arange(40) == 5, 0.05, 0.0)  # clear of zero at week 6 only: not "from then on"
    effect = Effect.of(list(0.8 + step + blip + noise), list(0.8 + noise * 0.5))
    assert effect.shows_from() == 21
    mean, low, _ = effect.at(30)
    assert low > 0 and np.isclose(mean, 0.05 + (noise[:, 29] * 0.5).mean())
    assert Effect.of(list(0.8 + noise), list(0.8 + noise)).shows_from() is None


def test_an_effect_that_ends_negative_shows_from_when_it_stays_below_zero(rng):
    noise = rng.normal(0, 0.01, size=(10, 40))
    change = np.where(np.arange(40) >= 30, -0.05, np.where(np.arange(40) >= 10, 0.05, 0.0))
    assert Effect.of(list(0.8 + change + noise), list(0.8 + noise * 0.5)).shows_from() == 31


def test_a_new_leadership_team_shows_an_effect_after_it_arrives():
    """Against itself without the new team (same seeds): nothing before week 26, a clear effect later."""
    setup = Setup.of(find_preset("new_leadership_team"))
    setup = Setup(setup.preset, {**setup.parameters, "n_employees": 200, "n_customers": 2000, "weeks": 80},
                  setup.interventions)
    other = setup.counterfactual()[1]
    effect = Effect.of([retention(setup.scenario, r) for r in range(6)],
                       [retention(other.scenario, r) for r in range(6)])
    assert effect.at(25) == (0.0, 0.0, 0.0)  # identical until the team arrives
    assert effect.shows_from() is not None and effect.shows_from() > 26


def test_replications_are_shared_across_sessions_by_the_scenarios_content():
    setup = small_session().setup
    first = retention(setup.scenario, 0)
    assert retention(small_session().setup.scenario, 0) is first  # another session, same content: cached
    expected = CustomerFocusModel(setup.scenario(0)).run()["retention_rate"].to_numpy()
    assert np.array_equal(first, expected)
    changed = Setup(setup.preset, setup.parameters, setup.interventions, {"win_rate": 0.004})
    assert bands.key(changed.scenario()) != bands.key(setup.scenario())


def test_a_replication_stops_when_asked_and_is_not_cached():
    setup = Setup(find_preset("baseline"), {**small_session().setup.parameters, "seed": 987})
    calls = []
    assert retention(setup.scenario, 0, stopped=lambda: calls.append(1) or len(calls) > 5) is None
    assert len(calls) == 6
    assert (bands.key(setup.scenario()), 0) not in bands._cache


def test_comparison_pairs_replications_and_reports_progress():
    session = small_session()
    shares = []
    result = compare([("a", session.setup.scenario), ("b", session.setup.scenario)], 3, progress=shares.append)
    assert shares == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1])
    assert result.difference() == (0.0, 0.0, 0.0)  # the same scenario twice on the same seeds
    assert list(result.table().columns) == ["scenario", "week", "retention_mean", "retention_low_90%",
                                            "retention_high_90%"]


def test_the_address_keeps_preset_levers_changes_and_seed():
    session = Session(Setup.of(find_preset("new_leadership_team")))
    session.set_parameter("seed", "7")
    session.set_parameter("transparency", 0.5)
    session.add_intervention("40", "silo_strength", "0.3")
    query = to_query(session.setup)
    assert query.startswith("preset=new_leadership_team&")
    assert from_query(query) == session.setup
    session.remove_intervention(session.setup.interventions[0])
    for intervention in session.setup.interventions:
        session.remove_intervention(intervention)
    assert "changes=none" in to_query(session.setup) and from_query(to_query(session.setup)) == session.setup


@pytest.mark.parametrize(("query", "message"), [
    ("preset=nope", "address: preset 'nope' is not one of"),
    ("colour=red", "address: 'colour' is not a setting of the page"),
    ("seed=-4", "Random seed (same seed, same run): '-4' is not allowed here"),
    ("changes=26:leadership_courage:7", "address: changes leadership_courage = '7' is out of range"),
])
def test_a_bad_address_is_refused_with_what_is_wrong(query, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_query(query)


def test_a_downloaded_scenario_file_is_read_back_and_by_the_command_line(tmp_path):
    session = Session(Setup.of(find_preset("new_leadership_team")))
    session.set_parameter("n_customers", "3,000")
    text = setup_toml(session.setup)
    back = setup_from_text("mine.toml", text, len(text), 100_000)
    assert (back.parameters, back.interventions, back.preset.name) == (
        session.setup.parameters, session.setup.interventions, session.setup.preset.name)
    path = tmp_path / "mine.toml"
    path.write_text(text)
    assert find_preset(str(path)).scenario().parameters() == session.setup.scenario().parameters()


@pytest.mark.parametrize(("text", "size", "message"), [
    ("name = 'x'\n[parameters]\ntransparency = 3\n", 40, "up.toml: parameters.transparency = 3 is out of range"),
    ("not toml at all [", 20, "up.toml: malformed TOML"),
    (None, 500_000, "up.toml: 500,000 bytes is too large for a scenario file"),
])
def test_a_bad_upload_is_refused_naming_the_file_and_field(text, size, message):
    with pytest.raises(InputError, match=message):
        setup_from_text("up.toml", text, size, 100_000)


def test_replications_for_the_bands_run_at_low_priority():
    import os
    import threading

    from sim.dashboard import bands
    from sim.scenario import CustomerFocusScenario

    seen = {}

    def background():
        bands.retention(lambda r: CustomerFocusScenario(n_employees=24, n_customers=50, weeks=2, seed=9,
                                                         replication=r), 0)
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    worker = threading.Thread(target=background)
    worker.start()
    worker.join()
    assert seen["nice"] >= bands.BACKGROUND_NICE
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # only that thread
