"""Perceptron: the step neuron learns AND and OR by its own rule, and cannot learn XOR."""

import math

import pytest

from nn import Perceptron

X = [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_learns_and():
    p = Perceptron(2, seed=0)
    assert p.fit(X, [0, 0, 0, 1]) is True
    assert [p.predict(x) for x in X] == [0.0, 0.0, 0.0, 1.0]


def test_learns_or():
    p = Perceptron(2, seed=1)
    assert p.fit(X, [0, 1, 1, 1]) is True
    assert [p.predict(x) for x in X] == [0.0, 1.0, 1.0, 1.0]


def test_cannot_learn_xor_and_stops_at_the_epoch_limit():
    p = Perceptron(2, seed=0)
    assert p.fit(X, [0, 1, 1, 0], epochs=100) is False
    assert p.epochs_run == 100


def test_accepts_minus_one_plus_one_targets():
    p = Perceptron(2, seed=3)
    assert p.fit(X, [-1, -1, -1, 1]) is True
    assert [p.predict(x) for x in X] == [0.0, 0.0, 0.0, 1.0]


def test_uses_the_step_activation():
    p = Perceptron(2, seed=0)
    assert p.activation == 'step'
    assert p(X[3])._op == 'step'


def test_step_passes_no_gradient_to_weights_or_bias():
    p = Perceptron(2, seed=0)
    p(X[3]).backward()
    assert [w.grad for w in p.w] + [p.b.grad] == [0.0, 0.0, 0.0]


def test_bad_targets_and_lengths_are_refused():
    with pytest.raises(ValueError, match="0/1 or -1/\\+1"):
        Perceptron(2, seed=0).fit(X, [0, 1, 2, 0])
    with pytest.raises(ValueError, match="4 samples but y has 3"):
        Perceptron(2, seed=0).fit(X, [0, 1, 1])


@pytest.mark.parametrize('lr', [10 ** 400, math.inf, math.nan, True, '0.1'],
                         ids=['10**400', 'inf', 'nan', 'True', 'text'])
def test_a_learning_rate_that_is_not_a_positive_finite_float_is_refused(lr):
    with pytest.raises(ValueError, match="lr must be a positive finite number"):
        Perceptron(2, seed=0).fit(X, [0, 0, 0, 1], lr=lr)
