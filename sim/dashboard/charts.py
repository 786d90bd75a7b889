"""The page's charts, drawn in the browser by bqplot: each built once per page, its data set on each step.

Colours are Okabe and Ito's, safe for colour-blind readers; colour maps are
viridis. Each chart has a title, axis units, hover values, and a caption in
words (``caption_*``) as its text alternative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from bqplot import (
    Axis,
    Bars,
    ColorAxis,
    ColorScale,
    Figure,
    GridHeatMap,
    Label,
    LinearScale,
    Lines,
    OrdinalScale,
    Scatter,
    Tooltip,
)
from ipywidgets import Layout

from sim.dashboard.bands import BAND
from sim.dashboard.pngs import intervention_labels
from sim.dashboard.words import SHORT_NAMES
from sim.organisation import FRONTLINE, FUNCTIONS

BLUE, ORANGE, VERMILLION, GREY, SKY = "#0072B2", "#E69F00", "#D55E00", "#595959", "#56B4E9"
MARGIN = {"top": 50, "bottom": 60, "left": 80, "right": 20}
MAX_DOTS = 1_000  # the organisation chart draws at most this many employees (SVG dots cost the browser)
NO_RUN = pd.DataFrame({"week": [], "retention_rate": []})  # a chart of bands alone


def nothing(*shape: int) -> np.ndarray:
    """A placeholder for "no data" in a hidden mark: never an empty array (Solara cannot send an empty buffer)."""
    return np.zeros(shape or (1,))


def _show(mark, **data) -> None:
    """Set a mark's data, or hide it when there is none."""
    empty = any(np.size(v) == 0 for v in data.values())
    mark.visible = not empty
    if not empty:
        for name, value in data.items():
            setattr(mark, name, value)


def _tooltip(fields, labels, formats):
    return Tooltip(fields=fields, labels=labels, formats=formats)


def _figure(marks, axes, title: str, height: str, margin=None) -> Figure:
    return Figure(
        marks=marks,
        axes=axes,
        title=title,
        fig_margin=margin or MARGIN,
        layout=Layout(width="100%", height=height, min_height="260px"),
        animation_duration=0,
    )


def retention_range(*arrays) -> tuple[float, float]:
    """The y-axis of a retention chart in %: from a round number at least 10 points below the data, to 100.

    Never narrower than 50 points, so the noise of a run does not look like an event.
    """
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays] or [np.array([])])
    values = values[np.isfinite(values)]
    low = min(50.0, np.floor((values.min() - 10) / 10) * 10) if len(values) else 50.0
    return max(0.0, low), 100.0


def retention_ticks(low: float, high: float) -> np.ndarray:
    """Tick values every 10 points from ``low`` to ``high``, or every 20 on a range wider than 60."""
    step = 10.0 if high - low <= 60 else 20.0
    return np.arange(np.ceil(low / step) * step, high + 1e-9, step)


def retention_legend(labels, changes: bool = True, run: bool = True) -> list[tuple[str, str, str]]:
    """The retention chart's key: (colour, line style, words) per line drawn; ``labels[1]`` None: no counterfactual."""
    entries = [(BLUE, "solid", "this run, week by week")] if run else []
    entries.append((SKY, "solid", f"{labels[0]}: mean and {BAND:.0%} band"))
    if labels[1] is not None:
        entries.append((GREY, "dashed", f"{labels[1]}: mean and {BAND:.0%} band"))
    return entries + ([(VERMILLION, "dashed", "a scheduled change")] if changes else [])


