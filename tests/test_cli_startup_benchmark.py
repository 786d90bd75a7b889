import subprocess
import sys
from pathlib import Path

STARTUP = Path(__file__).resolve().parent.parent / "benchmarks" / "startup.py"


def test_startup_benchmark_runs_and_prints_every_command():
    # Smoke test only: the benchmark measures; nothing here is timed.
    result = subprocess.run([sys.executable, str(STARTUP), "--rounds", "1"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    for label in ("anchor: python -c pass", "cfsim --help", "cfsim scenarios", "cfsim parameters",
                  "cfsim assumptions", "(bad input)", "cfsim run baseline ", "machine:"):
        assert label in result.stdout, label
    assert result.stdout.count("PASS") + result.stdout.count("MISS") == 7
