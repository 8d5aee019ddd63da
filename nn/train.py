"""fit: the training loop. Forward, loss, backward, update; again, for every batch of every epoch.

    batch_size=None   full-batch gradient descent   1 update per epoch
    batch_size=1      stochastic gradient descent   len(X) updates per epoch
    batch_size=k      mini-batch                    ceil(len(X) / k) updates per epoch

Two curves per epoch, kept apart because they answer different questions:
`running_losses` is the mean of the epoch's update losses (each taken on its batch before
its step, while the weights move); `train_losses` is the whole training set's loss measured
once the epoch's last update is done: "the loss at the end of the epoch".

A run can stop and go on: pass the same History back in (`history=`) with the same model
and optimizer, after an interrupt (Ctrl-C) or after nn.save / nn.load_checkpoint.

>>> X, y = nn.data.moons(100, seed=0)
>>> history = fit(MLP(2, [16, 16, 1], seed=0), X, y, loss='hinge', l2=1e-4, epochs=50)
"""

import gc
import math
import operator
import random
import signal
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from numbers import Integral, Real

from engine import RecordError, Value, no_grad, record
from engine.numbers import as_real, as_whole

from . import losses as _losses
from .data import batches
from .models import MLP, Layer, Neuron
from .optim import SGD, Adam
from .seeds import random_source

LOSSES = {'hinge': _losses.hinge, 'mse': _losses.mse, 'bce': _losses.binary_cross_entropy,
          'cross_entropy': _losses.cross_entropy}
DEFAULT_LR = {'sgd': 0.1, 'adam': 0.01}
MEASURE_LIMIT = 10_000  # measure=None measures the training set when it has at most this many
# replay='auto' records the graph for runs at least this long. Recording the moons graph
# (cold program cache) costs about 70 fused updates of the graph; through fit, a replayed
# run of 100 updates takes as long as building the graph, one of 150 about a third less.
REPLAY_LEAST_UPDATES = 150
SINCE_VALIDATION = ('validation_losses', 'validation_accuracies')  # absent in older files


@dataclass
class History:
    """What fit() did, as plain data: History.from_dict(h.to_dict()) gives it back.

    losses, accuracies   -- one per update: that update's batch, before its step
    running_losses, running_accuracies
                         -- one per epoch: the mean over the epoch's updates (weights moving
                            all along, so this is not the loss at the epoch's end)
    train_losses, train_accuracies
                         -- one per epoch: the whole training set (l2 penalty included),
                            measured after the epoch's last update; None where fit ran with
                            measure=False
    validation_losses, validation_accuracies
                         -- one per epoch: the held-out data of fit(validation=(X, y)),
                            measured as the training set is (same moment, same rule, l2
                            penalty included, so the gap between the curves is the data's);
                            None where fit ran without validation
    epoch_ends           -- the update count at the end of each epoch
    updates, epochs      -- how many were done; an interrupted epoch's updates count in
                            `updates` and `losses` but not in `epochs`
    seed                 -- the shuffling seed: epoch e's order comes from
                            random.Random(f'fit:{seed}:{e}'), so a resumed run draws the
                            same orders as one that never stopped
    stopped_early        -- True if target_loss was reached before the last epoch
    unfinished           -- None, or the running sums of an epoch that was interrupted
                            (fit goes on from its next batch)
    path                 -- 'replay' if fit's last call replayed a recording of the loss
                            graph (engine.record), 'graph' if it built the graph at every
                            update (not saved with the History)
    path_reason          -- None, or in words why that call built the graph (a short run,
                            mini-batches, a graph that cannot be replayed...; not saved)
    An accuracy is None when the targets give no rule for a right answer (e.g. mse on
    arbitrary targets, or 0/1 labels under a loss function fit does not know).
    """

    losses: list = field(default_factory=list)
    accuracies: list = field(default_factory=list)
    running_losses: list = field(default_factory=list)
    running_accuracies: list = field(default_factory=list)
    train_losses: list = field(default_factory=list)
    train_accuracies: list = field(default_factory=list)
    validation_losses: list = field(default_factory=list)
    validation_accuracies: list = field(default_factory=list)
    epoch_ends: list = field(default_factory=list)
    updates: int = 0
    epochs: int = 0
    seed: int = None
    stopped_early: bool = False
    unfinished: dict = None
    path = 'graph'  # how the updates were computed: 'graph' or 'replay' (not saved)
    path_reason = None  # why fit built the graph rather than replay it (not saved)

    @property
    def loss(self):
        """The training-set loss after the last epoch (None before any epoch, or if that
        epoch was not measured: then read running_losses)."""
        return self.train_losses[-1] if self.train_losses else None

    @property
    def accuracy(self):
        """The training-set accuracy after the last epoch (None as for `loss`, or if
        accuracy has no meaning for these targets)."""
        return self.train_accuracies[-1] if self.train_accuracies else None

    def to_dict(self):
        """The History as plain data (lists, numbers, None): JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        """A History from to_dict()'s data; a problem is a ValueError naming the field."""
        return _history_from(data)

    def __repr__(self):
        parts = [f"epochs={self.epochs}", f"updates={self.updates}"]
        if self.loss is not None:
            parts.append(f"loss={self.loss:.6g}")
        elif self.running_losses:
            parts.append(f"running_loss={self.running_losses[-1]:.6g}")
        if self.accuracy is not None:
            parts.append(f"accuracy={self.accuracy:.3f}")
        if self.unfinished is not None:
            parts.append(f"interrupted after update {self.updates}")
        return f"History({', '.join(parts)})"


