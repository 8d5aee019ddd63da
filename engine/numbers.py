"""What counts as a number, written once for all of engine and nn.

The rule:

- a **real number** is anything Python registers as `numbers.Real`: int, float,
  fractions.Fraction, numpy's floats and integers, and bool (True is 1.0, False is 0.0,
  as in micrograd and PyTorch). It becomes a float, so it must fit one, and it must be
  finite unless the caller says otherwise;
- a **whole number** (a size, a count, an epoch number) is a `numbers.Integral` other
  than bool (`MLP(True, ...)` is a mistake, not a network with one input), kept as a
  Python int;
- anything else (a string, a list, a numpy array, a Value from another library) is a
  TypeError that names what was given.

>>> as_real(Fraction(1, 4), 'lr')
0.25
>>> as_whole(numpy.int64(3), 'epochs', least=1)
3
"""

import math
import operator
from numbers import Integral, Real

__all__ = ['as_real', 'as_whole', 'describe']


def describe(x):
    """A short name for what x is, for error messages: 'str '3'', 'a micrograd Value'."""
    kind = type(x)
    module = getattr(kind, '__module__', '') or ''
    if module.split('.')[0] == 'micrograd':
        return f"a micrograd {kind.__name__} (scalargrad and micrograd nodes do not mix)"
    text = repr(x)
    if len(text) > 60:
        text = text[:57] + '...'
    return f"{kind.__name__} {text}"


def as_real(x, what, finite=True):
    """x as a float, or a clear error that starts with `what` (the name the user knows).

    >>> as_real(True, 'data')
    1.0
    """
    if type(x) is float:
        value = x
    elif isinstance(x, Real):
        try:
            value = float(x)
        except OverflowError:
            raise ValueError(f"{what}: {describe(x)} is too large for a float") from None
    else:
        raise TypeError(f"{what} needs a real number, got {describe(x)}")
    if finite and value - value != 0.0:  # true only for nan and +-inf
        raise ValueError(f"{what} needs a finite number, got {value}")
    return value


def as_whole(x, what, least=None):
    """x as an int when it is a whole number (and at least `least`), else a clear error.

    >>> as_whole(3, 'hidden size', least=1)
    3
    """
    if isinstance(x, bool) or not isinstance(x, Integral):
        if isinstance(x, float) and x.is_integer():
            hint = f" (write {int(x)}, not {x})" if math.isfinite(x) else ''
        else:
            hint = ''
        raise TypeError(f"{what} needs a whole number, got {describe(x)}{hint}")
    value = operator.index(x)
    if least is not None and value < least:
        raise ValueError(f"{what} must be at least {least}, got {value}")
    return value
