"""Step-through backprop: frames, captions, the notebook slider and the self-contained page."""

import os
import re
import sys
import types

import pytest
from test_draw import fake_dot, svg_text

from engine import GraphTooLarge, Value, backward_frames, draw_dot, save_steps_html, step_through


def neuron():
    x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
    return (x * w + b).tanh(), (x, w, b)


def test_one_frame_before_backward_then_one_per_op_node():
    y, _ = neuron()
    frames = backward_frames(y)
    assert len(frames) == 1 + 3  # start, then tanh, +, *
    assert frames[0].step is None
    assert [f.step.node._op for f in frames[1:]] == ['tanh', '+', '*']
    assert [f.index for f in frames] == [0, 1, 2, 3]
    assert {f.total for f in frames} == {4}


def test_first_frame_knows_only_the_output_gradient():
    y, _ = neuron()
    texts = svg_text(backward_frames(y)[0].picture)
    assert texts.count('grad ?') == 5 and texts.count('grad 1') == 1


def test_gradients_appear_frame_by_frame():
    y, _ = neuron()
    unknown = [svg_text(f.picture).count('grad ?') for f in backward_frames(y)]
    assert unknown == [5, 4, 2, 0]


def test_last_frame_shows_the_gradients_of_backward():
    y, _ = neuron()
    last = backward_frames(y)[-1].picture
    twin, _ = neuron()
    twin.backward()
    grads = sorted(t for t in svg_text(draw_dot(twin)) if re.fullmatch(r'grad [-.\de]+', t))
    assert len(grads) == 6
    assert sorted(t for t in svg_text(last) if re.fullmatch(r'grad [-.\de]+', t)) == grads


def test_the_node_being_processed_is_outlined_in_red_and_its_children_in_orange():
    y, _ = neuron()
    source = backward_frames(y)[1].picture.source  # the tanh step: node n5 passes to n4
    assert re.search(r'\tn5 \[[^\]]*color="#d62728"[^\]]*penwidth=3', source)
    assert re.search(r'\tn5op \[[^\]]*color="#d62728"', source)
    assert re.search(r'\tn4 \[[^\]]*color="#ff8c00"', source)
    assert source.count('penwidth=3') == 3


def test_edges_of_the_current_step_read_local_times_upstream():
    y, _ = neuron()
    frames = backward_frames(y)
    assert '0.5 x 1 = 0.5' in svg_text(frames[1].picture)
    assert '-3 x 0.5 = -1.5' in svg_text(frames[3].picture)
    assert '2 x 0.5 = 1' in svg_text(frames[3].picture)
    assert '-3 x 0.5 = -1.5' not in svg_text(frames[2].picture)  # not yet: it shows -3
    assert '-3' in svg_text(frames[2].picture)


def test_captions_explain_each_step():
    y, _ = neuron()
    captions = [f.caption for f in backward_frames(y)]
    assert captions[0].startswith('start:') and '3 steps follow' in captions[0]
    assert captions[1] == ('step 1 of 3: the tanh node has grad 1 and passes local x upstream '
                           'to each child: the + node gets 0.5 x 1 = 0.5.')
    assert 'x gets -3 x 0.5 = -1.5; w gets 2 x 0.5 = 1.' in captions[3]
    assert captions[3].endswith('Done: every gradient is computed.')


def test_a_node_reached_twice_shows_its_gradient_adding_up():
    x = Value(3.0, 'x')
    y = x * x.tanh()
    caption = backward_frames(y)[-1].caption
    assert 'x gets 0.009866 x 3 = 0.0296, so its grad is 0.9951 + 0.0296 = 1.025' in caption


def test_the_graph_ends_with_the_gradients_of_backward():
    y, (x, w, b) = neuron()
    backward_frames(y)
    twin, leaves = neuron()
    twin.backward()
    assert [v.grad for v in (x, w, b)] == [v.grad for v in leaves]
    assert y.grad == 1.0


def test_leaf_gradients_accumulate_as_with_backward_but_frames_show_one_pass():
    y, (x, w, b) = neuron()
    y.backward()
    frames = backward_frames(y)
    twin, leaves = neuron()
    twin.backward()
    twin.backward()  # leaf gradients accumulate: twice the single-pass values
    assert [v.grad for v in (x, w, b)] == [v.grad for v in leaves]
    fresh, _ = neuron()
    assert svg_text(frames[-1].picture) == svg_text(backward_frames(fresh)[-1].picture)


def test_nothing_moves_between_frames():
    y, _ = neuron()

    def places(frame):
        svg = frame.picture.svg()
        return re.findall(r'<g id="(n\d+(?:op)?)" class="node">\s*<title>\w+</title>\s*'
                          r'<(?:polygon|ellipse)[^>]*'
                          r'(?:points="([^"]+)"|cx="([^"]+)" cy="([^"]+)")', svg)

    frames = backward_frames(y)
    first = places(frames[0])
    assert len(first) == 6 + 3
    for frame in frames[1:]:
        assert places(frame) == first


def test_a_single_value_has_one_frame():
    frames = backward_frames(Value(2.0, 'z'))
    assert len(frames) == 1 and 'nothing to pass back' in frames[0].caption


def test_step_through_refuses_a_graph_too_long_to_follow(tmp_path):
    y = Value.sum([Value(float(i)) for i in range(200)])
    with pytest.raises(GraphTooLarge, match=r'save_steps_html.*max_nodes=100'):
        save_steps_html(y, tmp_path / 'never.html')
    assert os.listdir(tmp_path) == []
    assert len(backward_frames(y, max_nodes=201)) == 2


