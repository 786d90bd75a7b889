"""Sweep files: one TOML file describes a whole experiment.

    name = "quick"
    description = "Transparency against courage in a small organisation."
    scenario = "baseline"      # base scenario: a preset key, or a path to a scenario .toml
    seed = 2026                # the one root seed of every run
    replications = 3           # runs per design point (common random numbers across points)
    weeks = 52

    [fixed]                    # overrides of the base scenario's parameters, the same in every run
    n_employees = 120

    [design]
    method = "grid"            # grid | latin | sobol | morris
    samples = 8                # latin: points; sobol: N (a power of 2); morris: trajectories
    calc_second_order = true   # sobol only (default true)
    num_levels = 4             # morris only (default 4)

    [design.vary]              # grid: a list of values; latin/sobol/morris: [low, high]
    transparency = [0.2, 0.8]
    "interventions.1.week" = [13, 52]   # the base scenario's interventions too (see contrasts.py)

    [design.uncertain]         # assumptions, sampled with the levers (see uncertainty.py)
    win_rate = "plausible"     # or ensemble = "posterior.csv" in [design]

    [design.contrasts]         # every point under every contrast, same seeds (see contrasts.py)
    baseline = {}
    courage = { leadership_courage = 1.0 }

    [outputs]
    record = ["retention_rate", "customer_focus_mean"]   # or "all" (the default)
    every = 1                  # record every k weeks (the last week is always recorded)

Every error is one line naming the file and the field, e.g.
``scenarios/sweeps/x.toml: design.vary.transparency: ...``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.record import WEEKLY_COLUMNS
from sim.scenario import DEFAULTS, PARAMETERS, CustomerFocusScenario, InputError, allowed, check_value
from sim.scenario_files import Preset, find_preset, text_field
from sim.sweeps.contrasts import Contrast, intervention_value, is_intervention_key, parse_contrasts
from sim.sweeps.inputs import MAX_TOML_BYTES, parse_toml, read_text
from sim.sweeps.uncertainty import Ensemble, load_ensemble, parse_uncertain

FORMAT = 1
METHODS = ("grid", "latin", "sobol", "morris")
TOP_LEVEL_KEYS = ("name", "description", "scenario", "seed", "replications", "weeks", "fixed", "design", "outputs")
COMMON_KEYS = ("method", "vary", "uncertain", "contrasts")
DESIGN_KEYS = {
    "grid": (*COMMON_KEYS, "ensemble"),
    "latin": (*COMMON_KEYS, "samples"),
    "sobol": (*COMMON_KEYS, "samples", "calc_second_order"),
    "morris": (*COMMON_KEYS, "samples", "num_levels"),
}
OUTPUT_KEYS = ("record", "every")
OUTPUTS = tuple(name for name in WEEKLY_COLUMNS if name != "week")
RUN_KEYS = ("seed", "weeks")  # set at the top level of a sweep file, not in fixed or vary
MAX_REPLICATIONS = 10_000
MAX_RUNS = 1_000_000
MAX_SAMPLES = 1_000_000
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Sweep:
    """A parsed, validated sweep file."""

    path: Path
    text: str
    name: str
    description: str
    scenario: str
    base: Preset
    seed: int
    replications: int
    weeks: int
    fixed: dict[str, Any]
    method: str
    vary: dict[str, list]  # parameters and interventions; grid: the values of each; samplers: [low, high]
    options: dict[str, Any]
    outputs: tuple[str, ...]
    record_every: int
    base_parameters: dict[str, Any] = field(repr=False)
    uncertain: dict[str, list] = field(default_factory=dict)  # assumptions, as vary
    ensemble: Ensemble | None = None
    contrasts: dict[str, Contrast] = field(default_factory=lambda: {"baseline": Contrast({})})

    @property
    def levers(self) -> list[str]:
        """The varied parameters and intervention fields, in the order of the file."""
        return list(self.vary)

    @property
    def assumption_names(self) -> list[str]:
        """The varied assumptions: [design.uncertain]'s, or the ensemble's columns."""
        return list(self.ensemble.names) if self.ensemble else list(self.uncertain)

    @property
    def names(self) -> list[str]:
        """Every varied factor: the levers, then the assumptions (the columns of the design matrix)."""
        return self.levers + self.assumption_names

    @property
    def bounds(self) -> list[list]:
        """[low, high] of each factor (grid and ensemble: its smallest and largest value)."""
        ranges = [*self.vary.values(), *self.uncertain.values()]
        if self.ensemble:
            ranges += [list(column) for column in zip(*self.ensemble.rows, strict=True)]
        if self.method == "grid":
            return [[min(values), max(values)] for values in ranges]
        return [list(bounds) for bounds in ranges]

    @property
    def n_runs(self) -> int:
        """Design points × contrasts × replications."""
        return count_points(self) * len(self.contrasts) * self.replications

    def hash(self) -> str:
        """sha256 of the canonical parsed sweep, base scenario contents included.

        Comments, layout and the description do not count; anything that
        changes a run or the manifest does.
        """
        canonical = {
            "format": FORMAT, "name": self.name, "scenario": self.scenario, "method": self.method,
            "vary": self.vary, "options": self.options, "fixed": self.fixed, "seed": self.seed,
            "replications": self.replications, "weeks": self.weeks, "outputs": list(self.outputs),
            "record_every": self.record_every, "base_parameters": self.base_parameters,
            "interventions": [[i.week, i.lever, i.value] for i in self.base.interventions],
            "base_assumptions": self.base.assumptions, "uncertain": self.uncertain,
            "ensemble": [self.ensemble.names, self.ensemble.rows] if self.ensemble else None,
            "contrasts": {name: c.canonical() for name, c in self.contrasts.items()},
        }
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_sweep_file(path: Path | str) -> Sweep:
    """Read and validate a sweep file; raise InputError with a one-line message naming the field."""
    path = Path(path)
    where = f"{path}: "
    if path.suffix != ".toml":
        raise InputError(f"{path}: expected a sweep file ending in .toml")
    text = read_text(path, "sweep file", MAX_TOML_BYTES)
    data = parse_toml(text, where)
    _no_unknown(data, TOP_LEVEL_KEYS, where, "")

    name = text_field(data, "name", path.stem, where)
    description = text_field(data, "description", "", where)
    scenario = data.get("scenario", "baseline")
    if not isinstance(scenario, str) or not scenario.strip():
        raise InputError(f"{where}scenario: expected a preset name or a path to a scenario .toml, in quotes")
    base = _base_preset(scenario, path, where)
    seed = check_value("seed", data.get("seed", DEFAULT_SEED), where)
    replications = _whole(data.get("replications", 1), "replications", 1, MAX_REPLICATIONS, where)
    weeks = check_value("weeks", data.get("weeks", base.parameters.get("weeks", CustomerFocusScenario.weeks)), where)

    fixed = _table(data, "fixed", where)
    for key in fixed:
        _check_name(key, f"{where}fixed.")
    fixed = {key: check_value(key, value, f"{where}fixed.") for key, value in fixed.items()}

    design = _table(data, "design", where)
    if "method" not in design:
        raise InputError(f"{where}design.method: missing; expected one of {', '.join(METHODS)}")
    method = design["method"]
    if method not in METHODS:
        raise InputError(f"{where}design.method = {method!r}: expected one of {', '.join(METHODS)}")
    uncertain = dict(_table(design, "uncertain", f"{where}design."))
    if "ensemble" in uncertain:  # accepted inside [design.uncertain] too, as its only entry
        if "ensemble" in design or len(uncertain) > 1:
            raise InputError(f"{where}design.uncertain.ensemble: an ensemble replaces [design.uncertain]; "
                             "give one or the other")
        design = {**design, "ensemble": uncertain.pop("ensemble")}
    if "ensemble" in design and uncertain:
        raise InputError(f"{where}design.ensemble: an ensemble replaces [design.uncertain]; give one or the other")
    _no_unknown(design, DESIGN_KEYS[method], where, "design.", f" for method {method!r}")
    vary = _table(design, "vary", f"{where}design.")
    vary = {key: _varied(key, values, method, base, weeks, fixed, f"{where}design.vary.")
            for key, values in vary.items()}
    uncertain = parse_uncertain(uncertain, method, where) if uncertain else {}
    ensemble = load_ensemble(design["ensemble"], path, where) if "ensemble" in design else None
    contrasts = parse_contrasts(design.get("contrasts"), set(vary), weeks, where)
    if not vary and not uncertain and ensemble is None and len(contrasts) == 1:
        raise InputError(f"{where}design.vary: expected a table of what to vary, e.g. transparency = "
                         + ("[0.2, 0.8] (the grid's values)" if method == "grid" else "[0.0, 1.0] (low, high)")
                         + ", or [design.uncertain], or [design.contrasts]")
    if method != "grid" and not vary and not uncertain:
        raise InputError(f"{where}design.method = {method!r}: samples [design.vary] and [design.uncertain], "
                         "which are both empty; add one, or use method = \"grid\"")
    options = _options(method, design, len(vary) + len(uncertain), where)

    outputs, record_every = _outputs(_table(data, "outputs", where), weeks, where)

    base_parameters = {**DEFAULTS, **base.parameters, **fixed, "seed": seed, "weeks": weeks}
    try:
        base.scenario(replication=0, **base_parameters)
    except InputError as error:
        raise InputError(f"{where}scenario {scenario!r} with weeks = {weeks}: {error}") from None
    sweep = Sweep(path, text, name, description, scenario, base, seed, replications, weeks, fixed, method,
                  vary, options, outputs, record_every, base_parameters, uncertain, ensemble, contrasts)
    if sweep.n_runs > MAX_RUNS:
        raise InputError(f"{where}{count_points(sweep):,} design points × {len(contrasts)} contrast(s) × "
                         f"{replications:,} replications = {sweep.n_runs:,} runs; at most {MAX_RUNS:,} runs "
                         "in one sweep")
    return sweep


def count_points(sweep: Sweep) -> int:
    """Number of design points the sweep's method draws."""
    d = len(sweep.vary) + len(sweep.uncertain)
    n = sweep.options.get("samples", 0)
    if sweep.method == "grid":
        rows = len(sweep.ensemble.rows) if sweep.ensemble else 1
        return math.prod(len(values) for values in [*sweep.vary.values(), *sweep.uncertain.values()]) * rows
    if sweep.method == "latin":
        return n
    if sweep.method == "sobol":
        return n * (2 * d + 2 if sweep.options["calc_second_order"] else d + 2)
    return n * (d + 1)  # morris


