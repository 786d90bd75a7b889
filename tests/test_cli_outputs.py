"""``cfsim run``'s output files: provenance, permissions, partial files, memory, and what a command imports."""

import gc
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import weakref

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.model
import sim.sizing
from sim.cli import main
from sim.output_files import write_atomically
from sim.provenance import versions

SMALL = ["--set", "n_employees=60", "--set", "n_customers=500", "--weeks", "30"]


def cfsim(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=300)


def test_parquet_output_carries_versions_resolved_scenario_and_seeds_in_its_metadata(tmp_path):
    out = tmp_path / "runs.parquet"
    result = cfsim("run", "new_leadership_team", *SMALL, "--seed", "9", "--replications", "2",
                   "--assume", "win_rate=0.005", "--out", str(out))
    assert result.returncode == 0, result.stderr
    made_by = json.loads(pq.read_schema(out).metadata[b"cfsim"])
    assert made_by["versions"] == versions()
    scenario = made_by["scenario"]
    assert scenario["key"] == "new_leadership_team"
    assert scenario["parameters"]["n_employees"] == 60 and scenario["parameters"]["weeks"] == 30
    assert scenario["parameters"]["leadership_courage"] == 0.05  # from the preset file
    assert {"week": 26, "lever": "leadership_courage", "value": 0.8} in scenario["interventions"]
    assert scenario["assumption_overrides"] == {"win_rate": 0.005} and scenario["assumptions"]["win_rate"] == 0.005
    assert made_by["seeds"]["seed"] == 9 and made_by["seeds"]["replications"] == 2
    assert len(pd.read_parquet(out)) == 2 * 30


@pytest.mark.parametrize("name", ["runs.parquet", "runs.csv"])
def test_the_same_outputs_and_provenance_give_the_same_bytes(tmp_path, name):
    frame = pd.DataFrame({"scenario": ["baseline"] * 3, "week": [1, 2, 3], "retention_rate": [0.9, 0.8, 0.85]})
    written = []
    for attempt in ("first", "second"):
        (tmp_path / attempt).mkdir()
        write_atomically(frame, tmp_path / attempt / name, {"versions": versions(), "seeds": {"seed": 1}})
        written.append(sorted((p.name, p.read_bytes()) for p in (tmp_path / attempt).iterdir()))
    assert written[0] == written[1]


def test_csv_output_reads_with_plain_read_csv_and_has_a_sidecar_naming_it(tmp_path):
    out = tmp_path / "runs.csv"
    assert cfsim("run", *SMALL, "--out", str(out)).returncode == 0
    assert len(pd.read_csv(out)) == 30
    made_by = json.loads((tmp_path / "runs.csv.json").read_text())
    assert made_by["file"] == "runs.csv"
    assert made_by["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert made_by["versions"] == versions() and made_by["seeds"]["seed"] == 42


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_output_files_get_the_permissions_the_umask_gives_a_new_file(tmp_path, umask, mode):
    outputs = [tmp_path / "runs.csv", tmp_path / "runs.parquet"]
    previous = os.umask(umask)
    try:
        for out in outputs:
            write_atomically(pd.DataFrame({"week": [1]}), out, {})
    finally:
        os.umask(previous)
    for path in [*outputs, tmp_path / "runs.csv.json"]:
        assert path.stat().st_mode & 0o777 == mode, path


def _partials(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".partial"))


def test_a_stale_partial_file_is_removed_and_one_a_live_writer_holds_is_kept(tmp_path):
    out = tmp_path / "runs.csv"
    stale, live = tmp_path / ".runs.csv.123.dead.partial", tmp_path / ".runs.csv.json.456.live.partial"
    stale.write_text("half")
    holder = subprocess.Popen(  # another writer: holds its partial file locked
        [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('locked', flush=True); sys.stdin.read()", str(live)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        write_atomically(pd.DataFrame({"week": [1, 2]}), out, {"made": "here"})
        assert _partials(tmp_path) == [live.name]
    finally:
        holder.communicate("", timeout=30)
    assert pd.read_csv(out)["week"].tolist() == [1, 2]


def test_kill_9_during_the_write_loses_nothing_and_the_next_run_leaves_no_partial_file(tmp_path):
    out = tmp_path / "runs.csv"
    assert cfsim("run", *SMALL, "--weeks", "3", "--out", str(out)).returncode == 0
    before = out.read_bytes(), (tmp_path / "runs.csv.json").read_bytes()
    big = ["--set", "n_employees=24", "--set", "n_customers=10", "--weeks", "2600", "--replications", "2"]
    for _attempt in range(3):  # the write lasts tens of milliseconds: catch it, or try again
        writer = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", *big, "--out", str(out)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while writer.poll() is None and not any(".csv.json." not in name for name in _partials(tmp_path)):
            time.sleep(0.0005)  # kill as soon as the data's partial file appears: long before it is moved
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        if writer.returncode == -signal.SIGKILL and _partials(tmp_path):
            break
        out.write_bytes(before[0])
        (tmp_path / "runs.csv.json").write_bytes(before[1])
    else:
        pytest.fail("the writer was never caught during its write")
    assert (out.read_bytes(), (tmp_path / "runs.csv.json").read_bytes()) == before  # nothing lost
    assert cfsim("run", *SMALL, "--weeks", "3", "--out", str(out)).returncode == 0
    assert _partials(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv", "runs.csv.json"]


def test_replications_whose_outputs_cannot_fit_in_memory_are_refused_before_running(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sim.sizing, "available_bytes", lambda: 16 * 2**30)
    out = tmp_path / "runs.parquet"
    assert main(["run", "--replications", "10000", "--weeks", "5200", "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("cfsim: error: --replications 10,000 x --weeks 5,200:")
    assert "GiB" in error[0] and list(tmp_path.iterdir()) == []
    sim.sizing.check_outputs_fit(100, 5200, 400, 4000)  # what fits is not refused


def test_a_run_keeps_no_earlier_replications_model_alive(monkeypatch, capsys):
    alive, most = [], []

    class Tracked(sim.model.CustomerFocusModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            alive.append(weakref.ref(self))
            gc.collect()
            most.append(sum(ref() is not None for ref in alive))

    monkeypatch.setattr(sim.model, "CustomerFocusModel", Tracked)
    assert main(["run", *SMALL, "--weeks", "2", "--replications", "4"]) == 0
    capsys.readouterr()
    assert len(most) == 4 and max(most) == 1


LIGHT = "import sys; from sim.cli import main; code = main(sys.argv[1:]); " \
        "print(sorted({'mesa', 'pandas', 'numpy', 'pyarrow', 'scipy'} & set(sys.modules)), code)"


@pytest.mark.parametrize("args", [["scenarios"], ["parameters"], ["assumptions"], ["run", "--set", "x=1"],
                                  ["run", "--assume", "win_rate=1"], ["run", "new_leadership_team", "--weeks", "9"]])
def test_listing_and_bad_input_import_no_heavy_library(args):
    result = subprocess.run([sys.executable, "-c", LIGHT, *args], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] in ("[] 0", "[] 2"), result.stdout + result.stderr
