"""Formulas as text, e.g. "tanh(x*w + b)", read safely and turned into a graph of Values.

Python's own parser (ast) reads the text; then every piece of the tree is checked against a
short allow-list and evaluated by hand. Nothing is ever passed to eval(). Allowed:

    numbers        2   0.5   1e-3
    variables      x   w1   bias          (not dunder names, not the function names)
    operators      a + b   a - b   a * b   a / b   a ** b   -a   +a   ( ... )
    functions      exp log tanh sigmoid relu step, with exactly one argument

>>> f = Expression('tanh(x*w + b)'); f.variables
('x', 'w', 'b')
>>> y = f.evaluate({'x': 2.0, 'w': -3.0, 'b': 6.8813735870195432}); y.backward()
"""

import ast

from .value import Value, no_grad

FUNCTIONS = ('exp', 'log', 'tanh', 'sigmoid', 'relu', 'step')
OPERATORS = {ast.Add: '+', ast.Sub: '-', ast.Mult: '*', ast.Div: '/', ast.Pow: '**'}
MAX_CHARS = 1000  # a formula to draw fits on a few lines
MAX_DEPTH = 500  # levels of the tree (operators, calls); parentheses alone add none

ALLOWED = ('use only numbers, variables, + - * / **, parentheses and '
           + ' '.join(FUNCTIONS))

# What to call the things that are refused, by ast class name.
REFUSED = {
    'Attribute': 'attribute access', 'Subscript': 'subscripts', 'Slice': 'slices',
    'Lambda': 'lambda', 'IfExp': 'conditional expressions (a if c else b)',
    'Compare': 'comparisons', 'BoolOp': 'and / or', 'NamedExpr': 'assignment (:=)',
    'JoinedStr': 'f-strings', 'FormattedValue': 'f-strings', 'List': 'lists',
    'Tuple': 'tuples', 'Set': 'sets', 'Dict': 'dicts', 'ListComp': 'comprehensions',
    'SetComp': 'comprehensions', 'DictComp': 'comprehensions', 'GeneratorExp': 'generators',
    'Starred': 'starred arguments (*args)', 'Await': 'await', 'Yield': 'yield',
    'YieldFrom': 'yield', 'MatMult': 'the @ operator', 'FloorDiv': 'the // operator',
    'Mod': 'the % operator', 'BitAnd': 'the & operator', 'BitOr': 'the | operator',
    'BitXor': 'the ^ operator (for powers write **, as in x**2)',
    'LShift': 'the << operator', 'RShift': 'the >> operator',
    'Invert': 'the ~ operator', 'Not': 'not',
}


# Python's words for a few common slips, in a formula writer's words.
SYNTAX_HINTS = {
    'invalid decimal literal': 'a number runs into a name; write 2*x for a product, not 2x',
    'invalid syntax. Perhaps you forgot a comma?': 'two terms with no operator between them',
    "'(' was never closed": 'a ( is never closed',
    "unmatched ')'": 'a ) has no ( to match',
}


class ExpressionError(ValueError):
    """The text is not a formula this module accepts; the message says why, in one line."""


class Expression:
    """A checked formula: .text, .variables (in order of first appearance), .evaluate(values).

    >>> Expression('x**2 + 3*x').evaluate({'x': 2.0}).data
    10.0
    """

    def __init__(self, text):
        if not isinstance(text, str):
            raise ExpressionError(f"a formula is text, got {type(text).__name__}")
        if len(text) > MAX_CHARS:
            raise ExpressionError(f"the formula is {len(text)} characters long; the limit is "
                                  f"{MAX_CHARS}")
        if not text.strip():
            raise ExpressionError(f"the formula is empty: {ALLOWED}")
        source = text.strip()
        try:
            tree = ast.parse(source, mode='eval')
        except SyntaxError as e:
            hint = SYNTAX_HINTS.get(e.msg, e.msg)
            raise ExpressionError(f"not a formula: {hint} (column {e.offset or '?'})") from None
        except (ValueError, RecursionError, MemoryError):
            raise ExpressionError("not a formula: the text cannot be read") from None
        self.text = text
        self._tree = tree.body
        self.variables = _check(tree.body, source)

    def evaluate(self, values):
        """The formula's Value, with variables taken from `values` (name -> number or Value).

        A number is wrapped as Value(number, label=name); a Value is used as it is, so its
        gradient is there to read after backward(). Each variable is one node, however
        often it appears. Constant parts (like 2*3) are worked out as plain numbers.
        """
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise ExpressionError("no value for " + ', '.join(missing))
        leaves = {name: v if isinstance(v, Value) else Value(v, name)
                  for name, v in values.items() if name in self.variables}
        result = _evaluate(self._tree, leaves)
        return result if isinstance(result, Value) else Value(result)

    def __repr__(self):
        return f"Expression({self.text!r})"


