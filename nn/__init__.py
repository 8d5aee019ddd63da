"""scalargrad's neural-network package, built on engine.

>>> import nn
>>> model = nn.MLP(2, [16, 16, 1], seed=0)      # micrograd's moons classifier
"""

from . import activations, data, losses, optim
from .models import MLP, Layer, Neuron
from .module import Module
from .perceptron import Perceptron

__all__ = ['MLP', 'Layer', 'Module', 'Neuron', 'Perceptron', 'activations', 'data', 'losses',
           'optim']