# ---- how to tell a right answer


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


def _outputs(model):
    """How many outputs the model has, when it says."""
    nouts = getattr(model, 'nouts', None)
    if nouts:
        return nouts[-1]
    if isinstance(model, Layer):
        return len(model.neurons)
    if isinstance(model, Neuron):
        return 1
    return None


def _outputs_in_unit_interval(model):
    """True when every output lies in [0, 1] by construction (sigmoid or step)."""
    if isinstance(model, MLP):
        neurons = model.layers[-1].neurons
    elif isinstance(model, Layer):
        neurons = model.neurons
    elif isinstance(model, Neuron):
        neurons = [model]
    else:
        return False
    return all(n.activation in ('sigmoid', 'step') for n in neurons)


def _rule_from_labels(model, y):
    """The rule the targets and the model leave no doubt about, or None.

    -1/+1: the sign of the score. One-hot rows, or class indices for a model with several
    outputs: the largest score. 0/1 for a model whose output is in [0, 1] (sigmoid,
    step): a decision at 0.5. 0/1 otherwise is ambiguous (logits decide at 0, direct
    regression at 0.5): None.
    """
    outputs = _outputs(model)
    if all(map(_is_number, y)):
        labels = set(y)
        if outputs is not None and outputs > 1:
            if all(isinstance(t, Integral) and 0 <= t < outputs for t in y):
                return _argmax_rule
            return None
        if labels <= {-1, 1} and -1 in labels:
            return _sign_rule
        if labels <= {0, 1} and _outputs_in_unit_interval(model):
            return _half_rule
        return None
    if all(map(_is_onehot, y)):
        return _onehot_rule
    return None


def _accuracy_rule(loss, model, y):
    """How fit judges a score against its target under a named loss (None: no rule)."""
    if loss == 'hinge':
        return _sign_rule
    if loss == 'bce':
        return _logit_rule
    if loss == 'cross_entropy':
        return _argmax_rule
    if loss == 'mse' and all(map(_is_number, y)):  # regressing the labels themselves
        labels = set(y)
        if labels <= {-1, 1}:
            return _sign_rule
        if labels <= {0, 1}:
            return _half_rule
        return None
    return _rule_from_labels(model, y)


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
    outputs = _outputs(model)
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


def _loss(loss, model, y):
    """(name, function, accuracy rule) for fit's `loss` argument."""
    if callable(loss):
        return getattr(loss, '__name__', 'loss'), loss, _rule_from_labels(model, y)
    if loss in LOSSES:
        _check_targets(loss, model, y)
        return loss, LOSSES[loss], _accuracy_rule(loss, model, y)
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} "
                     f"or pass a function")


