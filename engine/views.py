"""Smaller views of a graph too big to read: one box per neuron, one sample's path.

A neuron, seen in the graph, is a `dot` node (b + w0*x0 + w1*x1 + ..., whose leaf children
are the weights and the bias) followed, when it has one, by its activation node (tanh,
relu, sigmoid or step) and used by nothing else. draw_neurons draws each as one box: its
output and gradient; its weights and bias are not drawn, and the number on the edge from
an input is the neuron's local derivative for it, the chain rule through the box:

    d out / d x_i = act'(z) * w_i          (z = b + sum w_i x_i)

draw_sample keeps the part of a batch loss that one sample feeds: the terms of the first
sum below the loss are the samples; the other terms become one dashed note.

>>> draw_neurons(loss)                          # a 2-16-16-1 network's loss for one input
>>> draw_sample(loss, 3, neurons=True)          # the fourth sample of a batch, by neuron
"""

from .draw import MAX_NODES, _format_and_rankdir, check_size, picture_of
from .value import Value, topological_order

ACTIVATIONS = ('tanh', 'ReLU', 'relu', 'sigmoid', 'step')  # the ops' names in the graph


def _copy(node_or_numbers, prev=(), local=(), op=None, label=None):
    """A new Value node with the numbers of an old one (or (data, grad)), no checks made."""
    copy = Value.__new__(Value)
    if isinstance(node_or_numbers, Value):
        copy.data, copy.grad = node_or_numbers.data, node_or_numbers.grad
        copy.label = node_or_numbers.label if label is None else label
        copy._op = node_or_numbers._op if op is None else op
    else:
        copy.data, copy.grad = node_or_numbers
        copy.label, copy._op = label or '', op or ''
    copy._prev, copy._local = tuple(prev), tuple(local)
    return copy


def _stub(text):
    return _copy((0.0, 0.0), label=text)


def _parents(order):
    """{node: [the nodes that use it]}."""
    parents = {}
    for node in order:
        for child in node._prev:
            parents.setdefault(child, []).append(node)
    return parents


def dot_parts(node):
    """(weights, inputs, bias, numbers) of a neuron's dot node, or None if it is not one.

    Value.dot(w, x, b) keeps as children the weights, then the inputs that are Values,
    then the bias (local derivative 1); inputs that are plain numbers are `numbers`.
    """
    prev, local = node._prev, node._local
    if node._op != 'dot' or len(prev) < 2 or local[-1] != 1.0 or prev[-1]._prev:
        return None
    n = (len(prev) - 1) // 2
    if len(prev) % 2 == 1 and n and all(
            not w._prev and local[i] == prev[n + i].data and local[n + i] == w.data
            for i, w in enumerate(prev[:n])):
        return prev[:n], prev[n:2 * n], prev[-1], ()
    if all(not w._prev for w in prev[:-1]):
        return prev[:-1], (), prev[-1], tuple(local[:-1])
    return None


def neuron_graph(root, stubs=()):
    """(root, stubs, extra): a copy of root's graph with each neuron as one node.

    stubs: stand-in nodes of root's graph (from sample_graph) to carry over as stand-ins.
    """
    order = topological_order(root)
    parents = _parents(order)
    neurons = {}  # the node that stands for the neuron -> (its dot, its activation or None)
    for node in order:
        parts = dot_parts(node)
        if parts is None:
            continue
        users = parents.get(node, [])
        act = users[0] if len(users) == 1 and users[0]._op in ACTIVATIONS else None
        neurons[act or node] = (node, act)
    inside = {dot for dot, act in neurons.values() if act is not None}
    dots = {dot for dot, _ in neurons.values()}
    hidden = set()  # weights and biases used by their neuron only
    for dot, _ in neurons.values():
        weights, _, bias, _ = dot_parts(dot)
        hidden.update(p for p in (*weights, bias) if all(u in dots for u in parents[p]))
    copies, extra, new_stubs, inputs_stub = {}, {}, set(), {}
    for node in order:
        if node in inside or node in hidden:
            continue
        if node in neurons:
            dot, act = neurons[node]
            weights, _, _, numbers = dot_parts(dot)
            slope = act._local[0] if act is not None else 1.0
            prev, local = [], []
            for child, d in zip(dot._prev, dot._local):
                if child not in hidden:
                    prev.append(copies[child])
                    local.append(slope * d)  # d out/d child = act'(z) * d z/d child
            if numbers:  # the sample's inputs are plain numbers: one note per input vector
                key = numbers
                if key not in inputs_stub:
                    inputs_stub[key] = _stub('inputs ' + ', '.join(f'{x:.4g}' for x in numbers))
                    new_stubs.add(inputs_stub[key])
                prev.append(inputs_stub[key])
                local.append(0.0)
            name = act._op if act is not None else 'linear'
            copy = _copy(node, prev, local, op=f'{name} neuron')
            copy.label = node.label or dot.label
            extra[copy] = f'{len(weights)} weights + bias'
        else:
            copy = _copy(node, [copies[c] for c in node._prev], node._local)
        copies[node] = copy
    new_stubs.update(copies[s] for s in stubs if s in copies)
    return copies[root], new_stubs, extra