def _check(tree, text):
    """Refuse anything outside the allow-list; return the variable names in order."""
    names = []
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the formula is nested more than {MAX_DEPTH} levels deep")
        children = ()
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _refuse(node, text, f"the constant {value!r:.30}")
            _number(value, node, text)
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _refuse(node, text, f"'{node.id}' is a function, not a variable: call "
                                          f"it, as in {node.id}(x)", allowed=False)
            if node.id.startswith('__'):
                raise _refuse(node, text, f"the name '{node.id}'")
            if node.id not in names:
                names.append(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in OPERATORS:
                raise _refuse(_operator_place(node, text), text,
                              REFUSED.get(type(node.op).__name__, 'this operator'))
            children = (node.left, node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise _refuse(node, text, REFUSED.get(type(node.op).__name__, 'this operator'))
            children = (node.operand,)
        elif isinstance(node, ast.Call):
            _check_call(node, text)
            children = (node.args[0],)
        else:
            raise _refuse(node, text, REFUSED.get(type(node).__name__, type(node).__name__))
        stack.extend((child, depth + 1) for child in reversed(children))
    return tuple(names)  # depth first, left child first: the order of the text


def _check_call(node, text):
    func = node.func
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        what = ast.get_source_segment(text, func) or 'this'
        raise _refuse(node, text, f"calling {what:.30}()")
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise ExpressionError(f"{func.id}() takes exactly one argument, as in {func.id}(x) "
                              f"(column {node.col_offset + 1})")


def _operator_place(node, text):
    """Where a binary operator sits (the tree only knows where its left operand starts)."""
    after = node.left.end_col_offset
    if node.left.end_lineno != 1 or after is None:
        return node
    gap = len(text[after:]) - len(text[after:].lstrip())
    return ast.Constant(value=None, col_offset=after + gap)


def _refuse(node, text, what, allowed=True):
    column = getattr(node, 'col_offset', -1) + 1
    where = f" (column {column})" if column > 0 else ''
    if allowed:
        return ExpressionError(f"not allowed: {what}{where}; {ALLOWED}")
    return ExpressionError(f"{what}{where}")


def _number(value, node, text):
    """A literal as a float: finite, and not too large for one."""
    try:
        x = float(value)
    except OverflowError:
        raise ExpressionError(f"the number at column {node.col_offset + 1} is too large for a "
                              f"float") from None
    if x - x != 0.0:
        raise ExpressionError(f"the number at column {node.col_offset + 1} is not finite")
    return x


def _evaluate(tree, leaves):
    """Evaluate a checked tree, children before parents, with an explicit stack.

    A part without variables stays a plain float (worked out with Values under no_grad,
    so it gets the engine's errors); the rest become Values in the graph.
    """
    done = {}
    stack = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            done[node] = float(node.value)
        elif isinstance(node, ast.Name):
            done[node] = leaves[node.id]
        elif not ready:
            stack.append((node, True))
            kids = _children(node)
            stack.extend((kid, False) for kid in reversed(kids))
        else:
            args = [done.pop(kid) for kid in _children(node)]
            done[node] = _apply(node, args)
    return done[tree]


def _children(node):
    if isinstance(node, ast.BinOp):
        return (node.left, node.right)
    if isinstance(node, ast.UnaryOp):
        return (node.operand,)
    return (node.args[0],)  # a checked Call


def _apply(node, args):
    if not any(isinstance(a, Value) for a in args):  # a constant part: keep a plain number
        with no_grad():
            return _apply(node, [Value(args[0]), *args[1:]]).data
    if isinstance(node, ast.UnaryOp):
        return -args[0] if isinstance(node.op, ast.USub) else args[0]
    if isinstance(node, ast.Call):
        return getattr(args[0], node.func.id)()
    a, b = args
    op = type(node.op)
    if op is ast.Add:
        return a + b
    if op is ast.Sub:
        return a - b
    if op is ast.Mult:
        return a * b
    if op is ast.Div:
        return a / b
    if not isinstance(b, Value):  # a ** number: the engine's '**k' node, k a plain number
        return a ** (int(b) if b.is_integer() and abs(b) < 1e15 else b)
    return a ** b
