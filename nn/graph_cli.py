"""`scalargrad graph`: a formula's value, its gradients, and a picture of its graph.

    scalargrad graph "tanh(x*w + b)" --set x=2 w=-3 b=6.8813735870195432 -o graph.svg

The formula is read by engine.expr (an allow-list over Python's parser, never eval), run
forward and backward, and every variable's value and gradient is printed. -o saves the
picture (.svg, .png or .pdf); --steps saves the step-through web page.

Numbers are printed as the pictures show them (engine.draw.number: 4 significant digits, so
the lecture's gradient -1.4999999999999993 reads -1.5); --digits N shows N significant
digits, --full every digit (Python's repr, which reads back to the same float).
"""

import argparse
import math
import os
import sys

EXAMPLES = """examples:
  scalargrad graph "tanh(x*w + b)" --set x=2 w=-3 b=6.8813735870195432 -o graph.svg
  scalargrad graph "x**2 + 3*x" --set x=1.5 --steps backprop.html
  scalargrad graph --set x=2 y=5 -- "-x*y"      (a formula starting with - goes after --)
  scalargrad graph "x**2" --set x=0.1 --full     (every digit: 0.010000000000000002)

formulas: numbers, variables, + - * / **, parentheses, and exp log tanh sigmoid relu step"""

PICTURES = ('.svg', '.png', '.pdf')
PAGES = ('.html', '.htm')


class UsageError(ValueError):
    """A mistake on the command line; the message says which and how to fix it."""


def add_parser(sub):
    """Add the `graph` subcommand to the `scalargrad` parser's subparsers."""
    parser = sub.add_parser(
        'graph', help="draw a formula's graph and print its gradients",
        description="Run a formula forward and backward, print each variable's value and "
                    "gradient, and draw the computation graph.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('expression', help='the formula, e.g. "tanh(x*w + b)" (quote it)')
    parser.add_argument('--set', dest='assignments', nargs='+', action='extend', default=[],
                        metavar='NAME=NUMBER', help='the value of each variable, e.g. x=2 w=-3')
    parser.add_argument('-o', '--output', metavar='PICTURE',
                        help='save the graph picture: a name ending in .svg, .png or .pdf')
    parser.add_argument('--steps', metavar='PAGE',
                        help='save the step-through backprop page: a name ending in .html')
    parser.add_argument('--rankdir', choices=('LR', 'TB'), default='LR',
                        help='LR: inputs on the left (default); TB: inputs on top')
    parser.add_argument('--max-nodes', type=int, default=None, metavar='N',
                        help='refuse to draw a graph with more nodes (default 300 for the '
                             'picture, 100 for the step-through page)')
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument('--digits', type=_digits, default=None, metavar='N',
                       help='significant digits of the printed numbers (default 4, as in the '
                            'pictures)')
    shown.add_argument('--full', action='store_true',
                       help='print every digit of each float (its repr, exact)')
    parser.set_defaults(run=run)
    return parser


def _digits(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= n <= 17:
        raise argparse.ArgumentTypeError(f"{text} must be from 1 to 17 (17 digits are exact: "
                                         f"or use --full)")
    return n


def number_format(digits=None, full=False):
    """The function that prints a number: the pictures' short form, N digits, or repr.

    >>> number_format()(-1.4999999999999993), number_format(full=True)(0.1 + 0.2)
    ('-1.5', '0.30000000000000004')
    """
    from engine.draw import number

    if full:
        return repr
    if digits is None:
        return number
    return lambda x: number(x, digits)


def run(args):
    """Carry out `scalargrad graph`; return the exit status (errors: one line on stderr, 1)."""
    from engine.draw import GraphTooLarge

    try:
        return _run(args)
    except GraphTooLarge as e:
        print(f"scalargrad graph: error: the graph has at least {e.nodes} nodes, more than the "
              f"limit of {e.limit} for one readable picture; raise it with --max-nodes N",
              file=sys.stderr)
        return 1
    except (ValueError, ArithmeticError, OSError, RuntimeError) as e:
        message = ' '.join(str(e).split())
        print(f"scalargrad graph: error: {message}", file=sys.stderr)
        return 1


def _run(args):
    from engine import Value, draw_dot, save_steps_html
    from engine.expr import Expression

    formula = Expression(args.expression)
    values = parse_assignments(args.assignments, formula.variables)
    missing = [name for name in formula.variables if name not in values]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: add --set "
                         + ' '.join(f"{name}=NUMBER" for name in missing))
    if args.output:
        check_output(args.output, PICTURES, '-o')
    if args.steps:
        check_output(args.steps, PAGES, '--steps')
    if args.max_nodes is not None and args.max_nodes < 1:
        raise UsageError(f"--max-nodes must be at least 1, got {args.max_nodes}")

    leaves = {name: Value(values[name], name) for name in formula.variables}
    root = formula.evaluate(leaves)
    root.backward()
    show = number_format(args.digits, args.full)
    print_gradients(formula.text.strip(), root, leaves, show)

    limits = {} if args.max_nodes is None else {'max_nodes': args.max_nodes}
    if args.output:
        draw_dot(root, args.rankdir, **limits).save(args.output)
        print(f"saved the graph to {args.output}")
    if args.steps:
        settings = ', '.join(f"{name}={show(values[name])}" for name in formula.variables)
        title = f"backprop through {formula.text.strip()}" + (f" at {settings}" if settings else '')
        save_steps_html(root, args.steps, args.rankdir, title=title, **limits)
        print(f"saved the step-through page to {args.steps}")
    return 0


def parse_assignments(assignments, variables):
    """['x=2', 'w=-3'] -> {'x': 2.0, 'w': -3.0}, refusing anything unclear."""
    values = {}
    for item in assignments:
        name, sep, text = item.partition('=')
        name, text = name.strip(), text.strip()
        if not sep or not name.isidentifier() or not text:
            raise UsageError(f"--set {item!r}: write NAME=NUMBER, e.g. x=2")
        if name not in variables:
            known = ', '.join(variables) if variables else 'none'
            raise UsageError(f"--set {item}: the formula has no variable {name!r} "
                             f"(its variables: {known})")
        if name in values:
            raise UsageError(f"--set: {name} is given twice")
        try:
            number = float(text)
        except ValueError:
            raise UsageError(f"--set {item}: {text!r} is not a number") from None
        if not math.isfinite(number):
            raise UsageError(f"--set {item}: the value must be a finite number")
        values[name] = number
    return values


def check_output(path, suffixes, option):
    """Refuse, before any work, a path that cannot be written or has the wrong suffix."""
    if os.path.splitext(path)[1].lower() not in suffixes:
        raise UsageError(f"{option} {path}: use a name ending in {' or '.join(suffixes)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path}: that is a folder; give a file name")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path}: the folder {folder} is not writable")


def print_gradients(text, root, leaves, show=repr):
    """The formula's value, then each variable's value and d(formula)/d(variable).

    show turns a float into its printed form (number_format)."""
    print(f"{text} = {show(root.data)}")
    if not leaves:
        print("(no variables: nothing to differentiate)")
        return
    rows = [(name, show(leaf.data), show(leaf.grad)) for name, leaf in leaves.items()]
    width = max(4, *(len(name) for name, _, _ in rows))
    value_width = max(5, *(len(value) for _, value, _ in rows))
    print(f"{'name':<{width}}  {'value':<{value_width}}  gradient d(out)/d(name)")
    for name, value, grad in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {grad}")
    numbers = [root.data] + [x for leaf in leaves.values() for x in (leaf.data, leaf.grad)]
    if any(float(show(x)) != x for x in numbers):
        print("(numbers rounded for reading; --full prints every digit)")
