"""Docking: the fast array model and the plain agent-by-agent reference agree on Model 2.

``sim.CustomerFocusModel`` and ``tests.reference_model.ReferenceModel`` implement
the same rules in two independent ways (the reference imports no mechanism
of ``sim``; it reads the assumptions table as data).

Exact check.  Given the same state, the culture update (trust, focus,
socialisation) and engagement draw no random numbers, so
``test_culture_and_engagement_identical_given_the_same_state`` copies the
fast model's organisation, ties and state into the reference and requires
the same trust, focus, disposition and engagement of every employee (to
1e-12) for 20 weeks with lever changes.

Distribution checks.  Everything else draws random numbers, which the two
models cannot share, so they are compared over seeds:

* sizes: ``SIZE`` (96 employees, 800 customers, 52 weeks); ``N_SEEDS`` runs of
  each model per setting, the fast model on seeds 0.. and the reference on
  seeds 10_000.. (fixed, so the test is deterministic);
* settings (``SETTINGS``): the defaults; "high" (every lever high, and at
  week 20 a reorganisation from silo strength 0.6 to 0.3: interventions,
  rewiring, barrier rescaling); "low" (no courage, little transparency or
  metric alignment, uncommitted leaders with a large say-do gap, strong
  silos);
* every weekly output of ``sim.record.WEEKLY_COLUMNS`` is compared through its
  mean over the run's weeks, and the book size and retention also through
  their value in the last week (``STATISTICS``); three checks must all pass:
  1. two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``): p > ALPHA;
  2. Welch t-test on the means: p > ALPHA;
  3. equivalence (TOST at 5 %): the 90 % Welch confidence interval of the
     difference in means lies inside ±margin, margin = 5 % of the fast
     model's mean or one between-run standard deviation of the fast model,
     whichever is larger (``RELATIVE_MARGIN``, ``SPREAD_MARGIN``: the first
     binds for levels such as focus, trust or the book size, the second for
     lumpy counts such as delays or fixes, which vary from run to run by far
     more than 5 %);
  where a statistic is constant in both samples (``week``; leaders' acts
  with no courage; barriers left at the silo strength) the two constants must
  be equal (up to rounding, ``EXACT_TOLERANCE``);
* negative controls: a reference with one rule changed (failures hurt half as
  much; the win rate 15 % too high; handoffs ignore the barrier) must fail
  the comparison on the output the change affects (``CONTROLS``; the win
  rate also on the book size), which shows the checks have power.

Nothing here states an expected value of any output: the fast model's samples
are the only yardstick.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

import sim
from sim import culture as culture_
from sim import staffing
from sim.record import WEEKLY_COLUMNS
from sim.scenario import CustomerFocusScenario, Intervention
from tests.reference_model import Customer, ReferenceModel

SIZE = {"n_employees": 96, "n_customers": 800, "weeks": 52}
N_SEEDS = 40
N_CONTROL_SEEDS = 24  # a control's effect is large: fewer reference runs suffice to reject it
FAST_SEEDS = range(N_SEEDS)
REFERENCE_SEEDS = range(10_000, 10_000 + N_SEEDS)
SETTINGS: dict[str, tuple[dict, tuple[Intervention, ...]]] = {
    "default": ({}, ()),
    "high": ({"leadership_courage": 0.8, "transparency": 0.8, "metric_alignment": 0.8,
              "leader_customer_focus": 0.9, "say_do_gap": 0.05},
             (Intervention(20, "silo_strength", 0.3),)),
    "low": ({"leadership_courage": 0.0, "transparency": 0.1, "metric_alignment": 0.0,
             "leader_customer_focus": 0.3, "say_do_gap": 0.6, "silo_strength": 0.9}, ()),
}
ALPHA = 0.001  # KS and Welch: agreement is rejected below this p-value
TOST_LEVEL = 0.90  # two one-sided tests at 5 %: the 90 % interval must lie inside ±margin
RELATIVE_MARGIN = 0.05  # equivalence margin: 5 % of the fast model's mean ...
EXACT_TOLERANCE = 1e-12  # relative: where both samples are constant they must be equal up to rounding
SPREAD_MARGIN = 1.0  # ... or this many between-run standard deviations of the fast model, whichever is larger

STATISTICS: dict[str, tuple[str, str]] = {  # statistic: (weekly column, "mean" over the run or "final" week)
    **{f"{column} mean": (column, "mean") for column in WEEKLY_COLUMNS},
    "customers_active final": ("customers_active", "final"),
    "retention_rate final": ("retention_rate", "final"),
}


def scenario(setting: str, seed: int) -> CustomerFocusScenario:
    """The scenario of one run."""
    levers, interventions = SETTINGS[setting]
    return CustomerFocusScenario(**SIZE, **levers, seed=seed, interventions=interventions)


def summarise(df) -> dict[str, float]:
    """The compared statistics of one run's weekly table."""
    assert list(df.columns) == list(WEEKLY_COLUMNS)
    return {name: float(np.nanmean(df[column]) if how == "mean" else df[column].iloc[-1])
            for name, (column, how) in STATISTICS.items()}


