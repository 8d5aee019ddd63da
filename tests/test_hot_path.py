"""The engine's fast paths give the plain paths' results: collector pause, topological order,
a layer's inputs checked once."""

import gc
import math
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import engine.value as value_module
import nn
from engine import Value, topological_order

quick = settings(max_examples=60, deadline=None, derandomize=True, database=None)


# ---- backward pauses the cyclic garbage collector, and always restores it

def test_backward_runs_with_the_collector_paused(monkeypatch):
    seen = []
    real = value_module.chain_rule
    monkeypatch.setattr(value_module, 'chain_rule',
                        lambda nodes: (seen.append(gc.isenabled()), real(nodes)))
    x = Value(2.0)
    (x * x).backward()
    assert seen == [False]
    assert gc.isenabled()
    assert x.grad == 4.0


def test_backward_restores_the_collector_after_an_error(monkeypatch):
    def broken(nodes):
        raise KeyError('boom')

    monkeypatch.setattr(value_module, 'chain_rule', broken)
    with pytest.raises(KeyError):
        (Value(1.0) * 2.0).backward()
    assert gc.isenabled()


def test_backward_leaves_a_paused_collector_paused():
    gc.disable()
    try:
        (Value(1.0) * 2.0).backward()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_importing_the_packages_changes_no_collector_setting():
    code = ("import gc; before = (gc.isenabled(), gc.get_threshold()); import engine, nn; "
            "print(before == (gc.isenabled(), gc.get_threshold()))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.stdout.strip() == 'True', out.stderr


# ---- topological order: the recursive depth-first definition, without recursion

def recursive_order(root):
    order, seen = [], set()

    def visit(node):
        seen.add(node)
        for child in node._prev:
            if child not in seen:
                visit(child)
        order.append(node)

    visit(root)
    return order


@quick
@given(st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6),
                          st.sampled_from(['+', '*', 'sum', 'dot'])), min_size=1, max_size=40))
def test_topological_order_is_the_recursive_depth_first_order(steps):
    nodes = [Value(1.0), Value(2.0), Value(0.5)]
    for i, j, op in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == '+':
            nodes.append(a + b)
        elif op == '*':
            nodes.append(a * b)
        elif op == 'sum':
            nodes.append(Value.sum([a, b, a]))
        else:
            nodes.append(Value.dot([a, b], [b, 1.0], a))
    root = nodes[-1]
    assert [id(n) for n in topological_order(root)] == [id(n) for n in recursive_order(root)]


def test_topological_order_of_a_leaf_is_the_leaf():
    x = Value(3.0)
    assert topological_order(x) == [x]


# ---- Value.inputs: a layer's inputs checked once give the same nodes as checking per neuron

def _same_node(a, b):
    return (type(a) is type(b) is Value and a.data == b.data and a._op == b._op
            and a._local == b._local and a.grad == b.grad == 0.0 and a.label == b.label == ''
            and [id(c) for c in a._prev] == [id(c) for c in b._prev])


@pytest.mark.parametrize('kind', ['values', 'floats', 'ints', 'mixed'])
def test_dot_with_checked_inputs_makes_the_same_node(kind):
    rng = random.Random(1)
    weights = [Value(rng.uniform(-1, 1)) for _ in range(5)]
    bias = Value(0.25)
    raw = {'values': [Value(rng.uniform(-1, 1)) for _ in range(5)],
           'floats': [rng.uniform(-1, 1) for _ in range(5)],
           'ints': [1, -2, 3, 0, 5],
           'mixed': [Value(0.5), 1.5, Value(-2.0), 3, 0.25]}[kind]
    checked = Value.dot(weights, Value.inputs(raw), bias)
    plain = Value.dot(weights, raw, bias)
    assert _same_node(checked, plain)


def test_checked_inputs_still_refuse_a_wrong_length():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        Value.dot([Value(1.0), Value(2.0)], Value.inputs([1.0, 2.0, 3.0]), Value(0.0))


def test_a_layer_gives_the_numbers_of_its_neurons_called_one_by_one():
    layer = nn.Layer(3, 4, seed=2)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    together = layer(x)
    alone = [n(list(x)) for n in layer.neurons]
    for a, b in zip(together, alone):  # relu nodes, each over its neuron's dot node
        assert a.data == b.data and a._local == b._local
        assert _same_node(a._prev[0], b._prev[0])


# ---- Value.dots: a layer's dot nodes at once are the nodes Value.dot makes row by row

def _rows(rng, n_rows, n_in):
    return ([[Value(rng.uniform(-1, 1)) for _ in range(n_in)] for _ in range(n_rows)],
            [Value(rng.uniform(-1, 1)) for _ in range(n_rows)])


