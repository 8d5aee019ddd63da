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
    assert len(history.running_losses) == len(history.running_accuracies) == 50
    assert len(history.train_losses) == len(history.train_accuracies) == history.epochs == 50


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
    assert all(loss > 0.5 for loss in history.train_losses[:-1])


def test_cross_entropy_on_blobs_learns():
    X, y = data.blobs(60, seed=0)
    history = fit(MLP(2, [8, 3], seed=0), X, y, loss='cross_entropy', optimizer='adam',
                  lr=0.05, epochs=40, batch_size=16, progress=False)
    assert history.accuracy > 0.9


def test_bce_on_zero_one_labels_learns():
    X, y = data.moons(40, seed=0, labels='01')
    history = fit(MLP(2, [8, 1], seed=0), X, y, loss='bce', optimizer='adam', lr=0.05,
                  epochs=60, progress=False)
    assert history.train_losses[-1] < history.train_losses[0]
    assert history.accuracy > 0.8


def test_a_loss_function_may_be_passed():
    X, y = data.or_gate()
    history = fit(Neuron(2, nonlin=False, seed=0), X, y, epochs=5, progress=False,
                  loss=lambda scores, ys: nn.losses.mse(scores, ys))
    assert history.train_losses[-1] < history.train_losses[0]
    assert history.accuracy == 1.0  # OR is linear: every point right after 5 epochs


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
    assert after == 25 / 30
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
    with pytest.raises(OverflowError, match="epoch 1, update [12]"):
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
    assert history.train_losses == same.train_losses
    assert history.accuracy == same.accuracy == 1.0  # three blobs, all 30 points right


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


# ---- honest curves: the running mean and the training set after each epoch


def test_running_loss_is_the_mean_of_the_epochs_update_losses_weighted_by_batch():
    X, y = data.moons(10, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=2, batch_size=4, progress=False)
    sizes = [4, 4, 2]
    for e in range(2):
        batch_losses = h.losses[3 * e:3 * e + 3]
        total = 0.0  # added one by one, as fit does (sum() is compensated on Python 3.12+)
        for loss, n in zip(batch_losses, sizes):
            total += loss * n
        assert h.running_losses[e] == total / 10


def test_full_batch_training_loss_after_an_epoch_is_the_loss_the_next_update_sees():
    X, y = data.moons(20, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, l2=1e-3, epochs=5, progress=False)
    assert h.train_losses[:-1] == h.losses[1:]
    assert all(math.isclose(r, u, rel_tol=1e-15) for r, u in zip(h.running_losses, h.losses))


def test_training_accuracy_after_the_last_epoch_is_what_nn_accuracy_says():
    X, y = data.moons(30, seed=0)
    model = MLP(2, [8, 1], seed=0)
    h = fit(model, X, y, epochs=5, batch_size=1, progress=False)
    assert h.accuracy == h.train_accuracies[-1] == nn.accuracy(model, X, y)


def test_measure_false_records_no_training_set_loss_but_keeps_the_running_mean():
    X, y = data.moons(20, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=5, progress=False,
            measure=False)
    assert h.train_losses == [None] * 3 and h.loss is None and len(h.running_losses) == 3
    assert 'running_loss=' in repr(h)


def test_measuring_is_on_by_default_only_up_to_the_size_limit(monkeypatch):
    X, y = data.moons(20, seed=0)
    monkeypatch.setattr(nn.train, 'MEASURE_LIMIT', 19)
    assert fit(MLP(2, [4, 1], seed=0), X, y, epochs=1, progress=False).loss is None
    monkeypatch.setattr(nn.train, 'MEASURE_LIMIT', 20)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=1, progress=False)
    assert h.loss == h.train_losses[-1] == pytest.approx(0.9590731284477836, rel=1e-9)


def test_epoch_ends_are_the_update_counts_at_the_end_of_each_epoch():
    X, y = data.moons(10, seed=0)
    h = fit(MLP(2, [3, 1], seed=0), X, y, epochs=3, batch_size=4, progress=False)
    assert h.epoch_ends == [3, 6, 9]


# ---- optimizers that do not fit the model


def test_an_optimizer_over_another_models_parameters_is_refused():
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="parameter 0 .13 in all. is not a parameter of this "
                                         "model: was the optimizer built over another model"):
        fit(model, *data.xor(), optimizer=SGD(other.parameters()), progress=False)
    assert model.state_dict() == before


def test_an_optimizer_over_part_of_the_model_trains_only_that_part():
    model = MLP(2, [3, 1], seed=0)
    first = [p.data for p in model.layers[0].parameters()]
    fit(model, *data.xor(), optimizer=SGD(model.layers[1].parameters()), epochs=3,
        progress=False)
    assert [p.data for p in model.layers[0].parameters()] == first


