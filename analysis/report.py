"""The report ``cfsim analyse DIR`` writes: DIR/report/report.md with its PNG figures and CSV tables.

What it contains follows the sweep's method: every sweep gets per-point
statistics, the response over time and against each lever; two or more levers
a heatmap; sobol and morris sweeps their indices; designs with enough points
scenario discovery (PRIM).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import plots, sensitivity, statistics
from analysis.results import Response, Results
from sim.scenario import InputError

MIN_POINTS_FOR_PRIM = 10
MAX_POINTS_SHOWN = 10  # points listed in the report (the best and worst half each) when there are more
TARGET_QUANTILE = 0.75  # default PRIM target: the upper quartile of the point means


def write_report(results: Results, response: Response | None = None, *, target: float | None = None,
                 level: float = 0.95, out: str | Path | None = None) -> Path:
    """Analyse ``results`` and write the report to ``out`` (default DIR/report); return report.md's path."""
    response = response or Response()
    out = Path(out) if out is not None else results.directory / "report"
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.png"):  # figures of an earlier analysis
        stale.unlink()
    responses = results.responses(response)
    if responses.empty:
        raise InputError(f"{results.directory}: no finished runs yet (0 of {results.n_runs})")
    weeks = int(results.weekly["week"].max())
    described = response.describe(weeks, int(results.manifest.get("record_every", 1)))
    context = _Context(results, response, responses, level, out, described)
    lines = _header(context)
    lines += _points(context)
    lines += _levers(context)
    table, refused = _indices(context)
    lines += refused or []
    lines += _heatmap(context, table)
    lines += _discovery(context, target)
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path


class _Context:
    def __init__(self, results, response, responses, level, out, described):
        self.results, self.response, self.responses, self.level, self.out = results, response, responses, level, out
        self.output = response.output
        self.described = described
        self.points = statistics.by_point(responses, self.output, results.levers, level)

    def figure(self, fig, name: str, caption: str) -> list[str]:
        plots.save(fig, self.out / name)
        return [f"![{caption}]({name})", ""]


def _header(c: _Context) -> list[str]:
    r, m = c.results, c.results.manifest
    bounds = ", ".join(f"`{n}` {lo:g}–{hi:g}" for n, (lo, hi) in zip(r.levers, r.problem["bounds"], strict=True))
    options = ", ".join(f"{k} {v}" for k, v in m.get("options", {}).items())
    return [
        f"# Sweep report: {m.get('name', r.directory.name)}",
        "",
        f"- method: **{r.method}**" + (f" ({options})" if options else ""),
        f"- levers varied: {bounds}",
        f"- fixed: {', '.join(f'`{k}` {v}' for k, v in m.get('fixed', {}).items()) or 'none'}; "
        f"base scenario: {m.get('scenario', 'defaults')}",
        f"- {r.n_runs // max(m['replications'], 1)} design points × {m['replications']} replications, "
        f"{m.get('weeks', '?')} weeks, root seed {m.get('seed', '?')}",
        f"- runs: {r.status()}",
        f"- response of a run: {c.described}; intervals are {c.level:.0%} Student-t intervals over replications",
        "",
    ]


def _fmt(c: _Context, value: float) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{value:.2%}" if plots.is_share(c.output) else f"{value:.4g}"


