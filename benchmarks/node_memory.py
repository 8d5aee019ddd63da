"""Bytes per recorded node: build one graph under tracemalloc and divide by its size.

The model's parameters exist before tracing starts, so the bytes counted are those of the
nodes the forward pass records (and their tuples, closures, sets ...), and the node count
leaves the parameters out.
"""

import gc
import tracemalloc


def graph_nodes(root):
    """Every node reachable from root through _prev (iterative: no recursion limit)."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    return list(seen.values())


def bytes_per_node(build, parameters):
    """(new nodes, traced bytes, bytes per node) for the graph that build() returns."""
    gc.collect()
    tracemalloc.start()
    try:
        root = build()
        traced = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    known = {id(p) for p in parameters}
    nodes = sum(1 for n in graph_nodes(root) if id(n) not in known)
    del root
    gc.collect()
    return nodes, traced, traced / nodes


def recording_bytes(record):
    """(recorded ops, bytes kept, bytes per op) for what record() returns.

    Counted after the recording is made and the graph it was recorded from is freed: what a
    replay keeps between steps (its generated code and constants).
    """
    gc.collect()
    tracemalloc.start()
    try:
        recording = record()
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    nodes = len(recording)
    del recording
    gc.collect()
    return nodes, traced, traced / nodes
