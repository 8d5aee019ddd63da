"""Pictures of a computation graph: values in boxes, ops in ovals, local derivatives on edges.

    [ x | data 2 | grad -1.5 ] --(-3)--> ( * ) --> [ data -6 | grad 0.5 ]

Each box is a Value (its label, its number, d(root)/d(node)); each oval is the op that
made the box to its right; the number on an edge is the local derivative d(out)/d(child).
Before backward() has run the gradients read `grad ?`: they are not computed yet.

>>> x, w = Value(2.0, 'x'), Value(-3.0, 'w'); y = (x * w).tanh(); y.backward()
>>> draw_dot(y).save('neuron.svg')
'neuron.svg'
"""

import html
import json

from .numbers import describe
from .picture import FORMATS, Picture
from .render import render
from .value import Value, topological_order

MAX_NODES = 300  # beyond a few hundred boxes a picture stops teaching anything

# Colours: fill of each kind of Value box, and the name the legend gives it.
KINDS = {
    'input': ('#cfe3ff', 'input (named leaf)'),
    'parameter': ('#ffd9a0', 'parameter'),
    'constant': ('#e6e6e6', 'constant (unnamed leaf)'),
    'intermediate': ('#ffffff', 'intermediate'),
    'output': ('#c9efc1', 'output (root)'),
}
OP_FILL = '#efe6fb'
HIGHLIGHT = '#d62728'  # red: the node(s) to look at
RECEIVED = '#ff8c00'  # orange: children that just received gradient (step-through)
LOCAL_INK = '#1f5fa8'  # blue: local derivatives on edges
DONE_INK = '#555555'  # grey: edges whose contribution has been passed on


class GraphTooLarge(ValueError):
    """The graph has more nodes than a picture can show readably (see max_nodes).

    .nodes is how many were counted (at least), .limit the max_nodes that refused them.
    """

    def __init__(self, message, nodes, limit):
        super().__init__(message)
        self.nodes, self.limit = nodes, limit


def count_nodes(root, limit):
    """The number of Values in root's graph, counting no further than limit + 1.

    Stops as soon as the count passes limit, so a million-node graph is refused at once.
    """
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                if len(seen) > limit:
                    return len(seen)
                stack.append(child)
    return len(seen)


def check_size(root, max_nodes, caller='draw_dot'):
    """Refuse (GraphTooLarge) a graph with more than max_nodes Values, saying what to do."""
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{caller}: max_nodes must be a positive whole number, got {max_nodes!r}")
    n = count_nodes(root, max_nodes)
    if n > max_nodes:
        raise GraphTooLarge(
            f"{caller}: this graph has at least {n} nodes, more than max_nodes={max_nodes} "
            f"(too many to read in one picture). Draw a smaller part of it (pass an inner node "
            f"as the root, or use a smaller model or fewer inputs), or raise the limit with "
            f"{caller}(root, max_nodes=...).", n, max_nodes)
    return n


def number(x, digits=4):
    """A short, readable form of x: 4 significant digits, and never '-0'."""
    text = f"{x:.{digits}g}"
    return '0' if text == '-0' else text


def _record_text(text, width=24):
    """User text made safe inside a record label: special characters escaped, one short line."""
    text = ' '.join(str(text).split())
    if len(text) > width:
        text = text[:width - 1] + '~'
    out = []
    for ch in text:
        if ch in '\\{}|<>"':
            out.append('\\')
        out.append(ch)
    return ''.join(out)


