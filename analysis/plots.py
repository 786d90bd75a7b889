"""Figures of sweep results, drawn on plain matplotlib Figures (no pyplot state), saved as PNG and SVG.

Each function takes a table from :mod:`analysis.statistics`,
:mod:`analysis.sensitivity`, :mod:`analysis.robustness` or
:mod:`analysis.discovery` and returns the Figure; :func:`save` writes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps as plt_colormaps
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

SHORT = {
    "retention_rate": "annual customer retention",
    "satisfaction_mean": "mean customer satisfaction (0–1)",
    "customer_focus_mean": "mean customer focus (0–1)",
    "customer_focus_leaders": "leaders' mean customer focus (0–1)",
    "customer_focus_frontline": "frontline mean customer focus (0–1)",
    "trust_mean": "mean trust in leadership (0–1)",
    "barrier_mean": "mean silo barrier (0–1)",
    "customers_lost": "accounts lost per week",
    "customers_won": "accounts won per week",
    "customers_active": "active accounts",
}
BAND = 0.25  # opacity of confidence bands
FEW_WEEKS = 30  # lines over fewer recorded weeks get a marker at each
MANY_FACTORS = 12  # above this, the PRIM box figure shows only the restricted factors


def label(name: str) -> str:
    """A readable axis label for an output or lever name."""
    return SHORT.get(name, name.replace("_", " "))


def is_share(name: str) -> bool:
    """True for outputs that are shares between 0 and 1, shown as percentages."""
    return name.endswith("_rate")


def _axes(ax, size=(6.4, 4.0)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, dpi=120, layout="constrained")
    return fig, fig.add_subplot()


def _format_output(ax, output: str, axis: str = "y") -> None:
    if is_share(output):
        (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=1))


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (PNG) and, for print, the same figure as vector graphics beside it (SVG).

    Returns the PNG's path.
    """
    path = Path(path)
    fig.savefig(path, format="png", dpi=200)
    fig.savefig(path.with_suffix(".svg"), format="svg", metadata={"Date": None})
    return path


