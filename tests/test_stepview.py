"""Step-through backprop: frames, captions, the notebook slider and the self-contained page."""

import base64
import io
import os
import re
import sys
import types

import pytest
from test_draw import fake_dot, svg_text

from engine import (
    GraphTooLarge,
    Value,
    backward_frames,
    draw_dot,
    save_steps_gif,
    save_steps_html,
    step_through,
)


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
    assert page.count('<figure class="frame"') == 4 and page.count('<svg') == 4 + 1  # legend
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
    controls, caption, picture, legend = view.children
    play, slider = controls.children
    assert (slider.min, slider.max) == (1, 4) and play.max == 4
    assert 'frame 1 of 4' in caption.value and '<svg' in picture.value
    assert 'parameter' not in legend.value and 'intermediate' in legend.value
    before = picture.value
    slider.value = 3
    assert 'frame 3 of 4' in caption.value and 'step 2 of 3' in caption.value
    assert picture.value != before


def test_step_through_without_ipywidgets_shows_the_frames_one_after_another(monkeypatch):
    import IPython.display
    shown = []
    monkeypatch.setitem(sys.modules, 'ipywidgets', None)
    monkeypatch.setattr(IPython.display, 'display', lambda obj: shown.append(obj))
    y, _ = neuron()
    assert step_through(y) is None
    assert len(shown) == 1 + 2 * 4  # the legend once, then a caption and a picture per frame
    assert 'intermediate' in shown[0].source
    assert 'frame 2 of 4' in shown[3].data
    assert '<svg' in shown[4]._repr_svg_()


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
    assert len(shown) == 1 + 2 * 4


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


def wide_loss():
    """A 2-2-1 network's loss on two samples: about 2000 px wide, too wide for a column."""
    import nn
    model = nn.MLP(2, [2, 1], activation='tanh', seed=0)
    loss = nn.losses.mse([model(x) for x in ([0.5, -1.0], [1.0, 0.5])], [1.0, -1.0])
    return loss, model


def box_span(svg, node_id):
    """The horizontal extent of a node's shape in a frame's SVG (graph coordinates + 4)."""
    group = re.search(rf'<g id="{node_id}" class="node">(.*?)</g>', svg, re.S).group(1)
    oval = re.search(r'<ellipse[^>]*cx="([-\d.]+)"[^>]*rx="([\d.]+)"', group)
    if oval:
        centre, radius = float(oval.group(1)), float(oval.group(2))
        xs = [centre - radius, centre + radius]
    else:
        xs = [float(x) for x in re.findall(r'(-?[\d.]+),-?[\d.]+', group)]
    return min(xs) + 4, max(xs) + 4


def test_in_a_wide_graph_every_frame_shows_the_slice_with_the_node_being_processed():
    loss, model = wide_loss()
    frames = backward_frames(loss, params=model.parameters(), legend=False)
    for frame in frames[1:]:
        left, width = frame.picture.crop
        i = re.search(r'\tn(\d+)op \[[^\]]*color="#d62728"', frame.picture.source).group(1)
        for node in (f'n{i}', f'n{i}op'):
            low, high = box_span(frame.picture.svg(), node)
            assert left <= low and high <= left + width, (frame.index, node)
        svg, shown_width, _, _ = frame.picture.fitted_svg()
        assert shown_width == 900 and f'viewBox="{left:.2f} ' in svg


def test_frames_that_fit_the_column_are_not_cut():
    y, _ = neuron()
    assert {f.picture.crop for f in backward_frames(y, legend=False)} == {None}


def test_the_legend_is_drawn_once_for_a_step_through_not_in_every_frame(tmp_path):
    y, _ = neuron()
    page = page_of(tmp_path, y)
    assert page.count('intermediate') == 1
    assert all('<TABLE' not in f.picture.source for f in backward_frames(y, legend=False))
    assert all('<TABLE' in f.picture.source for f in backward_frames(y))


def test_the_slider_counts_frames_from_one_like_the_caption():
    pytest.importorskip('ipywidgets')
    loss, model = wide_loss()
    view = step_through(loss, params=model.parameters())
    controls, caption, picture, _ = view.children
    slider = controls.children[1]
    slider.value = 6
    assert '<b>frame 6 of 17</b>' in caption.value
    assert 'step 5 of 16' in caption.value


def test_the_caption_has_a_fixed_height_and_the_picture_scrolls_on_its_own():
    pytest.importorskip('ipywidgets')
    view = step_through(neuron()[0])
    controls, caption, picture, _ = view.children
    assert caption.layout.height and caption.layout.overflow == 'auto'
    assert picture.layout.overflow == 'auto' and view.layout.overflow == 'hidden'


def test_a_saved_slider_carries_a_picture_of_its_first_frame_for_front_ends_without_widgets():
    pytest.importorskip('ipywidgets')
    data, metadata = step_through(neuron()[0])._repr_mimebundle_()
    assert 'application/vnd.jupyter.widget-view+json' in data
    assert base64.b64decode(data['image/png'])[:4] == b'\x89PNG'
    assert metadata['image/png']['width'] > 100
    assert 'VBox' not in data['text/plain'] and 'run the notebook' in data['text/plain']


def test_save_steps_gif_writes_one_frame_per_step_all_the_same_size(tmp_path):
    from PIL import Image
    y, _ = neuron()
    path = save_steps_gif(y, tmp_path / 'steps.gif', seconds_per_frame=1.5)
    assert path == tmp_path / 'steps.gif' and os.listdir(tmp_path) == ['steps.gif']
    with Image.open(path) as gif:
        assert gif.n_frames == 4 and gif.info['duration'] == 1500 and gif.info['loop'] == 0
        sizes = set()
        for k in range(gif.n_frames):
            gif.seek(k)
            sizes.add(gif.size)
        assert len(sizes) == 1


def test_the_gif_frames_differ_from_step_to_step(tmp_path):
    from PIL import Image, ImageChops
    y, _ = neuron()
    with Image.open(save_steps_gif(y, tmp_path / 'steps.gif')) as gif:
        shots = []
        for k in range(gif.n_frames):
            gif.seek(k)
            shots.append(gif.convert('RGB'))
    for before, after in zip(shots, shots[1:]):
        assert ImageChops.difference(before, after).getbbox() is not None


def test_save_steps_gif_wants_a_gif_name_a_folder_and_a_sensible_speed(tmp_path):
    y, _ = neuron()
    with pytest.raises(ValueError, match='ending in .gif'):
        save_steps_gif(y, tmp_path / 'steps.png')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        save_steps_gif(y, tmp_path / 'missing' / 'steps.gif')
    with pytest.raises(ValueError, match='seconds_per_frame'):
        save_steps_gif(y, tmp_path / 'steps.gif', seconds_per_frame=0)
    assert os.listdir(tmp_path) == []


def test_a_wide_frame_png_is_the_slice_at_twice_its_display_size():
    from PIL import Image
    loss, model = wide_loss()
    frame = backward_frames(loss, params=model.parameters(), legend=False)[5]
    _, png, width, height, _ = frame.picture.fitted()
    with Image.open(io.BytesIO(png)) as image:
        assert abs(image.width - 2 * width) <= 12 and abs(image.height - 2 * height) <= 12
