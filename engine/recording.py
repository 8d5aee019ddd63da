"""Record a loss graph once, then replay its forward and backward pass on plain floats.

A training loop builds the same graph again on every step: the same ops, in the same
places, only the parameters' numbers change. record() watches every op while your function
builds the graph once, writing down each op's structure as it runs (its op, which nodes
it reads, its plain-number constants, which child of a dot is the bias). The recording
then repeats the forward pass and the chain rule on a flat list of floats:

    v2 = v0 * 3.0               forward: one line per op, each after the lines it reads
    v3 = exp(v2)
    g2 += v3 * g3               backward: each child gets local derivative x upstream,
    g0 += 3.0 * g2              nodes taken in the order backward() takes them

The forward lines follow topological_order(loss), children before the nodes that read
them: not always the order in which the ops ran. The program that runs also puts each
node's backward lines under `if g3:` (a node whose gradient is 0 passes nothing down, as
in backward()); the printed list leaves that guard out.

The numbers are those of the interpreter (Value ops and backward()), bit for bit: the same
float operations in the same order. The recording is straight-line Python, compiled once
(its source is made only from op codes and numbers, never from user text); recording the
same ops on the same data again (a second fit() call, a cell run again) reuses that code.

>>> rec = record(lambda: (w * x + b).relu(), [w, b])
>>> loss, grads = rec.replay([0.5, -1.0])        # new values of w and b; no Values built

What gets frozen: a recording repeats what the numbers did once, not your Python code
(documented the way JAX documents what jit's tracing sees). Like torch.jit.trace, a
recording keeps only the path the example values took; jax.jit refuses a Python branch on a
traced value instead (TracerBoolConversionError). torch.jit.trace warns when a tensor
becomes a Python bool; record() cannot: .data is a plain float, and a branch on it leaves
nothing in the graph for record() to see.
  - A Python branch on .data (`if s.data > 0: ...`) took one side while recording; the
    replay takes that side for every parameter value. Write the choice as an op instead
    (relu, step, ...): an op's own branch is taken again at every replay.
  - A value detached from the graph, `Value(x.data)`, or any leaf that is not one of the
    parameters, is a constant: its recorded number is used in every replay (inputs of the
    data set are such constants; it is how a batch's data is baked into a recording).
  - Anything done outside the ops is not seen. A Value method replaced by code of your
    own is recorded through the engine ops that code calls, never under the method's name.
Refused with a RecordError, because they can be detected: a node made under no_grad()
inside the graph, a node made before record() ran (or by code that calls Value(...) with
children itself), `a ** b` with a Value exponent, a parameter that is not a leaf, and a
node whose number the replay does not repeat at the recorded values (.data changed inside
the function after an op read it).

When a replay meets a number the interpreter would refuse (an overflow, a log of a negative
number, a gradient that is not finite), it runs the interpreter on those values instead,
which raises the interpreter's own error (or, for a false alarm, returns its numbers). That
fallback calls your function again, so it sees the data your function reads as it is then.
"""

import contextvars
import hashlib
import math
import threading
import zlib

from . import value as _value
from .numbers import as_real, describe
from .value import Value, enable_grad, is_grad_enabled, topological_order

_active = contextvars.ContextVar('scalargrad_recorder', default=None)
_patch_lock = threading.Lock()
_patched = {'count': 0, 'originals': {}}


class RecordError(ValueError):
    """The graph cannot be replayed faithfully; the message says what to change."""


# ---- watching the ops while the graph is built

# The _op each engine op gives its node (the others: their op code). A method replaced by
# code of your own may return any node; it is noted only if it is the engine op's kind of
# node, else left unrecorded (the nodes inside it are recorded by their own ops, and a node
# made by calling Value(...) yourself is refused).
_ENGINE_OP = {'relu': 'ReLU'}


def _made_by(out, code, *children, arity=None):
    """True if `out` is a node of the engine op `code` whose children start with these
    (and number `arity`, if given)."""
    if not isinstance(out, Value):
        return False
    op, prev = out._op, out._prev
    if not (op.startswith('**') if code == '**' else op == _ENGINE_OP.get(code, code)):
        return False
    if arity is not None and len(prev) != arity or len(prev) < len(children):
        return False
    return all(a is b for a, b in zip(prev, children))


