"""``cfsim dashboard``'s checks and the offline asset store, without a browser."""

import base64
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import tarfile
import types
from pathlib import Path

import pytest
import solara.server.settings
import solara.util

from sim.dashboard import assets, serve
from sim.dashboard.serve import check_port, is_loopback
from sim.scenario import InputError

from .dashboard_server import free_port
from .fake_registry import FakeRegistry


def cfsim(*args, timeout=30, env=None):
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


@pytest.mark.parametrize("text", ["abc", "0", "70000", ""])
def test_bad_ports_are_refused(text):
    with pytest.raises(InputError, match=f"--port = '{text}': expected a whole number from 1 to 65,535"):
        check_port(text)


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_bad_port_flag_is_one_line_and_exit_2():
    result = cfsim("dashboard", "--port", "http")
    assert result.returncode == 2
    assert result.stderr.strip() == "cfsim: error: --port = 'http': expected a whole number from 1 to 65,535"


def test_a_port_in_use_is_refused_before_serving():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cfsim("dashboard", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.startswith(f"cfsim: error: --host 127.0.0.1 --port {port}: cannot listen there")
    assert "Traceback" not in result.stderr


def test_an_unknown_host_is_refused():
    result = cfsim("dashboard", "--host", "no-such-host.invalid")
    assert result.returncode == 2 and "--host no-such-host.invalid: not an address" in result.stderr


def test_every_asset_solara_asks_for_is_listed():
    """If Solara is upgraded and asks for other packages, this fails before users see a blank page."""
    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    wanted = set(re.findall(r"\{\{cdn\}\}/((?:@[\w-]+/)?[\w.-]+@[\d.]+)/", template.read_text()))
    wanted = {spec for spec in wanted if "vuetify-app@" not in spec}  # the Vue 2 page, unused with ipyvue 3
    wanted.add(solara.server.settings.assets.fontawesome_path.split("/")[1])
    assert wanted <= set(assets.PACKAGES)


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_integrity_is_checked():
    data = _tarball({"package/package.json": b"{}"})
    good = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assets.check_integrity(data, good)
    with pytest.raises(InputError, match="expected"):
        assets.check_integrity(data + b"x", good)


def test_unpack_places_the_package_with_its_file_list_and_refuses_escapes(tmp_path):
    assets.unpack(_tarball({"package/package.json": b"{}", "package/dist/app.js": b"1"}), tmp_path / "x@1.0.0")
    assert (tmp_path / "x@1.0.0" / "dist" / "app.js").read_bytes() == b"1"
    assert assets.file_list(tmp_path / "x@1.0.0") == {"package.json": 2, "dist/app.js": 1}
    assert assets.missing(tmp_path) == list(assets.PACKAGES)
    with pytest.raises(tarfile.FilterError):
        assets.unpack(_tarball({"package/package.json": b"{}", "../evil.js": b"1"}), tmp_path / "y@1.0.0")
    assert not (tmp_path / "evil.js").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["x@1.0.0"]  # nothing half-unpacked left behind


def test_tarball_addresses():
    registry = "https://registry.example"
    assert assets.tarball_url("@widgetti/solara-vuetify3-app@5.2.0", registry) == (
        "https://registry.example/@widgetti/solara-vuetify3-app/-/solara-vuetify3-app-5.2.0.tgz")
    assert assets.tarball_url("requirejs@2.3.6", registry) == "https://registry.example/requirejs/-/requirejs-2.3.6.tgz"


DEMO = _tarball({"package/package.json": b"{}", "package/dist/app.js": b"x" * 100_000, "package/css/a.css": b"a"})
DEMO_INTEGRITY = "sha512-" + base64.b64encode(hashlib.sha512(DEMO).digest()).decode()
DEMO_PATH = "/demo/-/demo-1.0.0.tgz"
ENSURE = ("import sys; from pathlib import Path; from sim.dashboard.assets import ensure_package; "
          "ensure_package(*sys.argv[1:4], Path(sys.argv[4]))")


def no_registry_set(monkeypatch):
    for name in assets.REGISTRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def ensure_elsewhere(store, registry_url, variable="npm_config_registry"):
    """``ensure_package`` of the demo package in another process, started and not waited for."""
    env = {name: value for name, value in os.environ.items() if name not in assets.REGISTRY_VARIABLES}
    env[variable] = registry_url
    return subprocess.Popen([sys.executable, "-c", ENSURE, "demo", "1.0.0", DEMO_INTEGRITY, str(store)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def hidden_leftovers(store):
    return [path.name for path in store.iterdir() if path.name.startswith(".") and path.name != ".lock"]


def test_simultaneous_first_downloads_share_one_fetch(tmp_path):
    store = tmp_path / "store"
    with FakeRegistry({DEMO_PATH: DEMO}, delay=2) as registry:
        processes = [ensure_elsewhere(store, registry.url) for _ in range(2)]
        results = [(process.wait(timeout=120), process.stderr.read()) for process in processes]
    assert results == [(0, "")] * 2
    assert registry.requests == [DEMO_PATH]  # the others waited for the lock, then found the package there
    assert assets.is_complete(store / "demo@1.0.0") and hidden_leftovers(store) == []


def test_a_killed_download_leaves_no_half_package(tmp_path):
    store = tmp_path / "store"
    with FakeRegistry({DEMO_PATH: DEMO}) as registry:
        registry.stall.set()
        killed = ensure_elsewhere(store, registry.url)
        assert registry.half_sent.wait(timeout=60)
        killed.kill()
        killed.wait(timeout=20)
        registry.stall.clear()
        assert not (store / "demo@1.0.0").exists()
        (store / ".demo@1.0.0.k1ll3d" / "package").mkdir(parents=True)  # as a kill during unpacking leaves
        again = ensure_elsewhere(store, registry.url)
        assert again.wait(timeout=60) == 0, again.stderr.read()
    assert assets.is_complete(store / "demo@1.0.0") and hidden_leftovers(store) == []


def test_a_damaged_package_is_fetched_again(tmp_path, monkeypatch):
    store = tmp_path / "store"
    no_registry_set(monkeypatch)
    with FakeRegistry({DEMO_PATH: DEMO}) as registry:
        monkeypatch.setenv("npm_config_registry", registry.url)
        package = assets.ensure_package("demo", "1.0.0", DEMO_INTEGRITY, store, log=lambda _: None)
        assets.ensure_package("demo", "1.0.0", DEMO_INTEGRITY, store, log=lambda _: None)
        assert len(registry.requests) == 1  # complete: not fetched again
        for damage in (lambda: (package / "css" / "a.css").unlink(),  # as Solara's proxy did to font-awesome/css
                       lambda: (package / "dist" / "app.js").write_bytes(b"x"),
                       lambda: (package / assets.FILE_LIST).unlink()):  # a package stored before file lists
            damage()
            assert not assets.is_complete(package)
            assets.ensure_package("demo", "1.0.0", DEMO_INTEGRITY, store, log=lambda _: None)
            assert assets.is_complete(package) and (package / "css" / "a.css").read_bytes() == b"a"
        assert len(registry.requests) == 4


def test_the_upper_case_registry_variable_is_used(tmp_path):
    with FakeRegistry({DEMO_PATH: DEMO}) as registry:
        process = ensure_elsewhere(tmp_path, registry.url, variable="NPM_CONFIG_REGISTRY")
        assert process.wait(timeout=60) == 0, process.stderr.read()
    assert registry.requests == [DEMO_PATH]


@pytest.mark.parametrize("address", ["registry.npmjs.org", "ftp://registry.example/", "http://", "http://host:99999/",
                                     "http://[::1/"])
def test_a_registry_address_that_is_not_one_is_refused(monkeypatch, tmp_path, address):
    no_registry_set(monkeypatch)
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", address)
    with pytest.raises(InputError, match=re.escape(f"NPM_CONFIG_REGISTRY = {address!r}: expected the http or https")):
        assets.ensure_package("demo", "1.0.0", DEMO_INTEGRITY, tmp_path, log=lambda _: None)


def test_a_registry_that_does_not_answer_is_one_line(monkeypatch, tmp_path):
    no_registry_set(monkeypatch)
    with FakeRegistry() as registry:
        monkeypatch.setenv("npm_config_registry", registry.url)
        with pytest.raises(InputError, match=r"cannot download demo@1\.0\.0 from .*HTTP Error 404"):
            assets.ensure_package("demo", "1.0.0", DEMO_INTEGRITY, tmp_path, log=lambda _: None)
    assert not (tmp_path / "demo@1.0.0").exists()


def test_only_the_files_of_complete_packages_are_served(tmp_path):
    assets.unpack(_tarball({"package/a.js": b"a", "package/sub/b.css": b"bb"}), tmp_path / "x@1.0.0")
    (tmp_path / "@scope").mkdir()
    assets.unpack(_tarball({"package/c.js": b"c"}), tmp_path / "@scope" / "y@2.0.0")
    assets.unpack(_tarball({"package/d.js": b"d"}), tmp_path / "broken@1.0.0")
    (tmp_path / "broken@1.0.0" / "d.js").unlink()
    (tmp_path / "secret.txt").write_text("s")
    (tmp_path / "x@1.0.0" / "sub" / "extra.js").write_text("not unpacked from the tarball")
    assert assets.served_files(tmp_path) == {"x@1.0.0/a.js": tmp_path / "x@1.0.0" / "a.js",
                                             "x@1.0.0/sub/b.css": tmp_path / "x@1.0.0" / "sub" / "b.css",
                                             "@scope/y@2.0.0/c.js": tmp_path / "@scope" / "y@2.0.0" / "c.js"}
    (tmp_path / "x@1.0.0" / assets.FILE_LIST).write_text('{"../secret.txt": 1}')  # a list pointing out of its package
    assert "x@1.0.0/../secret.txt" not in assets.served_files(tmp_path)


def test_a_store_folder_that_cannot_be_made_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "a-file").write_text("")
    env = {**os.environ, assets.STORE_VARIABLE: str(tmp_path / "a-file" / "store")}
    result = cfsim("dashboard", "--port", str(free_port()), env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"cfsim: error: dashboard assets folder {tmp_path / 'a-file' / 'store'}: cannot write "
                             f"there (Not a directory); set CFSIM_ASSETS_DIR to a folder you can write\n")


def test_a_bad_registry_address_is_one_line_and_exit_2(tmp_path):
    env = {name: value for name, value in os.environ.items() if name not in assets.REGISTRY_VARIABLES}
    env.update({assets.STORE_VARIABLE: str(tmp_path), "npm_config_registry": "registry.npmjs.org"})
    result = cfsim("dashboard", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert result.stderr == ("cfsim: error: npm_config_registry = 'registry.npmjs.org': expected the http or https "
                             "address of an npm registry, such as https://registry.npmjs.org/\n")


def test_the_server_closes_sessions_of_vanished_browsers_within_minutes(monkeypatch, tmp_path):
    """Solara keeps a disconnected session 24 hours; ``cfsim dashboard`` asks for minutes (unless told otherwise)."""
    started, environment = start_without_serving(monkeypatch, tmp_path)
    assert started[1:5] == ["-m", "uvicorn", "--factory", "sim.dashboard.asgi:create_app"]
    assert 0 < solara.util.parse_timedelta(environment["SOLARA_KERNEL_CULL_TIMEOUT"]) <= 10 * 60
    assert environment[assets.STORE_VARIABLE] == str(tmp_path)


def start_without_serving(monkeypatch, tmp_path, **settings):
    """Run ``serve`` up to starting the server; return the command and environment it would start it with."""
    environment = {name: value for name, value in os.environ.items() if name != "SOLARA_KERNEL_CULL_TIMEOUT"}
    monkeypatch.setattr(os, "environ", {**environment, **settings})
    monkeypatch.setattr(serve, "check_address", lambda host, port: None)
    monkeypatch.setattr(serve, "ensure_assets", lambda log: tmp_path)
    started = []
    monkeypatch.setattr(os, "execv", lambda program, command: started.append(command))
    serve.serve(types.SimpleNamespace(host="127.0.0.1", port="8765"))
    return started[0], os.environ


def test_a_session_timeout_can_be_chosen_but_must_be_a_time(monkeypatch, tmp_path):
    _, environment = start_without_serving(monkeypatch, tmp_path, SOLARA_KERNEL_CULL_TIMEOUT="1h")
    assert environment["SOLARA_KERNEL_CULL_TIMEOUT"] == "1h"
    with pytest.raises(InputError, match="SOLARA_KERNEL_CULL_TIMEOUT = 'soon': expected a time such as 30s, 5m"):
        start_without_serving(monkeypatch, tmp_path, SOLARA_KERNEL_CULL_TIMEOUT="soon")


def test_serving_on_a_network_address_warns_then_serves():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--host", "0.0.0.0", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        warning = server.stderr.readline()
        assert warning.startswith("cfsim: warning: serving on 0.0.0.0, so other machines on the network")
        assert server.stdout.readline().startswith(f"Customer Focus Simulator dashboard: http://0.0.0.0:{port}")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_default_address_is_loopback():
    from sim.cli import build_parser

    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port) == ("127.0.0.1", "8765")


@pytest.mark.parametrize(("name", "version"), [("../evil", "1.0.0"), ("demo", "1.0.0/../../x"), ("/abs", "1.0.0"),
                                               ("demo", "latest")])
def test_only_npm_names_and_versions_become_folders(tmp_path, name, version):
    with pytest.raises(InputError, match="is not an npm package name@version"):
        assets.ensure_package(name, version, DEMO_INTEGRITY, tmp_path / "store")
    assert not (tmp_path / "store").exists()
