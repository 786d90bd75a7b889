"""Run every design point × replication of a sweep on Dask ``distributed``.

By default a LocalCluster of single-threaded worker processes runs the sweep;
given a scheduler address, an existing cluster does (its workers must import
``sim``: the same code and virtualenv on every worker). Each task runs a small
batch of runs and returns each run's Parquet file as bytes; the driver writes
them atomically into the results directory, so workers need no shared
filesystem and a worker that dies only costs its unfinished task, which Dask
runs again elsewhere. Runs already in the directory are never run again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from sim.model import CustomerFocusModel
from sim.scenario import CustomerFocusScenario, InputError, whole_number
from sim.sizing import check_fits
from sim.sweeps import store
from sim.sweeps.design import design_frame, run_parameters
from sim.sweeps.sweep_file import Sweep, load_sweep_file

MAX_WORKERS = 256
MAX_BATCH = 16
CONNECT_TIMEOUT = "5s"
SINGLE_THREADED = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                          "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}
# Dask's statistical profiler samples the task thread every 10 ms: pure overhead for these short runs.
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
ADDRESS = re.compile(r"(?:(tcp|tls)://)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})")


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; the runs finished so far are kept."""

    def __init__(self, out: Path, finished: int, total: int):
        """Remember where the finished runs are."""
        super().__init__(f"interrupted; {finished} of {total} runs finished are kept in {out}; "
                         "run the same command to resume")
        self.out, self.finished, self.total = out, finished, total


def run_batch(batch: list[tuple[int, int, dict]], interventions: tuple, outputs: tuple[str, ...],
              every: int) -> list[tuple[int, bytes]]:
    """Run each (run_id, replication, parameters) and return (run_id, Parquet bytes) pairs (runs on a worker)."""
    results = []
    for run_id, replication, params in batch:
        scenario = CustomerFocusScenario(replication=replication, interventions=interventions, **params)
        weekly = CustomerFocusModel(scenario).run()
        results.append((run_id, store.to_parquet_bytes(store.run_table(run_id, weekly, outputs, every))))
    return results


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
    return f"{match.group(1) or 'tcp'}://{match.group(2)}:{match.group(3)}"


def run_sweep(sweep_file: Path | str, out: Path | str, *, workers: int | None = None, scheduler: str | None = None,
              progress: bool = True, batch_size: int | None = None) -> Path:
    """Run the sweep described in ``sweep_file`` into the results directory ``out``; return ``out``.

    Runs already finished in ``out`` are skipped; a directory holding a
    different sweep is refused. ``workers`` sizes a local cluster (default:
    the CPU count); ``scheduler`` names a running Dask scheduler instead.
    ``batch_size`` runs per task (default: chosen from the sweep's size).
    Raises InputError on bad input and SweepInterrupted on Ctrl-C.
    """
    sweep = load_sweep_file(sweep_file)
    out = Path(out)
    workers = check_workers(workers)
    scheduler = check_scheduler(scheduler)
    if workers is not None and scheduler is not None:
        raise InputError("--workers: applies to the local cluster only; with --scheduler the cluster's own "
                         "workers run the sweep")
    store.check_out_dir(out)
    design = design_frame(sweep)
    n_runs = len(design)
    manifest = sweep.manifest(n_runs // sweep.replications)
    existing = store.read_manifest(out)
    if existing is not None and existing.get("sweep_hash") != manifest["sweep_hash"]:
        raise InputError(
            f"--out {out}: holds the results of a different sweep ({existing.get('name')!r}, or the sweep file "
            f"{sweep.path} has changed since); use a new --out directory, or delete {out} to start afresh")
    if scheduler is None:
        workers = workers or os.cpu_count() or 1
        check_fits(int(design["n_employees"].max()), int(design["n_customers"].max()), runs_at_once=workers)
    done = store.finished_runs(out, n_runs) if existing is not None else set()
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else (lambda text: None)
    say(f"sweep {sweep.name!r}: {manifest['n_points']:,} design points × {sweep.replications:,} replications "
        f"= {n_runs:,} runs of {sweep.weeks} weeks; results in {out}")
    if done:
        rest = f"running the other {n_runs - len(done):,}" if len(done) < n_runs else "nothing left to run"
        say(f"{len(done):,} of {n_runs:,} runs already done; {rest}")
    if len(done) == n_runs:
        return out
    with _client(workers, scheduler) as client:
        if existing is None:
            store.set_up(out, sweep.text, manifest, design)
        records = design.to_dict("records")
        specs = [(run_id, *run_parameters(records[run_id])) for run_id in range(n_runs) if run_id not in done]
        _run(client, specs, sweep, out, len(done), n_runs, progress, batch_size)
    return out


def _run(client, specs, sweep: Sweep, out: Path, n_done: int, n_runs: int, progress: bool,
         batch_size: int | None) -> None:
    from distributed import as_completed
    from tqdm import tqdm

    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = batch_size or max(1, min(MAX_BATCH, len(specs) // (n_workers * 16)))
    batches = [specs[i:i + size] for i in range(0, len(specs), size)]
    tag, session = sweep.hash()[:12], uuid.uuid4().hex[:8]  # keys unique to this driver
    futures = [client.submit(run_batch, batch, sweep.base.interventions, sweep.outputs, sweep.record_every,
                             key=f"cfsim-{tag}-{session}-{batch[0][0]}", pure=False)
               for batch in batches]
    runs = out / "runs"
    bar = tqdm(total=n_runs, initial=n_done, unit="run", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, smoothing=0.05)
    try:
        for future in as_completed(futures, loop=client.loop):
            results = future.result()
            for run_id, data in results:
                store.write_bytes_atomically(data, runs / store.run_file_name(run_id))
            bar.update(len(results))
            future.release()
    except KeyboardInterrupt:
        client.cancel(futures)
        bar.close()
        raise SweepInterrupted(out, len(store.finished_runs(out, n_runs)), n_runs) from None
    except BaseException:
        client.cancel(futures)
        raise
    bar.close()


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator:
    import dask
    from distributed import Client, LocalCluster

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError) as error:
                raise InputError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({error}); "
                                 "start one with `dask scheduler` or check the address") from None
            with client:
                yield client
            return
        # Workers ignore Ctrl-C: the driver handles it, cancels and closes the cluster cleanly.
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
        try:
            with dask.config.set(WORKER_CONFIG):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                       worker_dashboard_address=None, silence_logs=logging.CRITICAL,
                                       env=SINGLE_THREADED, scheduler_port=0, host="127.0.0.1")
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, previous)
        with cluster, Client(cluster, set_as_default=False) as client:
            yield client
    finally:
        quiet.setLevel(level)
