"""``cfsim dashboard``: check the address, make the assets local, then hand over to the web server."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import sys

from sim.dashboard.assets import STORE_VARIABLE, ensure_assets
from sim.scenario import InputError, whole_number

LOOPBACK_NAMES = ("localhost",)
QUIET = "ignore:Cookies with samesite=none require https:UserWarning"
# A browser that vanishes (closed without a goodbye, network lost) leaves its session, with its models, in the
# server's memory until this long after its last connection; Solara's default is 24 hours.
SESSION_TIMEOUT = "5m"
SESSION_VARIABLE = "SOLARA_KERNEL_CULL_TIMEOUT"  # Solara's name; a user may set another time


def check_port(text: str) -> int:
    """A TCP port number from the command line."""
    return whole_number(text, 1, 65_535, "--port")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int) -> None:
    """Refuse, in one line, an address that cannot be bound (unknown host, port in use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"--host {host}: not an address of this machine or a known host name") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise InputError(f"--host {host} --port {port}: cannot listen there ({error.strerror}); "
                             f"choose another --port") from None


def serve(args) -> int:
    """Serve the dashboard until Ctrl-C; the process becomes the web server (``sim.dashboard.asgi`` in uvicorn)."""
    port = check_port(args.port)
    check_address(args.host, port)
    if not re.fullmatch(r"\d+(\.\d+)?[dhms]?", os.environ.setdefault(SESSION_VARIABLE, SESSION_TIMEOUT)):
        raise InputError(f"{SESSION_VARIABLE} = {os.environ[SESSION_VARIABLE]!r}: expected a time such as "
                         f"30s, 5m, 2h or 1d")
    if not is_loopback(args.host):
        print(f"cfsim: warning: serving on {args.host}, so other machines on the network can open the "
              f"dashboard and run models on this one; use the default --host 127.0.0.1 to keep it local",
              file=sys.stderr)
    os.environ[STORE_VARIABLE] = str(ensure_assets(log=lambda m: print(m, file=sys.stderr)))
    os.environ.update(SOLARA_APP="sim.app", SOLARA_MODE="production",
                      SOLARA_ASSETS_PROXY="True")  # the page asks this server, never a CDN, for its assets
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no calls home from an offline page
    # Solara warns, on the first page over plain http, about cookies for pages embedded in iframes: not our case.
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), QUIET]))
    print(f"Customer Focus Simulator dashboard: http://{args.host}:{port} (Ctrl-C to stop)", flush=True)
    command = [sys.executable, "-m", "uvicorn", "--factory", "sim.dashboard.asgi:create_app",
               "--host", args.host, "--port", str(port), "--log-level", "warning", "--no-access-log"]
    os.execv(sys.executable, command)
    return 0  # not reached: execv replaces this process
