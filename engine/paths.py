"""The chain rule as a sum over paths: d root / d leaf, one path at a time.

Every path from the leaf up to the root multiplies the local derivatives along its edges;
the derivative is the sum of those products over all the paths:

    d y / d x  =  sum over paths x -> ... -> y  of  (product of the local derivatives on it)

backward() computes the same number without listing the paths (it shares the work of the
common parts). The number of paths can grow exponentially with depth, so they are counted
by dynamic programming (paths to a node = the sum of the paths to its children) and only
the `top` largest (by size of the product) are listed when there are more.

>>> x = Value(2.0, 'x'); y = x * x + x
>>> print(sum_over_paths(y, x))     # three paths: 2 + 2 + 1 = 5
"""

import heapq

from .draw import MAX_NODES, Drawing, number
from .picture import Picture
from .value import Value, topological_order

PATH_COLOURS = {'red': '#d62728', 'blue': '#1f77b4', 'green': '#2ca02c', 'purple': '#9467bd',
                'orange': '#ff7f0e', 'brown': '#8c564b', 'pink': '#e377c2', 'cyan': '#17becf',
                'olive': '#bcbd22', 'grey': '#7f7f7f'}


class Path:
    """One path from the leaf to the root: its nodes, its edges and its product.

    nodes  -- leaf first, root last
    edges  -- (node, k) for each step up: the step enters `node` from its k-th child
    locals -- the local derivative of each step, d node / d child
    """

    __slots__ = ('nodes', 'edges', 'locals', 'product')

    def __init__(self, nodes, edges, locals_):
        self.nodes, self.edges, self.locals = tuple(nodes), tuple(edges), tuple(locals_)
        product = 1.0
        for d in self.locals:
            product *= d
        self.product = product

    def __str__(self):
        names = _shorten([_name(node) for node in self.nodes], ' -> ')
        if not self.locals:
            return f"{names}: the root itself, 1"
        factors = _shorten([f'({number(d)})' if d < 0 else number(d) for d in self.locals],
                           ' x ')
        return f"{names}: {factors} = {number(self.product)}"

    def __repr__(self):
        return f"<Path of {len(self.locals)} steps, product {number(self.product)}>"


class PathSum:
    """Every path (or the largest ones) from leaf to root, how many there are, and the sum.

    count    -- the number of paths (counted, not listed)
    total    -- d root / d leaf, the sum of the products over all paths
    paths    -- the listed Paths, largest |product| first (all of them when complete)
    complete -- whether paths lists every path
    """

    def __init__(self, root, leaf, paths, count, total):
        self.root, self.leaf = root, leaf
        self.paths, self.count, self.total = paths, count, total
        self.complete = len(paths) == count

    def listed_sum(self):
        """The sum of the listed paths' products (the total when every path is listed)."""
        return sum(p.product for p in self.paths)

    def __str__(self):
        head = (f"{self.count} path{'s' * (self.count != 1)} from {_name(self.leaf)} to "
                f"{_name(self.root)}")
        if not self.complete:
            head += f"; the {len(self.paths)} largest:"
        else:
            head += ':'
        lines = [head] + [f"  {p}" for p in self.paths]
        if self.complete:
            lines.append(f"sum = {number(self.total)} = d {_name(self.root)} / d "
                         f"{_name(self.leaf)}")
        else:
            lines.append(f"these {len(self.paths)} add up to {number(self.listed_sum())}; all "
                         f"{self.count} add up to {number(self.total)} = "
                         f"d {_name(self.root)} / d {_name(self.leaf)}")
        return '\n'.join(lines)

    def __repr__(self):
        return (f"<PathSum: {self.count} path{'s' * (self.count != 1)} from "
                f"{_name(self.leaf)} to {_name(self.root)}, sum {number(self.total)}>")

    def picture(self, rankdir='LR', max_nodes=MAX_NODES):
        """The graph with the listed paths drawn in colour, each path's product in the legend."""
        drawing = Drawing(self.root, rankdir, max_nodes=max_nodes, caller='sum_over_paths')
        index = drawing.index
        colours, names = {}, list(PATH_COLOURS)
        shown = list(enumerate(self.paths[:len(names)]))
        for n, path in reversed(shown):
            for node, k in path.edges:  # the first path's colour wins on a shared edge
                colours[(index[node], k)] = PATH_COLOURS[names[n]]
        notes = [f"path {n + 1} ({names[n]}): {number(p.product)}" for n, p in shown]
        if len(shown) > 1:
            notes.append('an edge on several paths has the colour of the first')
        notes.append(f"sum over all {self.count} paths: {number(self.total)}")
        grads = [node.grad for node in drawing.order] if self.root.grad != 0.0 else None
        source = drawing.source(grads, highlight=drawing.indices(self.leaf),
                                edge_colours=colours, notes=notes)
        return Picture(source)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        data, metadata = self.picture()._repr_mimebundle_(include, exclude)
        if 'text/plain' in data:
            data['text/plain'] = str(self)
        return data, metadata


def _shorten(words, joint, keep=5):
    """words joined by joint; a long list keeps its first and last `keep`, with a count."""
    if len(words) <= 2 * keep + 1:
        return joint.join(words)
    skipped = len(words) - 2 * keep
    return joint.join(words[:keep] + [f'... {skipped} more ...'] + words[-keep:])


def _name(node):
    if node.label:
        return node.label
    return node._op if node._prev else f'{node.data:.4g}'


def sum_over_paths(root, leaf, top=10):
    """Every path from leaf up to root with its product of local derivatives: a PathSum.

    Their sum is d root / d leaf, the number backward() puts in leaf.grad (for a leaf, on
    a fresh graph). With more than `top` paths only the `top` largest are listed; all are
    counted and summed.

    >>> print(sum_over_paths(loss, w))
    """
    if not isinstance(root, Value) or not isinstance(leaf, Value):
        raise TypeError("sum_over_paths needs two Values: the root (output) and a node below it")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"sum_over_paths: top must be a positive whole number, got {top!r}")
    order = topological_order(root)
    if leaf not in set(order):
        raise ValueError(f"sum_over_paths: {_name(leaf)} is not part of the graph below "
                         f"{_name(root)}")
    count, total, best = {leaf: 1}, {leaf: 1.0}, {leaf: [(1.0, 1.0, None)]}
    for node in order:  # children before parents
        if node is leaf or not node._prev:
            continue
        n, s, options = 0, 0.0, []
        for k, (child, d) in enumerate(zip(node._prev, node._local)):
            if child not in count:
                continue
            n += count[child]
            s += d * total[child]
            for j, (size, product, _) in enumerate(best[child]):
                options.append((size * abs(d), product * d, (child, j, k)))
        if n:
            count[node], total[node] = n, s
            best[node] = heapq.nlargest(top, options, key=lambda o: o[0])
    paths = [_unwind(root, entry, best) for entry in best[root]]
    return PathSum(root, leaf, paths, count[root], total[root])


def _unwind(root, entry, best):
    """The Path an entry of the top-k table stands for, followed down to the leaf."""
    nodes, edges, locals_ = [root], [], []
    node, link = root, entry[2]
    while link is not None:
        child, j, k = link
        edges.append((node, k))
        locals_.append(node._local[k])
        nodes.append(child)
        node, link = child, best[child][j][2]
    return Path(reversed(nodes), reversed(edges), reversed(locals_))
