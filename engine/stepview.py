"""Backprop one node at a time, as pictures: a notebook slider and a self-contained web page.

Frame 0 is the graph before any step: the output's gradient is 1 (d out/d out) and every
other gradient is 'grad ?'. Frame k is step k of backward_steps(root): the node passing its
gradient down is red, each edge to a child reads `local x upstream = contribution`, and the
children that just received it are orange and show their new gradient:

    child.grad += local * upstream

Every frame uses the same layout, so nothing moves while you step.

>>> step_through(y)                      # in Jupyter: a slider over the frames
>>> save_steps_html(y, 'backprop.html')  # one file, no network: open it in any browser
"""

import html
import os
import re
from dataclasses import dataclass

from .draw import Drawing, _table, layout_of
from .files import write_atomic
from .picture import COLUMN_PX, MIN_SCALE, PX_PER_PT, Picture
from .steps import BackwardStep, backward_steps, node_name

STEP_MAX_NODES = 100  # one picture per op node: beyond this a step-through is too long to follow
STEP_SCALE = 1.1 * MIN_SCALE  # a wide graph's slice is shown at this scale: text about 10 px

NOTES = ('red: the node passing its gradient to its children now',
         'orange: the children that just received gradient',
         'on an edge: local x upstream = contribution (added to the child\'s grad)')


@dataclass(frozen=True)
class Frame:
    """One picture of a step-through: frame `index` of `total` (frame 0 comes before step 1)."""

    index: int
    total: int
    caption: str
    picture: Picture
    step: BackwardStep | None = None


def backward_frames(root, rankdir='LR', *, params=(), max_nodes=STEP_MAX_NODES, legend=True,
                    caller='backward_frames'):
    """Run root's backward pass one node at a time and draw every state: a list of Frames.

    One frame before any step, then one per op node. Afterwards the graph holds the same
    gradients as after root.backward() (leaf gradients accumulate, as there).

    legend=True: every frame is a whole picture with its legend, to be shown on its own.
    legend=False (as step_through, save_steps_html and save_steps_gif use it, with the
    legend shown once beside the frames): no legend, and a graph too wide for a notebook
    column is shown as the slice around the node being processed.

    >>> frames = backward_frames((Value(2.0, 'x') * Value(-3.0, 'w')).tanh())
    >>> frames[1].caption   # 'step 1 of 2: the tanh node has grad 1 and passes ...'
    """
    drawing = Drawing(root, rankdir, params, max_nodes, show_local=True, legend=legend,
                      caller=caller)
    index, number = drawing.index, drawing.number
    steps = _record_steps(root, drawing.order)
    total = len(steps) + 1

    grads = [None] * len(drawing.order)  # None: not reached yet
    grads[index[root]] = 1.0
    states = [(list(grads), {}, {}, {})]  # (grads, edge_text, edge_marks, node_marks)
    edge_text, done = {}, {}
    for step in steps:
        i = index[step.node]
        now, received = {}, {i: 'now'}
        for k, edge in enumerate(step.edges):
            edge_text[(i, k)] = (f"{number(edge.local)} x {number(step.upstream)} = "
                                 f"{number(edge.contribution)}")
            now[(i, k)] = 'now'
            child = index[edge.child]
            grads[child] = edge.grad_after
            received.setdefault(child, 'received')
        states.append((list(grads), dict(edge_text), {**done, **now}, received))
        done.update(dict.fromkeys(now, 'done'))

    # Lay the graph out once, with every label at its widest, and keep that layout throughout.
    widest = [max((s[0][i] for s in states), key=lambda g: len('?' if g is None else number(g)))
              for i in range(len(drawing.order))]
    layout = layout_of(drawing.source(widest, edge_text=edge_text, notes=NOTES,
                                      pending_note=True))
    captions = [_start_caption(root, len(steps))]
    params = set(params)
    captions += [_step_caption(step, states[n][0], index, number, params)
                 for n, step in enumerate(steps)]
    if steps:
        captions[-1] += ' Done: every gradient is computed.'
    frames = []
    focus = [[index[root]]] + [[index[s.node]] + [index[e.child] for e in s.edges]
                               for s in steps]
    for n, (frame_grads, text, marks, node_marks) in enumerate(states):
        source = drawing.source(frame_grads, edge_text=text, edge_marks=marks,
                                node_marks=node_marks, notes=NOTES, pending_note=True,
                                layout=layout)
        crop = None if legend else _window(layout, focus[n])
        frames.append(Frame(n, total, captions[n], Picture(source, engine='nop2', crop=crop),
                            steps[n - 1] if n else None))
    return frames


def legend_picture(root, params=()):
    """The legend of a step-through, drawn once: the colours and what the edges say."""
    drawing = Drawing(root, params=params, max_nodes=STEP_MAX_NODES, caller='legend_picture')
    rows = drawing.legend_rows(NOTES, pending_note=True)
    return Picture('digraph legend {\n\tbgcolor=white fontname=Helvetica fontsize=10 '
                   f'label={_table(rows)} labeljust=l\n}}\n')


