"""Backward through a long chain: x <- x * c + d, repeated, with c and d shared leaves.

Each repeat adds two nodes (a product and a sum), so a chain of N nodes is N/2 repeats
deep. c and d feed every level, so their gradients accumulate N/2 contributions each.
c is 1, so the gradient reaching every level is 1: with |c| < 1 it would shrink geometrically,
underflow to 0 a thousand levels down, and backward would rightly skip the rest of the chain.
"""

import gc
import time


def build_chain(Value, nodes):
    """A chain of about `nodes` nodes; returns (root, node count)."""
    c, d, x = Value(1.0), Value(0.5), Value(1.0)
    for _ in range(nodes // 2):
        x = x * c + d
    return x, 2 * (nodes // 2) + 3


def best_backward_time(root, repeats, backward=None):
    """The fastest of `repeats` backward passes over the same graph (after a collection)."""
    backward = backward or root.backward
    gc.collect()
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        backward()
        best = min(best, time.perf_counter() - start)
    return best


def micrograd_backward_fails(Value, nodes):
    """True when micrograd's recursive topological sort cannot handle this depth."""
    root, _ = build_chain(Value, nodes)
    try:
        root.backward()
    except RecursionError:
        return True
    finally:
        del root
        gc.collect()
    return False
