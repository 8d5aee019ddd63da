"""Pictures of training: decision boundaries, loss curves, activation functions (matplotlib).

In a notebook the figures appear inline; elsewhere they are drawn off screen (Agg) and
never pop up a window: save them with `ax.figure.savefig('boundary.png')`.

>>> ax = decision_boundary(model, X, y)
>>> ax.figure.savefig('boundary.png')

Training, watched: boundary_grid, save_boundary_animation (a GIF), held_out_curve, update_view.
"""

import math
import sys
from numbers import Integral, Real

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from engine import Value, enable_grad, no_grad

from . import losses as _losses
from .activations import ACTIVATIONS, TITLES, apply_float, check_activation, derivative
from .models import MLP
from .train import History

COLOURS = ['#3b6fb6', '#d9822b', '#3a9a5b', '#b8455a', '#8a63b3', '#8c6d46', '#c9599f']


def _in_notebook():
    """True inside a Jupyter kernel (where pyplot's inline backend shows figures)."""
    ipython = sys.modules.get('IPython')
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == 'ZMQInteractiveShell'


def _figure(ncols=1, figsize=(5, 4)):
    """A new figure and its axes: pyplot's inline figure in a notebook, else an Agg one."""
    if _in_notebook():
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, ncols, figsize=figsize, squeeze=False)
    else:
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)  # off-screen rendering; no window, no global state
        axes = fig.subplots(1, ncols, squeeze=False)
    return fig, list(axes[0])


def _outputs(model, points):
    """The model's outputs for many points: the float fast path for an MLP."""
    if isinstance(model, MLP):
        return model.predict(points)
    with no_grad():
        outs = [model(p) for p in points]
    return [[o.data for o in out] if isinstance(out, list) else out.data for out in outs]


def _classes(y):
    """Labels -> class numbers 0..K-1 (sorted label order: -1/+1 and 0/1 both give 0/1)."""
    order = sorted(set(y))
    return [order.index(t) for t in y], order


def decision_boundary(model, X, y, ax=None, resolution=100, padding=0.5, threshold=0.0,
                      title=None):
    """Shade the plane by the model's decision and scatter the samples on top.

    A one-output model decides by `threshold` (score > 0 for hinge or logits); a model
    with several outputs by its largest output. Uses the fast float path, so a
    100 x 100 grid takes a fraction of a second. Returns the Axes.
    """
    X, y = list(X), list(y)
    if len(X) != len(y) or not X:
        raise ValueError(f"decision_boundary needs as many labels as points (and at least "
                         f"one), got {len(X)} points and {len(y)} labels")
    if any(len(x) != 2 for x in X):
        raise ValueError("decision_boundary draws 2-D inputs only")
    if isinstance(resolution, bool) or not isinstance(resolution, Integral) or resolution < 2:
        raise ValueError(f"resolution must be a whole number >= 2, got {resolution!r}")
    if ax is None:
        _, (ax,) = _figure()
    x0s = [float(x[0]) for x in X]
    x1s = [float(x[1]) for x in X]
    lo0, hi0 = min(x0s) - padding, max(x0s) + padding
    lo1, hi1 = min(x1s) - padding, max(x1s) + padding
    g0 = [lo0 + (hi0 - lo0) * i / (resolution - 1) for i in range(resolution)]
    g1 = [lo1 + (hi1 - lo1) * j / (resolution - 1) for j in range(resolution)]
    outs = _outputs(model, [[a, b] for b in g1 for a in g0])
    if outs and isinstance(outs[0], list):
        decide = [max(range(len(o)), key=o.__getitem__) for o in outs]
    else:
        decide = [1 if o > threshold else 0 for o in outs]
    grid = [decide[j * resolution:(j + 1) * resolution] for j in range(resolution)]
    classes, order = _classes(y)
    k = max(len(order), max(decide) + 1, 2)
    colours = ListedColormap([COLOURS[c % len(COLOURS)] for c in range(k)])
    ax.contourf(g0, g1, grid, levels=[c - 0.5 for c in range(k + 1)], cmap=colours,
                alpha=0.3)
    for c, label in enumerate(order):
        pts = [(a, b) for a, b, cc in zip(x0s, x1s, classes) if cc == c]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=18,
                   color=COLOURS[c % len(COLOURS)], edgecolors='black', linewidths=0.4,
                   label=f'y = {label}')
    ax.set_xlim(lo0, hi0)
    ax.set_ylim(lo1, hi1)
    ax.set_xlabel('x0')
    ax.set_ylabel('x1')
    ax.legend(loc='best', fontsize='small')
    ax.set_title(title if title is not None else 'decision boundary')
    return ax


def _named(histories):
    if isinstance(histories, History):
        return {'': histories}
    if isinstance(histories, dict):
        items = histories
    else:
        items = {f'run {i + 1}': h for i, h in enumerate(histories)}
    for name, h in items.items():
        if not isinstance(h, History):
            raise TypeError(f"loss_curve needs History objects, got {type(h).__name__} "
                            f"for {name!r}")
    return items


