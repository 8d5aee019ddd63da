"""The teaching notebooks: all there, mostly prose, with pictures, exercises that answer back,
and they run top to bottom (the worked solutions and one wrong answer per check included)."""

import ast
import base64
import importlib.util
import json
import re
import struct
from pathlib import Path

import pytest
from conftest import missing_oracle

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'
EXPECTED = [
    '01_derivatives_and_the_chain_rule.ipynb',
    '02_build_your_own_value.ipynb',
    '03_neurons_and_activations.ipynb',
    '04_logic_gates_and_xor.ipynb',
    '05_training_an_mlp.ipynb',
    '06_gradient_descent_variants.ipynb',
    '07_stepping_through_backprop.ipynb',
    '08_loss_functions.ipynb',
    '09_how_gradient_descent_behaves.ipynb',
    '10_training_watched.ipynb',
    '11_reverse_mode_as_a_program.ipynb',
]
PICTURE_TYPES = ('image/png', 'image/svg+xml')
MACHINE_PATH = re.compile(r'(/work/|/root/|/home/|/tmp/|site-packages|\.venv)')
DETAILS = re.compile(r'<details><summary>(Hint|Solution)</summary>(.*?)</details>', re.S)
PYTHON_BLOCK = re.compile(r'```python\n(.*?)```', re.S)
PLACEHOLDER = re.compile(r'^\w+ = \.\.\.', re.M)
COLUMN_PX = 900        # a notebook column: no picture wider than this
MIN_PLOT_DPI = 110     # readable on a projector


def load(name):
    return json.loads((NOTEBOOKS / name).read_text(encoding='utf-8'))


def source(cell):
    return ''.join(cell['source'])


def test_every_notebook_of_the_course_is_there():
    assert sorted(p.name for p in NOTEBOOKS.glob('*.ipynb')) == EXPECTED


def test_the_readme_lists_every_notebook_in_order():
    readme = (NOTEBOOKS.parent / 'README.md').read_text(encoding='utf-8')
    listed = re.findall(r'\(notebooks/(\d\d_\w+\.ipynb)\)', readme)
    assert listed == EXPECTED


@pytest.mark.parametrize('name', EXPECTED)
def test_notebook_is_stored_executed_with_at_least_one_picture(name):
    cells = [c for c in load(name)['cells'] if c['cell_type'] == 'code']
    assert cells and all(c.get('execution_count') for c in cells if source(c).strip())
    pictures = [o for c in cells for o in c.get('outputs', [])
                if any(t in o.get('data', {}) for t in PICTURE_TYPES)]
    assert pictures, f"{name} shows no picture"


@pytest.mark.parametrize('name', EXPECTED)
def test_notebook_has_at_least_as_much_prose_as_code(name):
    cells = load(name)['cells']
    prose = sum(len(source(c)) for c in cells if c['cell_type'] == 'markdown')
    code = sum(len(source(c)) for c in cells if c['cell_type'] == 'code')
    assert prose >= code, f"{name}: {prose} characters of markdown, {code} of code"


@pytest.mark.parametrize('name', EXPECTED)
def test_stored_outputs_carry_no_machine_paths_or_errors(name):
    for cell in load(name)['cells']:
        for output in cell.get('outputs', []):
            assert output.get('output_type') != 'error', f"{name} stored an error"
            text = json.dumps({k: v for k, v in output.items() if k != 'data'})
            text += ''.join(str(v) for k, v in output.get('data', {}).items()
                            if k.startswith('text/'))
            assert not MACHINE_PATH.search(text), f"{name} output shows a machine path"


# ---- exercises: each one a markdown cell with a hint and a worked solution


def exercises(name):
    """The exercise cells (a '### Exercise' heading) of a notebook, with their positions."""
    return [(i, source(c)) for i, c in enumerate(load(name)['cells'])
            if c['cell_type'] == 'markdown' and source(c).lstrip().startswith('### Exercise')]


def check_cells(name):
    """(index, cell) of the code cells that check an exercise's answer."""
    return [(i, c) for i, c in enumerate(load(name)['cells'])
            if c['cell_type'] == 'code' and 'exercise_check' in c.get('metadata', {})]


@pytest.mark.parametrize('name', EXPECTED)
def test_notebook_ends_with_at_least_three_exercises(name):
    cells = load(name)['cells']
    found = exercises(name)
    assert len(found) >= 3, f"{name} has {len(found)} exercises"
    heading = [i for i, c in enumerate(cells) if re.search(r'^## Exercises', source(c), re.M)]
    assert heading and all(i > heading[0] for i, _ in found)


