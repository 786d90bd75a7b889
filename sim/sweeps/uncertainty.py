"""The uncertain assumptions of a sweep: ``[design.uncertain]`` ranges, or an ensemble of assumption vectors.

    [design.uncertain]
    handoff_focus = "plausible"     # the assumption's plausible range from sim.assumptions
    win_rate = [0.003, 0.006]       # a sub-range (samplers) or the values (grid), inside the plausible range
    all = "plausible"               # every assumption over its plausible range (entries above narrow it)

or ``ensemble = "posterior.csv"`` in ``[design]``: one point per row of a
CSV file whose columns are assumption names (a ``weight`` column is
ignored), relative to the sweep file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.assumptions import ASSUMPTIONS, check_assumption
from sim.errors import InputError
from sim.sweeps.inputs import MAX_CSV_BYTES, read_text

PLAUSIBLE = "plausible"
ALL = "all"
WEIGHT = "weight"


@dataclass(frozen=True)
class Ensemble:
    """Assumption vectors read from a CSV file: one design point each."""

    file: str  # as written in the sweep file
    sha256: str
    names: tuple[str, ...]
    rows: tuple[tuple[float | int, ...], ...]


def parse_uncertain(table: Any, method: str, where: str) -> dict[str, list]:
    """``[design.uncertain]`` as {assumption: grid values or [low, high]}, in file order (``all`` in table order)."""
    where = f"{where}design.uncertain."
    if not isinstance(table, dict):
        raise InputError(f"{where[:-1]}: expected a table of assumption = \"plausible\" or a range")
    entries = dict(table)
    if ALL in entries:
        if entries.pop(ALL) != PLAUSIBLE:
            raise InputError(f"{where}{ALL}: expected \"{PLAUSIBLE}\" (every assumption over its plausible range)")
        entries = {name: entries.get(name, PLAUSIBLE) for name in ASSUMPTIONS} | entries
    return {name: _range(name, value, method, where) for name, value in entries.items()}


def _range(name: str, value: Any, method: str, where: str) -> list:
    if name not in ASSUMPTIONS:
        raise InputError(f"{where}{name}: unknown assumption; `cfsim assumptions` lists them all")
    spec = ASSUMPTIONS[name]
    plausible = [check_assumption(name, spec.low), check_assumption(name, spec.high)]
    if value == PLAUSIBLE:
        return plausible
    if method == "grid":
        if not isinstance(value, list) or not value:
            raise InputError(f"{where}{name}: expected \"{PLAUSIBLE}\" or a non-empty list of values, "
                             f"each {spec.allowed()} (its plausible range)")
        values = [check_assumption(name, v, where) for v in value]
        if len(set(values)) != len(values):
            raise InputError(f"{where}{name} = {value!r}: a value is listed twice")
        return values
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"{where}{name}: expected \"{PLAUSIBLE}\" or [low, high] inside its plausible range "
                         f"({spec.allowed()})")
    low, high = (check_assumption(name, v, where) for v in value)
    if not low < high:
        raise InputError(f"{where}{name} = {value!r}: low must be less than high")
    return [low, high]


def load_ensemble(entry: Any, sweep_path: Path, where: str) -> Ensemble:
    """Read the ensemble CSV named by ``design.ensemble`` (relative to the sweep file)."""
    if not isinstance(entry, str) or not entry.strip():
        raise InputError(f"{where}design.ensemble: expected the path of a CSV file in quotes")
    path = Path(entry.strip())
    if not path.is_absolute():
        path = sweep_path.parent / path
    if path.suffix.lower() != ".csv":
        raise InputError(f"{where}design.ensemble = {entry!r}: expected a .csv file")
    text = read_text(path, "CSV file of assumption values", MAX_CSV_BYTES)
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise InputError(f"{path}: not a CSV file ({error})") from None
    table = [(number, row) for number, row in enumerate(table, start=1) if any(cell.strip() for cell in row)]
    if len(table) < 2:
        raise InputError(f"{path}: expected a header of assumption names and at least one row of values")
    header = [cell.strip() for cell in table[0][1]]
    for column in header:
        if column != WEIGHT and column not in ASSUMPTIONS:
            raise InputError(f"{path}: column {column!r} is not an assumption; `cfsim assumptions` lists them "
                             f"(a {WEIGHT!r} column is allowed and ignored)")
    if len(set(header)) != len(header):
        raise InputError(f"{path}: a column is named twice")
    names = tuple(c for c in header if c != WEIGHT)
    if not names:
        raise InputError(f"{path}: no assumption columns")
    rows = []
    for number, row in table[1:]:
        if len(row) != len(header):
            raise InputError(f"{path}: line {number}: {len(row)} values for {len(header)} columns")
        values = dict(zip(header, row, strict=True))
        rows.append(tuple(check_assumption(n, values[n], f"{path}: line {number}: ") for n in names))
    return Ensemble(entry.strip(), hashlib.sha256(text.encode("utf-8")).hexdigest(), names, tuple(rows))
