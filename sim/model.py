"""The customer focus model: one step is one week.

A week runs in one direction: interventions set the levers; inside the
organisation, culture moves (trust, then customer focus), staff engage,
leave and are replaced, courageous leaders change the structure, silos
re-form, headcount follows the work and journeys pass through the
functions; then customers react, leave or are won; the week is recorded.
Before week 1 the organisation runs SETTLING_WEEKS weeks under its starting
levers (as staffed), so a run starts from its steady state rather than from
an arbitrary one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector

from sim import culture as culture_
from sim import customers as customers_
from sim import leadership, staffing, work
from sim.agents import Employee
from sim.assumptions import Assumptions
from sim.organisation import (
    BETWEEN_FUNCTIONS,
    FUNCTIONS,
    build_organisation,
    function_means,
    informal_network,
    reform_silos,
)
from sim.record import (
    WEEKLY_COLUMNS,
    Recorder,
    Trailing,
    focus_by_function_and_level,
    handoff_success_by_pair,
    leader_mask,
    lost_by_reason,
)
from sim.scenario import CustomerFocusScenario, Levers, seed_sequence

SETTLING_WEEKS = 156  # weeks the organisation runs before week 1 (numerical, not a judgement)
HISTORY_SAMPLE_WEEKS = 26  # last settling weeks whose journey outcomes give the starting book its history
FAILURE_MEMORY = 0.9  # weekly decay of the failure counts leaders can see (about ten weeks)


@dataclass
class Week:
    """What happened inside the organisation this week."""

    outcome: work.WorkOutcome
    actions: leadership.LeadershipActions
    leavers: int
    capacity: np.ndarray


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
        rng_org, rng_culture, rng_leaders, rng_work, rng_customers, rng_staff = map(np.random.default_rng,
                                                                                   root.spawn(6))
        self.streams = {"leaders": rng_leaders, "work": rng_work, "customers": rng_customers,
                        "organisation": rng_org, "staff": rng_staff}
        a = self.assumptions = Assumptions(scenario.assumptions)
        self.levers = Levers(**scenario.levers())
        self.organisation = build_organisation(scenario.n_employees, self.levers.silo_strength, a, rng_org)
        self.culture = culture_.new_culture(self.organisation, self.levers, a, rng_culture)
        self.workload = work.new_workload(self.organisation, self.culture.focus, scenario.n_customers, a)
        self.staff = staffing.new_staff(self.organisation, self.culture, self.workload.planned, a, rng_staff)
        self.failures_seen = np.zeros((len(FUNCTIONS), len(FUNCTIONS)))
        self.last_week: Week | None = None
        shares = self.settle(scenario.n_customers)
        self.customers = customers_.new_customers(scenario.n_customers, shares, a, rng_customers)
        self.recorder = self.new_recorder()
        self.employees = [Employee(self, i) for i in range(scenario.n_employees)]
        self.latest: dict[str, float] = {}
        self.outputs: dict[str, list] = {name: [] for name in WEEKLY_COLUMNS}  # one list per column, a row a week
        self.running = True

    def step(self) -> None:
        """One week: levers, the organisation's week, customers, record."""
        self.apply_interventions()
        exposed = int(self.customers.active.sum())
        who = customers_.start_journeys(self.customers, self.assumptions, self.streams["customers"])
        week = self.organisation_week(len(who))
        customers_.experience(self.customers, who, week.outcome, self.steps, self.assumptions)
        churn = customers_.churn(self.customers, self.steps, self.assumptions, self.streams["customers"])
        book = int(np.count_nonzero(self.customers.active))
        reputation = customers_.mean_satisfaction(self.customers, self.assumptions)
        won = customers_.win(self.customers, self.assumptions, self.streams["customers"], reputation)
        satisfied = (reputation * book if book else 0.0) + won  # the accounts won are fully satisfied
        satisfaction = satisfied / (book + won) if book + won else float("nan")
        self.record(week, exposed, churn, won, satisfaction)
        self.running = self.steps < self.scenario.weeks

    def organisation_week(self, n_journeys: int, hiring: bool = True) -> Week:
        """Culture, staffing, leadership, structure and work: one week inside the organisation.

        ``hiring=False`` holds headcount where it is (while the organisation settles as staffed).
        """
        org, cult, staff, levers, a = self.organisation, self.culture, self.staff, self.levers, self.assumptions
        culture_.update_trust(org, cult, levers, a)
        culture_.update_focus(org, cult, levers, a)
        n = len(FUNCTIONS)
        last = self.last_week
        overload, friction = (last.outcome.overload, last.outcome.friction) if last else (np.zeros(n), np.zeros(n))
        staffing.update_engagement(staff, staffing.engagement_target(org, cult, a, overload, friction), a)
        leavers = staffing.leave(staff, a, self.streams["staff"])
        staffing.hire(org, cult, staff, leavers, levers, a, self.streams["staff"])
        actions = leadership.take_actions(org, cult, staff, levers, a, self.failures_seen, self.streams["leaders"])
        reform_silos(org, cult.focus, levers.silo_strength, a.silo_reform_rate)
        if hiring:
            staffing.plan_headcount(staff, self.workload.planned, a)
        capacity = staffing.capacity(org, staff, a, levers.leadership_courage)
        change_work = actions.effort * a.stages_per_employee  # staff-weeks of change work, in stages
        outcome = work.run_journeys(n_journeys, org, cult.focus, capacity, change_work, self.workload, a,
                                    self.streams["work"])
        self.failures_seen = FAILURE_MEMORY * self.failures_seen + (outcome.attempts - outcome.successes)
        self.last_week = Week(outcome, actions, len(leavers) + actions.employees_replaced, capacity)
        return self.last_week

    def settle(self, n_customers: int) -> np.ndarray:
        """Run the organisation SETTLING_WEEKS weeks under the starting levers, with the journeys the book brings.

        Barriers start at the balance of silo breaking and re-forming for the
        starting focus.  Headcount stays at ``n_employees``: the organisation
        settles as it is staffed, and hires towards its work from week 1.
        Returns the shares of journey outcomes over the last
        HISTORY_SAMPLE_WEEKS weeks: each handoff failing, a delay, success
        (the order of ``customers_.new_customers``'s history codes).
        """
        org, levers, a = self.organisation, self.levers, self.assumptions
        care = function_means(org, self.culture.focus)
        reform = a.silo_reform_rate * (1.0 - 0.5 * (care[:, None] + care[None, :]))
        aimed = levers.leadership_courage * self.culture.focus[org.executives].mean()  # as leadership.take_actions
        balance = reform * levers.silo_strength / (reform + a.silo_breaking_rate * aimed)
        org.barrier = np.where(BETWEEN_FUNCTIONS, balance, 0.0)
        per_week = max(1, round(n_customers * a.journey_rate))
        counts = np.zeros(customers_.SUCCESS + 1)
        for week in range(SETTLING_WEEKS):
            o = self.organisation_week(per_week, hiring=False).outcome
            if week >= SETTLING_WEEKS - HISTORY_SAMPLE_WEEKS:
                counts += np.bincount(o.failed_handoff[o.failed], minlength=len(counts))
                counts[customers_.DELAYS] += o.delayed.sum()
                counts[customers_.SUCCESS] += (~o.failed & ~o.delayed).sum()
        return counts / counts.sum()

    def new_recorder(self) -> Recorder:
        """Trailing windows pre-filled with the churn and turnover the starting state implies."""
        c, a = self.customers, self.assumptions
        book = np.flatnonzero(c.active)
        hazard = a.background_hazard + a.failure_hazard * customers_.effort(c, a, book)
        staff = self.staff
        turnover = (a.turnover_base + a.turnover_disengaged * (1.0 - staff.engagement[staff.staff])) / 52
        return Recorder(len(FUNCTIONS), Trailing(float(hazard.mean()), len(book)),
                        Trailing(float(turnover.mean()), int(staff.staff.sum())))

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
        all, barriers start afresh at ``new``); from then on they re-form
        towards ``new``.
        """
        org = self.organisation
        sizes = np.bincount(org.function)
        org.peers = informal_network(org.function, org.executives, sizes, new, self.assumptions.ties_per_employee,
                                     self.streams["organisation"])
        if old > 0:
            org.barrier *= new / old
        else:
            org.barrier = np.where(BETWEEN_FUNCTIONS, new, 0.0)

    def record(self, week: Week, exposed: int, churn: customers_.Churn, won: int, satisfaction: float) -> None:
        """Compute this week's output row and append it to the weekly outputs."""
        org, cult, cust, staff, a = self.organisation, self.culture, self.customers, self.staff, self.assumptions
        outcome, actions = week.outcome, week.actions
        handoff_rate, cross_rate = self.recorder.add_handoffs(outcome.attempts, outcome.successes)
        leaders = leader_mask(org)
        n_journeys = len(outcome.failed)
        n_staff = int(staff.staff.sum())
        funded = a.funding_gain * self.levers.leadership_courage * staff.headcount.sum()
        self.latest = {
            "week": self.steps,
            "retention_rate": self.recorder.retention_rate(churn.lost, exposed),
            "customers_active": int(cust.active.sum()),
            "customers_lost": churn.lost,
            "customers_won": won,
            "satisfaction_mean": satisfaction,
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
            "employee_engagement_mean": float(staff.engagement[staff.staff].mean()),
            "employee_turnover_rate": self.recorder.turnover_rate(week.leavers, n_staff),
            "cycle_time_mean": outcome.cycle_time,
            "change_cost": float(actions.effort.sum() + funded),
            "headcount": float(staff.headcount.sum() + len(org.executives)),
            "churn_with_failure": churn.lost_with_failure / max(churn.exposed_with_failure, 1),
            "churn_without_failure": (churn.lost - churn.lost_with_failure) / max(churn.exposed_without_failure, 1),
            "lost_with_failure": churn.lost_with_failure,
        }
        for name, column in self.outputs.items():
            column.append(self.latest[name])

    def run(self) -> pd.DataFrame:
        """Run to the scenario's last week; return the weekly outputs."""
        while self.running:
            self.step()
        return self.weekly_outputs()

    @property
    def datacollector(self) -> DataCollector:
        """The weekly outputs as Mesa's DataCollector (for ``mesa.batch_run`` and Mesa's tools), built on demand.

        The week's row is kept in plain columns (cheaper than collecting each
        week); this gives Mesa the same data, one collection per week.
        """
        collector = DataCollector()
        collector.model_vars = {name: list(values) for name, values in self.outputs.items()}
        collector._collection_steps = list(self.outputs["week"])
        return collector

    def weekly_outputs(self) -> pd.DataFrame:
        """One row per week recorded so far, columns as in ``WEEKLY_COLUMNS``."""
        return pd.DataFrame(self.outputs)

    def focus_by_function_and_level(self) -> pd.DataFrame:
        """Mean customer focus by function (rows) and level (columns)."""
        return focus_by_function_and_level(self.organisation, self.culture)

    def handoff_success_by_pair(self) -> pd.DataFrame:
        """Handoff success so far between each pair of functions."""
        return handoff_success_by_pair(self.recorder)

    def lost_by_reason(self) -> pd.Series:
        """Customers lost so far, by reason: the handoff that failed them, delays, or outside reasons."""
        return lost_by_reason(self.customers.lost_by_reason)
