"""The Employee agent: a Mesa agent that views one row of the model's arrays.

State lives in numpy arrays for speed; the agent reads its row, so Mesa's
AgentSet ``select``, ``agg`` and ``groupby`` work as usual, e.g.
``model.agents.select(lambda a: a.level == "frontline").agg("customer_focus", np.mean)``.
"""

from __future__ import annotations

from mesa import Agent

from sim.organisation import EXECUTIVE, FRONTLINE, FUNCTIONS, LEVELS


class Employee(Agent):
    """One employee: a seat in a function and level, with customer focus and trust."""

    def __init__(self, model, index: int):
        """Create the agent viewing row ``index`` of the model's arrays."""
        super().__init__(model)
        self.index = index

    @property
    def function(self) -> str:
        """Name of the employee's function."""
        return FUNCTIONS[self.model.organisation.function[self.index]]

    @property
    def level(self) -> str:
        """executive, manager or frontline."""
        return LEVELS[self.model.organisation.level[self.index]]

    @property
    def is_leader(self) -> bool:
        """True for executives and managers."""
        return self.model.organisation.level[self.index] != FRONTLINE

    @property
    def is_executive(self) -> bool:
        """True for the function heads."""
        return self.model.organisation.level[self.index] == EXECUTIVE

    @property
    def customer_focus(self) -> float:
        """How much the employee acts for the external customer, in [0, 1]."""
        return float(self.model.culture.focus[self.index])

    @property
    def trust(self) -> float:
        """Trust in leadership, in [0, 1]."""
        return float(self.model.culture.trust[self.index])

    @property
    def disposition(self) -> float:
        """Personal customer disposition, in [0, 1]."""
        return float(self.model.culture.disposition[self.index])

    @property
    def manager(self) -> Employee | None:
        """The employee's manager (None for the CEO)."""
        boss = int(self.model.organisation.manager[self.index])
        return None if boss == self.index else self.model.employees[boss]
