"""Every op's gradient agrees with central finite differences, on random inputs.

The property, for an op f and inputs x:   d f / d x_i  ==  (f(x + eps e_i) - f(x - eps e_i)) / 2 eps
up to the truncation error of the difference. Domains stay away from overflow, from
division by numbers near zero, and from the kinks of relu and step.
"""

import math
import random

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Value, backward_steps, gradcheck, topological_order

TOL = 1e-6  # gradcheck's error is relative to max(1, |analytic|, |numeric|)

quick = settings(max_examples=examples(80), deadline=None, derandomize=True, database=None)


def real(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo, hi):
    """Magnitudes in [lo, hi] with either sign."""
    return st.tuples(real(lo, hi), st.booleans()).map(lambda m: -m[0] if m[1] else m[0])


small = real(-3.0, 3.0)
positive = real(0.2, 4.0)
nonzero = away_from_zero(0.3, 4.0)


def assert_gradients_match(f, inputs):
    checks = gradcheck(f, inputs)
    assert len(checks) == len(inputs)
    for i, check in enumerate(checks):
        assert check.error < TOL, f"input {i}: autograd {check.analytic}, numeric {check.numeric}"


# ---- binary operators, Values on both sides

@quick
@given(small, small)
def test_add_gradient(a, b):
    assert_gradients_match(lambda x, y: x + y, [a, b])


@quick
@given(small, small)
def test_sub_gradient(a, b):
    assert_gradients_match(lambda x, y: x - y, [a, b])


@quick
@given(small, small)
def test_mul_gradient(a, b):
    assert_gradients_match(lambda x, y: x * y, [a, b])


@quick
@given(small, nonzero)
def test_div_gradient(a, b):
    assert_gradients_match(lambda x, y: x / y, [a, b])


@quick
@given(positive, real(-2.5, 2.5))
def test_pow_with_value_exponent_gradient(a, b):
    # d/da a^b = b a^(b-1),  d/db a^b = a^b ln a
    assert_gradients_match(lambda x, y: x ** y, [a, b])


# ---- numbers on either side

@quick
@given(small, small)
def test_number_on_either_side_of_add_and_sub(a, c):
    assert_gradients_match(lambda x: (x + c) * (c + x) - (c - x) * (x - c), [a])


@quick
@given(small, nonzero)
def test_number_on_either_side_of_mul_and_div(a, c):
    assert_gradients_match(lambda x: x * c + c * x + x / c, [a])


@quick
@given(nonzero, small)
def test_number_divided_by_value(a, c):
    assert_gradients_match(lambda x: c / x, [a])


@quick
@given(positive, real(-3.0, 3.0))
def test_pow_with_number_exponent_on_positive_base(a, p):
    assert_gradients_match(lambda x: x ** p, [a])


@quick
@given(nonzero, st.integers(-3, 4))
def test_pow_with_integer_exponent_on_any_base(a, n):
    assert_gradients_match(lambda x: x ** n, [a])


@quick
@given(positive, real(-2.0, 2.0))
def test_rpow_number_base_value_exponent(c, b):
    # d/db c^b = c^b ln c
    assert_gradients_match(lambda y: c ** y, [b])


@quick
@given(small)
def test_unary_minus_gradient(a):
    assert_gradients_match(lambda x: -x, [a])


# ---- unary methods

@quick
@given(real(-5.0, 5.0))
def test_exp_gradient(a):
    assert_gradients_match(lambda x: x.exp(), [a])


@quick
@given(real(0.05, 20.0))
def test_log_gradient(a):
    assert_gradients_match(lambda x: x.log(), [a])


@quick
@given(real(-5.0, 5.0))
def test_tanh_gradient(a):
    assert_gradients_match(lambda x: x.tanh(), [a])


@quick
@given(real(-8.0, 8.0))
def test_sigmoid_gradient(a):
    assert_gradients_match(lambda x: x.sigmoid(), [a])


@quick
@given(away_from_zero(1e-3, 5.0))
def test_relu_gradient_away_from_the_kink(a):
    assert_gradients_match(lambda x: x.relu(), [a])


@quick
@given(away_from_zero(1e-3, 5.0))
def test_step_gradient_is_zero(a):
    checks = gradcheck(lambda x: x.step() * 3.0 + x, [a])
    assert checks[0].analytic == 1.0
    assert abs(checks[0].numeric - 1.0) < TOL


# ---- fused n-ary nodes