def _make_optimizer(optimizer, model, lr, params):
    if optimizer is None:
        optimizer = 'sgd'
    if isinstance(optimizer, str):
        if optimizer not in DEFAULT_LR:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose 'sgd' or 'adam' "
                             f"or pass an optimizer object")
        lr = DEFAULT_LR[optimizer] if lr is None else lr
        unique = list(dict.fromkeys(params))  # a shared weight is one parameter
        return (SGD if optimizer == 'sgd' else Adam)(unique, lr=lr)
    if lr is not None:
        raise ValueError("lr goes to the optimizer you built, not to fit()")
    if not (hasattr(optimizer, 'step') and hasattr(optimizer, 'zero_grad')):
        raise TypeError(f"optimizer must be 'sgd', 'adam' or an object with step() and "
                        f"zero_grad(), got {type(optimizer).__name__}")
    own, listed = set(params), list(getattr(optimizer, 'params', ()))
    if len(set(listed)) != len(listed):  # an optimizer of another kind than nn.optim's
        raise ValueError("the optimizer lists a parameter twice: it would update it twice "
                         "per step")
    stray = [i for i, p in enumerate(listed) if p not in own]
    if stray:
        raise ValueError(f"the optimizer's parameter {stray[0]} ({len(stray)} in all) is not "
                         f"a parameter of this model: was the optimizer built over another "
                         f"model? Build it over model.parameters()")
    return optimizer


def _whole(n, what, least):
    try:
        return as_whole(n, what, least=least)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number >= {least}, got {n!r:.60}") from None


def _check_settings(epochs, batch_size, l2, target_loss, measure):
    epochs = _whole(epochs, 'epochs', 0)
    if batch_size is not None:
        batch_size = _whole(batch_size, 'batch_size', 1)
    try:
        l2 = as_real(l2, 'l2')
    except TypeError:
        l2 = -1.0
    if isinstance(l2, bool) or not l2 >= 0:
        raise ValueError(f"l2 must be a number >= 0, got {l2!r}")
    if target_loss is not None:
        if isinstance(target_loss, bool) or not isinstance(target_loss, Real):
            raise ValueError(f"target_loss must be a number or None, got {target_loss!r}")
    if measure is not None and not isinstance(measure, bool):
        raise ValueError(f"measure must be True, False or None (automatic), got {measure!r}")
    return epochs, batch_size, l2


def _check_validation(validation, model, loss):
    """validation=(X, y) checked as the training data is: (X, y, accuracy rule)."""
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        got = (f"{len(validation)} items" if isinstance(validation, (tuple, list))
               else type(validation).__name__)
        raise ValueError(f"validation must be a pair (X, y) of held-out data, got {got}")
    try:
        X, y = _check_data(model, *validation)
        _, _, rule = _loss(loss, model, y)
    except (TypeError, ValueError) as err:
        raise type(err)(f"validation data: {err}") from None
    return X, y, rule


def _shuffle_seed(seed):
    """The whole number a run's shuffles derive from (an int seed is kept as it is)."""
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        return operator.index(seed)
    return random_source(seed).getrandbits(63)