def _band(ax, x, low, high, output: str, **style) -> None:
    """A confidence band, clipped to 0–100 % for outputs that are shares."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if is_share(output):
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    ax.fill_between(x, low, high, alpha=BAND, lw=0, **style)


def over_time(table: pd.DataFrame, output: str, by: str, *, names: dict | None = None, level: float = 0.95,
              ax=None) -> Figure:
    """Weekly mean of ``output`` with its ``level`` band, one line per value of ``by``.

    ``table`` comes from :func:`analysis.statistics.over_time`; ``names`` maps
    values of ``by`` to legend entries.
    """
    fig, ax = _axes(ax)
    for key, rows in table.groupby(by, sort=True):
        line, = ax.plot(rows["week"], rows["mean"], label=(names or {}).get(key, f"{by} {key}"),
                        marker="o" if len(rows) < FEW_WEEKS else None, ms=3)
        _band(ax, rows["week"], rows["low"], rows["high"], output, color=line.get_color())
    ax.set_xlabel("week")
    ax.set_ylabel(label(output))
    _format_output(ax, output)
    ax.legend(title=f"mean with {level:.0%} interval", fontsize="small", title_fontsize="small")
    return fig


def against_lever(table: pd.DataFrame, lever: str, output: str, *, points: pd.DataFrame | None = None,
                  ylabel: str | None = None, level: float = 0.95, binned: bool = False, ax=None) -> Figure:
    """The response against one lever: mean over runs with its ``level`` band (from :func:`statistics.marginal`).

    ``points`` (lever value and ``mean`` per design point) adds the design points as dots; ``binned``
    says the table's rows are bins of the lever rather than its values.
    """
    fig, ax = _axes(ax)
    if points is not None:
        ax.scatter(points[lever], points["mean"], s=8, color="0.6", label="design point (mean of replications)")
    ax.plot(table[lever], table["mean"], marker="o", color="C0",
            label="mean over runs" + (" in each bin of the lever" if binned else ""))
    _band(ax, table[lever], table["low"], table["high"], output, color="C0", label=f"{level:.0%} interval")
    ax.set_xlabel(label(lever))
    ax.set_ylabel(ylabel or label(output))
    _format_output(ax, output)
    ax.legend(fontsize="small")
    return fig


def heatmap(table: pd.DataFrame, output: str, *, title: str | None = None, ax=None) -> Figure:
    """Mean response over two levers (a table from :func:`statistics.two_way`), each cell annotated."""
    fig, ax = _axes(ax, size=(6.4, 4.8))
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="viridis", aspect="auto")
    share = is_share(output)
    bar = fig.colorbar(image, ax=ax, label=label(output))
    if share:
        bar.formatter = PercentFormatter(1.0, decimals=1)
        bar.update_ticks()
    middle = np.nanmean(values)
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.1%}" if share else f"{value:.3g}", ha="center", va="center", fontsize="small",
                    color="black" if value > middle else "white")
    ax.set_xticks(range(table.shape[1]), [f"{v:.2g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:.2g}" for v in table.index])
    ax.set_xlabel(label(table.columns.name))
    ax.set_ylabel(label(table.index.name))
    if title:
        ax.set_title(title, fontsize="medium")
    return fig


def indices(table: pd.DataFrame, *, level: float = 0.95, title: str | None = None, ax=None) -> Figure:
    """Tornado chart of sensitivity indices, most influential on top, with ``level`` error bars.

    Sobol tables (S1, ST) show both indices; Morris tables show mu_star and sigma.
    """
    sobol = "ST" in table.columns
    first, second = ("ST", "S1") if sobol else ("mu_star", "sigma")
    table = table.sort_values(first)
    fig, ax = _axes(ax, size=(6.4, 1.8 + 0.45 * len(table)))
    rows = np.arange(len(table))
    height = 0.38
    ax.barh(rows + height / 2, table[first], height, xerr=table.get(f"{first}_conf"), capsize=3, color="C0",
            label="total effect ST" if sobol else "μ* (mean |elementary effect|)")
    ax.barh(rows - height / 2, table[second], height, xerr=table.get(f"{second}_conf"), capsize=3, color="C1",
            label="first order S1" if sobol else "σ (spread of effects)")
    ax.set_yticks(rows, [label(n) for n in table.index])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("Sobol index (share of variance)" if sobol else "effect on the response over the lever's range")
    bars = f"error bars: {level:.0%} bootstrap interval" if sobol else f"error bar: {level:.0%} interval of μ*"
    fig.legend(title=bars, fontsize="small", title_fontsize="small", loc="outside lower center", ncols=2)
    if title:
        ax.set_title(title, fontsize="medium")
    return fig


def prim_tradeoff(box, ax=None) -> Figure:
    """PRIM's peeling trajectory: density against coverage, coloured by restricted levers; the chosen box marked."""
    fig, ax = _axes(ax, size=(5.6, 4.2))
    trajectory = box.trajectory
    top = int(trajectory["res_dim"].max())
    colours = BoundaryNorm(np.arange(-0.5, top + 1), plt_colormaps["viridis"].N)
    dots = ax.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis",
                      norm=colours, s=14)
    fig.colorbar(dots, ax=ax, label="levers restricted", ticks=range(top + 1))
    ax.scatter([box.coverage], [box.density], s=160, facecolors="none", edgecolors="red", label="chosen box")
    ax.axhline(box.base_density, color="0.5", ls="--", lw=0.8, label="share of interest overall")
    ax.set_xlabel("coverage (share of cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's cases of interest)")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axis.set_major_locator(MaxNLocator(6))
    ax.legend(fontsize="small", loc="lower left")
    return fig


