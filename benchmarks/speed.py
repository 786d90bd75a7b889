"""Speed and memory benchmark of the Customer Focus Simulator.

Run from the repository root, in the project's virtualenv::

    python benchmarks/speed.py          # full benchmark, a minute or two
    python benchmarks/speed.py --quick  # smoke run: fewer repeats, smaller sizes

It prints one table: the time of a default run and of a large run, the model's
cost per agent-step against that of Mesa's Boltzmann wealth example measured in
the same process, and the peak resident memory of a fresh subprocess running a
very large market. Each figure is shown with its target and PASS or MISS; in a
quick run the figures measured at reduced sizes get no verdict.

Only public tools are used: ``time.perf_counter``, and for memory the
subprocess's own peak resident set (``VmHWM`` from ``/proc/self/status``, or
``resource.getrusage`` where there is no ``/proc``). The script exits 0 whatever
the figures are; it fails only if something crashes.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import textwrap
from time import perf_counter

import mesa
import numpy as np
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from sim import CustomerFocusModel

LARGE = {"n_employees": 10_000, "n_customers": 100_000, "weeks": 104}
HUGE = {"n_employees": 10_000, "n_customers": 1_000_000, "weeks": 4}
QUICK_LARGE = {"n_employees": 1_000, "n_customers": 10_000, "weeks": 26}
QUICK_HUGE = {"n_employees": 2_000, "n_customers": 100_000, "weeks": 2}
BOLTZMANN = {"n": 10_000, "width": 100, "height": 100}


def size(params: dict) -> str:
    """'10,000 emp × 100,000 cust × 104 wk'."""
    return f"{params['n_employees']:,} emp × {params['n_customers']:,} cust × {params['weeks']} wk"


def time_runs(params: dict, repeats: int, warmup: int = 0) -> tuple[list[float], list[float]]:
    """Construction and ``run()`` times in seconds of ``repeats`` runs after ``warmup`` untimed ones."""
    builds, runs = [], []
    for i in range(warmup + repeats):
        t0 = perf_counter()
        model = CustomerFocusModel(**params)
        t1 = perf_counter()
        model.run()
        t2 = perf_counter()
        if i >= warmup:
            builds.append(t1 - t0)
            runs.append(t2 - t1)
        del model
    return builds, runs


def boltzmann_step_seconds(steps: int) -> float:
    """Median time of one step of Mesa's Boltzmann wealth example, after construction and one untimed step."""
    model = BoltzmannWealth(BoltzmannScenario(**BOLTZMANN, rng=42))
    model.step()
    times = []
    for _ in range(steps):
        t0 = perf_counter()
        model.step()
        times.append(perf_counter() - t0)
    return statistics.median(times)


# The subprocess reports its own peak. On Linux that is VmHWM, not ru_maxrss: a child's ru_maxrss
# also counts the parent's resident set at the time of exec, i.e. this benchmark's own memory.
REPORT_PEAK = """
import sys
try:
    with open("/proc/self/status") as status:
        print(int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) * 1024)
except OSError:
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024))
"""


def peak_rss_mb(code: str) -> float:
    """Peak resident memory in MB (10^6 bytes) of a fresh Python subprocess running ``code``."""
    done = subprocess.run([sys.executable, "-c", code + REPORT_PEAK], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1e6


def spread(times: list[float]) -> str:
    """'0.052 s [0.050–0.061]': median and range."""
    return f"{statistics.median(times):.3f} s [{min(times):.3f}–{max(times):.3f}]"


def verdict(ok: bool | None) -> str:
    """PASS, MISS, or a dash when there is no target or the sizes were reduced."""
    return "-" if ok is None else ("PASS" if ok else "MISS")


def main(argv: list[str] | None = None) -> int:
    """Measure everything, print the table, return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer repeats, smaller sizes, no verdicts")
    args = parser.parse_args(argv)
    quick = args.quick
    large, huge = (QUICK_LARGE, QUICK_HUGE) if quick else (LARGE, HUGE)
    full = None if quick else True  # verdicts only for figures at the target's own size

    print(f"Customer Focus Simulator benchmark ({'quick: reduced sizes and repeats' if quick else 'full'})")
    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}")
    rows = []

    builds, runs = time_runs({}, repeats=3 if quick else 15, warmup=1)
    totals = [b + r for b, r in zip(builds, runs, strict=True)]
    rows += [
        ("default run, total (400 emp × 4,000 cust × 104 wk)", spread(totals), "< 0.1 s",
         verdict(statistics.median(totals) < 0.1)),
        ("  construction", spread(builds), "", verdict(None)),
        ("  stepping, run()", spread(runs), "", verdict(None)),
    ]

    builds, runs = time_runs(large, repeats=1 if quick else 3)
    totals = [b + r for b, r in zip(builds, runs, strict=True)]
    rows += [
        (f"large run, total ({size(large)})", spread(totals), "< 2 s",
         verdict(full and statistics.median(totals) < 2)),
        ("  construction", spread(builds), "", verdict(None)),
        ("  stepping, run()", spread(runs), "", verdict(None)),
    ]

    agent_steps = (large["n_employees"] + large["n_customers"]) * large["weeks"]
    model_ns = statistics.median(runs) / agent_steps * 1e9
    mesa_ns = boltzmann_step_seconds(3 if quick else 20) / BOLTZMANN["n"] * 1e9
    ratio = model_ns / mesa_ns
    rows += [
        ("model cost per agent-step (large run stepping)", f"{model_ns:,.1f} ns", "", verdict(None)),
        ("Mesa Boltzmann cost per agent-step (n=10,000, 100×100)", f"{mesa_ns:,.1f} ns", "", verdict(None)),
        ("ratio model / Mesa per agent-step", f"{ratio:.4f} (1/{1 / ratio:,.0f})", "≤ 0.02 (1/50)",
         verdict(full and ratio <= 0.02)),
    ]

    base = peak_rss_mb("import sim")
    peak = peak_rss_mb(f"import sim\nsim.CustomerFocusModel(**{huge!r}).run()")
    rows += [
        ("peak RSS of a subprocess, import sim only", f"{base:,.0f} MB", "", verdict(None)),
        (f"peak RSS of a subprocess, {size(huge)}", f"{peak:,.0f} MB", "< 2,000 MB",
         verdict(full and peak < 2_000)),
    ]

    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    header = ("figure", "value: median [min–max]", "target", "verdict")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=False)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, [*widths, 0], strict=True)).rstrip())
    if quick:
        print(textwrap.fill("Quick run: the large run and the memory run use reduced sizes, so they get no verdict; "
                            "run without --quick for the real figures.", 100))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
