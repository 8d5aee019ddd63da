"""The `scalargrad` command line: demo, train and graph.

Each subcommand lives in its own module, which adds its parser with `add_parser(sub)`
and sets `run` to the function that carries it out (returning the exit status).
"""

import argparse
import sys


def _engine_demo(args):
    """A small engine example: one tanh neuron, its gradients printed."""
    from engine import Value

    x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
    y = (x * w + b).tanh()
    y.backward()
    print(f"y = tanh(x*w + b) = {y.data:.6f}")
    for v in (x, w, b):
        print(f"  dy/d{v.label} = {v.grad:+.6f}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog='scalargrad', description='scalargrad: watch backprop work, one scalar at a time.')
    sub = parser.add_subparsers(dest='command', required=True, metavar='command')
    demo = sub.add_parser('demo', help="train micrograd's moons classifier and draw it")
    demo.set_defaults(run=_engine_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
