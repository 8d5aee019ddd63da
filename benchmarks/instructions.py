"""Instructions per moons training step, counted by valgrind's callgrind.

    python benchmarks/instructions.py                  # micrograd, op_by_op, fused, replay
    python benchmarks/instructions.py --peers fused replay

A count of machine instructions does not change when the machine is busy, so a ratio of two
counts can be checked on a noisy machine where timings wander. Callgrind starts with
counting off (--collect-atstart=no) and toggles it while the C function behind
`operator.call` runs (--toggle-collect=_operator_call); each peer's counted step is called
through operator.call, so setup, imports and a first warm-up step are left out. Under
callgrind a program runs about 50 times slower: one step per peer, in a bare process.
"""

import argparse
import gc
import operator
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEERS = ('micrograd', 'op_by_op', 'fused', 'replay', 'plain')
COLLECTED = re.compile(r'Collected\s*:\s*(\d+)')


def valgrind_version():
    """'valgrind-3.19.0', say, or 'valgrind' when it cannot be asked."""
    try:
        done = subprocess.run(['valgrind', '--version'], capture_output=True, text=True)
    except OSError:
        return 'valgrind'
    return done.stdout.strip() or 'valgrind'


def count_one(peer):
    """In the process callgrind watches: set up, warm up, then one counted step."""
    sys.path.insert(0, HERE)
    import peers

    X, y = peers.data()
    step = peers.build(peer, X, y)
    step(0)  # a warm-up step: the counted one frees the garbage of a step before it
    gc.collect()
    operator.call(step, 1)


def instructions(peer, python=sys.executable):
    """Instructions of one training step of `peer` (an int), or a note saying why not."""
    if shutil.which('valgrind') is None:
        return 'valgrind not installed'
    cmd = ['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null',
           '--collect-atstart=no', '--toggle-collect=_operator_call',
           python, os.path.abspath(__file__), '--inner', peer]
    done = subprocess.run(cmd, capture_output=True, text=True)
    found = COLLECTED.findall(done.stderr)
    if done.returncode != 0 or not found:
        last = done.stderr.strip().splitlines()[-1:] or ['no output']
        return f'failed: {last[0][:80]}'
    return int(found[-1])


def counts(names, say=print):
    """{peer: instructions or a note}, one callgrind run per peer."""
    sys.path.insert(0, HERE)
    import peers

    result = {}
    for name in names:
        if not peers.available(name):
            result[name] = 'not available'
            continue
        say(f"callgrind: one step of {name} (slow: valgrind runs it about 50x slower)")
        result[name] = instructions(name)
    return result


def table(result):
    """Markdown lines: instructions per step and the ratio to micrograd's."""
    sys.path.insert(0, HERE)
    import peers

    base = result.get('micrograd')
    lines = ['| peer | instructions per step | micrograd\'s / this |', '|---|---:|---:|']
    for name, n in result.items():
        if isinstance(n, int):
            ratio = f'{base / n:.1f}x' if isinstance(base, int) else ''
            lines.append(f'| {peers.NAMES[name]} | {n / 1e6:,.1f} M | {ratio} |')
        else:
            lines.append(f'| {peers.NAMES[name]} | {n} | |')
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--peers', nargs='+', default=list(DEFAULT_PEERS))
    parser.add_argument('--inner', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        count_one(args.inner)
        return 0
    print('\n'.join(table(counts(args.peers, lambda m: print(m, file=sys.stderr)))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
