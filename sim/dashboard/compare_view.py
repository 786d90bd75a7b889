"""Compare two scenarios side by side with replications, in the background, with progress and cancel."""

from __future__ import annotations

import pandas as pd
import solara
import solara.lab

from sim.dashboard import charts
from sim.dashboard.runs import BAND, FINAL_YEAR, Comparison, compare
from sim.dashboard.session import Session
from sim.scenario import InputError, whole_number
from sim.scenario_files import list_presets

CURRENT = "your settings (Explore tab)"
REPLICATIONS = (2, 100)


def check_replications(text) -> int:
    """Replications typed into the page."""
    return whole_number(text, *REPLICATIONS, "replications")


def comparison_table(result: Comparison) -> pd.DataFrame:
    """The comparison's bands, week by week, for download."""
    frames = [pd.DataFrame({"scenario": s.label, "week": s.week, "retention_mean": s.mean,
                            f"retention_low_{BAND:.0%}": s.low, f"retention_high_{BAND:.0%}": s.high})
              for s in result.series]
    return pd.concat(frames, ignore_index=True)


def summary(result: Comparison) -> str:
    """The comparison in one sentence."""
    first, second = result.series
    mean, low, high = result.difference()
    weeks = min(len(first.week), FINAL_YEAR)
    return (f"Mean annual retention over the last {weeks} weeks: {first.label} {first.final_year.mean():.1%}, "
            f"{second.label} {second.final_year.mean():.1%}; difference {100 * mean:+.1f} points "
            f"({BAND:.0%} interval {100 * low:+.1f} to {100 * high:+.1f}, same seeds, "
            f"{result.replications} replications).")


@solara.component
def CompareView(session: Session):
    """Pick two scenarios and a number of replications; run; see the bands."""
    presets = solara.use_memo(list_presets, [])
    choices = [CURRENT, *(p.name for p in presets)]
    first = solara.use_reactive(presets[0].name)
    second = solara.use_reactive(CURRENT)
    replications = solara.use_reactive("10")
    error = solara.use_reactive(None)

    def run():
        count = check_replications(replications.value)
        by_name = {p.name: p for p in presets}
        setup = session.setup
        sizes = setup.sizes()

        def maker(name):
            if name == CURRENT:
                return setup.scenario
            return lambda r: by_name[name].scenario(replication=r, **sizes)

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

    solara.Text("Runs both scenarios with the same seeds at the organisation size, weeks and seed set on the "
                "Explore tab.", style={"font-size": "0.9rem"})
    with solara.Row():
        solara.Select("first scenario", values=choices, value=first)
        solara.Select("second scenario", values=choices, value=second)
        solara.InputText("replications", value=replications, continuous_update=True,
                         message=f"{REPLICATIONS[0]} to {REPLICATIONS[1]}")
    with solara.Row():
        solara.Button("Run comparison", color="primary", on_click=start, disabled=task.pending)
        solara.Button("Cancel", color="error", outlined=True, on_click=task.cancel, disabled=not task.pending)
    result = task.value if task.finished else None
    figure = solara.use_memo(lambda: charts.comparison_chart(result) if result else None, [result])
    if error.value:
        solara.Error(error.value)
    if task.pending:
        solara.ProgressLinear(task.progress if task.progress is not None else True)
        solara.Text(f"Running… {task.progress or 0:.0f}%")
    elif task.error:
        solara.Error(f"The comparison failed: {task.exception}")
    elif result is not None:
        solara.Text(summary(result), style={"font-weight": "bold"})
        solara.Image(charts.png_bytes(figure, dpi=100), format="png", width="min(100%, 960px)")
        with solara.Row():
            solara.FileDownload(lambda: comparison_table(result).to_csv(index=False), filename="comparison.csv",
                                label="comparison.csv", mime_type="text/csv")
            solara.FileDownload(lambda: charts.png_bytes(figure), filename="comparison.png", label="comparison.png",
                                mime_type="image/png")
    elif task.cancelled:
        solara.Info("Comparison cancelled.")
