"""``cfsim analyse DIR`` on small sweeps of the real model: the report fits the method, and bad input is one line."""

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

from .test_analysis_fixtures import LEVERS2, grid_results, write_results

SWEEPS = {
    "sobol": {"samples": 8, "calc_second_order": False},  # 8 x 4 = 32 points
    "morris": {"samples": 4, "num_levels": 4},  # 4 trajectories x 3 = 12 points
    "latin": {"samples": 16},
}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweeps")
    made = {method: write_results(root / method, method, LEVERS2, replications=2 if method == "latin" else 1,
                                  options=options) for method, options in SWEEPS.items()}
    made["grid"] = grid_results(root / "grid", replications=2)
    return made


def analyse(directory, *options):
    return main(["analyse", str(directory), *options])


def report(directory):
    return (directory / "report" / "report.md").read_text()


def figures(directory):
    return sorted(p.name for p in (directory / "report").glob("*.png"))


def test_a_sobol_sweep_gets_indices_a_heatmap_and_discovery(sweeps, capsys):
    assert analyse(sweeps["sobol"]) == 0
    out = capsys.readouterr().out
    assert "32 of 32 runs present" in out and "report.md (7 figures, PNG and SVG)" in out
    text = report(sweeps["sobol"])
    assert "## Sensitivity: Sobol indices" in text and "| parameter | S1 | S1_conf | ST | ST_conf |" in text
    assert "mean of `retention_rate` over weeks 1–30" in text
    assert "## Scenario discovery (PRIM)" in text and "Coverage" in text
    assert figures(sweeps["sobol"]) == ["against_leadership_courage.png", "against_metric_alignment.png",
                                        "heatmap.png", "indices.png", "over_time.png", "prim_box.png",
                                        "prim_tradeoff.png"]
    for name in ("points.csv", "indices.csv", "prim_box.csv"):
        assert (sweeps["sobol"] / "report" / name).is_file()


def test_a_morris_sweep_gets_elementary_effects(sweeps):
    assert analyse(sweeps["morris"], "--output", "customer_focus_mean", "--last-weeks", "1") == 0
    text = report(sweeps["morris"])
    assert "Morris elementary effects" in text and "mu_star" in text
    assert "`customer_focus_mean` in the final week (30)" in text
    assert "indices.png" in figures(sweeps["morris"])


def test_a_grid_gets_statistics_and_a_heatmap_but_no_indices(sweeps):
    assert analyse(sweeps["grid"], "--level", "0.9") == 0
    text = report(sweeps["grid"])
    assert "Sensitivity" not in text and "Scenario discovery" not in text  # 6 points: too few for PRIM
    assert "| point | leadership_courage | metric_alignment | replications | mean | 90% interval |" in text
    assert figures(sweeps["grid"]) == ["against_leadership_courage.png", "against_metric_alignment.png",
                                       "heatmap.png", "over_time.png"]


def test_a_latin_sweep_gets_discovery_at_a_chosen_target(sweeps):
    assert analyse(sweeps["latin"], "--target", "0.8") == 0
    text = report(sweeps["latin"])
    assert "at or above 80.00% (from --target)" in text
    assert "Sensitivity" not in text


def test_a_partial_sweep_is_described_but_gets_no_indices(sweeps, tmp_path, capsys):
    partial = shutil.copytree(sweeps["sobol"], tmp_path / "partial")
    shutil.rmtree(partial / "report")
    (partial / "runs" / "run-000005.parquet").unlink()
    assert analyse(partial) == 0
    assert "31 of 32 runs present (partial sweep)" in capsys.readouterr().out
    text = report(partial)
    assert "Not computed: sensitivity analysis needs every run: 31 of 32 present" in text
    assert "indices.png" not in figures(partial) and "over_time.png" in figures(partial)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--output", "profit"], "'profit': not recorded in this sweep"),
        (["--last-weeks", "two"], "--last-weeks = 'two': expected a whole number"),
        (["--level", "95"], "--level = 95.0: expected a number between 0 and 1"),
        (["--target", "high"], "--target = 'high': expected a number"),
    ],
)
def test_bad_options_are_one_line_with_exit_2(sweeps, capsys, options, message):
    assert analyse(sweeps["grid"], *options) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_directory_that_is_not_a_sweep_is_one_line_with_exit_2(tmp_path, capsys):
    assert analyse(tmp_path / "nowhere") == 2
    assert "nowhere: no such directory" in capsys.readouterr().err
    assert analyse(tmp_path) == 2
    assert "not a results directory (no manifest.json)" in capsys.readouterr().err


