"""One writer per results directory: an exclusive ``flock`` on ``DIR/.lock``, released when the writer exits."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sim.errors import InputError
from sim.sweeps.store import LOCK_FILE


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the lock of ``out`` for the block; InputError at once if another process holds it."""
    try:
        handle = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as error:
        raise InputError(f"--out {out}: cannot write there ({error.strerror})") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"--out {out}: another cfsim sweep is writing into it; wait for it to finish "
                             "(then run the same command to check), or choose another --out") from None
        yield
    finally:
        os.close(handle)  # closing the last descriptor releases the lock
