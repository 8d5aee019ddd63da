"""The smaller views: one box per neuron, and the path of one sample through a batch loss."""

import re

import pytest

import nn
from engine import Value, draw_neurons, draw_sample, topological_order
from engine.views import batch_terms, neuron_graph, sample_graph

SAMPLES = [[0.5, -1.0], [1.0, 0.5], [-0.3, 0.8]]


def batch_loss(activation='tanh', nouts=(2, 1)):
    model = nn.MLP(2, list(nouts), activation=activation, seed=0)
    scores = [model(x) for x in SAMPLES]
    loss = nn.losses.mse(scores, [1.0, -1.0, 1.0])
    loss.backward()
    return loss, model, scores


def boxes(pic):
    return re.findall(r'\tn\d+ \[label="([^"]*)"', pic.source)


def test_each_neuron_is_one_box_with_its_output_and_gradient():
    loss, model, scores = batch_loss()
    one = nn.losses.mse([scores[0]], [1.0])
    one.backward()
    labels = boxes(draw_neurons(one))
    neurons = [b for b in labels if 'neuron' in b]
    assert len(neurons) == 3  # two hidden tanh neurons and the linear output neuron
    assert sum('tanh neuron' in b for b in neurons) == 2
    out = scores[0]
    assert any(f'data {out.data:.4g}' in b and f'grad {out.grad:.4g}' in b for b in neurons)


def test_weights_and_biases_are_inside_the_boxes_not_drawn():
    loss, model, _ = batch_loss()
    source = draw_neurons(loss).source
    for p in model.parameters():
        assert f'data {p.data:.4g} ' not in source or p.data == 0.0
    assert '2 weights + bias' in source


def test_an_edge_into_a_neuron_carries_the_chain_rule_through_the_box():
    x = [Value(0.5, 'x0'), Value(-1.0, 'x1')]
    w = [Value(0.3, 'w0'), Value(-0.7, 'w1')]
    b = Value(0.1, 'b')
    out = Value.dot(w, x, b).tanh()
    view, _, _ = neuron_graph(out)
    assert [c.label for c in view._prev] == ['x0', 'x1']  # the weights and bias are inside
    slope = 1 - out.data ** 2
    assert view._local == pytest.approx((slope * 0.3, slope * -0.7))


def test_a_dot_that_feeds_more_than_its_activation_is_kept_apart_from_it():
    w, b = [Value(0.3), Value(-0.7)], Value(0.1)
    z = Value.dot(w, [0.5, -1.0], b)
    y = z.tanh() + z
    view, _, _ = neuron_graph(y)
    ops = sorted(node._op for node in view._prev)
    assert ops == ['linear neuron', 'tanh']


def test_the_samples_of_a_batch_loss_are_the_terms_of_its_sum():
    loss, _, scores = batch_loss()
    terms = batch_terms(loss)
    assert len(terms) == 3
    assert [t._prev[0]._prev[0] for t in terms] == scores  # (score - target) ** 2


def test_one_samples_path_keeps_only_what_that_sample_feeds():
    loss, _, scores = batch_loss()
    view, stubs = sample_graph(loss, 1)
    labels = [s.label for s in stubs]
    assert labels == ['2 other terms, not drawn']
    kept = {round(v.data, 12) for v in topological_order(view)}
    assert round(scores[1].data, 12) in kept
    assert round(scores[0].data, 12) not in kept and round(scores[2].data, 12) not in kept


def test_a_samples_path_shows_the_gradients_of_the_whole_loss():
    loss, _, scores = batch_loss()
    pic = draw_sample(loss, 2)
    assert f'grad {scores[2].grad:.4g}' in pic.source
    assert 'other terms, not drawn' in pic.source and 'style=dashed' in pic.source


def test_a_sample_can_be_chosen_by_its_node():
    loss, _, scores = batch_loss()
    term = batch_terms(loss)[0]
    assert draw_sample(loss, term).source == draw_sample(loss, 0).source


def test_a_samples_path_can_be_drawn_by_neuron():
    loss, _, _ = batch_loss()
    source = draw_sample(loss, 0, neurons=True).source
    assert source.count('tanh neuron') == 2 and 'inputs 0.5, -1' in source


def test_a_sample_out_of_range_is_refused_with_the_range():
    loss, _, _ = batch_loss()
    with pytest.raises(ValueError, match='from 0 to 2'):
        draw_sample(loss, 3)
    with pytest.raises(TypeError, match='whole number'):
        draw_sample(loss, 1.5)


def test_a_loss_without_a_sum_of_terms_says_to_pass_the_node():
    y = (Value(2.0) * 3.0).tanh()
    with pytest.raises(ValueError, match="pass the node of one sample's term"):
        draw_sample(y, 0)


def test_views_of_a_2_16_16_1_network_are_drawn_and_the_same_every_time():
    loss, _, _ = batch_loss('relu', (16, 16, 1))
    first = draw_sample(loss, 0, neurons=True)
    again = draw_sample(batch_loss('relu', (16, 16, 1))[0], 0, neurons=True)
    assert first.source == again.source
    assert first.source.count('ReLU neuron') == 32
    assert 'decorate=true' not in first.source  # 300 edges: too many numbers to print
    assert first.fitted_svg()[1] == 900