def test_a_bad_option_leaves_the_earlier_report_untouched(sweeps, tmp_path, capsys):
    directory = shutil.copytree(sweeps["grid"], tmp_path / "grid")
    shutil.rmtree(directory / "report", ignore_errors=True)
    assert analyse(directory, "--output", "typo") == 2
    assert not (directory / "report").exists()  # nothing created before validation
    assert analyse(directory) == 0
    before = {p.name: p.read_bytes() for p in (directory / "report").iterdir()}
    for options in (["--output", "typo"], ["--target", "nan"], ["--target", "inf"], ["--level", "nan"]):
        assert analyse(directory, *options) == 2
        assert {p.name: p.read_bytes() for p in (directory / "report").iterdir()} == before
    assert "--target = 'inf': expected a finite number" in capsys.readouterr().err
    assert [p.name for p in directory.iterdir() if p.name.startswith(".")] == []  # no staging left behind


def test_the_report_goes_where_asked_and_never_over_other_files(sweeps, tmp_path, capsys):
    directory = shutil.copytree(sweeps["grid"], tmp_path / "grid")
    shutil.rmtree(directory / "report", ignore_errors=True)
    (directory / "report").write_text("a file in the way")
    assert analyse(directory) == 2
    assert "report: exists and is not a directory; choose where the report goes with --report" in \
        capsys.readouterr().err
    assert (directory / "report").read_text() == "a file in the way"
    elsewhere = tmp_path / "elsewhere"
    assert analyse(directory, "--report", str(elsewhere)) == 0 and (elsewhere / "report.md").is_file()
    assert analyse(directory, "--report", str(tmp_path)) == 2  # a directory holding other things
    assert "holds something other than a report" in capsys.readouterr().err and (directory / "manifest.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_results_directory_asks_for_another_place(sweeps, tmp_path, capsys):
    directory = shutil.copytree(sweeps["grid"], tmp_path / "grid")
    shutil.rmtree(directory / "report", ignore_errors=True)
    directory.chmod(0o555)
    try:
        assert analyse(directory) == 2
        assert "cannot write the report there" in capsys.readouterr().err
        assert analyse(directory, "--report", str(tmp_path / "mine")) == 0
    finally:
        directory.chmod(0o755)


def test_a_failure_while_writing_keeps_the_earlier_report(sweeps, tmp_path, monkeypatch, capsys):
    from analysis import report as report_module

    directory = shutil.copytree(sweeps["grid"], tmp_path / "grid")
    before = (directory / "report" / "report.md").read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_module.plots, "save", disk_full)
    assert analyse(directory) == 2
    assert "writing the report failed (No space left on device); any earlier report is unchanged" in \
        capsys.readouterr().err
    assert (directory / "report" / "report.md").read_bytes() == before
    assert [p.name for p in directory.iterdir() if p.name.startswith(".")] == []


def test_a_directory_refusing_writes_asks_for_another_place(sweeps, tmp_path, monkeypatch, capsys):
    # what a read-only results directory does for a user who is not root (the test above, skipped as root)
    from analysis import report as report_module

    directory = shutil.copytree(sweeps["grid"], tmp_path / "grid")
    real = report_module.tempfile.mkdtemp

    def refuse_in_results(*args, dir=None, **kwargs):
        if Path(dir) == directory:
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(report_module.tempfile, "mkdtemp", refuse_in_results)
    assert analyse(directory) == 2
    assert "cannot write the report there (Permission denied); choose another place with --report DIR" in \
        capsys.readouterr().err
    assert analyse(directory, "--report", str(tmp_path / "mine")) == 0 and (tmp_path / "mine" / "report.md").exists()


