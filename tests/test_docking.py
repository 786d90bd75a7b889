"""Docking: the fast array model and the plain agent-by-agent reference agree.

``sim.CustomerFocusModel`` and ``tests.reference_model.ReferenceModel`` implement
the same rules in two independent ways.

Exact check.  Culture has no randomness once the organisation and the
dispositions are drawn, so ``test_culture_is_identical_given_the_same_draws``
copies the fast model's draws into the reference and requires the same focus
and trust of every employee (to 1e-9) after settling and for 12 weeks with
lever interventions.

Distribution checks.  Everything else draws random numbers, which the two
models cannot share, so they are compared over many seeds, output by output:

* sizes: 64 employees, 600 customers, 40 weeks; ``N_SEEDS`` = 80 runs of each
  model per setting, the fast model on seeds 0..79 and the reference on seeds
  10_000..10_079 (fixed, so the test is deterministic);
* settings: the defaults; "bold" (courage, transparency and metric alignment
  0.8: leaders break silos, fix handoffs and confront resisters every week);
  "reorganised" (at week 15 silo strength falls from 0.6 to 0.3, courage and
  metric alignment rise to 0.6: interventions, rewiring, barrier rescaling);
* per output (``OUTPUTS``) three checks must all pass:
  1. two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``): p > 0.001;
  2. Welch t-test on the means: p > 0.001;
  3. equivalence (TOST at 5 %): the 90 % Welch confidence interval of the
     difference in means lies inside ±margin.  Each margin is stated in
     ``OUTPUTS``; each is a difference too small to matter for the output, and
     at least about five standard errors of the difference at 80 seeds (the
     largest SE over the settings), so two models that truly agree pass it with
     probability of about 99.9 % or more per output, whatever the seeds;
* negative controls: a reference with one rule changed (handoffs harder;
  failed journeys hurting half as much; fixes ignoring metric alignment) must
  fail the same comparison on the output the change affects, which shows the
  checks have power.

Nothing here states an expected value of any output: the fast model's samples
are the only yardstick.  With about 70 KS and Welch checks at p > 0.001 the
chance that a correct model fails by bad luck with a new set of seeds is a few
per cent; with the fixed seeds the result is reproducible.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

import sim
from sim.customers import FAILURE_LOSS
from sim.leadership import FIX_SIZE
from sim.organisation import TIES_PER_EMPLOYEE
from sim.scenario import CustomerFocusScenario, Intervention
from sim.work import HANDOFF_BASE, HANDOFFS
from tests.reference_model import Customer, F, ReferenceModel

SIZE = {"n_employees": 64, "n_customers": 600, "weeks": 40}
N_SEEDS = 80
FAST_SEEDS = range(N_SEEDS)
REFERENCE_SEEDS = range(10_000, 10_000 + N_SEEDS)
SETTINGS: dict[str, tuple[dict, tuple[Intervention, ...]]] = {
    "defaults": ({}, ()),
    "bold": ({"leadership_courage": 0.8, "transparency": 0.8, "metric_alignment": 0.8}, ()),
    "reorganised": ({}, (Intervention(15, "silo_strength", 0.3), Intervention(15, "leadership_courage", 0.6),
                         Intervention(15, "metric_alignment", 0.6))),
}
ALPHA = 0.001  # KS and Welch: agreement is rejected below this p-value
TOST_LEVEL = 0.90  # two one-sided tests at 5 %: the 90 % interval must lie inside ±margin

# output: (what it is, equivalence margin on the difference in means)
OUTPUTS: dict[str, tuple[str, float]] = {
    "focus_final": ("customer_focus_mean in the last week", 0.01),
    "trust_final": ("trust_mean in the last week", 0.01),
    "satisfaction_week1": ("satisfaction_mean in week 1 (the book's starting history)", 0.025),
    "satisfaction_final": ("satisfaction_mean in the last week", 0.02),
    "cross_silo_success": ("cross_silo_handoff_success_rate averaged over the weeks", 0.005),
    "delayed_share": ("share of the run's journeys that were delayed", 0.02),
    "customers_lost": ("customers_lost summed over the run", 12.0),
    "retention_final": ("retention_rate in the last week", 0.04),
    "lost_to_cross_handoffs": ("share of lost customers whose reason is a handoff between functions", 0.1),
    "barrier_final": ("barrier_mean in the last week", 0.02),
    "handoffs_fixed": ("handoffs_fixed summed over the run", 5.0),
    "employees_replaced": ("employees_replaced summed over the run", 2.0),
}
CROSS = [i for i, (a, b) in enumerate(HANDOFFS) if a != b]


def scenario(setting: str, seed: int) -> CustomerFocusScenario:
    levers, interventions = SETTINGS[setting]
    return CustomerFocusScenario(**SIZE, **levers, seed=seed, interventions=interventions)


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


def fast_run(setting: str, seed: int) -> dict[str, float]:
    model = sim.CustomerFocusModel(scenario(setting, seed))
    df = model.run()
    by_reason = model.customers.lost_by_reason
    return summarise(df, int(by_reason[CROSS].sum()), int(by_reason.sum()))


def reference_run(setting: str, seed: int, model_type: type[ReferenceModel]) -> dict[str, float]:
    model = model_type(scenario(setting, seed))
    df = model.run()
    by_reason = model.lost_by_reason
    cross = sum(n for reason, n in by_reason.items() if isinstance(reason, tuple) and reason[0] != reason[1])
    return summarise(df, cross, sum(by_reason.values()))


def collect(runs: list[dict[str, float]]) -> dict[str, np.ndarray]:
    return {name: np.array([run[name] for run in runs], dtype=float) for name in OUTPUTS}


@functools.cache
def fast_samples(setting: str) -> dict[str, np.ndarray]:
    return collect([fast_run(setting, seed) for seed in FAST_SEEDS])


@functools.cache
def reference_samples(setting: str, model_type: type[ReferenceModel] = ReferenceModel) -> dict[str, np.ndarray]:
    return collect([reference_run(setting, seed, model_type) for seed in REFERENCE_SEEDS])


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
    if np.ptp(fast) == 0 and np.ptp(reference) == 0:  # constant samples (e.g. no fixes): no variance to test
        same = fast[0] == reference[0]
        return Verdict(float(same), float(same), float(reference[0] - fast[0]), (0.0, 0.0), margin)
    welch = stats.ttest_ind(reference, fast, equal_var=False)
    ci = welch.confidence_interval(TOST_LEVEL)
    return Verdict(
        ks_p=float(stats.ks_2samp(fast, reference).pvalue),
        welch_p=float(welch.pvalue),
        difference=float(reference.mean() - fast.mean()),
        interval=(float(ci.low), float(ci.high)),
        margin=margin,
    )


@pytest.mark.slow
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("setting", SETTINGS)
def test_reference_and_fast_model_agree(setting, output):
    verdict = compare(fast_samples(setting)[output], reference_samples(setting)[output], OUTPUTS[output][1])
    assert verdict.agrees, f"{setting}: {OUTPUTS[output][0]} differs: {verdict}"


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["bold", "reorganised"])
def test_settings_exercise_leadership(setting):
    """Leaders fix handoffs in every run and replace someone in most runs, in both models."""
    for samples in (fast_samples(setting), reference_samples(setting)):
        assert (samples["handoffs_fixed"] > 0).all()
        assert (samples["employees_replaced"] > 0).mean() > 0.5


def test_culture_is_identical_given_the_same_draws():
    """Given the fast model's organisation and dispositions, the reference's culture is the same to 1e-9.

    With courage 0 culture draws no random numbers, so this checks trust, the
    synchronous Friedkin-Johnsen update, anchors, the settling weeks and the
    timing of lever interventions exactly, employee by employee.
    """
    changes = (Intervention(3, "transparency", 0.7), Intervention(5, "leader_customer_focus", 0.85),
               Intervention(8, "metric_alignment", 0.5), Intervention(10, "leader_customer_focus", 0.4))
    for seed in range(3):
        parameters = {"n_employees": 67 + seed, "n_customers": 10, "weeks": 12, "seed": seed,
                      "leadership_courage": 0.0, "interventions": changes}
        # a Mesa scenario belongs to one model: each model gets its own, equal one
        fast = sim.CustomerFocusModel(CustomerFocusScenario(**parameters))
        ref = ReferenceModel(CustomerFocusScenario(**parameters))
        org = fast.organisation
        levels = ("executive", "manager", "frontline")
        assert [(e.function, levels.index(e.level)) for e in ref.employees] == list(zip(org.function, org.level,
                                                                                          strict=True))
        seat = {e: i for i, e in enumerate(ref.employees)}
        assert [seat[e.manager] if e.manager else i for i, e in enumerate(ref.employees)] == list(org.manager)
        for i, e in enumerate(ref.employees):  # the fast model's draws, the reference's rules
            row = org.peers.getrow(i)
            e.peers = [ref.employees[j] for j, w in zip(row.indices, row.data, strict=True)
                       for _ in range(round(w * TIES_PER_EMPLOYEE))]
            e.disposition = fast.culture.disposition[i]
            e.focus, e.trust = e.anchor(), ref.trust_without_gap()
        ref.settle_culture()
        for week in range(parameters["weeks"] + 1):
            np.testing.assert_allclose([e.focus for e in ref.employees], fast.culture.focus, rtol=0, atol=1e-9,
                                       err_msg=f"focus, seed {seed}, week {week}")
            np.testing.assert_allclose([e.trust for e in ref.employees], fast.culture.trust, rtol=0, atol=1e-9,
                                       err_msg=f"trust, seed {seed}, week {week}")
            if week < parameters["weeks"]:
                fast.step()
                ref.steps += 1
                ref.apply_interventions()
                ref.update_culture()


class HarderHandoffs(ReferenceModel):
    """Negative control: HANDOFF_BASE lowered by 0.3, so every handoff fails a little more often."""

    handoff_base = HANDOFF_BASE - 0.3


class ForgivingCustomer(Customer):
    """A failed journey costs half the satisfaction it should."""

    failure_loss = FAILURE_LOSS / 2


class ForgivingCustomers(ReferenceModel):
    """Negative control: failures hurt customers half as much."""

    customer_type = ForgivingCustomer


class BlindFixes(ReferenceModel):
    """Negative control: leaders ignore what they measure and always fix a random pair of functions."""

    def fix_a_handoff(self, targeted: set) -> None:
        a, b = self.random.choice([(a, b) for a in range(F) for b in range(F) if a != b])
        self.barrier[a][b] *= 1 - FIX_SIZE
        self.barrier[b][a] *= 1 - FIX_SIZE


@pytest.mark.slow
@pytest.mark.parametrize(("control", "setting", "output"), [
    (HarderHandoffs, "defaults", "cross_silo_success"),
    (ForgivingCustomers, "defaults", "satisfaction_final"),
    (BlindFixes, "bold", "barrier_final"),
])
def test_negative_control_is_detected(control, setting, output):
    verdict = compare(fast_samples(setting)[output], reference_samples(setting, control)[output], OUTPUTS[output][1])
    assert not verdict.agrees, f"{control.__name__} was not detected on {output}: {verdict}"