@quick
@given(st.lists(small, min_size=1, max_size=8))
def test_sum_gradient(xs):
    assert_gradients_match(lambda *vs: Value.sum(vs).tanh(), xs)


@quick
@given(st.lists(small, min_size=1, max_size=8))
def test_sum_with_reused_node_gradient(xs):
    # the first input appears twice and once more inside a product: grads accumulate
    assert_gradients_match(lambda *vs: Value.sum([vs[0], *vs, vs[0] * vs[-1]]), xs)


@quick
@given(st.integers(1, 6).flatmap(lambda n: st.lists(small, min_size=2 * n + 1,
                                                     max_size=2 * n + 1)))
def test_dot_with_bias_gradient(vals):
    n = len(vals) // 2
    assert_gradients_match(lambda *v: Value.dot(v[:n], v[n:2 * n], v[2 * n]).tanh(), vals)


@quick
@given(st.integers(1, 6).flatmap(lambda n: st.lists(small, min_size=2 * n, max_size=2 * n)))
def test_dot_without_bias_gradient(vals):
    n = len(vals) // 2
    assert_gradients_match(lambda *v: Value.dot(v[:n], v[n:]), vals)


@quick
@given(st.lists(st.tuples(small, small), min_size=1, max_size=6), small)
def test_dot_with_number_inputs_gradient(pairs, bias):
    ws, xs = [w for w, _ in pairs], [x for _, x in pairs]
    # weights are Values, inputs plain numbers (constants), bias a number too
    assert_gradients_match(lambda *w: Value.dot(w, xs, bias), ws)


@quick
@given(st.lists(st.tuples(small, small), min_size=1, max_size=6))
def test_dot_with_number_weights_gradient(pairs):
    ws, xs = [w for w, _ in pairs], [x for _, x in pairs]
    assert_gradients_match(lambda *x: Value.dot(ws, x), xs)


@quick
@given(small, small, small)
def test_dot_with_a_node_used_as_weight_and_input(a, b, c):
    # a*a + a*b + c, where a is a child three times
    assert_gradients_match(lambda x, y, z: Value.dot([x, x], [x, y], z), [a, b, c])


# ---- compositions: random programs over three inputs, nodes reused freely

BOUNDED_UNARY = {  # each maps [-3, 3] into [-3, 3], smooth there
    'tanh': lambda v: v.tanh(),
    'sigmoid': lambda v: v.sigmoid(),
    'exp_tanh': lambda v: v.tanh().exp(),
    'log1p_square': lambda v: (1 + v * v).log(),
    'scaled_cube': lambda v: (v / 3) ** 3 * 3,
    'neg': lambda v: -v,
    'bump': lambda v: 1 / (1 + v * v),
}
BOUNDED_BINARY = {  # on [-3, 3]^2
    'mul_tanh': lambda u, v: (u * v).tanh(),
    'mean': lambda u, v: (u + v) / 2,
    'half_diff': lambda u, v: (u - v) * 0.5,
    'ratio': lambda u, v: u / (2 + v * v),
    'pow': lambda u, v: (1 + u.sigmoid()) ** v.tanh(),
    'sum3': lambda u, v: Value.sum([u, v, -u * 0.5]) * 0.5,
    'dot': lambda u, v: Value.dot([u, v], [v.tanh(), 0.5], u.sigmoid()) / 3,
}

program_step = st.one_of(
    st.tuples(st.sampled_from(sorted(BOUNDED_UNARY)), st.integers(0, 50)),
    st.tuples(st.sampled_from(sorted(BOUNDED_BINARY)), st.integers(0, 50), st.integers(0, 50)),
)


def run_program(program, inputs):
    """Apply each step to earlier nodes (chosen by index), return the last node."""
    nodes = list(inputs)
    for op, *args in program:
        operands = [nodes[i % len(nodes)] for i in args]
        fn = BOUNDED_UNARY.get(op) or BOUNDED_BINARY[op]
        nodes.append(fn(*operands))
    return nodes[-1]


@settings(max_examples=examples(150), deadline=None, derandomize=True, database=None)
@given(st.lists(small, min_size=3, max_size=3), st.lists(program_step, min_size=1, max_size=8))
def test_random_compositions_match_finite_differences(xs, program):
    checks = gradcheck(lambda *v: run_program(program, v), xs)
    for check in checks:
        assert check.error < 1e-5


# ---- fused nodes are bit-for-bit the chained ops

finite = real(-1e3, 1e3)


