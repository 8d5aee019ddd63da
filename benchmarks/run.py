"""Side by side: scalargrad, micrograd 0.1.0, PyTorch 0-d tensors and plain Python floats.

    python benchmarks/run.py                  # full run (several minutes)
    python benchmarks/run.py --quick          # fewer steps and repeats (about a minute)
    python benchmarks/run.py --instructions   # also count instructions per step (callgrind)
    python benchmarks/run.py --write-readme   # also put the tables into README.md

The moons training step is timed in three process states (see states.py), each in its own
subprocess: bare, with a notebook's imports, and with torch imported. Prints markdown tables
with absolute times and ratios against micrograd in the same process, then which targets
are met. Only ratios within one run mean much: the machine may be busy. Always exits 0 (the
targets are information, not a test).
"""

import argparse
import datetime
import functools
import gc
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)

import chain  # noqa: E402  (benchmarks/ is sys.path[0] when run as a script)
import grid  # noqa: E402
import instructions  # noqa: E402
import moons  # noqa: E402
import node_memory  # noqa: E402
import peers  # noqa: E402
import states  # noqa: E402
import timing  # noqa: E402

FULL = dict(rounds=3, steps=4, chain_repeats=3, torch_chain_max=10 ** 5, grid_repeats=3,
            graph_grid_points=10 ** 4, micrograd_grid_points=200, fit_updates=100)
QUICK = dict(rounds=1, steps=2, chain_repeats=1, torch_chain_max=10 ** 4, grid_repeats=1,
             graph_grid_points=1000, micrograd_grid_points=20, fit_updates=50)
CHAIN_SIZES = (10 ** 4, 10 ** 5, 10 ** 6)
QUICK_CHAIN_SIZES = (10 ** 4, 10 ** 5)
MARK_START, MARK_END = '<!-- bench:start -->', '<!-- bench:end -->'
STATE_TITLES = {'bare': 'bare', 'notebook': "notebook's imports", 'torch': 'torch imported'}


def say(message):
    print(message, file=sys.stderr, flush=True)


# ---- what one worker process measures

def moons_steps(config, state, X, y):
    """{peer key: (s/step, losses)} for every peer this state can run."""
    names = [n for n in peers.ORDER if peers.available(n) and (n != 'torch' or state == 'torch')]
    built = []
    recording = None
    for name in names:
        if name not in peers.RUNS:
            gc.collect()
            start = time.perf_counter()
            built.append((name, peers.build(name, X, y)))  # a replay records its graph here
            if name == 'replay':
                recording = time.perf_counter() - start
    say(f"[{state}] moons step: {', '.join(n for n, _ in built)} "
        f"({config['rounds']} rounds of 1 + {config['steps']} steps each)")
    results = timing.timed_rounds(built, config['rounds'], config['steps'])
    for name in peers.RUNS:  # whole nn.fit runs, one after the other
        if name in names:
            say(f"[{state}] {name}: one nn.fit call of {config['fit_updates']} updates")
            forget_programs()  # the replay peer compiled this graph: fit must record it cold
            gc.collect()
            results[name] = peers.build(name, X, y)(config['fit_updates'])
    return results, recording


def forget_programs():
    """Empty engine.record's cache of compiled programs (older trees have none)."""
    try:
        from engine.recording import clear_cache
    except ImportError:
        return
    clear_cache()


def memory(X, y):
    """{peer key: (nodes, bytes, bytes per node)} for the moons forward graph."""
    from micrograd.engine import Value as MicroValue

    from engine import Value

    micro_model, weights = moons.micrograd_weights()
    op_model = peers.scalargrad_model(weights, False)
    fused_model = peers.scalargrad_model(weights, True)
    say("memory: tracemalloc on one forward graph per peer")
    rows = {
        'micrograd': node_memory.bytes_per_node(
            lambda: moons.forward_graph(MicroValue, micro_model, X, y),
            micro_model.parameters()),
        'op_by_op': node_memory.bytes_per_node(
            lambda: moons.forward_graph(Value, op_model, X, y), op_model.parameters()),
        'fused': node_memory.bytes_per_node(
            lambda: moons.forward_graph(Value, fused_model, X, y, fused=True),
            fused_model.parameters()),
    }
    if peers.available('replay'):
        from engine import record
        rows['replay'] = node_memory.recording_bytes(
            lambda: record(lambda: moons.forward_graph(Value, fused_model, X, y, fused=True),
                           fused_model.parameters()))
    return rows


def chains(config):
    """{size: [nodes, scalargrad s, micrograd s or a note]} for the backward pass."""
    from micrograd.engine import Value as MicroValue

    from engine import Value

    rows = {}
    micrograd_note = None
    for size in config['chain_sizes']:
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