def batch_terms(root):
    """The terms of the first sum below root (a batch loss's per-sample terms), in order."""
    node = root
    while True:
        inner = [c for c in node._prev if c._prev]
        if node._op in ('sum', '+') and len(inner) >= 2:
            break
        if len(inner) != 1:
            raise ValueError("draw_sample: cannot find the samples: no sum of several terms "
                             "below the loss; pass the node of one sample's term instead")
        node = inner[0]
    if node._op == 'sum':
        return [c for c in node._prev if c._prev]
    terms, stack = [], [node]
    while stack:  # a chain of + (as Python's sum() makes) is flattened, left to right
        here = stack.pop()
        if here is node or (here._op == '+' and here._prev):
            stack.extend(reversed(here._prev))
        elif here._prev:
            terms.append(here)
    return terms


def sample_graph(root, sample):
    """(root, stubs): a copy of the part of root's graph that `sample` feeds.

    sample -- a position in batch_terms(root), or a node of the graph (a sample's term)
    """
    if isinstance(sample, Value):
        term = sample
    elif isinstance(sample, int) and not isinstance(sample, bool):
        terms = batch_terms(root)
        if not 0 <= sample < len(terms):
            raise ValueError(f"draw_sample: sample must be from 0 to {len(terms) - 1} (the "
                             f"loss has {len(terms)} terms), got {sample}")
        term = terms[sample]
    else:
        raise TypeError(f"draw_sample: sample must be a whole number (which sample) or a "
                        f"Value of the graph, got {type(sample).__name__}")
    order = topological_order(root)
    below = set(topological_order(term))
    if term not in set(order):
        raise ValueError("draw_sample: the sample's node is not part of this graph")
    on_path = {term}
    for node in order:  # children first: a node is on a path if one of its children is
        if any(c in on_path for c in node._prev):
            on_path.add(node)
    copies, stubs = {}, set()
    for node in order:
        if node in below:
            copies[node] = _copy(node, [copies[c] for c in node._prev], node._local)
        elif node in on_path:
            prev, local, left_out = [], [], 0
            for child, d in zip(node._prev, node._local):
                if child in on_path or child in below or not child._prev:
                    prev.append(copies.setdefault(child, _copy(child)) if not child._prev
                                else copies[child])
                    local.append(d)
                else:
                    left_out += 1
            if left_out:
                stub = _stub(f'{left_out} other term{"s" * (left_out > 1)}, not drawn')
                stubs.add(stub)
                prev.append(stub)
                local.append(0.0)
            copies[node] = _copy(node, prev, local)
    return copies[root], stubs


def draw_neurons(root, format='svg', rankdir='LR', *, show_local=None, show_grad=None,
                 legend=True, max_nodes=MAX_NODES):
    """Draw root's graph with one box per neuron (output and grad): a Picture.

    show_local -- the local derivative on each edge; None: only while there are at most
                  60 edges (a 16-16 layer has 256, too many numbers to read)

    >>> draw_neurons(loss)
    """
    format, rankdir = _format_and_rankdir(format, rankdir)
    _check_root(root, 'draw_neurons')
    check_size(root, 20 * max_nodes, 'draw_neurons')
    view, stubs, extra = neuron_graph(root)
    return _picture(view, format, rankdir, stubs, extra, show_local, show_grad, legend,
                    max_nodes, 'draw_neurons')


def draw_sample(loss, sample=0, format='svg', rankdir='LR', *, neurons=False, show_local=None,
                show_grad=None, legend=True, max_nodes=MAX_NODES):
    """Draw the part of a batch loss that one sample feeds: a Picture.

    sample  -- which sample: its position among the loss's terms (0 is the first), or the
               Value of its term; the other terms show as one dashed note
    neurons -- also draw each neuron as one box (see draw_neurons)

    >>> draw_sample(loss, 1, neurons=True)
    """
    format, rankdir = _format_and_rankdir(format, rankdir)
    _check_root(loss, 'draw_sample')
    check_size(loss, 20 * max_nodes, 'draw_sample')
    view, stubs = sample_graph(loss, sample)
    extra = {}
    if neurons:
        view, stubs, extra = neuron_graph(view, stubs)
    return _picture(view, format, rankdir, stubs, extra, show_local, show_grad, legend,
                    max_nodes, 'draw_sample')


def _check_root(root, caller):
    if not isinstance(root, Value):
        raise TypeError(f"{caller} needs a scalargrad Value as the root, got "
                        f"{type(root).__name__}")


def _picture(view, format, rankdir, stubs, extra, show_local, show_grad, legend, max_nodes,
             caller):
    if show_local is None:
        edges = sum(len(node._prev) for node in topological_order(view))
        show_local = edges <= 60
    if show_grad is None:
        show_grad = view.grad != 0.0
    return picture_of(view, format, rankdir, show_local=show_local, show_grad=show_grad,
                      legend=legend, max_nodes=max_nodes, caller=caller, stubs=stubs,
                      extra=extra, compact=True)
