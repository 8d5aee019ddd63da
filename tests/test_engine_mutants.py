"""Engine behaviours pinned to exact numbers, so that a broken line of the chain rule fails.

Each test is one behaviour that some mutation of engine/value.py, steps.py or gradcheck.py
survived before (`make mutate` runs them; tests/mutants_equivalent.txt lists the mutants
that no test can catch because they do not change what the code does).
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import (
    Value,
    backward_steps,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    topological_order,
)
from engine.steps import node_name

ROOT = Path(__file__).resolve().parents[1]


# ---- the chain rule: accumulation and order

def test_a_hand_run_backward_step_adds_both_shares_of_a_child_used_twice():
    a = Value(3.0)
    y = a * a
    y.grad = 1.0
    y._backward()
    assert a.grad == 6.0  # 3 (as the left factor) + 3 (as the right factor)


def test_a_hand_run_backward_step_adds_to_the_gradient_already_there():
    a, b = Value(2.0), Value(5.0)
    y = a * b
    a.grad = 1.0
    y.grad = 2.0
    y._backward()
    assert (a.grad, b.grad) == (11.0, 4.0)  # 1 + 5 * 2, 0 + 2 * 2


def test_backward_of_a_leaf_adds_one_to_its_gradient_each_call():
    a = Value(2.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_backward_of_an_inner_root_sets_its_own_gradient_to_one():
    a = Value(2.0)
    y = a * 3.0
    y.grad = 7.0  # left over from earlier: an inner node starts afresh
    y.backward()
    assert (y.grad, a.grad) == (1.0, 3.0)


def test_backward_passes_gradients_from_the_root_down_a_chain():
    a = Value(2.0)
    y = (a * 3.0) * 4.0
    y.backward()
    assert a.grad == 12.0


def test_backward_gives_a_node_the_sum_over_all_paths_before_passing_it_on():
    a = Value(2.0)
    b = a * 3.0  # b is used by two nodes; both shares must arrive before b passes on
    y = b * b + b
    y.backward()
    assert a.grad == 3.0 * (2 * 6.0 + 1.0)


def test_backward_resets_inner_gradients_but_keeps_accumulating_leaves():
    a = Value(2.0)
    b = a * 3.0
    y = b * 4.0
    y.backward()
    y.backward()
    assert (b.grad, a.grad) == (4.0, 24.0)


def test_backward_sends_nothing_through_a_node_whose_gradient_is_zero():
    a = Value(-1.0)
    y = (a * 2.0).relu() + a
    y.backward()
    assert a.grad == 1.0  # only the direct path: relu is off at -2


def test_topological_order_is_children_in_stored_order_then_parent():
    a, b = Value(1.0, 'a'), Value(2.0, 'b')
    c = a * b
    c.label = 'c'
    d = c + a
    d.label = 'd'
    assert [n.label for n in topological_order(d)] == ['a', 'b', 'c', 'd']


def test_topological_order_lists_a_node_reached_twice_once():
    a = Value(1.0, 'a')
    b = a + a
    b.label = 'b'
    c = b * b
    c.label = 'c'
    assert [n.label for n in topological_order(c)] == ['a', 'b', 'c']


def test_topological_order_of_a_leaf_is_the_leaf_alone():
    a = Value(1.0)
    assert topological_order(a) == [a]


ORDER_SCRIPT = '''
from engine import Value, topological_order
x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(0.5, 'b')
h = (x * w + b).tanh()
y = h * x + h.exp() * w
print(' '.join(n.label or n._op for n in topological_order(y)))
'''


def test_topological_order_is_the_same_in_processes_with_different_hash_seeds():
    runs = [subprocess.run([sys.executable, '-c', ORDER_SCRIPT], cwd=ROOT, capture_output=True,
                           text=True, check=True, env={**os.environ, 'PYTHONHASHSEED': seed})
            for seed in ('0', '1', '2')]
    expected = 'x w * b + tanh * exp * +\n'
    assert [r.stdout for r in runs] == [expected] * 3


# ---- local derivatives at the edges of their formulas

def test_relu_slope_at_exactly_zero_is_zero_as_in_micrograd_and_pytorch():
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


def test_relu_passes_a_positive_input_with_slope_one():
    x = Value(1e-300)
    y = x.relu()
    y.backward()
    assert (y.data, x.grad) == (1e-300, 1.0)


def test_step_at_exactly_zero_is_one():
    assert Value(0.0).step().data == 1.0


def test_step_just_below_zero_is_zero():
    assert Value(-1e-300).step().data == 0.0


def test_step_has_slope_zero_everywhere():
    for x in (-1.0, 0.0, 1.0):
        v = Value(x)
        v.step().backward()
        assert v.grad == 0.0


def test_power_zero_is_one_with_slope_zero():
    x = Value(3.0)
    y = x ** 0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_power_zero_at_zero_is_one_with_slope_zero():
    x = Value(0.0)
    y = x ** 0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_power_one_is_the_input_with_slope_one():
    x = Value(3.0)
    y = x ** 1
    y.backward()
    assert (y.data, x.grad) == (3.0, 1.0)


def test_power_one_at_zero_has_slope_one():
    x = Value(0.0)
    y = x ** 1
    y.backward()
    assert (y.data, x.grad) == (0.0, 1.0)


def test_power_two_at_zero_has_slope_zero():
    x = Value(0.0)
    y = x ** 2
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


def test_power_slope_is_exponent_times_input_to_exponent_minus_one():
    x = Value(2.0)
    y = x ** 3
    y.backward()
    assert (y.data, x.grad) == (8.0, 12.0)


def test_power_with_value_exponent_has_both_slopes():
    a, b = Value(2.0), Value(3.0)
    y = a ** b
    y.backward()
    assert (y.data, a.grad, b.grad) == (8.0, 12.0, 8.0 * math.log(2.0))


def test_log_slope_for_a_large_input_is_its_reciprocal():
    x = Value(1e300)
    y = x.log()
    y.backward()
    assert (y.data, x.grad) == (math.log(1e300), 1e-300)


def test_log_slope_for_a_small_input_is_its_reciprocal():
    x = Value(0.25)
    y = x.log()
    y.backward()
    assert (y.data, x.grad) == (math.log(0.25), 4.0)


def test_exp_slope_is_its_value():
    x = Value(1.5)
    y = x.exp()
    y.backward()
    assert x.grad == y.data == math.exp(1.5)


def test_tanh_slope_is_one_minus_tanh_squared():
    x = Value(0.5)
    y = x.tanh()
    y.backward()
    t = math.tanh(0.5)
    assert (y.data, x.grad) == (t, 1.0 - t * t)


def test_sigmoid_at_zero_is_one_half_with_slope_one_quarter():
    x = Value(0.0)
    y = x.sigmoid()
    y.backward()
    assert (y.data, x.grad) == (0.5, 0.25)


def test_sigmoid_of_a_negative_input_is_one_minus_sigmoid_of_its_opposite():
    assert Value(-2.0).sigmoid().data == pytest.approx(1.0 - Value(2.0).sigmoid().data,
                                                       rel=1e-15)
    assert Value(-2.0).sigmoid().data == 1.0 / (1.0 + math.exp(2.0))


# ---- grad mode

def test_is_grad_enabled_is_false_inside_no_grad():
    with no_grad():
        assert is_grad_enabled() is False


def test_is_grad_enabled_is_true_outside_no_grad():
    assert is_grad_enabled() is True


def test_no_grad_restores_recording_after_the_block():
    with no_grad():
        pass
    assert is_grad_enabled() is True
    a, b = Value(2.0), Value(3.0)
    assert (a * b)._prev == (a, b)


def test_nested_no_grad_keeps_recording_off_until_the_outer_block_ends():
    with no_grad():
        with no_grad():
            pass
        assert is_grad_enabled() is False
    assert is_grad_enabled() is True


def test_no_grad_restores_recording_when_the_block_raises():
    with pytest.raises(RuntimeError, match='inside'):
        with no_grad():
            raise RuntimeError('inside')
    assert is_grad_enabled() is True


def test_grad_mode_blocks_nested_three_deep_restore_each_level():
    with no_grad():
        with enable_grad():
            with no_grad():
                assert is_grad_enabled() is False
            assert is_grad_enabled() is True
        assert is_grad_enabled() is False
    assert is_grad_enabled() is True


def test_a_node_made_under_no_grad_has_no_children_and_no_local_derivatives():
    a = Value(2.0)
    with no_grad():
        y = a * 3.0
    assert (y.data, y._prev, y._local, y._op) == (6.0, (), (), '*')


# ---- backward_steps, against numbers derived by hand

def test_backward_steps_pass_hand_derived_gradients_one_node_at_a_time():
    x, w = Value(0.5, 'x'), Value(-2.0, 'w')
    y = (x * w + 1.0).sigmoid()  # x*w + 1 = 0, sigmoid(0) = 1/2, its slope 1/4
    steps = list(backward_steps(y))
    assert [(s.index, s.total, s.node._op, s.upstream) for s in steps] == [
        (0, 3, 'sigmoid', 1.0), (1, 3, '+', 0.25), (2, 3, '*', 0.25)]
    assert [[(e.local, e.contribution, e.grad_before, e.grad_after) for e in s.edges]
            for s in steps] == [
        [(0.25, 0.25, 0.0, 0.25)],
        [(1.0, 0.25, 0.0, 0.25), (1.0, 0.25, 0.0, 0.25)],
        [(-2.0, -0.5, 0.0, -0.5), (0.5, 0.125, 0.0, 0.125)]]
    assert (x.grad, w.grad) == (-0.5, 0.125)


def test_backward_steps_show_a_child_used_twice_collecting_both_shares():
    a = Value(3.0, 'a')
    (step,) = backward_steps(a * a)
    assert [(e.child, e.grad_before, e.grad_after) for e in step.edges] == [
        (a, 0.0, 3.0), (a, 3.0, 6.0)]


def test_backward_steps_of_a_leaf_add_one_to_its_gradient_each_run():
    a = Value(2.0)
    assert list(backward_steps(a)) == []
    list(backward_steps(a))
    assert a.grad == 2.0


def test_a_backward_step_prints_every_share_and_the_sum_for_a_child_used_twice():
    a = Value(3.0, 'a')
    (step,) = backward_steps(a * a)
    assert str(step) == ('step 1 of 1: the * node has grad 1; a gets 3 x 1 = 3; '
                         'a gets 3 x 1 = 3, so its grad is 3 + 3 = 6')


def test_captions_call_an_unlabelled_leaf_a_parameter_or_a_constant():
    w = Value(2.0)
    assert (node_name(w, params=(w,)), node_name(w)) == ('the parameter 2', 'the constant 2')


# ---- what each op writes on its node

def _ops():
    a, b = Value(2.0), Value(3.0)
    return {
        '+': lambda: a + b, '*': lambda: a * b, '**': lambda: a ** b, '**2': lambda: a ** 2,
        'exp': a.exp, 'log': a.log, 'tanh': a.tanh, 'sigmoid': a.sigmoid,
        'ReLU': a.relu, 'ReLU off': (-a).relu, 'step': a.step,
        'sum': lambda: Value.sum([a, b]),
        'dot': lambda: Value.dot([a], [2.0], b),            # Value weights, number inputs
        'dot of Values': lambda: Value.dot([a], [b], a),    # Value weights and inputs
        'dot with a number weight': lambda: Value.dot([2.0], [b], 1.0),
    }


@pytest.mark.parametrize('name', list(_ops()))
def test_each_op_names_its_node_keeps_its_children_and_leaves_the_label_empty(name):
    node = _ops()[name]()
    assert (node.label, node._op, len(node._prev) > 0) == ('', name.split()[0], True)


def test_repr_shows_the_label_only_when_there_is_one():
    assert (repr(Value(2.0, 'x')), repr(Value(2.0))) == (
        "Value(label='x', data=2.0, grad=0.0)", "Value(data=2.0, grad=0.0)")


def test_sigmoid_of_a_small_positive_input_is_one_over_one_plus_e_to_minus_x():
    assert Value(0.0015).sigmoid().data == 1.0 / (1.0 + math.exp(-0.0015))


# ---- messages: each failure says what happened, exactly

class ForeignNode:
    """Looks like another library's scalar node: it has .data and .grad, and no arithmetic."""

    data, grad = 1.0, 0.0