@quick
@given(st.lists(finite, min_size=1, max_size=12))
def test_sum_equals_chained_adds_bit_for_bit(xs):
    fused_leaves = [Value(x) for x in xs]
    chained_leaves = [Value(x) for x in xs]
    fused = Value.sum(fused_leaves)
    chained = chained_leaves[0]
    for v in chained_leaves[1:]:
        chained = chained + v
    fused.backward()
    chained.backward()
    assert fused.data == chained.data
    assert [v.grad for v in fused_leaves] == [v.grad for v in chained_leaves]


@quick
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=12),
       st.one_of(st.none(), finite), st.sampled_from(['values', 'number_inputs',
                                                       'number_weights']))
def test_dot_equals_chained_multiply_adds_bit_for_bit(pairs, bias, kind):
    def make():
        ws = [Value(w) if kind != 'number_weights' else w for w, _ in pairs]
        xs = [Value(x) if kind != 'number_inputs' else x for _, x in pairs]
        b = Value(bias) if bias is not None else None
        return ws, xs, b

    ws, xs, b = make()
    fused = Value.dot(ws, xs, b) * 1.5
    cws, cxs, cb = make()
    terms = [w * x if isinstance(w, Value) else x * w for w, x in zip(cws, cxs)]
    chained = terms[0] if cb is None else cb + terms[0]
    for t in terms[1:]:
        chained = chained + t
    chained = chained * 1.5
    fused.backward()
    chained.backward()
    assert fused.data == chained.data
    leaves = [v for v in (*ws, *xs, b) if isinstance(v, Value)]
    chained_leaves = [v for v in (*cws, *cxs, cb) if isinstance(v, Value)]
    assert [v.grad for v in leaves] == [v.grad for v in chained_leaves]


# ---- the step-by-step backward pass leaves the same gradients as backward()

@settings(max_examples=examples(100), deadline=None, derandomize=True, database=None)
@given(st.lists(small, min_size=3, max_size=3), st.lists(program_step, min_size=1, max_size=10))
def test_backward_steps_leaves_the_same_gradients_as_backward(xs, program):
    stepped_inputs = [Value(x) for x in xs]
    stepped_root = run_program(program, stepped_inputs)
    plain_inputs = [Value(x) for x in xs]
    plain_root = run_program(program, plain_inputs)
    steps = list(backward_steps(stepped_root))
    plain_root.backward()
    stepped_nodes = topological_order(stepped_root)
    plain_nodes = topological_order(plain_root)
    assert [n.grad for n in stepped_nodes] == [n.grad for n in plain_nodes]
    assert [v.grad for v in stepped_inputs] == [v.grad for v in plain_inputs]
    assert len(steps) == sum(1 for n in plain_nodes if n._prev)


# ---- gradcheck itself notices a wrong derivative

def wrong_square(x):
    """x^2 with a deliberately wrong local derivative x (the truth is 2x)."""
    return Value(x.data * x.data, '', (x,), (x.data,), 'wrong_square')


def test_gradcheck_catches_a_wrong_local_derivative():
    checks = gradcheck(lambda x: wrong_square(x) + 1.0, [1.5])
    assert checks[0].analytic == pytest.approx(1.5)
    assert checks[0].numeric == pytest.approx(3.0)
    assert checks[0].error > 0.1


def test_gradcheck_catches_a_wrong_derivative_in_a_patched_op(monkeypatch):
    def tanh_with_wrong_derivative(self):
        t = math.tanh(self.data)
        return Value(t, '', (self,), (1.0 + t * t,), 'tanh')  # the truth is 1 - t^2

    monkeypatch.setattr(Value, 'tanh', tanh_with_wrong_derivative)
    checks = gradcheck(lambda x, y: (x * y).tanh(), [0.7, -0.4])
    assert all(c.error > 0.01 for c in checks)


def test_gradcheck_catches_a_wrong_derivative_on_one_input_only():
    def half_wrong_product(a, b):
        return Value(a.data * b.data, '', (a, b), (b.data, -a.data), 'half_wrong')

    checks = gradcheck(half_wrong_product, [0.8, 1.3])
    assert checks[0].error < TOL
    assert checks[1].error > 0.1


def test_gradcheck_agrees_on_a_random_program_with_seeded_inputs():
    rng = random.Random(7)
    xs = [rng.uniform(-2, 2) for _ in range(3)]
    program = [('mul_tanh', 0, 1), ('dot', 3, 2), ('pow', 4, 0), ('bump', 5)]
    assert all(c.error < TOL for c in gradcheck(lambda *v: run_program(program, v), xs))
