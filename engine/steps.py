"""The backward pass, one node at a time, for watching the chain rule work.

>>> x = Value(2.0, 'x'); y = (x * x).tanh()
>>> for step in backward_steps(y): print(step)
"""

from dataclasses import dataclass

from .value import topological_order


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
        name = self.node.label or self.node._op
        parts = [f"{e.child.label or e.child._op or 'leaf'} += {e.local:.4g} x {self.upstream:.4g}"
                 f" = {e.contribution:.4g}" for e in self.edges]
        return f"step {self.index + 1}/{self.total} at {name}: " + '; '.join(parts)


def backward_steps(root):
    """Run root's backward pass one node at a time, yielding a BackwardStep after each.

    Gradients are set exactly as root.backward() sets them; when the generator is
    exhausted the graph holds the same gradients. Leaves (no children) have no step.
    """
    order = topological_order(root)
    for node in order:
        if node._prev:
            node.grad = 0.0
    root.grad += 1.0
    inner = [node for node in reversed(order) if node._prev]
    for index, node in enumerate(inner):
        upstream = node.grad
        edges = []
        for child, local in zip(node._prev, node._local):
            before = child.grad
            contribution = local * upstream
            child.grad = before + contribution
            edges.append(EdgeStep(child, local, contribution, before, child.grad))
        yield BackwardStep(index, len(inner), node, upstream, tuple(edges))
