"""Optimizers: the same updates as torch.optim, schedules, zero_grad, bad settings."""

import math

import pytest
from conftest import require

from engine import Value
from nn.optim import SGD, Adam

START = [0.5, -1.25, 2.0, 0.0]
GRADS = [[0.3, -0.7, 1.1, -0.2], [-0.4, 0.2, 0.9, 0.05], [0.1, 0.1, -2.0, 0.3]]


def _run_ours(make, grads=GRADS):
    params = [Value(x) for x in START]
    opt = make(params)
    for g in grads:
        opt.zero_grad()
        for p, gi in zip(params, g):
            p.grad = gi
        opt.step()
    return [p.data for p in params]


def _run_torch(torch, make, grads=GRADS):
    t = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = make([t])
    for g in grads:
        opt.zero_grad()
        t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return t.detach().tolist()


def _close(a, b):
    return all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15) for x, y in zip(a, b))


def test_sgd_step_is_p_minus_lr_times_grad():
    p = Value(1.0)
    p.grad = 0.5
    SGD([p], lr=0.1).step()
    assert p.data == 1.0 - 0.1 * 0.5


def test_sgd_with_momentum_matches_torch():
    torch = require('torch')
    ours = _run_ours(lambda ps: SGD(ps, lr=0.1, momentum=0.9))
    ref = _run_torch(torch, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))
    assert _close(ours, ref)


def test_adam_matches_torch():
    torch = require('torch')
    ours = _run_ours(lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6))
    ref = _run_torch(torch, lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99),
                                                        eps=1e-6))
    assert _close(ours, ref)


def test_adam_one_step_matches_torch_with_defaults():
    torch = require('torch')
    ours = _run_ours(lambda ps: Adam(ps), GRADS[:1])
    ref = _run_torch(torch, lambda ps: torch.optim.Adam(ps), GRADS[:1])
    assert _close(ours, ref)


def test_learning_rate_schedule_gets_the_update_count():
    seen = []
    p = Value(0.0)
    opt = SGD([p], lr=lambda k: seen.append(k) or 1.0 - 0.9 * k / 100)
    for _ in range(3):
        p.grad = 1.0
        opt.step()
    assert seen == [0, 1, 2]
    assert p.data == -1.0 - 0.991 - 0.982


def test_zero_grad_zeroes_the_parameters():
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 3.0
    Adam(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_a_step_that_makes_a_parameter_infinite_is_refused():
    p = Value(1e308)
    p.grad = -1e308
    with pytest.raises(OverflowError, match="parameter 0 became inf"):
        SGD([p], lr=10.0).step()
    assert p.data == 1e308


@pytest.mark.parametrize('kwargs', [{'lr': -0.1}, {'lr': 0}, {'lr': 'fast'},
                                    {'momentum': 1.0}, {'momentum': -0.5}])
def test_bad_sgd_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        SGD([Value(1.0)], **kwargs)


def test_bad_adam_settings_and_empty_parameters_are_refused():
    with pytest.raises(ValueError, match="betas"):
        Adam([Value(1.0)], betas=(0.9,))
    with pytest.raises(ValueError, match="no parameters"):
        SGD([])
    with pytest.raises(TypeError, match="Values"):
        SGD([1.0])


@pytest.mark.parametrize('rate', [0.0, -0.5, math.nan, math.inf, 'fast'])
def test_a_schedule_value_that_is_not_a_positive_number_is_refused(rate):
    p = Value(1.0)
    p.grad = 1.0
    with pytest.raises(ValueError, match="the lr schedule gave .* at step 0"):
        SGD([p], lr=lambda k: rate).step()
    assert p.data == 1.0


def test_micrograds_schedule_run_past_its_100_steps_stops_where_it_turns_negative():
    p = Value(1.0)
    opt = SGD([p], lr=lambda k: 1.0 - 0.9 * k / 100)
    for _ in range(112):  # k = 0 .. 111: the rate falls to 0.001, still positive
        p.grad = 0.0
        opt.step()
    with pytest.raises(ValueError, match=r"gave -0\.00800000000000000. at step 112"):
        opt.step()
