"""The backward pass, one node at a time, for watching the chain rule work.

>>> x = Value(2.0, 'x'); y = (x * x).tanh()
>>> for step in backward_steps(y): print(step)
"""

from dataclasses import dataclass

from .value import chain_rule, check_gradients, require_recorded, topological_order


@dataclass(frozen=True)
class EdgeStep:
    """One child's share of a step: contribution = local * upstream, added to child.grad."""

    child: object
    local: float
    contribution: float
    grad_before: float
    grad_after: float


@dataclass(frozen=True)
class BackwardStep:
    """Step `index` of `total`: `node` passes its gradient `upstream` to its children."""

    index: int
    total: int
    node: object
    upstream: float
    edges: tuple

    def __str__(self):
        parts, seen = [], set()
        for e in self.edges:
            part = (f"{node_name(e.child)} gets {e.local:.4g} x {self.upstream:.4g} = "
                    f"{e.contribution:.4g}")
            if e.child in seen:  # the same child twice (as in a * a): its shares add up
                part += f", so its grad is {e.grad_before:.4g} + {e.contribution:.4g}" \
                        f" = {e.grad_after:.4g}"
            seen.add(e.child)
            parts.append(part)
        return (f"step {self.index + 1} of {self.total}: {node_name(self.node)} has grad "
                f"{self.upstream:.4g}; " + '; '.join(parts))


def node_name(node, params=()):
    """How text about a graph calls a node: its label, its op, or its value."""
    if node.label:
        return node.label
    if node._prev:
        return f"the {node._op} node"
    if node in params:
        return f"the parameter {node.data:.4g}"
    return f"the constant {node.data:.4g}"


def backward_steps(root):
    """Run root's backward pass one node at a time, yielding a BackwardStep after each.

    Each step is the engine's own chain-rule step (the code backward() runs), so the
    gradients are set exactly as root.backward() sets them; when the generator is
    exhausted the graph holds the same gradients, and an infinite or nan gradient is
    reported the same way. Leaves (no children) have no step. A node whose gradient is 0
    passes nothing down: its step shows contributions of 0.
    """
    require_recorded(root)
    order = topological_order(root)
    for node in order:
        if node._prev:
            node.grad = 0.0
    root.grad += 1.0
    inner = [node for node in reversed(order) if node._prev]
    for index, node in enumerate(inner):
        upstream = node.grad
        before = {child: child.grad for child in node._prev}
        chain_rule((node,))
        yield BackwardStep(index, len(inner), node, upstream,
                           tuple(_edges(node, upstream, before)))
    check_gradients(order)


def _edges(node, upstream, before):
    """The shares of one step, child by child, as the step added them (a child used twice
    gets two shares, the second added to the first)."""
    running = dict(before)
    for child, local in zip(node._prev, node._local):
        old = running[child]
        if upstream == 0.0:  # the step passed nothing down
            contribution, new = 0.0, old
        else:
            contribution = local * upstream
            new = old + contribution
        running[child] = new
        yield EdgeStep(child, local, contribution, old, new)
