"""Contrasts and varied interventions of a sweep.

    [design.contrasts]            # every design point runs under every contrast, with the same seeds
    baseline = {}                 # the reference: empty, or levers only
    courage = { leadership_courage = 1.0 }
    new_team = { interventions = [{ week = 26, leadership_courage = 0.8 }] }

    [design.vary]
    "interventions.1.week" = [13, 52]                 # the week of the base scenario's first intervention
    "interventions.1.leadership_courage" = [0.5, 0.9] # and the value it sets

Interventions are counted from 1 in the base scenario's timeline (week order,
one lever each: a scenario entry that sets two levers counts twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError
from sim.scenario import PARAMETERS, Intervention, check_timeline, check_value, whole_number
from sim.scenario_files import parse_interventions

BASELINE = "baseline"
PREFIX = "interventions."
INTERVENTION_KEY = re.compile(r"interventions\.(\d{1,4})\.([a-z_]+)")
CONTRAST_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
RUN_KEYS = ("seed", "weeks")


@dataclass(frozen=True)
class Contrast:
    """What a contrast changes: parameters, and interventions added to the base timeline."""

    parameters: dict[str, Any]
    interventions: tuple[Intervention, ...] = ()

    def canonical(self) -> list:
        """A JSON-able form (for the sweep's hash and the manifest)."""
        return [self.parameters, [[i.week, i.lever, i.value] for i in self.interventions]]


def is_intervention_key(key: str) -> bool:
    """Whether a ``[design.vary]`` key names an intervention rather than a parameter."""
    return key.startswith(PREFIX)


def intervention_target(key: str, base: tuple[Intervention, ...], where: str) -> tuple[int, str]:
    """(0-based index, "week" or the lever) of an ``interventions.N.FIELD`` key, checked against the base."""
    match = INTERVENTION_KEY.fullmatch(key)
    if not match:
        raise InputError(f"{where}{key}: expected \"interventions.N.week\" or \"interventions.N.LEVER\", "
                         f"N counting the base scenario's interventions from 1")
    number, field = int(match.group(1)), match.group(2)
    if not 1 <= number <= len(base):
        raise InputError(f"{where}{key}: the base scenario has {len(base)} intervention"
                         f"{'s' if len(base) != 1 else ''}; N counts them from 1")
    target = base[number - 1]
    if field not in ("week", target.lever):
        raise InputError(f"{where}{key}: intervention {number} sets {target.lever} in week {target.week}; "
                         f"vary interventions.{number}.week or interventions.{number}.{target.lever}")
    return number - 1, field


def intervention_value(key: str, value: Any, base: tuple[Intervention, ...], weeks: int, where: str):
    """``value`` typed and checked for the intervention field ``key`` names."""
    index, field = intervention_target(key, base, where)
    if field == "week":
        return whole_number(value, 1, weeks, f"{where}{key}")
    return check_value(field, value, f"{where}interventions.{index + 1}.")


def timeline(base: tuple[Intervention, ...], moves: dict[str, Any], contrast: Contrast,
             where: str) -> tuple[Intervention, ...]:
    """The interventions of one run: the base's with ``moves`` applied, plus the contrast's."""
    changed = list(base)
    for key, value in moves.items():
        index, field = intervention_target(key, base, where)
        old = changed[index]
        changed[index] = Intervention(value, old.lever, old.value) if field == "week" else \
            Intervention(old.week, old.lever, float(value))
    return check_timeline([*changed, *contrast.interventions], where)


def parse_contrasts(table: Any, varied: set[str], weeks: int, where: str) -> dict[str, Contrast]:
    """``[design.contrasts]`` by name, "baseline" first; without the table, just the baseline."""
    if table is None:
        return {BASELINE: Contrast({})}
    here = f"{where}design.contrasts"
    if not isinstance(table, dict) or BASELINE not in table:
        raise InputError(f"{here}: expected a table of contrasts including {BASELINE} = {{}} (the reference)")
    contrasts = {}
    for name in [BASELINE, *(n for n in table if n != BASELINE)]:
        if not CONTRAST_NAME.fullmatch(name):
            raise InputError(f"{here}.{name}: a contrast's name is a letter then letters, digits, _ or -")
        contrasts[name] = _contrast(table[name], varied, weeks, f"{here}.{name}")
    if contrasts[BASELINE].interventions:
        raise InputError(f"{here}.{BASELINE}: the reference contrast sets no interventions; give them a name")
    return contrasts


def _contrast(entry: Any, varied: set[str], weeks: int, here: str) -> Contrast:
    if not isinstance(entry, dict):
        raise InputError(f"{here}: expected a table, e.g. {{ transparency = 1.0 }} or {{}}")
    parameters = {}
    for key, value in entry.items():
        if key == "interventions":
            continue
        if key in RUN_KEYS or key not in PARAMETERS:
            known = ", ".join(n for n in PARAMETERS if n not in RUN_KEYS)
            raise InputError(f"{here}.{key}: not a parameter a contrast can set; known: {known}, interventions")
        if key in varied:
            raise InputError(f"{here}.{key}: also varied in design.vary; a contrast sets what the design does not")
        parameters[key] = check_value(key, value, f"{here}.")
    return Contrast(parameters, parse_interventions(entry, weeks, f"{here}."))
