"""The dashboard's JavaScript and CSS in a local store, so the page works offline.

Solara's page asks for a few npm packages under ``/_solara/cdn/``; corporate
networks block CDNs and this machine has none. ``ensure_package`` downloads a
package once from the npm registry (``npm_config_registry``, as npm reads it),
checks it against its published sha512 and unpacks it into the store
(``CFSIM_ASSETS_DIR``, default ``~/.cache/cfsim/solara-cdn``), laid out as
``<name>@<version>/<path>``. Writers take a lock and move a finished package
into place in one rename, so an interrupted or concurrent download leaves no
half package. Each package keeps the list of its files and their sizes, so a
damaged one is fetched again. The server only ever reads the store.

    python -m sim.dashboard.assets      # fetch now (``cfsim dashboard`` does it when needed)
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import filelock

from sim.scenario import InputError

# The packages solara 1.64's page template and our components request, with npm's integrity hashes.
PACKAGES = {
    "@widgetti/solara-vuetify3-app@5.2.0": "sha512-9UMyjf9KASR9PucZ7848upx1gqOqlUnG5Hh5or5CTaN/Um+AxAHQGwv8x4fFJzco/OaccsWdtsqb3bmYAnBo+Q==",  # noqa: E501
    "requirejs@2.3.6": "sha512-ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg==",  # noqa: E501
    "font-awesome@4.5.0": "sha512-XGGY8CN/NT8e5fKOC/K7CESNQ3+2oYOfZqwZcKgEMtcmTiHtFIH+XZWRoU0HtcdwhtSkpWXLfTIUlTdJ4PhX8A==",  # noqa: E501
}
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
REGISTRY_VARIABLES = ("npm_config_registry", "NPM_CONFIG_REGISTRY")  # npm reads either spelling
STORE_VARIABLE = "CFSIM_ASSETS_DIR"
FILE_LIST = ".cfsim-files.json"  # in each package: its files and their sizes
LOCK_WAIT = 300  # seconds to wait for another process that is filling the store
SPEC = re.compile(r"(@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*@\d+\.\d+\.\d+[\w.+-]*")


def asset_dir() -> Path:
    """The store: ``CFSIM_ASSETS_DIR`` or ``~/.cache/cfsim/solara-cdn``."""
    chosen = os.environ.get(STORE_VARIABLE)
    if chosen:
        return Path(chosen)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "cfsim" / "solara-cdn"


def registry() -> str:
    """The npm registry's address, from ``npm_config_registry`` (or upper case) or npm's default."""
    variable, address = next(((name, os.environ[name]) for name in REGISTRY_VARIABLES if os.environ.get(name)),
                             ("npm_config_registry", DEFAULT_REGISTRY))
    try:
        parts = urllib.parse.urlsplit(address)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a bad port or bracketed host
        valid = False
    if not valid:
        raise InputError(f"{variable} = {address!r}: expected the http or https address of an npm registry, "
                         f"such as {DEFAULT_REGISTRY}")
    return address.rstrip("/")


def tarball_url(spec: str, address: str) -> str:
    """The address of a ``name@version`` package's tarball on the registry at ``address``."""
    name, _, version = spec.rpartition("@")
    return f"{address}/{name}/-/{name.split('/')[-1]}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    """Refuse a tarball whose sha512 differs from npm's published one."""
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise InputError(f"dashboard assets: the downloaded package has {algorithm} {actual}, expected {expected}")


