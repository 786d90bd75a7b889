"""Sweeps over assumptions, contrasts, ensembles and interventions: parsing, the design, and the runs."""

import textwrap

import numpy as np
import pandas as pd
import pytest

from sim.assumptions import ASSUMPTIONS
from sim.model import CustomerFocusModel
from sim.scenario import PARAMETERS, CustomerFocusScenario, InputError, Intervention
from sim.sweeps import load_sweep_file, run_sweep
from sim.sweeps.design import plan, problem
from sim.sweeps.runner import run_batch
from sim.sweeps.store import build_manifest
from sim.sweeps.sweep_file import count_points

from .test_sweep_file import write_sweep

HEAD = """\
name = "u"
seed = 4
replications = 2
weeks = 6

[fixed]
n_employees = 30
n_customers = 300
"""
TIMELINE = "[[interventions]]\nweek = 3\nleadership_courage = 0.7\n[[interventions]]\nweek = 5\ntransparency = 0.9\n"


def inside(name: str, share: float) -> float:
    """A value ``share`` of the way through an assumption's plausible range (the table changes with the model)."""
    a = ASSUMPTIONS[name]
    return round(a.low + share * (a.high - a.low), 12)


W1, W2, W3 = inside("win_rate", 0.25), inside("win_rate", 0.75), inside("win_rate", 0.5)
F1, F2, F3 = inside("failure_hazard", 0.2), inside("failure_hazard", 0.9), inside("failure_hazard", 0.6)


def sweep_of(tmp_path, design: str, head: str = HEAD):
    return load_sweep_file(write_sweep(tmp_path, head + textwrap.dedent(design)))


def refused(tmp_path, design: str, message: str, head: str = HEAD) -> None:
    with pytest.raises(InputError) as error:
        sweep_of(tmp_path, design, head)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_plausible_and_sub_ranges(tmp_path):
    sweep = sweep_of(tmp_path, f"""
        [design]
        method = "latin"
        samples = 10
        [design.vary]
        transparency = [0.2, 0.8]
        [design.uncertain]
        handoff_focus = "plausible"
        win_rate = [{W1!r}, {W2!r}]
        """)
    focus = ASSUMPTIONS["handoff_focus"]
    assert sweep.uncertain == {"handoff_focus": [focus.low, focus.high], "win_rate": [W1, W2]}
    assert sweep.names == ["transparency", "handoff_focus", "win_rate"]
    assert problem(sweep)["bounds"][1:] == [[focus.low, focus.high], [W1, W2]]


def test_all_is_every_assumption_and_entries_narrow_it(tmp_path):
    sweep = sweep_of(tmp_path, f"""
        [design]
        method = "latin"
        samples = 4
        [design.uncertain]
        all = "plausible"
        win_rate = [{W1!r}, {W2!r}]
        """)
    assert list(sweep.uncertain) == list(ASSUMPTIONS)
    assert sweep.uncertain["win_rate"] == [W1, W2]
    assert sweep.uncertain["background_hazard"] == [ASSUMPTIONS["background_hazard"].low,
                                                    ASSUMPTIONS["background_hazard"].high]


@pytest.mark.parametrize(("design", "message"), [
    (f'[design]\nmethod = "latin"\nsamples = 4\n[design.uncertain]\nwin_rate = [{inside("win_rate", -0.5)}, {W2}]',
     f"design.uncertain.win_rate = {inside('win_rate', -0.5)} is out of range: "
     f"expected {ASSUMPTIONS['win_rate'].allowed()}"),
    ('[design]\nmethod = "latin"\nsamples = 4\n[design.uncertain]\nluck = "plausible"',
     "design.uncertain.luck: unknown assumption"),
    ('[design]\nmethod = "latin"\nsamples = 4\n[design.uncertain]\nwin_rate = "wide"',
     "design.uncertain.win_rate: expected \"plausible\" or [low, high]"),
    ('[design]\nmethod = "latin"\nsamples = 4\n[design.uncertain]\nall = "everything"',
     "design.uncertain.all: expected \"plausible\""),
    (f'[design]\nmethod = "grid"\n[design.uncertain]\nwin_rate = [{W1}, {W1}]',
     f"design.uncertain.win_rate = [{W1}, {W1}]: a value is listed twice"),
    ('[design]\nmethod = "grid"\n[design.vary]\ntransparency = [0.2]\n[design.uncertain]\ntransparency = [0.2]',
     "design.uncertain.transparency: unknown assumption"),
    ('[design]\nmethod = "latin"\nsamples = 4\n[design.contrasts]\nbaseline = {}\ncourage = { transparency = 1.0 }',
     "design.method = 'latin': samples [design.vary] and [design.uncertain], which are both empty"),
])
def test_bad_uncertain_entries_name_the_field(tmp_path, design, message):
    refused(tmp_path, design, message)


