"""draw_dot: what the picture shows, how it is rendered and saved, and what it refuses."""

import base64
import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest
from PIL import Image

from engine import GraphTooLarge, Picture, RenderError, Value, draw_dot
from engine.draw import number
from engine.picture import COLUMN_PX, MIN_SCALE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def neuron():
    """micrograd's lecture neuron: tanh(x*w + b), with gradients 0.5 at the tanh input."""
    x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
    y = (x * w + b).tanh()
    return y, (x, w, b)


def svg_text(pic):
    """Every text element of a picture's SVG, unescaped enough to compare."""
    return svg_text_of(pic.svg())


def svg_text_of(svg):
    texts = re.findall(r'<text[^>]*>([^<]*)</text>', svg)
    return [t.replace('&#45;', '-').replace('&amp;', '&').replace('&#39;', "'") for t in texts]


def test_value_boxes_show_label_data_and_grad_after_backward():
    y, (x, w, b) = neuron()
    y.backward()
    texts = svg_text(draw_dot(y))
    assert {'x', 'data 2', 'grad -1.5', 'w', 'data -3', 'grad 1', 'b', 'data 6.881'} <= set(texts)
    assert texts.count('grad 0.5') == 3  # b, x*w and x*w + b


def test_edges_carry_the_local_derivative():
    y, _ = neuron()
    source = draw_dot(y).source
    assert re.search(r'n0 -> n2op \[label=-3 ', source)  # d(x*w)/dx = w
    assert re.search(r'n1 -> n2op \[label=2 ', source)  # d(x*w)/dw = x
    assert re.search(r'-> n5op \[label=0.5 ', source)  # 1 - tanh^2 = 0.5
    assert {'-3', '2', '1', '0.5'} <= set(svg_text(draw_dot(y)))


def test_show_local_false_leaves_edges_unlabelled():
    y, _ = neuron()
    source = draw_dot(y, show_local=False).source
    assert 'label=-3' not in source and 'label=0.5' not in source


def test_one_box_per_value_and_one_oval_per_op():
    y, _ = neuron()
    svg = draw_dot(y, legend=False).svg()
    assert svg.count('class="node"') == 6 + 3  # x w b x*w x*w+b tanh, and the ops * + tanh
    assert svg.count('class="edge"') == 5 + 3  # child -> op, and op -> result


def test_before_backward_gradients_read_not_computed():
    y, _ = neuron()
    pic = draw_dot(y)
    texts = svg_text(pic)
    assert texts.count('grad ?') == 6
    assert not any(t.startswith('grad 0') for t in texts)
    assert 'not computed yet' in pic.source


def test_show_grad_true_prints_the_numbers_even_before_backward():
    y, _ = neuron()
    assert svg_text(draw_dot(y, show_grad=True)).count('grad 0') == 6


def test_show_grad_false_leaves_the_grad_field_out():
    y, _ = neuron()
    y.backward()
    assert '| grad' not in draw_dot(y, show_grad=False, legend=False).source


def test_numbers_have_four_significant_digits_and_no_negative_zero():
    assert number(1 / 3) == '0.3333'
    assert number(-0.0) == '0'
    assert number(123456.0) == '1.235e+05'
    assert number(2.0) == '2'


def test_svg_is_an_svg_and_displays_in_jupyter():
    y, _ = neuron()
    pic = draw_dot(y)
    assert '<svg' in pic._repr_svg_()
    data, _ = pic._repr_mimebundle_()
    assert '<svg' in data['image/svg+xml']


def test_jupyter_gets_a_png_beside_the_svg_for_front_ends_that_do_not_trust_svg():
    y, _ = neuron()
    data, metadata = draw_dot(y)._repr_mimebundle_()
    assert {'image/svg+xml', 'image/png', 'text/plain'} == set(data)
    png = base64.b64decode(data['image/png'])
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    assert metadata['image/png']['width'] > 100


def test_the_png_has_twice_the_pixels_of_its_display_size_so_it_stays_sharp():
    y, _ = neuron()
    data, metadata = draw_dot(y)._repr_mimebundle_()
    with Image.open(io.BytesIO(base64.b64decode(data['image/png']))) as image:
        size = image.size
    shown = metadata['image/png']['width'], metadata['image/png']['height']
    assert abs(size[0] - 2 * shown[0]) <= 2 and abs(size[1] - 2 * shown[1]) <= 2


