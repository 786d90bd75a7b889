"""Sweeps on a real Dask cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import Client

from sim.cli import main
from sim.sweeps import run_sweep

from .test_sweep_file import GRID, write_sweep
from .test_sweep_run import dataset

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# default size, long enough (about 0.09 s a run unloaded) for a kill to land mid-sweep; 16 runs
SLOW = (GRID.replace("weeks = 8", "weeks = 156").replace("replications = 2", "replications = 4")
        .replace("n_employees = 60", "n_employees = 400").replace("n_customers = 600", "n_customers = 4000")
        + '\n[outputs]\nrecord = ["retention_rate", "customer_focus_mean", "journeys"]\nevery = 4\n')
N_RUNS = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and worker subprocesses; workers can be killed and replaced."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False", "OMP_NUM_THREADS": "1"}
        self.log = open(tmp / "cluster.log", "w")  # noqa: SIM115
        self.scheduler = self._start(["scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--no-dashboard"])
        self.workers = []
        for _ in range(2):
            self.add_worker()
        self.wait_for(2)

    def _start(self, args):
        return subprocess.Popen([str(BIN / "dask"), *args], cwd=ROOT, env=self.env, stdout=self.log,
                                stderr=subprocess.STDOUT)

    def add_worker(self):
        self.workers.append(self._start(["worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                                         "--nworkers", "1", "--no-nanny", "--no-dashboard",
                                         "--memory-limit", "2GiB"]))

    def n_workers(self) -> int:
        with Client(self.address, timeout="10s", set_as_default=False) as client:
            return len(client.scheduler_info()["workers"])

    def wait_for(self, n: int, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.n_workers() == n:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"cluster did not reach {n} workers"
            time.sleep(0.2)

    def kill_worker(self):
        worker = self.workers.pop(0)
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    def close(self):
        for process in [*self.workers, self.scheduler]:
            process.terminate()
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """The slow sweep file and its results on a local cluster of 2 workers."""
    tmp = tmp_path_factory.mktemp("slow")
    path = write_sweep(tmp, SLOW)
    return path, run_sweep(path, tmp / "local", workers=2, progress=False)


def files_in(out: Path) -> int:
    return len(list((out / "runs").glob("run-*.parquet"))) if (out / "runs").exists() else 0


def test_cluster_run_is_identical_to_the_local_run(cluster, slow, tmp_path):
    path, local = slow
    out = run_sweep(path, tmp_path / "cluster", scheduler=cluster.address, progress=False)
    assert files_in(out) == N_RUNS
    assert dataset(out) == dataset(local)


def test_driver_killed_mid_sweep_resumes(cluster, slow, tmp_path):
    path, local = slow
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--scheduler", cluster.address]
    driver = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while files_in(out) < 3:
        assert time.monotonic() < deadline and driver.poll() is None
        time.sleep(0.01)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    killed_at = files_in(out)
    assert killed_at < N_RUNS
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"{killed_at} of {N_RUNS} runs already done; running the other {N_RUNS - killed_at}" in again.stderr
    assert dataset(out) == dataset(local)


def test_runs_too_big_for_the_workers_are_refused_before_submitting(cluster, tmp_path, capsys):
    """A run of 4 million customers needs about 2.4 GiB; the workers have 2 GiB each."""
    big = write_sweep(tmp_path, GRID.replace("n_customers = 600", "n_customers = 4_000_000").replace("weeks = 8",
                                                                                                    "weeks = 1"))
    out = tmp_path / "out"
    assert main(["sweep", str(big), "--out", str(out), "--scheduler", cluster.address]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("cfsim: error: n_employees = 60, n_customers = 4,000,000: a run needs about 2.4 GiB; "
                           "worker tcp://127.0.0.1:")
    assert "has 2.0 GiB for 1 thread(s); choose smaller sizes or give the workers more memory" in last
    assert not out.exists()
    assert cluster.n_workers() == 2


def test_worker_killed_mid_sweep_still_finishes_identically(cluster, slow, tmp_path):
    """Runs last in this module: it kills a worker (and starts a replacement afterwards)."""
    import threading

    path, local = slow
    out = tmp_path / "out"
    seen = {}

    def killer():
        deadline = time.monotonic() + 60
        while files_in(out) < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        seen["files"] = files_in(out)
        cluster.kill_worker()

    thread = threading.Thread(target=killer)
    thread.start()
    run_sweep(path, out, scheduler=cluster.address, progress=False, batch_size=1)
    thread.join()
    assert 1 <= seen["files"] < N_RUNS - 2  # killed mid-sweep
    assert cluster.n_workers() == 1
    assert dataset(out) == dataset(local)
    cluster.add_worker()
    cluster.wait_for(2)
