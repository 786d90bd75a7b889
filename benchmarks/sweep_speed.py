"""Speed of ``cfsim sweep``: overhead per run against a plain loop, throughput on 1 and 2 workers, a Sobol sweep.

Run from the repository root, in the project's virtualenv::

    python benchmarks/sweep_speed.py            # overhead, throughput, byte-identity (about 3 minutes)
    python benchmarks/sweep_speed.py --runs 20  # fewer runs
    python benchmarks/sweep_speed.py --sobol    # also the 3,072-run Sobol sweep (3-5 minutes more)

Overhead per run: the same runs (a Latin hypercube of the five levers at the
default size, 104 weeks) are made in a plain loop in this process (the model
itself) and as a sweep on a running local cluster of one worker (scheduling,
shipping results, Parquet encoding, writing the files, and all Dask's
scheduler, nanny and worker do meanwhile), in five pairs of a loop then a
sweep, so each pair sees about the same load. The cost is measured in CPU
seconds of every process involved (this one and the cluster's), steadier on
a shared machine, and in wall time, which other work skews. A sweep of 2
runs gives the fixed cost of a sweep (connecting, checking, setting up the
directory): overhead per run = ((sweep - loop) - (sweep of 2 - loop of 2)) /
(runs - 2), the median of the pairs. Starting the local cluster, a fixed cost
too, is printed apart. Target: under 5 ms per run. Throughput:
the same sweep into fresh directories with 1 and 2 workers, start-up
included, five times as many runs. Byte-identity: the results of 1 worker,
2 workers and one run per task are compared file by file. The Sobol sweep is
``scenarios/sweeps/sobol_levers.toml`` (N = 256, five levers, second order:
3,072 runs) on 2 workers, target under 5 minutes. The script exits 0
whatever the figures; timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import textwrap
from pathlib import Path
from statistics import median
from time import perf_counter, process_time

import psutil

from sim import CustomerFocusModel
from sim.scenario import CustomerFocusScenario
from sim.sweeps import load_sweep_file, run_sweep
from sim.sweeps.cluster import connect
from sim.sweeps.design import plan
from sim.sweeps.runner import run_batch

ROOT = Path(__file__).resolve().parent.parent
SOBOL = ROOT / "scenarios" / "sweeps" / "sobol_levers.toml"


def latin_sweep(directory: Path, runs: int) -> Path:
    path = directory / f"latin-{runs}.toml"
    path.write_text(textwrap.dedent(f"""\
        name = "throughput"
        seed = 5
        replications = 1
        weeks = 104

        [design]
        method = "latin"
        samples = {runs}

        [design.vary]
        leadership_courage = [0.0, 1.0]
        transparency = [0.0, 1.0]
        metric_alignment = [0.0, 1.0]
        leader_customer_focus = [0.0, 1.0]
        silo_strength = [0.0, 1.0]
        """), encoding="utf-8")
    return path


def cpu_seconds() -> float:
    """CPU time of this process and every process it started (the cluster's scheduler, nanny and worker)."""
    total = 0.0
    for process in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def plain_loop(sweep_file: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the sweep's runs made one after another in this process."""
    _, runs = plan(load_sweep_file(sweep_file))
    start, cpu = perf_counter(), process_time()
    for run in runs:
        CustomerFocusModel(CustomerFocusScenario(replication=run.replication, interventions=run.interventions,
                                                 assumptions=run.assumptions, **run.parameters)).run()
    return perf_counter() - start, process_time() - cpu


def timed_sweep(sweep_file: Path, out: Path, **options) -> tuple[float, float]:
    """(wall, CPU of every process) seconds of ``run_sweep``."""
    start, cpu = perf_counter(), cpu_seconds()
    run_sweep(sweep_file, out, progress=False, **options)
    return perf_counter() - start, cpu_seconds() - cpu


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def encoding_cost(sweep_file: Path, n: int = 20) -> float:
    """CPU ms per run a worker spends beyond the model (building and encoding the run file), run by run."""
    sweep = load_sweep_file(sweep_file)
    _, runs = plan(sweep)
    extra = []
    for run in runs[:n]:
        cpu = process_time()
        CustomerFocusModel(CustomerFocusScenario(replication=run.replication, interventions=run.interventions,
                                                 assumptions=run.assumptions, **run.parameters)).run()
        model = process_time() - cpu
        cpu = process_time()
        run_batch([run], sweep.outputs, sweep.hash(), sweep.record_every)
        extra.append(process_time() - cpu - model)
    return median(extra) * 1000


def overhead(tmp: Path, n: int, pairs: int = 5) -> None:
    """Loop and sweep alternately, so each pair sees about the same load; medians of the pairs."""
    big, small = latin_sweep(tmp, n), latin_sweep(tmp, 2)
    CustomerFocusModel(seed=0).run()  # warm up this process
    start = perf_counter()
    extra = {f: [] for f in (big, small)}  # (wall, CPU) of sweep minus loop, per pair
    with connect(1, None) as client:
        client.run(__import__, "sim.sweeps.runner")  # the worker imports the model once, as in any sweep
        started = perf_counter() - start
        for pair in range(pairs):
            for f in (small, big):
                loop = plain_loop(f)
                sweep = timed_sweep(f, tmp / f"overhead-{f.stem}-{pair}", scheduler=client.scheduler.address)
                extra[f].append((sweep[0] - loop[0], sweep[1] - loop[1]))
                if f is big:
                    print(f"  pair {pair + 1}: plain loop {loop[0]:6.2f} s wall, {loop[1]:6.2f} s CPU; "
                          f"sweep {sweep[0]:6.2f} s wall, {sweep[1]:6.2f} s CPU")
                    model = loop[1] / n * 1000
    fixed_wall, fixed_cpu = (median(e[i] for e in extra[small]) for i in (0, 1))
    per_run = [((cpu - fixed_cpu) / (n - 2) * 1000, (wall - fixed_wall) / (n - 2) * 1000)
               for wall, cpu in extra[big]]
    cpu, wall = median(p[0] for p in per_run), median(p[1] for p in per_run)
    print(f"model per run (plain loop, last pair): {model:.1f} ms CPU")
    print(f"sweep overhead per run beyond the model, CPU of all processes: {cpu:+.2f} ms "
          f"(median of {pairs} pairs: {', '.join(f'{p[0]:+.2f}' for p in per_run)}), "
          f"{cpu / model:+.1%} of the model (target < 5 ms) {verdict(cpu < 5)}")
    print(f"the same in wall time (skewed by other work on the machine): {wall:+.2f} ms "
          f"({', '.join(f'{p[1]:+.2f}' for p in per_run)})")
    print(f"of which a worker's building and encoding of the run file (measured run by run against the model in "
          f"this process, median of 20): {encoding_cost(big):+.2f} ms CPU")
    print(f"fixed costs per sweep (sweep of 2 runs minus their loop): {fixed_cpu:.2f} s CPU, {fixed_wall:.2f} s wall; "
          f"starting a local cluster of 1 worker {started:.1f} s wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs in the overhead sweeps (default 40; the "
                        "throughput sweeps make 5 times as many)")
    parser.add_argument("--sobol", action="store_true", help="also run the 3,072-run Sobol sweep on 2 workers")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work on the machine skews every figure)")
    print(f"overhead: {args.runs} default-size runs of 104 weeks (Latin hypercube of the five levers)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        overhead(tmp, args.runs)
        n = 5 * args.runs
        print(f"throughput: {n} default-size runs of 104 weeks")
        sweep_file = latin_sweep(tmp, n)
        walls = {w: timed_sweep(sweep_file, tmp / f"out-{w}", workers=w)[0] for w in (1, 2)}
        for workers, wall in walls.items():
            print(f"{workers} worker{'s' if workers > 1 else ' '}: {wall:6.1f} s wall, {n / wall:5.1f} runs/s "
                  "(cluster start-up included)")
        ratio = walls[1] / walls[2]
        print(f"speed-up of 2 workers over 1: {ratio:.2f}x (target >= 1.8x) {verdict(ratio >= 1.8)}")
        timed_sweep(sweep_file, tmp / "one-per-task", workers=2, batch_size=1)
        same = files(tmp / "out-1") == files(tmp / "out-2") == files(tmp / "one-per-task")
        print(f"results of 1 worker, 2 workers and one run per task byte-identical: {same}")
        if args.sobol:
            wall = timed_sweep(SOBOL, tmp / "sobol", workers=2)[0]
            n = len(list((tmp / "sobol" / "runs").iterdir()))
            print(f"Sobol sweep {SOBOL.relative_to(ROOT)} ({n:,} runs) on 2 workers: {wall:.1f} s "
                  f"({wall / 60:.1f} min, target < 5 min) {verdict(wall < 300)}")


if __name__ == "__main__":
    main()