def test_mimebundle_include_and_exclude_choose_the_formats():
    y, _ = neuron()
    pic = draw_dot(y)
    data, metadata = pic._repr_mimebundle_(include=['image/png'])
    assert list(data) == ['image/png'] and 'image/png' in metadata
    data, metadata = pic._repr_mimebundle_(exclude=['image/png'])
    assert 'image/png' not in data and metadata == {}


def test_a_small_graph_is_shown_at_its_natural_size():
    y, _ = neuron()
    svg, _, width, _, note = draw_dot(y).fitted()
    natural = float(re.search(r'width="([\d.]+)pt"', draw_dot(y).svg()).group(1)) * 96 / 72
    assert width == round(natural) and width <= COLUMN_PX and note is None
    assert f'width="{width}px"' in svg


def wide_graph(n=7):
    """A sum of n products: n*3 + 2 boxes side by side, wider than a column."""
    xs = [Value(float(i), f'x{i}') for i in range(n)]
    ws = [Value(0.5, f'w{i}') for i in range(n)]
    terms = [x * w for x, w in zip(xs, ws)]
    return Value.sum([t.tanh() * t for t in terms]).tanh()


def test_a_graph_a_bit_wider_than_the_column_is_shrunk_to_fit_it_readably():
    pic = draw_dot(wide_graph(5), 'TB')
    natural = float(re.search(r'width="([\d.]+)pt"', pic.svg()).group(1)) * 96 / 72
    _, _, width, _, note = pic.fitted()
    assert natural > COLUMN_PX and width == COLUMN_PX
    assert COLUMN_PX / natural >= MIN_SCALE and note is None


def test_a_graph_too_wide_to_read_in_the_column_says_so_and_names_the_smaller_views():
    pic = draw_dot(wide_graph(30), 'TB')
    data, metadata = pic._repr_mimebundle_()
    note = pic.fitted()[4]
    assert 'too small to read' in note and 'px wide' in note
    assert metadata['image/png']['width'] == COLUMN_PX
    shown = ' '.join(svg_text_of(data['image/svg+xml']))
    assert 'too small to read' in shown and 'draw_neurons' in shown  # written in the picture
    assert 'too small to read' in data['text/plain']


def test_save_picks_png_from_the_suffix(tmp_path):
    y, _ = neuron()
    path = draw_dot(y).save(tmp_path / 'g.png')
    assert path == tmp_path / 'g.png'
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_save_picks_pdf_and_svg_from_the_suffix(tmp_path):
    y, _ = neuron()
    pic = draw_dot(y)
    pic.save(tmp_path / 'g.pdf')
    assert (tmp_path / 'g.pdf').read_bytes()[:5] == b'%PDF-'
    assert pic.save(str(tmp_path / 'g.SVG')) == str(tmp_path / 'g.SVG')
    assert '<svg' in (tmp_path / 'g.SVG').read_text()


def test_save_leaves_no_temporary_files(tmp_path):
    y, _ = neuron()
    draw_dot(y).save(tmp_path / 'g.svg')
    draw_dot(y).save(tmp_path / 'g.svg')  # replacing an existing file
    assert os.listdir(tmp_path) == ['g.svg']


def test_save_with_an_unknown_suffix_is_a_clear_error(tmp_path):
    y, _ = neuron()
    with pytest.raises(ValueError, match=r'\.svg, \.png or \.pdf'):
        draw_dot(y).save(tmp_path / 'g.jpeg')
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_folder_names_the_folder(tmp_path):
    y, _ = neuron()
    with pytest.raises(FileNotFoundError, match='does not exist'):
        draw_dot(y).save(tmp_path / 'nowhere' / 'g.svg')


def test_rankdir_tb_is_passed_to_graphviz_and_others_refused():
    y, _ = neuron()
    assert 'rankdir=TB' in draw_dot(y, 'TB').source
    assert '<svg' in draw_dot(y, rankdir='TB').svg()
    with pytest.raises(ValueError, match="'LR'.*'TB'"):
        draw_dot(y, rankdir='RL')


def test_highlight_outlines_one_node_or_several():
    y, (x, w, b) = neuron()
    assert draw_dot(y).source.count('penwidth=3') == 0
    one = draw_dot(y, highlight=x).source
    assert re.search(r'n0 \[label="x \|[^\]]*penwidth=3', one)
    assert draw_dot(y, highlight=[x, w]).source.count('penwidth=3') == 2


def test_highlighting_a_node_from_another_graph_is_refused():
    y, _ = neuron()
    with pytest.raises(ValueError, match='not part of this graph'):
        draw_dot(y, highlight=Value(1.0))


