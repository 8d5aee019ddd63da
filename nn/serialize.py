"""save / load an MLP as JSON: the architecture and every parameter, by name.

The file is plain JSON (never pickle, so loading a file runs no code):

    {"format": "scalargrad-mlp", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu",
                      "output_activation": "linear", "fused": true},
     "parameters": {"layers.0.neurons.0.w.0": 0.23, ...}}

Floats are written with repr, so a model round-trips exactly.

>>> save(model, 'model.json')
>>> same = load('model.json')
"""

import json
import os

from engine.files import write_atomic

from .activations import check_activation
from .models import MLP

FORMAT = 'scalargrad-mlp'
VERSION = 1


def save(model, path):
    """Write `model` (an MLP) to `path` as JSON, atomically: a reader never sees half a file."""
    if not isinstance(model, MLP):
        raise TypeError(f"save writes an MLP, got {type(model).__name__}")
    document = {
        'format': FORMAT,
        'version': VERSION,
        'architecture': {'nin': model.nin, 'nouts': list(model.nouts),
                         'activation': model.activation,
                         'output_activation': model.output_activation,
                         'fused': model.fused},
        'parameters': model.state_dict(),
    }
    text = json.dumps(document, indent=1, allow_nan=False) + '\n'
    write_atomic(path, text)  # the new file appears whole, or not at all


def load(path):
    """Read an MLP written by save(). Any problem is a ValueError naming the file."""
    path = os.fspath(path)
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a text file ({err.reason})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        problem = 'it is empty' if not text.strip() else \
            f"it is not valid JSON (truncated or corrupt?): {err.msg} at line {err.lineno}"
        raise ValueError(f"{path}: cannot load a model: {problem}") from None
    except RecursionError:  # json's parser recurses once per level of [ or {
        raise ValueError(f"{path}: cannot load a model: it is not valid JSON for a model "
                         f"(nested too deeply)") from None
    except ValueError as err:  # e.g. an integer with more digits than Python will convert
        raise ValueError(f"{path}: cannot load a model: it is not valid JSON for a model "
                         f"({err})") from None
    try:
        return _model_from(document)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: cannot load a model: {err}") from None


def _model_from(document):
    if not isinstance(document, dict) or document.get('format') != FORMAT:
        raise ValueError(f"not a scalargrad model file (expected \"format\": \"{FORMAT}\")")
    if document.get('version') != VERSION:
        raise ValueError(f"format version {document.get('version')!r} is not supported "
                         f"(this scalargrad reads version {VERSION})")
    arch = document.get('architecture')
    if not isinstance(arch, dict):
        raise ValueError("the \"architecture\" entry is missing")
    missing = [k for k in ('nin', 'nouts', 'activation', 'output_activation') if k not in arch]
    if missing:
        raise ValueError(f"the architecture lacks {', '.join(missing)}")
    for key in ('activation', 'output_activation'):
        if not isinstance(arch[key], str):
            raise ValueError(f"architecture {key} must be a name, got {arch[key]!r}")
        check_activation(arch[key])
    if not isinstance(arch['nouts'], list):
        raise ValueError(f"architecture nouts must be a list, got {arch['nouts']!r}")
    params = document.get('parameters')
    if not isinstance(params, dict):
        raise ValueError("the \"parameters\" entry is missing")
    expected = _parameter_count(arch['nin'], arch['nouts'])
    if expected != len(params):
        raise ValueError(f"the architecture has {expected} parameters but the file holds "
                         f"{len(params)}")
    fused = arch.get('fused', True)
    if not isinstance(fused, bool):
        raise ValueError(f"architecture fused must be true or false, got {fused!r}")
    model = MLP(arch['nin'], arch['nouts'], activation=arch['activation'],
                output_activation=arch['output_activation'], seed=0, fused=fused)
    model.load_state_dict(params)  # checks every name and number before setting any
    return model


def _parameter_count(nin, nouts):
    """(nin + 1) * n0 + (n0 + 1) * n1 + ..., after checking the sizes are whole numbers."""
    sizes = [nin] + list(nouts)
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int) or s < 1:
            raise ValueError(f"layer sizes must be positive whole numbers, got {s!r}")
    if len(sizes) < 2:
        raise ValueError("the architecture has no layers")
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