# ---- one update


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for the length of one update.

    A scalargrad graph has no reference cycles (children and local derivatives are plain
    data, not closures), so reference counting frees it as soon as the update lets go of
    it; the cyclic collector could only walk it, and walking it is most of its cost.
    It is switched back on however the update ends (an error, Ctrl-C).
    """
    was_enabled = gc.isenabled()
    try:
        gc.disable()
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Interrupts:
    """Ctrl-C stops fit at once, except between the start of an optimizer step and the
    History's record of it: there it waits for the record, so that the parameters, the
    optimizer and the History always agree and fit(..., history=) goes on exactly.

    Installed only in the main thread over Python's default SIGINT handler (as in a
    terminal or a Jupyter cell); elsewhere Ctrl-C behaves as usual.
    """

    def __enter__(self):
        self.holding = self.pending = False
        self.installed = (threading.current_thread() is threading.main_thread()
                          and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        if self.installed:
            signal.signal(signal.SIGINT, self._on_signal)
        return self

    def __exit__(self, *exc):
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def _on_signal(self, signum, frame):
        if not self.holding:
            raise KeyboardInterrupt
        self.pending = True

    def hold(self):
        """From here to release(), Ctrl-C waits."""
        self.holding = True

    def release(self):
        """The writes are recorded: raise the Ctrl-C that came meanwhile, if any."""
        self.holding = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


def _update(model, Xb, yb, loss_fn, l2, params, optimizer, epoch, update, interrupts):
    """Forward, loss, backward and one optimizer step on a batch.

    Returns the loss and the scores as plain numbers: the graph is freed on return.
    Ctrl-C is held from the step on (the caller releases it once the update is recorded).
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
        interrupts.hold()
        optimizer.step()
    except ArithmeticError as err:
        raise type(err)(f"training broke down at epoch {epoch}, update {update}: "
                        f"{err} (a smaller learning rate may help)") from err
    return total.data, [_plain(s) for s in scores]


class _Replay:
    """Full-batch updates by a recorded replay (engine.record): the loss graph of the whole
    batch is recorded at the first update, and each update then repeats its forward and
    backward pass on floats. The gradients are those of _update, bit for bit."""

    def __init__(self, model, X, y, loss_fn, l2, params, forced):
        self.model, self.X, self.y, self.loss_fn, self.l2 = model, X, y, loss_fn, l2
        self.params, self.forced = params, forced
        self.recording = None
        self.refused = None  # the RecordError of a graph that cannot be replayed

    def _graph(self):
        scores = [self.model(x) for x in self.X]
        total = self.loss_fn(scores, self.y)
        if self.l2:
            total = total + _losses.l2(self.params, self.l2)
        if not isinstance(total, Value):
            raise TypeError(f"the loss must return a Value, got {type(total).__name__}")
        return total, scores

    def usable(self):
        """Record at the first call; False (in 'auto') when the graph cannot be replayed."""
        if self.recording is None and self.refused is None:
            try:
                self.recording = record(self._graph, self.params)
            except RecordError as err:
                if self.forced:
                    raise ValueError(f"fit(replay=True): {err}") from err
                self.refused = err
        return self.recording is not None

    def update(self, optimizer, epoch, update, interrupts):
        try:
            if not self.usable():
                return None
            values = [p.data for p in self.params]
            total = sum(values)
            if total - total != 0.0 and not all(map(math.isfinite, values)):
                return None  # a step gave inf or nan: the graph path says where it broke
            loss, grads, scores = self.recording.replay(values, outputs=True)
            for p, g in zip(self.params, grads):  # as zero_grad() then backward()
                p.grad = g
            interrupts.hold()
            optimizer.step()
        except ArithmeticError as err:
            raise type(err)(f"training broke down at epoch {epoch}, update {update}: "
                            f"{err} (a smaller learning rate may help)") from err
        return loss, scores


def _replay_plan(replay, model, loss, full_batch, updates):
    """(whether fit replays a recording, None or why not): replay=True, False, or 'auto'
    (where that is sound and worth it)."""
    if replay not in (True, False, 'auto'):
        raise ValueError(f"replay must be True, False or 'auto', got {replay!r:.40}")
    if replay is True and not full_batch:
        raise ValueError("fit(replay=True) replays one recorded batch: it needs the full "
                         "batch (batch_size=None)")
    if replay != 'auto':
        return replay, None if replay else 'replay=False'
    # sound: nn's own models and losses branch on no .data; worth it: recording costs
    # about 70 updates of the graph (most of it compiling), a replay a tenth of one
    if not full_batch:
        return False, "mini-batches (a replay repeats one recorded batch)"
    if not isinstance(loss, str):
        return False, "a loss function of your own (a replay would freeze a branch on .data)"
    if not _own_model(model):
        return False, (f"a {type(model).__name__} model (replay='auto' replays nn's own MLP, "
                       f"Layer and Neuron)")
    if updates < REPLAY_LEAST_UPDATES:
        return False, (f"a run of {updates} updates (recording pays off from about "
                       f"{REPLAY_LEAST_UPDATES})")
    return True, None


