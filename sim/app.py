"""The dashboard page, as in Mesa's examples' ``app.py``; ``cfsim dashboard`` serves it.

Four tabs: Explore (controls in the sidebar; retention and why customers
leave), Organisation (the same controls; focus, handoffs, every employee),
Compare (two scenarios with replications, in the background) and Present
(large type for a class). Each browser tab has its own ``Session``.
"""

from __future__ import annotations

import solara
import solara.lab

from sim.dashboard.compare_view import CompareView
from sim.dashboard.controls import LeverSlider, PresetPicker, RunControls, SizeField
from sim.dashboard.interventions import InterventionEditor
from sim.dashboard.session import SIZES, Session
from sim.dashboard.views import Explorer, Inside, Presentation
from sim.scenario import LEVERS

TABS = ("Explore", "Organisation", "Compare", "Present")
EXPLORE, ORGANISATION, COMPARE, PRESENT = range(len(TABS))


@solara.component
def Sidebar(session: Session):
    """The explorer's controls: run, scenario, levers, interventions, size and seed."""
    with solara.Sidebar():
        with solara.Card("Run"):
            RunControls(session)
        with solara.Card("Scenario"):
            PresetPicker(session)
        with solara.Card("Levers", subtitle="a change starts the run again from week 0"):
            for name in LEVERS:
                LeverSlider(session, name)
        with solara.Card("Interventions", subtitle="at week N, set a lever to a new value"):
            InterventionEditor(session)
        with solara.Card("Organisation, length and seed"):
            for name in SIZES:
                SizeField(session, name)


@solara.component
def Page():
    """The whole page for one browser tab."""
    session = solara.use_memo(Session, [])
    tab = solara.use_reactive(0)

    solara.Title("Customer Focus Simulator")
    with solara.AppBar():
        solara.AppBarTitle("Customer Focus Simulator")
    if tab.value in (EXPLORE, ORGANISATION):
        Sidebar(session)
    with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set):
        for name in TABS:
            solara.v.Tab(children=[name])
    # The comparison stays mounted on every tab, so it keeps running while the user explores.
    with solara.Div(style={} if tab.value == COMPARE else {"display": "none"}):
        CompareView(session)
    if tab.value == EXPLORE:
        Explorer(session)
    elif tab.value == ORGANISATION:
        Inside(session)
    elif tab.value == PRESENT:
        Presentation(session)

