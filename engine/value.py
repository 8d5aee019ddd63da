"""The Value node: a scalar that remembers how it was made.

Every op computes its result *and* its local derivatives d(out)/d(child), one per
child, at forward time, and stores them on the new node. Backward is then the chain
rule applied in reverse topological order:

    child.grad += local * node.grad

>>> a, b = Value(2.0, 'a'), Value(-3.0, 'b')
>>> c = a * b + a
>>> c.backward(); (a.grad, b.grad)
(-2.0, 2.0)

A finite result is never refused. A local derivative that is infinite or not a number
(the slope of sqrt at 0, of log at a tiny input) is stored as it is; backward() reports
it, naming the op and the leaves, only if a non-zero gradient has to pass through it.
"""

import contextvars
import functools
import gc
import math
from itertools import repeat
from numbers import Real
from operator import attrgetter

from .numbers import as_real, describe

# Grad mode is per thread and per async task (a context variable, as PyTorch keeps it per
# thread): no_grad() in one thread never stops another thread's graph from being recorded.
_grad_mode = contextvars.ContextVar('scalargrad_grad_mode', default=True)
_saved_modes = contextvars.ContextVar('scalargrad_saved_grad_modes', default=())
_recording = _grad_mode.get  # looked up once: every op calls it

_ONE = (1.0,)
_ONES = (1.0, 1.0)
_ZERO = (0.0,)
_grad_of = attrgetter('grad')


class _NotRecorded(tuple):
    """The local derivatives of a node made under no_grad(): none, and says why."""

    __slots__ = ()

    def __repr__(self):
        return 'not recorded (made under no_grad)'