def _own_model(model):
    """True for nn's own MLP, Layer or Neuron, made of nn's own layers and neurons."""
    kind = type(model)
    if kind is Neuron:
        return True
    layers = [model] if kind is Layer else model.layers if kind is MLP else None
    return layers is not None and all(
        type(layer) is Layer and all(type(n) is Neuron for n in layer.neurons)
        for layer in layers)


def _measure(model, X, y, loss_fn, l2, params, rule):
    """The whole training set's loss (with the l2 penalty) and accuracy, no graph kept."""
    with no_grad():
        scores = _scores(model, X)
        wrapped = [[Value(v) for v in s] if isinstance(s, list) else Value(s) for s in scores]
        total = loss_fn(wrapped, y)
        if l2:
            total = total + _losses.l2(params, l2)
    if not isinstance(total, Value):
        raise TypeError(f"the loss must return a Value, got {type(total).__name__}")
    loss = total.data
    hits = None if rule is None else sum(rule(s, t) for s, t in zip(scores, y)) / len(y)
    return loss, hits


# ---- the loop


def fit(model, X, y, loss='hinge', optimizer=None, lr=None, epochs=100, batch_size=None,
        l2=0.0, target_loss=None, progress=True, seed=0, measure=None, history=None,
        replay='auto', validation=None):
    """Train `model` on (X, y) and return a History.

    loss       -- 'hinge' (labels -1/+1), 'mse', 'bce' (logits, labels 0/1),
                  'cross_entropy' (class indices), or f(scores, targets) -> Value
    optimizer  -- 'sgd' (default, lr 0.1), 'adam' (lr 0.01), or an optimizer object built
                  over this model's parameters
    lr         -- a number or a schedule lr(k) of the update count k (for 'sgd'/'adam')
    epochs     -- the length of the run: fit trains until the History holds this many
                  epochs (a fresh History: this many; history=h: the rest of them)
    batch_size -- None: full batch; 1: stochastic; k: mini-batches of k, shuffled each
                  epoch (epoch e from random.Random(f'fit:{seed}:{e}'))
    l2         -- alpha of the L2 penalty alpha * sum p^2 added to the loss
    target_loss-- stop after the first epoch whose training-set loss (the running mean
                  when not measured) is at or below it
    progress   -- show a tqdm progress bar (it adapts to notebooks)
    seed       -- the shuffling seed, by nn's seed rule (int, random.Random, None: global
                  random); a History given back keeps its own
    measure    -- measure the whole training set's loss and accuracy after each epoch
                  (one more forward pass over X, as plain floats for an MLP: a fraction of
                  an epoch's training work). None (default): measure when
                  len(X) <= 10 000 (MEASURE_LIMIT)
    history    -- a History to fill in place: nn.History() to start, so that after Ctrl-C
                  it still says what was done, or one to go on with (from an interrupted
                  or finished call, or from nn.load_checkpoint) with the same model and
                  optimizer object

    replay     -- True: record the full batch's loss graph once and replay it on floats
                  for every update (engine.record: the same numbers, bit for bit, several
                  times faster); False: build the graph every update; 'auto' (default):
                  replay a full batch of nn's own model and loss (they branch on no .data)
                  when the run has at least 150 updates (REPLAY_LEAST_UPDATES; recording
                  costs about 70 updates of the graph), or build the graph when the graph
                  cannot be replayed. history.path says which was used, and
                  history.path_reason why the graph was built
    validation -- (X_held_out, y_held_out): data the model never trains on, measured like
                  the training set after every epoch (history.validation_losses and
                  validation_accuracies); None: no held-out data

    Python's cyclic garbage collector is paused during each update (a scalargrad graph
    has no reference cycles, so reference counting frees it when the update ends) and
    is switched back on however fit ends.
    """
    X, y = _check_data(model, X, y)
    loss_name, loss_fn, rule = _loss(loss, model, y)
    epochs, batch_size, l2 = _check_settings(epochs, batch_size, l2, target_loss, measure)
    if validation is not None:
        validation = _check_validation(validation, model, loss)
    if measure is None:
        measure = len(X) <= MEASURE_LIMIT
    params = model.parameters()
    if history is None:
        history = History(seed=_shuffle_seed(seed))
    elif not isinstance(history, History):
        raise TypeError(f"history must be a History from an earlier fit, got "
                        f"{type(history).__name__}")
    elif history.updates and (optimizer is None or isinstance(optimizer, str)):
        raise ValueError("going on with a History needs the run's optimizer object (a new "
                         f"{optimizer or 'sgd'!r} optimizer would start from step 0): pass "
                         "optimizer=the one used so far")
    if history.seed is None:  # a new History() handed in to be filled
        history.seed = _shuffle_seed(seed)
    optimizer = _make_optimizer(optimizer, model, lr, params)
    full_batch = batch_size is None or batch_size >= len(X)
    plan = {'samples': len(X), 'batch_size': None if full_batch else batch_size}
    if history.unfinished is not None:
        then = {k: history.unfinished[k] for k in plan}
        if then != plan:
            raise ValueError(f"the History stopped inside epoch {history.epochs + 1} "
                             f"({then['samples']} samples, batch_size={then['batch_size']}); "
                             f"go on with the same data and batch_size (now {len(X)} "
                             f"samples, batch_size={plan['batch_size']})")

    history.path, replayer = 'graph', None
    planned, history.path_reason = _replay_plan(replay, model, loss, full_batch,
                                                epochs - history.epochs)
    if planned:
        replayer = _Replay(model, X, y, loss_fn, l2, params, forced=replay is True)

    bar = None
    if progress and history.epochs < epochs:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, initial=history.epochs, desc=f'fit ({loss_name})',
                   unit='epoch')
    try:
        with _Interrupts() as interrupts:
            _epochs(model, X, y, loss_fn, l2, params, optimizer, rule, measure, epochs,
                    batch_size, full_batch, plan, target_loss, history, bar, interrupts,
                    replayer, validation)
    finally:
        if bar is not None:
            bar.close()
        if replayer is not None and replayer.refused is not None:
            history.path_reason = f"the graph cannot be replayed: {replayer.refused}"
    return history