def torch_chains(config):
    """{size: seconds or a note} for the chain on 0-d tensors."""
    import torch

    def leaf(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    rows = {}
    for size in config['chain_sizes']:
        if size > config['torch_chain_max']:
            rows[size] = 'not run (time)'
            continue
        say(f"chain backward: {size} nodes, torch")
        root, _ = chain.build_chain(leaf, size)
        again = functools.partial(root.backward, retain_graph=True)  # keep graph: repeats
        rows[size] = chain.best_backward_time(root, config['chain_repeats'], again)
        del root, again
        gc.collect()
    return rows


def grid_inference(config):
    """{path: seconds} for the 100 x 100 decision-boundary grid."""
    from micrograd.engine import Value as MicroValue

    from engine import no_grad

    micro_model, weights = moons.micrograd_weights()
    points = grid.grid_points()
    model = peers.scalargrad_model(weights, True)
    say("grid inference: 100 x 100 points")
    results = {'scalargrad predict (plain floats)':
               timing.median_time(lambda: model.predict(points), config['grid_repeats'])}

    some = points[:config['graph_grid_points']]

    def graph_pass():
        with no_grad():
            return [model(p).data for p in some]

    t = timing.median_time(graph_pass, 1)
    scaled = '' if len(some) == len(points) else f' (from {len(some)} points, scaled)'
    results[f'scalargrad model(x), fused, no_grad{scaled}'] = t * len(points) / len(some)
    few = points[:config['micrograd_grid_points']]
    t = timing.median_time(lambda: [micro_model(list(map(MicroValue, p))).data for p in few], 1)
    results[f'micrograd model(x) (from {len(few)} points, scaled)'] = t * len(points) / len(few)
    return results


def worker(state, config, extras):
    """Everything one process state measures, as a JSON-ready dict."""
    missing, objects = states.enter(state)
    X, y = peers.data()
    out = {'state': state, 'missing': missing, 'objects': objects,
           'python': platform.python_version()}
    out['steps'], out['record_seconds'] = moons_steps(config, state, X, y)
    if state == 'torch' and not missing:
        import torch
        out['torch_version'] = torch.__version__.split('+')[0]
        out['torch_chains'] = torch_chains(config)
    if extras:
        out['memory'] = memory(X, y)
        out['chains'] = chains(config)
        out['grid'] = grid_inference(config)
    return out


def run_state(state, quick, extras):
    """Run one state's worker in a fresh interpreter; returns its dict (or None)."""
    cmd = [sys.executable, os.path.abspath(__file__), '--worker', state]
    cmd += ['--quick'] * quick + ['--extras'] * extras
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        say(f"[{state}] the worker failed (exit {done.returncode}); its column is left out")
        return None
    return json.loads(done.stdout)


# ---- the report

def ms(seconds):
    """A duration with three significant digits in s, ms or µs."""
    if seconds >= 1.0:
        return f'{seconds:.3g} s'
    return f'{seconds * 1e3:.3g} ms' if seconds >= 1e-3 else f'{seconds * 1e6:.3g} µs'


def load_average():
    return os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')


def cpu_model():
    """The processor's name as the system reports it ('' where it cannot be read)."""
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def where():
    """Python version and machine, short: stated with every table."""
    cpu = cpu_model()
    return (f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
            f"{', ' + cpu if cpu else ''}, {os.cpu_count()} cores")


def machine(started_at=None):
    """The machine, and how busy it was (1-minute load average at the start and the end)."""
    load = f'{load_average():.1f} when the run began' if started_at is None else \
        f'{started_at:.1f} when the run began and {load_average():.1f} when it ended'
    return f"{where()}, load average {load}"


def steps_table(config, results):
    """The moons step table: one time and ratio column pair per process state."""
    cols = [r for r in results if r]
    names = [n for n in peers.ORDER if any(n in r['steps'] for r in cols)]
    header = '| peer |' + ''.join(f" {STATE_TITLES[r['state']]} | x |" for r in cols)
    lines = [
        "**Moons training step** (micrograd's demo: MLP 2-16-16-1, 100 points, hinge loss + "
        "1e-4 L2, full batch; every peer starts from the same weights; median of "
        f"{config['rounds'] * config['steps']} timed steps, the peers taking turns; each "
        f"column is its own process; x is the speed-up over micrograd in that process; "
        f"{where()})", '',
        ', '.join(f"{STATE_TITLES[r['state']]}: {r['objects']:,} gc-tracked objects"
                  + (f" (missing: {', '.join(r['missing'])})" if r['missing'] else '')
                  for r in cols), '',
        header + ' loss curve vs micrograd |',
        '|---|' + '---:|---:|' * len(cols) + '---:|',
    ]
    for name in names:
        label = peers.NAMES[name]
        cells = []
        diff = None
        for r in cols:
            if name not in r['steps']:
                cells.append(' | ')
                continue
            seconds, losses = r['steps'][name]
            t_micro, micro_losses = r['steps']['micrograd']
            cells.append(f'{ms(seconds)} | {t_micro / seconds:.1f}x')
            diff = max(abs(a - b) for a, b in zip(losses, micro_losses))
            if name == 'torch':
                label = f"PyTorch {r.get('torch_version', '')}, 0-d float64"
        lines.append(f'| {label} | ' + ' | '.join(cells) + f' | {diff:.1e} |')
    return lines


def ratio(results, state, name, over='micrograd'):
    r = next((r for r in results if r and r['state'] == state), None)
    if r is None or name not in r['steps'] or over not in r['steps']:
        return None
    return r['steps'][over][0] / r['steps'][name][0]


def report(config, quick, results, counts, started_at=None):
    bare = next((r for r in results if r and r['state'] == 'bare'), None)
    torch_run = next((r for r in results if r and r['state'] == 'torch'), None)
    lines = [f"Measured {datetime.date.today()} with `python benchmarks/run.py"
             f"{' --quick' if quick else ''}{' --instructions' if counts else ''}`: "
             f"{machine(started_at)} (shared with other work: read the ratios, not the "
             f"times).", '']
    lines += steps_table(config, results)
    lines += ['', "The fused row runs micrograd's loop on scalargrad's fused model. The replay "
              "records the fused graph once (not timed: see the recording time below) and then "
              "repeats its forward and backward pass on plain floats (`engine.record`). The "
              f"nn.fit rows time one whole `nn.fit` call of {config['fit_updates']} updates "
              "(measure=False), divided by the updates: with the replay, its one-off "
              "recording (with an empty program cache) is in that time. "
              "Python's cyclic garbage collector walks every tracked object of the process "
              "now and then, so the same work costs more in a fuller process: micrograd's "
              "closures make a reference cycle per node, which only that collector frees."]
    recorded = [f"{STATE_TITLES[r['state']]} {r['record_seconds']:.2f} s" for r in results
                if r and r.get('record_seconds')]
    if recorded:
        lines += ['', "Recording the fused moons graph once (engine.record: the graph built, "
                  "its straight-line code generated and compiled) took " + ', '.join(recorded)
                  + "."]
    if counts:
        lines += ['', f"**Instructions per step** ({instructions.valgrind_version()} "
                  f"--tool=callgrind, one step after a warm-up, bare process; {where()}; "
                  "`make bench-instructions` for this table alone): deterministic, so these "
                  "ratios hold on a busy machine", '']
        lines += instructions.table(counts)
    mem = bare['memory'] if bare else {}
    if mem:
        lines += ['', "**Memory per recorded node** (tracemalloc while building one moons "
                  "forward graph, parameters not counted; the replay: what a recording keeps "
                  "between steps, per recorded op, summed with sys.getsizeof, since tracing "
                  f"the compiler at work would take minutes; {where()})", '',
                  '| peer | nodes | bytes | bytes per node | vs micrograd |',
                  '|---|---:|---:|---:|---:|']
        micro_per_node = mem['micrograd'][2]
        for name, (nodes, traced, per_node) in mem.items():
            lines.append(f'| {peers.NAMES[name]} | {nodes:,} | {traced / 1e6:.1f} MB | '
                         f'{per_node:.0f} | {per_node / micro_per_node:.2f}x |')
    flat = None
    if bare:
        torch_rows = torch_run.get('torch_chains', {}) if torch_run else {}
        torch_name = f"PyTorch {torch_run['torch_version']}" if torch_rows else None
        lines += ['', "**Backward time per node** (chain x = x * c + d, c and d shared leaves; "
                  f"best of {config['chain_repeats']}; torch from the torch process; "
                  f"{where()})", '']
        lines += ['| nodes | scalargrad | micrograd |' + (f' {torch_name} |' if torch_name
                                                          else ''),
                  '|---:|---:|---:|' + ('---:|' if torch_name else '')]
        per_node = []
        for size, (count, ours, theirs) in bare['chains'].items():
            per_node.append(ours / count)
            others = [theirs] + ([torch_rows.get(size, '')] if torch_name else [])
            cells = [f'{t / count * 1e9:.0f} ns' if isinstance(t, float) else t for t in others]
            lines.append(f'| {count:,} | {ours / count * 1e9:.0f} ns | ' + ' | '.join(cells)
                         + ' |')
        flat = max(per_node) / min(per_node)
        lines += ['', f'scalargrad per-node cost, largest / smallest over the sizes: '
                  f'{flat:.2f}', '',
                  f'**Decision-boundary grid** (100 x 100 points through the 2-16-16-1 model; '
                  f'{where()})',
                  '', '| path | time |', '|---|---:|']
        lines += [f'| {path} | {ms(t)} |' for path, t in bare['grid'].items()]
    lines += [''] + targets(results, bare, mem, flat)
    return '\n'.join(lines)


def targets(results, bare, mem, flat):
    """The targets table, judged in the notebook process (where learners run)."""
    def check(what, value, ok, fmt='{:.1f}x'):
        shown = 'not measured' if value is None else fmt.format(value)
        verdict = '' if value is None else ('PASS' if ok(value) else 'MISS')
        return f'| {what} | {shown} | {verdict} |'

    nb = 'notebook'
    replay_vs_plain = ratio(results, nb, 'plain', over='replay')  # time replay / time plain
    fit_vs_fused = ratio(results, nb, 'fit_graph', over='fused')
    nb_run = next((r for r in results if r and r['state'] == nb), None)
    same = None
    if nb_run and 'replay' in nb_run['steps']:
        same = max(abs(a - b) for a, b in zip(nb_run['steps']['replay'][1],
                                               nb_run['steps']['fused'][1]))
    rows = ['**Targets** (speeds in the notebook process)', '',
            '| target | measured | |', '|---|---:|---|',
            check('op by op at least 5x micrograd', ratio(results, nb, 'op_by_op'),
                  lambda v: v >= 5),
            check('fused at least 80x micrograd', ratio(results, nb, 'fused'),
                  lambda v: v >= 80),
            check('nn.fit(replay=False) at least as fast as the fused loop (time fused / '
                  'time fit)',
                  fit_vs_fused, lambda v: v >= 0.95, '{:.2f}'),
            check('replay at least 150x micrograd', ratio(results, nb, 'replay'),
                  lambda v: v >= 150),
            check('replay within 2x of the plain-float step (time replay / time plain)',
                  replay_vs_plain, lambda v: v <= 2, '{:.2f}'),
            check('replay loss curve equals the fused graph\'s (max diff)', same,
                  lambda v: v == 0.0, '{:.1e}')]
    if mem:
        rows.append(check("bytes per node at most 1/3 of micrograd's (op by op)",
                          mem['op_by_op'][2] / mem['micrograd'][2], lambda v: v <= 1 / 3,
                          '{:.2f}x'))
    if flat is not None:
        rows.append(check('backward cost per node flat within 1.5x over the chain sizes',
                          flat, lambda v: v <= 1.5, '{:.2f}'))
    if bare:
        predict = next(iter(bare['grid'].values()))
        rows.append(f"| 100 x 100 grid inference well under a second | {ms(predict)} | "
                    f"{'PASS' if predict < 1.0 else 'MISS'} |")
    return rows


def write_readme(text, path=None):
    """Replace what lies between the bench markers in README.md (atomically)."""
    from engine.files import write_atomic

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
    parser.add_argument('--states', nargs='+', choices=states.STATES, default=states.STATES,
                        help='which process states to time (default: all three)')
    parser.add_argument('--instructions', action='store_true',
                        help='also count instructions per step with valgrind (slow)')
    parser.add_argument('--write-readme', action='store_true',
                        help='replace the table between the README markers')
    parser.add_argument('--worker', choices=states.STATES, help=argparse.SUPPRESS)
    parser.add_argument('--extras', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = dict(QUICK if args.quick else FULL)
    config['chain_sizes'] = QUICK_CHAIN_SIZES if args.quick else CHAIN_SIZES
    if args.worker:
        print(json.dumps(worker(args.worker, config, args.extras)))
        return 0
    started = time.perf_counter()
    say(f"{machine()}")
    load_at_start = load_average()
    results = [run_state(s, args.quick, extras=(s == 'bare')) for s in args.states]
    counts = instructions.counts(instructions.DEFAULT_PEERS, say) if args.instructions else {}
    text = report(config, args.quick, results, counts, load_at_start)
    print(text)
    say(f"\n(benchmarks took {time.perf_counter() - started:.0f} s)")
    if args.write_readme:
        write_readme(text)
        say("README.md updated between the bench markers")
    return 0


if __name__ == '__main__':
    sys.exit(main())
