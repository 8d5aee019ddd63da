"""The notebooks as stored (not re-run): what a learner sees on opening them untrusted.

JupyterLab, Notebook 7 and code hosts show a stored PNG but not a stored SVG of an
untrusted notebook, so every picture must carry a PNG that decodes.
"""

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

NOTEBOOKS = sorted((Path(__file__).parent.parent / 'notebooks').glob('*.ipynb'))


def outputs(path):
    for index, cell in enumerate(json.loads(path.read_text())['cells']):
        for output in cell.get('outputs', []):
            yield index, output.get('data', {})


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_picture_carries_a_png_that_decodes(path):
    for index, data in outputs(path):
        if 'image/svg+xml' in data or 'application/vnd.jupyter.widget-view+json' in data:
            assert 'image/png' in data, f"{path.name}, cell {index}: a picture without a PNG"
        if 'image/png' in data:
            image = Image.open(io.BytesIO(base64.b64decode(data['image/png'])))
            assert image.width >= 100 and image.height >= 20, f"{path.name}, cell {index}"


def test_the_notebooks_hold_pictures_at_all():
    pngs = sum('image/png' in data for path in NOTEBOOKS for _, data in outputs(path))
    assert len(NOTEBOOKS) >= 7 and pngs >= 30