def _no_unknown(table: dict, known: tuple, where: str, prefix: str, context: str = "") -> None:
    unknown = [key for key in table if key not in known]
    if unknown:
        raise InputError(f"{where}{prefix}{unknown[0]}: unknown key{context}; allowed: {', '.join(known)}")


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{where}{key}: expected a table [{key}]")
    return value


def _whole(value: Any, key: str, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{where}{key} = {value!r}: expected a whole number from {low:,} to {high:,}")
    return value


def _base_preset(scenario: str, path: Path, where: str) -> Preset:
    name = scenario.strip()
    if name.endswith(".toml") and not Path(name).is_absolute():
        name = str(path.parent / name)  # a scenario file beside the sweep file
    if name.endswith(".toml"):
        read_text(Path(name), "scenario file", MAX_TOML_BYTES)  # refuse a FIFO, a device or a huge file first
    try:
        return find_preset(name)
    except InputError as error:
        raise InputError(f"{where}scenario: {error}") from None
    except RecursionError:
        raise InputError(f"{where}scenario: {name}: malformed TOML: nested too deeply") from None


def _varied(key: str, values: Any, method: str, base: Preset, weeks: int, fixed: dict, where: str) -> list:
    """One entry of [design.vary]: a parameter or an intervention field, typed and checked."""
    if not is_intervention_key(key):
        _check_name(key, where)
        if key in fixed:
            raise InputError(f"{where}{key}: also set in fixed; a parameter is either fixed or varied")

    def check(value: Any):
        if is_intervention_key(key):
            return intervention_value(key, value, base.interventions, weeks, where)
        return check_value(key, value, where)
    if method == "grid":
        if not isinstance(values, list) or not values:
            shown = "a whole number" if key.endswith(".week") else (allowed(key) if key in PARAMETERS else "")
            raise InputError(f"{where}{key}: expected a non-empty list of values, e.g. [0.2, 0.5, 0.8]; "
                             f"each {shown}")
        typed = [check(value) for value in values]
        if len(set(typed)) != len(typed):
            raise InputError(f"{where}{key} = {values!r}: a value is listed twice")
        return typed
    if not isinstance(values, list) or len(values) != 2:
        raise InputError(f"{where}{key}: expected [low, high], two numbers within its range"
                         + (f" ({allowed(key)})" if key in PARAMETERS else ""))
    low, high = (check(value) for value in values)
    if not low < high:
        raise InputError(f"{where}{key} = {values!r}: low must be less than high")
    return [low, high]


def _check_name(key: str, where: str) -> None:
    if key in RUN_KEYS:
        raise InputError(f"{where}{key}: set {key} at the top level of the sweep file")
    if key not in PARAMETERS:
        known = ", ".join(n for n in PARAMETERS if n not in RUN_KEYS)
        raise InputError(f"{where}{key}: unknown parameter; known: {known}")


def _options(method: str, design: dict, d: int, where: str) -> dict[str, Any]:
    if method == "grid":
        return {}
    if "samples" not in design:
        what = {"latin": "design points", "sobol": "base samples N (a power of 2)",
                "morris": "trajectories"}[method]
        raise InputError(f"{where}design.samples: missing; the number of {what}")
    samples = _whole(design["samples"], "design.samples", 1, MAX_SAMPLES, where)
    options: dict[str, Any] = {"samples": samples}
    if method == "sobol":
        if samples & (samples - 1):
            raise InputError(f"{where}design.samples = {samples}: Sobol sampling needs a power of 2, "
                             f"e.g. {1 << (samples.bit_length() - 1)} or {1 << samples.bit_length()}")
        second = design.get("calc_second_order", True)
        if not isinstance(second, bool):
            raise InputError(f"{where}design.calc_second_order = {second!r}: expected true or false")
        if second and d < 2:
            raise InputError(f"{where}design.calc_second_order: second-order indices need at least two "
                             f"varied parameters; set it to false")
        options["calc_second_order"] = second
    if method == "morris":
        if samples < 2:
            raise InputError(f"{where}design.samples = {samples}: Morris needs at least 2 trajectories")
        options["num_levels"] = _whole(design.get("num_levels", 4), "design.num_levels", 2, 1_000, where)
    return options


def _outputs(table: dict, weeks: int, where: str) -> tuple[tuple[str, ...], int]:
    _no_unknown(table, OUTPUT_KEYS, where, "outputs.")
    record = table.get("record", "all")
    if record == "all":
        names = OUTPUTS
    else:
        if not isinstance(record, list) or not record or not all(isinstance(n, str) for n in record):
            raise InputError(f"{where}outputs.record: expected \"all\" or a non-empty list of output names "
                             f"in quotes, e.g. [\"retention_rate\"]")
        for name in record:
            if name not in OUTPUTS:
                raise InputError(f"{where}outputs.record: {name!r} is not an output; known: {', '.join(OUTPUTS)}")
        if len(set(record)) != len(record):
            raise InputError(f"{where}outputs.record: an output is listed twice")
        names = tuple(n for n in OUTPUTS if n in record)  # the model's order
    every = _whole(table.get("every", 1), "outputs.every", 1, weeks, where)
    return tuple(names), every
