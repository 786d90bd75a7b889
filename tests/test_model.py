import numpy as np
import pandas as pd
import pytest

from sim import CustomerFocusModel, CustomerFocusScenario
from sim.record import WEEKLY_COLUMNS
from sim.scenario import Intervention

from .helpers import SMALL

REQUIRED_COLUMNS = [
    "week", "retention_rate", "customers_active", "customers_lost", "satisfaction_mean",
    "customer_focus_mean", "customer_focus_leaders", "trust_mean", "handoff_success_rate",
    "cross_silo_handoff_success_rate",
]


def test_weekly_outputs_have_the_required_columns_and_one_row_per_week():
    frame = CustomerFocusModel(**SMALL, seed=1).run()
    assert list(frame.columns) == list(WEEKLY_COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(frame.columns)
    assert frame["week"].tolist() == list(range(1, SMALL["weeks"] + 1))
    assert frame["retention_rate"].between(0, 1).all()
    assert (frame["customer_focus_leaders"] > frame["customer_focus_frontline"]).all()


def test_same_seed_same_bytes_different_seed_differs():
    def csv(seed):
        return CustomerFocusModel(**SMALL, seed=seed).run().to_csv(index=False).encode()

    assert csv(11) == csv(11)
    assert csv(11) != csv(12)


def test_a_reused_scenario_object_gives_the_same_run():
    scenario = CustomerFocusScenario(**SMALL, seed=3)
    pd.testing.assert_frame_equal(CustomerFocusModel(scenario).run(), CustomerFocusModel(scenario).run())


def test_replications_differ_but_each_is_reproducible():
    def frame(replication):
        return CustomerFocusModel(CustomerFocusScenario(**SMALL, seed=3, replication=replication)).run()

    pd.testing.assert_frame_equal(frame(1), frame(1))
    assert not frame(0).equals(frame(1))


def test_an_intervention_changes_the_lever_at_its_week():
    scenario = CustomerFocusScenario(**SMALL, seed=2, interventions=[Intervention(10, "transparency", 0.9)])
    model = CustomerFocusModel(scenario)
    seen = []
    for _ in range(SMALL["weeks"]):
        model.step()
        seen.append(model.levers.transparency)
    assert seen[:9] == [scenario.transparency] * 9 and seen[9:] == [0.9] * (SMALL["weeks"] - 9)
    assert model.scenario.transparency == CustomerFocusScenario.transparency  # the scenario is untouched


def test_a_silo_intervention_rewires_the_network_and_scales_barriers():
    scenario = CustomerFocusScenario(**SMALL, seed=2, silo_strength=0.2,
                                     interventions=[Intervention(5, "silo_strength", 1.0)])
    model = CustomerFocusModel(scenario)
    for _ in range(4):
        model.step()
    before = model.organisation.barrier.copy()
    model.step()
    org = model.organisation
    rows, cols = org.peers.nonzero()
    assert (org.function[rows] == org.function[cols]).all()
    off = ~np.eye(8, dtype=bool)
    assert np.all(org.barrier[off] > 4 * before[off]) and np.all(org.barrier[off] <= 5 * before[off])


def test_employees_are_a_mesa_agentset():
    model = CustomerFocusModel(**SMALL, seed=1)
    assert len(model.agents) == SMALL["n_employees"]
    frontline = model.agents.select(lambda a: a.level == "frontline")
    assert 0 < len(frontline) < len(model.agents)
    mean_focus = frontline.agg("customer_focus", np.mean)
    assert np.isclose(mean_focus, model.culture.focus[model.organisation.level == 2].mean())
    by_function = model.agents.groupby("function")
    assert len(by_function.groups) == 8
    ceo = model.employees[model.organisation.executives[0]]
    assert ceo.manager is None and ceo.is_executive
    frontliner = frontline.to_list()[0]
    assert frontliner.manager.level == "manager" and frontliner.manager.function == frontliner.function


def test_breakdowns_on_demand():
    model = CustomerFocusModel(**SMALL, seed=1)
    model.run()
    focus = model.focus_by_function_and_level()
    assert focus.shape == (8, 3) and focus.notna().all().all()
    pairs = model.handoff_success_by_pair()
    assert pairs.shape == (8, 8) and pairs.stack().dropna().between(0, 1).all() and pairs.isna().any().any()
    reasons = model.lost_by_reason()
    assert reasons.sum() == model.weekly_outputs()["customers_lost"].sum()


def test_retention_is_annualised_trailing_quarter_churn():
    model = CustomerFocusModel(**SMALL, seed=6)
    exposures = []
    for _ in range(SMALL["weeks"]):
        exposures.append(int(model.customers.active.sum()))
        model.step()
    frame = model.weekly_outputs()
    lost = frame["customers_lost"].to_numpy()
    for week in (5, 13, 30):
        window = slice(max(0, week - 13), week)
        expected = (1 - lost[window].sum() / sum(exposures[window])) ** 52
        assert frame["retention_rate"].iloc[week - 1] == pytest.approx(expected)


def test_keywords_override_replication_and_interventions():
    timeline = (Intervention(3, "transparency", 0.9),)
    direct = CustomerFocusModel(CustomerFocusScenario(replication=2, interventions=timeline, **SMALL, seed=4)).run()
    by_keyword = CustomerFocusModel(replication=2, interventions=timeline, **SMALL, seed=4).run()
    assert direct.equals(by_keyword)
    assert not by_keyword.equals(CustomerFocusModel(replication=3, interventions=timeline, **SMALL, seed=4).run())
