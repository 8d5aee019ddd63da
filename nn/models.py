"""Neuron, Layer and MLP: micrograd's models, with named activations and fused neurons.

A neuron computes  act(b + w0*x0 + w1*x1 + ...).  A layer is neurons side by side, all
reading the same inputs; an MLP is layers one after another.

With the defaults these are micrograd's models, number for number: ReLU hidden layers, a
linear output layer, weights uniform in [-1, 1] drawn from Python's global `random` in the
same order, zero biases. Pass `seed` to draw from a private generator instead.

>>> model = MLP(2, [16, 16, 1], seed=0)
>>> model([1.0, -2.0])     # a Value: the graph of the whole forward pass hangs below it
"""

import math
from numbers import Integral, Real

from engine import Value
from engine.numbers import as_whole

from .activations import ON_FLOAT, TITLES, apply, check_activation, engine_op
from .module import Module
from .seeds import random_source


def _check_size(n, what):
    """n as a Python int >= 1; any whole-number type (numpy's too) is accepted."""
    try:
        return as_whole(n, what, least=1)
    except TypeError:
        raise ValueError(f"{what} must be a positive whole number, got {n!r:.60}") from None
    except ValueError:
        raise ValueError(f"{what} must be a positive whole number, got {n!r:.60}") from None


def _as_inputs(x, nin, who):
    """The inputs as a list or tuple of length nin (a bare number is allowed when nin == 1)."""
    if isinstance(x, (Value, Real)):
        x = (x,)
    elif not isinstance(x, (list, tuple)):
        try:
            x = list(x)
        except TypeError:
            raise TypeError(f"{who} needs a sequence of {nin} inputs, "
                            f"got {type(x).__name__}") from None
    if len(x) != nin:
        raise ValueError(f"{who} takes {nin} input{'s' * (nin != 1)}, got {len(x)}")
    return x


def _plain_number(v, i):
    if isinstance(v, Value):
        return v.data
    if isinstance(v, bool) or not isinstance(v, Real):
        raise TypeError(f"MLP.predict: input {i} holds {type(v).__name__} {v!r:.40}, "
                        f"not a number")
    try:
        x = float(v)
    except OverflowError:
        raise ValueError(f"MLP.predict: input {i} holds {v!r:.40}, too large for a float") \
            from None
    if not math.isfinite(x):  # the graph refuses these too; relu(nan) would give 0.0
        raise ValueError(f"MLP.predict: input {i} holds {x}")
    return x


def _overflowed(sums, layer, neuron):
    """The error for a weighted sum that left the floats, naming the input it came from."""
    i = next(i for i, a in enumerate(sums) if not math.isfinite(a))
    return OverflowError(f"MLP.predict: input {i}: the weighted sum of layer {layer}, "
                         f"neuron {neuron} gave {sums[i]}: the result is not a finite number")


def _prefix_labels(parts, letter):
    """Prefix each part's parameter labels with the part's place: 'w0' -> 'n3.w0'."""
    for j, part in enumerate(parts):
        for p in part.parameters():
            p.label = f'{letter}{j}.{p.label}'


class Neuron(Module):
    """One neuron: act(b + sum_i w_i x_i).

    nin        -- number of inputs (one weight each, uniform in [-1, 1]; bias 0)
    nonlin     -- micrograd's switch: ReLU if True, linear if False
    activation -- 'relu', 'tanh', 'sigmoid', 'step' or 'linear'; overrides nonlin
    fused      -- True: the weighted sum is one Value.dot node; False: one node per * and +
                  (micrograd's graph). Both give the same numbers, bit for bit.
    seed       -- None (global random), an int, or a random.Random to draw weights from

    >>> n = Neuron(2, activation='tanh', seed=1)
    >>> n([0.5, -1.0]).data
    """

    def __init__(self, nin, nonlin=True, activation=None, fused=True, seed=None):
        nin = _check_size(nin, 'nin')
        if activation is None:
            activation = 'relu' if nonlin else 'linear'
        self.activation = activation
        self.fused = bool(fused)
        draw = random_source(seed).uniform
        self.w = [Value(draw(-1, 1), f'w{i}') for i in range(nin)]  # labels show in pictures
        self.b = Value(0.0, 'b')

    @property
    def nin(self):
        return len(self.w)

    @property
    def activation(self):
        """The activation's name; setting it is checked (what forward, save and to_torch
        all read)."""
        return self._activation

    @activation.setter
    def activation(self, name):
        self._activation = check_activation(name)

    @property
    def nonlin(self):
        """micrograd's flag: True unless the activation is 'linear'. Setting it picks
        micrograd's pair: True -> 'relu', False -> 'linear'."""
        return self._activation != 'linear'

    @nonlin.setter
    def nonlin(self, on):
        self.activation = 'relu' if on else 'linear'

    def __call__(self, x):
        if not isinstance(x, list) or len(x) != len(self.w):  # the common case needs no fixing
            x = _as_inputs(x, len(self.w), 'Neuron')
        if self.fused:
            act = Value.dot(self.w, x, self.b)  # b + w0*x0 + w1*x1 + ..., one node
        else:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)  # micrograd's graph
        return apply(act, self._activation)

    def named_parameters(self):
        return [(f'w.{i}', w) for i, w in enumerate(self.w)] + [('b', self.b)]

    def __repr__(self):
        return f"{TITLES[self.activation]}Neuron({len(self.w)})"


