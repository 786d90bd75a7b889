"""``calibrate(file, out)``: run the prior sample on Dask (resumable), keep the draws that match every target.

    DIR/
      calibration.toml   copy of the calibration file whose bands made the tables below
      prior.toml         the generated sweep file of the prior sample
      prior/             its sweep results directory (resumes like any sweep)
      points.csv         every prior draw: assumptions, each target's mean and implausibility, kept or not
      posterior.csv      the kept draws: one column per assumption (a sweep's `ensemble =` reads it)
      spread.csv         per assumption: prior range, posterior quantiles, whether the targets identify it
      report.md          the above in words, with the provenance
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.calibration import matching, report
from analysis.calibration.prior import sweep_text
from analysis.calibration.targets import Calibration, Target, load_calibration
from sim.scenario import InputError
from sim.sweeps import load_sweep_file, run_sweep
from sim.sweeps.runner import check_scheduler, check_workers
from sim.sweeps.store import write_bytes_atomically

OWN_FILES = ("calibration.toml", "prior.toml", "prior", "points.csv", "posterior.csv", "spread.csv", "report.md")


@dataclass(frozen=True)
class Match:
    """The outcome of history matching: every draw, which were kept, and each assumption's spread."""

    points: pd.DataFrame
    kept: pd.Series
    spread: pd.DataFrame

    @property
    def posterior(self) -> pd.DataFrame:
        """The kept draws, one column per assumption."""
        names = list(self.spread["assumption"])
        return self.points.loc[self.kept, names].reset_index(drop=True)


def match(targets: tuple[Target, ...], prior: dict[str, tuple[float, float]], cutoff: float,
          design: pd.DataFrame, runs: pd.DataFrame) -> Match:
    """History-match the runs of a prior sample (design: run_id, point, assumptions; runs: run_id, week, outputs)."""
    statistics = matching.run_statistics(runs, targets)
    points = matching.implausibility(design, statistics, targets, list(prior))
    kept = matching.accept(points, cutoff)
    return Match(points, kept, matching.spread(points, kept, prior))


def calibrate(path: Path | str, out: Path | str, *, workers: int | None = None, scheduler: str | None = None,
              progress: bool = True) -> Match:
    """Run (or resume) the calibration described in ``path`` into ``out``; write its tables and report."""
    calibration = load_calibration(path)
    out = Path(out)
    text = sweep_text(calibration)
    workers, scheduler = check_workers(workers), check_scheduler(scheduler)
    _check_out(out, text)
    _check_prior(calibration, text)
    created = not out.exists()
    out.mkdir(exist_ok=True)
    write_bytes_atomically(text.encode("utf-8"), out / "prior.toml")
    started = time.monotonic()
    try:
        run_sweep(out / "prior.toml", out / "prior", workers=workers, scheduler=scheduler, progress=progress)
    except InputError:  # refused before any run (e.g. no scheduler there): leave nothing behind
        if not (out / "prior").exists():
            (out / "prior.toml").unlink()
            if created:
                out.rmdir()
        raise
    elapsed = time.monotonic() - started
    result = match(calibration.targets, calibration.uncertain, calibration.cutoff,
                   pd.read_parquet(out / "prior" / "design.parquet"), pd.read_parquet(out / "prior" / "runs"))
    _write(out, calibration, result, elapsed)
    return result


def _check_prior(calibration: Calibration, text: str) -> None:
    """Validate the generated sweep file before anything is written; errors name the calibration file."""
    with tempfile.TemporaryDirectory(prefix="cfsim-calibrate-") as directory:
        probe = Path(directory) / "prior.toml"
        probe.write_text(text, encoding="utf-8")
        try:
            load_sweep_file(probe)
        except InputError as error:
            raise InputError(str(error).replace(str(probe), f"{calibration.path} (its prior sweep)")) from None


def _check_out(out: Path, text: str) -> None:
    """Refuse a directory holding something else or another calibration's prior sample."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; expected a directory for the calibration")
    if out.exists():
        strangers = sorted(p.name for p in out.iterdir() if p.name not in OWN_FILES and not p.name.startswith("."))
        if strangers:
            raise InputError(f"--out {out}: exists and is not a calibration directory (it holds {strangers[0]}); "
                             "choose a new directory")
        prior = out / "prior.toml"
        if prior.exists() and prior.read_text(encoding="utf-8") != text:
            raise InputError(f"--out {out}: holds a calibration with a different prior sample (scenario, sizes, "
                             "seed, samples, replications, uncertain ranges or outputs differ); use a new --out "
                             "directory. Changing only the bands or the cutoff reuses the runs.")
    elif not out.resolve().parent.is_dir():
        raise InputError(f"--out {out}: directory {out.resolve().parent} does not exist")


def _write(out: Path, calibration: Calibration, result: Match, elapsed: float) -> None:
    write_bytes_atomically(calibration.path.read_bytes(), out / "calibration.toml")
    write_bytes_atomically(result.points.to_csv().encode("utf-8"), out / "points.csv")
    write_bytes_atomically(result.posterior.to_csv(index=False).encode("utf-8"), out / "posterior.csv")
    write_bytes_atomically(result.spread.to_csv(index=False).encode("utf-8"), out / "spread.csv")
    text = report.markdown(calibration, result.points, result.kept, result.spread, elapsed)
    write_bytes_atomically(text.encode("utf-8"), out / "report.md")