def _window(layout, nodes):
    """(left, width) in points: the slice of a wide picture that shows `nodes`, or None.

    The slice is as wide as a notebook column shows at readable size; it is centred on the
    node being processed and its children, and keeps the node itself in view.
    """
    x0, _, x1, _ = (float(v) for v in layout['']['bb'].split(','))
    wide = COLUMN_PX / (STEP_SCALE * PX_PER_PT)
    if x1 - x0 <= wide:
        return None
    xs = [float(layout[f'n{i}']['pos'].split(',')[0]) for i in nodes]
    own = xs[0]
    centre = (min(xs) + max(xs)) / 2
    centre = min(max(centre, own - wide / 2 + 60), own + wide / 2 - 60)  # the node stays in
    left = min(max(centre - wide / 2, x0), x1 - wide)
    return (round(left, 2), round(wide + 8, 2))  # 8: Graphviz's margin round the picture


def _record_steps(root, order):
    """All BackwardSteps of one backward pass, as if every leaf gradient started at 0.

    Leaf gradients are set to 0 for the pass (so the frames show this pass alone) and their
    earlier values added back afterwards: the graph ends exactly as root.backward() leaves it.
    """
    leaves = [node for node in order if not node._prev]
    before = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    try:
        return list(backward_steps(root))
    finally:
        for leaf, grad in zip(leaves, before):
            leaf.grad += grad


def _start_caption(root, n_steps):
    out = f"the output {root.label}" if root.label else "the output"
    if not n_steps:
        return (f"start: {out} is a single value; its gradient is 1 (d out/d out = 1) and "
                f"there is nothing to pass back.")
    follow = "1 step follows" if n_steps == 1 else f"{n_steps} steps follow"
    return (f"start: backward begins at {out}: its gradient is 1 (d out/d out = 1); every other "
            f"gradient is not computed yet (grad ?). {follow}, one per op node, "
            f"from the output back to the inputs.")


def _step_caption(step, grads_before, index, number, params=()):
    node = step.node
    who = f"the {node._op} node" + (f" {node.label}" if node.label else '')
    parts, reached_now = [], set()
    for edge in step.edges:
        child = index[edge.child]
        share = (f"{node_name(edge.child, params)} gets {number(edge.local)} x "
                 f"{number(step.upstream)} = {number(edge.contribution)}")
        if grads_before[child] is not None or child in reached_now:  # the sum grows
            added = number(edge.contribution)
            added = f"({added})" if added.startswith('-') else added
            share += (f", so its grad is {number(edge.grad_before)} + {added} = "
                      f"{number(edge.grad_after)}")
        reached_now.add(child)
        parts.append(share)
    return (f"step {step.index + 1} of {step.total}: {who} has grad {number(step.upstream)} and "
            f"passes local x upstream to each child: " + '; '.join(parts) + '.')


def step_through(root, rankdir='LR', *, params=(), max_nodes=STEP_MAX_NODES, widget=None):
    """In Jupyter: a slider (with play button) over the frames of root's backward pass.

    Without ipywidgets, or with widget=False (e.g. for a notebook read as a static page),
    the frames are displayed one after another instead; without IPython their captions
    are printed. The graph ends with the gradients of root.backward().

    >>> step_through(y)   # the last line of a notebook cell
    """
    frames = backward_frames(root, rankdir, params=params, max_nodes=max_nodes, legend=False,
                             caller='step_through')
    legend = legend_picture(root, params)
    if widget is False:
        return _show_one_after_another(frames, legend)
    try:
        import ipywidgets  # noqa: F401 -- checked here: stepwidget may be imported already

        from .stepwidget import step_widget
    except ImportError:
        if widget:
            raise ImportError("step_through(widget=True) needs ipywidgets: "
                              "pip install ipywidgets") from None
        return _show_one_after_another(frames, legend)
    return step_widget(frames, legend)


def _caption_html(frame):
    return (f"<b>frame {frame.index + 1} of {frame.total}</b> &mdash; "
            f"{html.escape(frame.caption)}")


def _show_one_after_another(frames, legend):
    try:
        from IPython.display import HTML, display
    except ImportError:
        for frame in frames:
            print(f"frame {frame.index + 1} of {frame.total}: {frame.caption}")
        return None
    display(legend)
    for frame in frames:
        display(HTML(f"<p>{_caption_html(frame)}</p>"))
        display(frame.picture)
    return None


def save_steps_html(root, path, rankdir='LR', *, params=(), title=None,
                    max_nodes=STEP_MAX_NODES):
    """Write root's step-through as one self-contained web page; return the path.

    Every frame is inline SVG; previous / next / play buttons (and the arrow keys) move
    through them, and a line of text explains the current step. No network is needed.

    >>> save_steps_html(y, 'backprop.html')
    'backprop.html'
    """
    name = os.fspath(path)
    if os.path.splitext(name)[1].lower() not in ('.html', '.htm'):
        raise ValueError(f"save_steps_html writes a web page: use a name ending in .html, "
                         f"got {name!r}")
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {name!r}: the folder {folder!r} does not exist")
    frames = backward_frames(root, rankdir, params=params, max_nodes=max_nodes, legend=False,
                             caller='save_steps_html')
    title = title or f"Backprop, one step at a time ({len(frames) - 1} steps)"
    page = steps_page(frames, title, legend_picture(root, params))
    write_atomic(path, page.encode('utf-8'))
    return path


