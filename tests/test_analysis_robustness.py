"""Robustness of conclusions: known answers on constructed effects, and a planted dependence found."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import robustness
from analysis.results import Response, load
from sim.assumptions import ASSUMPTIONS
from sim.cli import main
from sim.errors import InputError

from .test_analysis_fixtures import write_contrast_results

PLANTED = "failure_hazard"
OTHERS = ["win_rate", "handoff_focus", "susceptibility"]
NAMES = [PLANTED, *OTHERS]
PROBLEM = {"num_vars": 4, "names": NAMES, "bounds": [[ASSUMPTIONS[n].low, ASSUMPTIONS[n].high] for n in NAMES]}
CONTRASTS = ["baseline", "courage", "transparency"]


def planted(values, contrast, replication):
    """Retention: a common stream per (point, replication); courage's effect grows with failure_hazard alone."""
    key = int(np.float64(sum(values.values())).view(np.int64)) % 2**32
    noise = np.random.default_rng([key, replication])
    stream = noise.normal(0, 0.03)  # shared by every contrast of this point and replication
    own = np.random.default_rng([key, replication, CONTRASTS.index(contrast)]).normal(0, 0.002)
    low, high = PROBLEM["bounds"][0]
    effect = {"baseline": 0.0, "courage": 0.05 * (values[PLANTED] - low) / (high - low), "transparency": 0.01}
    return 0.8 + stream + effect[contrast] + own


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return write_contrast_results(tmp_path_factory.mktemp("robust") / "sweep", PROBLEM, CONTRASTS, planted,
                                  uncertain=NAMES, replications=2, samples=96)


def test_effects_are_paired_by_point_and_replication(sweep):
    results = load(sweep)
    effects = robustness.paired_effects(results.responses("retention_rate"), "retention_rate", results.contrasts)
    draws = results.design.groupby("point")[PLANTED].first()
    low, high = PROBLEM["bounds"][0]
    # the stream (sd 0.03) cancels in the pairs; what is left is the runs' own noise, sd 0.002·√2/√2 = 0.002
    assert effects["courage"].to_numpy() == pytest.approx(0.05 * (draws - low) / (high - low), abs=0.008)
    assert effects["transparency"].to_numpy() == pytest.approx(0.01, abs=0.008)


def test_a_planted_dependence_on_one_assumption_is_found(sweep):
    found = robustness.robustness(load(sweep), Response("retention_rate", 1))
    hinges = found.hinges.set_index(["contrast", "factor"])
    courage = hinges.loc["courage"]
    # courage's effect is a linear function of failure_hazard alone (S1 = 1 up to the runs' own noise);
    # RBD-FAST from 96 draws puts noise factors within about ±0.15 of 0: require a margin of 0.4
    assert courage.loc[PLANTED, "index"] > 0.8
    assert courage.loc[PLANTED, "index"] - courage.loc[OTHERS, "index"].max() > 0.4
    assert (courage.loc[PLANTED, "index"] - courage.loc[PLANTED, "conf"]
            > (courage.loc[OTHERS, "index"] + courage.loc[OTHERS, "conf"]).max())
    # transparency's effect is constant plus noise: no assumption stands out like that
    assert hinges.loc["transparency", "index"].max() < 0.5
    assert found.hinge_method == "rbd-fast" and found.summary.loc["courage", "helps"] > 0.9


def test_shares_ranges_and_rankings_on_constructed_effects():
    effects = pd.DataFrame({"a": np.arange(1.0, 21.0) - 6, "b": np.full(20, 2.5), "c": -np.arange(20.0)})
    summary = robustness.summarise(effects, spread=0.9, level=0.95)
    a = summary.loc["a"]
    assert a["helps"] == 14 / 20 and summary.loc["c", "helps"] == 0 and summary.loc["b", "helps"] == 1
    expected = (np.median(effects["a"]), np.quantile(effects["a"], 0.05), np.quantile(effects["a"], 0.95))
    assert (a["median"], a["low"], a["high"]) == pytest.approx(expected)
    wilson = stats.binomtest(14, 20).proportion_ci(0.95, method="wilson")
    assert (a["helps_low"], a["helps_high"]) == pytest.approx((wilson.low, wilson.high))
    assert 0.47 < a["helps_low"] < 0.49  # Wilson's interval for 14 of 20
    # a beats b when a > 2.5, i.e. a in 3..14: 12 of 20 draws; b is best in the other 8
    assert summary.loc["a", "best"] == 12 / 20 and summary.loc["b", "best"] == 8 / 20
    modal, share, pairwise = robustness.rankings(effects)
    assert modal == ("a", "b", "c") and share == 12 / 20
    assert pairwise.loc["a", "b"] == 12 / 20 and pairwise.loc["b", "a"] == 8 / 20
    # a beats c when i - 5 > -i (i = 3..19); b beats c always
    assert pairwise.loc["a", "c"] == 17 / 20 and pairwise.loc["c", "a"] == 3 / 20 and pairwise.loc["b", "c"] == 1.0


def test_a_sweep_without_contrasts_is_refused(sweep, tmp_path):
    from .test_analysis_fixtures import LEVERS2, write_results

    plain = write_results(tmp_path / "plain", "latin", LEVERS2, replications=1, options={"samples": 4},
                          run=lambda params, seed, r: pd.DataFrame({"week": [1, 2], "retention_rate": 0.8}))
    with pytest.raises(InputError, match=r"no \[design\.contrasts\]"):
        robustness.robustness(load(plain), Response())


def test_the_report_has_the_robustness_section_and_figure(sweep, capsys):
    assert main(["analyse", str(sweep), "--last-weeks", "1"]) == 0
    text = (sweep / "report" / "report.md").read_text()
    assert "## Robustness of conclusions" in text and "### What the conclusions hinge on" in text
    assert "`courage` > `transparency`" in text or "`transparency` > `courage`" in text
    for name in ("robustness", "pairwise"):
        assert (sweep / "report" / f"{name}.png").stat().st_size > 0
        assert (sweep / "report" / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    table = pd.read_csv(sweep / "report" / "robustness.csv", index_col="contrast")
    assert table.loc["transparency", "median"] == pytest.approx(0.01, abs=0.002)


def test_the_ready_robustness_sweep_raises_and_lowers_each_behavioural_lever():
    import tomllib
    from pathlib import Path

    from sim.scenario import DEFAULTS, LEVERS

    sweep = tomllib.loads((Path(__file__).parent.parent / "scenarios/sweeps/robustness.toml").read_text())
    contrasts = sweep["design"]["contrasts"]
    assert contrasts.pop("baseline") == {} and sweep["design"]["uncertain"] == {"all": "plausible"}
    behavioural = {"leadership_courage", "transparency", "metric_alignment", "leader_customer_focus", "say_do_gap"}
    assert behavioural <= set(LEVERS)
    moved = {}
    for change in contrasts.values():
        ((lever, value),) = change.items()
        moved.setdefault(lever, set()).add(np.sign(value - DEFAULTS[lever]))
    assert moved == {lever: {-1.0, 1.0} for lever in behavioural}
    runs = sweep["design"]["samples"] * sweep["replications"] * (len(contrasts) + 1)
    assert 600 <= runs <= 1500
