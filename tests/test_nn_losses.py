"""Losses: values and derivatives against PyTorch float64, stability, label conventions."""

import math
import random

import pytest
from conftest import require

from engine import Value
from nn import losses


def _scores(values):
    return [Value(v) for v in values]


def _torch_check(torch, our_loss, torch_loss, scores, targets):
    """Same loss and same d loss / d score as torch, in float64."""
    ours = _scores(scores)
    out = our_loss(ours, targets)
    out.backward()
    t = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    ref = torch_loss(t)
    ref.backward()
    assert math.isclose(out.data, ref.item(), rel_tol=1e-12, abs_tol=1e-15)
    for v, g in zip(ours, t.grad.tolist()):
        assert math.isclose(v.grad, g, rel_tol=1e-12, abs_tol=1e-15)


SCORES = [1.7, -0.3, 0.9, -2.2, 0.05, 3.1]


def test_mse_matches_torch():
    torch = require('torch')
    targets = [1.0, -1.0, 0.5, 0.0, 2.0, -3.0]
    _torch_check(torch, losses.mse,
                 lambda s: torch.nn.functional.mse_loss(s, torch.tensor(targets,
                                                                        dtype=torch.float64)),
                 SCORES, targets)


def test_mse_with_several_outputs_averages_every_output():
    out = losses.mse([[Value(1.0), Value(2.0)], [Value(0.0), Value(0.0)]], [[0, 0], [1, 1]])
    assert out.data == (1 + 4 + 1 + 1) / 4


def test_hinge_matches_torch():
    torch = require('torch')
    labels = [1, -1, -1, 1, 1, -1]
    y = torch.tensor(labels, dtype=torch.float64)
    _torch_check(torch, losses.hinge, lambda s: torch.clamp(1 - y * s, min=0).mean(),
                 SCORES, labels)


def test_hinge_builds_micrograds_graph_numbers():
    scores, labels = _scores(SCORES), [1, -1, -1, 1, 1, -1]
    expected = sum((1 + -yi * si).relu() for yi, si in zip(labels, scores)) * (1.0 / 6)
    assert losses.hinge(scores, labels).data == expected.data


def test_hinge_refuses_zero_one_labels():
    with pytest.raises(ValueError, match="hinge needs labels -1 or \\+1, got \\[0\\]"):
        losses.hinge(_scores([0.1, 0.2]), [0, 1])


@pytest.mark.parametrize('big', [False, True])
def test_binary_cross_entropy_matches_torch(big):
    torch = require('torch')
    scores = [s * 300 for s in SCORES] if big else SCORES
    labels = [1, 0, 0, 1, 1, 0]
    y = torch.tensor(labels, dtype=torch.float64)
    _torch_check(torch, losses.binary_cross_entropy,
                 lambda s: torch.nn.functional.binary_cross_entropy_with_logits(s, y),
                 scores, labels)


def test_binary_cross_entropy_never_overflows():
    out = losses.binary_cross_entropy(_scores([1000.0, -1000.0]), [0, 1])
    assert out.data == 1000.0  # each sample costs |s| when wrong by far


def test_binary_cross_entropy_of_zero_logit_is_log_two():
    assert losses.binary_cross_entropy([Value(0.0)], [1]).data == math.log(2)


def test_binary_cross_entropy_refuses_minus_one_labels():
    with pytest.raises(ValueError, match="labels 0 or 1"):
        losses.binary_cross_entropy(_scores([0.1]), [-1])


@pytest.mark.parametrize('scale', [1.0, 500.0])
def test_cross_entropy_matches_torch(scale):
    torch = require('torch')
    rng = random.Random(0)
    rows = [[rng.uniform(-3, 3) * scale for _ in range(4)] for _ in range(5)]
    labels = [0, 3, 1, 2, 3]
    ours = [_scores(r) for r in rows]
    out = losses.cross_entropy(ours, labels)
    out.backward()
    t = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t, torch.tensor(labels))
    ref.backward()
    assert math.isclose(out.data, ref.item(), rel_tol=1e-12, abs_tol=1e-15)
    for row, grads in zip(ours, t.grad.tolist()):
        for v, g in zip(row, grads):
            assert math.isclose(v.grad, g, rel_tol=1e-10, abs_tol=1e-15)


def test_cross_entropy_refuses_a_bad_class_index():
    with pytest.raises(ValueError, match="class indices 0..1"):
        losses.cross_entropy([_scores([1.0, 2.0])], [2])


def test_cross_entropy_needs_a_list_of_scores_per_sample():
    with pytest.raises(ValueError, match="list of"):
        losses.cross_entropy(_scores([1.0]), [0])


def test_l2_matches_torch():
    torch = require('torch')
    params = _scores(SCORES)
    out = losses.l2(params, alpha=1e-3)
    out.backward()
    t = torch.tensor(SCORES, dtype=torch.float64, requires_grad=True)
    ref = 1e-3 * (t * t).sum()
    ref.backward()
    assert math.isclose(out.data, ref.item(), rel_tol=1e-12)
    assert all(math.isclose(p.grad, g, rel_tol=1e-12) for p, g in zip(params, t.grad.tolist()))


def test_l2_gradient_is_two_alpha_p():
    p = Value(3.0)
    losses.l2([p], 0.5).backward()
    assert p.grad == 3.0


def test_mismatched_lengths_and_empty_batches_are_refused():
    with pytest.raises(ValueError, match="2 scores but 1 targets"):
        losses.mse(_scores([1.0, 2.0]), [1.0])
    with pytest.raises(ValueError, match="empty batch"):
        losses.hinge([], [])


def test_a_single_sample_may_be_passed_bare():
    assert losses.hinge(Value(0.5), 1).data == 0.5


def test_numpy_integer_labels_are_labels():
    np = pytest.importorskip('numpy')
    rows = [_scores([2.0, 0.0, -1.0]), _scores([0.5, 1.5, 0.0])]
    assert (losses.cross_entropy(rows, [np.int64(0), np.int32(1)]).data
            == losses.cross_entropy(rows, [0, 1]).data)
    assert losses.hinge(_scores([0.5]), [np.int64(-1)]).data == 1.5
    with pytest.raises(ValueError, match="class indices 0..2"):
        losses.cross_entropy(rows, [np.int64(3), 0])


def test_mse_takes_a_numpy_row_as_the_target_of_several_outputs():
    np = pytest.importorskip('numpy')
    scores = [_scores([1.0, 3.0])]
    assert losses.mse(scores, [np.array([0.0, 1.0])]).data == losses.mse(scores, [[0.0, 1.0]]).data


@pytest.mark.parametrize('check', [losses.check_hinge_labels,
                                   lambda y: losses.check_binary_labels(y),
                                   lambda y: losses.check_class_labels(y, 3)])
def test_a_list_given_as_a_label_is_refused_by_name(check):
    with pytest.raises(ValueError, match=r"got \[\[0, 1\]\]"):
        check([[0, 1], [0, 1]])


def test_a_target_too_large_for_a_float_is_a_value_error_not_an_overflow():
    with pytest.raises(ValueError, match="mse: targets must be finite numbers, got 1000"):
        losses.mse([Value(1.0)], [10 ** 400])


def test_a_huge_wrong_label_is_named_in_a_short_message():
    with pytest.raises(ValueError, match=r"hinge needs labels -1 or \+1, got \[1000") as info:
        losses.hinge([Value(1.0)], [10 ** 400])
    assert len(str(info.value)) < 100
