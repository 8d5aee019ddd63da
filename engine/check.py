"""Checks that answer back: a learner's own Value class, and exercise answers.

check_value_class(MyValue) builds the same small graphs with MyValue and with scalargrad's
Value, runs backward() on both and compares every number, from one `+` up to a chain 500
ops deep. It stops at the first difference and says, in one sentence, what differs and what
to look at. Only a micrograd-style interface is assumed: MyValue(number), `.data`, `.grad`,
`.backward()`, `+` and `*`; `- / **`, tanh, exp and relu are checked when the class has them.

>>> from micrograd.engine import Value as MicrogradValue
>>> print(check_value_class(MicrogradValue))        # ok, with notes (no tanh, no exp, ...)

check_number, check_function and check_derivative answer exercises the same way: a result
that is true when the answer is right and says why in either case.
"""

import math
from dataclasses import dataclass, field
from numbers import Real

from .value import Value

DEEP = 500            # graded: a micrograd-style recursive sort still manages this depth
DEEPER = 5000         # a note only: past Python's recursion limit (about 1000 frames)


class CheckFailed(AssertionError):
    """Raised by CheckResult.raise_if_wrong(): the message says what is wrong."""


@dataclass
class CheckResult:
    """The verdict of a check: true when right; `message` says why, `notes` add remarks."""

    ok: bool
    message: str
    notes: list = field(default_factory=list)
    passed: list = field(default_factory=list)    # names of the cases that agreed
    skipped: list = field(default_factory=list)   # names of the cases not run

    def __bool__(self):
        return self.ok

    def __str__(self):
        return '\n'.join([self.message] + [f"note: {n}" for n in self.notes])

    def _repr_pretty_(self, printer, cycle):   # how IPython shows it: the sentence, not fields
        printer.text(str(self))

    def raise_if_wrong(self):
        """Raise CheckFailed with the message when the check failed; return self otherwise."""
        if not self.ok:
            raise CheckFailed(self.message)
        return self


# ---- the graded cases for a Value class


@dataclass(frozen=True)
class _Case:
    name: str          # short name, listed in CheckResult.passed
    formula: str       # what the learner would write, for messages
    build: object      # build(V) -> (output, {leaf name: leaf})
    needs: tuple = ()  # attribute names the class must have, or the case is skipped
    advice: str = ''   # what to look at when a gradient differs


def _leaves(V, **values):
    return {name: V(x) for name, x in values.items()}


def _binary(symbol, op, a=2.0, b=-3.0, needs=(), wrt=''):
    def build(V):
        leaves = _leaves(V, a=a, b=b)
        return op(leaves['a'], leaves['b']), leaves
    return _Case(symbol, f"a {symbol} b", build, needs,
                 f"check the local derivative of a{symbol}b with respect to {{leaf}}" + wrt)


def _unary(name, op, formula, rule, a=0.5, needs=()):
    def build(V):
        leaves = _leaves(V, a=a)
        return op(leaves['a']), leaves
    return _Case(name, formula, build, needs, f"check the local derivative of {rule}")


_OPS = [
    _binary('+', lambda a, b: a + b),
    _binary('*', lambda a, b: a * b),
    _binary('-', lambda a, b: a - b, needs=('__sub__',)),
    _binary('/', lambda a, b: a / b, needs=('__truediv__',)),
    _unary('neg', lambda a: -a, '-a', '-a (it is -1)', needs=('__neg__',)),
    _unary('**', lambda a: a ** 3, 'a ** 3', 'a**3 (it is 3 a**2)', a=1.5, needs=('__pow__',)),
    _unary('tanh', lambda a: a.tanh(), 'a.tanh()', 'tanh(a) (it is 1 - tanh(a)**2)',
           needs=('tanh',)),
    _unary('exp', lambda a: a.exp(), 'a.exp()', 'exp(a) (it is exp(a) itself)', needs=('exp',)),
    _unary('relu', lambda a: a.relu(), 'a.relu() for a > 0', 'relu(a) (1 for a > 0)', a=1.5,
           needs=('relu',)),
    _unary('relu<0', lambda a: a.relu(), 'a.relu() for a < 0', 'relu(a) (0 for a < 0)', a=-1.5,
           needs=('relu',)),
]


