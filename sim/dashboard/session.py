"""One browser session's state: the setup being explored, the model running it, and what the page shows of it.

Each browser tab gets its own ``Session`` (see ``sim.app``), so students on
one server never see each other's models. Every change goes through a method
here, validated with the scenario's own checks, so the page can show the
message and keep the last good state. The page reads a ``View``, an immutable
snapshot taken under the lock after each step, so no read races a step.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd
import solara

from sim.dashboard.words import label, plain_number
from sim.model import CustomerFocusModel
from sim.scenario import (
    DEFAULTS,
    LEVERS,
    PARAMETERS,
    CustomerFocusScenario,
    InputError,
    Intervention,
    allowed,
    check_intervention,
    check_value,
)
from sim.scenario_files import Preset, find_preset

# Per browser tab (Solara scopes module-level reactives to one tab, as Mesa's ``update_counter``):
changes = solara.reactive(0)  # bumped after the model steps or restarts
edits = solara.reactive(0)  # bumped after the setup is edited
playing = solara.reactive(False)  # one Play state, whichever tab's button pressed it
interval = solara.reactive(200)  # ms between steps while playing
per_click = solara.reactive(1)  # weeks a step advances
levers_now = solara.reactive({})  # the levers' values in force, set only when a scheduled change moves them
effect = solara.reactive(None)  # the setup against its counterfactual (bands.Effect), filled in the background


def refresh(view: View) -> None:
    """Tell this browser tab's components that the model changed (and the levers, if they did)."""
    if levers_now.value != view.levers:
        levers_now.set(view.levers)
    changes.value += 1


SIZES = ("n_employees", "n_customers", "weeks", "seed")  # what a baseline or a comparison shares with the explorer

# Larger organisations belong to the command line: the page must stay responsive for a class.
DASHBOARD_LIMITS = {"n_employees": 20_000, "n_customers": 200_000, "weeks": 520, "seed": 1_000_000_000}


def allowed_here(name: str) -> str:
    """What the page accepts for ``name``: the parameter's range, capped at the dashboard's limit."""
    limit = DASHBOARD_LIMITS.get(name)
    if limit is None:
        return allowed(name)
    return f"a whole number from {int(PARAMETERS[name][1].low):,} to {limit:,}"


def check_field(name: str, text) -> int | float:
    """A value typed into the page ("4,000" allowed), checked against the parameter's range and the page's limits."""
    limit = DASHBOARD_LIMITS.get(name)
    try:
        value = check_value(name, plain_number(text))
    except InputError:
        value = None
    if value is None or (limit is not None and value > limit):
        extra = " (`cfsim run` takes larger runs)" if name in ("n_employees", "n_customers", "weeks") else ""
        raise InputError(f"{label(name)}: {text!r} is not allowed here; type {allowed_here(name)}{extra}")
    return value


def weeks_in_words(weeks) -> str:
    """The weeks in words: "week 26" or "weeks 26 and 52"."""
    weeks = sorted(set(weeks))
    if len(weeks) == 1:
        return f"week {weeks[0]}"
    return "weeks " + ", ".join(map(str, weeks[:-1])) + f" and {weeks[-1]}"


@functools.cache
def baseline_preset() -> Preset:
    """The Baseline preset, read once: every counterfactual of a scenario without changes needs it."""
    return find_preset("baseline")


@dataclass(frozen=True)
class Setup:
    """What a run is built from: a preset, its parameters as edited, its interventions and assumptions."""

    preset: Preset
    parameters: dict = field(default_factory=dict)
    interventions: tuple[Intervention, ...] = ()
    assumptions: dict = field(default_factory=dict)

    @classmethod
    def of(cls, preset: Preset) -> Setup:
        """A preset's setup, unedited."""
        return cls(preset, {**DEFAULTS, **preset.parameters}, tuple(preset.interventions), dict(preset.assumptions))

    def sizes(self) -> dict:
        """Organisation size, customers, weeks and seed."""
        return {name: self.parameters[name] for name in SIZES}

    def scenario(self, replication: int = 0) -> CustomerFocusScenario:
        """The scenario of replication ``replication``."""
        return CustomerFocusScenario(replication=replication, interventions=self.interventions,
                                     assumptions=self.assumptions, **self.parameters)

    def counterfactual(self) -> tuple[str, Setup] | None:
        """What this run is compared with, in words: itself without its interventions, else the Baseline preset.

        None for the Baseline's own organisation with no interventions (nothing to compare).
        """
        if self.interventions:
            return (f"the same organisation without the change at {weeks_in_words(i.week for i in self.interventions)}",
                    replace(self, interventions=()))
        baseline = Setup.of(baseline_preset())
        other = replace(baseline, parameters={**baseline.parameters, **self.sizes()}, assumptions=self.assumptions)
        if other.parameters == self.parameters:
            return None
        return f"{baseline.preset.name} (a different starting organisation)", other


