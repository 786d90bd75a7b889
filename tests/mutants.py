"""Named mutants: the model with one mechanism switched off or broken, and the tests that must reject it.

Each mutant is a context manager that patches the model in this process;
``KILLED_BY`` names, for each, the pattern tests that must fail under it.
tests/test_mutants.py runs those tests under each mutant and requires them
to fail: a pattern test that a broken model passes is a defect.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from unittest import mock

import numpy as np

import sim.culture
import sim.leadership
import sim.staffing
import sim.work
from sim.assumptions import Assumptions
from sim.scenario import Levers


def unchecked(**values):
    """The model with assumption values set past their validated ranges (a broken constant)."""

    class Broken(Assumptions):
        def __init__(self, overrides=None, where=""):
            super().__init__(overrides, where)
            self._values.update(values)

    return mock.patch("sim.model.Assumptions", Broken)


def scaled(name: str, factor: float):
    """The model with one assumption off by ``factor`` (whatever it is overridden to)."""

    class Broken(Assumptions):
        def __init__(self, overrides=None, where=""):
            super().__init__(overrides, where)
            self._values[name] *= factor

    return mock.patch("sim.model.Assumptions", Broken)


def focus_ignored_by_handoffs():
    """Handoffs are executed as if everyone had the same middling focus."""
    original = sim.work.care
    return mock.patch("sim.work.care", lambda focus_a, focus_b, a: original(0.4, 0.4, a) * np.ones_like(focus_a))


def transparency_ignored():
    """Trust and influence computed as if transparency stayed at its default, whatever the lever says."""
    trust_target, source_weights = sim.culture.trust_target, sim.culture.source_weights

    def pinned(function):
        def with_transparency_pinned(*args, **kwargs):
            args = [SimpleNamespace(**{**vars(x), "transparency": 0.3}) if isinstance(x, Levers) else x for x in args]
            return function(*args, **kwargs)
        return with_transparency_pinned

    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch("sim.culture.trust_target", pinned(trust_target)))
    stack.enter_context(mock.patch("sim.culture.source_weights", pinned(source_weights)))
    return stack


def courage_only_funds():
    """Courage pays for capacity but leaders take no structural action."""
    return mock.patch("sim.leadership.take_actions", lambda org, *args, **kwargs:
                      sim.leadership.LeadershipActions(effort=np.zeros(len(org.barrier))))


def headcount_fixed():
    """Headcount never follows the work."""
    return mock.patch("sim.staffing.plan_headcount", lambda *args, **kwargs: None)


MUTANTS = {
    "focus does not affect handoffs": focus_ignored_by_handoffs,
    "no collaboration cost": lambda: unchecked(collab_cost=0.0),
    "failures hurt no more than successes help": lambda: unchecked(failure_hazard=0.0),
    "transparency ignored": transparency_ignored,
    # every way leaders' behaviour reaches their people: seen (manager, skip-level, executives), voiced, hired for
    "leaders' example switched off": lambda: unchecked(manager_weight=0.0, skip_weight=0.0, executive_weight=0.0,
                                                       words_weight=0.0, hiring_fit=0.0),
    "courage only funds": courage_only_funds,
    "win rate off by 15 %": lambda: scaled("win_rate", 1.15),
    "silos never re-form": lambda: unchecked(silo_reform_rate=0.0),
    "headcount never follows demand": headcount_fixed,
    "no coaching": lambda: unchecked(coaching_effect=0.0),
}

P = "tests.test_patterns"
D = "tests.test_patterns_dynamics"
KILLED_BY: dict[str, list[str]] = {
    "focus does not affect handoffs": [
        f"{P}::test_courage_transparency_and_metrics_each_move_retention_by_four_points"],
    "no collaboration cost": [f"{D}::test_a_push_across_silos_is_worse_before_it_is_better"],
    "failures hurt no more than successes help": [f"{D}::test_the_calibration_targets_hold_together",
                                                  f"{D}::test_churn_falls_by_the_share_booked_to_the_failures_removed"],
    "transparency ignored": [
        f"{P}::test_transparency_builds_trust_where_leaders_do_what_they_say_and_lowers_it_where_they_do_not"],
    "leaders' example switched off": [f"{P}::test_the_frontline_follows_its_leaders_down_within_a_year"],
    "courage only funds": [f"{P}::test_courage_and_commitment_are_complements",
                           f"{P}::test_courage_transparency_and_metrics_each_move_retention_by_four_points"],
    "win rate off by 15 %": [f"{D}::test_the_baseline_is_stationary_over_ten_years"],
    "silos never re-form": [f"{D}::test_the_baseline_is_stationary_over_ten_years"],
    "headcount never follows demand": [
        f"{D}::test_a_good_organisation_grows_and_hires_rather_than_collapsing_into_delays"],
    "no coaching": [f"{P}::test_coaching_leaders_keep_their_people"],
}
