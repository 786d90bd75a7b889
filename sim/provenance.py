"""What made a result: package, code and library versions, for every file the tool writes."""

from __future__ import annotations

import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


@cache
def git_commit() -> str | None:
    """The commit of the source tree, with ``+dirty`` when it has changes; None outside a git checkout."""
    if not (_ROOT / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "-C", str(_ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@cache
def versions() -> dict[str, str | None]:
    """The code that produced a result: this package, its commit, Python and the libraries that shape results."""
    return {
        "customer-focus-simulator": _version("customer-focus-simulator"),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "mesa": _version("mesa"),
        "numpy": _version("numpy"),
        "pandas": _version("pandas"),
    }


def code_version() -> str:
    """One string that changes whenever the model's code may have changed (package version and commit)."""
    v = versions()
    return f"{v['customer-focus-simulator']}@{v['git_commit'] or 'unknown'}"
