"""What the page shows of a run: headline figures, the charts, downloads, and the presentation view."""

from __future__ import annotations

from collections.abc import Callable

import solara
from matplotlib.figure import Figure

from sim.dashboard import charts
from sim.dashboard.controls import RunControls
from sim.dashboard.runs import baseline_outputs
from sim.dashboard.session import Session, changes

SCREEN_DPI = 80


@solara.component
def Chart(draw: Callable[[], Figure], name: str, tick: int):
    """One chart, redrawn when ``tick`` changes, with a PNG download at print resolution."""
    figure = solara.use_memo(draw, [tick])
    image = solara.use_memo(lambda: charts.png_bytes(figure, dpi=SCREEN_DPI), [figure])
    solara.Image(image, format="png", width="100%")
    solara.FileDownload(lambda: charts.png_bytes(figure), filename=f"{name}.png", label=f"{name}.png",
                        mime_type="image/png")


def baseline_for(session: Session):
    """The baseline preset's run at this session's size and seed."""
    return baseline_outputs(**session.setup.sizes())


def retention_figure(session: Session, scale: float = 1.0) -> Figure:
    """Retention so far beside the baseline's full run."""
    return charts.retention_chart(session.model.weekly_outputs(), baseline_for(session),
                                  interventions=session.setup.interventions, scale=scale,
                                  label=f"this run: {session.setup.preset.name}")


@solara.component
def Headline(session: Session, tick: int, large: bool = False):
    """Retention now against the baseline at the same week, and culture in two numbers."""
    outputs = session.model.weekly_outputs()
    style = {"font-size": "1.5rem" if large else "1rem"}
    if not len(outputs):
        solara.Text("Press Step or Play to start the run.", style=style)
        return
    latest = outputs.iloc[-1]
    base = baseline_for(session)
    base_now = base.loc[base["week"] == latest["week"], "retention_rate"]
    gap = f" ({100 * (latest['retention_rate'] - base_now.iloc[0]):+.1f} points against the baseline)" \
        if len(base_now) else ""
    solara.Text(f"Annual retention {latest['retention_rate']:.1%}{gap} · customer focus "
                f"{latest['customer_focus_mean']:.2f} (leaders {latest['customer_focus_leaders']:.2f}) · "
                f"cross-silo handoffs succeed {latest['cross_silo_handoff_success_rate']:.1%}", style=style)


@solara.component
def Explorer(session: Session):
    """The customers' side of the run: retention beside the baseline, why customers leave, the CSV."""
    tick = changes.value
    model = session.model
    Headline(session, tick)
    solara.FileDownload(lambda: model.weekly_outputs().to_csv(index=False), filename="weekly_outputs.csv",
                        label="weekly_outputs.csv", mime_type="text/csv")
    with solara.Columns([1, 1]):
        Chart(lambda: retention_figure(session), "retention", tick)
        Chart(lambda: charts.lost_by_reason_chart(model.lost_by_reason()), "lost_by_reason", tick)


@solara.component
def Inside(session: Session):
    """The organisation's side: customer focus by function and level, handoffs, every employee.

    A tab of its own (as Mesa's SolaraViz puts components on pages), so a
    step redraws only the charts in view: a class of 30 on one server needs it.
    """
    tick = changes.value
    model = session.model
    org = model.organisation
    Headline(session, tick)
    with solara.Columns([1, 1]):
        Chart(lambda: charts.focus_heatmap(model.focus_by_function_and_level()), "focus_by_function", tick)
        Chart(lambda: charts.handoff_chart(model.handoff_success_by_pair()), "handoff_success", tick)
    Chart(lambda: charts.organisation_chart(org.function, org.level, model.culture.focus), "organisation", tick)


@solara.component
def Presentation(session: Session):
    """For trainers: large type, the scenario as a story, the two charts that tell it."""
    tick = changes.value
    preset = session.setup.preset
    solara.v.Html(tag="h1", children=[preset.name], style_="font-size: 2.6rem; margin: 0.2em 0")
    solara.v.Html(tag="p", children=[preset.description.strip()], style_="font-size: 1.5rem; line-height: 1.5")
    RunControls(session, large=True)
    Headline(session, tick, large=True)
    with solara.Columns([3, 2]):
        Chart(lambda: retention_figure(session, scale=1.3), "retention", tick)
        Chart(lambda: charts.lost_by_reason_chart(session.model.lost_by_reason(), top=5, scale=1.3),
              "lost_by_reason", tick)