def _upstream(case):
    """The op once more, now below a `* k`: its gradient must be multiplied by out.grad."""
    def build(V):
        out, leaves = case.build(V)
        leaves['k'] = V(4.0)
        return out * leaves['k'], leaves
    return _Case(case.name + ' upstream', f"({case.formula}) * k", build, case.needs,
                 f"your `{case.name.split('<')[0]}` must multiply its local derivative by the "
                 f"gradient of its result (out.grad), which is k = 4.0 here, not 1")


def _reuse_in_two_ops(V):
    leaves = _leaves(V, a=3.0, b=-2.0)
    a, b = leaves['a'], leaves['b']
    return a * b + a, leaves


def _add_to_itself(V):
    leaves = _leaves(V, a=3.0)
    return leaves['a'] + leaves['a'], leaves


def _mul_by_itself(V):
    leaves = _leaves(V, a=3.0)
    return leaves['a'] * leaves['a'], leaves


def _diamond(V):
    leaves = _leaves(V, a=1.5, two=2.0, three=3.0)
    b = leaves['a'] * leaves['two']
    return b + b * leaves['three'], leaves   # b feeds the final + directly and through b * 3


def _neuron(activation):
    def build(V):
        leaves = _leaves(V, x1=1.5, w1=0.8, x2=-0.5, w2=-1.2, b=-0.4)
        z = leaves['x1'] * leaves['w1'] + leaves['x2'] * leaves['w2'] + leaves['b']
        return getattr(z, activation)() if activation else z, leaves
    return build


def _chain(depth):
    def build(V):
        leaves = _leaves(V, x=0.5)
        v = leaves['x']
        for i in range(depth):   # * 1.001, + 0.001, * 0.999, ...: fresh constants each time
            v = v * V(1.0 + 0.001 * (i % 4 - 1)) if i % 2 == 0 else v + V(0.001)
        return v, leaves
    return build


_ACCUMULATE = ("a node used twice must add up what each use contributes: write "
               "`self.grad += ...` (and `other.grad += ...`), never `self.grad = ...`")
_ORDER = ("b passed its gradient on before every node that uses b had added to it: call each "
          "node's _backward once, walking a topological order in reverse (users before "
          "the nodes they use)")

_GRAPHS = [
    _Case('reuse in two ops', 'a * b + a', _reuse_in_two_ops, advice=_ACCUMULATE),
    _Case('a + a', 'a + a', _add_to_itself, advice=_ACCUMULATE),
    _Case('a * a', 'a * a', _mul_by_itself, advice=_ACCUMULATE),
    _Case('topological order', 'b = a * two; b + b * three', _diamond, advice=_ORDER),
    # then the neuron (its activation depends on the class), then:
]
_DEEP_CASE = _Case(f'chain of {DEEP}', f"a chain of {DEEP} ops (`*` and `+` in turn) after x",
                   _chain(DEEP),
                   advice="every op passed on its own, so look at how backward() visits a "
                          "long chain")


def _neuron_case(cls):
    """A whole neuron, with the activation the class has (tanh, else relu, else none)."""
    activation = next((a for a in ('tanh', 'relu') if hasattr(cls, a)), '')
    formula = f"{activation}(x1*w1 + x2*w2 + b)" if activation else "x1*w1 + x2*w2 + b"
    return _Case('neuron', formula, _neuron(activation),
                 advice="every op passed on its own, so look at how backward() combines them")


OPTIONAL = {'-': '__sub__', '/': '__truediv__', 'neg': '__neg__', '**': '__pow__',
            'tanh': 'tanh', 'exp': 'exp', 'relu': 'relu'}


