"""The engine at its edges: no silent wrong result (issue 8).

Grad mode per thread and task, backward on an unrecorded graph, finite results with
infinite derivatives, micrograd's constructor, gradcheck's verdict, Python's operator
protocol, one rule for numbers, one chain-rule step.
"""

import asyncio
import fractions
import math
import threading

import pytest

import engine
from engine import (
    GradcheckError,
    Value,
    backward_steps,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
)
from engine.numbers import as_real, as_whole

# ---- 1. grad mode per thread and per async task


def test_no_grad_in_another_thread_does_not_stop_this_thread_recording():
    started, release = threading.Event(), threading.Event()

    def idle_without_grad():
        with no_grad():
            started.set()
            release.wait(10)

    other = threading.Thread(target=idle_without_grad)
    other.start()
    started.wait(10)
    try:
        x = Value(3.0)
        y = x * x
        y.backward()
        assert x.grad == 6.0
        assert is_grad_enabled()
    finally:
        release.set()
        other.join()


def test_many_threads_switching_grad_mode_never_lose_a_gradient():
    wrong = []

    def train():
        for _ in range(2000):
            x = Value(2.0)
            (x * 3.0).backward()
            if x.grad != 3.0:
                wrong.append(x.grad)

    def infer():
        for _ in range(2000):
            with no_grad():
                Value(1.0) * 2.0

    threads = [threading.Thread(target=f) for f in (train, infer, infer, train)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    assert is_grad_enabled()


def test_grad_mode_is_per_async_task():
    async def recorded():
        await asyncio.sleep(0)
        x = Value(1.0)
        return len((x + 1.0)._prev)

    async def unrecorded():
        with no_grad():
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return len((Value(1.0) + 1.0)._prev)

    async def both():
        return await asyncio.gather(unrecorded(), recorded())

    assert asyncio.run(both()) == [0, 2]


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError), no_grad():
        raise KeyError('x')
    assert is_grad_enabled()


def test_nested_modes_restore_what_was_there():
    with no_grad():
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
            assert len((Value(1.0) * 2.0)._prev) == 2
        assert not is_grad_enabled()
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_and_enable_grad_are_decorators():
    @no_grad()
    def infer(x):
        return x * 2.0, is_grad_enabled()

    @enable_grad()
    def train(x):
        return x * 2.0

    y, mode = infer(Value(1.0))
    assert (y._prev, mode, is_grad_enabled()) == ((), False, True)
    with no_grad():
        assert len(train(Value(1.0))._prev) == 2
        assert not is_grad_enabled()
    assert infer.__name__ == 'infer'


def test_is_grad_enabled_reports_false_inside_no_grad():
    assert is_grad_enabled() is True
    with no_grad():
        assert is_grad_enabled() is False


# ---- 2. backward on a result computed under no_grad


def test_backward_on_a_result_made_under_no_grad_says_the_graph_was_not_recorded():
    x = Value(2.0)
    with no_grad():
        y = x * x
    with pytest.raises(RuntimeError, match=r"'\*' node that was computed under no_grad"):
        y.backward()
    assert x.grad == 0.0


def test_backward_steps_on_an_unrecorded_result_says_so_too():
    with no_grad():
        y = Value(2.0).tanh()
    with pytest.raises(RuntimeError, match='not recorded'):
        list(backward_steps(y))


def test_a_leaf_made_under_no_grad_can_still_call_backward():
    with no_grad():
        x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_a_no_grad_result_used_later_is_a_constant_of_the_new_graph():
    x = Value(3.0)
    with no_grad():
        c = x * 2.0
    y = c * x
    y.backward()
    assert (y.data, x.grad, c.grad) == (18.0, 6.0, 3.0)


# ---- 3. finite results are never refused; infinite derivatives reported by backward


@pytest.mark.parametrize('make, data', [
    (lambda: Value(0.0) ** 0.5, 0.0),
    (lambda: Value(1e-320).log(), math.log(1e-320)),
    (lambda: 1 / Value(1e-300), 1e-300 ** -1),
    (lambda: Value(2.0) ** 1023.9, 2.0 ** 1023.9),
    (lambda: Value(0.0) ** Value(2.0), 0.0),
    (lambda: Value(-2.0) ** Value(2.0), 4.0),
])
def test_a_finite_result_is_never_refused(make, data):
    assert make().data == data
    with no_grad():
        assert make().data == data


def test_an_infinite_local_derivative_is_stored_as_it_is():
    assert (Value(0.0) ** 0.5)._local == (math.inf,)
    assert (Value(2.0) ** 1023.9)._local == (math.inf,)
    assert (Value(1e-320).log())._local[0] == math.inf


def test_backward_through_an_infinite_derivative_names_the_op_and_the_leaf():
    x = Value(0.0, 'x')
    y = x ** 0.5 + 1.0
    with pytest.raises(FloatingPointError,
                       match=r"'\*\*0.5' with respect to its input 'x' \(data 0.0\) is inf.*"
                             r"'x' could not get a finite gradient"):
        y.backward()


