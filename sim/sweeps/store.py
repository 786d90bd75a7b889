"""The results directory of a sweep: a Parquet dataset, written atomically, deterministically, verified.

    DIR/
      sweep.toml                 verbatim copy of the sweep file
      manifest.json              what was run and by which code (written last when the directory is set up)
      design.parquet             one row per run: run_id, point, contrast, replication, seed, every parameter,
                                 the varied intervention fields and assumptions
      runs/run-000042.parquet    one file per finished run: run_id, week, the recorded outputs
      rejected/                  run files found damaged or foreign on a resume (they are run again)
      .lock                      held by the one ``cfsim sweep`` writing into DIR

Load it with ``pandas.read_parquet(DIR / "runs")`` and
``pandas.read_parquet(DIR / "design.parquet")``, or in DuckDB with
``read_parquet('DIR/runs/*.parquet')``. Every file is written to a temporary
file in its own directory and moved into place with ``os.replace``. A run
file carries its sweep's hash in its metadata; before a resume counts a run
as done, its file is read back and checked (readable, this sweep's, the
right run id, columns and weeks), so a damaged or foreign file is moved to
``rejected/`` and run again. The bytes of every file depend only on the
sweep file and the code, never on the number of workers or the order runs
finish in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.provenance import code_version, versions
from sim.record import COUNT_COLUMNS
from sim.scenario import InputError
from sim.sweeps.design import problem
from sim.sweeps.sweep_file import FORMAT, Sweep, count_points

RUN_FILE = re.compile(r"run-(\d{6,})\.parquet")
TEMPORARY_SUFFIX = ".partial"
LOCK_FILE = ".lock"
SETUP_FILES = ("sweep.toml", "design.parquet", "manifest.json", "runs", "rejected")
HASH_KEY = b"cfsim.sweep_hash"
PARQUET_OPTIONS = {"compression": "zstd", "use_dictionary": False, "write_statistics": True}


def run_file_name(run_id: int) -> str:
    """The file name of run ``run_id``."""
    return f"run-{run_id:06d}.parquet"


def output_schema(outputs: tuple[str, ...], sweep_hash: str) -> pa.Schema:
    """Schema of a run file: run_id, week, then the recorded outputs (int64 or float64); the sweep's hash."""
    fields = [pa.field("run_id", pa.int64(), nullable=False), pa.field("week", pa.int64(), nullable=False)]
    fields += [pa.field(name, pa.int64() if name in COUNT_COLUMNS else pa.float64()) for name in outputs]
    return pa.schema(fields, metadata={HASH_KEY: sweep_hash.encode("ascii")})


