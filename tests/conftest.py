"""Shared test helpers: oracles (torch, chromium) skip when absent, fail under CI."""

import importlib
import os

import pytest

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
