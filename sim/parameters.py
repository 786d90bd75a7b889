"""The parameters of a run, as data: names, types, ranges, defaults, help, and their checks.

Every parameter is declared once on :class:`Parameters` with its type,
allowed range and a line of help.  The CLI's ``--set``, scenario files, the
dashboard and sweep files all read them from here.  This module is light (no
Mesa, no numpy at import), so commands that only list or check parameters
start fast; :class:`sim.scenario.CustomerFocusScenario` adds Mesa's Scenario.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

from sim.errors import InputError

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Spec:
    """Allowed range and help text of one parameter."""

    low: float
    high: float
    help: str
    lever: bool = False  # a lever may be changed mid-run by an intervention


def _lever(help_text: str) -> Spec:
    return Spec(0.0, 1.0, help_text, lever=True)


class Parameters:
    """The declared parameters of one run: type, range and help (``Annotated``) and default."""

    leadership_courage: Annotated[
        float,
        _lever("rate at which leaders take hard structural actions: lower silo "
               "barriers, fix failing handoffs, confront resisters, fund the change"),
    ] = 0.1
    transparency: Annotated[
        float,
        _lever("how much leaders disclose: executives' visibility and the trust it builds"),
    ] = 0.3
    metric_alignment: Annotated[
        float,
        _lever("share of what people are measured and rewarded on that is customer "
               "outcomes rather than silo output"),
    ] = 0.2
    leader_customer_focus: Annotated[
        float,
        _lever("what leaders do for the customer: the customer focus of their own deeds"),
    ] = 0.6
    say_do_gap: Annotated[
        float,
        _lever("how far leaders' words run ahead of their deeds (0: they do what they say; "
               "1: they promise full customer focus whatever they do)"),
    ] = 0.2
    silo_strength: Annotated[
        float,
        _lever("how closed functions are: fewer informal ties across them, higher "
               "barriers on handoffs between them"),
    ] = 0.6
    n_employees: Annotated[
        int, Spec(24, 2_000_000, "number of employees (at least 3 per function)")
    ] = 400
    n_customers: Annotated[
        int, Spec(10, 50_000_000, "customer accounts in the book at the start (the market holds twice as many)")
    ] = 4_000
    weeks: Annotated[int, Spec(1, 5_200, "number of weeks to simulate")] = 104
    seed: Annotated[int, Spec(0, 2**63 - 1, "root seed of the random generator")] = 42


def seed_sequence(seed: int, replication: int = 0) -> np.random.SeedSequence:
    """The seed of replication ``replication`` of a run seeded with ``seed``."""
    import numpy as np  # here, not at import: numpy alone costs 0.1 s of a command's start-up

    return np.random.SeedSequence(seed, spawn_key=(replication,))


def _collect_specs() -> dict[str, tuple[type, Spec]]:
    hints = get_type_hints(Parameters, include_extras=True)
    specs = {}
    for name, hint in hints.items():
        meta = getattr(hint, "__metadata__", ())
        if meta and isinstance(meta[0], Spec):
            specs[name] = (hint.__origin__, meta[0])
    return specs


PARAMETERS: dict[str, tuple[type, Spec]] = _collect_specs()
LEVERS: tuple[str, ...] = tuple(n for n, (_, s) in PARAMETERS.items() if s.lever)
DEFAULTS: dict[str, Any] = {n: getattr(Parameters, n) for n in PARAMETERS}


def allowed(name: str) -> str:
    """Describe in words what ``name`` accepts."""
    kind, spec = PARAMETERS[name]
    if kind is int:
        return f"a whole number from {int(spec.low):,} to {int(spec.high):,}"
    return f"a number from {spec.low:g} to {spec.high:g}"


def check_value(name: str, value: Any, where: str = "") -> int | float:
    """Return ``value`` as the type of parameter ``name``, or raise InputError."""
    prefix = f"{where}{name}"
    if name not in PARAMETERS:
        raise InputError(f"{prefix}: unknown parameter; known: {', '.join(PARAMETERS)}")
    kind, spec = PARAMETERS[name]
    shown = value
    if isinstance(value, str):
        value = _parse_text(value, kind, prefix, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{prefix} = {shown!r}: expected {allowed(name)}")
    if kind is int and not (isinstance(value, int) or float(value).is_integer()):
        raise InputError(f"{prefix} = {shown!r}: expected {allowed(name)}")
    if not math.isfinite(value) or not spec.low <= value <= spec.high:
        raise InputError(f"{prefix} = {shown!r} is out of range: expected {allowed(name)}")
    return kind(value)


def _parse_text(text: str, kind: type, prefix: str, name: str) -> int | float:
    try:
        return kind(text.strip())
    except ValueError:
        raise InputError(f"{prefix} = {text!r}: expected {allowed(name)}") from None


def whole_number(value: Any, low: int, high: int, label: str) -> int:
    """``value`` (a whole number or its text) from ``low`` to ``high``, or an InputError naming ``label``."""
    number = value
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise InputError(f"{label} = {value!r}: expected a whole number from {low:,} to {high:,}")
    return number


def validate_parameters(params: dict[str, Any], where: str = "") -> dict[str, Any]:
    """Check every entry of ``params``; return them typed."""
    return {name: check_value(name, value, where) for name, value in params.items()}


@dataclass(frozen=True, order=True)
class Intervention:
    """At the start of ``week``, set ``lever`` to ``value``."""

    week: int
    lever: str
    value: float


def check_intervention(week: Any, lever: str, value: Any, weeks: int, where: str = "") -> Intervention:
    """Validate one intervention against the run's length and the lever ranges."""
    if lever not in LEVERS:
        raise InputError(
            f"{where}{lever}: not a lever; an intervention can set {', '.join(LEVERS)}"
        )
    if isinstance(week, str):
        try:
            week = int(week)
        except ValueError:
            raise InputError(f"{where}week = {week!r}: expected a whole number") from None
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= weeks:
        raise InputError(
            f"{where}week = {week!r}: expected a whole number from 1 to weeks ({weeks})"
        )
    return Intervention(week, lever, float(check_value(lever, value, where)))


def check_timeline(interventions, where: str = "") -> tuple[Intervention, ...]:
    """The interventions in week order; two that set one lever in the same week are refused, naming both."""
    timeline = tuple(sorted(interventions))
    for first, second in itertools.pairwise(timeline):
        if (first.week, first.lever) == (second.week, second.lever):
            raise InputError(
                f"{where}interventions: week {first.week} sets {first.lever} twice "
                f"({first.value:g} and {second.value:g}); keep one"
            )
    return timeline


def resolve(params: dict[str, Any], interventions=()) -> tuple[dict[str, Any], tuple[Intervention, ...]]:
    """Every parameter's value (defaults overridden by ``params``) and the checked timeline of interventions."""
    values = {**DEFAULTS, **validate_parameters(params)}
    timeline = check_timeline([
        check_intervention(i.week, i.lever, i.value, values["weeks"], "intervention ")
        for i in interventions
    ])
    return values, timeline
