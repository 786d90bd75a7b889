"""The prior sample of a calibration as a sweep file, so ``run_sweep`` runs it on Dask and resumes it.

The sweep varies only the uncertain assumptions (``[design.uncertain]``, a
Latin hypercube of ``samples`` draws) and records only the outputs the
targets read. Its text depends only on what changes a run, so editing a
target's band reuses the runs already made.
"""

from __future__ import annotations

import json

from analysis.calibration.targets import Calibration


def sweep_text(calibration: Calibration) -> str:
    """The sweep file that draws and runs the calibration's prior sample."""
    lines = [
        f"name = {json.dumps('calibration-' + calibration.name)}",
        f"description = {json.dumps('Prior sample of the calibration ' + calibration.name)}",
        f"scenario = {json.dumps(calibration.scenario)}",
        f"seed = {calibration.seed}",
        f"replications = {calibration.replications}",
        f"weeks = {calibration.weeks}",
        "",
        "[fixed]",
        *(f"{name} = {json.dumps(value)}" for name, value in calibration.fixed.items()),
        "",
        "[design]",
        'method = "latin"',
        f"samples = {calibration.samples}",
        "",
        "[design.uncertain]",
        *(f"{name} = [{low!r}, {high!r}]" for name, (low, high) in calibration.uncertain.items()),
        "",
        "[outputs]",
        f"record = {json.dumps(calibration.outputs)}",
        "every = 1",
    ]
    return "\n".join(lines) + "\n"