@dataclass(frozen=True, eq=False)
class View:
    """What the page shows of the run at one moment: an immutable snapshot (equal only to itself)."""

    week: int
    weeks: int
    running: bool
    outputs: pd.DataFrame
    levers: dict  # the levers' values now (interventions change them mid-run)
    lost_by_reason: pd.Series


def snapshot(model: CustomerFocusModel) -> View:
    """The model's state for the page (call under the session's lock)."""
    return View(model.steps, model.scenario.weeks, model.running, model.weekly_outputs(),
                {name: getattr(model.levers, name) for name in LEVERS}, model.lost_by_reason())


class Session:
    """The explorer's setup and model; methods validate, then rebuild or step."""

    def __init__(self, setup: Setup | None = None):
        """Start from ``setup`` (default: the Baseline preset) at week 0."""
        self.lock = threading.Lock()  # the play task and the buttons step the same model
        self.setup = setup or Setup.of(find_preset("baseline"))
        self.model = CustomerFocusModel(self.setup.scenario())
        self.view = snapshot(self.model)

    def reset(self) -> None:
        """Start the run again from week 0 with the current setup."""
        with self.lock:
            self.model = CustomerFocusModel(self.setup.scenario())
            self.view = snapshot(self.model)
        refresh(self.view)

    def step(self, weeks: int = 1, still: Callable[[], bool] = lambda: True) -> None:
        """Advance up to ``weeks`` weeks (not past the end of the run), if ``still()`` once the lock is ours.

        Play passes "still playing", so a step that waited while the user paused or reset never happens.
        """
        with self.lock:
            if not still():
                return
            for _ in range(weeks):
                if not self.model.running:
                    break
                self.model.step()
            self.view = snapshot(self.model)
        refresh(self.view)

    def read(self, look: Callable[[CustomerFocusModel], object]):
        """``look(model)`` under the lock, so it never sees a half-done step."""
        with self.lock:
            return look(self.model)

    def choose_preset(self, key: str) -> None:
        """Load a preset's parameters and interventions and start again."""
        self.change(Setup.of(find_preset(key)))

    def set_parameter(self, name: str, text) -> None:
        """Set one parameter from the page (raises InputError, changing nothing, if it is not allowed)."""
        value = check_field(name, text)
        parameters = {**self.setup.parameters, name: value}
        if name == "weeks":
            late = [i for i in self.setup.interventions if i.week > value]
            if late:
                raise InputError(f"{label('weeks')}: a change is scheduled at week {late[0].week}; "
                                 f"remove it first or keep at least {max(i.week for i in late)} weeks")
        self.change(replace(self.setup, parameters=parameters))

    def add_intervention(self, week, lever: str, value) -> None:
        """Schedule "at week N set lever X to v" (validated) and start again."""
        intervention = check_intervention(plain_number(week), lever, value, self.setup.parameters["weeks"])
        timeline = tuple(sorted({*self.setup.interventions, intervention}))
        self.change(replace(self.setup, interventions=timeline))

    def remove_intervention(self, intervention: Intervention) -> None:
        """Drop one scheduled intervention and start again."""
        timeline = tuple(i for i in self.setup.interventions if i != intervention)
        self.change(replace(self.setup, interventions=timeline))

    def change(self, setup: Setup) -> None:
        """Replace the setup (validated as a whole first) and start again from week 0."""
        setup.scenario()  # validates the whole setup before anything changes
        for name in SIZES:
            check_field(name, setup.parameters[name])
        playing.set(False)
        self.setup = setup
        edits.value += 1
        self.reset()
