"""The dashboard's components, rendered in-process (no browser): controls, fields, presets, comparison."""

import time

import ipyvuetify as v
import pytest
import solara

from sim.app import Page
from sim.scenario_files import find_preset


@solara.component
def InLayout():
    with solara.AppLayout():
        Page()


def texts(widget, found=None):
    """Every string shown in a widget tree."""
    found = [] if found is None else found
    if isinstance(widget, str):
        found.append(widget)
    else:
        for child in getattr(widget, "children", None) or []:
            texts(child, found)
    return found


def shown(box, fragment):
    return [t for t in texts(box) if fragment in t]


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def page():
    box, rc = solara.render(InLayout(), handle_error=False)
    yield box, rc
    rc.close()


def button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def field(rc, label):
    return rc.find(v.TextField, label=label).widget


def test_step_and_reset_move_the_week_and_the_headline(page):
    box, rc = page
    assert shown(box, "Week 0 of 104") and shown(box, "Press Step or Play")
    button(rc, "Step").click()
    button(rc, "Step").click()
    assert shown(box, "Week 2 of 104")
    assert shown(box, "Annual retention")
    button(rc, "Reset").click()
    assert shown(box, "Week 0 of 104")


def week_shown(box):
    return int(shown(box, "Week ")[0].split()[1])


def test_play_runs_in_the_background_until_paused(page):
    box, rc = page
    button(rc, "▶ Play").click()  # one week per 200 ms by default
    wait_until(lambda: week_shown(box) >= 2)
    button(rc, "❚❚ Pause").click()
    time.sleep(1.5)  # a step under way when Pause was clicked may still finish
    week = week_shown(box)
    time.sleep(1.0)
    assert week_shown(box) == week < 104  # paused


def test_play_stops_at_the_last_week(page):
    box, rc = page
    field(rc, "weeks").v_model = "12"
    field(rc, "weeks").fire_event("keyup.enter")
    rc.find(v.Slider, label="Play interval (ms)").widget.v_model = 0
    button(rc, "▶ Play").click()
    wait_until(lambda: week_shown(box) == 12)
    wait_until(lambda: any(b.disabled for b in rc.find(v.Btn, children=["▶ Play"]).widgets))


def test_a_bad_size_shows_a_message_and_keeps_the_run(page):
    box, rc = page
    button(rc, "Step").click()
    field(rc, "n employees").v_model = "lots"
    field(rc, "n employees").fire_event("keyup.enter")
    assert shown(box, "n_employees = 'lots': expected a whole number from 24 to 20,000")
    assert shown(box, "Week 1 of 104")  # the run goes on with the last good setup


def test_a_good_size_restarts_the_run(page):
    box, rc = page
    button(rc, "Step").click()
    widget = field(rc, "weeks")
    widget.v_model = "40"
    widget.fire_event("keyup.enter")
    assert shown(box, "Week 0 of 40")


def test_a_preset_brings_its_description_and_interventions(page):
    box, rc = page
    rc.find(v.Select, label="Scenario preset").widget.v_model = "New leadership team at week 26"
    assert shown(box, "week 26: leadership courage → 0.8")
    description = find_preset("new_leadership_team").description.strip()
    assert shown(box, description)  # read aloud by trainers


def test_an_intervention_is_added_from_the_form_or_refused(page):
    box, rc = page
    field(rc, "at week").v_model = "500"
    button(rc, "Add intervention").click()
    assert shown(box, "week = 500: expected a whole number from 1 to weeks (104)")
    field(rc, "at week").v_model = "10"
    field(rc, "to value (0 to 1)").v_model = "0.9"
    button(rc, "Add intervention").click()
    assert shown(box, "week 10: leadership courage → 0.9")
    assert not shown(box, "expected a whole number")


def test_comparison_runs_in_the_background_and_reports(page):
    box, rc = page
    for name, value in (("n employees", "120"), ("n customers", "1500"), ("weeks", "20")):
        field(rc, name).v_model = value
        field(rc, name).fire_event("keyup.enter")
    field(rc, "replications").v_model = "x"
    button(rc, "Run comparison").click()
    assert shown(box, "replications = 'x': expected a whole number from 2 to 100")
    field(rc, "replications").v_model = "3"
    button(rc, "Run comparison").click()
    wait_until(lambda: shown(box, "Mean annual retention over the last 20 weeks"))
    assert shown(box, "3 replications")


def test_comparison_can_be_cancelled_and_the_page_stays_responsive_meanwhile(page):
    box, rc = page
    field(rc, "replications").v_model = "100"
    button(rc, "Run comparison").click()
    wait_until(lambda: shown(box, "Running"))
    button(rc, "Step").click()  # the explorer works while the comparison runs
    button(rc, "Step").click()
    assert shown(box, "Week 2 of 104") and shown(box, "Running")
    button(rc, "Cancel").click()
    wait_until(lambda: shown(box, "Comparison cancelled."))


def test_two_pages_do_not_share_a_model():
    first, first_rc = solara.render(InLayout(), handle_error=False)
    second, second_rc = solara.render(InLayout(), handle_error=False)
    button(first_rc, "Step").click()
    assert shown(first, "Week 1 of 104") and shown(second, "Week 0 of 104")
    first_rc.close()
    second_rc.close()
