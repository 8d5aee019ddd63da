"""scalargrad's neural-network package, built on engine.

>>> import nn
>>> model = nn.MLP(2, [16, 16, 1], seed=0)      # micrograd's moons classifier
"""

from . import activations, data, losses, optim
from .models import MLP, Layer, Neuron
from .module import Module
from .optim import descent_path
from .perceptron import Perceptron
from .serialize import Checkpoint, load, load_checkpoint, save
from .torch_export import to_torch
from .train import History, accuracy, fit

__all__ = ['Checkpoint', 'History', 'MLP', 'Layer', 'Module', 'Neuron', 'Perceptron', 'accuracy',
           'activations', 'data', 'descent_path', 'fit', 'load', 'load_checkpoint', 'losses',
           'optim', 'plot', 'save', 'to_torch']


def __getattr__(name):
    """`nn.plot` is imported on first use, so `import nn` does not load matplotlib."""
    if name == 'plot':
        import importlib
        return importlib.import_module('.plot', __name__)
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
