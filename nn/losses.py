"""Loss functions: how wrong the scores are, as one Value to call backward() on.

Each takes the model's scores for a batch (one Value per sample, or a list of Values per
sample for several outputs) and the targets, and returns the mean over the batch.

    mse                   mean (s - t)^2                         targets: any numbers
    hinge                 mean max(0, 1 - y s)                   labels: -1 or +1
    binary_cross_entropy  mean log(1 + e^s) - y s  (s a logit)   labels: 0 or 1
    cross_entropy         mean log(sum_j e^s_j) - s_y            labels: class index 0..K-1
    l2                    alpha * sum p^2                        (add it to any of them)

>>> scores = [model(x) for x in X]
>>> loss = hinge(scores, y) + l2(model.parameters(), 1e-4)
"""

import operator
from numbers import Integral, Real

from engine import Value
from engine.numbers import as_real


def _as_value(s):
    return s if isinstance(s, Value) else Value(s)


def _batch(scores, targets, name):
    """scores and targets as two lists of the same, non-zero length."""
    if isinstance(scores, Value):  # one sample
        scores, targets = [scores], [targets]
    scores, targets = list(scores), list(targets)
    if len(scores) != len(targets):
        raise ValueError(f"{name}: {len(scores)} scores but {len(targets)} targets")
    if not scores:
        raise ValueError(f"{name}: empty batch")
    return scores, targets


def _mean(terms):
    """(t0 + t1 + ...) * (1/n), as micrograd's demo writes it."""
    return Value.sum(terms) * (1.0 / len(terms))


def _number(t, name):
    try:
        if isinstance(t, bool):
            raise TypeError
        as_real(t, name)  # a finite number that fits a float (10**400 does not)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: targets must be finite numbers, got {t!r:.60}") from None
    return t


def _row(t):
    """A target given as several numbers, as a list (a numpy row too); None for one number."""
    if isinstance(t, (list, tuple)):
        return t
    if isinstance(t, (str, bytes)) or not hasattr(t, '__iter__'):
        return None
    try:
        return list(t)
    except TypeError:  # e.g. a numpy array of no dimensions: one number
        return None


def _distinct(values):
    """The different values, at most five, in a stable order (they may be unhashable),
    written for a message: '[0, 2]' (a long one cut short)."""
    seen = sorted({repr(v) for v in values})[:5]
    return '' if not seen else \
        '[' + ', '.join(r if len(r) <= 40 else r[:37] + '...' for r in seen) + ']'



def _single(s, name):
    if isinstance(s, (list, tuple)):
        if len(s) != 1:
            raise ValueError(f"{name} needs one score per sample, got {len(s)}; "
                             f"use cross_entropy for several class scores")
        s = s[0]
    return _as_value(s)


