"""A Picture answers like the graphviz package's objects, so lecture code runs on it as it is."""

import os
import shutil
import sys
import textwrap

import pytest
from conftest import require

from engine import Picture, RenderError, Value, draw_dot


def lecture_neuron():
    x, w = Value(2.0, 'x'), Value(-3.0, 'w')
    y = (x * w + 1.0).tanh()
    y.backward()
    return y


def no_dot_program(monkeypatch):
    """Hide any system Graphviz: pictures must come from the pip-installed pygraphviz."""
    real_which = shutil.which
    monkeypatch.setattr(shutil, 'which',
                        lambda name, *a, **k: None if name == 'dot' else real_which(name, *a, **k))


def test_render_writes_the_dot_text_and_the_picture_beside_it_and_returns_its_path(tmp_path):
    pic = draw_dot(lecture_neuron())
    out = pic.render('gout', directory=tmp_path)
    assert out == os.path.join(tmp_path, 'gout.svg')
    assert (tmp_path / 'gout').read_text() == pic.source
    assert '<svg' in (tmp_path / 'gout.svg').read_text()


def test_render_takes_its_format_from_the_picture_or_from_the_call(tmp_path):
    pic = draw_dot(lecture_neuron(), format='png')
    assert pic.format == 'png'
    assert pic.render(tmp_path / 'g').endswith('g.png')
    assert (tmp_path / 'g.png').read_bytes()[:4] == b'\x89PNG'
    assert (tmp_path / 'g.pdf').exists() is False
    pic.render(tmp_path / 'g', format='pdf')
    assert (tmp_path / 'g.pdf').read_bytes()[:5] == b'%PDF-'


def test_render_cleanup_removes_the_dot_file(tmp_path):
    draw_dot(lecture_neuron()).render('g', tmp_path, cleanup=True)
    assert sorted(os.listdir(tmp_path)) == ['g.svg']


def test_render_outfile_names_the_picture_and_its_format(tmp_path):
    out = draw_dot(lecture_neuron()).render(outfile=tmp_path / 'pic.pdf')
    assert out == os.fspath(tmp_path / 'pic.pdf')
    assert sorted(os.listdir(tmp_path)) == ['pic.gv', 'pic.pdf']


def test_render_refuses_an_unknown_format_before_writing_anything(tmp_path):
    with pytest.raises(ValueError, match='svg, png, pdf'):
        draw_dot(lecture_neuron()).render(tmp_path / 'g', format='gif')
    assert os.listdir(tmp_path) == []


def test_format_is_checked_when_set():
    pic = draw_dot(lecture_neuron())
    pic.format = 'pdf'
    assert pic.pipe()[:5] == b'%PDF-'
    with pytest.raises(ValueError, match='svg, png, pdf'):
        pic.format = 'bmp'


def test_pipe_returns_bytes_in_the_asked_format_or_text_with_an_encoding():
    pic = draw_dot(lecture_neuron())
    assert pic.pipe(format='png')[:4] == b'\x89PNG'
    assert pic.pipe().lstrip().startswith(b'<?xml')
    assert '<svg' in pic.pipe(encoding='utf-8')


def test_view_opens_the_picture_in_the_system_viewer(tmp_path, monkeypatch):
    opened = tmp_path / 'opened'
    viewer = tmp_path / 'bin' / 'xdg-open'
    viewer.parent.mkdir()
    viewer.write_text(f'#!{sys.executable}\nimport sys\nopen({str(opened)!r}, "w")'
                      f'.write(sys.argv[1])\n')
    viewer.chmod(0o755)
    monkeypatch.setenv('PATH', str(viewer.parent) + os.pathsep + os.environ['PATH'])
    monkeypatch.setattr(sys, 'platform', 'linux')
    out = draw_dot(lecture_neuron()).render(tmp_path / 'g', view=True)
    for _ in range(100):
        if opened.exists() and opened.read_text():
            break
        import time
        time.sleep(0.05)
    assert opened.read_text() == out