def check_value_class(cls, require=()):
    """Run a micrograd-style Value class through graded cases against scalargrad's Value.

    Each case builds one small graph with `cls` and with scalargrad, calls backward() on
    both, and compares the output's data and every leaf's grad (relative tolerance 1e-7).
    The result is true when every case agrees; otherwise its message names the first
    difference. Notes report what was not checked and how the class differs from PyTorch.
    `require` names optional ops that must be there ('-', '/', 'neg', '**', 'tanh', 'exp',
    'relu'); other optional ops are checked when present and skipped otherwise.

    >>> check_value_class(MyValue)            # shows the verdict in a notebook
    >>> check_value_class(MyValue, require=['tanh']).raise_if_wrong()
    """
    if not isinstance(cls, type):
        raise TypeError(f"check_value_class needs your Value class itself (for example "
                        f"check_value_class(MyValue)), got {type(cls).__name__} {cls!r:.60}")
    require = [require] if isinstance(require, str) else list(require)
    unknown = [op for op in require if op not in OPTIONAL]
    if unknown:
        raise ValueError(f"check_value_class: require takes ops among "
                         f"{', '.join(map(repr, OPTIONAL))}, got {unknown[0]!r}")
    name = cls.__name__
    absent = [op for op in require if not hasattr(cls, OPTIONAL[op])]
    if absent:
        return CheckResult(False, f"{name} has no `{absent[0]}` yet: define "
                                  f"{OPTIONAL[absent[0]]} on the class")
    notes, passed, skipped = [], [], []

    def verdict(ok, message):
        return CheckResult(ok, message, notes, passed, skipped)

    failure = _check_basics(cls, name)
    if failure:
        return verdict(False, failure)
    unchecked = []
    for case in [*_OPS, *map(_upstream, _OPS), *_GRAPHS, _neuron_case(cls), _DEEP_CASE]:
        if not all(hasattr(cls, attr) for attr in case.needs):
            skipped.append(case.name)
            if not case.name.endswith(('upstream', '<0')):
                unchecked.append(case.formula)
            continue
        failure = _run_case(case, cls, name)
        if failure:   # the first difference alone: one sentence to act on
            return verdict(False, failure)
        passed.append(case.name)
    if unchecked:
        notes.append(f"not checked, as {name} does not have them: {', '.join(unchecked)}")
    notes += _extra_notes(cls, name)
    return verdict(True, f"{name} agrees with scalargrad on all {len(passed)} cases "
                         f"(each op, a node used twice, a chain {DEEP} deep)")


def _check_basics(cls, name):
    try:
        v = cls(2.0)
    except Exception as e:
        return (f"{name}(2.0) raised {_error(e)}: the checker makes every leaf as "
                f"{name}(number), the way micrograd's Value is called")
    for attr in ('data', 'grad'):
        if not hasattr(v, attr):
            return f"{name}(2.0) has no .{attr}: a Value keeps its number in .data and " \
                   f"its gradient in .grad"
    if not hasattr(v, 'backward'):
        return f"{name} has no backward() method"
    if _number(v.data) != 2.0:
        return f"{name}(2.0).data is {v.data!r}, not 2.0"
    if _number(v.grad) != 0.0:
        return f"{name}(2.0).grad is {v.grad!r}: a new Value's gradient starts at 0"
    return None


def _run_case(case, cls, name):
    """Compare one case built with cls against scalargrad; None if they agree."""
    want_out, want = case.build(Value)
    want_out.backward()
    try:
        out, leaves = case.build(cls)
    except RecursionError:
        return f"building {case.formula} with {name} hit Python's recursion limit"
    except Exception as e:
        return f"{case.formula} with {name} raised {_error(e)}"
    if not hasattr(out, 'data'):
        return f"{case.formula} gives a {type(out).__name__}, not a {name}"
    got = _number(out.data)
    if not _close(got, want_out.data):
        return (f"your {case.formula} gives data {_show(out.data)} where it should be "
                f"{_show(want_out.data)}: check how it computes its result")
    try:
        out.backward()
    except RecursionError:
        return (f"your backward() hits Python's recursion limit on {case.formula}: sort the "
                f"graph with a loop and a list used as a stack instead of a recursive function")
    except Exception as e:
        return f"your backward() on {case.formula} raised {_error(e)}"
    if not _close(_number(out.grad), 1.0):
        return (f"after backward() on {case.formula} the output's own grad is "
                f"{_show(out.grad)}: backward() must start by setting it to 1 (d out / d out)")
    for leaf, node in leaves.items():
        got, right = _number(node.grad), want[leaf].grad
        if not _close(got, right):
            return _gradient_message(case, leaf, node.grad, right, out)
    return None


