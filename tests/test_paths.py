"""sum_over_paths: the chain rule as the sum, over every path, of the product along it."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import PathSum, Value, sum_over_paths, topological_order
from engine.views import neuron_graph

UNARY = ('tanh', 'sigmoid', 'exp_small', 'neg')
BINARY = ('+', '*', '-')


def apply_unary(op, v):
    if op == 'exp_small':
        return (v * 0.1).exp()
    if op == 'neg':
        return -v
    return getattr(v, op)()


@st.composite
def random_graph(draw):
    """A random graph of + * - tanh sigmoid exp over 2-3 leaves, reusing nodes freely."""
    leaves = [Value(draw(st.floats(-1.5, 1.5)), f'x{i}') for i in range(draw(st.integers(2, 3)))]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 9))):
        if draw(st.booleans()):
            a = draw(st.sampled_from(nodes))
            nodes.append(apply_unary(draw(st.sampled_from(UNARY)), a))
        else:
            a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            op = draw(st.sampled_from(BINARY))
            nodes.append(a + b if op == '+' else a * b if op == '*' else a - b)
    return nodes[-1], leaves


@settings(max_examples=150, deadline=None)
@given(random_graph())
def test_the_products_over_all_paths_add_up_to_the_gradient_of_backward(graph):
    root, leaves = graph
    root.backward()
    for leaf in leaves:
        if leaf is root:
            continue
        try:
            paths = sum_over_paths(root, leaf, top=10_000)
        except ValueError:  # this leaf is not used by root
            assert leaf.grad == 0.0
            continue
        assert paths.complete
        listed = math.fsum(p.product for p in paths.paths)
        assert math.isclose(listed, leaf.grad, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(paths.total, leaf.grad, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=80, deadline=None)
@given(random_graph())
def test_the_count_of_paths_is_the_number_listed_when_all_are_listed(graph):
    root, leaves = graph
    for leaf in leaves:
        try:
            paths = sum_over_paths(root, leaf, top=10_000)
        except ValueError:
            continue
        assert paths.count == len(paths.paths)
        assert all(p.nodes[0] is leaf and p.nodes[-1] is root for p in paths.paths)


def test_a_node_used_twice_has_a_path_through_each_use():
    x = Value(3.0, 'x')
    y = x * x
    paths = sum_over_paths(y, x)
    assert paths.count == 2 and [p.product for p in paths.paths] == [3.0, 3.0]
    assert paths.total == 6.0


def test_the_text_lists_each_path_with_its_factors_and_the_sum():
    x = Value(2.0, 'x')
    y = x * x + x
    y.label = 'y'
    text = str(sum_over_paths(y, x))
    assert text.splitlines()[0] == '3 paths from x to y:'
    assert 'x -> * -> y: 2 x 1 = 2' in text and 'x -> y: 1 = 1' in text
    assert text.splitlines()[-1] == 'sum = 5 = d y / d x'


def doubling_chain(depth):
    """z = f(f(...f(a))) with f(v) = tanh(v*v) + v/2: 2**depth paths from a up."""
    a = Value(0.9, 'a')
    z = a
    for _ in range(depth):
        z = (z * z).tanh() + z * 0.5
    return z, a


def test_too_many_paths_are_counted_and_only_the_largest_listed():
    z, a = doubling_chain(70)
    z.backward()
    paths = sum_over_paths(z, a, top=5)
    assert paths.count > 10 ** 21 and not paths.complete and len(paths.paths) == 5
    sizes = [abs(p.product) for p in paths.paths]
    assert sizes == sorted(sizes, reverse=True)
    assert math.isclose(paths.total, a.grad, rel_tol=1e-9)
    assert 'the 5 largest' in str(paths) and 'more ...' in str(paths)


def test_the_largest_paths_are_the_largest_of_all():
    z, a = doubling_chain(5)
    everything = sorted(abs(p.product) for p in sum_over_paths(z, a, top=10 ** 6).paths)
    top = [abs(p.product) for p in sum_over_paths(z, a, top=4).paths]
    assert top == pytest.approx(everything[::-1][:4])


def test_the_chain_rule_still_holds_through_neuron_boxes():
    x = [Value(0.5, 'x0'), Value(-1.0, 'x1')]
    h = [Value.dot([Value(0.3), Value(-0.7)], x, Value(0.1)).tanh(),
         Value.dot([Value(-0.2), Value(0.4)], x, Value(0.0)).tanh()]
    out = Value.dot([Value(1.5), Value(-0.5)], h, Value(0.2))
    out.backward()
    view, _, _ = neuron_graph(out)
    leaves = {node.label: node for node in topological_order(view) if node.label in ('x0', 'x1')}
    for original in x:
        assert math.isclose(sum_over_paths(view, leaves[original.label]).total, original.grad,
                            rel_tol=1e-12)


def test_the_picture_colours_the_paths_and_names_their_products():
    x = Value(2.0, 'x')
    y = x * x + x
    y.backward()
    paths = sum_over_paths(y, x)
    source = paths.picture().source
    assert 'path 1 (red): 2' in source and 'sum over all 3 paths: 5' in source
    assert source.count('color="#d62728"') >= 3  # the red path's edges (and the leaf)
    data, _ = paths._repr_mimebundle_()
    assert 'image/png' in data and data['text/plain'] == str(paths)


def test_a_node_outside_the_graph_and_bad_arguments_are_refused():
    y = Value(1.0) * 2.0
    with pytest.raises(ValueError, match='not part of the graph'):
        sum_over_paths(y, Value(3.0, 'z'))
    with pytest.raises(TypeError, match='two Values'):
        sum_over_paths(y, 3.0)
    with pytest.raises(ValueError, match='top must be a positive whole number'):
        sum_over_paths(y, y._prev[0], top=0)


def test_a_path_sum_says_what_it_is():
    x = Value(2.0, 'x')
    assert isinstance(sum_over_paths(x * 3.0, x), PathSum)
    assert repr(sum_over_paths(x * 3.0, x)) == '<PathSum: 1 path from x to *, sum 3>'

