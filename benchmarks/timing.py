"""Timing helpers: collect garbage first, then keep the median of several runs.

Why gc.collect() first: micrograd's nodes hold closures that point back at them, so its
graphs are freed only by Python's cyclic garbage collector. Without a collection between
peers, one peer's leftover garbage is collected (and billed) during the next peer's run.
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


def timed_steps(step, count):
    """Run step(k) for k = 0 .. count-1 after a garbage collection.

    Returns (median seconds per step, [what each step returned]). Garbage the steps make
    is collected whenever Python decides to, inside the steps: that is part of their cost.
    """
    gc.collect()
    times, results = [], []
    for k in range(count):
        start = time.perf_counter()
        results.append(step(k))
        times.append(time.perf_counter() - start)
    return statistics.median(times), results
