"""The Value node: a scalar that remembers how it was made.

Every op computes its result *and* its local derivatives d(out)/d(child), one per
child, at forward time, and stores them on the new node. Backward is then the chain
rule applied in reverse topological order:

    child.grad += local * node.grad

>>> a, b = Value(2.0, 'a'), Value(-3.0, 'b')
>>> c = a * b + a
>>> c.backward(); (a.grad, b.grad)
(-2.0, 2.0)
"""

import math
from itertools import repeat
from numbers import Real

_grad_enabled = True  # flipped by no_grad(); when False, nodes keep no children

_ONE = (1.0,)
_ONES = (1.0, 1.0)
_ZERO = (0.0,)


def _as_float(x, what='Value'):
    """Turn a user-supplied real number into a float, or say clearly why not."""
    if type(x) is float and x - x == 0.0:  # the common case, checked first
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} needs a real number, got {type(x).__name__} {x!r:.60}")
    try:
        x = float(x)
    except OverflowError:
        raise OverflowError(f"{what}: {x!r:.40} is too large for a float") from None
    if x - x != 0.0:  # true only for nan and +-inf
        raise ValueError(f"{what} needs a finite number, got {x}")
    return x


class Value:
    """A scalar in a computation graph.

    data   -- the number (a float)
    grad   -- d(root)/d(this node), filled in by backward() (a float, 0.0 until then)
    label  -- an optional name, shown in pictures
    _prev  -- the children this node was computed from (ordered tuple)
    _local -- the local derivatives d(this)/d(child), one per child
    _op    -- the name of the op that made this node ('' for a leaf)
    """

    __slots__ = ('data', 'grad', 'label', '_prev', '_local', '_op')

    def __init__(self, data, label='', _prev=(), _local=(), _op=''):
        if type(data) is not float:
            data = _as_float(data)
        elif data - data != 0.0:  # nan or inf: never carry a silent wrong number
            _refuse_non_finite(data, _op, _prev)
        self.data = data
        self.grad = 0.0
        self.label = label
        if _grad_enabled:
            self._prev = _prev
            self._local = _local
        else:
            self._prev = ()
            self._local = ()
        self._op = _op

    # ---- the derivative table: one op per method, output and local derivatives side by side

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, '', (self, other), _ONES, '+')  # d/da = d/db = 1

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, '', (self, other), (other.data, self.data), '*')

    def __pow__(self, other):
        if isinstance(other, Value):  # a ** b with both in the graph
            a, b = self.data, other.data
            out = _power(a, b)
            if a <= 0.0:
                raise ValueError(
                    f"'**': the gradient of a ** b with respect to b is log(a) * a ** b, which "
                    f"needs a > 0, got a = {a}; use a plain number as the exponent instead")
            return Value(out, '', (self, other), (_power_slope(a, b), out * math.log(a)), '**')
        b = _as_float(other, "'**' exponent")
        return Value(_power(self.data, b), '', (self,), (_power_slope(self.data, b),),
                     f'**{other}')

    def exp(self):
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data}) overflows a float (largest input is about "
                                f"709.78)") from None
        return Value(out, '', (self,), (out,), 'exp')  # d/dx e^x = e^x

    def log(self):
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log({x}): the logarithm needs a positive number")
        slope = 1.0 / x  # d/dx ln x = 1/x
        if slope - slope != 0.0:
            raise OverflowError(f"log({x}): the derivative 1/x is too large for a float")
        return Value(math.log(x), '', (self,), (slope,), 'log')

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh saturates to +-1, it never overflows
        return Value(t, '', (self,), (1.0 - t * t,), 'tanh')  # d/dx tanh x = 1 - tanh^2 x

    def sigmoid(self):
        x = self.data
        if x >= 0.0:  # 1 / (1 + e^-x), written so that e^... never overflows
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, '', (self,), (s * (1.0 - s),), 'sigmoid')  # s' = s (1 - s)

    def relu(self):
        x = self.data
        if x > 0.0:
            return Value(x, '', (self,), _ONE, 'ReLU')
        return Value(0.0, '', (self,), _ZERO, 'ReLU')

    def step(self):
        """Heaviside step: 1 if x >= 0 else 0. Its derivative is 0 wherever it exists."""
        return Value(1.0 if self.data >= 0.0 else 0.0, '', (self,), _ZERO, 'step')

    # ---- derived ops, built from the ones above (as micrograd does)

    def __neg__(self):  # -self
        return self * -1

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):  # self - other
        if not isinstance(other, Value):
            other = _as_float(other, "'-'")
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return other + (-self)

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        if not isinstance(other, Value):
            other = _as_float(other, "'/' divisor")
        if (other.data if isinstance(other, Value) else other) == 0.0:
            raise ZeroDivisionError(f"'/': division of {self.data} by zero")
        return self * other ** -1

    def __rtruediv__(self, other):  # other / self
        other = _as_float(other, "'/' dividend")
        if self.data == 0.0:
            raise ZeroDivisionError(f"'/': division of {other} by zero")
        return other * self ** -1

    def __rpow__(self, other):  # other ** self
        return Value(other) ** self

    # ---- fused n-ary nodes: one node, many children

    @staticmethod
    def sum(values):
        """One node for v0 + v1 + ... (added left to right, like Python's sum)."""
        values = tuple(v if isinstance(v, Value) else Value(v) for v in values)
        total = 0.0
        for v in values:
            total += v.data
        return Value(total, '', values, _ONE * len(values), 'sum')

    @staticmethod
    def dot(weights, inputs, bias=None):
        """One node for bias + w0*x0 + w1*x1 + ... (the sum taken in that order).

        Local derivatives: x_i for w_i, w_i for x_i, 1 for the bias. Plain numbers
        (weights or inputs) are constants: they take part in the sum but are not children.
        """
        weights, inputs = tuple(weights), tuple(inputs)
        if len(weights) != len(inputs):
            raise ValueError(f"Value.dot: {len(weights)} weights but {len(inputs)} inputs")
        if isinstance(bias, Value) and _all_values(weights):  # a neuron: two fast paths
            if _all_values(inputs):  # inputs from the layer below: graph nodes as well
                return _neuron_dot(weights, bias, inputs, [x.data for x in inputs])
            if all(type(x) is float and x - x == 0.0 for x in inputs):  # finite plain data
                return _neuron_dot(weights, bias, (), inputs)
        w_data, w_nodes, x_for_w = _split(weights, inputs, 'Value.dot weight')
        x_data, x_nodes, w_for_x = _split(inputs, weights, 'Value.dot input')
        if bias is None:
            total, bias_part, bias_local = 0.0, (), ()
        elif isinstance(bias, Value):
            total, bias_part, bias_local = bias.data, (bias,), _ONE
        else:
            total, bias_part, bias_local = _as_float(bias, 'Value.dot bias'), (), ()
        for w, x in zip(w_data, x_data):
            total += w * x
        if total - total != 0.0:  # nan or inf: find the culprit for the message
            for v in (*w_data, *x_data):
                _as_float(v, 'Value.dot')
        if x_for_w is None:  # local derivatives: x_i for w_i, w_i for x_i, 1 for the bias
            x_for_w = x_data
        if w_for_x is None:
            w_for_x = w_data
        return Value(total, '', (*w_nodes, *x_nodes, *bias_part),
                     (*x_for_w, *w_for_x, *bias_local), 'dot')

    # ---- backward

    def backward(self):
        """Fill in d(self)/d(node) for every node of the graph below self.

        Leaf gradients accumulate: calling backward() twice without zeroing them doubles
        them, as in PyTorch. Inner nodes get fresh gradients on every call.
        """
        order = topological_order(self)
        for node in order:
            if node._prev:  # inner nodes start from zero on every call
                node.grad = 0.0
        self.grad += 1.0  # d(self)/d(self)
        for node in reversed(order):
            g = node.grad
            if g == 0.0:  # nothing to pass down (say, behind a ReLU that is off): skip
                continue
            for child, local in zip(node._prev, node._local):
                child.grad += local * g

    def _backward(self):
        """Apply this node's own chain-rule step: each child gets local * self.grad."""
        g = self.grad
        for child, local in zip(self._prev, self._local):
            child.grad += local * g

    def __repr__(self):
        name = f"label={self.label!r}, " if self.label else ''
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"


