"""Small helpers shared by the test modules."""

from sim import CustomerFocusModel

SMALL = {"n_employees": 120, "n_customers": 1_500, "weeks": 30}


def final_year_retention(frame) -> float:
    """Mean weekly retention over the last 52 weeks of a run (all of it if shorter)."""
    return float(frame["retention_rate"].iloc[-52:].mean())


def paired_runs(seeds, low: dict, high: dict, **common):
    """Run the same seeds under two settings; return the weekly outputs of both."""
    lows = [CustomerFocusModel(seed=s, **common, **low).run() for s in seeds]
    highs = [CustomerFocusModel(seed=s, **common, **high).run() for s in seeds]
    return lows, highs