def test_a_sweep_recording_only_its_last_week_gets_no_empty_plot(tmp_path, capsys):
    # morris_levers.toml records every 104 weeks: one week per run, which drew an empty "over time" chart
    directory = write_results(tmp_path / "last", "morris", LEVERS2, replications=1, options=SWEEPS["morris"],
                              run=lambda params, seed, r: pd.DataFrame({"week": [104], "retention_rate": [
                                  0.8 + 0.1 * params["leadership_courage"]]}))
    assert analyse(directory) == 0
    assert "Only week 104 is recorded" in report(directory) and "over_time.png" not in figures(directory)


def test_short_courses_over_time_are_drawn_with_markers():
    from analysis import plots

    table = pd.DataFrame({"point": [0, 0], "week": [52, 104], "mean": [0.8, 0.9], "low": [0.7, 0.8],
                          "high": [0.9, 1.0]})
    line = plots.over_time(table, "retention_rate", "point").axes[0].lines[0]
    assert line.get_marker() == "o" and list(line.get_xdata()) == [52, 104]


def test_bands_of_shares_stay_within_0_and_100_percent():
    from analysis import plots

    table = pd.DataFrame({"leadership_courage": [0.0, 0.5, 1.0], "mean": [0.95, 0.98, 0.99],
                          "low": [0.90, 0.93, 0.95], "high": [1.0, 1.03, 1.04]})
    ax = plots.against_lever(table, "leadership_courage", "retention_rate").axes[0]
    band = ax.collections[-1].get_paths()[0].vertices
    assert band[:, 1].max() == 1.0 and band[:, 1].min() == pytest.approx(0.90)


def test_a_latin_heatmap_shows_the_two_levers_that_matter(tmp_path):
    names = ["transparency", "silo_strength", "leadership_courage", "metric_alignment"]
    problem = {"num_vars": 4, "names": names, "bounds": [[0.0, 1.0]] * 4}

    def run(params, seed, replication):  # only the last two levers matter
        value = 0.7 + 0.2 * params["leadership_courage"] + 0.1 * params["metric_alignment"]
        return pd.DataFrame({"week": [1, 2], "retention_rate": [value, value]})

    directory = write_results(tmp_path / "latin", "latin", problem, replications=1, options={"samples": 40},
                              run=run)
    assert analyse(directory) == 0
    assert "`leadership_courage` and `metric_alignment` (the two that explain most" in report(directory)


def test_second_order_indices_are_reported_when_the_sweep_paid_for_them(tmp_path):
    def run(params, seed, replication):  # a pure interaction of the two levers, centred: S1 = 0, S12 = 1
        value = (params["leadership_courage"] - 0.5) * (params["metric_alignment"] - 0.5)
        return pd.DataFrame({"week": [1], "retention_rate": [value]})

    directory = write_results(tmp_path / "sobol", "sobol", LEVERS2, replications=1, run=run,
                              options={"samples": 256, "calc_second_order": True})
    assert analyse(directory) == 0
    assert "### Interactions: second-order Sobol indices" in report(directory)
    pairs = pd.read_csv(directory / "report" / "indices_second_order.csv")
    assert pairs.loc[0, ["parameter", "other"]].tolist() == ["leadership_courage", "metric_alignment"]
    # Saltelli's estimator at N = 256 gives 0.87 here, with a bootstrap half-width of about 0.3
    assert pairs.loc[0, "S2"] == pytest.approx(1.0, abs=0.25)


def test_warnings_from_loading_reach_the_terminal_and_the_report(sweeps, tmp_path, monkeypatch, capsys):
    import dataclasses

    from analysis import command

    directory = shutil.copytree(sweeps["grid"], tmp_path / "grid")
    real = command.load
    monkeypatch.setattr(command, "load", lambda d: dataclasses.replace(real(d), warnings=("written by 0.1@abc",)))
    assert analyse(directory) == 0
    assert "cfsim: warning: written by 0.1@abc" in capsys.readouterr().err
    assert "> **Warning:** written by 0.1@abc" in report(directory)
