"""The suite rejects every named mutant: each pattern test named for a mutant fails under it."""

import importlib

import pytest

from .mutants import KILLED_BY, MUTANTS


def test_every_mutant_names_the_tests_that_kill_it():
    assert set(KILLED_BY) == set(MUTANTS)
    for tests in KILLED_BY.values():
        for name in tests:
            module, function = name.split("::")
            assert callable(getattr(importlib.import_module(module), function)), name


@pytest.mark.slow
@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_suite_rejects_the_mutant(mutant):
    for name in KILLED_BY[mutant]:
        module, function = name.split("::")
        test = getattr(importlib.import_module(module), function)
        with MUTANTS[mutant](), pytest.raises(AssertionError):
            test()
