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
DESIGN_KEYS = ("run_id", "point", "replication", "seed")


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
    """A results directory: its manifest, its design (every planned run) and the weekly outputs present."""

    directory: Path
    manifest: dict
    design: pd.DataFrame
    weekly: pd.DataFrame

    @property
    def method(self) -> str:
        """The sampling method: grid, latin, sobol or morris."""
        return self.manifest["method"]

    @property
    def levers(self) -> list[str]:
        """The varied parameters, in the sampler's order."""
        return list(self.manifest["problem"]["names"])

    @property
    def problem(self) -> dict:
        """The varied parameters as a SALib problem dictionary."""
        bounds = [list(map(float, b)) for b in self.manifest["problem"]["bounds"]]
        return {"num_vars": len(self.levers), "names": self.levers, "bounds": bounds}

    @property
    def outputs(self) -> list[str]:
        """The recorded weekly outputs."""
        return [c for c in self.weekly.columns if c not in ("run_id", "week")]

    @property
    def n_runs(self) -> int:
        """Runs the sweep plans."""
        return len(self.design)

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

    def responses(self, response: Response | str = "retention_rate") -> pd.DataFrame:
        """One row per run present: run_id, point, replication, seed, the levers, and the response.

        The response column is named after the output.
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
        columns = [*DESIGN_KEYS, *self.levers]
        rows = self.design.loc[self.design["run_id"].isin(values.index), columns]
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
    design = pd.read_parquet(design_file).sort_values("run_id", ignore_index=True)
    missing = [c for c in (*DESIGN_KEYS, *manifest["problem"]["names"]) if c not in design.columns]
    if missing:
        raise InputError(f"{design_file}: columns missing: {', '.join(missing)}")
    if len(design) != manifest.get("n_runs", len(design)):
        raise InputError(f"{design_file}: {len(design)} rows, but the manifest plans {manifest['n_runs']} runs")
    return Results(directory, manifest, design, _weekly(directory / "runs", manifest))


def _manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not path.is_file():
        raise InputError(f"{directory}: not a results directory (no manifest.json); write one with cfsim sweep")
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"{path}: format {manifest.get('format')!r}; this version reads format {FORMAT}")
    for key in ("method", "problem", "replications"):
        if key not in manifest:
            raise InputError(f"{path}: {key!r} missing")
    return manifest


def _weekly(runs: Path, manifest: dict) -> pd.DataFrame:
    files = sorted(p for p in runs.glob("run-*.parquet") if RUN_FILE.fullmatch(p.name)) if runs.is_dir() else []
    if not files:
        columns = {"run_id": pd.Series(dtype="int64"), "week": pd.Series(dtype="int64")}
        columns |= {name: pd.Series(dtype="float64") for name in manifest.get("outputs", [])}
        return pd.DataFrame(columns)
    try:
        table = ds.dataset([str(p) for p in files], format="parquet").to_table()
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{runs}: cannot read the run files: {error}") from None
    return table.to_pandas().sort_values(["run_id", "week"], ignore_index=True)