def _points(c: _Context) -> list[str]:
    points = c.points.sort_values("mean", ascending=False)
    points.to_csv(c.out / "points.csv", index=False)
    shown = points if len(points) <= MAX_POINTS_SHOWN else pd.concat(
        [points.head(MAX_POINTS_SHOWN // 2), points.tail(MAX_POINTS_SHOWN // 2)])
    rows = [[str(p.point), *(f"{getattr(p, n):.3g}" for n in c.results.levers), str(p.n), _fmt(c, p.mean),
             f"{_fmt(c, p.low)} to {_fmt(c, p.high)}"] for p in shown.itertuples()]
    noise = statistics.noise_share(c.responses, c.output)
    lines = ["## Design points", ""]
    if len(points) > MAX_POINTS_SHOWN:
        lines += [f"The {MAX_POINTS_SHOWN // 2} best and {MAX_POINTS_SHOWN // 2} worst of {len(points)} points "
                  "by mean response (all of them in `points.csv`).", ""]
    lines += _table(["point", *c.results.levers, "replications", "mean", f"{c.level:.0%} interval"], rows)
    if np.isfinite(noise):
        lines += [f"Replication noise: {noise:.0%} of the variance of the response across runs lies within "
                  "design points (between replications).", ""]
    return lines + _over_time(c, points)


def _over_time(c: _Context, points: pd.DataFrame) -> list[str]:
    levers = c.results.levers
    if len(points) <= 6:
        chosen = points.sort_values("point")
        names = {p.point: ", ".join(f"{plots.label(n)} {getattr(p, n):.2g}" for n in levers)
                 for p in chosen.itertuples()}
    else:
        ordered = points.reset_index(drop=True)
        picks = {"best": 0, "median": len(ordered) // 2, "worst": len(ordered) - 1}
        chosen = ordered.iloc[list(picks.values())]
        names = {ordered.loc[i, "point"]: f"{which} point (#{ordered.loc[i, 'point']})" for which, i in picks.items()}
    weekly = statistics.with_design(c.results.weekly, c.results.design, ["point"])
    weekly = weekly[weekly["point"].isin(chosen["point"])]
    table = statistics.over_time(weekly, c.output, c.level)
    fig = plots.over_time(table, c.output, "point", names=names, level=c.level)
    fig.axes[0].set_title(f"{plots.label(c.output)} week by week", fontsize="medium")
    return c.figure(fig, "over_time.png", f"{c.output} over time")


def _levers(c: _Context) -> list[str]:
    lines = ["## Response against each lever", ""]
    if len(c.results.levers) > 1:
        lines += ["Each panel averages over the values the other levers take in the design.", ""]
    ylabel = f"{plots.label(c.output)}\n({c.described.replace('`', '')})"
    for lever in c.results.levers:
        table = statistics.marginal(c.responses, c.output, lever, level=c.level)
        binned = c.responses[lever].nunique() > len(table)
        fig = plots.against_lever(table, lever, c.output, points=c.points if len(c.points) > len(table) else None,
                                  ylabel=ylabel, level=c.level, binned=binned)
        lines += c.figure(fig, f"against_{lever}.png", f"{c.output} against {lever}")
    return lines


def _indices(c: _Context) -> tuple[pd.DataFrame | None, list[str] | None]:
    if c.results.method not in ("sobol", "morris"):
        return None, None
    title = "Sobol indices" if c.results.method == "sobol" else "Morris elementary effects"
    lines = [f"## Sensitivity: {title}", ""]
    try:
        table = sensitivity.analyse(c.results, c.response, c.level)
    except InputError as error:
        return None, [*lines, f"Not computed: {error}.", ""]
    table.to_csv(c.out / "indices.csv")
    columns = list(table.columns)
    rows = [[f"`{name}`", *(f"{v:.3f}" for v in row)] for name, row in table.iterrows()]
    lines += [f"Replications averaged per design point first; `_conf` columns are half-widths of {c.level:.0%} "
              "bootstrap intervals." + ("" if c.results.method == "sobol" else
                                         " μ* is in units of the response over each lever's full range."), ""]
    lines += _table(["parameter", *columns], rows)
    fig = plots.indices(table, level=c.level, title=f"{title} of {plots.label(c.output)}")
    return table, [*lines, *c.figure(fig, "indices.png", title)]


def _heatmap(c: _Context, table: pd.DataFrame | None) -> list[str]:
    levers = c.results.levers
    if len(levers) < 2:
        return []
    x, y = sensitivity.ranking(table)[:2] if table is not None else levers[:2]
    lines = ["## Two levers", ""]
    if len(levers) > 2:
        lines += [f"`{x}` and `{y}`" + (" (the two most influential)" if table is not None else "")
                  + "; each cell averages over the other levers' values in the design.", ""]
    grid = statistics.two_way(c.responses, c.output, x, y)
    fig = plots.heatmap(grid, c.output, title=f"mean {plots.label(c.output)} over runs")
    return lines + c.figure(fig, "heatmap.png", f"{c.output} over {x} and {y}")


def _discovery(c: _Context, target: float | None) -> list[str]:
    if len(c.points) < MIN_POINTS_FOR_PRIM:
        return []
    from analysis.discovery import discover_levers  # the EMA workbench is slow to import

    if target is None:
        target = float(c.points["mean"].quantile(TARGET_QUANTILE))
        why = "the upper quartile of the point means; choose another with --target"
    else:
        why = "from --target"
    lines = ["## Scenario discovery (PRIM)", "",
             f"Which ranges of the levers keep the response at or above {_fmt(c, target)} ({why})? "
             "A design point counts when its mean over replications reaches the target.", ""]
    try:
        box = discover_levers(c.results, c.response, target)
    except InputError as error:
        return [*lines, f"Not computed: {error}.", ""]
    box.limits.to_csv(c.out / "prim_box.csv")
    rows = [[f"`{n}`", f"{lim.low:.3f}", f"{lim.high:.3f}",
             ", ".join(f"{side} {q:.2g}" for side, q in (("low", lim.qp_low), ("high", lim.qp_high))
                       if np.isfinite(q)) if lim.restricted else "–"]
            for n, lim in box.limits.iterrows()]
    lines += _table(["lever", "low", "high", "quasi-p-value of each restricted limit"], rows)
    lines += [f"Coverage {box.coverage:.0%} (share of the points reaching the target that lie in the box), density "
              f"{box.density:.0%} (share of the box's points reaching it; {box.base_density:.0%} across the whole "
              f"design), {box.cases} points. The box balances coverage and density (their harmonic mean) along "
              "PRIM's peeling trajectory. A limit whose quasi-p-value is large (say above 0.05) "
              "hardly raises density and could be dropped; \"–\" marks a lever the box leaves free.", ""]
    bounds = dict(zip(c.results.levers, map(tuple, c.results.problem["bounds"]), strict=True))
    lines += c.figure(plots.prim_box(box, bounds, title=f"levers that keep the response ≥ {_fmt(c, target)}"),
                      "prim_box.png", "PRIM box")
    return lines + c.figure(plots.prim_tradeoff(box), "prim_tradeoff.png", "PRIM peeling trajectory")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]
