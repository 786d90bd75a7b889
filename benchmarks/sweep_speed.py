"""Speed of ``cfsim sweep``: throughput with 1 and 2 local workers, overhead per run, a Sobol sweep.

Run from the repository root, in the project's virtualenv::

    python benchmarks/sweep_speed.py            # throughput + overhead, then the Sobol sweep (about 2-3 minutes)
    python benchmarks/sweep_speed.py --no-sobol # throughput and overhead only (under a minute)
    python benchmarks/sweep_speed.py --runs 100 # fewer runs in the throughput sweep

The throughput sweep is a Latin hypercube of the five levers at the default
size (400 employees, 4,000 customers, 104 weeks), run into a fresh temporary
directory with 1 and then 2 local workers; the wall time includes starting the
cluster. Overhead per run is the sweep's wall time per run times the number of
workers, minus the bare model time per run measured in this process. The Sobol
sweep is ``scenarios/sweeps/sobol_levers.toml`` (N = 256, five levers, second
order: 3,072 runs) on 2 workers. Targets: 2 workers at least 1.8 times as fast
as 1; the Sobol sweep under 5 minutes. The script exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import textwrap
from pathlib import Path
from time import perf_counter

from sim import CustomerFocusModel
from sim.sweeps import run_sweep

ROOT = Path(__file__).resolve().parent.parent
SOBOL = ROOT / "scenarios" / "sweeps" / "sobol_levers.toml"


def throughput_sweep(directory: Path, runs: int) -> Path:
    path = directory / "throughput.toml"
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


def timed_sweep(sweep: Path, out: Path, workers: int) -> float:
    start = perf_counter()
    run_sweep(sweep, out, workers=workers, progress=False)
    return perf_counter() - start


def bare_model_time(repeats: int = 20) -> float:
    CustomerFocusModel(seed=0).run()  # warm up
    times = []
    for seed in range(repeats):
        start = perf_counter()
        CustomerFocusModel(seed=seed).run()
        times.append(perf_counter() - start)
    return statistics.median(times)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs in the throughput sweep (default 200)")
    parser.add_argument("--no-sobol", action="store_true", help="skip the 3,072-run Sobol sweep")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work on the machine skews every figure)")
    print(f"throughput sweep: {args.runs} default-size runs of 104 weeks")
    bare = bare_model_time()
    print(f"bare model run (this process, median of 20): {bare * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sweep = throughput_sweep(tmp, args.runs)
        walls = {n: timed_sweep(sweep, tmp / f"out-{n}", n) for n in (1, 2)}
        for n, wall in walls.items():
            per_run = wall / args.runs
            print(f"{n} worker{'s' if n > 1 else ' '}: {wall:6.1f} s wall, {args.runs / wall:5.1f} runs/s, "
                  f"overhead per run {(per_run * n - bare) * 1000:5.1f} ms (cluster start-up included)")
        ratio = walls[1] / walls[2]
        print(f"speed-up of 2 workers over 1: {ratio:.2f}x (target >= 1.8x) {verdict(ratio >= 1.8)}")
        same = all((tmp / "out-1" / f).read_bytes() == (tmp / "out-2" / f).read_bytes()
                   for f in ("design.parquet", "manifest.json"))
        same = same and all(p.read_bytes() == (tmp / "out-2" / "runs" / p.name).read_bytes()
                            for p in (tmp / "out-1" / "runs").iterdir())
        print(f"results of 1 and 2 workers byte-identical: {same}")
        if not args.no_sobol:
            wall = timed_sweep(SOBOL, tmp / "sobol", 2)
            n = len(list((tmp / "sobol" / "runs").iterdir()))
            print(f"Sobol sweep {SOBOL.relative_to(ROOT)} ({n:,} runs) on 2 workers: {wall:.1f} s "
                  f"({wall / 60:.1f} min, target < 5 min) {verdict(wall < 300)}")


if __name__ == "__main__":
    main()
