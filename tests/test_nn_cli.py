"""`scalargrad demo` and `scalargrad train`: pictures written, model saved, bad values refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from nn.cli import main

PICTURES = ['decision_boundary.png', 'loss_curve.png', 'neuron.svg']


def _pictures_in(folder):
    folder = Path(folder)
    assert sorted(p.name for p in folder.iterdir()) == PICTURES
    assert (folder / 'decision_boundary.png').read_bytes()[:4] == b'\x89PNG'
    assert (folder / 'loss_curve.png').read_bytes()[:4] == b'\x89PNG'
    assert b'<svg' in (folder / 'neuron.svg').read_bytes()[:2000]


def test_demo_writes_its_pictures_into_scalargrad_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(['demo', '--steps', '3', '--no-progress']) == 0
    out = capsys.readouterr().out
    assert 'accuracy' in out and 'MLP(2, [16, 16, 1]' in out
    _pictures_in(tmp_path / 'scalargrad-demo')


def test_demo_neuron_graph_shows_the_labelled_inputs_and_weights(tmp_path):
    assert main(['demo', '--steps', '1', '--no-progress', '--out', str(tmp_path)]) == 0
    svg = (tmp_path / 'neuron.svg').read_text()
    for label in ('x0', 'x1', 'w0', 'w1', 'out'):
        assert label in svg


def test_demo_follows_micrograds_learning_rate_schedule(tmp_path, monkeypatch):
    seen = []
    real_fit = nn.train.fit

    def spy(model, X, y, **kwargs):
        opt = kwargs['optimizer']
        seen.extend(opt.lr(k) for k in range(100))
        seen.append((len(X), kwargs['loss'], kwargs['l2'], kwargs['epochs']))
        return real_fit(model, X, y, **{**kwargs, 'epochs': 1})

    monkeypatch.setattr(nn.train, 'fit', spy)
    assert main(['demo', '--no-progress', '--out', str(tmp_path)]) == 0
    assert seen[:100] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert seen[100] == (100, 'hinge', 1e-4, 100)


def test_train_writes_pictures_and_saves_a_loadable_model(tmp_path, capsys):
    model_path = tmp_path / 'model.json'
    code = main(['train', '--data', 'xor', '--hidden', '4', '--activation', 'tanh',
                 '--optimizer', 'adam', '--lr', '0.05', '--epochs', '200', '--seed', '0',
                 '--no-progress', '--save', str(model_path), '--out', str(tmp_path / 'pics')])
    assert code == 0
    assert 'accuracy 100.0%' in capsys.readouterr().out
    model = nn.load(model_path)
    assert model.nouts == [4, 1] and model.activation == 'tanh'
    X, y = nn.data.xor()
    assert nn.accuracy(model, X, y) == 1.0
    _pictures_in(tmp_path / 'pics')


def test_train_many_classes_uses_cross_entropy_and_mini_batches(tmp_path, capsys):
    code = main(['train', '--data', 'blobs', '--samples', '60', '--hidden', '8',
                 '--batch-size', '16', '--epochs', '2', '--optimizer', 'sgd', '--momentum',
                 '0.9', '--no-progress', '--out', str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert 'cross_entropy loss' in out and 'after 8 updates' in out
    assert 'MLP(2, [8, 3]' in out


def test_train_with_no_hidden_layer(tmp_path, capsys):
    code = main(['train', '--data', 'and', '--hidden', 'none', '--epochs', '50',
                 '--no-progress', '--out', str(tmp_path)])
    assert code == 0
    assert 'MLP(2, [1]' in capsys.readouterr().out


@pytest.mark.parametrize('args, message', [
    (['--hidden', '8,x'], "not a list of layer sizes"),
    (['--hidden', '8,0'], "not a list of layer sizes"),
    (['--epochs', '-3'], "must be at least 1"),
    (['--epochs', 'many'], "not a whole number"),
    (['--batch-size', '0'], "must be at least 1"),
    (['--lr', '-0.1'], "positive finite number"),
    (['--lr', 'nan'], "positive finite number"),
    (['--momentum', '1.5'], "below 1"),
    (['--data', 'mnist'], "invalid choice"),
    (['--activation', 'gelu'], "invalid choice"),
    (['--data', 'spiral', '--loss', 'hinge'], "use --loss cross_entropy"),
])
def test_train_refuses_bad_values_with_a_usage_error(args, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(['train', '--no-progress', '--out', str(tmp_path)] + args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_demo_refuses_zero_steps(capsys):
    with pytest.raises(SystemExit):
        main(['demo', '--steps', '0'])
    assert 'at least 1' in capsys.readouterr().err


def test_a_diverging_run_reports_the_epoch_and_fails(tmp_path, capsys):
    code = main(['train', '--data', 'moons', '--loss', 'mse', '--lr', '1e200', '--epochs', '5',
                 '--no-progress', '--out', str(tmp_path)])
    assert code == 1
    assert 'epoch' in capsys.readouterr().out


def test_the_real_demo_runs_as_a_program_and_learns_the_moons(tmp_path):
    done = subprocess.run([sys.executable, '-m', 'nn.cli', 'demo', '--no-progress'],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, 'PYTHONPATH': str(Path(nn.__file__).parents[1])})
    assert done.returncode == 0, done.stderr
    accuracy = float(done.stdout.split('accuracy ')[1].split('%')[0])
    assert accuracy >= 95.0
    _pictures_in(tmp_path / 'scalargrad-demo')