@pytest.mark.parametrize('kind', ['values', 'floats', 'ints', 'mixed'])
def test_dots_makes_the_nodes_of_dot_row_by_row(kind):
    rng = random.Random(3)
    rows, biases = _rows(rng, 4, 3)
    raw = {'values': [Value(0.5), Value(-1.5), Value(2.0)], 'floats': [0.5, -1.5, 2.0],
           'ints': [1, -2, 3], 'mixed': [Value(0.5), 1.5, 3]}[kind]
    together = Value.dots(rows, raw, biases)
    alone = [Value.dot(w, raw, b) for w, b in zip(rows, biases)]
    assert len(together) == 4
    assert all(_same_node(a, b) for a, b in zip(together, alone))


def test_dots_takes_the_plain_path_for_an_unusual_row():
    rng = random.Random(4)
    rows, biases = _rows(rng, 4, 2)
    rows[1] = [0.5, rows[1][1]]  # a plain-number weight: a constant, not a child
    rows[2] = tuple(rows[2])
    biases[3] = 0.25  # a plain-number bias
    x = [Value(1.0), Value(-2.0)]
    together = Value.dots(rows, x, biases)
    alone = [Value.dot(w, x, b) for w, b in zip(rows, biases)]
    assert all(_same_node(a, b) for a, b in zip(together, alone))
    assert [len(n._prev) for n in together] == [5, 4, 5, 4]


def test_dots_gives_the_gradients_of_dot_row_by_row():
    rng = random.Random(5)
    rows, biases = _rows(rng, 3, 3)
    x = [Value(0.3), Value(-0.7), Value(1.1)]
    Value.sum(Value.dots(rows, x, biases)).backward()
    fast = [v.grad for v in x] + [w.grad for row in rows for w in row]
    for v in x + [w for row in rows for w in row] + biases:
        v.grad = 0.0
    Value.sum([Value.dot(w, x, b) for w, b in zip(rows, biases)]).backward()
    assert fast == [v.grad for v in x] + [w.grad for row in rows for w in row]


def test_dots_refuses_more_rows_than_biases():
    rows, biases = _rows(random.Random(6), 3, 2)
    with pytest.raises(ValueError, match="Value.dots: 3 rows of weights but 2 biases"):
        Value.dots(rows, [1.0, 2.0], biases[:2])


def test_dots_refuses_a_row_of_the_wrong_length_as_dot_does():
    rows, biases = _rows(random.Random(7), 2, 2)
    rows[1].append(Value(1.0))
    with pytest.raises(ValueError, match="3 weights but 2 inputs"):
        Value.dots(rows, [1.0, 2.0], biases)


def test_dots_refuses_an_overflowing_sum_with_dots_message():
    w, b = [[Value(1e308), Value(1e308)]], [Value(0.0)]
    with pytest.raises(OverflowError, match="'dot' of .* gave inf"):
        Value.dots(w, [1e308, 1e308], b)


def test_dots_under_no_grad_records_no_graph():
    rows, biases = _rows(random.Random(8), 2, 2)
    with engine.no_grad():
        out = Value.dots(rows, [Value(1.0), Value(2.0)], biases)
    assert [n._prev for n in out] == [(), ()]
    assert [n.data for n in out] == [Value.dot(w, [1.0, 2.0], b).data
                                     for w, b in zip(rows, biases)]


@pytest.mark.parametrize('activations', [['relu'] * 3, ['linear'] * 3,
                                         ['tanh', 'relu', 'linear']])
def test_a_fused_layer_gives_the_nodes_of_its_neurons_called_one_by_one(activations):
    layer = nn.Layer(2, 3, seed=9)
    for n, a in zip(layer.neurons, activations):
        n.activation = a
    x = [Value(0.5), Value(-1.0)]
    for a, b in zip(layer.forward(x), [n(list(x)) for n in layer.neurons]):
        assert a.data == b.data and a._op == b._op and a._local == b._local
        inner_a = a._prev[0] if a._op != 'dot' else a
        inner_b = b._prev[0] if b._op != 'dot' else b
        assert _same_node(inner_a, inner_b)


# ---- the fast paths are taken: rows of Values never go through Value.dot or Value()

def _refuse(*args, **kwargs):
    raise AssertionError('the fast path should not call this')


@pytest.mark.parametrize('kind', ['values', 'floats'])
def test_dots_of_rows_of_values_never_calls_dot_per_row(monkeypatch, kind):
    rows, biases = _rows(random.Random(10), 3, 2)
    x = [Value(1.0), Value(-2.0)] if kind == 'values' else [1.0, -2.0]
    want = [Value.dot(w, x, b).data for w, b in zip(rows, biases)]
    monkeypatch.setattr(Value, 'dot', staticmethod(_refuse))
    assert [n.data for n in Value.dots(rows, x, biases)] == want