def _binary(code, original):
    def op(self, other):
        out = original(self, other)
        rec = _active.get()
        if rec is not None and is_grad_enabled() and _made_by(out, code, self, arity=2) \
                and (out._prev[1] is other or not isinstance(other, Value)):
            # a plain number became a constant leaf: its float is the node's second child
            rec.note(out, code, self, other if isinstance(other, Value) else out._prev[1].data)
        return out
    return op


def _power(original):
    def op(self, other):
        rec = _active.get()
        if rec is not None and isinstance(other, Value):
            raise RecordError(
                "record(): a ** b with a Value exponent cannot be replayed (its derivative "
                "with respect to b needs a > 0 re-checked at every step); use a plain number "
                "as the exponent, or exp(b * log(a)) for a > 0")
        out = original(self, other)
        if rec is not None and is_grad_enabled() and _made_by(out, '**', self, arity=1):
            rec.note(out, '**', self, float(other))
        return out
    return op


def _unary(code, original):
    def op(self):
        out = original(self)
        rec = _active.get()
        if rec is not None and is_grad_enabled() and _made_by(out, code, self, arity=1):
            rec.note(out, code, self)
        return out
    return op


def _sum(original):
    def op(values):
        values = tuple(values)
        out = original(values)
        rec = _active.get()
        if rec is not None and is_grad_enabled() and _made_by(out, 'sum', arity=len(values)):
            items = tuple(v if isinstance(v, Value) else leaf.data
                          for v, leaf in zip(values, out._prev))
            rec.note(out, 'sum', items)
        return out
    return staticmethod(op)


def _dot(original):
    def op(weights, inputs, bias=None):
        weights, inputs = tuple(weights), tuple(inputs)
        out = original(weights, inputs, bias)
        rec = _active.get()
        if rec is not None and is_grad_enabled() and _made_by(out, 'dot'):
            if not (bias is None or isinstance(bias, Value)):
                bias = float(bias)
            rec.note(out, 'dot', _operands(weights), _operands(inputs), bias)
        return out
    return staticmethod(op)


def _dots(original):
    def op(rows, inputs, biases, activation=None):
        rec = _active.get()
        if rec is not None and activation in ('tanh', 'sigmoid', 'step'):
            # Value.dots calls Value.tanh (...) on each sum: done here, through its watcher,
            # so that a method replaced by your own is recorded by the ops it uses
            return [getattr(s, activation)() for s in op(rows, inputs, biases)]
        rows, inputs, biases = [tuple(w) for w in rows], tuple(inputs), list(biases)
        outs = original([list(w) for w in rows], inputs, biases, activation)
        if rec is not None and is_grad_enabled():
            x = _operands(inputs)
            for w, b, out in zip(rows, biases, outs):
                if activation is not None and not _made_by(out, activation, arity=1):
                    continue
                dot = out if activation is None else out._prev[0]  # relu's one child
                if _made_by(dot, 'dot'):
                    rec.note(dot, 'dot', _operands(w), x,
                             b if b is None or isinstance(b, Value) else float(b))
                if activation is not None:
                    rec.note(out, activation, dot)
        return outs
    return staticmethod(op)


def _operands(items):
    return tuple(v if isinstance(v, Value) else float(v) for v in items)


_WATCHERS = {
    '__add__': lambda f: _binary('+', f), '__mul__': lambda f: _binary('*', f),
    '__pow__': _power, 'exp': lambda f: _unary('exp', f), 'log': lambda f: _unary('log', f),
    'tanh': lambda f: _unary('tanh', f), 'sigmoid': lambda f: _unary('sigmoid', f),
    'relu': lambda f: _unary('relu', f), 'step': lambda f: _unary('step', f),
    'sum': _sum, 'dot': _dot, 'dots': _dots,
}


def _watch():
    """Put the watching ops on Value (only while some thread records: no cost otherwise)."""
    with _patch_lock:
        if _patched['count'] == 0:
            for name, watcher in _WATCHERS.items():
                raw = Value.__dict__[name]
                _patched['originals'][name] = raw
                plain = raw.__func__ if isinstance(raw, staticmethod) else raw
                setattr(Value, name, watcher(plain))
        _patched['count'] += 1


def _unwatch():
    with _patch_lock:
        _patched['count'] -= 1
        if _patched['count'] == 0:
            for name, raw in _patched['originals'].items():
                setattr(Value, name, raw)


class _Recorder:
    def __init__(self):
        self.ops = {}  # id(node) -> (node, op code, operands...)

    def note(self, out, code, *operands):
        self.ops[id(out)] = (out, code, *operands)


