"""The dashboard's components, rendered in-process (no browser): one state across tabs, controls, fields, comparison."""

import time

import bqplot
import ipyvue
import ipyvuetify as v
import pytest
import solara

from sim.app import Page
from sim.dashboard import compare_view, session
from sim.scenario_files import find_preset

ADDRESSES = []  # every address the page pushed, as the browser's location bar would show it


@solara.component
def InLayout(address="/"):
    """The page in Solara's layout, with a router as the served page has (it keeps the scenario's address)."""
    path, set_path = solara.use_state(address)

    def push(new):
        ADDRESSES.append(new)
        set_path(new)

    solara.routing.router_context.provide(solara.routing.Router(path, [], push))
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


def see(box, fragment, timeout=15.0):
    """Wait until ``fragment`` is shown: background tasks redraw the page from other threads, as in a browser."""
    wait_until(lambda: shown(box, fragment), timeout)


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def fresh_tab_state():
    """What a new browser tab starts with: in-process renders share one kernel, so its per-tab state is reset."""
    for reactive in (session.playing, session.interval, session.per_click, session.effect, session.levers_now,
                     compare_view.first,
                     compare_view.second, compare_view.replications):
        reactive.set(reactive._storage.default_value)


@pytest.fixture
def page():
    fresh_tab_state()
    box, rc = solara.render(InLayout(), handle_error=False)
    yield box, rc
    rc.close()


def button(rc, label):
    """The button labelled ``label`` (waiting, as a person would, while a background task redraws the page)."""
    wait_until(lambda: len(rc.find(v.Btn, children=[label]).widgets) == 1, 10)
    return rc.find(v.Btn, children=[label]).widget


def field(rc, label):
    return rc.find(v.TextField, label=label).widget


def enter(rc, label, text):
    widget = field(rc, label)
    widget.v_model = text
    widget.fire_event("keyup.enter")


def open_tab(rc, name):
    rc.find(v.Tabs).widget.v_model = ["Explore", "Organisation", "Compare", "Present"].index(name)


def slider(rc, starts):
    (found,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith(starts)]
    return found


def week_shown(box):
    return int(shown(box, "Week ")[0].split()[1])


def small(rc, weeks="104"):
    for label, value in (("Employees", "120"), ("Customer accounts", "1,500"), ("Weeks to simulate", weeks)):
        enter(rc, label, value)


def test_step_and_reset_move_the_week(page):
    box, rc = page
    see(box, "Week 0 of 104")
    button(rc, "Step").click()
    button(rc, "Step").click()
    see(box, "Week 2 of 104")
    button(rc, "Reset").click()
    see(box, "Week 0 of 104")


def test_the_charts_follow_every_step_without_being_rebuilt(page):
    box, rc = page
    (point,) = rc.find(bqplot.Scatter).widgets  # the run's latest week, with its hover value
    for week in range(1, 15):
        button(rc, "Step").click()
        see(box, f"Week {week} of 104")
    wait_until(lambda: list(point.x) == [14] and point.visible)  # drawn from week 13, the same widget
    (bars,) = rc.find(bqplot.Bars).widgets
    wait_until(lambda: bars.y.sum() > 0)  # customers lost so far


def test_play_runs_in_the_background_until_paused(page):
    box, rc = page
    button(rc, "▶ Play").click()  # one week per 200 ms by default
    wait_until(lambda: week_shown(box) >= 2)
    button(rc, "❚❚ Pause").click()
    time.sleep(1.5)  # a step under way when Pause was clicked may still finish
    week = week_shown(box)
    time.sleep(1.0)
    assert week_shown(box) == week < 104  # paused


def test_play_on_explore_then_present_shows_pause_and_pause_reset_work_there(page):
    """The issue's case: Play on Explore, open Present; its button says Pause, and Pause and Reset work."""
    box, rc = page
    button(rc, "▶ Play").click()
    wait_until(lambda: week_shown(box) >= 1)
    open_tab(rc, "Present")
    see(box, "❚❚ Pause")
    assert not shown(box, "▶ Play")
    button(rc, "❚❚ Pause").click()
    time.sleep(1.0)
    week = week_shown(box)
    time.sleep(0.8)
    assert week_shown(box) == week  # paused from Present
    button(rc, "Reset").click()
    see(box, "Week 0 of 104")
    button(rc, "Step").click()
    see(box, "Week 1 of 104")
    open_tab(rc, "Explore")
    see(box, "Week 1 of 104")  # the same run and state on every tab
    see(box, "▶ Play")


def test_play_goes_on_while_the_tabs_change(page):
    box, rc = page
    button(rc, "▶ Play").click()
    for tab in ("Organisation", "Compare", "Present", "Explore"):
        open_tab(rc, tab)
        week = week_shown(box) if shown(box, "Week ") else None
        time.sleep(0.6)
    assert week is not None and week_shown(box) > week  # still playing after four tab changes
    button(rc, "❚❚ Pause").click()


def test_keys_on_present_play_pause_and_step(page):
    box, rc = page
    open_tab(rc, "Present")
    (keys,) = [w for w in rc.find(ipyvue.VueTemplate).widgets if hasattr(w, "vue_press")]
    keys.vue_press("right")
    see(box, "Week 1 of 104")
    keys.vue_press("space")
    wait_until(lambda: week_shown(box) >= 2)
    keys.vue_press("space")
    time.sleep(1.0)
    week = week_shown(box)
    time.sleep(0.8)
    assert week_shown(box) == week


