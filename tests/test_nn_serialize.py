"""save / load: exact JSON round trip, atomic writes, clear errors for bad files."""

import json
import os

import pytest

import nn
from nn import MLP


@pytest.fixture
def saved(tmp_path):
    model = MLP(2, [4, 3, 1], activation='tanh', output_activation='sigmoid', seed=3,
                fused=False)
    path = tmp_path / 'model.json'
    nn.save(model, path)
    return model, path


def test_round_trip_gives_the_same_model(saved):
    model, path = saved
    loaded = nn.load(path)
    assert loaded.state_dict() == model.state_dict()
    assert repr(loaded) == repr(model)
    assert loaded([0.3, -0.7]).data == model([0.3, -0.7]).data


def test_file_is_json_with_format_version_architecture_and_named_parameters(saved):
    _, path = saved
    document = json.loads(path.read_text())
    assert document['format'] == 'scalargrad-model' and document['version'] == 2
    assert document['architecture'] == {
        'kind': 'MLP', 'nin': 2, 'nouts': [4, 3, 1], 'activation': 'tanh',
        'output_activation': 'sigmoid', 'fused': False,
        'activations': [['tanh'] * 4, ['tanh'] * 3, ['sigmoid']]}
    assert 'layers.0.neurons.3.w.1' in document['parameters']


def test_save_leaves_no_temporary_file_and_replaces_an_old_one(saved, tmp_path):
    model, path = saved
    nn.save(MLP(2, [1], seed=0), path)
    assert os.listdir(tmp_path) == ['model.json']
    assert nn.load(path).nouts == [1]


def test_load_does_not_touch_global_random(saved):
    import random
    _, path = saved
    random.seed(1)
    state = random.getstate()
    nn.load(path)
    assert random.getstate() == state


def _corrupt(path, edit):
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))


def test_truncated_file_is_a_clear_error(saved):
    _, path = saved
    path.write_text(path.read_text()[:100])
    with pytest.raises(ValueError, match="model.json.*not valid JSON"):
        nn.load(path)


def test_empty_file_is_a_clear_error(saved):
    _, path = saved
    path.write_text('')
    with pytest.raises(ValueError, match="model.json.*empty"):
        nn.load(path)


def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error(saved):
    _, path = saved
    path.write_text('[' * 100_000 + ']' * 100_000)
    with pytest.raises(ValueError, match="model.json.*not valid JSON.*nested too deeply"):
        nn.load(path)


def test_a_number_too_long_to_read_is_a_clear_error_naming_the_file(saved):
    _, path = saved
    path.write_text('{"format": ' + '1' * 5000 + '}')
    with pytest.raises(ValueError, match="model.json.*not valid JSON"):
        nn.load(path)


def test_binary_garbage_is_a_clear_error(saved):
    _, path = saved
    path.write_bytes(b'\x80\x81\xff' * 10)
    with pytest.raises(ValueError, match="model.json"):
        nn.load(path)


@pytest.mark.parametrize('edit, message', [
    (lambda d: d.update(format='other'), "not a scalargrad model file"),
    (lambda d: d.update(version=99), "version 99 is not supported"),
    (lambda d: d.update(version=1), "version 1 is not supported"),
    (lambda d: d['architecture'].pop('nouts'), "lacks nouts"),
    (lambda d: d['architecture'].update(activation='gelu'), "unknown activation 'gelu'"),
    (lambda d: d['architecture'].update(nouts=[4, 3, 2]), "has 35 parameters but.* 31"),
    (lambda d: d['architecture'].update(nin=-2), "architecture.nin must be a whole number "
                                                 "from 1 to 31"),
    (lambda d: d['parameters'].update({'layers.0.neurons.0.w.0': 'x'}), "finite number"),
    (lambda d: d['parameters'].update({'layers.0.neurons.0.w.0': None}), "finite number"),
    (lambda d: d['parameters'].pop('layers.2.neurons.0.b'), "parameters but the file"),
    (lambda d: d['parameters'].update({'layers.2.neurons.0.c': d['parameters'].pop(
        'layers.2.neurons.0.b')}), "missing 1.*unexpected 1"),
    (lambda d: d.pop('parameters'), "\"parameters\" entry is missing"),
])
def test_mismatched_file_is_a_clear_error_naming_the_file(saved, edit, message):
    _, path = saved
    _corrupt(path, edit)
    with pytest.raises(ValueError, match=message) as info:
        nn.load(path)
    assert 'model.json' in str(info.value)