class Layer(Module):
    """nout neurons reading the same nin inputs. Returns a list of Values (one Value when
    the layer has a single neuron, as micrograd does).

    >>> Layer(3, 4, activation='tanh', seed=0)([1.0, 2.0, 3.0])    # four Values
    """

    def __init__(self, nin, nout, nonlin=True, activation=None, fused=True, seed=None):
        nout = _check_size(nout, 'nout')
        rng = random_source(seed)  # one stream for the whole layer
        self.neurons = [Neuron(nin, nonlin, activation, fused, rng) for _ in range(nout)]
        _prefix_labels(self.neurons, 'n')  # w0 of neuron 3 becomes n3.w0

    @property
    def nin(self):
        return self.neurons[0].nin

    @property
    def fused(self):
        return all(n.fused for n in self.neurons)

    @fused.setter
    def fused(self, on):
        for n in self.neurons:
            n.fused = bool(on)

    def forward(self, x):
        """The outputs as a list, always (even for one neuron)."""
        if type(x) is not list or len(x) != len(self.neurons[0].w):
            x = _as_inputs(x, len(self.neurons[0].w), 'Layer')
        neurons = self.neurons
        kinds = {n._activation if n.fused else None for n in neurons}
        if len(kinds) == 1 and None not in kinds:  # all fused, one activation: one call
            return Value.dots([n.w for n in neurons], x, [n.b for n in neurons],
                              engine_op(neurons[0]._activation))  # the inputs checked once
        if not all(n.fused for n in neurons):
            x = Value.inputs(x)  # checked once here, not once per neuron
            return [n(x) for n in neurons]
        sums = Value.dots([n.w for n in neurons], x, [n.b for n in neurons])
        return [apply(s, n._activation) for s, n in zip(sums, neurons)]

    def __call__(self, x):
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def named_parameters(self):
        return [(f'neurons.{i}.{name}', p) for i, n in enumerate(self.neurons)
                for name, p in n.named_parameters()]

    def __repr__(self):
        n = self.neurons[0]
        return f"Layer({n.nin}, {len(self.neurons)}, activation={n.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: Layer(nin, nouts[0]), Layer(nouts[0], nouts[1]), ...

    Hidden layers use `activation`, the last one `output_activation`. A model with one
    output returns a Value, otherwise a list of Values. `predict` is the fast path: plain
    floats, no graph, the same numbers.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> model([1.0, -2.0]).data == model.predict([[1.0, -2.0]])[0]
    True
    """

    def __init__(self, nin, nouts, activation='relu', output_activation='linear', seed=None,
                 fused=True):
        nin = _check_size(nin, 'nin')
        if isinstance(nouts, Integral) or not hasattr(nouts, '__iter__'):
            raise TypeError(f"nouts must be a list of layer sizes such as [16, 16, 1], "
                            f"got {nouts!r}")
        nouts = [_check_size(n, 'each layer size in nouts') for n in nouts]
        if not nouts:
            raise ValueError("nouts must name at least one layer, e.g. [1]")
        check_activation(activation)
        check_activation(output_activation)
        rng = random_source(seed)
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1],
                             activation=activation if i < last else output_activation,
                             fused=fused, seed=rng)
                       for i in range(len(nouts))]
        _prefix_labels(self.layers, 'L')  # and L1.n3.w0 in layer 1
        self.nin = nin
        self.nouts = nouts
        self.activation = activation
        self.output_activation = output_activation

    @property
    def fused(self):
        return all(layer.fused for layer in self.layers)

    @fused.setter
    def fused(self, on):
        for layer in self.layers:
            layer.fused = on

    def __call__(self, x):
        x = _as_inputs(x, self.nin, 'MLP')
        for layer in self.layers:
            x = layer.forward(x)
        return x[0] if len(x) == 1 else x

    def predict(self, X):
        """Outputs for a list of inputs, computed with plain floats (no graph, much faster).

        Returns one float per input for a one-output model, else one list per input.
        Each sum is taken in the graph's order, so the numbers equal model(x) exactly.
        Like the graph, it refuses nan or inf inputs (ValueError) and a weighted sum that
        overflows (OverflowError), rather than return a wrong number.
        """
        rows = []
        for i, x in enumerate(X):
            if type(x) is not list or len(x) != self.nin:
                x = _as_inputs(x, self.nin, f'MLP.predict: input {i}')
            rows.append([_plain_number(v, i) for v in x])
        if not rows:
            return []
        n = len(rows)
        cols = [list(c) for c in zip(*rows)]  # one list per feature: a whole batch at once
        for li, layer in enumerate(self.layers):
            out = []
            for j, neuron in enumerate(layer.neurons):
                acc = [neuron.b.data] * n
                for w, col in zip(neuron.w, cols):  # acc += w * x, in the graph's order
                    wd = w.data
                    acc = [a + wd * c for a, c in zip(acc, col)]
                total = sum(acc)  # nan or inf if any sum is (cheap; then look closer)
                if total - total != 0.0 and not all(map(math.isfinite, acc)):
                    raise _overflowed(acc, li, j)  # as the graph's dot node refuses it
                if neuron.activation == 'relu':
                    acc = [a if a > 0.0 else 0.0 for a in acc]
                elif neuron.activation != 'linear':
                    acc = list(map(ON_FLOAT[neuron.activation], acc))
                out.append(acc)
            cols = out
        return cols[0] if len(cols) == 1 else [list(r) for r in zip(*cols)]

    def named_parameters(self):
        return [(f'layers.{i}.{name}', p) for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters()]

    def __repr__(self):
        extra = '' if self.fused else ', fused=False'
        return (f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r}{extra})")