def test_view_without_a_viewer_fails_clearly_after_writing_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, 'platform', 'linux')
    real_which = shutil.which
    monkeypatch.setattr(shutil, 'which', lambda name, *a, **k:
                        None if name == 'xdg-open' else real_which(name, *a, **k))
    with pytest.raises(RenderError, match='no picture viewer found.*open it yourself'):
        draw_dot(lecture_neuron()).render(tmp_path / 'g', view=True)
    assert (tmp_path / 'g.svg').exists()


def test_rendering_never_opens_a_viewer_unless_asked(tmp_path, monkeypatch):
    import engine.picture
    monkeypatch.setattr(engine.picture, 'open_viewer', lambda path: pytest.fail('opened'))
    draw_dot(lecture_neuron()).render(tmp_path / 'g')


def test_draw_dot_reads_a_second_argument_svg_as_the_format_like_micrograd():
    y = lecture_neuron()
    pic = draw_dot(y, 'svg')
    assert pic.format == 'svg' and 'rankdir=LR' in pic.source
    assert draw_dot(y, 'png', 'TB').format == 'png'
    assert 'rankdir=TB' in draw_dot(y, format='pdf', rankdir='TB').source


def test_draw_dot_still_reads_a_second_argument_tb_as_the_rankdir():
    assert 'rankdir=TB' in draw_dot(lecture_neuron(), 'TB').source


def test_draw_dot_refuses_a_second_argument_that_is_neither_and_says_what_it_takes():
    with pytest.raises(ValueError, match="svg, png, pdf.*'LR' or 'TB'"):
        draw_dot(lecture_neuron(), 'jpg')
    with pytest.raises(ValueError, match='the second argument is the format'):
        draw_dot(lecture_neuron(), 'TB', rankdir='TB')


def test_a_micrograd_graph_draws_in_a_fixed_order_without_local_derivatives():
    micrograd = require('micrograd.engine')
    x = micrograd.Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    pic = draw_dot(y)
    assert pic.source.count('shape=record') == 6 and 'data 3' in pic.source
    assert 'grad 2' in pic.source  # dy/dx
    assert 'local derivative' not in pic.source
    again = (micrograd.Value(1.0) * 2 + 1).relu()
    again.backward()
    assert draw_dot(again).source == pic.source


LECTURE_TRACE = '''
    # the pattern of micrograd's trace_graph notebook, with draw_dot imported instead of defined
    from engine import draw_dot
    import random

    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    first = draw_dot(y)

    random.seed(1337)
    n = nn.Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    y = n(x)
    y.backward()
    dot = draw_dot(y)
    result = dot.render('gout')
'''


@pytest.mark.parametrize('flavour', ['micrograd', 'scalargrad'])
def test_micrograds_trace_graph_notebook_runs_with_no_system_dot(flavour, tmp_path,
                                                                  monkeypatch):
    if flavour == 'micrograd':
        micrograd = require('micrograd.engine')
        namespace = {'Value': micrograd.Value, 'nn': require('micrograd.nn')}
    else:
        import nn
        namespace = {'Value': Value, 'nn': nn}
    no_dot_program(monkeypatch)
    monkeypatch.chdir(tmp_path)
    exec(textwrap.dedent(LECTURE_TRACE), namespace)  # our own test code, not user text
    assert namespace['result'] == 'gout.svg'
    assert '<svg' in (tmp_path / 'gout.svg').read_text()
    assert (tmp_path / 'gout').read_text() == namespace['dot'].source
    data, _ = namespace['first']._repr_mimebundle_()  # the notebook's inline display
    assert {'image/svg+xml', 'image/png'} <= set(data)


def test_a_picture_made_from_dot_text_renders_like_a_graphviz_source(tmp_path):
    pic = Picture('digraph { a -> b }')
    assert pic.render('ab', tmp_path) == os.path.join(tmp_path, 'ab.svg')
