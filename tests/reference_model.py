"""A plain, agent-by-agent Mesa implementation of Model 2, for docking.

The fast model in ``sim`` keeps its state in numpy arrays and never loops over
agents inside a week.  This module implements the *same rules* the slow,
obvious way: every employee is a :class:`mesa.Agent` holding its own focus,
trust, disposition, engagement and tenure, its manager, skip-level manager
and peers, with its own methods for trust, focus, socialisation, engagement
and leaving; every account of the market is a Mesa agent with its remembered
effort, its last failure and the week of its last bad journey, which decides
for itself whether it starts a journey, leaves (and why) or is won; each
function keeps its own headcount, queue, routine and work plan; journeys and
handoffs are walked one by one in Python.

Nothing of ``sim``'s mechanisms is imported: constant values are read from the
assumptions *table* (``sim.assumptions.ASSUMPTIONS``, data) with the run's
overrides, the functions and journey templates are read as data, the scenario
class gives the parameters, and the few numerical constants that are not
assumptions (settling weeks, windows, memories) are restated below.  Random
numbers come from the model's own seeded Mesa generator (``self.random``);
they cannot match the fast model's draw for draw, so ``tests/test_docking.py``
compares the two in distribution over many seeds.

A week runs in this order: interventions; each account decides whether it
starts a journey; inside the organisation trust, focus (synchronous
Friedkin-Johnsen) and socialisation, engagement, leaving and hiring,
leadership's acts (silo breaking, handoff fixes, confronting resisters),
silos re-forming, headcount planning, capacity, the journeys; then accounts
remember the journeys, leave or are won; the week is recorded.  Before week 1
the organisation runs SETTLING_WEEKS weeks with the book's journeys, and the
starting book's history is drawn from the outcomes of its last weeks.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from itertools import pairwise
from types import SimpleNamespace

import pandas as pd
from mesa import Agent, Model

from sim.assumptions import ASSUMPTIONS
from sim.organisation import FUNCTIONS
from sim.scenario import CustomerFocusScenario
from sim.work import JOURNEYS

# Numerical constants of the model that are not assumptions, restated (see sim.model, sim.record, ...).
SETTLING_WEEKS = 156  # weeks the organisation runs before week 1
HISTORY_SAMPLE_WEEKS = 26  # last settling weeks whose journey outcomes give the starting book its history
HISTORY_WEEKS = 156  # weeks of past journeys that shaped the starting book
FAILURE_MEMORY = 0.9  # weekly decay of the failure counts leaders see
PLANNING_WEEKS = 13  # the work plan averages about a quarter
WORKING_DAYS = 5  # cycle time is reported in working days
RECORD_WEEKS = 26  # a failed or delayed journey stays "on record" for half a year
RETENTION_WINDOW = 13  # trailing window of retention and turnover
WEEKS_PER_YEAR = 52
DISPOSITION_SHAPE = (2.0, 2.0)  # Beta shape of the labour market's customer disposition
NEVER = -(10**6)

F = len(FUNCTIONS)
ROUTES = [[FUNCTIONS.index(name) for name in stages] for _, stages in JOURNEYS.values()]
ROUTE_SHARES = [share for share, _ in JOURNEYS.values()]
DELAYS, SUCCESS, OUTSIDE = "delays", "success", "outside"  # outcomes besides a failed handoff (a pair)


def assumption_values(overrides: dict) -> SimpleNamespace:
    """The run's assumption values: the table's defaults with the scenario's overrides."""
    return SimpleNamespace(**{**{name: spec.value for name, spec in ASSUMPTIONS.items()}, **overrides})


def clip01(x: float) -> float:
    """``x`` limited to [0, 1]."""
    return min(1.0, max(0.0, x))


def sigmoid(z: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-z))


