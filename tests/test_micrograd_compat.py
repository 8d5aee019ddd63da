"""Code written for micrograd runs on scalargrad unchanged and gives the same numbers.

The installed micrograd 0.1.0 package is the oracle: each expression is written once,
as a function of the Value class, and run with both.
"""

import math
import random

import pytest
from conftest import require

from engine import Value


@pytest.fixture
def MicroValue():
    return require('micrograd.engine').Value


def assert_same_numbers(ours, theirs):
    """Same forward values exactly; same gradients up to summation order (1e-12)."""
    assert [v.data for v in ours] == [v.data for v in theirs]
    for a, b in zip(ours, theirs):
        assert math.isclose(a.grad, b.grad, rel_tol=1e-12, abs_tol=1e-12), (a.grad, b.grad)


# ---- micrograd's own test expressions (its test_engine.py), as functions of the Value class

def sanity_expression(V):
    """A relu and a reused input: y = h + q + q*x with z = 2x + 2 + x."""
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return x, y


def more_ops_expression(V):
    """In-place +=, powers, division both ways, relu of sums and differences."""
    a, b = V(-4.0), V(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def neuron_expression(V):
    """micrograd's Neuron written out: relu(b + sum w_i x_i), then a hinge-style loss."""
    w = [V(0.3), V(-0.8), V(0.55)]
    x = [V(1.5), V(2.0), V(-0.25)]
    b = V(0.1)
    act = sum((wi * xi for wi, xi in zip(w, x)), b).relu()
    loss = (1 + -1.0 * act).relu() + 1e-4 * sum(p * p for p in w + [b])
    loss.backward()
    return (*w, *x, b, loss)


@pytest.mark.parametrize('expression', [sanity_expression, more_ops_expression,
                                        neuron_expression])
def test_micrograd_test_expressions_give_micrograd_numbers(expression, MicroValue):
    assert_same_numbers(expression(Value), expression(MicroValue))


def test_micrograd_test_expressions_give_the_numbers_its_tests_expect():
    x, y = sanity_expression(Value)
    assert (y.data, x.grad) == (-20.0, 46.0)
    a, b, g = more_ops_expression(Value)
    assert math.isclose(g.data, 24.70408163265306, rel_tol=1e-12)
    assert math.isclose(a.grad, 138.83381924198252, rel_tol=1e-12)
    assert math.isclose(b.grad, 645.5772594752186, rel_tol=1e-12)


# ---- random graphs over micrograd's ops, against micrograd

MICROGRAD_OPS = {
    'add': lambda a, b: a + b, 'sub': lambda a, b: a - b, 'mul': lambda a, b: a * b,
    'div': lambda a, b: a / b, 'radd': lambda a, b: 1.5 + a, 'rsub': lambda a, b: 2.0 - a,
    'rmul': lambda a, b: -0.5 * a, 'rdiv': lambda a, b: 3.0 / a, 'neg': lambda a, b: -a,
    'square': lambda a, b: a ** 2, 'cube': lambda a, b: a ** 3, 'inverse': lambda a, b: a ** -1,
    'relu': lambda a, b: a.relu(), 'iadd': lambda a, b: _iadd(a, b),
}


def _iadd(a, b):
    a += b  # rebinding, exactly as micrograd's tests use +=
    return a


def micrograd_program(seed):
    """A seeded list of (op, i, j); picked so divisors stay away from zero and values bounded."""
    rng = random.Random(seed)
    values = [rng.uniform(-2, 2) for _ in range(3)]
    program = []
    for _ in range(rng.randint(5, 25)):
        op = rng.choice(sorted(MICROGRAD_OPS))
        i, j = rng.randrange(len(values)), rng.randrange(len(values))
        a, b = values[i], values[j]
        if op in ('div', 'rdiv', 'inverse') and abs(b if op == 'div' else a) < 0.3:
            continue
        if op == 'relu' and abs(a) < 1e-9:
            continue
        out = MICROGRAD_OPS[op](Value(a), Value(b)).data
        if abs(out) > 1e3:
            continue
        values.append(out)
        program.append((op, i, j))
    return values[:3], program


def run_micrograd_program(V, leaves, program):
    nodes = [V(x) for x in leaves]
    for op, i, j in program:
        nodes.append(MICROGRAD_OPS[op](nodes[i], nodes[j]))
    root = nodes[-1]
    root.backward()
    return nodes


@pytest.mark.parametrize('seed', range(100))
def test_random_micrograd_graph_gives_micrograd_numbers(seed, MicroValue):
    leaves, program = micrograd_program(seed)
    ours = run_micrograd_program(Value, leaves, program)
    theirs = run_micrograd_program(MicroValue, leaves, program)
    assert [v.data for v in ours] == [v.data for v in theirs]
    for a, b in zip(ours[:3], theirs[:3]):  # leaves: inner grads differ only off the root path
        assert math.isclose(a.grad, b.grad, rel_tol=1e-12, abs_tol=1e-12), (seed, a.grad, b.grad)


# ---- lecture-style code that walks the graph by hand

def lecture_build_topo(root):
    """The recursive topological sort from the micrograd lecture, written out."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(root)
    return topo


def lecture_trace(root):
    """Collect every node and every (child, parent) edge, as the lecture's draw_dot does."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def lecture_neuron():
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), every node labelled."""
    x1, x2 = Value(2.0, label='x1'), Value(0.0, label='x2')
    w1, w2 = Value(-3.0, label='w1'), Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1 * w1
    x1w1.label = 'x1*w1'
    x2w2 = x2 * w2
    x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b
    n.label = 'n'
    o = n.tanh()
    o.label = 'o'
    return (x1, x2, w1, w2, b), o


def test_lecture_topo_walk_and_manual_backward_give_backward_gradients():
    leaves, o = lecture_neuron()
    o.grad = 1.0
    for node in reversed(lecture_build_topo(o)):
        node._backward()
    by_hand = [v.grad for v in leaves]
    for v in leaves:
        v.grad = 0.0
    o.backward()
    assert by_hand == [v.grad for v in leaves]
    assert [round(g, 6) for g in by_hand] == [-1.5, 0.5, 1.0, 0.0, 0.5]


def test_lecture_trace_finds_every_node_and_edge():
    leaves, o = lecture_neuron()
    nodes, edges = lecture_trace(o)
    assert len(nodes) == 10  # 5 leaves, 2 products, 2 sums, 1 tanh
    assert len(edges) == 9
    assert {n.label for n in nodes} >= {'x1', 'w1', 'x1*w1', 'n', 'o'}
    assert {n._op for n in nodes} == {'', '*', '+', 'tanh'}
    assert all(child in nodes and parent in nodes for child, parent in edges)


def test_lecture_draw_dot_record_labels_format():
    _, o = lecture_neuron()
    o.backward()
    nodes, _ = lecture_trace(o)
    # the lecture formats records with %-style strings; keep its style to prove it works
    records = {"{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad)  # noqa: UP031
               for n in nodes}
    assert "{ o | data 0.7071 | grad 1.0000 }" in records
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in records


def test_manual_backward_one_node_at_a_time():
    leaves, o = lecture_neuron()
    x1, x2, w1, w2, b = leaves
    n = o._prev[0]
    o.grad = 1.0
    o._backward()
    assert math.isclose(n.grad, 1 - o.data ** 2)
    n._backward()
    x1w1x2w2 = n._prev[0]
    x1w1x2w2._backward()
    for product in x1w1x2w2._prev:
        product._backward()
    assert math.isclose(w1.grad, x1.data * n.grad)
    assert math.isclose(x1.grad, w1.data * n.grad)


def test_backward_on_a_leaf_is_a_no_op():
    a = Value(3.0, label='a')
    a.grad = 2.0
    a._backward()
    assert a.grad == 2.0 and a._prev == () and a._op == ''


def test_label_keyword_and_label_assignment():
    a = Value(2.0, label='a')
    e = a * a
    e.label = 'e'
    assert (a.label, e.label, a.data) == ('a', 'e', 2.0)


def test_gradient_descent_by_hand_on_data():
    w = Value(0.5, label='w')
    for _ in range(3):
        loss = (w * 2.0 - 3.0) ** 2
        w.grad = 0.0
        loss.backward()
        w.data += -0.05 * w.grad
    assert isinstance(w.data, float)
    assert abs(w.data * 2.0 - 3.0) < abs(0.5 * 2.0 - 3.0)


def test_sum_with_a_value_start_works_like_micrograd(MicroValue):
    def neuron_act(V):
        w, x, b = [V(0.1), V(-0.2)], [V(3.0), V(4.0)], V(0.5)
        act = sum((wi * xi for wi, xi in zip(w, x)), b)
        act.backward()
        return (*w, *x, b, act)

    assert_same_numbers(neuron_act(Value), neuron_act(MicroValue))