def _epochs(model, X, y, loss_fn, l2, params, optimizer, rule, measure, epochs, batch_size,
            full_batch, plan, target_loss, history, bar, interrupts, replayer=None,
            validation=None):
    """The loop of fit: epochs of updates, each recorded in `history` as it is done."""
    while history.epochs < epochs:
        epoch = history.epochs + 1
        sums = history.unfinished or {**plan, 'done': 0, 'loss_sum': 0.0, 'seen': 0,
                                      'right': 0, 'judged': 0}
        order = batches(X, y, batch_size, shuffle=not full_batch,
                        seed=random.Random(f'fit:{history.seed}:{epoch}'))
        for b, (Xb, yb) in enumerate(order):
            if b < sums['done']:
                continue  # done before an interrupt
            update = history.updates + 1
            with _collector_paused():
                done = replayer and replayer.update(optimizer, epoch, update, interrupts)
                if done:
                    history.path = 'replay'
                else:
                    done = _update(model, Xb, yb, loss_fn, l2, params, optimizer, epoch,
                                   update, interrupts)
            loss_value, scores = done
            hits = None if rule is None else sum(rule(s, t) for s, t in zip(scores, yb))
            sums = {**sums, 'done': b + 1, 'loss_sum': sums['loss_sum'] + loss_value * len(yb),
                    'seen': sums['seen'] + len(yb), 'right': sums['right'] + (hits or 0),
                    'judged': sums['judged'] + (0 if hits is None else len(yb))}
            history.unfinished = sums
            history.updates = update
            history.losses.append(loss_value)
            history.accuracies.append(None if hits is None else hits / len(yb))
            interrupts.release()
        measured = None
        if measure:
            try:
                measured = _measure(model, X, y, loss_fn, l2, params, rule)
            except ArithmeticError as err:
                raise type(err)(f"training broke down at epoch {epoch}, update "
                                f"{history.updates} (measuring the training set after it): "
                                f"{err} (a smaller learning rate may help)") from err
        held_out = None
        if validation is not None:
            try:
                X_held, y_held, held_rule = validation
                held_out = _measure(model, X_held, y_held, loss_fn, l2, params, held_rule)
            except ArithmeticError as err:
                raise type(err)(f"training broke down at epoch {epoch}, update "
                                f"{history.updates} (measuring the validation data after "
                                f"it): {err} (a smaller learning rate may help)") from err
        interrupts.hold()
        _end_epoch(history, sums, measured, held_out)
        interrupts.release()
        if bar is not None:
            _show(bar, history)
        finished = history.loss if history.train_losses[-1] is not None \
            else history.running_losses[-1]
        if target_loss is not None and finished <= target_loss:
            history.stopped_early = history.epochs < epochs
            return