class RetentionChart:
    """The run week by week over its band from replications, beside its counterfactual's band."""

    def __init__(self, height: str = "380px"):
        """The empty chart; ``update`` fills it."""
        self.x = LinearScale(min=0, max=104)
        self.y = LinearScale(min=50, max=100)
        scales = {"x": self.x, "y": self.y}
        self.other_band = Lines(
            x=nothing(),
            y=nothing(2, 1),
            fill="between",
            colors=[GREY, GREY],
            fill_colors=[GREY],
            fill_opacities=[0.18],
            stroke_width=0,
            scales=scales,
            visible=False,
        )
        self.other_mean = Lines(
            x=nothing(), y=nothing(), colors=[GREY], line_style="dashed", stroke_width=2, scales=scales, visible=False
        )
        self.band = Lines(
            x=nothing(),
            y=nothing(2, 1),
            fill="between",
            colors=[SKY, SKY],
            fill_colors=[SKY],
            fill_opacities=[0.35],
            stroke_width=0,
            scales=scales,
            visible=False,
        )
        self.mean = Lines(x=nothing(), y=nothing(), colors=[SKY], stroke_width=2, scales=scales, visible=False)
        self.run = Lines(x=nothing(), y=nothing(), colors=[BLUE], stroke_width=3, scales=scales, visible=False)
        self.points = Scatter(
            x=nothing(),
            y=nothing(),
            colors=[BLUE],
            default_size=24,
            scales=scales,
            visible=False,
            tooltip=_tooltip(["x", "y"], ["week", "retention %"], ["d", ".1f"]),
        )
        self.marker = Lines(
            x=nothing(1, 2),
            y=nothing(1, 2),
            colors=[VERMILLION],
            line_style="dash_dotted",
            stroke_width=2,
            scales=scales,
            visible=False,
        )
        self.marker_text = Label(
            x=nothing(),
            y=nothing(),
            text=[""],
            colors=[VERMILLION],
            scales=scales,
            x_offset=6,
            align="start",
            visible=False,
        )
        self.y_axis = Axis(
            scale=self.y,
            orientation="vertical",
            label="annual retention (%)",
            tick_format=".0f",
            tick_values=retention_ticks(self.y.min, self.y.max),  # round, and large labels do not overlap
            grid_lines="dashed",
        )
        axes = [Axis(scale=self.x, label="week", tick_format="d", grid_lines="none"), self.y_axis]
        self.figure = _figure(
            [
                self.other_band,
                self.band,
                self.other_mean,
                self.mean,
                self.marker,
                self.marker_text,
                self.run,
                self.points,
            ],
            axes,
            "Customer retention",
            height,
        )

    def update(
        self, outputs: pd.DataFrame, weeks: int, start: int, effect=None, labels=("", ""), interventions=()
    ) -> None:
        """Show ``outputs`` from week ``start`` (earlier weeks are the trailing window filling) and the bands."""
        shown = outputs[outputs["week"] >= start]
        run_x, run_y = shown["week"].to_numpy(), 100 * shown["retention_rate"].to_numpy()
        with self.figure.hold_sync():
            self.x.min, self.x.max = 0.0, float(weeks)
            parts = [run_y]
            if effect is not None:
                week = np.arange(1, len(effect.factual.mean) + 1)
                keep = week >= start
                self._band(self.band, self.mean, week[keep], effect.factual, keep)
                parts += [100 * effect.factual.low[keep]]
                if effect.counterfactual is not None:
                    self._band(self.other_band, self.other_mean, week[keep], effect.counterfactual, keep)
                    parts += [100 * effect.counterfactual.low[keep]]
            self.y.min, self.y.max = retention_range(*parts)
            self.y_axis.tick_values = retention_ticks(self.y.min, self.y.max)
            _show(self.run, x=run_x, y=run_y)
            _show(self.points, x=run_x[-1:], y=run_y[-1:])
            weeks_changed = np.array(sorted(intervention_labels(interventions)), dtype=float)
            _show(
                self.marker,
                x=np.repeat(weeks_changed[:, None], 2, axis=1),
                y=np.tile([self.y.min, self.y.max], (len(weeks_changed), 1)),
            )
            _show(
                self.marker_text,
                x=weeks_changed,
                y=np.full(len(weeks_changed), self.y.max - 3.0),
                text=[f"week {w:.0f}: change" for w in weeks_changed],
            )

    @staticmethod
    def _band(band: Lines, mean: Lines, week, values, keep) -> None:
        _show(band, x=week, y=100 * np.vstack([values.low[keep], values.high[keep]]))
        _show(mean, x=week, y=100 * values.mean[keep])


def caption_retention(view, effect, start: int, labels) -> str:
    """The retention chart in words."""
    parts = [
        f"Customer retention, week by week, in %, shown from week {start} "
        f"(retention is measured over the trailing quarter)."
    ]
    if len(view.outputs):
        latest = view.outputs.iloc[-1]
        parts.append(f"This run at week {int(latest['week'])}: {100 * latest['retention_rate']:.1f} %.")
    if effect is not None:
        end = len(effect.factual.mean)
        parts.append(
            f"{labels[0][:1].upper()}{labels[0][1:]}, mean of {effect.replications} replications at week {end}: "
            f"{100 * effect.factual.mean[-1]:.1f} %."
        )
        if effect.counterfactual is not None and labels[1]:
            parts.append(f"{labels[1][:1].upper()}{labels[1][1:]}: {100 * effect.counterfactual.mean[-1]:.1f} %.")
    return " ".join(parts)


class LostChart:
    """Customers lost so far by the handoff that failed them, largest first."""

    def __init__(self, height: str = "380px", top: int = 8):
        """The empty chart."""
        self.top = top
        self.x = OrdinalScale()
        self.y = LinearScale(min=0)
        self.bars = Bars(
            x=["none yet"],
            y=[0],
            orientation="horizontal",
            colors=[ORANGE],
            scales={"x": self.x, "y": self.y},
            tooltip=_tooltip(["x", "y"], ["handoff", "customers lost"], ["", ",d"]),
        )
        axes = [
            Axis(scale=self.x, orientation="vertical", label=""),
            Axis(scale=self.y, label="customers lost so far", tick_format=",d", grid_lines="dashed"),
        ]
        self.figure = _figure([self.bars], axes, "Why customers leave", height, margin={**MARGIN, "left": 200})

    def update(self, lost: pd.Series) -> None:
        """Show the largest ``top`` reasons."""
        shown = lost[lost > 0].sort_values().tail(self.top)
        names = [" → ".join(SHORT_NAMES.get(p, p) for p in str(n).split(" -> ")) for n in shown.index]
        with self.figure.hold_sync():
            self.bars.x = names or ["none yet"]
            self.bars.y = shown.to_numpy(dtype=float) if len(shown) else [0.0]


