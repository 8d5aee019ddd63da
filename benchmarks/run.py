"""Side by side, in one process: scalargrad, micrograd 0.1.0, PyTorch 0-d tensors, plain Python.

    python benchmarks/run.py                  # full run (about a minute or two)
    python benchmarks/run.py --quick          # fewer steps and repeats (well under a minute)
    python benchmarks/run.py --write-readme   # also put the tables into README.md

Prints markdown tables with absolute times and ratios against micrograd, then which
targets are met. Only ratios within one run mean much: the machine may be busy. Always
exits 0 (the targets are information, not a test).
"""

import argparse
import datetime
import functools
import gc
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)

import chain  # noqa: E402  (benchmarks/ is sys.path[0] when run as a script)
import grid  # noqa: E402
import moons  # noqa: E402
import node_memory  # noqa: E402
import timing  # noqa: E402

import nn  # noqa: E402
from engine import Value, no_grad  # noqa: E402
from engine.files import write_atomic  # noqa: E402

FULL = dict(rounds=3, steps=4, chain_repeats=3, torch_chain_max=10 ** 5, grid_repeats=3,
            micrograd_grid_points=200)
QUICK = dict(rounds=1, steps=3, chain_repeats=2, torch_chain_max=10 ** 4, grid_repeats=1,
             micrograd_grid_points=50)
CHAIN_SIZES = (10 ** 4, 10 ** 5, 10 ** 6)
MARK_START, MARK_END = '<!-- bench:start -->', '<!-- bench:end -->'

MICROGRAD = 'micrograd 0.1.0'
OP_BY_OP = 'scalargrad, op by op'
FUSED = 'scalargrad, fused neurons'
FIT = 'scalargrad, fused, in nn.fit'
PLAIN = 'plain Python floats (floor)'


def say(message):
    print(message, file=sys.stderr, flush=True)


# ---- the workloads

def scalargrad_model(weights, fused):
    model = nn.MLP(2, [16, 16, 1], fused=fused)
    moons.load_weights(model, weights)
    return model


def moons_steps(config, X, y):
    """Time the training step for each pure-Python peer; returns {peer: (s/step, losses)}."""
    from micrograd.engine import Value as MicroValue

    micro_model, weights = moons.micrograd_weights()
    peers = [
        (MICROGRAD, moons.graph_step(MicroValue, micro_model, X, y)),
        (OP_BY_OP, moons.graph_step(Value, scalargrad_model(weights, False), X, y)),
        (FUSED, moons.fused_step(Value, scalargrad_model(weights, True), X, y)),
        (FIT, moons.fit_step(scalargrad_model(weights, True), X, y)),
        (PLAIN, moons.plain_step(weights, X, y)),
    ]
    say(f"moons step: {', '.join(name for name, _ in peers)} "
        f"({config['rounds']} rounds of 1 + {config['steps']} steps each)")
    return weights, timing.timed_rounds(peers, config['rounds'], config['steps'])


def memory(X, y, weights):
    """{peer: (nodes, bytes, bytes per node)} for the moons forward graph."""
    from micrograd.engine import Value as MicroValue

    micro_model, _ = moons.micrograd_weights()
    op_model = scalargrad_model(weights, False)
    fused_model = scalargrad_model(weights, True)
    say("memory: tracemalloc on one forward graph per peer")
    return {
        MICROGRAD: node_memory.bytes_per_node(
            lambda: moons.forward_graph(MicroValue, micro_model, X, y),
            micro_model.parameters()),
        OP_BY_OP: node_memory.bytes_per_node(
            lambda: moons.forward_graph(Value, op_model, X, y), op_model.parameters()),
        FUSED: node_memory.bytes_per_node(
            lambda: moons.forward_graph(Value, fused_model, X, y, fused=True),
            fused_model.parameters()),
    }


def chains(config):
    """{size: (nodes, scalargrad s, micrograd s or a note)} for the backward pass."""
    from micrograd.engine import Value as MicroValue

    rows = {}
    micrograd_note = None
    for size in CHAIN_SIZES:
        say(f"chain backward: {size} nodes")
        root, count = chain.build_chain(Value, size)
        ours = chain.best_backward_time(root, config['chain_repeats'])
        del root
        gc.collect()
        if micrograd_note is None:
            if chain.micrograd_backward_fails(MicroValue, size):
                micrograd_note = 'recursion limit'
                theirs = micrograd_note
            else:
                micro_root, _ = chain.build_chain(MicroValue, size)
                theirs = chain.best_backward_time(micro_root, config['chain_repeats'])
                del micro_root
        else:
            theirs = micrograd_note
        gc.collect()
        rows[size] = [count, ours, theirs]
    return rows