@pytest.mark.parametrize(("method", "options", "points"), [
    ("grid", "", 2 * 2 * 3),
    ("latin", "samples = 5", 5),
    ("sobol", "samples = 4", 4 * (2 * 3 + 2)),
    ("morris", "samples = 2", 2 * (3 + 1)),
])
def test_every_method_samples_levers_and_assumptions(tmp_path, method, options, points):
    values = {"grid": ("[0.2, 0.8]", '"plausible"', "[8, 12, 16]"),
              "other": ("[0.2, 0.8]", '"plausible"', '"plausible"')}["grid" if method == "grid" else "other"]
    sweep = sweep_of(tmp_path, f"""
        [design]
        method = "{method}"
        {options}
        [design.vary]
        transparency = {values[0]}
        [design.uncertain]
        failure_hazard = {values[1]}
        ties_per_employee = {values[2]}
        """)
    design, runs = plan(sweep)
    assert count_points(sweep) == points and len(design) == points * 2
    assert list(design.columns)[-2:] == ["failure_hazard", "ties_per_employee"]
    assert design["ties_per_employee"].dtype == np.int64 and design["failure_hazard"].dtype == np.float64
    hazard = ASSUMPTIONS["failure_hazard"]
    assert design["failure_hazard"].between(hazard.low, hazard.high).all()
    assert design["failure_hazard"].nunique() > 1
    for run in runs:  # each run gets the assumption values of its row of design.parquet
        row = design.loc[run.run_id]
        assert run.assumptions == {"failure_hazard": row["failure_hazard"],
                                   "ties_per_employee": row["ties_per_employee"]}
        assert type(run.assumptions["ties_per_employee"]) is int


CONTRASTS = """
    [design]
    method = "grid"
    [design.vary]
    transparency = [0.2, 0.8]
    [design.contrasts]
    courage = { leadership_courage = 1.0 }
    baseline = {}
    new_team = { interventions = [{ week = 4, metric_alignment = 0.9 }] }
    """


def test_contrasts_are_paired_runs_with_common_random_numbers(tmp_path):
    sweep = sweep_of(tmp_path, CONTRASTS)
    assert list(sweep.contrasts) == ["baseline", "courage", "new_team"]  # baseline first
    design, runs = plan(sweep)
    assert len(design) == 2 * 3 * 2
    assert design["contrast"].tolist()[:6] == ["baseline"] * 2 + ["courage"] * 2 + ["new_team"] * 2
    assert (design["run_id"] == (design["point"] * 3 + design["contrast"].map(
        {"baseline": 0, "courage": 1, "new_team": 2})) * 2 + design["replication"]).all()
    by = design.set_index(["point", "contrast", "replication"])
    assert by.loc[(1, "courage", 1), "leadership_courage"] == 1.0
    assert by.loc[(1, "baseline", 1), "leadership_courage"] == PARAMETERS["leadership_courage"][0](0.1)
    assert (design.groupby(["point", "replication"])["seed"].nunique() == 1).all()
    assert runs[4].interventions == (Intervention(4, "metric_alignment", 0.9),) and runs[0].interventions == ()
    manifest = build_manifest(sweep)
    assert manifest["contrasts"] == ["baseline", "courage", "new_team"] and manifest["n_runs"] == 12


@pytest.mark.parametrize(("contrasts", "message"), [
    ("courage = { leadership_courage = 1.0 }", 'including baseline = {} (the reference)'),
    ("baseline = {}\ncourage = { transparency = 1.0 }", "design.contrasts.courage.transparency: also varied"),
    ("baseline = {}\ncourage = { seed = 3 }", "design.contrasts.courage.seed: not a parameter a contrast can set"),
    ("baseline = {}\ncourage = { leadership_courage = 2.0 }", "design.contrasts.courage.leadership_courage = 2.0"),
    ('baseline = {}\n"2 much" = {}', "design.contrasts.2 much: a contrast's name is a letter"),
    ("baseline = { interventions = [{ week = 2, transparency = 0.5 }] }",
     "design.contrasts.baseline: the reference contrast sets no interventions"),
    ("baseline = {}\nlate = { interventions = [{ week = 9, transparency = 0.5 }] }",
     "design.contrasts.late.interventions[1].week = 9: expected a whole number from 1 to weeks (6)"),
])
def test_bad_contrasts_name_the_field(tmp_path, contrasts, message):
    refused(tmp_path, f'[design]\nmethod = "grid"\n[design.vary]\ntransparency = [0.2]\n'
                      f"[design.contrasts]\n{contrasts}\n", message)