_NOT_RECORDED = _NotRecorded()


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

    def __init__(self, data, label='', _prev=(), _local=(), _op='', *, _children=None):
        if type(data) is not float or data - data != 0.0:
            data = _checked_data(data, _op, _prev)
        if type(label) is not str or _children is not None:
            label = _micrograd_form(data, label, _prev, _local, _children)
            _prev, _local = (), ()
        self.data = data
        self.grad = 0.0
        self.label = label
        if _recording():
            self._prev = _prev
            self._local = _local
        else:
            self._prev = ()
            self._local = _NOT_RECORDED if _op else ()
        self._op = _op

    # ---- the derivative table: one op per method, output and local derivatives side by side

    def __add__(self, other):
        if not isinstance(other, Value):
            other = _operand(other, '+')
            if other is NotImplemented:
                return NotImplemented
        return Value(self.data + other.data, '', (self, other), _ONES, '+')  # d/da = d/db = 1

    def __mul__(self, other):
        if not isinstance(other, Value):
            other = _operand(other, '*')
            if other is NotImplemented:
                return NotImplemented
        return Value(self.data * other.data, '', (self, other), (other.data, self.data), '*')

    def __pow__(self, other):
        if isinstance(other, Value):  # a ** b with both in the graph
            a, b = self.data, other.data
            out = _power(a, b)  # d/da = b a^(b-1), d/db = ln(a) a^b
            return Value(out, '', (self, other), (_power_slope(a, b), _exponent_slope(a, out)),
                         '**')
        if not isinstance(other, Real):
            return _not_a_number(other, '**')
        b = as_real(other, "'**' exponent")
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
        return Value(math.log(x), '', (self,), (1.0 / x,), 'log')  # d/dx ln x = 1/x

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
        return Value(0.0, '', (self,), _ZERO, 'ReLU')  # slope 0 at x = 0, as in PyTorch

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
            if not isinstance(other, Real):
                return _not_a_number(other, '-')
            other = as_real(other, "'-'")
        return self + (-other)

    def __rsub__(self, other):  # other - self
        if not isinstance(other, Real):
            return _not_a_number(other, '-')
        return other + (-self)

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        if isinstance(other, Value):
            if other.data == 0.0:
                raise ZeroDivisionError(f"'/': division of {self.data} by zero")
            return self * other ** -1
        if not isinstance(other, Real):
            return _not_a_number(other, '/')
        other = as_real(other, "'/' divisor")
        if other == 0.0:
            raise ZeroDivisionError(f"'/': division of {self.data} by zero")
        try:
            reciprocal = other ** -1
        except OverflowError:
            raise OverflowError(f"'/': {self.data} / {other} is out of a float's range "
                                f"(1 / {other} is too large for a float)") from None
        return self * reciprocal

    def __rtruediv__(self, other):  # other / self
        if not isinstance(other, Real):
            return _not_a_number(other, '/')
        other = as_real(other, "'/' dividend")
        if self.data == 0.0:
            raise ZeroDivisionError(f"'/': division of {other} by zero")
        return other * self ** -1

    def __rpow__(self, other):  # other ** self
        if not isinstance(other, Real):
            return _not_a_number(other, '**')
        return Value(as_real(other, "'**' base")) ** self

    # ---- fused n-ary nodes: one node, many children

    @staticmethod
    def sum(values):
        """One node for v0 + v1 + ... (added left to right, like Python's sum)."""
        values = tuple(v if isinstance(v, Value) else Value(as_real(v, 'Value.sum term'))
                       for v in values)
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
        if type(inputs) is LayerInputs and inputs.data is not None:  # checked by its layer
            return _layer_dots((weights,), (bias,), inputs, inputs.nodes, inputs.data)[0]
        weights, inputs = tuple(weights), tuple(inputs)  # (a length mismatch: _mixed_dot)
        x_nodes, x_data = _read_inputs(inputs)
        if x_data is not None:  # inputs all graph nodes, or all finite floats: the fast path
            return _layer_dots((weights,), (bias,), inputs, x_nodes, x_data)[0]
        return _mixed_dot(weights, inputs, bias)

    @staticmethod
    def dots(rows, inputs, biases, activation=None):
        """A layer's weighted sums, [Value.dot(w, inputs, b) for w, b in zip(rows, biases)],
        with the inputs checked and read once for all the rows (the same nodes, made faster).
        With activation='relu' (or 'tanh', 'sigmoid', 'step') each sum goes through that op
        as well, and the list holds the activation nodes (each over its dot node).

        >>> x = [Value(1.0), Value(2.0)]
        >>> a, b = Value.dots([n.w for n in neurons], x, [n.b for n in neurons])
        """
        if type(rows) is not list:
            rows = list(rows)
        if type(biases) is not list:
            biases = list(biases)
        if len(rows) != len(biases):
            raise ValueError(f"Value.dots: {len(rows)} rows of weights but {len(biases)} "
                             f"biases")
        if activation is not None and activation not in _ACTIVATIONS:
            raise ValueError(f"Value.dots: unknown activation {activation!r}; choose one of "
                             f"{', '.join(_ACTIVATIONS)} (or None for the sums themselves)")
        if type(inputs) is LayerInputs:
            x_nodes, x_data = inputs.nodes, inputs.data
        else:
            if type(inputs) is not list:
                inputs = list(inputs)
            x_nodes, x_data = _read_inputs(inputs)
        if x_data is None:  # a mixture of nodes and numbers: each row the plain way
            sums = [Value.dot(w, inputs, b) for w, b in zip(rows, biases)]
            return sums if activation is None else [getattr(s, activation)() for s in sums]
        return _layer_dots(rows, biases, inputs, x_nodes, x_data, activation)

    @staticmethod
    def inputs(items):
        """A layer's inputs, checked once for all of its neurons: Value.dot(w, x, b) with
        x = Value.inputs(items) skips checking and reading the inputs again per neuron.

        >>> x = Value.inputs([Value(1.0), Value(2.0)])
        >>> outs = [Value.dot(n.w, x, n.b) for n in neurons]
        """
        return LayerInputs(items)

    # ---- backward

    def backward(self):
        """Fill in d(self)/d(node) for every node of the graph below self.

        Leaf gradients accumulate: calling backward() twice without zeroing them doubles
        them, as in PyTorch. Inner nodes get fresh gradients on every call. A gradient that
        comes out infinite or not a number is reported (FloatingPointError), with the op
        it came through. Python's cyclic garbage collector is paused meanwhile (the graph
        has no reference cycles, so it could only walk the nodes) and then put back as it was.
        """
        require_recorded(self)
        paused = gc.isenabled()
        if paused:  # the graph has no cycles: the collector could only walk it (slowly)
            gc.disable()
        try:
            order = topological_order(self)
            for node in order:
                if node._prev:  # inner nodes start from zero on every call
                    node.grad = 0.0
            self.grad += 1.0  # d(self)/d(self)
            chain_rule(reversed(order))
            check_gradients(order)
        finally:
            if paused:
                gc.enable()

    @property
    def _backward(self):
        """This node's own chain-rule step, to call by hand: node._backward()."""
        return functools.partial(chain_rule, (self,))

    @_backward.setter
    def _backward(self, function):
        raise TypeError(_CLOSURE_MESSAGE)

    def __repr__(self):
        name = f"label={self.label!r}, " if self.label else ''
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"


