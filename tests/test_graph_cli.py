"""`scalargrad graph`: end to end through nn.cli.main and through the installed script."""

import os
import subprocess
import sys

import pytest

from nn.cli import main

NEURON = ['graph', 'tanh(x*w + b)', '--set', 'x=2', 'w=-3', 'b=6.8813735870195432']
SCRIPT = os.path.join(os.path.dirname(sys.executable), 'scalargrad')


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status, err, *fragments):
    assert status == 1
    lines = [line for line in err.splitlines() if not line.startswith('Fontconfig')]
    assert len(lines) == 1 and lines[0].startswith('scalargrad graph: error: ')
    assert 'Traceback' not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_prints_the_value_and_every_variables_gradient_in_the_pictures_short_form(capsys):
    status, out, _ = run_cli(capsys, *NEURON)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == 'tanh(x*w + b) = 0.7071'
    assert [line.split()[0] for line in lines[2:5]] == ['x', 'w', 'b']  # order of appearance
    assert lines[2].split()[1:] == ['2', '-1.5']     # the lecture's -1.5, not -1.4999999999999993
    assert lines[3].split()[1:] == ['-3', '1']
    assert lines[4].split()[1:] == ['6.881', '0.5']
    assert lines[5] == '(numbers rounded for reading; --full prints every digit)'


def test_the_short_form_is_the_one_the_pictures_print(capsys):
    from engine import Value
    from engine.draw import number

    x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
    out = (x * w + b).tanh()
    out.backward()
    _, printed, _ = run_cli(capsys, *NEURON)
    rows = [line.split()[1:] for line in printed.splitlines()[2:5]]
    assert rows == [[number(v.data), number(v.grad)] for v in (x, w, b)]


def test_full_prints_every_digit_exactly(capsys):
    status, out, _ = run_cli(capsys, *NEURON, '--full')
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == 'tanh(x*w + b) = 0.7071067811865477'
    assert lines[2].split()[1:] == ['2.0', '-1.4999999999999993']
    assert lines[4].split()[1:] == ['6.881373587019543', '0.4999999999999998']
    assert float(lines[2].split()[2]) == -1.4999999999999993  # reads back to the same float
    assert 'rounded' not in out


def test_digits_sets_the_significant_digits(capsys):
    status, out, _ = run_cli(capsys, *NEURON, '--digits', '8')
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == 'tanh(x*w + b) = 0.70710678'
    assert lines[4].split()[1:] == ['6.8813736', '0.5']


def test_exact_numbers_carry_no_rounding_note(capsys):
    status, out, _ = run_cli(capsys, 'graph', 'x*y', '--set', 'x=2', 'y=0.5')
    assert status == 0
    assert out.splitlines()[0] == 'x*y = 1'
    assert 'rounded' not in out


def test_a_negative_zero_gradient_prints_as_0(capsys):
    status, out, _ = run_cli(capsys, 'graph', 'x*y', '--set', 'x=-2', 'y=0')
    assert status == 0
    assert out.splitlines()[2].split()[1:] == ['-2', '0']   # d/dx = y = 0 (d/dy = -2)


@pytest.mark.parametrize('args, message', [
    (['--digits', '0'], 'must be from 1 to 17'),
    (['--digits', 'two'], "'two' is not a whole number"),
    (['--digits', '3', '--full'], 'not allowed with'),
])
def test_bad_digits_are_usage_errors(capsys, args, message):
    with pytest.raises(SystemExit) as stopped:
        main([*NEURON, *args])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_saves_the_picture_as_svg(tmp_path, capsys):
    status, out, _ = run_cli(capsys, *NEURON, '-o', str(tmp_path / 'graph.svg'))
    assert status == 0 and 'saved the graph to' in out
    svg = (tmp_path / 'graph.svg').read_text()
    assert '<svg' in svg and '>x<' in svg and '&#45;1.5' in svg  # x's gradient


@pytest.mark.parametrize('suffix, magic', [('png', b'\x89PNG'), ('pdf', b'%PDF')])
def test_saves_png_and_pdf_by_suffix(tmp_path, capsys, suffix, magic):
    status, _, _ = run_cli(capsys, *NEURON, '-o', str(tmp_path / f'graph.{suffix}'))
    assert status == 0
    assert (tmp_path / f'graph.{suffix}').read_bytes().startswith(magic)


def test_saves_the_step_through_page(tmp_path, capsys):
    status, out, _ = run_cli(capsys, *NEURON, '--steps', str(tmp_path / 'steps.html'),
                             '--rankdir', 'TB')
    assert status == 0 and 'step-through page' in out
    page = (tmp_path / 'steps.html').read_text()
    assert page.count('<figure class="frame"') == 4
    assert 'backprop through tanh(x*w + b) at x=2, w=-3, b=6.881<' in page


def test_a_formula_without_variables_still_works(capsys):
    status, out, _ = run_cli(capsys, 'graph', '2*3')
    assert status == 0 and out.startswith('2*3 = 6\n') and 'no variables' in out