def mse(scores, targets):
    """Mean squared error: mean over every output of (s - t)^2.

    A score may be a list of outputs; its target is then a list of the same length.
    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    scores, targets = _batch(scores, targets, 'mse')
    terms = []
    for s, t in zip(scores, targets):
        if isinstance(s, (list, tuple)):
            row = _row(t)
            t = [t] if row is None else row
            if len(s) != len(t):
                raise ValueError(f"mse: {len(s)} outputs but a target of length {len(t)}")
            terms += [(_as_value(si) - _number(ti, 'mse')) ** 2 for si, ti in zip(s, t)]
        else:
            terms.append((_as_value(s) - _number(t, 'mse')) ** 2)
    return _mean(terms)


def check_hinge_labels(labels):
    bad = _distinct(y for y in labels if not (isinstance(y, Real) and y in (-1, 1)))
    if bad:
        raise ValueError(f"hinge needs labels -1 or +1, got {bad}")


def hinge(scores, labels):
    """Max-margin (SVM) loss: mean max(0, 1 - y s), with y = -1 or +1.

    Zero once a sample is on the right side with margin 1; built op by op exactly as
    micrograd's demo builds it, (1 + -y * s).relu(), so the numbers are the same.
    >>> hinge([Value(0.5)], [1]).data
    0.5
    """
    scores, labels = _batch(scores, labels, 'hinge')
    check_hinge_labels(labels)
    return _mean([(1 + -yi * _single(si, 'hinge')).relu() for yi, si in zip(labels, scores)])


def check_binary_labels(labels, name='binary_cross_entropy'):
    bad = _distinct(y for y in labels if isinstance(y, bool) or not isinstance(y, Real)
                    or not 0 <= y <= 1)
    if bad:
        raise ValueError(f"{name} needs labels 0 or 1 (or a probability between), "
                         f"got {bad}")


def binary_cross_entropy(logits, labels):
    """Binary cross-entropy on logits s (not probabilities), labels y in {0, 1}:

        -[y log sigmoid(s) + (1 - y) log(1 - sigmoid(s))] = log(1 + e^s) - y s

    computed as  relu(s) + log(1 + e^(s - 2 relu(s))) - y s,  where s - 2 relu(s) = -|s|:
    e^... is at most 1, so the exponential never overflows (only 2 relu(s) can, for s
    above about 9e307, half the largest float). The stable form is chosen by the relu op,
    not by a Python `if` on s.data, so a recorded replay (engine.record) stays right at
    every score. Its derivative is sigmoid(s) - y (0.5 - y at s = 0).
    >>> binary_cross_entropy([Value(0.0)], [1]).data     # log 2
    0.6931471805599453
    """
    logits, labels = _batch(logits, labels, 'binary_cross_entropy')
    check_binary_labels(labels)
    terms = []
    for s, y in zip(logits, labels):
        s = _single(s, 'binary_cross_entropy')
        r = s.relu()
        terms.append(r + (1 + (s - 2 * r).exp()).log() - y * s)
    return _mean(terms)


def check_class_labels(labels, classes, name='cross_entropy'):
    bad = _distinct(y for y in labels if isinstance(y, bool) or not isinstance(y, Integral)
                    or not 0 <= y < classes)  # numpy's integers are indices too
    if bad:
        raise ValueError(f"{name} needs class indices 0..{classes - 1}, got {bad}")


def cross_entropy(scores, labels):
    """Softmax cross-entropy over class scores s_0..s_K-1, the label an index y:

        log(sum_j e^s_j) - s_y,   computed as  log(sum_j e^(s_j - m)) + m - s_y,  m = max s

    Shifting by the largest score keeps every e^... at most 1 (no overflow). m is taken in
    the graph (m = m + relu(s_j - m), one score after another), not frozen as a number, so
    a recorded replay (engine.record) shifts by the largest score of every replay. The
    shift cancels out of the gradient: softmax(s) - onehot(y).
    >>> cross_entropy([[Value(2.0), Value(0.0)]], [0]).data
    0.1269280110429727
    """
    scores, labels = _batch(scores, labels, 'cross_entropy')
    terms = []
    for row, y in zip(scores, labels):
        if not isinstance(row, (list, tuple)) or len(row) < 2:
            raise ValueError("cross_entropy needs a list of (at least 2) class scores "
                             "per sample")
        check_class_labels([y], len(row))
        row = [_as_value(s) for s in row]
        m = row[0]
        for s in row[1:]:
            m = m + (s - m).relu()  # max(m, s)
        total = Value.sum([(s - m).exp() for s in row])
        terms.append(total.log() + m - row[operator.index(y)])
    return _mean(terms)


def l2(parameters, alpha=1e-4):
    """L2 regularisation alpha * sum p^2: pulls every weight toward 0 (gradient 2 alpha p).

    One dot node p0*p0 + p1*p1 + ... (the same sum as a p*p node per parameter, in one node).
    >>> l2(model.parameters(), 1e-4)
    """
    parameters = list(parameters)
    return Value.dot(parameters, parameters) * alpha
