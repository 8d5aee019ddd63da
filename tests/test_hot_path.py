"""The engine's fast paths give the plain paths' results: collector pause, topological order,
a layer's inputs checked once."""

import gc
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    return (a.data == b.data and a._op == b._op and a._local == b._local
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