def chain_rule(nodes):
    """The chain rule, one node after another: each child gets local * node.grad added.

    The one place where gradients move: backward(), _backward() and backward_steps() all
    call it. A node whose gradient is 0 passes nothing down (say, behind a ReLU that is
    off), so an infinite local derivative behind it never turns into nan.
    """
    for node in nodes:
        g = node.grad
        if g == 0.0:
            continue
        for child, local in zip(node._prev, node._local):
            child.grad += local * g


def check_gradients(order):
    """After a backward pass over `order`: raise if a gradient came out inf or nan.

    One sum over all gradients (in C), off the per-edge loop; the search for the culprit
    runs only when that sum is not finite.
    """
    total = sum(map(_grad_of, order))
    if total - total != 0.0:
        _report_non_finite(order)


def _report_non_finite(order):
    leaves = [n for n in order if not n._prev and n.grad - n.grad != 0.0]
    if not leaves:  # the sum overflowed, but every gradient is finite
        return
    names = ', '.join(_leaf_name(n) for n in leaves[:3])
    if len(leaves) > 3:
        names += f" and {len(leaves) - 3} more"
    raise FloatingPointError(f"backward(): {_where_it_broke(order)}, so {names} could not get "
                             f"a finite gradient (their grad is now inf or nan)")


def _where_it_broke(order):
    """Words for the first edge, from the root down, where a finite gradient went bad."""
    for node in reversed(order):
        g = node.grad
        if g == 0.0 or g - g != 0.0:
            continue
        for child, local in zip(node._prev, node._local):
            if local - local != 0.0:
                return (f"the local derivative of '{node._op}' with respect to its input "
                        f"{_leaf_name(child)} (data {child.data!r}) is {local}, and a "
                        f"gradient of {g:.4g} has to pass through it")
            share = local * g
            if share - share != 0.0:
                return (f"the gradient passed from '{node._op}' to {_leaf_name(child)} "
                        f"({local:.4g} x {g:.4g}) is too large for a float")
    return "a sum of gradients overflowed"


def _leaf_name(node):
    if node.label:
        return repr(node.label)
    if node._prev:
        return f"the '{node._op}' node"
    return f"the leaf with data {node.data!r}"


def require_recorded(root):
    """Refuse a root computed under no_grad(): it has no graph to pass gradients down."""
    if root._local is _NOT_RECORDED:
        raise RuntimeError(_not_recorded_message(root))


def _not_recorded_message(node):
    return (f"backward() on a '{node._op}' node that was computed under no_grad(): its graph "
            f"was not recorded, so there is nothing to pass gradients to. Compute it outside "
            f"no_grad() (or inside enable_grad()) to train through it")