class Employee(Agent):
    """One employee: a seat (function, level, manager, peers) and the person in it."""

    def __init__(self, model: ReferenceModel, function: int, level: str):
        super().__init__(model)
        a = model.a
        self.function = function
        self.level = level  # "executive", "manager" or "frontline"
        self.is_executive = level == "executive"
        self.manager: Employee | None = None
        self.skip: Employee | None = None  # the manager's manager, if that is someone else
        self.peers: list[Employee] = []  # informal ties, repeats allowed
        self.susceptibility = a.executive_susceptibility if self.is_executive else a.susceptibility
        commitment = model.levers["leader_customer_focus"]
        self.disposition = commitment if self.is_executive else self.random.betavariate(*DISPOSITION_SHAPE)
        self.focus = self.disposition
        self.next_focus = self.focus
        self.trust = 0.0
        self.engagement = 0.0
        self.tenure = 0

    # --- trust --------------------------------------------------------------------------------------
    def deeds_seen(self) -> float:
        """Leaders' deeds this person sees: their manager's focus, the executives' as far as disclosed."""
        t = self.model.levers["transparency"]
        executives = self.model.executive_focus()
        if self.manager is None:
            return executives
        return (self.manager.focus + executives * t) / (1.0 + t)

    def trust_target(self) -> float:
        """Base, plus deeds seen, plus transparency, minus the say-do gap seen; in [0, 1]."""
        a, lv = self.model.a, self.model.levers
        t = lv["transparency"]
        gap = lv["say_do_gap"] * (a.gap_visibility + (1 - a.gap_visibility) * t)
        return clip01(a.trust_base + a.trust_integrity * self.deeds_seen() + a.trust_transparency * t
                      - a.trust_gap * gap)

    def update_trust(self) -> None:
        """Trust closes trust_rate of the way to its target."""
        self.trust += self.model.a.trust_rate * (self.trust_target() - self.trust)

    # --- focus --------------------------------------------------------------------------------------
    def step(self) -> None:
        """Next week's focus from this week's (Friedkin-Johnsen): λ·(what one observes and is asked for) + (1 − λ)·p."""
        m, a, lv = self.model, self.model.a, self.model.levers
        trust = self.trust
        mixed, total = a.self_weight * self.focus, a.self_weight
        for boss, weight in ((self.manager, a.manager_weight), (self.skip, a.skip_weight)):
            if boss is not None:
                mixed += weight * trust * boss.focus
                total += weight * trust
        w = a.executive_weight * lv["transparency"] * trust
        mixed += w * m.executive_focus()
        total += w
        mixed += a.peer_weight * sum(p.focus for p in self.peers) / len(self.peers)
        total += a.peer_weight
        w = a.words_weight * trust
        mixed += w * m.words()
        total += w
        mixed += a.incentive_weight * lv["metric_alignment"]
        total += a.incentive_weight
        lam = self.susceptibility
        self.next_focus = lam * mixed / total + (1 - lam) * self.disposition

    def advance(self) -> None:
        """Adopt the new focus; the disposition drifts towards it (executives hold to the leaders' commitment)."""
        self.focus = self.next_focus
        if self.is_executive:
            self.disposition = self.model.levers["leader_customer_focus"]
        else:
            self.disposition += self.model.a.socialisation_rate * (self.focus - self.disposition)

    # --- engagement, leaving ------------------------------------------------------------------------
    def boss_focus(self) -> float:
        """The focus one's manager displays (the CEO's own)."""
        return (self.manager or self).focus

    def engagement_target(self) -> float:
        """Coaching by one's manager, minus last week's overload and friction in one's function, minus misfit."""
        a, unit = self.model.a, self.model.functions[self.function]
        boss = self.boss_focus()
        return clip01(a.engagement_base + a.coaching_effect * boss - a.pressure_effect * unit.overload
                      - a.friction_effect * unit.friction - a.misfit_effect * max(0.0, self.focus - boss))

    def engage(self) -> None:
        """Engagement closes engagement_rate of the way to its target; a week of tenure."""
        self.engagement += self.model.a.engagement_rate * (self.engagement_target() - self.engagement)
        self.tenure += 1

    def leaves(self) -> bool:
        """Staff leave at an annual hazard of base plus the disengaged share."""
        a = self.model.a
        if self.is_executive:
            return False
        return self.random.random() < (a.turnover_base + a.turnover_disengaged * (1 - self.engagement)) / WEEKS_PER_YEAR

    def speed(self) -> float:
        """Share of full output: a hire ramps up linearly."""
        return min(1.0, (self.tenure + 1) / self.model.a.ramp_up_weeks)


