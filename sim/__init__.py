"""Customer Focus Simulator: an agent-based model of organisational customer focus."""

from sim.model import CustomerFocusModel
from sim.scenario import CustomerFocusScenario, InputError

__all__ = ["CustomerFocusModel", "CustomerFocusScenario", "InputError"]
