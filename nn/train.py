"""fit: the training loop. Forward, loss, backward, update; again, for every batch of every epoch.

    batch_size=None   full-batch gradient descent   1 update per epoch
    batch_size=1      stochastic gradient descent   len(X) updates per epoch
    batch_size=k      mini-batch                    ceil(len(X) / k) updates per epoch

>>> X, y = nn.data.moons(100, seed=0)
>>> history = fit(MLP(2, [16, 16, 1], seed=0), X, y, loss='hinge', l2=1e-4, epochs=50)
"""

import gc
import math
import operator
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Integral, Real

from engine import Value

from . import losses as _losses
from .data import batches
from .models import MLP
from .optim import SGD, Adam

LOSSES = {'hinge': _losses.hinge, 'mse': _losses.mse, 'bce': _losses.binary_cross_entropy,
          'cross_entropy': _losses.cross_entropy}
DEFAULT_LR = {'sgd': 0.1, 'adam': 0.01}


@dataclass
class History:
    """What happened during fit().

    losses, accuracies           -- one per update (on that update's batch, before the step)
    epoch_losses, epoch_accuracies -- one per epoch (over all its samples)
    updates, epochs              -- how many were done
    stopped_early                -- True if target_loss was reached before the last epoch
    An accuracy is None when the loss has no notion of a right answer (e.g. mse on
    arbitrary targets).
    """

    losses: list = field(default_factory=list)
    accuracies: list = field(default_factory=list)
    epoch_losses: list = field(default_factory=list)
    epoch_accuracies: list = field(default_factory=list)
    updates: int = 0
    epochs: int = 0
    stopped_early: bool = False

    @property
    def loss(self):
        """The last epoch's loss (None before any epoch)."""
        return self.epoch_losses[-1] if self.epoch_losses else None

    @property
    def accuracy(self):
        """The last epoch's accuracy (None before any epoch, or if it has no meaning)."""
        return self.epoch_accuracies[-1] if self.epoch_accuracies else None

    def __repr__(self):
        acc = '' if self.accuracy is None else f", accuracy={self.accuracy:.3f}"
        loss = 'None' if self.loss is None else f"{self.loss:.6g}"
        return f"History(epochs={self.epochs}, updates={self.updates}, loss={loss}{acc})"


# ---- how to tell a right answer, for each loss


def _sign_rule(score, target):  # labels -1/+1, decision at score 0
    return (score > 0) == (target > 0)


def _logit_rule(score, target):  # labels 0/1, decision at logit 0
    return (score > 0) == (target > 0.5)


def _half_rule(score, target):  # labels 0/1 regressed directly, decision at 0.5
    return (score > 0.5) == (target > 0.5)


def _argmax_rule(scores, target):  # class index
    return max(range(len(scores)), key=scores.__getitem__) == target


def _onehot_rule(scores, target):
    return _argmax_rule(scores, max(range(len(target)), key=target.__getitem__))


def _is_number(t):
    return isinstance(t, Real) and not isinstance(t, bool)


def _is_onehot(t):  # one 1 and the rest 0, e.g. [0, 1, 0]
    return (isinstance(t, (list, tuple)) and all(map(_is_number, t))
            and sorted(t)[-1:] == [1] and sum(t) == 1)


def _accuracy_rule(loss, y):
    """How to judge a score against its target, or None if there is no right answer."""
    if loss == 'hinge':
        return _sign_rule
    if loss == 'bce':
        return _logit_rule
    if loss == 'cross_entropy':
        return _argmax_rule
    if all(map(_is_number, y)):  # one number per sample: labels if they are -1/1 or 0/1
        labels = set(y)
        if labels <= {-1, 1}:
            return _sign_rule
        if labels <= {0, 1}:
            return _half_rule
        return None
    if all(map(_is_onehot, y)):
        return _onehot_rule
    return None


# ---- checks before any work is done


