"""End to end: a sweep file run by ``sim.sweeps.run_sweep`` and analysed by ``cfsim analyse``."""

from pathlib import Path

from analysis.results import load
from sim.cli import main
from sim.sweeps import run_sweep

QUICK = Path(__file__).parent.parent / "scenarios" / "sweeps" / "quick.toml"


def test_the_quick_sweep_runs_and_is_analysed(tmp_path, capsys):
    out = run_sweep(QUICK, tmp_path / "quick", workers=1, progress=False)
    results = load(out)
    assert results.complete and results.method == "grid"
    assert set(results.design["run_id"]) == set(results.weekly["run_id"])
    assert main(["analyse", str(out), "--last-weeks", "13"]) == 0
    assert f"{results.n_runs} of {results.n_runs} runs present" in capsys.readouterr().out
    text = (out / "report" / "report.md").read_text()
    assert "# Sweep report: quick" in text and "mean of `retention_rate` over weeks 40–52" in text
    assert {p.name for p in (out / "report").glob("*.png")} == {
        "over_time.png", "heatmap.png", *(f"against_{lever}.png" for lever in results.levers)}