def _gradient_message(case, leaf, got, right, out):
    if case in _OPS:
        where = f"your `{case.name.split('<')[0]}` gives {leaf}.grad = {_show(got)}"
    else:
        where = f"in {case.formula}, your {leaf}.grad is {_show(got)}"
    if case.name.endswith(' upstream') and _number(got) == 0.0:
        advice = (f"your `{case.name.split()[0].split('<')[0]}` passed on its gradient before "
                  f"it had received any: call each node's _backward in reverse topological "
                  f"order, from the output back to the leaves")
    elif case.name in ('a + a', 'a * a') and _keeps_fewer_children(out):
        advice = ("your node keeps its children in a set (`_prev` holds a only once), so "
                  "backward passes a's gradient once: keep children in a tuple or list")
    else:
        advice = case.advice.format(leaf=leaf)
    return f"{where} where the chain rule gives {_show(right)} — {advice}"


def _keeps_fewer_children(out):
    try:
        return len(out._prev) < 2
    except (AttributeError, TypeError):
        return False


def _extra_notes(cls, name):
    notes = []
    try:   # plain numbers on either side, as micrograd allows
        a = cls(2.0)
        for formula, op in (('a + 1.5', lambda: a + 1.5), ('1.5 + a', lambda: 1.5 + a),
                            ('a * 1.5', lambda: a * 1.5), ('1.5 * a', lambda: 1.5 * a)):
            try:
                op()
            except Exception as e:
                notes.append(f"{formula} raised {_error(e)}: a plain number is not turned into "
                             f"a {name} (micrograd wraps it with Value(other))")
                break
    except Exception:  # pragma: no cover - _check_basics already made a Value
        pass
    notes += _deep_note(cls, name)
    notes += _twice_note(cls, name)
    return notes


def _deep_note(cls, name):
    try:
        out, leaves = _chain(DEEPER)(cls)
        out.backward()
    except RecursionError:
        return [f"a chain {DEEPER} deep exceeds Python's recursion limit in your backward() "
                f"(a recursive topological sort, as in micrograd); a loop with a stack has no "
                f"such limit"]
    except Exception as e:
        return [f"a chain {DEEPER} deep raised {_error(e)}"]
    want_out, want = _chain(DEEPER)(Value)
    want_out.backward()
    if not _close(_number(leaves['x'].grad), want['x'].grad):
        return [f"on a chain {DEEPER} deep your x.grad = {_show(leaves['x'].grad)} where the "
                f"chain rule gives {_show(want['x'].grad)}"]
    return []


def _twice_note(cls, name):
    leaves = _leaves(cls, a=2.0, b=3.0, k=4.0)
    out = leaves['a'] * leaves['b'] * leaves['k']
    try:
        out.backward()
        once = _number(leaves['a'].grad)
        out.backward()
        twice = _number(leaves['a'].grad)
    except Exception as e:
        return [f"calling backward() a second time raised {_error(e)}"]
    if _close(twice, 2 * once):
        return []
    what = (f"in y = a * b * k, calling y.backward() twice gives a.grad = {_show(twice)}, "
            f"where PyTorch (and scalargrad) give {_show(2 * once)}: ")
    if _close(twice, once):
        return [what + "your backward() resets the leaves' gradients, PyTorch's adds to them"]
    return [what + "leaves add up, but your inner nodes also keep their gradient from the "
            "first call and add into it again (micrograd's Value does the same); zero every "
            "gradient before each backward(), as a training loop does, and it never matters"]


# ---- answers to exercises


