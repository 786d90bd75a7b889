"""``cfsim analyse DIR``: load a results directory, write its report, print where it is."""

from __future__ import annotations

import math
import sys

from analysis.report import write_report
from analysis.results import Response, load
from sim.scenario import InputError


def analyse(args) -> int:
    """Write DIR/report/report.md (or --report DIR) and its figures; print a short summary.

    Every option is checked before anything is read or written; bad input raises InputError.
    """
    response = Response(getattr(args, "output", None) or "retention_rate",
                        _number(getattr(args, "last_weeks", None), "--last-weeks", int, 52))
    target = _number(getattr(args, "target", None), "--target", float, None)
    level = _number(getattr(args, "level", None), "--level", float, 0.95)
    if not 0 < level < 1:
        raise InputError(f"--level = {level}: expected a number between 0 and 1, e.g. 0.95")
    results = load(args.directory)
    for warning in results.warnings:
        print(f"cfsim: warning: {warning}", file=sys.stderr)
    path = write_report(results, response, target=target, level=level, out=getattr(args, "report", None))
    print(f"{results.manifest.get('name', results.directory.name)} ({results.method}): {results.status()}")
    print(f"report: {path} ({len(list(path.parent.glob('*.png')))} figures, PNG and SVG)")
    return 0


def _number(text, flag: str, kind: type, default):
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise InputError(f"{flag} = {text!r}: expected a {'whole ' if kind is int else ''}number") from None
    if not math.isfinite(value):
        raise InputError(f"{flag} = {text!r}: expected a finite number")
    return value