def test_varied_interventions(tmp_path):
    write_sweep(tmp_path, TIMELINE, "timeline.toml")
    head = 'scenario = "timeline.toml"\n' + HEAD
    sweep = sweep_of(tmp_path, """
        [design]
        method = "latin"
        samples = 6
        [design.vary]
        "interventions.1.week" = [1, 6]
        "interventions.1.leadership_courage" = [0.5, 0.9]
        """, head)
    design, runs = plan(sweep)
    assert design["interventions.1.week"].dtype == np.int64
    assert design["interventions.1.week"].between(1, 6).all() and design["interventions.1.week"].nunique() > 2
    for run in runs:
        row = design.loc[run.run_id]
        moved = Intervention(int(row["interventions.1.week"]), "leadership_courage",
                             float(row["interventions.1.leadership_courage"]))
        assert run.interventions == tuple(sorted([moved, Intervention(5, "transparency", 0.9)]))
    assert build_manifest(sweep)["levers"] == ["interventions.1.week", "interventions.1.leadership_courage"]


@pytest.mark.parametrize(("vary", "message"), [
    ('"interventions.3.week" = [1, 4]', "design.vary.interventions.3.week: the base scenario has 2 interventions"),
    ('"interventions.1.transparency" = [0.1, 0.4]',
     "interventions.1.transparency: intervention 1 sets leadership_courage in week 3"),
    ('"interventions.1.week" = [0, 4]', "design.vary.interventions.1.week = 0: expected a whole number from 1 to 6"),
    ('"interventions.one.week" = [1, 4]', 'expected "interventions.N.week" or "interventions.N.LEVER"'),
])
def test_bad_intervention_fields_name_the_field(tmp_path, vary, message):
    write_sweep(tmp_path, TIMELINE, "timeline.toml")
    refused(tmp_path, f'[design]\nmethod = "latin"\nsamples = 4\n[design.vary]\n{vary}\n', message,
            'scenario = "timeline.toml"\n' + HEAD)


def test_a_moved_intervention_that_collides_is_refused(tmp_path):
    write_sweep(tmp_path, TIMELINE, "timeline.toml")
    head = 'scenario = "timeline.toml"\n' + HEAD
    sweep = sweep_of(tmp_path, """
        [design]
        method = "grid"
        [design.vary]
        "interventions.1.week" = [2, 4]
        [design.contrasts]
        baseline = {}
        twice = { interventions = [{ week = 4, leadership_courage = 0.2 }] }
        """, head)
    with pytest.raises(InputError, match="design point 1, contrast twice: interventions: week 4 sets "
                                         "leadership_courage twice"):
        plan(sweep)


ENSEMBLE = f"win_rate,weight,failure_hazard\n{W1},0.5,{F1}\n{W2},0.25,{F2}\n\n{W3},0.25,{F3}\n"


def test_ensemble_rows_are_points_crossed_with_the_grid(tmp_path):
    (tmp_path / "posterior.csv").write_text(ENSEMBLE)
    sweep = sweep_of(tmp_path, """
        [design]
        method = "grid"
        ensemble = "posterior.csv"
        [design.vary]
        transparency = [0.2, 0.8]
        """)
    design, runs = plan(sweep)
    assert sweep.assumption_names == ["win_rate", "failure_hazard"]
    points = design[design["replication"] == 0]
    assert points[["transparency", "win_rate", "failure_hazard"]].values.tolist() == [
        [t, w, f] for t in (0.2, 0.8) for w, f in ((W1, F1), (W2, F2), (W3, F3))]
    assert runs[2].assumptions == {"win_rate": W2, "failure_hazard": F2}
    manifest = build_manifest(sweep)
    assert manifest["uncertain"] == ["win_rate", "failure_hazard"] and manifest["ensemble"]["rows"] == 3
    also = sweep_of(tmp_path, '[design]\nmethod = "grid"\n[design.uncertain]\nensemble = "posterior.csv"\n')
    assert count_points(also) == 3