def _all_values(items):
    """True if every item is a Value (map runs isinstance in C: cheaper than a generator)."""
    return all(map(isinstance, items, repeat(Value)))


def _neuron_dot(weights, bias, x_nodes, x_data):
    """Value.dot's fast path: Value weights and bias; x_data the inputs' numbers, x_nodes
    the inputs that are graph nodes (all of them, or none when the inputs are plain data)."""
    w_data = [w.data for w in weights]
    total = bias.data
    for w, x in zip(w_data, x_data):
        total += w * x
    local = (*x_data, *w_data, 1.0) if x_nodes else (*x_data, 1.0)
    return Value(total, '', (*weights, *x_nodes, bias), local, 'dot')


def _split(items, partners, what):
    """For Value.dot: the numbers in items, the Values among them, and their partners' numbers.

    The partners' numbers are None when every item is a Value (then all partners count).
    """
    if _all_values(items):
        return [v.data for v in items], items, None
    if not any(isinstance(v, Value) for v in items):  # plain numbers: constants, no children
        return [v if type(v) is float else _as_float(v, what) for v in items], (), ()
    data = [v.data if isinstance(v, Value) else _as_float(v, what) for v in items]
    keep = [isinstance(v, Value) for v in items]
    nodes = [v for v, k in zip(items, keep) if k]
    partner_data = [p.data if isinstance(p, Value) else _as_float(p, what)
                    for p, k in zip(partners, keep) if k]
    return data, nodes, partner_data


