"""The model under mesa.batch_run, as a Mesa user would run it."""

import mesa
import pandas as pd
import pytest

from sim.model import CustomerFocusModel

SMALL = {"n_employees": 60, "n_customers": 600, "weeks": 12}


def batch(**kwargs):
    return pd.DataFrame(mesa.batch_run(CustomerFocusModel, number_processes=1, display_progress=False, **kwargs))


def test_batch_run_grid_with_seeds_gives_weekly_rows():
    frame = batch(parameters={"transparency": [0.1, 0.9], **SMALL}, rng=[1, 2], max_steps=100,
                  data_collection_period=1)
    assert frame["RunId"].nunique() == 4
    assert frame.groupby("RunId")["Step"].max().tolist() == [12] * 4  # the model stops after its weeks
    assert len(frame) == 4 * 12
    assert {"retention_rate", "customer_focus_mean", "transparency"} <= set(frame.columns)
    # rng=1 is the model's seed 1: the same run as CustomerFocusModel(seed=1)
    direct = CustomerFocusModel(seed=1, transparency=0.1, **SMALL).run()
    run = frame[(frame["rng"] == 1) & (frame["transparency"] == 0.1)]
    assert run["customer_focus_mean"].tolist() == direct["customer_focus_mean"].tolist()
    # transparency builds trust: more of it, more trust by the end
    final = frame[frame["Step"] == 12].groupby("transparency")["trust_mean"].mean()
    assert final[0.9] > final[0.1]


def test_batch_run_iterations_are_independent_runs():
    with pytest.warns(DeprecationWarning):
        frame = batch(parameters=SMALL, iterations=3, max_steps=5, data_collection_period=-1)
    assert len(frame) == 3 and (frame["Step"] == 5).all()
    assert frame["customer_focus_mean"].nunique() == 3  # rng=None: a fresh seed each, as for any Mesa model


def test_rng_keyword_forms():
    import numpy as np

    a = CustomerFocusModel(rng=np.random.SeedSequence(5), **SMALL).run()
    b = CustomerFocusModel(rng=np.random.SeedSequence(5), **SMALL).run()
    c = CustomerFocusModel(rng=np.random.default_rng(5), **SMALL).run()
    assert a.equals(b)  # a SeedSequence gives a reproducible seed
    assert len(c) == 12
    assert CustomerFocusModel(rng=7, **SMALL).scenario.seed == 7
    assert CustomerFocusModel(**SMALL).scenario.seed == 42  # no rng: the scenario's seed, unchanged
