"""nn.plot.network: an MLP as layers of neurons, one line per weight, sign and size visible."""

import pytest
from matplotlib.collections import LineCollection

import nn
from nn import plot as nnplot


def lines_of(ax):
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    return lines


def weights_in_order(model):
    return [w for layer in model.layers for n in layer.neurons for w in n.w]


def test_every_weight_of_a_2_16_16_1_network_is_one_line():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    lines = lines_of(nnplot.network(model))
    assert len(lines.get_segments()) == 2 * 16 + 16 * 16 + 16 * 1


def test_a_line_joins_the_weights_input_to_its_neuron_in_the_next_layer():
    model = nn.MLP(2, [3, 1], seed=0)
    segments = lines_of(nnplot.network(model)).get_segments()
    xs = sorted({(round(s[0][0]), round(s[1][0])) for s in segments})
    assert xs == [(0, 1), (1, 2)]


def test_colour_tells_the_sign_and_width_the_size_of_each_weight():
    model = nn.MLP(2, [4, 1], seed=3)
    lines = lines_of(nnplot.network(model))
    weights = weights_in_order(model)
    colours = [tuple(c[:3]) for c in lines.get_colors()]
    positive = {c for c, w in zip(colours, weights) if w.data >= 0}
    negative = {c for c, w in zip(colours, weights) if w.data < 0}
    assert len(positive) == 1 and len(negative) == 1 and positive != negative
    widths = list(lines.get_linewidths())
    by_size = sorted(range(len(weights)), key=lambda i: abs(weights[i].data))
    assert [widths[i] for i in by_size] == sorted(widths)


def test_grads_true_draws_the_gradients_instead():
    model = nn.MLP(2, [4, 1], seed=3)
    loss = nn.losses.mse([model([0.5, -1.0])], [1.0])
    loss.backward()
    lines = lines_of(nnplot.network(model, grads=True))
    grads = [w.grad for w in weights_in_order(model)]
    widths = list(lines.get_linewidths())
    biggest = max(range(len(grads)), key=lambda i: abs(grads[i]))
    assert widths[biggest] == max(widths)
    assert 'gradient' in nnplot.network(model, grads=True).get_title()


def test_the_layers_are_named_with_their_sizes_and_activations():
    ax = nnplot.network(nn.MLP(2, [16, 16, 1], seed=0))
    texts = [t.get_text() for t in ax.texts]
    assert texts == ['input\n2 values', 'hidden 1\n16 relu', 'hidden 2\n16 relu',
                     'output\n1 linear']


def test_network_refuses_what_is_not_a_network():
    with pytest.raises(TypeError, match='MLP, a Layer or a Neuron'):
        nnplot.network([1, 2, 3])
