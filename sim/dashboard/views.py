"""What the page shows of a run: the answer in words, the charts, downloads, and the presentation view."""

from __future__ import annotations

import solara

from sim import record
from sim.dashboard import charts, pngs
from sim.dashboard.bands import BAND, REPLICATIONS
from sim.dashboard.controls import PresetPicker, RunControls, SpeedPicker
from sim.dashboard.session import Session, changes, edits, effect, per_click, playing

START = getattr(record, "RETENTION_WINDOW", 1)  # retention needs a full trailing window: shown from this week
YEARS = ((52, "1 year"), (104, "2 years"))
CSS = """
.v-app-bar.v-toolbar { background-color: #1d3557 !important; }
.v-field-label, .v-label, .v-messages, .v-messages__message { color: #333 !important; opacity: 1 !important; }
.cf-chart svg text { font-size: 14px; }
.cf-large svg text, .cf-large svg .legendtext { font-size: 20px !important; }
.cf-large svg .mainheading { font-size: 24px !important; }
figure.cf-figure { margin: 0; }
figure.cf-figure figcaption { font-size: 0.85rem; color: #333; }
.cf-large figure.cf-figure figcaption { font-size: 1rem; }
.cf-upload input { margin-left: 0.5em; }
.cf-key { display: inline-flex; align-items: center; margin-right: 1.2em; font-size: 0.9rem; }
.cf-large .cf-key { font-size: 1.1rem; }
.cf-chart:not(.cf-large) .cf-keys { display: flex; flex-direction: column; }
.cf-swatch { display: inline-block; width: 28px; margin-right: 0.4em; }
"""


def labels(session: Session) -> tuple[str, str]:
    """The scenario's name and its counterfactual's, in words."""
    other = session.setup.counterfactual()
    return session.setup.preset.name, other[0] if other else None


def points(value: float) -> str:
    """A difference of retention shares in points: "+5.9 points"."""
    return f"{100 * value:+.1f} points"


def headline(session: Session, found) -> str:
    """The strategist's answer: the effect at 1 and 2 years with its interval, and from when it shows."""
    other = session.setup.counterfactual()
    if other is None:
        return ("Baseline with no scheduled changes: nothing to compare it with. Pick a preset or schedule a "
                "change (Explore, left) to see its effect.")
    name, against = labels(session)
    if found is None or found.difference is None:
        return f"{name} against {against}: running the first replications…"
    parts = []
    for week, words in YEARS:
        at = found.at(week)
        if at is not None:
            mean, low, high = at
            parts.append(f"at {words} {points(mean)} ({BAND:.0%} interval {points(low)} to {points(high)})")
    effect_words = "; ".join(parts) or "the run is shorter than a year"
    shows = found.shows_from() if found.replications >= 2 else None
    when = (f"It shows from week {max(shows, START)}: from then on the difference stays clear of noise."
            if shows else "The difference does not stay clear of noise by the end of the run.")
    progress = "" if found.replications >= REPLICATIONS else f" (so far {found.replications} of {REPLICATIONS})"
    return (f"{name} against {against}: annual retention {effect_words}. {when} "
            f"From {found.replications} replications with the same seeds{progress}.")


@solara.component
def Headline(session: Session, large: bool = False):
    """The answer in words (see ``headline``)."""
    edits.get()
    solara.Text(headline(session, effect.value),
                style={"font-size": "1.2rem" if large else "1.05rem", "font-weight": "500", "display": "block",
                       "line-height": "1.35"})


@solara.component
def ChartBox(figure, caption: str, large: bool = False, key=()):
    """A bqplot figure with its key (colour, line style, words) and its caption as the text alternative."""
    entries = [solara.v.Html(tag="span", class_="cf-key", children=[
        solara.v.Html(tag="span", class_="cf-swatch", style_=f"border-top: 4px {style} {colour}"), words])
        for colour, style, words in key]
    keys = [solara.v.Html(tag="div", class_="cf-keys", children=entries)] if key else []
    solara.v.Html(tag="figure", class_="cf-figure cf-chart" + (" cf-large" if large else ""),
                  attributes={"aria-label": caption},
                  children=[figure, *keys, solara.v.Html(tag="figcaption", children=[caption])])


@solara.component
def Retention(session: Session, height: str = "380px", large: bool = False):
    """Retention: this run over its band, beside the counterfactual's band; the change marked."""
    changes.get()  # redraw after every step
    view, found, setup = session.view, effect.value, session.setup
    chart = solara.use_memo(lambda: charts.RetentionChart(height), [])
    names = labels(session)
    solara.use_effect(lambda: chart.update(view.outputs, view.weeks, START, found, names, setup.interventions),
                      [view, found, setup])
    ChartBox(chart.figure, charts.caption_retention(view, found, START, names), large,
             key=charts.retention_legend(names, bool(setup.interventions)))


