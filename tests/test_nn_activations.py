"""nn's activations are the engine's: plain-float fast paths and plotted derivatives agree
with the Value ops bit for bit."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Value, no_grad
from nn.activations import ACTIVATIONS, apply, apply_float, derivative

finite = st.floats(min_value=-800.0, max_value=800.0, allow_nan=False) | st.sampled_from(
    [0.0, -0.0, 1e-300, -1e-300, 709.0, -745.0])


@pytest.mark.parametrize('name', ACTIVATIONS)
@given(x=finite)
def test_the_float_fast_path_gives_the_value_ops_numbers(name, x):
    assert apply_float(x, name) == apply(Value(x), name).data


@pytest.mark.parametrize('name', ACTIVATIONS)
@given(x=finite)
def test_the_plotted_derivative_is_what_backward_multiplies_by(name, x):
    v = Value(x)
    out = apply(v, name)
    if out is v:  # linear: no node at all
        assert derivative(x, name) == 1.0
        return
    out.backward()
    assert derivative(x, name) == v.grad


@pytest.mark.parametrize('name, at_zero', [('relu', 0.0), ('step', 0.0), ('tanh', 1.0),
                                           ('sigmoid', 0.25), ('linear', 1.0)])
def test_derivatives_at_zero_are_pytorchs(name, at_zero):
    assert derivative(0.0, name) == at_zero


def test_derivative_works_inside_no_grad():
    with no_grad():
        assert derivative(2.0, 'tanh') == 1.0 - math.tanh(2.0) ** 2


def test_an_unknown_activation_is_named():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        derivative(1.0, 'swish')
