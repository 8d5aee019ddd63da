"""Optimizers: turn gradients into parameter updates (the numbers PyTorch's give).

    SGD   v = momentum * v + g                p -= lr * v       (v = g when momentum = 0)
    Adam  m = b1 m + (1 - b1) g   s = b2 s + (1 - b2) g^2
          p -= lr * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)

`lr` is a number or a schedule: a function of the update count k = 0, 1, 2, ...
micrograd's demo decays it with  lr = lambda k: 1.0 - 0.9 * k / 100,  from 1.0 to 0.1
over its 100 steps; it turns negative at step 112, and a step whose lr is not > 0 is refused
(a negative rate would climb the loss). For longer runs write  1.0 - 0.9 * k / steps.

A step is all or nothing: every new value is computed and checked before any parameter,
velocity, moment or the step count is written, so a refused step changes nothing.
`state_dict()` is the optimizer's state as plain data (what a file can hold);
`load_state_dict()` puts it back, so a run can stop and go on exactly.
`descent_path(f, start, 'sgd' | 'adam', steps, lr=...)` runs one on a function of a few
numbers and returns the points it visits (the loss surfaces of notebook 09).

>>> opt = SGD(model.parameters(), lr=0.1)
>>> opt.zero_grad(); loss.backward(); opt.step()
"""

import math

from engine import Value
from engine.numbers import as_real, as_whole


def _positive(x, what):
    x = as_real(x, what)
    if not x > 0:
        raise ValueError(f"{what} must be a positive number, got {x!r}")
    return x


def _check_lr(lr):
    if callable(lr):
        return lr
    try:
        return _positive(lr, 'lr')
    except (TypeError, ValueError):
        raise ValueError(f"lr must be a positive number or a function of the step, "
                         f"got {lr!r:.60}") from None


def _check_fraction(x, what):
    try:
        x = as_real(x, what)
    except TypeError:
        raise ValueError(f"{what} must be a number in [0, 1), got {x!r:.60}") from None
    if not 0.0 <= x < 1.0:
        raise ValueError(f"{what} must be a number in [0, 1), got {x!r}")
    return x


class Optimizer:
    """What every optimizer shares: the parameters, the step count, zero_grad, state."""

    BUFFERS = ()  # names of the per-parameter lists of floats the optimizer keeps

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters")
        first = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__}")
            if p in first:  # it would be updated twice per step
                raise ValueError(f"parameter {i} is parameter {first[p]} again; list each "
                                 f"parameter once")
            first[p] = i
        self.lr = _check_lr(lr)
        self.steps = 0  # updates done so far

    def learning_rate(self):
        """The learning rate the next step() will use."""
        if not callable(self.lr):
            return self.lr
        lr = self.lr(self.steps)
        try:
            return _positive(lr, 'lr')
        except (TypeError, ValueError):
            raise ValueError(f"the lr schedule gave {lr!r:.60} at step {self.steps}; a "
                             f"learning rate must be a positive finite number") from None

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0

    def _checked(self, new):
        """The new parameter values, if every one is finite; else nothing is written."""
        for i, x in enumerate(new):
            if x - x != 0.0:  # nan or inf: refuse, never store a silent wrong number
                p = self.params[i]
                raise OverflowError(f"{type(self).__name__} step {self.steps}: parameter {i} "
                                    f"would become {x} (gradient {p.grad}); nothing was "
                                    f"changed; the learning rate may be too large")
        return new

    def _write(self, new, **buffers):
        """Write a step's results: parameters, buffers, then the step count."""
        for p, x in zip(self.params, new):
            p.data = x
        for name, values in buffers.items():
            setattr(self, name, values)
        self.steps += 1

    # ---- state as plain data

    def _settings(self):
        return {}

    def state_dict(self):
        """The optimizer's state as plain data (JSON-ready): its kind, settings, step count
        and one list per buffer, in parameter order. A schedule lr is stored as None
        (a function is not data): give the function again when you rebuild the optimizer.
        """
        state = {'optimizer': type(self).__name__,
                 'lr': None if callable(self.lr) else self.lr,
                 **self._settings(), 'steps': self.steps}
        for name in self.BUFFERS:
            state[name] = list(getattr(self, name))
        return state

    def load_state_dict(self, state):
        """Take the state made by state_dict(); everything is checked before anything is
        set, and a problem is a ValueError naming the field."""
        if not isinstance(state, dict):
            raise ValueError(f"optimizer state must be a dict, got {type(state).__name__}")
        kind = type(self).__name__
        if state.get('optimizer') != kind:
            raise ValueError(f"optimizer state is for {state.get('optimizer')!r:.40}, "
                             f"not {kind}")
        missing = [k for k in ('lr', 'steps', *self._settings(), *self.BUFFERS)
                   if k not in state]
        if missing:
            raise ValueError(f"optimizer state lacks {', '.join(missing)}")
        lr = state['lr']
        if lr is None:
            if not callable(self.lr):
                raise ValueError("optimizer state lr: the saved run used an lr schedule (a "
                                 "function, not stored); build the optimizer with it again")
            lr = self.lr
        else:
            lr = _field(_positive, lr, 'optimizer state lr')
        steps = _field(as_whole, state['steps'], 'optimizer state steps', least=0)
        settings = self._check_settings(state)
        buffers = {name: _floats(state[name], f'optimizer state {name}', len(self.params))
                   for name in self.BUFFERS}
        self.lr, self.steps = lr, steps
        for name, value in {**settings, **buffers}.items():
            setattr(self, name, value)

    def _check_settings(self, state):
        return {}

    def _describe_lr(self):
        return 'schedule' if callable(self.lr) else self.lr