def collect(runs: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """One array per statistic."""
    return {name: np.array([run[name] for run in runs]) for name in STATISTICS}


@functools.cache
def fast_samples(setting: str) -> dict[str, np.ndarray]:
    """The fast model's statistics over FAST_SEEDS."""
    return collect([summarise(sim.CustomerFocusModel(scenario(setting, seed)).run()) for seed in FAST_SEEDS])


@functools.cache
def reference_samples(setting: str, model_type: type[ReferenceModel] = ReferenceModel,
                      n_seeds: int = N_SEEDS) -> dict[str, np.ndarray]:
    """A reference model's statistics over the first ``n_seeds`` of REFERENCE_SEEDS."""
    return collect([summarise(model_type(scenario(setting, seed)).run()) for seed in REFERENCE_SEEDS[:n_seeds]])


@dataclass
class Verdict:
    """The checks of one statistic."""

    ks_p: float
    welch_p: float
    difference: float  # reference mean minus fast mean
    interval: tuple[float, float]  # TOST_LEVEL Welch confidence interval of the difference
    margin: float
    equal: bool | None = None  # both samples constant: whether the two constants are equal (else None)

    @property
    def agrees(self) -> bool:
        """All checks pass."""
        if self.equal is not None:
            return self.equal
        low, high = self.interval
        return self.ks_p > ALPHA and self.welch_p > ALPHA and -self.margin < low and high < self.margin

    def __str__(self) -> str:
        if self.equal is not None:
            return f"constant in both, difference {self.difference:+.6g}"
        low, high = self.interval
        return (f"KS p={self.ks_p:.3g}, Welch p={self.welch_p:.3g}, difference {self.difference:+.4g} "
                f"({TOST_LEVEL:.0%} CI {low:+.4g} to {high:+.4g}; margin ±{self.margin:.4g})")


def margin(fast: np.ndarray) -> float:
    """The equivalence margin: RELATIVE_MARGIN of the fast model's mean or SPREAD_MARGIN of its spread."""
    return max(RELATIVE_MARGIN * abs(float(np.nanmean(fast))), SPREAD_MARGIN * float(np.nanstd(fast, ddof=1)))


def constant(sample: np.ndarray) -> bool:
    """All values equal, up to rounding (EXACT_TOLERANCE)."""
    return bool(np.ptp(sample) <= EXACT_TOLERANCE * max(1.0, float(np.abs(sample).max())))


def compare(fast: np.ndarray, reference: np.ndarray) -> Verdict:
    """KS and Welch tests and the Welch interval of the difference; exact equality where both are constant."""
    bound = margin(fast)
    fast, reference = fast[~np.isnan(fast)], reference[~np.isnan(reference)]
    if constant(fast) and constant(reference):
        equal = abs(reference[0] - fast[0]) <= EXACT_TOLERANCE * max(1.0, abs(fast[0]))
        return Verdict(1.0, 1.0, float(reference[0] - fast[0]), (0.0, 0.0), bound, equal=bool(equal))
    welch = stats.ttest_ind(reference, fast, equal_var=False)
    ci = welch.confidence_interval(TOST_LEVEL)
    return Verdict(float(stats.ks_2samp(fast, reference).pvalue), float(welch.pvalue),
                   float(reference.mean() - fast.mean()), (float(ci.low), float(ci.high)), bound)


@pytest.mark.slow
@pytest.mark.parametrize("setting", SETTINGS)
def test_reference_and_fast_model_agree(setting):
    fast, reference = fast_samples(setting), reference_samples(setting)
    verdicts = {name: compare(fast[name], reference[name]) for name in STATISTICS}
    failed = [f"{name}: {verdict}" for name, verdict in verdicts.items() if not verdict.agrees]
    assert not failed, f"{setting}: the models differ on\n" + "\n".join(failed)


@pytest.mark.slow
def test_settings_exercise_the_mechanisms():
    """Leaders fix handoffs where they have courage and not where they have none; some journeys are delayed."""
    for samples in (fast_samples("high"), reference_samples("high")):
        assert (samples["handoffs_fixed mean"] > 0).all()
    for samples in (fast_samples("low"), reference_samples("low")):
        assert (samples["handoffs_fixed mean"] == 0).all() and (samples["change_cost mean"] == 0).all()
    for samples in (fast_samples, reference_samples):
        assert sum(samples(setting)["journeys_delayed mean"].sum() for setting in SETTINGS) > 0


def copy_state(fast: sim.CustomerFocusModel, ref: ReferenceModel) -> None:
    """Give the reference the fast model's ties and every employee's state."""
    org, cult, staff = fast.organisation, fast.culture, fast.staff
    k = ref.a.ties_per_employee
    for i, e in enumerate(ref.employees):
        row = org.peers.getrow(i)
        e.peers = [ref.employees[j] for j, w in zip(row.indices, row.data, strict=True) for _ in range(round(w * k))]
        e.focus, e.trust, e.disposition = cult.focus[i], cult.trust[i], cult.disposition[i]
        e.engagement = staff.engagement[i]
    for unit in ref.functions:
        unit.overload = unit.friction = 0.0


def test_culture_and_engagement_identical_given_the_same_state():
    """From the fast model's state, the reference's trust, focus, socialisation and engagement match to 1e-12.

    Checks the seats, the reporting lines, the example channel, the say-do gap,
    transparency, incentives and socialisation employee by employee, with
    lever changes between weeks.
    """
    changes = {3: ("transparency", 0.7), 6: ("leader_customer_focus", 0.85), 9: ("say_do_gap", 0.6),
               12: ("metric_alignment", 0.5), 15: ("leader_customer_focus", 0.3)}
    for seed in range(3):
        parameters = {"n_employees": 67 + seed, "n_customers": 10, "weeks": 1, "seed": seed}
        fast = sim.CustomerFocusModel(CustomerFocusScenario(**parameters))
        ref = ReferenceModel(CustomerFocusScenario(**parameters))
        org = fast.organisation
        levels = ("executive", "manager", "frontline")
        assert [(e.function, levels.index(e.level)) for e in ref.employees] == list(zip(org.function, org.level,
                                                                                          strict=True))
        seat = {e: i for i, e in enumerate(ref.employees)}
        assert [seat[e.manager] if e.manager else i for i, e in enumerate(ref.employees)] == list(org.manager)
        copy_state(fast, ref)
        cult, staff, a = fast.culture, fast.staff, fast.assumptions
        zero = np.zeros(len(ref.functions))
        for week in range(20):
            if week in changes:
                lever, value = changes[week]
                setattr(fast.levers, lever, value)
                ref.levers[lever] = value
            culture_.update_trust(org, cult, fast.levers, a)
            culture_.update_focus(org, cult, fast.levers, a)
            staffing.update_engagement(staff, staffing.engagement_target(org, cult, a, zero, zero), a)
            ref.update_culture()
            for e in ref.employees:
                e.engage()
            for name, mine, theirs in (("trust", [e.trust for e in ref.employees], cult.trust),
                                       ("focus", [e.focus for e in ref.employees], cult.focus),
                                       ("disposition", [e.disposition for e in ref.employees], cult.disposition),
                                       ("engagement", [e.engagement for e in ref.employees], staff.engagement)):
                np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12,
                                           err_msg=f"{name}, seed {seed}, week {week}")


class ForgivingCustomer(Customer):
    """A failed journey adds half the effort it should."""

    failure_weight = 0.5


class ForgivingCustomers(ReferenceModel):
    """Negative control: failures hurt customers half as much."""

    customer_type = ForgivingCustomer


class GenerousMarket(ReferenceModel):
    """Negative control: the win rate is 15 % too high."""

    win_factor = 1.15


class BarrierBlindHandoffs(ReferenceModel):
    """Negative control: handoffs ignore the barrier between functions."""

    handoffs_see_barrier = False


CONTROLS = [
    (ForgivingCustomers, "default", "satisfaction_mean mean"),
    (GenerousMarket, "default", "customers_won mean"),
    (GenerousMarket, "default", "customers_active final"),  # the book size catches it too
    (BarrierBlindHandoffs, "default", "cross_silo_handoff_success_rate mean"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("control", "setting", "statistic"), CONTROLS)
def test_negative_control_is_detected(control, setting, statistic):
    verdict = compare(fast_samples(setting)[statistic],
                      reference_samples(setting, control, N_CONTROL_SEEDS)[statistic])
    assert not verdict.agrees, f"{control.__name__} was not detected on {statistic}: {verdict}"
