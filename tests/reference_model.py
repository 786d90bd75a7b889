"""A plain, agent-by-agent Mesa implementation of the customer focus model, for docking.

The fast model in ``sim`` keeps its state in numpy arrays and never loops over
agents inside a week.  This module implements the *same rules* the slow,
obvious way: every employee is a :class:`mesa.Agent` holding its own focus,
trust, disposition, function, level, manager and list of peers, with its own
``step``; every customer account is a Mesa agent with a satisfaction and a
record of failures; journeys and handoffs are walked one by one in Python.

Only *constants* (and the scenario class, for the parameters) are imported
from ``sim``; no mechanism of ``sim`` is called, so the docking test in
``tests/test_docking.py`` is an independent check of the fast code.  Random
numbers come from the model's own seeded Mesa generator (``self.random``); they
cannot match the fast model draw for draw, so the two models are compared in
distribution over many seeds.

A week runs in the fast model's order: interventions; trust; focus
(Friedkin-Johnsen, synchronous); leadership actions (silo breaking, handoff
fixes, confronting resisters); journeys, handoffs and delays; customer
satisfaction; churn with reasons; winning customers; the weekly record.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import pairwise

import pandas as pd
from mesa import Agent, Model

from sim.culture import (
    DISPOSITION_SHAPE,
    EXECUTIVE_SUSCEPTIBILITY,
    EXECUTIVE_WEIGHT,
    MANAGER_WEIGHT,
    PEER_WEIGHT,
    SELF_WEIGHT,
    SETTLING_WEEKS,
    SKIP_WEIGHT,
    SUSCEPTIBILITY,
    TRUST_FLOOR,
    TRUST_RATE,
)
from sim.customers import (
    BACKGROUND_HAZARD,
    DELAY_LOSS,
    FAILURE_LOSS,
    HISTORY_JOURNEYS,
    INITIAL_SATISFACTION,
    MARKET_FACTOR,
    SATISFACTION_HAZARD,
    SUCCESS_GAIN,
    WIN_RATE,
)
from sim.leadership import (
    CHANGE_SHARE,
    CONFRONT_RATE,
    FIX_RATE,
    FIX_SIZE,
    RESISTER_DISPOSITION,
    SILO_BREAKING_RATE,
)
from sim.model import FAILURE_MEMORY
from sim.organisation import FUNCTIONS, MANAGER_SHARE, TIES_PER_EMPLOYEE
from sim.record import RETENTION_WINDOW, WEEKS_PER_YEAR
from sim.scenario import CustomerFocusScenario
from sim.work import (
    CAPACITY_HEADROOM,
    COLLAB_COST,
    FUNDING_GAIN,
    HANDOFF_BARRIER,
    HANDOFF_BASE,
    HANDOFF_FOCUS,
    HANDOFFS,
    JOURNEY_RATE,
    JOURNEYS,
)

F = len(FUNCTIONS)
ROUTES = [[FUNCTIONS.index(name) for name in stages] for _, stages in JOURNEYS.values()]
ROUTE_SHARES = [share for share, _ in JOURNEYS.values()]
DELAYS, SUCCESS, NO_FAILURE = "delays", "success", "no failure on record"
REASON_ORDER = [*HANDOFFS, DELAYS]  # order of the failure record; ties go to the first


class Employee(Agent):
    """One employee: a seat (function, level, manager, peers) and the person in it."""

    def __init__(self, model: ReferenceModel, function: int, level: str):
        super().__init__(model)
        self.function = function
        self.level = level  # "executive", "manager" or "frontline"
        self.manager: Employee | None = None
        self.skip: Employee | None = None  # the manager's manager
        self.peers: list[Employee] = []  # informal ties, repeats allowed
        self.susceptibility = EXECUTIVE_SUSCEPTIBILITY if level == "executive" else SUSCEPTIBILITY
        self.hire()
        self.next_focus = self.focus

    def hire(self) -> None:
        """A new person takes the seat: fresh disposition, focus at anchor, trust at its no-gap target."""
        self.disposition = self.random.betavariate(*DISPOSITION_SHAPE)
        self.focus = self.anchor()
        self.trust = self.model.trust_without_gap()

    def anchor(self) -> float:
        """Executives hold to the leaders' commitment L; staff to L·((1 − m)·disposition + m)."""
        lv = self.model.levers
        if self.level == "executive":
            return lv["leader_customer_focus"]
        m = lv["metric_alignment"]
        return lv["leader_customer_focus"] * ((1 - m) * self.disposition + m)

    def gap(self) -> float:
        """How far this person's displayed focus falls short of the leaders' voiced commitment."""
        return max(0.0, self.model.levers["leader_customer_focus"] - self.focus)

    def update_trust(self) -> None:
        """Trust closes TRUST_RATE of the way to a target eroded by the gap seen in one's manager and executives."""
        t = self.model.levers["transparency"]
        seen_sum = self.model.executive_gap * t
        weight = t
        if self.manager is not None:
            seen_sum += self.manager.gap()
            weight += 1.0
        seen = seen_sum / weight if weight > 0 else 0.0
        self.trust += TRUST_RATE * (self.model.trust_without_gap() * (1 - seen) - self.trust)

    def step(self) -> None:
        """Compute next week's focus from this week's values (Friedkin-Johnsen): x' = λ·Wx + (1 − λ)·u."""
        t = self.model.levers["transparency"]
        weighted = SELF_WEIGHT * self.focus + PEER_WEIGHT * sum(p.focus for p in self.peers) / len(self.peers)
        total = SELF_WEIGHT + PEER_WEIGHT
        w_exec = EXECUTIVE_WEIGHT * t * self.trust
        weighted += w_exec * self.model.executive_focus
        total += w_exec
        for boss, w in ((self.manager, MANAGER_WEIGHT), (self.skip, SKIP_WEIGHT)):
            if boss is not None:
                weighted += w * self.trust * boss.focus
                total += w * self.trust
        lam = self.susceptibility
        self.next_focus = lam * weighted / total + (1 - lam) * self.anchor()

    def advance(self) -> None:
        """Adopt the focus computed in ``step``."""
        self.focus = self.next_focus