def test_a_model_of_another_kind_is_refused_and_nothing_is_written(tmp_path):
    class Mine(nn.Module):
        pass

    with pytest.raises(TypeError, match="MLP, Layer, Neuron or Perceptron, got Mine"):
        nn.save(Mine(), tmp_path / 'n.json')
    assert not list(tmp_path.iterdir())


# ---- what the forward pass uses is what the file holds


def test_a_neurons_changed_activation_is_saved_and_reloaded(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    for n in model.layers[0].neurons:
        n.activation = 'tanh'
    path = tmp_path / 'model.json'
    nn.save(model, path)
    loaded = nn.load(path)
    assert [n.activation for n in loaded.layers[0].neurons] == ['tanh'] * 3
    x = [0.3, -0.7]
    assert loaded(x).data == model(x).data and loaded.predict([x]) == model.predict([x])


def test_a_perceptron_a_neuron_and_a_layer_round_trip(tmp_path):
    for model in (nn.Perceptron(3, seed=1), nn.Neuron(2, activation='sigmoid', seed=2),
                  nn.Layer(2, 3, activation='tanh', seed=3)):
        path = tmp_path / 'm.json'
        nn.save(model, path)
        loaded = nn.load(path)
        assert type(loaded) is type(model) and repr(loaded) == repr(model)
        assert loaded.state_dict() == model.state_dict()


def test_a_version_1_file_still_loads(tmp_path):
    model = MLP(2, [3, 1], activation='tanh', seed=0)
    path = tmp_path / 'old.json'
    path.write_text(json.dumps({
        'format': 'scalargrad-mlp', 'version': 1,
        'architecture': {'nin': 2, 'nouts': [3, 1], 'activation': 'tanh',
                         'output_activation': 'linear', 'fused': True},
        'parameters': model.state_dict()}))
    loaded = nn.load(path)
    assert repr(loaded) == repr(model) and loaded([1.0, 2.0]).data == model([1.0, 2.0]).data


def _weights():
    from hypothesis import strategies as st
    return st.floats(-4.0, 4.0, allow_subnormal=True)


def _random_model(draw):
    from hypothesis import strategies as st
    kind = draw(st.sampled_from(['MLP', 'Layer', 'Neuron', 'Perceptron']))
    names = st.sampled_from(nn.activations.ACTIVATIONS)
    nin = draw(st.integers(1, 3))
    fused = draw(st.booleans())
    if kind == 'MLP':
        nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
        model = MLP(nin, nouts, activation=draw(names), output_activation=draw(names),
                    seed=0, fused=fused)
        neurons = [n for layer in model.layers for n in layer.neurons]
    elif kind == 'Layer':
        model = nn.Layer(nin, draw(st.integers(1, 4)), activation=draw(names), fused=fused,
                         seed=0)
        neurons = model.neurons
    elif kind == 'Neuron':
        model = nn.Neuron(nin, activation=draw(names), fused=fused, seed=0)
        neurons = [model]
    else:
        model = nn.Perceptron(nin, seed=0)
        neurons = []
    for n in neurons:  # some neurons get an activation of their own
        if draw(st.booleans()):
            n.activation = draw(names)
    for p in model.parameters():
        p.data = draw(_weights())
    return model


def _outputs(model, X):
    outs = [model(x) for x in X]
    return [[o.data for o in out] if isinstance(out, list) else out.data for out in outs]


def test_random_models_round_trip_bit_for_bit(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.data())
    def check(data_):
        model = _random_model(data_.draw)
        X = data_.draw(st.lists(st.lists(st.floats(-3, 3), min_size=model.nin,
                                         max_size=model.nin), min_size=1, max_size=4))
        path = tmp_path / 'random.json'
        nn.save(model, path)
        loaded = nn.load(path)
        assert type(loaded) is type(model) and repr(loaded) == repr(model)
        assert loaded.state_dict() == model.state_dict()
        assert _outputs(loaded, X) == _outputs(model, X)

    check()


# ---- every bad file is a ValueError naming the file and the field


@pytest.mark.parametrize('edit, message', [
    (lambda d: d['parameters'].update({'layers.0.neurons.0.w.0': 10 ** 400}),
     r"parameter 'layers.0.neurons.0.w.0'.*too large for a float"),
    (lambda d: d['architecture'].update(nin=10 ** 400),
     r"architecture.nin must be a whole number from 1 to 31 .*got 1000"),
    (lambda d: d['architecture']['nouts'].__setitem__(1, 10 ** 400), r"architecture.nouts\[1\]"),
    (lambda d: d['architecture'].update(nouts='4,3,1'), "architecture.nouts must be a list"),
    (lambda d: d['architecture'].update(nin=2.0), "architecture.nin must be a whole number"),
    (lambda d: d['architecture'].update(fused='yes'), "architecture.fused must be true or"),
    (lambda d: d['architecture'].update(kind='CNN'), "architecture.kind must be one of"),
    (lambda d: d['architecture'].pop('kind'), "architecture lacks kind"),
    (lambda d: d['architecture'].pop('activations'), "architecture lacks activations"),
    (lambda d: d['architecture']['activations'][1].pop(), r"activations\[1\] must be a list "
                                                          r"of 3 activation names, got 2"),
    (lambda d: d['architecture']['activations'][0].__setitem__(2, 7),
     r"architecture.activations\[0\]\[2\] must be an activation name"),
    (lambda d: d['architecture'].update(activation=['relu']), "architecture.activation must"),
    (lambda d: d.update(architecture=[1, 2]), "\"architecture\" entry is missing"),
    (lambda d: d.update(parameters=[0.5]), "\"parameters\" entry is missing"),
    (lambda d: d['parameters'].update({'layers.0.neurons.0.w.0': True}), "finite number"),
])
def test_a_bad_field_is_a_value_error_naming_the_file_and_the_field(saved, edit, message):
    _, path = saved
    _corrupt(path, edit)
    with pytest.raises(ValueError, match=message) as info:
        nn.load(path)
    assert str(info.value).startswith(f"{path}: cannot load a model: ")


def test_any_value_in_any_field_loads_or_is_a_value_error_naming_the_file(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    model = MLP(2, [2, 1], seed=0)
    opt = nn.optim.Adam(model.parameters())
    history = nn.fit(model, *nn.data.xor(), optimizer=opt, epochs=2, progress=False)
    path = tmp_path / 'run.json'
    nn.save(model, path, optimizer=opt, history=history)
    good = json.loads(path.read_text())
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-10 ** 400, 10 ** 400) |
        st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3),
                                                                    inner, max_size=3),
        max_leaves=6)

    def places(node, trail=()):
        yield trail
        children = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            yield from places(child, trail + (key,))

    spots = list(places(good))[1:]

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(spots), json_values)
    def check(spot, value):
        document = json.loads(json.dumps(good))
        node = document
        for key in spot[:-1]:
            node = node[key]
        node[spot[-1]] = value
        path.write_text(json.dumps(document))
        for read in (nn.load, nn.load_checkpoint):
            try:
                read(path)
            except ValueError as err:
                assert str(err).startswith(f"{path}: cannot load")

    check()