# kind: (History field, y-axis label, default title)
CURVES = {'train': ('train_losses', 'training-set loss', 'training-set loss after each epoch'),
          'running': ('running_losses', 'running mean loss',
                      "mean of each epoch's update losses")}


def _curve_kind(items, kind):
    if kind is None:
        measured = all(h.train_losses and None not in h.train_losses for h in items.values())
        return 'train' if measured else 'running'
    if kind not in CURVES:
        raise ValueError(f"kind must be 'train', 'running' or None, got {kind!r}")
    return kind


def loss_curve(histories, x='epoch', ax=None, log=False, title=None, kind=None):
    """Plot a loss per epoch, against epochs (x='epoch') or against updates (x='update').

    kind -- which per-epoch loss: 'train' (History.train_losses: the whole training set,
            measured after the epoch's last update) or 'running' (History.running_losses:
            the mean of the epoch's update losses, taken while the weights moved). None:
            'train' when every History measured it, else 'running'. The axis and the title
            say which.

    Against updates, each update's own batch loss is drawn faintly too (for stochastic
    descent that is one sample's loss: noisy), and the per-epoch loss at the update that
    ended the epoch.

    histories -- a History, a list of them, or {name: History} for a legend, e.g.
                 {'SGD': h1, 'full batch': h2, 'mini-batch 32': h3}. Returns the Axes.
    """
    if x not in ('epoch', 'update'):
        raise ValueError(f"x must be 'epoch' or 'update', got {x!r}")
    items = _named(histories)
    kind = _curve_kind(items, kind)
    attribute, ylabel, heading = CURVES[kind]
    if ax is None:
        _, (ax,) = _figure()
    for i, (name, h) in enumerate(items.items()):
        colour = COLOURS[i % len(COLOURS)]
        ys = [math.nan if v is None else v for v in getattr(h, attribute)]
        if x == 'epoch':
            ax.plot(range(1, len(ys) + 1), ys, color=colour, label=name or None,
                    linewidth=1.6)
            continue
        ax.plot(range(1, len(h.losses) + 1), h.losses, color=colour, alpha=0.3, linewidth=0.8)
        ax.plot(h.epoch_ends, ys, color=colour, label=name or None, linewidth=1.6,
                marker='o' if len(ys) <= 60 else None, markersize=3)
    ax.set_xlabel(x if x == 'epoch' else 'update (faint: each update\'s batch loss)')
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale('log')
    if any(items):
        ax.legend(loc='best', fontsize='small')
    ax.set_title(title if title is not None else heading)
    return ax


def activations(names=ACTIVATIONS, lo=-4.0, hi=4.0):
    """One panel per activation: the function and its derivative. Returns the Figure."""
    names = [check_activation(n) for n in names]
    if not names:
        raise ValueError("activations needs at least one name")
    fig, axes = _figure(len(names), figsize=(3 * len(names), 2.8))
    xs = [lo + (hi - lo) * i / 400 for i in range(401)]
    for ax, name in zip(axes, names):
        ax.axhline(0.0, color='0.8', linewidth=0.8)
        ax.axvline(0.0, color='0.8', linewidth=0.8)
        ax.plot(xs, [apply_float(v, name) for v in xs], color=COLOURS[0], label='f(x)')
        ax.plot(xs, [derivative(v, name) for v in xs], color=COLOURS[1], linestyle='--',
                label="f'(x)")
        ax.set_title(TITLES[name])
        ax.set_xlabel('x')
    axes[0].legend(loc='upper left', fontsize='small')
    fig.tight_layout()
    return fig


POSITIVE, NEGATIVE = '#3b6fb6', '#c8463d'  # blue: a weight (or gradient) > 0; red: < 0


def _layers_of(model):
    """The model's layers, each a list of neurons with .w and .b (an MLP, a Layer, a Neuron)."""
    from .models import Layer, Neuron
    if isinstance(model, MLP):
        return [layer.neurons for layer in model.layers]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(f"network draws an MLP, a Layer or a Neuron, got {type(model).__name__}")