@pytest.mark.parametrize('formula, fragment', [
    ('x.data', 'attribute access'),
    ("__import__('os')", 'calling __import__'),
    ('[x]', 'lists'),
    ('lambda: 1', 'lambda'),
    ("'a'", "constant 'a'"),
    ('exp(x, y)', 'exactly one argument'),
    ('x' * 2000, 'characters long'),
])
def test_hostile_formulas_fail_with_one_line(capsys, tmp_path, formula, fragment):
    status, out, err = run_cli(capsys, 'graph', formula, '-o', str(tmp_path / 'g.svg'))
    assert_one_line_error(status, err, fragment)
    assert out == '' and os.listdir(tmp_path) == []


@pytest.mark.parametrize('assignments, fragment', [
    (['x=2'], 'no value for w, b: add --set w=NUMBER b=NUMBER'),
    (['x=2', 'w=1', 'b=1', 'q=4'], "no variable 'q' (its variables: x, w, b)"),
    (['x=2', 'w=1', 'b=1', 'x=3'], 'x is given twice'),
    (['x2', 'w=1', 'b=1'], 'write NAME=NUMBER'),
    (['x=', 'w=1', 'b=1'], 'write NAME=NUMBER'),
    (['1x=2', 'w=1', 'b=1'], 'write NAME=NUMBER'),
    (['x=abc', 'w=1', 'b=1'], "'abc' is not a number"),
    (['x=nan', 'w=1', 'b=1'], 'finite'),
    (['x=inf', 'w=1', 'b=1'], 'finite'),
])
def test_bad_values_fail_with_one_line(capsys, assignments, fragment):
    status, _, err = run_cli(capsys, 'graph', 'tanh(x*w + b)', '--set', *assignments)
    assert_one_line_error(status, err, fragment)


def test_an_output_in_a_missing_folder_fails_before_any_work(tmp_path, capsys):
    status, out, err = run_cli(capsys, *NEURON, '-o', str(tmp_path / 'no' / 'graph.svg'))
    assert_one_line_error(status, err, 'does not exist')
    assert out == ''


def test_an_output_that_is_a_folder_fails(tmp_path, capsys):
    (tmp_path / 'x.svg').mkdir()
    status, _, err = run_cli(capsys, *NEURON, '-o', str(tmp_path / 'x.svg'))
    assert_one_line_error(status, err, 'is a folder')


def test_an_output_under_a_file_fails(tmp_path, capsys):
    (tmp_path / 'file').write_text('')
    status, _, err = run_cli(capsys, *NEURON, '-o', str(tmp_path / 'file' / 'graph.svg'))
    assert_one_line_error(status, err, 'does not exist')


@pytest.mark.parametrize('option, name, fragment', [
    ('-o', 'graph.jpg', '.svg or .png or .pdf'),
    ('--steps', 'steps.svg', '.html'),
])
def test_unknown_suffixes_fail(tmp_path, capsys, option, name, fragment):
    status, _, err = run_cli(capsys, *NEURON, option, str(tmp_path / name))
    assert_one_line_error(status, err, fragment)
    assert os.listdir(tmp_path) == []


def test_math_errors_fail_with_the_engines_message(capsys):
    status, _, err = run_cli(capsys, 'graph', 'log(x)', '--set', 'x=-1')
    assert_one_line_error(status, err, 'logarithm needs a positive number')
    status, _, err = run_cli(capsys, 'graph', 'x / (y - y)', '--set', 'x=1', 'y=2')
    assert_one_line_error(status, err, 'division')


def test_a_graph_too_large_is_refused_after_the_gradients(tmp_path, capsys):
    status, out, err = run_cli(capsys, *NEURON, '-o', str(tmp_path / 'g.svg'), '--max-nodes', '3')
    assert 'gradient' in out  # the numbers were printed first
    assert_one_line_error(status, err, 'at least 4 nodes', 'limit of 3', '--max-nodes')
    assert os.listdir(tmp_path) == []


def test_a_missing_formula_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(['graph'])
    assert stopped.value.code == 2
    assert 'expression' in capsys.readouterr().err


def test_the_installed_script_runs_end_to_end(tmp_path):
    done = subprocess.run([SCRIPT, *NEURON, '-o', 'graph.png', '--steps', 'steps.html'],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'x     2      -1.5\n' in done.stdout
    assert (tmp_path / 'graph.png').read_bytes()[:4] == b'\x89PNG'
    assert (tmp_path / 'steps.html').stat().st_size > 1000


def test_the_installed_script_refuses_hostile_input_with_exit_status_1(tmp_path):
    done = subprocess.run([SCRIPT, 'graph', "__import__('os').system('touch pwned')"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count('\n') == 1 and 'not allowed' in done.stderr
    assert os.listdir(tmp_path) == []


def test_plain_scalargrad_prints_its_help_and_version_is_known(capsys):
    assert main([]) == 0
    assert 'graph' in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        main(['--version'])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith('scalargrad ')