_CLOSURE_MESSAGE = (
    "scalargrad nodes have no _backward closure to set: each op stores its local derivatives "
    "d(out)/d(child) instead, and backward() applies the chain rule to them. Write an op as a "
    "function that returns Value(out, '', (child,), (d_out_d_child,), 'name'), for example\n"
    "    def sin(x): return Value(math.sin(x.data), '', (x,), (math.cos(x.data),), 'sin')")


def _micrograd_form(data, label, prev, local, children):
    """Value(data, (a, b), '+') and Value(data, _children=...) are micrograd's constructor.

    A leaf made that way is fine (no children: nothing to differentiate); a node with
    children is refused at once, since it has no local derivatives for backward().
    """
    if label is None and children is None:
        return ''
    if children is None:
        if not isinstance(label, (tuple, list, set, frozenset)):
            raise TypeError(f"Value's label must be a string, got {describe(label)}")
        children, op, name = label, prev, local if isinstance(local, str) else ''
    else:
        op, name = '', label
    if children:
        kids = ', '.join('Value' for _ in list(children)[:3])
        raise TypeError(
            f"Value(data, ({kids}), ...) is micrograd's way to make a node, with a "
            f"_backward closure set afterwards. In scalargrad the node stores its local "
            f"derivatives: Value(data, label, _prev=children, _local=derivatives, _op=name), "
            f"for example Value(a.data * b.data, '', (a, b), (b.data, a.data), '*').\n"
            + _CLOSURE_MESSAGE)
    if not isinstance(name, str):
        raise TypeError(f"Value's label must be a string, got {describe(name)}")
    if op != () and not isinstance(op, str):  # () is micrograd's default when no op is given
        raise TypeError(f"in micrograd's form Value(data, children, op, label) the op must be "
                        f"a string, got {describe(op)}")
    return name


def _checked_data(data, op, prev):
    """Value's data as a float: a real number and finite, or a clear error."""
    if type(data) is float:  # nan or inf: never carry a silent wrong number
        _refuse_non_finite(data, op, prev)
    if _is_node(data):
        raise TypeError(f"Value needs a real number, got {describe(data)}; use its .data")
    return as_real(data, 'Value')


def _is_node(x):
    """True for another autograd library's scalar node (micrograd's Value, say)."""
    return hasattr(x, 'data') and hasattr(x, 'grad') and not isinstance(x, Real)


def _operand(x, op):
    """The other operand of a binary op as a Value (a number becomes a constant leaf)."""
    if isinstance(x, Real):
        return Value(as_real(x, f"'{op}'"))
    return _not_a_number(x, op)


def _not_a_number(x, op):
    """NotImplemented for a type the op does not know, so that Python tries the other
    operand's reflected op (numpy's arrays have one) and otherwise names the operator;
    another autograd library's node is refused at once, in words."""
    if _is_node(x):
        raise TypeError(f"'{op}': a scalargrad Value cannot be combined with {describe(x)}; "
                        f"build every node of one graph with the same library")
    return NotImplemented


class LayerInputs(list):
    """What Value.inputs returns: the inputs (a list), their numbers read once (.data), and
    the ones that are graph nodes (.nodes: all of them, or none for plain floats). For a
    mixture, .data is None and Value.dot checks each input as usual. Read it right away:
    the numbers are those of the moment it was made."""

    __slots__ = ('data', 'nodes')

    def __init__(self, items):
        super().__init__(items)
        self.nodes, self.data = _read_inputs(self)


def _read_inputs(items):
    """(nodes, numbers) of a sequence of inputs: (items, their .data) when all are Values,
    ((), items) when all are finite floats, and (None, None) for anything else."""
    data = [v.data for v in items if type(v) is Value]
    if len(data) == len(items):  # the layer below: graph nodes (and their numbers)
        return items, data
    if not data and list(map(type, items)).count(float) == len(items) and all(
            x - x == 0.0 for x in items):  # finite plain floats: constants, no children
        return (), items
    return None, None


_ACTIVATIONS = ('relu', 'tanh', 'sigmoid', 'step')
_new_value = object.__new__


