"""Solara's JavaScript and CSS, served from a local folder so the dashboard works offline.

Solara's server asks a CDN for a few npm packages at run time; corporate
networks block CDNs and this machine has none. Solara looks in the folder
named by ``SOLARA_ASSETS_PROXY_CACHE_DIR`` first, laid out as
``<package>@<version>/<path>``. ``ensure_assets`` fills that folder once from
the npm registry, checking each tarball against its published sha512.

    python -m sim.dashboard.assets      # fetch now (``cfsim dashboard`` does it when needed)
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from sim.scenario import InputError

# The packages solara 1.64's page template and our components request, with npm's integrity hashes.
PACKAGES = {
    "@widgetti/solara-vuetify3-app@5.2.0": "sha512-9UMyjf9KASR9PucZ7848upx1gqOqlUnG5Hh5or5CTaN/Um+AxAHQGwv8x4fFJzco/OaccsWdtsqb3bmYAnBo+Q==",  # noqa: E501
    "requirejs@2.3.6": "sha512-ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg==",  # noqa: E501
    "font-awesome@4.5.0": "sha512-XGGY8CN/NT8e5fKOC/K7CESNQ3+2oYOfZqwZcKgEMtcmTiHtFIH+XZWRoU0HtcdwhtSkpWXLfTIUlTdJ4PhX8A==",  # noqa: E501
}
REGISTRY = os.environ.get("npm_config_registry", "https://registry.npmjs.org/").rstrip("/")  # noqa: SIM112 (npm's own name)


def asset_dir() -> Path:
    """Where the assets live: ``SOLARA_ASSETS_PROXY_CACHE_DIR`` or ``~/.cache/cfsim/solara-cdn``."""
    chosen = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    if chosen:
        return Path(chosen)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "cfsim" / "solara-cdn"


def missing(directory: Path) -> list[str]:
    """The packages not yet unpacked in ``directory``."""
    return [spec for spec in PACKAGES if not (directory / spec / "package.json").is_file()]


def tarball_url(spec: str) -> str:
    """The registry address of a ``name@version`` package's tarball."""
    name, _, version = spec.rpartition("@")
    return f"{REGISTRY}/{name}/-/{name.split('/')[-1]}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    """Refuse a tarball whose sha512 differs from npm's published one."""
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise InputError(f"dashboard assets: the downloaded package has {algorithm} {actual}, expected {expected}")


def unpack(data: bytes, target: Path) -> None:
    """Unpack an npm tarball (its files sit under ``package/``) into ``target``, atomically."""
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            archive.extractall(staging, filter="data")
        os.replace(staging / "package", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch(spec: str, directory: Path) -> None:
    """Download, check and unpack one package into ``directory/spec``."""
    target = directory / spec
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(tarball_url(spec), timeout=60) as response:
            data = response.read()
    except OSError as error:
        raise InputError(f"dashboard assets: cannot download {spec} from {REGISTRY} ({error}); "
                         f"without them the page stays blank offline") from None
    check_integrity(data, PACKAGES[spec])
    shutil.rmtree(target, ignore_errors=True)
    unpack(data, target)


def ensure_assets(directory: Path | None = None, log=print) -> Path:
    """Make sure every package is in ``directory`` (default ``asset_dir()``); return the folder."""
    directory = directory or asset_dir()
    for spec in missing(directory):
        log(f"fetching dashboard asset {spec} into {directory}")
        fetch(spec, directory)
    return directory


if __name__ == "__main__":
    try:
        print(f"dashboard assets ready in {ensure_assets()}")
    except InputError as error:
        print(f"cfsim: error: {error}", file=sys.stderr)
        sys.exit(2)