# ---- checkpoints: the optimizer and the History go with the model


def test_load_of_a_checkpoint_gives_the_model_and_load_checkpoint_gives_all_three(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = nn.fit(model, *nn.data.xor(), optimizer=opt, epochs=3, progress=False)
    path = tmp_path / 'run.json'
    nn.save(model, path, optimizer=opt, history=history)
    assert nn.load(path).state_dict() == model.state_dict()
    loaded, loaded_opt, loaded_history = nn.load_checkpoint(path)
    assert loaded.state_dict() == model.state_dict()
    assert loaded_opt.state_dict() == opt.state_dict()
    assert loaded_opt.params == loaded.parameters()
    assert loaded_history == history


def test_load_checkpoint_of_a_plain_model_file_has_no_optimizer_or_history(saved):
    model, path = saved
    checkpoint = nn.load_checkpoint(path)
    assert checkpoint.optimizer is None and checkpoint.history is None
    assert checkpoint.model.state_dict() == model.state_dict()


def _moons():
    return nn.data.moons(12, seed=0)


def _optimizer(kind, model, lr=None):
    if kind == 'sgd':
        return nn.optim.SGD(model.parameters(), lr=lr or 0.1, momentum=0.9)
    return nn.optim.Adam(model.parameters(), lr=lr or 0.05)


@pytest.mark.parametrize('batch_size', [None, 1, 5], ids=['full', 'stochastic', 'mini'])
@pytest.mark.parametrize('kind', ['sgd', 'adam'])
def test_ten_epochs_save_load_ten_more_equal_twenty_epochs_bit_for_bit(tmp_path, kind,
                                                                       batch_size):
    X, y = _moons()
    straight = MLP(2, [4, 1], seed=0)
    whole = nn.fit(straight, X, y, optimizer=_optimizer(kind, straight), epochs=20,
                   batch_size=batch_size, progress=False, seed=7)

    model = MLP(2, [4, 1], seed=0)
    opt = _optimizer(kind, model)
    history = nn.fit(model, X, y, optimizer=opt, epochs=10, batch_size=batch_size,
                     progress=False, seed=7)
    path = tmp_path / 'run.json'
    nn.save(model, path, optimizer=opt, history=history)
    del model, opt, history

    model, opt, history = nn.load_checkpoint(path)
    nn.fit(model, X, y, optimizer=opt, history=history, epochs=20, batch_size=batch_size,
           progress=False)
    assert model.state_dict() == straight.state_dict()
    assert history.to_dict() == whole.to_dict()


def test_a_run_with_an_lr_schedule_needs_the_schedule_again(tmp_path):
    schedule = lambda k: 0.5 / (1 + k)  # noqa: E731
    model = MLP(2, [3, 1], seed=0)
    opt = nn.optim.SGD(model.parameters(), lr=schedule)
    nn.fit(model, *nn.data.xor(), optimizer=opt, epochs=3, progress=False)
    path = tmp_path / 'run.json'
    nn.save(model, path, optimizer=opt)
    with pytest.raises(ValueError, match="run.json.*optimizer.lr: the run used an lr schedule"):
        nn.load_checkpoint(path)
    _, again, _ = nn.load_checkpoint(path, lr=schedule)
    assert again.lr is schedule and again.steps == 3 and again.learning_rate() == 0.5 / 4


def test_load_checkpoint_lr_replaces_a_saved_number(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    path = tmp_path / 'run.json'
    nn.save(model, path, optimizer=opt)
    assert nn.load_checkpoint(path).optimizer.lr == 0.01
    assert nn.load_checkpoint(path, lr=0.002).optimizer.lr == 0.002


def test_save_refuses_an_optimizer_over_other_parameters(tmp_path):
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match="optimizer built over model.parameters"):
        nn.save(model, tmp_path / 'run.json', optimizer=nn.optim.SGD(other.parameters()))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize('edit, message', [
    (lambda d: d['optimizer'].update(optimizer='RMSprop'), "optimizer.optimizer must be one of"),
    (lambda d: d['optimizer']['velocity'].pop(), "velocity must be a list of 13 numbers"),
    (lambda d: d['optimizer'].update(steps=10 ** 400), None),
    (lambda d: d['optimizer']['velocity'].__setitem__(0, 10 ** 400),
     r"velocity\[0\].*too large"),
    (lambda d: d.update(optimizer=[]), "optimizer must be an object"),
    (lambda d: d['history'].update(epochs='3'), "history.epochs must be a whole number"),
    (lambda d: d['history']['losses'].__setitem__(0, 10 ** 400), r"history.losses\[0\]"),
])
def test_a_bad_checkpoint_field_is_a_value_error_naming_the_file_and_the_field(
        tmp_path, edit, message):
    model = MLP(2, [3, 1], seed=0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = nn.fit(model, *nn.data.xor(), optimizer=opt, epochs=2, progress=False)
    path = tmp_path / 'run.json'
    nn.save(model, path, optimizer=opt, history=history)
    _corrupt(path, edit)
    if message is None:  # a huge step count is a whole number: it loads
        assert nn.load_checkpoint(path).optimizer.steps == 10 ** 400
        return
    with pytest.raises(ValueError, match=message) as info:
        nn.load_checkpoint(path)
    assert str(info.value).startswith(f"{path}: cannot load the checkpoint: ")


def test_a_model_or_optimizer_holding_inf_is_not_saved_and_the_field_is_named(tmp_path):
    import math

    model = MLP(2, [2, 1], seed=0)
    opt = nn.optim.Adam(model.parameters())
    opt.s[3] = math.inf  # a squared gradient that overflowed
    with pytest.raises(ValueError, match=r"run.json: not saved: optimizer.s\[3\] is inf"):
        nn.save(model, tmp_path / 'run.json', optimizer=opt)
    model.layers[0].neurons[1].b.data = math.nan
    with pytest.raises(ValueError, match=r"parameters\['layers.0.neurons.1.b'\] is nan"):
        nn.save(model, tmp_path / 'run.json')
    assert not list(tmp_path.iterdir())