def to_parquet_bytes(table: pa.Table) -> bytes:
    """Encode ``table`` as Parquet; the same table always gives the same bytes."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def recorded_weeks(weeks: int, every: int) -> np.ndarray:
    """The weeks a run file holds: every ``every`` weeks, and always the last."""
    week = np.arange(1, weeks + 1, dtype=np.int64)
    return week[(week % every == 0) | (week == weeks)]


def run_table(run_id: int, weekly: pd.DataFrame, schema: pa.Schema, every: int) -> pa.Table:
    """The recorded rows of one run: every ``every`` weeks, and always the last week."""
    week = weekly["week"].to_numpy(dtype=np.int64)
    keep = (week % every == 0) | (week == week[-1])
    columns = [pa.array(np.full(int(keep.sum()), run_id, dtype=np.int64)), pa.array(week[keep])]
    for f in list(schema)[2:]:
        values = weekly[f.name].to_numpy()[keep]
        columns.append(pa.array(values.astype(np.int64 if f.type == pa.int64() else np.float64), type=f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def write_bytes_atomically(data: bytes, path: Path, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path`` and move it into place (fsync'd when ``durable``).

    Run files skip the fsync: a resume reads every run file back before counting it.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def build_manifest(sweep: Sweep) -> dict:
    """manifest.json: the design, the code version and the provenance of the sweep."""
    base = sweep.base
    return {
        "format": FORMAT,
        "sweep_hash": sweep.hash(),
        "code_version": code_version(),
        "name": sweep.name,
        "method": sweep.method,
        "problem": {"names": sweep.names, "bounds": problem(sweep)["bounds"]},
        "levers": sweep.levers,
        "uncertain": sweep.assumption_names,
        "contrasts": list(sweep.contrasts),
        "ensemble": None if sweep.ensemble is None else
        {"file": sweep.ensemble.file, "sha256": sweep.ensemble.sha256, "rows": len(sweep.ensemble.rows)},
        "options": sweep.options,
        "scenario": sweep.scenario,
        "fixed": sweep.fixed,
        "seed": sweep.seed,
        "replications": sweep.replications,
        "weeks": sweep.weeks,
        "outputs": list(sweep.outputs),
        "record_every": sweep.record_every,
        "n_points": count_points(sweep),
        "n_runs": sweep.n_runs,
        "provenance": {**versions(), "scenario": {
            "name": sweep.scenario, "parameters": sweep.base_parameters,
            "interventions": [{"week": i.week, i.lever: i.value} for i in base.interventions],
            "assumptions": base.assumptions}},
    }


def manifest_bytes(manifest: dict) -> bytes:
    """manifest.json as written: indented JSON in a fixed key order."""
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")


def check_code_version(manifest: dict) -> str | None:
    """A warning if the results in ``manifest`` were written by other code than this; None if the same."""
    theirs = manifest.get("code_version") if isinstance(manifest, dict) else None
    ours = code_version()
    if theirs == ours:
        return None
    return (f"these results were written by version {theirs or '(not recorded)'}, this is {ours}: "
            "the model may have changed since; re-run the sweep to compare like with like")


def read_manifest(out: Path) -> dict | None:
    """The manifest in ``out``, or None if the directory was never set up."""
    path = out / "manifest.json"
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{out}: manifest.json cannot be read ({error}); delete {out} to start afresh") from None
    if not isinstance(manifest, dict):
        raise InputError(f"{out}: manifest.json is not a sweep's manifest; delete {out} to start afresh")
    return manifest


def check_out_dir(out: Path) -> None:
    """Refuse an --out that is a file, or a directory holding something other than a sweep."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; expected a directory for the results")
    if not out.exists():
        parent = out.resolve().parent
        if not parent.is_dir():
            raise InputError(f"--out {out}: directory {parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise InputError(f"--out {out}: directory {parent} is not writable")
        return
    if not os.access(out, os.W_OK | os.X_OK):
        raise InputError(f"--out {out}: directory is not writable")
    if (out / "manifest.json").exists():
        return
    strangers = sorted(p.name for p in out.iterdir() if p.name not in SETUP_FILES and not p.name.startswith("."))
    if strangers:
        raise InputError(f"--out {out}: exists and is not a sweep results directory (it holds {strangers[0]}); "
                         f"choose a new directory")


def check_resume(out: Path, existing: dict | None, manifest: dict, design: pd.DataFrame) -> None:
    """Refuse to add to ``out`` unless it holds this very sweep, written by this very code."""
    refuse = f"--out {out}: "
    fresh = f"; use a new --out directory, or delete {out} to start afresh"
    if existing is None:
        runs = out / "runs"
        if runs.is_dir() and any(RUN_FILE.fullmatch(p.name) for p in runs.iterdir()):
            raise InputError(f"{refuse}holds run files but no manifest.json, so which sweep made them is "
                             f"unknown{fresh}")
        return
    if existing.get("sweep_hash") != manifest["sweep_hash"]:
        raise InputError(f"{refuse}holds the results of a different sweep ({existing.get('name')!r}, or the sweep "
                         f"file has changed since){fresh}")
    if existing.get("code_version") != manifest["code_version"]:
        raise InputError(f"{refuse}its runs were made by version {existing.get('code_version') or '(not recorded)'}"
                         f", this is {manifest['code_version']}: resuming would mix two versions of the model"
                         f"{fresh}")
    try:
        found = pd.read_parquet(out / "design.parquet")
        same = list(found.columns) == list(design.columns) and found.astype(design.dtypes.to_dict()).equals(design)
    except (OSError, ValueError, pa.ArrowException):
        same = False
    if not same:
        raise InputError(f"{refuse}design.parquet is missing or is not this sweep's design{fresh}")


def set_up(out: Path, sweep_text: str, manifest: dict, design: pd.DataFrame) -> None:
    """Fill ``out`` with the sweep file, the design and the manifest (written last)."""
    (out / "runs").mkdir(exist_ok=True)
    write_bytes_atomically(sweep_text.encode("utf-8"), out / "sweep.toml")
    write_bytes_atomically(to_parquet_bytes(pa.Table.from_pandas(design, preserve_index=False)),
                           out / "design.parquet")
    write_bytes_atomically(manifest_bytes(manifest), out / "manifest.json")


def finished_runs(out: Path, sweep: Sweep) -> tuple[set[int], list[str]]:
    """The run ids whose files are sound, and the names of files moved to ``rejected/``.

    Only the writer holding the lock calls this, so any temporary file is a
    stale one of a killed writer and is removed.
    """
    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    schema = output_schema(sweep.outputs, sweep.hash())
    weeks = recorded_weeks(sweep.weeks, sweep.record_every)
    done, rejected = set(), []
    for path in sorted(runs.iterdir()):
        if path.name.endswith(TEMPORARY_SUFFIX):
            path.unlink(missing_ok=True)
            continue
        if path.name.startswith((".", "_")):  # hidden: no reader of the dataset looks at it
            continue
        match = RUN_FILE.fullmatch(path.name)
        run_id = int(match.group(1)) if match else -1
        if 0 <= run_id < sweep.n_runs and sound_run_file(path, run_id, schema, weeks):
            done.add(run_id)
        else:
            _reject(out, path)
            rejected.append(path.name)
    return done, rejected


def sound_run_file(path: Path, run_id: int, schema: pa.Schema, weeks: np.ndarray) -> bool:
    """Whether ``path`` is run ``run_id`` of the sweep whose run files have ``schema``, with every week."""
    try:
        table = pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException):
        return False
    if not table.schema.equals(schema, check_metadata=True) or table.num_rows != len(weeks):
        return False
    return bool((table.column("run_id").to_numpy() == run_id).all()
                and np.array_equal(table.column("week").to_numpy(), weeks))


def _reject(out: Path, path: Path) -> None:
    rejected = out / "rejected"
    rejected.mkdir(exist_ok=True)
    target, n = rejected / path.name, 0
    while target.exists():
        n += 1
        target = rejected / f"{path.name}.{n}"
    os.replace(path, target)


def remove_unfinished(out: Path) -> None:
    """Remove a results directory this writer created but never finished setting up (no manifest yet)."""
    if not (out / "manifest.json").exists():
        shutil.rmtree(out, ignore_errors=True)


def load_runs(out: Path | str) -> pd.DataFrame:
    """All finished runs joined with the design (a convenience for pandas users)."""
    out = Path(out)
    design = pd.read_parquet(out / "design.parquet")
    runs = pd.read_parquet(out / "runs")
    return runs.merge(design, on="run_id", how="left")