class Drawing:
    """What a picture of root's graph shows, ready to be written out as DOT text.

    Node ids come from the position in topological_order(root) ('n0', 'n1', ..., the op of
    node i is 'n{i}op', the edge from its k-th child is 'e{i}_{k}'), so the same graph always
    gives the same text. stepview uses one Drawing for every frame of a step-through.
    """

    def __init__(self, root, rankdir='LR', params=(), max_nodes=MAX_NODES, show_local=True,
                 legend=True, digits=4, caller='draw_dot', stubs=(), extra=None,
                 compact=False):
        if not isinstance(root, Value):
            raise TypeError(f"{caller} needs a scalargrad Value as the root, got {describe(root)}")
        if rankdir not in ('LR', 'TB'):
            raise ValueError(f"{caller}: rankdir must be 'LR' (left to right) or 'TB' (top to "
                             f"bottom), got {rankdir!r}")
        check_size(root, max_nodes, caller)
        self.root, self.rankdir, self.show_local, self.legend = root, rankdir, show_local, legend
        self.digits = digits
        self.order = topological_order(root)
        self.index = {node: i for i, node in enumerate(self.order)}
        params = _as_nodes(params, f'{caller}: params')
        self.stubs = set(stubs)  # stand-ins for parts not drawn: a dashed note, no numbers
        self.kinds = [self._kind(node, params) for node in self.order]
        self.extra = extra or {}  # {node: extra line for its box}, e.g. a neuron's weights
        self.compact = compact  # the op written in its result's box, not in an oval of its own

    def _kind(self, node, params):
        if node in self.stubs:
            return 'stub'
        if node is self.root:
            return 'output'
        if node in params:
            return 'parameter'
        if node._prev:
            return 'intermediate'
        return 'input' if node.label else 'constant'

    def indices(self, nodes, what='highlight'):
        """Positions of the given nodes (a Value or an iterable of Values) in this graph."""
        found = set()
        for node in _as_nodes(nodes, what):
            if node not in self.index:
                raise ValueError(f"{what}: {node!r} is not part of this graph")
            found.add(self.index[node])
        return found

    def number(self, x):
        return number(x, self.digits)

    def source(self, grads, highlight=(), edge_text=None, edge_marks=None, node_marks=None,
               notes=(), pending_note=None, layout=None, note=None, note_size=None,
               edge_colours=None):
        """DOT text for one picture of the graph.

        grads      -- per node (in topological order) a float, None for 'grad ?', or
                      grads=None to leave the grad field out
        highlight  -- node positions drawn with a thick red border
        edge_text  -- {(i, k): text} replaces the local derivative on the edge from child k
                      of node i; edge_marks {(i, k): 'now' | 'done'} colours such edges
        node_marks -- {i: 'now' | 'received'}: the node being processed, its children
        notes      -- extra lines for the legend; pending_note: whether the legend explains
                      'grad ?' (None: when some gradient is None)
        layout     -- positions from a previous layout (see layout_of): every node stays put
        note       -- a warning written under the graph in letters of note_size points
        edge_colours -- {(i, k): colour}: such edges drawn thick in that colour
        """
        import graphviz

        node_marks = dict(node_marks or {})
        for i in highlight:
            node_marks.setdefault(i, 'now')
        at = _placer(layout)
        g = graphviz.Digraph('scalargrad', strict=False)
        crowded = self.compact and sum(len(n._prev) for n in self.order) > 60
        g.attr(rankdir=self.rankdir, bgcolor='white', fontname='Helvetica', nodesep='0.25',
               ranksep='0.7' if crowded else '0.35')  # room to tell a fan of edges apart
        g.attr('node', fontname='Helvetica', fontsize='12')
        g.attr('edge', fontname='Helvetica', fontsize='10', arrowsize='0.7')
        for i, node in enumerate(self.order):
            mark = node_marks.get(i)
            self._value_box(g, i, None if grads is None else (grads[i],), mark, at)
            if node._prev:
                self._op_and_edges(g, i, mark, edge_text or {}, edge_marks or {}, at,
                                   edge_colours or {})
        if pending_note is None:
            pending_note = grads is not None and any(x is None for x in grads)
        rows = self.legend_rows(notes, pending_note) if self.legend else []
        if note:
            rows.insert(0, _note_row(note, note_size))
        if rows:
            g.attr(label=_table(rows), labelloc='b', labeljust='l', fontsize='10')
        if layout:
            g.attr(**{key: layout[''][key] for key in ('bb', 'lp') if key in layout['']})
        return g.source

    def _value_box(self, g, i, grad, mark, at):
        """Node i as a record [label | data | grad]; grad is (float,), (None,) for '?', or None."""
        node = self.order[i]
        if node in self.stubs:
            g.node(f'n{i}', id=f'n{i}', label=_record_text(node.label, 40), shape='note',
                   style='dashed', color=DONE_INK, fontcolor=DONE_INK, fontsize='10',
                   **at(f'n{i}'))
            return
        fields = [_record_text(node.label)] if node.label else []
        if self.compact and node._prev:
            fields.append(_record_text(node._op))
        if node in self.extra:
            fields.append(_record_text(self.extra[node], 30))
        fields.append('data ' + self.number(node.data))
        if grad is not None:
            fields.append('grad ' + ('?' if grad[0] is None else self.number(grad[0])))
        text = ' | '.join(fields)
        style = {'shape': 'record', 'style': 'filled', 'fillcolor': KINDS[self.kinds[i]][0],
                 'label': text if self.rankdir == 'LR' else '{ ' + text + ' }'}  # stand up
        if mark:
            style.update(color=HIGHLIGHT if mark == 'now' else RECEIVED, penwidth='3')
        g.node(f'n{i}', id=f'n{i}', **{**style, **at(f'n{i}')})

    def _op_and_edges(self, g, i, mark, edge_text, edge_marks, at, edge_colours):
        """The oval of node i's op, its edge to the box, and an edge from each child."""
        node = self.order[i]
        target = f'n{i}'
        if not self.compact:
            style = {'shape': 'ellipse', 'style': 'filled', 'fillcolor': OP_FILL,
                     'fontsize': '11', 'width': '0.3', 'height': '0.3', 'margin': '0.04'}
            if mark == 'now':
                style.update(color=HIGHLIGHT, penwidth='3')
            g.node(f'n{i}op', label=_record_text(node._op), id=f'n{i}op',
                   **{**style, **at(f'n{i}op')})
            g.edge(f'n{i}op', f'n{i}', id=f'e{i}', **at(f'e{i}'))
            target = f'n{i}op'
        for k, child in enumerate(node._prev):
            style = {}
            if child in self.stubs:
                style.update(style='dashed', color=DONE_INK)
            elif (i, k) in edge_text:
                style['label'] = edge_text[(i, k)]
            elif self.show_local:
                style['label'] = self.number(node._local[k])  # d(node)/d(child)
            if 'label' in style:  # underlined, and the underline joined to its edge
                style.update(fontcolor=LOCAL_INK, decorate='true')
            if edge_marks.get((i, k)) == 'now':
                style.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth='2.5')
            elif edge_marks.get((i, k)) == 'done':
                style.update(color=DONE_INK, fontcolor=DONE_INK)
            if (i, k) in edge_colours:
                colour = edge_colours[(i, k)]
                style.update(color=colour, fontcolor=colour, penwidth='2.5')
            g.edge(f'n{self.index[child]}', target, id=f'e{i}_{k}',
                   **{**style, **at(f'e{i}_{k}')})

    def legend_rows(self, notes=(), pending_note=False):
        """The legend as rows of an HTML-like table: a swatch per kind of node, then notes."""
        def swatch(fill, text, mark='\u25a0'):  # a filled square in the colour of the boxes
            if fill.lower() == '#ffffff':
                fill, mark = '#000000', '\u25a1'  # white boxes: an empty square
            return (f'<FONT COLOR="{fill}" POINT-SIZE="15">{mark}</FONT> '
                    f'{html.escape(text)}&#160;&#160;')
        keys = [swatch(fill, text) for kind, (fill, text) in KINDS.items() if kind in self.kinds]
        if any(node._prev for node in self.order) and not self.compact:
            keys.append(swatch(OP_FILL, 'op (feeds the box it points to)', '\u25cf'))
        lines = list(notes)
        if self.show_local and any(node._prev for node in self.order):
            lines.insert(0, 'number on an edge: local derivative d(out)/d(in)')
        if pending_note:
            lines.append('grad ?: not computed yet (run backward())')
        rows = [''.join(keys[:3]), ''.join(keys[3:])]
        rows = [row for row in rows if row] + [html.escape(line) for line in lines]
        return [f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows]