class Customer(Agent):
    """One account of the market: in the book or not, its satisfaction and failures experienced."""

    failure_loss = FAILURE_LOSS  # a class attribute, so a negative control can change the rule

    def __init__(self, model: ReferenceModel, active: bool):
        super().__init__(model)
        self.active = active
        self.start_afresh()

    def start_afresh(self) -> None:
        """A new account: satisfaction drawn from the initial Beta, no failures on record."""
        self.satisfaction = self.random.betavariate(*INITIAL_SATISFACTION)
        self.failures: Counter = Counter()

    def react(self, outcome) -> None:
        """Satisfaction after one journey; a failed handoff (a pair) or a delay is recorded."""
        if outcome == SUCCESS:
            self.satisfaction += SUCCESS_GAIN * (1 - self.satisfaction)
            return
        self.satisfaction *= 1 - (DELAY_LOSS if outcome == DELAYS else self.failure_loss)
        self.failures[outcome] += 1

    def leaves(self) -> bool:
        """Draw this week's churn: hazard BACKGROUND + SATISFACTION·(1 − s)²."""
        hazard = BACKGROUND_HAZARD + SATISFACTION_HAZARD * (1 - self.satisfaction) ** 2
        return self.random.random() < hazard

    def reason(self):
        """The failure experienced most (first in record order on ties), or 'no failure on record'."""
        if not any(self.failures.values()):
            return NO_FAILURE
        return max(REASON_ORDER, key=lambda r: self.failures[r])


