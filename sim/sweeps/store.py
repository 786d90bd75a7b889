"""The results directory of a sweep: a Parquet dataset, written atomically and deterministically.

    DIR/
      sweep.toml                 verbatim copy of the sweep file
      manifest.json              what was run (written last when the directory is set up)
      design.parquet             one row per run: run_id, point, replication, seed, every parameter
      runs/run-000042.parquet    one file per finished run: run_id, week, the recorded outputs

Load it with ``pandas.read_parquet(DIR / "runs")`` and
``pandas.read_parquet(DIR / "design.parquet")``, or in DuckDB with
``read_parquet('DIR/runs/*.parquet')``. Every file is written to a temporary
file in its own directory and moved into place with ``os.replace``, so a
file that exists is complete. The bytes of every file depend only on the
sweep file, never on the number of workers or the order runs finish in.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.record import COUNT_COLUMNS
from sim.scenario import PARAMETERS, InputError
from sim.sweeps.design import design_columns

RUN_FILE = re.compile(r"run-(\d{6,})\.parquet")
TEMPORARY_SUFFIX = ".partial"
SETUP_FILES = ("sweep.toml", "design.parquet", "manifest.json", "runs")
PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}


def run_file_name(run_id: int) -> str:
    """The file name of run ``run_id``."""
    return f"run-{run_id:06d}.parquet"


def output_schema(outputs: tuple[str, ...]) -> pa.Schema:
    """Schema of a run file: run_id, week, then the recorded outputs (int64 or float64)."""
    fields = [pa.field("run_id", pa.int64(), nullable=False), pa.field("week", pa.int64(), nullable=False)]
    fields += [pa.field(name, pa.int64() if name in COUNT_COLUMNS else pa.float64()) for name in outputs]
    return pa.schema(fields)


def design_schema() -> pa.Schema:
    """Schema of design.parquet."""
    return pa.schema([pa.field(name, pa.int64() if PARAMETERS.get(name, (int,))[0] is int else pa.float64(),
                               nullable=False) for name in design_columns()])


def to_parquet_bytes(table: pa.Table) -> bytes:
    """Encode ``table`` as Parquet; the same table always gives the same bytes."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def run_table(run_id: int, weekly: pd.DataFrame, outputs: tuple[str, ...], every: int) -> pa.Table:
    """The recorded rows of one run: every ``every`` weeks, and always the last week."""
    week = weekly["week"].to_numpy(dtype=np.int64)
    keep = (week % every == 0) | (week == week[-1])
    schema = output_schema(outputs)
    columns = [np.full(int(keep.sum()), run_id, dtype=np.int64), week[keep]]
    for name in outputs:
        values = weekly[name].to_numpy()[keep]
        columns.append(values.astype(np.int64 if name in COUNT_COLUMNS else np.float64))
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)],
                                schema=schema)


def write_bytes_atomically(data: bytes, path: Path) -> None:
    """Write ``data`` to a temporary file beside ``path`` and move it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def manifest_bytes(manifest: dict) -> bytes:
    """manifest.json as written: indented JSON in a fixed key order."""
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")


def read_manifest(out: Path) -> dict | None:
    """The manifest in ``out``, or None if the directory was never set up."""
    path = out / "manifest.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{out}: manifest.json cannot be read ({error}); delete {out} to start afresh") from None


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
    if (out / "manifest.json").exists():
        return
    strangers = sorted(p.name for p in out.iterdir() if p.name not in SETUP_FILES and not p.name.startswith("."))
    if strangers:
        raise InputError(f"--out {out}: exists and is not a sweep results directory (it holds {strangers[0]}); "
                         f"choose a new directory")


def set_up(out: Path, sweep_text: str, manifest: dict, design: pd.DataFrame) -> None:
    """Create ``out`` with the sweep file, the design and the manifest (written last)."""
    out.mkdir(exist_ok=True)
    (out / "runs").mkdir(exist_ok=True)
    write_bytes_atomically(sweep_text.encode("utf-8"), out / "sweep.toml")
    table = pa.Table.from_pandas(design, schema=design_schema(), preserve_index=False)
    write_bytes_atomically(to_parquet_bytes(table), out / "design.parquet")
    write_bytes_atomically(manifest_bytes(manifest), out / "manifest.json")


def finished_runs(out: Path, n_runs: int) -> set[int]:
    """The run ids whose files exist; stale temporary files are removed."""
    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    done = set()
    for path in runs.iterdir():
        if path.name.endswith(TEMPORARY_SUFFIX):
            path.unlink(missing_ok=True)
            continue
        match = RUN_FILE.fullmatch(path.name)
        if match and int(match.group(1)) < n_runs:
            done.add(int(match.group(1)))
    return done


def load_runs(out: Path | str) -> pd.DataFrame:
    """All finished runs joined with the design (a convenience for pandas users)."""
    out = Path(out)
    design = pd.read_parquet(out / "design.parquet")
    runs = pd.read_parquet(out / "runs")
    return runs.merge(design, on="run_id", how="left")

