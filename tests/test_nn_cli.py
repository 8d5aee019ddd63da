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


def test_a_diverging_run_reports_the_epoch_in_one_line_on_stderr_and_fails(tmp_path, capsys):
    code = main(['train', '--data', 'moons', '--loss', 'mse', '--lr', '1e200', '--epochs', '5',
                 '--no-progress', '--out', str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith('scalargrad train: error: training broke down at epoch ')
    assert err.count('\n') == 1 and 'Traceback' not in err


@pytest.mark.parametrize('args, message', [
    (['--data', 'moons', '--samples', '1'], "--data moons needs at least 2"),
    (['--data', 'circles', '--samples', '1'], "--data circles needs at least 2"),
    (['--data', 'spiral', '--samples', '1'], "--data spiral needs at least 3"),
    (['--data', 'blobs', '--samples', '2'], "--data blobs needs at least 3"),
    (['--optimizer', 'adam', '--momentum', '0.9'], "--momentum is for --optimizer sgd"),
    (['--noise', 'inf'], "finite number"),
])
def test_train_refuses_settings_the_data_or_optimizer_cannot_take(args, message, capsys,
                                                                  tmp_path):
    with pytest.raises(SystemExit) as info:
        main(['train', '--no-progress', '--out', str(tmp_path)] + args)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert message in err and 'Traceback' not in err
    assert 'training' not in out


@pytest.mark.parametrize('args, message', [
    (lambda t: ['--save', str(t / 'no' / 'm.json')], "does not exist"),
    (lambda t: ['--save', str(t / 'a_folder.json')], "that is a folder"),
    (lambda t: ['--save', str(t / 'model.txt')], "ending in .json"),
    (lambda t: ['--out', str(t / 'a_file')], "that is a file"),
    (lambda t: ['--out', str(t / 'a_file' / 'pics')], "is a file"),
    (lambda t: ['--out', ''], "--out needs a folder name"),
])
def test_train_refuses_an_unwritable_save_or_out_before_training(args, message, capsys,
                                                                 tmp_path):
    (tmp_path / 'a_file').write_text('taken')
    (tmp_path / 'a_folder.json').mkdir()
    with pytest.raises(SystemExit) as info:
        main(['train', '--data', 'xor', '--epochs', '1', '--no-progress',
              '--out', str(tmp_path / 'pics')] + args(tmp_path))
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert message in err and 'Traceback' not in err
    assert 'training' not in out and not (tmp_path / 'pics').exists()


def test_demo_refuses_an_out_that_is_a_file_before_training(capsys, tmp_path):
    (tmp_path / 'a_file').write_text('taken')
    with pytest.raises(SystemExit) as info:
        main(['demo', '--steps', '1', '--no-progress', '--out', str(tmp_path / 'a_file')])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert 'scalargrad demo: error: --out' in err and 'that is a file' in err
    assert 'training' not in out


def test_a_model_that_cannot_be_saved_after_training_is_a_one_line_error(capsys, tmp_path,
                                                                         monkeypatch):
    def full_disk(model, path):
        raise OSError(28, f"cannot write {path!r}: No space left on device")

    monkeypatch.setattr(nn.serialize, 'save', full_disk)
    code = main(['train', '--data', 'xor', '--epochs', '1', '--no-progress',
                 '--save', str(tmp_path / 'm.json'), '--out', str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith('scalargrad train: error: could not save the model: ')
    assert 'No space left' in err and err.count('\n') == 1


def test_train_passes_momentum_to_sgd_only_when_given(tmp_path, monkeypatch):
    seen = []
    real_fit = nn.train.fit

    def spy(model, X, y, **kwargs):
        seen.append(kwargs['optimizer'])
        return real_fit(model, X, y, **kwargs)

    monkeypatch.setattr(nn.train, 'fit', spy)
    base = ['train', '--data', 'xor', '--epochs', '1', '--no-progress', '--out', str(tmp_path)]
    assert main(base + ['--momentum', '0.9', '--lr', '0.2']) == 0
    assert main(base) == 0
    assert (seen[0].momentum, seen[0].lr) == (0.9, 0.2)
    assert seen[1] == 'sgd'


def test_spiral_trains_a_three_output_model_from_three_points(tmp_path, capsys):
    assert main(['train', '--data', 'spiral', '--samples', '3', '--epochs', '1',
                 '--no-progress', '--out', str(tmp_path)]) == 0
    assert 'MLP(2, [16, 16, 3]' in capsys.readouterr().out


def test_the_real_demo_runs_as_a_program_and_learns_the_moons(tmp_path):
    done = subprocess.run([sys.executable, '-m', 'nn.cli', 'demo', '--no-progress'],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, 'PYTHONPATH': str(Path(nn.__file__).parents[1])})
    assert done.returncode == 0, done.stderr
    accuracy = float(done.stdout.split('accuracy ')[1].split('%')[0])
    assert accuracy >= 95.0
    _pictures_in(tmp_path / 'scalargrad-demo')


@pytest.mark.parametrize('command', [['demo', '--steps', '1'], ['train', '--epochs', '1']])
def test_the_final_loss_prints_in_the_pictures_short_form(command, tmp_path, monkeypatch,
                                                          capsys):
    """A tiny loss reads 3.215e-07, not 0.0000 (the old :.4f hid every digit)."""
    real_fit = nn.train.fit

    def tiny(*args, **kwargs):
        history = real_fit(*args, **kwargs)
        history.train_losses[-1] = 3.2154e-07
        return history

    monkeypatch.setattr(nn.train, 'fit', tiny)
    assert main([*command, '--no-progress', '--out', str(tmp_path)]) == 0
    assert 'loss 3.215e-07' in capsys.readouterr().out