def _target(t):
    """One target in a plain form: numpy's integers as ints, a numpy row as a list."""
    if isinstance(t, Integral) and not isinstance(t, bool):
        return operator.index(t)
    if isinstance(t, (list, tuple, str, bytes, Real)) or not hasattr(t, '__iter__'):
        return t  # the loss judges it
    try:
        return [_target(v) for v in t]
    except TypeError:  # e.g. a numpy array of no dimensions: one number
        return t


def _check_data(model, X, y):
    X, y = list(X), [_target(t) for t in y]
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    if not X:
        raise ValueError("fit needs at least one sample; X is empty")
    nin = getattr(model, 'nin', None)
    for i, x in enumerate(X):
        try:
            width = len(x)
        except TypeError:
            raise TypeError(f"X[{i}] should be a list of inputs, got "
                            f"{type(x).__name__}") from None
        if nin is not None and width != nin:
            raise ValueError(f"X[{i}] has {width} inputs but the model takes {nin}")
    return X, y


def _check_targets(loss, model, y):
    nouts = getattr(model, 'nouts', None)
    outputs = nouts[-1] if nouts else None
    if loss == 'hinge':
        _losses.check_hinge_labels(y)
    elif loss == 'bce':
        _losses.check_binary_labels(y, 'bce')
    elif loss == 'cross_entropy':
        if outputs is not None and outputs < 2:
            raise ValueError("cross_entropy needs a model with one output per class "
                             "(at least 2)")
        if outputs is not None:
            _losses.check_class_labels(y, outputs)
    if loss in ('hinge', 'bce') and outputs not in (None, 1):
        raise ValueError(f"loss={loss!r} needs a model with one output, this one has {outputs}")


def _make_optimizer(optimizer, model, lr):
    if optimizer is None:
        optimizer = 'sgd'
    if isinstance(optimizer, str):
        if optimizer not in DEFAULT_LR:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose 'sgd' or 'adam' "
                             f"or pass an optimizer object")
        lr = DEFAULT_LR[optimizer] if lr is None else lr
        return (SGD if optimizer == 'sgd' else Adam)(model.parameters(), lr=lr)
    if lr is not None:
        raise ValueError("lr goes to the optimizer you built, not to fit()")
    if not (hasattr(optimizer, 'step') and hasattr(optimizer, 'zero_grad')):
        raise TypeError(f"optimizer must be 'sgd', 'adam' or an object with step() and "
                        f"zero_grad(), got {type(optimizer).__name__}")
    return optimizer


def _whole(n, what, least):
    if isinstance(n, bool) or not isinstance(n, Integral) or n < least:
        raise ValueError(f"{what} must be a whole number >= {least}, got {n!r}")
    return operator.index(n)


# ---- one update


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for the length of one update.

    A scalargrad graph has no reference cycles (children and local derivatives are plain
    data, not closures), so reference counting frees it as soon as the update lets go of
    it; the cyclic collector could only walk it, and walking it is most of its cost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _update(model, Xb, yb, loss_fn, l2, params, optimizer, epoch, update):
    """Forward, loss, backward and one optimizer step on a batch.

    Returns the loss and the scores as plain numbers: the graph is freed on return.
    """
    try:
        scores = [model(x) for x in Xb]
        total = loss_fn(scores, yb)
        if l2:
            total = total + _losses.l2(params, l2)
        if not isinstance(total, Value):
            raise TypeError(f"the loss must return a Value, got {type(total).__name__}")
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
    except ArithmeticError as err:
        raise type(err)(f"training broke down at epoch {epoch}, update {update}: "
                        f"{err} (a smaller learning rate may help)") from err
    return total.data, [_plain(s) for s in scores]


# ---- the loop


