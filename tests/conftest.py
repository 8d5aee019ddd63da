"""Shared test helpers: oracles (torch, chromium) skip when absent, fail under CI."""

import importlib
import os

import pytest
from hypothesis import settings

REQUIRE_ORACLES = os.environ.get('SCALARGRAD_REQUIRE_ORACLES') == '1'


def require(module_name):
    """Import an oracle module; skip the test when it is missing, fail when CI needs it."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        message = f"{module_name} not installed"
        if module_name == 'torch':
            message += " (an oracle only: install a CPU build into .venv to run these tests)"
        if REQUIRE_ORACLES:
            pytest.fail(message + " (SCALARGRAD_REQUIRE_ORACLES=1 needs it)", pytrace=False)
        pytest.skip(message)


def missing_oracle(reason):
    """Skip with `reason`, or fail when CI requires every oracle."""
    if REQUIRE_ORACLES:
        pytest.fail(reason + " (SCALARGRAD_REQUIRE_ORACLES=1 needs it)", pytrace=False)
    pytest.skip(reason)


# `make mutate` reruns the property tests once per mutant, so it asks for a tenth of the
# examples: pytest --hypothesis-profile=mutate (see [tool.mutmut] in pyproject.toml).
settings.register_profile('mutate', max_examples=10, deadline=None)

# No time limit per example: hypothesis's default deadline (200 ms) is a timed assert, and on
# a machine shared by several test runs an example that takes 0.06 ms alone took 260 ms once
# (tests/test_nn_activations.py on Python 3.13 in make pythons). Speed is measured in
# benchmarks/, never by a test.
settings.register_profile('untimed', deadline=None)
settings.load_profile('untimed')


def examples(n):
    """n hypothesis examples, scaled by the active profile (a tenth under 'mutate', at least 5)."""
    return max(5, n * settings.default.max_examples // 100)
