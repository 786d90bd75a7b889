"""Load a results directory written by ``cfsim sweep`` and reduce each run to one number.

The layout (``sweep.toml``, ``manifest.json``, ``design.parquet``,
``runs/run-NNNNNN.parquet``) is described in the README. A sweep may be
partial: :class:`Results` says how many of the planned runs are present.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from sim.scenario import InputError

FORMAT = 1
RUN_FILE = re.compile(r"run-(\d+)\.parquet")
DESIGN_KEYS = ("run_id", "point", "contrast", "replication", "seed")
BASELINE = "baseline"  # the reference contrast
METHODS = ("grid", "latin", "sobol", "morris")


@dataclass(frozen=True)
class Response:
    """How one run becomes one number: the mean of ``output`` over its last ``last_weeks`` weeks.

    ``last_weeks=1`` is the final week; a run shorter than ``last_weeks`` is
    averaged over all its weeks. Weeks with no value (NaN) are skipped.
    """

    output: str = "retention_rate"
    last_weeks: int = 52

    def describe(self, weeks: int, every: int = 1) -> str:
        """The definition in words, for a run of ``weeks`` weeks recorded every ``every`` weeks."""
        first = max(1, weeks - self.last_weeks + 1)
        if first == weeks:
            return f"`{self.output}` in the final week ({weeks})"
        recorded = f" (recorded every {every} weeks)" if every > 1 else ""
        return f"mean of `{self.output}` over weeks {first}–{weeks}{recorded}"


@dataclass(frozen=True)
class Results:
    """A results directory: its manifest, its design (every planned run) and the weekly outputs present.

    ``warnings`` are lines to show the reader (e.g. results written by another code version).
    """

    directory: Path
    manifest: dict
    design: pd.DataFrame
    weekly: pd.DataFrame
    warnings: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        """The sampling method: grid, latin, sobol or morris."""
        return self.manifest["method"]

    @property
    def factors(self) -> list[str]:
        """Everything the sampler varied (levers and assumptions), in its order."""
        return list(self.manifest["problem"]["names"])

    @property
    def uncertain(self) -> list[str]:
        """The varied assumptions (sampled or from an ensemble)."""
        return list(self.manifest.get("uncertain", []))

    @property
    def levers(self) -> list[str]:
        """The varied parameters (levers and sizes), in the sampler's order."""
        if "levers" in self.manifest:
            return list(self.manifest["levers"])
        return [n for n in self.factors if n not in self.uncertain]

    @property
    def contrasts(self) -> list[str]:
        """The contrasts every point runs under, "baseline" first."""
        return list(self.manifest.get("contrasts", [BASELINE]))

    @property
    def problem(self) -> dict:
        """The sampled factors as a SALib problem dictionary."""
        bounds = [list(map(float, b)) for b in self.manifest["problem"]["bounds"]]
        return {"num_vars": len(self.factors), "names": self.factors, "bounds": bounds}

    @property
    def outputs(self) -> list[str]:
        """The recorded weekly outputs."""
        return [c for c in self.weekly.columns if c not in ("run_id", "week")]

    @property
    def n_runs(self) -> int:
        """Runs the sweep plans."""
        return len(self.design)

    @property
    def n_points(self) -> int:
        """Design points the sweep plans."""
        return int(self.design["point"].nunique())

    @cached_property
    def present(self) -> np.ndarray:
        """The run ids with outputs, sorted."""
        return np.sort(self.weekly["run_id"].unique())

    @property
    def complete(self) -> bool:
        """True when every planned run has its outputs."""
        return len(self.present) == self.n_runs

    def status(self) -> str:
        """One line: runs present of planned."""
        return f"{len(self.present)} of {self.n_runs} runs present" + ("" if self.complete else " (partial sweep)")

    def responses(self, response: Response | str = "retention_rate", contrast: str | None = None) -> pd.DataFrame:
        """One row per run present: run_id, point, contrast, replication, seed, the factors, and the response.

        The response column is named after the output; ``contrast`` keeps only that contrast's runs.
        """
        response = Response(response) if isinstance(response, str) else response
        if response.output not in self.outputs:
            raise InputError(f"output {response.output!r}: not recorded in this sweep; recorded: "
                             f"{', '.join(self.outputs)}")
        if response.last_weeks < 1:
            raise InputError(f"last weeks = {response.last_weeks}: expected a whole number of at least 1")
        weekly = self.weekly[["run_id", "week", response.output]]
        last = weekly.groupby("run_id")["week"].transform("max")
        window = weekly[weekly["week"] > last - response.last_weeks]
        values = window.groupby("run_id")[response.output].mean()  # skips NaN
        columns = [*DESIGN_KEYS, *dict.fromkeys([*self.factors, *self.levers, *self.uncertain])]
        rows = self.design.loc[self.design["run_id"].isin(values.index), columns]
        if contrast is not None:
            rows = rows[rows["contrast"] == contrast]
        return rows.assign(**{response.output: values.reindex(rows["run_id"]).to_numpy()}).reset_index(drop=True)


