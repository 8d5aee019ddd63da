"""The formula reader: what it accepts, what it computes, and every way it refuses."""

import math
import time

import pytest

from engine import Value
from engine.expr import MAX_CHARS, Expression, ExpressionError


def value_of(text, **values):
    return Expression(text).evaluate(values)


def test_the_lecture_neuron_gives_micrograds_numbers():
    f = Expression('tanh(x*w + b)')
    leaves = {'x': Value(2.0, 'x'), 'w': Value(-3.0, 'w'), 'b': Value(6.8813735870195432, 'b')}
    y = f.evaluate(leaves)
    y.backward()
    assert y.data == math.tanh(2.0 * -3.0 + 6.8813735870195432)
    assert leaves['w'].grad == 2.0 * (1 - y.data ** 2)


def test_variables_are_listed_in_order_of_first_appearance():
    assert Expression('tanh(x*w + b) + x*q').variables == ('x', 'w', 'b', 'q')
    assert Expression('2 * 3').variables == ()


def test_each_variable_is_one_node_however_often_it_appears():
    x = Value(3.0, 'x')
    y = Expression('x*x + x').evaluate({'x': x})
    y.backward()
    assert x.grad == 2 * 3.0 + 1


def test_numbers_for_variables_become_labelled_values():
    y = value_of('x * 2', x=4.0)
    assert y.data == 8.0 and y._prev[0].label == 'x'


def test_every_operator_and_function_computes_what_python_does():
    x = 0.7
    cases = {
        'x + 2': x + 2, 'x - 2': x - 2, '2 - x': 2 - x, 'x * 3': x * 3, 'x / 4': x / 4,
        '4 / x': 4 / x, 'x ** 3': x ** 3, '2 ** x': 2 ** x, 'x ** x': x ** x, '-x': -x,
        '+x': x, 'exp(x)': math.exp(x), 'log(x)': math.log(x), 'tanh(x)': math.tanh(x),
        'sigmoid(x)': 1 / (1 + math.exp(-x)), 'relu(-x)': 0.0, 'step(x)': 1.0,
    }
    for text, expected in cases.items():
        assert value_of(text, x=x).data == pytest.approx(expected, rel=1e-15), text


def test_power_is_right_associative_like_python():
    assert value_of('x**y**z', x=2.0, y=3.0, z=2.0).data == 2.0 ** 9


def test_a_number_exponent_makes_the_engines_power_node():
    assert value_of('x**2', x=3.0)._op == '**2'
    assert value_of('x**-1', x=3.0)._op == '**-1'
    assert value_of('x**(1/2)', x=4.0)._op == '**0.5'
    assert value_of('(-2)**2 * x', x=1.0).data == 4.0  # a negative constant base is fine


def test_constant_parts_are_worked_out_as_numbers():
    y = value_of('2*3*x', x=1.0)
    assert y._op == '*' and sorted(c.data for c in y._prev) == [1.0, 6.0]
    assert value_of('2*3').data == 6.0


def test_missing_values_are_named():
    with pytest.raises(ExpressionError, match='no value for w, b'):
        Expression('x*w + b').evaluate({'x': 1.0})


def test_engine_errors_come_through_with_their_messages():
    with pytest.raises(ZeroDivisionError, match='division'):
        value_of('1/0')
    with pytest.raises(ValueError, match='logarithm'):
        value_of('log(x)', x=-1.0)
    with pytest.raises(OverflowError, match='overflows'):
        value_of('10**10**10')  # floats all the way: no giant integer, no hang


HOSTILE = {
    "__import__('os')": 'calling __import__',
    "__import__('os').system('true')": 'calling __import__',
    "().__class__": 'attribute access',
    "x.data": 'attribute access',
    "x.__class__.__bases__": 'attribute access',
    "[x]": 'lists',
    "(x, y)": 'tuples',
    "{x}": 'sets',
    "{1: x}": 'dicts',
    "[i for i in x]": 'comprehensions',
    "(i for i in x)": 'generators',
    "lambda: 1": 'lambda',
    "(lambda: 1)()": 'calling',
    "'a'": "constant 'a'",
    "b'a'": "constant b'a'",
    "f'{x}'": 'f-strings',
    "x if y else z": 'conditional',
    "x < y": 'comparisons',
    "x and y": 'and / or',
    "not x": 'not',
    "(y := 1)": 'assignment',
    "x[0]": 'subscripts',
    "x @ y": '@',
    "x // y": '//',
    "x % y": '%',
    "~x": '~',
    "x << 1": '<<',
    "True": 'constant True',
    "None": 'constant None',
    "...": 'constant Ellipsis',
    "1j": 'constant 1j',
    "exp(x, y)": 'exactly one argument',
    "exp(x=1)": 'exactly one argument',
    "exp(*x)": 'exactly one argument',
    "exp()": 'exactly one argument',
    "open('f')": 'calling open',
    "eval('1')": 'calling eval',
    "sum(x)": 'calling sum',
    "exp(x)(y)": 'calling',
    "x.exp()": 'calling x.exp()',
    "exp": 'is a function, not a variable',
    "tanh + 1": 'is a function, not a variable',
    "__builtins__": "the name '__builtins__'",
    "__x": "the name '__x'",
    "await x": 'await',
    "x = 1": 'not a formula',
    "x; y": 'not a formula',
    "import os": 'not a formula',
    "x +": 'not a formula',
    "\x00": 'not a formula',
    "": 'empty',
    "   ": 'empty',
    "1e999": 'not finite',
    "9" * 400: 'too large for a float',
    "(" * 5000 + "x" + ")" * 5000: 'characters long',
    "(" * 300 + "x" + ")" * 300: 'not a formula',  # Python's own nesting limit
    "-" * 600 + "x": 'nested more than 500 levels',
    "x" * (MAX_CHARS + 1): 'characters long',
    "x" * 1_000_000: 'characters long',
}


@pytest.mark.parametrize('text', list(HOSTILE), ids=lambda t: repr(t[:30]))
def test_hostile_formulas_are_refused_in_one_line(text):
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as refused:
        Expression(text)
    assert time.perf_counter() - start < 0.5
    message = str(refused.value)
    assert HOSTILE[text] in message
    assert '\n' not in message and len(message) < 300


def test_refusals_say_what_is_allowed_and_where():
    with pytest.raises(ExpressionError) as refused:
        Expression('x + y.data')
    assert 'column 5' in str(refused.value)
    assert 'exp log tanh sigmoid relu step' in str(refused.value)


def test_a_long_but_reasonable_formula_is_fine():
    text = ' + '.join(f'x{i}*w{i}' for i in range(60))
    f = Expression(text)
    assert len(f.variables) == 120
    assert f.evaluate({name: 1.0 for name in f.variables}).data == 60.0


def test_only_text_is_a_formula():
    with pytest.raises(ExpressionError, match='text'):
        Expression(b'x')


def test_a_long_flat_sum_is_not_mistaken_for_deep_nesting():
    assert Expression('+'.join(['x'] * 101)).variables == ('x',)


@pytest.mark.parametrize('text, words', [
    ('x^2', 'for powers write \\*\\*.*column 2'),
    ('2x', 'write 2\\*x'),
    ('(x+1', 'never closed'),
])
def test_common_slips_get_a_hint_in_a_formula_writers_words(text, words):
    with pytest.raises(ExpressionError, match=words):
        Expression(text)
