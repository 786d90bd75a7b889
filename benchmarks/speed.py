"""Speed and memory benchmark of the Customer Focus Simulator.

Run from the repository root, in the project's virtualenv::

    python benchmarks/speed.py          # full benchmark, a few minutes
    python benchmarks/speed.py --quick  # smoke run: fewer repeats, small sizes, no verdicts

It prints one table, every figure measured in this one process and run:

* the fast model's cost per agent-step against the same rules written agent
  by agent in Mesa (``tests/reference_model.py``), at the default size (400
  employees, 4,000 customers) and at 10,000 employees with 100,000 customers;
  an agent-step is one employee or one active account for one week, so a
  run's agent-steps are the sum over its weeks of employees + accounts in the
  book.  Only stepping is timed (construction, which includes the settling
  weeks, is not); the reference runs fewer weeks, and at the large size
  settles for REFERENCE_SETTLING weeks instead of 156 to keep the benchmark
  short (settling changes the state it starts from, not the work of a week);
* the fast model's cost per agent-step against Mesa's Boltzmann wealth example;
* the wall time in process of a default run and of a 10,000 × 100,000 ×
  104-week run, construction included;
* the peak resident memory of a fresh subprocess running 10,000 employees
  with 1,000,000 customers.

Each figure is shown with its target (issue 11) and PASS or MISS; in a quick
run the figures measured at reduced sizes get no verdict.  Timings on a
shared machine are noisy; the ratios are measured side by side and are the
figures to read.  The script exits 0 whatever the figures are; it fails only
if something crashes.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path
from time import perf_counter

import mesa
import numpy as np
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the reference lives in tests/

from sim import CustomerFocusModel
from tests.reference_model import ReferenceModel

DEFAULT = {"n_employees": 400, "n_customers": 4_000, "weeks": 104}
LARGE = {"n_employees": 10_000, "n_customers": 100_000, "weeks": 104}
HUGE = {"n_employees": 10_000, "n_customers": 1_000_000, "weeks": 4}
REFERENCE_WEEKS = {"default": 13, "large": 2}
REFERENCE_SETTLING = 13
QUICK_DEFAULT = {"n_employees": 96, "n_customers": 800, "weeks": 26}
QUICK_LARGE = {"n_employees": 400, "n_customers": 4_000, "weeks": 13}
QUICK_HUGE = {"n_employees": 1_000, "n_customers": 50_000, "weeks": 2}
QUICK_REFERENCE_WEEKS = {"default": 4, "large": 1}
BOLTZMANN = {"n": 10_000, "width": 100, "height": 100}


def size(params: dict) -> str:
    """'10,000 emp × 100,000 cust × 104 wk'."""
    return f"{params['n_employees']:,} emp × {params['n_customers']:,} cust × {params['weeks']} wk"


def agent_steps(n_employees: int, book_sizes) -> int:
    """Employees plus accounts in the book, summed over the weeks run (book sizes at the start of each week)."""
    return int(sum(n_employees + b for b in book_sizes))


def time_fast(params: dict, repeats: int, warmup: int = 0) -> tuple[list[float], list[float], float]:
    """Construction and stepping times (s) of ``repeats`` fast runs, and the stepping time per agent-step."""
    builds, runs, per_step = [], [], []
    for i in range(warmup + repeats):
        t0 = perf_counter()
        model = CustomerFocusModel(**params)
        t1 = perf_counter()
        start = int(model.customers.active.sum())
        df = model.run()
        t2 = perf_counter()
        if i >= warmup:
            builds.append(t1 - t0)
            runs.append(t2 - t1)
            books = [start, *df["customers_active"].iloc[:-1]]
            per_step.append((t2 - t1) / agent_steps(params["n_employees"], books))
        del model
    return builds, runs, statistics.median(per_step)


class ShortSettlingReference(ReferenceModel):
    """The reference, settling REFERENCE_SETTLING weeks before week 1 (for the large benchmark only)."""

    settling_weeks = REFERENCE_SETTLING


def time_reference(params: dict, weeks: int, model_type: type[ReferenceModel] = ReferenceModel) -> float:
    """Stepping time per agent-step of the reference over ``weeks`` weeks (construction not timed)."""
    model = model_type(**{**params, "weeks": weeks})
    books, elapsed = [], 0.0
    for _ in range(weeks):
        books.append(sum(c.active for c in model.customers))
        t0 = perf_counter()
        model.step()
        elapsed += perf_counter() - t0
    return elapsed / agent_steps(params["n_employees"], books)


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


def ns(seconds: float) -> str:
    """'123.4 ns'."""
    return f"{seconds * 1e9:,.1f} ns"


def main(argv: list[str] | None = None) -> int:
    """Measure everything, print the table, return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer repeats, smaller sizes, no verdicts")
    args = parser.parse_args(argv)
    quick = args.quick
    default, large, huge = (QUICK_DEFAULT, QUICK_LARGE, QUICK_HUGE) if quick else (DEFAULT, LARGE, HUGE)
    ref_weeks = QUICK_REFERENCE_WEEKS if quick else REFERENCE_WEEKS
    full = None if quick else True  # verdicts only for figures at the target's own size

    print(f"Customer Focus Simulator benchmark ({'quick: reduced sizes and repeats' if quick else 'full'})")
    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}")
    rows = []

    builds, runs, fast_default = time_fast(default, repeats=3 if quick else 11, warmup=1)
    totals = [b + r for b, r in zip(builds, runs, strict=True)]
    ref_default = time_reference(default, ref_weeks["default"])
    rows += [
        (f"default run, total ({size(default)})", spread(totals), "< 0.05 s",
         verdict(full and statistics.median(totals) < 0.05)),
        ("  construction (156 settling weeks included)", spread(builds), "", verdict(None)),
        ("  stepping, run()", spread(runs), "", verdict(None)),
        ("fast cost per agent-step, default size", ns(fast_default), "", verdict(None)),
        (f"reference cost per agent-step, default size ({ref_weeks['default']} wk)", ns(ref_default), "",
         verdict(None)),
        ("ratio reference / fast per agent-step, default size", f"{ref_default / fast_default:,.1f}×", "≥ 25×",
         verdict(full and ref_default / fast_default >= 25)),
    ]

    builds, runs, fast_large = time_fast(large, repeats=1 if quick else 3)
    totals = [b + r for b, r in zip(builds, runs, strict=True)]
    ref_large = time_reference(large, ref_weeks["large"], ShortSettlingReference)
    rows += [
        (f"large run, total ({size(large)})", spread(totals), "< 1 s",
         verdict(full and statistics.median(totals) < 1)),
        ("  construction (156 settling weeks included)", spread(builds), "", verdict(None)),
        ("  stepping, run()", spread(runs), "", verdict(None)),
        ("fast cost per agent-step, large size", ns(fast_large), "", verdict(None)),
        (f"reference cost per agent-step, large size ({ref_weeks['large']} wk)", ns(ref_large), "", verdict(None)),
        ("ratio reference / fast per agent-step, large size", f"{ref_large / fast_large:,.1f}×", "≥ 100×",
         verdict(full and ref_large / fast_large >= 100)),
    ]

    mesa_step = boltzmann_step_seconds(3 if quick else 20) / BOLTZMANN["n"]
    rows += [
        ("Mesa Boltzmann cost per agent-step (n=10,000, 100×100)", ns(mesa_step), "", verdict(None)),
        ("ratio Boltzmann / fast per agent-step, large size", f"{mesa_step / fast_large:,.1f}×", "≥ 50×",
         verdict(full and mesa_step / fast_large >= 50)),
    ]

    base = peak_rss_mb("import sim")
    peak = peak_rss_mb(f"import sim\nsim.CustomerFocusModel(**{huge!r}).run()")
    rows += [
        ("peak RSS of a subprocess, import sim only", f"{base:,.0f} MB", "", verdict(None)),
        (f"peak RSS of a subprocess, {size(huge)}", f"{peak:,.0f} MB", "< 400 MB", verdict(full and peak < 400)),
    ]

    header = ("figure", "value: median [min–max]", "target", "verdict")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, [*widths, 0], strict=True)).rstrip())
    if quick:
        print(textwrap.fill("Quick run: every size is reduced, so no figure gets a verdict; "
                            "run without --quick for the real figures.", 100))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
