"""fit(validation=(X, y)): held-out data measured after every epoch, like the training set."""

import json

import pytest

import nn
from nn import MLP, data, fit
from nn.optim import SGD


@pytest.fixture(scope='module')
def split():
    return data.moons(30, noise=0.2, seed=0), data.moons(40, noise=0.2, seed=1)


def test_validation_gives_one_held_out_loss_and_accuracy_per_epoch(split):
    (X, y), held_out = split
    h = fit(MLP(2, [8, 1], seed=0), X, y, epochs=7, validation=held_out, progress=False)
    assert len(h.validation_losses) == len(h.validation_accuracies) == h.epochs == 7
    assert None not in h.validation_losses + h.validation_accuracies


def test_the_last_held_out_accuracy_is_that_of_the_trained_model(split):
    (X, y), (Xv, yv) = split
    model = MLP(2, [8, 1], seed=0)
    h = fit(model, X, y, epochs=5, batch_size=7, validation=(Xv, yv), progress=False)
    assert h.validation_accuracies[-1] == nn.accuracy(model, Xv, yv)


def test_the_held_out_loss_is_measured_as_the_training_loss_is(split):
    (X, y), _ = split
    h = fit(MLP(2, [8, 1], seed=0), X, y, l2=1e-3, epochs=6, validation=(X, y),
            progress=False)
    assert h.validation_losses == h.train_losses  # the same data: the same numbers, l2 too
    assert h.validation_accuracies == h.train_accuracies


def test_validation_changes_nothing_of_the_training_itself(split):
    (X, y), held_out = split
    plain_model, watched_model = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=0)
    plain = fit(plain_model, X, y, epochs=60, progress=False, replay=True)
    watched = fit(watched_model, X, y, epochs=60, validation=held_out, progress=False,
                  replay=True)
    assert watched.path == plain.path == 'replay'
    assert watched_model.state_dict() == plain_model.state_dict()
    assert watched.losses == plain.losses and watched.train_losses == plain.train_losses


def test_validation_is_measured_even_when_the_training_set_is_not(split):
    (X, y), held_out = split
    h = fit(MLP(2, [8, 1], seed=0), X, y, epochs=3, measure=False, validation=held_out,
            progress=False)
    assert h.train_losses == [None] * 3 and None not in h.validation_losses


def test_without_validation_the_held_out_curves_hold_none(split):
    (X, y), _ = split
    h = fit(MLP(2, [8, 1], seed=0), X, y, epochs=3, progress=False)
    assert h.validation_losses == h.validation_accuracies == [None] * 3


def test_a_run_resumed_in_chunks_with_validation_equals_one_long_run(split):
    (X, y), held_out = split
    model = MLP(2, [8, 1], seed=0)
    whole = fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=9,
                validation=held_out, progress=False)
    chunked, h = MLP(2, [8, 1], seed=0), nn.History()
    opt = SGD(chunked.parameters(), lr=0.1)
    for end in (3, 6, 9):
        fit(chunked, X, y, optimizer=opt, epochs=end, history=h, validation=held_out,
            progress=False)
    assert h.to_dict() == whole.to_dict()
    assert chunked.state_dict() == model.state_dict()


def test_the_held_out_curves_round_trip_through_plain_data(split):
    (X, y), held_out = split
    h = fit(MLP(2, [8, 1], seed=0), X, y, epochs=3, validation=held_out, progress=False)
    assert nn.History.from_dict(json.loads(json.dumps(h.to_dict()))) == h


def test_a_history_saved_before_validation_existed_still_loads(split):
    (X, y), _ = split
    h = fit(MLP(2, [8, 1], seed=0), X, y, epochs=3, progress=False)
    older = h.to_dict()
    del older['validation_losses'], older['validation_accuracies']
    assert nn.History.from_dict(older) == h


def test_a_bad_held_out_curve_in_a_file_is_named(split):
    (X, y), _ = split
    saved = fit(MLP(2, [8, 1], seed=0), X, y, epochs=3, progress=False).to_dict()
    saved['validation_losses'] = [None, 'x', None]
    with pytest.raises(ValueError, match=r"history.validation_losses\[1\] must be a number"):
        nn.History.from_dict(saved)


@pytest.mark.parametrize('validation, message', [
    ([[0.0, 1.0]], "validation must be a pair .X, y. of held-out data, got 1 items"),
    ('held out', "validation must be a pair .X, y. of held-out data, got str"),
    (([[0.0, 1.0]], [1, -1]), "validation data: X has 1 samples but y has 2"),
    (([[0.0, 1.0, 2.0]], [1]), "validation data: X.0. has 3 inputs but the model takes 2"),
    (([[0.0, 1.0]], [0]), "validation data: .*hinge"),
])
def test_bad_validation_data_is_refused_before_any_training(split, validation, message):
    (X, y), _ = split
    model = MLP(2, [8, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        fit(model, X, y, epochs=3, validation=validation, progress=False)
    assert model.state_dict() == before