def test_frames_render_with_the_dot_program_too(tmp_path, monkeypatch):
    fake_dot(tmp_path, f'''
        import sys, pygraphviz
        open({str(tmp_path / 'called')!r}, 'a').write(' '.join(sys.argv[1:]) + ';')
        engine, fmt = sys.argv[1][2:], sys.argv[2][2:]
        sys.stdout.buffer.write(pygraphviz.AGraph(string=sys.stdin.read()).draw(format=fmt,
                                                                              prog=engine))
    ''')
    monkeypatch.setenv('PATH', str(tmp_path) + os.pathsep + os.environ['PATH'])
    y, _ = neuron()
    frames = backward_frames(y)
    assert 'grad 1' in svg_text(frames[1].picture)
    assert (tmp_path / 'called').read_text() == '-Kdot -Tjson0;-Knop2 -Tsvg;'


def page_of(tmp_path, root, **options):
    path = save_steps_html(root, tmp_path / 'steps.html', **options)
    return path.read_text(encoding='utf-8')


def test_page_has_one_inline_svg_per_frame_and_the_controls(tmp_path):
    y, _ = neuron()
    page = page_of(tmp_path, y)
    assert page.count('<figure class="frame"') == 4 and page.count('<svg') == 4
    for control in ('id="prev"', 'id="next"', 'id="play"', 'id="caption"', 'id="counter"'):
        assert control in page
    assert 'step 1 of 3: the tanh node' in page
    assert 'ArrowRight' in page  # keyboard stepping


def test_page_is_self_contained(tmp_path):
    y, _ = neuron()
    page = page_of(tmp_path, y).lower()
    for reference in ('http://', 'https://', '<script src', '<link', '@import', 'url(', '//cdn'):
        assert reference not in page


def test_page_is_the_same_every_time(tmp_path):
    first, _ = neuron()
    second, _ = neuron()
    assert page_of(tmp_path, first) == page_of(tmp_path, second)


def test_page_title_is_escaped(tmp_path):
    y, _ = neuron()
    page = page_of(tmp_path, y, title='<b>tanh(x*w + b)</b>')
    assert '<title>&lt;b&gt;tanh(x*w + b)&lt;/b&gt;</title>' in page


def test_save_steps_html_returns_the_path_and_leaves_no_temporary_file(tmp_path):
    y, _ = neuron()
    assert save_steps_html(y, str(tmp_path / 'a.html')) == str(tmp_path / 'a.html')
    assert os.listdir(tmp_path) == ['a.html']


def test_save_steps_html_wants_an_html_name_and_an_existing_folder(tmp_path):
    y, _ = neuron()
    with pytest.raises(ValueError, match=r'\.html'):
        save_steps_html(y, tmp_path / 'steps.svg')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        save_steps_html(y, tmp_path / 'missing' / 'steps.html')
    assert y.grad == 0.0  # refused before any work


def test_step_through_in_a_notebook_is_a_slider_that_moves_the_picture():
    ipywidgets = pytest.importorskip('ipywidgets')
    y, _ = neuron()
    view = step_through(y)
    assert isinstance(view, ipywidgets.VBox)
    controls, caption, picture = view.children
    play, slider = controls.children
    assert (slider.min, slider.max) == (0, 3) and play.max == 3
    assert 'frame 1 of 4' in caption.value and '<svg' in picture.value
    before = picture.value
    slider.value = 2
    assert 'frame 3 of 4' in caption.value and 'step 2 of 3' in caption.value
    assert picture.value != before


def test_step_through_without_ipywidgets_shows_the_frames_one_after_another(monkeypatch):
    import IPython.display
    shown = []
    monkeypatch.setitem(sys.modules, 'ipywidgets', None)
    monkeypatch.setattr(IPython.display, 'display', lambda obj: shown.append(obj))
    y, _ = neuron()
    assert step_through(y) is None
    assert len(shown) == 2 * 4  # a caption, then the picture, per frame
    assert 'frame 2 of 4' in shown[2].data
    assert '<svg' in shown[3]._repr_svg_()


def test_step_through_without_ipython_prints_the_captions(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, 'ipywidgets', None)
    monkeypatch.setitem(sys.modules, 'IPython', types.ModuleType('IPython'))
    monkeypatch.setitem(sys.modules, 'IPython.display', None)
    y, _ = neuron()
    step_through(y)
    assert capsys.readouterr().out.count('frame ') == 4


def test_step_through_can_be_asked_for_static_pictures(monkeypatch):
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, 'display', lambda obj: shown.append(obj))
    y, _ = neuron()
    assert step_through(y, widget=False) is None
    assert len(shown) == 2 * 4


def test_step_through_widget_true_without_ipywidgets_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'ipywidgets', None)
    y, _ = neuron()
    with pytest.raises(ImportError, match='pip install ipywidgets'):
        step_through(y, widget=True)


def test_user_text_that_looks_like_a_template_slot_stays_text(tmp_path):
    x = Value(2.0, '{frames}')
    y = (x * 3.0).tanh()
    y.label = '{title}'
    page = tmp_path / 'steps.html'
    save_steps_html(y, page, title='{first_caption}')
    text = page.read_text(encoding='utf-8')
    assert text.count('<figure') == 3  # the start and one frame per op node, no copies
    assert '<title>{first_caption}</title>' in text