def fit(model, X, y, loss='hinge', optimizer=None, lr=None, epochs=100, batch_size=None,
        l2=0.0, target_loss=None, progress=True, seed=0):
    """Train `model` on (X, y) and return a History.

    loss       -- 'hinge' (labels -1/+1), 'mse', 'bce' (logits, labels 0/1),
                  'cross_entropy' (class indices), or f(scores, targets) -> Value
    optimizer  -- 'sgd' (default, lr 0.1), 'adam' (lr 0.01), or an optimizer object
    lr         -- a number or a schedule lr(k) of the update count k (for 'sgd'/'adam')
    batch_size -- None: full batch; 1: stochastic; k: mini-batches of k (shuffled each
                  epoch with random.Random(seed))
    l2         -- alpha of the L2 penalty alpha * sum p^2 added to the loss
    target_loss-- stop after the first epoch whose loss is at or below it
    progress   -- show a tqdm progress bar (it adapts to notebooks)

    Python's cyclic garbage collector is paused during each update: a scalargrad graph has
    no reference cycles, so it is freed by reference counting when the update ends.
    """
    X, y = _check_data(model, X, y)
    if callable(loss):
        loss_name, loss_fn = getattr(loss, '__name__', 'loss'), loss
        rule = _accuracy_rule(None, y)
    elif loss in LOSSES:
        loss_name, loss_fn = loss, LOSSES[loss]
        _check_targets(loss, model, y)
        rule = _accuracy_rule(loss, y)
    else:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} "
                         f"or pass a function")
    epochs = _whole(epochs, 'epochs', 0)
    if batch_size is not None:
        batch_size = _whole(batch_size, 'batch_size', 1)
    if isinstance(l2, bool) or not isinstance(l2, Real) or not (math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be a number >= 0, got {l2!r}")
    if target_loss is not None and (isinstance(target_loss, bool)
                                    or not isinstance(target_loss, Real)):
        raise ValueError(f"target_loss must be a number or None, got {target_loss!r}")
    optimizer = _make_optimizer(optimizer, model, lr)
    params = model.parameters()
    rng = random.Random(seed)
    full_batch = batch_size is None or batch_size >= len(X)

    history = History()
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, desc=f'fit ({loss_name})', unit='epoch')
    try:
        for epoch in range(1, epochs + 1):
            loss_sum, right, seen, judged = 0.0, 0, 0, 0
            for Xb, yb in batches(X, y, batch_size, shuffle=not full_batch, seed=rng):
                update = history.updates + 1
                with _collector_paused():
                    loss_value, scores = _update(model, Xb, yb, loss_fn, l2, params,
                                                 optimizer, epoch, update)
                history.updates = update
                history.losses.append(loss_value)
                loss_sum += loss_value * len(yb)
                seen += len(yb)
                if rule is None:
                    history.accuracies.append(None)
                else:
                    hits = sum(rule(s, t) for s, t in zip(scores, yb))
                    history.accuracies.append(hits / len(yb))
                    right += hits
                    judged += len(yb)
            history.epochs = epoch
            history.epoch_losses.append(loss_sum / seen)
            history.epoch_accuracies.append(right / judged if judged else None)
            if bar is not None:
                acc = history.accuracy
                bar.set_postfix(loss=f'{history.loss:.4g}',
                                **({} if acc is None else {'acc': f'{acc:.0%}'}))
                bar.update(1)
            if target_loss is not None and history.loss <= target_loss:
                history.stopped_early = epoch < epochs
                break
    finally:
        if bar is not None:
            bar.close()
    return history


def _plain(score):
    """A score as a float, or a list of floats for several outputs."""
    if isinstance(score, (list, tuple)):
        return [s.data if isinstance(s, Value) else s for s in score]
    return score.data if isinstance(score, Value) else score


def accuracy(model, X, y, loss='hinge'):
    """The fraction of samples the model gets right, judged as fit() judges them."""
    X, y = _check_data(model, X, y)
    rule = _accuracy_rule(loss if isinstance(loss, str) else None, y)
    if rule is None:
        raise ValueError(f"accuracy has no meaning for these targets with loss={loss!r}")
    if isinstance(model, MLP):
        scores = model.predict(X)
    else:
        scores = [_plain(model(x)) for x in X]
    return sum(rule(s, t) for s, t in zip(scores, y)) / len(y)
