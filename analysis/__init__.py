"""Analysis of sweep results: load, summarise, sensitivity indices, scenario discovery, plots, a report.

Each module does one job: :mod:`analysis.results` loads a results directory,
:mod:`analysis.statistics` gives means and confidence intervals,
:mod:`analysis.sensitivity` Sobol and Morris indices (SALib),
:mod:`analysis.discovery` scenario discovery (PRIM, EMA workbench),
:mod:`analysis.robustness` each contrast's effect over the assumption draws,
:mod:`analysis.plots` the figures and :mod:`analysis.report` the report that
``cfsim analyse DIR`` writes.
"""

from analysis.results import Response, Results, load

__all__ = ["Response", "Results", "load"]