def network(model, grads=False, ax=None, title=None):
    """Draw a network as layers of neurons with every weight as a line: the Axes.

    Colour tells the sign (blue > 0, red < 0), thickness the size of the weight; with
    grads=True the same for each weight's gradient (after loss.backward()), so the lines
    show where descent will push hardest. A neuron's fill shows its bias the same way.

    >>> ax = network(nn.MLP(2, [16, 16, 1], seed=0))
    >>> ax.figure.savefig('network.png')
    """
    from matplotlib.collections import LineCollection

    layers = _layers_of(model)
    sizes = [len(layers[0][0].w)] + [len(layer) for layer in layers]
    tallest = max(sizes)
    if ax is None:
        _, (ax,) = _figure(figsize=(1.9 * len(sizes) + 1.5, max(3.0, 0.32 * tallest + 1.2)))

    def place(column):
        n = sizes[column]
        return [(tallest - 1) / 2 + (n - 1) / 2 - k for k in range(n)]  # centred, top first

    def amount(p):
        return p.grad if grads else p.data

    biggest = max((abs(amount(w)) for layer in layers for n in layer for w in n.w),
                  default=0.0) or 1.0
    segments, colours, widths = [], [], []
    for column, layer in enumerate(layers):
        ys_in, ys_out = place(column), place(column + 1)
        for j, neuron in enumerate(layer):
            for k, w in enumerate(neuron.w):
                segments.append([(column, ys_in[k]), (column + 1, ys_out[j])])
                colours.append(POSITIVE if amount(w) >= 0 else NEGATIVE)
                widths.append(0.15 + 3.0 * abs(amount(w)) / biggest)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths, alpha=0.75,
                                     zorder=1))
    bias_size = max((abs(amount(n.b)) for layer in layers for n in layer), default=0.0) or 1.0
    for column, n in enumerate(sizes):
        ys = place(column)
        if column == 0:
            fills = ['#e6e6e6'] * n
        else:
            fills = [_tint(amount(neuron.b) / bias_size) for neuron in layers[column - 1]]
        ax.scatter([column] * n, ys, s=260 if tallest <= 16 else 120, c=fills,
                   edgecolors='#333333', linewidths=0.8, zorder=2)
    names = ['input'] + [f'hidden {i + 1}' for i in range(len(layers) - 1)] + ['output']
    if len(layers) == 1:
        names = ['input', 'output']
    for column, (name, n) in enumerate(zip(names, sizes)):
        kind = 'values' if column == 0 else getattr(layers[column - 1][0], 'activation', '')
        ax.text(column, -0.7, f'{name}\n{n} {kind}', ha='center', va='top', fontsize=9)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-1.9, tallest - 0.4)
    ax.axis('off')
    shown = 'gradient of each weight' if grads else 'weights'
    ax.set_title(title if title is not None else
                 f"{'-'.join(map(str, sizes))} network: {shown} (blue > 0, red < 0, "
                 f"thicker = larger)", fontsize=10)
    return ax


def _tint(share):
    """A fill between red (share -1), white (0) and blue (+1)."""
    share = max(-1.0, min(1.0, share))
    r0, g0, b0 = (int((POSITIVE if share >= 0 else NEGATIVE)[i:i + 2], 16) for i in (1, 3, 5))
    mix = abs(share) * 0.8
    return '#' + ''.join(f'{round(255 + (c - 255) * mix):02x}' for c in (r0, g0, b0))


# ---- one sample's loss against its score, with the derivative (notebook 08)

def _ce_three(s):
    return _losses.cross_entropy([[s, Value(0.0), Value(0.0)]], [0])


# name: (panel title, the loss of one sample of the positive class as a function of its score)
LOSS_FUNCTIONS = {
    'mse': ('MSE  (s - 1)^2', lambda s: _losses.mse([s], [1.0])),
    'hinge': ('hinge  max(0, 1 - s)', lambda s: _losses.hinge([s], [1])),
    'bce': ('binary cross-entropy  log(1 + e^-s)',
            lambda s: _losses.binary_cross_entropy([s], [1])),
    'cross_entropy': ('cross-entropy, 3 classes  log(e^s + 2) - s', _ce_three),
}


def _loss_entry(entry):
    """(title, f) for a name of LOSS_FUNCTIONS, a function f(Value) -> Value, or (title, f)."""
    if isinstance(entry, str):
        if entry not in LOSS_FUNCTIONS:
            raise ValueError(f"unknown loss {entry!r}; choose one of "
                             f"{', '.join(LOSS_FUNCTIONS)}, or pass a function of the score")
        return LOSS_FUNCTIONS[entry]
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str) \
            and callable(entry[1]):
        return entry
    if callable(entry):
        return getattr(entry, '__name__', 'loss'), entry
    raise TypeError(f"a loss is a name ({', '.join(LOSS_FUNCTIONS)}), a function of the score "
                    f"or a (title, function) pair, got {type(entry).__name__}")


def loss_and_slope(f, s):
    """(f(s), df/ds) for a loss written with Value ops, the slope from backward().

    >>> loss_and_slope(lambda s: (s - 1) ** 2, 3.0)
    (4.0, 4.0)
    """
    leaf = Value(float(s))
    with enable_grad():
        out = f(leaf)
        if not isinstance(out, Value):
            raise TypeError(f"the loss must return a Value built from the score, got "
                            f"{type(out).__name__} {out!r:.40}")
        out.backward()
    return out.data, leaf.grad


