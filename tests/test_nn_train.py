"""fit: update counts per training mode, micrograd's loss curve, early stop, errors, progress."""

import math
import random

import pytest

import nn
from engine import Value
from nn import MLP, Neuron, data, fit
from nn.optim import SGD


@pytest.fixture(scope='module')
def thousand():
    return data.moons(1000, seed=0)


@pytest.mark.parametrize('batch_size, updates', [(1, 50_000), (None, 50), (32, 1_600)])
def test_updates_per_training_mode(thousand, batch_size, updates):
    X, y = thousand
    history = fit(Neuron(2, nonlin=False, seed=0), X, y, epochs=50, batch_size=batch_size,
                  progress=False)
    assert history.updates == updates
    assert len(history.losses) == len(history.accuracies) == updates
    assert len(history.epoch_losses) == len(history.epoch_accuracies) == history.epochs == 50


def test_update_count_is_ceil_of_samples_over_batch_size():
    X, y = data.moons(10, seed=0)
    history = fit(MLP(2, [3, 1], seed=0), X, y, epochs=3, batch_size=4, progress=False)
    assert history.updates == 3 * math.ceil(10 / 4)


def _micrograd_losses(X, y, steps):
    """micrograd 0.1.0 running its own moons-demo loop."""
    engine = pytest.importorskip('micrograd.engine')
    mnn = pytest.importorskip('micrograd.nn')
    random.seed(1337)
    model = mnn.MLP(2, [16, 16, 1])
    out = []
    for k in range(steps):
        scores = list(map(model, [list(map(engine.Value, row)) for row in X]))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        out.append(total.data)
    return out


def test_full_batch_fit_follows_micrograds_loss_curve():
    X, y = data.moons(20, seed=1)
    theirs = _micrograd_losses(X, y, 4)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    history = fit(model, X, y, loss='hinge', l2=1e-4, epochs=4, progress=False,
                  optimizer=SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100))
    assert history.losses[0] == theirs[0]
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(history.losses, theirs))


def test_hidden_layer_learns_xor_and_one_layer_cannot():
    X, y = data.xor()
    deep = fit(MLP(2, [4, 1], activation='tanh', seed=0), X, y, optimizer='adam', lr=0.05,
               epochs=300, progress=False)
    flat = fit(MLP(2, [1], seed=0), X, y, optimizer='adam', lr=0.05, epochs=300,
               progress=False)
    assert deep.accuracy == 1.0
    assert flat.accuracy < 1.0  # no straight line separates XOR


def test_one_neuron_learns_and():
    X, y = data.and_gate()
    history = fit(Neuron(2, nonlin=False, seed=0), X, y, epochs=100, progress=False)
    assert history.accuracy == 1.0


def test_target_loss_stops_early():
    X, y = data.moons(40, seed=0)
    history = fit(MLP(2, [8, 1], seed=0), X, y, epochs=500, target_loss=0.5, progress=False)
    assert history.stopped_early and history.epochs < 500
    assert history.loss <= 0.5
    assert all(loss > 0.5 for loss in history.epoch_losses[:-1])


def test_cross_entropy_on_blobs_learns():
    X, y = data.blobs(60, seed=0)
    history = fit(MLP(2, [8, 3], seed=0), X, y, loss='cross_entropy', optimizer='adam',
                  lr=0.05, epochs=40, batch_size=16, progress=False)
    assert history.accuracy > 0.9


def test_bce_on_zero_one_labels_learns():
    X, y = data.moons(40, seed=0, labels='01')
    history = fit(MLP(2, [8, 1], seed=0), X, y, loss='bce', optimizer='adam', lr=0.05,
                  epochs=60, progress=False)
    assert history.epoch_losses[-1] < history.epoch_losses[0]
    assert history.accuracy > 0.8


def test_a_loss_function_may_be_passed():
    X, y = data.or_gate()
    history = fit(Neuron(2, nonlin=False, seed=0), X, y, epochs=5, progress=False,
                  loss=lambda scores, ys: nn.losses.mse(scores, ys))
    assert history.epoch_losses[-1] < history.epoch_losses[0]
    assert history.accuracy is not None


def test_same_seed_same_history():
    X, y = data.moons(30, seed=0)
    runs = [fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=7, seed=5, progress=False)
            for _ in range(2)]
    assert runs[0].losses == runs[1].losses


def test_l2_is_added_to_the_loss():
    X, y = data.moons(10, seed=0)
    plain = fit(MLP(2, [4, 1], seed=0), X, y, epochs=1, progress=False)
    model = MLP(2, [4, 1], seed=0)
    penalty = sum(p.data ** 2 for p in model.parameters()) * 0.1
    with_l2 = fit(model, X, y, epochs=1, l2=0.1, progress=False)
    assert math.isclose(with_l2.losses[0], plain.losses[0] + penalty, rel_tol=1e-12)


def test_accuracy_helper_agrees_with_the_last_epoch_judgement():
    X, y = data.moons(30, seed=0)
    model = MLP(2, [8, 1], seed=0)
    fit(model, X, y, epochs=20, progress=False)
    after = nn.accuracy(model, X, y)
    assert 0.0 <= after <= 1.0
    assert after == sum((s > 0) == (t > 0) for s, t in zip(model.predict(X), y)) / 30


def test_progress_bar_shows_only_when_asked(capsys):
    X, y = data.and_gate()
    fit(Neuron(2, seed=0), X, y, epochs=2, progress=False)
    assert capsys.readouterr().err == ''
    fit(Neuron(2, seed=0), X, y, epochs=2, progress=True)
    assert 'fit (hinge)' in capsys.readouterr().err


