"""Staffing: engagement, turnover and hiring, and headcount that follows demand.

Engagement moves towards a target that coaching raises (a manager who
displays customer focus coaches: goals, a positive environment, feedback and
recognition, seed 001; Harter et al. 2002) and that work beyond capacity
(Oliva & Sterman 2001), the friction of unfamiliar cross-silo work (seed 004:
"they will feel frustrated") and caring more for the customer than one's own
manager supports (seed 000: self-focused leaders kill collaboration) lower.
Disengaged staff leave more.  A leaver's seat is filled by a hire from the
labour market, chosen to resemble the hiring manager's displayed focus
(attraction-selection-attrition, Schneider 1987), who works slowly at first.

Headcount per function follows the work planned for it with a hiring delay
(the capacity loop of Oliva & Sterman 2001).  The employee agents are the
organisation's people at its starting size; as headcount moves, each stands
for headcount / agents people of their function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.culture import Culture, draw_dispositions, trust_target
from sim.organisation import EXECUTIVE, Organisation

WEEKS_PER_YEAR = 52


@dataclass
class Staff:
    """Engagement and tenure of every employee; headcount of every function."""

    engagement: np.ndarray
    tenure: np.ndarray  # weeks in the seat
    headcount: np.ndarray  # people per function (executives not counted)
    staff: np.ndarray  # bool: non-executives, who do the work and may leave


def new_staff(org: Organisation, culture: Culture, planned_work: np.ndarray, a, rng: np.random.Generator) -> Staff:
    """The staff in post, spread over functions in proportion to their planned work.

    Engagement starts at its no-pressure target; tenures from the steady
    state of engaged turnover.
    """
    staff = org.level != EXECUTIVE
    weekly = a.turnover_base / WEEKS_PER_YEAR
    tenure = np.where(staff, rng.geometric(weekly, size=org.size) - 1, 10 * WEEKS_PER_YEAR)
    wanted = wanted_headcount(planned_work, a)
    headcount = staff.sum() * wanted / wanted.sum()
    engagement = engagement_target(org, culture, a, np.zeros(len(headcount)), np.zeros(len(headcount)))
    return Staff(engagement, tenure.astype(np.int64), headcount, staff)


def engagement_target(org: Organisation, culture: Culture, a, overload: np.ndarray,
                      friction: np.ndarray) -> np.ndarray:
    """Engagement each employee moves towards, in [0, 1].

    ``overload`` and ``friction`` are per function: work beyond capacity (as a
    share of capacity) and the share of time lost to unfamiliar cross-silo work.
    """
    boss = culture.focus[org.manager]
    unsupported = np.maximum(0.0, culture.focus - boss)
    target = (a.engagement_base + a.coaching_effect * boss - a.pressure_effect * overload[org.function]
              - a.friction_effect * friction[org.function] - a.misfit_effect * unsupported)
    return np.clip(target, 0.0, 1.0)


def update_engagement(staff: Staff, target: np.ndarray, a) -> None:
    """Engagement closes ``engagement_rate`` of the distance to its target; tenure grows a week."""
    staff.engagement += a.engagement_rate * (target - staff.engagement)
    staff.tenure += 1


def leave(staff: Staff, a, rng: np.random.Generator) -> np.ndarray:
    """Indices of the staff who leave this week: annual hazard base + disengaged share."""
    annual = a.turnover_base + a.turnover_disengaged * (1.0 - staff.engagement)
    leaving = staff.staff & (rng.random(len(staff.engagement)) < annual / WEEKS_PER_YEAR)
    return np.flatnonzero(leaving)


def hire(org: Organisation, culture: Culture, staff: Staff, seats: np.ndarray, levers, a,
         rng: np.random.Generator) -> None:
    """Fill ``seats`` with hires who resemble their hiring manager by ``hiring_fit``."""
    if len(seats) == 0:
        return
    market = draw_dispositions(rng, len(seats))
    chosen = (1.0 - a.hiring_fit) * market + a.hiring_fit * culture.focus[org.manager[seats]]
    culture.disposition[seats] = chosen
    culture.focus[seats] = chosen
    culture.trust[seats] = trust_target(org, culture.focus, levers, a, seats)
    staff.engagement[seats] = np.clip(a.engagement_base + a.coaching_effect * culture.focus[org.manager[seats]],
                                      0.0, 1.0)
    staff.tenure[seats] = 0


def productive_share(org: Organisation, staff: Staff, a) -> np.ndarray:
    """Each function's staff output as a share of fully trained staff's (hires ramp up linearly)."""
    speed = np.minimum(1.0, (staff.tenure + 1) / a.ramp_up_weeks) * staff.staff
    n = len(staff.headcount)
    return np.bincount(org.function, weights=speed, minlength=n) / np.maximum(org.worker_count, 1)


def plan_headcount(staff: Staff, planned_work: np.ndarray, a) -> None:
    """Headcount moves towards the people the planned work needs over the hiring delay.

    The need covers the expected work with headroom plus a safety margin of
    ``safety_staffing`` standard deviations of its weekly variation
    (square-root staffing, Halfin & Whitt 1981), so a small team is not
    swamped by chance.
    """
    staff.headcount += (wanted_headcount(planned_work, a) - staff.headcount) / a.hiring_delay


def wanted_headcount(planned_work: np.ndarray, a) -> np.ndarray:
    """People each function needs for ``planned_work`` stages a week, with headroom and safety margin."""
    return (a.staffing_headroom * planned_work + a.safety_staffing * np.sqrt(planned_work)) / a.stages_per_employee


def capacity(org: Organisation, staff: Staff, a, courage: float) -> np.ndarray:
    """Stages each function can complete this week; courage funds extra capacity for the change."""
    return staff.headcount * a.stages_per_employee * productive_share(org, staff, a) * (1.0 + a.funding_gain * courage)
