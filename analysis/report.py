"""The report ``cfsim analyse DIR`` writes: DIR/report/report.md with its figures (PNG and SVG) and CSV tables.

What it contains follows the sweep's design: every sweep gets per-point
statistics (points compared paired, on their common random streams), the
response over time and against each lever; two or more sampled factors a
heatmap; sobol and morris sweeps their indices; designs with enough points
scenario discovery (PRIM); sweeps with contrasts the robustness of each
contrast over the assumption draws. The report is built in a temporary
directory beside its destination and swapped into place, so an error leaves
the earlier report as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import plots, robustness, sensitivity, statistics
from analysis.results import BASELINE, Response, Results
from sim.scenario import InputError

MIN_POINTS_FOR_PRIM = 10
MAX_POINTS_SHOWN = 10  # points listed in the report (the best and worst half each) when there are more
MAX_FACTORS_SHOWN = 8  # factors in the hinge figure and table
TARGET_QUANTILE = 0.75  # default PRIM target: the upper quartile of the point means


def write_report(results: Results, response: Response | None = None, *, target: float | None = None,
                 level: float = 0.95, out: str | Path | None = None) -> Path:
    """Analyse ``results`` and write the report to ``out`` (default DIR/report); return report.md's path.

    Everything is checked before anything is written; the new report replaces
    the old one only when complete.
    """
    response = response or Response()
    out = Path(out) if out is not None else results.directory / "report"
    responses = results.responses(response, contrast=BASELINE)
    if responses.empty:
        raise InputError(f"{results.directory}: no finished runs yet (0 of {results.n_runs})")
    _check_destination(out)
    weeks = int(results.weekly["week"].max())
    described = response.describe(weeks, int(results.manifest.get("record_every", 1)))
    with _staged(out) as staging:
        context = _Context(results, response, responses, level, staging, described)
        lines = _header(context)
        lines += _points(context)
        lines += _levers(context)
        table, refused = _indices(context)
        lines += refused or []
        lines += _heatmap(context, table)
        lines += _discovery(context, target)
        lines += _robustness(context)
        (staging / "report.md").write_text("\n".join(lines) + "\n")
    return out / "report.md"


def _check_destination(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory; choose where the report goes with --report DIR")
    if out.is_dir() and any(out.iterdir()) and not (out / "report.md").is_file():
        raise InputError(f"{out}: a directory that holds something other than a report (no report.md); "
                         "choose a new or report directory with --report DIR")
    if not out.parent.is_dir():
        raise InputError(f"{out.parent}: no such directory (for the report {out.name})")


@contextmanager
def _staged(out: Path) -> Iterator[Path]:
    """A fresh directory beside ``out`` to build the report in; moved to ``out`` when the block succeeds."""
    try:
        staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial"))
    except OSError as error:
        raise InputError(f"{out.parent}: cannot write the report there ({error.strerror or error}); "
                         "choose another place with --report DIR") from None
    try:
        staging.chmod(0o777 & ~_umask())
        yield staging
        _swap(staging, out)
    except OSError as error:
        raise InputError(f"{out}: writing the report failed ({error.strerror or error}); "
                         "any earlier report is unchanged") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".old"))
    out.rename(old / out.name)
    try:
        staging.rename(out)
    except OSError:
        (old / out.name).rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Context:
    def __init__(self, results, response, responses, level, out, described):
        self.results, self.response, self.responses, self.level, self.out = results, response, responses, level, out
        self.output = response.output
        self.described = described
        self.points = statistics.by_point(responses, self.output, results.factors, level)

    def figure(self, fig, name: str, caption: str) -> list[str]:
        plots.save(fig, self.out / name)
        return [f"![{caption}]({name})", ""]


def _header(c: _Context) -> list[str]:
    r, m = c.results, c.results.manifest
    bounds = ", ".join(f"`{n}` {lo:g}–{hi:g}" for n, (lo, hi) in zip(r.factors, r.problem["bounds"], strict=True)
                       if n in r.levers)
    options = ", ".join(f"{k} {v}" for k, v in m.get("options", {}).items())
    contrasts = [f"- contrasts, each run on every point with the same seeds: {', '.join(r.contrasts)}"] \
        if len(r.contrasts) > 1 else []
    uncertain = [f"- assumptions varied: {', '.join(f'`{n}`' for n in r.uncertain)}"] if r.uncertain else []
    per_point = r.n_runs // max(r.n_points, 1)
    return [
        f"# Sweep report: {m.get('name', r.directory.name)}",
        "",
        *(f"> **Warning:** {warning}" for warning in r.warnings),
        *([""] if r.warnings else []),
        f"- method: **{r.method}**" + (f" ({options})" if options else ""),
        f"- levers varied: {bounds or 'none'}",
        *uncertain,
        *contrasts,
        f"- fixed: {', '.join(f'`{k}` {v}' for k, v in m.get('fixed', {}).items()) or 'none'}; "
        f"base scenario: {m.get('scenario', 'defaults')}",
        f"- {r.n_points} design points × {per_point} runs ({m['replications']} replication"
        + ("s" if m["replications"] > 1 else "")
        + (f" × {len(r.contrasts)} contrasts" if len(r.contrasts) > 1 else "")
        + f"), {m.get('weeks', '?')} weeks, root seed {m.get('seed', '?')}",
        f"- runs: {r.status()}",
        f"- response of a run: {c.described}; intervals are {c.level:.0%} Student-t intervals over replications",
        "",
    ]


def _fmt(c: _Context, value: float, *, difference: bool = False) -> str:
    if not np.isfinite(value):
        return "–"
    if plots.is_share(c.output):
        return f"{value * 100:+.2f} pp" if difference else f"{value:.2%}"
    return f"{value:+.4g}" if difference else f"{value:.4g}"


def _points(c: _Context) -> list[str]:
    points = c.points.sort_values("mean", ascending=False)
    best = points["point"].iloc[0]
    paired = statistics.paired_differences(c.responses, c.output, best, c.level)
    points = points.merge(paired, on="point", how="left")
    points.to_csv(c.out / "points.csv", index=False)
    shown = points if len(points) <= MAX_POINTS_SHOWN else pd.concat(
        [points.head(MAX_POINTS_SHOWN // 2), points.tail(MAX_POINTS_SHOWN // 2)])
    with_pairs = bool((points["pairs"] > 1).any())
    levers = c.results.levers
    rows = [[str(p.point), *(f"{getattr(p, n):.3g}" for n in levers), str(p.n), _fmt(c, p.mean),
             f"{_fmt(c, p.low)} to {_fmt(c, p.high)}",
             *([f"{_fmt(c, p.diff_low, difference=True)} to {_fmt(c, p.diff_high, difference=True)}"
                if p.point != best else "(best)"] if with_pairs else [])] for p in shown.itertuples()]
    lines = ["## Design points", ""]
    if len(points) > MAX_POINTS_SHOWN:
        lines += [f"The {MAX_POINTS_SHOWN // 2} best and {MAX_POINTS_SHOWN // 2} worst of {len(points)} points "
                  "by mean response (all of them, with every factor, in `points.csv`).", ""]
    header = ["point", *levers, "replications", "mean", f"{c.level:.0%} interval"]
    lines += _table(header + ([f"difference from the best, paired ({c.level:.0%})"] if with_pairs else []), rows)
    if with_pairs:
        lines += ["Replication r of every point uses the same random stream, so points are compared paired: the "
                  "last column is the interval of the mean of the replication-by-replication differences from the "
                  "best point (its p-value in `points.csv`), which is narrower than the separate intervals suggest.",
                  ""]
    shares = statistics.variance_shares(c.responses, c.output)
    if np.isfinite(shares["within"]):
        stream = (f"; {shares['stream']:.0%} is shared by the runs of each replication across all points (their "
                  "common random stream), which paired comparisons remove") if np.isfinite(shares["stream"]) else ""
        lines += [f"Replication noise: {shares['within']:.0%} of the variance of the response across runs lies within "
                  f"design points (between replications; ANOVA variance components){stream}.", ""]
    return lines + _over_time(c, points)


def _over_time(c: _Context, points: pd.DataFrame) -> list[str]:
    levers = c.results.levers
    if len(points) <= 6 and levers:
        chosen = points.sort_values("point")
        names = {p.point: ", ".join(f"{plots.label(n)} {getattr(p, n):.2g}" for n in levers)
                 for p in chosen.itertuples()}
    else:
        ordered = points.reset_index(drop=True)
        picks = {"best": 0, "median": len(ordered) // 2, "worst": len(ordered) - 1}
        chosen = ordered.iloc[sorted(set(picks.values()))]
        names = {ordered.loc[i, "point"]: f"{which} point (#{ordered.loc[i, 'point']})" for which, i in picks.items()}
    runs = c.responses.loc[c.responses["point"].isin(chosen["point"]), ["run_id", "point"]]
    weekly = c.results.weekly.merge(runs, on="run_id")
    if weekly["week"].nunique() < 2:
        return [f"Only week {weekly['week'].max()} is recorded (`[outputs] every` in the sweep file), so there is "
                "no course over time to plot.", ""]
    table = statistics.over_time(weekly, c.output, c.level)
    fig = plots.over_time(table, c.output, "point", names=names, level=c.level)
    fig.axes[0].set_title(f"{plots.label(c.output)} week by week", fontsize="medium")
    return c.figure(fig, "over_time.png", f"{c.output} over time")


def _levers(c: _Context) -> list[str]:
    if not c.results.levers:
        return []
    lines = ["## Response against each lever", ""]
    if len(c.results.factors) > 1:
        lines += ["Each panel averages over the values the other factors take in the design.", ""]
    for lever in c.results.levers:
        table = statistics.marginal(c.responses, c.output, lever, level=c.level)
        binned = c.responses[lever].nunique() > len(table)
        fig = plots.against_lever(table, lever, c.output, points=c.points if len(c.points) > len(table) else None,
                                  level=c.level, binned=binned)
        fig.axes[0].set_title(c.described.replace("`", ""), fontsize="small")
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
    return table, [*lines, *c.figure(fig, "indices.png", title), *_second_order(c, table)]


def _second_order(c: _Context, table: pd.DataFrame) -> list[str]:
    if "S2" not in table.attrs:
        return []
    s2, conf = table.attrs["S2"], table.attrs["S2_conf"]
    names = list(s2.index)
    pairs = pd.DataFrame([{"parameter": a, "other": b, "S2": s2.loc[a, b], "S2_conf": conf.loc[a, b]}
                          for i, a in enumerate(names) for b in names[i + 1:]])
    pairs = pairs.sort_values("S2", ascending=False, ignore_index=True)
    pairs.to_csv(c.out / "indices_second_order.csv", index=False)
    rows = [[f"`{p.parameter}` × `{p.other}`", f"{p.S2:.3f}", f"{p.S2_conf:.3f}",
             "yes" if p.S2 - p.S2_conf > 0 else "no"] for p in pairs.head(MAX_POINTS_SHOWN).itertuples()]
    return ["### Interactions: second-order Sobol indices", "",
            "The share of the variance due to each pair of parameters acting together, beyond their own effects "
            "(largest first; all pairs in `indices_second_order.csv`).", "",
            *_table(["pair", "S2", "S2_conf", f"interval above 0 ({c.level:.0%})"], rows)]


def _heatmap(c: _Context, table: pd.DataFrame | None) -> list[str]:
    factors = c.results.factors
    if len(factors) < 2:
        return []
    if table is not None:
        x, y = sensitivity.ranking(table)[:2]
        why = "the two most influential by the indices above"
    else:
        share = {f: statistics.main_effect_share(c.responses, c.output, f) for f in factors}
        x, y = sorted(factors, key=lambda f: -share[f])[:2]
        why = "the two that explain most of the response's variance alone (binned means)"
    lines = ["## Two factors", ""]
    if len(factors) > 2:
        lines += [f"`{x}` and `{y}` ({why}); each cell averages over the other factors' values in the design.", ""]
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
             f"Which ranges of the sampled factors keep the response at or above {_fmt(c, target)} ({why})? "
             "A design point counts when its mean over replications reaches the target.", ""]
    try:
        box = discover_levers(c.results, c.response, target)
    except InputError as error:
        return [*lines, f"Not computed: {error}.", ""]
    box.limits.to_csv(c.out / "prim_box.csv")
    limits = box.limits if len(box.limits) <= MAX_POINTS_SHOWN else box.restricted()
    if len(limits) < len(box.limits):
        lines += [f"The {len(limits)} factors the box restricts (all {len(box.limits)} in `prim_box.csv`):", ""]
    rows = [[f"`{n}`", f"{lim.low:.3f}", f"{lim.high:.3f}",
             ", ".join(f"{side} {q:.2g}" for side, q in (("low", lim.qp_low), ("high", lim.qp_high))
                       if np.isfinite(q)) if lim.restricted else "–"]
            for n, lim in limits.iterrows()]
    lines += _table(["factor", "low", "high", "quasi-p-value of each restricted limit"], rows)
    lines += [f"Coverage {box.coverage:.0%} (share of the points reaching the target that lie in the box), density "
              f"{box.density:.0%} (share of the box's points reaching it; {box.base_density:.0%} across the whole "
              f"design), {box.cases} points. The box balances coverage and density (their harmonic mean) along "
              "PRIM's peeling trajectory. A limit whose quasi-p-value is large (say above 0.05) "
              "hardly raises density and could be dropped; \"–\" marks a lever the box leaves free.", ""]
    bounds = dict(zip(c.results.factors, map(tuple, c.results.problem["bounds"]), strict=True))
    lines += c.figure(plots.prim_box(box, bounds, title=f"factors that keep the response ≥ {_fmt(c, target)}"),
                      "prim_box.png", "PRIM box")
    return lines + c.figure(plots.prim_tradeoff(box), "prim_tradeoff.png", "PRIM peeling trajectory")


def _robustness(c: _Context) -> list[str]:
    if len(c.results.contrasts) < 2:
        return []
    lines = ["## Robustness of conclusions", ""]
    try:
        found = robustness.robustness(c.results, c.response, level=c.level)
    except InputError as error:
        return [*lines, f"Not computed: {error}.", ""]
    summary, draws = found.summary, len(found.effects)
    found.effects.to_csv(c.out / "effects.csv")
    summary.to_csv(c.out / "robustness.csv")
    span = f"{robustness.RANGE:.0%}"
    lines += [f"Each contrast's effect is its response minus the baseline's at the same design point and "
              f"replication (the same seeds), averaged over the replications: one effect per draw of the "
              f"assumptions ({draws} draws; every effect in `effects.csv`). Its median and {span} range over the "
              "draws say how much the conclusion depends on the assumptions; \"helps\" is the share of draws "
              f"with a positive effect ({c.level:.0%} Wilson interval), \"best\" the share in which it has the "
              "largest effect.", ""]
    rows = [[f"`{s.Index}`", _fmt(c, s.median, difference=True),
             f"{_fmt(c, s.low, difference=True)} to {_fmt(c, s.high, difference=True)}",
             f"{s.helps:.0%} ({s.helps_low:.0%}–{s.helps_high:.0%})", f"{s.best:.0%}"]
            for s in summary.sort_values("median", ascending=False).itertuples()]
    lines += _table(["contrast", "median effect", f"{span} range", "helps in", "best in"], rows)
    if not found.pairwise.empty:
        found.pairwise.to_csv(c.out / "pairwise.csv")
        ranking = " > ".join(f"`{n}`" for n in found.modal_ranking)
        recurs = found.modal_share * draws > 1
        lines += [(f"The most frequent ranking (best first), in {found.modal_share:.0%} of the draws: {ranking}."
                   if recurs else f"No ranking of all {len(found.pairwise)} contrasts occurs in more than one draw.")
                  + " Pairwise, the share of draws in which the row's contrast beats the column's (`pairwise.csv`):",
                  ""]
        names = list(found.pairwise.index)
        lines += _table(["contrast", *names], [[f"`{a}`", *("–" if a == b else f"{found.pairwise.loc[a, b]:.0%}"
                                                             for b in names)] for a in names])
        lines += c.figure(plots.pairwise(found.pairwise), "pairwise.png", "pairwise ranking of the contrasts")
    table = None
    if found.hinges is not None:
        found.hinges.to_csv(c.out / "hinges.csv", index=False)
        table = robustness.hinge_table(found.hinges, MAX_FACTORS_SHOWN)
        lines += _hinges(c, found, table)
    kind = "total Sobol index" if found.hinge_method == "sobol" else "first-order Sobol index"
    fig = plots.robustness(summary, found.effects, c.output, table, hinge_label=kind)
    return lines + c.figure(fig, "robustness.png", "effects of the contrasts over the draws")


def _hinges(c: _Context, found: robustness.Robustness, table: pd.DataFrame) -> list[str]:
    how = ("total Sobol indices from the Saltelli design" if found.hinge_method == "sobol" else
           "first-order Sobol indices estimated from the draws as given (RBD-FAST)")
    conf = found.hinges.set_index(["factor", "contrast"])["conf"]
    rows = [[f"`{factor}`", *(f"{table.loc[factor, k]:.2f} ± {conf.loc[(factor, k)]:.2f}" for k in table.columns)]
            for factor in table.index]
    return ["### What the conclusions hinge on", "",
            f"For each contrast, the share of its effect's variance over the draws due to each factor: {how}, "
            f"± the half-width of the {c.level:.0%} bootstrap interval. The {len(table)} factors with the largest "
            "index are shown (all in `hinges.csv`); an index near 0 means the effect does not depend on it.", "",
            *_table(["factor", *(f"`{k}`" for k in table.columns)], rows)]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]
