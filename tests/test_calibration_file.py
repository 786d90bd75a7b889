"""Calibration files, the prior sweep they generate, ``cfsim calibrate`` (bad input, resume) and published.toml."""

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from analysis.calibration import calibrate, load_calibration
from analysis.calibration.prior import sweep_text
from sim.assumptions import ASSUMPTIONS
from sim.cli import main
from sim.model import CustomerFocusModel
from sim.scenario import InputError

PUBLISHED = Path(__file__).parent.parent / "scenarios" / "calibration" / "published.toml"
SMALL = """
name = "small"
seed = 5
weeks = 40
replications = 2
samples = {samples}

[fixed]
n_employees = 60
n_customers = 800

[uncertain]
failure_hazard = "plausible"
background_hazard = [0.0008, 0.002]

[targets.lost]
output = "customers_lost"
weeks = [21, 40]
band = [{low}, {high}]

[targets.steady]
output = "retention_rate"
weeks = [21, 40]
minus = [1, 20]
band = [-0.5, 0.5]
"""


def write(tmp_path: Path, text: str, name: str = "targets.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def small(tmp_path: Path, samples: int = 24, low: float = 0.0, high: float = 100.0) -> Path:
    return write(tmp_path, SMALL.format(samples=samples, low=low, high=high))


def test_a_calibration_file_is_read_with_its_targets_and_ranges(tmp_path):
    calibration = load_calibration(small(tmp_path))
    assert calibration.uncertain == {"failure_hazard": (ASSUMPTIONS["failure_hazard"].low,
                                                        ASSUMPTIONS["failure_hazard"].high),
                                     "background_hazard": (0.0008, 0.002)}
    assert [t.name for t in calibration.targets] == ["lost", "steady"]
    assert calibration.targets[1].minus == (1, 20)
    assert calibration.outputs == ["retention_rate", "customers_lost"]  # the model's order
    assert calibration.fixed == {"n_employees": 60, "n_customers": 800}


def test_the_prior_sweep_varies_only_the_uncertain_assumptions_and_records_what_the_targets_read(tmp_path):
    data = tomllib.loads(sweep_text(load_calibration(small(tmp_path, samples=24))))
    assert data["design"] == {"method": "latin", "samples": 24, "uncertain": {
        "failure_hazard": [ASSUMPTIONS["failure_hazard"].low, ASSUMPTIONS["failure_hazard"].high],
        "background_hazard": [0.0008, 0.002]}}
    assert data["outputs"] == {"record": ["retention_rate", "customers_lost"], "every": 1}
    assert (data["seed"], data["replications"], data["weeks"]) == (5, 2, 40)
    assert data["fixed"] == {"n_employees": 60, "n_customers": 800}


def test_bands_and_cutoff_do_not_change_the_prior_sweep(tmp_path):
    first = sweep_text(load_calibration(small(tmp_path, low=0, high=100)))
    assert sweep_text(load_calibration(small(tmp_path, low=5, high=6))) == first
    assert sweep_text(load_calibration(small(tmp_path, samples=32))) != first


@pytest.mark.parametrize(("old", "new", "message"), [
    ('seed = 5', 'seed = 5\nsampels = 3', "sampels: unknown key"),
    ('output = "customers_lost"', 'output = "customers_gone"', "targets.lost.output: 'customers_gone' is not"),
    ('weeks = [21, 40]\nband = [0', 'weeks = [21, 41]\nband = [0', "targets.lost.weeks: expected [first, last]"),
    ('band = [-0.5, 0.5]', 'band = [0.5, -0.5]', "targets.steady.band: expected [low, high]"),
    ('background_hazard = [0.0008, 0.002]', 'background_hazard = [0.0001, 0.002]',
     "uncertain.background_hazard = 0.0001 is out of range"),
    ('failure_hazard = "plausible"', 'failure_hazard = "plausible"\nnot_a_constant = "plausible"',
     "uncertain.not_a_constant: unknown assumption"),
    ('output = "customers_lost"', 'output = "customers_lost"\nratio = ["a", "b"]', "targets.lost: give either"),
    ('samples = 24', 'samples = 1', "samples = 1: expected a whole number"),
    ('n_customers = 800', 'n_customers = 800\nseed = 3', "fixed.seed: set seed at the top level"),
])
def test_bad_calibration_files_get_one_line_naming_the_field_exit_2_and_nothing_written(tmp_path, capsys, old,
                                                                                      new, message):
    text = SMALL.format(samples=24, low=0, high=100)
    assert old in text
    path = write(tmp_path, text.replace(old, new, 1))
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error
    assert not out.exists()


def test_a_missing_file_and_a_foreign_directory_are_refused(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "none.toml"), "--out", str(tmp_path / "out")]) == 2
    assert "none.toml: no such file" in capsys.readouterr().err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(["calibrate", str(small(tmp_path)), "--out", str(foreign)]) == 2
    assert "is not a calibration directory (it holds notes.txt)" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(("flags", "message"), [(["--workers", "0"], "--workers"),
                                              (["--scheduler", "nowhere"], "--scheduler = 'nowhere'")])
