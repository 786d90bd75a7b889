"""One browser session's state: the setup being explored and the model running it.

Each browser tab gets its own ``Session`` (see ``sim.app``), so students on
one server never see each other's models. Every change goes through a method
here, validated with the scenario's own checks, so the page can show the
message and keep the last good state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import solara

from sim.model import CustomerFocusModel
from sim.scenario import (
    DEFAULTS,
    PARAMETERS,
    CustomerFocusScenario,
    InputError,
    Intervention,
    allowed,
    check_intervention,
    check_value,
)
from sim.scenario_files import Preset, find_preset

# Bumped after the model steps or restarts (``changes``) and after the setup is edited (``edits``);
# components that read one redraw. Solara scopes module-level reactives to one browser tab, as
# Mesa's ``update_counter``.
changes = solara.reactive(0)
edits = solara.reactive(0)


def refresh() -> None:
    """Tell this browser tab's components that the model changed."""
    changes.value += 1


SIZES = ("n_employees", "n_customers", "weeks", "seed")  # what a baseline or a comparison shares with the explorer

# Larger organisations belong to the command line: the page must stay responsive for a class.
DASHBOARD_LIMITS = {"n_employees": 20_000, "n_customers": 200_000, "weeks": 520}


def allowed_here(name: str) -> str:
    """What the page accepts for ``name``: the parameter's range, capped at the dashboard's limit."""
    limit = DASHBOARD_LIMITS.get(name)
    if limit is None:
        return allowed(name)
    return f"a whole number from {int(PARAMETERS[name][1].low):,} to {limit:,} (`cfsim run` takes larger runs)"


def check_field(name: str, text) -> int | float:
    """A value typed into the page, checked against the parameter's range and the dashboard's limits."""
    limit = DASHBOARD_LIMITS.get(name)
    try:
        value = check_value(name, text)
    except InputError:
        if limit is None:
            raise
        value = None
    if limit is not None and (value is None or value > limit):
        raise InputError(f"{name} = {text!r}: expected {allowed_here(name)}")
    return value


@dataclass(frozen=True)
class Setup:
    """What a run is built from: a preset, its parameters as edited, its interventions."""

    preset: Preset
    parameters: dict = field(default_factory=dict)
    interventions: tuple[Intervention, ...] = ()

    @classmethod
    def of(cls, preset: Preset) -> Setup:
        """A preset's setup, unedited."""
        return cls(preset, {**DEFAULTS, **preset.parameters}, tuple(preset.interventions))

    def sizes(self) -> dict:
        """Organisation size, customers, weeks and seed."""
        return {name: self.parameters[name] for name in SIZES}

    def scenario(self, replication: int = 0) -> CustomerFocusScenario:
        """The scenario of replication ``replication``."""
        return CustomerFocusScenario(replication=replication, interventions=self.interventions, **self.parameters)


class Session:
    """The explorer's setup and model; methods validate, then rebuild or step."""

    def __init__(self, preset: str = "baseline"):
        self.lock = threading.Lock()  # the play task and the buttons step the same model
        self.setup = Setup.of(find_preset(preset))
        self.model = CustomerFocusModel(self.setup.scenario())

    def reset(self) -> None:
        """Start the run again from week 0 with the current setup."""
        with self.lock:
            self.model = CustomerFocusModel(self.setup.scenario())
        refresh()

    def step(self, weeks: int = 1) -> None:
        """Advance up to ``weeks`` weeks (not past the end of the run)."""
        with self.lock:
            for _ in range(weeks):
                if not self.model.running:
                    break
                self.model.step()
        refresh()

    def choose_preset(self, key: str) -> None:
        """Load a preset's parameters and interventions and start again."""
        self._change(Setup.of(find_preset(key)))

    def set_parameter(self, name: str, text) -> None:
        """Set one parameter from the page (raises InputError, changing nothing, if it is not allowed)."""
        value = check_field(name, text)
        parameters = {**self.setup.parameters, name: value}
        if name == "weeks":
            late = [i for i in self.setup.interventions if i.week > value]
            if late:
                raise InputError(f"weeks = {value}: an intervention is scheduled at week {late[0].week}; "
                                 f"remove it first or keep at least {max(i.week for i in late)} weeks")
        self._change(replace(self.setup, parameters=parameters))

    def add_intervention(self, week, lever: str, value) -> None:
        """Schedule "at week N set lever X to v" (validated) and start again."""
        intervention = check_intervention(week, lever, value, self.setup.parameters["weeks"])
        timeline = tuple(sorted({*self.setup.interventions, intervention}))
        self._change(replace(self.setup, interventions=timeline))

    def remove_intervention(self, intervention: Intervention) -> None:
        """Drop one scheduled intervention and start again."""
        timeline = tuple(i for i in self.setup.interventions if i != intervention)
        self._change(replace(self.setup, interventions=timeline))

    def _change(self, setup: Setup) -> None:
        setup.scenario()  # validates the whole setup before anything changes
        self.setup = setup
        edits.value += 1
        self.reset()
