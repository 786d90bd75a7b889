"""The Dask cluster of a sweep: a local one, or an existing scheduler reached with timeouts and checks.

A local cluster's scheduler, workers and diagnostic pages listen on
127.0.0.1 only. An existing scheduler is first asked who it is, with a
time limit, so an address that is not a Dask scheduler, or does not answer,
gives a message instead of a hang; a cluster with no workers is waited for,
then refused; each worker's memory is checked against the largest run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from sim.errors import InputError
from sim.scenario import whole_number
from sim.sizing import available_bytes, estimated_bytes

MAX_WORKERS = 256
CONNECT_SECONDS = 10.0
WORKER_SECONDS = 30.0
SINGLE_THREADED = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                          "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}
# Dask's housekeeping, cut to what a sweep of uniform tasks needs: the statistical profiler (samples the task
# thread every 10 ms), the 20 ms event-loop tick, the 0.5 s system monitor, the 0.1 s memory monitor and work
# stealing cost a running 1-worker cluster about 0.04 CPU-seconds per second; without them, under 0.01.
CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}
ADDRESS = re.compile(r"(?:([a-z]+)://)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})")


def check_workers(workers: int | str | None) -> int | None:
    """--workers as a whole number from 1 to 256 (None: not given)."""
    return None if workers is None else whole_number(workers, 1, MAX_WORKERS, "--workers")


def check_scheduler(address: str | None) -> str | None:
    """--scheduler as tcp://host:port (a bare host:port means tcp)."""
    if address is None:
        return None
    match = ADDRESS.fullmatch(address.strip()) if isinstance(address, str) else None
    if not match or not 1 <= int(match.group(3)) <= 65535:
        raise InputError(f"--scheduler = {address!r}: expected a Dask scheduler address tcp://HOST:PORT, "
                         "e.g. tcp://10.0.0.5:8786")
    if match.group(1) not in (None, "tcp"):
        raise InputError(f"--scheduler = {address!r}: only tcp:// is supported ({match.group(1)}:// needs "
                         "certificates cfsim does not configure); use tcp:// on a trusted network or an SSH tunnel")
    return f"tcp://{match.group(2)}:{match.group(3)}"


@contextlib.contextmanager
def connect(workers: int | None, scheduler: str | None) -> Iterator:
    """A Dask client: of a new local cluster of ``workers`` processes, or of the scheduler at ``scheduler``."""
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        with _remote(scheduler) if scheduler is not None else _local(workers) as client:
            yield client
    finally:
        quiet.setLevel(level)


@contextlib.contextmanager
def _remote(scheduler: str) -> Iterator:
    from distributed import Client

    _identify(scheduler)
    try:
        client = Client(scheduler, timeout=f"{CONNECT_SECONDS}s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise InputError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({error}); "
                         "start one with `dask scheduler` or check the address") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_SECONDS)
        except TimeoutError:
            raise InputError(f"--scheduler {scheduler}: the cluster has no workers (waited {WORKER_SECONDS:g} s); "
                             f"start some with `dask worker {scheduler} --nthreads 1`") from None
        yield client


def _identify(scheduler: str) -> None:
    """Ask the process at ``scheduler`` who it is, within CONNECT_SECONDS; InputError unless a Dask scheduler."""
    async def identity():
        from distributed.comm import connect as comm_connect

        comm = await comm_connect(scheduler, timeout=CONNECT_SECONDS)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:  # in a thread of its own, so it works whether or not the caller runs an event loop (Jupyter)
        with ThreadPoolExecutor(1) as pool:
            reply = pool.submit(asyncio.run, asyncio.wait_for(identity(), CONNECT_SECONDS)).result()
    except TimeoutError:
        reply = f"no answer within {CONNECT_SECONDS:g} s"
    except Exception as error:
        reply = str(error) or type(error).__name__
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        reason = reply if isinstance(reply, str) else "something other than a Dask scheduler answered"
        raise InputError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({reason}); "
                         "start one with `dask scheduler` or check the address")


@contextlib.contextmanager
def _local(workers: int) -> Iterator:
    import dask
    from distributed import Client, LocalCluster

    # Workers ignore Ctrl-C: the driver handles it, cancels and closes the cluster cleanly.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        with dask.config.set(CLUSTER_CONFIG):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address="127.0.0.1:0", worker_dashboard_address=None,
                                   silence_logs=logging.CRITICAL,
                                   env=SINGLE_THREADED, scheduler_port=0, host="127.0.0.1")
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    with cluster, Client(cluster, set_as_default=False) as client:
        yield client


def check_memory(client, n_employees: int, n_customers: int) -> None:
    """Refuse runs of this size if one would not fit in a worker's memory (its limit, else its machine's)."""
    need = estimated_bytes(n_employees, n_customers)
    workers = client.scheduler_info()["workers"]
    unlimited = [address for address, info in workers.items() if not info.get("memory_limit")]
    free = client.run(available_bytes, workers=unlimited) if unlimited else {}
    for address, info in sorted(workers.items()):
        threads = max(1, int(info.get("nthreads", 1)))
        have = info.get("memory_limit") or free.get(address, 0)
        if need * threads > have:
            raise InputError(
                f"n_employees = {n_employees:,}, n_customers = {n_customers:,}: a run needs about "
                f"{need / 2**30:.1f} GiB; worker {address} has {have / 2**30:.1f} GiB for {threads} thread(s); "
                "choose smaller sizes or give the workers more memory")