def load(directory: str | Path) -> Results:
    """Read a results directory; raise InputError naming the problem if it is not one."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory")
    manifest = _manifest(directory)
    design_file = directory / "design.parquet"
    if not design_file.is_file():
        raise InputError(f"{design_file}: missing; the sweep has not started writing this directory")
    try:
        design = pd.read_parquet(design_file)
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(f"{design_file}: not a readable Parquet file ({_first_line(error)})") from None
    if "contrast" not in design.columns:  # written before contrasts existed
        design.insert(1, "contrast", BASELINE)
    names = dict.fromkeys([*DESIGN_KEYS, *manifest["problem"]["names"], *manifest.get("levers", []),
                           *manifest.get("uncertain", [])])
    missing = [c for c in names if c not in design.columns]
    if missing:
        raise InputError(f"{design_file}: columns missing: {', '.join(missing)}")
    design = design.sort_values("run_id", ignore_index=True)
    if len(design) != manifest.get("n_runs", len(design)):
        raise InputError(f"{design_file}: {len(design)} rows, but the manifest plans {manifest['n_runs']} runs")
    unknown = set(design["contrast"]) - set(manifest.get("contrasts", [BASELINE]))
    if unknown:
        raise InputError(f"{design_file}: contrasts {', '.join(sorted(map(str, unknown)))} are not in the manifest")
    from sim.sweeps import check_code_version

    warnings = tuple(filter(None, [check_code_version(manifest)]))
    return Results(directory, manifest, design, _weekly(directory / "runs", manifest), warnings=warnings)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not path.is_file():
        raise InputError(f"{directory}: not a results directory (no manifest.json); write one with cfsim sweep")
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not valid JSON: {error}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None
    if not isinstance(manifest, dict):
        raise InputError(f"{path}: expected a JSON object (a table of keys), found {type(manifest).__name__}")
    if manifest.get("format") != FORMAT:
        raise InputError(f"{path}: format {manifest.get('format')!r}; this version reads format {FORMAT}")
    for key in ("method", "problem", "replications"):
        if key not in manifest:
            raise InputError(f"{path}: {key!r} missing")
    _check_shape(manifest, path)
    return manifest


def _check_shape(manifest: dict, path: Path) -> None:
    """Refuse a manifest whose entries have the wrong types, naming the entry."""
    problem = manifest["problem"]
    names = problem.get("names") if isinstance(problem, dict) else None
    bounds = problem.get("bounds") if isinstance(problem, dict) else None
    checks = [
        ("method", manifest["method"], manifest["method"] in METHODS, " or ".join(METHODS)),
        ("problem", problem, isinstance(problem, dict), "a table with names and bounds"),
        ("problem.names", names, _strings(names), "a list of names"),
        ("problem.bounds", bounds, isinstance(bounds, list) and _strings(names) and len(bounds) == len(names)
         and all(isinstance(b, list) and len(b) == 2 and all(map(_number, b)) for b in bounds),
         "one [low, high] pair of numbers per name"),
        ("replications", manifest["replications"], _whole(manifest["replications"], 1), "a whole number ≥ 1"),
        *((key, manifest[key], _whole(manifest[key], 0), "a whole number")
          for key in ("n_runs", "n_points", "weeks", "record_every") if key in manifest),
        *((key, manifest[key], isinstance(manifest[key], dict), "a table") for key in ("options", "fixed")
          if key in manifest),
        *((key, manifest[key], _strings(manifest[key]), "a list of names")
          for key in ("outputs", "levers", "uncertain", "contrasts") if key in manifest),
    ]
    for key, value, good, expected in checks:
        if not good:
            raise InputError(f"{path}: {key!r} is {json.dumps(value)[:60]}; expected {expected}")


def _whole(value, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _weekly(runs: Path, manifest: dict) -> pd.DataFrame:
    files = sorted(p for p in runs.glob("run-*.parquet") if RUN_FILE.fullmatch(p.name)) if runs.is_dir() else []
    if not files:
        columns = {"run_id": pd.Series(dtype="int64"), "week": pd.Series(dtype="int64")}
        columns |= {name: pd.Series(dtype="float64") for name in manifest.get("outputs", [])}
        return pd.DataFrame(columns)
    try:
        table = ds.dataset([str(p) for p in files], format="parquet").to_table()
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{runs}: cannot read the run files: {_first_line(error)}") from None
    return table.to_pandas().sort_values(["run_id", "week"], ignore_index=True)