def test_colours_tell_inputs_parameters_constants_intermediates_and_output_apart():
    x, w = Value(2.0, 'x'), Value(-3.0, 'w')
    y = (x * w + 1.0).relu()
    source = draw_dot(y, params=[w]).source
    fills = dict(re.findall(r'(n\d+) \[label="[^"]*" fillcolor="([^"]+)"', source))
    order = ['x', 'w', 'x*w', 'const 1', 'x*w+1', 'relu']
    colour = dict(zip(order, (fills[f'n{i}'] for i in range(6))))
    assert colour['x'] != colour['w']  # input vs parameter
    assert len({colour['x'], colour['w'], colour['const 1'], colour['x*w'], colour['relu']}) == 5
    assert colour['x*w'] == colour['x*w+1']  # both intermediate


def test_legend_names_only_the_kinds_in_the_graph():
    y, (x, w, b) = neuron()
    legend = draw_dot(y, params=[w, b]).source.split('label=<<TABLE')[1]
    assert 'parameter' in legend and 'input' in legend and 'output' in legend
    assert 'constant' not in legend
    assert '<TABLE' not in draw_dot(y, legend=False).source


def test_params_must_be_values():
    y, _ = neuron()
    with pytest.raises(TypeError, match='model.parameters'):
        draw_dot(y, params=3)


def test_fused_dot_node_is_one_oval_with_an_edge_per_child():
    ws = [Value(float(i), f'w{i}') for i in range(4)]
    xs = [Value(1.0 + i, f'x{i}') for i in range(4)]
    y = Value.dot(ws, xs, bias=Value(0.5, 'b'))
    source = draw_dot(y).source
    assert re.findall(r'^\tn\d+op \[label=(\w+)', source, re.MULTILINE) == ['dot']
    assert len(re.findall(r'-> n\d+op ', source)) == 9


def test_a_node_used_twice_gets_two_edges():
    a = Value(3.0, 'a')
    source = draw_dot(a + a).source
    assert source.count('n0 -> n1op') == 2


def test_a_lone_leaf_draws_as_the_output_box():
    pic = draw_dot(Value(4.0, 'z'), legend=False)
    assert pic.svg().count('class="node"') == 1
    assert 'z' in svg_text(pic)


def test_labels_with_record_special_characters_are_escaped():
    y = Value(1.0, 'a|b {c} <d> "e"') * 2
    assert 'a|b' not in svg_text(draw_dot(y))  # escaped: the field shows the text, not a split
    assert any('a|b {c} <d>' in t.replace('&lt;', '<').replace('&gt;', '>')
               for t in svg_text(draw_dot(y)))


def test_same_graph_gives_byte_identical_dot_text():
    first, _ = neuron()
    second, _ = neuron()
    assert draw_dot(first).source == draw_dot(second).source


def test_dot_text_is_the_same_in_a_fresh_process():
    script = textwrap.dedent('''
        from engine import Value, draw_dot
        x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
        y = (x * w + b).tanh()
        print(draw_dot(y).source, end='')
    ''')
    runs = [subprocess.run([sys.executable, '-c', script], cwd=ROOT, capture_output=True,
                           text=True, check=True, env={**os.environ, 'PYTHONHASHSEED': seed})
            for seed in ('1', '2')]
    y, _ = neuron()
    assert runs[0].stdout == runs[1].stdout == draw_dot(y).source


def test_a_huge_graph_is_refused_at_once_with_its_size_and_what_to_do():
    x = Value(1.0, 'x')
    y = x
    for _ in range(50_000):  # 100 000 nodes deep
        y = y + 1.0
    start = time.perf_counter()
    with pytest.raises(GraphTooLarge) as refused:
        draw_dot(y)
    assert time.perf_counter() - start < 0.5
    message = str(refused.value)
    assert 'at least 301 nodes' in message and 'max_nodes=300' in message
    assert 'smaller part' in message and 'max_nodes=...' in message


def test_a_wide_fused_graph_is_refused_without_walking_every_child():
    y = Value.sum([Value(1.0) for _ in range(200_000)])
    start = time.perf_counter()
    with pytest.raises(GraphTooLarge, match='at least 11 nodes'):
        draw_dot(y, max_nodes=10)
    assert time.perf_counter() - start < 0.1


def test_max_nodes_is_settable():
    y, _ = neuron()
    with pytest.raises(GraphTooLarge, match='at least 6 nodes'):
        draw_dot(y, max_nodes=5)
    assert '<svg' in draw_dot(y, max_nodes=6).svg()
    with pytest.raises(ValueError, match='positive whole number'):
        draw_dot(y, max_nodes=0)


