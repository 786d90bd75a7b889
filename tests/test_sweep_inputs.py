"""Inputs that used to hang or crash `cfsim sweep`: special files, huge or deeply nested TOML, a byte-order
mark, scheduler addresses that are not Dask or have no workers; a local cluster's pages on loopback only."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.sweeps import cluster, load_sweep_file

from .test_sweep_cluster import free_port
from .test_sweep_file import GRID, write_sweep

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def cfsim(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`cfsim ARGS` in a subprocess; a hang fails the test after ``timeout`` seconds."""
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def in_thread(function, timeout: float = 120):
    """Call ``function`` in a thread; fail (rather than hang) if it does not return within ``timeout`` s."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=function()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still running after {timeout} s"
    return result["value"]


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_special_files_are_refused_without_reading(tmp_path, kind):
    path = tmp_path / "sweep.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    done = cfsim("sweep", str(path), "--out", str(tmp_path / "out"), timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"cfsim: error: {path}: not a regular file; expected a sweep file\n"
    assert not (tmp_path / "out").exists()


def test_a_huge_file_is_refused(tmp_path):
    path = write_sweep(tmp_path, GRID + "# padding\n" * 200_000)
    done = cfsim("sweep", str(path), "--out", str(tmp_path / "out"), timeout=60)
    assert done.returncode == 2 and "larger than 1,048,576 bytes; too big for a sweep file" in done.stderr


def test_byte_order_mark_is_accepted(tmp_path):
    plain = load_sweep_file(write_sweep(tmp_path, GRID))
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + GRID.encode("utf-8"))
    assert load_sweep_file(marked).hash() == plain.hash()


@pytest.mark.parametrize("where", ["sweep", "scenario"])
def test_deep_nesting_is_one_line(tmp_path, capsys, where):
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    if where == "sweep":
        path = write_sweep(tmp_path, deep + GRID)
    else:
        write_sweep(tmp_path, deep, "deep.toml")
        path = write_sweep(tmp_path, 'scenario = "deep.toml"\n' + GRID)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cfsim: error: {path}: ") and "nested too deeply" in err and err.count("\n") == 1


def test_tls_address_is_refused_at_once(tmp_path, capsys):
    path = write_sweep(tmp_path, GRID)
    assert in_thread(lambda: main(["sweep", str(path), "--out", str(tmp_path / "out"),
                                   "--scheduler", "tls://127.0.0.1:8786"])) == 2
    assert "only tcp:// is supported" in capsys.readouterr().err


@pytest.mark.parametrize("talks", [False, True], ids=["silent", "http"])
def test_a_port_that_is_not_dask_times_out_with_a_message(tmp_path, capsys, monkeypatch, talks):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2.0)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def answer():
        connection, _ = server.accept()
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(5)
        connection.close()

    if talks:
        threading.Thread(target=answer, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    path = write_sweep(tmp_path, GRID)
    try:
        code = in_thread(lambda: main(["sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler", address]),
                         timeout=60)
    finally:
        server.close()
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert code == 2 and last.startswith(f"cfsim: error: --scheduler {address}: cannot reach a Dask scheduler there")
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_cluster_without_workers_times_out_with_a_message(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cluster, "WORKER_SECONDS", 2.0)
    port = free_port()
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and scheduler.poll() is None
                time.sleep(0.2)
        path = write_sweep(tmp_path, GRID)
        code = in_thread(lambda: main(["sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler",
                                       f"tcp://127.0.0.1:{port}"]), timeout=60)
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)
    assert code == 2
    assert f"--scheduler tcp://127.0.0.1:{port}: the cluster has no workers (waited 2 s)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def http_hosts(dask_scheduler) -> list[str]:
    return [s.getsockname()[0] for s in dask_scheduler.http_server._sockets.values()]


def test_local_cluster_serves_its_pages_on_loopback_only():
    with cluster.connect(1, None) as client:
        assert client.scheduler_info()["address"].startswith("tcp://127.0.0.1:")
        hosts = client.run_on_scheduler(http_hosts)
    assert hosts and set(hosts) == {"127.0.0.1"}
