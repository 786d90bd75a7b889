"""``cfsim dashboard``'s checks and the offline assets, without a browser."""

import base64
import hashlib
import io
import re
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import solara.server.settings

from sim.dashboard import assets
from sim.dashboard.serve import check_port, is_loopback
from sim.scenario import InputError


def cfsim(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=timeout)


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
    assert wanted == set(assets.PACKAGES)


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


def test_unpack_places_the_package_and_refuses_escapes(tmp_path):
    assets.unpack(_tarball({"package/package.json": b"{}", "package/dist/app.js": b"1"}), tmp_path / "x@1.0.0")
    assert (tmp_path / "x@1.0.0" / "dist" / "app.js").read_bytes() == b"1"
    assert assets.missing(tmp_path) == list(assets.PACKAGES)
    with pytest.raises(tarfile.FilterError):
        assets.unpack(_tarball({"package/package.json": b"{}", "../evil.js": b"1"}), tmp_path / "y@1.0.0")
    assert not (tmp_path / "evil.js").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["x@1.0.0"]  # nothing half-unpacked left behind


def test_tarball_addresses():
    assert assets.tarball_url("@widgetti/solara-vuetify3-app@5.2.0").endswith(
        "/@widgetti/solara-vuetify3-app/-/solara-vuetify3-app-5.2.0.tgz")
    assert assets.tarball_url("requirejs@2.3.6").endswith("/requirejs/-/requirejs-2.3.6.tgz")


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