def test_a_model_that_lists_a_shared_weight_twice_is_updated_once_per_step():
    class Tied(nn.Module):
        def __init__(self):
            self.w = Value(0.5)

        def parameters(self):
            return [self.w, self.w]

        def __call__(self, x):
            return self.w * x[0]

    model = Tied()
    h = fit(model, [[1.0]], [1.0], loss='mse', lr=0.1, epochs=1, progress=False)
    assert h.updates == 1 and model.w.data == 0.5 - 0.1 * 2 * (0.5 - 1.0)


# ---- going on: a History given back


def _run(optimizer, batch_size, epochs, history=None, model=None):
    X, y = data.moons(12, seed=0)
    model = model or MLP(2, [4, 1], seed=0)
    if isinstance(optimizer, str):
        optimizer = (SGD(model.parameters(), lr=0.1, momentum=0.9) if optimizer == 'sgd'
                     else nn.optim.Adam(model.parameters(), lr=0.05))
    h = fit(model, X, y, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
            history=history, progress=False, seed=3)
    return model, optimizer, h


@pytest.mark.parametrize('batch_size', [None, 1, 5], ids=['full', 'stochastic', 'mini'])
@pytest.mark.parametrize('kind', ['sgd', 'adam'])
def test_ten_epochs_then_ten_more_equal_twenty_bit_for_bit(kind, batch_size):
    straight, _, whole = _run(kind, batch_size, 20)
    model, opt, h = _run(kind, batch_size, 10)
    again = fit(model, *data.moons(12, seed=0), optimizer=opt, epochs=20,
                batch_size=batch_size, history=h, progress=False, seed=99)  # its own seed
    assert again is h
    assert model.state_dict() == straight.state_dict()
    assert h.to_dict() == whole.to_dict()


class _InterruptedOnce(SGD):
    """SGD that raises KeyboardInterrupt (as Ctrl-C would) before its step number `at`."""

    def __init__(self, params, at):
        super().__init__(params, lr=0.1, momentum=0.9)
        self.at = at

    def step(self):
        if self.steps == self.at:
            self.at = None
            raise KeyboardInterrupt
        super().step()


def test_an_interrupted_fit_goes_on_and_ends_as_a_run_that_never_stopped():
    import gc

    X, y = data.moons(12, seed=0)
    straight = MLP(2, [4, 1], seed=0)
    whole = fit(straight, X, y, optimizer=_InterruptedOnce(straight.parameters(), None),
                epochs=4, batch_size=5, progress=False)
    model = MLP(2, [4, 1], seed=0)
    opt = _InterruptedOnce(model.parameters(), at=7)  # inside epoch 3 (3 updates an epoch)
    h = nn.History()
    with pytest.raises(KeyboardInterrupt):
        fit(model, X, y, optimizer=opt, epochs=4, batch_size=5, history=h, progress=False)
    assert gc.isenabled()
    assert (h.updates, h.epochs, h.unfinished['done']) == (7, 2, 1)
    assert 'interrupted after update 7' in repr(h)
    fit(model, X, y, optimizer=opt, epochs=4, batch_size=5, history=h, progress=False)
    assert model.state_dict() == straight.state_dict()
    assert h.to_dict() == {**whole.to_dict(), 'seed': h.seed} and h.unfinished is None


def test_fit_turns_the_garbage_collector_back_on_after_an_interrupt():
    import gc

    def interrupted(scores, targets):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(MLP(2, [3, 1], seed=0), *data.xor(), loss=interrupted, progress=False)
    assert gc.isenabled()


def test_going_on_inside_an_epoch_needs_the_same_batches():
    X, y = data.moons(12, seed=0)
    model = MLP(2, [4, 1], seed=0)
    opt = _InterruptedOnce(model.parameters(), at=1)
    h = nn.History()
    with pytest.raises(KeyboardInterrupt):
        fit(model, X, y, optimizer=opt, epochs=2, batch_size=5, history=h, progress=False)
    with pytest.raises(ValueError, match="stopped inside epoch 1 .12 samples, batch_size=5"):
        fit(model, X, y, optimizer=opt, epochs=2, batch_size=4, history=h, progress=False)


def test_going_on_with_a_new_optimizer_by_name_is_refused():
    model, _, h = _run('adam', None, 2)
    with pytest.raises(ValueError, match="needs the run's optimizer object"):
        fit(model, *data.moons(12, seed=0), optimizer='adam', epochs=4, history=h,
            progress=False)


def test_history_round_trips_through_plain_data():
    import json

    _, _, h = _run('sgd', 5, 2)
    again = nn.History.from_dict(json.loads(json.dumps(h.to_dict())))
    assert again == h