def test_play_stops_at_the_last_week(page):
    box, rc = page
    enter(rc, "Weeks to simulate", "12")
    slider(rc, "Pause when playing").v_model = 0
    button(rc, "▶ Play").click()
    wait_until(lambda: week_shown(box) == 12)
    wait_until(lambda: any(b.disabled for b in rc.find(v.Btn, children=["▶ Play"]).widgets))


def test_a_bad_size_shows_a_plain_message_and_keeps_the_run(page):
    box, rc = page
    button(rc, "Step").click()
    enter(rc, "Employees", "lots")
    see(box, "Employees: 'lots' is not allowed here; type a whole number from 24 to 20,000")
    see(box, "Week 1 of 104")  # the run goes on with the last good setup


def test_a_size_with_thousands_separators_restarts_the_run(page):
    box, rc = page
    button(rc, "Step").click()
    enter(rc, "Customer accounts", "3,000")
    enter(rc, "Weeks to simulate", "40")
    see(box, "Week 0 of 40")
    assert field(rc, "Customer accounts").v_model == "3,000"


def test_a_preset_brings_its_story_changes_and_answer(page):
    box, rc = page
    small(rc, "60")
    rc.find(v.Select, label="Scenario").widget.v_model = "New leadership team at week 26"
    see(box, "week 26: Leaders' courage → 0.8")
    see(box, find_preset("new_leadership_team").description.strip())  # read aloud by trainers
    wait_until(lambda: shown(box, "It shows from week") or shown(box, "does not stay clear of noise"), 120)
    see(box, "New leadership team at week 26 against the same organisation without the change at week 26:"
             " annual retention at 1 year")


def test_lever_values_are_shown_and_after_a_scheduled_change_the_value_now(page):
    box, rc = page
    assert slider(rc, "Leaders' openness").label == "Leaders' openness: 0.30"
    field(rc, "At week").v_model = "2"
    rc.find(v.Select, label="Set lever").widget.v_model = "Leaders' openness"
    field(rc, "To value (0 to 1)").v_model = "0.9"
    button(rc, "Schedule the change").click()
    see(box, "week 2: Leaders' openness → 0.9")
    button(rc, "Step").click()
    button(rc, "Step").click()
    wait_until(lambda: slider(rc, "Leaders' openness").label
               == "Leaders' openness: 0.30 · now 0.90 after a scheduled change", 15)
    see(box, "Leaders' openness 0.90")  # the "Levers now" line


def test_an_intervention_out_of_range_is_refused(page):
    box, rc = page
    field(rc, "At week").v_model = "500"
    button(rc, "Schedule the change").click()
    see(box, "week = 500: expected a whole number from 1 to weeks (104)")


def test_the_comparison_keeps_its_choices_and_result_across_tabs(page):
    box, rc = page
    small(rc, "20")
    open_tab(rc, "Compare")
    rc.find(v.Select, label="First scenario").widget.v_model = "Baseline"
    rc.find(v.Select, label="Second scenario").widget.v_model = "Courageous leadership"
    field(rc, "Replications").v_model = "3"
    button(rc, "Run comparison").click()
    wait_until(lambda: shown(box, "Mean annual retention over the last 20 weeks"))
    see(box, "two different starting organisations")
    for tab in ("Explore", "Organisation", "Present", "Compare"):
        open_tab(rc, tab)
    assert rc.find(v.Select, label="First scenario").widget.v_model == "Baseline"
    assert rc.find(v.Select, label="Second scenario").widget.v_model == "Courageous leadership"
    see(box, "Mean annual retention over the last 20 weeks")
    see(box, "3 replications")


def test_a_running_comparison_survives_tab_changes_and_can_be_cancelled(page):
    box, rc = page
    open_tab(rc, "Compare")
    field(rc, "Replications").v_model = "100"
    button(rc, "Run comparison").click()
    wait_until(lambda: shown(box, "Running"))
    open_tab(rc, "Explore")
    button(rc, "Step").click()  # the explorer works while the comparison runs
    see(box, "Week 1 of 104")
    open_tab(rc, "Compare")
    see(box, "Running")
    button(rc, "Cancel").click()
    wait_until(lambda: shown(box, "Comparison cancelled."))


def test_the_address_follows_the_scenario_and_a_reload_brings_it_back(page):
    _, rc = page
    rc.find(v.Select, label="Scenario").widget.v_model = "New leadership team at week 26"
    enter(rc, "Random seed (same seed, same run)", "77")
    address = ADDRESSES[-1]
    assert address == "/?preset=new_leadership_team&seed=77"
    again, again_rc = solara.render(InLayout(address), handle_error=False)  # a reload, or a colleague's browser
    assert field(again_rc, "Random seed (same seed, same run)").v_model == "77"
    see(again, "week 26: Leaders' courage → 0.8")
    again_rc.close()


def test_a_bad_address_opens_the_baseline_with_a_message():
    box, rc = solara.render(InLayout("/?preset=nope"), handle_error=False)
    see(box, "The page's address was not understood (address: preset 'nope' is not one of")
    see(box, "Week 0 of 104")
    rc.close()


def test_two_pages_do_not_share_a_model():
    first, first_rc = solara.render(InLayout(), handle_error=False)
    second, second_rc = solara.render(InLayout(), handle_error=False)
    button(first_rc, "Step").click()
    see(first, "Week 1 of 104")
    see(second, "Week 0 of 104")
    first_rc.close()
    second_rc.close()
