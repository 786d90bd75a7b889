"""The charts as PNG files for download, drawn by matplotlib only when asked (the page draws with bqplot).

They use ``matplotlib.figure.Figure`` directly, never pyplot, so many browser
sessions can draw at once from different threads.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.organisation import EXECUTIVE, FRONTLINE, FUNCTIONS, MANAGER

FOCUS_MAP = "viridis"
HANDOFF_MAP = "cividis"
MAX_DOTS = 4_000  # the organisation chart draws at most this many employees
SHORT_NAMES = {
    "strategy and planning": "strategy",
    "product and innovation": "product",
    "supply chain": "supply",
    "delivery": "delivery",
    "finance and billing": "finance",
    "marketing and communications": "marketing",
    "sales": "sales",
    "customer success": "cust. success",
}


def _figure(width: float = 6.4, height: float = 3.6, scale: float = 1.0, left: float = 0.12) -> Figure:
    # Fixed margins: a layout engine would double the drawing time of every step.
    figure = Figure(figsize=(width * scale, height * scale), dpi=100)
    figure.subplots_adjust(left=left, right=0.97, bottom=0.16, top=0.9)
    return figure


def retention_chart(outputs: pd.DataFrame, effect=None, *, labels=("this scenario", "counterfactual"),
                    interventions=(), start: int = 1, weeks: int | None = None) -> Figure:
    """Annual retention week by week from week ``start``, over the bands of ``effect`` (see ``bands.Effect``)."""
    figure = _figure()
    axes = figure.subplots()
    if effect is not None:
        week = np.arange(1, len(effect.factual.mean) + 1)
        keep = week >= start
        pairs = [(effect.factual, "#56B4E9", "-", labels[0]), (effect.counterfactual, "0.35", "--", labels[1])]
        for band, colour, style, label in pairs:
            if band is not None:
                axes.fill_between(week[keep], 100 * band.low[keep], 100 * band.high[keep], color=colour, alpha=0.3,
                                  linewidth=0)
                axes.plot(week[keep], 100 * band.mean[keep], color=colour, linestyle=style, label=label)
    shown = outputs[outputs["week"] >= start]
    if len(shown):
        axes.plot(shown["week"], 100 * shown["retention_rate"], color="#0072B2", linewidth=2.2, label="this run")
    for week, text in intervention_labels(interventions).items():
        axes.axvline(week, color="#D55E00", linestyle=":", linewidth=1.5)
        axes.annotate(text, (week, 0.98), xycoords=("data", "axes fraction"), xytext=(3, 0),
                      textcoords="offset points", fontsize=7, va="top", color="#D55E00", wrap=True)
    axes.set_xlim(0, weeks or max(1, len(outputs)))
    low = axes.get_ylim()[0]
    axes.set_ylim(min(50, np.floor(low / 10) * 10), 100)
    axes.set_xlabel("week")
    axes.set_ylabel("annual customer retention (%)")
    axes.set_title("Customer retention", fontsize=12)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    return figure


def intervention_labels(interventions) -> dict[int, str]:
    """One label per week with interventions: "week 26: leadership courage 0.8, transparency 0.8"."""
    labels: dict[int, list[str]] = {}
    for i in interventions:
        labels.setdefault(i.week, []).append(f"{i.lever.replace('_', ' ')} {i.value:g}")
    return {week: f"week {week}: " + ", ".join(parts) for week, parts in labels.items()}


def focus_heatmap(table: pd.DataFrame, scale: float = 1.0) -> Figure:
    """Mean customer focus by function (rows) and level (columns), 0 to 1."""
    figure = _figure(5.2, 3.6, scale, left=0.2)
    axes = figure.subplots()
    image = axes.imshow(table.to_numpy(), cmap=FOCUS_MAP, vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(table.shape[1]), table.columns)
    axes.set_yticks(range(table.shape[0]), [SHORT_NAMES.get(n, n) for n in table.index])
    for (row, column), value in np.ndenumerate(table.to_numpy()):
        axes.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=8 * scale,
                  color="white" if value < 0.6 else "black")
    figure.colorbar(image, ax=axes, label="customer focus")
    axes.set_title("Customer focus by function and level", fontsize=12 * scale)
    return figure


def organisation_layout(function: np.ndarray, level: np.ndarray):
    """Positions of employees: one block per function, executives on top, then managers, then frontline.

    Returns x, y, the employees' ids in drawing order (a deterministic
    subsample of at most ``MAX_DOTS`` in large organisations) and the x of
    each function block's centre.
    """
    ids = np.arange(len(function))
    if len(ids) > MAX_DOTS:
        ids = ids[:: int(np.ceil(len(ids) / MAX_DOTS))]
    largest = np.bincount(function[ids], minlength=len(FUNCTIONS)).max()
    columns = max(4, int(np.ceil(np.sqrt(largest * 0.6))))
    xs, ys = np.empty(len(ids)), np.empty(len(ids))
    for f in range(len(FUNCTIONS)):
        positions = np.flatnonzero(function[ids] == f)
        positions = positions[np.argsort(level[ids][positions], kind="stable")]
        slot = np.arange(len(positions))
        xs[positions] = f * (columns + 2) + slot % columns
        ys[positions] = -(slot // columns)
    centres = np.arange(len(FUNCTIONS)) * (columns + 2) + (columns - 1) / 2
    return xs, ys, ids, centres


def organisation_chart(function: np.ndarray, level: np.ndarray, focus: np.ndarray, scale: float = 1.0) -> Figure:
    """Every employee as a dot, grouped by function, coloured by customer focus; leaders ringed."""
    figure = _figure(9.0, 3.8, scale, left=0.01)
    axes = figure.subplots()
    xs, ys, ids, centres = organisation_layout(function, level)
    leaders = level[ids] != FRONTLINE
    size = 10 * scale if len(ids) < 1000 else 3 * scale
    image = axes.scatter(xs[~leaders], ys[~leaders], c=focus[ids][~leaders], cmap=FOCUS_MAP, vmin=0, vmax=1,
                         s=size, linewidths=0)
    for lvl, marker, label in ((MANAGER, "s", "manager"), (EXECUTIVE, "*", "executive")):
        chosen = level[ids] == lvl
        axes.scatter(xs[chosen], ys[chosen], c=focus[ids][chosen], cmap=FOCUS_MAP, vmin=0, vmax=1, marker=marker,
                     s=size * (4 if lvl == MANAGER else 9), edgecolors="black", linewidths=0.6, label=label)
    for centre, name in zip(centres, FUNCTIONS, strict=True):
        axes.text(centre, 1.2, SHORT_NAMES[name], ha="center", va="bottom", fontsize=8 * scale)
    axes.set_axis_off()
    axes.set_ylim(ys.min() - 1 if len(ys) else -1, 3)
    axes.legend(loc="lower right", fontsize=7 * scale, frameon=False, ncols=2)
    figure.colorbar(image, ax=axes, label="customer focus", shrink=0.8)
    shown = "" if len(ids) == len(function) else f" (1 in {int(np.ceil(len(function) / len(ids)))} shown)"
    axes.set_title(f"The organisation: {len(function):,} employees by function{shown}", fontsize=12 * scale)
    return figure


def handoff_chart(table: pd.DataFrame, scale: float = 1.0) -> Figure:
    """Share of handoffs that succeeded from each function (rows) to each function (columns)."""
    figure = _figure(5.6, 4.2, scale, left=0.2)
    axes = figure.subplots()
    values = table.to_numpy(dtype=float)
    image = axes.imshow(np.ma.masked_invalid(values), cmap=HANDOFF_MAP, vmin=0.7, vmax=1, aspect="auto")
    names = [SHORT_NAMES.get(n, n) for n in table.index]
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("to")
    axes.set_ylabel("from")
    figure.colorbar(image, ax=axes, label="handoff success (grey: no handoffs)")
    axes.set_facecolor("0.85")
    axes.set_title("Handoff success between functions", fontsize=12 * scale)
    return figure


def lost_by_reason_chart(lost: pd.Series, top: int = 8, scale: float = 1.0) -> Figure:
    """The handoffs that lost the most customers so far, largest first."""
    figure = _figure(6.4, 3.6, scale, left=0.3)
    axes = figure.subplots()
    shown = lost[lost > 0].sort_values().tail(top)
    labels = [" → ".join(SHORT_NAMES.get(part, part) for part in str(name).split(" -> ")) for name in shown.index]
    axes.barh(labels, shown.to_numpy(), color="#E69F00")
    axes.set_xlabel("customers lost so far")
    axes.tick_params(axis="y", labelsize=8 * scale)
    if shown.empty:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "no customers lost yet", transform=axes.transAxes, ha="center")
    axes.set_title("Lost customers by reason", fontsize=12 * scale)
    return figure


def comparison_chart(result, scale: float = 1.0) -> Figure:
    """Two scenarios' mean retention with 90% confidence bands across replications."""
    figure = _figure(scale=scale)
    axes = figure.subplots()
    for series, colour in zip(result.series, ("0.35", "#0072B2"), strict=True):
        axes.fill_between(series.week, 100 * series.low, 100 * series.high, color=colour, alpha=0.25, linewidth=0)
        axes.plot(series.week, 100 * series.mean, color=colour, linewidth=2, label=series.label)
    axes.set_xlabel("week")
    axes.set_ylabel("annual customer retention (%)")
    axes.set_title(f"Mean retention with 90% confidence band ({result.replications} replications each)",
                   fontsize=11 * scale)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8 * scale)
    return figure


def png_bytes(figure: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG: 150 dpi for downloads, less (and light compression) for the page."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1 if dpi < 150 else 6})
    return buffer.getvalue()
