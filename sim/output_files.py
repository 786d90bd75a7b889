"""Writing ``cfsim run``'s outputs: atomically, with the umask's permissions, and with what made them.

An output is written to a hidden ``.NAME.PID.RANDOM.partial`` file beside it
and moved into place when complete.  The writer holds an exclusive ``flock``
on its partial file, so a partial file nobody holds is the remains of a
killed run: the next write to the same output removes it.  A ``.parquet``
output carries its provenance in the file's key-value metadata (key
``cfsim``); a ``.csv`` output gets a sidecar ``NAME.csv.json``, so a plain
``pandas.read_csv`` still reads the data.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError

METADATA_KEY = b"cfsim"


def provenance(preset, parameters: dict, interventions, assumptions: dict, replications: int) -> dict:
    """What made a run's outputs: code versions, the resolved scenario and assumptions, the seeds."""
    from sim.assumptions import Assumptions
    from sim.provenance import versions

    return {
        "versions": versions(),
        "scenario": {
            "key": preset.key,
            "name": preset.name,
            "parameters": parameters,
            "interventions": [{"week": i.week, "lever": i.lever, "value": i.value} for i in interventions],
            "assumption_overrides": assumptions,
            "assumptions": Assumptions(assumptions).as_dict(),
        },
        "seeds": {
            "seed": parameters["seed"],
            "replications": replications,
            "streams": "replication r draws from numpy.random.SeedSequence(seed, spawn_key=(r,))",
        },
    }


def sidecar(path: Path) -> Path:
    """The provenance file of a ``.csv`` output."""
    return path.with_name(path.name + ".json")


def write_atomically(frame, path: Path, made_by: dict) -> None:
    """Write ``frame`` and its provenance to ``path``; nothing half-written is ever left under its name."""
    remove_stale_partials(path)
    try:
        if path.suffix == ".parquet":
            with _partial(path) as temporary:
                _write_parquet(frame, temporary, made_by)
                _move_into_place(temporary, path)
        else:
            with _partial(path) as temporary, _partial(sidecar(path)) as temporary_sidecar:
                frame.to_csv(temporary, index=False)
                with temporary.open("rb") as data:
                    digest = hashlib.file_digest(data, "sha256").hexdigest()
                record = {"file": path.name, "sha256": digest, **made_by}
                temporary_sidecar.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
                _move_into_place(temporary, path)
                _move_into_place(temporary_sidecar, sidecar(path))
    except OSError as error:
        raise InputError(f"--out {path}: cannot write: {error.strerror or error}") from None


def _write_parquet(frame, path: Path, made_by: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(made_by).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)


def _move_into_place(temporary: Path, path: Path) -> None:
    with temporary.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(temporary, path)


@contextmanager
def _partial(path: Path) -> Iterator[Path]:
    """A new hidden file beside ``path``, created with the umask's permissions and locked while we write it."""
    while True:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:  # a cleaner may have removed it between open and lock: then start again
            if os.path.samestat(os.fstat(descriptor), os.stat(temporary)):
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)
        os.close(descriptor)


def remove_stale_partials(path: Path) -> None:
    """Remove partial files of ``path`` (and of its sidecar) that no running writer holds."""
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.partial"):
        try:
            descriptor = os.open(candidate, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:  # a link, or gone: leave it
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            candidate.unlink(missing_ok=True)
        except OSError:  # held by a live writer, or not ours to remove
            pass
        finally:
            os.close(descriptor)