def _field(check, x, what, **kw):
    """check(x, what, ...) with its TypeError turned into a ValueError: a field is wrong."""
    try:
        return check(x, what, **kw)
    except TypeError as err:
        raise ValueError(str(err)) from None


def _floats(values, what, n):
    if not isinstance(values, list) or len(values) != n:
        got = f"{len(values)} values" if isinstance(values, list) else type(values).__name__
        raise ValueError(f"{what} must be a list of {n} numbers (one per parameter), got {got}")
    out = []
    for i, x in enumerate(values):
        if isinstance(x, bool):
            raise ValueError(f"{what}[{i}] must be a number, got {x!r}")
        out.append(_field(as_real, x, f"{what}[{i}]"))
    return out


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (PyTorch's formulation).

    >>> opt = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
    """

    BUFFERS = ('velocity',)

    def __init__(self, params, lr=0.1, momentum=0.0):
        super().__init__(params, lr)
        self.momentum = _check_fraction(momentum, 'momentum')
        self.velocity = [0.0] * len(self.params)

    def step(self):
        lr, mu = self.learning_rate(), self.momentum
        grads = [p.grad for p in self.params]
        if not mu:
            velocity = self.velocity
            moves = grads
        elif self.steps == 0:
            velocity = moves = grads                                            # v = g
        else:
            velocity = moves = [mu * v + g for v, g in zip(self.velocity, grads)]  # v = mu v + g
        new = self._checked([p.data - lr * v for p, v in zip(self.params, moves)])  # p -= lr v
        self._write(new, velocity=velocity)

    def _settings(self):
        return {'momentum': self.momentum}

    def _check_settings(self, state):
        return {'momentum': _check_fraction(state['momentum'], 'optimizer state momentum')}

    def __repr__(self):
        return f"SGD(lr={self._describe_lr()}, momentum={self.momentum})"


class Adam(Optimizer):
    """Adam: a running mean of gradients (m) over a running mean of their squares (s),
    both corrected for starting at 0. Each parameter gets its own step size.

    >>> opt = Adam(model.parameters(), lr=0.01)
    """

    BUFFERS = ('m', 's')

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.betas = _check_betas(betas, 'betas')
        self.eps = _check_eps(eps, 'eps')
        self.m = [0.0] * len(self.params)
        self.s = [0.0] * len(self.params)

    def step(self):
        lr = self.learning_rate()
        b1, b2 = self.betas
        t = self.steps + 1
        step_size = lr / (1.0 - b1 ** t)            # lr / (1 - b1^t)
        root_correction = math.sqrt(1.0 - b2 ** t)  # sqrt(1 - b2^t)
        grads = [p.grad for p in self.params]
        m = [b1 * mi + (1.0 - b1) * g for mi, g in zip(self.m, grads)]
        s = [b2 * si + (1.0 - b2) * g * g for si, g in zip(self.s, grads)]
        new = self._checked([p.data - step_size * mi / (math.sqrt(si) / root_correction
                                                        + self.eps)
                             for p, mi, si in zip(self.params, m, s)])
        self._write(new, m=m, s=s)

    def _settings(self):
        return {'betas': list(self.betas), 'eps': self.eps}

    def _check_settings(self, state):
        return {'betas': _check_betas(state['betas'], 'optimizer state betas'),
                'eps': _check_eps(state['eps'], 'optimizer state eps')}

    def __repr__(self):
        return f"Adam(lr={self._describe_lr()}, betas={self.betas}, eps={self.eps})"


def _check_betas(betas, what):
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a pair of numbers, got {betas!r:.60}") from None
    return (_check_fraction(b1, f'{what}[0]'), _check_fraction(b2, f'{what}[1]'))


def _check_eps(eps, what):
    try:
        return _positive(eps, what)
    except TypeError:
        raise ValueError(f"{what} must be a positive number, got {eps!r:.60}") from None


# ---- an optimizer let loose on a function of a few numbers (the notebooks' loss surfaces)

OPTIMIZERS = {'sgd': SGD, 'adam': Adam}


def descent_path(f, start, optimizer='sgd', steps=50, **settings):
    """The points an optimizer visits while it minimises f, the start first.

        p_0 = start,   p_k+1 = one step of the optimizer from p_k with the gradient of f at p_k

    f takes one Value per coordinate and returns a Value built from them (f(x, y) for a
    surface); each step evaluates f at the current point, calls backward() and step().
    optimizer is 'sgd', 'adam' or an nn.optim class; settings go to it as they are (lr,
    momentum, betas, eps). Returns steps + 1 tuples of floats.

    >>> path = descent_path(lambda x, y: x * x + 10 * y * y, (-1.5, 0.8), lr=0.05, steps=40)
    >>> path[0], path[-1]                   # from (-1.5, 0.8) to close to (0, 0)
    """
    if not callable(f):
        raise TypeError(f"descent_path needs a function of Values, got {type(f).__name__}")
    try:
        start = tuple(start)
    except TypeError:
        raise TypeError(f"start must be a sequence of numbers, one per coordinate, got "
                        f"{type(start).__name__}") from None
    if not start:
        raise ValueError("start must hold at least one coordinate")
    point = tuple(as_real(x, f'start[{i}]') for i, x in enumerate(start))
    steps = as_whole(steps, 'steps', least=0)
    kind = OPTIMIZERS.get(optimizer) if isinstance(optimizer, str) else optimizer
    if not (isinstance(kind, type) and issubclass(kind, Optimizer)):
        raise ValueError(f"unknown optimizer {optimizer!r:.40}; choose 'sgd' or 'adam' or "
                         f"pass an nn.optim class such as nn.optim.SGD")
    params = [Value(x) for x in point]
    opt = kind(params, **settings)
    path = [point]
    for k in range(steps):
        try:
            loss = f(*params)
            if not isinstance(loss, Value):
                raise TypeError(f"f must return a Value built from its arguments (write it "
                                f"with Value ops), got {type(loss).__name__}")
            opt.zero_grad()
            loss.backward()
            opt.step()
        except (OverflowError, ValueError, FloatingPointError) as err:
            raise type(err)(f"descent_path: step {k + 1} from {path[-1]}: {err}") from None
        path.append(tuple(p.data for p in params))
    return path
