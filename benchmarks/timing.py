"""Timing helpers: collect garbage first, interleave peers, keep medians.

Why gc.collect() before each peer: micrograd's nodes hold closures that point back at
them, so its graphs are freed only by Python's cyclic garbage collector. Without a
collection between peers, one peer's leftover garbage is collected (and billed) during
the next peer's run.
"""

import gc
import statistics
import time


def median_time(fn, repeats):
    """Median wall time of `repeats` calls of fn(), after a full garbage collection."""
    gc.collect()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed_rounds(peers, rounds, steps):
    """Time training steps, taking turns so that a busy machine slows every peer alike.

    peers is [(name, step)] where step(k) runs training step k and returns the loss. Each
    round gives every peer, in turn, a garbage collection, one untimed step (so that each
    timed step carries the garbage of a step before it, as in a training loop) and then
    `steps` timed steps. Returns {name: (median seconds per step, [loss of every step])}.
    """
    times = {name: [] for name, _ in peers}
    losses = {name: [] for name, _ in peers}
    for r in range(rounds):
        for name, step in peers:
            gc.collect()
            for i in range(steps + 1):
                start = time.perf_counter()
                losses[name].append(step(r * (steps + 1) + i))
                if i:
                    times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), losses[name]) for name, _ in peers}
