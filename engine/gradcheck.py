"""Check autograd against finite differences.

>>> gradcheck(lambda a, b: (a * b).tanh(), [0.5, -1.2])   # a list with one row per input
"""

from dataclasses import dataclass

from .value import Value, no_grad


@dataclass(frozen=True)
class InputCheck:
    """For one input: the autograd derivative, the numerical one, and their relative error."""

    analytic: float
    numeric: float
    error: float


def gradcheck(f, inputs, eps=1e-6):
    """Compare d f / d input_i from backward() with a central difference.

    f takes one Value per input and returns a Value. The numerical derivative is
    (f(x + eps) - f(x - eps)) / (2 eps); error is |analytic - numeric| / max(1, |both|).
    Returns one InputCheck per input.
    """
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and eps > 0):
        raise ValueError(f"gradcheck: eps must be a small positive number, got {eps!r}")
    xs = [x.data if isinstance(x, Value) else Value(x).data for x in inputs]  # checked
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()
    checks = []
    with no_grad():
        for i, x in enumerate(xs):
            up = [Value(x + eps) if j == i else Value(v) for j, v in enumerate(xs)]
            down = [Value(x - eps) if j == i else Value(v) for j, v in enumerate(xs)]
            numeric = (f(*up).data - f(*down).data) / (2 * eps)
            analytic = leaves[i].grad
            scale = max(1.0, abs(analytic), abs(numeric))
            checks.append(InputCheck(analytic, numeric, abs(analytic - numeric) / scale))
    return checks