def _table(rows):
    """Rows of an HTML-like table as a Graphviz label (the legend under the graph)."""
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + ''.join(rows) + '</TABLE>>')



def _note_row(note, size):
    """A warning line for the top of the legend, in red letters of `size` points."""
    text = '<BR ALIGN="LEFT"/>'.join(html.escape(line) for line in note.split('\n'))
    return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{HIGHLIGHT}" '
            f'POINT-SIZE="{size or 12:.0f}">{text}<BR ALIGN="LEFT"/></FONT></TD></TR>')


def _placer(layout):
    """at(name) -> the fixed position and size of a node, edge or cluster in `layout`.

    Without a layout there is nothing to fix and Graphviz places everything itself.
    """
    def at(name):
        spot = layout.get(name) if layout else None
        if spot is None:
            return {}
        fixed = {key: spot[key] for key in ('pos', 'width', 'height', 'lp', 'bb') if key in spot}
        if 'width' in fixed and not name.startswith('legend'):
            fixed['fixedsize'] = 'true'  # boxes keep their size whatever their text
        return fixed
    return at


def _as_nodes(nodes, what):
    """A set of Values from a Value or an iterable of Values (e.g. model.parameters())."""
    if isinstance(nodes, Value):
        return {nodes}
    try:
        nodes = set(nodes)
    except TypeError:
        raise TypeError(f"{what} must be a Value or an iterable of Values (e.g. "
                        f"model.parameters()), got {type(nodes).__name__}") from None
    for node in nodes:
        if not isinstance(node, Value):
            raise TypeError(f"{what} must hold Values, got a {type(node).__name__}")
    return nodes


