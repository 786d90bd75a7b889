"""The served dashboard under hostile requests: its asset store stays as it was, nothing is fetched or written,
the page still loads offline, framing is denied and the session of a browser that vanishes is closed.

The server is given a CDN and an npm registry that answer anything, so that a server that fetched on a
visitor's behalf would succeed, store what it got, and be caught."""

import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from playwright.sync_api import sync_playwright

from sim.dashboard import assets

from .dashboard_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, free_port
from .fake_registry import FakeRegistry

SESSION_TIMEOUT = 2  # seconds, for this server only, so a vanished browser's session closes within the test
TIMEOUT = 60_000  # ms; a loaded 2-core machine draws slowly
APP = "@widgetti/solara-vuetify3-app@5.2.0"
HOSTILE = [
    # folders: Solara's proxy deleted a folder named in the address, then tried to fetch it again
    f"/_solara/cdn/{APP}", f"/_solara/cdn/{APP}/", f"/_solara/cdn/{APP}/dist", "/_solara/cdn/@widgetti",
    "/_solara/cdn/font-awesome@4.5.0/css", "/_solara/cdn/font-awesome@4.5.0/css/", "/_solara/cdn/requirejs@2.3.6",
    "/_solara/cdn/", "/_solara/cdn", "/_solara/cdn/.", "/_solara/cdn/requirejs@2.3.6/.",
    # out of the store, raw and percent-encoded
    "/_solara/cdn/../../../../etc/passwd", "/_solara/cdn/requirejs@2.3.6/../../../../etc/passwd",
    "/_solara/cdn/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/_solara/cdn/requirejs@2.3.6/..%2f..%2f..%2fetc%2fpasswd",
    "/_solara/cdn//etc/passwd", "/_solara/cdn/requirejs@2.3.6/..\\..\\.lock", "/_solara/cdn/.lock",
    f"/_solara/cdn/requirejs@2.3.6/{assets.FILE_LIST}", "/_solara/cdn/requirejs@2.3.6/require.js/..",
    # packages, versions and files the store does not have: Solara's proxy fetched and stored each
    "/_solara/cdn/lodash@4.17.21/lodash.min.js", "/_solara/cdn/lodash@4.17.21", "/_solara/cdn/lodash",
    "/_solara/cdn/requirejs@2.3.7/require.js", "/_solara/cdn/requirejs@2.3.6/no-such-file.js",
    "/_solara/cdn/@widgetti/other@1.0.0/x.js",
]


def snapshot(directory):
    """Every file and folder under ``directory``, with each file's size and sha256."""
    entries = {}
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        entries[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
    return entries


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A copy of the asset store for this server alone, and an empty folder for Solara's own proxy cache."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(assets.ensure_assets(), root / "store", ignore=shutil.ignore_patterns(".lock"))
    (root / "solara-proxy").mkdir()
    return root / "store", root / "solara-proxy"


@pytest.fixture(scope="module")
def anything():
    """A CDN and npm registry that answer every request with a file."""
    with FakeRegistry(other=b"/* fetched */") as registry:
        yield registry


@pytest.fixture(scope="module")
def server(folders, anything):
    """``cfsim dashboard`` with ``anything`` as its CDN and registry; yields its port."""
    store, proxy = folders
    port = free_port()
    env = {**os.environ, assets.STORE_VARIABLE: str(store), "SOLARA_ASSETS_PROXY_CACHE_DIR": str(proxy),
           "npm_config_registry": anything.url, "NPM_CONFIG_REGISTRY": anything.url,
           "SOLARA_ASSETS_CDN": anything.url + "npm/", "SOLARA_KERNEL_CULL_TIMEOUT": f"{SESSION_TIMEOUT}s"}
    log = open(ARTIFACTS.parent / f"dashboard-hostile-{port}.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5).read()
            break
        except OSError:
            assert process.poll() is None, f"the dashboard exited; see {log.name}"
            assert time.monotonic() < deadline, "the dashboard did not answer within 90 s"
            time.sleep(0.5)
    yield port
    process.terminate()
    process.wait(timeout=20)
    log.close()


def ask(port, path, method="GET"):
    """Send ``path`` exactly as written (no client-side clean-up of ``..``); return status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def kernels(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/resourcez", timeout=10) as response:
        return json.load(response)["kernels"]


def test_no_request_changes_the_store_and_the_page_then_loads_offline(server, folders, anything):
    store, proxy = folders
    before = snapshot(store)
    for path in HOSTILE:
        for method in ("GET", "HEAD", "DELETE", "PUT"):
            status, _, body = ask(server, path, method)
            assert status in (400, 404, 405), f"{method} {path}: {status}"
            assert b"root:" not in body
    assert snapshot(store) == before, "a request changed the asset store"
    assert not any(proxy.rglob("*")), "a request made the server write into Solara's proxy cache"
    assert anything.requests == [], "the server fetched on a visitor's behalf"

    # what is there is served, byte for byte, whatever the query
    for path in ("/_solara/cdn/requirejs@2.3.6/require.js", "/_solara/cdn/requirejs@2.3.6/require.js?x=/../../.lock"):
        status, _, body = ask(server, path)
        assert status == 200 and body == (store / "requirejs@2.3.6" / "require.js").read_bytes()

    problems, cdn = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        local = (f"http://127.0.0.1:{server}/", f"ws://127.0.0.1:{server}/", "blob:", "data:")
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local)
                      else (problems.append(f"off this machine: {route.request.url}"), route.abort()))
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on("response", lambda r: (r.status >= 400 and problems.append(f"{r.status}: {r.url}"),
                                       "/_solara/cdn/" in r.url and cdn.append(r.url)))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto(f"http://127.0.0.1:{server}/")
        page.locator(".v-application .v-btn").first.wait_for()  # drawn by the app bundle, over the kernel
        page.screenshot(path=ARTIFACTS / "offline-after-hostile-requests.png")
        browser.close()
    assert problems == []
    assert any("solara-vuetify3-app@5.2.0" in url for url in cdn) and any("font-awesome" in url for url in cdn)
    assert snapshot(store) == before
    assert not any(proxy.rglob("*"))
    assert anything.requests == []


@pytest.mark.parametrize("path", ["/", "/_solara/cdn/requirejs@2.3.6/require.js", "/_solara/cdn/nothing@1.0.0/x"])
def test_no_answer_may_be_framed(server, path):
    _, headers, _ = ask(server, path)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_the_session_of_a_vanished_browser_is_closed(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"http://127.0.0.1:{server}/")
        page.locator(".v-application .v-btn").first.wait_for()
        assert kernels(server)["has_connected"] >= 1
        # the browser dies without a goodbye, as when a laptop is closed or a machine crashes
        for process in psutil.Process().children(recursive=True):
            if "chrom" in process.name():
                process.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 60
    while kernels(server)["total"] > 0:
        assert time.monotonic() < deadline, f"sessions still open a minute after the browser died: {kernels(server)}"
        time.sleep(0.5)