@pytest.mark.parametrize('edit, message', [
    (lambda d: d.pop('losses'), "lacks losses"),
    (lambda d: d.update(losses=d['losses'][:-1]), r"history.losses must be a list of 6"),
    (lambda d: d.update(updates=10 ** 400), r"history.losses must be a list of 1000\d{16} "),
    (lambda d: d['running_losses'].__setitem__(0, 10 ** 400), r"running_losses\[0\].*too large"),
    (lambda d: d.update(seed='x'), "history.seed must be a whole number"),
    (lambda d: d.update(unfinished=[]), "history.unfinished must be null or a dict"),
    (lambda d: d.update(unfinished={'samples': 12, 'batch_size': 5, 'done': 4, 'loss_sum': 1.0,
                                    'seen': 12, 'right': 0, 'judged': 0}),
     "history.unfinished does not describe part of an epoch"),
    (lambda d: d.update(unfinished={'samples': 12, 'batch_size': 5, 'done': 1, 'loss_sum': 1.0,
                                    'seen': 0, 'right': 0, 'judged': 0}),
     "history.unfinished does not describe part of an epoch"),
])
def test_a_bad_history_is_a_value_error_naming_the_field(edit, message):
    _, _, h = _run('sgd', 5, 2)
    data_ = h.to_dict()
    edit(data_)
    with pytest.raises(ValueError, match=message):
        nn.History.from_dict(data_)


# ---- accuracy follows the labels or says why it cannot


def _zero_one_model():
    X, y = data.moons(40, seed=0, labels='01')
    model = MLP(2, [8, 1], seed=0)
    fit(model, X, y, loss='mse', optimizer='adam', lr=0.05, epochs=60, progress=False)
    return model, X, y


def test_accuracy_refuses_to_guess_the_rule_for_zero_one_labels_of_a_linear_output():
    model, X, y = _zero_one_model()
    with pytest.raises(ValueError, match="0/1 labels: say how the scores are read: "
                                         "loss='bce'.*loss='mse'"):
        nn.accuracy(model, X, y)


def test_accuracy_with_loss_mse_judges_zero_one_outputs_at_one_half():
    model, X, y = _zero_one_model()
    right = sum((s > 0.5) == (t == 1) for s, t in zip(model.predict(X), y)) / len(y)
    assert nn.accuracy(model, X, y, loss='mse') == right and right > 0.8


def test_accuracy_with_labels_that_do_not_suit_the_loss_is_refused():
    model, X, y = _zero_one_model()
    with pytest.raises(ValueError, match="hinge needs labels -1 or \\+1"):
        nn.accuracy(model, X, y, loss='hinge')


def test_accuracy_of_a_sigmoid_output_on_zero_one_labels_decides_at_one_half():
    X, y = data.and_gate(labels='01')
    model = MLP(2, [1], output_activation='sigmoid', seed=0)
    right = sum((s > 0.5) == (t == 1) for s, t in zip(model.predict(X), y)) / 4
    assert nn.accuracy(model, X, y) == right


def test_accuracy_of_class_indices_is_judged_by_the_largest_output():
    X, y = data.blobs(30, seed=0)
    model = MLP(2, [4, 3], seed=0)
    scores = model.predict(X)
    right = sum(max(range(3), key=s.__getitem__) == t for s, t in zip(scores, y)) / 30
    assert nn.accuracy(model, X, y) == right == nn.accuracy(model, X, y, 'cross_entropy')


class _CtrlCAfterStep(SGD):
    """SGD that gets a real Ctrl-C (SIGINT) just after writing step number `at`."""

    def __init__(self, params, at):
        super().__init__(params, lr=0.1, momentum=0.9)
        self.at = at

    def step(self):
        import os
        import signal

        super().step()
        if self.steps == self.at:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_right_after_a_step_still_finds_the_step_recorded_in_the_history():
    import signal

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's default handler here")
    X, y = data.moons(12, seed=0)
    straight = MLP(2, [4, 1], seed=0)
    whole = fit(straight, X, y, optimizer=_CtrlCAfterStep(straight.parameters(), None),
                epochs=3, batch_size=5, progress=False)
    model = MLP(2, [4, 1], seed=0)
    opt = _CtrlCAfterStep(model.parameters(), at=4)
    h = nn.History()
    with pytest.raises(KeyboardInterrupt):
        fit(model, X, y, optimizer=opt, epochs=3, batch_size=5, history=h, progress=False)
    assert h.updates == opt.steps == 4 and len(h.losses) == 4
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    fit(model, X, y, optimizer=opt, epochs=3, batch_size=5, history=h, progress=False)
    assert model.state_dict() == straight.state_dict() and h.losses == whole.losses


def test_accuracy_with_a_loss_function_judges_as_fit_does():
    X, y = data.moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    h = fit(model, X, y, loss=lambda s, t: nn.losses.hinge(s, t), epochs=2, progress=False)
    assert nn.accuracy(model, X, y, loss=lambda s, t: 0) == h.accuracy


def test_an_optimizer_object_of_its_own_that_lists_a_parameter_twice_is_refused():
    model = MLP(2, [3, 1], seed=0)

    class Mine:
        params = model.parameters() + model.parameters()[:1]

        def step(self):
            raise AssertionError("never reached")

        def zero_grad(self):
            pass

    with pytest.raises(ValueError, match="lists a parameter twice"):
        fit(model, *data.xor(), optimizer=Mine(), progress=False)