def loss_functions(losses=tuple(LOSS_FUNCTIONS), lo=-3.0, hi=3.0, together=False, points=241,
                   ylim=None, slope_ylim=None):
    """Each loss of one sample against its score s, with its derivative dL/ds: the Figure.

    The sample belongs to the positive class: target 1 for 'mse', label +1 for 'hinge',
    1 for 'bce', class 0 of three for 'cross_entropy' (the other two scores held at 0).
    For the other class the pictures are mirrored (s -> -s). The derivative is what
    backward() gives, the slope that training follows; a loss may also be a function
    f(score) -> Value, or a (title, f) pair, for a loss of your own.

    together   -- False: one panel per loss (loss solid, derivative dashed, one legend for
                  all); True: two panels, every loss on the left and every derivative on
                  the right, one legend under both
    ylim, slope_ylim -- with together=True: (low, high) of the loss and of the derivative
                  panel, so that one loss with a large range (MSE) does not squeeze the
                  others flat; the panel's title says it is clipped
    Where a loss and its derivative are equal over a stretch (the hinge past s = 1: both 0),
    the dashed line lies on the solid one, and the panel says so in words.
    >>> fig = loss_functions(['hinge', 'bce'])
    >>> fig.savefig('losses.png')
    """
    entries = [_loss_entry(e) for e in ([losses] if isinstance(losses, str) else losses)]
    if not entries:
        raise ValueError("loss_functions needs at least one loss")
    if not (isinstance(lo, Real) and isinstance(hi, Real) and math.isfinite(lo)
            and math.isfinite(hi) and lo < hi):
        raise ValueError(f"loss_functions needs finite numbers lo < hi, got lo={lo!r}, "
                         f"hi={hi!r}")
    if isinstance(points, bool) or not isinstance(points, Integral) or points < 2:
        raise ValueError(f"points must be a whole number >= 2, got {points!r}")
    if not together and (ylim is not None or slope_ylim is not None):
        raise ValueError("ylim and slope_ylim clip the shared panels of together=True; "
                         "one panel per loss keeps each loss's own range")
    ylim = None if ylim is None else _limits(ylim, 'ylim')
    slope_ylim = None if slope_ylim is None else _limits(slope_ylim, 'slope_ylim')
    xs = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
    curves = []
    for title, f in entries:
        pairs = [loss_and_slope(f, x) for x in xs]
        curves.append((title, [p[0] for p in pairs], [p[1] for p in pairs]))
    if together:
        return _together(xs, curves, ylim, slope_ylim)
    ncols = len(curves) if len(curves) <= 3 else 2
    nrows = -(-len(curves) // ncols)
    width = min(3.1, 7.4 / ncols)  # 7.4 in at 120 dpi: a 900 px notebook column
    fig, axes = _grid(nrows, ncols, figsize=(width * ncols, 2.5 * nrows + 0.4))
    for ax, (title, ys, slopes) in zip(axes, curves):
        ax.plot(xs, ys, color=COLOURS[0], linewidth=2.2, label='loss L(s)')
        ax.plot(*_with_gaps(xs, slopes), color=COLOURS[1], linestyle='--', zorder=3,
                label='its derivative dL/ds (from backward)')
        _score_axes(ax, 'L  and  dL/ds')
        ax.set_title(title, fontsize=9)
        _say_where_they_coincide(ax, xs, ys, slopes)
    for ax in axes[len(curves):]:
        ax.axis('off')
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc='upper center', ncol=2, fontsize=LEGEND_FONT,
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_size_inches()[1]))
    return fig


LEGEND_FONT = 9  # points: at 120 dpi about 15 px, capitals 10 px high


