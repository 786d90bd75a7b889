"""Docking: the fast array model and the plain agent-by-agent reference agree in distribution.

``sim.CustomerFocusModel`` and ``tests.reference_model.ReferenceModel`` implement
the same rules in two independent ways and draw different random numbers, so
they are compared over many seeds, output by output:

* sizes: 64 employees, 600 customers, 40 weeks; ``N_SEEDS`` = 60 runs of each
  model per lever setting, the fast model on seeds 0..59 and the reference on
  seeds 10_000..10_059 (fixed, so the test is deterministic);
* settings: the defaults, and a "bold" setting (courage, transparency and
  metric alignment 0.8) in which leaders break silos, fix handoffs and
  confront resisters every week;
* per output, three checks must all pass:
  1. two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``): p > 0.001;
  2. Welch t-test on the means: p > 0.001;
  3. equivalence (TOST at 5 %): the 90 % Welch confidence interval of the
     difference in means lies inside ±margin, the margin stated per output in
     ``OUTPUTS`` as a difference too small to matter.  Every margin is at least
     about five standard errors of the difference at 60 seeds, so two models
     that truly agree pass with high probability whatever the seeds;
* negative controls: a reference with one rule changed (handoffs harder, or
  failed journeys hurting half as much) must fail the same comparison on the
  output the change affects, which shows the checks have power.

The statistics test the comparison, not the model: no expected value of any
output is written here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

import sim
from sim.customers import FAILURE_LOSS
from sim.work import HANDOFF_BASE, HANDOFFS
from reference_model import Customer, ReferenceModel

SIZE = {"n_employees": 64, "n_customers": 600, "weeks": 40}
N_SEEDS = 60
FAST_SEEDS = range(N_SEEDS)
REFERENCE_SEEDS = range(10_000, 10_000 + N_SEEDS)
SETTINGS = {
    "defaults": {},
    "bold": {"leadership_courage": 0.8, "transparency": 0.8, "metric_alignment": 0.8},
}
ALPHA = 0.001  # KS and Welch: reject agreement below this p-value
TOST_LEVEL = 0.90  # two one-sided tests at 5 %: the 90 % interval must lie inside ±margin

# output: (what it is, equivalence margin on the difference in means)
OUTPUTS: dict[str, tuple[str, float]] = {
    "focus_final": ("customer_focus_mean in the last week", 0.01),
    "trust_final": ("trust_mean in the last week", 0.01),
    "satisfaction_week1": ("satisfaction_mean in week 1 (the book's history)", 0.02),
    "satisfaction_final": ("satisfaction_mean in the last week", 0.02),
    "cross_silo_success": ("cross_silo_handoff_success_rate averaged over the weeks", 0.005),
    "delayed_share": ("share of all journeys delayed", 0.02),
    "customers_lost": ("customers_lost summed over the run", 15.0),
    "retention_final": ("retention_rate in the last week", 0.04),
    "lost_to_cross_handoffs": ("share of lost customers whose reason is a handoff between functions", 0.08),
    "barrier_final": ("barrier_mean in the last week", 0.02),
    "handoffs_fixed": ("handoffs_fixed summed over the run", 3.0),
    "employees_replaced": ("employees_replaced summed over the run", 1.5),
}
CROSS = [i for i, (a, b) in enumerate(HANDOFFS) if a != b]


def summarise(df, lost_to_cross: int, lost: int) -> dict[str, float]:
    """The compared outputs of one run, from its weekly table and its losses by reason."""
    return {
        "focus_final": df["customer_focus_mean"].iloc[-1],
        "trust_final": df["trust_mean"].iloc[-1],
        "satisfaction_week1": df["satisfaction_mean"].iloc[0],
        "satisfaction_final": df["satisfaction_mean"].iloc[-1],
        "cross_silo_success": np.nanmean(df["cross_silo_handoff_success_rate"]),
        "delayed_share": df["journeys_delayed"].sum() / df["journeys"].sum(),
        "customers_lost": df["customers_lost"].sum(),
        "retention_final": df["retention_rate"].iloc[-1],
        "lost_to_cross_handoffs": lost_to_cross / lost if lost else np.nan,
        "barrier_final": df["barrier_mean"].iloc[-1],
        "handoffs_fixed": df["handoffs_fixed"].sum(),
        "employees_replaced": df["employees_replaced"].sum(),
    }


def fast_run(seed: int, levers: dict) -> dict[str, float]:
    model = sim.CustomerFocusModel(**SIZE, seed=seed, **levers)
    df = model.run()
    by_reason = model.customers.lost_by_reason
    return summarise(df, int(by_reason[CROSS].sum()), int(by_reason.sum()))


def reference_run(seed: int, levers: dict, model_type: type[ReferenceModel] = ReferenceModel) -> dict[str, float]:
    model = model_type(**SIZE, seed=seed, **levers)
    df = model.run()
    by_reason = model.lost_by_reason
    cross = sum(n for reason, n in by_reason.items() if isinstance(reason, tuple) and reason[0] != reason[1])
    return summarise(df, cross, sum(by_reason.values()))


def collect(runs: list[dict[str, float]]) -> dict[str, np.ndarray]:
    return {name: np.array([run[name] for run in runs], dtype=float) for name in OUTPUTS}


@functools.cache
def fast_samples(setting: str) -> dict[str, np.ndarray]:
    return collect([fast_run(seed, SETTINGS[setting]) for seed in FAST_SEEDS])


@functools.cache
def reference_samples(setting: str, model_type: type[ReferenceModel] = ReferenceModel) -> dict[str, np.ndarray]:
    return collect([reference_run(seed, SETTINGS[setting], model_type) for seed in REFERENCE_SEEDS])


@dataclass
class Verdict:
    """The three checks of one output."""

    ks_p: float
    welch_p: float
    difference: float  # reference mean minus fast mean
    interval: tuple[float, float]  # TOST_LEVEL Welch confidence interval of the difference
    margin: float

    @property
    def agrees(self) -> bool:
        low, high = self.interval
        return self.ks_p > ALPHA and self.welch_p > ALPHA and -self.margin < low and high < self.margin

    def __str__(self) -> str:
        low, high = self.interval
        return (f"KS p={self.ks_p:.3g}, Welch p={self.welch_p:.3g}, difference {self.difference:+.4g} "
                f"({TOST_LEVEL:.0%} CI {low:+.4g} to {high:+.4g}; margin ±{self.margin:g})")


def compare(fast: np.ndarray, reference: np.ndarray, margin: float) -> Verdict:
    """KS and Welch tests, and the Welch confidence interval of the difference in means."""
    fast, reference = fast[~np.isnan(fast)], reference[~np.isnan(reference)]
    welch = stats.ttest_ind(reference, fast, equal_var=False)
    ci = welch.confidence_interval(TOST_LEVEL)
    return Verdict(
        ks_p=float(stats.ks_2samp(fast, reference).pvalue),
        # identical constant samples (e.g. no fixes at all) have no variance: they agree
        welch_p=1.0 if np.isnan(welch.pvalue) else float(welch.pvalue),
        difference=float(reference.mean() - fast.mean()),
        interval=(0.0, 0.0) if np.isnan(ci.low) else (float(ci.low), float(ci.high)),
        margin=margin,
    )


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("setting", SETTINGS)
def test_reference_and_fast_model_agree(setting, output):
    verdict = compare(fast_samples(setting)[output], reference_samples(setting)[output], OUTPUTS[output][1])
    assert verdict.agrees, f"{setting}: {OUTPUTS[output][0]} differs: {verdict}"


def test_bold_setting_exercises_leadership():
    """The bold setting must actually fix handoffs and replace people in both models."""
    for samples in (fast_samples("bold"), reference_samples("bold")):
        assert samples["handoffs_fixed"].mean() > 5
        assert samples["employees_replaced"].mean() > 1


class HarderHandoffs(ReferenceModel):
    """Negative control: HANDOFF_BASE lowered by 0.3, so every handoff fails more often."""

    handoff_base = HANDOFF_BASE - 0.3


class ForgivingCustomer(Customer):
    """A failed journey costs half the satisfaction it should."""

    failure_loss = FAILURE_LOSS / 2


class ForgivingCustomers(ReferenceModel):
    """Negative control: failures hurt customers half as much."""

    customer_type = ForgivingCustomer


@pytest.mark.parametrize(("control", "output"), [
    (HarderHandoffs, "cross_silo_success"),
    (ForgivingCustomers, "satisfaction_final"),
])
def test_negative_control_is_detected(control, output):
    verdict = compare(fast_samples("defaults")[output], reference_samples("defaults", control)[output],
                      OUTPUTS[output][1])
    assert not verdict.agrees, f"{control.__name__} was not detected on {output}: {verdict}"
