import pytest

from sim.scenario import (
    DEFAULTS,
    LEVERS,
    PARAMETERS,
    CustomerFocusScenario,
    InputError,
    Intervention,
    check_value,
    seed_sequence,
    whole_number,
)


def test_levers_are_the_five_named_in_the_brief_and_the_say_do_gap():
    assert set(LEVERS) == {
        "leadership_courage", "transparency", "metric_alignment", "leader_customer_focus", "say_do_gap",
        "silo_strength",
    }
    for name in LEVERS:
        kind, spec = PARAMETERS[name]
        assert kind is float and (spec.low, spec.high) == (0.0, 1.0) and spec.help


def test_defaults_come_from_the_class_and_overrides_apply():
    scenario = CustomerFocusScenario(transparency=0.8, weeks=10)
    assert scenario.transparency == 0.8 and scenario.weeks == 10
    assert scenario.leadership_courage == DEFAULTS["leadership_courage"]
    assert scenario.parameters().keys() == PARAMETERS.keys()


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("transparency", 1.5, "out of range: expected a number from 0 to 1"),
        ("transparency", -0.1, "out of range"),
        ("transparency", "high", "expected a number from 0 to 1"),
        ("transparency", True, "expected a number"),
        ("transparency", float("nan"), "out of range"),
        ("weeks", 2.5, "expected a whole number"),
        ("weeks", 0, "out of range"),
        ("n_employees", 10, "from 24"),
        ("courage", 0.5, "unknown parameter; known: leadership_courage"),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(name, value, fragment):
    with pytest.raises(InputError) as error:
        CustomerFocusScenario(**{name: value})
    assert str(error.value).startswith(name) and fragment in str(error.value)


def test_text_values_are_parsed_to_the_parameter_type():
    assert check_value("weeks", "12") == 12 and isinstance(check_value("weeks", "12"), int)
    assert check_value("transparency", "0.25") == 0.25


def test_interventions_are_validated_against_levers_and_weeks():
    with pytest.raises(InputError, match="week = 30: expected a whole number from 1 to weeks \\(20\\)"):
        CustomerFocusScenario(weeks=20, interventions=[Intervention(30, "transparency", 0.5)])
    with pytest.raises(InputError, match="n_customers: not a lever"):
        CustomerFocusScenario(interventions=[Intervention(3, "n_customers", 5)])
    with pytest.raises(InputError, match="out of range"):
        CustomerFocusScenario(interventions=[Intervention(3, "transparency", 2.0)])


def test_replications_get_distinct_reproducible_seeds():
    a, b = seed_sequence(7, 0), seed_sequence(7, 1)
    assert a.generate_state(4).tolist() == seed_sequence(7, 0).generate_state(4).tolist()
    assert a.generate_state(4).tolist() != b.generate_state(4).tolist()


@pytest.mark.parametrize("value", ["0", "11", "2.5", "ten", "", 0, 11, 2.0, True])
def test_whole_number_refuses_anything_but_a_whole_number_in_range(value):
    with pytest.raises(InputError, match=r"^--count = .*: expected a whole number from 1 to 10$"):
        whole_number(value, 1, 10, "--count")


def test_whole_number_accepts_text_and_numbers():
    assert whole_number(" 7 ", 1, 10, "x") == 7 and whole_number(10, 1, 10, "x") == 10
