"""to_torch: the same weights in a torch.nn.Sequential, the same outputs to 1e-12."""

import random

import pytest
from conftest import require

import nn
from nn import MLP
from nn.activations import ACTIVATIONS


@pytest.mark.parametrize('activation', ACTIVATIONS)
def test_outputs_agree_within_1e_12(activation):
    torch = require('torch')
    model = MLP(3, [8, 5, 2], activation=activation, output_activation='tanh', seed=1)
    rng = random.Random(0)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(50)]
    net = nn.to_torch(model)
    theirs = net(torch.tensor(X, dtype=torch.float64)).tolist()
    ours = model.predict(X)
    for row, ref in zip(ours, theirs):
        assert all(abs(a - b) <= 1e-12 for a, b in zip(row, ref))


def test_sequential_of_float64_linear_and_activation_modules():
    torch = require('torch')
    net = nn.to_torch(MLP(2, [16, 16, 1], seed=0))
    assert isinstance(net, torch.nn.Sequential)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear', 'Identity']
    assert net[0].weight.dtype == torch.float64


def test_weights_are_copied_row_per_neuron():
    require('torch')
    model = MLP(2, [3, 1], seed=0)
    net = nn.to_torch(model)
    assert net[0].weight.tolist() == [[w.data for w in n.w] for n in model.layers[0].neurons]
    assert net[0].bias.tolist() == [n.b.data for n in model.layers[0].neurons]


def test_step_layer_gives_one_at_zero():
    torch = require('torch')
    model = MLP(1, [1], output_activation='step', seed=0)
    model.layers[0].neurons[0].w[0].data = 1.0
    net = nn.to_torch(model)
    out = net(torch.tensor([[-1.0], [0.0], [2.0]], dtype=torch.float64)).flatten().tolist()
    assert out == [0.0, 1.0, 1.0] == model.predict([[-1.0], [0.0], [2.0]])


def test_only_an_mlp_converts():
    with pytest.raises(TypeError, match="MLP"):
        nn.to_torch(nn.Neuron(2, seed=0))