def _end_epoch(history, sums, measured, held_out=None):
    """Record a finished epoch: its running means and, if measured, the training set and
    the held-out data."""
    history.running_losses.append(sums['loss_sum'] / sums['seen'])
    history.running_accuracies.append(sums['right'] / sums['judged'] if sums['judged']
                                      else None)
    loss, acc = measured or (None, None)
    history.train_losses.append(loss)
    history.train_accuracies.append(acc)
    loss, acc = held_out or (None, None)
    history.validation_losses.append(loss)
    history.validation_accuracies.append(acc)
    history.epoch_ends.append(history.updates)
    history.epochs += 1
    history.unfinished = None


def _show(bar, history):
    loss, acc = history.loss, history.accuracy
    if loss is None:
        loss, acc, name = history.running_losses[-1], history.running_accuracies[-1], 'running'
    else:
        name = 'loss'
    bar.set_postfix({name: f'{loss:.4g}', **({} if acc is None else {'acc': f'{acc:.0%}'})})
    bar.update(1)


def _plain(score):
    """A score as a float, or a list of floats for several outputs."""
    if isinstance(score, (list, tuple)):
        return [s.data if isinstance(s, Value) else s for s in score]
    return score.data if isinstance(score, Value) else score


def _scores(model, X):
    """The model's scores for X as plain numbers: the float fast path for an MLP."""
    if isinstance(model, MLP):
        return model.predict(X)
    with no_grad():
        return [_plain(model(x)) for x in X]


def accuracy(model, X, y, loss=None):
    """The fraction of samples the model gets right.

    loss -- how to read the scores, as fit() does: 'hinge' (sign, labels -1/+1), 'bce'
            (logits, decided at 0, labels 0/1), 'mse' (decided at 0 for -1/+1 labels, 0.5
            for 0/1), 'cross_entropy' (largest score), a loss function (judged from the
            labels, as fit judges it). None: from the labels, when they
            leave no doubt: -1/+1, class indices or one-hot rows, or 0/1 for a model whose
            output is a sigmoid or step. Labels that do not fit are a ValueError, never a
            number judged by the wrong rule.

    >>> accuracy(model, *nn.data.moons(100, seed=0))      # labels -1/+1
    """
    X, y = _check_data(model, X, y)
    if loss is None:
        rule = _rule_from_labels(model, y)
        if rule is None:
            labels = sorted({repr(t) for t in y})[:5]
            hint = (" (0/1 labels: say how the scores are read: loss='bce' for logits "
                    "decided at 0, loss='mse' for outputs decided at 0.5)"
                    if all(map(_is_number, y)) and set(y) <= {0, 1} else '')
            raise ValueError(f"accuracy cannot tell the rule for labels {', '.join(labels)}"
                             f"{hint}")
    else:
        _, _, rule = _loss(loss, model, y)  # the labels must suit the loss, as fit checks
        if rule is None:
            raise ValueError(f"accuracy has no meaning for these targets with loss={loss!r:.60}")
    return sum(rule(s, t) for s, t in zip(_scores(model, X), y)) / len(y)


# ---- a History from plain data (nn.load_checkpoint)