def layout_of(source):
    """Where Graphviz's dot puts every node, edge and cluster of `source`, by id.

    The result, passed back as Drawing.source(layout=...), draws other pictures of the same
    graph (other labels, other colours) with everything in exactly the same place.
    """
    laid = json.loads(render(source, 'json0'))
    places = {'': {key: laid[key] for key in ('bb', 'lp') if key in laid}}
    for obj in laid.get('objects', []):
        name = obj.get('id') or obj.get('name')
        places[name] = {key: obj[key] for key in ('pos', 'width', 'height', 'bb', 'lp')
                        if key in obj}
        if 'bb' in obj:  # a cluster: clusters are placed by their bounding box
            places[name]['bb'] = obj['bb']
    for edge in laid.get('edges', []):
        if 'id' in edge:
            places[edge['id']] = {key: edge[key] for key in ('pos', 'lp') if key in edge}
    return places


SMALLER_VIEWS = ('Smaller views: draw_neurons(root) draws one box per neuron, '
                 'draw_sample(loss, i) the path of sample i,\nnn.plot.network(model) the '
                 'network; or pic.render(\'graph\') and zoom in.')


def draw_dot(root, format='svg', rankdir='LR', *, params=(), highlight=(), show_local=True,
             show_grad=None, legend=True, max_nodes=MAX_NODES):
    """Draw the graph below root: a Picture (inline in Jupyter, .source, .render(), .pipe()).

    format     -- what .render() writes: 'svg', 'png' or 'pdf' (micrograd's argument)
    rankdir    -- 'LR' (inputs on the left) or 'TB' (inputs on top); draw_dot(y, 'TB')
                  is read as a rankdir too, since no format is called that
    params     -- Values to colour as parameters: draw_dot(loss, params=model.parameters())
    highlight  -- a Value, or an iterable of Values, to outline in red
    show_local -- write the local derivative d(out)/d(child) on each edge
    show_grad  -- None: gradients once backward() has run on root (root.grad != 0), else
                  'grad ?'; True: always the numbers; False: no grad field at all
    legend     -- add a small legend of the colours under the graph
    max_nodes  -- refuse a larger graph at once (GraphTooLarge) instead of drawing mush

    The root may also be a micrograd Value (anything with data, grad, _prev and _op): its
    graph is drawn without local derivatives, which micrograd does not keep.

    >>> y = (Value(2.0, 'x') * Value(-3.0, 'w')).tanh()
    >>> draw_dot(y)   # before y.backward(): every grad reads 'grad ?'
    """
    format, rankdir = _format_and_rankdir(format, rankdir)
    root, foreign = as_graph(root)
    return picture_of(root, format, rankdir, params=params, highlight=highlight,
                      show_local=show_local and not foreign, show_grad=show_grad,
                      legend=legend, max_nodes=max_nodes)


