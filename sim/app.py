"""The dashboard page, as in Mesa's examples' ``app.py``; ``cfsim dashboard`` serves it.

Four tabs: Explore (controls in the sidebar; the answer, retention against
its counterfactual, why customers leave), Organisation (focus, handoffs,
every employee), Compare (two scenarios with replications, in the background)
and Present (one projector screen for a class). Each browser tab has its own
``Session``; its Play loop and its bands run here, above the tabs, so they go
on whichever tab is open. The scenario lives in the page's address.
"""

from __future__ import annotations

import time

import solara
import solara.lab

from sim.dashboard.bands import REPLICATIONS, Effect, retention
from sim.dashboard.browser import AccessibleNames
from sim.dashboard.compare_view import CompareView
from sim.dashboard.controls import Levers, PresetPicker, RunControls, SizeField, SpeedControls
from sim.dashboard.interventions import InterventionEditor
from sim.dashboard.links import from_query, to_query
from sim.dashboard.scenario_card import ScenarioFile
from sim.dashboard.session import SIZES, Session, edits, effect, interval, per_click, playing
from sim.dashboard.views import CSS, Explorer, Inside, Presentation
from sim.scenario import InputError

TABS = ("Explore", "Organisation", "Compare", "Present")
EXPLORE, ORGANISATION, COMPARE, PRESENT = range(len(TABS))


@solara.component
def Sidebar(session: Session):
    """The explorer's controls: run, scenario, levers, changes, size and seed, the scenario as a file."""
    with solara.Sidebar():
        with solara.Card("Run"):
            RunControls(session)
            SpeedControls()
        with solara.Card("Scenario"):
            PresetPicker(session)
        with solara.Card("Levers", subtitle="a change starts the run again from week 0"):
            Levers(session)
        with solara.Card("Scheduled changes", subtitle="at week N, set a lever to a new value"):
            InterventionEditor(session)
        with solara.Card("Organisation, length and seed"):
            for name in SIZES:
                SizeField(session, name)
        with solara.Card("Scenario file"):
            ScenarioFile(session)


def use_play(session: Session) -> None:
    """Step while ``playing``, whichever tab is open."""

    def play():
        while playing.value and session.view.running:
            time.sleep(interval.value / 1000)
            session.step(per_click.value, still=lambda: playing.value)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)


SHOWN_AT = (5, REPLICATIONS)  # replications at which the bands are redrawn: often enough, and each browser
# redraws its chart on every update (with a class on one server that redrawing is the main cost of a step)


def use_bands(session: Session) -> None:
    """Run the setup and its counterfactual's replications in the background, showing them as they come (SHOWN_AT)."""

    def bands():
        effect.set(None)
        setup, other = session.setup, session.setup.counterfactual()
        factual, counterfactual = [], []
        for replication in range(REPLICATIONS):
            stopped = lambda: not task.is_current()  # noqa: E731
            runs = [retention(setup.scenario, replication, stopped)]
            if other is not None:
                runs.append(retention(other[1].scenario, replication, stopped))
            if not task.is_current() or any(run is None for run in runs):
                return
            factual.append(runs[0])
            counterfactual += runs[1:]
            if len(factual) in SHOWN_AT:
                effect.set(Effect.of(factual, counterfactual if other else None))

    task = solara.lab.use_task(bands, dependencies=[edits.value], prefer_threaded=True)


@solara.component
def Background(session: Session):
    """Play and the bands' replications, in their own component: their progress redraws nothing else."""
    use_play(session)
    use_bands(session)


@solara.component
def Page():
    """The whole page for one browser tab."""
    router = solara.use_router()
    problem = solara.use_reactive(None)

    def start() -> Session:
        try:
            return Session(from_query(router.search))
        except InputError as error:
            problem.set(f"The page's address was not understood ({error}); showing the Baseline instead.")
            return Session()

    session = solara.use_memo(start, [])
    tab = solara.use_reactive(EXPLORE)
    Background(session)
    query = to_query(session.setup) if edits.value else None  # the address changes only when the user edits

    def show_in_address():
        if query is not None and router.search != query:
            router.push(f"{router.path}?{query}")

    solara.use_effect(show_in_address, [query])

    solara.Title("Customer Focus Simulator")
    solara.Style(CSS)
    AccessibleNames()
    with solara.AppBar():
        solara.AppBarTitle("Customer Focus Simulator")
    with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set):
        for name in TABS:
            solara.v.Tab(children=[name])
    # The comparison stays mounted on every tab, so its choices survive and it keeps running.
    with solara.Div(style={} if tab.value == COMPARE else {"display": "none"}):
        CompareView(session)
    if problem.value:
        solara.Warning(problem.value)
    if tab.value == EXPLORE:
        Explorer(session)
    elif tab.value == ORGANISATION:
        Inside(session)
    elif tab.value == PRESENT:
        Presentation(session)
    if tab.value in (EXPLORE, ORGANISATION):
        Sidebar(session)
