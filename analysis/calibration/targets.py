"""Calibration files: the patterns a calibration must reproduce, and the prior it searches.

    name = "published"
    scenario = "baseline"          # a preset key, or a scenario .toml (relative to this file)
    seed = 2026
    weeks = 156
    replications = 2               # runs per prior draw (their mean is compared with the band)
    samples = 256                  # prior draws: a Latin hypercube over [uncertain]
    cutoff = 1.0                   # implausibility cutoff (optional; 1 = inside the band, widened by noise)

    [fixed]                        # parameters, the same in every run
    n_employees = 200

    [uncertain]                    # as a sweep file's [design.uncertain]
    all = "plausible"              # or name = "plausible", or name = [low, high] inside the plausible range

    [targets.baseline_retention]   # one table per pattern
    output = "retention_rate"      # a weekly output, or ratio = ["numerator", "denominator"]
    weeks = [53, 104]              # statistic: mean over these weeks (inclusive)
    minus = [1, 52]                # optional: minus the same statistic over these weeks
    band = [0.75, 0.88]            # the pattern: the statistic lies in this band
    source = "where the band comes from"

A ratio is the ratio of the two outputs' means over the window (robust to
weeks where the denominator is zero). Every error is one line naming the file
and the field.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.assumptions import ASSUMPTIONS, check_assumption
from sim.record import WEEKLY_COLUMNS
from sim.scenario import InputError, check_value
from sim.scenario_files import text_field

TOP_KEYS = ("name", "description", "scenario", "seed", "weeks", "replications", "samples", "cutoff", "fixed",
            "uncertain", "targets")
TARGET_KEYS = ("output", "ratio", "weeks", "minus", "band", "source")
RUN_KEYS = ("seed", "weeks")
MAX_SAMPLES = 100_000
MAX_REPLICATIONS = 1_000


@dataclass(frozen=True)
class Target:
    """One pattern: a statistic of the weekly outputs and the band it must fall in."""

    name: str
    outputs: tuple[str, ...]  # one output, or (numerator, denominator)
    weeks: tuple[int, int]
    band: tuple[float, float]
    minus: tuple[int, int] | None = None
    source: str = ""

    def describe(self) -> str:
        """The statistic in words, e.g. ``mean of retention_rate, weeks 53-104``."""
        what = self.outputs[0] if len(self.outputs) == 1 else f"{self.outputs[0]} / {self.outputs[1]}"
        text = f"mean of {what}, weeks {self.weeks[0]}-{self.weeks[1]}"
        if self.minus:
            text += f", minus weeks {self.minus[0]}-{self.minus[1]}"
        return text

    def statistic(self, runs: pd.DataFrame) -> pd.Series:
        """The statistic of every run in ``runs`` (columns run_id, week, outputs), indexed by run_id."""
        value = self._window(runs, self.weeks)
        if self.minus:
            value = value - self._window(runs, self.minus)
        return value.rename(self.name)

    def _window(self, runs: pd.DataFrame, weeks: tuple[int, int]) -> pd.Series:
        inside = runs[(runs["week"] >= weeks[0]) & (runs["week"] <= weeks[1])]
        means = inside.groupby("run_id")[list(self.outputs)].mean().reindex(runs["run_id"].unique())
        if len(self.outputs) == 1:
            return means[self.outputs[0]].astype(float)
        numerator, denominator = (means[name].astype(float) for name in self.outputs)
        return numerator / denominator.where(denominator != 0, np.nan)


@dataclass(frozen=True)
class Calibration:
    """A parsed, validated calibration file."""

    path: Path
    name: str
    description: str
    scenario: str  # a preset key, or an absolute path to a scenario file
    seed: int
    weeks: int
    replications: int
    samples: int
    cutoff: float
    fixed: dict[str, Any]
    uncertain: dict[str, tuple[float, float]]  # name -> (low, high), in the table's order
    targets: tuple[Target, ...]

    @property
    def outputs(self) -> list[str]:
        """The weekly outputs the targets read, in the model's order."""
        needed = {name for target in self.targets for name in target.outputs}
        return [name for name in WEEKLY_COLUMNS if name in needed]


