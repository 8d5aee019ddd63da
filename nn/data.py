"""Small datasets for learning, in pure Python: each returns (X, y) as lists, seeded.

Labels. Two-class sets (and_gate, or_gate, xor, moons, circles) give y in {-1, +1} by
default, ready for the hinge loss; pass labels='01' for {0, 1} (binary cross-entropy,
Perceptron). Many-class sets (spiral, blobs) give class indices 0..K-1 (cross_entropy);
with two classes they also take labels='pm1'.

Every `seed` follows nn's one rule: an int (numpy's too), a random.Random to draw from,
or None for Python's global random.

>>> X, y = moons(100, noise=0.1, seed=0)
>>> X[0], y[0]          # ([x0, x1], -1 or +1)
"""

import math
from numbers import Real

from engine.numbers import as_real, as_whole

from .seeds import random_source

LABELS = ('pm1', '01', 'index')


def _relabel(classes, labels, k):
    """Class numbers 0..k-1 -> the labels asked for."""
    if labels not in LABELS:
        raise ValueError(f"labels must be one of {', '.join(LABELS)}, got {labels!r}")
    if labels == 'pm1':
        if k != 2:
            raise ValueError(f"labels='pm1' needs two classes, this set has {k}")
        return [2 * c - 1 for c in classes]
    if labels == '01' and k != 2:
        raise ValueError(f"labels='01' needs two classes, this set has {k}; use 'index'")
    return list(classes)


def _count(n, what='n', least=1):
    try:
        return as_whole(n, what, least=least)  # numpy's integers too, as a Python int
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number >= {least}, got {n!r:.60}") from None


def _spread(noise, what='noise'):
    """A standard deviation: a finite number >= 0 (an infinite one gives infinite points)."""
    try:
        x = None if isinstance(noise, bool) else as_real(noise, what)  # 10**400 is too large
    except (TypeError, ValueError):
        x = None
    if x is None or not x >= 0:
        raise ValueError(f"{what} must be a finite number >= 0, got {noise!r:.40}")
    return x


def _shuffled(points, classes, rng):
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], [classes[i] for i in order]


def _gate(outputs, labels):
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return X, _relabel(outputs, labels, 2)


def and_gate(labels='pm1'):
    """The AND truth table: true only for (1, 1). Linearly separable."""
    return _gate([0, 0, 0, 1], labels)


def or_gate(labels='pm1'):
    """The OR truth table: true unless (0, 0). Linearly separable."""
    return _gate([0, 1, 1, 1], labels)


def xor(labels='pm1'):
    """The XOR truth table: true when the inputs differ. No straight line separates it."""
    return _gate([0, 1, 1, 0], labels)


def moons(n=100, noise=0.1, seed=0, labels='pm1'):
    """Two interleaved half circles (class 0 on top, class 1 below), plus Gaussian noise.

    Upper moon: (cos t, sin t); lower moon: (1 - cos t, 0.5 - sin t); t in [0, pi].
    """
    n = _count(n, least=2)
    noise = _spread(noise)
    rng = random_source(seed)
    upper, lower = n // 2, n - n // 2
    points, classes = [], []
    for k, count in ((0, upper), (1, lower)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            x0, x1 = (math.cos(t), math.sin(t)) if k == 0 else \
                (1.0 - math.cos(t), 0.5 - math.sin(t))
            points.append([x0 + rng.gauss(0.0, noise), x1 + rng.gauss(0.0, noise)])
            classes.append(k)
    X, classes = _shuffled(points, classes, rng)
    return X, _relabel(classes, labels, 2)


def circles(n=100, noise=0.05, factor=0.5, seed=0, labels='pm1'):
    """A circle of radius 1 (class 0) around one of radius `factor` (class 1), plus noise."""
    n = _count(n, least=2)
    noise = _spread(noise)
    if isinstance(factor, bool) or not isinstance(factor, Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number between 0 and 1, got {factor!r:.40}")
    rng = random_source(seed)
    points, classes = [], []
    for k, count, radius in ((0, n // 2, 1.0), (1, n - n // 2, factor)):
        for i in range(count):
            t = 2 * math.pi * i / count
            points.append([radius * math.cos(t) + rng.gauss(0.0, noise),
                           radius * math.sin(t) + rng.gauss(0.0, noise)])
            classes.append(k)
    X, classes = _shuffled(points, classes, rng)
    return X, _relabel(classes, labels, 2)


def spiral(n=150, classes=3, noise=0.2, seed=0, labels='index'):
    """`classes` arms winding out from the centre, n points in all (split evenly).

    Arm k: radius r in [0, 1], angle 4 (k + r) + noise; point (r sin angle, r cos angle).
    """
    n = _count(n)
    classes = _count(classes, 'classes', least=2)
    noise = _spread(noise)
    rng = random_source(seed)
    points, ks = [], []
    for k in range(classes):
        count = n // classes + (k < n % classes)
        for i in range(count):
            r = i / (count - 1) if count > 1 else 0.0
            angle = 4.0 * (k + r) + rng.gauss(0.0, noise)
            points.append([r * math.sin(angle), r * math.cos(angle)])
            ks.append(k)
    X, ks = _shuffled(points, ks, rng)
    return X, _relabel(ks, labels, classes)


def blobs(n=150, centers=3, std=0.5, seed=0, labels='index'):
    """Gaussian clouds around `centers` points spaced evenly on a circle of radius 2."""
    n = _count(n)
    centers = _count(centers, 'centers', least=2)
    std = _spread(std, 'std')
    rng = random_source(seed)
    points, ks = [], []
    for k in range(centers):
        cx, cy = 2 * math.cos(2 * math.pi * k / centers), 2 * math.sin(2 * math.pi * k / centers)
        for _ in range(n // centers + (k < n % centers)):
            points.append([cx + rng.gauss(0.0, std), cy + rng.gauss(0.0, std)])
            ks.append(k)
    X, ks = _shuffled(points, ks, rng)
    return X, _relabel(ks, labels, centers)


def batches(X, y, batch_size, shuffle=True, seed=0):
    """Yield (X_batch, y_batch) pairs covering the data once (one epoch).

    batch_size None: one batch of everything; k: ceil(len(X) / k) batches, the last one
    possibly smaller. shuffle draws the order by nn's seed rule (nn/seeds.py): an int gives
    the same batches on every call, a random.Random as seed gives epochs that differ but
    stay reproducible, and seed=None draws from Python's global random (a fresh order
    each call, repeatable after random.seed()).
    """
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    n = len(X)
    if batch_size is None:
        batch_size = max(n, 1)
    batch_size = _count(batch_size, 'batch_size')
    order = list(range(n))
    if shuffle:
        random_source(seed).shuffle(order)
    for start in range(0, n, batch_size):
        chunk = order[start:start + batch_size]
        yield [X[i] for i in chunk], [y[i] for i in chunk]
