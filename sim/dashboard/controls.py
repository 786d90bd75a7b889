"""The page's controls, after Mesa's SolaraViz: reset, play/pause, step, speed; preset, levers, sizes, seed.

Every control calls a ``Session`` method; an ``InputError`` becomes a message
under the control and the last good setup stays in force.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import solara
import solara.lab

from sim.dashboard.session import Session, allowed_here, changes, edits
from sim.scenario import PARAMETERS, InputError
from sim.scenario_files import list_presets


def guarded(action: Callable[[], None], error: solara.Reactive) -> None:
    """Run ``action``; show its ``InputError`` in ``error`` instead of raising."""
    try:
        action()
        error.set(None)
    except InputError as problem:
        error.set(str(problem))


def running_summary(scenario) -> str:
    """The levers and seed of the run in progress, as the server holds them."""
    levers = ", ".join(f"{name.replace('_', ' ')} {value:.2f}" for name, value in scenario.levers().items())
    return f"Running with {levers}; seed {scenario.seed}"


@solara.component
def RunControls(session: Session, large: bool = False):
    """Reset, play/pause, step and speed, as in Mesa's ModelController; plays in a background thread."""
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(200)
    per_click = solara.use_reactive(1)

    def play():
        while playing.value and session.model.running:
            time.sleep(interval.value / 1000)
            if playing.value:  # not paused while we waited
                session.step(per_click.value)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def reset():
        playing.set(False)
        session.reset()

    def step():
        session.step(per_click.value)

    changes.get()  # redraw after every step
    model = session.model
    size = {"font-size": "1.3rem", "min-width": "90px"} if large else {}
    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=reset, style=size)
        solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary", style=size,
                      on_click=lambda: playing.set(not playing.value), disabled=not model.running)
        solara.Button("Step", color="primary", on_click=step, style=size, disabled=playing.value or not model.running)
    solara.Text(f"Week {model.steps} of {model.scenario.weeks}", style={"font-size": "1.6rem" if large else "1.1rem",
                                                                        "font-weight": "bold"})
    solara.Text(running_summary(model.scenario), style={"font-size": "0.8rem", "color": "#555"})
    if not large:
        solara.SliderInt("Play interval (ms)", value=interval, min=0, max=1000, step=50)
        solara.SliderInt("Weeks per step", value=per_click, min=1, max=26)


@solara.component
def PresetPicker(session: Session):
    """Choose a preset scenario; its description is shown beneath."""
    presets = solara.use_memo(list_presets, [])
    names = {p.name: p.key for p in presets}
    edits.get()
    error = solara.use_reactive(None)
    solara.Select("Scenario preset", values=list(names), value=session.setup.preset.name,
                  on_value=lambda name: guarded(lambda: session.choose_preset(names[name]), error))
    solara.Text(session.setup.preset.description.strip(), style={"font-size": "0.9rem"})
    if error.value:
        solara.Error(error.value)


@solara.component
def LeverSlider(session: Session, name: str):
    """One lever's slider with its help line; a change starts the run again."""
    error = solara.use_reactive(None)
    edits.get()
    solara.SliderFloat(name.replace("_", " "), value=session.setup.parameters[name], min=0.0, max=1.0, step=0.05,
                       on_value=lambda v: guarded(lambda: session.set_parameter(name, v), error))
    solara.Text(PARAMETERS[name][1].help, style={"font-size": "0.75rem", "color": "#666"})
    if error.value:
        solara.Error(error.value)


@solara.component
def SizeField(session: Session, name: str):
    """A size, the length or the seed as a text field, checked on Enter or on leaving the field."""
    error = solara.use_reactive(None)
    edits.get()
    solara.InputText(name.replace("_", " "), value=str(session.setup.parameters[name]),
                     on_value=lambda text: guarded(lambda: session.set_parameter(name, text), error),
                     error=bool(error.value), message="" if error.value else allowed_here(name))
    if error.value:
        solara.Error(error.value)
