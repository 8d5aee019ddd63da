"""The Value node: ops, backward, accumulation, deep graphs and bad input."""

import math

import pytest

from engine import Value, backward_steps, gradcheck, no_grad, topological_order


def test_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_backward_twice_doubles_leaf_gradients():
    a = Value(3.0)
    y = (a * 2.0).tanh() * 5.0
    y.backward()
    first = a.grad
    y.backward()
    assert a.grad == 2 * first


def test_local_derivatives_are_stored_on_the_node():
    a, b = Value(2.0), Value(5.0)
    c = a * b
    assert c._prev == (a, b)
    assert c._local == (5.0, 2.0)
    assert c._op == '*'


def test_manual_backward_by_hand_matches_backward():
    x, w = Value(0.5), Value(-2.0)
    n = x * w
    o = n.tanh()
    o.grad = 1.0
    o._backward()
    n._backward()
    by_hand = (x.grad, w.grad)
    x.grad = w.grad = 0.0
    o.backward()
    assert by_hand == (x.grad, w.grad)


def test_million_deep_chain_backward():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0  # each op one level deeper: far past Python's recursion limit
    y.backward()
    assert x.grad == 1.0
    depth, node = 0, y
    while node._prev:
        depth, node = depth + 1, node._prev[0]
    assert depth == 1_000_000 and node is x


def test_topological_order_puts_children_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b + a
    order = topological_order(c)
    assert order[-1] is c
    positions = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node._prev:
            assert positions[id(child)] < positions[id(node)]


def test_no_grad_records_no_graph():
    a = Value(2.0)
    with no_grad():
        b = (a * 3).tanh()
    assert b._prev == () and b._local == ()
    c = a * 3
    assert c._prev


def test_backward_steps_end_with_backward_gradients():
    x, w = Value(0.5), Value(-2.0)
    y = (x * w + 1.0).sigmoid()
    steps = list(backward_steps(y))
    got = (x.grad, w.grad)
    x.grad = w.grad = 0.0
    y.backward()
    assert got == (x.grad, w.grad)
    assert steps[0].node is y and steps[0].upstream == 1.0


def test_sum_and_dot_match_chained_ops_bit_for_bit():
    ws = [Value(0.1 * i - 0.35) for i in range(7)]
    xs = [Value(1.0 / (i + 3)) for i in range(7)]
    b = Value(0.123)
    chained = sum((w * x for w, x in zip(ws, xs)), b)
    fused = Value.dot(ws, xs, b)
    assert fused.data == chained.data
    assert Value.sum(xs).data == sum(xs).data


def test_gradcheck_reports_small_errors():
    checks = gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [0.3, -0.7])
    assert len(checks) == 2
    assert all(c.error < 1e-7 for c in checks)


def test_tanh_and_sigmoid_are_stable_far_out():
    for x in (-1000.0, 1000.0):
        assert abs(Value(x).tanh().data) == 1.0
        s = Value(x).sigmoid()
        assert s.data == (0.0 if x < 0 else 1.0)  # e^-1000 underflows to 0


@pytest.mark.parametrize('bad', ["3", None, 1 + 2j, [1.0]])
def test_bad_data_type_raises_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_non_finite_data_is_refused(bad):
    with pytest.raises(ValueError, match='finite'):
        Value(bad)


@pytest.mark.parametrize('make, error, words', [
    (lambda: Value(0.0).log(), ValueError, 'log'),
    (lambda: Value(-1.0).log(), ValueError, 'log'),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, '0 \\*\\* -1'),
    (lambda: Value(-2.0) ** 0.5, ValueError, 'negative base'),
    (lambda: Value(1.0) / 0, ZeroDivisionError, 'division'),
    (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, 'division'),
    (lambda: 1.0 / Value(0.0), ZeroDivisionError, 'division'),
    (lambda: Value(1000.0).exp(), OverflowError, 'exp'),
    (lambda: Value(1e200) * Value(1e200), ArithmeticError, 'finite'),
])
def test_bad_math_raises_a_clear_error(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_a_backward_step_reads_as_a_sentence_and_sums_a_child_used_twice():
    a = Value(3.0, 'a')
    (step,) = backward_steps(a * a)
    text = str(step)
    assert text.startswith('step 1 of 1: the * node has grad 1;')
    assert 'so its grad is 3 + 3 = 6' in text