def _message(make):
    with pytest.raises(Exception) as caught:
        make()
    return f"{type(caught.value).__name__}: {caught.value}"


@pytest.mark.parametrize('op', ['+', '-', '*', '/', '**'])
@pytest.mark.parametrize('side', ['left', 'right'])
def test_a_foreign_node_on_either_side_is_refused_naming_the_operator(op, side):
    a, b = (ForeignNode(), Value(1.0)) if side == 'left' else (Value(1.0), ForeignNode())
    combine = {'+': lambda: a + b, '-': lambda: a - b, '*': lambda: a * b,
               '/': lambda: a / b, '**': lambda: a ** b}[op]
    assert _message(combine).startswith(
        f"TypeError: '{op}': a scalargrad Value cannot be combined with ForeignNode <")


def test_a_foreign_node_as_data_is_refused_saying_to_use_its_data():
    text = _message(lambda: Value(ForeignNode()))
    assert text.startswith("TypeError: Value needs a real number, got ForeignNode <")
    assert text.endswith('>; use its .data')


def test_text_as_data_is_refused_naming_it():
    assert _message(lambda: Value('3')) == "TypeError: Value needs a real number, got str '3'"


def test_nan_as_data_is_refused_naming_it():
    assert _message(lambda: Value(math.nan)) == "ValueError: Value needs a finite number, got nan"


