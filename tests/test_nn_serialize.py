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
    assert document['format'] == 'scalargrad-mlp' and document['version'] == 1
    assert document['architecture'] == {'nin': 2, 'nouts': [4, 3, 1], 'activation': 'tanh',
                                        'output_activation': 'sigmoid', 'fused': False}
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
    (lambda d: d['architecture'].pop('nouts'), "lacks nouts"),
    (lambda d: d['architecture'].update(activation='gelu'), "unknown activation 'gelu'"),
    (lambda d: d['architecture'].update(nouts=[4, 3, 2]), "has 35 parameters but.* 31"),
    (lambda d: d['architecture'].update(nin=-2), "positive whole numbers"),
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


def test_only_an_mlp_can_be_saved(tmp_path):
    with pytest.raises(TypeError, match="MLP"):
        nn.save(nn.Neuron(2, seed=0), tmp_path / 'n.json')
    assert not list(tmp_path.iterdir())
