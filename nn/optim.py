"""Optimizers: turn gradients into parameter updates (the numbers PyTorch's give).

    SGD   v = momentum * v + g                p -= lr * v       (v = g when momentum = 0)
    Adam  m = b1 m + (1 - b1) g   s = b2 s + (1 - b2) g^2
          p -= lr * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)

`lr` is a number or a schedule: a function of the update count k = 0, 1, 2, ...
micrograd's demo decays it with  lr = lambda k: 1.0 - 0.9 * k / 100,  from 1.0 to 0.1
over its 100 steps; it turns negative at step 112, and a step whose lr is not > 0 is refused
(a negative rate would climb the loss). For longer runs write  1.0 - 0.9 * k / steps.

>>> opt = SGD(model.parameters(), lr=0.1)
>>> opt.zero_grad(); loss.backward(); opt.step()
"""

import math
from numbers import Real

from engine import Value


def _check_lr(lr):
    if callable(lr):
        return lr
    if isinstance(lr, bool) or not isinstance(lr, Real) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number or a function of the step, got {lr!r}")
    return float(lr)


def _check_fraction(x, what):
    if isinstance(x, bool) or not isinstance(x, Real) or not 0.0 <= x < 1.0:
        raise ValueError(f"{what} must be a number in [0, 1), got {x!r}")
    return float(x)


class Optimizer:
    """What every optimizer shares: the parameters, the step count, zero_grad."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__}")
        self.lr = _check_lr(lr)
        self.steps = 0  # updates done so far

    def learning_rate(self):
        """The learning rate the next step() will use."""
        if not callable(self.lr):
            return self.lr
        lr = self.lr(self.steps)
        if isinstance(lr, bool) or not isinstance(lr, Real) or not (math.isfinite(lr)
                                                                    and lr > 0):
            raise ValueError(f"the lr schedule gave {lr!r} at step {self.steps}; a learning "
                             f"rate must be a positive finite number")
        return float(lr)

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0

    def _set(self, i, p, new):
        if new - new != 0.0:  # nan or inf: refuse, never store a silent wrong number
            raise OverflowError(f"{type(self).__name__} step {self.steps}: parameter {i} "
                                f"became {new} (gradient {p.grad}); the learning rate may be "
                                f"too large")
        p.data = new


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (PyTorch's formulation).

    >>> opt = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
    """

    def __init__(self, params, lr=0.1, momentum=0.0):
        super().__init__(params, lr)
        self.momentum = _check_fraction(momentum, 'momentum')
        self.velocity = [0.0] * len(self.params)

    def step(self):
        lr, mu = self.learning_rate(), self.momentum
        for i, p in enumerate(self.params):
            if mu:
                v = p.grad if self.steps == 0 else mu * self.velocity[i] + p.grad
                self.velocity[i] = v
            else:
                v = p.grad
            self._set(i, p, p.data - lr * v)  # p -= lr * v
        self.steps += 1

    def __repr__(self):
        lr = 'schedule' if callable(self.lr) else self.lr
        return f"SGD(lr={lr}, momentum={self.momentum})"


class Adam(Optimizer):
    """Adam: a running mean of gradients (m) over a running mean of their squares (s),
    both corrected for starting at 0. Each parameter gets its own step size.

    >>> opt = Adam(model.parameters(), lr=0.01)
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of numbers, got {betas!r}") from None
        self.betas = (_check_fraction(b1, 'betas[0]'), _check_fraction(b2, 'betas[1]'))
        if isinstance(eps, bool) or not isinstance(eps, Real) or not eps > 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.eps = float(eps)
        self.m = [0.0] * len(self.params)
        self.s = [0.0] * len(self.params)

    def step(self):
        lr = self.learning_rate()
        b1, b2 = self.betas
        t = self.steps + 1
        step_size = lr / (1.0 - b1 ** t)          # lr / (1 - b1^t)
        root_correction = math.sqrt(1.0 - b2 ** t)  # sqrt(1 - b2^t)
        for i, p in enumerate(self.params):
            g = p.grad
            m = self.m[i] = b1 * self.m[i] + (1.0 - b1) * g
            s = self.s[i] = b2 * self.s[i] + (1.0 - b2) * g * g
            self._set(i, p, p.data - step_size * m / (math.sqrt(s) / root_correction + self.eps))
        self.steps += 1

    def __repr__(self):
        lr = 'schedule' if callable(self.lr) else self.lr
        return f"Adam(lr={lr}, betas={self.betas}, eps={self.eps})"
