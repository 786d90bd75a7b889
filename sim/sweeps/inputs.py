"""Reading a user's input files safely: a regular file of sane size, UTF-8 text, TOML without deep nesting.

A FIFO, a device such as ``/dev/zero`` or a directory is refused before a
byte is read, so nothing blocks or fills memory; a UTF-8 byte-order mark is
accepted.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from sim.errors import InputError

MAX_TOML_BYTES = 1 << 20  # 1 MiB: a sweep file is a page of text
MAX_CSV_BYTES = 64 << 20  # 64 MiB: an ensemble of many thousand assumption vectors


def read_text(path: Path, what: str, max_bytes: int) -> str:
    """The text of ``path``; InputError naming the path if it is not a readable regular UTF-8 file of sane size."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise InputError(f"{path}: not a regular file; expected a {what}")
    with os.fdopen(handle, "rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"{path}: larger than {max_bytes:,} bytes; too big for a {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start}: {error.reason}); save it as UTF-8") from None


def parse_toml(text: str, where: str) -> dict:
    """Parse TOML text; InputError (``where`` first) for malformed or absurdly nested text."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{where}malformed TOML: {error}") from None
    except RecursionError:
        raise InputError(f"{where}malformed TOML: nested too deeply") from None
