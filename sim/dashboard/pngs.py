"""The charts as PNG files for download, drawn by matplotlib only when asked (the page draws with bqplot).

They use ``matplotlib.figure.Figure`` directly, never pyplot, so many browser
sessions can draw at once from different threads.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.dashboard.words import SHORT_NAMES


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


def png_bytes(figure: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG: 150 dpi for downloads, less (and light compression) for the page."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1 if dpi < 150 else 6})
    return buffer.getvalue()
