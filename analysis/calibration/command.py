"""``cfsim calibrate TARGETS.toml --out DIR [--workers N] [--scheduler ADDRESS]``."""

from __future__ import annotations

import sys

from analysis.calibration.run import calibrate as run_calibration
from sim.sweeps import SweepInterrupted


def calibrate(args) -> int:
    """Run or resume the calibration; print how many draws were kept and which assumptions are unidentified."""
    try:
        result = run_calibration(args.file, args.out, workers=args.workers, scheduler=args.scheduler)
    except SweepInterrupted as interrupted:
        print(f"cfsim: {interrupted}", file=sys.stderr)
        return 130
    n, kept = len(result.points), int(result.kept.sum())
    print(f"{kept} of {n} prior draws are consistent with every target")
    if kept:
        loose = list(result.spread.loc[~result.spread["identified"].astype(bool), "assumption"])
        print(f"left unidentified by the targets: {', '.join(loose) if loose else 'none'}")
    print(f"results: {args.out} (posterior.csv, spread.csv, points.csv, report.md)")
    return 0
