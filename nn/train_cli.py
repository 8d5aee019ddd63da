"""`scalargrad demo` and `scalargrad train`: train a classifier, then draw what it learned.

    scalargrad demo          micrograd's moons classifier, pictures in ./scalargrad-demo/
    scalargrad train --data xor --hidden 4 --activation tanh --optimizer adam --lr 0.05

Each prints the whole training set's accuracy and loss after the last update (the loss in
the pictures' short form, engine.draw.number: 4 significant digits), and writes
decision_boundary.png, loss_curve.png (the training-set loss measured after each epoch) and
neuron.svg (the computation graph of one neuron, drawn by engine.draw_dot) into its --out
folder.
"""

import argparse
import io
import math
import os
import sys
import time

from engine.draw import number
from engine.files import write_atomic

from .activations import ACTIVATIONS
from .graph_cli import UsageError, check_output

DATASETS = ('xor', 'and', 'or', 'moons', 'circles', 'spiral', 'blobs')
LOSS_NAMES = ('hinge', 'mse', 'bce', 'cross_entropy')
# Points --samples must give: at least one per class (nn.data's moons and circles need 2).
LEAST_SAMPLES = {'moons': 2, 'circles': 2, 'spiral': 3, 'blobs': 3}


# ---- argparse value checks: a bad value is a usage error that names the problem


def _positive_int(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return n


def _finite_float(text, at_least_zero):
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not at_least_zero):
        rule = 'a finite number >= 0' if at_least_zero else 'a positive finite number'
        raise argparse.ArgumentTypeError(f"{text} must be {rule}")
    return x


def _positive_float(text):
    return _finite_float(text, at_least_zero=False)


def _non_negative_float(text):
    return _finite_float(text, at_least_zero=True)


def _fraction(text):
    x = _non_negative_float(text)
    if x >= 1:
        raise argparse.ArgumentTypeError(f"{text} must be below 1")
    return x


def _hidden(text):
    """'16,16' -> [16, 16]; '' or 'none' -> [] (no hidden layer)."""
    if text.strip().lower() in ('', 'none'):
        return []
    sizes = []
    for part in text.split(','):
        try:
            sizes.append(_positive_int(part.strip()))
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a list of layer sizes like 16,16 (or 'none')") from None
    return sizes


def _batch_size(text):
    """'full' -> None (one update per epoch), else a whole number >= 1."""
    return None if text.strip().lower() == 'full' else _positive_int(text)


def _check_folder(out):
    """Refuse, before any training, an --out that cannot become a folder of pictures."""
    if not out.strip():
        raise UsageError("--out needs a folder name")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out}: that is a file; give a folder")
    existing = os.path.abspath(out)
    while not os.path.exists(existing):  # the nearest part of the path that exists
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UsageError(f"--out {out}: {existing} is a file, so no folder can go inside it")
    if not os.access(existing, os.W_OK):
        raise UsageError(f"--out {out}: the folder {existing} is not writable")


def _fail(args, message, status=1):
    """A failure after the command line was accepted: one line on stderr, then the status."""
    print(f"scalargrad {args.command}: error: {message}", file=sys.stderr)
    return status


# ---- the two subcommands