def test_an_infinite_number_as_a_power_base_is_refused_naming_the_base():
    assert _message(lambda: math.inf ** Value(2.0)) == (
        "ValueError: '**' base needs a finite number, got inf")


def test_an_overflowing_product_names_the_op_and_its_inputs():
    assert _message(lambda: Value(1e200) * Value(1e200)) == (
        "OverflowError: '*' of (1e+200, 1e+200) gave inf: the result is not a finite number")


def test_an_overflowing_sum_of_four_lists_all_four_inputs():
    assert _message(lambda: Value.sum([Value(1e308)] * 4)) == (
        "OverflowError: 'sum' of (1e+308, 1e+308, 1e+308, 1e+308) gave inf: the result is "
        "not a finite number")


def test_an_overflowing_sum_of_five_lists_four_inputs_and_dots():
    assert _message(lambda: Value.sum([Value(1e308)] * 5)) == (
        "OverflowError: 'sum' of (1e+308, 1e+308, 1e+308, 1e+308, ...) gave inf: the result "
        "is not a finite number")


def test_an_empty_gradcheck_says_it_had_no_inputs():
    assert repr(gradcheck(lambda: Value(1.0), [])) == 'Gradcheck(no inputs)'


def test_local_derivatives_of_a_node_made_under_no_grad_say_why_they_are_missing():
    with no_grad():
        y = Value(2.0) * 3
    assert repr(y._local) == 'not recorded (made under no_grad)'


