"""The scenario of one run: Mesa's Scenario with this model's parameters, seeded per replication.

The parameter table and its checks live in :mod:`sim.parameters` (light, no
Mesa); they are re-exported here, so ``from sim.scenario import X`` works for
every name.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from mesa.experimental.scenarios import Scenario

from sim.errors import InputError
from sim.parameters import (
    DEFAULTS,
    LEVERS,
    PARAMETERS,
    Intervention,
    Parameters,
    Spec,
    allowed,
    check_intervention,
    check_timeline,
    check_value,
    resolve,
    seed_sequence,
    validate_parameters,
    whole_number,
)

__all__ = [
    "DEFAULTS",
    "LEVERS",
    "PARAMETERS",
    "CustomerFocusScenario",
    "InputError",
    "Intervention",
    "Levers",
    "Spec",
    "allowed",
    "check_intervention",
    "check_timeline",
    "check_value",
    "resolve",
    "seed_sequence",
    "validate_parameters",
    "whole_number",
]


class CustomerFocusScenario(Parameters, Scenario):
    """Parameters of one run of the customer focus model."""

    def __init__(self, *, replication: int = 0, interventions=(), assumptions=None, **params):
        """Validate ``params`` and seed the run from ``seed`` and ``replication``.

        ``assumptions`` overrides judgement constants by name (see ``sim.assumptions``).
        """
        from sim.assumptions import validate_assumptions

        values, timeline = resolve(params, interventions)
        super().__init__(rng=seed_sequence(values["seed"], replication), **values)
        self.__dict__["replication"] = replication
        self.__dict__["interventions"] = timeline
        self.__dict__["assumptions"] = validate_assumptions(dict(assumptions or {}), "assumptions.")

    def parameters(self) -> dict[str, Any]:
        """The declared parameters and their values (no seed machinery)."""
        return {name: getattr(self, name) for name in PARAMETERS}

    def levers(self) -> dict[str, float]:
        """The five levers and their starting values."""
        return {name: getattr(self, name) for name in LEVERS}


class Levers(SimpleNamespace):
    """The current value of each lever; interventions change them mid-run."""
