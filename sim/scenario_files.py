"""Preset scenario files: TOML with a name, a description, parameters and interventions.

    name = "New leadership team"
    description = "A paragraph a trainer can read aloud."

    [parameters]
    leadership_courage = 0.05

    [[interventions]]
    week = 26
    leadership_courage = 0.8
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.assumptions import validate_assumptions
from sim.parameters import DEFAULTS, InputError, check_intervention, check_timeline, validate_parameters

if TYPE_CHECKING:
    from sim.scenario import CustomerFocusScenario

PRESETS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
TOP_LEVEL_KEYS = ("name", "description", "parameters", "assumptions", "interventions")


@dataclass(frozen=True)
class Preset:
    """A named scenario with the description a trainer reads aloud."""

    key: str
    name: str
    description: str
    parameters: dict
    interventions: tuple
    assumptions: dict = field(default_factory=dict)

    def scenario(self, replication: int = 0, **overrides) -> CustomerFocusScenario:
        """The scenario of this preset, with ``overrides`` applied to its parameters."""
        from sim.scenario import CustomerFocusScenario  # imports Mesa: only when a run is made

        params = {**self.parameters, **overrides}
        assumptions = {**self.assumptions, **params.pop("assumptions", {})}
        return CustomerFocusScenario(replication=replication, interventions=self.interventions,
                                     assumptions=assumptions, **params)


def list_presets(directory: Path = PRESETS_DIR) -> list[Preset]:
    """Every preset in ``directory``: the baseline first, then by file name."""
    paths = sorted(directory.glob("*.toml"), key=lambda p: (p.stem != "baseline", p.stem))
    return [load_preset(path) for path in paths]


def find_preset(name: str, directory: Path = PRESETS_DIR) -> Preset:
    """A preset by its key (file name without .toml) or by a path to a TOML file."""
    path = Path(name)
    if path.suffix == ".toml":
        if not path.is_file():
            raise InputError(f"scenario file {name}: no such file")
        return load_preset(path)
    candidate = directory / f"{name}.toml"
    if not candidate.is_file():
        known = ", ".join(p.stem for p in sorted(directory.glob("*.toml")))
        raise InputError(f"scenario {name!r}: no such preset; known presets: {known}")
    return load_preset(candidate)


def load_preset(path: Path) -> Preset:
    """Read and validate one scenario file; errors name the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path.name}: cannot be read: {error}") from None
    return parse_scenario(text, path.stem, f"{path.name}: ")


def parse_scenario(text: str, key: str, where: str) -> Preset:
    """A scenario from the text of a scenario file; errors start with ``where`` and name the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{where}malformed TOML: {error}") from None
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise InputError(f"{where}unknown key {unknown[0]!r}; allowed: {', '.join(TOP_LEVEL_KEYS)}")
    name = text_field(data, "name", key, where)
    description = text_field(data, "description", "", where)
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise InputError(f"{where}parameters: expected a table of name = value")
    parameters = validate_parameters(parameters, where=f"{where}parameters.")
    assumptions = data.get("assumptions", {})
    if not isinstance(assumptions, dict):
        raise InputError(f"{where}assumptions: expected a table of name = value")
    assumptions = validate_assumptions(assumptions, where=f"{where}assumptions.")
    weeks = parameters.get("weeks", DEFAULTS["weeks"])
    return Preset(key, name, description, parameters, parse_interventions(data, weeks, where), assumptions)


def scenario_toml(name: str, description: str, parameters: dict, interventions, assumptions: dict) -> str:
    """A scenario file's text, as ``parse_scenario`` and ``cfsim run`` read it."""
    lines = [f"name = {json.dumps(name)}", f"description = {json.dumps(description)}", "", "[parameters]"]
    lines += [f"{k} = {v!r}" for k, v in parameters.items()]
    if assumptions:
        lines += ["", "[assumptions]", *(f"{k} = {v!r}" for k, v in assumptions.items())]
    for week in sorted({i.week for i in interventions}):
        lines += ["", "[[interventions]]", f"week = {week}"]
        lines += [f"{i.lever} = {i.value!r}" for i in interventions if i.week == week]
    return "\n".join(lines) + "\n"


def text_field(data: dict, key: str, default: str, where: str) -> str:
    """A text entry of a TOML table, whitespace collapsed; InputError if it is not text."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise InputError(f"{where}{key}: expected text in quotes")
    return " ".join(value.split())


def parse_interventions(data: dict, weeks: int, where: str) -> tuple:
    """The ``interventions`` list of a TOML table (week and levers each), checked and in week order."""
    entries = data.get("interventions", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(f"{where}interventions: expected [[interventions]] tables with week and levers")
    timeline = []
    for number, entry in enumerate(entries, start=1):
        here = f"{where}interventions[{number}]"
        if "week" not in entry:
            raise InputError(f"{here}.week: missing; each intervention needs the week it happens")
        levers = {k: v for k, v in entry.items() if k != "week"}
        if not levers:
            raise InputError(f"{here}: sets no lever; add e.g. leadership_courage = 0.8")
        timeline += [check_intervention(entry["week"], k, v, weeks, f"{here}.") for k, v in levers.items()]
    return check_timeline(timeline, where)
