"""The dashboard's charts: the browser charts hold what they are given; the PNG downloads draw it."""

import numpy as np
import pandas as pd
import pytest

from sim import CustomerFocusModel
from sim.dashboard import charts, pngs
from sim.dashboard.bands import Effect
from sim.organisation import EXECUTIVE, FRONTLINE, FUNCTIONS
from sim.scenario import Intervention

from .helpers import SMALL

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def stepped():
    model = CustomerFocusModel(**SMALL, seed=11)
    for _ in range(20):
        model.step()
    return model


@pytest.fixture(scope="module")
def effect(rng_module):
    weeks = SMALL["weeks"]
    return Effect.of(list(rng_module.normal(0.8, 0.01, (5, weeks))), list(rng_module.normal(0.75, 0.01, (5, weeks))))


@pytest.fixture(scope="module")
def rng_module():
    return np.random.default_rng(3)


def test_the_retention_chart_shows_the_run_from_the_start_week_over_both_bands(stepped, effect):
    chart = charts.RetentionChart()
    outputs = stepped.weekly_outputs()
    chart.update(outputs, SMALL["weeks"], 13, effect, ("a", "b"), (Intervention(15, "transparency", 0.9),))
    assert list(chart.run.x) == list(range(13, 21)) and chart.run.visible
    assert np.allclose(chart.run.y, 100 * outputs["retention_rate"].to_numpy()[12:])
    assert np.allclose(chart.mean.y, 100 * effect.factual.mean[12:])
    assert np.allclose(chart.other_band.y, 100 * np.vstack([effect.counterfactual.low[12:],
                                                            effect.counterfactual.high[12:]]))
    assert list(chart.marker_text.x) == [15.0] and chart.marker.visible
    assert chart.y.max == 100 and chart.y.max - chart.y.min >= 50  # noise does not fill the chart
    assert chart.x.max == SMALL["weeks"]


def test_an_empty_retention_chart_hides_its_marks_instead_of_sending_empty_arrays(stepped):
    chart = charts.RetentionChart()
    chart.update(stepped.weekly_outputs().iloc[:0], 30, 13)
    assert not chart.run.visible and not chart.marker.visible and not chart.band.visible


@pytest.mark.parametrize(("data", "expected"), [([[0.80, 0.85]], (50, 100)), ([[0.45, 0.9]], (30, 100)),
                                                ([[0.05]], (0, 100))])
def test_the_retention_axis_runs_to_100_from_a_round_number_well_below_the_data(data, expected):
    assert charts.retention_range(100 * np.array(data)) == expected


def test_the_lost_chart_shows_the_largest_reasons_largest_last():
    chart = charts.LostChart(top=2)
    chart.update(pd.Series({"sales -> delivery": 5, "delivery -> customer success": 9, "within sales": 1,
                            "delays": 0}))
    assert list(chart.bars.x) == ["sales → delivery", "delivery → cust. success"]
    assert list(chart.bars.y) == [5, 9]
    assert "delivery to customer success 9" in charts.caption_lost(pd.Series({"delivery -> customer success": 9}))


def test_grid_charts_hold_the_tables_values_and_say_their_extremes(stepped):
    table = stepped.focus_by_function_and_level()
    chart = charts.GridChart("focus", 0, 1)
    chart.update(table)
    assert np.allclose(chart.grid.color, table.to_numpy(), equal_nan=True)
    low = np.nanmin(table.to_numpy())
    assert f"{low:.2f}" in charts.caption_grid("focus", table)


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


def test_large_organisations_are_subsampled_evenly_and_say_so():
    function = np.repeat(np.arange(len(FUNCTIONS)), 500)
    level = np.tile(np.array([EXECUTIVE] + [FRONTLINE] * 99), 40)
    chart = charts.OrganisationChart()
    focus = np.linspace(0, 1, len(function))
    chart.update(function, level, focus)
    assert len(chart.dots.x) <= charts.MAX_DOTS
    assert np.all(np.bincount(function[chart.order]) == np.bincount(function[chart.order])[0])
    assert "1 in 4 shown" in chart.figure.title
    assert np.allclose(chart.dots.color, focus[chart.order])


def test_interventions_in_the_same_week_share_one_label():
    labels = pngs.intervention_labels([Intervention(26, "leadership_courage", 0.8),
                                       Intervention(26, "transparency", 0.7), Intervention(40, "silo_strength", 0.2)])
    assert labels == {26: "week 26: leadership courage 0.8, transparency 0.7", 40: "week 40: silo strength 0.2"}


def test_the_retention_png_draws_the_run_and_both_means(stepped, effect):
    figure = pngs.retention_chart(stepped.weekly_outputs(), effect, labels=("a", "b"), start=13, weeks=30)
    lines = {line.get_label(): line for line in figure.axes[0].get_lines()}
    assert np.allclose(lines["this run"].get_ydata(), 100 * stepped.weekly_outputs()["retention_rate"][12:])
    assert np.allclose(lines["b"].get_ydata(), 100 * effect.counterfactual.mean[12:])
    assert pngs.png_bytes(figure).startswith(PNG_SIGNATURE)