@pytest.mark.parametrize(("csv", "design", "message"), [
    (ENSEMBLE, '[design]\nmethod = "latin"\nsamples = 4\nensemble = "posterior.csv"',
     "design.ensemble: unknown key for method 'latin'"),
    (ENSEMBLE, '[design]\nmethod = "grid"\nensemble = "posterior.csv"\n[design.uncertain]\nwin_rate = "plausible"',
     "design.ensemble: an ensemble replaces [design.uncertain]"),
    (f"win_rate\n{W1}\n0.5\n", '[design]\nmethod = "grid"\nensemble = "posterior.csv"',
     f"posterior.csv: line 3: win_rate = '0.5' is out of range: expected {ASSUMPTIONS['win_rate'].allowed()}"),
    (f"win_rate,luck\n{W1},1\n", '[design]\nmethod = "grid"\nensemble = "posterior.csv"',
     "posterior.csv: column 'luck' is not an assumption"),
    ("win_rate\n", '[design]\nmethod = "grid"\nensemble = "posterior.csv"', "at least one row of values"),
    (f"win_rate,failure_hazard\n{W1}\n", '[design]\nmethod = "grid"\nensemble = "posterior.csv"',
     "line 2: 1 values for 2 columns"),
    (None, '[design]\nmethod = "grid"\nensemble = "posterior.csv"', "posterior.csv: not a regular file"),
])
def test_bad_ensembles_name_the_file_and_the_field(tmp_path, csv, design, message):
    if csv is None:
        (tmp_path / "posterior.csv").symlink_to("/dev/zero")
    else:
        (tmp_path / "posterior.csv").write_text(csv)
    refused(tmp_path, design, message)


def test_ensemble_changes_change_the_hash(tmp_path):
    (tmp_path / "posterior.csv").write_text(ENSEMBLE)
    design = '[design]\nmethod = "grid"\nensemble = "posterior.csv"\n'
    before = sweep_of(tmp_path, design).hash()
    (tmp_path / "posterior.csv").write_text(ENSEMBLE.replace(str(W2), str(W3)))
    assert sweep_of(tmp_path, design).hash() != before


def test_a_sweep_run_uses_each_runs_assumptions_interventions_and_contrast(tmp_path):
    """The run file of every run equals the model run directly with that run's design row."""
    write_sweep(tmp_path, TIMELINE, "timeline.toml")
    path = write_sweep(tmp_path, 'scenario = "timeline.toml"\n' + HEAD + textwrap.dedent("""
        [design]
        method = "latin"
        samples = 2
        [design.vary]
        "interventions.2.week" = [2, 6]
        [design.uncertain]
        failure_hazard = "plausible"
        ties_per_employee = "plausible"
        [design.contrasts]
        baseline = {}
        open = { transparency = 1.0, interventions = [{ week = 2, metric_alignment = 0.8 }] }
        """))
    out = run_sweep(path, tmp_path / "out", workers=1, progress=False)
    design = pd.read_parquet(out / "design.parquet").set_index("run_id")
    for run_id in (0, 3, 7):
        row = design.loc[run_id]
        params = {n: PARAMETERS[n][0](row[n]) for n in PARAMETERS}
        timeline = [Intervention(3, "leadership_courage", 0.7),
                    Intervention(int(row["interventions.2.week"]), "transparency", 0.9)]
        if row["contrast"] == "open":
            timeline.append(Intervention(2, "metric_alignment", 0.8))
        scenario = CustomerFocusScenario(
            replication=int(row["replication"]), interventions=timeline,
            assumptions={"failure_hazard": float(row["failure_hazard"]),
                         "ties_per_employee": int(row["ties_per_employee"])}, **params)
        direct = CustomerFocusModel(scenario).run()
        run = pd.read_parquet(out / "runs" / f"run-{run_id:06d}.parquet")
        for column in run.columns.drop(["run_id", "week"]):
            assert run[column].tolist() == direct[column].tolist(), (run_id, column)
    assert design.loc[3, "contrast"] == "open" and design.loc[3, "transparency"] == 1.0


def test_varying_an_assumption_changes_the_runs(tmp_path):
    """Holds once the model reads its assumptions (Model 2): failure_hazard drives churn."""
    sweep = sweep_of(tmp_path, """
        [design]
        method = "grid"
        [design.uncertain]
        failure_hazard = "plausible"
        """, HEAD.replace("weeks = 6", "weeks = 52").replace("replications = 2", "replications = 1"))
    _, runs = plan(sweep)
    lost = []
    for run in runs:
        (run_id, data), = run_batch([run], ("customers_lost",), sweep.hash(), 1)
        path = tmp_path / f"{run_id}.parquet"
        path.write_bytes(data)
        lost.append(pd.read_parquet(path)["customers_lost"].sum())
    assert lost[1] > lost[0]  # the plausible range's high end loses more customers than its low end