def _power_slope(x, b):
    """d/dx x ** b = b * x ** (b - 1), refused when it is infinite or too large for a float."""
    if b == 0.0:
        return 0.0
    if x == 0.0 and b < 1.0:
        raise ValueError(f"'**': the derivative of x ** {b:g} at x = 0 is infinite")
    try:
        slope = b * x ** (b - 1.0)
    except OverflowError:
        slope = math.inf
    if slope - slope != 0.0:
        raise OverflowError(f"'**': the derivative of x ** {b:g} at x = {x} is too large "
                            f"for a float")
    return slope


def _power(x, b):
    """x ** b for floats, with errors that name the problem."""
    if x == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"'**': 0 ** {b:g} divides by zero")
    if x < 0.0 and b != int(b):
        raise ValueError(f"'**': a negative base ({x}) to a non-integer power ({b}) is not real")
    try:
        return x ** b
    except OverflowError:
        raise OverflowError(f"'**': {x} ** {b} overflows a float") from None


def _refuse_non_finite(data, op, prev):
    if not op:
        raise ValueError(f"Value needs a finite number, got {data}")
    args = ', '.join(repr(c.data) for c in prev[:4]) + (', ...' if len(prev) > 4 else '')
    raise OverflowError(f"'{op}' of ({args}) gave {data}: the result is not a finite number")


def topological_order(root):
    """Every node of root's graph, each one after all of its children (root last).

    Iterative depth-first search, so a graph a million nodes deep is fine. Children are
    visited in their stored order, so the same graph always gives the same order.
    """
    order, expanded, emitted = [], set(), set()
    stack = [root]
    # bound methods, looked up once: this loop runs once or twice per node of the graph
    push, pop, append = stack.append, stack.pop, order.append
    expand, emit = expanded.add, emitted.add
    while stack:
        node = stack[-1]
        if node in expanded:  # second visit: all its children are in `order` by now
            pop()
            if node not in emitted:  # a node can sit on the stack more than once
                emit(node)
                append(node)
        else:  # first visit: put its children on top, leave it for later
            expand(node)
            for child in reversed(node._prev):
                if child not in expanded:
                    push(child)
    return order


class no_grad:
    """Context manager: ops inside it record no graph (no children, no local derivatives).

    >>> with no_grad():
    ...     y = Value(2.0) * 3    # y.data == 6.0, y._prev == ()
    """

    def __enter__(self):
        global _grad_enabled
        self._before = _grad_enabled
        _grad_enabled = False
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._before
        return False


def is_grad_enabled():
    """True unless inside a no_grad() block."""
    return _grad_enabled
