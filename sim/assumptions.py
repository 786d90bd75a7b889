"""The model's judgement constants as data: name, value, plausible range, unit, source.

Every constant a mechanism uses is declared once in :data:`ASSUMPTIONS`.  A
run reads them from an :class:`Assumptions` object (defaults overridden by
``--assume NAME=VALUE``, a scenario file's ``[assumptions]`` table, a sweep's
uncertainties or a calibration's posterior), never from module globals, so
overriding one in a run, on a Dask worker or in a sweep always takes effect.
``cfsim assumptions`` lists them; docs/ODD.md's constants table is
:func:`markdown_table` (``python -m sim.assumptions`` prints it), and
tests/test_odd.py checks that it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError


@dataclass(frozen=True)
class Assumption:
    """One judgement constant: its default, plausible range, unit and source."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    help: str
    integer: bool = False

    def allowed(self) -> str:
        """Describe in words what this assumption accepts."""
        if self.integer:
            return f"a whole number from {self.low:g} to {self.high:g}"
        return f"a number from {self.low:g} to {self.high:g}"


def _a(name, value, low, high, unit, source, help_text, integer=False) -> Assumption:
    return Assumption(name, value, low, high, unit, source, help_text, integer)


# The table.  Ranges are plausible ranges (what a referee would accept), not mere
# validity bounds; a sweep's default uncertainty range is this range.
_J = "judgement"
_TABLE: tuple[Assumption, ...] = (
    # organisation
    _a("manager_share", 0.12, 0.08, 0.20, "share of staff", "span of control of about 1:7 (judgement)",
       "share of each function's staff who are managers"),
    _a("ties_per_employee", 8, 4, 16, "ties", _J, "informal ties each employee has", integer=True),
    # culture: who observes whom (seeds 001, 002: employees observe and mimic the focus leaders display)
    _a("self_weight", 1.0, 0.5, 2.0, "relative weight", _J, "weight of one's own current behaviour"),
    _a("manager_weight", 1.0, 0.5, 2.0, "relative weight", "seeds 001, 002", "weight of one's manager's example"),
    _a("skip_weight", 0.5, 0.25, 1.0, "relative weight", _J, "weight of one's manager's manager's example"),
    _a("executive_weight", 5.0, 2.5, 7.5, "relative weight", "seed 002 (transparency)",
       "weight of the executives' example at full transparency"),
    _a("peer_weight", 1.0, 0.5, 2.0, "relative weight", "seed 000", "weight of one's informal peers"),
    _a("words_weight", 0.2, 0.0, 0.5, "relative weight", "seed 002: words carry less weight than actions",
       "weight of what leaders say, at full trust"),
    _a("incentive_weight", 1.0, 0.5, 2.0, "relative weight", "seed 003: align measurements",
       "weight of what one is measured and rewarded on"),
    _a("susceptibility", 0.9, 0.8, 0.97, "share", "Friedkin & Johnsen 2011",
       "weight of what staff observe against their own disposition"),
    _a("executive_susceptibility", 0.5, 0.3, 0.7, "share", _J,
       "the same for executives, who hold more firmly to their commitment"),
    _a("socialisation_rate", 0.02, 0.005, 0.05, "per week", "Harrison & Carroll 1991; March 1991",
       "weekly drift of a person's own disposition towards how they behave at work"),
    _a("hiring_fit", 0.8, 0.5, 0.9, "share", "Schneider 1987 (attraction-selection-attrition)",
       "how far a hire's disposition is chosen to resemble the hiring manager's displayed focus"),
    # trust (seed 002: honesty, integrity, transparency builds trust)
    _a("trust_base", 0.35, 0.2, 0.5, "trust", _J, "trust in leaders who show nothing and do nothing for customers"),
    _a("trust_integrity", 0.35, 0.2, 0.5, "trust", "Mayer, Davis & Schoorman 1995",
       "trust gained from leaders whose deeds serve customers and staff (full focus)"),
    _a("trust_transparency", 0.45, 0.3, 0.6, "trust", "seed 002", "trust gained from full transparency"),
    _a("trust_gap", 1.0, 0.5, 1.5, "trust per unit gap", "seed 002: actions outweigh words",
       "trust lost per unit of say-do gap seen"),
    _a("gap_visibility", 0.3, 0.1, 0.5, "share", _J,
       "share of the say-do gap people see with no transparency (through their own manager)"),
    _a("trust_rate", 0.05, 0.02, 0.1, "per week", _J, "share of the distance to the trust target closed per week"),
    # engagement and turnover (seed 001: coaching, positive environment; seed 004: frustration)
    _a("engagement_base", 0.5, 0.3, 0.7, "engagement", _J, "engagement under a manager who shows no customer focus"),
    _a("engagement_rate", 0.1, 0.05, 0.2, "per week", _J, "share of the distance to engagement's target closed"),
    _a("coaching_effect", 0.3, 0.15, 0.45, "engagement", "seed 001; Harter et al. 2002",
       "engagement from a manager who coaches (full displayed focus)"),
    _a("pressure_effect", 0.5, 0.25, 1.0, "engagement per unit overload", "Oliva & Sterman 2001",
       "engagement lost per unit of work beyond capacity"),
    _a("friction_effect", 2.0, 1.0, 3.0, "engagement per unit share", "seed 004: they will feel frustrated",
       "engagement lost at full cross-silo coordination cost"),
    _a("misfit_effect", 0.8, 0.4, 1.2, "engagement per unit", "seed 000: self-focused leaders kill collaboration",
       "engagement lost per unit one's focus exceeds one's manager's"),
    _a("turnover_base", 0.08, 0.04, 0.15, "per year", "judgement (engaged staff)",
       "annual turnover of fully engaged staff"),
    _a("turnover_disengaged", 0.35, 0.2, 0.5, "per year", "judgement",
       "extra annual turnover of fully disengaged staff"),
    _a("ramp_up_weeks", 13, 4, 26, "weeks", _J, "weeks until a hire works at full speed", integer=True),
    # leadership (seed 003: courage)
    _a("silo_breaking_rate", 0.05, 0.02, 0.08, "per week", "seed 003: break down silos",
       "share of every barrier removed per week at full courage"),
    _a("silo_reform_rate", 0.02, 0.01, 0.04, "per week", "seed 000: no common direction by default",
       "share of the distance back to the silos' natural barrier regained per week without customer focus"),
    _a("fix_rate", 0.25, 0.1, 0.4, "per executive-week", "seed 001: remove obstacles",
       "chance an executive fixes a failing handoff in a week at full courage"),
    _a("fix_size", 0.5, 0.25, 0.75, "share", _J, "share of a fixed handoff's barrier removed"),
    _a("listening_share", 0.3, 0.0, 0.6, "share", "seed 003: listen to customers",
       "chance a fix is aimed by listening to customers when metrics cannot say why they leave"),
    _a("resister_disposition", 0.25, 0.15, 0.35, "disposition", "seed 003: face the naysayers",
       "staff below this disposition resist the change"),
    _a("confront_rate", 0.05, 0.02, 0.1, "per resister-week", "seed 003", "chance a resister is confronted"),
    _a("change_share", 0.5, 0.25, 0.75, "share", "seed 003: join us or leave us",
       "share of those confronted who change rather than leave"),
    _a("fix_effort", 4.0, 1.0, 8.0, "staff-weeks", "Repenning & Sterman 2001", "work a handoff fix takes"),
    _a("funding_gain", 0.1, 0.0, 0.2, "share of capacity", "seed 003: fund the change",
       "capacity added for the change at full courage"),
    # work (seed 004: handoffs across silos must be executed well)
    _a("journey_rate", 0.1, 0.05, 0.2, "per account-week", _J, "journeys each active account starts per week"),
    _a("handoff_base", 1.9, 1.3, 2.5, "log-odds", _J, "log-odds that people with no customer focus"
       " execute a handoff well"),
    _a("handoff_focus", 4.0, 3.0, 5.5, "log-odds", "seed 004", "log-odds of good execution added by full"
       " customer focus"),
    _a("handoff_structure", 6.3, 5.5, 7.1, "log-odds", _J, "log-odds that no barrier stops a well-executed handoff"),
    _a("handoff_barrier", 6.0, 4.5, 7.5, "log-odds", "seed 004", "log-odds the structure loses across a full barrier"),
    _a("collab_cost", 1.0, 0.5, 1.5, "share of a stage", "seed 004: it will seem to slow people down",
       "extra time of a stage handed across an open boundary, for people not used to it"),
    _a("collab_learning", 0.02, 0.01, 0.04, "per week", "Repenning & Sterman 2001",
       "rate at which cross-function working becomes routine"),
    _a("rework", 0.5, 0.25, 1.0, "share", "Oliva & Sterman 2001",
       "work and time a failed handoff adds, as a share of a stage (work) or of the journey (time)"),
    _a("stages_per_employee", 5.7, 4.5, 8.0, "stages per week", _J, "journey stages one employee completes a week"),
    _a("staffing_headroom", 1.2, 1.05, 1.5, "ratio", "Oliva & Sterman 2001",
       "capacity the organisation plans over expected demand"),
    _a("safety_staffing", 2.0, 1.0, 3.0, "standard deviations", "Halfin & Whitt 1981 (square-root staffing)",
       "capacity planned beyond headroom against the weekly variation of the work"),
    _a("delay_tolerance", 1.0, 0.5, 2.0, "working days", _J,
       "queue a customer does not notice: work waiting longer than this is late"),
    _a("hiring_delay", 12, 4, 26, "weeks", "Oliva & Sterman 2001", "weeks to fill a position", integer=True),
    # customers (seed 004: customers lost or saved, and why)
    _a("market_factor", 2.0, 1.5, 4.0, "ratio", _J, "accounts in the market per account in the starting book"),
    _a("background_hazard", 0.0012, 0.0006, 0.002, "per week", "Statista 2018 (see ODD)",
       "weekly churn for reasons outside the organisation's reach"),
    _a("failure_hazard", 0.0065, 0.003, 0.012, "per week per failure", "Dixon, Freeman & Toman 2010",
       "extra weekly churn per recent failed journey"),
    _a("delay_effort", 0.3, 0.1, 0.5, "failures", "Dixon, Freeman & Toman 2010",
       "a delayed journey's effort relative to a failed one's"),
    _a("effort_memory", 0.95, 0.9, 0.98, "per week", _J, "share of a customer's remembered effort kept each week"),
    _a("win_rate", 0.0040, 0.003, 0.008, "per account-week", "calibrated (stationary book)",
       "weekly chance an account outside the book is won, at reference reputation"),
    _a("reputation_elasticity", 1.0, 0.0, 2.0, "elasticity", "Reichheld 1996 (word of mouth)",
       "how strongly winning customers follows the book's satisfaction"),
)