def file_list(package: Path) -> dict[str, int]:
    """A package's files (relative, with ``/``) and their sizes, as recorded when it was unpacked; {} if none."""
    try:
        recorded = json.loads((package / FILE_LIST).read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def is_complete(package: Path) -> bool:
    """Whether every file recorded for ``package`` is there with its size."""
    files = file_list(package)
    try:
        return bool(files) and all((package / name).stat().st_size == size for name, size in files.items())
    except (OSError, TypeError):
        return False


def missing(directory: Path) -> list[str]:
    """The packages not complete in ``directory``."""
    return [spec for spec in PACKAGES if not is_complete(directory / spec)]


def record_files(package: Path) -> None:
    """Write the list of ``package``'s regular files and their sizes into it."""
    files = {path.relative_to(package).as_posix(): path.stat().st_size
             for path in sorted(package.rglob("*")) if path.is_file() and not path.is_symlink()}
    (package / FILE_LIST).write_text(json.dumps(files, indent=0))


def unpack(data: bytes, target: Path) -> None:
    """Unpack an npm tarball (its files sit under ``package/``) into ``target``, replacing it in one rename.

    Call with the store's lock held: leftovers of an interrupted unpack are removed first.
    """
    for leftover in target.parent.glob(f".{target.name}.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            archive.extractall(staging, filter="data")
        record_files(staging / "package")
        if target.exists() or target.is_symlink():
            os.replace(target, staging / "damaged")
        os.replace(staging / "package", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def download(spec: str, address: str) -> bytes:
    """A package's tarball from the registry at ``address``."""
    try:
        with urllib.request.urlopen(tarball_url(spec, address), timeout=60) as response:
            return response.read()
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise InputError(f"dashboard assets: cannot download {spec} from {address} ({error}); "
                         f"without them the page stays blank offline") from None


def ensure_package(name: str, version: str, integrity: str, directory: Path | None = None, log=print) -> Path:
    """Make sure npm package ``name@version`` is complete in the store, downloading and checking it if not.

    ``integrity`` is npm's ``sha512-...`` hash of the tarball. Safe to run from several processes at
    once and to interrupt. Returns the package's folder.
    """
    spec = f"{name}@{version}"
    if not SPEC.fullmatch(spec):
        raise InputError(f"dashboard assets: {spec!r} is not an npm package name@version")
    directory = directory or asset_dir()
    target = directory / spec
    if is_complete(target):
        return target
    address = registry()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / ".lock").touch()  # fails at once where the lock would wait, e.g. in a read-only folder
        with filelock.FileLock(directory / ".lock", timeout=LOCK_WAIT):
            if not is_complete(target):  # another process may have fetched it while this one waited
                log(f"fetching dashboard asset {spec} into {directory}")
                data = download(spec, address)
                check_integrity(data, integrity)
                target.parent.mkdir(parents=True, exist_ok=True)
                unpack(data, target)
    except filelock.Timeout:
        raise InputError(f"dashboard assets folder {directory}: another process has been filling it for "
                         f"{LOCK_WAIT} s; try again when it is done") from None
    except tarfile.TarError as error:
        raise InputError(f"dashboard assets: {spec} cannot be unpacked safely ({error})") from None
    except OSError as error:  # not a folder, read-only, disk full
        raise InputError(f"dashboard assets folder {directory}: cannot write there ({error.strerror or error}); "
                         f"set {STORE_VARIABLE} to a folder you can write") from None
    return target


def ensure_assets(directory: Path | None = None, log=print) -> Path:
    """Make sure every package the page needs is in ``directory`` (default ``asset_dir()``); return the folder."""
    directory = directory or asset_dir()
    for spec in PACKAGES:
        name, _, version = spec.rpartition("@")
        ensure_package(name, version, PACKAGES[spec], directory, log)
    return directory


def packages_in(directory: Path) -> list[Path]:
    """The package folders of the store (``name@version`` and ``@scope/name@version``)."""
    candidates = [*directory.glob("[!@.]*@*"), *directory.glob("@*/[!.]*@*")]
    return sorted(path for path in candidates if path.is_dir())


def served_files(directory: Path) -> dict[str, Path]:
    """Every file of the store's complete packages, by its address under ``/_solara/cdn/``."""
    served = {}
    for package in packages_in(directory):
        if not is_complete(package):
            continue
        root = package.resolve()
        spec = package.relative_to(directory).as_posix()
        for name in file_list(package):
            path = (package / name).resolve()
            if path.is_relative_to(root):
                served[f"{spec}/{name}"] = path
    return served


if __name__ == "__main__":
    try:
        print(f"dashboard assets ready in {ensure_assets()}")
    except InputError as error:
        print(f"cfsim: error: {error}", file=sys.stderr)
        sys.exit(2)
