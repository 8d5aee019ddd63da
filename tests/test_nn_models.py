"""Neuron, Layer, MLP: micrograd's numbers, fused == op-by-op, names, seeds, fast predict."""

import math
import random

import pytest

from engine import Value, topological_order
from nn import MLP, Layer, Module, Neuron
from nn.activations import ACTIVATIONS


def _points(n, nin, seed):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]


# ---- micrograd compatibility


def _micrograd_demo_steps(Value, MLP, X, y, steps):
    """micrograd's moons-demo training loop, verbatim apart from the data source."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    record = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        record.append(([s.data for s in scores], total_loss.data,
                       [p.grad for p in model.parameters()]))
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    return record, [p.data for p in model.parameters()]


def test_global_seed_gives_micrograds_weights():
    micrograd_nn = pytest.importorskip('micrograd.nn')
    random.seed(1337)
    theirs = [p.data for p in micrograd_nn.MLP(2, [16, 16, 1]).parameters()]
    random.seed(1337)
    ours = [p.data for p in MLP(2, [16, 16, 1]).parameters()]
    assert ours == theirs


@pytest.mark.parametrize('fused', [True, False])
def test_micrograd_demo_code_gives_micrograds_outputs_loss_and_gradients(fused):
    micrograd_engine = pytest.importorskip('micrograd.engine')
    micrograd_nn = pytest.importorskip('micrograd.nn')
    rng = random.Random(5)
    X = [[rng.uniform(-1, 2), rng.uniform(-1, 1)] for _ in range(30)]
    y = [rng.choice([-1, 1]) for _ in X]
    theirs, their_final = _micrograd_demo_steps(micrograd_engine.Value, micrograd_nn.MLP,
                                                X, y, 3)
    ours, our_final = _micrograd_demo_steps(
        Value, lambda nin, nouts: MLP(nin, nouts, fused=fused), X, y, 3)
    (their_scores, their_loss, their_grads), (scores, loss, grads) = theirs[0], ours[0]
    assert scores == their_scores
    assert loss == their_loss
    # micrograd visits children in set order (by memory address), so a gradient that sums
    # many contributions may add them in another order: equal up to rounding.
    for g, t in zip(grads, their_grads):
        assert math.isclose(g, t, rel_tol=1e-12, abs_tol=1e-15)
    for (_, their_loss, their_grads), (_, loss, grads) in zip(theirs[1:], ours[1:]):
        assert math.isclose(loss, their_loss, rel_tol=1e-12)
        for g, t in zip(grads, their_grads):
            assert math.isclose(g, t, rel_tol=1e-9, abs_tol=1e-12)
    for p, t in zip(our_final, their_final):
        assert math.isclose(p, t, rel_tol=1e-9, abs_tol=1e-12)


def test_micrograd_demo_runs_with_numpy_data_and_only_the_imports_changed():
    np = pytest.importorskip('numpy')
    rng = np.random.RandomState(1337)
    X = rng.uniform(-1, 1, size=(20, 2))
    y = rng.randint(0, 2, size=20) * 2 - 1  # numpy ints, as the demo's y*2 - 1
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    for k in range(2):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    assert isinstance(total_loss, Value) and math.isfinite(total_loss.data)
    assert sum(accuracy) == 12  # of the 20 points, scored before the second update


def test_attribute_names_are_micrograds():
    model = MLP(2, [3, 1], seed=0)
    neuron = model.layers[0].neurons[0]
    assert len(neuron.w) == 2 and all(isinstance(w, Value) for w in neuron.w)
    assert isinstance(neuron.b, Value) and neuron.b.data == 0.0
    assert neuron.nonlin is True
    assert model.layers[1].neurons[0].nonlin is False


def test_weights_are_uniform_in_minus_one_one_and_biases_zero():
    model = MLP(4, [50, 1], seed=3)
    for neuron in model.layers[0].neurons:
        assert all(-1.0 <= w.data <= 1.0 for w in neuron.w)
        assert neuron.b.data == 0.0


def test_hidden_layers_relu_and_output_linear_by_default():
    model = MLP(2, [4, 4, 1], seed=0)
    assert [n.activation for n in model.layers[0].neurons] == ['relu'] * 4
    assert [n.activation for n in model.layers[1].neurons] == ['relu'] * 4
    assert model.layers[2].neurons[0].activation == 'linear'


def test_layer_with_one_neuron_returns_a_value_like_micrograd():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_one_neuron_hidden_layer_works():
    out = MLP(2, [16, 1, 1], seed=0)([0.5, -0.5])
    assert isinstance(out, Value)


def test_one_output_gives_a_value_and_several_give_a_list():
    assert isinstance(MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


# ---- fused neurons


@pytest.mark.parametrize('activation', ACTIVATIONS)
def test_fused_and_op_by_op_give_identical_outputs_and_gradients(activation):
    for seed in range(3):
        nets = [MLP(3, [5, 4, 2], activation=activation, seed=seed, fused=f)
                for f in (True, False)]
        X = _points(6, 3, seed + 10)
        results = []
        for net in nets:
            outs = [o for x in X for o in net(x)]
            loss = Value.sum(o * o for o in outs)
            net.zero_grad()
            loss.backward()
            results.append(([o.data for o in outs], loss.data,
                            [p.grad for p in net.parameters()]))
        assert results[0] == results[1]


def test_fused_and_op_by_op_give_identical_input_gradients():
    xs = [[Value(a), Value(b)] for a, b in _points(5, 2, 7)]
    results = []
    for fused in (True, False):
        net = MLP(2, [4, 1], seed=1, fused=fused)
        for row in xs:
            for v in row:
                v.grad = 0.0
        Value.sum(net(row) for row in xs).backward()
        results.append([v.grad for row in xs for v in row])
    assert results[0] == results[1]


def test_fused_graph_has_far_fewer_nodes():
    x = [0.5, -1.0]
    fused = len(topological_order(MLP(2, [16, 16, 1], seed=0, fused=True)(x)))
    op_by_op = len(topological_order(MLP(2, [16, 16, 1], seed=0, fused=False)(x)))
    assert fused * 2 < op_by_op


def test_fused_neuron_is_one_dot_node_then_the_activation():
    out = Neuron(3, seed=0)([1.0, 2.0, 3.0])
    assert out._op == 'ReLU'
    assert out._prev[0]._op == 'dot'


def test_plain_number_inputs_are_not_graph_children():
    n = Neuron(2, seed=0)
    dot = n([1.0, 2.0])._prev[0]
    assert set(map(id, dot._prev)) == set(map(id, n.w + [n.b]))


def test_value_inputs_get_gradients():
    n = Neuron(2, activation='linear', seed=0)
    x = [Value(1.0), Value(2.0)]
    n(x).backward()
    assert [v.grad for v in x] == [w.data for w in n.w]


def test_fused_can_be_switched_on_a_whole_model():
    model = MLP(2, [3, 1], seed=0)
    model.fused = False
    assert all(not n.fused for layer in model.layers for n in layer.neurons)
    assert 'fused=False' in repr(model)


# ---- parameters and names


def test_parameters_are_layer_by_layer_neuron_by_neuron_weights_then_bias():
    model = MLP(2, [2, 1], seed=0)
    expected = []
    for layer in model.layers:
        for n in layer.neurons:
            expected += n.w + [n.b]
    assert model.parameters() == expected
    assert len(MLP(2, [16, 16, 1], seed=0).parameters()) == 337


def test_named_parameters_have_stable_dotted_names():
    names = [name for name, _ in MLP(2, [4, 1], seed=0).named_parameters()]
    assert names[:3] == ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1',
                         'layers.0.neurons.0.b']
    assert 'layers.0.neurons.3.w.1' in names
    assert names[-1] == 'layers.1.neurons.0.b'


def test_zero_grad_zeroes_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 1.0]).backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trips_into_another_model():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert [p.data for p in b.parameters()] == [p.data for p in a.parameters()]


def test_load_state_dict_with_wrong_names_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    bad = dict(before)
    bad['layers.0.neurons.0.w.0'] = 5.0
    del bad['layers.1.neurons.0.b']
    bad['layers.9.b'] = 1.0
    with pytest.raises(ValueError, match="missing 1.*unexpected 1"):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_load_state_dict_with_a_bad_number_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    bad = {name: 1.0 for name in before}
    bad['layers.1.neurons.0.b'] = float('nan')
    with pytest.raises(ValueError, match="layers.1.neurons.0.b"):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_micrograd_style_module_gets_numbered_names():
    class Pair(Module):
        def __init__(self):
            self.a, self.b = Value(1.0), Value(2.0)

        def parameters(self):
            return [self.a, self.b]

    assert Pair().state_dict() == {'0': 1.0, '1': 2.0}


def test_reprs_are_readable():
    assert repr(Neuron(2, seed=0)) == 'ReLUNeuron(2)'
    assert repr(Neuron(2, nonlin=False, seed=0)) == 'LinearNeuron(2)'
    assert repr(Layer(2, 3, activation='tanh', seed=0)) == "Layer(2, 3, activation='tanh')"
    assert repr(MLP(2, [16, 1], seed=0)) == \
        "MLP(2, [16, 1], activation='relu', output_activation='linear')"


# ---- activations


@pytest.mark.parametrize('name, x, expected', [
    ('relu', -1.5, 0.0), ('relu', 1.5, 1.5), ('tanh', 0.5, math.tanh(0.5)),
    ('sigmoid', 0.0, 0.5), ('step', -0.1, 0.0), ('step', 0.0, 1.0), ('linear', -3.0, -3.0)])
def test_activation_by_name(name, x, expected):
    n = Neuron(1, activation=name, seed=0)
    n.w[0].data = 1.0
    assert n([x]).data == expected


def test_activation_none_means_relu_or_linear_like_micrograd():
    assert Neuron(2, seed=0).activation == 'relu'
    assert Neuron(2, nonlin=False, seed=0).activation == 'linear'


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match="relu, tanh, sigmoid, step, linear"):
        Neuron(2, activation='softmax')
    with pytest.raises(ValueError, match="unknown activation 'elu'"):
        MLP(2, [3, 1], output_activation='elu')


def test_activation_changes_the_nonlin_flag():
    assert Neuron(2, activation='linear', seed=0).nonlin is False
    assert Neuron(2, activation='tanh', seed=0).nonlin is True


# ---- inputs and sizes


def test_wrong_input_width_is_a_clear_error():
    with pytest.raises(ValueError, match="MLP takes 2 inputs, got 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Neuron takes 3 inputs, got 1"):
        Neuron(3, seed=0)([1.0])


def test_one_input_neuron_takes_a_bare_number():
    n = Neuron(1, activation='linear', seed=0)
    assert n(2.0).data == n([2.0]).data


@pytest.mark.parametrize('nin, nouts', [(0, [1]), (2, []), (2, [3, 0]), (2.5, [1]),
                                        (2, [True])])
def test_bad_sizes_are_refused(nin, nouts):
    with pytest.raises(ValueError):
        MLP(nin, nouts)


def test_numpy_integer_sizes_and_seeds_are_whole_numbers_too():
    np = pytest.importorskip('numpy')
    model = MLP(np.int64(2), np.array([4, 1]), seed=np.int64(3))
    same = MLP(2, [4, 1], seed=3)
    assert (model.nin, model.nouts) == (2, [4, 1])
    assert type(model.nin) is int and all(type(n) is int for n in model.nouts)
    assert [p.data for p in model.parameters()] == [p.data for p in same.parameters()]
    assert Neuron(np.int64(2), seed=0).nin == 2
    assert len(Layer(2, np.int32(3), seed=0).neurons) == 3


def test_nouts_must_be_a_list():
    with pytest.raises(TypeError, match="list of layer sizes"):
        MLP(2, 1)


# ---- seeds


def test_same_seed_gives_the_same_model_and_other_seeds_differ():
    a = [p.data for p in MLP(2, [8, 1], seed=42).parameters()]
    b = [p.data for p in MLP(2, [8, 1], seed=42).parameters()]
    c = [p.data for p in MLP(2, [8, 1], seed=43).parameters()]
    assert a == b and a != c


def test_seeded_model_leaves_global_random_state_alone():
    random.seed(99)
    state = random.getstate()
    MLP(2, [16, 16, 1], seed=0)
    Neuron(3, seed=1)
    Layer(2, 4, seed=2)
    assert random.getstate() == state


def test_unseeded_model_draws_from_global_random():
    random.seed(7)
    a = [p.data for p in MLP(2, [4, 1]).parameters()]
    random.seed(7)
    b = [p.data for p in MLP(2, [4, 1]).parameters()]
    assert a == b


def test_bad_seed_is_refused():
    with pytest.raises(TypeError, match="seed"):
        MLP(2, [1], seed='abc')


# ---- fast inference


@pytest.mark.parametrize('activation', ACTIVATIONS)
def test_predict_equals_the_graph_forward_exactly(activation):
    model = MLP(2, [8, 8, 1], activation=activation, seed=4)
    X = _points(40, 2, 1)
    assert model.predict(X) == [model(x).data for x in X]


def test_predict_with_several_outputs_gives_one_list_per_input():
    model = MLP(3, [5, 3], output_activation='sigmoid', seed=2)
    X = _points(10, 3, 2)
    assert model.predict(X) == [[o.data for o in model(x)] for x in X]


def test_predict_accepts_values_and_checks_width():
    model = MLP(2, [3, 1], seed=0)
    assert model.predict([[Value(1.0), 2]]) == [model([1.0, 2.0]).data]
    assert model.predict([]) == []
    with pytest.raises(ValueError, match="input 1"):
        model.predict([[1.0, 2.0], [1.0]])
    with pytest.raises(TypeError, match="input 0 holds str"):
        model.predict([['1.5', 2.0]])


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_predict_refuses_a_non_finite_input_as_the_graph_does(bad):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError):
        model([bad, 0.0])
    with pytest.raises(ValueError, match=f"MLP.predict: input 1 holds {bad}"):
        model.predict([[0.0, 1.0], [bad, 0.0]])


def test_predict_refuses_an_integer_too_large_for_a_float():
    with pytest.raises(ValueError, match="input 0 holds 1000.*too large for a float"):
        MLP(1, [1], seed=0).predict([[10 ** 400]])


def _amplifier(output_activation):
    """A 1-2-1 model whose every weight is 10 or -10, so an input of 1e308 overflows."""
    model = MLP(1, [2, 1], output_activation=output_activation, seed=0)
    for p, w in zip(model.parameters(), [10.0, 0.0, 10.0, 0.0, 10.0, -10.0, 0.0]):
        p.data = w
    return model


@pytest.mark.parametrize('output_activation', ['linear', 'sigmoid', 'relu'])
def test_predict_refuses_a_weighted_sum_that_overflows_as_the_graph_does(output_activation):
    model = _amplifier(output_activation)
    with pytest.raises(OverflowError):
        model([1e308])
    with pytest.raises(OverflowError, match="input 1: the weighted sum of layer 0, neuron 0 "
                                            "gave inf"):
        model.predict([[1.0], [1e308]])
    assert model.predict([[1.0]]) == [model([1.0]).data]
