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
import os
import shutil
import subprocess
import sys
import tempfile

from .files import write_atomic
from .numbers import describe
from .value import Value, topological_order

MAX_NODES = 300  # beyond a few hundred boxes a picture stops teaching anything
RENDER_TIMEOUT = 120  # seconds, for the external `dot` program
FORMATS = {'.svg': 'svg', '.png': 'png', '.pdf': 'pdf'}
INSTALL_HINT = ("install Graphviz for Python with `pip install pygraphviz` (its wheels include "
                "Graphviz), or put Graphviz's `dot` program on PATH (e.g. `apt install graphviz`)")

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


class RenderError(RuntimeError):
    """Graphviz could not turn the DOT text into a picture (the message says what to do)."""


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
                 legend=True, digits=4, caller='draw_dot'):
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
        self.kinds = [self._kind(node, params) for node in self.order]

    def _kind(self, node, params):
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
               notes=(), pending_note=None, layout=None):
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
        """
        import graphviz

        node_marks = dict(node_marks or {})
        for i in highlight:
            node_marks.setdefault(i, 'now')
        at = _placer(layout)
        g = graphviz.Digraph('scalargrad', strict=False)
        g.attr(rankdir=self.rankdir, bgcolor='white', fontname='Helvetica', nodesep='0.25',
               ranksep='0.35')
        g.attr('node', fontname='Helvetica', fontsize='12')
        g.attr('edge', fontname='Helvetica', fontsize='10', arrowsize='0.7')
        for i, node in enumerate(self.order):
            mark = node_marks.get(i)
            self._value_box(g, i, None if grads is None else (grads[i],), mark, at)
            if node._prev:
                self._op_and_edges(g, i, mark, edge_text or {}, edge_marks or {}, at)
        if self.legend:
            if pending_note is None:
                pending_note = grads is not None and any(x is None for x in grads)
            self._add_legend(g, notes, pending_note, at)
        if layout:
            g.attr(bb=layout['']['bb'])
        return g.source

    def _value_box(self, g, i, grad, mark, at):
        """Node i as a record [label | data | grad]; grad is (float,), (None,) for '?', or None."""
        node = self.order[i]
        fields = [_record_text(node.label)] if node.label else []
        fields.append('data ' + self.number(node.data))
        if grad is not None:
            fields.append('grad ' + ('?' if grad[0] is None else self.number(grad[0])))
        text = ' | '.join(fields)
        style = {'shape': 'record', 'style': 'filled', 'fillcolor': KINDS[self.kinds[i]][0],
                 'label': '{ ' + text + ' }' if self.rankdir == 'LR' else text}  # lie flat
        if mark:
            style.update(color=HIGHLIGHT if mark == 'now' else RECEIVED, penwidth='3')
        g.node(f'n{i}', id=f'n{i}', **{**style, **at(f'n{i}')})

    def _op_and_edges(self, g, i, mark, edge_text, edge_marks, at):
        """The oval of node i's op, its edge to the box, and an edge from each child."""
        node = self.order[i]
        style = {'shape': 'ellipse', 'style': 'filled', 'fillcolor': OP_FILL, 'fontsize': '11',
                 'width': '0.3', 'height': '0.3', 'margin': '0.04'}
        if mark == 'now':
            style.update(color=HIGHLIGHT, penwidth='3')
        g.node(f'n{i}op', label=_record_text(node._op), id=f'n{i}op',
               **{**style, **at(f'n{i}op')})
        g.edge(f'n{i}op', f'n{i}', id=f'e{i}', **at(f'e{i}'))
        for k, child in enumerate(node._prev):
            style = {}
            if (i, k) in edge_text:
                style['label'] = edge_text[(i, k)]
            elif self.show_local:
                style['label'] = self.number(node._local[k])  # d(node)/d(child)
            if 'label' in style:
                style['fontcolor'] = LOCAL_INK
            if edge_marks.get((i, k)) == 'now':
                style.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth='2.5')
            elif edge_marks.get((i, k)) == 'done':
                style.update(color=DONE_INK, fontcolor=DONE_INK)
            g.edge(f'n{self.index[child]}', f'n{i}op', id=f'e{i}_{k}',
                   **{**style, **at(f'e{i}_{k}')})

    def _add_legend(self, g, notes, pending_note, at):
        """One small table: a swatch per kind of node in this graph, then what the text means."""
        swatch = '<TD BGCOLOR="{}" BORDER="1" FIXEDSIZE="TRUE" WIDTH="24" HEIGHT="14"{}></TD>'
        rows = [f'<TR>{swatch.format(fill, "")}<TD ALIGN="LEFT">{html.escape(text)}</TD></TR>'
                for kind, (fill, text) in KINDS.items() if kind in self.kinds]
        if any(node._prev for node in self.order):
            rounded = swatch.format(OP_FILL, ' STYLE="rounded"')
            rows.append(f'<TR>{rounded}'
                        f'<TD ALIGN="LEFT">op (the oval feeds the box it points to)</TD></TR>')
        lines = list(notes)
        if self.show_local:
            lines.insert(0, 'number on an edge: local derivative d(out)/d(in)')
        if pending_note:
            lines.append('grad ?: not computed yet (run backward())')
        table = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
                 + ''.join(rows) + '</TABLE>>')
        with g.subgraph(name='cluster_legend') as legend:
            legend.attr(label='legend', style='rounded,dashed', color='#999999', fontsize='10',
                        fontname='Helvetica', **at('cluster_legend'))
            legend.node('legend', label=table, id='legend', shape='plaintext', fontsize='10',
                        **at('legend'))
            if lines:
                legend.node('legend_notes', id='legend_notes', shape='plaintext', fontsize='10',
                            label=''.join(_record_text(line, 80) + '\\l' for line in lines),
                            **at('legend_notes'))
        # invisible edges keep the legend beside the output, away from the inputs
        for name in ('legend', 'legend_notes')[:1 + bool(lines)]:
            g.edge(f'n{len(self.order) - 1}', name, style='invis', id=f'to_{name}',
                   **at(f'to_{name}'))


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
    places = {'': {'bb': laid['bb']}}
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


