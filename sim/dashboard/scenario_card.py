"""The scenario as a file: download it as TOML (``cfsim run`` takes it) and upload it back."""

from __future__ import annotations

import solara

from sim.dashboard.browser import UploadText
from sim.dashboard.session import Session, Setup, edits
from sim.scenario import InputError
from sim.scenario_files import parse_scenario, scenario_toml


def setup_toml(setup: Setup) -> str:
    """The setup as a scenario file."""
    return scenario_toml(setup.preset.name, setup.preset.description, setup.parameters, setup.interventions,
                         setup.assumptions)


def setup_from_text(name: str, text: str | None, size: int, limit: int) -> Setup:
    """The setup an uploaded scenario file describes (InputError naming the file and the field)."""
    if text is None:
        raise InputError(f"{name}: {size:,} bytes is too large for a scenario file (at most {limit:,})")
    key = name.removesuffix(".toml") or "uploaded"
    return Setup.of(parse_scenario(text, key, f"{name}: "))


@solara.component
def ScenarioFile(session: Session):
    """Download the scenario as TOML, or upload one."""
    edits.get()
    error = solara.use_reactive(None)
    setup = session.setup

    def upload(data: dict):
        try:
            session.change(setup_from_text(data["name"], data.get("text"), data["size"], 100_000))
            error.set(None)
        except InputError as problem:
            error.set(str(problem))

    solara.FileDownload(lambda: setup_toml(setup), filename=f"{setup.preset.key}.toml", label="Download scenario",
                        mime_type="application/toml")
    UploadText(label="Upload a scenario file", event_upload=upload)
    if error.value:
        solara.Error(error.value)
