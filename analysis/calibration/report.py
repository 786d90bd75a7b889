"""report.md of a calibration: the targets, how many draws meet them, and each assumption's posterior spread."""

from __future__ import annotations

import pandas as pd

from analysis.calibration.targets import Calibration
from sim.provenance import versions


def markdown(calibration: Calibration, points: pd.DataFrame, kept: pd.Series, spread: pd.DataFrame,
             elapsed: float) -> str:
    """The report as Markdown text."""
    n, n_kept = len(points), int(kept.sum())
    lines = [
        f"# Calibration: {calibration.name}", "",
        *([calibration.description, ""] if calibration.description else []),
        f"{n} prior draws (Latin hypercube over {len(calibration.uncertain)} assumptions) × "
        f"{calibration.replications} replications of {calibration.weeks} weeks, scenario "
        f"`{calibration.scenario}`, seed {calibration.seed}; the prior sample ran in {elapsed:.0f} s "
        "(0 s when resumed complete).", "",
        f"**{n_kept} of {n} draws ({n_kept / n:.0%}) are consistent with every target** "
        f"(maximum implausibility <= {calibration.cutoff:g}). They are `posterior.csv`: use it as a sweep's "
        "`ensemble =` so what-ifs carry the calibration's uncertainty.", "",
        "## Targets", "",
        "| target | statistic | band | draws inside alone | mean over kept draws | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for target in calibration.targets:
        alone = (points[f"implausibility_{target.name}"] <= calibration.cutoff).mean()
        kept_mean = points.loc[kept, target.name].mean() if n_kept else float("nan")
        lines.append(f"| {target.name} | {target.describe()} | {target.band[0]:g} to {target.band[1]:g} | "
                     f"{alone:.0%} | {kept_mean:.4g} | {target.source} |")
    lines += ["", "## Assumptions", ""]
    if not n_kept:
        lines += ["No draw meets every target: widen the bands, the uncertain ranges, or check the targets "
                  "against `points.csv` (each draw's statistics and implausibilities).", ""]
    else:
        lines += [
            "The 90 % interval of the kept draws and its share of the prior range. Kept against rejected values, "
            "two-sample Kolmogorov-Smirnov test, p adjusted for testing every assumption (Benjamini-Hochberg, q): "
            "q >= 0.05 means the targets leave the assumption unidentified at this sample size.", "",
            "| assumption | prior | median | 90 % interval | share of prior range | p | q | verdict |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in spread.sort_values("p_value").itertuples():
            verdict = "constrained" if row.identified else "unidentified"
            lines.append(f"| {row.assumption} | {row.prior_low:g} to {row.prior_high:g} | {row.median:.4g} | "
                         f"{row.q05:.4g} to {row.q95:.4g} | {row.interval_share:.0%} | {row.p_value:.2g} | "
                         f"{row.q_value:.2g} | {verdict} |")
        lines.append("")
    lines += ["## Provenance", "", *(f"- {key}: {value}" for key, value in versions().items()), ""]
    return "\n".join(lines)
