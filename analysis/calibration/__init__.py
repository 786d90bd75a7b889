"""Calibration to several patterns at once: history matching over a prior sample run as a sweep.

:mod:`~analysis.calibration.targets` reads a calibration file (targets with
bands, the uncertain assumptions), :mod:`~analysis.calibration.prior` turns
its prior into a sweep file, :mod:`~analysis.calibration.matching` keeps the
draws that meet every target and measures each assumption's spread,
:mod:`~analysis.calibration.run` ties them together (``cfsim calibrate``).
"""

from analysis.calibration.run import Match, calibrate, match
from analysis.calibration.targets import Calibration, Target, load_calibration

__all__ = ["Calibration", "Match", "Target", "calibrate", "load_calibration", "match"]
