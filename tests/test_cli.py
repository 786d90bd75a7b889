import subprocess
import sys

import pandas as pd
import pytest

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
