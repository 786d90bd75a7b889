"""A served dashboard and a headless Debian Chromium for the browser tests."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.dashboard import assets

CHROMIUM = os.environ.get("CFSIM_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVERS: dict[str, int] = {}  # url: process id, for the classroom's CPU figures
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "dashboard"
AXE = "axe-core@4.11.0"  # the accessibility checker, from npm, with its published sha512
AXE_INTEGRITY = "sha512-ilYanEU8vxxBexpJd8cWM4ElSQq4QctCLKih0TSfjIfCQTeyH/6zVrmIJfLPrKTKJRbiG+cfnZbQIjAlJmF1jQ=="


@pytest.fixture(scope="session")
def axe_core() -> str:
    """axe-core's script, downloaded once into a cache and checked as the dashboard's own assets are."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cfsim" / "test-npm"
    target = cache / AXE
    if not (target / "axe.min.js").is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(assets.tarball_url(AXE), timeout=60) as response:
            data = response.read()
        assets.check_integrity(data, AXE_INTEGRITY)
        shutil.rmtree(target, ignore_errors=True)
        assets.unpack(data, target)
    return (target / "axe.min.js").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url():
    """``cfsim dashboard`` on a free port, as a user starts it; stopped after the module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does")
    port = free_port()
    log = open(ARTIFACTS.parent / f"dashboard-{port}.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    SERVERS[url] = server.pid  # ``cfsim dashboard`` becomes Solara's server in the same process
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            assert server.poll() is None, f"the dashboard exited; see {log.name}"
            assert time.monotonic() < deadline, "the dashboard did not answer within 90 s"
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


ARTIFACTS.mkdir(parents=True, exist_ok=True)