# ---- errors


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        fit(Neuron(2), [[0, 0]] * 4, [1, 1, -1], progress=False)


def test_empty_data_is_refused():
    with pytest.raises(ValueError, match="empty"):
        fit(Neuron(2), [], [], progress=False)


def test_wrong_input_width_names_the_sample():
    with pytest.raises(ValueError, match="X\\[1\\] has 3 inputs but the model takes 2"):
        fit(MLP(2, [1], seed=0), [[0, 0], [0, 0, 0]], [1, -1], progress=False)


def test_labels_must_suit_the_loss():
    with pytest.raises(ValueError, match="hinge needs labels -1 or \\+1"):
        fit(Neuron(2, seed=0), *data.xor(labels='01'), progress=False)
    with pytest.raises(ValueError, match="one output"):
        fit(MLP(2, [3], seed=0), *data.xor(), progress=False)


def test_non_finite_loss_names_the_epoch_and_update():
    model = Neuron(1, nonlin=False, seed=0)
    X, y = [[1.0], [1e200]], [1.0, 1.0]
    with pytest.raises(OverflowError, match="epoch 1, update 2"):
        fit(model, X, y, loss='mse', batch_size=1, progress=False, seed=0)


def test_diverging_parameters_name_the_epoch_and_update():
    X, y = [[1e100]], [1.0]
    with pytest.raises(ArithmeticError, match="epoch \\d+, update \\d+"):
        fit(Neuron(1, nonlin=False, seed=0), X, y, loss='mse', lr=1e100, epochs=5,
            progress=False)


@pytest.mark.parametrize('kwargs, message', [
    ({'loss': 'l1'}, "unknown loss 'l1'"), ({'optimizer': 'rmsprop'}, "unknown optimizer"),
    ({'epochs': -1}, "epochs"), ({'batch_size': 0}, "batch_size"), ({'l2': -1.0}, "l2"),
    ({'optimizer': 'sgd', 'lr': -1.0}, "lr")])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit(Neuron(2, seed=0), *data.and_gate(), progress=False, **kwargs)


def test_lr_with_an_optimizer_object_is_refused():
    model = Neuron(2, seed=0)
    with pytest.raises(ValueError, match="lr goes to the optimizer"):
        fit(model, *data.and_gate(), optimizer=SGD(model.parameters()), lr=0.1,
            progress=False)


def test_zero_epochs_do_nothing():
    model = Neuron(2, seed=0)
    before = model.state_dict()
    history = fit(model, *data.and_gate(), epochs=0, progress=False)
    assert history.updates == 0 and history.loss is None and model.state_dict() == before


def test_value_inputs_are_accepted():
    X = [[Value(0.0), Value(1.0)], [Value(1.0), Value(0.0)]]
    assert fit(Neuron(2, seed=0), X, [1, -1], epochs=2, progress=False).updates == 2


def test_fit_gives_the_garbage_collector_back_as_it_found_it():
    import gc

    X, y = data.xor()
    assert gc.isenabled()
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=2, progress=False)
    assert gc.isenabled()
    gc.disable()
    try:
        fit(MLP(2, [3, 1], seed=0), X, y, epochs=2, progress=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_fit_turns_the_garbage_collector_back_on_after_an_error():
    import gc

    def broken(scores, targets):
        raise OverflowError('boom')

    with pytest.raises(OverflowError, match='epoch 1, update 1'):
        fit(MLP(2, [3, 1], seed=0), *data.xor(), loss=broken, epochs=1, progress=False)
    assert gc.isenabled()


def test_fit_stops_with_a_clear_error_when_the_lr_schedule_turns_negative():
    X, y = data.xor()
    model = MLP(2, [4, 1], seed=0)
    opt = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)  # meant for 100 steps
    with pytest.raises(ValueError, match="lr schedule gave -0.008.* at step 112"):
        fit(model, X, y, optimizer=opt, epochs=300, progress=False)


def test_numpy_onehot_rows_train_with_mse_and_are_judged_by_argmax():
    np = pytest.importorskip('numpy')
    X, y = data.blobs(30, seed=0)
    onehot = list(np.eye(3)[np.array(y)])
    history = fit(MLP(2, [8, 3], seed=0), X, onehot, loss='mse', epochs=30, progress=False)
    same = fit(MLP(2, [8, 3], seed=0), X, [[float(v) for v in row] for row in onehot],
               loss='mse', epochs=30, progress=False)
    assert history.epoch_losses == same.epoch_losses
    assert history.accuracy == same.accuracy and history.accuracy is not None


def test_numpy_integer_labels_and_settings_are_whole_numbers():
    np = pytest.importorskip('numpy')
    X, y = data.blobs(30, seed=0)
    history = fit(MLP(2, [8, 3], seed=0), X, np.array(y), loss='cross_entropy',
                  epochs=np.int64(5), batch_size=np.int64(8), progress=False)
    same = fit(MLP(2, [8, 3], seed=0), X, y, loss='cross_entropy', epochs=5, batch_size=8,
               progress=False)
    assert history.losses == same.losses and history.updates == 20


@pytest.mark.parametrize('y', [[[0.5, 0.5], [1.0, 0.0]], [[0.3, 2.0], [1.0, 0.0]]])
def test_rows_that_are_not_one_hot_have_no_accuracy(y):
    history = fit(MLP(2, [2], seed=0), [[0.0, 1.0], [1.0, 0.0]], y, loss='mse', epochs=1,
                  progress=False)
    assert history.accuracy is None and history.loss > 0