def picture_of(root, format='svg', rankdir='LR', *, params=(), highlight=(), show_local=True,
               show_grad=None, legend=True, max_nodes=MAX_NODES, caller='draw_dot', stubs=(),
               extra=None, compact=False):
    """draw_dot's work, for a scalargrad graph; the views (engine/views.py) use it too."""
    drawing = Drawing(root, rankdir, params, max_nodes, show_local, legend, caller=caller,
                      stubs=stubs, extra=extra, compact=compact)
    marks = drawing.indices(highlight)
    if show_grad is None:
        show_grad = root.grad != 0.0  # backward() sets d(root)/d(root) = 1
        grads = [node.grad if show_grad else None for node in drawing.order]
    else:
        grads = [node.grad for node in drawing.order] if show_grad else None
    notes = ()
    if grads is not None and root._prev and root.grad not in (0.0, 1.0):
        # an inner node drawn after backward() from a loss further up: say whose grads these are
        notes = (f'grad: from the last backward(), whose output is not drawn here '
                 f'(d out/d root = {number(root.grad)})',)

    def remake(note, size):
        return drawing.source(grads, highlight=marks, notes=notes,
                              note=note + '\n' + SMALLER_VIEWS, note_size=size)
    return Picture(drawing.source(grads, highlight=marks, notes=notes), format=format,
                   remake=remake)


def _format_and_rankdir(format, rankdir):
    """Accept both draw_dot(y, 'svg') (micrograd) and draw_dot(y, 'TB') (rankdir first)."""
    if format in ('LR', 'TB'):
        if rankdir != 'LR':
            raise ValueError(f"draw_dot: got rankdir {format!r} as the second argument and "
                             f"rankdir={rankdir!r} too; the second argument is the format "
                             f"({', '.join(FORMATS)})")
        return 'svg', format
    if format not in FORMATS:
        raise ValueError(f"draw_dot: format must be one of {', '.join(FORMATS)} (or, as the "
                         f"second argument, a rankdir 'LR' or 'TB'); got {format!r}")
    return format, rankdir


def as_graph(root):
    """(root, foreign): a scalargrad Value as it is, or a copy of a micrograd-like graph.

    A foreign node (with data, grad, _prev and _op, like micrograd's Value) is copied into
    Values without local derivatives; a set of children is put in a fixed order (by op,
    data and grad), so the same graph still gives the same picture.
    """
    if isinstance(root, Value):
        return root, False
    if not all(hasattr(root, name) for name in ('data', 'grad', '_prev', '_op')):
        raise TypeError(f"draw_dot needs a scalargrad Value as the root, got {describe(root)} "
                        f"(a micrograd Value, with data, grad, _prev and _op, works too)")
    copies, stack = {}, [root]
    while stack:
        node = stack[-1]
        if node in copies:
            stack.pop()
            continue
        children = list(node._prev)
        if isinstance(node._prev, (set, frozenset)):
            children.sort(key=lambda c: (str(c._op), float(c.data), float(c.grad)))
        waiting = [child for child in children if child not in copies]
        if waiting:
            stack.extend(reversed(waiting))
            continue
        stack.pop()
        copy = Value.__new__(Value)  # no checks, no grad mode: a faithful copy of the numbers
        copy.data, copy.grad = float(node.data), float(node.grad)
        copy.label = str(getattr(node, 'label', '') or '')
        copy._prev = tuple(copies[child] for child in children)
        copy._local = ()
        copy._op = str(node._op)
        copies[node] = copy
    return copies[root], True