def check_number(answer, expected, *, name='your answer', rel=1e-6, abs_tol=1e-9, reason=''):
    """Right when `answer` is within `rel` (relative) or `abs_tol` of `expected`.

    A wrong answer is told whether it is too large or too small and by how much, not the
    expected value. `reason` is added to the message either way.

    >>> check_number(6.0, 2 * 3.0, name='da/dy', reason='two uses of a, 3 each')
    """
    expected = _number(expected)
    reason = f": {reason}" if reason else ''
    if answer is Ellipsis:
        return CheckResult(False, f"{name} is still `...`: replace it with your answer")
    value = _number(answer)
    if value is None:
        return CheckResult(False, f"{name} should be a number, got {type(answer).__name__} "
                                  f"{answer!r:.40}")
    if _close(value, expected, rel, abs_tol):
        return CheckResult(True, f"right: {name} = {_show(value)}{reason}")
    off = abs(value - expected) / abs(expected) if expected else math.inf
    size = f"{off:.0%} " if off < 10 else ''
    if off < 0.005:  # a rounded answer: say by how little, and that more digits are wanted
        size = f"{100 * off:.2g}% "
        reason = f" (close: the check wants more digits){reason}"
    direction = 'too large' if value > expected else 'too small'
    if expected and (value > 0) != (expected > 0):
        direction = 'of the wrong sign'
        size = ''
    return CheckResult(False, f"not yet: {name} = {_show(value)} is {size}{direction}{reason}")


def check_function(func, reference, inputs, *, name='your function', rel=1e-6, abs_tol=1e-9,
                   reason=''):
    """Right when func(x) agrees with reference(x) at every x in inputs (tuples are spread).

    >>> check_function(lambda x: 4*x**3 - 4*x, lambda x: 4*x**3 - 4*x, [0.0, 0.5, 2.0])
    """
    reason = f": {reason}" if reason else ''
    if func is Ellipsis:
        return CheckResult(False, f"{name} is still `...`: replace it with your function")
    if not callable(func):
        return CheckResult(False, f"{name} should be a function, got {type(func).__name__}")
    for x in inputs:
        args = x if isinstance(x, tuple) else (x,)
        shown = ', '.join(_show(v) for v in args)
        try:
            got = _number(func(*args))
        except Exception as e:
            return CheckResult(False, f"{name} raised {_error(e)} at x = {shown}")
        want = _number(reference(*args))
        if got is None:
            return CheckResult(False, f"{name} should return a number, at x = {shown} it "
                                      f"returned {type(func(*args)).__name__}")
        if not _close(got, want, rel, abs_tol):
            return CheckResult(False, f"not yet: {name} gives {_show(got)} at x = {shown} where "
                                      f"it should give {_show(want)}{reason}")
    return CheckResult(True, f"right: {name} agrees at all {len(inputs)} points{reason}")


def check_derivative(derivative, f, inputs, *, name='your derivative', reason=''):
    """Right when derivative(x) equals df/dx from scalargrad's backward() at every x.

    f must be written with Value operations (x ** 4, x.tanh(), ...).

    >>> check_derivative(lambda x: 4*x**3 - 4*x, lambda x: x**4 - 2*x**2, [-1.5, 0.3, 2.0])
    """
    def autograd(x):
        leaf = Value(x)
        f(leaf).backward()
        return leaf.grad
    return check_function(derivative, autograd, inputs, name=name, reason=reason)


# ---- small helpers


def _number(x):
    """A float from a number or a Value-like object with .data; None if neither."""
    if hasattr(x, 'data') and not isinstance(x, Real):
        x = x.data
    if isinstance(x, bool) or not isinstance(x, Real):
        return None
    return float(x)


def _close(got, want, rel=1e-7, abs_tol=1e-10):
    return got is not None and math.isclose(got, want, rel_tol=rel, abs_tol=abs_tol)


def _show(x):
    """A number as a learner would write it: 2.0, -0.5, 0.215061; anything else as repr."""
    number = _number(x)
    if number is None or not math.isfinite(number):
        return repr(x)
    if number == int(number) and abs(number) < 1e15:
        return f"{number:.1f}"
    return f"{number:.6g}"


def _error(e):
    return f"{type(e).__name__}: {str(e)[:120]}" if str(e) else type(e).__name__