def prim_box(box, bounds: dict[str, tuple[float, float]], *, title: str | None = None, ax=None) -> Figure:
    """The chosen box: each factor's range inside it (blue) over the range the sweep explored (grey).

    With more than ``MANY_FACTORS`` factors, only those the box restricts are drawn.
    """
    limits = box.limits if len(box.limits) <= MANY_FACTORS else box.restricted()
    fig, ax = _axes(ax, size=(6.4, 1.2 + 0.5 * len(limits)))
    rows = np.arange(len(limits))[::-1]
    for row, (lever, lim) in zip(rows, limits.iterrows(), strict=True):
        low, high = bounds[lever]
        ax.barh(row, high - low, left=low, color="0.88", height=0.6)
        ax.barh(row, lim["high"] - lim["low"], left=lim["low"], height=0.6, color="C0",
                alpha=1.0 if lim["restricted"] else 0.3)
        ax.text(high, row, f"  {lim['low']:.2f}–{lim['high']:.2f}" + ("" if lim["restricted"] else " (any)"),
                va="center", fontsize="small")
    ax.set_yticks(rows, [label(n) for n in limits.index])
    ax.set_xlabel("lever value (grey: range explored; blue: the box)")
    ax.set_xlim(right=max(h for _, h in bounds.values()) * 1.35)
    if title:
        ax.set_title(title, fontsize="medium")
    return fig


def robustness(summary: pd.DataFrame, effects: pd.DataFrame, output: str, hinges: pd.DataFrame | None = None, *,
               hinge_label: str = "first-order Sobol index") -> Figure:
    """Each contrast's effect over the draws, and which factors it depends on: a figure for print.

    Panel (a): the draws (dots), the 90 % range (bar) and the median (tick),
    with the share of draws in which the contrast helps on the right. Panel (b),
    given ``hinges`` (a factor x contrast table from
    :func:`analysis.robustness.hinge_table`): the index of each factor.
    """
    order = summary.sort_values("median").index
    panels = 2 if hinges is not None and not hinges.empty else 1
    fig = Figure(figsize=(7.5 if panels == 2 else 5.0, 1.6 + 0.42 * len(order)), dpi=120, layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False, width_ratios=[1.3, 1.0][:panels])[0]
    ax = axes[0]
    jitter = np.random.default_rng(0)  # fixed: the same figure every time
    for row, contrast in enumerate(order):
        values = effects[contrast].dropna().to_numpy()
        ax.scatter(values, row + jitter.uniform(-0.18, 0.18, len(values)), s=5, color="0.65", lw=0)
        s = summary.loc[contrast]
        ax.plot([s["low"], s["high"]], [row, row], color="C0", lw=3.5, solid_capstyle="butt")
        ax.plot([s["median"]], [row], marker="|", color="black", ms=14, mew=2)
        ax.annotate(f"{s['helps']:.0%}", (1.0, row), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize="small")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(order)), [str(c).replace("_", " ") for c in order])
    ax.set_xlabel(f"effect on {label(output)}\n(contrast minus baseline, paired)")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    if is_share(output):
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.annotate("helps", (1.0, len(order) - 0.5), xycoords=("axes fraction", "data"), xytext=(4, 0),
                textcoords="offset points", va="bottom", fontsize="small", style="italic")
    ax.set_title("(a) effect over the draws", fontsize="small", loc="left")
    if panels == 2:
        table = hinges[[c for c in order if c in hinges.columns]]
        ax2 = axes[1]
        image = ax2.imshow(table.to_numpy(dtype=float).T, cmap="Blues", vmin=0, vmax=1, aspect="auto",
                           origin="lower")
        for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float).T):
            ax2.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=6,
                     color="white" if value > 0.5 else "black")
        ax2.set_xticks(range(table.shape[0]), [label(n) for n in table.index], rotation=60, ha="right",
                       fontsize="x-small")
        ax2.set_yticks(range(table.shape[1]), [])
        fig.colorbar(image, ax=ax2, label=hinge_label, shrink=0.8)
        ax2.set_title("(b) what each effect hinges on", fontsize="small", loc="left")
    return fig


def pairwise(table: pd.DataFrame) -> Figure:
    """Share of draws in which the row's contrast beats the column's, as an annotated heatmap."""
    fig, ax = _axes(None, size=(1.8 + 0.55 * len(table), 1.2 + 0.45 * len(table)))
    values = table.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(values, np.nan)
    image = ax.imshow(values, cmap="RdBu", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize="x-small")
    names = [str(c).replace("_", " ") for c in table.index]
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("… beats this contrast")
    ax.set_ylabel("share of draws in which this contrast …")
    bar = fig.colorbar(image, ax=ax)
    bar.formatter = PercentFormatter(1.0, decimals=0)
    bar.update_ticks()
    return fig
