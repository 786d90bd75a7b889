"""The results store under faults: damaged and foreign run files, a deleted manifest, another code version,
a second writer, a full disk."""

import errno
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.scenario import InputError
from sim.sweeps import check_code_version, lock, run_sweep, store

from .test_sweep_cluster import SLOW
from .test_sweep_file import GRID, write_sweep
from .test_sweep_run import dataset

ROOT = Path(__file__).resolve().parent.parent
OTHER = GRID.replace('name = "tiny"', 'name = "other"').replace("seed = 9", "seed = 10")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny grid sweep (8 runs), and another sweep with the same outputs and weeks."""
    tmp = tmp_path_factory.mktemp("reference")
    sweep, other = write_sweep(tmp, GRID), write_sweep(tmp, OTHER, "other.toml")
    return sweep, run_sweep(sweep, tmp / "ref", workers=1, progress=False), run_sweep(other, tmp / "other",
                                                                                       workers=1, progress=False)


def copy(reference_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(reference_dir, out)
    return out


def test_truncated_run_file_is_set_aside_and_run_again(reference, tmp_path, capsys):
    sweep, ref, _ = reference
    out = copy(ref, tmp_path)
    damaged = out / "runs" / "run-000003.parquet"
    original = damaged.read_bytes()
    with open(damaged, "r+b") as stream:
        stream.truncate(100)
    run_sweep(sweep, out, workers=1)
    err = capsys.readouterr().err
    assert "1 damaged or foreign file in runs/ (e.g. run-000003.parquet) moved to" in err
    assert "7 of 8 runs already done; running the other 1" in err
    assert damaged.read_bytes() == original
    assert (out / "rejected" / "run-000003.parquet").stat().st_size == 100  # set aside, not deleted
    assert len(pd.read_parquet(out / "runs")) == len(pd.read_parquet(ref / "runs"))


def test_foreign_run_files_are_not_counted(reference, tmp_path, capsys):
    """A run file of another sweep (same columns and weeks), a file for a run id past the end, a stray file."""
    sweep, ref, other = reference
    out = copy(ref, tmp_path)
    (out / "runs" / "run-000002.parquet").write_bytes((other / "runs" / "run-000002.parquet").read_bytes())
    (out / "runs" / "run-000099.parquet").write_bytes((ref / "runs" / "run-000001.parquet").read_bytes())
    (out / "runs" / "run-000004.parquet").write_bytes((ref / "runs" / "run-000005.parquet").read_bytes())
    (out / "runs" / "notes.txt").write_text("mine")
    run_sweep(sweep, out, workers=1)
    err = capsys.readouterr().err
    assert "4 damaged or foreign files in runs/" in err and "6 of 8 runs already done" in err
    assert dataset(out / "runs") == dataset(ref / "runs")
    assert sorted(p.name for p in (out / "rejected").iterdir()) == [
        "notes.txt", "run-000002.parquet", "run-000004.parquet", "run-000099.parquet"]


def test_deleted_manifest_does_not_let_another_sweep_in(reference, tmp_path, capsys):
    _, ref, _ = reference
    out = copy(ref, tmp_path)
    (out / "manifest.json").unlink()
    before = dataset(out)
    assert main(["sweep", str(write_sweep(tmp_path, OTHER, "other.toml")), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "holds run files but no manifest.json" in err and err.count("\n") == 1
    assert dataset(out) == before


def test_altered_design_is_refused(reference, tmp_path):
    sweep, ref, _ = reference
    out = copy(ref, tmp_path)
    design = pd.read_parquet(out / "design.parquet")
    design.loc[0, "transparency"] = 0.5
    design.to_parquet(out / "design.parquet")
    with pytest.raises(InputError, match=r"design\.parquet is missing or is not this sweep's design"):
        run_sweep(sweep, out, workers=1)


def test_resume_by_another_code_version_is_refused_naming_both(reference, tmp_path, monkeypatch):
    sweep, ref, _ = reference
    out = copy(ref, tmp_path)
    (out / "runs" / "run-000007.parquet").unlink()
    before = dataset(out)
    written = json.loads((out / "manifest.json").read_text())["code_version"]
    assert check_code_version(json.loads((out / "manifest.json").read_text())) is None
    monkeypatch.setattr(store, "code_version", lambda: "9.9@feedface")
    with pytest.raises(InputError) as error:
        run_sweep(sweep, out, workers=1)
    assert f"its runs were made by version {written}, this is 9.9@feedface" in str(error.value)
    assert dataset(out) == before
    warning = check_code_version(json.loads((out / "manifest.json").read_text()))
    assert f"written by version {written}, this is 9.9@feedface" in warning
    assert "(not recorded)" in check_code_version({"format": 1})


def test_a_second_writer_is_refused_and_the_first_finishes_intact(reference, tmp_path):
    slow = write_sweep(tmp_path, SLOW.replace("replications = 4", "replications = 8"))  # 32 runs of 0.1-0.3 s
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(slow), "--out", str(out), "--workers", "1"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "manifest.json").exists():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    still_running = first.poll() is None
    _, err = first.communicate(timeout=300)
    assert still_running, "the first writer finished before the second started; the test proves nothing"
    assert second.returncode == 2
    assert second.stderr == f"cfsim: error: --out {out}: another cfsim sweep is writing into it; wait for it to " \
                            "finish (then run the same command to check), or choose another --out\n"
    assert first.returncode == 0, err
    fresh = run_sweep(slow, tmp_path / "fresh", workers=1, progress=False)
    assert dataset(out) == dataset(fresh)


def test_lock_is_refused_in_process_too(reference, tmp_path):
    sweep, ref, _ = reference
    out = copy(ref, tmp_path)
    with lock.exclusive(out), pytest.raises(InputError, match="another cfsim sweep is writing into it"):
        run_sweep(sweep, out, workers=1)


def test_disk_full_during_set_up_leaves_nothing(tmp_path, monkeypatch, capsys):
    def full(data, path, durable=True):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "write_bytes_atomically", full)
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(tmp_path, GRID)), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"cfsim: error: --out {out}: cannot write (No space left on device); free some space or " \
                      "fix the permissions and run the same command to resume"
    assert not any("Traceback" in line for line in err)
    assert not out.exists()


def test_disk_full_mid_sweep_keeps_finished_runs_and_resumes(reference, tmp_path, monkeypatch, capsys):
    sweep, ref, _ = reference
    real, written = store.write_bytes_atomically, []

    def fills_up(data, path, durable=True):
        if path.parent.name == "runs" and len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(data, path, durable)
        if path.parent.name == "runs":
            written.append(path)

    monkeypatch.setattr(store, "write_bytes_atomically", fills_up)
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"cfsim: error: --out {out}: cannot write (No space left on device); the 3 of 8 runs " \
                      "finished are kept; free some space or fix the permissions and run the same command to resume"
    assert not any("Traceback" in line for line in err)
    assert len(list((out / "runs").glob("run-*.parquet"))) == 3
    assert not list((out / "runs").glob(".*"))  # no temporary file left
    monkeypatch.setattr(store, "write_bytes_atomically", real)
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1"]) == 0
    assert dataset(out / "runs") == dataset(ref / "runs")
