"""`scalargrad demo` and `scalargrad train`: train a classifier, then draw what it learned.

    scalargrad demo          micrograd's moons classifier, pictures in ./scalargrad-demo/
    scalargrad train --data xor --hidden 4 --activation tanh --optimizer adam --lr 0.05

Each writes decision_boundary.png, loss_curve.png and neuron.svg (the computation graph of
one neuron, drawn by engine.draw_dot) into its --out folder.
"""

import argparse
import io
import os
import time

from engine.files import write_atomic

from .activations import ACTIVATIONS

DATASETS = ('xor', 'and', 'or', 'moons', 'circles', 'spiral', 'blobs')
LOSS_NAMES = ('hinge', 'mse', 'bce', 'cross_entropy')


# ---- argparse value checks: a bad value is a usage error that names the problem


def _positive_int(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return n


def _positive_float(text):
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (x > 0 and x != float('inf')):
        raise argparse.ArgumentTypeError(f"{text} must be a positive finite number")
    return x


def _non_negative_float(text):
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (x >= 0 and x != float('inf')):
        raise argparse.ArgumentTypeError(f"{text} must be a finite number >= 0")
    return x


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
    demo.set_defaults(run=run_demo)

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
    train.add_argument('--momentum', type=_fraction, default=0.0, help='for sgd')
    train.add_argument('--l2', type=_non_negative_float, default=0.0,
                       help='L2 penalty alpha (default: 0)')
    train.add_argument('--seed', type=int, default=0)
    train.add_argument('--save', default=None, metavar='PATH', help='save the model as JSON')
    train.add_argument('--out', default='scalargrad-train', metavar='DIR',
                       help='folder for the pictures (default: ./scalargrad-train)')
    train.add_argument('--no-progress', action='store_true', help='no progress bar')
    train.set_defaults(run=run_train, parser=train)


def run_demo(args):
    from . import data
    from .models import MLP
    from .optim import SGD
    from .train import accuracy, fit

    steps = args.steps
    X, y = data.moons(100, noise=0.1, seed=args.seed)
    model = MLP(2, [16, 16, 1], seed=args.seed)
    optimizer = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / steps)  # 1.0 -> 0.1
    print(f"training {model} on {len(X)} moons: hinge loss + 1e-4 L2, {steps} full-batch steps")
    start = time.perf_counter()
    try:
        history = fit(model, X, y, loss='hinge', l2=1e-4, optimizer=optimizer, epochs=steps,
                      progress=not args.no_progress)
    except ArithmeticError as err:
        print(f"error: {err}")
        return 1
    seconds = time.perf_counter() - start
    print(f"accuracy {accuracy(model, X, y):.1%}, loss {history.loss:.4f} "
          f"({seconds:.1f} s, {seconds / steps * 1000:.0f} ms per step)")
    return _pictures(args.out, model, X, y, history, 'moons: 2-16-16-1, hinge + L2')


def run_train(args):
    from .models import MLP
    from .serialize import save
    from .train import accuracy, fit

    many = args.data in ('spiral', 'blobs')
    loss = args.loss or ('cross_entropy' if many else 'hinge')
    if many and loss != 'cross_entropy':
        args.parser.error(f"--data {args.data} has 3 classes: use --loss cross_entropy")
    labels = {'hinge': 'pm1', 'mse': 'pm1', 'bce': '01', 'cross_entropy': '01'}[loss]
    X, y = _dataset(args.data, args.samples, args.noise, args.seed,
                    'index' if many else labels)
    outputs = len(set(y)) if loss == 'cross_entropy' else 1
    model = MLP(2, args.hidden + [outputs], activation=args.activation, seed=args.seed)
    optimizer = args.optimizer
    if args.optimizer == 'sgd' and args.momentum:
        from .optim import SGD
        optimizer = SGD(model.parameters(), lr=args.lr or 0.1, momentum=args.momentum)
    batch = 'full batch' if args.batch_size is None else f'batch size {args.batch_size}'
    print(f"training {model} on {args.data} ({len(X)} points): {loss} loss, "
          f"{args.optimizer}, {batch}, {args.epochs} epochs")
    try:
        history = fit(model, X, y, loss=loss, optimizer=optimizer,
                      lr=None if not isinstance(optimizer, str) else args.lr,
                      epochs=args.epochs, batch_size=args.batch_size, l2=args.l2,
                      progress=not args.no_progress, seed=args.seed)
    except ArithmeticError as err:
        print(f"error: {err}")
        return 1
    print(f"accuracy {accuracy(model, X, y, loss):.1%}, loss {history.loss:.4f} "
          f"after {history.updates} updates")
    if args.save:
        save(model, args.save)
        print(f"saved the model to {args.save}")
    title = f"{args.data}: {model.nin}-{'-'.join(map(str, model.nouts))}, {args.activation}"
    return _pictures(args.out, model, X, y, history, title)


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


def _pictures(out, model, X, y, history, title):
    """Write the three pictures into `out`; return the exit status."""
    from . import plot

    os.makedirs(out, exist_ok=True)
    boundary = os.path.join(out, 'decision_boundary.png')
    curve = os.path.join(out, 'loss_curve.png')
    graph = os.path.join(out, 'neuron.svg')
    _save_figure(plot.decision_boundary(model, X, y, title=title).figure, boundary)
    _save_figure(plot.loss_curve(history).figure, curve)
    print(f"wrote {boundary}")
    print(f"wrote {curve}")
    try:
        _neuron_picture(model, X).save(graph)
    except Exception as err:  # a missing Graphviz must not hide the rest of the demo
        print(f"could not draw {graph}: {err}")
        return 1
    print(f"wrote {graph}")
    return 0


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
    neuron = Neuron(first.nin, activation=first.activation, fused=False, seed=0)
    neuron.load_state_dict(first.state_dict())  # a copy: the model's parameters stay unlabelled
    for i, w in enumerate(neuron.w):
        w.label = f'w{i}'
    neuron.b.label = 'b'
    inputs = [Value(v, f'x{i}') for i, v in enumerate(x)]
    out = neuron(inputs)
    out.label = 'out'
    out.backward()
    return draw_dot(out, rankdir='LR', params=neuron.parameters())