@pytest.mark.parametrize('name', EXPECTED)
def test_every_exercise_has_a_hint_and_a_worked_solution_folded_away(name):
    for _, text in exercises(name):
        title = text.splitlines()[0]
        parts = dict((kind, body.strip()) for kind, body in DETAILS.findall(text))
        assert parts.get('Hint'), f"{name}: {title} has no hint"
        assert len(parts.get('Solution', '')) > 40, f"{name}: {title} has no worked solution"


@pytest.mark.parametrize('name', EXPECTED)
def test_every_answer_check_follows_an_exercise_with_solution_code_and_a_wrong_answer(name):
    for i, cell in check_cells(name):
        solution = solution_code(name, i)
        assert solution.strip(), f"{name}: the check in cell {i} has no solution code"
        assert cell['metadata']['exercise_check'].get('wrong', '').strip()
        assert 'check_' in source(cell)


def solution_code(name, check_index):
    """The python code of the Solution of the exercise just before a check cell."""
    before = [(i, text) for i, text in exercises(name) if i < check_index]
    assert before, f"{name}: a check in cell {check_index} comes before any exercise"
    text = before[-1][1]
    solution = dict(DETAILS.findall(text)).get('Solution', '')
    return '\n'.join(PYTHON_BLOCK.findall(solution))


def verdict_cell(prelude, check_source, want):
    """A cell that runs prelude, then the check (placeholders removed), and asserts it."""
    body = PLACEHOLDER.sub('pass', check_source)
    tree = ast.parse(body)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr), "a check cell ends with the check call"
    tree.body[-1] = ast.parse('_verdict = 0').body[0]
    tree.body[-1].value = last.value
    ast.fix_missing_locations(tree)
    test = ('assert _verdict, _verdict.message' if want else
            'assert not _verdict, "a wrong answer was accepted: " + _verdict.message')
    return f"{prelude}\n{ast.unparse(tree)}\n{test}\n"


@pytest.mark.parametrize('name', EXPECTED)
def test_notebook_runs_top_to_bottom_and_its_checks_accept_the_solutions_only(name, tmp_path):
    nbformat = pytest.importorskip('nbformat')
    nbclient = pytest.importorskip('nbclient')
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    for i, cell in reversed(check_cells(name)):   # wrong answer first, the solution stays
        wrong = cell['metadata']['exercise_check']['wrong']
        notebook.cells[i + 1:i + 1] = [
            nbformat.v4.new_code_cell(verdict_cell(wrong, source(cell), want=False)),
            nbformat.v4.new_code_cell(verdict_cell(solution_code(name, i), source(cell), True)),
        ]
    client = nbclient.NotebookClient(  # run in a scratch folder: what it saves lands there
        notebook, kernel_name='python3', timeout=300,
        resources={'metadata': {'path': str(tmp_path)}})
    client.execute()
    oracles_skipped(name, notebook)


def oracles_skipped(name, notebook):
    """A notebook that ran, but whose PyTorch comparison could not: a skip, never a pass.

    Notebook 05 catches the ImportError and prints a note (a learner without torch reads on),
    so nbclient sees no error; the kernel "python3" is this Python (the Makefile and the
    noxfile install it into the test's own venv), so asking here tells what the kernel saw.
    Under SCALARGRAD_REQUIRE_ORACLES=1 (make test in .ci/run) the skip is a failure.
    """
    imports_torch = any(re.search(r'^\s*import torch\b', source(c), re.M)
                        for c in notebook.cells if c.cell_type == 'code')
    if imports_torch and importlib.util.find_spec('torch') is None:
        missing_oracle(f"torch not installed: {name} ran top to bottom and its checks passed, "
                       f"but its comparison with PyTorch did not run")


# ---- pictures that fit a column and read on a projector


def png_size_and_dpi(data):
    raw = base64.b64decode(data)
    width, height = struct.unpack('>II', raw[16:24])
    at = raw.find(b'pHYs')
    dpi = round(struct.unpack('>I', raw[at + 4:at + 8])[0] * 0.0254) if at > 0 else None
    return width, height, dpi


def svg_width_px(svg):
    match = re.search(r'<svg[^>]*?\swidth="([\d.]+)(pt|px)?"', svg)
    assert match, "an SVG without a width"
    value, unit = float(match.group(1)), match.group(2) or 'px'
    return value * 4 / 3 if unit == 'pt' else value


def pictures(name):
    for cell in load(name)['cells']:
        for output in cell.get('outputs', []):
            yield output.get('data', {})


@pytest.mark.parametrize('name', EXPECTED)
def test_every_stored_plot_fits_a_column_at_projector_resolution(name):
    for data in pictures(name):
        if set(data) == {'image/png', 'text/plain'}:   # a matplotlib plot
            width, _, dpi = png_size_and_dpi(data['image/png'])
            assert width <= COLUMN_PX, f"{name}: a plot {width} px wide"
            assert dpi is None or dpi >= MIN_PLOT_DPI, f"{name}: a plot at {dpi} dpi"