class Customer(Agent):
    """One account of the market: in the book or not, with the effort it remembers."""

    failure_weight = 1.0  # effort a failed journey adds (a class attribute, so a negative control can change it)

    def __init__(self, model: ReferenceModel, active: bool):
        super().__init__(model)
        self.active = active
        self.start_afresh()

    def start_afresh(self) -> None:
        """No trouble remembered."""
        self.failures = 0.0
        self.delays = 0.0
        self.last_failure = None  # the handoff (a pair) of the last failed journey
        self.last_bad_week = NEVER

    def remember(self, outcome, week: int, weight: float = 1.0) -> None:
        """A failed or delayed journey adds to the effort remembered (``weight``: what is left of it by now)."""
        if outcome == DELAYS:
            self.delays += weight
            self.last_bad_week = week
        elif outcome != SUCCESS:
            self.failures += weight * self.failure_weight
            self.last_failure = outcome
            self.last_bad_week = week

    def fade(self) -> None:
        """Memory fades a week."""
        self.failures *= self.model.a.effort_memory
        self.delays *= self.model.a.effort_memory

    def effort(self) -> float:
        """Failures plus delays weighted by delay_effort."""
        return self.failures + self.model.a.delay_effort * self.delays

    def satisfaction(self) -> float:
        """exp(−effort)."""
        return math.exp(-self.effort())

    def on_record(self, week: int) -> bool:
        """A failed or delayed journey in the last RECORD_WEEKS weeks."""
        return week - self.last_bad_week < RECORD_WEEKS

    def hazard_parts(self) -> tuple[float, float, float]:
        """Weekly churn hazard by cause: outside reasons, failures, delays."""
        a = self.model.a
        return a.background_hazard, a.failure_hazard * self.failures, a.failure_hazard * a.delay_effort * self.delays

    def churn_reason(self):
        """None if the account stays this week; else why it leaves, drawn from the parts of its hazard."""
        outside, failures, delays = self.hazard_parts()
        hazard = outside + failures + delays
        if self.random.random() >= hazard:
            return None
        share = self.random.random() * hazard
        if share < outside:
            return OUTSIDE
        return self.last_failure if share < outside + failures else DELAYS


class Function:
    """One function's work: headcount, queue, routine in cross-silo work, plan, and last week's pressure."""

    def __init__(self, index: int, members: list[Employee]):
        self.index = index
        self.members = members
        self.workers = [e for e in members if not e.is_executive]
        self.headcount = float(len(self.workers))
        self.backlog = 0.0
        self.routine = 0.0
        self.planned = 0.0
        self.overload = 0.0
        self.friction = 0.0

    def care(self) -> float:
        """Mean customer focus of the function's people."""
        return sum(e.focus for e in self.members) / len(self.members)


class Trailing:
    """A quarter's trailing events per exposure, pre-filled with an expected weekly rate."""

    def __init__(self, rate: float, exposure: float):
        self.events = deque([rate * exposure] * (RETENTION_WINDOW - 1), maxlen=RETENTION_WINDOW)
        self.exposed = deque([exposure] * (RETENTION_WINDOW - 1), maxlen=RETENTION_WINDOW)

    def add(self, events: float, exposed: float) -> float:
        """Add a week; return the weekly rate over the window."""
        self.events.append(events)
        self.exposed.append(exposed)
        return sum(self.events) / max(sum(self.exposed), 1e-12)