def test_dots_makes_its_nodes_without_the_public_constructor(monkeypatch):
    rows, biases = _rows(random.Random(11), 3, 2)
    x = Value.inputs([Value(1.0), Value(-2.0)])
    monkeypatch.setattr(Value, '__init__', _refuse)
    assert len(Value.dots(rows, x, biases)) == 3


def test_dot_of_a_neuron_makes_its_node_without_the_public_constructor(monkeypatch):
    w, b, x = [Value(0.5), Value(-1.0)], Value(0.25), [Value(2.0), Value(3.0)]
    monkeypatch.setattr(Value, '__init__', _refuse)
    assert Value.dot(w, x, b).data == 0.25 + 0.5 * 2.0 + -1.0 * 3.0


def test_dots_reads_checked_inputs_without_checking_them_again(monkeypatch):
    rows, biases = _rows(random.Random(12), 2, 2)
    x = Value.inputs([Value(1.0), Value(-2.0)])
    monkeypatch.setattr(value_module.LayerInputs, '__init__', _refuse)
    monkeypatch.setattr(value_module, '_read_inputs', _refuse)
    assert len(Value.dots(rows, x, biases)) == 2


def test_dot_reads_checked_inputs_without_checking_them_again(monkeypatch):
    w, b = [Value(0.5), Value(-1.0)], Value(0.25)
    x = Value.inputs([Value(2.0), Value(3.0)])
    monkeypatch.setattr(value_module, '_read_inputs', _refuse)
    monkeypatch.setattr(value_module, '_mixed_dot', _refuse)
    assert Value.dot(w, x, b).data == 0.25 + 0.5 * 2.0 + -1.0 * 3.0


@pytest.mark.parametrize('inputs', [[0.5, -2.0], (0.5, -2.0), [1e308, 1e308],
                                    [Value(0.5), Value(-2.0)]])
def test_finite_floats_or_values_take_the_fast_path(monkeypatch, inputs):
    rows, biases = _rows(random.Random(19), 3, 2)
    want = [Value.dot(w, inputs, b).data for w, b in zip(rows, biases)]
    monkeypatch.setattr(value_module, '_mixed_dot', _refuse)
    assert [n.data for n in Value.dots(rows, inputs, biases)] == want
    assert [Value.dot(w, inputs, b).data for w, b in zip(rows, biases)] == want


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_a_float_input_that_is_not_finite_is_refused_by_name(bad):
    rows, biases = _rows(random.Random(20), 2, 2)
    with pytest.raises(ValueError, match=f"Value.dot needs a finite number, got {bad}"):
        Value.dots(rows, [1.0, bad], biases)
    with pytest.raises(ValueError, match=f"Value.dot needs a finite number, got {bad}"):
        Value.dot(rows[0], [bad, 1.0], biases[0])


def test_dots_takes_rows_biases_and_inputs_from_any_iterable():
    rows, biases = _rows(random.Random(21), 3, 2)
    x = [Value(1.0), Value(-2.0)]
    want = Value.dots(rows, x, biases, 'relu')
    got = Value.dots((w for w in rows), iter(x), iter(biases), 'relu')
    assert [a.data for a in got] == [a.data for a in want]
    assert all(_same_node(a._prev[0], b._prev[0]) for a, b in zip(got, want))
    tuples = Value.dots(tuple(rows), tuple(x), tuple(biases))
    assert all(_same_node(a, b._prev[0]) for a, b in zip(tuples, want))


def test_dots_with_relu_over_an_unusual_row_applies_relu_to_its_dot():
    rows, biases = _rows(random.Random(22), 3, 2)
    rows[1] = [0.5, rows[1][1]]  # a plain-number weight: the row goes the general way
    x = [Value(1.0), Value(-2.0)]
    out = Value.dots(rows, x, biases, 'relu')
    for top, w, b in zip(out, rows, biases):
        alone = Value.dot(w, x, b).relu()
        assert (top._op, top.data, top._local) == ('ReLU', alone.data, alone._local)
        assert _same_node(top._prev[0], alone._prev[0])


def test_dot_of_a_neuron_under_no_grad_records_no_graph():
    w, b, x = [Value(0.5), Value(-1.0)], Value(0.25), [Value(2.0), Value(3.0)]
    with engine.no_grad():
        out = Value.dot(w, x, b)
    assert out._prev == () and out.data == -1.75


def test_dot_of_a_neuron_under_no_grad_is_a_plain_dot_node():
    w, b, x = [Value(0.5), Value(-1.0)], Value(0.25), [Value(2.0), Value(3.0)]
    with engine.no_grad():
        out = Value.dot(w, x, b)
    assert (out._op, out.label, repr(out._local)) == ('dot', '', 'not recorded (made under '
                                                                 'no_grad)')


@pytest.mark.parametrize('inputs, shown', [
    ([Value(1.0), Value(1.0)], '(1e+308, 1e+308, 1.0, 1.0, ...)'),
    ([1.0, 1.0], '(1e+308, 1e+308, 0.0)')])