MIN_TEXT_PX = 9.75    # about 10 px: a step-through slice shows its 10 pt edge labels at 9.8 px


def smallest_text_px(svg):
    """The smallest font of an SVG as displayed: its font size times the display scale."""
    match = re.search(r'<svg width="([\d.]+)px"[^>]*?viewBox="([^"]*)"', svg, re.S)
    assert match, "an SVG without a width in px and a viewBox"
    scale = float(match.group(1)) / (float(match.group(2).split()[2]) * 4 / 3)
    sizes = [float(v) for v in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes) * 4 / 3 * scale


@pytest.mark.parametrize('name', EXPECTED)
def test_every_stored_graph_shows_its_text_about_10_px_high_or_more(name):
    for data in pictures(name):
        svg = ''.join(data.get('image/svg+xml', ''))
        if svg:
            assert smallest_text_px(svg) >= MIN_TEXT_PX, f"{name}: text below 10 px"


@pytest.mark.parametrize('name', EXPECTED)
def test_every_stored_graph_carries_a_png_for_front_ends_that_do_not_show_svg(name):
    graphs = [data for data in pictures(name) if 'image/svg+xml' in data]
    assert all('image/png' in data for data in graphs), f"{name}: an SVG without its PNG"


@pytest.mark.parametrize('name', EXPECTED)
def test_no_stored_graph_is_too_wide_to_read(name):
    for data in pictures(name):
        svg = ''.join(data.get('image/svg+xml', ''))
        assert 'too small to read' not in svg, f"{name}: a graph too wide for the column"
        if svg:
            assert svg_width_px(svg) <= COLUMN_PX, f"{name}: an SVG wider than {COLUMN_PX} px"


# What each notebook must teach (issue 5): words that must appear in its cells.
COVERS = {
    '01_derivatives_and_the_chain_rule.ipynb': [
        'slope', 'central difference', 'learning rate', 'chain rule', 'draw_dot(',
        '.backward()', 'gradcheck('],
    '02_build_your_own_value.ipynb': [
        'class Value', '_backward', 'topological order', 'a + a', '+=', 'zero_grad',
        'check_value_class(Value)'],
    '03_neurons_and_activations.ipynb': [
        'weighted sum', 'bias', 'step', 'sigmoid', 'tanh', 'relu', 'one linear',
        '._backward()', 'o.grad = 1.0', 'o.backward()'],
    '04_logic_gates_and_xor.ipynb': [
        'nn.data.and_gate(', 'nn.data.or_gate(', 'nn.data.xor(', 'perceptron rule', '.fit(',
        'linearly separable', 'hidden layer', 'decision_boundary(', 'to_hidden(', 'margin',
        'zero_grad()'],
    '05_training_an_mlp.ipynb': [
        'nn.data.moons(', 'nn.MLP(2, [16, 16, 1]', 'nn.losses.hinge(', 'nn.losses.l2(',
        'total.backward()', 'nn.fit(', 'decision_boundary(', 'nn.to_torch(', 'except ImportError',
        'binary cross-entropy', 'test'],
    '06_gradient_descent_variants.ipynb': [
        'stochastic', 'full batch', 'mini-batch', 'epoch', 'batch_size', "x='epoch'",
        'loss against updates', 'trade-off', 'adam'],
    '07_stepping_through_backprop.ipynb': [
        'step_through(', 'local derivative', 'used twice', 'a * a', 'nn.MLP(',
        "save_steps_html(", "'output/steps.html'"],
    '08_loss_functions.ipynb': [
        '(s - t) ** 2', '.relu()', '.sigmoid()', 'softmax', 'p_j - y_j', 'one-hot',
        'sum_over_paths(', 'draw_dot(', '.backward()', 'nn.plot.loss_functions(',
        "loss=name", 'decision_boundary(', 'nn.data.spiral(', "loss='cross_entropy'", 'margin'],
    '09_how_gradient_descent_behaves.ipynb': [
        'nn.plot.loss_surface(', 'nn.descent_path(', 'learning rate', 'diverge', 'curvature',
        'momentum_by_hand', "momentum=0.9", 'adam_by_hand', "'adam'", 'local minimum', 'saddle',
        'vanishing', "activation", "'sigmoid'", "'relu'", '.backward()'],
    '10_training_watched.ipynb': [
        'forward', 'backward', 'step_through(', 'nn.optim.SGD(', 'update_view(', 'epoch',
        'history=', 'boundary_grid(', 'save_boundary_animation(', 'validation=',
        'held_out_curve(', 'overfitting', 'l2=', 'held-out'],
    '11_reverse_mode_as_a_program.ipynb': [
        'record(', '.text()', 'replay(', 'wengert', 'draw_dot(', 'backward_steps(', 'bit for bit',
        'replay=true', 'replay=false', 'history.path', 'frozen', '.data', 'value(w.data)',
        'no_grad', 'recorderror', '.relu()', 'topological_order', 'forward mode',
        'path_reason', 'replay_least_updates', 'torch.jit.trace', 'clear_cache(', 'if g'],
}