def _layer_dots(rows, biases, inputs, x_nodes, x_data, activation=None):
    """The dot nodes of Value.dot and Value.dots, one per row of weights, over inputs read
    and checked once: x_data their numbers, x_nodes those that are graph nodes (all, or none
    for plain floats). A row of Value weights with a Value bias is summed here and its node
    made without Value()'s generic checks (its numbers are checked on this path); any other
    row goes through _mixed_dot, which checks each weight and words the error."""
    n, out = len(x_data), []
    keep = out.append
    recorded = _recording()
    plain = None if x_nodes else (*x_data, 1.0)  # plain inputs: every row's local derivatives
    relu = activation == 'relu' and recorded
    for w, b in zip(rows, biases):
        kind = type(w)
        w_data = [v.data for v in w if type(v) is Value] if kind is list or kind is tuple \
            else None
        if w_data is None or len(w_data) != n or len(w) != n or type(b) is not Value:
            node = _mixed_dot(tuple(w), tuple(inputs), b)
            total = node.data
        else:
            total = b.data
            for wi, xi in zip(w_data, x_data):  # bias + w0*x0 + w1*x1 + ..., in that order
                total += wi * xi
            prev = (*w, *x_nodes, b)
            local = plain or (*x_data, *w_data, 1.0)  # d/dw (x_i), d/dx (w_i), d/db (1)
            if total - total != 0.0:  # nan or inf: the constructor's error, naming the op
                _refuse_non_finite(total, 'dot', prev)
            if recorded:
                node = _new_value(Value)
                node.data, node.grad, node.label = total, 0.0, ''
                node._prev, node._local, node._op = prev, local, 'dot'
            else:  # under no_grad: a 'dot' node without children, marked as not recorded
                node = Value(total, _op='dot')
        if relu:  # Value.relu's node, made here: its input is a finite float already
            top = _new_value(Value)
            if total > 0.0:
                top.data, top._local = total, _ONE
            else:
                top.data, top._local = 0.0, _ZERO
            top.grad, top.label, top._prev, top._op = 0.0, '', (node,), 'ReLU'
            keep(top)
        elif activation is None:
            keep(node)
        else:
            keep(getattr(node, activation)())
    return out


def _mixed_dot(weights, inputs, bias):
    """Value.dot for any mixture of Values and plain numbers (each one checked)."""
    if len(weights) != len(inputs):
        raise ValueError(f"Value.dot: {len(weights)} weights but {len(inputs)} inputs")
    w_data, w_nodes, x_for_w = _split(weights, inputs, 'Value.dot weight', 'Value.dot input')
    x_data, x_nodes, w_for_x = _split(inputs, weights, 'Value.dot input', 'Value.dot weight')
    if bias is None:
        total, bias_part, bias_local = 0.0, (), ()
    elif isinstance(bias, Value):
        total, bias_part, bias_local = bias.data, (bias,), _ONE
    else:
        total, bias_part, bias_local = as_real(bias, 'Value.dot bias'), (), ()
    for w, x in zip(w_data, x_data):
        total += w * x
    if total - total != 0.0:  # nan or inf: find the culprit for the message
        for v in (*w_data, *x_data):
            as_real(v, 'Value.dot')
    if x_for_w is None:  # local derivatives: x_i for w_i, w_i for x_i, 1 for the bias
        x_for_w = x_data
    if w_for_x is None:
        w_for_x = w_data
    return Value(total, '', (*w_nodes, *x_nodes, *bias_part),
                 (*x_for_w, *w_for_x, *bias_local), 'dot')


def _all_values(items):
    """True if every item is a Value (map runs isinstance in C: cheaper than a generator)."""
    return all(map(isinstance, items, repeat(Value)))


