"""Shared fixtures for the test suite."""

import numpy as np
import pytest

from sim import CustomerFocusModel

from .helpers import SMALL


@pytest.fixture
def small_model():
    """A small model, built but not yet stepped."""
    return CustomerFocusModel(**SMALL, seed=3)


@pytest.fixture
def rng():
    """A seeded generator for tests that draw their own inputs."""
    return np.random.default_rng(20261123)
