"""Activation functions by name: on Values (in the graph) and on plain floats (fast path).

    relu(x)    = max(x, 0)             relu'(x)    = 1 if x > 0 else 0
    tanh(x)    = (e^x - e^-x)/(e^x + e^-x)   tanh'(x) = 1 - tanh(x)^2
    sigmoid(x) = 1 / (1 + e^-x)        sigmoid'(x) = s(x) (1 - s(x))
    step(x)    = 1 if x >= 0 else 0    step'(x)    = 0 (wherever it exists)
    linear(x)  = x                     linear'(x)  = 1

The derivatives are not written here a second time: derivative() reads them off the
engine's ops (engine/value.py is the one derivative table).

>>> apply(Value(-2.0), 'relu').data, apply_float(-2.0, 'relu')
(0.0, 0.0)
"""

import math

from engine import Value, enable_grad

ACTIVATIONS = ('relu', 'tanh', 'sigmoid', 'step', 'linear')

# The op on a Value, one engine method each ('linear' is no op at all), looked up by name
# at each call (so engine.record, which watches Value's methods, sees it).
_ON_VALUE = {'relu': 'relu', 'tanh': 'tanh', 'sigmoid': 'sigmoid', 'step': 'step',
             'linear': None}

# Display names, as in micrograd's "ReLUNeuron(2)".
TITLES = {'relu': 'ReLU', 'tanh': 'Tanh', 'sigmoid': 'Sigmoid', 'step': 'Step',
          'linear': 'Linear'}


def check_activation(name):
    """Return `name` if it is a known activation, else raise a ValueError listing them."""
    if name not in _ON_VALUE:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def engine_op(name):
    """The name of the engine's op for an activation (None for 'linear': no op at all)."""
    return _ON_VALUE[name]


def apply(v, name):
    """name(v) as a graph node (the Value itself for 'linear')."""
    op = _ON_VALUE[name]
    return v if op is None else getattr(v, op)()


# ---- the same functions on plain floats: bit-for-bit the numbers the Value ops compute

def _relu(x):
    return x if x > 0.0 else 0.0


def _sigmoid(x):
    if x >= 0.0:  # written so that e^... never overflows, exactly as Value.sigmoid
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _step(x):
    return 1.0 if x >= 0.0 else 0.0


def _linear(x):
    return x


ON_FLOAT = {'relu': _relu, 'tanh': math.tanh, 'sigmoid': _sigmoid, 'step': _step,
            'linear': _linear}


def apply_float(x, name):
    """name(x) on a plain float, no graph."""
    return ON_FLOAT[name](x)


def derivative(x, name):
    """d name(x) / dx on a plain float: the local derivative the engine's own op stores
    (so a plot of it can never disagree with what backward multiplies by)."""
    op = _ON_VALUE[check_activation(name)]
    if op is None:  # linear: no op, the identity's slope
        return 1.0
    with enable_grad():  # the local derivative is recorded only with the graph
        return getattr(Value(x), op)()._local[0]