class ReferenceModel(Model):
    """Model 2, one agent, one journey and one account at a time."""

    customer_type = Customer  # class attributes, so a negative control can change a rule
    win_factor = 1.0  # multiplies the win rate
    handoffs_see_barrier = True
    settling_weeks = SETTLING_WEEKS

    def __init__(self, scenario: CustomerFocusScenario | None = None, **parameters):
        """Build the organisation, settle it with the book's journeys, fill the book with accounts with a history."""
        if scenario is None or parameters:
            base = scenario or CustomerFocusScenario()
            scenario = CustomerFocusScenario(replication=base.replication, interventions=base.interventions,
                                             assumptions=base.assumptions, **{**base.parameters(), **parameters})
        super().__init__(scenario=scenario)
        self.a = assumption_values(scenario.assumptions)
        self.levers = scenario.levers()
        self.build_organisation(scenario.n_employees)
        self.failures_seen = [[0.0] * F for _ in range(F)]
        n = scenario.n_customers
        for unit in self.functions:
            unit.routine = self.collaboration(unit)
            unit.planned = n * self.a.journey_rate * sum(s * r.count(unit.index)
                                                         for s, r in zip(ROUTE_SHARES, ROUTES, strict=True))
        in_post = len(self.staff())  # the staff in post, spread over functions by the people their work needs
        needed = sum(self.wanted_headcount(unit) for unit in self.functions)
        for unit in self.functions:
            unit.headcount = in_post * self.wanted_headcount(unit) / needed
        history = self.settle(n)
        self.customers = [self.customer_type(self, active=i < n) for i in range(round(self.a.market_factor * n))]
        self.fill_book(n, history)
        self.lost_by_reason: Counter = Counter()
        book = [c for c in self.customers if c.active]
        self.churn_window = Trailing(sum(sum(c.hazard_parts()) for c in book) / len(book), len(book))
        a, staff = self.a, self.staff()
        turnover = sum((a.turnover_base + a.turnover_disengaged * (1 - e.engagement)) / WEEKS_PER_YEAR for e in staff)
        self.turnover_window = Trailing(turnover / len(staff), len(staff))
        self.rows: list[dict] = []

    def fill_book(self, n: int, history: Counter) -> None:
        """The book's accounts remember their past journeys, with outcomes drawn from ``history``.

        Each account had Binomial(HISTORY_WEEKS, journey_rate) journeys, each at
        an age drawn uniformly from 1 to HISTORY_WEEKS weeks (as the fast model
        draws them: two may fall in one week).
        """
        outcomes, weights = list(history), list(history.values())
        for customer in self.customers[:n]:
            count = sum(self.random.random() < self.a.journey_rate for _ in range(HISTORY_WEEKS))
            ages = sorted((self.random.randint(1, HISTORY_WEEKS) for _ in range(count)), reverse=True)
            for age in ages:  # oldest first: the last bad journey is remembered last
                outcome = self.random.choices(outcomes, weights)[0]
                customer.remember(outcome, 1 - age, self.a.effort_memory ** (age - 1))

    # --- structure ------------------------------------------------------------------------------------
    def build_organisation(self, n: int) -> None:
        """Even functions; a head, managers (manager_share) and frontline in each; heads report to the CEO."""
        a = self.a
        sizes = [n // F + (f < n % F) for f in range(F)]
        self.functions: list[Function] = []
        for f, size in enumerate(sizes):
            n_managers = max(1, round(size * a.manager_share))
            levels = ["executive"] + ["manager"] * n_managers + ["frontline"] * (size - 1 - n_managers)
            self.functions.append(Function(f, [Employee(self, f, level) for level in levels]))
        self.employees = [e for unit in self.functions for e in unit.members]
        self.executives = [unit.members[0] for unit in self.functions]
        ceo = self.executives[0]
        for unit in self.functions:
            head = unit.members[0]
            managers = [e for e in unit.members if e.level == "manager"]
            head.manager = ceo if head is not ceo else None
            for e in managers:
                e.manager = head
            for i, e in enumerate(e for e in unit.members if e.level == "frontline"):
                e.manager = managers[i % len(managers)]
        for e in self.employees:
            e.skip = e.manager.manager if e.manager is not None else None
        self.wire(self.levers["silo_strength"])
        self.barrier = [[0.0 if f == g else float(self.levers["silo_strength"]) for g in range(F)] for f in range(F)]
        for e in self.employees:
            e.trust = e.trust_target()
        for e in self.employees:
            e.engagement = e.engagement_target()  # no overload or friction yet
            e.tenure = (self.geometric(a.turnover_base / WEEKS_PER_YEAR) - 1 if not e.is_executive
                        else 10 * WEEKS_PER_YEAR)

    def geometric(self, p: float) -> int:
        """Trials up to and including the first success."""
        return 1 + int(math.log(1.0 - self.random.random()) / math.log(1.0 - p))

    def wire(self, silo_strength: float) -> None:
        """Draw informal ties: each crosses functions with probability (1 − s)·(F − 1)/F."""
        p_cross = (1 - silo_strength) * (F - 1) / F
        for e in self.employees:
            e.peers = []
            for _ in range(int(self.a.ties_per_employee)):
                f = e.function
                if self.random.random() < p_cross:
                    f = (f + 1 + self.random.randrange(F - 1)) % F
                people = self.functions[f].members
                k = self.random.randrange(len(people))
                if people[k] is e:  # no tie to oneself: the next colleague instead
                    k = (k + 1) % len(people)
                e.peers.append(people[k])

    def staff(self) -> list[Employee]:
        """Everyone but the executives."""
        return [e for e in self.employees if not e.is_executive]

    # --- culture --------------------------------------------------------------------------------------
    def executive_focus(self) -> float:
        """Mean focus the executives display."""
        return sum(e.focus for e in self.executives) / len(self.executives)

    def words(self) -> float:
        """What leaders voice: their deeds plus say_do_gap of the way to full focus."""
        deeds = self.levers["leader_customer_focus"]
        return deeds + self.levers["say_do_gap"] * (1 - deeds)

    def update_culture(self) -> None:
        """Trust, then focus (synchronous: every new focus from last week's), then socialisation."""
        for e in self.employees:
            e.update_trust()
        for e in self.employees:
            e.step()
        for e in self.employees:
            e.advance()

    def hire(self, seats: list[Employee]) -> None:
        """Fill the seats with hires who resemble their hiring manager's displayed focus by hiring_fit."""
        a = self.a
        chosen = [(1 - a.hiring_fit) * self.random.betavariate(*DISPOSITION_SHAPE) + a.hiring_fit * e.manager.focus
                  for e in seats]
        for e, x in zip(seats, chosen, strict=True):
            e.disposition = e.focus = x
        for e in seats:
            e.trust = e.trust_target()
            e.engagement = a.engagement_base + a.coaching_effect * e.manager.focus
            e.tenure = 0

    # --- leadership -----------------------------------------------------------------------------------
    def leadership_acts(self) -> tuple[int, int, list[float]]:
        """Courage aimed by the executives' focus: break silos, fix handoffs, confront resisters."""
        a, lv = self.a, self.levers
        effort = [0.0] * F
        if lv["leadership_courage"] == 0:
            return 0, 0, effort
        courage = lv["leadership_courage"] * self.executive_focus()
        for row in self.barrier:
            for g in range(F):
                row[g] *= 1 - a.silo_breaking_rate * courage
        across = [[self.failures_seen[f][g] if f != g else 0.0 for g in range(F)] for f in range(F)]
        aimed = lv["metric_alignment"] + (1 - lv["metric_alignment"]) * a.listening_share
        fixed = 0
        for _ in self.executives:
            if self.random.random() < a.fix_rate * courage:
                fixed += 1
                if self.random.random() < aimed and any(x != 0 for row in across for x in row):
                    f, g = max(((f, g) for f in range(F) for g in range(F)), key=lambda fg: across[fg[0]][fg[1]])
                    across[f][g] = across[g][f] = 0.0
                else:
                    f = self.random.randrange(F)
                    g = (f + 1 + self.random.randrange(F - 1)) % F
                self.barrier[f][g] *= 1 - a.fix_size
                self.barrier[g][f] *= 1 - a.fix_size
                effort[f] += 0.5 * a.fix_effort
                effort[g] += 0.5 * a.fix_effort
        leaving = []
        for e in self.employees:
            if e.is_executive or e.disposition >= a.resister_disposition:
                continue
            if self.random.random() < a.confront_rate * courage:
                if self.random.random() < a.change_share:
                    e.disposition += 0.5 * (1 - e.disposition)
                else:
                    leaving.append(e)
        self.hire(leaving)
        return fixed, len(leaving), effort

    def reform_silos(self) -> None:
        """Barriers drift back towards silo strength, the faster the less the two functions care."""
        care = [unit.care() for unit in self.functions]
        s, rate = self.levers["silo_strength"], self.a.silo_reform_rate
        for f in range(F):
            for g in range(F):
                if f != g:
                    self.barrier[f][g] += rate * (1 - 0.5 * (care[f] + care[g])) * (s - self.barrier[f][g])

    # --- work -----------------------------------------------------------------------------------------
    def collaboration(self, unit: Function) -> float:
        """How much a function works across silos: its mean focus times the mean openness of its boundaries."""
        return unit.care() * (1 - sum(self.barrier[unit.index]) / (F - 1))

    def wanted_headcount(self, unit: Function) -> float:
        """People the function's planned work needs: headroom plus safety_staffing standard deviations."""
        a = self.a
        need = a.staffing_headroom * unit.planned + a.safety_staffing * math.sqrt(unit.planned)
        return need / a.stages_per_employee

    def capacity(self, unit: Function) -> float:
        """Stages the function completes this week: headcount at its staff's mean speed, plus funding."""
        a = self.a
        speed = sum(e.speed() for e in unit.workers) / max(len(unit.workers), 1)
        return unit.headcount * a.stages_per_employee * speed * (1 + a.funding_gain * self.levers["leadership_courage"])

    def handoff_probability(self, x: float, y: float, barrier: float) -> float:
        """The will (both people's focus) and the way (the barrier between their functions)."""
        a = self.a
        way = a.handoff_structure - a.handoff_barrier * barrier * self.handoffs_see_barrier
        return sigmoid(a.handoff_base + a.handoff_focus * 0.5 * (x + y)) * sigmoid(way)

    def run_journeys(self, n: int, extra: list[float]) -> dict:
        """Walk ``n`` journeys through the functions; return their outcomes and the week's work figures."""
        a = self.a
        practised = [self.collaboration(unit) for unit in self.functions]
        unfamiliar = [max(0.0, 1 - unit.routine / max(p, 1e-12)) for unit, p in zip(self.functions, practised,
                                                                                       strict=True)]
        load, coordination = list(extra), [0.0] * F
        journeys, attempts, successes = [], Counter(), Counter()
        for _ in range(n):
            route = self.random.choices(ROUTES, ROUTE_SHARES)[0]
            workers = [self.random.choice(self.functions[f].workers) for f in route]
            outcome, route_failed = SUCCESS, len(route)
            for i, (f, g) in enumerate(pairwise(route)):
                attempts[f, g] += 1
                if self.random.random() < self.handoff_probability(workers[i].focus, workers[i + 1].focus,
                                                                    self.barrier[f][g]):
                    successes[f, g] += 1
                else:
                    outcome = (f, g)  # the journey ends at its first failed handoff, which makes rework
                    route_failed = i
                    load[f] += a.rework
                    break
            reached = route_failed + 1  # stages after a failed handoff are not worked
            work = []
            for i, f in enumerate(route):
                slow = 0.0
                if i + 1 < len(route) and route[i + 1] != f:
                    slow = a.collab_cost * workers[i].focus * (1 - self.barrier[f][route[i + 1]]) * unfamiliar[f]
                work.append(1 + slow)
                if i < reached:
                    load[f] += 1 + slow
                    coordination[f] += slow
            journeys.append((route, work, outcome))
        capacity = [self.capacity(unit) for unit in self.functions]
        late, wait = [], []
        for unit, queue, cap in zip(self.functions, [u.backlog + x for u, x in zip(self.functions, load, strict=True)],
                                    capacity, strict=True):
            unit.backlog = max(0.0, queue - cap)
            late.append(max(0.0, unit.backlog - a.delay_tolerance / WORKING_DAYS * cap) / max(queue, 1e-12))
            wait.append(WORKING_DAYS * unit.backlog / max(cap, 1e-12))
            unit.overload = max(0.0, queue / max(cap, 1e-12) - 1)
        outcomes, days = [], []
        for route, work, outcome in journeys:
            if outcome == SUCCESS and self.random.random() >= math.prod(1 - late[f] for f in route):
                outcome = DELAYS
            outcomes.append(outcome)
            failed = outcome not in (SUCCESS, DELAYS)
            # time to resolution: a failed journey is finished after its rework, so all its stages count
            days.append(sum(w + wait[f] for w, f in zip(work, route, strict=True)) * (1 + a.rework * failed))
        for unit, p, x, c in zip(self.functions, practised, load, coordination, strict=True):
            unit.friction = c / max(x, 1e-12)
            unit.routine += a.collab_learning * (p - unit.routine)
            unit.planned += (x - unit.planned) / PLANNING_WEEKS
        return {"outcomes": outcomes, "attempts": attempts, "successes": successes,
                "cycle_time": sum(days) / len(days) if days else math.nan}

    def organisation_week(self, n_journeys: int, hiring: bool = True) -> dict:
        """Culture, staffing, leadership, structure, headcount and work: one week inside the organisation.

        ``hiring=False`` holds headcount where it is (while the organisation settles as staffed).
        """
        a = self.a
        self.update_culture()
        for e in self.employees:
            e.engage()
        leavers = [e for e in self.employees if e.leaves()]
        self.hire(leavers)
        fixed, replaced, effort = self.leadership_acts()
        self.reform_silos()
        for unit in self.functions if hiring else ():
            unit.headcount += (self.wanted_headcount(unit) - unit.headcount) / a.hiring_delay
        week = self.run_journeys(n_journeys, [e * self.a.stages_per_employee for e in effort])  # staff-weeks to stages
        for f in range(F):
            for g in range(F):
                self.failures_seen[f][g] = (FAILURE_MEMORY * self.failures_seen[f][g]
                                            + week["attempts"][f, g] - week["successes"][f, g])
        week.update(fixed=fixed, replaced=replaced, effort=effort, leavers=len(leavers) + replaced)
        return week

    def settle(self, n_customers: int) -> Counter:
        """Run the organisation before week 1, as staffed, from barriers at their balance.

        Returns the outcomes of the journeys of the last HISTORY_SAMPLE_WEEKS weeks.
        """
        a, lv = self.a, self.levers
        care = [unit.care() for unit in self.functions]
        for f in range(F):
            for g in range(F):
                if f != g:
                    reform = a.silo_reform_rate * (1 - 0.5 * (care[f] + care[g]))
                    self.barrier[f][g] = reform * lv["silo_strength"] / (
                        reform + a.silo_breaking_rate * lv["leadership_courage"] * self.executive_focus())
        per_week = max(1, round(n_customers * a.journey_rate))
        counts = Counter()
        for week in range(self.settling_weeks):
            outcomes = self.organisation_week(per_week, hiring=False)["outcomes"]
            if week >= self.settling_weeks - HISTORY_SAMPLE_WEEKS:
                counts.update(outcomes)
        return counts

    # --- the week -------------------------------------------------------------------------------------
    def apply_interventions(self) -> None:
        """Set this week's scheduled levers; a new silo strength is a reorganisation."""
        for intervention in self.scenario.interventions:
            if intervention.week == self.steps:
                if intervention.lever == "silo_strength":
                    self.reorganise(self.levers["silo_strength"], intervention.value)
                self.levers[intervention.lever] = intervention.value

    def reorganise(self, old: float, new: float) -> None:
        """Redraw the ties for ``new``; barriers scale by new/old (start afresh at ``new`` if old was 0)."""
        self.wire(new)
        for f in range(F):
            for g in range(F):
                if f != g:
                    self.barrier[f][g] = self.barrier[f][g] * new / old if old > 0 else new

    def step(self) -> None:
        """One week."""
        a = self.a
        self.apply_interventions()
        book = [c for c in self.customers if c.active]
        travellers = [c for c in book if self.random.random() < a.journey_rate]
        week = self.organisation_week(len(travellers))
        for customer in book:
            customer.fade()
        for customer, outcome in zip(travellers, week["outcomes"], strict=True):
            customer.remember(outcome, self.steps)
        lost = lost_with_failure = exposed_with_failure = 0
        for customer in book:
            recorded = customer.on_record(self.steps)
            exposed_with_failure += recorded
            reason = customer.churn_reason()
            if reason is not None:
                customer.active = False
                self.lost_by_reason[reason] += 1
                lost += 1
                lost_with_failure += recorded
        remaining = [c for c in self.customers if c.active]
        reputation = sum(c.satisfaction() for c in remaining) / len(remaining) if remaining else 1.0
        chance = a.win_rate * self.win_factor * reputation**a.reputation_elasticity
        won = 0
        for customer in self.customers:
            if not customer.active and self.random.random() < chance:
                customer.active = True
                customer.start_afresh()
                won += 1
        self.record(week, len(book), lost, lost_with_failure, exposed_with_failure, won)
        self.running = self.steps < self.scenario.weeks

    def record(self, week: dict, exposed: int, lost: int, lost_with_failure: int, exposed_with_failure: int,
               won: int) -> None:
        """Append this week's outputs, the fast model's columns."""
        a = self.a
        outcomes, attempts, successes = week["outcomes"], week["attempts"], week["successes"]
        book = [c for c in self.customers if c.active]
        leaders = [e for e in self.employees if e.level != "frontline"]
        frontline = [e for e in self.employees if e.level == "frontline"]
        staff = self.staff()
        cross_tried = sum(v for (f, g), v in attempts.items() if f != g)
        cross_ok = sum(v for (f, g), v in successes.items() if f != g)
        tried = sum(attempts.values())
        churn = self.churn_window.add(lost, exposed)
        turnover = self.turnover_window.add(week["leavers"], len(staff))
        headcount = sum(unit.headcount for unit in self.functions)
        n = len(outcomes)
        self.rows.append({
            "week": self.steps,
            "retention_rate": (1 - churn) ** WEEKS_PER_YEAR,
            "customers_active": len(book),
            "customers_lost": lost,
            "customers_won": won,
            "satisfaction_mean": sum(c.satisfaction() for c in book) / len(book) if book else math.nan,
            "customer_focus_mean": sum(e.focus for e in self.employees) / len(self.employees),
            "customer_focus_leaders": sum(e.focus for e in leaders) / len(leaders),
            "customer_focus_frontline": sum(e.focus for e in frontline) / len(frontline),
            "trust_mean": sum(e.trust for e in self.employees) / len(self.employees),
            "handoff_success_rate": sum(successes.values()) / tried if tried else math.nan,
            "cross_silo_handoff_success_rate": cross_ok / cross_tried if cross_tried else math.nan,
            "journeys": n,
            "journey_success_rate": outcomes.count(SUCCESS) / n if n else math.nan,
            "journeys_delayed": outcomes.count(DELAYS),
            "barrier_mean": sum(self.barrier[f][g] for f in range(F) for g in range(F) if f != g) / (F * (F - 1)),
            "handoffs_fixed": week["fixed"],
            "employees_replaced": week["replaced"],
            "employee_engagement_mean": sum(e.engagement for e in staff) / len(staff),
            "employee_turnover_rate": 1 - (1 - turnover) ** WEEKS_PER_YEAR,
            "cycle_time_mean": week["cycle_time"],
            "change_cost": sum(week["effort"]) + a.funding_gain * self.levers["leadership_courage"] * headcount,
            "headcount": headcount + len(self.executives),
            "churn_with_failure": lost_with_failure / max(exposed_with_failure, 1),
            "churn_without_failure": (lost - lost_with_failure) / max(exposed - exposed_with_failure, 1),
            "lost_with_failure": lost_with_failure,
        })

    def run(self) -> pd.DataFrame:
        """Run to the last week; return one row per week."""
        while self.running:
            self.step()
        return pd.DataFrame(self.rows)
