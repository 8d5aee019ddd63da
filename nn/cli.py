"""The `scalargrad` command line: demo, train and graph.

Each subcommand lives in its own module, which adds its parser with `add_parser(sub)`
and sets `run` to the function that carries it out (returning the exit status).
"""

import argparse
import sys

from . import graph_cli, train_cli


def build_parser():
    parser = argparse.ArgumentParser(
        prog='scalargrad', description='scalargrad: watch backprop work, one scalar at a time.')
    sub = parser.add_subparsers(dest='command', required=True, metavar='command')
    train_cli.add_parsers(sub)  # demo, train
    graph_cli.add_parser(sub)  # graph
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
