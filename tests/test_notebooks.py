"""The teaching notebooks: all there, mostly prose, with pictures, and they run top to bottom."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'
EXPECTED = [
    '01_derivatives_and_the_chain_rule.ipynb',
    '02_neurons_and_activations.ipynb',
    '03_logic_gates_and_xor.ipynb',
    '04_gradient_descent_variants.ipynb',
    '05_training_an_mlp.ipynb',
    '06_stepping_through_backprop.ipynb',
]
PICTURE_TYPES = ('image/png', 'image/svg+xml')
MACHINE_PATH = re.compile(r'(/work/|/root/|/home/|/tmp/|site-packages|\.venv)')


def load(name):
    return json.loads((NOTEBOOKS / name).read_text(encoding='utf-8'))


def source(cell):
    return ''.join(cell['source'])


def test_every_notebook_of_the_course_is_there():
    assert sorted(p.name for p in NOTEBOOKS.glob('*.ipynb')) == EXPECTED


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
def test_notebook_ends_with_exercises(name):
    markdown = [source(c) for c in load(name)['cells'] if c['cell_type'] == 'markdown']
    assert any('exercise' in text.lower() for text in markdown[-2:])


@pytest.mark.parametrize('name', EXPECTED)
def test_stored_outputs_carry_no_machine_paths_or_errors(name):
    for cell in load(name)['cells']:
        for output in cell.get('outputs', []):
            assert output.get('output_type') != 'error', f"{name} stored an error"
            text = json.dumps({k: v for k, v in output.items() if k != 'data'})
            text += ''.join(str(v) for k, v in output.get('data', {}).items()
                            if k.startswith('text/'))
            assert not MACHINE_PATH.search(text), f"{name} output shows a machine path"


@pytest.mark.parametrize('name', EXPECTED)
def test_notebook_runs_top_to_bottom(name, tmp_path):
    nbformat = pytest.importorskip('nbformat')
    nbclient = pytest.importorskip('nbclient')
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(  # run in a scratch folder: what it saves lands there
        notebook, kernel_name='python3', timeout=300,
        resources={'metadata': {'path': str(tmp_path)}})
    client.execute()


# What each notebook must teach (issue 5): words that must appear in its cells.
COVERS = {
    '01_derivatives_and_the_chain_rule.ipynb': [
        'slope', 'central difference', 'learning rate', 'chain rule', 'draw_dot(',
        '.backward()', 'gradcheck('],
    '02_neurons_and_activations.ipynb': [
        'weighted sum', 'bias', 'step', 'sigmoid', 'tanh', 'relu', 'nn.plot.activations(',
        'one linear', '._backward()', 'o.grad = 1.0', 'o.backward()'],
    '03_logic_gates_and_xor.ipynb': [
        'nn.data.and_gate(', 'nn.data.or_gate(', 'nn.data.xor(', 'perceptron rule', '.fit(',
        'linearly separable', 'hidden layer', 'decision_boundary(', 'to_hidden('],
    '04_gradient_descent_variants.ipynb': [
        'stochastic', 'full batch', 'mini-batch', 'epoch', 'batch_size', "x='epoch'",
        'loss against updates', 'trade-off'],
    '05_training_an_mlp.ipynb': [
        'nn.data.moons(', 'nn.MLP(2, [16, 16, 1]', 'nn.losses.hinge(', 'nn.losses.l2(',
        'total.backward()', 'nn.fit(', 'decision_boundary(', 'nn.to_torch(', 'except ImportError'],
    '06_stepping_through_backprop.ipynb': [
        'step_through(', 'local derivative', 'used twice', 'a * a', 'nn.MLP(',
        "save_steps_html(", "'output/steps.html'"],
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


def test_gradient_descent_notebook_shows_the_update_counts_of_1000_samples_and_50_epochs():
    shown = outputs_of('04_gradient_descent_variants.ipynb')
    for count in ('50,000 updates', '    50 updates', ' 1,600 updates'):
        assert count in shown


def test_stepping_notebook_has_a_live_slider_and_static_frames():
    outputs = [o for c in load('06_stepping_through_backprop.ipynb')['cells']
               for o in c.get('outputs', [])]
    kinds = [o.get('data', {}) for o in outputs]
    widgets = [d for d in kinds if 'application/vnd.jupyter.widget-view+json' in d]
    pictures = [d for d in kinds if 'image/svg+xml' in d]
    assert len(widgets) >= 2 and len(pictures) >= 3
