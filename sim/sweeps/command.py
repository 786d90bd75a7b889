"""``cfsim sweep FILE --out DIR [--workers N] [--scheduler ADDRESS]``."""

from __future__ import annotations

import sys

from sim.sweeps.runner import SweepInterrupted, SweepWriteError, run_sweep


def sweep(args) -> int:
    """Run or resume the sweep; 130 on Ctrl-C, 1 if the results cannot be written (finished runs kept)."""
    try:
        out = run_sweep(args.file, args.out, workers=args.workers, scheduler=args.scheduler)
    except SweepInterrupted as interrupted:
        print(f"cfsim: {interrupted}", file=sys.stderr)
        return 130
    except SweepWriteError as error:
        print(f"cfsim: error: {error}", file=sys.stderr)
        return 1
    print(f"results: {out} (design.parquet, runs/*.parquet, manifest.json)")
    return 0