def grid_inference(config, weights):
    """{path: seconds} for the 100 x 100 decision-boundary grid."""
    from micrograd.engine import Value as MicroValue

    points = grid.grid_points()
    model = scalargrad_model(weights, True)
    say("grid inference: 100 x 100 points")
    results = {'scalargrad predict (plain floats)':
               timing.median_time(lambda: model.predict(points), config['grid_repeats'])}

    def graph_pass():
        with no_grad():
            return [model(p).data for p in points]

    results['scalargrad model(x), fused, no_grad'] = timing.median_time(graph_pass, 1)
    micro_model, _ = moons.micrograd_weights()
    few = points[:config['micrograd_grid_points']]
    t = timing.median_time(lambda: [micro_model(list(map(MicroValue, p))).data for p in few], 1)
    results[f'micrograd model(x) (from {len(few)} points, scaled)'] = t * len(points) / len(few)
    return results


def torch_peer(config, weights, X, y, step_rows, chain_rows):
    """Import torch last (its many module objects slow every full garbage collection of the
    process) and time it on the moons step and the chains. Adds to the given tables."""
    try:
        import torch
    except ImportError:
        say("torch not installed: its column is skipped")
        return None
    name = f'PyTorch {torch.__version__.split("+")[0]}, 0-d float64'
    say(f"moons step: {name}")
    step_rows.update(timing.timed_rounds([(name, moons.torch_step(torch, weights, X, y))],
                                         config['rounds'], config['steps']))

    def leaf(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    for size, row in chain_rows.items():
        if size > config['torch_chain_max']:
            row.append('not run (time)')
            continue
        say(f"chain backward: {size} nodes, torch")
        root, _ = chain.build_chain(leaf, size)
        again = functools.partial(root.backward, retain_graph=True)  # keep graph: repeats
        row.append(chain.best_backward_time(root, config['chain_repeats'], again))
        del root, again
        gc.collect()
    return name


# ---- the report

def ms(seconds):
    """A duration with three significant digits in s, ms or µs."""
    if seconds >= 1.0:
        return f'{seconds:.3g} s'
    return f'{seconds * 1e3:.3g} ms' if seconds >= 1e-3 else f'{seconds * 1e6:.3g} µs'


def report(config, quick, steps, micro_losses, mem, chain_rows, torch_name, grid_times):
    t_micro = steps[MICROGRAD][0]
    lines = [
        f"Measured {datetime.date.today()} with `python benchmarks/run.py"
        f"{' --quick' if quick else ''}`: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores (shared with "
        f"other work, so read the ratios, not the absolute times).",
        '',
        "**Moons training step** (micrograd's demo: MLP 2-16-16-1, 100 points, hinge loss + "
        f"1e-4 L2, full batch; every peer starts from the same weights; median of "
        f"{config['rounds'] * config['steps']} timed steps, the pure-Python peers taking "
        f"turns)",
        '',
        '| peer | time per step | speed-up vs micrograd | loss curve vs micrograd (max diff) |',
        '|---|---:|---:|---:|',
    ]
    torch_rows = [n for n in steps if n.startswith('PyTorch')]
    order = [MICROGRAD, *torch_rows, OP_BY_OP, FUSED, FIT, PLAIN]
    for name in order:
        seconds, losses = steps[name]
        diff = max(abs(a - b) for a, b in zip(losses, micro_losses))
        lines.append(f'| {name} | {ms(seconds)} | {t_micro / seconds:.1f}x | {diff:.1e} |')
    lines += ['', "The fused rows run micrograd's loop on scalargrad's fused model, and the same "
              "update through `nn.fit`, which pauses Python's cyclic garbage collector during "
              "each update: a scalargrad graph has no reference cycles, so reference counting "
              "frees it, while micrograd's closures make a cycle per node and need the "
              "collector.", '',
              "PyTorch runs after the others: importing it adds about 150 000 objects that "
              "every full garbage collection then walks, which would slow the pure-Python "
              "peers run after it.",
              '', "**Memory per recorded node** (tracemalloc while building one moons forward "
              "graph; parameters not counted)", '',
              '| peer | nodes | bytes | bytes per node | vs micrograd |',
              '|---|---:|---:|---:|---:|']
    micro_per_node = mem[MICROGRAD][2]
    for name, (nodes, traced, per_node) in mem.items():
        lines.append(f'| {name} | {nodes:,} | {traced / 1e6:.1f} MB | {per_node:.0f} | '
                     f'{per_node / micro_per_node:.2f}x |')
    lines += ['', "**Backward time per node** (chain x = x * c + d, c and d shared leaves; "
              f"best of {config['chain_repeats']})", '']
    header = '| nodes | scalargrad | micrograd |' + (f' {torch_name} |' if torch_name else '')
    lines += [header, '|---:|---:|---:|' + ('---:|' if torch_name else '')]
    per_node = []
    for count, ours, *others in chain_rows.values():
        per_node.append(ours / count)
        cells = [f'{t / count * 1e9:.0f} ns' if isinstance(t, float) else t for t in others]
        lines.append(f'| {count:,} | {ours / count * 1e9:.0f} ns | ' + ' | '.join(cells) + ' |')
    flat = max(per_node) / min(per_node)
    lines += ['', f'scalargrad per-node cost, largest / smallest over the three sizes: '
              f'{flat:.2f}', '']
    if grid_times:
        lines += ['**Decision-boundary grid** (100 x 100 points through the 2-16-16-1 model)',
                  '', '| path | time |', '|---|---:|']
        lines += [f'| {path} | {ms(t)} |' for path, t in grid_times.items()]
        lines.append('')
    speed_op = t_micro / steps[OP_BY_OP][0]
    speed_fused = t_micro / steps[FUSED][0]
    speed_fit = t_micro / steps[FIT][0]
    curve = max(abs(a - b) for a, b in zip(steps[FUSED][1], micro_losses))
    bytes_ratio = mem[OP_BY_OP][2] / micro_per_node
    predict = next(iter(grid_times.values()))
    targets = [
        ('op-by-op step at least 5x faster than micrograd', f'{speed_op:.1f}x', speed_op >= 5),
        ("fused step at least 40x faster than micrograd (micrograd's loop)",
         f'{speed_fused:.1f}x', speed_fused >= 40),
        ('fused step at least 40x faster than micrograd (nn.fit, as the demo trains)',
         f'{speed_fit:.1f}x', speed_fit >= 40),
        ('fused loss curve equals micrograd\'s within 1e-9', f'{curve:.1e}', curve <= 1e-9),
        ('bytes per node at most 1/3 of micrograd\'s', f'{bytes_ratio:.2f}x',
         bytes_ratio <= 1 / 3),
        ('backward cost per node flat within 1.5x (10^4 to 10^6)', f'{flat:.2f}', flat <= 1.5),
        ('100 x 100 grid inference well under a second', ms(predict), predict < 1.0),
    ]
    lines += ['**Targets**', '', '| target | measured | |', '|---|---:|---|']
    lines += [f'| {what} | {value} | {"PASS" if ok else "MISS"} |' for what, value, ok in targets]
    return '\n'.join(lines)


def write_readme(text, path=None):
    """Replace what lies between the bench markers in README.md (atomically)."""
    path = path or os.path.join(ROOT, 'README.md')
    with open(path, encoding='utf-8') as f:
        readme = f.read()
    start, end = readme.find(MARK_START), readme.find(MARK_END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: markers {MARK_START} ... {MARK_END} not found")
    new = readme[:start + len(MARK_START)] + '\n' + text + '\n' + readme[end:]
    write_atomic(path, new)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='fewer steps and repeats')
    parser.add_argument('--write-readme', action='store_true',
                        help='replace the table between the README markers')
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    started = time.perf_counter()
    X, y = nn.data.moons(100, noise=0.1, seed=1337)  # labels -1 / +1, as the demo
    weights, steps = moons_steps(config, X, y)
    mem = memory(X, y, weights)
    chain_rows = chains(config)
    grid_times = grid_inference(config, weights)
    torch_name = torch_peer(config, weights, X, y, steps, chain_rows)
    micro_losses = steps[MICROGRAD][1]
    text = report(config, args.quick, steps, micro_losses, mem, chain_rows, torch_name,
                  grid_times)
    print(text)
    say(f"\n(benchmarks took {time.perf_counter() - started:.0f} s)")
    if args.write_readme:
        write_readme(text)
        say("README.md updated between the bench markers")
    return 0


if __name__ == '__main__':
    sys.exit(main())
