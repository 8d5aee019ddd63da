"""Bytes per recorded node: build one graph under tracemalloc and divide by its size.

The model's parameters exist before tracing starts, so the bytes counted are those of the
nodes the forward pass records (and their tuples, closures, sets ...), and the node count
leaves the parameters out.
"""

import gc
import sys
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
    """(recorded ops, bytes kept, bytes per op) for the Recording that record() returns.

    What a replay keeps between steps: its compiled code (bytecode, constants, names,
    line table: Python keeps a line and column entry per instruction, about as big as the
    bytecode), the compressed Wengert list and the recording object itself. Counted with
    sys.getsizeof, not tracemalloc: tracing every allocation of the compiler at work would
    take minutes. The graph it was recorded from is freed by then.
    """
    recording = record()
    gc.collect()
    code = recording._replay.__code__
    parts = [recording, recording.__dict__, recording._replay, code,  # code: its bytecode too
             code.co_consts, *code.co_consts, code.co_names, code.co_varnames,
             *code.co_varnames, code.co_linetable, code.co_exceptiontable,
             recording._lines, *recording._lines]
    seen, kept = set(), 0
    for part in parts:
        if id(part) not in seen:
            seen.add(id(part))
            kept += sys.getsizeof(part)
    return len(recording), kept, kept / len(recording)
