"""Bad input meets a clear error that names the op and the offending value.

Complements the basic cases in test_value.py: fused nodes, powers, overflow of every
kind, and wrong types on either side of an operator.
"""

import math

import pytest

from engine import Value, gradcheck


@pytest.mark.parametrize('make, words', [
    (lambda: Value.sum([Value(1.0), 'a']), 'str'),
    (lambda: Value.sum([None]), 'NoneType'),
    (lambda: Value.dot(['a'], [Value(1.0)]), 'weight.*str'),
    (lambda: Value.dot([Value(1.0)], [None]), 'input.*NoneType'),
    (lambda: Value.dot([Value(1.0)], [Value(1.0)], 'b'), 'bias.*str'),
    (lambda: Value(2.0) ** 'x', r"\*\* or pow\(\): 'Value' and 'str'"),
    (lambda: Value(1.0) + 'a', r"\+: 'Value' and 'str'"),
    (lambda: 'a' + Value(1.0), 'str'),
    (lambda: Value(1.0) * [2.0], "sequence by non-int of type 'Value'"),
])
def test_wrong_types_raise_type_error_naming_the_type(make, words):
    with pytest.raises(TypeError, match=words):
        make()


def test_dot_with_different_lengths_says_both_lengths():
    with pytest.raises(ValueError, match='1 weights but 2 inputs'):
        Value.dot([Value(1.0)], [1.0, 2.0])


@pytest.mark.parametrize('make', [
    lambda: Value.dot([1.0], [1.0], math.nan),
    lambda: Value.dot([Value(1.0)], [math.inf]),
    lambda: Value.dot([-math.inf], [Value(1.0)]),
    lambda: Value.sum([Value(1.0), math.nan]),
    lambda: Value(2.0) ** math.nan,
])
def test_non_finite_numbers_are_refused_everywhere(make):
    with pytest.raises(ValueError, match='finite'):
        make()


@pytest.mark.parametrize('make, error, words', [
    (lambda: (-2.0) ** Value(0.5), ValueError, 'negative base'),
    (lambda: Value(0.0) ** -2, ZeroDivisionError, 'divides by zero'),
    (lambda: Value(10.0) ** 400, OverflowError, r"'\*\*'.*10.0"),
])
def test_bad_powers_raise_a_clear_error(make, error, words):
    with pytest.raises(error, match=words):
        make()


@pytest.mark.parametrize('make, op', [
    (lambda: Value(1e308) + Value(1e308), r"'\+'"),
    (lambda: Value(1e200) * 1e200, r"'\*'"),
    (lambda: Value.sum([Value(1e308), Value(1e308)]), "'sum'"),
    (lambda: Value.dot([Value(1e300)], [Value(1e300)]), "'dot'"),
    (lambda: Value(800.0).exp(), 'exp.*800'),
])
def test_overflow_names_the_op(make, op):
    with pytest.raises(OverflowError, match=op):
        make()


def test_log_error_names_the_value():
    with pytest.raises(ValueError, match=r'log\(-1.5\)'):
        Value(-1.5).log()


def test_far_out_tanh_and_sigmoid_do_not_raise():
    for x in (-1e308, -1000.0, 1000.0, 1e308):
        assert math.isfinite(Value(x).sigmoid().data)
        assert math.isfinite(Value(x).tanh().data)


def test_a_valid_negative_base_with_integer_exponent_works():
    x = Value(-2.0)
    y = x ** 3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


def test_gradcheck_refuses_a_function_that_does_not_return_a_value():
    with pytest.raises(TypeError, match='must return a Value'):
        gradcheck(lambda a: a.data * 2, [1.0])


def test_an_integer_too_large_for_a_float_names_value():
    with pytest.raises((OverflowError, ValueError), match='Value'):
        Value(10 ** 400)


def test_dividing_by_a_string_names_the_division():
    with pytest.raises(TypeError, match="for /: 'Value' and 'str'"):
        Value(1.0) / 'a'


@pytest.mark.parametrize('bad', [None, 'a', 1j])
def test_subtracting_a_non_number_names_the_subtraction(bad):
    with pytest.raises(TypeError, match="for -: 'Value' and"):
        Value(1.0) - bad


@pytest.mark.parametrize('bad_inputs, bad_eps, error', [
    (['3'], 1e-6, TypeError), ([None], 1e-6, TypeError), ([1.0], 0.0, ValueError),
    ([1.0], -1e-6, ValueError),
])
def test_gradcheck_refuses_what_the_engine_refuses(bad_inputs, bad_eps, error):
    with pytest.raises(error):
        gradcheck(lambda a: a * a, bad_inputs, eps=bad_eps)