# ---- backward's report of an infinite gradient

def _sqrt_of_sum_at_zero(names):
    leaves = [Value(0.0, name) for name in names]
    return (Value.sum(leaves) ** 0.5).backward


SQRT_AT_ZERO = ("FloatingPointError: backward(): the local derivative of '**0.5' with respect to "
                "its input the 'sum' node (data 0.0) is inf, and a gradient of 1 has to pass "
                "through it, so ")


def test_an_infinite_gradient_report_names_up_to_three_leaves():
    assert _message(_sqrt_of_sum_at_zero('abc')) == SQRT_AT_ZERO + (
        "'a', 'b', 'c' could not get a finite gradient (their grad is now inf or nan)")


def test_an_infinite_gradient_report_counts_the_leaves_past_three():
    assert _message(_sqrt_of_sum_at_zero('abcde')) == SQRT_AT_ZERO + (
        "'a', 'b', 'c' and 2 more could not get a finite gradient (their grad is now inf or nan)")


def test_an_infinite_gradient_report_counts_a_fourth_leaf_as_one_more():
    assert _message(_sqrt_of_sum_at_zero('abcd')).endswith(
        "so 'a', 'b', 'c' and 1 more could not get a finite gradient (their grad is now inf or "
        "nan)")


def test_an_infinite_slope_behind_a_zero_gradient_is_not_blamed():
    u, w = Value(0.0, 'u'), Value(0.0, 'w')
    y = w ** 0.5 + (u ** 0.5) * 0.0  # u's infinite slope gets gradient 0: only w breaks
    assert _message(y.backward) == (
        "FloatingPointError: backward(): the local derivative of '**0.5' with respect to its "
        "input 'w' (data 0.0) is inf, and a gradient of 1 has to pass through it, so 'w' could "
        "not get a finite gradient (their grad is now inf or nan)")


