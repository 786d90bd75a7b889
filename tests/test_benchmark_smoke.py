import subprocess
import sys
from pathlib import Path

SPEED = Path(__file__).resolve().parent.parent / "benchmarks" / "speed.py"
LABELS = [
    "machine:",
    "default run, total",
    "fast cost per agent-step, default size",
    "reference cost per agent-step, default size",
    "ratio reference / fast per agent-step, default size",
    "large run, total",
    "fast cost per agent-step, large size",
    "reference cost per agent-step, large size",
    "ratio reference / fast per agent-step, large size",
    "Mesa Boltzmann cost per agent-step",
    "ratio Boltzmann / fast per agent-step",
    "peak RSS of a subprocess, import sim only",
    "peak RSS of a subprocess, 1,000 emp",
]


def test_quick_benchmark_runs_and_prints_every_figure():
    # Smoke test only: timings are measured by the benchmark itself, never asserted here.
    result = subprocess.run([sys.executable, str(SPEED), "--quick"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for label in LABELS:
        assert label in result.stdout, label