def record(loss_fn, params):
    """Run loss_fn() once while recording its ops; return a Recording of its graph.

    loss_fn -- a function of no arguments that builds the loss (a Value); it may also
               return (loss, outputs), outputs being Values (or lists of Values) whose
               numbers replay(..., outputs=True) reports too (the model's scores, say)
    params  -- the leaves that change between replays, in the order replay() takes them

    What is frozen, as by torch.jit.trace (jax.jit refuses such a branch instead): the
    replay repeats the ops that ran, not your Python code. A branch on .data
    (`if s.data > 0`) keeps the side it took now, without a warning; write it as an op
    (relu, step). A leaf that is not in params is a constant (its number now).
    """
    params = list(params)
    seen = set()
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"record(): parameter {i} is {type(p).__name__}, not a Value")
        if id(p) in seen:
            raise ValueError(f"record(): parameter {i} is listed twice")
        if p._prev:  # checked here too for a parameter the graph does not use
            raise RecordError(f"record(): parameter {i} is not a leaf (it was made by "
                              f"'{p._op}'); pass the leaves it comes from")
        seen.add(id(p))
    if not is_grad_enabled():
        raise RecordError("record() under no_grad(): no graph would be built to record")
    recorder = _Recorder()
    _watch()
    token = _active.set(recorder)
    try:
        result = loss_fn()
    finally:
        _active.reset(token)
        _unwatch()
    loss, outputs = result if isinstance(result, tuple) else (result, ())
    if not isinstance(loss, Value):
        raise TypeError(f"record(): the function must return a Value (the loss), got "
                        f"{type(loss).__name__}")
    return Recording(loss_fn, params, loss, outputs, recorder.ops)


# ---- the recording: straight-line Python, compiled once

def _literal(x):
    """A float as Python source that reads back as the same float."""
    text = repr(float(x))
    return f'({text})' if text.startswith('-') else text