def test_an_infinite_derivative_that_no_gradient_reaches_is_not_an_error():
    x, w = Value(0.0, 'x'), Value(2.0, 'w')
    y = (x ** 0.5 * 0.0).relu() + w * 3.0  # ReLU is off: nothing passes down to x
    y.backward()
    assert (w.grad, x.grad) == (3.0, 0.0)


def test_a_gradient_that_overflows_on_the_way_down_is_reported():
    x = Value(1e-300, 'x')
    y = (x * 1e300) * 1e300  # every value finite, but d y / d x = 1e600
    assert y.data == 1e-300 * 1e300 * 1e300
    with pytest.raises(FloatingPointError, match=r"from '\*' to 'x' \(1e\+300 x 1e\+300\) "
                                                 r"is too large.*'x' could not get"):
        y.backward()


def test_the_graph_command_draws_a_formula_with_an_infinite_derivative(tmp_path):
    from nn.cli import main
    out = tmp_path / 'g.svg'
    assert main(['graph', '0**0.5 + x', '--set', 'x=1', '-o', str(out)]) in (0, None)
    assert '<svg' in out.read_text()


# ---- 4. micrograd's constructor order


def test_micrograds_positional_node_form_fails_at_once_with_the_scalargrad_form():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"micrograd's way.*_prev=children, _local=derivatives"):
        Value(3.0, (a, b), '+')


def test_micrograds_keyword_node_form_fails_at_once_with_the_scalargrad_form():
    a = Value(1.0)
    with pytest.raises(TypeError, match="micrograd's way"):
        Value(2.0, _children=(a,), _op='tanh', label='t')


def test_micrograds_constructor_makes_a_correct_leaf():
    leaf = Value(2.0, (), '', 'x')
    also = Value(2.0, _children=(), _op='', label='y')
    assert (leaf.label, leaf._prev, also.label, also._prev) == ('x', (), 'y', ())


def test_setting_a_backward_closure_says_how_to_write_the_op_here():
    out = Value(0.5)
    with pytest.raises(TypeError, match=r"(?s)local derivatives.*math.cos\(x.data\)"):
        out._backward = lambda: None


def test_a_label_that_is_not_text_is_refused():
    with pytest.raises(TypeError, match='label must be a string, got int 5'):
        Value(1.0, 5)


def test_an_op_of_your_own_in_three_lines_trains():
    def sin(x):
        return Value(math.sin(x.data), '', (x,), (math.cos(x.data),), 'sin')

    assert gradcheck(lambda a: sin(a * a), [0.7])


# ---- 5. gradcheck's verdict


def test_gradcheck_is_false_for_a_wrong_derivative():
    def wrong_square(x):
        return Value(x.data ** 2, '', (x,), (x.data,), 'sq')  # should be 2x

    verdict = gradcheck(wrong_square, [1.5])
    assert not verdict
    assert verdict[0].analytic == 1.5 and abs(verdict[0].numeric - 3.0) < 1e-6
    assert 'FAILED: input 0' in repr(verdict)


def test_gradcheck_fails_a_small_wrong_sign_gradient():
    def flipped(x):  # the true slope is +1e-3; this node claims -1e-3
        return Value(1e-3 * x.data, '', (x,), (-1e-3,), 'flipped')

    assert not gradcheck(flipped, [0.2])


def test_gradcheck_can_raise_with_the_worst_input():
    def wrong(a, b):
        return Value(a.data * b.data, '', (a, b), (b.data, 0.0), 'bad*')

    with pytest.raises(GradcheckError, match='input 1'):
        gradcheck(wrong, [2.0, 3.0], raise_exception=True)


def test_gradcheck_passes_correct_derivatives_with_pytorchs_tolerances():
    verdict = gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b, [0.3, -0.7])
    assert verdict
    assert [c.tolerance for c in verdict] == [1e-5 + 1e-3 * abs(c.numeric) for c in verdict]
    assert all(c.passed for c in verdict)


def test_gradcheck_leaves_the_gradients_of_captured_values_alone():
    w = Value(4.0)
    w.grad = 0.25
    assert gradcheck(lambda x: x * w, [3.0])
    assert w.grad == 0.25


def test_gradcheck_takes_any_real_number_for_eps():
    assert gradcheck(lambda a: a * a, [1.0], eps=fractions.Fraction(1, 10 ** 6))


# ---- 6. Python's operator protocol


def test_unknown_operand_types_let_the_other_side_try():
    class Box:
        def __radd__(self, other):
            return 'box'

        def __rmul__(self, other):
            return 'box'

    assert Value(1.0) + Box() == 'box'
    assert Value(1.0) * Box() == 'box'


def test_numpy_arrays_combine_from_either_side():
    numpy = pytest.importorskip('numpy')
    left = Value(1.0) + numpy.array([1.0, 2.0])
    right = numpy.array([1.0, 2.0]) + Value(1.0)
    assert [v.data for v in left] == [v.data for v in right] == [2.0, 3.0]