def _split(items, partners, what, partner_what):
    """For Value.dot: the numbers in items, the Values among them, and their partners' numbers.

    The partners' numbers are None when every item is a Value (then all partners count).
    """
    if _all_values(items):
        return [v.data for v in items], items, None
    if not any(isinstance(v, Value) for v in items):  # plain numbers: constants, no children
        return [v if type(v) is float else as_real(v, what) for v in items], (), ()
    data = [v.data if isinstance(v, Value) else as_real(v, what) for v in items]
    keep = [isinstance(v, Value) for v in items]
    nodes = [v for v, k in zip(items, keep) if k]
    partner_data = [p.data if isinstance(p, Value) else as_real(p, partner_what)
                    for p, k in zip(partners, keep) if k]
    return data, nodes, partner_data


def _power_slope(x, b):
    """d/dx x ** b = b * x ** (b - 1); inf where that is infinite (x ** 0.5 at 0)."""
    if b == 0.0:
        return 0.0
    if b == 1.0:
        return 1.0
    try:
        return b * x ** (b - 1.0)
    except ZeroDivisionError:  # x = 0 and b < 1: the slope is infinite
        return math.copysign(math.inf, b)
    except OverflowError:  # too steep for a float: the sign is that of b * x^(b-1)
        negative = (b < 0.0) != (x < 0.0 and int(b - 1.0) % 2 == 1)
        return -math.inf if negative else math.inf


def _exponent_slope(a, out):
    """d/db a ** b = ln(a) * a ** b; 0 at a = 0 (as PyTorch), nan for a negative base."""
    if a > 0.0:
        return math.log(a) * out
    if a == 0.0:
        return 0.0
    return math.nan


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
    visited in their stored order, so the same graph always gives the same order. Each
    stack entry is (node, its children still to visit); a leaf, or a node whose children
    are all in the order already, goes straight into the order.
    """
    order, seen = [], {root}
    stack = [(root, iter(root._prev))]
    # bound methods, looked up once: this loop runs once or twice per node of the graph
    push, pop, emit, see = stack.append, stack.pop, order.append, seen.add
    covered = seen.issuperset  # (a seen node is already in the order: the graph has no cycles)
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                see(child)
                below = child._prev
                if not below or covered(below):  # a leaf, or all its children in the order
                    emit(child)
                elif len(below) == 1 and covered(below[0]._prev):
                    # one new child whose own children are all in the order (a ReLU over a
                    # dot node): that child, then this one, without a trip through the stack
                    see(below[0])
                    emit(below[0])
                    emit(child)
                else:  # visit its children first, then come back here
                    push((child, iter(below)))
                    break
        else:  # every child is in the order: now the node itself
            pop()
            emit(node)
    return order


class _GradMode:
    """Shared by no_grad and enable_grad: a context manager and a function decorator that
    sets the grad mode of the current thread (or async task) and restores what was there."""

    _mode = True

    def __enter__(self):
        _saved_modes.set(_saved_modes.get() + (_grad_mode.get(),))
        _grad_mode.set(self._mode)
        return self

    def __exit__(self, *exc):
        saved = _saved_modes.get()
        _grad_mode.set(saved[-1])  # also after an exception: the mode from before the block
        _saved_modes.set(saved[:-1])
        return False

    def __call__(self, function):
        kind = type(self)

        @functools.wraps(function)
        def with_mode(*args, **kwargs):
            with kind():
                return function(*args, **kwargs)
        return with_mode


class no_grad(_GradMode):
    """Ops inside record no graph (no children, no local derivatives): for inference.

    A context manager or a decorator; per thread and per async task, nestable, and the
    mode from before comes back on exit, also after an exception.

    >>> with no_grad():
    ...     y = Value(2.0) * 3    # y.data == 6.0, y._prev == ()
    """

    _mode = False


class enable_grad(_GradMode):
    """Record the graph again inside a no_grad() block (a context manager or a decorator).

    >>> with no_grad():
    ...     with enable_grad():
    ...         y = Value(2.0) * 3    # y._prev holds both factors
    """

    _mode = True


def is_grad_enabled():
    """True unless inside a no_grad() block (of this thread or async task)."""
    return _grad_mode.get()