def _sigmoid(x):
    """Value.sigmoid on a float: the same formula, the same branch."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_NAMESPACE = {'exp': math.exp, 'log': math.log, 'tanh': math.tanh, '_sigmoid': _sigmoid,
              '_pow': _value._power, '_slope': _value._power_slope}


_CACHE = {}  # structure key -> (code, packed Wengert list): the last few, in use order
_CACHE_LOCK = threading.Lock()


def _cached(key, build, keep=4):
    """What build() makes for this structure key, or what it made for the same key a moment
    ago (a second fit() call, a notebook cell run again, a resumed run: the same ops on the
    same data give the same program, so it is generated and compiled once)."""
    with _CACHE_LOCK:
        found = _CACHE.pop(key, None)
    if found is None:
        found = build()  # outside the lock: another thread may record meanwhile
    with _CACHE_LOCK:
        _CACHE[key] = found
        while len(_CACHE) > keep:
            del _CACHE[next(iter(_CACHE))]
    return found


def clear_cache():
    """Forget the compiled programs kept for recording the same graph again."""
    with _CACHE_LOCK:
        _CACHE.clear()


class Recording:
    """A loss graph recorded by record(): replay(values) -> (loss, gradients), on floats.

    len(recording) is the number of recorded ops; print(recording) shows them as a Wengert
    list, one line per op (a sum or dot of many terms: a line per SUM_TERMS terms): the
    forward pass in topological order, then the backward pass from d loss / d loss = 1
    (the first TEXT_LINES lines of each; recording.text() shows them all).
    """

    def __init__(self, loss_fn, params, loss, outputs, ops):
        self._loss_fn = loss_fn
        self.params = params
        self._shape = [len(o) if isinstance(o, (list, tuple)) else None for o in outputs]
        watched = [v for o in outputs for v in (o if isinstance(o, (list, tuple)) else [o])]
        forward, made, order, names, needs_grad = _forward_program(params, loss, ops, watched)
        self._ops = len(made)
        nodes = [n for n in order if id(n) in needs_grad]  # the nodes that get a gradient
        # the backward pass starts from d loss / d loss = 1 (when the loss is an op's node)
        self._seed = f'g{names[id(loss)][1:]}' if nodes and nodes[-1] is loss else None
        # The forward lines (every op, operand and constant), the order of the backward pass,
        # the outputs and the parameter count determine the whole program: its key.
        key = hashlib.sha256('\n'.join(
            forward + [' '.join(names[id(n)] for n in nodes), _output(loss, names),
                       ' '.join(_output(v, names) for v in watched),
                       str(len(params))]).encode()).digest()

        def build():
            backward = _backward_program(order, ops, names, needs_grad)
            back = [line for _, lines in backward for line in lines]
            # the Wengert list, kept compressed: a few bytes per op instead of a hundred
            packed = zlib.compress('\n'.join(forward + back).encode(), 6)
            source = _source(forward, backward, names, params, loss, watched, nodes)
            try:
                return compile(source, '<scalargrad recording>', 'exec'), packed
            except Exception as err:  # RecursionError, MemoryError: a program too big
                raise _unrunnable('compile', len(forward) + len(back), err) from err

        code, packed = _cached(key, build)
        self._lines = packed, len(forward)
        namespace = dict(_NAMESPACE)
        try:
            exec(code, namespace)  # defines _replay from the generated text (ops, numbers)
        except Exception as err:
            raise _unrunnable('run', len(forward), err) from err
        self._replay = namespace['_replay']
        self.loss = loss.data
        _check_against(self._replay([p.data for p in params]), params, made)

    def __len__(self):
        return self._ops

    def replay(self, values, outputs=False):
        """The loss and d loss / d param for new parameter values (floats, in the order
        record() was given the parameters). With outputs=True also the outputs' numbers.

        The values are checked as Value() checks its number: real and finite (bool counts,
        True as 1.0, as in Value(True)); a string, None or nan is refused with its index.
        """
        values = _checked_values(values, len(self.params))
        try:
            loss, grads, checked, watched = self._replay(values)
        except (ArithmeticError, ValueError):
            return self._interpret(values, outputs)
        total = sum(checked)
        if total - total != 0.0:  # inf or nan somewhere (or a sum that overflowed)
            return self._interpret(values, outputs)
        if outputs:
            return loss, grads, self._nest(watched)
        return loss, grads

    def backward(self):
        """Replay at the parameters' current .data and store the gradients in their .grad
        (as zero_grad() then loss.backward() would). Returns the loss."""
        loss, grads = self.replay([p.data for p in self.params])
        for p, g in zip(self.params, grads):
            p.grad = g
        return loss

    def _nest(self, watched):
        out, i = [], 0
        for n in self._shape:
            if n is None:
                out.append(watched[i])
                i += 1
            else:
                out.append(list(watched[i:i + n]))
                i += n
        return out

    def _interpret(self, values, outputs):
        """The interpreter at these values (it raises its own error for a bad number)."""
        saved = [(p.data, p.grad) for p in self.params]
        try:
            for p, v in zip(self.params, values):
                p.data, p.grad = v, 0.0
            with enable_grad():  # replay() works under no_grad(); the interpreter needs a graph
                result = self._loss_fn()
                loss, watched = result if isinstance(result, tuple) else (result, ())
                loss.backward()
            grads = [p.grad for p in self.params]
            plain = [[v.data for v in o] if isinstance(o, (list, tuple)) else o.data
                     for o in watched]
        finally:
            for p, (data, grad) in zip(self.params, saved):
                p.data, p.grad = data, grad
        return (loss.data, grads, plain) if outputs else (loss.data, grads)

    def text(self, limit=None):
        """The Wengert list: forward lines, then backward lines (at most `limit` of each;
        None: all of them). The backward part starts from d loss / d loss = 1."""
        names = ', '.join(f"v{i} = {p.label or f'parameter {i}'}"
                          for i, p in enumerate(self.params[:8]))
        more = f', ... ({len(self.params)} in all)' if len(self.params) > 8 else ''
        packed, n_forward = self._lines
        text = zlib.decompress(packed).decode().split('\n')
        forward, back = text[:n_forward], text[n_forward:]
        lines = [f"# inputs: {names}{more}", "# forward"]
        lines += _cut(forward, limit)
        lines += ["# backward: gN is d loss / d vN; each child gets local x upstream"]
        if self._seed is not None:
            lines += [f"{self._seed} = 1.0   # d loss / d loss; every other gN starts at 0.0"]
        lines += _cut(back, limit)
        return '\n'.join(lines)

    def __str__(self):
        """The Wengert list, at most TEXT_LINES lines of each pass (text() shows all)."""
        return self.text(limit=TEXT_LINES)

    def __repr__(self):
        return f"<Recording: {self._ops} ops, {len(self.params)} parameters>"


def _check_against(got, params, made):
    """The replay at the recorded parameter values must compute every node's number as
    the graph did; a node that differs was not made the way its op makes it."""
    replayed = got[2][len(params):len(params) + len(made)]
    for i, (node, value) in enumerate(zip(made, replayed), start=len(params)):
        if value != node.data:
            raise RecordError(
                f"record(): node v{i} ('{node._op}') is {node.data} in the graph but "
                f"{value} when its op is repeated. Was .data changed inside the function "
                f"after an op read it? (If not, an op the recorder does not know made it: "
                f"please report it.)")


def _checked_values(values, count):
    """replay()'s parameter values as a list of floats, each real and finite."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, '__iter__'):
        raise TypeError(f"replay() needs a sequence of {count} numbers (one per parameter), "
                        f"got {describe(values)}")
    values = list(values)
    if len(values) != count:
        raise ValueError(f"replay() needs {count} parameter values, got {len(values)}")
    if all(type(v) is float for v in values):
        total = sum(values)
        if total - total == 0.0:  # all finite (the usual case: one pass, no messages)
            return values
    return [as_real(v, f"replay(): value {i}") for i, v in enumerate(values)]