def add_parsers(sub):
    """Add `demo` and `train` to the `scalargrad` sub-parsers."""
    demo = sub.add_parser('demo', help="train micrograd's moons classifier and draw it",
                          description="Train micrograd's moons classifier (MLP 2-16-16-1, "
                          "100 points, hinge loss + 1e-4 L2, full-batch SGD with the learning "
                          "rate falling from 1.0 to 0.1) and draw what it learned.")
    demo.add_argument('--out', default='scalargrad-demo', metavar='DIR',
                      help='folder for the pictures (default: ./scalargrad-demo)')
    demo.add_argument('--steps', type=_positive_int, default=100, metavar='N',
                      help='training steps (default: 100)')
    demo.add_argument('--seed', type=int, default=1337, help='seed for data and weights')
    demo.add_argument('--no-progress', action='store_true', help='no progress bar')
    demo.set_defaults(run=run_demo, parser=demo)

    train = sub.add_parser('train', help='train an MLP on a toy dataset and draw it',
                           description='Train an MLP on a small 2-D dataset, print its '
                           'accuracy and draw its decision boundary, loss curve and one '
                           'neuron.')
    train.add_argument('--data', choices=DATASETS, default='moons')
    train.add_argument('--samples', type=_positive_int, default=200, metavar='N',
                       help='points to generate (moons, circles, spiral, blobs)')
    train.add_argument('--noise', type=_non_negative_float, default=None,
                       help="the dataset's noise (default: its own)")
    train.add_argument('--hidden', type=_hidden, default=[16, 16], metavar='SIZES',
                       help="hidden layer sizes, e.g. 8,8 ('none': no hidden layer)")
    train.add_argument('--activation', choices=ACTIVATIONS, default='relu')
    train.add_argument('--loss', choices=LOSS_NAMES, default=None,
                       help='default: hinge for two classes, cross_entropy for more')
    train.add_argument('--batch-size', type=_batch_size, default=None, metavar='K',
                       help="'full' (default), 1 (stochastic) or K (mini-batch)")
    train.add_argument('--epochs', type=_positive_int, default=100)
    train.add_argument('--lr', type=_positive_float, default=None,
                       help='learning rate (default: 0.1 for sgd, 0.01 for adam)')
    train.add_argument('--optimizer', choices=('sgd', 'adam'), default='sgd')
    train.add_argument('--momentum', type=_fraction, default=None,
                       help='for sgd only (default: 0, plain gradient descent)')
    train.add_argument('--l2', type=_non_negative_float, default=0.0,
                       help='L2 penalty alpha (default: 0)')
    train.add_argument('--seed', type=int, default=0)
    train.add_argument('--save', default=None, metavar='PATH', help='save the model as JSON')
    train.add_argument('--out', default='scalargrad-train', metavar='DIR',
                       help='folder for the pictures (default: ./scalargrad-train)')
    train.add_argument('--no-progress', action='store_true', help='no progress bar')
    train.set_defaults(run=run_train, parser=train)


_PATHS = {'replay': 'the loss graph recorded once and replayed on floats',
          'graph': 'the loss graph built at every step'}


def _path(history):
    """How fit computed the updates, and why it did not replay when it did not."""
    reason = f"; not replayed: {history.path_reason}" if history.path_reason else ''
    return _PATHS[history.path] + reason


def run_demo(args):
    from . import data
    from .models import MLP
    from .optim import SGD
    from .train import fit

    try:
        _check_folder(args.out)
    except UsageError as err:
        args.parser.error(str(err))
    steps = args.steps
    X, y = data.moons(100, noise=0.1, seed=args.seed)
    model = MLP(2, [16, 16, 1], seed=args.seed)
    optimizer = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / steps)  # 1.0 -> 0.1
    print(f"training {model} on {len(X)} moons: hinge loss + 1e-4 L2, {steps} full-batch steps")
    start = time.perf_counter()
    try:
        history = fit(model, X, y, loss='hinge', l2=1e-4, optimizer=optimizer, epochs=steps,
                      progress=_show_progress(args), measure=True)
    except (ArithmeticError, ValueError) as err:
        return _fail(args, err)
    seconds = time.perf_counter() - start
    print(f"after the last step, on the whole training set: accuracy {history.accuracy:.1%}, "
          f"loss {number(history.loss)} ({seconds:.1f} s, "
          f"{seconds / steps * 1000:.0f} ms per step, {_path(history)})")
    return _pictures(args, model, X, y, history, 'moons: 2-16-16-1, hinge + L2')