def test_an_overflowing_neuron_names_its_children_in_order(inputs, shown):
    w, b = [Value(1e308), Value(1e308)], Value(0.0)
    message = f"'dot' of {shown} gave inf: the result is not a finite number"
    with pytest.raises(OverflowError) as alone:
        Value.dot(w, inputs, b)
    with pytest.raises(OverflowError) as together:
        Value.dots([w], inputs, [b])
    assert str(alone.value) == str(together.value) == message


def test_dots_takes_rows_given_as_iterators_as_dot_does():
    rows, biases = _rows(random.Random(13), 2, 2)
    x = [Value(1.0), Value(-2.0)]
    together = Value.dots([iter(w) for w in rows], x, biases)
    assert all(_same_node(a, Value.dot(w, x, b)) for a, w, b in zip(together, rows, biases))


# ---- Value.dots(..., activation): the layer's activation nodes, each over its dot node

@pytest.mark.parametrize('activation', ['relu', 'tanh', 'sigmoid', 'step'])
@pytest.mark.parametrize('kind', ['values', 'floats', 'mixed'])
def test_dots_with_an_activation_makes_the_nodes_of_dot_then_the_op(activation, kind):
    rng = random.Random(14)
    rows, biases = _rows(rng, 5, 3)
    raw = {'values': [Value(0.5), Value(-1.5), Value(2.0)], 'floats': [0.5, -1.5, 2.0],
           'mixed': [Value(0.5), 1.5, 3]}[kind]
    together = Value.dots(rows, raw, biases, activation)
    alone = [getattr(Value.dot(w, raw, b), activation)() for w, b in zip(rows, biases)]
    assert len(together) == 5
    for a, b in zip(together, alone):
        assert (a.data, a._op, a._local, a.label, a.grad) == (b.data, b._op, b._local, '', 0.0)
        assert len(a._prev) == 1 and _same_node(a._prev[0], b._prev[0])


def test_dots_with_relu_covers_both_sides_of_zero():
    rows = [[Value(1.0)], [Value(-1.0)], [Value(0.0)]]
    biases = [Value(0.0), Value(0.0), Value(0.0)]
    out = Value.dots(rows, [2.0], biases, 'relu')
    assert [(n.data, n._local) for n in out] == [(2.0, (1.0,)), (0.0, (0.0,)), (0.0, (0.0,))]


def test_dots_with_relu_makes_its_nodes_without_the_public_constructor(monkeypatch):
    rows, biases = _rows(random.Random(15), 3, 2)
    x = [Value(1.0), Value(-2.0)]
    monkeypatch.setattr(Value, '__init__', _refuse)
    monkeypatch.setattr(Value, 'relu', _refuse)
    assert [n._op for n in Value.dots(rows, x, biases, 'relu')] == ['ReLU'] * 3


def test_dots_with_an_activation_gives_the_gradients_of_the_ops_row_by_row():
    rng = random.Random(16)
    rows, biases = _rows(rng, 4, 3)
    x = [Value(0.3), Value(-0.7), Value(1.1)]
    leaves = x + [w for row in rows for w in row] + biases
    Value.sum(Value.dots(rows, x, biases, 'relu')).backward()
    fast = [v.grad for v in leaves]
    for v in leaves:
        v.grad = 0.0
    Value.sum([Value.dot(w, x, b).relu() for w, b in zip(rows, biases)]).backward()
    assert fast == [v.grad for v in leaves]
    assert any(g != 0.0 for g in fast)


def test_dots_refuses_an_unknown_activation_by_name():
    rows, biases = _rows(random.Random(17), 2, 2)
    with pytest.raises(ValueError, match="Value.dots: unknown activation 'softplus'; choose "
                                         "one of relu, tanh, sigmoid, step"):
        Value.dots(rows, [1.0, 2.0], biases, 'softplus')


@pytest.mark.parametrize('activation', ['relu', 'tanh'])
def test_dots_with_an_activation_under_no_grad_records_no_graph(activation):
    rows, biases = _rows(random.Random(18), 3, 2)
    x = [Value(1.0), Value(-2.0)]
    want = [getattr(Value.dot(w, x, b), activation)().data for w, b in zip(rows, biases)]
    with engine.no_grad():
        out = Value.dots(rows, x, biases, activation)
    assert [n.data for n in out] == want
    assert [(n._prev, repr(n._local)) for n in out] == [
        ((), 'not recorded (made under no_grad)')] * 3


def test_dots_with_relu_still_refuses_an_overflowing_sum_with_dots_message():
    w, b = [[Value(1e308), Value(1e308)]], [Value(0.0)]
    with pytest.raises(OverflowError, match="'dot' of .* gave inf"):
        Value.dots(w, [1e308, 1e308], b, 'relu')