def test_the_root_must_be_a_value():
    with pytest.raises(TypeError, match='needs a scalargrad Value as the root, got float 3.0'):
        draw_dot(3.0)


def test_renders_through_pygraphviz_when_dot_is_not_on_path(monkeypatch):
    monkeypatch.setenv('PATH', '')
    monkeypatch.setattr(shutil, 'which', lambda name, *a, **k: None)
    y, _ = neuron()
    assert draw_dot(y).pipe('png')[:4] == b'\x89PNG'
    assert '<svg' in draw_dot(y).svg()


def fake_dot(folder, body):
    """A `dot` program on PATH, written in Python, for the system-Graphviz path."""
    program = folder / 'dot'
    program.write_text(f'#!{sys.executable}\n' + textwrap.dedent(body))
    program.chmod(0o755)
    return program


def test_uses_the_dot_program_when_it_is_on_path(tmp_path, monkeypatch):
    fake_dot(tmp_path, f'''
        import sys, pygraphviz
        open({str(tmp_path / 'called')!r}, 'w').write(' '.join(sys.argv[1:]))
        engine, fmt = sys.argv[1][2:], sys.argv[2][2:]
        sys.stdout.buffer.write(pygraphviz.AGraph(string=sys.stdin.read()).draw(format=fmt,
                                                                              prog=engine))
    ''')
    monkeypatch.setenv('PATH', str(tmp_path) + os.pathsep + os.environ['PATH'])
    y, _ = neuron()
    assert '<svg' in draw_dot(y).svg()
    assert (tmp_path / 'called').read_text() == '-Kdot -Tsvg'


def test_a_failing_dot_program_is_reported_with_its_message(tmp_path, monkeypatch):
    fake_dot(tmp_path, '''
        import sys
        sys.stderr.write("Error: <stdin>: syntax error in line 1\\n"); sys.exit(1)
    ''')
    monkeypatch.setenv('PATH', str(tmp_path))
    y, _ = neuron()
    with pytest.raises(RenderError, match='syntax error in line 1.*pip install pygraphviz'):
        draw_dot(y).svg()


def test_without_any_graphviz_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name, *a, **k: None)
    monkeypatch.setitem(sys.modules, 'pygraphviz', None)
    y, _ = neuron()
    pic = draw_dot(y)  # building the DOT text needs no Graphviz
    assert 'digraph' in pic.source
    with pytest.raises(RenderError, match='pip install pygraphviz'):
        pic.svg()


def test_picture_repr_says_how_to_use_it():
    y, _ = neuron()
    assert "6 values" in repr(draw_dot(y)) and '.save(' in repr(draw_dot(y))


def test_pipe_refuses_unknown_formats():
    with pytest.raises(ValueError, match='svg, png, pdf'):
        Picture('digraph {}').pipe('gif')


def test_graphviz_warnings_stay_out_of_the_terminal(capfd, monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name, *a, **k: None)
    source = 'digraph { a [label=<<TABLE><TR><TD FIXEDSIZE="TRUE" WIDTH="2">wide text</TD></TR>' \
             '</TABLE>>] }'  # Graphviz warns: cell size too small for content
    assert '<svg' in Picture(source).svg()
    assert capfd.readouterr().err == ''


def test_a_graphviz_failure_says_what_went_wrong(monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name, *a, **k: None)
    with pytest.raises(RenderError, match='syntax error'):
        Picture('digraph { a -> }').svg()


def test_an_inner_node_drawn_after_an_outer_backward_says_whose_gradients_it_shows():
    a = Value(2.0, 'a')
    h = a * 3.0
    loss = h * 5.0
    loss.backward()
    assert 'not drawn here' in draw_dot(h).source
    assert 'not drawn here' not in draw_dot(loss).source


def test_every_number_on_an_edge_is_underlined_and_joined_to_its_edge():
    y, _ = neuron()
    source = draw_dot(y).source
    labelled = re.findall(r'-> n\d+op \[[^\]]*label=[^\]]*\]', source)
    assert len(labelled) == 5 and all('decorate=true' in edge for edge in labelled)


def test_the_legend_sits_under_the_graph_and_does_not_widen_it():
    y, _ = neuron()
    assert 'labelloc=b' in draw_dot(y).source
    with_legend = draw_dot(y).fitted_svg()[1]
    without = draw_dot(y, legend=False).fitted_svg()[1]
    assert with_legend == without
