"""Start-up speed of the ``cfsim`` command, each command timed as a whole process.

Run from the repository root, in the project's virtualenv::

    python benchmarks/startup.py            # 9 rounds
    python benchmarks/startup.py --rounds 3

Every round runs each command once, in the same order, beside the anchor
``python -c pass`` (the interpreter's own start-up), so a busy machine slows
anchor and commands alike.  It prints, per command, the median wall time over
the rounds, its ratio to the anchor's median, and the target.  The commands
are run as the ``cfsim`` entry point of this virtualenv.  It exits 0 whatever
the figures are.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

CFSIM = [str(Path(sys.executable).with_name("cfsim"))]


def commands(out_dir: str) -> list[tuple[str, list[str], float | None]]:
    """(label, argv, target wall seconds) of every timed process."""
    return [
        ("anchor: python -c pass", [sys.executable, "-c", "pass"], None),
        ("floor of a run: python -c 'import mesa'", [sys.executable, "-c", "import mesa"], None),
        ("cfsim --help", [*CFSIM, "--help"], 0.5),
        ("cfsim scenarios", [*CFSIM, "scenarios"], 0.5),
        ("cfsim parameters", [*CFSIM, "parameters"], 0.5),
        ("cfsim assumptions", [*CFSIM, "assumptions"], 0.5),
        ("cfsim run --set transparency=2 (bad input)", [*CFSIM, "run", "--set", "transparency=2"], 0.5),
        ("cfsim run --assume win_rate=1 (bad input)", [*CFSIM, "run", "--assume", "win_rate=1"], 0.5),
        ("cfsim run baseline", [*CFSIM, "run", "baseline"], 1.5),
        ("cfsim run baseline --out runs.parquet", [*CFSIM, "run", "baseline", "--out", f"{out_dir}/runs.parquet"],
         None),
    ]


def timed_process(argv: list[str]) -> tuple[float, float]:
    """Wall time of one process, start to exit, and the CPU time (user + system) it used."""
    start = perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4
    return perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> None:
    """Time every command, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="runs of each command (default 9)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as out_dir:
        timed = commands(out_dir)
        for argv in (argv for _, argv, _ in timed):  # warm the file cache once, untimed
            timed_process(argv)
        walls, cpus = ({label: [] for label, _, _ in timed} for _ in range(2))
        for _ in range(rounds):
            for label, argv, _ in timed:
                seconds, cpu = timed_process(argv)
                walls[label].append(seconds)
                cpus[label].append(cpu)
    wall = {label: statistics.median(values) for label, values in walls.items()}
    cpu = {label: statistics.median(values) for label, values in cpus.items()}
    anchor = timed[0][0]
    print(f"start-up of cfsim: medians of {rounds} rounds, each command a whole process; "
          f"CPU is the process's user + system time")
    print(f"{'command':<46} {'wall':>7} {'wall range':>13} {'x anchor':>8} {'CPU':>7} {'x anchor':>8}  target (wall)")
    for label, _, target in timed:
        verdict = "" if target is None else f"< {target:g} s {'PASS' if wall[label] < target else 'MISS'}"
        print(f"{label:<46} {wall[label]:>6.3f}s {min(walls[label]):>6.3f}-{max(walls[label]):.3f} "
              f"{wall[label] / wall[anchor]:>7.1f}x {cpu[label]:>6.3f}s {cpu[label] / cpu[anchor]:>7.1f}x  {verdict}")
    print(f"machine: {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
