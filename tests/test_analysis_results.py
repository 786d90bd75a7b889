"""Loading a results directory: the design, the runs present, responses, and one-line errors for bad input."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.results import Response, load
from sim.scenario import InputError

from .test_analysis_fixtures import LEVERS2, grid_results


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return grid_results(tmp_path_factory.mktemp("results") / "grid", replications=2)


def test_load_joins_design_and_outputs(grid):
    results = load(str(grid))
    assert results.method == "grid" and results.levers == LEVERS2["names"]
    assert results.n_runs == 12 and results.complete and results.status() == "12 of 12 runs present"
    assert results.problem == {"num_vars": 2, "names": LEVERS2["names"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    assert {"retention_rate", "customers_lost"} <= set(results.outputs)
    assert len(results.weekly) == 12 * 30


def test_the_response_is_the_mean_over_the_last_weeks(grid):
    results = load(grid)
    year = results.responses(Response("retention_rate", last_weeks=10))
    final = results.responses(Response("retention_rate", last_weeks=1))
    whole = results.responses(Response("retention_rate", last_weeks=52))  # longer than the run: all 30 weeks
    run = pd.read_parquet(grid / "runs" / "run-000007.parquet")
    row = year.set_index("run_id").loc[7]
    assert row["retention_rate"] == pytest.approx(run["retention_rate"].iloc[-10:].mean())
    assert final.set_index("run_id").loc[7, "retention_rate"] == run["retention_rate"].iloc[-1]
    assert whole.set_index("run_id").loc[7, "retention_rate"] == pytest.approx(run["retention_rate"].mean())
    assert (row["point"], row["replication"]) == (3, 1)
    design = pd.read_parquet(grid / "design.parquet").set_index("run_id")
    assert row["leadership_courage"] == design.loc[7, "leadership_courage"]
    assert Response("retention_rate", 52).describe(104) == "mean of `retention_rate` over weeks 53–104"
    assert Response("retention_rate", 1).describe(104) == "`retention_rate` in the final week (104)"


def test_a_partial_sweep_reports_what_is_present(grid, tmp_path):
    partial = shutil.copytree(grid, tmp_path / "partial")
    (partial / "runs" / "run-000003.parquet").unlink()
    (partial / "runs" / ".run-000004.parquet.partial").write_bytes(b"half a file")  # not a finished run
    results = load(partial)
    assert not results.complete and results.status() == "11 of 12 runs present (partial sweep)"
    assert 3 not in results.responses().run_id.tolist() and len(results.responses()) == 11


def test_a_sweep_with_no_runs_yet_loads_empty(grid, tmp_path):
    empty = shutil.copytree(grid, tmp_path / "empty")
    shutil.rmtree(empty / "runs")
    results = load(empty)
    assert results.status() == "0 of 12 runs present (partial sweep)" and results.responses().empty


def edit_manifest(directory, **changes):
    manifest = json.loads((directory / "manifest.json").read_text())
    (directory / "manifest.json").write_text(json.dumps(manifest | changes))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: shutil.rmtree(d), "no such directory"),
        (lambda d: (d / "manifest.json").unlink(), "not a results directory"),
        (lambda d: (d / "manifest.json").write_text("{"), "not valid JSON"),
        (lambda d: (d / "manifest.json").write_text(json.dumps({"format": 9})), "format 9"),
        (lambda d: (d / "manifest.json").write_text("[1, 2]"), "expected a JSON object .* found list"),
        (lambda d: (d / "manifest.json").write_text("42"), "expected a JSON object .* found int"),
        (lambda d: edit_manifest(d, problem=3), "'problem' is 3; expected a table with names and bounds"),
        (lambda d: edit_manifest(d, problem={"names": ["a"], "bounds": [[0, "x"]]}), "'problem.bounds'"),
        (lambda d: edit_manifest(d, replications="two"), "'replications' is \"two\"; expected a whole number"),
        (lambda d: edit_manifest(d, fixed=[1]), "'fixed' is \\[1\\]; expected a table"),
        (lambda d: edit_manifest(d, method="guess"), "'method' is \"guess\"; expected grid or latin"),
        (lambda d: (d / "design.parquet").write_bytes(bytes(range(256)) * 8), "design.parquet: not a readable"),
        (lambda d: (d / "design.parquet").unlink(), "design.parquet: missing"),
        (lambda d: pd.read_parquet(d / "design.parquet").drop(columns="point").to_parquet(d / "design.parquet"),
         "columns missing: point"),
        (lambda d: (d / "runs" / "run-000001.parquet").write_text("not parquet"), "cannot read the run files"),
    ],
)
def test_bad_directories_raise_one_line(grid, tmp_path, damage, message):
    broken = shutil.copytree(grid, tmp_path / "broken")
    damage(broken)
    with pytest.raises(InputError, match=message) as error:
        load(broken)
    assert "\n" not in str(error.value)


def test_unknown_outputs_and_windows_are_refused(grid):
    results = load(grid)
    with pytest.raises(InputError, match="'profit': not recorded in this sweep; recorded: retention_rate"):
        results.responses("profit")
    with pytest.raises(InputError, match="at least 1"):
        results.responses(Response("retention_rate", 0))
    assert np.isfinite(results.responses("cross_silo_handoff_success_rate")["cross_silo_handoff_success_rate"]).all()