@solara.component
def Lost(session: Session, height: str = "380px", large: bool = False, top: int = 8):
    """Customers lost by reason."""
    changes.get()
    view = session.view
    chart = solara.use_memo(lambda: charts.LostChart(height, top), [])
    solara.use_effect(lambda: chart.update(view.lost_by_reason), [view])
    ChartBox(chart.figure, charts.caption_lost(view.lost_by_reason), large)


def retention_png(session: Session) -> bytes:
    """The retention chart as PNG, as the run stands when asked."""
    view = session.view
    return pngs.png_bytes(pngs.retention_chart(view.outputs, effect.value, labels=labels(session),
                                               interventions=session.setup.interventions, start=START,
                                               weeks=view.weeks))


@solara.component
def Downloads(session: Session):
    """The weekly outputs as CSV and the charts as PNG, made from the run as it stands when clicked."""
    with solara.Row():
        solara.FileDownload(lambda: session.view.outputs.to_csv(index=False), filename="weekly_outputs.csv",
                            label="weekly_outputs.csv", mime_type="text/csv")
        solara.FileDownload(lambda: retention_png(session), filename="retention.png", label="retention.png",
                            mime_type="image/png")
        solara.FileDownload(lambda: pngs.png_bytes(pngs.lost_by_reason_chart(session.view.lost_by_reason)),
                            filename="lost_by_reason.png", label="lost_by_reason.png", mime_type="image/png")


@solara.component
def Explorer(session: Session):
    """The customers' side: the answer, retention against the counterfactual, why customers leave, downloads.

    Only the parts that change with a step listen to steps, so a step redraws little: a class shares the server.
    """
    Headline(session)
    with solara.Columns([3, 2]):
        Retention(session)
        Lost(session)
    Downloads(session)


@solara.component
def Inside(session: Session):
    """The organisation's side: customer focus by function and level, handoffs, every employee."""
    changes.get()
    view = session.view
    focus, handoffs, people = solara.use_memo(lambda: session.read(lambda m: (
        m.focus_by_function_and_level(), m.handoff_success_by_pair(),
        (m.organisation.function.copy(), m.organisation.level.copy(), m.culture.focus.copy()))), [view])
    focus_chart = solara.use_memo(lambda: charts.GridChart("Customer focus (0 to 1) by function and level", 0, 1),
                                  [])
    handoff_chart = solara.use_memo(lambda: charts.GridChart("Handoff success (share), from row to column", 0.5, 1),
                                    [])
    people_chart = solara.use_memo(charts.OrganisationChart, [])

    def update():
        focus_chart.update(focus)
        handoff_chart.update(handoffs)
        people_chart.update(*people)

    solara.use_effect(update, [view])
    Headline(session)
    with solara.Columns([1, 1]):
        ChartBox(focus_chart.figure, charts.caption_grid("Customer focus by function and level", focus))
        ChartBox(handoff_chart.figure, charts.caption_grid("Handoff success between functions (black: no handoffs yet)",
                                                           handoffs))
    ChartBox(people_chart.figure, "Every employee, grouped by function, coloured by customer focus "
             "(managers and executives drawn larger).")


@solara.component
def Presentation(session: Session):
    """For trainers, one projector screen: the story, the controls, the answer and the chart."""
    from sim.dashboard.browser import KeysAndFullScreen

    edits.get()
    preset = session.setup.preset

    def press(key: str):
        if key == "space" and session.view.running:
            playing.set(not playing.value)
        elif key == "right" and not playing.value:
            session.step(per_click.value)

    with solara.Column(gap="6px", style={"padding": "0 8px"}):
        solara.v.Html(tag="h1", children=[preset.name], style_="font-size: 2rem; margin: 0; line-height: 1.2")
        solara.v.Html(tag="p", children=[preset.description.strip()],
                      style_="font-size: 1.1rem; line-height: 1.3; margin: 0")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="12px"):
            with solara.Div(style={"min-width": "320px"}):
                PresetPicker(session, describe=False)
            RunControls(session, large=True)
            SpeedPicker()
            KeysAndFullScreen(event_press=press)
            solara.Text("Keys: space plays or pauses, → steps one week.", style={"font-size": "0.95rem"})
        Headline(session, large=True)
        Retention(session, height="calc(100vh - 500px)", large=True)

