"""save / load a model as JSON: what it is, every parameter by name, and, for a checkpoint,
the optimizer's state and the training History.

The file is plain JSON (never pickle, so loading a file runs no code):

    {"format": "scalargrad-model", "version": 2,
     "architecture": {"kind": "MLP", "nin": 2, "nouts": [16, 16, 1], "activation": "relu",
                      "output_activation": "linear", "fused": true,
                      "activations": [["relu", ...16], ["relu", ...16], ["linear"]]},
     "parameters": {"layers.0.neurons.0.w.0": 0.23, ...},
     "optimizer": {"optimizer": "SGD", "lr": 0.1, "momentum": 0.9, "steps": 40, ...},
     "history": {"losses": [...], "epochs": 10, ...}}

`activations` lists what each neuron's forward pass applies (a neuron's activation may be
changed after the model is built); `activation` and `output_activation` are the MLP's own
settings, kept for its repr. "optimizer" and "history" are there only when saved.
Floats are written with repr, so a model round-trips exactly. Kinds: MLP, Layer, Neuron,
Perceptron. Version 1 files (format "scalargrad-mlp", MLPs only) still load.

>>> save(model, 'model.json')
>>> same = load('model.json')
>>> save(model, 'run.json', optimizer=opt, history=history)      # a checkpoint
>>> model, opt, history = load_checkpoint('run.json')
>>> fit(model, X, y, optimizer=opt, history=history, epochs=20)  # goes on exactly
"""

import json
import os
from collections import namedtuple

from engine.files import write_atomic
from engine.numbers import as_whole

from .activations import check_activation
from .models import MLP, Layer, Neuron
from .optim import SGD, Adam
from .perceptron import Perceptron
from .train import History

FORMAT = 'scalargrad-model'
VERSION = 2
OPTIMIZERS = {'SGD': SGD, 'Adam': Adam}

Checkpoint = namedtuple('Checkpoint', 'model optimizer history')
Checkpoint.__doc__ = """What load_checkpoint gives: the model, and the optimizer and History
saved with it (None for what was not saved)."""


# ---- writing


def _neurons_of(model):
    return [n.activation for n in model.neurons]


def _architecture(model):
    """What the forward pass uses, as plain data."""
    kind = type(model)
    if kind is MLP:
        return {'kind': 'MLP', 'nin': model.nin, 'nouts': list(model.nouts),
                'activation': model.activation, 'output_activation': model.output_activation,
                'fused': model.fused,
                'activations': [_neurons_of(layer) for layer in model.layers]}
    if kind is Layer:
        return {'kind': 'Layer', 'nin': model.nin, 'fused': model.fused,
                'activations': _neurons_of(model)}
    if kind is Neuron:
        return {'kind': 'Neuron', 'nin': model.nin, 'activation': model.activation,
                'fused': model.fused}
    if kind is Perceptron:
        if model.activation != 'step':
            raise ValueError(f"a Perceptron steps; this one's activation was changed to "
                             f"{model.activation!r}")
        return {'kind': 'Perceptron', 'nin': model.nin, 'fused': model.fused}
    raise TypeError(f"save writes an MLP, Layer, Neuron or Perceptron, got {kind.__name__}")


def save(model, path, optimizer=None, history=None):
    """Write `model` to `path` as JSON, atomically: a reader never sees half a file.

    optimizer -- an nn.optim optimizer over model.parameters() (in that order), to store
                 its state (momentum, moments, step count) for load_checkpoint
    history   -- the History of fit, to store where the run is (its epochs, its curves,
                 the shuffling seed) so that fit(..., history=) goes on exactly
    """
    document = {'format': FORMAT, 'version': VERSION, 'architecture': _architecture(model),
                'parameters': model.state_dict()}
    if optimizer is not None:
        if type(optimizer) not in OPTIMIZERS.values():
            raise TypeError(f"save stores an nn.optim SGD or Adam, got "
                            f"{type(optimizer).__name__}")
        params = model.parameters()
        if len(optimizer.params) != len(params) or any(
                a is not b for a, b in zip(optimizer.params, params)):
            raise ValueError("save stores an optimizer built over model.parameters() (all of "
                             "them, in order); this one holds other parameters")
        document['optimizer'] = optimizer.state_dict()
    if history is not None:
        if not isinstance(history, History):
            raise TypeError(f"history must be a History, got {type(history).__name__}")
        document['history'] = history.to_dict()
    bad = _non_finite(document)
    if bad:
        raise ValueError(f"{os.fspath(path)}: not saved: {bad[0]} is {bad[1]}; JSON (and a "
                         f"model that is to be loaded again) holds finite numbers only")
    text = json.dumps(document, indent=1, allow_nan=False) + '\n'
    write_atomic(path, text)  # the new file appears whole, or not at all