def _together(xs, curves, ylim, slope_ylim):
    fig, (left, right) = _figure(2, figsize=(7.4, 3.6))
    for i, (title, ys, slopes) in enumerate(curves):
        colour = COLOURS[i % len(COLOURS)]
        left.plot(xs, ys, color=colour, label=title)
        right.plot(*_with_gaps(xs, slopes), color=colour, label=title)
    for ax, what, lim, name in ((left, 'loss L', ylim, 'loss of one sample'),
                                (right, 'dL/ds', slope_ylim, 'its derivative (from backward)')):
        _score_axes(ax, what)
        if lim is not None:
            ax.set_ylim(*lim)
            name += ', y clipped'
        ax.set_title(name, fontsize=10)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc='lower center', ncol=2, fontsize=LEGEND_FONT,
               frameon=False)
    rows = -(-len(curves) // 2)
    fig.tight_layout(rect=(0, 0.075 * rows, 1, 1))
    return fig


def _say_where_they_coincide(ax, xs, ys, slopes):
    """Write 'L = dL/ds = v here' over the longest stretch where the two curves are equal
    (the dashed line then lies on the solid one), at the stretch's right end."""
    same = [math.isclose(a, b, abs_tol=1e-12) for a, b in zip(ys, slopes)]
    best, start = (0, 0), None
    for i, s in enumerate(same + [False]):
        if s and start is None:
            start = i
        elif not s and start is not None:
            best = max(best, (i - start, start))
            start = None
    length, first = best
    if length < max(3, len(xs) // 20):
        return
    last = first + length - 1
    ax.annotate(f'L = dL/ds = {ys[last]:g}', (xs[last], ys[last]),
                xytext=(0, 14), textcoords='offset points', ha='right', va='bottom',
                fontsize=LEGEND_FONT, color='0.25')


def _with_gaps(xs, slopes):
    """The derivative's points, with a gap (nan) where it jumps: at a kink such as the hinge's
    at s = 1 the derivative is not defined, and a line drawn up the jump would look like
    slopes between -1 and 0. A jump is a step between neighbours more than ten times the
    steps on either side of it (a smooth curve changes little from one step to the next)."""
    steps = [abs(b - a) for a, b in zip(slopes, slopes[1:])]
    gx, gy = [xs[0]], [slopes[0]]
    for i, step in enumerate(steps):
        around = max(steps[i - 1] if i > 0 else 0.0, steps[i + 1] if i + 1 < len(steps) else 0.0)
        if step > 1e-9 and step > 10 * around:
            gx.append(math.nan)
            gy.append(math.nan)
        gx.append(xs[i + 1])
        gy.append(slopes[i + 1])
    return gx, gy


def _score_axes(ax, ylabel):
    ax.axhline(0.0, color='0.8', linewidth=0.8, zorder=0)
    ax.axvline(0.0, color='0.8', linewidth=0.8, zorder=0)
    ax.set_xlabel('score s')
    if ylabel:
        ax.set_ylabel(ylabel)


def _grid(nrows, ncols, figsize):
    """A figure with nrows x ncols axes, as _figure makes one row: the axes in a flat list."""
    if _in_notebook():
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    else:
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, [ax for row in axes for ax in row]


# ---- loss surfaces: a function of two numbers as contour lines, with the paths of descent

def _limits(lim, what):
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a pair of numbers (low, high), got {lim!r:.60}") \
            from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{what} must be finite with low < high, got ({lo}, {hi})")
    return lo, hi


def _paths(paths):
    """{label: [(x, y), ...]} from one path, a list of paths, or a dict (labels kept)."""
    if paths is None:
        return {}
    if isinstance(paths, dict):
        items = dict(paths)
    else:
        paths = list(paths)
        one = paths and len(paths[0]) == 2 and all(isinstance(v, Real) for v in paths[0])
        items = {'': paths} if one else {f'path {i + 1}': p for i, p in enumerate(paths)}
    for label, path in items.items():
        path = [tuple(p) for p in path]
        if not path or any(len(p) != 2 for p in path):
            raise ValueError(f"path {label!r}: every point must be (x, y), and a path needs at "
                             f"least one")
        items[label] = path
    return items


def _surface_values(f, xs, ys):
    """f at every grid point, rows by y. Plain floats go in when f accepts them (arithmetic
    only: many times faster), else Values (f uses Value methods such as .exp()), no graph."""
    try:
        out = f(xs[0], ys[0])
        as_float = isinstance(out, Real) or isinstance(getattr(out, 'data', None), Real)
    except Exception:   # f needs Values: the Value run below raises any real error again
        as_float = False
    make = float if as_float else Value
    grid = []
    with no_grad():
        for b in ys:
            row = []
            for a in xs:
                out = f(make(a), make(b))
                row.append(float(out.data if hasattr(out, 'data') else out))
            grid.append(row)
    return grid


def _levels(grid, levels, log):
    if not isinstance(levels, Integral) or isinstance(levels, bool):
        return sorted(float(v) for v in levels)
    if levels < 2:
        raise ValueError(f"levels must be at least 2 (or a list of values), got {levels}")
    lo = min(min(row) for row in grid)
    hi = max(max(row) for row in grid)
    span = (hi - lo) or 1.0
    if log:  # offsets above the lowest point in geometric steps, from span/1000 to span
        return [lo + span * 1e-3 ** (1 - i / (levels - 1)) for i in range(levels)]
    return [lo + span * (i + 0.5) / levels for i in range(levels)]


def _leaves(path, x0, x1, y0, y1):
    """(k, (x, y)): the first step k after which a path that starts inside the rectangle is
    outside it, and where the segment from point k - 1 to point k crosses the edge; None when
    the path stays inside (or starts outside)."""
    def inside(p):
        return x0 <= p[0] <= x1 and y0 <= p[1] <= y1
    if not inside(path[0]):
        return None
    for k in range(1, len(path)):
        if inside(path[k]):
            continue
        (px, py), (qx, qy) = path[k - 1], path[k]
        if not (math.isfinite(qx) and math.isfinite(qy)):
            return k, (px, py)
        t = 1.0   # the fraction of the segment inside: up to the first edge it crosses
        for a, b, lo, hi in ((px, qx, x0, x1), (py, qy, y0, y1)):
            if b < lo:
                t = min(t, (lo - a) / (b - a))
            elif b > hi:
                t = min(t, (hi - a) / (b - a))
        return k, (px + t * (qx - px), py + t * (qy - py))
    return None


def _note_leaving(ax, k, where, colour, x0, x1, y0, y1):
    """A cross where a path leaves the picture and the step it leaves at, written inside."""
    ax.plot([where[0]], [where[1]], 'X', color=colour, markersize=7, markeredgecolor='black',
            markeredgewidth=0.6, zorder=5, clip_on=False)
    right, top = where[0] > (x0 + x1) / 2, where[1] > (y0 + y1) / 2
    ax.annotate(f'leaves the\npicture at\nstep {k}', where, xytext=(-6 if right else 6,
                -6 if top else 6), textcoords='offset points', fontsize=7, zorder=6,
                ha='right' if right else 'left', va='top' if top else 'bottom',
                bbox={'boxstyle': 'round,pad=0.2', 'facecolor': 'white', 'alpha': 0.85,
                      'linewidth': 0})


def loss_surface(f, xlim, ylim, paths=None, ax=None, resolution=81, levels=20, log=False,
                 minima=(), title=None, xlabel='x', ylabel='y', colours=None):
    """Contour lines of f(x, y) over a rectangle, with the paths of descent on top: the Axes.

    f       -- f(x, y) written with Value ops (as for nn.optim.descent_path) or plain arithmetic;
               it is evaluated without a graph on a resolution x resolution grid
    paths   -- a path [(x, y), ...], a list of paths, or {label: path} for a legend; each is
               drawn through its points, with a circle at its start and a square at its end.
               The picture keeps xlim and ylim: a path that runs away leaves it at the edge,
               where a cross marks it and a note says after how many steps.
    levels  -- how many contour lines, or their values; log=True spaces them geometrically
               above the lowest point (a valley whose floor is much flatter than its walls)
    minima  -- points to mark with a star (where the minima are)
    colours -- one matplotlib colour per path (default: nn.plot.COLOURS from the second on)

    >>> path = nn.optim.descent_path(lambda x, y: x * x + 10 * y * y, (-1.5, 0.8), lr=0.05)
    >>> ax = loss_surface(lambda x, y: x * x + 10 * y * y, (-2, 2), (-1, 1), paths=path)
    """
    x0, x1 = _limits(xlim, 'xlim')
    y0, y1 = _limits(ylim, 'ylim')
    if isinstance(resolution, bool) or not isinstance(resolution, Integral) or resolution < 2:
        raise ValueError(f"resolution must be a whole number >= 2, got {resolution!r}")
    items = _paths(paths)
    if colours is None:
        colours = [COLOURS[(i + 1) % len(COLOURS)] for i in range(len(items))]
    colours = list(colours)
    if len(colours) < len(items):
        raise ValueError(f"colours: {len(items)} paths need {len(items)} colours, got "
                         f"{len(colours)}")
    xs = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    ys = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    grid = _surface_values(f, xs, ys)
    if ax is None:
        _, (ax,) = _figure(figsize=(5, 4))
    chosen = _levels(grid, levels, log)
    ax.contourf(xs, ys, grid, levels=chosen, cmap='Blues_r', alpha=0.45, extend='both')
    ax.contour(xs, ys, grid, levels=chosen, colors='#5a6b7d', linewidths=0.6, alpha=0.8)
    for (label, path), colour in zip(items.items(), colours):
        px, py = [p[0] for p in path], [p[1] for p in path]
        ax.plot(px, py, '-', color=colour, linewidth=1.5, marker='.', markersize=4,
                label=label or None, zorder=3)
        ax.plot(px[:1], py[:1], 'o', color=colour, markersize=6, markeredgecolor='black',
                markeredgewidth=0.6, zorder=4)
        ax.plot(px[-1:], py[-1:], 's', color=colour, markersize=6, markeredgecolor='black',
                markeredgewidth=0.6, zorder=4)
        leaving = _leaves(path, x0, x1, y0, y1)
        if leaving is not None:
            _note_leaving(ax, *leaving, colour, x0, x1, y0, y1)
    for m in minima:
        ax.plot([m[0]], [m[1]], '*', color='#f2c14e', markersize=12, markeredgecolor='black',
                markeredgewidth=0.6, zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(items):
        ax.legend(loc='best', fontsize='small')
    ax.set_title(title if title is not None else 'loss surface: o start, \u25a1 end, \u2605 minimum'
                 if minima else 'loss surface: o start, \u25a1 end')
    return ax


# ---- training, watched: boundaries while it trains, held-out curves, one update


def _snapshot_items(snapshots, what):
    """[(label, model)] from {label: model} or a list of (label, model) pairs."""
    items = list(snapshots.items()) if isinstance(snapshots, dict) else list(snapshots)
    if not items:
        raise ValueError(f"{what} needs at least one snapshot (label, model)")
    for i, item in enumerate(items):
        if not (isinstance(item, tuple) and len(item) == 2 and callable(item[1])):
            raise TypeError(f"{what}: snapshot {i} should be a (label, model) pair, got "
                            f"{type(item).__name__} {item!r:.40}")
    return [(str(label), model) for label, model in items]


def _small_boundary(model, X, y, ax, resolution, title):
    """decision_boundary without the labels that do not fit a small panel."""
    decision_boundary(model, X, y, ax=ax, resolution=resolution, title=title)
    ax.get_legend().remove()
    ax.set_xlabel('')
    ax.set_ylabel('')
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def boundary_grid(snapshots, X, y, ncols=4, resolution=50, panel=1.8, title=None):
    """The decision boundary of each snapshot of a model, small and side by side: the Figure.

    snapshots -- {label: model} or [(label, model)], e.g. copies of a model taken every few
                 epochs ({'epoch 0': m0, 'epoch 5': m5, ...}); read left to right, top down
    panel     -- the width of one picture in inches (4 of 1.8 in fit a notebook column)

    >>> fig = boundary_grid({f'epoch {e}': m for e, m in snapshots.items()}, X, y)
    >>> fig.savefig('boundaries.png')
    """
    items = _snapshot_items(snapshots, 'boundary_grid')
    if isinstance(ncols, bool) or not isinstance(ncols, Integral) or ncols < 1:
        raise ValueError(f"ncols must be a whole number >= 1, got {ncols!r}")
    ncols = min(ncols, len(items))
    nrows = -(-len(items) // ncols)
    fig, axes = _grid(nrows, ncols, (panel * ncols, panel * 0.85 * nrows + 0.3))
    for ax, (label, model) in zip(axes, items):
        _small_boundary(model, X, y, ax, resolution, label)
    for ax in axes[len(items):]:
        ax.axis('off')
    if title is not None:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def save_boundary_animation(snapshots, X, y, path, seconds_per_frame=0.5, last_frame=2.0,
                            resolution=50, size=(4.2, 3.3), dpi=100):
    """Write the snapshots' decision boundaries as an animated GIF, one frame each; the path.

    Every frame has the same size and axes, so only the boundary moves; the GIF loops, the
    last frame stays `last_frame` seconds. The file is written atomically (a reader never
    sees half of it). Same snapshots, same bytes. In a notebook show it with
    IPython.display.Image(filename=path); any browser or slide plays it.

    >>> save_boundary_animation(snapshots, X, y, 'training.gif')
    'training.gif'
    """
    import io
    import os

    from engine.files import write_atomic

    items = _snapshot_items(snapshots, 'save_boundary_animation')
    name = os.fspath(path)
    if os.path.splitext(name)[1].lower() != '.gif':
        raise ValueError(f"save_boundary_animation writes a GIF: use a name ending in .gif, "
                         f"got {name!r}")
    for what, seconds in (('seconds_per_frame', seconds_per_frame), ('last_frame', last_frame)):
        if isinstance(seconds, bool) or not isinstance(seconds, Real) \
                or not 0.02 <= seconds <= 60:
            raise ValueError(f"save_boundary_animation: {what} must be a number of seconds "
                             f"from 0.02 to 60, got {seconds!r}")
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {name!r}: the folder {folder!r} does not exist")
    from PIL import Image

    frames = []
    for label, model in items:
        fig = Figure(figsize=size, dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        decision_boundary(model, X, y, ax=ax, resolution=resolution, title=label)
        ax.legend(loc='lower left', fontsize='small')
        fig.subplots_adjust(left=0.15, right=0.96, bottom=0.15, top=0.9)  # the same each frame
        canvas.draw()
        width, height = canvas.get_width_height()
        rgb = Image.frombuffer('RGBA', (width, height), bytes(canvas.buffer_rgba()),
                               'raw', 'RGBA', 0, 1).convert('RGB')
        frames.append(rgb)
    width, height = frames[0].size  # one palette for all frames, from all their colours
    every = Image.new('RGB', (width, height * len(frames)))
    for k, frame in enumerate(frames):
        every.paste(frame, (0, height * k))
    palette = every.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    durations = [round(seconds_per_frame * 1000)] * (len(frames) - 1) + [round(last_frame * 1000)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format='GIF', save_all=True, append_images=frames[1:],
                   duration=durations, loop=0, optimize=False)
    return write_atomic(name, buffer.getvalue())


HELD_OUT = {'accuracy': ('train_accuracies', 'validation_accuracies', 'accuracy'),
            'loss': ('train_losses', 'validation_losses', 'loss')}


def held_out_curve(history, metric='accuracy', ax=None, title=None):
    """Training-set and held-out accuracy (or loss) after each epoch, on one Axes.

    history -- a History of fit(..., validation=(X_held_out, y_held_out)); where the two
               curves part, the model has started to learn its training points rather
               than the pattern behind them
    metric  -- 'accuracy' or 'loss' (the loss fit minimised: with its l2 penalty if fit
               had one; the axis says just 'loss', since a History does not record l2)

    >>> h = nn.fit(model, X, y, validation=(X_test, y_test), epochs=100)
    >>> ax = held_out_curve(h)
    """
    if not isinstance(history, History):
        raise TypeError(f"held_out_curve needs a History, got {type(history).__name__}")
    if metric not in HELD_OUT:
        raise ValueError(f"metric must be 'accuracy' or 'loss', got {metric!r}")
    train_field, held_field, ylabel = HELD_OUT[metric]
    held = getattr(history, held_field)
    if not any(v is not None for v in held):
        raise ValueError("this History has no held-out measurements: train with "
                         "nn.fit(..., validation=(X_held_out, y_held_out))")
    made = ax is None
    if made:
        _, (ax,) = _figure(figsize=(5, 3))
    epochs = range(1, history.epochs + 1)
    for values, name, colour in ((getattr(history, train_field), 'training set', COLOURS[0]),
                                 (held, 'held-out data', COLOURS[1])):
        ax.plot(epochs, [math.nan if v is None else v for v in values], color=colour,
                label=name, linewidth=1.6)
    ax.set_xlabel('epoch')
    ax.set_ylabel(ylabel)
    ax.legend(loc='best', fontsize='small')
    ax.set_title(title if title is not None else f'{metric} after each epoch')
    if made:
        ax.figure.tight_layout()
    return ax


def _parameter_rows(params, before, names):
    from .module import Module

    if isinstance(params, Module):
        named = params.named_parameters()
        params = [p for _, p in named]
        names = names if names is not None else [n for n, _ in named]
    params = list(params)
    if not all(isinstance(p, Value) for p in params):
        raise TypeError("update_view needs a model or a list of Value parameters")
    before = list(before)
    if len(before) != len(params):
        raise ValueError(f"update_view: {len(params)} parameters but {len(before)} values "
                         f"from before the update")
    if names is None:
        names = [p.label or f'p{i}' for i, p in enumerate(params)]
    names = list(names)
    if len(names) != len(params):
        raise ValueError(f"update_view: {len(params)} parameters but {len(names)} names")
    return [(str(n), float(b), p.grad, p.data) for n, b, p in zip(names, before, params)]


def update_view(params, before, names=None, ax=None, title=None):
    """One optimizer step, parameter by parameter: value before, gradient, change, after.

    params -- a model (its named parameters) or a list of parameters, after backward() and
              the optimizer's step; before -- their values taken just before the step.
    Each row shows the two numbers and the step between them, and two bars: the gradient
    and the change (after - before), blue > 0, red < 0, both on one scale (the largest of
    all the numbers drawn), so a bar's length compares across the two columns. Plain
    gradient descent makes the change -lr x gradient: each change bar is the gradient's
    mirrored, lr times as long.

    >>> before = [p.data for p in model.parameters()]
    >>> opt.step()
    >>> ax = update_view(model, before)
    """
    rows = _parameter_rows(params, before, names)
    if not rows:
        raise ValueError("update_view needs at least one parameter")
    # x positions: names, numbers (right-aligned) and the centres of the two bar columns;
    # a unit is about 11 characters of 9 pt text wide, the names get what they need
    names_width = max(1.3, 0.12 * max(len(name) for name, *_ in rows) + 0.2)
    name_x, before_x, grad_x, grad_bar, change_x, change_bar, after_x = (
        0.0, names_width + 0.8, names_width + 2.0, names_width + 2.65, names_width + 4.2,
        names_width + 4.85, names_width + 6.4)
    if ax is None:
        _, (ax,) = _figure(figsize=(min(7.4, 0.75 * (after_x + 0.2)),
                                    0.3 * len(rows) + 0.7))
        ax.set_position([0.01, 0.01, 0.98, 0.98 - 0.45 / (0.3 * len(rows) + 0.7)])
    top = len(rows)
    for x, heading, align in ((name_x, 'parameter', 'left'), (before_x, 'before', 'right'),
                              (grad_x, 'gradient', 'right'), (change_x, 'change', 'right'),
                              (after_x, 'after', 'right')):
        ax.text(x, top, heading, ha=align, va='center', fontsize=9, fontweight='bold')
    scale = max(max(abs(g), abs(a - b)) for _, b, g, a in rows) or 1.0  # one for both
    for k, (name, old, grad, new) in enumerate(rows):
        y = top - 1 - k
        change = new - old
        for x, text, align in ((name_x, name, 'left'), (before_x, f'{old:.4f}', 'right'),
                               (grad_x, f'{grad:+.4f}', 'right'),
                               (change_x, f'{change:+.4f}', 'right'),
                               (after_x, f'{new:.4f}', 'right')):
            ax.text(x, y, text, ha=align, va='center', fontsize=9, family='monospace')
        for centre, amount in ((grad_bar, grad), (change_bar, change)):
            ax.barh(y, 0.45 * amount / scale, left=centre, height=0.6,
                    color=POSITIVE if amount >= 0 else NEGATIVE, alpha=0.8)
            ax.plot([centre, centre], [y - 0.4, y + 0.4], color='0.5', linewidth=0.6)
    ax.set_xlim(-0.1, after_x + 0.1)
    ax.set_ylim(-0.7, top + 0.6)
    ax.axis('off')
    ax.set_title(title if title is not None else
                 'one update: each parameter before, its gradient, the change, after',
                 fontsize=10)
    return ax
