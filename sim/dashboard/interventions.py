"""Scheduling changes from the page: "at week N set lever X to v"."""

from __future__ import annotations

import solara

from sim.dashboard.controls import guarded
from sim.dashboard.session import Session, edits
from sim.dashboard.words import label
from sim.scenario import LEVERS


def describe(intervention) -> str:
    """An intervention in words."""
    return f"week {intervention.week}: {label(intervention.lever)} → {intervention.value:g}"


@solara.component
def InterventionEditor(session: Session):
    """The scheduled changes with a remove button each, and a form to add one."""
    week = solara.use_reactive("26")
    lever = solara.use_reactive(label(LEVERS[0]))
    value = solara.use_reactive("0.8")
    error = solara.use_reactive(None)
    edits.get()
    by_label = {label(name): name for name in LEVERS}
    timeline = session.setup.interventions
    if not timeline:
        solara.Text("None scheduled.", style={"font-size": "0.85rem"})
    for intervention in timeline:
        with solara.Row(style={"align-items": "center"}):
            solara.Text(describe(intervention), style={"font-size": "0.85rem"})
            solara.Button("remove", text=True, color="error",
                          on_click=lambda i=intervention: guarded(lambda: session.remove_intervention(i), error))
    solara.InputText("At week", value=week, continuous_update=True)
    solara.Select("Set lever", values=list(by_label), value=lever)
    solara.InputText("To value (0 to 1)", value=value, continuous_update=True)
    solara.Button("Schedule the change", color="primary", outlined=True,
                  on_click=lambda: guarded(lambda: session.add_intervention(week.value, by_label[lever.value],
                                                                            value.value), error))
    if error.value:
        solara.Error(error.value)