ASSUMPTIONS: dict[str, Assumption] = {a.name: a for a in _TABLE}


class Assumptions:
    """The assumption values of one run: attribute access, immutable, hashable into a dict."""

    __slots__ = ("_values",)

    def __init__(self, overrides: dict[str, Any] | None = None, where: str = ""):
        """Defaults, with ``overrides`` (name -> value) validated and applied."""
        values = {name: a.value for name, a in ASSUMPTIONS.items()}
        values.update(validate_assumptions(overrides or {}, where))
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> float:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("Assumptions are read-only; make a new one with overrides")

    def as_dict(self) -> dict[str, float]:
        """Every assumption and its value in this run."""
        return dict(self._values)

    def overrides(self) -> dict[str, float]:
        """Only the values that differ from the defaults."""
        return {k: v for k, v in self._values.items() if v != ASSUMPTIONS[k].value}

    def __eq__(self, other) -> bool:
        return isinstance(other, Assumptions) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        return f"Assumptions({self.overrides()!r})"


def check_assumption(name: str, value: Any, where: str = "") -> float | int:
    """``value`` typed for assumption ``name``, or an InputError naming it and what is allowed."""
    prefix = f"{where}{name}"
    if name not in ASSUMPTIONS:
        raise InputError(f"{prefix}: unknown assumption; `cfsim assumptions` lists them all")
    spec = ASSUMPTIONS[name]
    shown = value
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            raise InputError(f"{prefix} = {shown!r}: expected {spec.allowed()}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{prefix} = {shown!r}: expected {spec.allowed()}")
    if not math.isfinite(value) or not spec.low <= value <= spec.high:
        raise InputError(f"{prefix} = {shown!r} is out of range: expected {spec.allowed()}")
    if spec.integer:
        if not float(value).is_integer():
            raise InputError(f"{prefix} = {shown!r}: expected {spec.allowed()}")
        return int(value)
    return float(value)


def validate_assumptions(values: dict[str, Any], where: str = "") -> dict[str, float | int]:
    """Check every entry of ``values``; return them typed."""
    if not isinstance(values, dict):
        raise InputError(f"{where}assumptions: expected a table of name = value")
    return {name: check_assumption(name, value, where) for name, value in values.items()}


def markdown_table() -> str:
    """The constants table of docs/ODD.md: one row per assumption, in the order of :data:`ASSUMPTIONS`."""
    rows = ["| name | value | plausible range | unit | source | meaning |", "| --- | --- | --- | --- | --- | --- |"]
    for a in ASSUMPTIONS.values():
        value, low, high = (f"{int(v)}" if a.integer else f"{v:g}" for v in (a.value, a.low, a.high))
        unit, source, meaning = (text.replace("|", "\\|") for text in (a.unit, a.source, a.help))
        rows.append(f"| `{a.name}` | {value} | {low} to {high} | {unit} | {source} | {meaning} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
