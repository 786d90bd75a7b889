import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.assumptions import ASSUMPTIONS

WHOLE = next(name for name, a in ASSUMPTIONS.items() if a.integer)  # an assumption that takes whole numbers
SMALL = ["--set", "n_employees=60", "--set", "n_customers=500", "--weeks", "12"]


def cfsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_scenarios_lists_every_preset_with_its_description():
    result = cfsim("scenarios")
    assert result.returncode == 0
    assert "baseline: Baseline" in result.stdout and "new_leadership_team:" in result.stdout
    assert "A typical organisation." in result.stdout


def test_parameters_lists_ranges_and_defaults():
    result = cfsim("parameters")
    assert "transparency (default 0.3; a number from 0 to 1)" in result.stdout


def test_assumptions_lists_every_assumption_with_value_range_unit_source_and_help():
    result = cfsim("assumptions")
    assert result.returncode == 0
    blocks, head = {}, None  # head line -> help text wrapped under it
    for line in result.stdout.splitlines():
        if line.startswith(" "):
            blocks[head] += " " + line.strip()
        else:
            head = line
            blocks[head] = ""
    expected = {
        f"{name} = {a.value:g} {a.unit} (plausible {a.low:g} to {a.high:g}; source: {a.source})": " " + a.help
        for name, a in ASSUMPTIONS.items()
    }
    assert blocks == expected


def test_run_writes_one_row_per_replication_and_week(tmp_path):
    out = tmp_path / "runs.parquet"
    result = cfsim("run", "aligned_metrics", *SMALL, "--replications", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(out)
    assert len(frame) == 3 * 12
    assert sorted(frame["replication"].unique()) == [0, 1, 2]
    assert (frame["scenario"] == "aligned_metrics").all()
    assert "95% interval" in result.stdout and "final annual retention" in result.stdout


def test_a_single_run_prints_no_interval(tmp_path):
    result = cfsim("run", *SMALL, "--out", str(tmp_path / "one.csv"))
    assert result.returncode == 0 and "interval" not in result.stdout
    assert len(pd.read_csv(tmp_path / "one.csv")) == 12


def test_same_seed_gives_byte_identical_files_and_different_seeds_differ(tmp_path):
    paths = [tmp_path / name for name in ("a.csv", "b.csv", "c.csv")]
    for path, seed in zip(paths, ("5", "5", "6"), strict=True):
        assert cfsim("run", *SMALL, "--seed", seed, "--replications", "2", "--out", str(path)).returncode == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "nonexistent"], "scenario 'nonexistent': no such preset"),
        (["run", "--set", "courage=0.5"], "--set courage: unknown parameter"),
        (["run", "--set", "transparency=2"], "--set transparency = '2' is out of range: expected a number from 0 to 1"),
        (["run", "--set", "transparency"], "expected NAME=VALUE"),
        (["run", "--weeks", "ten"], "--weeks = 'ten': expected a whole number"),
        (["run", "--seed", "-1"], "out of range"),
        (["run", "--replications", "0"], "--replications = '0': expected a whole number from 1"),
        (["run", "--set", "n_customers=50000000", "--set", "n_employees=2000000"], "GiB available"),
        (["run", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["run", "new_leadership_team", "--weeks", "10"], "intervention week = 26"),
        (["run", "--assume", "nonsense=1"], "--assume nonsense: unknown assumption"),
        (["run", "--assume", "win_rate=often"], "--assume win_rate = 'often': expected a number from"),
        (["run", "--assume", "win_rate=0.5"], "--assume win_rate = '0.5' is out of range"),
        (["run", "--assume", f"{WHOLE}=12.5"], f"--assume {WHOLE} = '12.5': expected a whole number"),
        (["run", "--assume", "win_rate"], "--assume 'win_rate': expected NAME=VALUE"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, fragment):
    out = tmp_path / "never.csv"
    result = cfsim(*args, "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cfsim: error:") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["results.xlsx", "missing-dir/results.csv"])
def test_bad_output_paths_are_refused_before_running(tmp_path, out):
    result = cfsim("run", *SMALL, "--out", str(tmp_path / out))
    assert result.returncode == 2 and "--out" in result.stderr and "Traceback" not in result.stderr


def test_a_failed_write_is_one_line_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "taken.csv").mkdir()  # the output name is taken by a directory
    result = cfsim("run", *SMALL, "--out", str(tmp_path / "taken.csv"))
    assert result.returncode == 2 and "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["taken.csv"] and not any((tmp_path / "taken.csv").iterdir())


def test_malformed_scenario_file_is_reported_with_its_name(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[parameters\n")
    result = cfsim("run", str(bad))
    assert result.returncode == 2 and "broken.toml: malformed TOML" in result.stderr


HAZARD = ASSUMPTIONS["failure_hazard"]  # ranges read from the table: they change as the model does
WIN_RATE = ASSUMPTIONS["win_rate"]


def _scenario_file(tmp_path, failure_hazard):
    path = tmp_path / f"hazard_{failure_hazard}.toml"
    path.write_text(f'name = "Hazard"\n[parameters]\nn_employees = 60\nn_customers = 500\nweeks = 26\n'
                    f"[assumptions]\nfailure_hazard = {failure_hazard}\nwin_rate = {WIN_RATE.high}\n")
    return path


def test_assume_overrides_the_scenario_files_assumptions_and_keeps_the_rest(tmp_path):
    out = tmp_path / "runs.csv"
    focus = ASSUMPTIONS["handoff_focus"].high
    result = cfsim("run", str(_scenario_file(tmp_path, HAZARD.low)), "--assume", f"failure_hazard={HAZARD.high}",
                   "--assume", f"handoff_focus={focus}", "--out", str(out))
    assert result.returncode == 0, result.stderr
    made_by = json.loads((tmp_path / "runs.csv.json").read_text())["scenario"]
    assert made_by["assumption_overrides"] == {"failure_hazard": HAZARD.high, "win_rate": WIN_RATE.high,
                                               "handoff_focus": focus}
    assert made_by["assumptions"]["failure_hazard"] == HAZARD.high


def test_an_assumption_set_by_assume_is_the_one_the_model_runs_with(tmp_path):
    """Same outputs as a file that says the same; more customers lost than with the file's own, lower hazard."""
    paths = {name: tmp_path / f"{name}.csv" for name in ("assumed", "written", "file_value")}
    low, high = _scenario_file(tmp_path, HAZARD.low), _scenario_file(tmp_path, HAZARD.high)
    for args, name in (([str(low), "--assume", f"failure_hazard={HAZARD.high}"], "assumed"), ([str(high)], "written"),
                       ([str(low)], "file_value")):
        assert cfsim("run", *args, "--out", str(paths[name])).returncode == 0
    frames = {name: pd.read_csv(path).drop(columns="scenario") for name, path in paths.items()}
    pd.testing.assert_frame_equal(frames["assumed"], frames["written"])
    assert frames["assumed"]["customers_lost"].sum() > frames["file_value"]["customers_lost"].sum()