def _unrunnable(verb, lines, err):
    return RecordError(f"record(): Python could not {verb} the replay program of this graph "
                       f"({lines} lines): {type(err).__name__}: {err}. Build the graph at "
                       f"every step instead (nn.fit(..., replay=False)), or record a smaller "
                       f"graph")


TEXT_LINES = 40  # print(recording) shows this many lines of each pass


def _cut(lines, limit):
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [f"# ... {len(lines) - limit} more lines (recording.text() "
                            f"shows them all)"]


def _forward_program(params, loss, ops, watched):
    """(forward lines, the nodes they compute (v{len(params)} onwards), the loss graph's
    nodes in order, {id: name}, ids of the nodes whose gradient reaches a parameter)."""
    names = {id(p): f'v{i}' for i, p in enumerate(params)}
    order = topological_order(loss)
    for v in watched:
        if not isinstance(v, Value):
            raise TypeError(f"record(): an output is {type(v).__name__}, not a Value")
    extra, seen = [], {id(n) for n in order}  # outputs outside the loss graph: forward only
    for v in watched:
        for node in topological_order(v):
            if id(node) not in seen:
                seen.add(id(node))
                extra.append(node)
    needs_grad = set(names)  # ids of nodes whose gradient reaches a parameter
    forward, made = [], []
    for node in order + extra:
        key = id(node)
        if key in names:
            if node._prev:
                raise RecordError(f"record(): parameter {names[key][1:]} is not a leaf (it "
                                  f"was made by '{node._op}'); pass the leaves it comes from")
            continue
        entry = ops.get(key)
        if entry is None:
            _refuse_unrecorded(node)
            continue  # a constant leaf: its number goes into the lines that read it
        if any(id(c) in needs_grad for c in node._prev):
            needs_grad.add(key)
        names[key] = f'v{len(names)}'
        forward.extend(_forward_line(entry, names))
        made.append(node)
    return forward, made, order, names, needs_grad


def _backward_program(order, ops, names, needs_grad):
    """[(gradient name, its chain-rule lines)], node by node in backward()'s order."""
    backward = []
    for node in reversed(order):
        key = id(node)
        if key in ops and key in needs_grad:
            lines = _backward_lines(ops[key], names, needs_grad)
            if lines:
                backward.append((f'g{names[key][1:]}', lines))
    return backward


def _refuse_unrecorded(node):
    if node._prev:
        raise RecordError(
            f"record(): a '{node._op}' node in the graph was not made by an op while recording: "
            f"it was computed before record() ran (compute it inside the function), or made "
            f"by calling Value(...) with children directly, which a replay cannot repeat")
    if node._op:
        raise RecordError(
            f"record(): a '{node._op}' node in the graph was computed under no_grad(); a "
            f"replay would freeze its number. Compute it inside the graph, or pass a plain "
            f"number if it is meant to be a constant")


def _operand(x, names):
    """An operand as source: a node's name, or a constant's number."""
    if isinstance(x, Value):
        return names.get(id(x)) or _literal(x.data)
    return _literal(x)


def _output(v, names):
    return names.get(id(v)) or _literal(v.data)


SUM_TERMS = 100  # terms per line of a long sum: Python's compiler nests a + b + ... deeply


def _long_sum(out, start, terms):
    """out = start + t0 + t1 + ..., as lines of at most SUM_TERMS terms each: the first
    `out = start + t0 + ...`, then `out = out + ...`. Python adds left to right, so the
    chunks add the same floats in the same order as one long line (or the engine's loop)."""
    lines, head = [], start
    for i in range(0, len(terms), SUM_TERMS):
        lines.append(f'{out} = ' + ' + '.join([head] + terms[i:i + SUM_TERMS]))
        head = out
    return lines or [f'{out} = {start}']