def test_two_finite_shares_that_overflow_when_added_are_reported_as_a_sum():
    a = Value(1e-10)
    y = a * 1e308 + a * 1e308
    assert _message(y.backward) == (
        "FloatingPointError: backward(): a sum of gradients overflowed, so the leaf with data "
        "1e-10 could not get a finite gradient (their grad is now inf or nan)")


def test_gradients_that_overflow_only_when_summed_together_are_fine():
    a, b = Value(1e-10), Value(1e-10)
    y = a * 1e308 + b * 1e308  # each leaf's gradient is 1e308: finite; only their sum is not
    y.backward()
    assert (a.grad, b.grad) == (1e308, 1e308)


# ---- micrograd's constructor forms

def test_micrograd_leaf_with_label_none_has_an_empty_label():
    assert Value(1.0, None).label == ''


def test_micrograd_positional_leaf_keeps_its_label():
    assert Value(2.0, (), '', 'a').label == 'a'


def test_micrograd_keyword_leaf_keeps_its_label():
    assert Value(2.0, _children=(), _op='', label='a').label == 'a'


def test_micrograd_positional_leaf_without_a_label_has_an_empty_label():
    assert Value(2.0, (), '').label == ''


def test_micrograd_positional_form_with_a_non_text_op_is_refused():
    with pytest.raises(TypeError, match='must be a string'):
        Value(2.0, (), 5)


def test_micrograd_keyword_form_with_a_number_label_is_refused_naming_it():
    assert _message(lambda: Value(2.0, 5, _children=())) == (
        "TypeError: Value's label must be a string, got int 5")


def test_micrograd_node_with_two_children_is_refused_showing_the_scalargrad_form():
    a, b = Value(1.0), Value(2.0)
    assert _message(lambda: Value(3.0, (a, b), '+')).startswith(
        "TypeError: Value(data, (Value, Value), ...) is micrograd's way to make a node, with a "
        "_backward closure set afterwards. In scalargrad the node stores its local "
        "derivatives: Value(data, label, _prev=children, _local=derivatives, _op=name)")


def test_micrograd_node_with_four_children_shows_three_of_them():
    kids = tuple(Value(float(i)) for i in range(4))
    assert _message(lambda: Value(3.0, kids, '+')).startswith(
        "TypeError: Value(data, (Value, Value, Value), ...) is micrograd's way")


# ---- a layer's inputs, checked once

def test_a_layers_nan_input_is_refused_as_in_any_dot():
    with pytest.raises(ValueError, match='^Value.dot needs a finite number, got nan$'):
        Value.dot([Value(1.0)], Value.inputs([math.nan]), Value(0.0))


def test_a_layers_whole_number_inputs_become_float_local_derivatives():
    node = Value.dot([Value(1.0), Value(2.0)], Value.inputs([1, 2]), Value(0.0))
    assert [(type(d), d) for d in node._local] == [(float, 1.0), (float, 2.0), (float, 1.0)]


# ---- x ** b where the slope is too steep for a float

@pytest.mark.parametrize('x, b, slope', [
    (0.0, 0.5, math.inf),          # the slope of sqrt at 0
    (2.0, 1023.9, math.inf),       # result 1.7e308, slope 1023.9 * 2 ** 1022.9
    (-2.0, 1023.0, math.inf),      # 1023 * (-2) ** 1022 > 0
    (-1.9, 1104.0, -math.inf),     # 1104 * (-1.9) ** 1103 < 0
    (1e-300, -1.0, -math.inf),     # -1 * (1e-300) ** -2
    # x ** (b - 1) itself too large for a float, its sign from x's and the parity of b - 1:
    (-2 ** -1.5, -682.0, math.inf),   # -682 * (negative: odd power -683)
    (-0.125, -341.0, -math.inf),      # -341 * (positive: even power -342)
    (-2 ** -2.98, -343.0, -math.inf),  # -343 * (positive: even power -344)
    (0.125, -340.5, -math.inf),       # -340.5 * (positive x)
    (5e-324, 0.01, math.inf),         # 0.01 * (5e-324) ** -0.99
])
def test_a_power_whose_slope_overflows_stores_an_infinite_slope_with_its_sign(x, b, slope):
    assert (Value(x) ** b)._local == (slope,)


