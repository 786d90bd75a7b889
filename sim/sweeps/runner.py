"""Run every design point × contrast × replication of a sweep on Dask ``distributed``.

By default a LocalCluster of single-threaded worker processes runs the sweep;
given a scheduler address, an existing cluster does (its workers must import
``sim``: the same code and virtualenv on every worker). Each task runs a
batch of runs and returns each run's Parquet file as bytes; the driver writes
them atomically into the results directory, so workers need no shared
filesystem and a worker that dies only costs its unfinished task, which Dask
runs again elsewhere. Runs already in the directory, and sound, are never run
again. One driver at a time writes into a directory (see ``lock``).
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

from sim.model import CustomerFocusModel
from sim.scenario import CustomerFocusScenario, InputError
from sim.sizing import check_fits
from sim.sweeps import lock, store
from sim.sweeps.cluster import check_memory, check_scheduler, check_workers, connect
from sim.sweeps.design import Run, plan
from sim.sweeps.sweep_file import Sweep, load_sweep_file

MAX_BATCH = 32
TASKS_PER_WORKER = 4  # tasks per worker: enough to balance the load, few enough to keep Dask's cost per run small


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; the runs finished so far are kept."""

    def __init__(self, out: Path, finished: int, total: int):
        """Remember where the finished runs are."""
        super().__init__(f"interrupted; {finished} of {total} runs finished are kept in {out}; "
                         "run the same command to resume")
        self.out, self.finished, self.total = out, finished, total


class SweepWriteError(OSError):
    """The results directory could not be written (disk full, permissions); finished runs are kept."""


def run_batch(batch: list[Run], outputs: tuple[str, ...], sweep_hash: str,
              every: int) -> list[tuple[int, bytes]]:
    """Run each run of ``batch`` and return (run_id, Parquet bytes) pairs (runs on a worker)."""
    schema = store.output_schema(outputs, sweep_hash)
    results = []
    for run in batch:
        scenario = CustomerFocusScenario(replication=run.replication, interventions=run.interventions,
                                         assumptions=run.assumptions, **run.parameters)
        weekly = CustomerFocusModel(scenario).run()
        results.append((run.run_id, store.to_parquet_bytes(store.run_table(run.run_id, weekly, schema, every))))
    return results


def run_sweep(sweep_file: Path | str, out: Path | str, *, workers: int | None = None, scheduler: str | None = None,
              progress: bool = True, batch_size: int | None = None) -> Path:
    """Run the sweep described in ``sweep_file`` into the results directory ``out``; return ``out``.

    Runs already finished in ``out`` are skipped; a directory holding a
    different sweep, or runs of another code version, is refused.
    ``workers`` sizes a local cluster (default: the CPU count);
    ``scheduler`` names a running Dask scheduler instead. ``batch_size``
    runs per task (default: chosen from the sweep's size). Raises
    InputError on bad input, SweepWriteError when the directory cannot be
    written and SweepInterrupted on Ctrl-C.
    """
    sweep = load_sweep_file(sweep_file)
    out = Path(out)
    workers = check_workers(workers)
    scheduler = check_scheduler(scheduler)
    if workers is not None and scheduler is not None:
        raise InputError("--workers: applies to the local cluster only; with --scheduler the cluster's own "
                         "workers run the sweep")
    store.check_out_dir(out)
    design, runs = plan(sweep)
    manifest = store.build_manifest(sweep)
    largest = int(design["n_employees"].max()), int(design["n_customers"].max())
    if scheduler is None:
        workers = workers or os.cpu_count() or 1
        check_fits(*largest, runs_at_once=workers)
    created = _make_dir(out)
    with lock.exclusive(out):
        try:
            return _resume(sweep, out, design, runs, manifest, largest, workers, scheduler, progress, batch_size)
        except BaseException:
            if created:  # still under the lock: no other writer can be setting it up
                store.remove_unfinished(out)
            raise