def load_calibration(path: Path | str) -> Calibration:
    """Read and validate a calibration file; raise InputError with one line naming the field."""
    path = Path(path)
    where = f"{path}: "
    if path.suffix != ".toml":
        raise InputError(f"{path}: expected a calibration file ending in .toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{where}cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{where}malformed TOML: {error}") from None
    _no_unknown(data, TOP_KEYS, where)
    scenario = data.get("scenario", "baseline")
    if not isinstance(scenario, str) or not scenario.strip():
        raise InputError(f"{where}scenario: expected a preset name or a path to a scenario .toml, in quotes")
    scenario = scenario.strip()
    if scenario.endswith(".toml"):
        scenario = str((path.parent / scenario).resolve())
    weeks = check_value("weeks", data.get("weeks", 156), where)
    fixed = data.get("fixed", {})
    if not isinstance(fixed, dict):
        raise InputError(f"{where}fixed: expected a table [fixed] of parameter = value")
    for key in fixed:
        if key in RUN_KEYS:
            raise InputError(f"{where}fixed.{key}: set {key} at the top level of the calibration file")
    fixed = {key: check_value(key, value, f"{where}fixed.") for key, value in fixed.items()}
    targets = data.get("targets")
    if not isinstance(targets, dict) or not targets:
        raise InputError(f"{where}targets: expected at least one [targets.NAME] table")
    return Calibration(
        path=path,
        name=text_field(data, "name", path.stem, where),
        description=text_field(data, "description", "", where),
        scenario=scenario,
        seed=check_value("seed", data.get("seed", 42), where),
        weeks=weeks,
        replications=_whole(data.get("replications", 1), "replications", 1, MAX_REPLICATIONS, where),
        samples=_whole(data.get("samples", 256), "samples", 2, MAX_SAMPLES, where),
        cutoff=_cutoff(data.get("cutoff", 1.0), where),
        fixed=fixed,
        uncertain=parse_uncertain(data.get("uncertain", {"all": "plausible"}), f"{where}uncertain"),
        targets=tuple(_target(name, table, weeks, f"{where}targets.{name}") for name, table in targets.items()),
    )


def parse_uncertain(table: Any, where: str) -> dict[str, tuple[float, float]]:
    """``[uncertain]`` as name -> (low, high); "plausible" is the assumption's plausible range."""
    if not isinstance(table, dict) or not table:
        raise InputError(f"{where}: expected a table of assumption = \"plausible\" or [low, high], or all = "
                         f"\"plausible\"")
    if "all" in table:
        if table != {"all": "plausible"}:
            raise InputError(f"{where}.all: expected all = \"plausible\" on its own")
        return {name: (a.low, a.high) for name, a in ASSUMPTIONS.items()}
    ranges = {}
    for name, value in table.items():
        if name not in ASSUMPTIONS:
            raise InputError(f"{where}.{name}: unknown assumption; known: {', '.join(ASSUMPTIONS)}")
        spec = ASSUMPTIONS[name]
        if value == "plausible":
            ranges[name] = (spec.low, spec.high)
            continue
        if not isinstance(value, list) or len(value) != 2:
            raise InputError(f"{where}.{name}: expected \"plausible\" or [low, high] inside the plausible range "
                             f"{spec.low:g} to {spec.high:g}")
        low, high = (check_assumption(name, v, f"{where}.") for v in value)
        if not low < high:
            raise InputError(f"{where}.{name} = {value!r}: low must be less than high")
        ranges[name] = (low, high)
    return ranges


def _target(name: str, table: Any, weeks: int, where: str) -> Target:
    if not isinstance(table, dict):
        raise InputError(f"{where}: expected a table with output (or ratio), weeks and band")
    _no_unknown(table, TARGET_KEYS, f"{where}.")
    if ("output" in table) == ("ratio" in table):
        raise InputError(f"{where}: give either output = \"NAME\" or ratio = [\"NUMERATOR\", \"DENOMINATOR\"]")
    outputs = [table["output"]] if "output" in table else table["ratio"]
    key = "output" if "output" in table else "ratio"
    if not isinstance(outputs, list) or len(outputs) != (1 if key == "output" else 2):
        raise InputError(f"{where}.{key}: expected " + ("an output name in quotes" if key == "output" else
                                                        "[\"NUMERATOR\", \"DENOMINATOR\"], two output names"))
    known = [n for n in WEEKLY_COLUMNS if n != "week"]
    for output in outputs:
        if output not in known:
            raise InputError(f"{where}.{key}: {output!r} is not a weekly output; known: {', '.join(known)}")
    band = table.get("band")
    if (not isinstance(band, list) or len(band) != 2 or not all(_number(v) for v in band)
            or not band[0] < band[1]):
        raise InputError(f"{where}.band: expected [low, high], two numbers with low < high")
    source = table.get("source", "")
    if not isinstance(source, str):
        raise InputError(f"{where}.source: expected text in quotes")
    return Target(name, tuple(outputs), _window(table.get("weeks"), weeks, f"{where}.weeks"),
                  (float(band[0]), float(band[1])),
                  _window(table["minus"], weeks, f"{where}.minus") if "minus" in table else None, source)


def _window(value: Any, weeks: int, where: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or not 1 <= value[0] <= value[1] <= weeks):
        raise InputError(f"{where}: expected [first, last], whole weeks with 1 <= first <= last <= weeks ({weeks})")
    return value[0], value[1]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _cutoff(value: Any, where: str) -> float:
    if not _number(value) or value <= 0:
        raise InputError(f"{where}cutoff = {value!r}: expected a positive number, e.g. 1 (inside the band) or 3")
    return float(value)


def _whole(value: Any, key: str, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{where}{key} = {value!r}: expected a whole number from {low:,} to {high:,}")
    return value


def _no_unknown(table: dict, known: tuple, where: str) -> None:
    unknown = [key for key in table if key not in known]
    if unknown:
        raise InputError(f"{where}{unknown[0]}: unknown key; allowed: {', '.join(known)}")