def test_bad_cluster_flags_are_refused_before_anything_is_written(tmp_path, capsys, flags, message):
    out = tmp_path / "out"
    assert main(["calibrate", str(small(tmp_path)), "--out", str(out), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_directory_holding_another_prior_sample_is_refused_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    other = sweep_text(load_calibration(small(tmp_path, samples=32)))
    (out / "prior.toml").write_text(other)
    with pytest.raises(InputError, match="different prior sample"):
        calibrate(small(tmp_path, samples=24), out, workers=1, progress=False)
    assert (out / "prior.toml").read_text() == other


def test_a_prior_sweep_the_sweeps_refuse_names_the_calibration_file_and_writes_nothing(tmp_path, capsys):
    text = SMALL.format(samples=24, low=0, high=100)
    text = text.replace("weeks = 40", 'scenario = "new_leadership_team"  # an intervention at week 26\nweeks = 20')
    path = write(tmp_path, text.replace("[21, 40]", "[11, 20]").replace("[1, 20]", "[1, 10]"))
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert f"{path} (its prior sweep): " in error and error.count("\n") == 1
    assert not out.exists()


def test_an_unreachable_scheduler_leaves_nothing_behind(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["calibrate", str(small(tmp_path)), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err
    assert not out.exists()


def test_published_targets_load_and_name_existing_outputs():
    calibration = load_calibration(PUBLISHED)
    assert {t.name for t in calibration.targets} == {"retention", "failure_churn_gradient", "cross_silo_handoffs",
                                                     "lost_with_failure", "stationary_retention", "stationary_book"}
    assert set(calibration.uncertain) == set(ASSUMPTIONS)


@pytest.mark.slow
def test_a_real_calibration_recovers_a_known_vector_resumes_and_reuses_its_runs(tmp_path):
    truth = {"failure_hazard": 0.010, "background_hazard": 0.0012}
    lost = [CustomerFocusModel(n_employees=60, n_customers=800, weeks=40, seed=5, replication=r,
                               assumptions=truth).run().query("21 <= week <= 40").customers_lost.mean()
            for r in range(2)]
    centre = sum(lost) / 2
    path = small(tmp_path, samples=24, low=centre * 0.85, high=centre * 1.15)
    out = tmp_path / "out"
    result = calibrate(path, out, workers=1, progress=False)
    assert 0 < result.kept.sum() < 24
    posterior = pd.read_csv(out / "posterior.csv")
    assert list(posterior.columns) == ["failure_hazard", "background_hazard"]
    low, high = posterior["failure_hazard"].min(), posterior["failure_hazard"].max()
    assert low <= truth["failure_hazard"] <= high
    posterior_bytes = (out / "posterior.csv").read_bytes()
    runs = sorted((out / "prior" / "runs").iterdir())
    runs[3].unlink()  # as if the machine died before this run came back
    calibrate(path, out, workers=1, progress=False)
    assert runs[3].exists() and (out / "posterior.csv").read_bytes() == posterior_bytes
    stamps = [p.stat().st_mtime_ns for p in runs]
    wider = small(tmp_path, samples=24, low=0, high=1000)  # new bands: same runs, everything kept
    again = calibrate(wider, out, workers=1, progress=False)
    assert again.kept.all()
    assert [p.stat().st_mtime_ns for p in sorted((out / "prior" / "runs").iterdir())] == stamps
    assert "24 of 24 draws" in (out / "report.md").read_text()
