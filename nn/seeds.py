"""One seed rule for all of nn: models, data sets, batches and fit.

    seed=None            Python's global `random` (as micrograd: random.seed(1337) first
                         makes the run repeatable)
    seed=3               a private random.Random(3); numpy's integers count as ints
    seed=random.Random   that generator itself, so several calls can share one stream

>>> rng = random_source(0)
>>> rng.uniform(-1, 1)
"""

import random

from engine.numbers import as_whole, describe


def random_source(seed, what='seed'):
    """The random generator `seed` names, by the rule above (for None, the `random`
    module itself, whose functions are those of its hidden global generator)."""
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    try:
        return random.Random(as_whole(seed, what))
    except TypeError:
        raise TypeError(f"{what} must be None, a whole number or a random.Random, got "
                        f"{describe(seed)}") from None
