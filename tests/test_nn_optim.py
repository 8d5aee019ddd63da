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
    with pytest.raises(OverflowError, match="parameter 0 would become inf"):
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


# ---- a step is all or nothing


def _with_grads(values, grads):
    params = [Value(x) for x in values]
    for p, g in zip(params, grads):
        p.grad = g
    return params


def test_a_refused_sgd_momentum_step_changes_no_parameter_velocity_or_step_count():
    params = _with_grads([1.0, 1e308], [1.0, -1e308])
    opt = SGD(params, lr=10.0, momentum=0.5)
    before = opt.state_dict()
    with pytest.raises(OverflowError, match="parameter 1 would become inf.*nothing was changed"):
        opt.step()
    assert [p.data for p in params] == [1.0, 1e308]
    assert opt.state_dict() == before and opt.steps == 0


def test_a_refused_sgd_step_after_others_keeps_the_velocity_of_the_last_good_step():
    params = _with_grads([1.0, 1.0], [0.5, 0.25])
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.step()
    good = opt.state_dict()
    data = [p.data for p in params]
    params[1].grad = math.inf
    with pytest.raises(OverflowError, match="parameter 1"):
        opt.step()
    assert opt.state_dict() == good and [p.data for p in params] == data


def test_a_refused_adam_step_writes_no_moment_and_no_step_count():
    params = _with_grads([1.0, 2.0], [0.5, math.nan])
    opt = Adam(params, lr=0.1)
    with pytest.raises(OverflowError, match="parameter 1 would become nan"):
        opt.step()
    assert opt.m == [0.0, 0.0] and opt.s == [0.0, 0.0] and opt.steps == 0
    assert [p.data for p in params] == [1.0, 2.0]


def test_a_parameter_listed_twice_is_refused():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match="parameter 2 is parameter 0 again"):
        SGD([a, b, a])
    with pytest.raises(ValueError, match="parameter 1 is parameter 0 again"):
        Adam([a, a])


# ---- state as plain data


def _trained(make, steps=2):
    params = [Value(x) for x in START]
    opt = make(params)
    for g in GRADS[:steps]:
        for p, gi in zip(params, g):
            p.grad = gi
        opt.step()
    return params, opt


@pytest.mark.parametrize('make', [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6)],
                         ids=['sgd-momentum', 'adam'])
def test_state_dict_round_trip_continues_the_run_bit_for_bit(make):
    import json
    straight = _run_ours(make)                # three steps without a stop
    params, opt = _trained(make, steps=2)     # two steps, then a copy goes on
    state = json.loads(json.dumps(opt.state_dict()))  # plain data: survives JSON
    copies = [Value(p.data) for p in params]
    again = make(copies)
    again.load_state_dict(state)
    for p, g in zip(copies, GRADS[2]):
        p.grad = g
    again.step()
    assert [p.data for p in copies] == straight
    assert again.steps == 3


def test_sgd_state_dict_is_plain_data_with_settings_steps_and_velocity():
    _, opt = _trained(lambda ps: SGD(ps, lr=0.1, momentum=0.9), steps=1)
    assert opt.state_dict() == {'optimizer': 'SGD', 'lr': 0.1, 'momentum': 0.9, 'steps': 1,
                                'velocity': GRADS[0]}


def test_adam_state_dict_holds_both_moments_and_the_step_count():
    _, opt = _trained(lambda ps: Adam(ps, lr=0.01), steps=1)
    state = opt.state_dict()
    assert state['optimizer'] == 'Adam' and state['steps'] == 1
    assert state['betas'] == [0.9, 0.999] and state['eps'] == 1e-8
    assert state['m'] == [(1 - 0.9) * g for g in GRADS[0]]
    assert state['s'] == [(1 - 0.999) * g * g for g in GRADS[0]]


def test_a_schedule_is_stored_as_none_and_needs_the_function_again():
    schedule = lambda k: 0.1  # noqa: E731
    _, opt = _trained(lambda ps: SGD(ps, lr=schedule), steps=1)
    state = opt.state_dict()
    assert state['lr'] is None
    with pytest.raises(ValueError, match="lr schedule"):
        SGD([Value(0.0) for _ in START], lr=0.5).load_state_dict(state)
    again = SGD([Value(0.0) for _ in START], lr=schedule)
    again.load_state_dict(state)
    assert again.lr is schedule and again.steps == 1


@pytest.mark.parametrize('edit, message', [
    (lambda s: s.update(optimizer='Adam'), "for 'Adam', not SGD"),
    (lambda s: s.pop('velocity'), "lacks velocity"),
    (lambda s: s.update(velocity=[0.0]), "velocity must be a list of 4 numbers"),
    (lambda s: s.update(velocity=[0.0, 'x', 0.0, 0.0]), r"velocity\[1\]"),
    (lambda s: s.update(velocity=[0.0, 10 ** 400, 0.0, 0.0]), r"velocity\[1\].*too large"),
    (lambda s: s.update(steps=-1), "steps must be at least 0"),
    (lambda s: s.update(steps=1.5), "steps needs a whole number"),
    (lambda s: s.update(momentum=1.0), "momentum must be a number in"),
    (lambda s: s.update(lr=-1.0), "lr must be a positive number"),
])
def test_a_bad_state_is_a_value_error_naming_the_field_and_changes_nothing(edit, message):
    _, opt = _trained(lambda ps: SGD(ps, lr=0.1, momentum=0.9), steps=1)
    state = opt.state_dict()
    edit(state)
    fresh = SGD([Value(0.0) for _ in START], lr=0.2, momentum=0.5)
    before = fresh.state_dict()
    with pytest.raises(ValueError, match=message):
        fresh.load_state_dict(state)
    assert fresh.state_dict() == before