class ReferenceModel(Model):
    """The customer focus model, one agent and one journey at a time."""

    customer_type = Customer  # class attributes, so a negative control can change a rule
    handoff_base = HANDOFF_BASE

    def __init__(self, scenario: CustomerFocusScenario | None = None, **parameters):
        """Build the organisation, settle the culture, then fill the book with customers who have a history."""
        if scenario is None or parameters:  # keyword parameters override the scenario's, as in the fast model
            base = scenario or CustomerFocusScenario()
            scenario = CustomerFocusScenario(replication=base.replication, interventions=base.interventions,
                                             **{**base.parameters(), **parameters})
        super().__init__(scenario=scenario)
        self.levers = scenario.levers()
        self.build_organisation(scenario.n_employees)
        self.settle_culture()
        n = scenario.n_customers
        self.demand = [n * JOURNEY_RATE * sum(s * r.count(f) for s, r in zip(ROUTE_SHARES, ROUTES, strict=True))
                       for f in range(F)]
        self.failures_seen = [[0.0] * F for _ in range(F)]
        history = self.history_outcomes()
        self.customers = [self.customer_type(self, active=i < n) for i in range(MARKET_FACTOR * n)]
        for customer in self.customers[:n]:
            for outcome in self.random.choices(list(history), weights=list(history.values()), k=HISTORY_JOURNEYS):
                customer.react(outcome)
        self.lost_by_reason: Counter = Counter()
        self.lost_window: list[tuple[int, int]] = []
        self.rows: list[dict] = []

    # --- structure ------------------------------------------------------------------------------------
    def build_organisation(self, n: int) -> None:
        """Even functions; head, managers (MANAGER_SHARE) and frontline in each; every head reports to the CEO."""
        sizes = [n // F + (f < n % F) for f in range(F)]
        self.members: list[list[Employee]] = []
        for f, size in enumerate(sizes):
            n_managers = max(1, round(size * MANAGER_SHARE))
            levels = ["executive"] + ["manager"] * n_managers + ["frontline"] * (size - 1 - n_managers)
            self.members.append([Employee(self, f, level) for level in levels])
        self.employees = [e for people in self.members for e in people]
        self.executives = [people[0] for people in self.members]
        self.staff = [people[1:] for people in self.members]  # who can work on a journey stage
        for people in self.members:
            head, managers = people[0], [e for e in people if e.level == "manager"]
            head.manager = self.executives[0] if head is not self.executives[0] else None
            for e in managers:
                e.manager = head
            for i, e in enumerate(e for e in people if e.level == "frontline"):
                e.manager = managers[i % len(managers)]
        for e in self.employees:
            e.skip = e.manager.manager if e.manager is not None else None
        self.wire(self.levers["silo_strength"])

    def wire(self, silo_strength: float) -> None:
        """Draw informal ties and set fresh barriers: a tie crosses functions w.p. (1 − s)·(F − 1)/F."""
        p_cross = (1 - silo_strength) * (F - 1) / F
        for e in self.employees:
            e.peers = []
            for _ in range(TIES_PER_EMPLOYEE):
                f = e.function
                if self.random.random() < p_cross:
                    f = (f + 1 + self.random.randrange(F - 1)) % F
                people = self.members[f]
                k = self.random.randrange(len(people))
                if people[k] is e:  # no tie to oneself: the next colleague instead
                    k = (k + 1) % len(people)
                e.peers.append(people[k])
        self.barrier = [[0.0 if a == b else float(silo_strength) for b in range(F)] for a in range(F)]

    # --- culture --------------------------------------------------------------------------------------
    def trust_without_gap(self) -> float:
        """Trust people settle at when leaders do what they say."""
        return TRUST_FLOOR + (1 - TRUST_FLOOR) * self.levers["transparency"]

    def update_culture(self) -> None:
        """Trust first, then focus; each focus is computed from last week's values before any is changed."""
        self.executive_gap = sum(e.gap() for e in self.executives) / len(self.executives)
        for e in self.employees:
            e.update_trust()
        self.executive_focus = sum(e.focus for e in self.executives) / len(self.executives)
        for e in self.employees:
            e.step()
        for e in self.employees:
            e.advance()

    def settle_culture(self) -> None:
        """The organisation existed before week 1: SETTLING_WEEKS of culture under the starting levers."""
        for _ in range(SETTLING_WEEKS):
            self.update_culture()

    # --- leadership -----------------------------------------------------------------------------------
    def leadership_actions(self) -> tuple[int, int]:
        """Courage: shrink every barrier, let each executive maybe fix a handoff, confront resisters."""
        courage = self.levers["leadership_courage"]
        if courage == 0:
            return 0, 0
        for row in self.barrier:
            for b in range(F):
                row[b] *= 1 - SILO_BREAKING_RATE * courage
        fixed, targeted = 0, set()
        for _ in self.executives:
            if self.random.random() < FIX_RATE * courage:
                self.fix_a_handoff(targeted)
                fixed += 1
        replaced = 0
        for e in self.employees:
            if e.level == "executive" or e.disposition >= RESISTER_DISPOSITION:
                continue
            if self.random.random() < CONFRONT_RATE * courage:
                if self.random.random() < CHANGE_SHARE:
                    e.disposition += 0.5 * (1 - e.disposition)
                else:
                    e.hire()
                    replaced += 1
        return fixed, replaced

    def fix_a_handoff(self, targeted: set) -> None:
        """Halve the barrier of a pair of functions, both ways.

        If leaders measure customer outcomes (probability metric_alignment) the
        pair is the cross-function handoff with the most decayed failures seen
        that was not yet targeted this week (either way round); otherwise, or
        if no such pair failed, a random pair.
        """
        pairs = [(a, b) for a in range(F) for b in range(F) if a != b]
        seen = [ab for ab in pairs if ab not in targeted and self.failures_seen[ab[0]][ab[1]] > 0]
        if self.random.random() < self.levers["metric_alignment"] and seen:
            a, b = max(seen, key=lambda ab: self.failures_seen[ab[0]][ab[1]])
            targeted.update({(a, b), (b, a)})
        else:
            a, b = self.random.choice(pairs)
        self.barrier[a][b] *= 1 - FIX_SIZE
        self.barrier[b][a] *= 1 - FIX_SIZE

    # --- work -----------------------------------------------------------------------------------------
    def handoff_probability(self, focus_a: float, focus_b: float, barrier: float) -> float:
        """Logistic in the two workers' mean focus, minus the barrier between their functions."""
        z = self.handoff_base + HANDOFF_FOCUS * (focus_a + focus_b) / 2 - HANDOFF_BARRIER * barrier
        return 1 / (1 + math.exp(-z))

    def run_journeys(self, n: int) -> tuple[list, Counter, Counter]:
        """Walk ``n`` journeys; return each one's outcome (a failed pair, DELAYS or SUCCESS) and handoff counts."""
        journeys = []
        for _ in range(n):
            route = self.random.choices(ROUTES, weights=ROUTE_SHARES)[0]
            journeys.append((route, [self.random.choice(self.staff[f]) for f in route]))
        delay_share = self.delay_shares(journeys)
        outcomes, attempts, successes = [], Counter(), Counter()
        for route, workers in journeys:
            outcome = SUCCESS
            for i, (a, b) in enumerate(pairwise(route)):
                attempts[a, b] += 1
                if self.random.random() < self.handoff_probability(workers[i].focus, workers[i + 1].focus,
                                                                    self.barrier[a][b]):
                    successes[a, b] += 1
                else:
                    outcome = (a, b)  # the journey ends at its first failed handoff
                    break
            if outcome == SUCCESS and self.random.random() >= math.prod(1 - delay_share[f] for f in route):
                outcome = DELAYS
            outcomes.append(outcome)
        return outcomes, attempts, successes

    def delay_shares(self, journeys) -> list[float]:
        """Share of each function's stages beyond its capacity; a stage handed across costs 1 + COLLAB_COST·x."""
        load = [0.0] * F
        for route, workers in journeys:
            for i, f in enumerate(route):
                crosses = i + 1 < len(route) and route[i + 1] != f
                load[f] += 1 + COLLAB_COST * workers[i].focus * crosses
        capacity = self.capacity()
        return [min(1.0, max(0.0, 1 - capacity[f] / load[f])) if load[f] > 0 else 0.0 for f in range(F)]

    def capacity(self) -> list[float]:
        """Stages per function per week: headroom over the initial book's demand, plus funding."""
        funding = 1 + FUNDING_GAIN * self.levers["leadership_courage"]
        return [CAPACITY_HEADROOM * d * funding for d in self.demand]

    def history_outcomes(self, weeks: int = 8) -> Counter:
        """Outcome counts of ``weeks`` weeks of the initial book's journeys through today's organisation."""
        per_week = max(1, round(self.scenario.n_customers * JOURNEY_RATE))
        counts = Counter()
        for _ in range(weeks):
            counts.update(self.run_journeys(per_week)[0])
        return counts

    # --- the week -------------------------------------------------------------------------------------
    def apply_interventions(self) -> None:
        """Set this week's scheduled levers; a new silo strength is a reorganisation (see ``reorganise``)."""
        for intervention in self.scenario.interventions:
            if intervention.week == self.steps:
                if intervention.lever == "silo_strength":
                    self.reorganise(self.levers["silo_strength"], intervention.value)
                self.levers[intervention.lever] = intervention.value

    def reorganise(self, old: float, new: float) -> None:
        """Redraw the ties for silo strength ``new``; barriers scale by new/old (start afresh if old was 0)."""
        barrier = self.barrier
        self.wire(new)
        if old > 0:
            self.barrier = [[x * new / old for x in row] for row in barrier]

    def step(self) -> None:
        """One week, in the fast model's order."""
        self.apply_interventions()
        self.update_culture()
        fixed, replaced = self.leadership_actions()
        book = [c for c in self.customers if c.active]
        travellers = [c for c in book if self.random.random() < JOURNEY_RATE]
        outcomes, attempts, successes = self.run_journeys(len(travellers))
        for customer, outcome in zip(travellers, outcomes, strict=True):
            customer.react(outcome)
        lost = 0
        for customer in book:
            if customer.leaves():
                self.lost_by_reason[customer.reason()] += 1
                customer.active = False
                lost += 1
        won = 0
        for customer in self.customers:
            if not customer.active and self.random.random() < WIN_RATE:
                customer.active = True
                customer.start_afresh()
                won += 1
        for a in range(F):
            for b in range(F):
                self.failures_seen[a][b] = (FAILURE_MEMORY * self.failures_seen[a][b]
                                            + attempts[a, b] - successes[a, b])
        self.record(len(book), lost, won, outcomes, attempts, successes, fixed, replaced)
        self.running = self.steps < self.scenario.weeks

    def record(self, exposed, lost, won, outcomes, attempts, successes, fixed, replaced) -> None:
        """Append this week's outputs (a subset of the fast model's columns)."""
        self.lost_window = [*self.lost_window, (lost, exposed)][-RETENTION_WINDOW:]
        weekly_churn = sum(x for x, _ in self.lost_window) / max(sum(y for _, y in self.lost_window), 1)
        book = [c for c in self.customers if c.active]
        cross_tried = sum(v for (a, b), v in attempts.items() if a != b)
        cross_ok = sum(v for (a, b), v in successes.items() if a != b)
        tried = sum(attempts.values())
        self.rows.append({
            "week": self.steps,
            "retention_rate": (1 - weekly_churn) ** WEEKS_PER_YEAR,
            "customers_active": len(book),
            "customers_lost": lost,
            "customers_won": won,
            "satisfaction_mean": sum(c.satisfaction for c in book) / len(book) if book else math.nan,
            "customer_focus_mean": sum(e.focus for e in self.employees) / len(self.employees),
            "trust_mean": sum(e.trust for e in self.employees) / len(self.employees),
            "handoff_success_rate": sum(successes.values()) / tried if tried else math.nan,
            "cross_silo_handoff_success_rate": cross_ok / cross_tried if cross_tried else math.nan,
            "journeys": len(outcomes),
            "journey_success_rate": outcomes.count(SUCCESS) / len(outcomes) if outcomes else math.nan,
            "journeys_delayed": outcomes.count(DELAYS),
            "barrier_mean": sum(self.barrier[a][b] for a in range(F) for b in range(F) if a != b) / (F * (F - 1)),
            "handoffs_fixed": fixed,
            "employees_replaced": replaced,
        })

    def run(self) -> pd.DataFrame:
        """Run to the last week; return one row per week."""
        while self.running:
            self.step()
        return pd.DataFrame(self.rows)
