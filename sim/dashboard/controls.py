"""The page's controls, after Mesa's SolaraViz: reset, play/pause, step, speed; preset, levers, sizes, seed.

Every control calls a ``Session`` method; an ``InputError`` becomes a message
under the control and the last good setup stays in force. Play, speed and
weeks per step are one state per browser tab (``session.playing`` and
friends), so every tab's buttons show and change the same run.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from sim.dashboard.session import Session, allowed_here, changes, edits, interval, levers_now, per_click, playing
from sim.dashboard.words import label, meaning
from sim.scenario import LEVERS, InputError
from sim.scenario_files import list_presets

SPEEDS = {"slow: 1 week a second": 1000, "normal: 5 weeks a second": 200, "fast: as fast as it goes": 0}


def guarded(action: Callable[[], None], error: solara.Reactive) -> None:
    """Run ``action``; show its ``InputError`` in ``error`` instead of raising."""
    try:
        action()
        error.set(None)
    except InputError as problem:
        error.set(str(problem))


def levers_in_words(levers: dict) -> str:
    """The levers' values now, in words."""
    return "Levers now: " + ", ".join(f"{label(name)} {value:.2f}" for name, value in levers.items())


@solara.component
def RunControls(session: Session, large: bool = False):
    """Reset, play/pause and step; the week, and the levers now. The same state on every tab."""
    changes.get()  # redraw after every step
    view = session.view
    size = {"font-size": "1.2rem", "min-width": "110px"} if large else {}

    def reset():
        playing.set(False)
        session.reset()

    with solara.Row(justify="start" if large else "space-between", style={"align-items": "center"}):
        solara.Button("Reset", color="primary", on_click=reset, style=size)
        solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary", style=size,
                      on_click=lambda: playing.set(not playing.value), disabled=not view.running)
        solara.Button("Step", color="primary", on_click=lambda: session.step(per_click.value), style=size,
                      disabled=playing.value or not view.running)
        if large:
            solara.Text(f"Week {view.week} of {view.weeks}", style={"font-size": "1.6rem", "font-weight": "bold"})
    if not large:
        solara.Text(f"Week {view.week} of {view.weeks}", style={"font-size": "1.1rem", "font-weight": "bold"})
        solara.Text(levers_in_words(view.levers), style={"font-size": "0.8rem", "color": "#444"})
        solara.Text(f"Seed {session.model.scenario.seed:,}", style={"font-size": "0.8rem", "color": "#444"})


@solara.component
def SpeedControls():
    """The play interval and weeks per step (Explore's sidebar)."""
    solara.SliderInt(f"Pause when playing: {interval.value:,} ms", value=interval, min=0, max=1000,
                     step=50)
    solara.SliderInt(f"Weeks per step: {per_click.value}", value=per_click, min=1, max=26)


@solara.component
def SpeedPicker():
    """Slow, normal or fast play (Present)."""
    names = {ms: name for name, ms in SPEEDS.items()}
    solara.Select("Speed", values=list(SPEEDS), value=names.get(interval.value, "normal: 5 weeks a second"),
                  on_value=lambda name: interval.set(SPEEDS[name]), style={"max-width": "260px"})


@solara.component
def PresetPicker(session: Session, describe: bool = True):
    """Choose a preset scenario; its description is shown beneath."""
    presets = solara.use_memo(list_presets, [])
    names = {p.name: p.key for p in presets}
    edits.get()
    error = solara.use_reactive(None)
    current = session.setup.preset.name
    solara.Select("Scenario", values=list(names) if current in names else [current, *names], value=current,
                  on_value=lambda name: guarded(lambda: session.choose_preset(names[name]), error))
    if describe:
        solara.Text(session.setup.preset.description.strip(), style={"font-size": "0.9rem"})
    if error.value:
        solara.Error(error.value)


@solara.component
def LeverSlider(session: Session, name: str):
    """One lever's slider, its value always shown, and what 0, 0.5 and 1 mean; a change starts the run again."""
    error = solara.use_reactive(None)
    edits.get()
    value = session.setup.parameters[name]
    now = levers_now.value.get(name, value)
    changed = f" · now {now:.2f} after a scheduled change" if now != value else ""
    solara.SliderFloat(f"{label(name)}: {value:.2f}{changed}", value=value, min=0.0, max=1.0, step=0.05,
                       on_value=lambda v: guarded(lambda: session.set_parameter(name, v), error))
    solara.Text(meaning(name), style={"font-size": "0.75rem", "color": "#444"})
    if error.value:
        solara.Error(error.value)


@solara.component
def SizeField(session: Session, name: str):
    """A size, the length or the seed as a text field ("4,000" is fine), checked on Enter or on leaving it."""
    error = solara.use_reactive(None)
    edits.get()
    solara.InputText(label(name), value=f"{session.setup.parameters[name]:,}",
                     on_value=lambda text: guarded(lambda: session.set_parameter(name, text), error),
                     error=bool(error.value), message="" if error.value else allowed_here(name))
    if error.value:
        solara.Error(error.value)


@solara.component
def Levers(session: Session):
    """Every lever's slider."""
    for name in LEVERS:
        LeverSlider(session, name)