def run_train(args):
    from .models import MLP
    from .serialize import save
    from .train import fit

    parser = args.parser
    many = args.data in ('spiral', 'blobs')
    loss = args.loss or ('cross_entropy' if many else 'hinge')
    if many and loss != 'cross_entropy':
        parser.error(f"--data {args.data} has 3 classes: use --loss cross_entropy")
    least = LEAST_SAMPLES.get(args.data, 1)
    if args.samples < least:
        parser.error(f"--samples {args.samples}: --data {args.data} needs at least {least} "
                     f"(a point for each class)")
    if args.momentum is not None and args.optimizer != 'sgd':
        parser.error(f"--momentum is for --optimizer sgd; {args.optimizer} keeps its own "
                     f"running averages")
    try:  # refuse an unwritable --save or --out now, not after the training
        if args.save is not None:
            check_output(args.save, ('.json',), '--save')
        _check_folder(args.out)
    except UsageError as err:
        parser.error(str(err))

    labels = {'hinge': 'pm1', 'mse': 'pm1', 'bce': '01', 'cross_entropy': '01'}[loss]
    try:
        X, y = _dataset(args.data, args.samples, args.noise, args.seed,
                        'index' if many else labels)
        outputs = (3 if many else 2) if loss == 'cross_entropy' else 1  # one per class
        model = MLP(2, args.hidden + [outputs], activation=args.activation, seed=args.seed)
        optimizer = args.optimizer
        if args.momentum:
            from .optim import SGD
            optimizer = SGD(model.parameters(), lr=args.lr or 0.1, momentum=args.momentum)
    except ValueError as err:
        parser.error(str(err))
    batch = 'full batch' if args.batch_size is None else f'batch size {args.batch_size}'
    print(f"training {model} on {args.data} ({len(X)} points): {loss} loss, "
          f"{args.optimizer}, {batch}, {args.epochs} epochs")
    try:
        history = fit(model, X, y, loss=loss, optimizer=optimizer,
                      lr=None if not isinstance(optimizer, str) else args.lr,
                      epochs=args.epochs, batch_size=args.batch_size, l2=args.l2,
                      progress=_show_progress(args), seed=args.seed, measure=True)
    except (ArithmeticError, ValueError) as err:
        return _fail(args, err)
    print(f"after {history.updates} updates, on the whole training set: accuracy "
          f"{history.accuracy:.1%}, loss {number(history.loss)}")
    print(f"computed with {_path(history)}")
    if args.save:
        try:
            save(model, args.save)
        except OSError as err:
            return _fail(args, f"could not save the model: {err}")
        print(f"saved the model to {args.save}")
    title = f"{args.data}: {model.nin}-{'-'.join(map(str, model.nouts))}, {args.activation}"
    return _pictures(args, model, X, y, history, title)


def _dataset(name, samples, noise, seed, labels):
    from . import data

    if name in ('xor', 'and', 'or'):
        make = {'xor': data.xor, 'and': data.and_gate, 'or': data.or_gate}[name]
        return make(labels=labels)
    make = {'moons': data.moons, 'circles': data.circles, 'spiral': data.spiral,
            'blobs': data.blobs}[name]
    kwargs = {} if noise is None else ({'std': noise} if name == 'blobs' else {'noise': noise})
    return make(samples, seed=seed, labels=labels, **kwargs)


# ---- the pictures


def _pictures(args, model, X, y, history, title):
    """Write the three pictures into the --out folder; return the exit status."""
    from . import plot

    out = args.out
    boundary = os.path.join(out, 'decision_boundary.png')
    curve = os.path.join(out, 'loss_curve.png')
    graph = os.path.join(out, 'neuron.svg')
    try:
        os.makedirs(out, exist_ok=True)
        _save_figure(plot.decision_boundary(model, X, y, title=title).figure, boundary)
        _save_figure(plot.loss_curve(history).figure, curve)
    except (OSError, ArithmeticError) as err:  # a full disk; a picture that overflows
        return _fail(args, f"could not draw the pictures in {out}: {err}")
    print(f"wrote {boundary}")
    print(f"wrote {curve}")
    try:
        _neuron_picture(model, X).save(graph)
    except Exception as err:  # a missing Graphviz must not hide the rest of the demo
        print(f"could not draw {graph}: {err}")
        return 1
    print(f"wrote {graph}")
    return 0


def _show_progress(args):
    """A progress bar only on a terminal: in a log file it would be a hundred lines of \\r."""
    return not args.no_progress and sys.stderr.isatty()


def _save_figure(fig, path):
    """The figure as a PNG, written atomically: never half a picture."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=110, bbox_inches='tight')
    write_atomic(path, buffer.getvalue())


def _neuron_picture(model, X):
    """The first neuron on one sample, op by op, after backward: a picture.

    The sample is the first one that makes the neuron fire, so the gradients are not all 0.
    """
    from engine import Value, draw_dot

    from .models import Neuron

    first = model.layers[0].neurons[0]
    x = next((x for x in X if first(x).data > 0.0), X[0])
    # A copy drawn op by op (fused=False), whose parameters carry a lone neuron's short
    # labels w0, w1, b (the model's own read L0.n0.w0 and so on).
    neuron = Neuron(first.nin, activation=first.activation, fused=False, seed=0)
    neuron.load_state_dict(first.state_dict())
    inputs = [Value(v, f'x{i}') for i, v in enumerate(x)]
    out = neuron(inputs)
    out.label = 'out'
    out.backward()
    return draw_dot(out, rankdir='LR', params=neuron.parameters())