def caption_lost(lost: pd.Series) -> str:
    """The lost-customers chart in words."""
    shown = lost[lost > 0].sort_values(ascending=False).head(3)
    if shown.empty:
        return "Why customers leave: no customers lost yet."
    return (
        "Why customers leave, customers lost so far by reason: "
        + "; ".join(f"{name.replace(' -> ', ' to ')} {int(count):,}" for name, count in shown.items())
        + "."
    )


class GridChart:
    """A table of shares (rows by columns) as a viridis grid, e.g. focus by function and level."""

    def __init__(self, title: str, low: float, high: float, height: str = "380px"):
        """The empty chart with a colour scale from ``low`` to ``high`` (black: no data)."""
        self.rows, self.columns = OrdinalScale(), OrdinalScale()
        self.colour = ColorScale(scheme="viridis", min=low, max=high)
        self.grid = GridHeatMap(
            color=nothing(2, 2),
            row=["", " "],
            column=["", " "],
            visible=False,
            scales={"row": self.rows, "column": self.columns, "color": self.colour},
            tooltip=_tooltip(["row", "column", "color"], ["from", "to", "value"], ["", "", ".2f"]),
        )
        axes = [
            Axis(scale=self.columns, label="", tick_rotate=-35),
            Axis(scale=self.rows, orientation="vertical", label=""),
            ColorAxis(scale=self.colour, label="", side="right", tick_format=".1f", num_ticks=3),
        ]
        self.figure = _figure(
            [self.grid], axes, title, height, margin={"top": 50, "bottom": 90, "left": 110, "right": 90}
        )

    def update(self, table: pd.DataFrame) -> None:
        """Show ``table`` (NaN: no data, grey)."""
        with self.figure.hold_sync(), self.grid.hold_trait_notifications():
            self.grid.color = table.to_numpy(dtype=float)
            self.grid.row = [SHORT_NAMES.get(n, str(n)) for n in table.index]
            self.grid.column = [SHORT_NAMES.get(str(n), str(n)) for n in table.columns]
            self.grid.visible = True


def caption_grid(title: str, table: pd.DataFrame) -> str:
    """A grid chart in words: its lowest and highest cells."""
    values = table.to_numpy(dtype=float)
    if not np.isfinite(values).any():
        return f"{title}: no data yet."
    low, high = (
        np.unravel_index(np.nanargmin(values), values.shape),
        np.unravel_index(np.nanargmax(values), values.shape),
    )
    cell = lambda at: f"{table.index[at[0]]}, {table.columns[at[1]]}: {values[at]:.2f}"  # noqa: E731
    return f"{title}. Lowest {cell(low)}; highest {cell(high)}."


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




class OrganisationChart:
    """Every employee (at most ``MAX_DOTS``) grouped by function, coloured by customer focus; leaders larger."""

    def __init__(self, height: str = "320px"):
        """The empty chart."""
        self.x, self.y = LinearScale(), LinearScale()
        self.colour = ColorScale(scheme="viridis", min=0, max=1)
        self.size = LinearScale(min=0, max=1)
        self.dots = Scatter(
            x=nothing(),
            y=nothing(),
            color=nothing(),
            size=nothing(),
            visible=False,
            default_size=40,
            stroke="black",
            scales={"x": self.x, "y": self.y, "color": self.colour, "size": self.size},
            tooltip=_tooltip(["color"], ["customer focus"], [".2f"]),
        )
        self.names = Label(
            x=nothing(), y=nothing(), text=[""], visible=False, scales={"x": self.x, "y": self.y}, align="middle"
        )
        axes = [ColorAxis(scale=self.colour, label="", side="right", tick_format=".1f", num_ticks=3)]
        self.figure = _figure(
            [self.dots, self.names],
            axes,
            "The organisation: employees by function",
            height,
            margin={"top": 50, "bottom": 20, "left": 20, "right": 90},
        )
        self.shape = None

    def update(self, function: np.ndarray, level: np.ndarray, focus: np.ndarray) -> None:
        """Place the dots once per organisation; then only their colours change."""
        with self.figure.hold_sync():
            if self.shape != (function.tobytes(), level.tobytes()):
                self.shape = (function.tobytes(), level.tobytes())
                xs, ys, self.order, centres = organisation_layout(function, level)
                _show(self.dots, x=xs, y=ys, size=np.where(level[self.order] == FRONTLINE, 0.2, 1.0))
                _show(self.names, x=centres, y=np.full(len(centres), 1.5),
                      text=[SHORT_NAMES.get(n, n) for n in FUNCTIONS])
                shown = "" if len(self.order) == len(function) else \
                    f" (1 in {int(np.ceil(len(function) / len(self.order)))} shown)"
                self.figure.title = f"The organisation: {len(function):,} employees by function{shown}"
            _show(self.dots, color=focus[self.order])
