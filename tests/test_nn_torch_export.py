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


def _inputs(n, nin, seed=0):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]


def test_a_step_layer_trains_with_zero_gradient_as_the_engine_says():
    torch = require('torch')
    model = MLP(2, [3, 3, 1], activation='tanh', seed=2)
    for n in model.layers[1].neurons:
        n.activation = 'step'
    X, y = _inputs(8, 2), [1.0, -1.0] * 4
    net = nn.to_torch(model)
    scores = net(torch.tensor(X, dtype=torch.float64)).flatten()
    torch_loss = ((scores - torch.tensor(y, dtype=torch.float64)) ** 2).mean()
    torch_loss.backward()  # heaviside alone would raise here: it has no backward
    theirs = []
    for linear in net[::2]:
        for row, bias in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
            theirs += row + [bias]
    loss = nn.losses.mse([model(x) for x in X], y)
    model.zero_grad()
    loss.backward()
    ours = [p.grad for p in model.parameters()]
    assert all(abs(a - b) <= 1e-12 for a, b in zip(ours, theirs))
    below = len(model.layers[0].parameters()) + len(model.layers[1].parameters())
    assert set(theirs[:below]) == {0.0} and any(theirs[below:])  # nothing below a step learns


def test_a_layer_whose_neurons_differ_exports_per_neuron_activations():
    torch = require('torch')
    model = MLP(2, [4, 1], seed=3)
    for n, name in zip(model.layers[0].neurons, ['relu', 'tanh', 'sigmoid', 'step']):
        n.activation = name
    net = nn.to_torch(model)
    assert type(net[1]).__name__ == 'PerNeuron'
    X = _inputs(20, 2, seed=1)
    theirs = net(torch.tensor(X, dtype=torch.float64)).flatten().tolist()
    assert all(abs(a - b) <= 1e-12 for a, b in zip(model.predict(X), theirs))


def test_an_exported_model_with_a_step_pickles_and_loads_in_a_fresh_process(tmp_path):
    import json
    import pickle
    import subprocess
    import sys

    torch = require('torch')
    model = MLP(2, [3, 1], activation='step', output_activation='sigmoid', seed=0)
    net = nn.to_torch(model)
    path = tmp_path / 'net.pickle'
    path.write_bytes(pickle.dumps(net))
    X = _inputs(5, 2)
    expected = net(torch.tensor(X, dtype=torch.float64)).flatten().tolist()
    script = (f"import json, pickle, torch\n"
              f"net = pickle.loads(open({str(path)!r}, 'rb').read())\n"
              f"out = net(torch.tensor({X!r}, dtype=torch.float64))\n"
              f"print(json.dumps(out.flatten().tolist()))")
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected
