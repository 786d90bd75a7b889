"""The customer focus model: one step is one week.

A week runs in one direction: interventions set the levers; culture moves
(trust, then customer focus); courageous leaders change the structure;
journeys pass through the functions; customers react, leave or are won; the
week is recorded.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector

from sim import culture as culture_
from sim import customers as customers_
from sim import leadership, work
from sim.agents import Employee
from sim.assumptions import Assumptions
from sim.organisation import BETWEEN_FUNCTIONS, FUNCTIONS, build_organisation, informal_network, initial_barriers
from sim.record import (
    WEEKLY_COLUMNS,
    Recorder,
    focus_by_function_and_level,
    handoff_success_by_pair,
    leader_mask,
    lost_by_reason,
)
from sim.scenario import CustomerFocusScenario, Levers, seed_sequence

FAILURE_MEMORY = 0.9  # weekly decay of the failure counts leaders can see


_UNSET = object()


def _seed_from(rng) -> int:
    """A root seed from Mesa's ``rng`` keyword (see CustomerFocusModel)."""
    if rng is None:
        rng = np.random.SeedSequence()
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63 - 1))
    return rng  # a number: validated as the seed parameter


def _column(name: str, model: CustomerFocusModel):
    return model.latest[name]


class CustomerFocusModel(Model):
    """Employees copy their leaders, work in silos and hand customer work across them."""

    def __init__(self, scenario: CustomerFocusScenario | None = None, *, rng=_UNSET, **parameters):
        """Build the organisation and the market from ``scenario`` (defaults if None).

        Keyword ``parameters`` override the scenario's (for example ``seed=7``,
        ``replication=2`` or ``interventions=[...]``).
        ``rng`` is Mesa's seeding keyword, as ``mesa.batch_run`` passes it: a
        whole number is used as the ``seed``; a SeedSequence or Generator gives
        a seed drawn from it; None draws a fresh seed from the operating system
        (so ``batch_run(..., iterations=5)`` gives five different runs, as for
        any Mesa model).
        """
        if rng is not _UNSET:
            parameters["seed"] = _seed_from(rng)
        if scenario is None or parameters:
            base = scenario or CustomerFocusScenario()
            scenario = CustomerFocusScenario(
                replication=parameters.pop("replication", base.replication),
                interventions=parameters.pop("interventions", base.interventions),
                assumptions=parameters.pop("assumptions", base.assumptions),
                **{**base.parameters(), **parameters},
            )
        super().__init__(scenario=scenario)
        root = seed_sequence(scenario.seed, scenario.replication)  # fresh: a reused scenario gives the same run
        rng_org, rng_culture, rng_leaders, rng_work, rng_customers = map(np.random.default_rng, root.spawn(5))
        self.streams = {"leaders": rng_leaders, "work": rng_work, "customers": rng_customers,
                        "organisation": rng_org}
        self.assumptions = Assumptions(scenario.assumptions)
        self.levers = Levers(**scenario.levers())
        self.demand = work.expected_stages(scenario.n_customers)
        self.organisation = build_organisation(scenario.n_employees, self.levers.silo_strength, rng_org)
        self.culture = culture_.new_culture(self.organisation, self.levers, rng_culture)
        self.customers = customers_.new_customers(scenario.n_customers, self.history_shares(), rng_customers)
        self.recorder = Recorder(len(FUNCTIONS))
        self.failures_seen = np.zeros((len(FUNCTIONS), len(FUNCTIONS)))
        self.employees = [Employee(self, i) for i in range(scenario.n_employees)]
        self.latest: dict[str, float] = {}
        self.datacollector = DataCollector(
            model_reporters={name: partial(_column, name) for name in WEEKLY_COLUMNS}
        )
        self.running = True

    def step(self) -> None:
        """One week: levers, culture, leadership, work, customers, record."""
        self.apply_interventions()
        culture_.update_trust(self.organisation, self.culture, self.levers)
        culture_.update_focus(self.organisation, self.culture, self.levers)
        actions = leadership.take_actions(self.organisation, self.culture, self.levers,
                                          self.failures_seen, self.streams["leaders"])
        exposed = int(self.customers.active.sum())
        who = customers_.start_journeys(self.customers, self.streams["customers"])
        outcome = work.run_journeys(len(who), self.organisation, self.culture.focus,
                                    self.capacity(), self.streams["work"])
        customers_.experience(self.customers, who, outcome)
        lost = customers_.churn(self.customers, self.streams["customers"])
        won = customers_.win(self.customers, self.streams["customers"])
        self.failures_seen = FAILURE_MEMORY * self.failures_seen + (outcome.attempts - outcome.successes)
        self.record(outcome, actions, exposed, lost, won)
        self.running = self.steps < self.scenario.weeks

    def apply_interventions(self) -> None:
        """Set the levers scheduled for this week; a new silo strength rewires the organisation."""
        for intervention in self.scenario.interventions:
            if intervention.week != self.steps:
                continue
            if intervention.lever == "silo_strength":
                self.rewire(self.levers.silo_strength, intervention.value)
            setattr(self.levers, intervention.lever, intervention.value)

    def rewire(self, old: float, new: float) -> None:
        """A reorganisation from silo strength ``old`` to ``new``.

        The informal network is redrawn for ``new``; barriers scale by
        new / old, keeping what leaders had already removed (from no silos at
        all, barriers start afresh at ``new``).
        """
        org = self.organisation
        sizes = np.bincount(org.function)
        org.peers = informal_network(org.function, org.executives, sizes, new, self.streams["organisation"])
        if old > 0:
            org.barrier *= new / old
        else:
            org.barrier = initial_barriers(len(FUNCTIONS), new)

    def history_shares(self, weeks: int = 8) -> np.ndarray:
        """Shares of journey outcomes in today's organisation: each handoff failing, a delay, success.

        Estimated from ``weeks`` weeks of the journeys the initial book brings;
        the order is that of the customers' failure record, success last.
        """
        per_week = max(1, round(self.scenario.n_customers * work.JOURNEY_RATE))
        codes = []
        for _ in range(weeks):
            o = work.run_journeys(per_week, self.organisation, self.culture.focus, self.capacity(),
                                  self.streams["work"])
            codes.append(np.where(o.failed, o.failed_handoff, np.where(o.delayed, customers_.DELAYS,
                                                                       customers_.SUCCESS)))
        counts = np.bincount(np.concatenate(codes), minlength=customers_.SUCCESS + 1)
        return counts / counts.sum()

    def capacity(self) -> np.ndarray:
        """Stage capacity of each function this week (funding grows with courage)."""
        return work.capacity(self.demand, self.levers.leadership_courage)

    def record(self, outcome, actions, exposed: int, lost: int, won: int) -> None:
        """Compute this week's output row and hand it to the DataCollector."""
        org, cult, cust = self.organisation, self.culture, self.customers
        handoff_rate, cross_rate = self.recorder.add_handoffs(outcome.attempts, outcome.successes)
        leaders = leader_mask(org)
        n_journeys = len(outcome.failed)
        self.latest = {
            "week": self.steps,
            "retention_rate": self.recorder.retention_rate(lost, exposed),
            "customers_active": int(cust.active.sum()),
            "customers_lost": lost,
            "customers_won": won,
            "satisfaction_mean": float(cust.satisfaction[cust.active].mean()) if cust.active.any() else float("nan"),
            "customer_focus_mean": float(cult.focus.mean()),
            "customer_focus_leaders": float(cult.focus[leaders].mean()),
            "customer_focus_frontline": float(cult.focus[~leaders].mean()),
            "trust_mean": float(cult.trust.mean()),
            "handoff_success_rate": handoff_rate,
            "cross_silo_handoff_success_rate": cross_rate,
            "journeys": n_journeys,
            "journey_success_rate": float((~outcome.failed & ~outcome.delayed).mean()) if n_journeys else float("nan"),
            "journeys_delayed": int(outcome.delayed.sum()),
            "barrier_mean": float(org.barrier[BETWEEN_FUNCTIONS].mean()),
            "handoffs_fixed": actions.handoffs_fixed,
            "employees_replaced": actions.employees_replaced,
        }
        self.datacollector.collect(self)

    def run(self) -> pd.DataFrame:
        """Run to the scenario's last week; return the weekly outputs."""
        while self.running:
            self.step()
        return self.weekly_outputs()

    def weekly_outputs(self) -> pd.DataFrame:
        """One row per week recorded so far, columns as in ``WEEKLY_COLUMNS``."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def focus_by_function_and_level(self) -> pd.DataFrame:
        """Mean customer focus by function (rows) and level (columns)."""
        return focus_by_function_and_level(self.organisation, self.culture)

    def handoff_success_by_pair(self) -> pd.DataFrame:
        """Handoff success so far between each pair of functions."""
        return handoff_success_by_pair(self.recorder)

    def lost_by_reason(self) -> pd.Series:
        """Customers lost so far, by the handoff that failed them most."""
        return lost_by_reason(self.customers.lost_by_reason)