class Picture:
    """A drawn graph: shows itself in Jupyter, .source is the DOT text, .save(path) writes it.

    >>> pic = draw_dot(y)
    >>> pic.save('graph.png')   # .svg, .png or .pdf, chosen by the suffix
    """

    def __init__(self, source, engine='dot'):
        self.source = source
        self.engine = engine  # 'dot' lays the graph out; 'nop2' keeps given positions
        self._svg = None

    def pipe(self, format='svg'):
        """The picture as bytes in `format` ('svg', 'png' or 'pdf')."""
        if format not in FORMATS.values():
            raise ValueError(f"format must be one of svg, png, pdf; got {format!r}")
        return render(self.source, format, self.engine)

    def svg(self):
        """The picture as SVG text (rendered once, then kept)."""
        if self._svg is None:
            self._svg = self.pipe('svg').decode('utf-8')
        return self._svg

    def _repr_svg_(self):
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {'image/svg+xml': self.svg()}

    def save(self, path):
        """Write the picture to path (.svg, .png or .pdf) atomically; return the path."""
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix not in FORMATS:
            raise ValueError(f"cannot tell the picture format from {os.fspath(path)!r}: "
                             f"use a name ending in .svg, .png or .pdf")
        write_atomic(path, self.pipe(FORMATS[suffix]))
        return path

    def __repr__(self):
        boxes = self.source.count('shape=record')
        return f"<Picture of a graph: {boxes} values; display it in Jupyter or .save('g.svg')>"


def draw_dot(root, rankdir='LR', *, params=(), highlight=(), show_local=True, show_grad=None,
             legend=True, max_nodes=MAX_NODES):
    """Draw the graph below root: a Picture (inline in Jupyter, .source, .save(path)).

    rankdir    -- 'LR' (inputs on the left) or 'TB' (inputs on top)
    params     -- Values to colour as parameters: draw_dot(loss, params=model.parameters())
    highlight  -- a Value, or an iterable of Values, to outline in red
    show_local -- write the local derivative d(out)/d(child) on each edge
    show_grad  -- None: gradients once backward() has run on root (root.grad != 0), else
                  'grad ?'; True: always the numbers; False: no grad field at all
    legend     -- add a small legend of the colours
    max_nodes  -- refuse a larger graph at once (GraphTooLarge) instead of drawing mush

    >>> y = (Value(2.0, 'x') * Value(-3.0, 'w')).tanh()
    >>> draw_dot(y)   # before y.backward(): every grad reads 'grad ?'
    """
    drawing = Drawing(root, rankdir, params, max_nodes, show_local, legend)
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
    return Picture(drawing.source(grads, highlight=marks, notes=notes))


def render(source, format='svg', engine='dot'):
    """DOT text -> bytes, by the `dot` program when on PATH, else by pygraphviz."""
    program = shutil.which('dot')
    if program:
        return _render_with_program(program, source, format, engine)
    return _render_with_pygraphviz(source, format, engine)


def _render_with_program(program, source, format, engine):
    try:
        done = subprocess.run([program, f'-K{engine}', f'-T{format}'], input=source.encode(),
                              capture_output=True, timeout=RENDER_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz ({program}) took more than {RENDER_TIMEOUT} s; draw a "
                          f"smaller part of the graph") from None
    except OSError as e:
        raise RenderError(f"could not run Graphviz ({program}): {e}; {INSTALL_HINT}") from None
    if done.returncode != 0 or not done.stdout:
        problem = done.stderr.decode(errors='replace').strip().splitlines()
        problem = problem[-1] if problem else f'exit status {done.returncode}'
        raise RenderError(f"Graphviz ({program}) failed: {problem}; {INSTALL_HINT}")
    return done.stdout


def _render_with_pygraphviz(source, format, engine):
    try:
        import pygraphviz
    except ImportError:
        raise RenderError(f"no Graphviz found to draw with: {INSTALL_HINT}") from None
    with _c_stderr_captured() as said:
        try:
            return pygraphviz.AGraph(string=source).draw(format=format, prog=engine)
        except (ValueError, OSError, pygraphviz.DotError) as e:
            error = e
    details = ' '.join(said.text().split())[-300:]
    raise RenderError(f"Graphviz (pygraphviz) failed: {error} {details}; {INSTALL_HINT}")


class _c_stderr_captured:
    """Keep what C libraries write straight to file descriptor 2 (Graphviz's layout warnings,
    fontconfig's complaints about the system's font setup) out of the terminal and out of
    notebook outputs; .text() returns it, to explain a failure.
    """

    def __enter__(self):
        sys.stderr.flush()
        self._file = tempfile.TemporaryFile()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self._text = self._file.read().decode(errors='replace')
        self._file.close()
        return False

    def text(self):
        return self._text
