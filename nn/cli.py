"""The `scalargrad` command line: demo, train and graph.

Each subcommand lives in its own module, which adds its parser with `add_parser(sub)`
and sets `run` to the function that carries it out (returning the exit status).
"""

import argparse
import sys
from importlib import metadata

from . import graph_cli, train_cli


def _version():
    try:
        return metadata.version('scalargrad')
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return 'unknown'


def build_parser():
    parser = argparse.ArgumentParser(
        prog='scalargrad', description='scalargrad: watch backprop work, one scalar at a time.')
    parser.add_argument('--version', action='version', version=f'scalargrad {_version()}')
    sub = parser.add_subparsers(dest='command', required=True, metavar='command')
    train_cli.add_parsers(sub)  # demo, train
    graph_cli.add_parser(sub)  # graph
    return parser


def main(argv=None):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # plain `scalargrad`: say what it can do
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