def _non_finite(node, where=''):
    """(field, value) of the first nan or inf in the document, or None."""
    if isinstance(node, float):
        return None if node - node == 0.0 else (where, node)
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        if isinstance(key, str) and key.isidentifier():
            inner = f"{where}.{key}" if where else key
        else:
            inner = f"{where}[{key!r}]"
        found = _non_finite(child, inner)
        if found:
            return found
    return None


# ---- reading


def _read(path):
    path = os.fspath(path)
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a text file ({err.reason})") from None
    try:
        return path, json.loads(text)
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


def load(path):
    """Read the model from a file written by save() (a checkpoint too). Any problem is a
    ValueError naming the file and the field."""
    path, document = _read(path)
    try:
        return _model_from(document)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: cannot load a model: {err}") from None


def load_checkpoint(path, lr=None):
    """Read a model with the optimizer and History saved beside it: a Checkpoint
    (model, optimizer, history), None for a part the file does not hold.

    The optimizer is rebuilt over the new model's parameters with its saved state.
    lr -- the learning rate (or schedule) to go on with; needed when the run used a
          schedule, since a function cannot be stored. Default: the saved number.

    >>> model, opt, history = load_checkpoint('run.json')
    """
    path, document = _read(path)
    try:
        model = _model_from(document)
        optimizer = history = None
        if 'optimizer' in document:
            optimizer = _optimizer_from(document['optimizer'], model, lr)
        elif lr is not None:
            raise ValueError("lr was given but the file holds no optimizer")
        if 'history' in document:
            history = History.from_dict(document['history'])
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: cannot load the checkpoint: {err}") from None
    return Checkpoint(model, optimizer, history)


def _optimizer_from(state, model, lr):
    if not isinstance(state, dict):
        raise ValueError(f"optimizer must be an object, got {type(state).__name__}")
    kind = state.get('optimizer')
    if kind not in OPTIMIZERS:
        raise ValueError(f"optimizer.optimizer must be one of {', '.join(OPTIMIZERS)}, got "
                         f"{kind!r:.40}")
    if state.get('lr', 0.1) is None and lr is None:
        raise ValueError("optimizer.lr: the run used an lr schedule, which a file cannot "
                         "hold: give it again, load_checkpoint(path, lr=schedule)")
    optimizer = OPTIMIZERS[kind](model.parameters(), lr=0.1 if lr is None else lr)
    if lr is not None:  # the caller's lr (checked just now) wins over the saved one
        state = {**state, 'lr': None if callable(optimizer.lr) else optimizer.lr}
    optimizer.load_state_dict(state)  # checks every field before setting any
    return optimizer


def _field(d, key, where):
    if key not in d:
        raise ValueError(f"{where} lacks {key}")
    return d[key]


def _size(x, what, found):
    """A layer size: at least 1, and at most the parameter count (each size adds a weight
    or more), so that a huge number is refused before anything is built."""
    try:
        n = as_whole(x, what, least=1)
    except (TypeError, ValueError):
        n = None
    if n is None or n > found:
        raise ValueError(f"{what} must be a whole number from 1 to {found} (the file holds "
                         f"{found} parameters), got {x!r:.40}")
    return n


def _activation(x, what):
    if not isinstance(x, str):
        raise ValueError(f"{what} must be an activation name, got {x!r:.40}")
    try:
        return check_activation(x)
    except ValueError as err:
        raise ValueError(f"{what}: {err}") from None


def _activations(x, what, n):
    if not isinstance(x, list) or len(x) != n:
        got = f"{len(x)} names" if isinstance(x, list) else type(x).__name__
        raise ValueError(f"{what} must be a list of {n} activation names, got {got}")
    return [_activation(a, f"{what}[{i}]") for i, a in enumerate(x)]


