import subprocess
import sys
from pathlib import Path

SPEED = Path(__file__).resolve().parent.parent / "benchmarks" / "speed.py"
LABELS = [
    "default run, total",
    "large run, total",
    "model cost per agent-step",
    "Mesa Boltzmann cost per agent-step",
    "ratio model / Mesa per agent-step",
    "peak RSS of a subprocess, import sim only",
    "peak RSS of a subprocess, 2,000 emp",
    "machine:",
]


def test_quick_benchmark_runs_and_prints_every_figure():
    # Smoke test only: timings are measured by the benchmark itself, never asserted here.
    result = subprocess.run([sys.executable, str(SPEED), "--quick"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for label in LABELS:
        assert label in result.stdout, label
