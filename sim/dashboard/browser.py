"""Small pieces that must run in the browser: keys and full screen (Present), reading an upload, accessible names."""

from __future__ import annotations

from collections.abc import Callable

import solara

UPLOAD_LIMIT = 100_000  # bytes: a scenario file is a few hundred


@solara.component_vue("keys.vue")
def KeysAndFullScreen(event_press: Callable[[str], None]):
    """Space (play/pause) and the right arrow (step) while mounted, and a full-screen button."""


@solara.component_vue("upload.vue")
def UploadText(label: str, event_upload: Callable[[dict], None], limit: int = UPLOAD_LIMIT):
    """A file picker that sends the chosen file's name, size and text (None above ``limit`` bytes)."""


@solara.component_vue("labels.vue")
def AccessibleNames():
    """The page's language, and names for the sliders and the menu button, which the widgets leave out."""