def _forward_line(entry, names):
    """An op's forward line, or lines for a long sum or dot."""
    node, code, *args = entry
    out = names[id(node)]
    if code in ('+', '*'):
        a, b = (_operand(x, names) for x in args)
        return [f'{out} = {a} {code} {b}']
    if code == '**':
        return [f'{out} = _pow({_operand(args[0], names)}, {_literal(args[1])})']
    if code == 'sum':
        return _long_sum(out, '0.0', [_operand(x, names) for x in args[0]])
    if code == 'dot':
        weights, inputs, bias = args
        start = '0.0' if bias is None else _operand(bias, names)
        return _long_sum(out, start, [f'{_operand(w, names)} * {_operand(x, names)}'
                                      for w, x in zip(weights, inputs)])
    a = _operand(args[0], names)
    if code == 'relu':
        return [f'{out} = {a} if {a} > 0.0 else 0.0']
    if code == 'step':
        return [f'{out} = 1.0 if {a} >= 0.0 else 0.0']
    if code == 'sigmoid':
        return [f'{out} = _sigmoid({a})']
    return [f'{out} = {code}({a})']  # exp, log, tanh


def _backward_lines(entry, names, needs_grad):
    """One op's chain-rule step: child gradient += local derivative * upstream, in the
    order of the node's children (the order backward() adds them in)."""
    node, code, *args = entry
    out = names[id(node)]
    g = f'g{out[1:]}'

    def grad(x):  # the gradient variable of x, or None when it reaches no parameter
        return f'g{names[id(x)][1:]}' if isinstance(x, Value) and id(x) in needs_grad else None

    lines = []

    def add(x, local):
        target = grad(x)
        if target is not None:
            lines.append(f'{target} += {g}' if local is None else f'{target} += {local} * {g}')

    if code == '+':
        add(args[0], None)
        add(args[1], None)
    elif code == '*':
        a, b = args
        add(a, _operand(b, names))
        add(b, _operand(a, names))
    elif code == '**':
        a = _operand(args[0], names)
        add(args[0], f'_slope({a}, {_literal(args[1])})')
    elif code == 'sum':
        for x in args[0]:
            add(x, None)
    elif code == 'dot':
        weights, inputs, bias = args
        for w, x in zip(weights, inputs):
            if isinstance(w, Value):
                add(w, _operand(x, names))
        for w, x in zip(weights, inputs):
            if isinstance(x, Value):
                add(x, _operand(w, names))
        if isinstance(bias, Value):
            add(bias, None)
    elif code == 'relu':
        target = grad(args[0])
        if target is not None:
            lines.append(f'if {_operand(args[0], names)} > 0.0: {target} += {g}')
    elif code == 'exp':
        add(args[0], out)
    elif code == 'log':
        add(args[0], f'(1.0 / {_operand(args[0], names)})')
    elif code == 'tanh':
        add(args[0], f'(1.0 - {out} * {out})')
    elif code == 'sigmoid':
        add(args[0], f'({out} * (1.0 - {out}))')
    # 'step': its local derivative is 0, nothing passes down
    return lines


def _source(forward, backward, names, params, loss, watched, nodes):
    """The replay function's text: made from op codes, node numbers and floats only."""
    body = []
    if params:
        body.append(', '.join(f'v{i}' for i in range(len(params))) + ', = values')
    body += forward
    root = names.get(id(loss)) or _literal(loss.data)
    grads = [f'g{names[id(n)][1:]}' for n in nodes]
    for i in range(0, len(grads), 50):
        body.append(' = '.join(grads[i:i + 50]) + ' = 0.0')
    if any(n is loss for n in nodes):
        body.append(f'g{root[1:]} += 1.0')
    for guard, lines in backward:
        body.append(f'if {guard}:')
        body += ['    ' + line for line in lines]
    values = [f'v{i}' for i in range(len(names))] + grads
    in_graph = {id(n) for n in nodes}
    param_grads = [f'g{i}' if id(p) in in_graph else '0.0' for i, p in enumerate(params)]
    body.append(f"return {root}, [{', '.join(param_grads)}], ({', '.join(values)},), "
                f"({''.join(_output(v, names) + ', ' for v in watched)})")
    return 'def _replay(values):\n' + '\n'.join('    ' + line for line in body) + '\n'
