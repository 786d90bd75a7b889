"""Compare two scenarios side by side with replications, in the background, with progress and cancel.

The choices live in per-tab reactives and the view stays mounted on every
tab, so they, the result and a comparison still running survive tab changes.
"""

from __future__ import annotations

from dataclasses import replace

import solara
import solara.lab

from sim.dashboard import charts, pngs
from sim.dashboard.bands import BAND
from sim.dashboard.runs import FINAL_YEAR, Comparison, compare
from sim.dashboard.session import Session
from sim.dashboard.views import START, ChartBox
from sim.scenario import InputError, whole_number
from sim.scenario_files import list_presets

CURRENT = "your settings (Explore tab)"
WITHOUT = "your settings without their scheduled changes"
REPLICATIONS = (2, 100)

first = solara.reactive(WITHOUT)
second = solara.reactive(CURRENT)
replications = solara.reactive("10")


def check_replications(text) -> int:
    """Replications typed into the page."""
    return whole_number(text, *REPLICATIONS, "Replications")


def summary(result: Comparison, same_organisation: bool) -> str:
    """The comparison in one sentence."""
    mean, low, high = result.difference()
    weeks = min(result.runs[0].shape[1], FINAL_YEAR)
    kind = "the same organisation, with and without the changes" if same_organisation else \
        "two different starting organisations"
    return (f"Mean annual retention over the last {weeks} weeks: {result.labels[0]} {result.final_year(0).mean():.1%}, "
            f"{result.labels[1]} {result.final_year(1).mean():.1%}; difference {100 * mean:+.1f} points "
            f"({BAND:.0%} interval {100 * low:+.1f} to {100 * high:+.1f}, same seeds, "
            f"{result.replications} replications; {kind}).")


@solara.component
def CompareView(session: Session):
    """Pick two scenarios and a number of replications; run; see the bands."""
    presets = solara.use_memo(list_presets, [])
    choices = [CURRENT, WITHOUT, *(p.name for p in presets)]
    error = solara.use_reactive(None)
    chart = solara.use_memo(lambda: charts.RetentionChart("420px"), [])

    def maker(name):
        setup = session.setup
        if name == CURRENT:
            return setup.scenario
        if name == WITHOUT:
            return replace(setup, interventions=()).scenario
        preset = next(p for p in presets if p.name == name)
        return lambda r: preset.scenario(replication=r, **setup.sizes())

    def run():
        count = check_replications(replications.value)

        def progress(share):
            task.progress = 100 * share

        return compare([(name, maker(name)) for name in (first.value, second.value)], count,
                       progress=progress, stopped=lambda: not task.is_current())

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)

    def start():
        try:
            check_replications(replications.value)
        except InputError as problem:
            error.set(str(problem))
            return
        error.set(None)
        task()

    result = task.value if task.finished else None
    same = {first.value, second.value} == {CURRENT, WITHOUT}
    names = (result.labels[1], result.labels[0]) if result is not None else ("", "")

    def draw():
        if result is not None:
            chart.update(charts.NO_RUN, result.runs[0].shape[1], START, result.effect(), names)

    solara.use_effect(draw, [result])
    solara.Text("Runs both scenarios with the same seeds at the organisation size, weeks and seed set on the "
                "Explore tab.", style={"font-size": "0.9rem"})
    with solara.Row():
        solara.Select("First scenario", values=choices, value=first)
        solara.Select("Second scenario", values=choices, value=second)
        solara.InputText("Replications", value=replications, continuous_update=True,
                         message=f"{REPLICATIONS[0]} to {REPLICATIONS[1]}")
    with solara.Row():
        solara.Button("Run comparison", color="primary", on_click=start, disabled=task.pending)
        solara.Button("Cancel", color="error", outlined=True, on_click=task.cancel, disabled=not task.pending)
    if error.value:
        solara.Error(error.value)
    if task.pending:
        solara.ProgressLinear(task.progress if task.progress is not None else True)
        solara.Text(f"Running… {task.progress or 0:.0f}%")
    elif task.error:
        solara.Error(f"The comparison failed: {task.exception}")
    elif task.cancelled:
        solara.Info("Comparison cancelled.")
    if result is not None:
        solara.Text(summary(result, same), style={"font-weight": "bold"})
        ChartBox(chart.figure, f"Mean retention of each scenario with its {BAND:.0%} band, week by week, in %. "
                 + summary(result, same), key=charts.retention_legend(names, changes=False, run=False))
        with solara.Row():
            solara.FileDownload(lambda: result.table().to_csv(index=False), filename="comparison.csv",
                                label="comparison.csv", mime_type="text/csv")
            solara.FileDownload(lambda: pngs.png_bytes(pngs.retention_chart(
                charts.NO_RUN, result.effect(), labels=names, start=START,
                weeks=result.runs[0].shape[1])), filename="comparison.png", label="comparison.png",
                mime_type="image/png")