def _model_from(document):
    if not isinstance(document, dict):
        raise ValueError(f"not a scalargrad model file (expected \"format\": \"{FORMAT}\")")
    if document.get('format') == 'scalargrad-mlp' and document.get('version') == 1:
        arch = _upgrade_version_1(document.get('architecture'))
    elif document.get('format') != FORMAT:
        raise ValueError(f"not a scalargrad model file (expected \"format\": \"{FORMAT}\")")
    elif document.get('version') != VERSION:
        raise ValueError(f"format version {document.get('version')!r:.40} is not supported "
                         f"(this scalargrad reads versions 1 and {VERSION})")
    else:
        arch = document.get('architecture')
    if not isinstance(arch, dict):
        raise ValueError("the \"architecture\" entry is missing")
    params = document.get('parameters')
    if not isinstance(params, dict):
        raise ValueError("the \"parameters\" entry is missing")
    fused = arch.get('fused', True)
    if not isinstance(fused, bool):
        raise ValueError(f"architecture.fused must be true or false, got {fused!r:.40}")
    build = {'MLP': _mlp, 'Layer': _layer, 'Neuron': _neuron, 'Perceptron': _perceptron}
    kind = _field(arch, 'kind', 'the architecture')
    if kind not in build:
        raise ValueError(f"architecture.kind must be one of {', '.join(build)}, got "
                         f"{kind!r:.40}")
    model = build[kind](arch, fused, len(params))
    model.load_state_dict(params)  # checks every name and number before setting any
    return model


def _check_count(expected, found):
    if expected != found:
        raise ValueError(f"the architecture has {expected} parameters but the file holds "
                         f"{found}")


def _mlp(arch, fused, found):
    nin = _size(_field(arch, 'nin', 'the architecture'), 'architecture.nin', found)
    nouts = _field(arch, 'nouts', 'the architecture')
    if not isinstance(nouts, list) or not nouts:
        raise ValueError(f"architecture.nouts must be a list of layer sizes, got {nouts!r:.40}")
    nouts = [_size(n, f'architecture.nouts[{i}]', found) for i, n in enumerate(nouts)]
    sizes = [nin] + nouts
    _check_count(sum((a + 1) * b for a, b in zip(sizes, sizes[1:])), found)  # before building
    activation = _activation(_field(arch, 'activation', 'the architecture'),
                             'architecture.activation')
    output = _activation(_field(arch, 'output_activation', 'the architecture'),
                         'architecture.output_activation')
    per_layer = _field(arch, 'activations', 'the architecture')
    if not isinstance(per_layer, list) or len(per_layer) != len(nouts):
        raise ValueError(f"architecture.activations must be a list of {len(nouts)} lists "
                         f"(one per layer)")
    per_layer = [_activations(names, f'architecture.activations[{i}]', n)
                 for i, (names, n) in enumerate(zip(per_layer, nouts))]
    model = MLP(nin, nouts, activation=activation, output_activation=output, seed=0,
                fused=fused)
    for layer, names in zip(model.layers, per_layer):
        for neuron, name in zip(layer.neurons, names):
            neuron.activation = name
    return model


def _layer(arch, fused, found):
    nin = _size(_field(arch, 'nin', 'the architecture'), 'architecture.nin', found)
    names = _field(arch, 'activations', 'the architecture')
    if not isinstance(names, list) or not names:
        raise ValueError("architecture.activations must be a list of activation names "
                         "(one per neuron)")
    _check_count((nin + 1) * len(names), found)
    names = _activations(names, 'architecture.activations', len(names))
    layer = Layer(nin, len(names), fused=fused, seed=0)
    for neuron, name in zip(layer.neurons, names):
        neuron.activation = name
    return layer


def _neuron(arch, fused, found):
    nin = _size(_field(arch, 'nin', 'the architecture'), 'architecture.nin', found)
    _check_count(nin + 1, found)
    activation = _activation(_field(arch, 'activation', 'the architecture'),
                             'architecture.activation')
    return Neuron(nin, activation=activation, fused=fused, seed=0)


def _perceptron(arch, fused, found):
    nin = _size(_field(arch, 'nin', 'the architecture'), 'architecture.nin', found)
    _check_count(nin + 1, found)
    perceptron = Perceptron(nin, seed=0)
    perceptron.fused = fused
    return perceptron


def _upgrade_version_1(arch):
    """A version 1 architecture (an MLP, one activation per layer) in version 2's terms."""
    if not isinstance(arch, dict):
        return arch
    arch = {'kind': 'MLP', **arch}
    nouts = arch.get('nouts')
    if isinstance(nouts, list) and 'activation' in arch and 'output_activation' in arch:
        last = len(nouts) - 1
        arch['activations'] = [[arch['activation'] if i < last else arch['output_activation']]
                               * n if isinstance(n, int) and 0 < n <= 1 << 20 else []
                               for i, n in enumerate(nouts)]
    return arch
