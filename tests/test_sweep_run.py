"""Running sweeps on a local cluster: the dataset, its bytes, resuming, refusals, the command line."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.provenance import code_version, versions
from sim.record import COUNT_COLUMNS, WEEKLY_COLUMNS
from sim.scenario import PARAMETERS, InputError
from sim.sweeps import load_sweep_file, run_sweep

from .test_sweep_file import GRID, write_sweep

ROOT = Path(__file__).resolve().parent.parent
RECORDED = GRID + '\n[outputs]\nrecord = ["retention_rate", "customers_lost", "trust_mean"]\nevery = 3\n'


def dataset(directory: Path) -> dict[str, bytes]:
    """Every file of a results directory, by relative path."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """The tiny grid sweep run with 1 and with 2 local workers."""
    tmp = tmp_path_factory.mktemp("tiny")
    sweep = write_sweep(tmp, RECORDED)
    one = run_sweep(sweep, tmp / "one", workers=1, progress=False)
    two = run_sweep(sweep, tmp / "two", workers=2, progress=False)
    return sweep, one, two


def test_dataset_layout(tiny_runs):
    sweep_file, out, _ = tiny_runs
    assert sorted(p.name for p in out.iterdir()) == [".lock", "design.parquet", "manifest.json", "runs", "sweep.toml"]
    assert (out / "sweep.toml").read_bytes() == sweep_file.read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sweep_hash"] == load_sweep_file(sweep_file).hash()
    assert (manifest["method"], manifest["n_points"], manifest["n_runs"], manifest["replications"]) == ("grid", 4, 8, 2)
    assert manifest["problem"] == {"names": ["transparency", "leadership_courage"], "bounds": [[0.2, 0.8], [0.1, 0.5]]}
    assert manifest["outputs"] == ["retention_rate", "customers_lost", "trust_mean"] and manifest["record_every"] == 3
    assert (manifest["levers"], manifest["uncertain"], manifest["contrasts"]) == (
        ["transparency", "leadership_courage"], [], ["baseline"])
    assert manifest["code_version"] == code_version()
    assert manifest["provenance"]["numpy"] == versions()["numpy"]
    assert manifest["provenance"]["scenario"]["parameters"]["n_employees"] == 60
    design = pd.read_parquet(out / "design.parquet")
    assert list(design.columns) == ["run_id", "point", "contrast", "replication", "seed",
                                    *(n for n in PARAMETERS if n != "seed")]
    assert design["run_id"].tolist() == list(range(8))
    files = sorted(p.name for p in (out / "runs").iterdir())
    assert files == [f"run-{i:06d}.parquet" for i in range(8)]


def test_run_files_hold_the_recorded_weeks_and_outputs(tiny_runs):
    _, out, _ = tiny_runs
    runs = pd.read_parquet(out / "runs")
    assert list(runs.columns) == ["run_id", "week", "retention_rate", "customers_lost", "trust_mean"]
    assert runs["run_id"].dtype == "int64" and runs["customers_lost"].dtype == "int64"
    assert runs["trust_mean"].dtype == "float64"
    assert sorted(runs.groupby("run_id")["week"].apply(list).iloc[0]) == [3, 6, 8]  # every 3 weeks and the last
    assert runs.groupby("run_id").size().tolist() == [3] * 8
    schema = pq.read_schema(out / "runs" / "run-000005.parquet")
    assert schema.names == list(runs.columns)


def test_run_file_matches_a_direct_model_run(tiny_runs):
    from sim.model import CustomerFocusModel
    from sim.scenario import CustomerFocusScenario

    _, out, _ = tiny_runs
    design = pd.read_parquet(out / "design.parquet").set_index("run_id")
    row = design.loc[5]
    params = {name: (int(row[name]) if PARAMETERS[name][0] is int else float(row[name])) for name in PARAMETERS}
    weekly = CustomerFocusModel(CustomerFocusScenario(replication=int(row["replication"]), **params)).run()
    run = pd.read_parquet(out / "runs" / "run-000005.parquet")
    expected = weekly[weekly["week"].isin(run["week"])].reset_index(drop=True)
    assert run["trust_mean"].tolist() == expected["trust_mean"].tolist()
    assert run["customers_lost"].tolist() == expected["customers_lost"].tolist()


def test_same_bytes_with_one_and_two_workers(tiny_runs):
    _, one, two = tiny_runs
    assert dataset(one) == dataset(two)


def test_integer_outputs_are_those_the_model_counts():
    from sim.model import CustomerFocusModel

    weekly = CustomerFocusModel(n_employees=60, n_customers=600, weeks=3).run()
    integers = {name for name in WEEKLY_COLUMNS if name != "week" and weekly[name].dtype.kind == "i"}
    assert integers == COUNT_COLUMNS


def test_resume_runs_only_what_is_missing(tiny_runs, tmp_path, capsys):
    sweep_file, reference, _ = tiny_runs
    out = tmp_path / "resumed"
    (tmp_path / "resumed").mkdir()
    for name, data in dataset(reference).items():  # a sweep interrupted after five runs
        if not name.startswith("runs/") or int(name[9:15]) < 5:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(data)
    (out / "runs" / ".run-000006.parquet.x.partial").write_bytes(b"half a file")
    before = (out / "runs" / "run-000001.parquet").stat().st_mtime_ns
    run_sweep(sweep_file, out, workers=1)
    assert "5 of 8 runs already done; running the other 3" in capsys.readouterr().err
    assert dataset(out) == dataset(reference)
    assert (out / "runs" / "run-000001.parquet").stat().st_mtime_ns == before  # finished runs never re-run


def test_finished_sweep_runs_nothing(tiny_runs, capsys):
    sweep_file, out, _ = tiny_runs
    before = dataset(out)
    run_sweep(sweep_file, out, workers=1)
    assert "8 of 8 runs already done; nothing left to run" in capsys.readouterr().err
    assert dataset(out) == before


def test_changed_sweep_file_into_the_same_directory_is_refused(tiny_runs, tmp_path, capsys):
    _, out, _ = tiny_runs
    changed = write_sweep(tmp_path, RECORDED.replace("[0.2, 0.8]", "[0.2, 0.7]"))
    before = dataset(out)
    assert main(["sweep", str(changed), "--out", str(out), "--workers", "1"]) == 2
    message = capsys.readouterr().err.strip()
    assert message.startswith(f"cfsim: error: --out {out}: holds the results of a different sweep")
    assert "use a new --out directory, or delete" in message and "\n" not in message
    assert dataset(out) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--workers", "0"], "--workers = '0': expected a whole number from 1 to 256"),
    (["--workers", "two"], "--workers = 'two': expected a whole number"),
    (["--scheduler", "http//nowhere"], "--scheduler = 'http//nowhere': expected a Dask scheduler address"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler tcp://127.0.0.1:1: cannot reach a Dask scheduler there"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers: applies to the local cluster only"),
])
def test_bad_options_exit_2_and_create_nothing(tmp_path, capsys, args, message):
    sweep = write_sweep(tmp_path, GRID)
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.splitlines()[-1].startswith("cfsim: error: ")
    assert not out.exists()


def test_bad_sweep_file_exits_2_and_creates_nothing(tmp_path, capsys):
    sweep = write_sweep(tmp_path, GRID.replace("transparency = [0.2, 0.8]", "transparency = [0.2, 3]"))
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"cfsim: error: {sweep}: design.vary.transparency = 3 is out of range: " \
                                      "expected a number from 0 to 1\n"
    assert not out.exists()


def test_out_holding_other_files_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.docx").write_text("precious")
    with pytest.raises(InputError, match="exists and is not a sweep results directory"):
        run_sweep(write_sweep(tmp_path, GRID), tmp_path / "out", workers=1)


def test_ctrl_c_keeps_finished_runs_and_the_same_command_resumes(tiny_runs, tmp_path):
    """SIGINT to the driver of a local cluster: exit 130, message; the re-run completes identically."""
    slow = write_sweep(tmp_path, RECORDED.replace("weeks = 8", "weeks = 156").replace("replications = 2",
                                                                                     "replications = 4")
                       .replace("n_employees = 60", "n_employees = 400").replace("n_customers = 600",
                                                                                "n_customers = 4000"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(slow), "--out", str(out), "--workers", "1"]
    driver = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list((out / "runs").glob("run-*.parquet")) if (out / "runs").exists() else []) < 2:
        assert time.monotonic() < deadline and driver.poll() is None
        time.sleep(0.02)
    driver.send_signal(signal.SIGINT)
    _, err = driver.communicate(timeout=60)
    assert driver.returncode == 130, err
    finished = len(list((out / "runs").glob("run-*.parquet")))
    assert finished < 16
    assert f"interrupted; {finished} of 16 runs finished are kept in {out}; run the same command to resume" in err
    assert "Traceback" not in err
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"{finished} of 16 runs already done" in again.stderr
    fresh = run_sweep(slow, tmp_path / "fresh", workers=2, progress=False)
    assert dataset(out) == dataset(fresh)