def _history_from(data):
    if not isinstance(data, dict):
        raise ValueError(f"history must be a dict, got {type(data).__name__}")
    names = {f.name for f in fields(History)}
    if isinstance(data.get('train_losses'), list):  # a file from before validation=
        data = {**{k: [None] * len(data['train_losses']) for k in SINCE_VALIDATION}, **data}
    missing = sorted(names - set(data))
    unknown = sorted(set(data) - names)
    if missing or unknown:
        raise ValueError(f"history: {'lacks ' + ', '.join(missing) if missing else ''}"
                         f"{'; ' if missing and unknown else ''}"
                         f"{'unknown ' + ', '.join(unknown) if unknown else ''}")
    h = History()
    counts = {'updates': None, 'epochs': None}
    for name in counts:
        counts[name] = _history_whole(data[name], f'history.{name}')
    per_update = {'losses': False, 'accuracies': True}
    per_epoch = {'running_losses': False, 'running_accuracies': True,
                 'train_losses': True, 'train_accuracies': True,
                 'validation_losses': True, 'validation_accuracies': True}
    for name, may_be_none in per_update.items():
        setattr(h, name, _numbers(data[name], f'history.{name}', counts['updates'],
                                  may_be_none))
    for name, may_be_none in per_epoch.items():
        setattr(h, name, _numbers(data[name], f'history.{name}', counts['epochs'],
                                  may_be_none))
    h.epoch_ends = [_history_whole(v, f'history.epoch_ends[{i}]')
                    for i, v in enumerate(_list(data['epoch_ends'], 'history.epoch_ends',
                                                counts['epochs']))]
    h.updates, h.epochs = counts['updates'], counts['epochs']
    h.seed = _history_whole(data['seed'], 'history.seed')
    if not isinstance(data['stopped_early'], bool):
        raise ValueError(f"history.stopped_early must be true or false, got "
                         f"{data['stopped_early']!r:.40}")
    h.stopped_early = data['stopped_early']
    h.unfinished = _unfinished(data['unfinished'])
    return h


def _history_whole(x, what):
    if isinstance(x, bool) or not isinstance(x, Integral) or x < 0:
        raise ValueError(f"{what} must be a whole number >= 0, got {x!r:.40}")
    return operator.index(x)


def _list(x, what, n):
    if not isinstance(x, list) or len(x) != n:
        got = f"{len(x)} entries" if isinstance(x, list) else type(x).__name__
        raise ValueError(f"{what} must be a list of {n!r:.20} entries, got {got}")
    return x


def _numbers(x, what, n, may_be_none):
    out = []
    for i, v in enumerate(_list(x, what, n)):
        if v is None and may_be_none:
            out.append(None)
            continue
        if isinstance(v, bool) or not isinstance(v, Real):
            raise ValueError(f"{what}[{i}] must be a number, got {v!r:.40}")
        try:
            out.append(as_real(v, f"{what}[{i}]"))
        except (TypeError, ValueError) as err:
            raise ValueError(str(err)) from None
    return out


def _unfinished(x):
    if x is None:
        return None
    keys = ('samples', 'batch_size', 'done', 'loss_sum', 'seen', 'right', 'judged')
    if not isinstance(x, dict) or sorted(x) != sorted(keys):
        raise ValueError(f"history.unfinished must be null or a dict of {', '.join(keys)}")
    out = {}
    for k in keys:
        v = x[k]
        if k == 'loss_sum':
            out[k] = _numbers([v], 'history.unfinished.loss_sum', 1, False)[0]
        elif k == 'batch_size' and v is None:
            out[k] = None
        else:
            out[k] = _history_whole(v, f'history.unfinished.{k}')
    per_batch = out['batch_size'] or out['samples']
    batches_in_epoch = -(-out['samples'] // per_batch) if per_batch else 0
    if not (1 <= out['done'] <= batches_in_epoch and 1 <= out['seen'] <= out['samples']
            and out['right'] <= out['judged'] <= out['seen']):
        raise ValueError("history.unfinished does not describe part of an epoch (its "
                         "counts of batches, samples and right answers disagree)")
    return out
