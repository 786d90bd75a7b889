"""The scenario in the page's address, so a link shares it and a reload keeps it.

    ?preset=new_leadership_team&seed=7&transparency=0.5&changes=26:leadership_courage:0.8

Only what differs from the preset is written; ``changes=none`` removes the
preset's interventions. Anything wrong in an address is refused as a whole
with a message, and the page opens on the Baseline.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from sim.dashboard.session import Setup, check_field
from sim.scenario import PARAMETERS, InputError, check_intervention
from sim.scenario_files import find_preset, list_presets

NO_CHANGES = "none"


def to_query(setup: Setup) -> str:
    """The address's query for ``setup``."""
    known = {p.key: p for p in list_presets()}
    base = setup.preset if known.get(setup.preset.key) == setup.preset else known["baseline"]  # e.g. an upload
    preset = Setup.of(base)
    pairs = [("preset", base.key)]
    pairs += [(k, str(v)) for k, v in setup.parameters.items() if preset.parameters.get(k) != v]
    if setup.interventions != preset.interventions:
        pairs.append(("changes", ",".join(f"{i.week}:{i.lever}:{i.value:g}" for i in setup.interventions)
                      or NO_CHANGES))
    return urlencode(pairs, safe=":,")


def from_query(query: str | None) -> Setup:
    """The setup an address's query describes (InputError naming the part that is wrong)."""
    pairs = dict(parse_qsl(query or ""))
    known = {p.key for p in list_presets()}
    key = pairs.pop("preset", "baseline")
    if key not in known:
        raise InputError(f"address: preset {key!r} is not one of {', '.join(sorted(known))}")
    setup = Setup.of(find_preset(key))
    changes = pairs.pop("changes", None)
    unknown = sorted(set(pairs) - set(PARAMETERS))
    if unknown:
        raise InputError(f"address: {unknown[0]!r} is not a setting of the page")
    parameters = {**setup.parameters, **{name: check_field(name, text) for name, text in pairs.items()}}
    setup = replace(setup, parameters=parameters)
    if changes is not None:
        timeline = []
        for part in [] if changes == NO_CHANGES else changes.split(","):
            week, _, rest = part.partition(":")
            lever, _, value = rest.partition(":")
            timeline.append(check_intervention(week, lever, value, parameters["weeks"], "address: changes "))
        setup = replace(setup, interventions=tuple(sorted(timeline)))
    setup.scenario()
    return setup