def test_power_of_a_zero_base_has_exponent_slope_zero():
    a, b = Value(0.0), Value(2.0)
    assert (a ** b)._local == (0.0, 0.0)


def test_power_of_a_negative_base_has_exponent_slope_nan():
    slope_a, slope_b = (Value(-2.0) ** Value(2.0))._local
    assert slope_a == -4.0 and math.isnan(slope_b)


@pytest.mark.parametrize('make, message', [
    (lambda: Value(1.0) + math.inf, "'+' needs a finite number, got inf"),
    (lambda: math.inf * Value(1.0), "'*' needs a finite number, got inf"),
    (lambda: Value(1.0) - math.inf, "'-' needs a finite number, got inf"),
    (lambda: Value(1.0) / math.inf, "'/' divisor needs a finite number, got inf"),
    (lambda: math.inf / Value(2.0), "'/' dividend needs a finite number, got inf"),
    (lambda: Value(2.0) ** math.inf, "'**' exponent needs a finite number, got inf"),
    (lambda: Value.sum([math.inf]), "Value.sum term needs a finite number, got inf"),
    (lambda: Value.dot([1.0], [Value(1.0)], math.inf),
     "Value.dot bias needs a finite number, got inf"),
    (lambda: Value.dot([Value(1.0)], ['x']), "Value.dot input needs a real number, got str 'x'"),
    (lambda: Value.dot(['x'], [Value(1.0)]), "Value.dot weight needs a real number, got str 'x'"),
])
def test_an_infinite_or_unreal_operand_is_refused_naming_where_it_was_given(make, message):
    with pytest.raises(ValueError if 'finite' in message else TypeError) as caught:
        make()
    assert str(caught.value) == message


@pytest.mark.parametrize('setting', ['eps', 'atol', 'rtol'])
def test_gradcheck_refuses_a_setting_that_is_not_a_number_naming_it(setting):
    with pytest.raises(TypeError) as caught:
        gradcheck(lambda a: a * a, [1.0], **{setting: 'x'})
    assert str(caught.value) == f"gradcheck: {setting} needs a real number, got str 'x'"


def test_gradcheck_refuses_a_zero_eps_naming_it():
    with pytest.raises(ValueError) as caught:
        gradcheck(lambda a: a * a, [1.0], eps=0)
    assert str(caught.value) == "gradcheck: eps must be a small positive number, got 0.0"


@pytest.mark.parametrize('setting, got', [({'atol': -1}, '-1.0 and 0.001'),
                                          ({'rtol': -1}, '1e-05 and -1.0')])
def test_gradcheck_refuses_a_negative_tolerance_naming_both(setting, got):
    with pytest.raises(ValueError) as caught:
        gradcheck(lambda a: a * a, [1.0], **setting)
    assert str(caught.value) == f"gradcheck: atol and rtol must be >= 0, got {got}"


def test_gradcheck_takes_zero_tolerances():
    (check,) = gradcheck(lambda a: a * 2.0, [1.0], atol=0.0, rtol=0.0)
    assert (check.analytic, check.tolerance) == (2.0, 0.0)


def test_gradcheck_takes_values_as_inputs():
    (check,) = gradcheck(lambda a: a * a, [Value(3.0)])
    assert check.analytic == 6.0


def test_gradcheck_refuses_an_input_that_is_not_a_number_naming_it():
    with pytest.raises(TypeError) as caught:
        gradcheck(lambda a: a * a, ['x'])
    assert str(caught.value) == "gradcheck: input needs a real number, got str 'x'"


def test_gradcheck_refuses_an_f_that_returns_a_plain_number_naming_its_type():
    with pytest.raises(TypeError) as caught:
        gradcheck(lambda a: 3.0, [1.0])
    assert str(caught.value) == "gradcheck: f must return a Value, got float"


MIXED_DOT_TEXT = "^Value.dot (weight|input) needs a real number, got str 'x'$"


def test_a_mixed_dot_refuses_text_among_its_numbers_saying_so():
    with pytest.raises(TypeError, match=MIXED_DOT_TEXT):
        Value.dot([Value(1.0), 'x'], [1.0, 2.0])
    with pytest.raises(TypeError, match=MIXED_DOT_TEXT):
        Value.dot([Value(1.0), 2.0], ['x', 1.0])
