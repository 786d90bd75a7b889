"""Parameter sweeps: a TOML file describes the experiment, ``cfsim sweep`` runs it on Dask.

``run_sweep(file, out)`` runs (or resumes) a sweep into a Parquet dataset;
``load_sweep_file(path)`` parses and validates a sweep file;
``check_code_version(manifest)`` warns about results of another code version.
"""

from sim.sweeps.runner import SweepInterrupted, SweepWriteError, run_sweep
from sim.sweeps.store import check_code_version, load_runs
from sim.sweeps.sweep_file import Sweep, load_sweep_file

__all__ = ["Sweep", "SweepInterrupted", "SweepWriteError", "check_code_version", "load_runs", "load_sweep_file",
           "run_sweep"]
