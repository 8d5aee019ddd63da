"""Check autograd against finite differences, with a verdict you can assert.

>>> assert gradcheck(lambda a, b: (a * b).tanh(), [0.5, -1.2])
>>> gradcheck(lambda a: a * a, [3.0]).checks[0].analytic
6.0
"""

from dataclasses import dataclass

from .numbers import as_real
from .value import Value, no_grad, topological_order


@dataclass(frozen=True)
class InputCheck:
    """For one input: the autograd derivative, the numerical one, and whether they agree.

    error is |analytic - numeric|; the check passes when error <= atol + rtol * |numeric|.
    """

    analytic: float
    numeric: float
    error: float
    tolerance: float

    @property
    def passed(self):
        return self.error <= self.tolerance


class GradcheckError(AssertionError):
    """Raised by gradcheck(..., raise_exception=True) when an input's derivative is wrong."""


class Gradcheck:
    """gradcheck's verdict: true when every input passes; one InputCheck per input.

    Iterate over it or index it for the per-input details; `worst` is the input whose
    error is largest compared with its tolerance.
    """

    def __init__(self, checks):
        self.checks = tuple(checks)

    def __bool__(self):
        return all(c.passed for c in self.checks)

    def __iter__(self):
        return iter(self.checks)

    def __len__(self):
        return len(self.checks)

    def __getitem__(self, i):
        return self.checks[i]

    @property
    def worst(self):
        """(index, InputCheck) of the input furthest outside (or least inside) tolerance."""
        if not self.checks:
            return None
        return max(enumerate(self.checks), key=lambda ic: ic[1].error - ic[1].tolerance)

    def __repr__(self):
        if not self.checks:
            return 'Gradcheck(no inputs)'
        if self:
            return f"Gradcheck(passed: {len(self.checks)} inputs agree with finite differences)"
        i, c = self.worst
        return (f"Gradcheck(FAILED: input {i}: backward() gives {c.analytic!r}, finite "
                f"differences give {c.numeric!r}; difference {c.error:.3g} > tolerance "
                f"{c.tolerance:.3g})")

    __str__ = __repr__


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False):
    """Compare d f / d input_i from backward() with a central difference.

    f takes one Value per input and returns a Value. The numerical derivative is
    (f(x + eps) - f(x - eps)) / (2 eps); input i passes when
    |analytic - numeric| <= atol + rtol * |numeric| (PyTorch's gradcheck defaults:
    eps = 1e-6, atol = 1e-5, rtol = 1e-3). Returns a Gradcheck verdict, true when every
    input passes; with raise_exception=True a failure raises GradcheckError instead.
    Values that f closes over (weights, say) keep the gradients they had before.
    """
    eps = as_real(eps, 'gradcheck: eps')
    atol = as_real(atol, 'gradcheck: atol')
    rtol = as_real(rtol, 'gradcheck: rtol')
    if not eps > 0.0:
        raise ValueError(f"gradcheck: eps must be a small positive number, got {eps!r}")
    if atol < 0.0 or rtol < 0.0:
        raise ValueError(f"gradcheck: atol and rtol must be >= 0, got {atol!r} and {rtol!r}")
    xs = [x.data if isinstance(x, Value) else as_real(x, 'gradcheck: input') for x in inputs]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    mine = set(leaves)
    others = [(node, node.grad) for node in topological_order(out) if node not in mine]
    try:
        out.backward()
    finally:
        for node, grad in others:  # what f closes over keeps its gradients
            node.grad = grad
    checks = []
    with no_grad():
        for i, x in enumerate(xs):
            up = [Value(x + eps) if j == i else Value(v) for j, v in enumerate(xs)]
            down = [Value(x - eps) if j == i else Value(v) for j, v in enumerate(xs)]
            numeric = (f(*up).data - f(*down).data) / (2 * eps)
            analytic = leaves[i].grad
            checks.append(InputCheck(analytic, numeric, abs(analytic - numeric),
                                     atol + rtol * abs(numeric)))
    verdict = Gradcheck(checks)
    if raise_exception and not verdict:
        raise GradcheckError(f"gradcheck: {verdict!r}")
    return verdict