def test_a_reflected_op_names_its_operator():
    with pytest.raises(TypeError, match="for -: 'str' and 'Value'"):
        'a' - Value(1.0)
    with pytest.raises(TypeError, match=r"for /: 'NoneType' and 'Value'"):
        None / Value(1.0)


# ---- 7. messages in words


def test_dividing_by_a_tiny_number_says_the_result_is_out_of_range():
    with pytest.raises(OverflowError, match=r"'/': 1.0 / 1e-310 is out of a float's range"):
        Value(1.0) / 1e-310


class _ForeignValue:  # stands in for micrograd's Value (same module name)
    __module__ = 'micrograd.engine'

    def __init__(self, data):
        self.data, self.grad = data, 0.0


_ForeignValue.__name__ = 'Value'


def test_mixing_a_micrograd_value_into_an_op_names_micrograd():
    with pytest.raises(TypeError, match=r"'\+': a scalargrad Value cannot be combined with "
                                        r"a micrograd Value"):
        Value(1.0) + _ForeignValue(2.0)


def test_a_micrograd_value_as_data_names_micrograd():
    with pytest.raises(TypeError, match='a micrograd Value'):
        Value(_ForeignValue(2.0))


def test_drawing_a_micrograd_value_names_micrograd():
    with pytest.raises(TypeError, match='needs a scalargrad Value as the root, got a micrograd'):
        engine.draw_dot(_ForeignValue(1.0))


# ---- 8. one rule for numbers


@pytest.mark.parametrize('number, expected', [
    (True, 1.0), (False, 0.0), (3, 3.0), (fractions.Fraction(1, 4), 0.25), (2.5, 2.5),
])
def test_every_real_number_is_a_values_data(number, expected):
    assert Value(number).data == expected
    assert as_real(number, 'x') == expected


def test_a_bool_counts_as_a_number_in_ops_as_in_micrograd():
    assert (Value(2.0) * True).data == 2.0
    assert (Value(2.0) - True).data == 1.0


@pytest.mark.parametrize('bad, error, words', [
    ('3', TypeError, "x needs a real number, got str '3'"),
    (10 ** 400, ValueError, 'x: int 1000.* is too large for a float'),
    (math.nan, ValueError, 'x needs a finite number, got nan'),
])
def test_as_real_refuses_what_is_not_a_finite_real_number(bad, error, words):
    with pytest.raises(error, match=words):
        as_real(bad, 'x')


@pytest.mark.parametrize('bad, error, words', [
    (True, TypeError, 'needs a whole number, got bool True'),
    (2.0, TypeError, r'write 2, not 2.0'),
    (0, ValueError, 'must be at least 1, got 0'),
])
def test_as_whole_refuses_what_is_not_a_whole_number(bad, error, words):
    with pytest.raises(error, match=words):
        as_whole(bad, 'size', least=1)


def test_as_whole_takes_numpy_integers():
    numpy = pytest.importorskip('numpy')
    assert as_whole(numpy.int64(7), 'size') == 7 and type(as_whole(numpy.int64(7), 'n')) is int


# ---- one chain-rule step


def test_backward_backward_steps_and_by_hand_give_the_same_gradients():
    def graph():
        a, b = Value(0.5, 'a'), Value(-1.5, 'b')
        c = a * b
        d = (c + a).tanh() * a
        return a, b, d

    a1, b1, d1 = graph()
    d1.backward()
    a2, b2, d2 = graph()
    for _ in backward_steps(d2):
        pass
    a3, b3, d3 = graph()
    d3.grad = 1.0
    for node in reversed(engine.topological_order(d3)):
        node._backward()
    assert (a1.grad, b1.grad) == (a2.grad, b2.grad) == (a3.grad, b3.grad)


def test_backward_steps_skips_a_zero_gradient_as_backward_does():
    x = Value(0.0, 'x')
    y = (x ** 0.5).relu() * 0.0 + 1.0  # the inf slope of sqrt at 0 sits behind a zero
    steps = list(backward_steps(y))
    assert x.grad == 0.0
    assert all(e.contribution == 0.0 for s in steps if s.upstream == 0.0 for e in s.edges)


def test_the_real_micrograd_value_is_named_when_mixed_in():
    micrograd = pytest.importorskip('micrograd.engine')
    theirs = micrograd.Value(2.0)
    with pytest.raises(TypeError, match="cannot be combined with a micrograd Value"):
        Value(1.0) * theirs


def test_micrograds_leaf_with_children_only_is_a_leaf():
    leaf = Value(2.0, ())
    assert (leaf.data, leaf.label, leaf._prev) == (2.0, '', ())


def test_micrograds_form_with_an_op_that_is_not_text_names_the_op():
    with pytest.raises(TypeError, match='the op must be a string, got int 5'):
        Value(2.0, (), 5)


def test_a_mixed_dot_with_a_text_input_names_the_input():
    with pytest.raises(TypeError, match="Value.dot input needs a real number, got str 'x'"):
        Value.dot([Value(1.0), 2.0], ['x', Value(3.0)])