def inline_svg(svg):
    """Graphviz's SVG document trimmed to an element for an HTML page (nothing to fetch)."""
    svg = svg[svg.index('<svg'):]
    svg = re.sub(r'<!--.*?-->\s*', '', svg, flags=re.DOTALL)
    svg = re.sub(r'<title>[^<]*</title>\s*', '', svg)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', '', svg)


def steps_page(frames, title, legend=None):
    """The HTML text of a step-through page for these frames (and a legend, shown once)."""
    figures = '\n'.join(
        f'<figure class="frame" data-caption="{html.escape(frame.caption)}">\n'
        f'<figcaption>frame {frame.index + 1} of {frame.total}: {html.escape(frame.caption)}'
        f'</figcaption>\n{inline_svg(frame.picture.fitted_svg()[0])}</figure>'
        for frame in frames)
    key = '' if legend is None else inline_svg(legend.fitted_svg()[0])
    fill = {'title': html.escape(title), 'first_caption': html.escape(frames[0].caption),
            'frames': figures, 'legend': key}
    # one pass over the template, so text that looks like a slot is never filled in again
    return re.sub(r'\{(title|first_caption|frames|legend)\}', lambda m: fill[m.group(1)],
                  PAGE)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 0.3em; }
  .how { color: #555; margin: 0 0 1em; max-width: 60em; }
  .controls { display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; }
  button { font-size: 1em; padding: 0.3em 0.9em; cursor: pointer; }
  #slider { flex: 1; min-width: 10em; max-width: 30em; }
  #counter { font-variant-numeric: tabular-nums; color: #555; }
  #caption { font-size: 1.05em; height: 4.8em; overflow: auto; margin: 0.8em 0;
             padding: 0.5em 0.8em; background: #fff8e1; border-left: 4px solid #ff8c00; }
  figure { margin: 0 0 1.5em; }
  .frame svg { max-width: 100%; height: auto; }
  #legend svg { max-width: 100%; height: auto; }
  .js figcaption, .js .frame[hidden] { display: none; }
  body:not(.js) .controls, body:not(.js) #caption { display: none; }
</style>
</head>
<body>
<h1>{title}</h1>
<p class="how">Each step takes one op node, from the output back to the inputs, and passes
its gradient to its children: every child gets <i>local derivative &times; upstream gradient</i>
added to its own gradient. Keys: &larr; &rarr; to step, space to play or pause.</p>
<div class="controls">
  <button id="prev" title="previous step (left arrow)">&#9664; previous</button>
  <button id="play" title="play or pause (space)">&#9654; play</button>
  <button id="next" title="next step (right arrow)">next &#9654;</button>
  <input id="slider" type="range" min="0" value="0" aria-label="frame">
  <span id="counter"></span>
</div>
<p id="caption" aria-live="polite">{first_caption}</p>
<div id="frames">
{frames}
</div>
<div id="legend">{legend}</div>
<script>
(function () {
  var frames = document.querySelectorAll('.frame');
  var caption = document.getElementById('caption');
  var counter = document.getElementById('counter');
  var slider = document.getElementById('slider');
  var prev = document.getElementById('prev');
  var next = document.getElementById('next');
  var play = document.getElementById('play');
  var last = frames.length - 1, current = 0, timer = null;
  document.body.classList.add('js');
  slider.max = last;

  function show(i) {
    current = Math.max(0, Math.min(last, i));
    for (var k = 0; k <= last; k++) { frames[k].hidden = (k !== current); }
    caption.textContent = frames[current].getAttribute('data-caption');
    counter.textContent = 'frame ' + (current + 1) + ' of ' + frames.length;
    slider.value = current;
    prev.disabled = (current === 0);
    next.disabled = (current === last);
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.innerHTML = '&#9654; play';
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (current === last) { show(0); }
    play.innerHTML = '&#10074;&#10074; pause';
    timer = setInterval(function () {
      if (current >= last) { stop(); } else { show(current + 1); }
    }, 1500);
  }
  prev.addEventListener('click', function () { stop(); show(current - 1); });
  next.addEventListener('click', function () { stop(); show(current + 1); });
  play.addEventListener('click', toggle);
  slider.addEventListener('input', function () { stop(); show(parseInt(slider.value, 10)); });
  document.addEventListener('keydown', function (e) {
    if (e.target === slider) { return; }
    if (e.key === 'ArrowRight') { stop(); show(current + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { stop(); show(current - 1); e.preventDefault(); }
    else if (e.key === 'Home') { stop(); show(0); }
    else if (e.key === 'End') { stop(); show(last); }
    else if (e.key === ' ' && e.target.tagName !== 'BUTTON') { toggle(); e.preventDefault(); }
  });
  show(0);
})();
</script>
</body>
</html>
"""
