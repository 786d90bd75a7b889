"""The dashboard's charts: they draw what they are given, and the organisation layout is right."""

import numpy as np
import pandas as pd
import pytest

from sim import CustomerFocusModel
from sim.dashboard import charts
from sim.dashboard.runs import compare
from sim.organisation import EXECUTIVE, FRONTLINE, FUNCTIONS
from sim.scenario import Intervention

from .helpers import SMALL

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def stepped():
    model = CustomerFocusModel(**SMALL, seed=11)
    for _ in range(12):
        model.step()
    return model


def test_retention_chart_draws_the_run_beside_the_full_baseline(stepped):
    baseline = CustomerFocusModel(**SMALL, seed=11).run()
    figure = charts.retention_chart(stepped.weekly_outputs(), baseline,
                                    interventions=(Intervention(20, "transparency", 0.9),))
    run, base = None, None
    for line in figure.axes[0].get_lines():
        if line.get_label() == "this run":
            run = line
        elif line.get_label() == "baseline preset, whole run":
            base = line
    assert len(run.get_xdata()) == 12 and len(base.get_xdata()) == SMALL["weeks"]
    assert np.allclose(run.get_ydata(), 100 * stepped.weekly_outputs()["retention_rate"])
    assert charts.png_bytes(figure).startswith(PNG_SIGNATURE)


def test_interventions_in_the_same_week_share_one_label():
    labels = charts.intervention_labels([Intervention(26, "leadership_courage", 0.8),
                                         Intervention(26, "transparency", 0.7), Intervention(40, "silo_strength", 0.2)])
    assert labels == {26: "week 26: leadership courage 0.8, transparency 0.7", 40: "week 40: silo strength 0.2"}


def test_heatmaps_show_the_tables_values(stepped):
    table = stepped.focus_by_function_and_level()
    figure = charts.focus_heatmap(table)
    assert np.allclose(figure.axes[0].images[0].get_array(), table.to_numpy())
    handoffs = stepped.handoff_success_by_pair()
    drawn = charts.handoff_chart(handoffs).axes[0].images[0].get_array()
    assert np.array_equal(np.ma.getmaskarray(drawn), np.isnan(handoffs.to_numpy()))


def test_lost_by_reason_shows_the_largest_reasons_largest_on_top():
    lost = pd.Series({"sales -> delivery": 5, "delivery -> customer success": 9, "within sales": 1, "delays": 0})
    figure = charts.lost_by_reason_chart(lost, top=2)
    bars = [patch.get_width() for patch in figure.axes[0].patches]
    assert bars == [5, 9]
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["sales → delivery", "delivery → cust. success"]


def test_organisation_layout_places_everyone_once_leaders_first(stepped):
    org = stepped.organisation
    xs, ys, ids, centres = charts.organisation_layout(org.function, org.level)
    assert np.array_equal(np.sort(ids), np.arange(len(org.function)))
    assert len(set(zip(xs, ys, strict=True))) == len(ids)  # no two dots on one spot
    for f in range(len(FUNCTIONS)):
        mine = org.function[ids] == f
        assert abs(xs[mine].mean() - centres[f]) < centres[1] - centres[0]  # each block around its label
        top = ys[mine & (org.level[ids] == EXECUTIVE)].min()
        assert top >= ys[mine & (org.level[ids] == FRONTLINE)].max()


def test_large_organisations_are_subsampled_evenly():
    function = np.repeat(np.arange(len(FUNCTIONS)), 2_500)
    level = np.tile(np.array([EXECUTIVE] + [FRONTLINE] * 99), 200)
    _, _, ids, _ = charts.organisation_layout(function, level)
    assert len(ids) <= charts.MAX_DOTS
    assert np.all(np.bincount(function[ids]) == np.bincount(function[ids])[0])
    figure = charts.organisation_chart(function, level, np.linspace(0, 1, len(function)))
    assert "1 in 5 shown" in figure.axes[0].get_title()


def test_comparison_chart_draws_both_means_and_bands():
    result = compare([("a", lambda r: _scenario(r, 0.1)), ("b", lambda r: _scenario(r, 0.9))], 3)
    figure = charts.comparison_chart(result)
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    assert np.allclose(lines[1].get_ydata(), 100 * result.series[1].mean)
    assert len(figure.axes[0].collections) == 2


def _scenario(replication, courage):
    from sim.scenario import CustomerFocusScenario
    return CustomerFocusScenario(replication=replication, leadership_courage=courage, **SMALL)