def text_of(name):
    return '\n'.join(source(c) for c in load(name)['cells']).lower()


def outputs_of(name):
    parts = []
    for cell in load(name)['cells']:
        for output in cell.get('outputs', []):
            parts.append(''.join(output.get('text', '')))
            parts += [''.join(v) for k, v in output.get('data', {}).items() if k == 'text/plain']
    return '\n'.join(parts)


@pytest.mark.parametrize('name', EXPECTED)
def test_notebook_covers_its_part_of_the_course(name):
    text = text_of(name)
    missing = [word for word in COVERS[name] if word.lower() not in text]
    assert not missing, f"{name} does not cover {missing}"


@pytest.mark.parametrize('name', EXPECTED)
def test_quantitative_claims_are_asserted_in_code(name):
    asserting = [c for c in load(name)['cells']
                 if c['cell_type'] == 'code' and re.search(r'^assert ', source(c), re.M)]
    assert len(asserting) >= 3, f"{name}: only {len(asserting)} cells assert a claim"


def test_gradient_descent_notebook_shows_the_update_counts_of_1000_samples_and_50_epochs():
    shown = outputs_of('06_gradient_descent_variants.ipynb')
    for count in ('50,000 updates', '    50 updates', ' 1,600 updates'):
        assert count in shown


def test_stepping_notebook_has_a_live_slider_and_static_frames():
    outputs = [o for c in load('07_stepping_through_backprop.ipynb')['cells']
               for o in c.get('outputs', [])]
    kinds = [o.get('data', {}) for o in outputs]
    widgets = [d for d in kinds if 'application/vnd.jupyter.widget-view+json' in d]
    pictures = [d for d in kinds if 'image/svg+xml' in d]
    assert len(widgets) >= 2 and len(pictures) >= 3


def test_descent_notebook_shows_a_run_that_diverges_and_update_rules_that_match_the_library():
    shown = outputs_of('09_how_gradient_descent_behaves.ipynb')
    assert 'too large, lr 0.34' in shown and 'last step multiplied it by 1.1403' in shown
    assert 'the same 41 points, bit for bit' in shown


def test_loss_notebook_draws_the_graph_of_each_of_its_four_losses():
    drawn = [c for c in load('08_loss_functions.ipynb')['cells'] if c['cell_type'] == 'code'
             and 'draw_dot(loss' in source(c)
             and any('image/svg+xml' in o.get('data', {}) for o in c.get('outputs', []))]
    assert len(drawn) == 4


def test_loss_notebook_shows_the_softmax_gradient_p_minus_y_beside_backward_and_its_two_paths():
    shown = outputs_of('08_loss_functions.ipynb')
    assert 'p_j - y_j   s_j.grad (backward)' in shown
    assert ' 1  0.2595   1     -0.7405     -0.7405' in shown
    assert '2 paths from s1 to L' in shown and 'sum = -0.7405 = d L / d s1' in shown


# ---- a comparison with PyTorch that could not run is a skip, not a silent pass


def torch_notebook(code):
    nbformat = pytest.importorskip('nbformat')
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])


def test_without_torch_a_notebook_comparing_with_pytorch_is_reported_skipped(monkeypatch):
    import conftest
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec', lambda n: None if n == 'torch' else real(n))
    monkeypatch.setattr(conftest, 'REQUIRE_ORACLES', False)
    with pytest.raises(pytest.skip.Exception, match='comparison with PyTorch did not run'):
        oracles_skipped('x.ipynb', torch_notebook('try:\n    import torch\nexcept ImportError:\n'
                                                  '    torch = None'))
    monkeypatch.setattr(conftest, 'REQUIRE_ORACLES', True)   # CI: the skip is a failure
    with pytest.raises(pytest.fail.Exception, match='SCALARGRAD_REQUIRE_ORACLES=1'):
        oracles_skipped('x.ipynb', torch_notebook('import torch'))


def test_a_notebook_without_torch_or_with_torch_installed_is_not_skipped(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec', lambda n: None if n == 'torch' else real(n))
    oracles_skipped('x.ipynb', torch_notebook('import math  # torch is not used here'))
    monkeypatch.setattr(importlib.util, 'find_spec', lambda n: object())
    oracles_skipped('x.ipynb', torch_notebook('import torch'))


def test_the_pytorch_notebook_is_one_the_skip_rule_sees():
    cells = [source(c) for c in load('05_training_an_mlp.ipynb')['cells']
             if c['cell_type'] == 'code']
    assert any(re.search(r'^\s*import torch\b', text, re.M) for text in cells)