def _make_dir(out: Path) -> bool:
    """Create ``out``; whether this call created it."""
    try:
        out.mkdir()
    except FileExistsError:
        return False
    except OSError as error:
        raise SweepWriteError(f"--out {out}: cannot create the directory ({error.strerror})") from None
    return True


def _resume(sweep: Sweep, out: Path, design, runs: list[Run], manifest: dict, largest: tuple[int, int],
            workers: int | None, scheduler: str | None, progress: bool, batch_size: int | None) -> Path:
    existing = store.read_manifest(out)
    store.check_resume(out, existing, manifest, design)
    n_runs = len(runs)
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else (lambda text: None)
    done, rejected = _write(lambda: store.finished_runs(out, sweep), out, 0, n_runs) if existing is not None \
        else (set(), [])
    contrasts = f" × {len(sweep.contrasts)} contrasts" if len(sweep.contrasts) > 1 else ""
    say(f"sweep {sweep.name!r}: {manifest['n_points']:,} design points{contrasts} × {sweep.replications:,} "
        f"replications = {n_runs:,} runs of {sweep.weeks} weeks; results in {out}")
    if rejected:
        say(f"{len(rejected):,} damaged or foreign file{'s' if len(rejected) > 1 else ''} in runs/ "
            f"(e.g. {rejected[0]}) moved to {out / 'rejected'}; {'they' if len(rejected) > 1 else 'it'} "
            "will be run again")
    if done:
        rest = f"running the other {n_runs - len(done):,}" if len(done) < n_runs else "nothing left to run"
        say(f"{len(done):,} of {n_runs:,} runs already done; {rest}")
    if len(done) == n_runs:
        return out
    with connect(workers, scheduler) as client:
        if scheduler is not None:
            check_memory(client, *largest)
        if existing is None:
            _write(lambda: store.set_up(out, sweep.text, manifest, design), out, 0, n_runs)
        todo = [run for run in runs if run.run_id not in done]
        _run(client, todo, sweep, out, len(done), n_runs, progress, batch_size)
    return out


def _write(action, out: Path, finished: int, n_runs: int):
    """``action()``'s result; an OSError from it becomes a SweepWriteError saying what is kept."""
    try:
        return action()
    except OSError as error:
        kept = f"the {finished:,} of {n_runs:,} runs finished are kept; " if finished else ""
        raise SweepWriteError(f"--out {out}: cannot write ({error.strerror or error}); {kept}free some space or "
                              "fix the permissions and run the same command to resume") from None


def _run(client, todo: list[Run], sweep: Sweep, out: Path, n_done: int, n_runs: int, progress: bool,
         batch_size: int | None) -> None:
    from distributed import as_completed
    from tqdm import tqdm

    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = batch_size or max(1, min(MAX_BATCH, len(todo) // (n_workers * TASKS_PER_WORKER)))
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    tag, session = sweep.hash()[:12], uuid.uuid4().hex[:8]  # keys unique to this driver
    futures = [client.submit(run_batch, batch, sweep.outputs, sweep.hash(), sweep.record_every,
                             key=f"cfsim-{tag}-{session}-{batch[0].run_id}", pure=False)
               for batch in batches]
    runs = out / "runs"
    bar = tqdm(total=n_runs, initial=n_done, unit="run", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, smoothing=0.05)
    finished = n_done
    try:
        for future in as_completed(futures, loop=client.loop):
            results = future.result()
            for run_id, data in results:
                _write(lambda d=data, r=run_id: store.write_bytes_atomically(d, runs / store.run_file_name(r),
                                                                             durable=False),
                       out, finished, n_runs)
                finished += 1
            bar.update(len(results))
            future.release()
    except KeyboardInterrupt:
        client.cancel(futures)
        bar.close()
        raise SweepInterrupted(out, finished, n_runs) from None
    except BaseException:
        client.cancel(futures)
        bar.close()
        raise
    bar.close()
