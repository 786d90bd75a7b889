"""Customer Focus Simulator: an agent-based model of organisational customer focus.

``CustomerFocusModel`` and ``CustomerFocusScenario`` are loaded on first use, so
``import sim.cli`` (or any light module) does not pay for importing Mesa.
"""

from sim.errors import InputError

__all__ = ["CustomerFocusModel", "CustomerFocusScenario", "InputError"]


def __getattr__(name: str):
    if name == "CustomerFocusModel":
        from sim.model import CustomerFocusModel

        return CustomerFocusModel
    if name == "CustomerFocusScenario":
        from sim.scenario import CustomerFocusScenario

        return CustomerFocusScenario
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
